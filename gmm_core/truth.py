"""What is known beyond the points: a true density that is no Gaussian mixture, and the estimates labels give."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .em import as_points
from .errors import ParameterError
from .params import GaussianMixtureParams

#: How far the area under a PiecewiseLinearDensity may be from 1 before it is refused rather than taken as rounding.
AREA_TOLERANCE = 1e-9
#: A group's covariance whose smallest eigenvalue is at most this fraction of its largest is singular: its points
#: lie on a line or plane up to rounding (or it has none of its own spread at all).
SINGULAR_RATIO = 1e-12


@dataclass(frozen=True)
class PiecewiseLinearDensity:
    """A density on the line, linear between consecutive knots and 0 outside the open interval they span.

    S6a's triangle, p(x) = 2 − 2x on (0, 1) and 0 elsewhere, is ``PiecewiseLinearDensity((0, 1), (2, 0))``. The
    density may jump at the first and last knots (to and from 0); between knots it is continuous.

    Attributes
    ----------
    knots : tuple of float, length M >= 2
        Strictly increasing.
    values : tuple of float >= 0, length M
        The density at each knot, approached from inside the interval (the first and last are limits).
    formula : str
        The density for people ("2 − 2x on (0, 1)"); "" when unnamed.

    Raises
    ------
    ParameterError
        When the knots are not increasing, a value is negative or not finite, or the area is not 1.
    """

    knots: tuple
    values: tuple
    formula: str = ""

    def __post_init__(self):
        knots = np.asarray(self.knots, dtype=np.float64)
        values = np.asarray(self.values, dtype=np.float64)
        if knots.ndim != 1 or knots.shape != values.shape or knots.size < 2:
            raise ParameterError(
                f"a piecewise-linear density needs as many values as knots, at least two; got {knots.size} knot(s) "
                f"and {values.size} value(s)."
            )
        if not (np.all(np.isfinite(knots)) and np.all(np.isfinite(values))):
            raise ParameterError("a piecewise-linear density's knots and values must be finite numbers.")
        if np.any(np.diff(knots) <= 0) or np.any(values < 0):
            raise ParameterError("a piecewise-linear density's knots must increase and its values be at least 0.")
        area = float(np.sum(np.diff(knots) * (values[1:] + values[:-1]) / 2))
        if abs(area - 1.0) > AREA_TOLERANCE:
            raise ParameterError(f"a density's area must be 1; this one's is {area:.6g}.")
        object.__setattr__(self, "knots", tuple(float(k) for k in knots))
        object.__setattr__(self, "values", tuple(float(v) for v in values))

    def __call__(self, x):
        """The density at ``x`` (any shape): linear between the knots, 0 outside the open interval, ends included."""
        x = np.asarray(x, dtype=np.float64)
        inside = (x > self.knots[0]) & (x < self.knots[-1])
        return np.where(inside, np.interp(x, self.knots, self.values), 0.0)

    def curve(self, x_values):
        """The density's graph over the range of ``x_values``, to draw as a line: every value of ``x_values``, the
        knots inside the range, and at each end knot in range its jump as a vertical step (the same x twice).

        Returns
        -------
        x, y : ndarrays of shape (n,)
            ``x`` non-decreasing; ``y`` = this density at ``x``, except at a jump, where the two points are its
            value outside (0) and inside.
        """
        x_values = np.sort(np.asarray(x_values, dtype=np.float64).ravel())
        low, high = x_values[0], x_values[-1]
        first, last = self.knots[0], self.knots[-1]
        inner = np.asarray(self.knots[1:-1])
        inside = np.union1d(x_values[(x_values > first) & (x_values < last)], inner[(inner >= low) & (inner <= high)])
        xs = [x_values[x_values < first]]
        ys = [np.zeros(xs[0].size)]
        if low <= first <= high:
            xs.append(np.array([first, first]))
            ys.append(np.array([0.0, self.values[0]]))
        xs.append(inside)
        ys.append(np.interp(inside, self.knots, self.values))
        if low <= last <= high:
            xs.append(np.array([last, last]))
            ys.append(np.array([self.values[-1], 0.0]))
        xs.append(x_values[x_values > last])
        ys.append(np.zeros(xs[-1].size))
        return np.concatenate(xs), np.concatenate(ys)

    def standardized(self, mean, scale):
        """The density of (x - ``mean``) / ``scale`` (``scale`` > 0) where x has this density: knots moved and
        scaled, values multiplied by ``scale`` (the area stays 1)."""
        knots = (np.asarray(self.knots) - mean) / scale
        return PiecewiseLinearDensity(tuple(knots), tuple(np.asarray(self.values) * scale), self.formula)


def labelled_estimates(X, labels):
    """The maximum-likelihood Gaussian of each labelled group: what EM would find if it knew every point's label.

    Per group (in the order of the sorted distinct labels): weight = its share of the points, mean = its mean,
    covariance = its population covariance (divided by the group's size, ddof = 0: the maximum-likelihood
    estimate, as EM's M-step computes it), full whatever covariance type EM fits. No reg_covar is added.

    Parameters
    ----------
    X : array-like of shape (N, D) or (N,)
    labels : array-like of shape (N,)
        Any values that sort (ints, strings).

    Returns
    -------
    GaussianMixtureParams
        G components for the G distinct labels.

    Raises
    ------
    ParameterError
        When ``labels`` does not hold one label per point, or a group's covariance is singular (a group of at
        most D points, or of points on a line or plane).
    """
    X = as_points(X)
    labels = np.asarray(labels)
    if labels.shape != (X.shape[0],):
        raise ParameterError(f"labels must hold one label per point ({X.shape[0]}); got shape {labels.shape}.")
    names, groups = np.unique(labels, return_inverse=True)
    counts = np.bincount(groups, minlength=names.size)
    order = np.argsort(groups, kind="stable")
    members = np.split(X[order], np.cumsum(counts)[:-1])
    means = np.stack([points.mean(axis=0) for points in members])
    covariances = np.empty((names.size, X.shape[1], X.shape[1]))
    for g, points in enumerate(members):
        deviations = points - means[g]
        covariance = deviations.T @ deviations / counts[g]
        covariances[g] = (covariance + covariance.T) / 2  # exactly symmetric, whatever the BLAS
        spreads = np.linalg.eigvalsh(covariances[g])
        if spreads[0] <= SINGULAR_RATIO * spreads[-1]:
            raise ParameterError(
                f"The points labelled {names[g]!s} ({counts[g]} of them) have no spread in some direction: their "
                f"covariance is singular, so no Gaussian can be estimated from them (it takes at least "
                f"{X.shape[1] + 1} points not all on a line or plane)."
            )
    return GaussianMixtureParams(counts / X.shape[0], means, covariances)
