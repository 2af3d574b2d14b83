"""The parameters of a Gaussian mixture, validated once and then immutable."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ParameterError

#: How far the weights may sum from 1 before they are rejected rather than accepted as rounding.
WEIGHT_SUM_TOLERANCE = 1e-6


def _frozen_float_array(values, name):
    try:
        array = np.array(values, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as error:
        raise ParameterError(f"{name} must be numbers; got {values!r} ({error}).") from None
    if not np.all(np.isfinite(array)):
        raise ParameterError(f"{name} contain NaN or infinite values; every entry must be a finite number.")
    array.setflags(write=False)
    return array


def check_covariance(covariance, name="covariance"):
    """Raise ParameterError unless ``covariance`` (D, D) is symmetric positive definite.

    Returns its lower Cholesky factor, shape (D, D).
    """
    scale = max(float(np.max(np.abs(covariance))), np.finfo(np.float64).tiny)
    if not np.allclose(covariance, covariance.T, rtol=1e-10, atol=1e-12 * scale):
        raise ParameterError(
            f"{name} must be symmetric; its entries [i, j] and [j, i] differ "
            f"(got {np.array2string(covariance, precision=4)})."
        )
    try:
        return np.linalg.cholesky(covariance)
    except np.linalg.LinAlgError:
        eigenvalues = np.linalg.eigvalsh(covariance)
        raise ParameterError(
            f"{name} must be positive definite, but its smallest eigenvalue is {eigenvalues[0]:.3g}. "
            "Make every variance positive and keep each |correlation| below 1."
        ) from None


@dataclass(frozen=True, eq=False)
class GaussianMixtureParams:
    """Weights, means and covariances of a K-component mixture in D dimensions.

    Parameters
    ----------
    weights : array-like of shape (K,)
        Positive mixing weights that sum to 1.
    means : array-like of shape (K, D)
    covariances : array-like of shape (K, D, D)
        Symmetric positive definite matrices, one per component (always full, whatever
        covariance type produced them, so that every consumer sees one shape).

    Raises
    ------
    ParameterError
        Naming the parameter, what was expected and what was received.
    """

    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    def __post_init__(self):
        weights = _frozen_float_array(self.weights, "weights")
        means = _frozen_float_array(self.means, "means")
        covariances = _frozen_float_array(self.covariances, "covariances")
        if weights.ndim != 1 or weights.size == 0:
            raise ParameterError(f"weights must be a non-empty vector of shape (K,); got shape {weights.shape}.")
        n_components = weights.size
        if means.ndim == 1 and means.size == n_components:
            means = means.reshape(n_components, 1)  # 1-D data: one mean per component
            means.setflags(write=False)
        if means.ndim != 2 or means.shape[0] != n_components or means.shape[1] == 0:
            raise ParameterError(
                f"means must have shape (K, D) = ({n_components}, D), one row per weight; got shape {means.shape}."
            )
        n_features = means.shape[1]
        if covariances.shape == (n_components,) and n_features == 1:
            covariances = covariances.reshape(n_components, 1, 1)  # 1-D data: one variance per component
            covariances.setflags(write=False)
        if covariances.shape != (n_components, n_features, n_features):
            raise ParameterError(
                f"covariances must have shape (K, D, D) = ({n_components}, {n_features}, {n_features}); "
                f"got shape {covariances.shape}."
            )
        if np.any(weights <= 0):
            bad = [int(k) + 1 for k in np.flatnonzero(weights <= 0)]
            raise ParameterError(
                f"weights must be positive, but component(s) {bad} have weight <= 0. A component with zero "
                "weight never takes responsibility for any point: give it a small positive weight or lower K."
            )
        total = float(weights.sum())
        if abs(total - 1.0) > WEIGHT_SUM_TOLERANCE:
            raise ParameterError(
                f"weights must sum to 1; they sum to {total:.6g}. Divide each by their sum (normalise) to fix it."
            )
        for k in range(n_components):
            check_covariance(covariances[k], name=f"covariance of component {k + 1}")
        object.__setattr__(self, "weights", weights)
        object.__setattr__(self, "means", means)
        object.__setattr__(self, "covariances", covariances)

    @property
    def n_components(self) -> int:
        return self.weights.shape[0]

    @property
    def n_features(self) -> int:
        return self.means.shape[1]

    def __repr__(self):
        return f"GaussianMixtureParams(n_components={self.n_components}, n_features={self.n_features})"

    @classmethod
    def trusted(cls, weights, means, covariances):
        """Build without validation, for arrays the engine itself produced (already checked)."""
        params = object.__new__(cls)
        object.__setattr__(params, "weights", weights)
        object.__setattr__(params, "means", means)
        object.__setattr__(params, "covariances", covariances)
        return params

    def marginal(self, columns) -> GaussianMixtureParams:
        """The mixture of the features ``columns`` alone: same weights, the means' entries and the covariances'
        sub-blocks on those columns (a Gaussian's marginal). Sub-blocks of positive definite matrices are positive
        definite, so nothing needs checking again."""
        index = list(columns)
        return GaussianMixtureParams.trusted(
            self.weights, self.means[:, index], self.covariances[:, index][:, :, index]
        )

    def allclose(self, other: GaussianMixtureParams, rtol=1e-12, atol=0.0) -> bool:
        """True when every weight, mean and covariance of ``other`` matches this one within tolerance."""
        return (
            self.weights.shape == other.weights.shape
            and self.means.shape == other.means.shape
            and np.allclose(self.weights, other.weights, rtol=rtol, atol=atol)
            and np.allclose(self.means, other.means, rtol=rtol, atol=atol)
            and np.allclose(self.covariances, other.covariances, rtol=rtol, atol=atol)
        )


def normalized_weights(weights):
    """``weights`` divided by their sum (what the app's "normalise" button does).

    Raises ParameterError when any weight is negative or all are zero.
    """
    weights = np.asarray(weights, dtype=np.float64)
    if np.any(~np.isfinite(weights)) or np.any(weights < 0) or weights.sum() <= 0:
        raise ParameterError("weights can be normalised only when all are finite, none negative and some positive.")
    return weights / weights.sum()
