"""Charts of many fits at once: log-likelihood curves of runs compared, where many restarts ended, and an
information criterion (BIC, AIC) over K and covariance types. Traces carry ``meta={"role": ...}`` ("log_likelihood",
"current", "restart", "criterion", "criterion_degenerate", "criterion_minimum", "criterion_chosen") for tests to
find."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ..palette import OKABE_ITO
from .layout import BASE_LAYOUT, chart_title, log_likelihood_range

#: How each covariance type's line is drawn: colour, dash and marker differ, so no line depends on colour alone.
TYPE_STYLES = {
    "full": (OKABE_ITO[0], "solid", "circle"),
    "tied": (OKABE_ITO[1], "dash", "square"),
    "diag": (OKABE_ITO[2], "dot", "diamond"),
    "spherical": (OKABE_ITO[3], "dashdot", "triangle-up"),
}
#: Runs compared on one log-likelihood chart (start A, start B): not component colours, which mean something else.
RUN_STYLES = (("#1F2933", "solid", "circle"), ("#CC79A7", "dash", "diamond"))
BEST_COLOR, OTHER_COLOR = "#009E73", "#D55E00"
#: The strip spans at least this much either side of its runs: equal optima differ in their last digits only, and
#: on a range of 1e-9 those digits would look like far-apart optima.
MIN_STRIP_HALF_SPAN = 0.01
CURRENT_COLOR = "#D55E00"
#: A degenerate model's point: hollow (its covariance type's own symbol, open) inside a grey ring.
DEGENERATE_COLOR = "#52606D"
#: A degenerate model's hover text names at most this many of its degenerate components.
MAX_DEGENERACY_NOTES = 3
_WHAT_HAPPENED = {"collapsed": "collapsed onto a point or a line", "empty": "emptied (its weight fell to zero)"}


@dataclass(frozen=True)
class Curve:
    """One run on a shared log-likelihood chart.

    Attributes
    ----------
    name : str
    log_likelihood : ndarray of shape (n_iter + 1,)
    converged : bool
        The run met its tolerance at its last iteration.
    """

    name: str
    log_likelihood: np.ndarray
    converged: bool


def log_likelihood_curves_figure(curves, current_iteration):
    """Mean log-likelihood after each iteration of several runs on one chart, each marked at the iteration shown.

    A run that stopped before ``current_iteration`` is marked at its last iteration (it keeps its final state).

    Parameters
    ----------
    curves : sequence of Curve
        At most ``len(RUN_STYLES)`` runs.
    current_iteration : int

    Returns
    -------
    plotly.graph_objects.Figure
        Per run: a "log_likelihood" line and a "current" marker (meta ``run`` = its index).
    """
    traces = []
    for index, (curve, (color, dash, symbol)) in enumerate(zip(curves, RUN_STYLES)):
        values = np.asarray(curve.log_likelihood, dtype=np.float64)
        iterations = np.arange(values.size)
        shown = min(current_iteration, values.size - 1)
        ending = "converged" if curve.converged else "stopped"
        traces += [
            go.Scatter(
                x=iterations,
                y=values,
                mode="lines+markers" if values.size <= 120 else "lines",
                line=dict(color=color, width=2, dash=dash),
                marker=dict(size=5, color=color, symbol=symbol),
                name=f"{curve.name} ({ending} at {values.size - 1})",
                legendgroup=f"run-{index}",
                hovertemplate=f"{curve.name}<br>iteration %{{x}}<br>mean log-likelihood %{{y:.5g}}<extra></extra>",
                meta={"role": "log_likelihood", "run": index},
            ),
            go.Scatter(
                x=[shown],
                y=[values[shown]],
                mode="markers",
                marker=dict(color=color, size=13, symbol=symbol, line=dict(color="white", width=2)),
                name=f"{curve.name} at iteration {shown}",
                legendgroup=f"run-{index}",
                showlegend=False,
                hovertemplate=f"{curve.name}<br>iteration %{{x}}<br>%{{y:.5g}}<extra></extra>",
                meta={"role": "current", "run": index},
            ),
        ]
    figure = go.Figure(traces)
    figure.add_vline(x=current_iteration, line=dict(color=CURRENT_COLOR, width=1, dash="dot"))
    y_range, start_left_out = log_likelihood_range(*(np.asarray(c.log_likelihood, dtype=np.float64) for c in curves))
    last = max(len(curve.log_likelihood) - 1 for curve in curves)
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(
            "Mean log-likelihood per point, both starts",
            "a start lies below the range shown" if start_left_out else None,
        ),
        xaxis=dict(title="iteration", range=[-0.5, max(last, 1) + 0.5], dtick=1 if last <= 10 else None),
        yaxis=dict(title="log-likelihood", zeroline=False, range=y_range, tickformat=".6~g"),
    )
    return figure


def restarts_figure(final_log_likelihood, seeds, optimum_of_run, n_iter):
    """Each restart's final log-likelihood as a dot on a strip, the runs on the best optimum in green.

    Parameters
    ----------
    final_log_likelihood : array-like of shape (n_restarts,)
        NaN for a start that failed (not drawn).
    seeds : array-like of int, shape (n_restarts,)
    optimum_of_run : array-like of int, shape (n_restarts,)
        Rank of the optimum each run reached (0 = best), as ``gmm_core.comparisons.Optima.of_run``.
    n_iter : array-like of int, shape (n_restarts,)
        Iterations each run took.

    Returns
    -------
    plotly.graph_objects.Figure
        Two "restart" traces (meta ``best`` True / False); y is the seed, so runs on one optimum line up.
    """
    values = np.asarray(final_log_likelihood, dtype=np.float64)
    seeds = np.asarray(seeds)
    optimum_of_run = np.asarray(optimum_of_run)
    n_iter = np.asarray(n_iter)
    n_optima = int(optimum_of_run.max()) + 1 if optimum_of_run.size else 0
    traces = []
    for best, color, symbol, name in (
        (True, BEST_COLOR, "circle", "on the best optimum"),
        (False, OTHER_COLOR, "x", "on a worse (local) optimum"),
    ):
        chosen = (optimum_of_run == 0) if best else (optimum_of_run > 0)
        traces.append(
            go.Scatter(
                x=values[chosen],
                y=seeds[chosen],
                mode="markers",
                marker=dict(color=color, size=11, symbol=symbol, line=dict(color="white", width=1)),
                customdata=np.column_stack([optimum_of_run[chosen] + 1, n_iter[chosen]]),
                name=f"{int(chosen.sum())} start{'s' * (int(chosen.sum()) != 1)} {name}",
                hovertemplate=(
                    "seed %{y}<br>final mean log-likelihood %{x:.5g}<br>"
                    f"optimum %{{customdata[0]}} of {n_optima} · %{{customdata[1]}} iterations<extra></extra>"
                ),
                meta={"role": "restart", "best": best},
            )
        )
    figure = go.Figure(traces)
    finite = values[np.isfinite(values)]
    middle, half_span = (finite.max() + finite.min()) / 2, max(np.ptp(finite) * 0.55, MIN_STRIP_HALF_SPAN)
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(
            f"Where {values.size} starts ended: {n_optima} distinct {'optimum' if n_optima == 1 else 'optima'}",
            "each dot is one start; further right is better",
        ),
        xaxis=dict(
            title="final mean log-likelihood",
            tickformat=".4~f",
            zeroline=False,
            range=[middle - half_span, middle + half_span],
        ),
        yaxis=dict(title="seed", zeroline=False, dtick=1 if seeds.size <= 12 else None),
    )
    return figure


def degeneracy_note(degeneracies):
    """What went wrong with a degenerate model, in one line: "degenerate: component 3 collapsed onto a point or a
    line (iteration 12)"; "" for a sound model.

    Parameters
    ----------
    degeneracies : sequence of gmm_core.Degeneracy
    """
    if not degeneracies:
        return ""
    notes = [
        f"component {d.component + 1} {_WHAT_HAPPENED.get(d.kind, d.kind)} (iteration {d.iteration})"
        for d in degeneracies[:MAX_DEGENERACY_NOTES]
    ]
    more = len(degeneracies) - MAX_DEGENERACY_NOTES
    return "degenerate: " + "; ".join(notes) + (f"; and {more} more" if more > 0 else "")


def _degenerate_mask(n_components, covariance_types, degeneracies):
    """(n_types, n_k) bool: the models ``degeneracies`` (a mapping (type, K) -> its Degeneracy tuple) marks."""
    return np.array(
        [[bool(degeneracies.get((t, int(k)))) for k in n_components] for t in covariance_types], dtype=bool
    ).reshape(len(covariance_types), len(n_components))


def _criterion_line(covariance_type, n_components, values, degenerate, criterion):
    """One covariance type's line; its degenerate models' markers hollow."""
    color, dash, symbol = TYPE_STYLES[covariance_type]
    return go.Scatter(
        x=n_components,
        y=values,
        mode="lines+markers",
        line=dict(color=color, width=2, dash=dash),
        marker=dict(
            color=color,
            size=9,
            symbol=[f"{symbol}-open" if flagged else symbol for flagged in degenerate],
            line=dict(color=color, width=[2 if flagged else 0 for flagged in degenerate]),
        ),
        customdata=[[covariance_type, int(k)] for k in n_components],
        name=covariance_type,
        hovertemplate=f"{covariance_type}, K = %{{x}}<br>{criterion} %{{y:,.1f}}<extra></extra>",
        meta={"role": "criterion", "covariance_type": covariance_type},
    )


def _degenerate_trace(n_components, covariance_types, values, mask, degeneracies, criterion):
    """A grey ring round every degenerate model's point, with what went wrong in its hover text."""
    rows, columns = np.nonzero(mask & np.isfinite(values))
    models = [(covariance_types[r], int(n_components[c])) for r, c in zip(rows, columns)]
    return go.Scatter(
        x=[k for _, k in models],
        y=values[rows, columns],
        mode="markers",
        marker=dict(color="rgba(0,0,0,0)", size=17, symbol="circle", line=dict(color=DEGENERATE_COLOR, width=1.5)),
        customdata=[list(model) for model in models],
        text=[degeneracy_note(degeneracies[model]) for model in models],
        name="degenerate (not ranked)",
        hovertemplate=f"%{{customdata[0]}}, K = %{{x}}<br>{criterion} %{{y:,.1f}}<br>%{{text}}<extra></extra>",
        meta={"role": "criterion_degenerate", "models": [list(model) for model in models]},
    )


def _marker_trace(model, value, role, name, symbol, size, line, hovertemplate=None):
    """A ring (``symbol``, ``size``, ``line``: its outline) round the point of ``model`` (type, K)."""
    return go.Scatter(
        x=[model[1]],
        y=[value],
        mode="markers",
        marker=dict(color="rgba(0,0,0,0)", size=size, symbol=symbol, line=line),
        name=name,
        hovertemplate=hovertemplate,
        hoverinfo="skip" if hovertemplate is None else None,
        meta={"role": role},
    )


def criterion_figure(n_components, covariance_types, values, *, criterion="BIC", chosen=None, degeneracies=None):
    """An information criterion against K, one line per covariance type, the minimum and the chosen model marked.

    As R's mclust draws its BIC plot, but on scikit-learn's scale, where lower is better. Degenerate models are
    drawn hollow and ringed, and never marked as the minimum.

    Parameters
    ----------
    n_components : array-like of int, shape (n_k,)
    covariance_types : sequence of str, length n_types
    values : array-like of shape (n_types, n_k)
        The criterion of each (type, K); NaN where no model could be fitted (not drawn).
    criterion : str
        Its name, for titles and hover text.
    chosen : (str, int), optional
        The (covariance type, K) whose model is shown beside the chart, ringed.
    degeneracies : mapping of (str, int) to a sequence of gmm_core.Degeneracy, optional
        What went wrong with each degenerate model (models absent or with none are sound).

    Returns
    -------
    plotly.graph_objects.Figure
        One "criterion" line per type (points carry ``customdata`` = [type, K], which clicks report), one
        "criterion_degenerate" trace if any model is degenerate (meta ``models``: their [type, K]), one
        "criterion_minimum" marker if a sound model is left and, if ``chosen`` is given, one "criterion_chosen"
        ring.
    """
    n_components = np.asarray(n_components)
    values = np.asarray(values, dtype=np.float64)
    degeneracies = degeneracies or {}
    mask = _degenerate_mask(n_components, covariance_types, degeneracies)
    traces = [
        _criterion_line(covariance_type, n_components, values[row], mask[row], criterion)
        for row, covariance_type in enumerate(covariance_types)
    ]
    if np.any(mask & np.isfinite(values)):
        traces.append(_degenerate_trace(n_components, covariance_types, values, mask, degeneracies, criterion))
    ranked = np.where(mask, np.nan, values)
    if not np.all(np.isnan(ranked)):
        row, column = np.unravel_index(np.nanargmin(ranked), ranked.shape)
        best_type, best_k = covariance_types[row], int(n_components[column])
        traces.append(
            _marker_trace(
                (best_type, best_k),
                ranked[row, column],
                "criterion_minimum",
                f"lowest {criterion}",
                "circle",
                22,
                dict(color="#1F2933", width=2.5),
                f"lowest {criterion}<br>{best_type}, K = {best_k}: %{{y:,.1f}}<extra></extra>",
            )
        )
    if chosen is not None and chosen[0] in covariance_types and chosen[1] in n_components:
        row, column = list(covariance_types).index(chosen[0]), int(np.flatnonzero(n_components == chosen[1])[0])
        ring = dict(color=CURRENT_COLOR, width=2)
        traces.append(_marker_trace(chosen, values[row, column], "criterion_chosen", "model shown", "square", 30, ring))
    figure = go.Figure(traces)
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(
            f"{criterion} by number of components",
            "one line per covariance type · lower is better · click a point to show that model",
        ),
        xaxis=dict(title="number of components K", dtick=1, zeroline=False),
        yaxis=dict(title=criterion, zeroline=False, tickformat=",.0f"),
        clickmode="event+select",
    )
    # Below the plot: lines can run through any corner (rising with K, or falling from K = 1), and beside it the
    # legend would take half of a half-width chart.
    figure.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.18, yanchor="top"))
    return figure
