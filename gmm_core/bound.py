"""The lower bound EM climbs: Q (expected complete-data log-likelihood) plus the entropy of the responsibilities,
at every half step of a recorded run. Why EM never lowers the log-likelihood, in numbers.

Half-step positions as the app numbers them: 0 is the start, 2i - 1 iteration i after its E-step, 2i after its
M-step. With gamma^(i) the responsibilities under snapshot i and theta_i its parameters, per point (means over
points, like the app's log-likelihood):

- after the E-step of iteration i: bound = Q(theta_i-1 | gamma^(i-1)) + H(gamma^(i-1)) = log-likelihood(theta_i-1)
  exactly (the bound touches);
- after its M-step: bound = Q(theta_i | gamma^(i-1)) + H(gamma^(i-1)) <= log-likelihood(theta_i), and at least the
  E half step's value, since the M-step maximises Q for fixed responsibilities.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .em import weighted_log_prob
from .validation import read_only


@dataclass(frozen=True, eq=False)
class LowerBound:
    """The bound and its parts at every half-step position 0..2 n_iter (position 0, before any E-step, is NaN).

    Attributes
    ----------
    expected_log_likelihood : array of shape (2 n_iter + 1,)
        Q: mean over points of sum_k gamma_ik log(pi_k N(x_i | mu_k, Sigma_k)), gamma from the last E-step.
    entropy : array of shape (2 n_iter + 1,)
        Mean over points of -sum_k gamma_ik log gamma_ik, of the same responsibilities.
    bound : array of shape (2 n_iter + 1,)
        Q + entropy.
    log_likelihood : array of shape (2 n_iter + 1,)
        The mean log-likelihood of the parameters shown at each position (snapshot ``position // 2``).
    """

    expected_log_likelihood: np.ndarray
    entropy: np.ndarray
    bound: np.ndarray
    log_likelihood: np.ndarray


def _log_parts(X, params):
    """log(pi_k N(x_i | theta_k)) (N, K), log p(x_i) (N,) and log gamma_ik (N, K) under ``params``."""
    log_weighted = weighted_log_prob(X, params)
    peak = log_weighted.max(axis=1, keepdims=True)
    log_evidence = peak[:, 0] + np.log(np.exp(log_weighted - peak).sum(axis=1))
    return log_weighted, log_evidence, log_weighted - log_evidence[:, None]


def _entropy(log_responsibilities):
    """Mean over points of -sum_k gamma log gamma, from the logs (a zero gamma contributes nothing)."""
    responsibilities = np.exp(log_responsibilities)
    return float(-np.mean(np.sum(responsibilities * log_responsibilities, axis=1)))


def lower_bound(run):
    """The :class:`LowerBound` of an EMRun at every half step, from the Q values the fit recorded (no pass over the
    points: the entropy of an E-step's responsibilities is its log-likelihood minus its own Q). Runs recorded
    without them are computed point by point (:func:`lower_bound_per_point`)."""
    if run.expected_log_likelihood is None or run.e_step_expected_log_likelihood is None:
        return lower_bound_per_point(run)
    n_positions = 2 * run.n_iter + 1
    log_likelihood = np.asarray(run.log_likelihood)
    own = np.asarray(run.e_step_expected_log_likelihood)
    expected = np.full(n_positions, np.nan)
    entropy = np.full(n_positions, np.nan)
    iterations = np.arange(1, run.n_iter + 1)
    entropy[2 * iterations - 1] = entropy[2 * iterations] = log_likelihood[:-1] - own[:-1]
    expected[2 * iterations - 1] = own[:-1]
    expected[2 * iterations] = np.asarray(run.expected_log_likelihood)[1:]
    return LowerBound(
        read_only(expected),
        read_only(entropy),
        read_only(expected + entropy),
        read_only(log_likelihood[np.arange(n_positions) // 2].copy()),
    )


def lower_bound_per_point(run):
    """:func:`lower_bound` computed point by point, from every snapshot's weighted log densities and
    responsibilities (one pass over the points per snapshot): the independent check of the fit's records. Cached
    for the last few runs."""
    return _lower_bound_cached(run)


@lru_cache(maxsize=8)
def _lower_bound_cached(run):
    n_positions = 2 * run.n_iter + 1
    expected = np.full(n_positions, np.nan)
    entropy = np.full(n_positions, np.nan)
    log_likelihood = np.asarray(run.log_likelihood)[np.arange(n_positions) // 2].copy()
    log_weighted, _, log_responsibilities = _log_parts(run.X, run.snapshot(0))
    for i in range(1, run.n_iter + 1):
        # E-step of iteration i: responsibilities under snapshot i - 1, parameters still those of i - 1.
        responsibilities = np.exp(log_responsibilities)
        entropy[2 * i - 1] = entropy[2 * i] = _entropy(log_responsibilities)
        expected[2 * i - 1] = float(np.mean(np.sum(responsibilities * log_weighted, axis=1)))
        # M-step: the same responsibilities, the parameters of snapshot i.
        log_weighted, _, log_responsibilities = _log_parts(run.X, run.snapshot(i))
        expected[2 * i] = float(np.mean(np.sum(responsibilities * log_weighted, axis=1)))
    return LowerBound(read_only(expected), read_only(entropy), read_only(expected + entropy), read_only(log_likelihood))
