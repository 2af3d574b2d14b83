"""Lloyd's k-means with every iteration recorded, and k-means++ seeding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import _design
from ._bounded_cache import LABELS
from ._kmeans_grid import CellGrid
from .em import as_points, check_stopping, frozen_points
from .errors import ParameterError
from .validation import iteration_index


def rounded_center(X):
    """The data's mean rounded to a power of two about 2^-26 of the data's extent.

    Points and centres are handled as z = x - center. A round centre keeps that subtraction exact for data of
    modest precision (integers, values with few decimals), so that points exactly as far from two centres are
    seen as ties, and go to the lower-numbered centre, as a direct computation would decide.
    """
    mean = X.mean(axis=0)
    extent = float(max(np.max(X.max(axis=0) - mean), np.max(mean - X.min(axis=0))))
    if not extent > 0:
        return mean
    step = 2.0 ** (np.floor(np.log2(extent)) - 26)
    return np.round(mean / step) * step


@dataclass(frozen=True)
class PreparedCenters:
    """One iteration's centres as the distance kernels use them.

    shifted : (K, D) the centres minus the data's centre.
    coefficients : (K, 1 + D) W with W @ [1, z] = |s_k|^2 - 2 z . s_k = |z - s_k|^2 - |z|^2.
    tie_bound : a bound on the rounding error of a difference of two such values: two centres closer than this
        for a point are a near tie, decided again by direct differences |z - s_k|^2.
    """

    shifted: np.ndarray
    coefficients: np.ndarray
    tie_bound: float

    @classmethod
    def make(cls, centers, center, max_squared_norm):
        shifted = centers - center
        squared = np.einsum("kd,kd->k", shifted, shifted)
        coefficients = np.ascontiguousarray(np.concatenate([squared[:, None], -2.0 * shifted], 1))
        size = float(squared.max()) + 2.0 * np.sqrt(float(squared.max()) * max_squared_norm)
        tie_bound = 64.0 * np.finfo(np.float64).eps * (size + max_squared_norm) + np.finfo(np.float64).tiny
        return cls(shifted, coefficients, tie_bound)


def _nearest(partial, tie_bound):
    """Index of the smallest of each column of ``partial`` (K, rows), the smallest value, and a mask of the
    columns whose two smallest are within ``tie_bound`` (near ties; the index is then the lowest of them).

    ``argmin`` along the short K axis is slow; instead the minimum is one contiguous reduction, and the index is
    read off by ranking the rows that reach it (row k scores K - k) and keeping the best score, all in 8- or
    16-bit integers.
    """
    n_components = partial.shape[0]
    nearest = partial.min(axis=0)
    rank_type = np.uint8 if n_components < 256 else np.uint16 if n_components < 65536 else np.int64
    ranks = np.arange(n_components, 0, -1, dtype=rank_type)[:, None]
    close = partial <= nearest + tie_bound
    best_rank = np.multiply(close, ranks, dtype=rank_type).max(axis=0)
    near_ties = np.count_nonzero(close, axis=0) > 1
    return n_components - best_rank.astype(np.intp), nearest, near_ties


def _direct_labels(z, shifted):
    """Nearest of ``shifted`` (K, D) to each point of ``z`` (n, D) by direct differences; ties to the lowest."""
    return np.argmin(np.einsum("nkd,nkd->nk", z[:, None, :] - shifted, z[:, None, :] - shifted), axis=1)


def _chunk_labels(features, prepared):
    """Labels (rows,) and smallest partial distance of the points of a chunk [1, z] (feature-major)."""
    partial = prepared.coefficients @ features
    labels, nearest, near_ties = _nearest(partial, prepared.tie_bound)
    if near_ties.any():
        labels[near_ties] = _direct_labels(features[1:, near_ties].T, prepared.shifted)
        nearest = partial[labels, np.arange(labels.size)]
    return labels, nearest


def _assign(design, centers):
    """Index (N,) of the nearest of ``centers`` (K, D) for every point of the design."""
    prepared = PreparedCenters.make(centers, design.center, design.max_squared_norm)
    return np.concatenate(design.map(lambda chunk, _: _chunk_labels(chunk, prepared)[0]))


def _cluster_statistics_chunk(features, squared_norms, prepared):
    """A chunk's inertia and, per cluster, its count and coordinate sums (K, 1 + D).

    The nearest centre is marked in place as a one-hot (K, rows) matrix of floats, so that the counts and sums
    of every cluster come out of one matrix product with the features [1, z]; no labels are formed. When two
    centres are within rounding of each other for some point (a near tie), the chunk is redone with labels
    instead, near ties decided by direct differences, exact ties going to the lowest index as in Lloyd's.
    """
    partial = prepared.coefficients @ features
    nearest = partial.min(axis=0)
    inertia = float(np.sum(np.maximum(nearest + squared_norms, 0.0)))
    np.less_equal(partial, nearest + prepared.tie_bound, out=partial)
    statistics = partial @ features.T
    if statistics[:, 0].sum() != features.shape[1]:
        return _labelled_statistics_chunk(features, squared_norms, prepared)[1:]
    return inertia, statistics


def _labelled_statistics_chunk(features, squared_norms, prepared):
    """A chunk's labels, inertia and per-cluster statistics (K, 1 + D) of its features [1, z]."""
    labels, nearest = _chunk_labels(features, prepared)
    inertia = float(np.sum(np.maximum(nearest + squared_norms, 0.0)))
    n_components = prepared.coefficients.shape[0]
    statistics = np.stack([np.bincount(labels, weights=row, minlength=n_components) for row in features], 1)
    return labels, inertia, statistics


#: Bytes of one block of (K, rows) distances when only some points are assigned (a few per cent of the data).
_POINT_BLOCK_BYTES = 1 << 19


def _assign_points(z, prepared, want_labels=True):
    """Labels (None unless wanted), inertia and per-cluster statistics (K, 1 + D) of points ``z`` (n, D)
    (centred), in blocks."""
    n_points, n_features = z.shape
    n_components = prepared.coefficients.shape[0]
    rows = max(_design.MIN_CHUNK_ROWS, _POINT_BLOCK_BYTES // (8 * n_components))

    def block(start):
        points = z[start : start + rows].T
        features = np.empty((1 + n_features, points.shape[1]))
        features[0] = 1.0
        features[1:] = points
        norms = np.einsum("dn,dn->n", points, points)
        if want_labels:
            return _labelled_statistics_chunk(features, norms, prepared)
        return (None, *_cluster_statistics_chunk(features, norms, prepared))

    results = [block(start) for start in range(0, n_points, rows)]  # one thread: faster for so few points
    statistics = np.zeros((n_components, 1 + n_features))
    inertia = 0.0
    for _, block_inertia, block_statistics in results:
        inertia += block_inertia
        statistics += block_statistics
    if not want_labels:
        return None, inertia, statistics
    labels = np.concatenate([labels for labels, _, _ in results]) if results else np.zeros(0, dtype=np.intp)
    return labels, inertia, statistics


def _cluster_statistics(design, centers):
    """Inertia under ``centers`` (K, D), and each cluster's point count (K,) and coordinate sums (K, D) about the
    design's centre."""
    prepared = PreparedCenters.make(centers, design.center, design.max_squared_norm)
    results = design.map(lambda chunk, norms: _cluster_statistics_chunk(chunk, norms, prepared))
    inertia = 0.0
    statistics = np.zeros((centers.shape[0], 1 + centers.shape[1]))
    for chunk_inertia, chunk_statistics in results:  # chunk order: deterministic sums
        inertia += chunk_inertia
        statistics += chunk_statistics
    return inertia, np.rint(statistics[:, 0]).astype(np.int64), statistics[:, 1:]


def _relocate_empty_clusters(X, centers, labels, counts, sums, center):
    """Give each empty cluster the point farthest from its centre, as scikit-learn's Lloyd does, taking points
    only from clusters that keep at least one; a cluster that still gets none keeps its centre."""
    distances = np.einsum("nd,nd->n", X - centers[labels], X - centers[labels])
    candidates = iter(np.argsort(distances, kind="stable")[::-1])
    for cluster in np.flatnonzero(counts == 0):
        point = next((p for p in candidates if counts[labels[p]] > 1), None)
        if point is None:
            return
        old = labels[point]
        z = X[point] - center
        sums[old] -= z
        counts[old] -= 1
        sums[cluster] = z
        counts[cluster] = 1
        labels[point] = cluster


def _update_centers(sums, counts, previous, center):
    """Cluster means (K, D); an empty cluster keeps its previous centre."""
    occupied = counts > 0
    means = previous.copy()
    means[occupied] = sums[occupied] / counts[occupied, None] + center
    return means


def assign_nearest(X, centers):
    """Index (N,) of the nearest of ``centers`` (K, D) for each point of ``X`` (N, D); ties go to the lowest."""
    X = as_points(X)
    centers = np.asarray(centers, dtype=np.float64).reshape(-1, X.shape[1])
    with _design.single_threaded_blas():
        return _DensePass(X, centers.shape[0]).labels(centers)


@dataclass(frozen=True, eq=False)
class KMeansRun:
    """Every iteration of one Lloyd k-means fit.

    Attributes
    ----------
    X : array of shape (N, D)
    centers : array of shape (n_iter + 1, K, D)
        ``centers[0]`` is the initial centres, ``centers[i]`` those after i iterations.
    inertia : array of shape (n_iter + 1,)
        Sum of squared distances of the points to their nearest centre under ``centers[i]``.
    converged : bool
        No point changed cluster, or the centres moved less than the tolerance.
    """

    X: np.ndarray
    centers: np.ndarray
    inertia: np.ndarray
    converged: bool

    @property
    def n_iter(self) -> int:
        return self.centers.shape[0] - 1

    def labels(self, i):
        """Index (N,) of the nearest centre of each point under ``centers[i]`` (negative ``i`` counts from the end);
        IndexError out of range, as ``EMRun.labels``."""
        i = iteration_index(i, self.n_iter + 1)
        return LABELS.get(self, ("kmeans", i), lambda: _labels(self, i))

    def radii(self, i):
        """Distance (K,) from each centre of ``centers[i]`` to its farthest assigned point (0 for an empty cluster)."""
        labels = self.labels(i)
        centers = self.centers[i]
        distances = np.sqrt(np.einsum("nd,nd->n", self.X - centers[labels], self.X - centers[labels]))
        radii = np.zeros(centers.shape[0])
        np.maximum.at(radii, labels, distances)
        return radii


def _labels(run, i):
    """Labels under ``centers[i]``, read-only: they are kept in a cache bounded by bytes and shared by callers."""
    with _design.single_threaded_blas():
        labels = _DensePass(run.X, run.centers.shape[1]).labels(run.centers[i])
    labels.flags.writeable = False
    return labels


def fit_kmeans(X, initial_centers, max_iter=100, tol=1e-6):
    """Lloyd's algorithm from ``initial_centers``, recording every iteration.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    initial_centers : array-like of shape (K, D)
    max_iter : int >= 0
    tol : float >= 0
        As in scikit-learn: stop when the summed squared movement of the centres is at most ``tol`` times the
        mean variance of the data's columns. A fit also stops when no point changes cluster.

    Returns
    -------
    KMeansRun
    """
    X = as_points(X)
    centers = np.array(initial_centers, dtype=np.float64, copy=True)
    if centers.ndim == 1 and X.shape[1] == 1:
        centers = centers[:, None]
    if centers.ndim != 2 or centers.shape[1] != X.shape[1] or centers.shape[0] == 0:
        raise ParameterError(f"initial_centers must have shape (K, {X.shape[1]}); got {centers.shape}.")
    if not np.all(np.isfinite(centers)):
        raise ParameterError("initial_centers contain NaN or infinite values.")
    if centers.shape[0] > X.shape[0]:
        raise ParameterError(f"K = {centers.shape[0]} clusters is more than the {X.shape[0]} data points.")
    check_stopping(max_iter, tol)

    with _design.single_threaded_blas():
        return _fit_kmeans(X, centers, max_iter, tol)


def _uses_grid(n_samples, n_features, n_components):
    """Whether a fit goes through the grid of cells: 2-D data, and enough points x centres that the grid's
    fixed cost per iteration (about 0.3 ms) is less than assigning every point every time (measured crossover:
    N of about 80 000 at K = 3, 35 000 at K = 8, 20 000 at K = 16)."""
    return n_features == 2 and n_samples >= 4096 and n_samples * n_components >= 1 << 18


class _DensePass:
    """Every point against every centre, from feature chunks [1, z] made once. Sums are added in a fixed order,
    so unchanged labels give bit-identical centres."""

    def __init__(self, X, n_components):
        self.design = _design.Design.from_points(X, n_components, quadratic=False, center=rounded_center(X))
        self.center = self.design.center

    def statistics(self, centers):
        """Inertia, counts and sums about ``center`` of the clusters under ``centers``."""
        return _cluster_statistics(self.design, centers)

    def labels(self, centers):
        return _assign(self.design, centers)

    def same_labels(self, centers, other_centers):
        """Never needed: unchanged labels give bit-identical centres, which the fit notices first."""
        return False


class _GridPass:
    """2-D points through a grid of cells (see ``_kmeans_grid``): cells wholly inside one Voronoi region are
    assigned as a whole, the other points one by one."""

    def __init__(self, X, n_components):
        self.X = X
        self.center = rounded_center(X)
        self.grid = CellGrid(X, self.center, n_components)

    def _centers(self, centers):
        return PreparedCenters.make(centers, self.center, self.grid.max_point_norm)

    def statistics(self, centers):
        prepared = self._centers(centers)
        return self.grid.statistics(prepared, lambda z, want_labels: _assign_points(z, prepared, want_labels))

    def _labels(self, centers):
        prepared = self._centers(centers)
        return self.grid.labels(prepared, lambda z, want_labels: _assign_points(z, prepared, want_labels))

    def labels(self, centers):
        return self.grid.data_order(self.X, self._labels(centers))

    def same_labels(self, centers, other_centers):
        return np.array_equal(self._labels(centers), self._labels(other_centers))


def _fit_kmeans(X, centers, max_iter, tol):
    passes = (_GridPass if _uses_grid(*X.shape, centers.shape[0]) else _DensePass)(X, centers.shape[0])
    extent = float(np.max(X.max(axis=0) - X.min(axis=0)))
    shift_tolerance = tol * float(np.mean(np.var(X, axis=0)))
    # centres from unchanged labels move by rounding only; a move this small calls for comparing the labels
    still = (1e-9 * extent) ** 2
    history = [centers]
    inertias = []
    converged = False
    relocated = False
    inertia, counts, sums = passes.statistics(centers)
    for _ in range(max_iter):
        empty = bool(np.any(counts == 0))
        if empty:
            _relocate_empty_clusters(X, history[-1], passes.labels(history[-1]), counts, sums, passes.center)
        new_centers = _update_centers(sums, counts, history[-1], passes.center)
        shift = float(np.sum((new_centers - history[-1]) ** 2))
        if np.array_equal(new_centers, history[-1]) or (
            shift <= still
            and not (empty or relocated)
            and len(history) > 1
            and passes.same_labels(history[-1], history[-2])
        ):
            converged = True  # no point changed cluster: the centres are a fixed point
            break
        relocated = empty
        inertias.append(inertia)
        history.append(new_centers)
        inertia, counts, sums = passes.statistics(new_centers)
        if shift <= shift_tolerance:
            converged = True
            break
    inertias.append(inertia)
    centers = np.array(history)
    centers.setflags(write=False)
    inertias = np.array(inertias)
    inertias.setflags(write=False)
    return KMeansRun(X=frozen_points(X), centers=centers, inertia=inertias, converged=converged)
