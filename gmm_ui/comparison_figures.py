"""Pure figure builders for comparisons: fits side by side under one slider (two starts, covariance types, k-means
and EM), many restarts, and BIC/AIC over K and types.

Like :mod:`gmm_ui.figures`, every trace carries ``meta={"role": ...}`` ("log_likelihood", "current", "restart",
"criterion", "criterion_minimum", "criterion_chosen", and those of :func:`panels_animation_figure`) for tests to
find.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gmm_core.geometry import covariance_ellipses, nearest_center_cells
from gmm_core.metrics import component_curves_1d, density_1d, histogram_density

from .figures import (
    BASE_LAYOUT,
    ELLIPSE_STYLES,
    FRAME_CURVE_POINTS,
    FRAME_DENSITY_POINTS,
    FRAME_ELLIPSE_POINTS,
    MAX_LEGEND_COMPONENTS,
    TRUE_LABEL_SYMBOLS,
    TRUTH_COLOR,
    _class_legend,
    _escape,
    _marginal,
    _outline,
    _parameter_texts,
    _points_trace,
    _truth_traces,
    _with_shown_frame,
    animation_controls,
    curve_groups,
    histogram_trace,
    joined_curves,
    log_likelihood_range,
)
from .palette import OKABE_ITO, UNASSIGNED_COLOR, component_colors, hex_to_rgb, indexed_colors, lightened, mixed_rgb

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


def _title(text, subtitle=None):
    return dict(
        text=text,
        x=0,
        xanchor="left",
        font=dict(size=15),
        subtitle=dict(text=subtitle, font=dict(size=11, color="#52606D")),
    )


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
        title=_title(
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
        title=_title(
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


def criterion_figure(n_components, covariance_types, values, *, criterion="BIC", chosen=None):
    """An information criterion against K, one line per covariance type, the minimum and the chosen model marked.

    As R's mclust draws its BIC plot, but on scikit-learn's scale, where lower is better.

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

    Returns
    -------
    plotly.graph_objects.Figure
        One "criterion" line per type (points carry ``customdata`` = [type, K], which clicks report), one
        "criterion_minimum" marker and, if ``chosen`` is given, one "criterion_chosen" ring.
    """
    n_components = np.asarray(n_components)
    values = np.asarray(values, dtype=np.float64)
    traces = []
    for row, covariance_type in enumerate(covariance_types):
        color, dash, symbol = TYPE_STYLES[covariance_type]
        traces.append(
            go.Scatter(
                x=n_components,
                y=values[row],
                mode="lines+markers",
                line=dict(color=color, width=2, dash=dash),
                marker=dict(color=color, size=9, symbol=symbol),
                customdata=[[covariance_type, int(k)] for k in n_components],
                name=covariance_type,
                hovertemplate=f"{covariance_type}, K = %{{x}}<br>{criterion} %{{y:,.1f}}<extra></extra>",
                meta={"role": "criterion", "covariance_type": covariance_type},
            )
        )
    row, column = np.unravel_index(np.nanargmin(values), values.shape)
    best_type, best_k = covariance_types[row], int(n_components[column])
    traces.append(
        go.Scatter(
            x=[best_k],
            y=[values[row, column]],
            mode="markers",
            marker=dict(color="rgba(0,0,0,0)", size=22, symbol="circle", line=dict(color="#1F2933", width=2.5)),
            name=f"lowest {criterion}",
            hovertemplate=f"lowest {criterion}<br>{best_type}, K = {best_k}: %{{y:,.1f}}<extra></extra>",
            meta={"role": "criterion_minimum"},
        )
    )
    if chosen is not None and chosen[0] in covariance_types and chosen[1] in n_components:
        row, column = list(covariance_types).index(chosen[0]), int(np.flatnonzero(n_components == chosen[1])[0])
        traces.append(
            go.Scatter(
                x=[chosen[1]],
                y=[values[row, column]],
                mode="markers",
                marker=dict(color="rgba(0,0,0,0)", size=30, symbol="square", line=dict(color=CURRENT_COLOR, width=2)),
                name="model shown",
                hoverinfo="skip",
                meta={"role": "criterion_chosen"},
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **BASE_LAYOUT,
        title=_title(
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


# --- Fits side by side, scrubbed together in the browser ---------------------------------------------------------


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


#: Paper fractions over each panel for its status line, and between rows for the x axis's labels above it.
_STATUS_BAND, _ROW_GAP = 0.06, 0.11


def _panel_axes(index, n_panels):
    """(x domain, y domain) of panel ``index`` of ``n_panels``: two to a row, top row first, rows of equal height,
    each panel under a band for its status line."""
    columns = 1 if n_panels == 1 else 2
    rows = -(-n_panels // columns)
    row, column = divmod(index, columns)
    x_domain = (0.0, 1.0) if columns == 1 else ((0.0, 0.46), (0.54, 1.0))[column]
    height = (1.0 - _STATUS_BAND - (rows - 1) * _ROW_GAP) / rows
    top = 1.0 - _STATUS_BAND - row * (height + _ROW_GAP)
    return x_domain, (max(top - height, 0.0), top)


class _Geometry:
    """What a stage draws on the plane, computed once per stage: outlines, centres and their hover texts."""

    def __init__(self, view, n_stds):
        self.view, self.n_stds, self.cache = view, n_stds, {}

    def __call__(self, stage):
        key = id(stage)
        if key not in self.cache:
            self.cache[key] = self._compute(stage)
        return self.cache[key]

    def _compute(self, stage):
        view = self.view
        if stage.centers is not None:
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
        means, covariances = _marginal(stage.params, view.pair)
        hovers, _ = _parameter_texts(stage.params, view.pair)
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
    view : figures.PlaneView
    positions : sequence of int
        The iteration of each position, for the slider's labels.
    active : int
        The position shown first.
    n_stds, colors, truth, true_labels, class_names : as for :func:`figures.em_animation_figure`

    Returns
    -------
    plotly.graph_objects.Figure
        Traces carry ``meta.role`` ("points", "ellipse", "mean", "cell", "circle", "centroid", "true_ellipse",
        "true_mean", "class_legend", "component_legend", "status") and ``meta.panel``; a panel's means (or
        centroids) are one trace; one frame per position, named by its iteration.
    """
    points = np.asarray(points, dtype=np.float64)
    panels = [list(stages) for stages in panels]
    n_positions = len(positions)
    active = int(np.clip(active, 0, n_positions - 1))
    first = panels[0][0]
    n_components = first.params.n_components if first.params is not None else first.centers.shape[0]
    colors = colors or component_colors(n_components)
    palette_rgb = np.stack([hex_to_rgb(color) for color in colors])
    grey = np.tile(hex_to_rgb(UNASSIGNED_COLOR), (points.shape[0], 1))
    n_stds = sorted(n_stds)
    in_the_plane = points.shape[1] == 2
    geometry = _Geometry(view, n_stds)

    def rgb(stage):
        if stage.labels is not None:
            return palette_rgb[np.asarray(stage.labels)]
        return grey if stage.responsibilities is None else mixed_rgb(stage.responsibilities, colors)

    color_indices, color_scale = indexed_colors([rgb(stage) for stages in panels for stage in stages])
    # Few traces: a frame costs plotly.js about a millisecond per trace it lists, so each panel draws its points as
    # one trace (the true classes as per-point symbols) and its means or centroids as one trace.
    symbols = 0
    if true_labels is not None:
        labels, classes = np.unique(np.asarray(true_labels), return_inverse=True)
        names = class_names if class_names is not None and len(class_names) == len(labels) else labels
        symbols = np.asarray(TRUE_LABEL_SYMBOLS)[classes % len(TRUE_LABEL_SYMBOLS)]

    traces, dynamic, updaters = [], [], []
    add = _adder(traces, dynamic, updaters)

    for panel, stages in enumerate(panels):
        offset = panel * n_positions
        kmeans = stages[0].centers is not None
        if kmeans and in_the_plane:
            _add_cells(add, panel, colors, lambda p, s=stages: geometry(s[p])["cells"], "region")
        trace = _points_trace(
            points,
            view,
            None,
            name="Data",
            symbol=symbols,
            hovertemplate="(%{x:.3g}, %{y:.3g})<extra></extra>",
            outline=False,
        )
        trace["type"] = "scatter"
        trace["marker"].update(colorscale=color_scale, cmin=0, cmax=max(1, len(color_scale) - 1), showscale=False)
        add(trace, panel, lambda p, o=offset: dict(type="scatter", marker=dict(color=color_indices[o + p])))
        if truth is not None:
            for trace in _truth_traces(truth, view.pair, n_stds):
                trace = trace.to_plotly_json()
                trace["showlegend"] = trace.get("showlegend") is not False and panel == 0
                add(trace, panel)
        if kmeans:
            if in_the_plane:
                for k in range(n_components):
                    add(
                        dict(
                            type="scatter",
                            x=[None],
                            y=[None],
                            mode="lines",
                            line=dict(color=colors[k], width=2),
                            name=f"Cluster {k + 1}: farthest point",
                            showlegend=False,
                            hoverinfo="name",
                            meta={"role": "circle", "component": k},
                        ),
                        panel,
                        lambda p, s=stages, k=k: _outline(geometry(s[p])["circles"][k], "scatter"),
                    )
            add(
                dict(
                    type="scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker=dict(color=colors[:n_components], size=15, symbol="x", line=dict(color="white", width=1.5)),
                    name="Centroids",
                    showlegend=False,
                    customdata=np.arange(1, n_components + 1),
                    hovertemplate="Centroid %{customdata}<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
                    meta={"role": "centroid"},
                ),
                panel,
                lambda p, s=stages: _markers(geometry(s[p])["centers"]),
            )
        else:
            for n_std in n_stds:
                dash, width = ELLIPSE_STYLES.get(n_std, ("solid", 1.5))
                for k in range(n_components):
                    add(
                        dict(
                            type="scatter",
                            x=[None],
                            y=[None],
                            mode="lines",
                            line=dict(color=colors[k], width=width, dash=dash),
                            name=f"Component {k + 1}, {n_std}σ",
                            showlegend=False,
                            hoverinfo="name",
                            meta={"role": "ellipse", "component": k, "n_std": n_std},
                        ),
                        panel,
                        lambda p, s=stages, k=k, n_std=n_std: _outline(geometry(s[p])["outlines"][n_std][k], "scatter"),
                    )
            add(
                dict(
                    type="scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker=dict(
                        color=colors[:n_components], size=13, symbol="circle", line=dict(color="white", width=2)
                    ),
                    name="Means",
                    showlegend=False,
                    hovertemplate="%{text}<extra></extra>",
                    meta={"role": "mean"},
                ),
                panel,
                lambda p, s=stages: _markers(geometry(s[p])["means"], geometry(s[p])["hovers"]),
            )
    if n_components <= MAX_LEGEND_COMPONENTS:  # the components' colours, once for all panels
        for k in range(n_components):
            add(
                dict(
                    type="scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker=dict(color=colors[k], size=13, symbol="circle", line=dict(color="white", width=2)),
                    name=f"Component {k + 1}",
                    meta={"role": "component_legend", "component": k},
                ),
                0,
            )
    if true_labels is not None:
        for trace in _class_legend(names):
            add(dict(trace.to_plotly_json(), type="scatter"), 0)

    def plane_axes(suffix):
        # Equal units on both axes, kept by narrowing the panel rather than widening its ranges ("domain"):
        # widened ranges would be kept by the chart's uirevision from one drawing at another size to the next.
        return (
            dict(title=view.x_title, range=list(view.x_range), zeroline=False, constrain="domain"),
            dict(
                title=view.y_title,
                range=list(view.y_range),
                zeroline=False,
                scaleanchor=f"x{suffix}",
                scaleratio=1,
                constrain="domain",
            ),
        )

    return _panels_figure(traces, dynamic, updaters, panels, positions, active, plane_axes, uirevision)


def _adder(traces, dynamic, updaters):
    """``add(trace, panel, updater=None)``: append ``trace`` to ``traces`` on the axes of ``panel``; with
    ``updater`` (its data at a position), list it among the ``dynamic`` traces that frames update."""

    def add(trace, panel, updater=None):
        suffix = "" if panel == 0 else str(panel + 1)
        trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
        trace.setdefault("meta", {})["panel"] = panel
        if updater is not None:
            dynamic.append(len(traces))
            updaters.append(updater)
        traces.append(trace)

    return add


def _panels_figure(traces, dynamic, updaters, panels, positions, active, panel_axes, uirevision):
    """The figure of side-by-side ``panels``: ``traces`` (those listed in ``dynamic`` updated at each position by
    ``updaters``), each panel's status line, its axes (``panel_axes(suffix)``: the x and y axis dicts), the frames
    and the slider."""
    n_panels, n_positions = len(panels), len(positions)
    domains = [_panel_axes(panel, n_panels) for panel in range(n_panels)]
    for panel, stages in enumerate(panels):  # each panel's status line, on hidden axes over its top edge
        suffix = str(n_panels + panel + 1)
        dynamic.append(len(traces))
        updaters.append(lambda p, s=stages: dict(type="scatter", text=[_escape(s[p].status)]))
        traces.append(
            dict(
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
        )
    frames = [(str(iteration), str(iteration)) for iteration in positions]
    updates = [[update(p) for update in updaters] for p in range(n_positions)]
    figure = _with_shown_frame(traces, dynamic, [name for name, _ in frames], updates, active)
    axes = {}
    for panel, (x_domain, y_domain) in enumerate(domains):
        suffix = "" if panel == 0 else str(panel + 1)
        xaxis, yaxis = panel_axes(suffix)
        axes[f"xaxis{suffix}"] = dict(xaxis, domain=list(x_domain), anchor=f"y{suffix}")
        axes[f"yaxis{suffix}"] = dict(yaxis, domain=list(y_domain), anchor=f"x{suffix}")
        status = str(n_panels + panel + 1)
        hidden = dict(visible=False, range=[0, 1], fixedrange=True)
        axes[f"xaxis{status}"] = dict(hidden, domain=list(x_domain), anchor=f"y{status}")
        axes[f"yaxis{status}"] = dict(
            hidden, domain=[y_domain[1] + 0.005, y_domain[1] + _STATUS_BAND - 0.01], anchor=f"x{status}"
        )
    figure.update_layout(
        **{
            **BASE_LAYOUT,
            "margin": dict(l=64, r=20, t=96, b=150),
            "legend": dict(
                orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", font=dict(size=12), traceorder="normal"
            ),
        },
        uirevision=uirevision,
        **axes,
        **animation_controls(frames, active, slider_prefix="Iteration "),
    )
    return figure


def panels_animation_1d_figure(
    values, panels, x_range, positions, *, active=0, x_title="x", colors=None, truth=None, uirevision="panels"
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
    positions, active, uirevision : as for :func:`panels_animation_figure`
    x_title : str
    colors : sequence of K hex colours, optional
    truth : GaussianMixtureParams, optional
        The generating mixture: its density drawn dashed in every panel.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role`` "histogram", "component_density" (one per component, or one per colour with
        more than MAX_LEGEND_COMPONENTS), "density", "true_density", "cell", "centroid", "status", and
        ``meta.panel``. Every panel's y-axis is fixed: up to the histogram's, the last frames' and the true
        density's peak.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    panels = [list(stages) for stages in panels]
    active = int(np.clip(active, 0, len(positions) - 1))
    first = panels[0][0]
    n_components = first.params.n_components if first.params is not None else first.centers.shape[0]
    colors = colors or component_colors(n_components)
    grid = np.linspace(x_range[0], x_range[1], FRAME_DENSITY_POINTS)
    binned = histogram_density(values)
    true_density = None if truth is None else density_1d(truth, grid)[0]
    peaks = [binned[1].max(initial=0.0)] + [
        density_1d(stages[-1].params, grid)[0].max() for stages in panels if stages[-1].params is not None
    ]
    if true_density is not None:
        peaks.append(true_density.max())
    top = 1.12 * max(peaks)
    groups = curve_groups(n_components, colors)
    traces, dynamic, updaters = [], [], []
    add = _adder(traces, dynamic, updaters)

    legend_panel = next((panel for panel, stages in enumerate(panels) if stages[0].params is not None), None)
    for panel, stages in enumerate(panels):
        kmeans = stages[0].centers is not None
        if kmeans:  # the intervals nearest each centre: the 2-D cells of the centres on a line, over the height
            cells = [
                nearest_center_cells(
                    np.column_stack([stage.centers[:, 0], np.zeros(n_components)]), x_range, (0.0, top)
                )
                for stage in stages
            ]
            _add_cells(add, panel, colors[:n_components], lambda p, c=cells: c[p], "interval")
        add(dict(histogram_trace(values, binned), showlegend=panel == 0), panel)
        if kmeans:
            add(
                dict(
                    type="scatter",
                    x=[None],
                    y=[None],
                    mode="markers",
                    marker=dict(color=colors[:n_components], size=15, symbol="x", line=dict(color="white", width=1.5)),
                    name="Centroids",
                    showlegend=False,
                    customdata=np.arange(1, n_components + 1),
                    hovertemplate="Centroid %{customdata}<br>x %{x:.3g}<extra></extra>",
                    meta={"role": "centroid"},
                ),
                panel,
                lambda p, s=stages: dict(type="scatter", x=s[p].centers[:, 0].copy(), y=np.zeros(n_components)),
            )
            continue
        for index, members in enumerate(groups):
            add(
                dict(
                    type="scatter",
                    mode="lines",
                    line=dict(color=colors[members[0]], width=2 if len(members) == 1 else 1),
                    name=f"Component {members[0] + 1} (π·N)" if len(members) == 1 else "Weighted components",
                    legendgroup=f"component-{index}",
                    hoverinfo="name",
                    showlegend=panel == legend_panel and (len(members) == 1 or index == 0),
                    meta={"role": "component_density", "components": members},
                ),
                panel,
                lambda p, s=stages, m=members: _curves_update(s[p].params, m),
            )
        add(
            dict(
                type="scatter",
                x=grid,
                mode="lines",
                line=dict(color="#1F2933", width=3),
                name="Mixture density",
                showlegend=panel == legend_panel,
                hovertemplate="x %{x:.3g}<br>p(x) %{y:.3g}<extra></extra>",
                meta={"role": "density"},
            ),
            panel,
            lambda p, s=stages: dict(type="scatter", y=density_1d(s[p].params, grid)[0].astype(np.float32)),
        )
        if true_density is not None:
            add(
                dict(
                    type="scatter",
                    x=grid,
                    y=true_density,
                    mode="lines",
                    line=dict(color=TRUTH_COLOR, width=2, dash="dash"),
                    name="True density",
                    showlegend=panel == legend_panel,
                    hovertemplate="x %{x:.3g}<br>true p(x) %{y:.3g}<extra></extra>",
                    meta={"role": "true_density"},
                ),
                panel,
            )

    def line_axes(suffix):
        return (
            dict(title=x_title, range=list(x_range), zeroline=False),
            dict(title="density", range=[0.0, top], zeroline=False),
        )

    return _panels_figure(traces, dynamic, updaters, panels, positions, active, line_axes, uirevision)


def _curves_update(params, members):
    """A frame's update of the curves of the components ``members`` (joined by gaps)."""
    xs, ys = component_curves_1d(params, FRAME_CURVE_POINTS)
    return dict(type="scatter", x=joined_curves(xs, members), y=joined_curves(ys, members))


def _add_cells(add, panel, colors, cells_at, what):
    """Add a k-means panel's cells, shaded in their clusters' colours, one trace per colour (``cells_at(position)``:
    the cells there): plotly.js fills each gap-separated piece of a "toself" trace by itself, so many clusters
    cost a frame a few traces, not one each."""
    by_color = {}
    for k, color in enumerate(colors):
        by_color.setdefault(color, []).append(k)
    for color, members in by_color.items():
        add(
            dict(
                type="scatter",
                x=[None],
                y=[None],
                mode="lines",
                fill="toself",
                fillcolor=lightened(color, 0.8),
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
                name=f"Cluster {members[0] + 1}'s {what}" if len(members) == 1 else f"Clusters' {what}s",
                meta={"role": "cell", "components": members},
            ),
            panel,
            lambda p, m=members: _joined_cells([cells_at(p)[k] for k in m]),
        )


def _joined_cells(cells):
    """A frame's update of cells drawn as one trace: each closed (its first corner repeated), NaN between; no
    corner at all: nothing drawn."""
    pieces = [np.vstack([cell, cell[:1], [np.nan, np.nan]]) for cell in cells if cell.shape[0]]
    if not pieces:
        return dict(type="scatter", x=[None], y=[None])
    return _outline(np.vstack(pieces)[:-1], "scatter")


def _markers(positions, texts=None):
    """A frame's update of a panel's means or centroids (one marker each)."""
    update = dict(type="scatter", x=positions[:, 0].copy(), y=positions[:, 1].copy())
    if texts is not None:
        update["text"] = texts
    return update
