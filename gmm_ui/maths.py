"""EM's formulas with the numbers of the step on screen, as LaTeX, and those numbers as CSV and JSON: the E-step of
one picked point, the M-step of every component, the log-likelihood and the lower bound. Pure: no Streamlit.

Every number comes from the engine (snapshots, responsibilities, :func:`gmm_core.point_e_step`,
:func:`gmm_core.lower_bound`); this module only chooses which and writes them. Positions are the EM chart's
(see :mod:`gmm_ui.stages`): an iteration, or with half steps a half step.
"""

from __future__ import annotations

import io
import json
import math
from dataclasses import dataclass

import numpy as np

from gmm_core import GaussianMixtureParams, PointEStep, lower_bound, point_e_step

from .stages import E_STEP, half_step_label, half_step_parts, half_step_position

#: Significant digits of every number written.
DIGITS = 4
#: The formulas write out at most this many components (a download has all of them); the picked point's E-step
#: shows the most responsible ones.
MAX_COMPONENTS_WRITTEN = 8
#: Terms of the picked point's p(x) written on one line (about the width of a phone).
TERMS_PER_LINE = 2


# --- Numbers as LaTeX ------------------------------------------------------------------------------------------


def number(value, digits=DIGITS):
    """``value`` with ``digits`` significant digits: "98.52", "-3.123", "0.001235", "1.235 \\times 10^{-5}"."""
    value = float(value)
    if not math.isfinite(value):
        return r"\infty" if value > 0 else (r"-\infty" if value < 0 else r"\text{NaN}")
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    exponent = int(exponent)
    if -3 <= exponent < digits:
        return f"{value:.{max(digits - 1 - exponent, 0)}f}"
    return rf"{mantissa} \times 10^{{{exponent}}}"


def signed(value, digits=DIGITS):
    """``value`` with its sign always written: "+0.01234", "-2.1"."""
    text = number(value, digits)
    return text if text.startswith("-") else f"+{text}"


def exp_number(log_value, digits=DIGITS):
    """exp(``log_value``) written from its logarithm, so that values far below the smallest float keep their digits."""
    if not math.isfinite(log_value):
        return "0"
    exponent = math.floor(log_value / math.log(10))
    mantissa = math.exp(log_value - exponent * math.log(10))
    if mantissa >= 10 - 0.5 * 10 ** (1 - digits):  # rounds up to 10.00
        mantissa, exponent = mantissa / 10, exponent + 1
    if -3 <= exponent < digits:
        return number(mantissa * 10.0**exponent, digits)
    return rf"{mantissa:.{digits - 1}f} \times 10^{{{exponent}}}"


def column(values):
    """A column vector (a plain number in 1-D)."""
    values = np.ravel(values)
    if values.size == 1:
        return number(values[0])
    return r"\begin{pmatrix}" + r" \\ ".join(number(v) for v in values) + r"\end{pmatrix}"


def matrix(values):
    """A D x D matrix (a plain number in 1-D)."""
    values = np.atleast_2d(values)
    if values.size == 1:
        return number(values[0, 0])
    rows = [" & ".join(number(v) for v in row) for row in values]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


# --- What the step on screen is -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What the EM chart shows at one position, for the formulas.

    Attributes
    ----------
    position : int
        The half-step position (an iteration ``i`` without half steps counts as ``2i``, after its M-step).
    title : str
    snapshot : int
        The recorded iteration whose parameters are on screen.
    m_step : int or None
        The iteration whose M-step is written out (snapshot ``m_step`` from the responsibilities under
        ``m_step - 1``); None at the start and after an E-step.
    e_step : int or None
        The snapshot under which the responsibilities on screen (the colours) are computed; None at the start of
        the half steps (no E-step yet).
    """

    position: int
    title: str
    snapshot: int
    m_step: int | None
    e_step: int | None


def step_on_screen(position, half_steps, n_iter):
    """The :class:`Step` at scrubber ``position`` (an iteration, or with ``half_steps`` a half step)."""
    if not half_steps:
        iteration = min(max(int(position), 0), n_iter)
        title = "Start (iteration 0)" if iteration == 0 else f"Iteration {iteration} of {n_iter}"
        return Step(half_step_position(iteration), title, iteration, iteration or None, iteration)
    position = min(max(int(position), 0), half_step_position(n_iter))
    iteration, stage = half_step_parts(position)
    title = f"Half step {half_step_label(position)} (iteration {iteration} of {n_iter})"
    if position == 0:
        return Step(0, "Start: no E-step yet", 0, None, None)
    if stage == E_STEP:
        return Step(position, title, iteration - 1, None, iteration - 1)
    return Step(position, title, iteration, iteration, None)


@dataclass(frozen=True, eq=False)
class StepNumbers:
    """The numbers the maths panel writes at one step.

    Attributes
    ----------
    step : Step
    params : GaussianMixtureParams
        The parameters on screen.
    soft_counts : ndarray of shape (K,), or None
        N_k = sum_i gamma_ik of the M-step written out (None without one).
    n_points : int
    log_likelihood : float
        Mean log-likelihood of ``params``.
    change : float or None
        Its change since the previous snapshot (None at snapshot 0).
    expected, entropy, bound : float
        Q, the entropy of the responsibilities and their sum (the lower bound) at this position (NaN at 0).
    row : int or None
        The picked point's row number (from 1).
    point : PointEStep or None
        Its E-step under the parameters of ``point_snapshot`` (None without a row, or at the start of the half
        steps).
    point_snapshot : int or None
        ``step.e_step``, or after an M-step the snapshot whose responsibilities that M-step used.
    """

    step: Step
    params: GaussianMixtureParams
    soft_counts: np.ndarray | None
    n_points: int
    log_likelihood: float
    change: float | None
    expected: float
    entropy: float
    bound: float
    row: int | None
    point: PointEStep | None
    point_snapshot: int | None = None


def step_numbers(run, position, half_steps, row=None):
    """The :class:`StepNumbers` of ``run`` at ``position``, with the E-step of data row ``row`` (from 1) if given."""
    step = step_on_screen(position, half_steps, run.n_iter)
    bound = lower_bound(run)
    snapshot = step.snapshot
    soft_counts = None if step.m_step is None else run.responsibilities(step.m_step - 1).sum(axis=0)
    point_snapshot = step.e_step if step.m_step is None or step.e_step is not None else step.m_step - 1
    point = None
    if row is not None and point_snapshot is not None:
        point = point_e_step(run.X[row - 1], run.snapshot(point_snapshot))
    return StepNumbers(
        step=step,
        params=run.snapshot(snapshot),
        soft_counts=soft_counts,
        n_points=run.X.shape[0],
        log_likelihood=float(run.log_likelihood[snapshot]),
        change=None if snapshot == 0 else float(run.log_likelihood[snapshot] - run.log_likelihood[snapshot - 1]),
        expected=float(bound.expected_log_likelihood[step.position]),
        entropy=float(bound.entropy[step.position]),
        bound=float(bound.bound[step.position]),
        row=row,
        point=point,
        point_snapshot=point_snapshot,
    )


# --- The formulas ------------------------------------------------------------------------------------------------

E_STEP_FORMULA = (
    r"\gamma_{ik} \;=\; \frac{\pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)}"
    r"{\sum_{j=1}^{K} \pi_j\,\mathcal{N}(x_i \mid \mu_j, \Sigma_j)}"
)
LOG_LIKELIHOOD_FORMULA = (
    r"\bar\ell(\theta) \;=\; \frac{1}{N}\sum_{i=1}^{N} \log \sum_{k=1}^{K} \pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)"
)
BOUND_FORMULA = (
    r"\begin{aligned}\bar\ell(\theta) &\;\ge\; Q + H \\"
    r" Q &= \frac{1}{N}\sum_{i,k} \gamma_{ik} \\"
    r" &\qquad\times \log\bigl(\pi_k\,\mathcal{N}(x_i \mid \mu_k, \Sigma_k)\bigr) \\"
    r" H &= -\frac{1}{N}\sum_{i,k} \gamma_{ik} \log \gamma_{ik}\end{aligned}"
)
#: How each covariance type's M-step writes Sigma_k (before reg_covar is added to the diagonal).
_COVARIANCE_FORMULAS = {
    "full": r"\Sigma_k = \frac{1}{N_k}\sum_{i} \gamma_{ik}(x_i-\mu_k)(x_i-\mu_k)^{\top}",
    "tied": r"\Sigma = \frac{1}{N}\sum_{k}\sum_{i} \gamma_{ik}(x_i-\mu_k)(x_i-\mu_k)^{\top}",
    "diag": r"\Sigma_k = \operatorname{diag}\Bigl(\frac{1}{N_k}\sum_{i} \gamma_{ik}(x_i-\mu_k)^{2}\Bigr)",
    "spherical": r"\Sigma_k = \frac{1}{D N_k}\sum_{i} \gamma_{ik}\lVert x_i-\mu_k\rVert^{2}\, I",
}
_VARIANCE_FORMULA = r"\sigma_k^2 = \frac{1}{N_k}\sum_{i} \gamma_{ik}(x_i-\mu_k)^{2}"


def m_step_formula(covariance_type, n_features, reg_covar):
    """The M-step's formulas (one aligned block), for ``covariance_type`` in ``n_features`` dimensions."""
    covariance = _VARIANCE_FORMULA if n_features == 1 else _COVARIANCE_FORMULAS[covariance_type]
    lines = [
        r"N_k &= \sum_{i=1}^{N} \gamma_{ik}",
        r"\pi_k &= \frac{N_k}{N}",
        r"\mu_k &= \frac{1}{N_k}\sum_{i=1}^{N} \gamma_{ik}\, x_i",
        covariance.replace(" = ", " &= ", 1),
    ]
    if reg_covar > 0:  # on a line of its own: a phone's width holds no more
        lines.append(rf"&\quad + {reg_covar:g}" + (r"\, I" if n_features > 1 else "") + r"\quad(\text{reg\_covar})")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def component_block(numbers, k):
    """Component ``k``'s parameters on screen (with its M-step's N_k and pi_k = N_k / N when there is one)."""
    params, name = numbers.params, k + 1
    lines = []
    if numbers.soft_counts is not None:
        lines.append(rf"N_{{{name}}} &= {number(numbers.soft_counts[k])}")
        lines.append(
            rf"\pi_{{{name}}} &= \tfrac{{{number(numbers.soft_counts[k])}}}{{{numbers.n_points}}}"
            rf" = {number(params.weights[k])}"
        )
    else:
        lines.append(rf"\pi_{{{name}}} &= {number(params.weights[k])}")
    lines.append(rf"\mu_{{{name}}} &= {column(params.means[k])}")
    if params.n_features == 1:
        lines.append(rf"\sigma_{{{name}}}^2 &= {number(params.covariances[k, 0, 0])}")
    else:
        lines.append(rf"\Sigma_{{{name}}} &= {matrix(params.covariances[k])}")
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def log_likelihood_line(numbers):
    """The mean log-likelihood on screen and its change."""
    text = rf"\bar\ell = {number(numbers.log_likelihood)}"
    if numbers.change is not None:
        text += rf" \qquad \Delta\bar\ell = {signed(numbers.change)}"
    return text


def bound_line(numbers):
    """Q, H, their sum and the gap to the log-likelihood at this position (None at the start: no E-step yet)."""
    if not math.isfinite(numbers.bound):
        return None
    gap = numbers.log_likelihood - numbers.bound
    lines = [
        rf"Q &= {number(numbers.expected)}",
        rf"H &= {number(numbers.entropy)}",
        rf"Q + H &= {number(numbers.bound)}",
        rf"\bar\ell &= {number(numbers.log_likelihood)} \;\ge\; Q + H",
        rf"\bar\ell - (Q + H) &= {number(max(gap, 0.0))}",
    ]
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def point_components(numbers):
    """The components the picked point's E-step writes out: all, or the MAX_COMPONENTS_WRITTEN most responsible."""
    gamma = numbers.point.responsibilities
    if gamma.size <= MAX_COMPONENTS_WRITTEN:
        return list(range(gamma.size))
    return sorted(np.argsort(-gamma, kind="stable")[:MAX_COMPONENTS_WRITTEN].tolist())


def point_lines(numbers, weights):
    """The picked point's E-step, one LaTeX block per line: the point, then pi_k N(x | mu_k, Sigma_k) for each
    component written out (``weights``: the pi_k of the E-step's parameters), their sum p(x), and each gamma as
    their ratio."""
    point, row = numbers.point, numbers.row
    shown = point_components(numbers)
    blocks = [rf"x_{{{row}}} = {column(point.x)}"]
    for k in shown:  # two lines each: a phone's width holds no more
        log_weighted = float(point.log_weighted_densities[k])
        density = exp_number(log_weighted - math.log(weights[k]))
        blocks.append(
            rf"\begin{{aligned}}&\pi_{{{k + 1}}}\,\mathcal{{N}}(x_{{{row}}} \mid \mu_{{{k + 1}}}, \Sigma_{{{k + 1}}})"
            rf" \\ &\quad= {number(weights[k])} \times {density} \\ &\quad= {exp_number(log_weighted)}\end{{aligned}}"
        )
    terms = [exp_number(float(v)) for v in point.log_weighted_densities[shown]]
    if len(shown) < point.responsibilities.size:
        terms.append(r"\dots")
    lines = [rf"p(x_{{{row}}}) &= \textstyle\sum_k \pi_k\,\mathcal{{N}}(x_{{{row}}} \mid \mu_k, \Sigma_k)"]
    lines += [
        ("&= " if start == 0 else r"&\quad + ") + " + ".join(terms[start : start + TERMS_PER_LINE])
        for start in range(0, len(terms), TERMS_PER_LINE)
    ]
    lines.append(rf"&= {exp_number(point.log_evidence)}")
    blocks.append(r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}")
    for k in shown:
        ratio = rf"\frac{{{exp_number(float(point.log_weighted_densities[k]))}}}{{{exp_number(point.log_evidence)}}}"
        blocks.append(rf"\gamma_{{{row},{k + 1}}} = {ratio} = {number(point.responsibilities[k])}")
    return blocks


# --- The numbers to copy or download --------------------------------------------------------------------------


def numbers_record(numbers, feature_names):
    """The step's numbers as plain data (full precision): the step, the components and the picked point."""
    params = numbers.params
    components = []
    for k in range(params.n_components):
        component = {
            "component": k + 1,
            "weight": float(params.weights[k]),
            "mean": dict(zip(feature_names, map(float, params.means[k]))),
            "covariance": params.covariances[k].tolist(),
        }
        if numbers.soft_counts is not None:
            component["soft_count"] = float(numbers.soft_counts[k])
        components.append(component)
    record = {
        "step": numbers.step.title,
        "snapshot": numbers.step.snapshot,
        "n_points": numbers.n_points,
        "mean_log_likelihood": numbers.log_likelihood,
        "change": numbers.change,
        "expected_log_likelihood_Q": None if math.isnan(numbers.expected) else numbers.expected,
        "entropy_H": None if math.isnan(numbers.entropy) else numbers.entropy,
        "lower_bound": None if math.isnan(numbers.bound) else numbers.bound,
        "features": list(feature_names),
        "components": components,
    }
    if numbers.point is not None:
        point = numbers.point
        record["picked_point"] = {
            "row": numbers.row,
            "x": dict(zip(feature_names, map(float, point.x))),
            "responsibilities_under_snapshot": numbers.step.e_step,
            "log_weighted_densities": point.log_weighted_densities.tolist(),
            "weighted_densities": point.weighted_densities.tolist(),
            "log_evidence": point.log_evidence,
            "evidence": point.evidence,
            "responsibilities": point.responsibilities.tolist(),
        }
    return record


def numbers_json(numbers, feature_names):
    return json.dumps(numbers_record(numbers, feature_names), indent=2)


def numbers_csv(numbers, feature_names):
    """The step's numbers in long form: one row per number (quantity, component, value)."""
    record = numbers_record(numbers, feature_names)
    rows = [("step", "", record["step"]), ("mean_log_likelihood", "", record["mean_log_likelihood"])]
    for name in ("change", "expected_log_likelihood_Q", "entropy_H", "lower_bound"):
        if record[name] is not None:
            rows.append((name, "", record[name]))
    for component in record["components"]:
        k = component["component"]
        if "soft_count" in component:
            rows.append(("N_k", k, component["soft_count"]))
        rows.append(("weight", k, component["weight"]))
        rows += [(f"mean[{name}]", k, value) for name, value in component["mean"].items()]
        names = list(feature_names)
        rows += [
            (f"covariance[{names[a]},{names[b]}]", k, component["covariance"][a][b])
            for a in range(len(names))
            for b in range(len(names))
        ]
    if "picked_point" in record:
        point = record["picked_point"]
        rows.append(("picked_row", "", point["row"]))
        rows += [(f"x[{name}]", "", value) for name, value in point["x"].items()]
        for k, (log_value, gamma) in enumerate(zip(point["log_weighted_densities"], point["responsibilities"])):
            rows.append(("log(pi_k N(x|mu_k,Sigma_k))", k + 1, log_value))
            rows.append(("gamma", k + 1, gamma))
        rows.append(("log p(x)", "", point["log_evidence"]))
    out = io.StringIO()
    out.write("quantity,component,value\n")
    for quantity, component, value in rows:
        text = repr(value) if isinstance(value, float) else str(value)
        out.write(f'"{quantity}",{component},"{text}"\n')
    return out.getvalue()


# --- k-means beside EM -----------------------------------------------------------------------------------------


def kmeans_lines(kmeans_run, iteration, row):
    """The picked point under k-means at ``iteration``: its squared distance to each centre (the nearest wins)
    and the centre update that follows (the mean of each cluster's points), one LaTeX block per line."""
    iteration = min(iteration, kmeans_run.n_iter)
    centers = kmeans_run.centers[iteration]
    x = kmeans_run.X[row - 1]
    squared = np.sum((centers - x) ** 2, axis=1)
    nearest = int(np.argmin(squared))
    blocks = []
    for k, distance in enumerate(squared):
        mark = r"\;\leftarrow \text{nearest}" if k == nearest else ""
        blocks.append(rf"\lVert x_{{{row}}} - c_{{{k + 1}}}\rVert^2 = {number(distance)}{mark}")
    labels = kmeans_run.labels(iteration)
    members = int(np.sum(labels == nearest))
    if iteration < kmeans_run.n_iter:
        name = nearest + 1
        blocks.append(
            rf"\begin{{aligned}}c_{{{name}}} &\leftarrow \frac{{1}}{{|C_{{{name}}}|}}\sum_{{x \in C_{{{name}}}}} x \\"
            rf" &= {column(kmeans_run.centers[iteration + 1][nearest])}\quad (|C_{{{name}}}| = {members})"
            r"\end{aligned}"
        )
    return blocks, squared, nearest


def gmm_lines(run, iteration, row):
    """The picked point under EM at ``iteration``: its responsibilities under that snapshot and the mean update of
    its most responsible component that follows, one LaTeX block per line."""
    iteration = min(iteration, run.n_iter)
    point = point_e_step(run.X[row - 1], run.snapshot(iteration))
    blocks = [
        rf"\gamma_{{{row},{k + 1}}} = {number(gamma)}"
        for k, gamma in enumerate(point.responsibilities[:MAX_COMPONENTS_WRITTEN])
    ]
    owner = int(np.argmax(point.responsibilities))
    if iteration < run.n_iter:
        soft_count = run.responsibilities(iteration)[:, owner].sum()
        name = owner + 1
        blocks.append(
            rf"\begin{{aligned}}\mu_{{{name}}} &\leftarrow \frac{{1}}{{N_{{{name}}}}}"
            rf"\sum_i \gamma_{{i,{name}}}\, x_i \\"
            rf" &= {column(run.means[iteration + 1][owner])}\quad (N_{{{name}}} = {number(soft_count)})"
            r"\end{aligned}"
        )
    return blocks, point


# --- Picking a point on the EM chart ---------------------------------------------------------------------------


def picked_row(selection, X, shown, pair):
    """The data row (from 1) a click on the EM chart picks, or None when it picks none.

    Parameters
    ----------
    selection : mapping
        Streamlit's chart selection: ``{"points": [{"x", "y", "customdata", "curve_number", ...}], ...}``.
    X : ndarray of shape (N, D)
        The fitted points.
    shown : ndarray of int
        The rows (from 0) the chart draws, in order.
    pair : (int, int)
        The two columns of the plane (2-D and more).

    In 1-D a click on a tick of the rug carries its row (``customdata``). On a plane a click on a point is matched
    by its coordinates among the points drawn (a frame's hover data replaces the points' ``customdata``); the
    first such row wins where several points share a place. A click on anything else (a mean, the log-likelihood
    curve) picks nothing.
    """
    points = (selection or {}).get("points") or []
    for point in reversed(points):  # the last one clicked
        if X.shape[1] == 1:
            row = point.get("customdata")
            if isinstance(row, (int, float)) and not isinstance(row, bool) and 1 <= row <= X.shape[0]:
                return int(row)
            continue
        x, y = point.get("x"), point.get("y")
        if not isinstance(x, (int, float)) or not isinstance(y, (int, float)):
            continue
        plane = X[np.asarray(shown)][:, list(pair)]
        scale = max(float(np.max(np.abs(plane))), 1e-300)
        same = np.flatnonzero(np.all(np.abs(plane - [x, y]) <= 1e-12 * scale, axis=1))
        if same.size:
            return int(np.asarray(shown)[same[0]]) + 1
    return None
