"""Many fits at once: restarts from several seeds (local optima) and BIC/AIC over K and covariance types."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .em import COVARIANCE_TYPES, EMRun, as_points, fit_em, frozen_points
from .errors import DegenerateFitError, ParameterError
from .initialization import initialize
from .metrics import aic, bic, n_parameters
from .validation import check_whole


@dataclass(frozen=True, eq=False)
class Restarts:
    """EM from ``len(seeds)`` starts of one strategy.

    Attributes
    ----------
    seeds : array of shape (n_restarts,)
    runs : tuple of EMRun, or None where that start failed
    final_log_likelihood : array of shape (n_restarts,)
        Mean log-likelihood per point at the end of each run (NaN for a failed start).
    failures : tuple of str
        What went wrong with each failed start.
    """

    seeds: np.ndarray
    runs: tuple
    final_log_likelihood: np.ndarray
    failures: tuple

    @property
    def best(self) -> int:
        """Index of the run with the highest final log-likelihood."""
        return int(np.nanargmax(self.final_log_likelihood))

    @property
    def best_run(self) -> EMRun:
        return self.runs[self.best]


def fit_restarts(
    X,
    n_components,
    n_restarts=10,
    method="kmeans++",
    random_state=0,
    covariance_type="full",
    max_iter=100,
    tol=1e-6,
    reg_covar=1e-6,
    convergence="log_likelihood",
    progress=None,
):
    """EM from ``n_restarts`` starts drawn with seeds ``random_state, random_state + 1, ...``, each stopped as
    :func:`fit_em` stops with ``max_iter``, ``tol`` and ``convergence``.

    A start that fails (a degenerate component) is recorded in ``failures`` and leaves a NaN; the others go on.
    ``progress``, when given, is called as ``progress(starts_done, n_restarts)`` after each start.
    Raises ParameterError for invalid arguments, or when every start fails.
    """
    X = frozen_points(as_points(X))
    check_whole("n_restarts", n_restarts, 1)
    seeds = np.arange(random_state, random_state + n_restarts)
    runs, finals, failures = [], [], []
    for seed in seeds:
        try:
            start = initialize(X, n_components, method, int(seed), covariance_type, reg_covar)
            run = fit_em(X, start, max_iter, tol, covariance_type, reg_covar, convergence)
        except DegenerateFitError as error:
            runs.append(None)
            finals.append(np.nan)
            failures.append(f"seed {seed}: {error}")
        else:
            runs.append(run)
            finals.append(run.log_likelihood[-1])
        if progress is not None:
            progress(len(runs), n_restarts)
    finals = np.array(finals)
    if np.all(np.isnan(finals)):
        raise ParameterError("Every start failed. " + failures[0])
    return Restarts(seeds, tuple(runs), finals, tuple(failures))


@dataclass(frozen=True, eq=False)
class ModelSelection:
    """BIC and AIC of the best of several restarts for every K and covariance type.

    Attributes
    ----------
    n_components : array of shape (n_k,)
    covariance_types : tuple of str, length n_types
    bic, aic, log_likelihood : arrays of shape (n_types, n_k)
        NaN where every start failed. log_likelihood is the mean per point.
    n_parameters : array of shape (n_types, n_k)
    runs : dict mapping (covariance_type, k) to the best EMRun
        A run whose ``degeneracies`` are not empty is a degenerate model: a component collapsed onto a point or a
        line (its likelihood grows without bound as it shrinks, so its criterion looks better than the model is)
        or emptied.
    """

    n_components: np.ndarray
    covariance_types: tuple
    bic: np.ndarray
    aic: np.ndarray
    log_likelihood: np.ndarray
    n_parameters: np.ndarray
    runs: dict

    def degeneracies(self, covariance_type, n_components):
        """The degeneracies of the model (covariance_type, n_components): () for a sound model or none fitted."""
        run = self.runs.get((covariance_type, int(n_components)))
        return () if run is None else run.degeneracies

    @property
    def degenerate(self):
        """Whether each model is degenerate (its run has degeneracies): bool array of shape (n_types, n_k)."""
        return np.array(
            [[bool(self.degeneracies(t, k)) for k in self.n_components] for t in self.covariance_types], dtype=bool
        ).reshape(len(self.covariance_types), self.n_components.size)

    def best(self, criterion="bic", include_degenerate=False):
        """(covariance_type, K) with the lowest value of ``criterion`` ("bic" or "aic").

        Degenerate models are left out unless ``include_degenerate``: their criterion rewards a collapse, not a
        better fit. None when no model is left (every one failed, or every one is degenerate).
        """
        values = {"bic": self.bic, "aic": self.aic}[criterion]
        if not include_degenerate:
            values = np.where(self.degenerate, np.nan, values)
        if np.all(np.isnan(values)):
            return None
        row, column = np.unravel_index(np.nanargmin(values), values.shape)
        return self.covariance_types[row], int(self.n_components[column])


def select_components(
    X,
    max_components=8,
    covariance_types=COVARIANCE_TYPES,
    n_restarts=3,
    method="kmeans++",
    random_state=0,
    max_iter=200,
    tol=1e-4,
    reg_covar=1e-6,
    progress=None,
):
    """BIC and AIC for K = 1..max_components (capped at the number of points) and each covariance type.

    ``progress``, when given, is called as ``progress(models_done, n_models)`` after each model (K and type)."""
    X = frozen_points(as_points(X))
    n_samples, n_features = X.shape
    k_values = np.arange(1, min(max_components, n_samples) + 1)
    shape = (len(covariance_types), k_values.size)
    bic_values, aic_values, log_likelihoods = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    counts = np.zeros(shape, dtype=int)
    runs = {}
    for row, covariance_type in enumerate(covariance_types):
        for column, k in enumerate(k_values):
            counts[row, column] = n_parameters(int(k), n_features, covariance_type)
            try:
                restarts = fit_restarts(
                    X, int(k), n_restarts, method, random_state, covariance_type, max_iter, tol, reg_covar
                )
            except ParameterError:
                pass  # e.g. fewer distinct points than K: no model to score
            else:
                best = restarts.best_run
                runs[(covariance_type, int(k))] = best
                bic_values[row, column] = bic(X, best.final, covariance_type)
                aic_values[row, column] = aic(X, best.final, covariance_type)
                log_likelihoods[row, column] = best.log_likelihood[-1]
            if progress is not None:
                progress(row * k_values.size + column + 1, bic_values.size)
    return ModelSelection(k_values, tuple(covariance_types), bic_values, aic_values, log_likelihoods, counts, runs)
