"""Charts of one fit, drawn once: the points shaded by their responsibilities with the ellipses, the 1-D density
over a histogram, and samples drawn from a mixture."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from gmm_core.metrics import density_1d

from ..palette import UNASSIGNED_COLOR, component_colors, mixed_colors
from .layout import BASE_LAYOUT, chart_title, legend_inside, plane_layout
from .traces import (
    MAX_LEGEND_COMPONENTS,
    class_legend_traces,
    component_curve_trace,
    density_trace,
    ellipse_traces,
    histogram_trace,
    mean_traces,
    mixture_density_trace,
    plane_marginal,
    point_groups,
    points_trace,
    previous_ellipse_traces,
    true_classes,
    true_density_traces,
    truth_traces,
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
    point_colors, hover_data, hovertemplate = _point_colors(points.shape[0], responsibilities, colors)
    traces = [density_trace(params, view)] if show_density else []
    traces += [
        points_trace(
            points[members],
            view,
            point_colors[members],
            name=name,
            hovertemplate=hovertemplate,
            customdata=None if hover_data is None else hover_data[members],
            symbol=symbol,
            drawn=points.shape[0],
        )
        for members, name, symbol in point_groups(points.shape[0], true_labels, class_names)
    ]
    if true_labels is not None:
        traces += class_legend_traces(true_classes(true_labels, class_names)[1])
    if truth is not None:
        traces += truth_traces(truth, view.pair, n_stds)
    if previous_params is not None:
        traces += previous_ellipse_traces(previous_params, view.pair, min(n_stds, default=1), colors)
    means, covariances = plane_marginal(params, view.pair)
    traces += ellipse_traces(means, covariances, n_stds, colors)
    traces += mean_traces(means, colors, show_legend=params.n_components <= MAX_LEGEND_COMPONENTS)
    return plane_layout(go.Figure(traces), view, title, uirevision)


def _point_colors(n_points, responsibilities, colors):
    """(colors, customdata, hovertemplate) of the points: their components' colours mixed by their
    responsibilities and their most responsible component, or grey before any E-step."""
    if responsibilities is None:
        template = "(%{x:.3g}, %{y:.3g})<br>not yet shared among the components<extra></extra>"
        return np.full(n_points, UNASSIGNED_COLOR), None, template
    responsibilities = np.asarray(responsibilities, dtype=np.float64)
    owner = responsibilities.argmax(axis=1)
    hover_data = np.column_stack([owner + 1, responsibilities[np.arange(n_points), owner]])
    template = (
        "(%{x:.3g}, %{y:.3g})<br>most responsible: component %{customdata[0]} (%{customdata[1]:.0%})<extra></extra>"
    )
    return np.array(mixed_colors(responsibilities, colors)), hover_data, template


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
    truth : GaussianMixtureParams or gmm_core.PiecewiseLinearDensity, optional
        The truth: its density dashed and, for a mixture, its weighted components dotted (see
        :func:`~gmm_ui.figures.traces.true_density_traces`).
    title, uirevision : str
    n_grid : int
        Number of points at which the densities are evaluated.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces: histogram, K component densities, the mixture density, then the truth's if given ("true_density",
        then any "true_component").
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    colors = colors or component_colors(params.n_components)
    grid = np.linspace(x_range[0], x_range[1], n_grid)
    total, per_component = density_1d(params, grid)
    many = params.n_components > MAX_LEGEND_COMPONENTS
    traces = [histogram_trace(values)]
    traces += [
        component_curve_trace(
            [k],
            colors[k],
            many=many,
            first=k == 0,
            x=grid,
            y=component,
            hovertemplate=f"component {k + 1}<br>x %{{x:.3g}}<br>π·N %{{y:.3g}}<extra></extra>",
        )
        for k, component in enumerate(per_component)
    ]
    traces.append(mixture_density_trace(grid, total))
    if truth is not None:
        traces += true_density_traces(truth, grid)
    figure = go.Figure(traces)
    figure.update_layout(
        **BASE_LAYOUT,
        title=chart_title(title),
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
    trace = points_trace(
        samples,
        view,
        np.asarray(colors)[labels],
        name="Samples",
        customdata=labels + 1,
        role="samples",
        hovertemplate="(%{x:.3g}, %{y:.3g})<br>drawn from component %{customdata}<extra></extra>",
    )
    traces = [trace] if density_params is None else [density_trace(density_params, view), trace]
    return plane_layout(go.Figure(traces), view, title, uirevision)
