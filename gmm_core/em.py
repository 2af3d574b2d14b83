"""Expectation-maximisation for Gaussian mixtures, recording every iteration for the UI to scrub."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import _design, _estep
from ._bounded_cache import LABELS
from .errors import DegenerateFitError, ParameterError
from .params import GaussianMixtureParams
from .validation import check_whole, iteration_index

COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")
CONVERGENCE_CRITERIA = ("log_likelihood", "weights", "parameters", "expected_log_likelihood")

_EPS = np.finfo(np.float64).eps


# --- M-step: one short function per covariance type ------------------------------------------------------------
# Each takes the soft counts nk (K,) and each component's own weighted covariance C_k (K, D, D) and returns the
# constrained full (K, D, D) covariances, before regularisation.


def _covariance_full(nk, own):
    return own


def _covariance_tied(nk, own):
    pooled = np.einsum("k,kij->ij", nk, own) / nk.sum()
    return np.broadcast_to(pooled, own.shape).copy()


def _covariance_diag(nk, own):
    return np.diagonal(own, axis1=1, axis2=2)[:, :, None] * np.eye(own.shape[1])


def _covariance_spherical(nk, own):
    return np.diagonal(own, axis1=1, axis2=2).mean(axis=1)[:, None, None] * np.eye(own.shape[1])


_COVARIANCE_ESTIMATORS = {
    "full": _covariance_full,
    "tied": _covariance_tied,
    "diag": _covariance_diag,
    "spherical": _covariance_spherical,
}

#: A component's covariance is recomputed centred when its smallest eigenvalue is below this fraction of its
#: second moment about the data centre: past that, subtracting m m' from the moment has lost too many digits.
_CANCELLATION_LIMIT = 1e-6


def maximization(statistics, n_features, center, covariance_type, reg_covar, centered_scatter=None):
    """Weights (K,), means (K, D) and full covariances (K, D, D) from the E-step's statistics (K, F).

    ``centered_scatter(k, m)``, when given, returns sum_i r_ik (z_i - m)(z_i - m)' computed directly; it is used
    for the components whose covariance the moment formula cannot give to full precision.
    """
    nk = statistics[:, 0] + 10 * _EPS  # as scikit-learn: keeps empty components finite
    centered_means = statistics[:, 1 : 1 + n_features] / nk[:, None]
    rows_i, cols_j = _design.upper_indices(n_features)
    moments = np.empty((statistics.shape[0], n_features, n_features))
    moments[:, rows_i, cols_j] = statistics[:, 1 + n_features :]
    moments[:, cols_j, rows_i] = statistics[:, 1 + n_features :]
    moments /= nk[:, None, None]
    own = moments - centered_means[:, :, None] * centered_means[:, None, :]
    if centered_scatter is not None:
        moment_size = np.max(np.diagonal(moments, axis1=1, axis2=2), axis=1)
        for k in np.flatnonzero(np.linalg.eigvalsh(own)[:, 0] <= _CANCELLATION_LIMIT * moment_size):
            own[k] = centered_scatter(k, centered_means[k]) / nk[k]
    covariances = _COVARIANCE_ESTIMATORS[covariance_type](nk, own)
    covariances = 0.5 * (covariances + covariances.transpose(0, 2, 1))  # exactly symmetric despite rounding
    covariances[:, np.arange(n_features), np.arange(n_features)] += reg_covar
    return nk / nk.sum(), centered_means + center, covariances


# --- Validation ------------------------------------------------------------------------------------------------


def as_points(X, name="X"):
    """``X`` as a float64 (N, D) array; a 1-D array is N points in one dimension. Raises ParameterError."""
    try:
        points = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"{name} must be numbers: {error}.") from None
    if points.ndim == 1:
        points = points[:, None]
    if points.ndim != 2 or points.shape[0] == 0 or points.shape[1] == 0:
        raise ParameterError(f"{name} must be an array of shape (N, D) with N >= 1 and D >= 1; got {points.shape}.")
    if not np.all(np.isfinite(points)):
        raise ParameterError(f"{name} contains NaN or infinite values; remove those rows first.")
    return points


def frozen_points(X):
    """A read-only array of the points, copied only when the caller could still change it."""
    base_writeable = isinstance(X.base, np.ndarray) and X.base.flags.writeable
    if X.flags.writeable or base_writeable:
        X = X.copy()
        X.setflags(write=False)
    return X


def check_stopping(max_iter, tol):
    """Raise ParameterError unless max_iter is a whole number >= 0 and tol a finite number >= 0."""
    check_whole("max_iter", max_iter, 0)
    if not np.isfinite(tol) or tol < 0:
        raise ParameterError(f"tol must be a number >= 0 (0 turns the tolerance off); got {tol!r}.")


def _check_fit_arguments(X, initial, max_iter, tol, covariance_type, reg_covar, convergence):
    if not isinstance(initial, GaussianMixtureParams):
        raise ParameterError("initial must be a GaussianMixtureParams (weights, means, covariances).")
    if covariance_type not in _COVARIANCE_ESTIMATORS:
        raise ParameterError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}.")
    if convergence not in CONVERGENCE_CRITERIA:
        raise ParameterError(f"convergence must be one of {CONVERGENCE_CRITERIA}; got {convergence!r}.")
    check_stopping(max_iter, tol)
    if not np.isfinite(reg_covar) or reg_covar < 0:
        raise ParameterError(f"reg_covar must be a number >= 0; got {reg_covar!r}.")
    if initial.n_features != X.shape[1]:
        raise ParameterError(
            f"the initial means have {initial.n_features} coordinate(s) but the data has {X.shape[1]} column(s)."
        )
    if initial.n_components > X.shape[0]:
        raise ParameterError(
            f"K = {initial.n_components} components is more than the {X.shape[0]} data points; "
            "use at most one component per point."
        )


def _degenerate_message(component, iteration, reason):
    return (
        f"Component {component + 1} became degenerate at iteration {iteration}: {reason}. "
        "Try fewer components, a larger reg_covar, or standardising the data."
    )


def _cholesky_or_raise(covariances, iteration):
    try:
        return _estep.cholesky_factors(covariances)
    except np.linalg.LinAlgError:
        for k, covariance in enumerate(covariances):
            try:
                np.linalg.cholesky(covariance)
            except np.linalg.LinAlgError:
                raise DegenerateFitError(
                    _degenerate_message(
                        k, iteration, "its covariance is not positive definite (it collapsed onto a point or a line)"
                    ),
                    component=k,
                    iteration=iteration,
                ) from None
        raise


# --- Results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Degeneracy:
    """A component that collapsed or emptied, first seen at ``iteration``."""

    iteration: int
    component: int
    kind: str  # "collapsed" (covariance ~ reg_covar in some direction) or "empty" (weight ~ 0)
    message: str


@dataclass(frozen=True, eq=False)
class EMRun:
    """Every iteration of one EM fit.

    Attributes
    ----------
    X : array of shape (N, D)
    weights : array of shape (n_iter + 1, K)
    means : array of shape (n_iter + 1, K, D)
    covariances : array of shape (n_iter + 1, K, D, D)
    log_likelihood : array of shape (n_iter + 1,)
        Mean log-likelihood per point under each snapshot.
    expected_log_likelihood : array of shape (n_iter + 1,)
        Q, the expected complete-data log-likelihood per point (mean over points of
        sum_k gamma_ik log(pi_k N(x_i | mu_k, Sigma_k))): entry i > 0 is Q(theta_i | theta_i-1), what the M-step
        of iteration i reached with the responsibilities under snapshot i - 1; entry 0 is Q(theta_0 | theta_0).
    e_step_expected_log_likelihood : array of shape (n_iter + 1,)
        Q(theta_i | theta_i): Q of snapshot i with its own responsibilities, what the E-step of iteration i + 1
        starts from (NaN for the last snapshot when no E-step followed it). The entropy of those responsibilities
        is ``log_likelihood[i]`` minus this (see gmm_core.bound).
    converged : bool
        The tolerance was met (never with tol = 0).
    covariance_type, reg_covar, tol : the fit's settings.
    degeneracies : tuple of Degeneracy
    """

    X: np.ndarray
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray
    log_likelihood: np.ndarray
    converged: bool
    covariance_type: str
    reg_covar: float
    tol: float
    degeneracies: tuple = field(default=())
    expected_log_likelihood: np.ndarray | None = None
    e_step_expected_log_likelihood: np.ndarray | None = None

    @property
    def n_iter(self) -> int:
        """EM iterations performed (M-steps): ``len(snapshots) - 1``."""
        return self.weights.shape[0] - 1

    @property
    def snapshots(self):
        return _Snapshots(self)

    def snapshot(self, i) -> GaussianMixtureParams:
        """The parameters after ``i`` iterations (negative ``i`` counts from the end); IndexError out of range."""
        i = iteration_index(i, self.n_iter + 1)
        return GaussianMixtureParams.trusted(self.weights[i], self.means[i], self.covariances[i])

    @property
    def final(self) -> GaussianMixtureParams:
        return self.snapshot(self.n_iter)

    def responsibilities(self, i):
        """Posterior probabilities (N, K) of each component for each point under snapshot ``i``.

        Computed on every call and not kept: N x K floats are the largest array a fit can make (600,000 points and
        200 components take 960 MB), so a caller that wants them again keeps them itself.
        """
        return responsibilities(self.X, self.snapshot(i))

    def labels(self, i):
        """Most responsible component (N,) under snapshot ``i``: read-only, kept in a cache bounded by bytes, and
        computed a chunk of points at a time, never as an N x K array."""
        i = iteration_index(i, self.n_iter + 1)
        return LABELS.get(self, ("em", i), lambda: _most_likely_component(self.X, self.snapshot(i)))


class _Snapshots:
    """A read-only sequence view of an EMRun's snapshots, built on access."""

    def __init__(self, run):
        self._run = run

    def __len__(self):
        return self._run.n_iter + 1

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._run.snapshot(j) for j in range(len(self))[i]]
        return self._run.snapshot(i)

    def __iter__(self):
        return (self._run.snapshot(i) for i in range(len(self)))


def _most_likely_component(X, params):
    with _design.single_threaded_blas():
        labels = _estep.most_likely_component(
            as_points(X), params.weights, params.means, _estep.cholesky_factors(params.covariances)
        )
    labels.flags.writeable = False
    return labels


# --- Per-point views -------------------------------------------------------------------------------------------


def weighted_log_prob(X, params):
    """log pi_k + log N(x_i | mu_k, Sigma_k) as an (N, K) array."""
    return _estep.weighted_log_prob(
        as_points(X), params.weights, params.means, _estep.cholesky_factors(params.covariances)
    )


def log_density(X, params):
    """log p(x_i) of each point under the mixture, shape (N,) (log-sum-exp over components)."""
    log_prob = weighted_log_prob(X, params)
    row_max = log_prob.max(axis=1, keepdims=True)
    return (row_max + np.log(np.exp(log_prob - row_max).sum(axis=1, keepdims=True)))[:, 0]


def responsibilities(X, params):
    """Posterior probability (N, K) of each component for each point; rows sum to 1."""
    log_prob = weighted_log_prob(X, params)
    log_prob -= log_prob.max(axis=1, keepdims=True)
    np.exp(log_prob, out=log_prob)
    log_prob /= log_prob.sum(axis=1, keepdims=True)
    return log_prob


@dataclass(frozen=True)
class PointEStep:
    """The E-step of one point written out, every number from the log-domain code EM itself uses.

    Attributes
    ----------
    x : array of shape (D,)
    log_weighted_densities : array of shape (K,)
        log(pi_k N(x | mu_k, Sigma_k)).
    log_evidence : float
        log p(x) = log sum_k pi_k N(x | mu_k, Sigma_k) (log-sum-exp).
    responsibilities : array of shape (K,)
        gamma_k = pi_k N(x | mu_k, Sigma_k) / p(x); they sum to 1.
    """

    x: np.ndarray
    log_weighted_densities: np.ndarray
    log_evidence: float
    responsibilities: np.ndarray

    @property
    def weighted_densities(self):
        """pi_k N(x | mu_k, Sigma_k), shape (K,) (0 where they underflow: the logs keep every digit)."""
        return np.exp(self.log_weighted_densities)

    @property
    def evidence(self):
        """p(x), the sum of the weighted densities."""
        return float(np.exp(self.log_evidence))


def point_e_step(x, params):
    """The E-step of the single point ``x`` (D,) under ``params``, as a :class:`PointEStep`."""
    point = as_points(np.reshape(np.asarray(x, dtype=np.float64), (1, -1)), "x")
    log_weighted = weighted_log_prob(point, params)[0]
    peak = log_weighted.max()
    log_evidence = float(peak + np.log(np.exp(log_weighted - peak).sum()))
    return PointEStep(point[0], log_weighted, log_evidence, np.exp(log_weighted - log_evidence))


def mean_log_likelihood(X, params):
    """Mean over points of log p(x_i)."""
    return float(log_density(X, params).mean())


# --- The fit ---------------------------------------------------------------------------------------------------


def _collapse_threshold(X):
    """Variance below which a component is considered collapsed: a billionth of the data's mean variance."""
    spread = float(np.mean(np.var(X, axis=0)))
    return 1e-9 * spread if spread > 0 else 1e-300


def _find_degeneracies(weights, covariances, reg_covar, n_samples, threshold):
    found = []
    n_snapshots, n_components = weights.shape
    seen = set()
    collapse = (
        "its covariance collapsed onto a point or a line and only reg_covar keeps it valid"
        if reg_covar > 0
        else "its covariance collapsed onto a point or a line and is nearly singular"
    )
    raw_minimum = np.linalg.eigvalsh(covariances)[..., 0] - reg_covar  # (n_snapshots, K)
    for i in range(1, n_snapshots):
        for k in range(n_components):
            if ("empty", k) not in seen and weights[i, k] * n_samples < 1e-3:
                seen.add(("empty", k))
                found.append(Degeneracy(i, k, "empty", _degenerate_message(k, i, "its weight fell to zero")))
            if ("collapsed", k) not in seen and raw_minimum[i, k] <= threshold:
                seen.add(("collapsed", k))
                found.append(
                    Degeneracy(
                        i,
                        k,
                        "collapsed",
                        _degenerate_message(k, i, collapse),
                    )
                )
    return tuple(found)


def _stop(convergence, tol, log_likelihoods, expected, weights, means, covariances):
    """True when the change made by the last iteration is below ``tol`` under the chosen criterion."""
    if convergence == "log_likelihood":
        return abs(log_likelihoods[-1] - log_likelihoods[-2]) < tol
    if convergence == "weights":
        return float(np.linalg.norm(weights[-1] - weights[-2])) < tol
    if convergence == "expected_log_likelihood":
        return abs(expected[-1] - expected[-2]) < tol
    squared_change = sum(float(np.sum((a[-1] - a[-2]) ** 2)) for a in (weights, means, covariances))
    return squared_change < tol


def fit_em(
    X,
    initial,
    max_iter=100,
    tol=1e-6,
    covariance_type="full",
    reg_covar=1e-6,
    convergence="log_likelihood",
    progress=None,
):
    """Fit a Gaussian mixture by EM from ``initial``, recording every iteration.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    initial : GaussianMixtureParams
        Snapshot 0. Its covariances are used as given (any covariance type).
    max_iter : int >= 0
        At most this many iterations (E-step then M-step); 0 returns only the initial snapshot.
    tol : float >= 0
        Stop once an iteration changes the mean log-likelihood by less than ``tol`` (scikit-learn's meaning).
        0 runs all ``max_iter`` iterations.
    covariance_type : {"full", "tied", "diag", "spherical"}
        The constraint of the M-step, as in scikit-learn. Snapshots always hold full (K, D, D) matrices.
    reg_covar : float >= 0
        Added to every covariance's diagonal after each M-step to keep it positive definite.
    convergence : {"log_likelihood", "weights", "parameters", "expected_log_likelihood"}
        What ``tol`` bounds: the change of the mean log-likelihood (default), the Euclidean norm of the change of
        the weights, the summed squared change of all parameters, or the change of Q, the expected complete-data
        log-likelihood per point (see ``EMRun.expected_log_likelihood``).
    progress : callable, optional
        Called as ``progress(iteration, max_iter, mean_log_likelihood)`` after every iteration, so that a long fit
        can show how far it has come.

    Returns
    -------
    EMRun

    Raises
    ------
    ParameterError
        For invalid arguments, with what was expected.
    DegenerateFitError
        When a covariance stops being positive definite (possible only with a very small ``reg_covar``).
    """
    X = as_points(X)
    _check_fit_arguments(X, initial, max_iter, tol, covariance_type, reg_covar, convergence)
    with _design.single_threaded_blas():
        return _fit_em(X, initial, max_iter, tol, covariance_type, reg_covar, convergence, progress)


def _fit_em(X, initial, max_iter, tol, covariance_type, reg_covar, convergence, progress):
    n_samples, n_features = X.shape
    design = _design.Design.from_points(X, initial.n_components)

    weights = [initial.weights]
    means = [initial.means]
    covariances = [initial.covariances]
    cholesky = _estep.cholesky_factors(initial.covariances)
    coefficients = _estep.log_density_coefficients(initial.weights, initial.means, cholesky, design)
    step = _expectation_or_raise(design, coefficients, True)
    log_likelihoods = [step.mean_log_likelihood]
    expected = [_expected_log_likelihood(design, coefficients, coefficients, step)]
    own_expected = [expected[0]]
    converged = False
    for iteration in range(1, max_iter + 1):
        new_weights, new_means, new_covariances = maximization(
            step.statistics,
            n_features,
            design.center,
            covariance_type,
            reg_covar,
            centered_scatter=lambda k, m, c=coefficients, s=step: _estep.centered_scatter(design, c, s.log_norms, k, m),
        )
        cholesky = _cholesky_or_raise(new_covariances, iteration)
        weights.append(new_weights)
        means.append(new_means)
        covariances.append(new_covariances)
        previous_coefficients, previous_step = coefficients, step
        coefficients = _estep.log_density_coefficients(new_weights, new_means, cholesky, design)
        expected.append(_expected_log_likelihood(design, coefficients, previous_coefficients, previous_step))
        step = _expectation_or_raise(design, coefficients, iteration < max_iter)
        log_likelihoods.append(step.mean_log_likelihood)
        own_expected.append(
            np.nan if step.statistics is None else _expected_log_likelihood(design, coefficients, coefficients, step)
        )
        if progress is not None:
            progress(iteration, max_iter, step.mean_log_likelihood)
        if _stop(convergence, tol, log_likelihoods, expected, weights, means, covariances):
            converged = True
            break

    weights, means, covariances = np.array(weights), np.array(means), np.array(covariances)
    for array in (weights, means, covariances):
        array.setflags(write=False)
    log_likelihoods = np.array(log_likelihoods)
    log_likelihoods.setflags(write=False)
    expected, own_expected = np.array(expected), np.array(own_expected)
    expected.setflags(write=False)
    own_expected.setflags(write=False)
    return EMRun(
        X=frozen_points(X),
        weights=weights,
        means=means,
        covariances=covariances,
        log_likelihood=log_likelihoods,
        converged=converged,
        covariance_type=covariance_type,
        reg_covar=float(reg_covar),
        tol=float(tol),
        degeneracies=_find_degeneracies(weights, covariances, reg_covar, n_samples, _collapse_threshold(X)),
        expected_log_likelihood=expected,
        e_step_expected_log_likelihood=own_expected,
    )


def _expected_log_likelihood(design, coefficients, responsible, step):
    """Q per point: the mean over points of sum_k gamma_ik log(pi_k N(x_i | theta_k)), with theta the parameters
    of ``coefficients`` and gamma the responsibilities of the E-step ``step`` under ``responsible``.

    Each log(pi_k N) is a quadratic form in the point's features, so its gamma-weighted sum is the coefficient row
    dotted with that E-step's statistics: no pass over the points. Components the expansion would round badly
    (``coefficients.exact``) take their centred scatter instead, computed directly.
    """
    statistics = step.statistics
    per_component = np.einsum("kf,kf->k", coefficients.matrix, statistics) + coefficients.peak * statistics[:, 0]
    for k in coefficients.exact:
        scatter = _estep.centered_scatter(design, responsible, step.log_norms, k, coefficients.shifted_means[k])
        whitened = coefficients.inverse_factors[k] @ scatter @ coefficients.inverse_factors[k].T
        per_component[k] = coefficients.constant[k] * statistics[k, 0] - 0.5 * np.trace(whitened)
    return float(per_component.sum()) / design.n_samples


def _expectation_or_raise(design, coefficients, want_statistics):
    step = _estep.expectation(design, coefficients, want_statistics)
    if not np.isfinite(step.mean_log_likelihood):
        raise DegenerateFitError(
            "The log-likelihood is not finite: some points are too far from every component for their density to "
            "be represented. Standardise the data or start with broader covariances.",
            component=-1,
            iteration=-1,
        )
    return step
