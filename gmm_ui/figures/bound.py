"""Why EM never goes down: the log-likelihood and the lower bound EM climbs, at every half step, in one small
figure."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..stages import half_step_label
from .layout import BASE_LAYOUT, log_likelihood_range

LOG_LIKELIHOOD_COLOR, BOUND_COLOR, CURRENT_COLOR = "#1F2933", "#D55E00", "#0072B2"
#: Up to this many half steps, every one gets a tick label ("1 · E-step"...); beyond, Plotly's own ticks.
MAX_LABELLED_POSITIONS = 12
#: Half steps the figure opens on around the one on screen, in a longer run (zoom out to see them all): over a
#: thousand, the E and M steps would be one line.
WINDOW = 40


def lower_bound_figure(bound, position, *, height=300):
    """The mean log-likelihood of the parameters on screen and the lower bound Q + H at each half step.

    Parameters
    ----------
    bound : gmm_core.LowerBound
        At half-step positions 0..2 n_iter (the bound is NaN at 0, before any E-step).
    position : int
        The half step on screen, marked on both curves.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role`` "log_likelihood", "lower_bound" and "current".
    """
    positions = np.arange(bound.bound.shape[0])
    labels = [half_step_label(p) for p in positions]
    after_e = positions % 2 == 1
    figure = go.Figure()
    figure.add_trace(
        dict(
            type="scatter",
            x=positions,
            y=bound.log_likelihood,
            mode="lines+markers",
            line=dict(color=LOG_LIKELIHOOD_COLOR, width=2, shape="hv"),
            marker=dict(size=5, color=LOG_LIKELIHOOD_COLOR),
            name="log-likelihood",
            customdata=labels,
            hovertemplate="%{customdata}<br>log-likelihood %{y:.6g}<extra></extra>",
            meta={"role": "log_likelihood"},
        )
    )
    figure.add_trace(
        dict(
            type="scatter",
            x=positions[1:],
            y=bound.bound[1:],
            mode="lines+markers",
            line=dict(color=BOUND_COLOR, width=2, dash="dot"),
            # Filled after an E-step (the bound touches), open after an M-step (it has risen, below the curve).
            marker=dict(size=8, color=BOUND_COLOR, symbol=np.where(after_e[1:], 0, 100).tolist()),
            name="lower bound Q + H",
            customdata=labels[1:],
            hovertemplate="%{customdata}<br>lower bound %{y:.6g}<extra></extra>",
            meta={"role": "lower_bound"},
        )
    )
    y = bound.log_likelihood[position]
    figure.add_trace(
        dict(
            type="scatter",
            x=[position],
            y=[y],
            mode="markers",
            marker=dict(size=14, color="rgba(0,0,0,0)", line=dict(color=CURRENT_COLOR, width=3)),
            name="on screen",
            hovertemplate=f"{labels[position]} (on screen)<extra></extra>",
            meta={"role": "current"},
        )
    )
    x_range, y_range = _ranges(bound, position)
    ticks = {}
    if positions.size <= MAX_LABELLED_POSITIONS:
        ticks = dict(tickvals=positions.tolist(), ticktext=[label.replace(" · ", "") for label in labels])
    figure.update_layout(
        **{
            **BASE_LAYOUT,
            "margin": dict(l=10, r=10, t=10, b=10),
            "legend": dict(orientation="h", x=0, y=1.0, yanchor="bottom", font=dict(size=12)),
        },
        height=height,
        xaxis=dict(title="half step", range=x_range, **ticks),
        yaxis=dict(title="per point", range=y_range, tickformat=".5~g", zeroline=False),
        uirevision="lower-bound",
    )
    return figure


def _ranges(bound, position):
    """The x and y ranges the figure opens on: every half step, or WINDOW of them around ``position``."""
    last = bound.bound.shape[0] - 1
    finite = np.isfinite(bound.bound)
    if last + 1 <= WINDOW:
        y_range, _ = log_likelihood_range(np.concatenate([bound.log_likelihood[:1], bound.bound[finite]]))
        return [-0.5, last + 0.5], y_range
    low = int(np.clip(position - WINDOW // 2, 0, last - WINDOW))
    shown = slice(low, low + WINDOW + 1)
    values = np.concatenate([bound.log_likelihood[shown], bound.bound[shown][finite[shown]]])
    spread = float(np.ptp(values))
    margin = 0.1 * spread if spread > 0 else 1e-6 * max(1.0, float(np.max(np.abs(values))))
    return [low - 0.5, low + WINDOW + 0.5], [float(values.min()) - margin, float(values.max()) + margin]
