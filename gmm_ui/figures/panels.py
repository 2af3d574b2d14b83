"""Fits side by side (two starts, covariance types, k-means and EM), scrubbed together under one slider: each panel
a mixture's ellipses and means or k-means' cells, circles and centroids (2-D), or curves or intervals over the
histogram (1-D)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gmm_core.geometry import covariance_ellipses, nearest_center_cells
from gmm_core.metrics import density_1d, histogram_density

from ..palette import UNASSIGNED_COLOR, component_colors, component_symbols, hex_to_rgb, indexed_colors, mixed_rgb
from ..text import chart_text
from .frames import Animation, animated_figure, data_spread, mixture_shape, motion
from .layout import axis_suffix, panel_grid, panels_layout, plane_axes, presented, wrapped
from .traces import (
    FRAME_DENSITY_POINTS,
    FRAME_ELLIPSE_POINTS,
    MAX_LEGEND_COMPONENTS,
    cell_traces,
    cells_update,
    circle_trace,
    class_legend_traces,
    class_symbol,
    component_curve_trace,
    curve_groups,
    curves_updates,
    ellipse_trace,
    histogram_trace,
    indexed_points_trace,
    markers_trace,
    markers_update,
    mixture_density_trace,
    outline_update,
    parameter_texts,
    plane_marginal,
    traces_peak,
    true_classes,
    true_density_traces,
    truth_traces,
)


@dataclass(frozen=True, eq=False)
class PanelStage:
    """What one panel of a side-by-side comparison draws at one position of the shared slider.

    A mixture panel has ``params`` (its ellipses and means) and ``responsibilities`` (the drawn points' colours, mixed
    from the components'); a k-means panel has ``centers``, ``radii`` (the circle reaching each cluster's farthest
    point) and ``labels`` (hard colours). ``status`` is the panel's line over its top edge (plain text).
    """

    status: str
    params: object = None
    responsibilities: np.ndarray | None = None
    centers: np.ndarray | None = None
    radii: np.ndarray | None = None
    labels: np.ndarray | None = None


def _on_panel(trace, panel):
    """``trace`` drawn on the axes of ``panel`` and tagged with it (``meta.panel``)."""
    suffix = axis_suffix(panel)
    trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
    trace.setdefault("meta", {})["panel"] = panel
    return trace


def _add(animation, traces, panel, update=None):
    """Add ``traces`` to ``panel`` (moved together by ``update``, as :meth:`Animation.add_group`)."""
    animation.add_group([_on_panel(trace, panel) for trace in traces], update)


class _PlaneGeometry:
    """What a stage draws on the plane, computed once per stage (stages repeat once a run has stopped): outlines,
    centers and their hover texts."""

    def __init__(self, view, n_stds):
        self.view, self.n_stds, self.cache = view, n_stds, {}

    def __call__(self, stage):
        key = id(stage)
        if key not in self.cache:
            self.cache[key] = self._kmeans(stage) if stage.centers is not None else self._mixture(stage)
        return self.cache[key]

    def _kmeans(self, stage):
        view = self.view
        centers = stage.centers[:, list(view.pair)]
        found = dict(centers=centers)
        if stage.centers.shape[1] == 2:
            found["circles"] = covariance_ellipses(
                centers, stage.radii[:, None, None] ** 2 * np.eye(2), n_std=1.0, n_points=FRAME_ELLIPSE_POINTS
            )
            # over the view and beyond: equal axis units widen one range to the panel's shape, and the
            # plot area clips what lies outside it
            span = max(np.ptp(view.x_range), np.ptp(view.y_range))
            found["cells"] = nearest_center_cells(
                centers,
                (view.x_range[0] - span, view.x_range[1] + span),
                (view.y_range[0] - span, view.y_range[1] + span),
            )
        return found

    def _mixture(self, stage):
        means, covariances = plane_marginal(stage.params, self.view.pair)
        hovers, _ = parameter_texts(stage.params, self.view.pair)
        outlines = {
            n_std: covariance_ellipses(means, covariances, n_std=float(n_std), n_points=FRAME_ELLIPSE_POINTS)
            for n_std in self.n_stds
        }
        return dict(means=means, hovers=hovers, outlines=outlines)


def panels_animation_figure(
    points,
    panels,
    view,
    positions,
    *,
    active=0,
    n_stds=(1, 2),
    colors=None,
    truth=None,
    true_labels=None,
    class_names=None,
    uirevision="panels",
    play_speed="normal",
    narrow=False,
    large_text=False,
    columns=None,
):
    """Several fits side by side (two starts, four covariance types, k-means and EM) under one slider and Play
    button of Plotly's own: every step is drawn in the browser.

    Each frame updates, in every panel, the point colours, the ellipses and means (mixture panels) or the cells,
    circles and centroids (k-means panels), and the panels' status lines. Everything is SVG: plotly.js does not
    draw WebGL traces again in frames that only change data, so the caller keeps the points few.

    Parameters
    ----------
    points : array-like of shape (n, D)
        The points every panel draws (a display sample).
    panels : sequence of sequences of PanelStage
        Per panel, its stage at each position (``len(positions)`` of them); every stage of a panel is of one kind.
    view : PlaneView
    positions : sequence of int
        The iteration of each position, for the slider's labels.
    active : int
        The position shown first.
    n_stds, colors, truth, true_labels, class_names, play_speed : as for :func:`em_animation_figure` (Play shows
        each position as long as the panel that moves most there moves)
    narrow : bool
        Laid out for a phone: one panel under the other, status lines wrapped, the slider under Play/Pause.
    large_text : bool
        For presenting: every text at least 18 px (see :func:`gmm_ui.figures.layout.presented`), lines thicker,
        markers larger, the bands between panels grown to match.
    columns : int, optional
        Panels to a row (4: the covariance types in one row, on a wide screen). None: two to a row in the caller's
        height, as before, unless ``narrow`` or ``large_text`` (then two). With any of the three the figure sets its
        own height (``layout.height``), every band sized in px.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces carry ``meta.role`` ("points", "ellipse", "mean", "cell", "circle", "centroid", "true_ellipse",
        "true_mean", "class_legend", "component_legend", "status") and ``meta.panel``; a panel's means (or
        centroids) are one trace; one frame per position, named by its iteration.
    """
    points = np.asarray(points, dtype=np.float64)
    panels = [list(stages) for stages in panels]
    active = int(np.clip(active, 0, len(positions) - 1))
    first = panels[0][0]
    n_components = first.params.n_components if first.params is not None else first.centers.shape[0]
    colors = colors or component_colors(n_components)
    n_stds = sorted(n_stds)
    geometry = _PlaneGeometry(view, n_stds)
    # Few traces: a frame costs plotly.js about a millisecond per trace it lists, so each panel draws its points as
    # one trace (the true classes as per-point symbols) and its means or centroids as one trace.
    classes, names = (None, None) if true_labels is None else true_classes(true_labels, class_names)
    symbol = 0 if classes is None else class_symbol(classes)
    color_indices, color_scale = _panel_colors(points.shape[0], panels, colors)

    animation = Animation()
    for panel, stages in enumerate(panels):
        kmeans = stages[0].centers is not None
        in_the_plane = kmeans and stages[0].centers.shape[1] == 2
        if in_the_plane:
            _add_cells(animation, panel, colors, lambda p, s=stages: geometry(s[p])["cells"], "region")
        shown = color_indices[panel * len(positions) : (panel + 1) * len(positions)]
        _add(animation, [_panel_points(points, view, color_scale, symbol)], panel, _recolor(shown))
        if truth is not None:
            traces = truth_traces(truth, view.pair, n_stds)
            for trace in traces:  # in the legend once
                trace["showlegend"] = trace.get("showlegend") is not False and panel == 0
            _add(animation, traces, panel)
        if kmeans:
            _add_kmeans_plane(animation, panel, stages, geometry, colors[:n_components], in_the_plane)
        else:
            _add_mixture_plane(animation, panel, stages, geometry, n_stds, colors[:n_components])
    if n_components <= MAX_LEGEND_COMPONENTS:  # the components' colours, once for all panels
        _add(animation, [_component_legend(colors[k], k) for k in range(n_components)], 0)
    if true_labels is not None:
        _add(animation, class_legend_traces(names), 0)
    # Equal units on both axes, kept by narrowing the panel rather than widening its ranges ("domain"): widened
    # ranges would be kept by the chart's uirevision from one drawing at another size to the next.
    return _panels_figure(
        animation,
        panels,
        positions,
        active,
        lambda suffix: plane_axes(view, suffix, constrain="domain"),
        uirevision,
        (play_speed, data_spread(points)),
        (narrow, large_text, columns),
    )


def _panel_colors(n_points, panels, colors):
    """Every stage's point colours as indices into one colour scale: a k-means stage's hard labels, a mixture
    stage's responsibilities (grey before any)."""
    palette_rgb = np.stack([hex_to_rgb(color) for color in colors])
    grey = np.tile(hex_to_rgb(UNASSIGNED_COLOR), (n_points, 1))

    def rgb(stage):
        if stage.labels is not None:
            return palette_rgb[np.asarray(stage.labels)]
        return grey if stage.responsibilities is None else mixed_rgb(stage.responsibilities, colors)

    return indexed_colors([rgb(stage) for stages in panels for stage in stages])


def _panel_points(points, view, color_scale, symbol):
    """A panel's points, all in one trace (``symbol``: each point's, or one for all)."""
    return indexed_points_trace(
        points, view, color_scale, name="Data", symbol=symbol, hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>"
    )


def _recolor(indices):
    """The update of a panel's points: their colours (``indices[position]``) at each position."""
    return lambda position: [dict(type="scatter", marker=dict(color=indices[position]))]


def _add_kmeans_plane(animation, panel, stages, geometry, colors, in_the_plane):
    """A k-means panel's circles (2-D data only) and centroids."""
    n_components = len(colors)
    if in_the_plane:
        _add(
            animation,
            [circle_trace(colors[k], k) for k in range(n_components)],
            panel,
            lambda p: [outline_update(circle) for circle in geometry(stages[p])["circles"]],
        )
    centroids = _centroid_markers(colors, "(%{x:.3g}, %{y:.3g})")
    _add(animation, [centroids], panel, lambda p: [markers_update(geometry(stages[p])["centers"])])


def _add_mixture_plane(animation, panel, stages, geometry, n_stds, colors):
    """A mixture panel's ellipses (at each of ``n_stds``) and means."""
    ellipses = [
        ellipse_trace(None, colors[k], name=f"Component {k + 1}, {n_std}σ", role="ellipse", component=k, n_std=n_std)
        for n_std in n_stds
        for k in range(len(colors))
    ]
    _add(
        animation,
        ellipses,
        panel,
        lambda p: [outline_update(outline) for n_std in n_stds for outline in geometry(stages[p])["outlines"][n_std]],
    )
    means = markers_trace(
        colors,
        name="Means",
        role="mean",
        symbol="circle",
        size=13,
        line_width=2,
        hovertemplate="%{text}<extra></extra>",
    )
    _add(
        animation,
        [means],
        panel,
        lambda p: [markers_update(geometry(stages[p])["means"], geometry(stages[p])["hovers"])],
    )


def _component_legend(color, k):
    """A legend entry (no data) for component ``k``'s colour."""
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="markers",
        marker=dict(color=color, size=13, symbol=component_symbols(k + 1)[k], line=dict(color="white", width=2)),
        name=f"Component {k + 1}",
        meta={"role": "component_legend", "component": k},
    )


def _add_cells(animation, panel, colors, cells_at, what):
    """A k-means panel's cells (``cells_at(position)``: each cluster's cell there), one trace per colour."""
    traces, members = cell_traces(colors, what)
    _add(animation, traces, panel, lambda p: [cells_update([cells_at(p)[k] for k in group]) for group in members])


def _panel_shape(stage):
    """What a panel shows of its fit at a stage, for :func:`gmm_ui.figures.frames.motion`."""
    return mixture_shape(stage.params) if stage.params is not None else np.asarray(stage.centers)


def _panels_figure(animation, panels, positions, active, panel_axes, uirevision, pace, shape=(False, False, None)):
    """The figure of side-by-side ``panels``: ``animation``'s traces, each panel's status line, its axes
    (``panel_axes(suffix)``: the x and y axis dicts), the frames and the slider; ``pace``: (the Play speed, the
    data's spread), Play showing each position as long as the panel that moves most there moves; ``shape``:
    (narrow, large text, columns), see :func:`panels_animation_figure`."""
    n_panels = len(panels)
    narrow, large_text, columns = shape
    if narrow:
        columns = 1
    elif columns is None and large_text:
        columns = 2
    wrap = None if columns is None else panel_grid(n_panels, columns, large_text).wrap
    for panel, stages in enumerate(panels):  # each panel's status line, on hidden axes over its top edge
        suffix = str(n_panels + panel + 1)
        status = dict(
            type="scatter",
            x=[0],
            y=[0.5],
            xaxis=f"x{suffix}",
            yaxis=f"y{suffix}",
            mode="text",
            text=[""],
            textposition="middle right",
            textfont=dict(size=13, color="#1F2933"),
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
            name="status",
            meta={"role": "status", "panel": panel},
        )
        animation.add(status, lambda p, s=stages: dict(type="scatter", text=[wrapped(chart_text(s[p].status), wrap)]))
    frames = [(str(iteration), str(iteration)) for iteration in positions]
    figure = animated_figure(animation, [name for name, _ in frames], active)
    play_speed, spread = pace
    moved = np.max([motion([_panel_shape(stage) for stage in stages], spread) for stages in panels], axis=0)
    grid = None
    if columns is not None:
        legend = [trace.name or "" for trace in figure.data if trace.showlegend is not False]
        grid = panel_grid(n_panels, columns, large_text, legend)
    figure = panels_layout(figure, n_panels, frames, active, panel_axes, uirevision, play_speed, list(moved), grid)
    return presented(figure) if large_text else figure


def panels_animation_1d_figure(
    values,
    panels,
    x_range,
    positions,
    *,
    active=0,
    x_title="x",
    colors=None,
    truth=None,
    uirevision="panels",
    play_speed="normal",
    narrow=False,
    large_text=False,
    columns=None,
):
    """:func:`panels_animation_figure` for 1-D data: each panel draws the data's histogram (every value, binned
    once); a mixture panel's frames move each weighted component's curve and the mixture's density, a k-means
    panel's its intervals (shaded, the 1-D cells) and centroids.

    Parameters
    ----------
    values : array-like of shape (N,) or (N, 1)
    panels : sequence of sequences of PanelStage
        As for :func:`panels_animation_figure` (no ``responsibilities``, ``labels`` or ``radii`` needed).
    x_range : (float, float)
    positions, active, uirevision, play_speed, narrow, large_text, columns : as for :func:`panels_animation_figure`
    x_title : str
    colors : sequence of K hex colours, optional
    truth : GaussianMixtureParams or gmm_core.PiecewiseLinearDensity, optional
        The truth, in every panel: its density dashed and, for a mixture, its weighted components dotted.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role`` "histogram", "component_density" (one per component, or one per colour with
        more than MAX_LEGEND_COMPONENTS), "density", "true_density", "true_component", "cell", "centroid",
        "status", and ``meta.panel``. Every panel's y-axis is fixed: up to the histogram's, the last frames' and
        the truth's peak.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    panels = [list(stages) for stages in panels]
    active = int(np.clip(active, 0, len(positions) - 1))
    first = panels[0][0]
    n_components = first.params.n_components if first.params is not None else first.centers.shape[0]
    colors = colors or component_colors(n_components)
    grid = np.linspace(x_range[0], x_range[1], FRAME_DENSITY_POINTS)
    binned = histogram_density(values)
    truth_traces_1d = [] if truth is None else true_density_traces(truth, grid)
    peaks = [binned[1].max(initial=0.0), traces_peak(truth_traces_1d)] + [
        density_1d(stages[-1].params, grid)[0].max() for stages in panels if stages[-1].params is not None
    ]
    top = 1.12 * max(peaks)

    animation = Animation()
    legend_panel = next((panel for panel, stages in enumerate(panels) if stages[0].params is not None), None)
    for panel, stages in enumerate(panels):
        if stages[0].centers is not None:
            _add_kmeans_line(animation, panel, stages, colors[:n_components], x_range, top, (values, binned))
            continue
        _add(animation, [dict(histogram_trace(values, binned), showlegend=panel == 0)], panel)
        legend = panel == legend_panel
        _add_mixture_line(animation, panel, stages, colors[:n_components], grid, legend=legend)
        if truth_traces_1d:
            # Copies, meta included: each panel tags its own (see _on_panel).
            copies = [dict(trace, showlegend=legend, meta=dict(trace["meta"])) for trace in truth_traces_1d]
            _add(animation, copies, panel)

    def line_axes(suffix):
        return (
            dict(title=x_title, range=list(x_range), zeroline=False),
            dict(title="density", range=[0.0, top], zeroline=False),
        )

    return _panels_figure(
        animation,
        panels,
        positions,
        active,
        line_axes,
        uirevision,
        (play_speed, data_spread(values)),
        (narrow, large_text, columns),
    )


def _add_kmeans_line(animation, panel, stages, colors, x_range, top, histogram):
    """A 1-D k-means panel: the intervals nearest each center (the 2-D cells of the centers on a line, over the
    height ``top``), the histogram (``histogram``: the values and their bins) and the centroids."""
    n_components = len(colors)
    cells = [
        nearest_center_cells(np.column_stack([stage.centers[:, 0], np.zeros(n_components)]), x_range, (0.0, top))
        for stage in stages
    ]
    _add_cells(animation, panel, colors, lambda p: cells[p], "interval")
    _add(animation, [dict(histogram_trace(*histogram), showlegend=panel == 0)], panel)
    centroids = _centroid_markers(colors, "x %{x:.3g}")
    _add(
        animation,
        [centroids],
        panel,
        lambda p: [markers_update(np.column_stack([stages[p].centers[:, 0], np.zeros(n_components)]))],
    )


def _add_mixture_line(animation, panel, stages, colors, grid, *, legend):
    """A 1-D mixture panel: each weighted component's curve (one per colour with many components) and the
    mixture's density along ``grid``; ``legend``: this panel's traces hold the legend's entries."""
    n_components = len(colors)
    many = n_components > MAX_LEGEND_COMPONENTS
    groups = curve_groups(n_components, colors)
    curves = [
        dict(
            component_curve_trace(members, colors[members[0]], many=many, first=index == 0),
            hoverinfo="name",
            showlegend=legend and (not many or index == 0),
        )
        for index, members in enumerate(groups)
    ]
    _add(animation, curves, panel, lambda p: curves_updates(stages[p].params, groups))
    _add(
        animation,
        [dict(mixture_density_trace(grid), showlegend=legend)],
        panel,
        lambda p: [dict(type="scatter", y=density_1d(stages[p].params, grid)[0].astype(np.float32))],
    )


def _centroid_markers(colors, position):
    """k-means' centroids as one trace of crosses, their hover naming each and its ``position`` (a hover format)."""
    return markers_trace(
        colors,
        name="Centroids",
        role="centroid",
        symbol="x",
        size=15,
        line_width=1.5,
        customdata=np.arange(1, len(colors) + 1),
        hovertemplate=f"Centroid %{{customdata}}<br>{position}<extra></extra>",
    )
