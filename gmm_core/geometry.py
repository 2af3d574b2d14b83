"""Outlines for the charts: the ellipse of a 2-D covariance at a chosen number of standard deviations, and the
nearest-centre cells of k-means in a rectangle."""

from __future__ import annotations

import numpy as np

from .errors import ParameterError


def _check_ellipse_arguments(means, covariances, n_std, n_points):
    if means.ndim != 2 or means.shape[1] != 2:
        raise ParameterError(f"means must have shape (K, 2) (ellipses are drawn in 2-D); got shape {means.shape}.")
    if covariances.shape != (means.shape[0], 2, 2):
        raise ParameterError(
            f"covariances must have shape (K, 2, 2) = ({means.shape[0]}, 2, 2), one per mean; "
            f"got shape {covariances.shape}."
        )
    if not (np.all(np.isfinite(means)) and np.all(np.isfinite(covariances))):
        raise ParameterError("means and covariances must be finite numbers to draw their ellipses.")
    if not np.isfinite(n_std) or n_std <= 0:
        raise ParameterError(f"n_std must be a positive number of standard deviations; got {n_std!r}.")
    if isinstance(n_points, bool) or not isinstance(n_points, (int, np.integer)) or n_points < 3:
        raise ParameterError(f"n_points must be a whole number >= 3 (a polygon needs three corners); got {n_points!r}.")


def covariance_ellipses(means, covariances, n_std=1.0, n_points=100):
    """Closed outlines of the ellipses {x : (x - mean)' covariance^-1 (x - mean) = n_std^2}, one per component.

    Each outline is built from the covariance's eigen-decomposition: the ellipse's axes point along the
    eigenvectors and have half-lengths ``n_std * sqrt(eigenvalue)``.

    Parameters
    ----------
    means : array-like of shape (K, 2)
    covariances : array-like of shape (K, 2, 2)
        Symmetric positive semi-definite matrices (a singular one gives a flat ellipse: a line segment).
    n_std : float > 0
        The Mahalanobis radius, in standard deviations.
    n_points : int >= 3
        Number of distinct points on each outline.

    Returns
    -------
    outlines : ndarray of shape (K, n_points + 1, 2)
        Each outline's first point is repeated at its end so that a plotted polyline closes.

    Raises
    ------
    ParameterError
        For wrong shapes, non-finite values, a non-positive ``n_std`` or a covariance with a negative eigenvalue.
    """
    means = np.asarray(means, dtype=np.float64)
    covariances = np.asarray(covariances, dtype=np.float64)
    _check_ellipse_arguments(means, covariances, n_std, n_points)
    eigenvalues, eigenvectors = np.linalg.eigh(covariances)  # (K, 2), (K, 2, 2) with eigenvectors as columns
    scale = np.maximum(np.abs(eigenvalues).max(axis=1, initial=0.0), np.finfo(np.float64).tiny)
    # A singular covariance can come out of eigh with an eigenvalue of about -1e-16 * scale: that is rounding.
    rounding = 64 * np.finfo(np.float64).eps * scale
    if np.any(eigenvalues < -rounding[:, None]):
        bad = [int(k) + 1 for k in np.flatnonzero(np.any(eigenvalues < -rounding[:, None], axis=1))]
        raise ParameterError(
            f"the covariance of component(s) {bad} has a negative eigenvalue, so it has no ellipse; "
            "a covariance must be symmetric positive (semi-)definite."
        )
    half_axes = n_std * np.sqrt(np.clip(eigenvalues, 0.0, None))  # (K, 2)
    # Angles 2*pi*j/n for j < n, then the first point copied (not recomputed) so the outline closes exactly.
    angles = 2.0 * np.pi * np.arange(n_points) / n_points
    unit_circle = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (n_points, 2)
    axes = eigenvectors * half_axes[:, None, :]  # column j of axes[k] is eigenvector j scaled to its half-length
    outlines = means[:, None, :] + np.einsum("pj,kdj->kpd", unit_circle, axes)
    return np.concatenate([outlines, outlines[:, :1, :]], axis=1)


def covariance_ellipse(mean, covariance, n_std=1.0, n_points=100):
    """Closed outline of one component's ellipse at ``n_std`` standard deviations.

    Parameters
    ----------
    mean : array-like of shape (2,)
    covariance : array-like of shape (2, 2)
    n_std : float > 0
    n_points : int >= 3

    Returns
    -------
    outline : ndarray of shape (n_points + 1, 2)
        The first point is repeated at the end.

    See Also
    --------
    covariance_ellipses : the same for K components at once.
    """
    mean = np.asarray(mean, dtype=np.float64)
    covariance = np.asarray(covariance, dtype=np.float64)
    if mean.shape != (2,) or covariance.shape != (2, 2):
        raise ParameterError(
            f"mean must have shape (2,) and covariance shape (2, 2); got {mean.shape} and {covariance.shape}."
        )
    return covariance_ellipses(mean[None, :], covariance[None, :, :], n_std, n_points)[0]


def _clip_half_plane(polygon, normal, offset):
    """The part of a convex polygon (M, 2), corners in order, where ``normal . x <= offset`` (Sutherland-Hodgman).

    Corners within rounding of the line count as inside, and a crossing is placed by the two corners' distances to
    the line, clamped to their edge: clipping twice by the same line (two centres at one place) changes nothing.
    """
    if polygon.shape[0] == 0:
        return polygon
    side = polygon @ normal - offset
    inside = side <= 1e-12 * (np.abs(polygon @ normal).max() + abs(offset))
    if inside.all():
        return polygon
    corners = []
    for index in range(polygon.shape[0]):
        following = (index + 1) % polygon.shape[0]
        if inside[index]:
            corners.append(polygon[index])
        if inside[index] != inside[following]:  # the edge crosses the line: add the crossing
            t = np.clip(side[index] / (side[index] - side[following]), 0.0, 1.0)
            corners.append(polygon[index] + t * (polygon[following] - polygon[index]))
    return np.array(corners, dtype=np.float64).reshape(-1, 2)


def nearest_centre_cells(centers, x_range, y_range):
    """The part of a rectangle nearer to each centre than to any other: k-means' decision regions (Voronoi cells).

    Each cell is the rectangle cut by the bisector of its centre and every other centre, so it is convex. Points on
    a bisector are equally near both centres; where centres coincide, the cell goes to the lowest-numbered one (as
    k-means gives a tied point to it) and the others' cells are empty.

    Parameters
    ----------
    centers : array-like of shape (K, 2)
    x_range, y_range : pairs of floats
        The rectangle [x0, x1] x [y0, y1].

    Returns
    -------
    cells : list of K ndarrays of shape (M_k, 2)
        Each cell's corners in order around it (counter-clockwise), the first not repeated; shape (0, 2) when the
        centre's cell misses the rectangle.

    Raises
    ------
    ParameterError
        For centres that are not (K, 2) finite numbers, or a range that is not an increasing pair of finite numbers.
    """
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] == 0:
        raise ParameterError(f"centers must have shape (K, 2) with K >= 1; got shape {centers.shape}.")
    if not np.all(np.isfinite(centers)):
        raise ParameterError("centers must be finite numbers to draw their cells.")
    (x0, x1), (y0, y1) = (np.asarray(r, dtype=np.float64) for r in (x_range, y_range))
    if not (np.isfinite([x0, x1, y0, y1]).all() and x0 < x1 and y0 < y1):
        raise ParameterError(f"x_range and y_range must be increasing pairs of numbers; got {x_range}, {y_range}.")
    rectangle = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
    cells = []
    for k, centre in enumerate(centers):
        cell = rectangle
        for j, other in enumerate(centers):
            if j == k:
                continue
            if np.array_equal(other, centre):
                if j < k:  # a lower-numbered twin takes the whole cell
                    cell = cell[:0]
                continue
            # |x - c_k|^2 <= |x - c_j|^2  <=>  2 (c_j - c_k) . x <= |c_j|^2 - |c_k|^2
            cell = _clip_half_plane(cell, 2.0 * (other - centre), other @ other - centre @ centre)
        cells.append(cell)
    return cells
