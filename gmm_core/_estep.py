"""The vectorised E-step and the sufficient statistics of the M-step, shared by every covariance type.

Every component's weighted log density is a quadratic form in the point, so for all K components at once

    log pi_k + log N(x | mu_k, Sigma_k) = c_k + z . b_k - 1/2 z' P_k z,      z = x - center,

is one matrix product of the point's quadratic features [1, z_1..z_D, z_i z_j (i <= j)] with a (F, K) matrix of
coefficients. The M-step needs, per component, sum_i r_ik times the same features (count, first and second
moments), which is one more matrix product. Points are processed in cache-sized chunks, on two threads, and the
per-chunk statistics are added in chunk order so the result does not depend on thread timing.

Centering the data (``center``, the data mean) before forming the features keeps the products well conditioned.
The expansion loses digits only for a component whose precision is huge next to the data's extent (a component
collapsing onto a point or a line): such components are evaluated directly, as |L^-1 (z - m)|^2, and their
scatter matrices are recomputed centred in the M-step, so that results match the textbook formulas to the
last digits in every case.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_triangular
from threadpoolctl import ThreadpoolController

LOG_2PI = np.log(2.0 * np.pi)

#: Bytes of one chunk's (rows, K) block of log densities: small enough to stay in cache.
_CHUNK_BYTES = 1 << 19
_KMEANS_CHUNK_BYTES = 1 << 21
_MIN_CHUNK_ROWS = 256
_N_THREADS = max(1, min(2, os.cpu_count() or 1))
#: Threads that work beside the calling thread.
_helpers = ThreadPoolExecutor(max_workers=_N_THREADS - 1, thread_name_prefix="gmm-chunks") if _N_THREADS > 1 else None
_blas = ThreadpoolController()


def single_threaded_blas():
    """A context in which BLAS runs on one thread: our chunks already keep every core busy, and BLAS's own
    threads would only spin-wait on the small products (doubling the CPU time)."""
    return _blas.limit(limits=1, user_api="blas")


def map_chunks(function, items):
    """``function(*item)`` for every item, results in item order, on the calling thread and the helper threads.

    Each thread takes the next item when it is free. The calling thread works too rather than waiting on
    futures: a thread woken for every finished task would contend for the GIL with the workers (measured at
    N = 10^6, K = 16: an E-step of 26-30 ms as 61 pool tasks, 20-24 ms this way).
    """
    if _helpers is None or len(items) < 2:
        return [function(*item) for item in items]
    results = [None] * len(items)
    indices = iter(range(len(items)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                i = next(indices, None)
            if i is None:
                return
            results[i] = function(*items[i])

    helpers = [_helpers.submit(work) for _ in range(_N_THREADS - 1)]
    try:
        work()
    finally:
        with lock:
            for _ in indices:  # after a failure, leave nothing for the helpers
                pass
        for helper in helpers:
            if not helper.cancel():  # one still queued (another fit holds the helpers) is not waited for
                helper.result()
    return results


def upper_indices(n_features):
    """Row and column indices (i <= j) of the second-moment features, in feature order."""
    return np.triu_indices(n_features)


@dataclass(frozen=True)
class Design:
    """The data, centred and expanded into features once per fit.

    chunks : tuple of arrays of shape (F, rows)
        Feature-major blocks whose columns concatenate to all points: F = 1 + D for k-means ([1, z]) and
        1 + D + D (D + 1) / 2 for EM ([1, z, z_i z_j]). Feature-major, so that the per-point reductions over the
        K components run along contiguous rows (a tenfold faster layout than point-major for small K).
    squared_norms : tuple of arrays of shape (rows,)
        |z|^2 of each point of each chunk.
    """

    center: np.ndarray
    n_samples: int
    n_features: int
    chunks: tuple
    squared_norms: tuple
    max_squared_norm: float  # max_i |z_i|^2: bounds the size of the expanded terms

    @classmethod
    def from_points(cls, X, n_components, quadratic=True, center=None):
        """Chunks of [1, z] (k-means) or [1, z, z_i z_j] (EM) for the rows of X (N, D).

        EM's (K, rows) blocks go through several passes and want to stay in a core's cache; k-means' blocks go
        through fewer, cheaper passes, where larger chunks (fewer calls, less hand-over between threads) win.
        """
        n_samples, n_features = X.shape
        center = X.mean(axis=0) if center is None else center
        chunk_bytes = _CHUNK_BYTES if quadratic else _KMEANS_CHUNK_BYTES
        rows = max(_MIN_CHUNK_ROWS, chunk_bytes // (8 * max(n_components, 1)))
        rows_i, cols_j = upper_indices(n_features) if quadratic else ((), ())
        n_design = 1 + n_features + len(rows_i)
        chunks, squared_norms = [], []
        for start in range(0, n_samples, rows):
            z = (X[start : start + rows] - center).T
            features = np.empty((n_design, z.shape[1]))
            features[0] = 1.0
            features[1 : 1 + n_features] = z
            if quadratic:
                np.multiply(z[rows_i], z[cols_j], out=features[1 + n_features :])
            chunks.append(features)
            squared_norms.append(np.einsum("dn,dn->n", z, z))
        max_squared_norm = max(float(norms.max()) for norms in squared_norms)
        return cls(center, n_samples, n_features, tuple(chunks), tuple(squared_norms), max_squared_norm)

    def map(self, function):
        """``function(chunk, squared_norms)`` for every chunk, on the worker threads; results in chunk order."""
        return map_chunks(function, list(zip(self.chunks, self.squared_norms)))


def cholesky_factors(covariances):
    """Lower Cholesky factors (K, D, D) of the covariances; raises LinAlgError naming no component."""
    return np.linalg.cholesky(covariances)


#: Largest rounding error (in nats) tolerated in an expanded log density before a component is evaluated directly.
_EXPANSION_ERROR_BOUND = 1e-11


@dataclass(frozen=True)
class Coefficients:
    """What the E-step needs of one set of parameters.

    matrix : array of shape (K, F)
        matrix @ features = log pi_k + log N(x | mu_k, Sigma_k) - peak, for feature-major features (F, rows).
    exact : array of int
        Components whose expansion would lose digits; their column is computed directly instead.
    inverse_factors : array of shape (K, D, D)
        L_k^-1, the inverse lower Cholesky factors (Sigma_k^-1 = L_k^-T L_k^-1).
    shifted_means : array of shape (K, D)
        mu_k - center.
    constant : array of shape (K,)
        log pi_k - (D log 2 pi + log |Sigma_k|) / 2: each component's peak, the largest value it takes.
    peak : float
        The largest of the peaks: an upper bound of every weighted log density, subtracted from all of them so
        that their exponentials cannot overflow.
    """

    matrix: np.ndarray
    exact: np.ndarray
    inverse_factors: np.ndarray
    shifted_means: np.ndarray
    constant: np.ndarray

    peak: float


def log_density_coefficients(weights, means, cholesky, design):
    """The E-step's Coefficients for weights (K,), means (K, D) and lower Cholesky factors (K, D, D)."""
    n_components, n_features = means.shape
    identity = np.eye(n_features)
    # L^-1 by triangular solves; the precision is L^-T L^-1 and log|Sigma| = 2 sum log diag L.
    inverse_factors = np.stack([solve_triangular(L, identity, lower=True) for L in cholesky])
    precisions = np.einsum("kji,kjl->kil", inverse_factors, inverse_factors)
    shifted_means = means - design.center
    whitened_means = np.einsum("kij,kj->ki", inverse_factors, shifted_means)
    log_det = 2.0 * np.log(np.diagonal(cholesky, axis1=1, axis2=2)).sum(axis=1)
    with np.errstate(divide="ignore"):
        log_weights = np.log(weights)
    constant = log_weights - 0.5 * (n_features * LOG_2PI + log_det)
    offset = constant - 0.5 * np.einsum("ki,ki->k", whitened_means, whitened_means)
    linear = np.einsum("kij,kj->ki", precisions, shifted_means)
    rows_i, cols_j = upper_indices(n_features)
    # z' P z = sum_i P_ii z_i^2 + 2 sum_{i<j} P_ij z_i z_j
    quadratic = np.where(rows_i == cols_j, -0.5, -1.0) * precisions[:, rows_i, cols_j]
    peak = float(np.max(constant)) if np.isfinite(np.max(constant)) else 0.0
    matrix = np.ascontiguousarray(np.concatenate([offset[:, None] - peak, linear, quadratic], axis=1))
    # The expanded terms are as large as |P| (|z|^2 + |m|^2); their rounding error must stay negligible.
    precision_size = np.einsum("kij,kij->k", inverse_factors, inverse_factors)  # ||L^-1||_F^2 >= lambda_max(P)
    term_size = precision_size * (design.max_squared_norm + np.einsum("kd,kd->k", shifted_means, shifted_means))
    exact = np.flatnonzero(np.finfo(np.float64).eps * term_size > _EXPANSION_ERROR_BOUND)
    return Coefficients(matrix, exact, inverse_factors, shifted_means, constant, peak)


def _relative_log_prob(features, coefficients):
    """(K, rows) weighted log densities of one feature-major chunk, minus ``coefficients.peak`` (all <= 0)."""
    log_prob = coefficients.matrix @ features
    if coefficients.exact.size:
        n_features = coefficients.shifted_means.shape[1]
        z = features[1 : 1 + n_features]
        for k in coefficients.exact:
            whitened = coefficients.inverse_factors[k] @ (z - coefficients.shifted_means[k][:, None])
            log_prob[k] = (coefficients.constant[k] - coefficients.peak) - 0.5 * np.einsum(
                "dn,dn->n", whitened, whitened
            )
    return log_prob


#: Points whose summed shifted densities fall below this are redone with their own maximum as the shift.
_UNDERFLOW_GUARD = 1e-200


def _chunk_statistics(features, coefficients, want_statistics):
    # log-sum-exp over components with a shift that costs nothing: no log density exceeds its component's peak,
    # so shifting by the largest peak (folded into the matrix's constant column) rules out overflow. Points far
    # from every component, whose shifted sum underflows, are redone with the usual per-point maximum.
    log_prob = _relative_log_prob(features, coefficients)
    np.exp(log_prob, out=log_prob)
    row_sum = log_prob.sum(axis=0)
    row_shift = coefficients.peak
    far = np.flatnonzero(row_sum < _UNDERFLOW_GUARD)
    if far.size:
        far_log_prob = _relative_log_prob(features[:, far], coefficients)
        far_max = far_log_prob.max(axis=0)
        log_prob[:, far] = np.exp(far_log_prob - far_max)
        row_sum[far] = log_prob[:, far].sum(axis=0)
        row_shift = np.full(row_sum.shape, coefficients.peak)
        row_shift[far] += far_max
    log_norm = np.log(row_sum)
    log_norm += row_shift
    if not want_statistics:
        return log_norm, None
    # responsibilities = e / row_sum; fold the division into the (F, rows) factor instead of the (K, rows) block
    statistics = log_prob @ (features / row_sum).T
    return log_norm, statistics


@dataclass(frozen=True)
class Expectation:
    """One E-step's results.

    mean_log_likelihood : float
        Mean over points of log sum_k pi_k N(x | mu_k, Sigma_k).
    statistics : array of shape (K, F) or None
        sum_i r_ik * features_i: column 0 the soft counts, then first moments, then second moments of z.
    log_norms : tuple of arrays
        Per chunk, log p(x_i) of its points (to recompute any component's responsibilities exactly).
    """

    mean_log_likelihood: float
    statistics: np.ndarray
    log_norms: tuple


def expectation(design, coefficients, want_statistics=True):
    """One E-step over every point; see Expectation."""
    results = design.map(lambda chunk, _: _chunk_statistics(chunk, coefficients, want_statistics))
    total_log_likelihood = 0.0
    statistics = None
    for log_norm, chunk_statistics in results:  # chunk order: deterministic sums
        total_log_likelihood += float(log_norm.sum())
        if want_statistics:
            statistics = chunk_statistics if statistics is None else statistics + chunk_statistics
    return Expectation(total_log_likelihood / design.n_samples, statistics, tuple(r[0] for r in results))


def centerd_scatter(design, coefficients, log_norms, component, centerd_mean):
    """sum_i r_ik (z_i - m)(z_i - m)' (D, D) for one component, computed without cancellation."""
    n_features = design.n_features
    scatter = np.zeros((n_features, n_features))
    single = Coefficients(
        coefficients.matrix[[component]],
        np.array([0]) if component in coefficients.exact else np.array([], dtype=int),
        coefficients.inverse_factors[[component]],
        coefficients.shifted_means[[component]],
        coefficients.constant[[component]],
        coefficients.peak,
    )
    for features, log_norm in zip(design.chunks, log_norms):
        resp = np.exp(_relative_log_prob(features, single)[0] + coefficients.peak - log_norm)
        deviations = features[1 : 1 + n_features] - centerd_mean[:, None]
        scatter += (deviations * resp) @ deviations.T
    return scatter


def weighted_log_prob(X, weights, means, cholesky):
    """log pi_k + log N(x_i | mu_k, Sigma_k) as one (N, K) array, for the per-point views."""
    design = Design.from_points(X, weights.shape[0])
    coefficients = log_density_coefficients(weights, means, cholesky, design)
    relative = np.concatenate([_relative_log_prob(chunk, coefficients) for chunk in design.chunks], axis=1).T
    return relative + coefficients.peak
