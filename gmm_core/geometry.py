"""Outlines for the charts: the ellipse of a 2-D covariance at a chosen number of standard deviations, the
nearest-centre cells of k-means in a rectangle, and the outlines of a gridded function's level sets."""

from __future__ import annotations

import numpy as np

from .errors import ParameterError
from .validation import check_whole


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
    check_whole("n_points", n_points, 3, " (a polygon needs three corners)")


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


def nearest_center_cells(centers, x_range, y_range):
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
    for k, center in enumerate(centers):
        cell = rectangle
        for j, other in enumerate(centers):
            if j == k:
                continue
            if np.array_equal(other, center):
                if j < k:  # a lower-numbered twin takes the whole cell
                    cell = cell[:0]
                continue
            # |x - c_k|^2 <= |x - c_j|^2  <=>  2 (c_j - c_k) . x <= |c_j|^2 - |c_k|^2
            cell = _clip_half_plane(cell, 2.0 * (other - center), other @ other - center @ center)
        cells.append(cell)
    return cells


def level_set_outlines(z, x_values, y_values, levels):
    """Closed outlines of the regions where a function sampled on a grid is at least each of ``levels``.

    Marching squares: the function is taken as linear along each grid edge, so an outline crosses an edge where
    its two ends fall on either side of the level, at the interpolated place. In a cell whose two opposite corners
    are above (a saddle), the cell's centre value (the mean of its corners) decides whether they are joined. The
    grid's border closes the regions that reach it.

    Each outline runs counter-clockwise around its region, and around a hole clockwise, so a plot that fills the
    outlines of one level as one shape (SVG's non-zero rule) draws the region with its holes; drawn from the lowest
    level up, each over the last, they shade the function's bands.

    Parameters
    ----------
    z : array-like of shape (ny, nx), ny, nx >= 2
        ``z[i, j]`` is the value at ``(x_values[j], y_values[i])``: rows follow y, as contour plots expect. -inf and
        NaN count as below every level (a density that underflowed, a log of zero).
    x_values : array-like of shape (nx,), increasing
    y_values : array-like of shape (ny,), increasing
    levels : array-like of finite floats

    Returns
    -------
    outlines : list of (x, y) pairs of float arrays, one per level
        The level's closed outlines one after the other, each ending on its first point and followed by NaN
        (a gap) when another comes; two empty arrays when no point of the grid reaches the level.

    Raises
    ------
    ParameterError
        For a grid and values that do not match, coordinates that are not increasing finite numbers, or values of
        +inf or levels that are not finite.
    """
    z = np.asarray(z, dtype=np.float64)
    x_values = np.asarray(x_values, dtype=np.float64).ravel()
    y_values = np.asarray(y_values, dtype=np.float64).ravel()
    levels = np.asarray(levels, dtype=np.float64).ravel()
    if z.ndim != 2 or z.shape != (y_values.size, x_values.size) or min(z.shape) < 2:
        raise ParameterError(
            f"z must have shape (len(y_values), len(x_values)), both at least 2; got z of shape "
            f"{z.shape}, {y_values.size} y and {x_values.size} x values."
        )
    for name, values in (("x_values", x_values), ("y_values", y_values)):
        if not (np.all(np.isfinite(values)) and np.all(np.diff(values) > 0)):
            raise ParameterError(f"{name} must be increasing finite numbers.")
    if np.any(z == np.inf) or not np.all(np.isfinite(levels)):
        raise ParameterError("z must not hold +inf, and the levels must be finite numbers.")
    # A border below every level, at the border's own coordinates: regions reaching the grid close along its edge.
    padded = np.full((z.shape[0] + 2, z.shape[1] + 2), -np.inf)
    padded[1:-1, 1:-1] = np.where(np.isnan(z), -np.inf, z)
    xs = np.concatenate([x_values[:1], x_values, x_values[-1:]])
    ys = np.concatenate([y_values[:1], y_values, y_values[-1:]])
    return _outlines(padded, xs, ys, levels)


def _crossings(low, high, level):
    """Where, from 0 at ``low``'s end to 1 at ``high``'s, the level falls on edges whose ends lie either side."""
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (level - low) / (high - low)
    t = np.where(np.isneginf(low), 1.0, np.where(np.isneginf(high), 0.0, t))
    return np.clip(t, 0.0, 1.0)


# A cell's sides, going round it counter-clockwise, each from one corner to the next: bottom (bottom-left to
# bottom-right), right, top (top-right to top-left), left. Corners are bits of a cell's case: which are above.
_SIDE_CORNERS = ((1, 2), (2, 4), (4, 8), (8, 1))


def _side_table(leaving):
    """For each case of a cell with one crossing piece, the side where the piece starts (``leaving``: the side
    going round from above to below) or ends (from below to above); -1 for the other cases."""
    table = np.full(16, -1, dtype=np.intp)
    for case in range(1, 15):
        if case in (5, 10):
            continue
        for side, (a, b) in enumerate(_SIDE_CORNERS):
            if bool(case & a) == leaving and bool(case & b) != leaving:
                table[case] = side
    return table


_START_SIDE, _END_SIDE = _side_table(True), _side_table(False)


def _outlines(z, xs, ys, levels):
    """The outlines of {z >= level} for each level on a grid whose border is below them all (see
    :func:`level_set_outlines`); all levels at once, each level's edges numbered apart from the others'."""
    n_rows, n_columns = z.shape
    above = (z >= levels[:, None, None]).view(np.uint8)  # (L, rows, columns)
    case = above[:, :-1, :-1] | above[:, :-1, 1:] << 1 | above[:, 1:, 1:] << 2 | above[:, 1:, :-1] << 3
    # Edge numbers: the horizontal edge from node (i, j) to (i, j + 1) is i * (n_columns - 1) + j; the vertical one
    # from (i, j) to (i + 1, j) comes after all horizontal ones; then the next level's edges.
    n_horizontal = n_rows * (n_columns - 1)
    n_edges = n_horizontal + (n_rows - 1) * n_columns

    # The cells the level crosses, their place, and the edge numbers of their four sides (n, 4), in the order of
    # _SIDE_CORNERS.
    flat_case = case.ravel()
    crossed = np.flatnonzero((flat_case != 0) & (flat_case != 15))
    cases = flat_case[crossed]
    cell_level, rest = np.divmod(crossed, (n_rows - 1) * (n_columns - 1))
    cell_row, cell_column = np.divmod(rest, n_columns - 1)
    bottom = cell_level * n_edges + cell_row * (n_columns - 1) + cell_column
    left = cell_level * n_edges + n_horizontal + cell_row * n_columns + cell_column
    sides = np.stack([bottom, left + 1, bottom + (n_columns - 1), left], 1)

    # An outline keeps its region on its left: in a cell it runs from the side left going round from above to
    # below (its start) to the side entered going round from below to above (its end).
    plain = (cases != 5) & (cases != 10)
    rows = np.arange(crossed.size)[plain]
    starts = sides[rows, _START_SIDE[cases[plain]]]
    ends = sides[rows, _END_SIDE[cases[plain]]]
    if not plain.all():  # saddles: two opposite corners above, two pieces
        b, r, t, lt = sides[~plain].T
        row, column = cell_row[~plain], cell_column[~plain]
        center = (z[row, column] + z[row, column + 1] + z[row + 1, column + 1] + z[row + 1, column]) / 4.0
        joined = center >= levels[cell_level[~plain]]
        five = cases[~plain] == 5  # bottom-left and top-right above: pieces start at the bottom and the top
        # joined through the centre: bottom -> right and top -> left (5), right -> top and left -> bottom (10);
        # apart, each corner above cut off alone: bottom -> left and top -> right (5), right -> bottom, left -> top
        first_end = np.where(five, np.where(joined, r, lt), np.where(joined, t, b))
        second_end = np.where(five, np.where(joined, lt, r), np.where(joined, b, t))
        starts = np.concatenate([starts, np.where(five, b, r), np.where(five, t, lt)])
        ends = np.concatenate([ends, first_end, second_end])

    # Where each piece starts: on its start edge, between the edge's two nodes.
    level, edge = np.divmod(starts, n_edges)
    vertical = edge >= n_horizontal
    row, column = np.where(vertical, np.divmod(edge - n_horizontal, n_columns), np.divmod(edge, n_columns - 1))
    row2, column2 = row + vertical, column + ~vertical
    t = _crossings(z[row, column], z[row2, column2], levels[level])
    piece_x = xs[column] + t * (xs[column2] - xs[column])
    piece_y = ys[row] + t * (ys[row2] - ys[row])

    # Every crossed edge starts one piece and ends another: chain the pieces into rings.
    order = np.argsort(starts)
    following = order[np.searchsorted(starts[order], ends)].tolist()
    ring_level = level.tolist()
    seen = bytearray(len(following))
    chains = [[] for _ in range(len(levels))]
    for first in range(len(following)):
        if seen[first]:
            continue
        chain = chains[ring_level[first]]
        if chain:
            chain.append(-1)  # a gap between two rings
        piece = first
        while not seen[piece]:
            seen[piece] = 1
            chain.append(piece)
            piece = following[piece]
        chain.append(first)  # back to the ring's first point
    outlines = []
    for chain in chains:
        chain = np.array(chain, dtype=np.intp)
        gap = chain < 0
        outlines.append((np.where(gap, np.nan, piece_x[chain]), np.where(gap, np.nan, piece_y[chain])))
    return outlines
