"""Pure figure builders: fit results in, ``plotly.graph_objects.Figure`` out (no Streamlit, testable headless).

Every trace carries ``meta={"role": ...}`` ("points", "ellipse", "previous_ellipse", "mean", "true_ellipse",
"true_mean", "fitted_density", "log_likelihood", "current", "histogram", "density", "component_density",
"true_density", "region", "circle", "centroid", "samples") so that tests, in Python or in the browser, can find
what they look for.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from gmm_core import covariance_to_std_corr
from gmm_core.geometry import covariance_ellipses, level_set_outlines
from gmm_core.metrics import component_curves_1d, density_1d, density_on_grid, histogram_density

from .palette import (
    DENSITY_SCALE,
    TRUTH_COLOR,
    UNASSIGNED_COLOR,
    component_colors,
    hex_strings,
    hex_to_rgb,
    indexed_colors,
    mixed_colors,
    mixed_rgb,
)

#: Above this many points, the static charts' scatter traces use WebGL (SVG costs seconds per redraw at tens of
#: thousands, and zooming large SVG scatters is slow). The animated charts stay SVG at any size: plotly.js does not
#: draw WebGL traces again in frames that only change data (see em_animation_figure).
WEBGL_THRESHOLD = 1000
#: Line style of the ellipse at 1, 2 and 3 standard deviations: the inner one reads as the component's core.
ELLIPSE_STYLES = {1: ("solid", 2.6), 2: ("dash", 1.8), 3: ("dot", 1.5)}
#: Marker symbols for true labels, as Plotly's numeric codes (circle, square, diamond, cross, x, triangle-up; all
#: available in WebGL). Codes, not names: Plotly validates a list of names one by one, slowly.
TRUE_LABEL_SYMBOLS = (0, 1, 2, 3, 4, 5)
#: Legends with more entries than this are dropped: a hundred swatches explain nothing.
MAX_LEGEND_COMPONENTS = 12

BASE_LAYOUT = dict(
    template="plotly_white",
    margin=dict(l=10, r=10, t=48, b=10),
    # Beside the plot: charts with equal axis scales rarely use their full width, and below it a legend
    # collides with the axis title.
    legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02, font=dict(size=12)),
    hoverlabel=dict(namelength=-1),
)


@dataclass(frozen=True)
class PlaneView:
    """The two data columns drawn and their fixed axis ranges.

    Ranges are fixed by the data, not by the ellipses, so that scrubbing through iterations never rescales
    the picture under the user's eyes.

    Attributes
    ----------
    pair : tuple of int
        Indices (i, j) of the columns on the x and y axes.
    x_title, y_title : str
    x_range, y_range : tuple of float
    """

    pair: tuple
    x_title: str
    y_title: str
    x_range: tuple
    y_range: tuple


def padded_range(values, padding=0.08):
    """(low, high) of ``values`` widened by ``padding`` of their span on each side (a flat column gets +-1)."""
    low, high = float(np.min(values)), float(np.max(values))
    margin = (high - low) * padding if high > low else 1.0
    return low - margin, high + margin


def plane_view(points, feature_names, pair=(0, 1)):
    """The :class:`PlaneView` of columns ``pair`` of ``points`` (N, D), with axis ranges from the data."""
    i, j = pair
    return PlaneView(
        pair=(i, j),
        x_title=feature_names[i],
        y_title=feature_names[j],
        x_range=padded_range(points[:, i]),
        y_range=padded_range(points[:, j]),
    )


def _marginal(params, pair):
    """Means (K, 2) and covariances (K, 2, 2) of the components on the two columns ``pair`` (their marginals)."""
    plane = params.marginal(pair)
    return plane.means, plane.covariances


def _points_trace(
    points, view, colors, *, name, hovertemplate, customdata=None, symbol=0, role="points", drawn=None, outline=True
):
    """A trace of points coloured one by one, as a plain dict; ``drawn`` is how many points the whole chart draws
    (this trace's by default), which sets the marker size and, above WEBGL_THRESHOLD, WebGL. ``outline``: a thin
    white ring round each marker (up to 2,000 points), left out of the animated charts: each frame restyles every
    marker, and the ring's stroke was a quarter of that work (9 of 36 ms a step for 1,000 points, measured).

    A dict, not a ``go.Scatter``: Plotly checks every colour of a long list each time it builds a graph object,
    and a dict handed to ``go.Figure`` is checked once (20,000 points: ~0.2 s instead of ~0.4 s).
    """
    n_points = points.shape[0] if drawn is None else drawn
    i, j = view.pair
    return dict(
        type="scattergl" if n_points > WEBGL_THRESHOLD else "scatter",
        x=points[:, i],
        y=points[:, j],
        mode="markers",
        marker=dict(
            color=colors,
            symbol=symbol,
            size=_marker_size(n_points),
            opacity=0.85,
            line=dict(width=0.4 if outline and n_points <= 2000 else 0, color="white"),
        ),
        customdata=customdata,
        hovertemplate=hovertemplate,
        name=name,
        showlegend=False,
        meta={"role": role},
    )


def _marker_size(n_points):
    return 7 if n_points <= 500 else 5 if n_points <= 5000 else 3


def _plane_layout(figure, view, title, uirevision):
    figure.update_layout(
        **BASE_LAYOUT,
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        uirevision=uirevision,
        xaxis=dict(title=view.x_title, range=list(view.x_range), zeroline=False),
        # Equal units on both axes: a round Gaussian must look round, an ellipse's tilt must be its real tilt.
        yaxis=dict(title=view.y_title, range=list(view.y_range), zeroline=False, scaleanchor="x", scaleratio=1),
    )
    return figure


def legend_inside(figure):
    """Legend in the plot's top-right corner: a 1-D chart has no spare width beside it."""
    figure.update_layout(legend=dict(x=0.99, xanchor="right", y=0.99, yanchor="top", bgcolor="rgba(255,255,255,0.8)"))


def _class_legend(class_names):
    """Legend-only entries (no points) showing which marker shape is which true class."""
    return [
        go.Scatter(
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(color=TRUTH_COLOR, size=9, symbol=TRUE_LABEL_SYMBOLS[c % len(TRUE_LABEL_SYMBOLS)]),
            name=f"True class: {name}",
            legendgroup="truth",
            meta={"role": "class_legend"},
        )
        for c, name in enumerate(class_names)
    ]


def _ellipse_traces(means, covariances, n_stds, colors, *, role, name_prefix):
    traces = []
    for n_std in sorted(n_stds):
        dash, width = ELLIPSE_STYLES.get(n_std, ("solid", 1.5))
        outlines = covariance_ellipses(means, covariances, n_std=float(n_std))
        for k, outline in enumerate(outlines):
            traces.append(
                go.Scatter(
                    x=outline[:, 0],
                    y=outline[:, 1],
                    mode="lines",
                    line=dict(color=colors[k], width=width, dash=dash),
                    name=f"{name_prefix} {k + 1}, {n_std}σ",
                    legendgroup=f"{role}-{k}",
                    showlegend=False,
                    hoverinfo="name",
                    meta={"role": role, "component": k, "n_std": n_std},
                )
            )
    return traces


def _mean_traces(means, colors, *, show_legend):
    return [
        go.Scatter(
            x=[mean[0]],
            y=[mean[1]],
            mode="markers",
            marker=dict(color=colors[k], size=14, symbol="circle", line=dict(color="white", width=2)),
            name=f"Component {k + 1}",
            legendgroup=f"ellipse-{k}",
            showlegend=show_legend,
            hovertemplate=f"Component {k + 1} mean<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
            meta={"role": "mean", "component": k},
        )
        for k, mean in enumerate(means)
    ]


def _previous_ellipse_traces(previous, pair, n_std, colors):
    means, covariances = _marginal(previous, pair)
    traces = _ellipse_traces(
        means, covariances, (n_std,), colors, role="previous_ellipse", name_prefix="Before the M-step: component"
    )
    for trace in traces:  # a faint trace of where each ellipse was: the eye reads the move, not a second fit
        trace.line.dash = "dot"
        trace.line.width = 1.2
        trace.opacity = 0.55
    return traces


def _truth_traces(truth, pair, n_stds):
    means, covariances = _marginal(truth, pair)
    grey = [TRUTH_COLOR] * truth.n_components
    traces = _ellipse_traces(means, covariances, n_stds, grey, role="true_ellipse", name_prefix="True component")
    for trace in traces:  # thin and grey: the truth is a reference, the fit is the subject
        trace.line.dash = "dashdot"
        trace.line.width = 1.2
        trace.opacity = 0.75
        trace.legendgroup = "truth"
    traces.append(
        go.Scatter(
            x=means[:, 0],
            y=means[:, 1],
            mode="markers",
            marker=dict(color=TRUTH_COLOR, size=12, symbol="x-thin", line=dict(color=TRUTH_COLOR, width=3)),
            name="Truth",
            legendgroup="truth",
            hovertemplate="True mean<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
            meta={"role": "true_mean"},
        )
    )
    return traces


def _square_grid(view, resolution):
    """Grid axes (each of ``resolution`` nodes) covering the view whatever its aspect ratio.

    Square in data units: with equal axis scales Plotly widens the shorter range, so the grid covers the longer.

    Returns
    -------
    xs, ys : ndarray of shape (resolution,)
    """
    x_mid, y_mid = np.mean(view.x_range), np.mean(view.y_range)
    half = 0.75 * max(np.ptp(view.x_range), np.ptp(view.y_range))
    return (np.linspace(x_mid - half, x_mid + half, resolution), np.linspace(y_mid - half, y_mid + half, resolution))


#: Decades of density the shading spans below its peak: a mixture's density falls by orders of magnitude between
#: its components, and on a linear scale only the peaks (hidden under the points) would be shaded.
DENSITY_DECADES = 3.0
#: Contour levels of the shading per factor of ten in density.
DENSITY_LEVELS_PER_DECADE = 4
#: Contour levels of the animated shading (one filled shape each).
_DENSITY_LEVELS = int(DENSITY_DECADES * DENSITY_LEVELS_PER_DECADE)


def _log_density_grid(params, view, resolution):
    """log10 of the mixture's density on the plane of ``view`` (its marginal there) at the nodes of the square grid
    (xs, ys), and its peak (0 when it underflows everywhere); a density that underflows to 0 is -inf."""
    xs, ys = _square_grid(view, resolution)
    with np.errstate(divide="ignore"):
        log_density = np.log10(density_on_grid(params.marginal(view.pair), xs, ys))
    finite = log_density[np.isfinite(log_density)]
    return xs, ys, log_density, float(finite.max()) if finite.size else 0.0


def density_trace(params, view, *, resolution=120, levels_per_decade=DENSITY_LEVELS_PER_DECADE):
    """Filled contours of the mixture's density on the plane of ``view`` (its marginal there), to draw under points.

    Shaded on a logarithmic scale, from the peak down ``DENSITY_DECADES`` decades (lower densities stay white),
    so that the tails between and around the components are visible, not only the peaks.

    Parameters
    ----------
    params : GaussianMixtureParams
        In D >= 2 dimensions; the density drawn is that of the marginal on ``view.pair``.
    view : PlaneView
    resolution : int
        Grid nodes per axis.
    levels_per_decade : int
        Contour levels per factor of ten in density.

    Returns
    -------
    plotly.graph_objects.Contour
        With ``meta={"role": "fitted_density"}``; ``z`` (shape (resolution, resolution)) is log10 of the density.
    """
    xs, ys, log_density, peak = _log_density_grid(params, view, resolution)
    floor = peak - DENSITY_DECADES
    step = 1.0 / levels_per_decade
    return go.Contour(
        x=xs,
        y=ys,
        z=np.clip(log_density, floor - step, peak),
        colorscale=DENSITY_SCALE,
        zmin=floor,
        zmax=peak,
        autocontour=False,
        contours=dict(start=floor, end=peak, size=step, coloring="fill"),
        line=dict(width=0.5, color="rgba(60, 80, 110, 0.25)"),
        showscale=False,
        hoverinfo="skip",  # the points' own hover text is what matters
        name="Fitted density",
        meta={"role": "fitted_density"},
    )


def mixture_scatter_figure(
    points,
    responsibilities,
    params,
    view,
    *,
    n_stds=(1, 2),
    colors=None,
    truth=None,
    true_labels=None,
    class_names=None,
    previous_params=None,
    show_density=False,
    title="",
    uirevision="mixture",
):
    """Points shaded by their responsibilities, with each component's mean and ellipses.

    Parameters
    ----------
    points : array-like of shape (N, D)
        The points drawn (possibly a display subsample of the data).
    responsibilities : array-like of shape (N, K), or None
        Rows of the drawn points; each point's colour mixes the component colours with these weights. None
        draws every point in one neutral colour (before the first E-step nothing is shared yet).
    params : GaussianMixtureParams
        The mixture at the iteration shown, in D dimensions; the ellipses are the marginals on ``view.pair``.
    view : PlaneView
    n_stds : iterable of int
        Draw each component's ellipse at these numbers of standard deviations (Mahalanobis radius).
    colors : sequence of K hex colours, optional
        Defaults to :func:`gmm_ui.palette.component_colors`.
    truth : GaussianMixtureParams, optional
        Generating mixture, drawn dashed in grey with its means as crosses.
    true_labels : array-like of shape (N,), optional
        True classes of the drawn points, shown as marker shapes (one points trace per class).
    class_names : sequence of str, optional
        Names of the true classes in sorted label order, for the legend.
    previous_params : GaussianMixtureParams, optional
        The mixture one step before, drawn as faint dotted ellipses (at the smallest of ``n_stds``) so that an
        M-step's move is visible.
    show_density : bool
        Draw the mixture's density (on this plane) as filled contours under the points.
    title : str
    uirevision : str
        Plotly keeps the user's zoom while this stays the same (set it per data set).

    Returns
    -------
    plotly.graph_objects.Figure
        Traces in drawing order: the density (if asked), points (one trace, or one per true class followed by
        legend entries), truth (if any), previous ellipses (if any), ellipses (K per entry of ``n_stds``),
        means (K).
    """
    points = np.asarray(points, dtype=np.float64)
    colors = colors or component_colors(params.n_components)
    if responsibilities is None:
        point_colors = np.full(points.shape[0], UNASSIGNED_COLOR)
        hover_data = None
        hovertemplate = "(%{x:.3g}, %{y:.3g})<br>not yet shared among the components<extra></extra>"
    else:
        responsibilities = np.asarray(responsibilities, dtype=np.float64)
        owner = responsibilities.argmax(axis=1)
        point_colors = np.array(mixed_colors(responsibilities, colors))
        hover_data = np.column_stack([owner + 1, responsibilities[np.arange(points.shape[0]), owner]])
        hovertemplate = (
            "(%{x:.3g}, %{y:.3g})<br>most responsible: component %{customdata[0]} (%{customdata[1]:.0%})<extra></extra>"
        )
    traces = [density_trace(params, view)] if show_density else []
    if true_labels is None:
        traces.append(
            _points_trace(points, view, point_colors, name="Data", hovertemplate=hovertemplate, customdata=hover_data)
        )
    else:
        # One trace per true class, each with its own marker shape (a scalar symbol: cheap to draw and check).
        labels, classes = np.unique(np.asarray(true_labels), return_inverse=True)
        names = class_names if class_names is not None and len(class_names) == len(labels) else labels
        traces += [
            _points_trace(
                points[classes == c],
                view,
                point_colors[classes == c],
                name=f"True class: {names[c]}",
                hovertemplate=hovertemplate,
                customdata=None if hover_data is None else hover_data[classes == c],
                symbol=TRUE_LABEL_SYMBOLS[c % len(TRUE_LABEL_SYMBOLS)],
                drawn=points.shape[0],
            )
            for c in range(len(labels))
        ]
        traces += _class_legend(names)
    if truth is not None:
        traces += _truth_traces(truth, view.pair, n_stds)
    if previous_params is not None:
        traces += _previous_ellipse_traces(previous_params, view.pair, min(n_stds, default=1), colors)
    means, covariances = _marginal(params, view.pair)
    traces += _ellipse_traces(means, covariances, n_stds, colors, role="ellipse", name_prefix="Component")
    traces += _mean_traces(means, colors, show_legend=params.n_components <= MAX_LEGEND_COMPONENTS)
    return _plane_layout(go.Figure(traces), view, title, uirevision)


def log_likelihood_range(*curves):
    """A y-range for one or more curves, and whether it leaves a start out; None when Plotly's own range reads fine.

    A bad start can sit tens of units below everything after it: on a range that includes it, the approach to
    convergence (the interesting part) is a flat line, so the range then covers the later iterations only.
    Curves that barely move get a small fixed span instead of tick labels with fifteen digits.

    Parameters
    ----------
    *curves : ndarray of shape (n_iter + 1,)
        Mean log-likelihood after each iteration of each run drawn on the same axes.

    Returns
    -------
    y_range : list of two floats, or None
    start_left_out : bool
    """
    values = np.concatenate(curves)
    scale = max(1.0, float(np.max(np.abs(values))))
    if np.ptp(values) < 1e-9 * scale:
        middle = float(np.mean(values))
        return [middle - 1e-3 * scale, middle + 1e-3 * scale], False
    later = np.concatenate([curve[1:] for curve in curves])
    if later.size < 2:
        return None, False
    spread = float(np.ptp(later))
    if later.min() - min(curve[0] for curve in curves) <= 50 * max(spread, 1e-12):
        return None, False
    margin = 0.15 * spread if spread > 0 else 1e-3 * scale
    return [float(later.min()) - margin, float(later.max()) + margin], True


def histogram_trace(values, binned=None):
    """The histogram of 1-D ``values`` as a density (area 1), binned here (every value counts, and only the bins
    are sent), drawn as a filled step line rather than bars: an animation frame that redraws only the traces it
    lists removes the bars of a bar trace it does not list. ``binned`` is ``histogram_density(values)`` if known."""
    edges, heights = histogram_density(values) if binned is None else binned
    return dict(
        type="scatter",
        x=edges,
        y=np.append(heights, heights[-1:]),
        mode="lines",
        line=dict(shape="hv", width=0.5, color="#AEB8C4"),
        fill="tozeroy",
        fillcolor="#C9D1DB",
        name="Data (histogram)",
        hovertemplate="from %{x:.3g}<br>density %{y:.3g}<extra></extra>",
        meta={"role": "histogram"},
    )


def density_1d_figure(
    values,
    params,
    x_range,
    *,
    x_title="x",
    colors=None,
    truth=None,
    title="",
    uirevision="density",
    n_grid=400,
):
    """Histogram of 1-D data (as a density) with the mixture's density and each weighted component.

    Parameters
    ----------
    values : array-like of shape (N,) or (N, 1)
    params : GaussianMixtureParams
        A one-feature mixture.
    x_range : tuple of float
        Interval on which the densities are drawn (and the axis range).
    x_title : str
    colors : sequence of K hex colours, optional
    truth : GaussianMixtureParams, optional
        Generating mixture, drawn dashed.
    title, uirevision : str
    n_grid : int
        Number of points at which the densities are evaluated.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: histogram, K component densities, the mixture density, then the true density if given.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    colors = colors or component_colors(params.n_components)
    grid = np.linspace(x_range[0], x_range[1], n_grid)
    total, per_component = density_1d(params, grid)
    many = params.n_components > MAX_LEGEND_COMPONENTS
    traces = [histogram_trace(values)]
    traces += [
        go.Scatter(
            x=grid,
            y=component,
            mode="lines",
            line=dict(color=colors[k], width=1 if many else 2),
            opacity=0.7 if many else 1.0,
            name="Weighted components" if many else f"Component {k + 1} (π·N)",
            legendgroup="components" if many else f"component-{k}",
            showlegend=(k == 0) if many else True,
            hovertemplate=f"component {k + 1}<br>x %{{x:.3g}}<br>π·N %{{y:.3g}}<extra></extra>",
            meta={"role": "component_density", "component": k},
        )
        for k, component in enumerate(per_component)
    ]
    traces.append(
        go.Scatter(
            x=grid,
            y=total,
            mode="lines",
            line=dict(color="#1F2933", width=3),
            name="Mixture density",
            hovertemplate="x %{x:.3g}<br>p(x) %{y:.3g}<extra></extra>",
            meta={"role": "density"},
        )
    )
    if truth is not None:
        traces.append(
            go.Scatter(
                x=grid,
                y=density_1d(truth, grid)[0],
                mode="lines",
                line=dict(color=TRUTH_COLOR, width=2, dash="dash"),
                name="True density",
                meta={"role": "true_density"},
            )
        )
    figure = go.Figure(traces)
    figure.update_layout(
        **BASE_LAYOUT,
        title=dict(text=title, x=0, xanchor="left", font=dict(size=15)),
        uirevision=uirevision,
        bargap=0.02,
        xaxis=dict(title=x_title, range=list(x_range)),
        yaxis=dict(title="density", rangemode="tozero"),
    )
    legend_inside(figure)
    return figure


def samples_figure(samples, labels, view, *, colors=None, density_params=None, title="", uirevision="samples"):
    """Points drawn from a fitted mixture, coloured by the component that generated each.

    Parameters
    ----------
    samples : array-like of shape (M, D)
    labels : array-like of shape (M,)
    view : PlaneView
        The data's view, so that samples and data are drawn on the same axes.
    colors : sequence of hex colours, optional
    density_params : GaussianMixtureParams, optional
        The mixture the samples come from: its density is drawn under them.
    title, uirevision : str

    Returns
    -------
    plotly.graph_objects.Figure
        The density (if asked), then one "samples" trace.
    """
    samples = np.asarray(samples, dtype=np.float64)
    labels = np.asarray(labels)
    colors = colors or component_colors(int(labels.max()) + 1)
    trace = _points_trace(
        samples,
        view,
        np.asarray(colors)[labels],
        name="Samples",
        customdata=labels + 1,
        role="samples",
        hovertemplate="(%{x:.3g}, %{y:.3g})<br>drawn from component %{customdata}<extra></extra>",
    )
    traces = [trace] if density_params is None else [density_trace(density_params, view), trace]
    return _plane_layout(go.Figure(traces), view, title, uirevision)


# --- EM as an animation: every recorded stage in one figure, scrubbed in the browser ----------------------------

#: The parameters of every component are written beside the chart up to this many components (more: hover a mean).
PARAMETER_TEXT_MAX = 6
#: Points' hover names their most responsible component when points x frames stay within this (2 bytes each).
POINT_HOVER_BUDGET = 200_000
#: Points on each ellipse outline a frame sends (smooth at chart sizes; ellipses are the bulk of a frame).
FRAME_ELLIPSE_POINTS = 64
#: Resolution per axis of the density drawn under the points of an animated chart (one grid per frame).
FRAME_DENSITY_RESOLUTION = 80
#: Margins (px) that already hold the axes' labels, the legend, the slider and the buttons of an animated chart, with
#: the 8 px padding Streamlit's theme adds. Plotly widens too narrow margins itself, but by drawing the whole chart
#: a second time (0.1-0.3 s in the browser).
ANIMATION_MARGIN = dict(l=80, r=28, t=72, b=160)
#: Where the parts of the animated chart sit (paper fractions): the plane, its headline, the log-likelihood curve,
#: the parameter block.
_PLANE_X, _PLANE_Y, _HEADLINE_Y = (0.0, 0.58), (0.0, 0.91), (0.92, 1.0)
_CURVE_X, _CURVE_Y, _BLOCK_X, _BLOCK_Y = (0.7, 1.0), (0.56, 0.9), (0.64, 1.0), (0.0, 0.38)


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


def _escape(text):
    """Plotly renders a few HTML tags in text: show the user's characters as they are."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _number(value):
    return f"{value:.3g}"


def _parameter_texts(params, pair):
    """Per component: the hover text of its mean (π, μ, Σ on the plane) and a one-line summary (π, μ, σ, ρ)."""
    plane = params.marginal(pair)
    deviations, correlations = covariance_to_std_corr(plane.covariances)
    hovers, lines = [], []
    for k in range(plane.n_components):
        (mx, my), ((sxx, sxy), (_, syy)) = plane.means[k], plane.covariances[k]
        hovers.append(
            f"<b>Component {k + 1}</b><br>π = {_number(plane.weights[k])}<br>μ = ({_number(mx)}, {_number(my)})"
            f"<br>Σ = [{_number(sxx)}, {_number(sxy)}; {_number(sxy)}, {_number(syy)}]"
        )
        lines.append(
            f"<b>{k + 1}</b>  π {plane.weights[k]:.2f}   μ ({_number(mx)}, {_number(my)})<br>"
            f"   σ ({_number(deviations[k, 0])}, {_number(deviations[k, 1])})   ρ {correlations[k, 0, 1]:+.2f}"
        )
    return hovers, lines


def _density_outlines(params, view, resolution):
    """The outlines of the density's contour levels on the plane, from the lowest: one (x, y) pair per level of
    :data:`DENSITY_DECADES` times :data:`DENSITY_LEVELS_PER_DECADE` levels, relative to this density's own peak
    (each frame is shaded from its own peak, as :func:`density_trace` shades a static chart)."""
    xs, ys, log_density, peak = _log_density_grid(params, view, resolution)
    levels = peak - DENSITY_DECADES + np.arange(_DENSITY_LEVELS) / DENSITY_LEVELS_PER_DECADE
    return level_set_outlines(log_density, xs, ys, levels)


def _density_level_traces():
    """The animated density's traces, one filled shape per contour level, lowest first: drawn each over the last,
    the region above a level takes the scale's colour at the middle of the band above it, as a filled contour plot
    colours its bands. (Plotly's contour traces change only when a frame redraws the whole chart.)"""
    stops = np.array([stop for stop, _ in DENSITY_SCALE])
    channels = np.stack([hex_to_rgb(color) for _, color in DENSITY_SCALE])
    middles = (np.arange(_DENSITY_LEVELS) + 0.5) / _DENSITY_LEVELS
    fills = hex_strings(np.stack([np.interp(middles, stops, channel) for channel in channels.T], 1))
    return [
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="lines",
            fill="toself",
            fillcolor=fill,
            line=dict(width=0.5, color="rgba(60, 80, 110, 0.25)"),
            hoverinfo="skip",
            showlegend=False,
            name="Fitted density",
            meta={"role": "fitted_density", "level": level},
        )
        for level, fill in enumerate(fills)
    ]


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
    converged_iteration : int or None
        Where the tolerance was met, marked on the curve.
    tol : float, optional
    n_stds, colors, truth, true_labels, class_names : as for :func:`mixture_scatter_figure`
    show_density : bool
        Shade each frame's density under the points: filled outlines of its contour levels (traces with
        ``meta.role`` "fitted_density", one per level, lowest first).
    slider_prefix : str
        Written before the slider's current label.
    note : str, optional
        A remark shown at the top right of the plane (e.g. that some iterations are skipped).
    uirevision : str

    Returns
    -------
    plotly.graph_objects.Figure
        With one ``go.Frame`` per entry of ``frames``, ``layout.sliders[0]`` with one step per frame (active at
        ``active``) and Play/Pause buttons. Traces carry ``meta.role`` as in :func:`mixture_scatter_figure`, plus
        "log_likelihood", "current", "headline" and "parameters"; the frames update the traces whose indices
        they list.
    """
    points = np.asarray(points, dtype=np.float64)
    frames = list(frames)
    active = int(np.clip(active, 0, len(frames) - 1))
    n_points = points.shape[0]
    n_components = frames[0].params.n_components
    colors = colors or component_colors(n_components)
    log_likelihood = np.asarray(log_likelihood, dtype=np.float64)

    # Every frame's colours at once: one colour scale shared by all frames, each point an index into it.
    grey = np.tile(hex_to_rgb(UNASSIGNED_COLOR), (n_points, 1))
    rgb = [grey if f.responsibilities is None else mixed_rgb(f.responsibilities, colors) for f in frames]
    color_indices, color_scale = indexed_colors(rgb)

    if true_labels is None:
        groups = [(np.arange(n_points), "Data", 0)]
    else:
        labels, classes = np.unique(np.asarray(true_labels), return_inverse=True)
        names = class_names if class_names is not None and len(class_names) == len(labels) else labels
        groups = [
            (np.flatnonzero(classes == c), f"True class: {names[c]}", TRUE_LABEL_SYMBOLS[c % len(TRUE_LABEL_SYMBOLS)])
            for c in range(len(labels))
        ]
    # SVG, whatever the number of points: plotly.js does not draw WebGL traces again in frames that only change
    # data (redraw: False), so a WebGL plane would keep showing the opening frame (plotly.js issues 5688 and 6251).
    # Callers keep the points few (data.ANIMATION_DISPLAY_LIMIT): SVG recolours about 10,000 points a second.
    plane_type = "scatter"
    n_stds = sorted(n_stds)
    shown = frames[active]
    point_details = n_points * len(frames) <= POINT_HOVER_BUDGET

    def point_updates(f, index):
        """Per group of points: the colours and hover data of frame ``f`` (number ``index``)."""
        custom, template = _point_hover(f.responsibilities, n_points, detailed=point_details)
        return [
            dict(
                type=plane_type,
                marker=dict(color=color_indices[index][members]),
                hovertemplate=template,
                customdata=None if custom is None else custom[members],
            )
            for members, _, _ in groups
        ]

    def geometry_updates(f):
        """The previous ellipses, ellipses, means, log-likelihood marker, headline and parameter text of ``f``."""
        means, covariances = _marginal(f.params, view.pair)
        updates = []
        if f.previous is not None:
            before_means, before_covariances = _marginal(f.previous, view.pair)
            before = covariance_ellipses(
                before_means, before_covariances, n_std=float(n_stds[0]), n_points=FRAME_ELLIPSE_POINTS
            )
            updates += [_outline(outline, plane_type) for outline in before]
        else:
            updates += [dict(type=plane_type, x=[None], y=[None]) for _ in range(n_components)]
        for n_std in n_stds:
            outlines = covariance_ellipses(means, covariances, n_std=float(n_std), n_points=FRAME_ELLIPSE_POINTS)
            updates += [_outline(outline, plane_type) for outline in outlines]
        hovers, lines = _parameter_texts(f.params, view.pair)
        updates += [
            dict(type=plane_type, x=[means[k, 0]], y=[means[k, 1]], text=[hovers[k]]) for k in range(n_components)
        ]
        return updates + _status_updates(f, log_likelihood, lines if n_components <= PARAMETER_TEXT_MAX else None)

    def density_update(f):
        return [
            dict(type="scatter", x=x.astype(np.float32), y=y.astype(np.float32))
            for x, y in _density_outlines(f.params, view, FRAME_DENSITY_RESOLUTION)
        ]

    # The traces, in drawing order; ``dynamic`` lists the indices the frames update, in their order.
    traces, dynamic = [], []
    if show_density:
        for trace in _density_level_traces():
            dynamic.append(len(traces))
            traces.append(trace)
    for members, name, symbol in groups:
        dynamic.append(len(traces))
        trace = _points_trace(
            points[members],
            view,
            None,
            name=name,
            hovertemplate="",
            symbol=symbol,
            drawn=points.shape[0],
            outline=False,
        )
        trace["type"] = plane_type
        trace["marker"].update(colorscale=color_scale, cmin=0, cmax=max(1, len(color_scale) - 1), showscale=False)
        traces.append(trace)
    if true_labels is not None:
        traces += [dict(trace.to_plotly_json(), type=plane_type) for trace in _class_legend(names)]
    if truth is not None:
        traces += [dict(trace.to_plotly_json(), type=plane_type) for trace in _truth_traces(truth, view.pair, n_stds)]
    for k in range(n_components):  # where each ellipse was before an M-step: empty in the frames without one
        dynamic.append(len(traces))
        traces.append(
            dict(
                type=plane_type,
                x=[None],
                y=[None],
                mode="lines",
                opacity=0.55,
                line=dict(color=colors[k], width=1.2, dash="dot"),
                name=f"Before the M-step: component {k + 1}",
                legendgroup=f"previous_ellipse-{k}",
                showlegend=False,
                hoverinfo="name",
                meta={"role": "previous_ellipse", "component": k, "n_std": n_stds[0]},
            )
        )
    means, covariances = _marginal(shown.params, view.pair)
    for trace in _ellipse_traces(means, covariances, n_stds, colors, role="ellipse", name_prefix="Component"):
        dynamic.append(len(traces))
        traces.append(dict(trace.to_plotly_json(), type=plane_type))
    for trace in _mean_traces(means, colors, show_legend=n_components <= MAX_LEGEND_COMPONENTS):
        dynamic.append(len(traces))
        trace = dict(trace.to_plotly_json(), type=plane_type)
        trace["hovertemplate"] = "%{text}<extra></extra>"
        traces.append(trace)
    _add_status_traces(
        traces, dynamic, log_likelihood, shown, colors[:n_components], parameter_text=n_components <= PARAMETER_TEXT_MAX
    )

    updates = [
        _frame_updates(f, i, point_updates, geometry_updates, density_update if show_density else None)
        for i, f in enumerate(frames)
    ]
    figure = _with_shown_frame(traces, dynamic, [f.name for f in frames], updates, active)
    xaxis = dict(title=view.x_title, range=list(view.x_range), zeroline=False)
    yaxis = dict(title=view.y_title, range=list(view.y_range), zeroline=False, scaleanchor="x", scaleratio=1)
    _animation_layout(
        figure,
        xaxis,
        yaxis,
        frames,
        active,
        log_likelihood,
        converged_iteration,
        tol,
        slider_prefix=slider_prefix,
        note=note,
        uirevision=uirevision,
        block_title="Parameters at this frame (hover a mean for Σ)"
        if n_components <= PARAMETER_TEXT_MAX
        else "Hover a mean for its component's π, μ and Σ at this frame",
    )
    return figure


def _status_updates(f, log_likelihood, lines):
    """Frame ``f``'s log-likelihood marker, headline and, unless ``lines`` is None, parameter text (one line per
    component)."""
    text = _escape(f.headline)
    if f.note:
        text += f"<br><span style='font-size:12px;color:#52606D'>{_escape(f.note)}</span>"
    updates = [
        dict(type="scatter", x=[f.iteration], y=[log_likelihood[f.iteration]]),
        dict(type="scatter", text=[text]),
    ]
    if lines is not None:
        updates.append(dict(type="scatter", text=lines))
    return updates


def _add_status_traces(traces, dynamic, log_likelihood, shown, colors, *, parameter_text):
    """Append the log-likelihood curve, its marker at frame ``shown``, the headline and (``parameter_text``) the
    parameter block to ``traces``; the indices of those the frames update go to ``dynamic``, in their order."""
    iterations = np.arange(log_likelihood.shape[0])
    traces.append(
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
    dynamic.append(len(traces))
    traces.append(
        dict(
            type="scatter",
            x=[shown.iteration],
            y=[log_likelihood[shown.iteration]],
            xaxis="x2",
            yaxis="y2",
            mode="markers",
            marker=dict(color="#D55E00", size=13, line=dict(color="white", width=2)),
            name="shown",
            showlegend=False,
            hovertemplate="iteration %{x}<br>%{y:.5g}<extra></extra>",
            meta={"role": "current"},
        )
    )
    dynamic.append(len(traces))
    traces.append(
        dict(
            type="scatter",
            x=[0],
            y=[0.5],
            xaxis="x3",
            yaxis="y3",
            mode="text",
            text=[""],
            textposition="middle right",
            textfont=dict(size=15, color="#1F2933"),
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
            name="headline",
            meta={"role": "headline"},
        )
    )
    if parameter_text:
        n_components = len(colors)
        dynamic.append(len(traces))
        rows = max(n_components, 4)
        traces.append(
            dict(
                type="scatter",
                x=[0] * n_components,
                y=[1 - (k + 0.5) / rows for k in range(n_components)],
                xaxis="x4",
                yaxis="y4",
                mode="text",
                text=[""] * n_components,
                textposition="middle right",
                textfont=dict(size=12, color=list(colors)),
                cliponaxis=False,
                hoverinfo="skip",
                showlegend=False,
                name="parameters",
                meta={"role": "parameters"},
            )
        )


#: Points on each weighted component's curve in a frame of a 1-D animation (over its mean +- 4 deviations, so one
#: every third of a deviation: the chord strays from the curve by at most 1.4 % of its peak).
FRAME_CURVE_POINTS = 25
#: Points at which a frame of a 1-D animation draws the mixture's density (over the whole axis).
FRAME_DENSITY_POINTS = 300


def frame_bytes_1d(n_components):
    """About how many bytes of arrays one frame of :func:`em_animation_1d_figure` carries (single precision)."""
    return 4 * (2 * (FRAME_CURVE_POINTS + 1) * n_components + FRAME_DENSITY_POINTS)


def _parameter_texts_1d(params):
    """Per component of a 1-D mixture: its hover line and its line of the parameter block (π, μ, σ)."""
    deviations = np.sqrt(params.covariances[:, 0, 0])
    hovers, lines = [], []
    for k in range(params.n_components):
        weight, mean, deviation = params.weights[k], params.means[k, 0], deviations[k]
        hovers.append(
            f"<b>Component {k + 1}</b>  π = {_number(weight)}, μ = {_number(mean)}, "
            f"σ = {_number(deviation)}<br>x %{{x:.3g}}, π·N %{{y:.3g}}<extra></extra>"
        )
        lines.append(f"<b>{k + 1}</b>  π {weight:.2f}   μ {_number(mean)}   σ {_number(deviation)}")
    return hovers, lines


def curve_groups(n_components, colors):
    """The components' curves as traces: one per component, or with more than MAX_LEGEND_COMPONENTS one per colour
    (their curves joined by gaps), which keeps the chart's look and sends a few arrays per frame instead of K."""
    if n_components <= MAX_LEGEND_COMPONENTS:
        return [[k] for k in range(n_components)]
    by_color = {}
    for k in range(n_components):
        by_color.setdefault(colors[k], []).append(k)
    return list(by_color.values())


def joined_curves(curves, members):
    """The rows ``members`` of ``curves`` (K, FRAME_CURVE_POINTS) in one single-precision array, NaN between."""
    block = np.full((len(members), FRAME_CURVE_POINTS + 1), np.nan, dtype=np.float32)
    block[:, :-1] = curves[members]
    return block.ravel()


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
    log_likelihood, active, converged_iteration, tol, slider_prefix, note, uirevision : as for
        :func:`em_animation_figure`
    x_title : str
    colors : sequence of K hex colours, optional
    truth : GaussianMixtureParams, optional
        The generating mixture: its density drawn dashed.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces with ``meta.role``: "histogram", "component_density" (one per component, or with more than
        MAX_LEGEND_COMPONENTS one per colour; ``meta.components`` lists the components of each), "density",
        "true_density" (with ``truth``), then those of the log-likelihood panel as in :func:`em_animation_figure`.
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
    parameter_text = n_components <= PARAMETER_TEXT_MAX
    grid = np.linspace(x_range[0], x_range[1], FRAME_DENSITY_POINTS)
    edges, heights = histogram_density(values)
    true_density = None if truth is None else density_1d(truth, grid)[0]

    groups = curve_groups(n_components, colors)

    def updates(f):
        xs, ys = component_curves_1d(f.params, FRAME_CURVE_POINTS)
        hovers, lines = _parameter_texts_1d(f.params)
        curves = [
            dict(type="scatter", x=joined_curves(xs, members), y=joined_curves(ys, members)) for members in groups
        ]
        if not many:
            for curve, members in zip(curves, groups):
                curve["hovertemplate"] = hovers[members[0]]
        density = dict(type="scatter", y=density_1d(f.params, grid)[0].astype(np.float32))
        return curves + [density] + _status_updates(f, log_likelihood, lines if parameter_text else None)

    traces = [histogram_trace(values, (edges, heights))]
    dynamic = []
    for index, members in enumerate(groups):
        dynamic.append(len(traces))
        trace = dict(
            type="scatter",
            mode="lines",
            line=dict(color=colors[members[0]], width=1 if many else 2),
            opacity=0.7 if many else 1.0,
            name="Weighted components" if many else f"Component {members[0] + 1} (π·N)",
            legendgroup="components" if many else f"component-{members[0]}",
            showlegend=index == 0 or not many,
            meta={"role": "component_density", "components": members},
        )
        if many:
            trace["customdata"] = np.repeat(np.asarray(members, dtype=np.int32) + 1, FRAME_CURVE_POINTS + 1)
            trace["hovertemplate"] = "component %{customdata}<br>x %{x:.3g}, π·N %{y:.3g}<extra></extra>"
        traces.append(trace)
    dynamic.append(len(traces))
    traces.append(
        dict(
            type="scatter",
            x=grid,
            mode="lines",
            line=dict(color="#1F2933", width=3),
            name="Mixture density",
            hovertemplate="x %{x:.3g}<br>p(x) %{y:.3g}<extra></extra>",
            meta={"role": "density"},
        )
    )
    if true_density is not None:
        traces.append(
            dict(
                type="scatter",
                x=grid,
                y=true_density,
                mode="lines",
                line=dict(color=TRUTH_COLOR, width=2, dash="dash"),
                name="True density",
                hovertemplate="x %{x:.3g}<br>true p(x) %{y:.3g}<extra></extra>",
                meta={"role": "true_density"},
            )
        )
    shown = frames[active]
    _add_status_traces(traces, dynamic, log_likelihood, shown, colors[:n_components], parameter_text=parameter_text)

    figure = _with_shown_frame(traces, dynamic, [f.name for f in frames], [updates(f) for f in frames], active)
    peaks = [heights.max(initial=0.0), density_1d(frames[-1].params, grid)[0].max()]
    if true_density is not None:
        peaks.append(true_density.max())
    xaxis = dict(title=x_title, range=list(x_range), zeroline=False)
    yaxis = dict(title="density", range=[0.0, 1.12 * max(peaks)], zeroline=False)
    _animation_layout(
        figure,
        xaxis,
        yaxis,
        frames,
        active,
        log_likelihood,
        converged_iteration,
        tol,
        slider_prefix=slider_prefix,
        note=note,
        uirevision=uirevision,
        block_title="Parameters at this frame"
        if parameter_text
        else f"{n_components} components: hover a curve for its component's number"
        if many
        else "Hover a component's curve for its π, μ and σ at this frame",
    )
    return figure


def _with_shown_frame(traces, dynamic, names, updates, active):
    """The figure of ``traces`` with one Plotly frame per entry of ``names`` (``updates[i]``: frame i's new data
    for the traces ``dynamic``), and frame ``active``'s data in the traces themselves: the chart is right before
    any frame is applied."""
    for index, update in zip(dynamic, updates[active]):
        _merge(traces[index], update)
    return with_frames(
        go.Figure(traces), [dict(name=name, traces=dynamic, data=data) for name, data in zip(names, updates)]
    )


def with_frames(figure, frames):
    """``figure`` with ``frames`` (dicts of name, traces and data) attached without Plotly's validation.

    Validating a hundred frames of 5,000 points costs Plotly about 0.6 s (per property, per trace, per frame),
    most of what a refit waits for; the frames only carry new values for properties of traces that ``figure``
    has already validated. Plotly has no public way to skip it for frames (``_validate=False`` stops at the
    figure's own frames validator), so they are set as unvalidated Frame objects directly, their arrays already
    in the form Plotly sends them in (which Plotly's own conversion takes 0.1 s to reach);
    tests/test_em_animation.py checks that the result equals the validated figure's.
    """
    figure._frame_objs = tuple(go.Frame(_as_sent(frame), _validate=False) for frame in frames)
    return figure


def _as_sent(value):
    """``value`` as Plotly sends it to the browser: every None entry of its dicts dropped, as Plotly's validation
    drops them (a None in a frame would reset that property instead of leaving it alone), and NumPy arrays as
    typed arrays (see :func:`_typed_array`)."""
    if isinstance(value, dict):
        return {key: _as_sent(item) for key, item in value.items() if item is not None}
    if isinstance(value, list):
        return [_as_sent(item) for item in value]
    if isinstance(value, np.ndarray):
        return _typed_array(value)
    return value


#: plotly.js's names of the NumPy types it takes as typed arrays.
_TYPED_ARRAY_TYPES = {
    "int8": "i1",
    "uint8": "u1",
    "int16": "i2",
    "uint16": "u2",
    "int32": "i4",
    "uint32": "u4",
    "float32": "f4",
    "float64": "f8",
}


def _typed_array(array):
    """An array as plotly.js's typed array, ``{"dtype", "bdata"[, "shape"]}`` with its bytes in base64, as Plotly's
    ``to_dict`` writes it; arrays of other types, and empty ones, are left for Plotly to convert."""
    code = _TYPED_ARRAY_TYPES.get(array.dtype.name)
    if code is None or array.size == 0 or not array.dtype.isnative:
        return array
    spec = {"dtype": code, "bdata": base64.b64encode(np.ascontiguousarray(array).data).decode("ascii")}
    if array.ndim > 1:
        spec["shape"] = str(array.shape)[1:-1]
    return spec


def _outline(outline, trace_type):
    """A frame's update of one ellipse trace: single precision halves what each frame sends, invisibly."""
    return dict(type=trace_type, x=outline[:, 0].astype(np.float32), y=outline[:, 1].astype(np.float32))


def _frame_updates(f, index, point_updates, geometry_updates, density_update):
    updates = [] if density_update is None else density_update(f)
    return updates + point_updates(f, index) + geometry_updates(f)


def _merge(trace, update):
    """``update``'s values into the trace dict ``trace`` (nested dicts merged, the rest replaced)."""
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(trace.get(key), dict):
            _merge(trace[key], value)
        else:
            trace[key] = value


def _animation_layout(
    figure,
    xaxis,
    yaxis,
    frames,
    active,
    log_likelihood,
    converged_iteration,
    tol,
    *,
    slider_prefix,
    note,
    uirevision,
    block_title,
):
    """The layout of an animated EM chart: the data's axes ``xaxis`` and ``yaxis`` (placed here), the
    log-likelihood curve, the headline, the parameter block under ``block_title``, the slider over ``frames``
    and Play/Pause."""
    hidden = dict(visible=False, range=[0, 1], fixedrange=True)
    y_range, start_left_out = log_likelihood_range(log_likelihood)
    last = max(log_likelihood.shape[0] - 1, 1)
    annotations = [
        dict(
            text="Mean log-likelihood per point",
            xref="paper",
            yref="paper",
            x=_CURVE_X[0],
            y=_CURVE_Y[1] + 0.02,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=13),
        ),
    ]
    if start_left_out:
        annotations.append(
            dict(
                text=f"the start ({log_likelihood[0]:.4g}) lies below the range shown",
                xref="paper",
                yref="paper",
                x=_CURVE_X[1],
                y=_CURVE_Y[0] + 0.01,
                xanchor="right",
                yanchor="bottom",
                showarrow=False,
                font=dict(size=10, color="#52606D"),
            )
        )
    annotations.append(
        dict(
            text=block_title,
            xref="paper",
            yref="paper",
            x=_BLOCK_X[0],
            y=_BLOCK_Y[1] + 0.02,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=11, color="#52606D"),
        )
    )
    if note:
        annotations.append(
            dict(
                text=_escape(note),
                xref="paper",
                yref="paper",
                x=_PLANE_X[1],
                y=_HEADLINE_Y[0],
                xanchor="right",
                yanchor="top",
                showarrow=False,
                font=dict(size=11, color="#52606D"),
                bgcolor="rgba(255,255,255,0.8)",
            )
        )
    shapes = []
    if converged_iteration is not None:
        shapes.append(
            dict(
                type="line",
                xref="x2",
                yref="y2 domain",
                x0=converged_iteration,
                x1=converged_iteration,
                y0=0,
                y1=1,
                line=dict(color="#009E73", width=2, dash="dash"),
            )
        )
        annotations.append(
            dict(
                text=f"tolerance met{f' (tol {tol:g})' if tol is not None else ''}",
                xref="x2",
                yref="y2 domain",
                x=converged_iteration,
                y=0.5,
                xanchor="right",
                yanchor="middle",
                textangle=-90,
                showarrow=False,
                font=dict(size=11, color="#006B4E"),
            )
        )
    legend = dict(
        orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom", font=dict(size=12), traceorder="normal"
    )
    figure.update_layout(
        **{**BASE_LAYOUT, "margin": ANIMATION_MARGIN, "legend": legend},
        uirevision=uirevision,
        xaxis=dict(xaxis, domain=list(_PLANE_X)),
        yaxis=dict(yaxis, domain=list(_PLANE_Y)),
        xaxis2=dict(
            title="iteration",
            range=[-0.5, last + 0.5],
            domain=list(_CURVE_X),
            anchor="y2",
            dtick=1 if last <= 10 else None,
        ),
        yaxis2=dict(zeroline=False, range=y_range, tickformat=".6~g", domain=list(_CURVE_Y), anchor="x2"),
        xaxis3=dict(hidden, domain=list(_PLANE_X), anchor="y3"),
        yaxis3=dict(hidden, domain=list(_HEADLINE_Y), anchor="x3"),
        xaxis4=dict(hidden, domain=list(_BLOCK_X), anchor="y4"),
        yaxis4=dict(hidden, domain=list(_BLOCK_Y), anchor="x4"),
        annotations=annotations,
        shapes=shapes,
        **animation_controls([(f.name, f.label) for f in frames], active, slider_prefix=slider_prefix),
    )
    return figure


def animation_controls(frames, active, *, slider_prefix):
    """The ``sliders`` and ``updatemenus`` of an animated chart: a slider with one step per frame (``frames``: its
    (name, label) pairs), active at ``active``, and Play/Pause buttons under the chart's left edge.

    No step draws the whole chart again (``redraw: False``): frames change only scatter traces' data, which Plotly
    updates in place; a full drawing costs 0.1-0.2 s a step in the browser."""
    step_options = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    return dict(
        sliders=[
            dict(
                active=active,
                x=0.16,
                len=0.84,
                y=0,
                yanchor="top",
                pad=dict(t=55, b=10),
                currentvalue=dict(prefix=slider_prefix, xanchor="right", font=dict(size=13)),
                transition=dict(duration=0),
                steps=[dict(method="animate", label=label, args=[[name], step_options]) for name, label in frames],
            )
        ],
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                showactive=False,
                x=0,
                xanchor="left",
                y=0,
                yanchor="top",
                pad=dict(t=62, r=10),
                buttons=[
                    dict(
                        label="▶ Play",
                        method="animate",
                        args=[
                            None,
                            {
                                "mode": "immediate",
                                "fromcurrent": True,
                                "transition": {"duration": 0},
                                "frame": {"duration": 400 if len(frames) <= 60 else 120, "redraw": False},
                            },
                        ],
                    ),
                    dict(label="❚❚ Pause", method="animate", args=[[None], step_options]),
                ],
            )
        ],
    )
