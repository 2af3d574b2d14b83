"""Charts of the two-boxes warm-up: the path of (p1, p2) across iterations, and the log-likelihood per iteration.

Both take runs of ``gmm_core.fit_two_boxes`` (soft EM, hard EM or both) and the iteration shown, which each run
marks (a run that stopped earlier, at its last iteration). Traces carry ``meta={"role": ..., "method": ...}``:
"boxes_path", "boxes_start", "boxes_current", "boxes_alike" (the diagonal), "boxes_log_likelihood" and
"boxes_log_likelihood_current".
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..palette import OKABE_ITO
from .curves import CURRENT_COLOR
from .layout import BASE_LAYOUT, chart_title, log_likelihood_range

#: How each method is drawn: colour, dash and marker differ, so that no line depends on colour alone.
METHOD_STYLES = {
    "soft": (OKABE_ITO[0], "solid", "circle"),
    "hard": (OKABE_ITO[1], "dash", "square"),
}
METHOD_NAMES = {"soft": "soft EM", "hard": "hard EM"}
_GREY = "#7B8794"
#: Above this many iterations the lines carry no markers: they would merge into a thick line.
_MARKER_LIMIT = 60


def _shown(run, iteration):
    return min(int(iteration), run.n_iter)


def _ending(run):
    return f"{'converged' if run.converged else 'stopped'} at {run.n_iter}"


def boxes_trajectory_figure(runs, iteration):
    """(p1, p2) after each iteration of each run, as a path across the unit square, with the iteration shown marked.

    The diagonal p1 = p2 is where the two boxes are alike: there the mixture is one box, and the rounds tell
    nothing more about which box gave them.

    Parameters
    ----------
    runs : sequence of gmm_core.TwoBoxesRun
        At most one per method.
    iteration : int >= 0

    Returns
    -------
    plotly.graph_objects.Figure
        Per run a "boxes_path" line, a "boxes_start" and a "boxes_current" marker (meta ``method``, and for the
        current marker ``iteration``); one "boxes_alike" line.
    """
    traces = [
        go.Scatter(
            x=[0, 1],
            y=[0, 1],
            mode="lines",
            line=dict(color=_GREY, width=1, dash="dot"),
            name="p1 = p2: the boxes alike",
            hoverinfo="skip",
            meta={"role": "boxes_alike"},
        )
    ]
    for run in runs:
        color, dash, symbol = METHOD_STYLES[run.method]
        name = METHOD_NAMES[run.method]
        p = np.asarray(run.p)
        shown = _shown(run, iteration)
        traces += [
            go.Scatter(
                x=p[:, 0],
                y=p[:, 1],
                mode="lines+markers" if len(p) <= _MARKER_LIMIT else "lines",
                line=dict(color=color, width=2, dash=dash),
                marker=dict(color=color, size=6, symbol=symbol),
                customdata=np.arange(len(p)),
                name=f"{name} ({_ending(run)})",
                legendgroup=run.method,
                hovertemplate=(
                    f"{name}<br>iteration %{{customdata}}<br>p1 = %{{x:.4f}}<br>p2 = %{{y:.4f}}<extra></extra>"
                ),
                meta={"role": "boxes_path", "method": run.method},
            ),
            go.Scatter(
                x=p[:1, 0],
                y=p[:1, 1],
                mode="markers",
                marker=dict(color="white", size=11, symbol=symbol, line=dict(color=color, width=2)),
                name=f"{name}: start",
                legendgroup=run.method,
                showlegend=False,
                hovertemplate=f"{name}: start<br>p1 = %{{x:.4f}}<br>p2 = %{{y:.4f}}<extra></extra>",
                meta={"role": "boxes_start", "method": run.method},
            ),
            go.Scatter(
                x=p[shown : shown + 1, 0],
                y=p[shown : shown + 1, 1],
                mode="markers",
                marker=dict(color=color, size=15, symbol=symbol, line=dict(color=CURRENT_COLOR, width=3)),
                name=f"{name} at iteration {shown}",
                legendgroup=run.method,
                showlegend=False,
                hovertemplate=f"{name}, iteration {shown}<br>p1 = %{{x:.4f}}<br>p2 = %{{y:.4f}}<extra></extra>",
                meta={"role": "boxes_current", "method": run.method, "iteration": shown},
            ),
        ]
    figure = go.Figure(traces)
    axis = dict(range=[-0.02, 1.02], zeroline=False, dtick=0.1, tickformat=".1f", constrain="domain")
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(
            f"p1 and p2, iteration {int(iteration)}", "each point is one iteration; ringed: the one shown"
        ),
        xaxis=dict(axis, title="p1: box 1's probability of white"),
        yaxis=dict(axis, title="p2: box 2's probability of white", scaleanchor="x", scaleratio=1),
    )
    figure.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.18, yanchor="top"))
    return figure


def boxes_log_likelihood_figure(runs, iteration):
    """The log-likelihood of the rounds (equal-prior mixture of the two boxes) after each iteration of each run.

    Parameters
    ----------
    runs : sequence of gmm_core.TwoBoxesRun
    iteration : int >= 0

    Returns
    -------
    plotly.graph_objects.Figure
        Per run a "boxes_log_likelihood" line and a "boxes_log_likelihood_current" marker (meta ``method``).
    """
    traces = []
    for run in runs:
        color, dash, symbol = METHOD_STYLES[run.method]
        name = METHOD_NAMES[run.method]
        values = np.asarray(run.log_likelihood)
        shown = _shown(run, iteration)
        traces += [
            go.Scatter(
                x=np.arange(values.size),
                y=values,
                mode="lines+markers" if values.size <= _MARKER_LIMIT else "lines",
                line=dict(color=color, width=2, dash=dash),
                marker=dict(color=color, size=6, symbol=symbol),
                name=f"{name} ({_ending(run)})",
                legendgroup=run.method,
                hovertemplate=f"{name}<br>iteration %{{x}}<br>log-likelihood %{{y:.6g}}<extra></extra>",
                meta={"role": "boxes_log_likelihood", "method": run.method},
            ),
            go.Scatter(
                x=[shown],
                y=[values[shown]],
                mode="markers",
                marker=dict(color=color, size=13, symbol=symbol, line=dict(color="white", width=2)),
                name=f"{name} at iteration {shown}",
                legendgroup=run.method,
                showlegend=False,
                hovertemplate=f"{name}, iteration %{{x}}<br>log-likelihood %{{y:.6g}}<extra></extra>",
                meta={"role": "boxes_log_likelihood_current", "method": run.method},
            ),
        ]
    figure = go.Figure(traces)
    figure.add_vline(x=int(iteration), line=dict(color=CURRENT_COLOR, width=1, dash="dot"))
    last = max(run.n_iter for run in runs)
    y_range, start_left_out = log_likelihood_range(*(np.asarray(run.log_likelihood) for run in runs))
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(
            "Log-likelihood of the rounds",
            "the start lies below the range shown" if start_left_out else "under the equal-prior mixture of the boxes",
        ),
        xaxis=dict(title="iteration", range=[-0.5, max(last, 1) + 0.5], dtick=1 if last <= 12 else None),
        yaxis=dict(title="log-likelihood", zeroline=False, range=y_range, tickformat=".6~g"),
    )
    figure.update_layout(legend=dict(orientation="h", x=0, xanchor="left", y=-0.18, yanchor="top"))
    return figure
