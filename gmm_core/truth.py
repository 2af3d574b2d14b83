"""What is known beyond the points: a true density that is no Gaussian mixture."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import ParameterError

#: How far the area under a PiecewiseLinearDensity may be from 1 before it is refused rather than taken as rounding.
AREA_TOLERANCE = 1e-9


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
