"""Starting points for EM and k-means: random responsibilities, data points, k-means++ and k-means."""

from __future__ import annotations

import numpy as np

from . import _design
from .em import COVARIANCE_TYPES, as_points, maximization
from .errors import ParameterError
from .kmeans import fit_kmeans
from .params import GaussianMixtureParams
from .validation import check_whole

INIT_METHODS = ("kmeans++", "kmeans", "random_from_data", "random")
CENTER_METHODS = ("kmeans++", "random_from_data")
#: How far the "kmeans" start runs k-means from its k-means++ seeds (as scikit-learn's KMeans defaults).
KMEANS_START_MAX_ITER, KMEANS_START_TOL = 300, 1e-4


def _check_k(X, k):
    check_whole("K (the number of components)", k, 1)
    if k > X.shape[0]:
        raise ParameterError(f"K = {k} is more than the {X.shape[0]} data points; choose K <= {X.shape[0]}.")


def _check_covariance_type(covariance_type):
    if covariance_type not in COVARIANCE_TYPES:
        raise ParameterError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}.")


def _too_few_distinct(k, n_distinct):
    return ParameterError(
        f"K = {k} is more than the {n_distinct} distinct point(s) in the data: some components would sit on the "
        f"same point. Choose K <= {n_distinct}."
    )


def _distinct_random_points(X, k, rng):
    """Indices of ``k`` data points with pairwise different coordinates, in random order."""
    chosen, seen = [], set()
    for index in rng.permutation(X.shape[0]):
        key = X[index].tobytes()
        if key not in seen:
            seen.add(key)
            chosen.append(index)
            if len(chosen) == k:
                return np.array(chosen)
    raise _too_few_distinct(k, len(chosen))


def _kmeans_plusplus(X, k, rng):
    """Greedy k-means++: each new centre is the best of 2 + log k candidates drawn with probability ~ D^2."""
    n_samples = X.shape[0]
    n_trials = 2 + int(np.log(k))
    indices = [int(rng.integers(n_samples))]
    closest = np.einsum("nd,nd->n", X - X[indices[0]], X - X[indices[0]])
    for _ in range(1, k):
        potential = closest.sum()
        if potential <= 0:
            raise _too_few_distinct(k, len(indices))
        cumulative = np.cumsum(closest)
        candidates = np.searchsorted(cumulative, rng.uniform(size=n_trials) * cumulative[-1])
        candidates = np.minimum(candidates, n_samples - 1)
        candidate_distances = np.stack([np.einsum("nd,nd->n", X - X[c], X - X[c]) for c in candidates])  # (n_trials, N)
        candidate_closest = np.minimum(closest, candidate_distances)
        best = int(np.argmin(candidate_closest.sum(axis=1)))
        if candidate_closest[best].sum() >= potential:
            raise _too_few_distinct(k, len(indices))  # every candidate duplicates a chosen centre
        indices.append(int(candidates[best]))
        closest = candidate_closest[best]
    return np.array(indices)


def initial_centers(X, k, method="kmeans++", random_state=0):
    """K starting centres (K, D) taken from the data.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    k : int
    method : {"kmeans++", "random_from_data"}
        k-means++ seeding, or K distinct data points drawn uniformly.
    random_state : int
        The same seed always gives the same centres.
    """
    X = as_points(X)
    _check_k(X, k)
    rng = np.random.default_rng(random_state)
    if method == "kmeans++":
        indices = _kmeans_plusplus(X, k, rng)
    elif method == "random_from_data":
        indices = _distinct_random_points(X, k, rng)
    else:
        raise ParameterError(f"method must be one of {CENTER_METHODS}; got {method!r}.")
    return X[indices].copy()


def _hard_statistics(design, labels, k):
    """sum over each cluster's points of their features (K, F): the E-step's statistics for 0/1 responsibilities."""
    statistics = np.zeros((k, design.chunks[0].shape[0]))
    start = 0
    for chunk in design.chunks:
        chunk_labels = labels[start : start + chunk.shape[1]]
        start += chunk.shape[1]
        for f, feature in enumerate(chunk):
            statistics[:, f] += np.bincount(chunk_labels, weights=feature, minlength=k)
    return statistics


def params_from_labels(X, labels, k, covariance_type="full", reg_covar=1e-6):
    """One M-step from hard labels: weights are cluster fractions, means and covariances the clusters' own.

    A cluster with fewer than D + 1 points has no usable covariance of its own; it gets the pooled
    within-cluster covariance instead, so every starting ellipse is visible and positive definite.
    """
    X = as_points(X)
    labels = np.asarray(labels)
    n_features = X.shape[1]
    design = _design.Design.from_points(X, k)
    statistics = _hard_statistics(design, labels, k)

    def centered_scatter(component, centered_mean):
        deviations = X[labels == component] - design.center - centered_mean
        return deviations.T @ deviations

    weights, means, covariances = maximization(
        statistics, n_features, design.center, covariance_type, reg_covar, centered_scatter
    )
    small = statistics[:, 0] < n_features + 1
    if np.any(small) and not np.all(small):
        _, _, pooled = maximization(statistics[~small], n_features, design.center, "tied", reg_covar, None)
        covariances[small] = pooled[0]
    return GaussianMixtureParams(weights, means, covariances)


def initialize(X, k, method="kmeans++", random_state=0, covariance_type="full", reg_covar=1e-6):
    """Starting parameters for EM.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    k : int
        Number of components.
    method : {"kmeans++", "kmeans", "random_from_data", "random"}
        - "kmeans++": k-means++ seeds as means; weights and covariances from the points nearest each seed.
        - "kmeans": a full k-means fit from k-means++ seeds; weights, means and covariances of its clusters
          (the usual way EM is started).
        - "random_from_data": K distinct data points as means; the rest as for "kmeans++".
        - "random": random responsibilities (uniform, normalised per point) followed by one M-step, as
          scikit-learn's "random": every mean starts near the data's centre.
    random_state : int
    covariance_type : {"full", "tied", "diag", "spherical"}
        The constraint the starting covariances follow.
    reg_covar : float
        Added to the starting covariances' diagonals.

    Returns
    -------
    GaussianMixtureParams
    """
    X = as_points(X)
    _check_k(X, k)
    _check_covariance_type(covariance_type)
    if method not in INIT_METHODS:
        raise ParameterError(f"method must be one of {INIT_METHODS}; got {method!r}.")
    if method == "random":
        rng = np.random.default_rng(random_state)
        resp = rng.uniform(size=(X.shape[0], k))
        resp /= resp.sum(axis=1, keepdims=True)
        design = _design.Design.from_points(X, k)
        statistics = resp.T @ np.concatenate(design.chunks, axis=1).T
        return GaussianMixtureParams(*maximization(statistics, X.shape[1], design.center, covariance_type, reg_covar))
    if method == "kmeans":
        return kmeans_start(X, k, random_state, covariance_type, reg_covar)[0]
    centers = initial_centers(X, k, method, random_state)
    labels = fit_kmeans(X, centers, max_iter=0).labels(0)
    return params_from_labels(X, labels, k, covariance_type, reg_covar)


def kmeans_start(X, k, random_state=0, covariance_type="full", reg_covar=1e-6):
    """The "kmeans" start of :func:`initialize` and the k-means++ seeds its k-means began from.

    The start is the end of a k-means walk; the seeds are where that walk began, so that k-means can be shown
    walking from them (a k-means started from the start's means would stop at once).

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    k : int
    random_state : int
        The seed of the k-means++ seeding.
    covariance_type : {"full", "tied", "diag", "spherical"}
    reg_covar : float

    Returns
    -------
    params : GaussianMixtureParams
        Exactly ``initialize(X, k, "kmeans", random_state, covariance_type, reg_covar)``.
    seeds : ndarray of shape (K, D)
        The k-means++ seeds (data points) k-means started from.
    """
    X = as_points(X)
    _check_covariance_type(covariance_type)
    seeds = initial_centers(X, k, "kmeans++", random_state)
    run = fit_kmeans(X, seeds, max_iter=KMEANS_START_MAX_ITER, tol=KMEANS_START_TOL)
    return params_from_labels(X, run.labels(run.n_iter), k, covariance_type, reg_covar), seeds
