"""One builder per kind of trace (points, ellipses, means, true classes, densities, curves, cells), shared by every
chart, and the frame updates of the kinds that move.

Every trace is a plain dict carrying ``meta={"role": ...}``, so that tests, in Python or in the browser, can find
what they look for. Dicts, not graph objects: Plotly checks every colour of a long list each time it builds a graph
object, and a dict handed to ``go.Figure`` is checked once (20,000 points: ~0.2 s instead of ~0.4 s).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gmm_core import GaussianMixtureParams, covariance_to_std_corr
from gmm_core.geometry import covariance_ellipses, level_set_outlines
from gmm_core.metrics import component_curves_1d, density_1d, density_on_grid, histogram_density

from ..palette import (
    DENSITY_SCALE,
    TRUTH_COLOR,
    component_dash,
    component_symbols,
    hex_strings,
    hex_to_rgb,
    lightened,
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
#: Points on each ellipse outline a frame sends (smooth at chart sizes; ellipses are the bulk of a frame).
FRAME_ELLIPSE_POINTS = 64
#: Points on each weighted component's curve in a frame of a 1-D animation (over its mean +- 4 deviations, so one
#: every third of a deviation: the chord strays from the curve by at most 1.4 % of its peak).
FRAME_CURVE_POINTS = 25
#: Points at which a frame of a 1-D animation draws the mixture's density (over the whole axis).
FRAME_DENSITY_POINTS = 300
#: Decades of density the shading spans below its peak: a mixture's density falls by orders of magnitude between
#: its components, and on a linear scale only the peaks (hidden under the points) would be shaded.
DENSITY_DECADES = 3.0
#: Contour levels of the shading per factor of ten in density.
DENSITY_LEVELS_PER_DECADE = 4
#: Contour levels of the animated shading (one filled shape each).
DENSITY_LEVELS = int(DENSITY_DECADES * DENSITY_LEVELS_PER_DECADE)


# --- Points and true classes -------------------------------------------------------------------------------------


def points_trace(
    points, view, colors, *, name, hovertemplate, customdata=None, symbol=0, role="points", drawn=None, outline=True
):
    """A trace of points coloured one by one; ``drawn`` is how many points the whole chart draws (this trace's by
    default), which sets the marker size and, above WEBGL_THRESHOLD, WebGL. ``outline``: a thin white ring round
    each marker (up to 2,000 points), left out of the animated charts: each frame restyles every marker, and the
    ring's stroke was a quarter of that work (9 of 36 ms a step for 1,000 points, measured).

    Parameters
    ----------
    points : ndarray of shape (N, D)
    view : PlaneView
        Which two columns are drawn.
    colors : sequence of N colours, or None (set by an animation's frames)
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
            size=marker_size(n_points),
            opacity=0.85,
            line=dict(width=0.4 if outline and n_points <= 2000 else 0, color="white"),
        ),
        customdata=customdata,
        hovertemplate=hovertemplate,
        name=name,
        showlegend=False,
        meta={"role": role},
    )


def indexed_points_trace(points, view, color_scale, *, name, hovertemplate, symbol=0, drawn=None):
    """The points of an animated chart: SVG whatever their number (plotly.js does not draw WebGL traces again in
    frames that only change data, plotly.js issues 5688 and 6251), each marker's colour an index into
    ``color_scale`` (see :func:`gmm_ui.palette.indexed_colors`), set by the frames."""
    trace = points_trace(
        points, view, None, name=name, hovertemplate=hovertemplate, symbol=symbol, drawn=drawn, outline=False
    )
    trace["type"] = "scatter"
    trace["marker"].update(colorscale=color_scale, cmin=0, cmax=max(1, len(color_scale) - 1), showscale=False)
    # A click that picks a point selects it; the others keep their look rather than fading (Plotly's default).
    opacity = trace["marker"]["opacity"]
    trace.update(selected=dict(marker=dict(opacity=opacity)), unselected=dict(marker=dict(opacity=opacity)))
    return trace


def marker_size(n_points):
    return 7 if n_points <= 500 else 5 if n_points <= 5000 else 3


def true_classes(true_labels, class_names=None):
    """Each point's true class and each class's name.

    Returns
    -------
    classes : ndarray of int, shape (N,)
        Index of each point's label among the sorted distinct labels.
    names : sequence
        ``class_names`` if it names every class, else the labels themselves.
    """
    labels, classes = np.unique(np.asarray(true_labels), return_inverse=True)
    names = class_names if class_names is not None and len(class_names) == len(labels) else labels
    return classes, names


def class_symbol(classes):
    """The marker symbol of class (or array of classes) ``classes``."""
    return np.asarray(TRUE_LABEL_SYMBOLS)[np.asarray(classes) % len(TRUE_LABEL_SYMBOLS)]


def point_groups(n_points, true_labels=None, class_names=None):
    """The points' traces: one "Data" trace, or one per true class with its own marker shape (a scalar symbol:
    cheap to draw and check).

    Returns
    -------
    list of (indices, name, symbol)
        ``indices``: the rows of the points in that trace.
    """
    if true_labels is None:
        return [(np.arange(n_points), "Data", 0)]
    classes, names = true_classes(true_labels, class_names)
    return [(np.flatnonzero(classes == c), f"True class: {names[c]}", int(class_symbol(c))) for c in range(len(names))]


def class_legend_traces(class_names):
    """Legend-only entries (no points) showing which marker shape is which true class."""
    return [
        dict(
            type="scatter",
            x=[None],
            y=[None],
            mode="markers",
            marker=dict(color=TRUTH_COLOR, size=9, symbol=int(class_symbol(c))),
            name=f"True class: {name}",
            legendgroup="truth",
            meta={"role": "class_legend"},
        )
        for c, name in enumerate(class_names)
    ]


# --- Ellipses and means ------------------------------------------------------------------------------------------


def plane_marginal(params, pair):
    """Means (K, 2) and covariances (K, 2, 2) of the components on the two columns ``pair`` (their marginals)."""
    plane = params.marginal(pair)
    return plane.means, plane.covariances


def ellipse_trace(outline, color, *, name, role, component, n_std, legendgroup=None, style=None, opacity=None):
    """One component's outline at ``n_std`` deviations (``outline``: (M, 2), or None for none yet: an animation's
    frames set it); ``style``: (dash, width), by default that of ``n_std`` in ELLIPSE_STYLES, past the palette's
    first eight components with the component's dash (:func:`gmm_ui.palette.component_style`)."""
    if style is None:
        dash, width = ELLIPSE_STYLES.get(n_std, ("solid", 1.5))
        dash = component_dash(component, dash)
    else:
        dash, width = style
    return dict(
        type="scatter",
        x=[None] if outline is None else outline[:, 0],
        y=[None] if outline is None else outline[:, 1],
        mode="lines",
        opacity=opacity,
        line=dict(color=color, width=width, dash=dash),
        name=name,
        legendgroup=legendgroup,
        showlegend=False,
        hoverinfo="name",
        meta={"role": role, "component": component, "n_std": n_std},
    )


def ellipse_traces(means, covariances, n_stds, colors, *, role="ellipse", name_prefix="Component", **options):
    """Each component's ellipse at each of ``n_stds`` deviations, by deviation then component (``options``: as for
    :func:`ellipse_trace`)."""
    traces = []
    for n_std in sorted(n_stds):
        outlines = covariance_ellipses(means, covariances, n_std=float(n_std))
        for k, outline in enumerate(outlines):
            traces.append(
                ellipse_trace(
                    outline,
                    colors[k],
                    name=f"{name_prefix} {k + 1}, {n_std}σ",
                    role=role,
                    component=k,
                    n_std=n_std,
                    **{"legendgroup": f"{role}-{k}", **options},
                )
            )
    return traces


#: How the ellipses before an M-step are drawn: a faint trace of where each ellipse was, so that the eye reads the
#: move, not a second fit.
PREVIOUS_STYLE = dict(role="previous_ellipse", style=("dot", 1.2), opacity=0.55)


def previous_ellipse_traces(previous, pair, n_std, colors):
    """Where each ellipse was before an M-step, at ``n_std`` deviations."""
    means, covariances = plane_marginal(previous, pair)
    return ellipse_traces(
        means, covariances, (n_std,), colors, name_prefix="Before the M-step: component", **PREVIOUS_STYLE
    )


def mean_traces(means, colors, *, show_legend, hovertemplate=None):
    """One marker per component's mean (its legend entry too); ``hovertemplate`` defaults to its coordinates."""
    symbols = component_symbols(len(means))
    return [
        dict(
            type="scatter",
            x=[mean[0]],
            y=[mean[1]],
            mode="markers",
            marker=dict(color=colors[k], size=14, symbol=symbols[k], line=dict(color="white", width=2)),
            name=f"Component {k + 1}",
            legendgroup=f"ellipse-{k}",
            showlegend=show_legend,
            hovertemplate=hovertemplate or f"Component {k + 1} mean<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>",
            meta={"role": "mean", "component": k},
        )
        for k, mean in enumerate(means)
    ]


def markers_trace(colors, *, name, role, symbol, size, line_width, hovertemplate, customdata=None):
    """All components' means (or k-means' centroids) as one trace, set by an animation's frames (see
    :func:`markers_update`): a frame costs plotly.js about a millisecond per trace it lists. ``symbol``: that of
    the palette's first eight components; the later ones get theirs (:func:`gmm_ui.palette.component_style`)."""
    if len(colors) > 8:
        symbol = component_symbols(len(colors), symbol)
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="markers",
        marker=dict(color=list(colors), size=size, symbol=symbol, line=dict(color="white", width=line_width)),
        name=name,
        showlegend=False,
        customdata=customdata,
        hovertemplate=hovertemplate,
        meta={"role": role},
    )


def truth_traces(truth, pair, n_stds):
    """The generating mixture: its ellipses thin, grey and dash-dotted (the truth is a reference, the fit is the
    subject), all in one trace (see :func:`true_ellipses_trace`), and its means as crosses."""
    means, covariances = plane_marginal(truth, pair)
    return [
        true_ellipses_trace(means, covariances, n_stds),
        dict(
            type="scatter",
            x=means[:, 0],
            y=means[:, 1],
            mode="markers",
            marker=dict(color=TRUTH_COLOR, size=12, symbol="x-thin", line=dict(color=TRUTH_COLOR, width=3)),
            name="Truth",
            legendgroup="truth",
            hovertemplate="True mean<br>(%{x:.3g}, %{y:.3g})<extra></extra>",
            meta={"role": "true_mean"},
        ),
    ]


def true_ellipses_trace(means, covariances, n_stds):
    """Every true component's outline at each of ``n_stds`` deviations as one line trace, the outlines apart (a
    gap between them); hovering one names its component and deviation.

    One trace, not one per outline: in an animated chart plotly.js works through every trace's attributes on each
    step, whether the step changes it or not, and in a page with Apache Arrow loaded (Streamlit loads it for its
    custom components and data grids) that costs about half a millisecond a trace (docs/performance.md). The truth
    never moves, and is drawn in one colour and one dash, so it loses nothing by being one trace."""
    xs, ys, labels = [], [], []
    for n_std in sorted(n_stds):
        for k, outline in enumerate(covariance_ellipses(means, covariances, n_std=float(n_std))):
            xs += [outline[:, 0], [np.nan]]
            ys += [outline[:, 1], [np.nan]]
            labels.append(np.tile([k + 1, n_std], (len(outline) + 1, 1)))
    return dict(
        type="scatter",
        x=np.concatenate(xs) if xs else [None],
        y=np.concatenate(ys) if ys else [None],
        mode="lines",
        opacity=0.75,
        line=dict(color=TRUTH_COLOR, width=1.2, dash="dashdot"),
        name="True components",
        legendgroup="truth",
        showlegend=False,
        customdata=np.concatenate(labels) if labels else None,
        hovertemplate="True component %{customdata[0]}, %{customdata[1]}σ<extra></extra>",
        meta={"role": "true_ellipse", "n_stds": sorted(n_stds), "n_components": len(means)},
    )


def _number(value):
    return f"{value:.3g}"


def parameter_texts(params, pair):
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


def parameter_texts_1d(params):
    """Per component of a 1-D mixture: its curve's hover text and its line of the parameter block (π, μ, σ)."""
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


# --- The mixture's density on the plane -------------------------------------------------------------------------


def square_grid(view, resolution):
    """Grid axes (each of ``resolution`` nodes) covering the view whatever its aspect ratio.

    Square in data units: with equal axis scales Plotly widens the shorter range, so the grid covers the longer.

    Returns
    -------
    xs, ys : ndarray of shape (resolution,)
    """
    x_mid, y_mid = np.mean(view.x_range), np.mean(view.y_range)
    half = 0.75 * max(np.ptp(view.x_range), np.ptp(view.y_range))
    return (np.linspace(x_mid - half, x_mid + half, resolution), np.linspace(y_mid - half, y_mid + half, resolution))


def _log_density_grid(params, view, resolution):
    """log10 of the mixture's density on the plane of ``view`` (its marginal there) at the nodes of the square grid
    (xs, ys), and its peak (0 when it underflows everywhere); a density that underflows to 0 is -inf."""
    xs, ys = square_grid(view, resolution)
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
        A graph object, unlike the other builders' dicts: one trace, whose values its callers read back.
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


def density_level_traces():
    """The animated density's traces, one filled shape per contour level, lowest first: drawn each over the last,
    the region above a level takes the scale's colour at the middle of the band above it, as a filled contour plot
    colours its bands. (Plotly's contour traces change only when a frame redraws the whole chart.)"""
    stops = np.array([stop for stop, _ in DENSITY_SCALE])
    channels = np.stack([hex_to_rgb(color) for _, color in DENSITY_SCALE])
    middles = (np.arange(DENSITY_LEVELS) + 0.5) / DENSITY_LEVELS
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


def density_level_updates(params, view, resolution):
    """A frame's update of :func:`density_level_traces`: the outlines of the density's contour levels on the plane,
    relative to this density's own peak (each frame is shaded from its own peak, as :func:`density_trace` shades a
    static chart)."""
    xs, ys, log_density, peak = _log_density_grid(params, view, resolution)
    levels = peak - DENSITY_DECADES + np.arange(DENSITY_LEVELS) / DENSITY_LEVELS_PER_DECADE
    return [outline_update(np.column_stack([x, y])) for x, y in level_set_outlines(log_density, xs, ys, levels)]


# --- One-dimensional data: histogram and curves ------------------------------------------------------------------


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


#: The most traces the components' curves take in one chart: plotly.js restyles every trace a frame lists (about a
#: millisecond each), so S6a's 100 components as 100 traces (one per colour and dash) made each step ~0.1 s slower.
MAX_CURVE_TRACES = 24


def curve_groups(n_components, colors):
    """The components' curves as traces: one per component, or with more than MAX_LEGEND_COMPONENTS one per colour
    and dash (their curves joined by gaps), so that no two look alike; past MAX_CURVE_TRACES such pairs, one per
    colour (the thin curves then are a texture, each named on hover), which keeps a step as fast as with few."""
    if n_components <= MAX_LEGEND_COMPONENTS:
        return [[k] for k in range(n_components)]
    by_style = {}
    for k in range(n_components):
        by_style.setdefault((colors[k], component_dash(k)), []).append(k)
    if len(by_style) <= MAX_CURVE_TRACES:
        return list(by_style.values())
    by_color = {}
    for k in range(n_components):
        by_color.setdefault(colors[k], []).append(k)
    return list(by_color.values())


def component_curve_trace(members, color, *, many, first, x=None, y=None, hovertemplate=None):
    """The weighted curves (π·N) of the components ``members`` in one trace (``x``, ``y``: None for an animation's
    frames to set). ``many``: more components than a legend lists, drawn thin, in one legend entry shown by the
    ``first`` group only."""
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        line=dict(color=color, width=1 if many else 2, dash=component_dash(members[0])),
        opacity=0.7 if many else 1.0,
        name="Weighted components" if many else f"Component {members[0] + 1} (π·N)",
        legendgroup="components" if many else f"component-{members[0]}",
        showlegend=first or not many,
        hovertemplate=hovertemplate,
        meta={"role": "component_density", "components": list(members)},
    )


def joined_curves(curves, members):
    """The rows ``members`` of ``curves`` (K, FRAME_CURVE_POINTS) in one single-precision array, NaN between."""
    block = np.full((len(members), FRAME_CURVE_POINTS + 1), np.nan, dtype=np.float32)
    block[:, :-1] = curves[members]
    return block.ravel()


def curves_updates(params, groups):
    """A frame's update of the curve traces of ``groups`` (each a list of components, joined by gaps)."""
    xs, ys = component_curves_1d(params, FRAME_CURVE_POINTS)
    return [dict(type="scatter", x=joined_curves(xs, members), y=joined_curves(ys, members)) for members in groups]


def mixture_density_trace(x, y=None):
    """The mixture's density along ``x`` (``y`` None: set by an animation's frames)."""
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        line=dict(color="#1F2933", width=3),
        name="Mixture density",
        hovertemplate="x %{x:.3g}<br>p(x) %{y:.3g}<extra></extra>",
        meta={"role": "density"},
    )


def true_density_trace(x, y, *, component=None, weight=None):
    """The true density along ``x``, dashed (``meta.role`` "true_density"); or, with ``component`` (k, from 0), the
    true mixture's weighted component k (π·N, of weight ``weight``), dotted and thinner (``meta.role``
    "true_component"), grouped with it in the legend."""
    if component is None:
        name, role, line = "True density", "true_density", dict(color=TRUTH_COLOR, width=2, dash="dash")
        hover = "x %{x:.3g}<br>true p(x) %{y:.3g}<extra></extra>"
    else:
        name, role = f"True component {component + 1} (π·N)", "true_component"
        line = dict(color=TRUTH_COLOR, width=1.5, dash="dot")
        hover = f"true component {component + 1}, π = {_number(weight)}<br>x %{{x:.3g}}, π·N %{{y:.3g}}<extra></extra>"
    return dict(
        type="scatter",
        x=x,
        y=y,
        mode="lines",
        line=line,
        name=name,
        legendgroup="true_density",
        hovertemplate=hover,
        meta={"role": role} if component is None else {"role": role, "component": component},
    )


def true_density_traces(truth, grid):
    """Every trace of the truth of 1-D data along ``grid`` (shape (n,), increasing): the true density and, for a
    mixture of 2 to MAX_LEGEND_COMPONENTS components, each weighted component.

    Parameters
    ----------
    truth : GaussianMixtureParams (one feature) or gmm_core.PiecewiseLinearDensity
        The generating mixture, or a known density that is no mixture (drawn with its jumps as vertical steps).

    Returns
    -------
    list of dict
        The "true_density" trace first, then the "true_component" traces (none for a density).
    """
    if not isinstance(truth, GaussianMixtureParams):
        return [true_density_trace(*truth.curve(grid))]
    total, per_component = density_1d(truth, grid)
    traces = [true_density_trace(grid, total)]
    if 1 < truth.n_components <= MAX_LEGEND_COMPONENTS:
        traces += [
            true_density_trace(grid, curve, component=k, weight=truth.weights[k])
            for k, curve in enumerate(per_component)
        ]
    return traces


def traces_peak(traces):
    """The largest y of ``traces`` (0 for none): how high a chart's axis must reach to show them."""
    return max((float(np.max(trace["y"])) for trace in traces), default=0.0)


# --- k-means: cells (or intervals) and circles -------------------------------------------------------------------


def cell_traces(colors, what):
    """A k-means panel's cells, shaded in their clusters' colours, one trace per colour (set by the frames, see
    :func:`cells_update`): plotly.js fills each gap-separated piece of a "toself" trace by itself, so many clusters
    cost a frame a few traces, not one each.

    Returns
    -------
    traces : list of dict
    members : list of lists of int
        The clusters of each trace.
    """
    by_color = {}
    for k, color in enumerate(colors):
        by_color.setdefault(color, []).append(k)
    traces = [
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
        )
        for color, members in by_color.items()
    ]
    return traces, list(by_color.values())


def cells_update(cells):
    """A frame's update of cells drawn as one trace: each closed (its first corner repeated), NaN between; no
    corner at all: nothing drawn."""
    pieces = [np.vstack([cell, cell[:1], [np.nan, np.nan]]) for cell in cells if cell.shape[0]]
    if not pieces:
        return dict(type="scatter", x=[None], y=[None])
    return outline_update(np.vstack(pieces)[:-1])


def circle_trace(color, k):
    """k-means cluster ``k``'s circle reaching its farthest point (set by the frames)."""
    return dict(
        type="scatter",
        x=[None],
        y=[None],
        mode="lines",
        line=dict(color=color, width=2, dash=component_dash(k)),
        name=f"Cluster {k + 1}: farthest point",
        showlegend=False,
        hoverinfo="name",
        meta={"role": "circle", "component": k},
    )


# --- The picked point (the maths panel's) ----------------------------------------------------------------------

#: The ring round the picked point and the line at a picked value: drawn over everything, in no component's colour.
PICKED_COLOR = "#000000"


def picked_point_trace(point, view, label):
    """A ring round the picked point ``point`` (D,) on the plane of ``view``, named ``label`` ("row 17"). It does
    not move: an animation draws it in every frame without listing it."""
    i, j = view.pair
    return dict(
        type="scatter",
        x=[float(point[i])],
        y=[float(point[j])],
        mode="markers+text",
        marker=dict(size=20, color="rgba(0,0,0,0)", line=dict(color=PICKED_COLOR, width=3)),
        text=[label],
        textposition="top right",
        textfont=dict(size=13, color=PICKED_COLOR),
        name=f"Picked: {label}",
        showlegend=False,
        hovertemplate=f"picked: {label}<br>(%{{x:.4g}}, %{{y:.4g}})<extra></extra>",
        meta={"role": "picked"},
    )


def picked_value_trace(value, top, label):
    """A vertical line at the picked value ``value`` of 1-D data, from 0 to ``top``, named ``label``."""
    return dict(
        type="scatter",
        x=[float(value), float(value)],
        y=[0.0, float(top)],
        mode="lines+text",
        line=dict(color=PICKED_COLOR, width=2, dash="dash"),
        text=["", label],
        textposition="top right",
        textfont=dict(size=13, color=PICKED_COLOR),
        name=f"Picked: {label}",
        showlegend=False,
        hovertemplate=f"picked: {label}<br>x = %{{x:.4g}}<extra></extra>",
        meta={"role": "picked"},
    )


def rug_trace(values, rows):
    """A tick under the 1-D chart for each of ``values`` (the data rows ``rows``, from 1): something to click to
    pick a value (each tick carries its row)."""
    return dict(
        type="scatter",
        x=np.asarray(values, dtype=np.float64),
        y=np.zeros(len(values)),
        mode="markers",
        marker=dict(symbol="line-ns-open", size=12, color="#52606D", line=dict(width=1)),
        customdata=np.asarray(rows, dtype=np.int64),
        name="Data (click one to pick it)",
        showlegend=False,
        hovertemplate="row %{customdata}<br>x = %{x:.4g}<extra>click to pick</extra>",
        meta={"role": "rug"},
    )


# --- Frame updates of the kinds that move ------------------------------------------------------------------------


def outline_update(outline):
    """A frame's update of an outline trace (``outline``: (M, 2)): single precision halves what each frame sends,
    invisibly."""
    return dict(type="scatter", x=outline[:, 0].astype(np.float32), y=outline[:, 1].astype(np.float32))


def markers_update(positions, texts=None):
    """A frame's update of a :func:`markers_trace` (``positions``: (K, 2)) or of one marker per trace."""
    update = dict(type="scatter", x=positions[:, 0].copy(), y=positions[:, 1].copy())
    if texts is not None:
        update["text"] = texts
    return update
