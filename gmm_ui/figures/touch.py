"""Charts that take clicks: an invisible grid that turns a click anywhere on a plane into a selected point with data
coordinates, and the canvas on which the user draws a data set.

Plotly reports a click through ``st.plotly_chart(on_select=...)`` only as the selection of a point of a trace that
supports selection: a click on empty paper reports nothing, and neither does a Heatmap (it has no selectable
points). A Scattergl grid of invisible markers, one every ~1 % of each axis, does: the point nearest the click is
selected, and its coordinates are the click's to within half a cell. WebGL, because tens of thousands of SVG
markers would slow every redraw; the grid never changes, so the animated charts' frames never touch it.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..palette import component_colors
from .layout import BASE_LAYOUT, chart_title

#: Cells of the click catcher along each axis (a click lands within half a cell, 0.5 % of the axis, of its point).
CATCHER_CELLS = 100
CATCHER_ROLE = "click_catcher"


def click_catcher_trace(x_range, y_range, panel=0, axes=("x", "y"), cells=CATCHER_CELLS):
    """An invisible Scattergl grid over ``x_range`` x ``y_range``: a click on the plane selects its nearest point.

    Each point's ``customdata`` is ``panel``, so that a selection tells which plane of a chart was clicked.

    Returns
    -------
    dict
        A trace with ``meta.role`` "click_catcher", on the axes ``axes`` ("x", "y" for the first plane).
    """
    xs = np.linspace(*map(float, x_range), cells + 1)
    ys = np.linspace(*map(float, y_range), cells + 1)
    grid_x, grid_y = np.meshgrid(xs, ys)
    return dict(
        type="scattergl",
        x=grid_x.ravel(),
        y=grid_y.ravel(),
        customdata=np.full(grid_x.size, panel, dtype=np.int8),
        mode="markers",
        marker=dict(size=6, opacity=0),
        hoverinfo="none",
        showlegend=False,
        name="click catcher",
        xaxis=axes[0],
        yaxis=axes[1],
        meta=dict(role=CATCHER_ROLE, panel=panel),
    )


def _axis_name(axis_id, letter):
    """The layout attribute of axis id ``axis_id`` ("x", "x2"...): "xaxis", "xaxis2"..."""
    return f"{letter}axis{axis_id[1:]}"


def with_click_catchers(figure, planes):
    """``figure`` (changed in place and returned) taking clicks on each of ``planes``: a catcher over each, and no
    hover anywhere else (a data point or an outline nearer the click would otherwise be the point selected).

    Parameters
    ----------
    figure : plotly.graph_objects.Figure
        Its planes' axes have fixed ranges.
    planes : sequence of (str, str)
        The x and y axis ids of each plane ("x", "y"; "x2", "y2"...); plane p's catcher carries ``customdata`` p.

    The planes' axes keep their ranges exactly (``constrain="domain"``: equal units are kept by narrowing the plane,
    not by widening a range past the catcher).
    """
    for trace in figure.data:
        trace.hoverinfo = "skip"
        if "hovertemplate" in trace:
            trace.hovertemplate = None
    for panel, (x_axis, y_axis) in enumerate(planes):
        x_layout, y_layout = figure.layout[_axis_name(x_axis, "x")], figure.layout[_axis_name(y_axis, "y")]
        x_layout.constrain = y_layout.constrain = "domain"
        figure.add_trace(click_catcher_trace(x_layout.range, y_layout.range, panel, (x_axis, y_axis)))
    return figure


def catcher_panels(figure):
    """The number of planes of ``figure`` that take clicks."""
    return sum(1 for trace in figure.data if (trace.meta or {}).get("role") == CATCHER_ROLE)


def drawing_figure(points, labels, x_range, y_range, *, title, height_ratio=1.0):
    """The canvas of a drawn data set: its points coloured by cloud over a click catcher.

    Parameters
    ----------
    points : ndarray of shape (N, 2)
    labels : ndarray of shape (N,)
        Each point's cloud (0-based; the colours follow the components' palette).
    x_range, y_range : (float, float)
    title : str

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role`` "drawn_points" (one per cloud, ``meta.cloud`` its number) and "click_catcher".
    """
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    labels = np.asarray(labels, dtype=np.int64)
    clouds = np.unique(labels)
    colors = component_colors(max(int(clouds.max(initial=-1)) + 1, 1))
    traces = [
        dict(
            type="scatter",
            x=points[labels == cloud, 0],
            y=points[labels == cloud, 1],
            mode="markers",
            marker=dict(size=7, color=colors[int(cloud)], line=dict(width=0.5, color="white")),
            name=f"cloud {int(cloud) + 1}",
            hovertemplate=f"cloud {int(cloud) + 1}<br>(%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            meta=dict(role="drawn_points", cloud=int(cloud) + 1),
        )
        for cloud in clouds
    ]
    traces.append(click_catcher_trace(x_range, y_range, 0, cells=60))
    figure = go.Figure(traces)
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(title),
        xaxis=dict(title="x", range=list(x_range), zeroline=False, constrain="domain"),
        yaxis=dict(title="y", range=list(y_range), zeroline=False, scaleanchor="x", scaleratio=1, constrain="domain"),
        uirevision="drawing",
        showlegend=len(clouds) > 0,
    )
    return figure
