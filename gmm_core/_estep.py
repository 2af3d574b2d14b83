"""The vectorised E-step and the sufficient statistics of the M-step, shared by every covariance type.

Every component's weighted log density is a quadratic form in the point, so for all K components at once

    log pi_k + log N(x | mu_k, Sigma_k) = c_k + z . b_k - 1/2 z' P_k z,      z = x - center,

is one matrix product of the point's quadratic features [1, z_1..z_D, z_i z_j (i <= j)] (a ``_design.Design``)
with a (F, K) matrix of coefficients. The M-step needs, per component, sum_i r_ik times the same features (count,
first and second moments), which is one more matrix product. The design's chunks are processed on its threads and
the per-chunk statistics added in chunk order, so the result does not depend on thread timing.

The expansion loses digits only for a component whose precision is huge next to the data's extent (a component
collapsing onto a point or a line): such components are evaluated directly, as |L^-1 (z - m)|^2, and their
scatter matrices are recomputed centred in the M-step, so that results match the textbook formulas to the
last digits in every case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_triangular

from ._design import Design, upper_indices

LOG_2PI = np.log(2.0 * np.pi)


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


def centered_scatter(design, coefficients, log_norms, component, centered_mean):
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
        deviations = features[1 : 1 + n_features] - centered_mean[:, None]
        scatter += (deviations * resp) @ deviations.T
    return scatter


def weighted_log_prob(X, weights, means, cholesky):
    """log pi_k + log N(x_i | mu_k, Sigma_k) as one (N, K) array, for the per-point views."""
    design = Design.from_points(X, weights.shape[0])
    coefficients = log_density_coefficients(weights, means, cholesky, design)
    relative = np.concatenate([_relative_log_prob(chunk, coefficients) for chunk in design.chunks], axis=1).T
    return relative + coefficients.peak


def most_likely_component(X, weights, means, cholesky):
    """The index (N,) of the component of largest weighted density at each point (the most responsible one; ties to
    the lowest), computed a chunk at a time on the design's threads: no (N, K) array is ever made."""
    design = Design.from_points(X, weights.shape[0])
    coefficients = log_density_coefficients(weights, means, cholesky, design)
    labels = design.map(lambda chunk, _: _relative_log_prob(chunk, coefficients).argmax(axis=0))
    return np.concatenate(labels).astype(np.intp, copy=False)
