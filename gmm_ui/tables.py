"""Mixture parameters as tables people read and edit: per component π, μ, σ and correlations ρ.

A covariance is shown as standard deviations and correlations because those are what people can type and judge
(σ > 0, -1 < ρ < 1); the conversion both ways lives here and nowhere else.
"""

from __future__ import annotations

import html
from itertools import combinations

import numpy as np
import pandas as pd

from gmm_core import GaussianMixtureParams, ParameterError, covariance_from_std_corr, covariance_to_std_corr
from gmm_core.params import WEIGHT_SUM_TOLERANCE

from .text import plain

WEIGHT = "π"


def _axis_suffixes(n_features):
    """Column suffixes: none for 1-D (μ, σ), x and y for 2-D (μx, σy), 1..D beyond."""
    if n_features == 1:
        return [""]
    if n_features == 2:
        return ["x", "y"]
    return [str(d + 1) for d in range(n_features)]


def parameter_columns(n_features):
    """Names of the mean, standard-deviation and correlation columns for D features.

    Returns
    -------
    means, stds : list of str, length D
    correlations : list of (str, int, int)
        Column name and the pair of features (i < j) it correlates; empty for 1-D.
    """
    suffixes = _axis_suffixes(n_features)
    means = [f"μ{s}" for s in suffixes]
    stds = [f"σ{s}" for s in suffixes]
    if n_features == 2:
        correlations = [("ρ", 0, 1)]
    else:
        correlations = [(f"ρ{i + 1}{j + 1}", i, j) for i, j in combinations(range(n_features), 2)]
    return means, stds, correlations


def column_help(n_features, feature_names, markdown=True):
    """Tooltip text of every column: which feature each symbol refers to (for Markdown tooltips, the names are
    escaped; ``markdown=False`` gives them as written, e.g. for HTML)."""
    means, stds, correlations = parameter_columns(n_features)
    if markdown:
        feature_names = [plain(name) for name in feature_names]
    help_text = {WEIGHT: "mixing weight: the share of the data this component explains (0 to 1; they sum to 1)"}
    for mean, std, name in zip(means, stds, feature_names):
        help_text[mean] = f"mean of {name}"
        help_text[std] = f"standard deviation of {name} (> 0)"
    for column, i, j in correlations:
        help_text[column] = f"correlation of {feature_names[i]} and {feature_names[j]} (between -1 and 1)"
    return help_text


def params_to_frame(params):
    """One row per component: π, the means, the standard deviations and the correlations.

    Parameters
    ----------
    params : GaussianMixtureParams

    Returns
    -------
    pandas.DataFrame of shape (K, 1 + 2D + D(D-1)/2), indexed 1..K
    """
    means, stds, correlations = parameter_columns(params.n_features)
    deviations, correlation = covariance_to_std_corr(params.covariances)  # (K, D), (K, D, D)
    columns = {WEIGHT: params.weights}
    columns.update({name: params.means[:, d] for d, name in enumerate(means)})
    columns.update({name: deviations[:, d] for d, name in enumerate(stds)})
    for name, i, j in correlations:
        columns[name] = correlation[:, i, j]
    frame = pd.DataFrame(columns)
    frame.index = pd.RangeIndex(1, params.n_components + 1, name="component")
    return frame


def _check_cells(frame, n_features):
    """Raise ParameterError naming the first empty or out-of-range cell: where it is and what is allowed."""
    means, stds, correlations = parameter_columns(n_features)
    expected = [WEIGHT, *means, *stds, *(name for name, _, _ in correlations)]
    values = frame[expected].apply(pd.to_numeric, errors="coerce")
    for row, component in enumerate(frame.index):
        for column in expected:
            if not np.isfinite(values[column].iloc[row]):
                raise ParameterError(f"Component {component}: {column} is empty or not a number. Enter a number.")
    checks = [
        (
            WEIGHT,
            lambda v: 0 < v <= 1,
            "must lie between 0 and 1, excluding 0 (a weight is a share of the data; at 0 a component takes no point)",
        ),
        *((name, lambda v: v > 0, "must be positive (a standard deviation)") for name in stds),
        *(
            (name, lambda v: -1 < v < 1, "must lie strictly between -1 and 1 (at ±1 the ellipse is flat)")
            for name, _, _ in correlations
        ),
    ]
    for column, is_valid, requirement in checks:
        for component, value in zip(frame.index, values[column]):
            if not is_valid(value):
                raise ParameterError(f"Component {component}: {column} = {value:g} {requirement}.")
    return values


def frame_to_params(frame, n_features, n_components):
    """The mixture a parameter table describes, checked cell by cell.

    Parameters
    ----------
    frame : pandas.DataFrame
        As :func:`params_to_frame` makes it, possibly edited.
    n_features : int
    n_components : int
        K the user chose; the table must have one row per component.

    Returns
    -------
    GaussianMixtureParams

    Raises
    ------
    ParameterError
        With a message naming the row count, the cell or the matrix at fault.
    """
    if len(frame) != n_components:
        raise ParameterError(
            f"The table has {len(frame)} row(s) but K = {n_components}. Choose an initialisation strategy to "
            f"refill it with {n_components} components, or set K back to {len(frame)}."
        )
    values = _check_cells(frame, n_features)
    means, stds, correlations = parameter_columns(n_features)
    deviations = values[stds].to_numpy()  # (K, D)
    correlation = np.tile(np.eye(n_features), (n_components, 1, 1))
    for name, i, j in correlations:
        correlation[:, i, j] = correlation[:, j, i] = values[name].to_numpy()
    _check_correlations_agree(frame.index, correlation, correlations, values)
    total = float(values[WEIGHT].sum())
    if abs(total - 1) > WEIGHT_SUM_TOLERANCE:
        raise ParameterError(
            f"The weights π must sum to 1; they sum to {total:.6g}. Press “Normalise weights” to divide each by "
            "their sum."
        )
    covariances = covariance_from_std_corr(deviations, correlation)
    return GaussianMixtureParams(values[WEIGHT].to_numpy(), values[means].to_numpy(), covariances)


def _check_correlations_agree(components, correlation, correlations, values):
    """Raise ParameterError for a component whose correlations, each between -1 and 1, cannot hold together.

    With three or more features, e.g. ρ12 = ρ13 = 0.9 and ρ23 = -0.9 describe no data: the correlation matrix is
    not positive definite, so neither is the covariance.
    """
    for row, component in enumerate(components):
        try:
            np.linalg.cholesky(correlation[row])
        except np.linalg.LinAlgError:
            listed = ", ".join(f"{name} = {values[name].iloc[row]:g}" for name, _, _ in correlations)
            raise ParameterError(
                f"Component {component}: the correlations {listed} cannot all hold at once (no data have them). "
                "Move them closer to 0."
            ) from None


def comparison_frame(params, truth=None, matched=None, labelled=None, labelled_matched=None):
    """Parameters at one iteration, with each known reference value in a column beside its estimate.

    Parameters
    ----------
    params : GaussianMixtureParams
        The estimate.
    truth : GaussianMixtureParams, optional
    matched : array-like of int, optional
        ``matched[j]`` = estimated component matched to true component j (``gmm_core.metrics.match_components``);
        rows are then ordered by true component, and unmatched estimates follow.
    labelled : GaussianMixtureParams, optional
        The estimates the true labels give (``gmm_core.labelled_estimates``), one component per labelled group.
    labelled_matched : array-like of int, optional
        As ``matched``, for the groups of ``labelled``; they order the rows when there is no truth.

    Returns
    -------
    pandas.DataFrame
        Indexed by estimated component number; per parameter the estimate, then "… (labelled)" and "… (true)"
        columns for the references given (with their matching). A reference with nothing matched to a row: NaN.
    """
    estimate = params_to_frame(params)
    references = [
        (suffix, params_to_frame(reference), [int(k) for k in reference_matched])
        for suffix, reference, reference_matched in (("labelled", labelled, labelled_matched), ("true", truth, matched))
        if reference is not None and reference_matched is not None
    ]
    if not references:
        return estimate
    leading = references[-1][2]  # the truth's matching where known
    order = [k for k in leading if k >= 0] + [k for k in range(params.n_components) if k not in leading]
    estimate = estimate.iloc[order]
    columns = {}
    for column in estimate.columns:
        columns[column] = estimate[column].to_numpy()
        for suffix, frame, reference_matched in references:
            rows = {k: j for j, k in enumerate(reference_matched) if k >= 0}
            columns[f"{column} ({suffix})"] = [frame[column].iloc[rows[k]] if k in rows else np.nan for k in order]
    return pd.DataFrame(columns, index=pd.Index([k + 1 for k in order], name="component"))


#: How read-only tables look (see html_table): close to Streamlit's own, numbers right-aligned in equal widths.
_TABLE_STYLE = """<style>
.gmm-table {overflow: auto; border: 1px solid rgba(49, 51, 63, 0.12); border-radius: 0.5rem;}
.gmm-table table {border-collapse: collapse; width: 100%; font-size: 0.875rem; font-variant-numeric: tabular-nums;}
.gmm-table th {position: sticky; top: 0; background: #F3F5F8; color: #52606D; font-weight: 500;}
.gmm-table th, .gmm-table td {text-align: right; padding: 0.3rem 0.75rem; white-space: nowrap;}
.gmm-table td {border-top: 1px solid rgba(49, 51, 63, 0.08);}
.gmm-table th:first-child, .gmm-table td:first-child {text-align: left;}
</style>"""


def html_table(frame, name, digits, titles=None, max_height=320):
    """``frame`` as a read-only HTML table, for ``st.html``: its index first, numbers to ``digits`` decimals, and
    ``titles`` (column -> text) as the column names' tooltips. Taller than ``max_height`` pixels, it scrolls.
    ``name`` marks it in the page (``data-table``), for tests to find.

    The app's first page shows its tables this way: a data grid (``st.dataframe``, ``st.data_editor``) loads about
    1.5 MB of scripts into the page first, which delayed the first chart by 0.2-0.4 s (see docs/performance.md).
    """
    titles = titles or {}

    def cell(value):
        if isinstance(value, (float, np.floating)):
            return "–" if np.isnan(value) else f"{value:.{digits}f}"
        return html.escape(str(value))

    def header(column):
        title = f' title="{html.escape(titles[column])}"' if column in titles else ""
        return f"<th{title}>{html.escape(str(column))}</th>"

    head = header(frame.index.name or "") + "".join(header(column) for column in frame.columns)
    rows = "".join(
        f"<tr><td>{cell(label)}</td>" + "".join(f"<td>{cell(value)}</td>" for value in values) + "</tr>"
        for label, values in zip(frame.index, frame.itertuples(index=False))
    )
    return (
        f'{_TABLE_STYLE}<div class="gmm-table" data-table="{html.escape(name)}" '
        f'style="max-height: {int(max_height)}px">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
