"""Small multiples of one EM run: a grid of static panels on shared axes, one per chosen iteration (the lab's
figure of S2 at iterations 0, 1, 5, 10, 25 and 40), to read side by side or download as one image for slides.

Every trace carries ``meta`` with its ``role`` (as the other charts' traces), its ``panel`` (0, 1, ...) and the
``iteration`` that panel shows.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gmm_core import responsibilities
from gmm_core.metrics import density_1d, histogram_density

from ..palette import component_colors, mixed_colors
from .layout import BASE_LAYOUT, chart_title
from .traces import (
    MAX_LEGEND_COMPONENTS,
    component_curve_trace,
    ellipse_traces,
    histogram_trace,
    mean_traces,
    mixture_density_trace,
    plane_marginal,
    points_trace,
)

#: Panels per row (fewer when there are fewer panels).
GRID_COLUMNS = 3
#: Paper fractions between panels: across, and down (room for the next panel's title).
GRID_GAP_X, GRID_GAP_Y = 0.035, 0.09
#: Height of one row of panels on screen (px), and the margins around the grid.
GRID_ROW_HEIGHT = 275
GRID_MARGIN = dict(l=60, r=20, t=66, b=86)
#: The legend under the grid, centred: over the panels it would cover their titles, and the toolbar takes the top
#: right corner.
GRID_LEGEND = dict(
    orientation="h", x=0.5, xanchor="center", y=0, yref="container", yanchor="bottom", font=dict(size=12)
)
#: The downloaded image's width (px); its height keeps the on-screen proportions of the panels.
EXPORT_WIDTH = 1500


def grid_shape(n_panels):
    """(rows, columns) of a grid of ``n_panels`` panels, at most GRID_COLUMNS to a row."""
    columns = max(1, min(GRID_COLUMNS, n_panels))
    return -(-n_panels // columns), columns


def grid_height(n_panels):
    """The grid's height on screen (px)."""
    return grid_shape(n_panels)[0] * GRID_ROW_HEIGHT + GRID_MARGIN["t"] + GRID_MARGIN["b"]


def export_size(n_panels):
    """(width, height) in px of the downloaded image: EXPORT_WIDTH wide, panels as square as on screen."""
    rows, columns = grid_shape(n_panels)
    panel = EXPORT_WIDTH / columns
    return EXPORT_WIDTH, int(round(rows * panel * 0.95 + GRID_MARGIN["t"] + GRID_MARGIN["b"]))


def grid_domains(panel, n_panels):
    """(x domain, y domain) of panel number ``panel``: rows from the top, left to right."""
    rows, columns = grid_shape(n_panels)
    row, column = divmod(panel, columns)
    width = (1.0 - (columns - 1) * GRID_GAP_X) / columns
    height = (1.0 - (rows - 1) * GRID_GAP_Y) / rows
    left = column * (width + GRID_GAP_X)
    top = 1.0 - row * (height + GRID_GAP_Y)
    return (left, left + width), (max(top - height, 0.0), top)


def _on_panel(traces, panel, iteration):
    """``traces`` (dicts) drawn on panel ``panel``'s axes and tagged with it and its ``iteration``."""
    suffix = "" if panel == 0 else str(panel + 1)
    for trace in traces:
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        trace["meta"] = {**trace.get("meta", {}), "panel": panel, "iteration": int(iteration)}
    return traces


def _grid_layout(figure, iterations, axes, title):
    """Lay out one panel per iteration: ``axes(panel, suffix, first_column, last_row)`` gives its x and y axis
    dicts; the title over each panel says its iteration."""
    n_panels = len(iterations)
    rows, columns = grid_shape(n_panels)
    layout, annotations = {}, []
    for panel, iteration in enumerate(iterations):
        x_domain, y_domain = grid_domains(panel, n_panels)
        suffix = "" if panel == 0 else str(panel + 1)
        row, column = divmod(panel, columns)
        last_row = row == rows - 1 or panel + columns >= n_panels
        xaxis, yaxis = axes(panel, suffix, column == 0, last_row)
        layout[f"xaxis{suffix}"] = dict(xaxis, domain=list(x_domain), anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(yaxis, domain=list(y_domain), anchor=f"x{suffix}")
        annotations.append(
            dict(
                text=f"<b>Iteration {iteration}</b>",
                xref="paper",
                yref="paper",
                x=(x_domain[0] + x_domain[1]) / 2,
                y=y_domain[1],
                xanchor="center",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=14),
                name=f"panel {panel}",  # for tests to find
            )
        )
    figure.update_layout(
        **{**BASE_LAYOUT, "margin": GRID_MARGIN, "legend": GRID_LEGEND},
        title={**chart_title(title), "xref": "paper"},  # over the panels, not against the image's edge
        annotations=annotations,
        **layout,
    )
    return figure


def _outer_axis(outer, title):
    """An axis of a panel whose scale every panel shares: its title and tick labels only on the grid's outer edge
    (the bottom row, the left column)."""
    return dict(zeroline=False, title=title if outer else None, showticklabels=outer)


def iterations_grid_figure(points, run, iterations, view, *, n_stds=(1, 2), colors=None, title=""):
    """One panel per iteration of ``run``: the points coloured by their responsibilities under that iteration's
    mixture, its ellipses and its means, every panel on the same axes (the data's).

    Parameters
    ----------
    points : array-like of shape (N, D)
        The points drawn (possibly a display sample of the run's data).
    run : gmm_core.EMRun
    iterations : sequence of int
        The iterations shown, each in 0..run.n_iter, one panel each (rows of GRID_COLUMNS).
    view : PlaneView
        The two columns drawn and their ranges, shared by every panel.
    n_stds : iterable of int
        Each component's ellipse at these numbers of standard deviations.
    colors : sequence of K hex colours, optional
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
        Per panel, in order: "points", "ellipse" (K per entry of ``n_stds``) and "mean" (K) traces on that panel's
        axes (x, x2, x3, ...); the legend lists the components once.
    """
    points = np.asarray(points, dtype=np.float64)
    colors = colors or component_colors(run.weights.shape[1])
    traces = []
    for panel, iteration in enumerate(iterations):
        params = run.snapshot(iteration)
        shared = responsibilities(points, params)
        panel_traces = [
            points_trace(
                points,
                view,
                mixed_colors(shared, colors),
                name=f"Data, iteration {iteration}",
                hovertemplate=f"(%{{x:.3g}}, %{{y:.3g}})<br>iteration {iteration}<extra></extra>",
            )
        ]
        means, covariances = plane_marginal(params, view.pair)
        panel_traces += ellipse_traces(means, covariances, n_stds, colors)
        show_legend = panel == 0 and params.n_components <= MAX_LEGEND_COMPONENTS
        panel_traces += mean_traces(means, colors, show_legend=show_legend)
        traces += _on_panel(panel_traces, panel, iteration)

    def axes(panel, suffix, first_column, last_row):
        xaxis = dict(_outer_axis(last_row, view.x_title), range=list(view.x_range))
        yaxis = dict(_outer_axis(first_column, view.y_title), range=list(view.y_range))
        yaxis.update(scaleanchor=f"x{suffix}", scaleratio=1)  # a round Gaussian looks round in every panel
        if suffix:
            xaxis["matches"], yaxis["matches"] = "x", "y"
        return xaxis, yaxis

    return _grid_layout(go.Figure(traces), list(iterations), axes, title)


def iterations_grid_1d_figure(values, run, iterations, x_range, *, x_title="x", colors=None, title="", n_grid=300):
    """One panel per iteration of a 1-D ``run``: the data's histogram, each weighted component and the mixture's
    density at that iteration, every panel on the same axes.

    Parameters
    ----------
    values : array-like of shape (N,) or (N, 1)
    run : gmm_core.EMRun
        A one-feature fit.
    iterations : sequence of int
    x_range : tuple of float
    x_title, title : str
    colors : sequence of K hex colours, optional
    n_grid : int
        Points at which the densities are drawn.

    Returns
    -------
    plotly.graph_objects.Figure
        Per panel: "histogram", "component_density" (K) and "density" traces on that panel's axes.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    n_components = run.weights.shape[1]
    colors = colors or component_colors(n_components)
    binned = histogram_density(values)
    grid = np.linspace(x_range[0], x_range[1], n_grid)
    many = n_components > MAX_LEGEND_COMPONENTS
    traces, peak = [], float(np.max(binned[1]))
    for panel, iteration in enumerate(iterations):
        total, per_component = density_1d(run.snapshot(iteration), grid)
        peak = max(peak, float(np.max(total)))
        panel_traces = [histogram_trace(values, binned)]
        panel_traces += [
            component_curve_trace([k], colors[k], many=many, first=panel == 0 and k == 0, x=grid, y=component)
            for k, component in enumerate(per_component)
        ]
        panel_traces.append(mixture_density_trace(grid, total))
        for trace in panel_traces:
            trace["showlegend"] = panel == 0 and trace.get("showlegend", True)
        traces += _on_panel(panel_traces, panel, iteration)

    def axes(panel, suffix, first_column, last_row):
        xaxis = dict(_outer_axis(last_row, x_title), range=list(x_range))
        yaxis = dict(_outer_axis(first_column, "density"), range=[0.0, 1.05 * peak])
        if suffix:
            xaxis["matches"], yaxis["matches"] = "x", "y"
        return xaxis, yaxis

    return _grid_layout(go.Figure(traces), list(iterations), axes, title)
