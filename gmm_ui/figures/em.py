"""EM as an animation: every recorded stage in one figure, scrubbed in the browser (2-D data on a plane, 1-D data
as curves over a histogram), with the log-likelihood curve, a headline and the parameters beside it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gmm_core.geometry import covariance_ellipses
from gmm_core.metrics import density_1d, histogram_density

from ..palette import UNASSIGNED_COLOR, component_colors, hex_to_rgb, indexed_colors, mixed_rgb
from ..text import chart_text
from .frames import Animation, animated_figure, data_spread, mixture_shape, motion
from .layout import (
    WIDE_EM,
    WIDE_EM_LARGE,
    em_layout,
    legend_room,
    plane_axes,
    presented,
    stacked_em_areas,
    wide_em_areas,
    wrapped,
)
from .traces import (
    FRAME_CURVE_POINTS,
    FRAME_DENSITY_POINTS,
    FRAME_ELLIPSE_POINTS,
    MAX_LEGEND_COMPONENTS,
    PREVIOUS_STYLE,
    class_legend_traces,
    component_curve_trace,
    curve_groups,
    curves_updates,
    density_level_traces,
    density_level_updates,
    ellipse_trace,
    histogram_trace,
    indexed_points_trace,
    mean_traces,
    mixture_density_trace,
    outline_update,
    parameter_texts,
    parameter_texts_1d,
    picked_point_trace,
    picked_value_trace,
    plane_marginal,
    point_groups,
    rug_trace,
    traces_peak,
    true_classes,
    true_density_traces,
    truth_traces,
)

#: The parameters of every component are written beside the chart up to this many components (more: hover a mean).
PARAMETER_TEXT_MAX = 6
#: Points' hover names their most responsible component when points x frames stay within this (2 bytes each).
POINT_HOVER_BUDGET = 200_000
#: The title of a 2-D EM chart's parameter block, with the parameters written (True) or not.
_PLANE_BLOCK_TITLES = {
    True: "Parameters at this frame (hover a mean for Σ)",
    False: "Hover a mean for its component's π, μ and Σ at this frame",
}
#: Resolution per axis of the density drawn under the points of an animated chart (one grid per frame).
FRAME_DENSITY_RESOLUTION = 80


@dataclass(frozen=True, eq=False)
class EMFrame:
    """One stage of an EM animation: what the chart draws at one position of its slider.

    Attributes
    ----------
    name : str
        The frame's name, unique in its figure (the stage's position).
    label : str
        The slider's label of this stage ("12", "3 · E-step"...).
    params : GaussianMixtureParams
        The mixture whose ellipses and means are drawn.
    responsibilities : ndarray of shape (N, K), or None
        Responsibilities of the drawn points that colour them; None leaves them grey (nothing shared yet).
    previous : GaussianMixtureParams or None
        Where the ellipses were before an M-step (drawn faint and dotted); None draws none.
    iteration : int
        The iteration marked on the log-likelihood curve (that of ``params``).
    headline : str
        What the frame shows, written over the chart (plain text: it is escaped for Plotly).
    note : str
        A second, smaller line under the headline ("" for none; plain text).
    """

    name: str
    label: str
    params: object
    responsibilities: np.ndarray | None
    previous: object
    iteration: int
    headline: str
    note: str = ""


def strided_iterations(n_iter, max_frames, keep=()):
    """The iterations 0..``n_iter`` an animation of at most about ``max_frames`` frames shows, in order.

    All of them when they fit; otherwise every s-th iteration, always with the first and the last and the
    iterations in ``keep`` (those a user asked for).
    """
    stride = frame_stride(n_iter, max_frames)
    if stride == 1:
        return list(range(n_iter + 1))
    chosen = set(range(0, n_iter + 1, stride)) | {0, n_iter} | {i for i in keep if 0 <= i <= n_iter}
    return sorted(chosen)


def frame_stride(n_iter, max_frames):
    """Every how many iterations :func:`strided_iterations` keeps one (1: all of them)."""
    return 1 if n_iter + 1 <= max_frames else -(-n_iter // max(max_frames - 1, 1))


def frame_bytes_1d(n_components):
    """About how many bytes of arrays one frame of :func:`em_animation_1d_figure` carries (single precision)."""
    return 4 * (2 * (FRAME_CURVE_POINTS + 1) * n_components + FRAME_DENSITY_POINTS)


def em_animation_figure(
    points,
    frames,
    view,
    log_likelihood,
    *,
    active=0,
    converged_iteration=None,
    tol=None,
    n_stds=(1, 2),
    colors=None,
    truth=None,
    true_labels=None,
    class_names=None,
    show_density=False,
    slider_prefix="Iteration ",
    note=None,
    uirevision="em",
    play_speed="normal",
    picked=None,
    narrow=False,
    large_text=False,
    height=None,
):
    """EM stage by stage in one figure: Plotly's own slider and Play button move through ``frames`` in the browser.

    Each frame updates the point colours (responsibilities), the ellipses and means, the faint ellipses before an
    M-step, the log-likelihood marker, the headline and the parameter text; nothing goes back to the server, so a
    step is drawn in tens of milliseconds. Frames change trace data only (Plotly's ``redraw: False``, which does
    not apply layout changes), so everything that changes per frame is a trace.

    Parameters
    ----------
    points : array-like of shape (N, D)
        The points drawn (possibly a display subsample).
    frames : sequence of EMFrame
        At least one; every frame's mixture has the same number of components.
    view : PlaneView
    log_likelihood : array-like of shape (n_iter + 1,)
        Mean log-likelihood after each iteration (drawn in full; each frame marks its ``iteration``).
    active : int
        Index of the frame shown first (the figure's data are that frame's; the slider starts there).
    converged_iteration, tol : int or None, float or None
        Where the tolerance (``tol``) was met, marked on the curve.
    n_stds, colors, truth, true_labels, class_names : as for :func:`mixture_scatter_figure`
    show_density : bool
        Shade each frame's density under the points: filled outlines of its contour levels (traces with
        ``meta.role`` "fitted_density", one per level, lowest first).
    slider_prefix, note, uirevision : str
        Written before the slider's current label; a remark at the plane's top right (e.g. that some iterations are
        skipped; None for none); the key under which Plotly keeps the user's zoom.
    play_speed : str
        "slow", "normal" or "fast": the Play button's pace; each frame is shown as long as its mixture moves
        (see :func:`gmm_ui.figures.layout.play_sequence`).
    picked : (array of shape (D,), str), optional
        A picked point and its name ("row 17"): ringed in every frame (a trace with ``meta.role`` "picked").
    narrow : bool
        Laid out for a phone: one column (the headline, the plane, the log-likelihood curve, the parameter block),
        long texts wrapped, the slider under Play/Pause across the whole width; the figure sets its own height
        (``layout.height``), taller than wide.
    height : int, optional
        The chart's height (px) where it is shorter than usual (660): the parameter block writes fewer components.
    large_text : bool
        For presenting: every text at least 18 px (see :func:`gmm_ui.figures.layout.presented`), lines thicker,
        markers larger; the areas laid out for it (the parameters written for at most 4 components beside the
        plane, more hover).

    Returns
    -------
    plotly.graph_objects.Figure
        With one frame per entry of ``frames``, ``layout.sliders[0]`` with one step per frame (active at
        ``active``) and Play/Pause buttons. Traces carry ``meta.role`` as in :func:`mixture_scatter_figure`, plus
        "log_likelihood", "current", "headline" and "parameters"; the frames update the traces whose indices
        they list.
    """
    points = np.asarray(points, dtype=np.float64)
    frames = list(frames)
    active = int(np.clip(active, 0, len(frames) - 1))
    n_components = frames[0].params.n_components
    colors = colors or component_colors(n_components)
    log_likelihood = np.asarray(log_likelihood, dtype=np.float64)
    n_stds = sorted(n_stds)
    areas = _areas(n_components, narrow, large_text, height)
    parameter_text = n_components <= areas.block_rows

    animation = Animation()
    if show_density:
        animation.add_group(
            density_level_traces(), lambda p: density_level_updates(frames[p].params, view, FRAME_DENSITY_RESOLUTION)
        )
    _add_points(animation, points, frames, view, colors, point_groups(points.shape[0], true_labels, class_names))
    if true_labels is not None:
        animation.add_group(class_legend_traces(true_classes(true_labels, class_names)[1]))
    if truth is not None:
        animation.add_group(truth_traces(truth, view.pair, n_stds))
    _add_ellipses(animation, frames, view, n_stds, colors[:n_components])
    lines = (lambda params: parameter_texts(params, view.pair)[1]) if parameter_text else None
    _add_status(animation, frames, log_likelihood, colors[:n_components], lines, areas)
    if picked is not None:
        animation.add(picked_point_trace(picked[0], view, picked[1]))

    block_title = _PLANE_BLOCK_TITLES[parameter_text]
    texts = dict(slider_prefix=slider_prefix, note=note, uirevision=uirevision, block_title=block_title)
    texts.update(play_speed=play_speed, motion=motion([mixture_shape(f.params) for f in frames], data_spread(points)))
    figure = animated_figure(animation, [f.name for f in frames], active)
    areas = _legend_room(areas, figure, n_components, narrow, large_text)
    figure = em_layout(
        figure, plane_axes(view), frames, active, log_likelihood, converged_iteration, tol, areas, **texts
    )
    return presented(figure) if large_text else figure


def _areas(n_components, narrow, large_text, height=None):
    """The EMAreas of a chart of ``n_components`` (its legend's room is set later, see :func:`_legend_room`), beside
    its plane ``height`` px tall (None: its usual height)."""
    if narrow:
        written = n_components <= PARAMETER_TEXT_MAX
        return stacked_em_areas(max(n_components, 4) if written else 1, 0, large_text)
    return WIDE_EM_LARGE if large_text else wide_em_areas(height)


def _legend_room(areas, figure, n_components, narrow, large_text):
    """``areas`` with a top margin that holds the legend of ``figure`` (its entries counted, or with large text
    beside the plane, reckoned from their names), on a phone or with large text; the figure as much taller."""
    if not narrow:
        names = [trace.name or "" for trace in figure.data if trace.showlegend is not False]
        return legend_room(areas, names) if large_text else areas
    entries = sum(trace.showlegend is not False for trace in figure.data)
    written = n_components <= PARAMETER_TEXT_MAX
    return stacked_em_areas(max(n_components, 4) if written else 1, entries, large_text)


def _point_hover(responsibilities, n_points, *, detailed):
    """(customdata, hovertemplate) of the points: the most responsible component and its share, in whole percent.

    Not ``detailed``: no per-point data (it would double what each frame sends); the colour tells the story.
    """
    if responsibilities is None:
        return None, "(%{x:.3g}, %{y:.3g})<br>not yet shared among the components<extra></extra>"
    if not detailed:
        return (
            None,
            "(%{x:.3g}, %{y:.3g})<br>colour: the components' colours mixed by its responsibilities<extra></extra>",
        )
    owner = responsibilities.argmax(axis=1)
    share = np.rint(100 * responsibilities[np.arange(n_points), owner])
    return (
        np.column_stack([owner + 1, share]).astype(np.uint8),
        "(%{x:.3g}, %{y:.3g})<br>most responsible: component %{customdata[0]} (%{customdata[1]}%)<extra></extra>",
    )


def _add_points(animation, points, frames, view, colors, groups):
    """The points, one trace per group of ``groups`` (see :func:`point_groups`), coloured at each frame by its
    responsibilities: every frame's colours at once, one colour scale shared by all frames, each point an index
    into it. Callers keep the points few (data.ANIMATION_DISPLAY_LIMIT): SVG recolours about 10,000 points a
    second."""
    n_points = points.shape[0]
    grey = np.tile(hex_to_rgb(UNASSIGNED_COLOR), (n_points, 1))
    rgb = [grey if f.responsibilities is None else mixed_rgb(f.responsibilities, colors) for f in frames]
    color_indices, color_scale = indexed_colors(rgb)
    detailed = n_points * len(frames) <= POINT_HOVER_BUDGET

    def update(position):
        custom, template = _point_hover(frames[position].responsibilities, n_points, detailed=detailed)
        return [
            dict(
                type="scatter",
                marker=dict(color=color_indices[position][members]),
                hovertemplate=template,
                customdata=None if custom is None else custom[members],
            )
            for members, _, _ in groups
        ]

    traces = [
        indexed_points_trace(
            points[members], view, color_scale, name=name, hovertemplate="", symbol=symbol, drawn=n_points
        )
        for members, name, symbol in groups
    ]
    animation.add_group(traces, update)


def _add_ellipses(animation, frames, view, n_stds, colors):
    """Where each ellipse was before an M-step (empty in the frames without one), the ellipses at each of
    ``n_stds`` and the means, all moved by one update per frame."""
    n_components = len(colors)
    traces = [
        ellipse_trace(
            None,
            colors[k],
            name=f"Before the M-step: component {k + 1}",
            component=k,
            n_std=n_stds[0],
            legendgroup=f"previous_ellipse-{k}",
            **PREVIOUS_STYLE,
        )
        for k in range(n_components)
    ]
    traces += [
        ellipse_trace(
            None,
            colors[k],
            name=f"Component {k + 1}, {n_std}σ",
            role="ellipse",
            component=k,
            n_std=n_std,
            legendgroup=f"ellipse-{k}",
        )
        for n_std in n_stds
        for k in range(n_components)
    ]
    placeholders = np.zeros((n_components, 2))  # the shown frame's means replace them (animated_figure)
    traces += mean_traces(
        placeholders, colors, show_legend=n_components <= MAX_LEGEND_COMPONENTS, hovertemplate="%{text}<extra></extra>"
    )

    def update(position):
        f = frames[position]
        if f.previous is None:
            updates = [dict(type="scatter", x=[None], y=[None]) for _ in range(n_components)]
        else:
            updates = [outline_update(outline) for outline in _outlines(f.previous, view, n_stds[0])]
        for n_std in n_stds:
            updates += [outline_update(outline) for outline in _outlines(f.params, view, n_std)]
        means = plane_marginal(f.params, view.pair)[0]
        hovers, _ = parameter_texts(f.params, view.pair)
        return updates + [
            dict(type="scatter", x=[means[k, 0]], y=[means[k, 1]], text=[hovers[k]]) for k in range(n_components)
        ]

    animation.add_group(traces, update)


def _outlines(params, view, n_std):
    """The outlines (K, FRAME_ELLIPSE_POINTS, 2) of ``params``'s ellipses on the plane of ``view``."""
    means, covariances = plane_marginal(params, view.pair)
    return covariance_ellipses(means, covariances, n_std=float(n_std), n_points=FRAME_ELLIPSE_POINTS)


def _add_status(animation, frames, log_likelihood, colors, parameter_lines, areas=WIDE_EM):
    """The log-likelihood curve, its marker at each frame's iteration, the headline and, unless ``parameter_lines``
    is None (``parameter_lines(params)``: one line per component), the parameter block."""
    iterations = np.arange(log_likelihood.shape[0])
    animation.add(
        dict(
            type="scatter",
            x=iterations,
            y=log_likelihood,
            xaxis="x2",
            yaxis="y2",
            mode="lines+markers" if iterations.size <= 120 else "lines",
            line=dict(color="#1F2933", width=2),
            marker=dict(size=4, color="#1F2933"),
            name="log-likelihood",
            showlegend=False,
            hovertemplate="iteration %{x}<br>mean log-likelihood %{y:.5g}<extra></extra>",
            meta={"role": "log_likelihood"},
        )
    )
    animation.add(
        dict(
            type="scatter",
            xaxis="x2",
            yaxis="y2",
            mode="markers",
            marker=dict(color="#D55E00", size=13, line=dict(color="white", width=2)),
            name="shown",
            showlegend=False,
            hovertemplate="iteration %{x}<br>%{y:.5g}<extra></extra>",
            meta={"role": "current"},
        ),
        lambda p: dict(type="scatter", x=[frames[p].iteration], y=[log_likelihood[frames[p].iteration]]),
    )
    headline = _text_trace("x3", "y3", [0.5], 15, "#1F2933", "headline")
    if areas.headline_from_top:
        headline.update(y=[1.0], textposition="bottom right")
    animation.add(headline, lambda p: _headline(frames[p], areas.wrap))
    if parameter_lines is not None:
        n_components = len(colors)
        rows = max(n_components, min(4, areas.block_rows), areas.block_rows)
        animation.add(
            _text_trace(
                "x4", "y4", [1 - (k + 0.5) / rows for k in range(n_components)], 12, list(colors), "parameters"
            ),
            lambda p: dict(type="scatter", text=parameter_lines(frames[p].params)),
        )


def _text_trace(xaxis, yaxis, ys, size, color, role):
    """Lines of text at the left edge of hidden axes (``ys``: their heights), set by the frames."""
    return dict(
        type="scatter",
        x=[0] * len(ys),
        y=ys,
        xaxis=xaxis,
        yaxis=yaxis,
        mode="text",
        text=[""] * len(ys),
        textposition="middle right",
        textfont=dict(size=size, color=color),
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
        name=role,
        meta={"role": role},
    )


def _headline(f, wrap=None):
    """Frame ``f``'s headline and note, escaped for Plotly, on lines of at most about ``wrap`` characters (None: one
    line each)."""
    text = wrapped(chart_text(f.headline), wrap)
    if f.note:
        for line in wrapped(chart_text(f.note), wrap and round(wrap * 1.25)).split("<br>"):
            text += f"<br><span style='font-size:12px;color:#52606D'>{line}</span>"
    return dict(type="scatter", text=[text])


def em_animation_1d_figure(
    values,
    frames,
    x_range,
    log_likelihood,
    *,
    active=0,
    converged_iteration=None,
    tol=None,
    x_title="x",
    colors=None,
    truth=None,
    slider_prefix="Iteration ",
    note=None,
    uirevision="em",
    play_speed="normal",
    picked=None,
    rug_rows=None,
    narrow=False,
    large_text=False,
    height=None,
):
    """EM on 1-D data, stage by stage in one figure, scrubbed in the browser like :func:`em_animation_figure`.

    The data's histogram (as a density) stays; each frame updates every weighted component's curve, the
    mixture's density, the log-likelihood marker, the headline and the parameter text (with more than
    PARAMETER_TEXT_MAX components, each curve's hover text instead; with more than MAX_LEGEND_COMPONENTS, the
    hover names the component only).

    Parameters
    ----------
    values : array-like of shape (N,) or (N, 1)
    frames : sequence of EMFrame
        At least one; their mixtures have one feature and the same number of components (``responsibilities``
        and ``previous`` are not drawn).
    x_range : (float, float)
        The axis' range; the mixture's density is drawn over it.
    log_likelihood, active, converged_iteration, tol, colors, slider_prefix, note, uirevision, play_speed, narrow,
    large_text : as for :func:`em_animation_figure`
    x_title : str
    truth : GaussianMixtureParams or gmm_core.PiecewiseLinearDensity, optional
        The truth: its density drawn dashed and, for a mixture, its weighted components dotted.
    picked : (array of shape (1,), str), optional
        A picked value and its name: a dashed vertical line in every frame (``meta.role`` "picked").
    rug_rows : array of int, optional
        Rows of ``values`` (from 0) to draw as ticks along the axis, to click on (``meta.role`` "rug",
        ``customdata`` their row numbers from 1).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role``: "histogram", "component_density" (one per component, or with more than
        MAX_LEGEND_COMPONENTS one per colour; ``meta.components`` lists the components of each), "density",
        "true_density" and "true_component" (with ``truth``), then those of the log-likelihood panel as in
        :func:`em_animation_figure`.
        The y-axis is fixed (frames do not rescale it): up to the histogram's, the last frame's and the true
        density's peak, so a start's sharper peaks may reach past the top.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    frames = list(frames)
    active = int(np.clip(active, 0, len(frames) - 1))
    n_components = frames[0].params.n_components
    colors = colors or component_colors(n_components)
    log_likelihood = np.asarray(log_likelihood, dtype=np.float64)
    many = n_components > MAX_LEGEND_COMPONENTS
    areas = _areas(n_components, narrow, large_text, height)
    parameter_text = n_components <= areas.block_rows
    grid = np.linspace(x_range[0], x_range[1], FRAME_DENSITY_POINTS)
    edges, heights = histogram_density(values)
    truth_traces_1d = [] if truth is None else true_density_traces(truth, grid)

    animation = Animation()
    animation.add(histogram_trace(values, (edges, heights)))
    _add_curves(animation, frames, colors, many)
    animation.add(
        mixture_density_trace(grid),
        lambda p: dict(type="scatter", y=density_1d(frames[p].params, grid)[0].astype(np.float32)),
    )
    for trace in truth_traces_1d:
        animation.add(trace)
    lines = (lambda params: parameter_texts_1d(params)[1]) if parameter_text else None
    _add_status(animation, frames, log_likelihood, colors[:n_components], lines, areas)

    peaks = [heights.max(initial=0.0), density_1d(frames[-1].params, grid)[0].max(), traces_peak(truth_traces_1d)]
    top = 1.12 * max(peaks)
    if rug_rows is not None:
        animation.add(rug_trace(values[rug_rows], np.asarray(rug_rows) + 1))
    if picked is not None:
        animation.add(picked_value_trace(np.ravel(picked[0])[0], top / 1.12, picked[1]))
    axes = (
        dict(title=x_title, range=list(x_range), zeroline=False),
        dict(title="density", range=[0.0, top], zeroline=False),
    )
    block_title = _block_title_1d(n_components, parameter_text, many)
    texts = dict(slider_prefix=slider_prefix, note=note, uirevision=uirevision, block_title=block_title)
    texts.update(play_speed=play_speed, motion=motion([mixture_shape(f.params) for f in frames], data_spread(values)))
    figure = animated_figure(animation, [f.name for f in frames], active)
    areas = _legend_room(areas, figure, n_components, narrow, large_text)
    figure = em_layout(figure, axes, frames, active, log_likelihood, converged_iteration, tol, areas, **texts)
    return presented(figure) if large_text else figure


def _block_title_1d(n_components, parameter_text, many):
    """The title of a 1-D EM chart's parameter block: the parameters, or where to find them."""
    if parameter_text:
        return "Parameters at this frame"
    if many:
        return f"{n_components} components: hover a curve for its component's number"
    return "Hover a component's curve for its π, μ and σ at this frame"


def _add_curves(animation, frames, colors, many):
    """Each weighted component's curve (one trace per component, or per colour when ``many``), moved and, unless
    ``many`` (whose hover names the component only), given its component's parameters as hover text per frame."""
    groups = curve_groups(frames[0].params.n_components, colors)
    traces = []
    for index, members in enumerate(groups):
        trace = component_curve_trace(members, colors[members[0]], many=many, first=index == 0)
        if many:
            trace["customdata"] = np.repeat(np.asarray(members, dtype=np.int32) + 1, FRAME_CURVE_POINTS + 1)
            trace["hovertemplate"] = "component %{customdata}<br>x %{x:.3g}, π·N %{y:.3g}<extra></extra>"
        traces.append(trace)

    def update(position):
        params = frames[position].params
        curves = curves_updates(params, groups)
        if not many:
            hovers, _ = parameter_texts_1d(params)
            for curve, members in zip(curves, groups):
                curve["hovertemplate"] = hovers[members[0]]
        return curves

    animation.add_group(traces, update)
