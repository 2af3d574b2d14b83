"""The figure builders: which traces they draw and what the traces hold, checked without a browser."""

import json

import numpy as np
import pytest

import gmm_core
from gmm_ui import figures, palette
from gmm_ui.figures.traces import plane_marginal
from gmm_ui.stages import kmeans_stages
from tests import em_chart

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _roles(figure, role):
    return [trace for trace in figure.data if (trace.meta or {}).get("role") == role]


def _scatter(run, iteration, **options):
    params = run.snapshot(iteration)
    view = figures.plane_view(run.X, ["x", "y"])
    return figures.mixture_scatter_figure(run.X, run.responsibilities(iteration), params, view, **options)


@pytest.mark.parametrize("n_stds", [(1,), (1, 2), (1, 2, 3)])
def test_one_ellipse_trace_per_component_and_chosen_n_std(two_d_run, n_stds):
    figure = _scatter(two_d_run, 0, n_stds=n_stds)
    ellipses = _roles(figure, "ellipse")
    assert len(ellipses) == 3 * len(n_stds)
    assert {(t.meta["component"], t.meta["n_std"]) for t in ellipses} == {(k, s) for k in range(3) for s in n_stds}


def test_ellipses_move_between_iterations(two_d_run):
    start, later = (_roles(_scatter(two_d_run, i), "ellipse") for i in (0, 5))
    for before, after in zip(start, later):
        assert not np.allclose(np.asarray(before.x), np.asarray(after.x))


def test_ellipse_at_two_sigma_is_twice_as_wide_as_at_one(two_d_run):
    figure = _scatter(two_d_run, 3, n_stds=(1, 2))
    params = two_d_run.snapshot(3)
    one, two = (
        next(t for t in _roles(figure, "ellipse") if t.meta == {"role": "ellipse", "component": 0, "n_std": s})
        for s in (1, 2)
    )
    center = params.means[0, 0]
    assert np.ptp(np.asarray(two.x) - center) == pytest.approx(2 * np.ptp(np.asarray(one.x) - center))


def test_point_colors_are_soft_mixes_of_component_colors(two_d_run):
    figure = _scatter(two_d_run, 1)
    colors = set(_roles(figure, "points")[0].marker.color)
    component_colors = {color.lower() for color in palette.component_colors(3)}
    assert len(colors - component_colors) > 10  # many points are shared, so many colours are in-between


def test_mixed_color_is_the_responsibility_weighted_average():
    colors = ["#000000", "#FFFFFF"]
    assert palette.mixed_colors([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]], colors) == ["#000000", "#ffffff", "#808080"]


def test_truth_adds_dashed_ellipses_and_means_and_a_marker_shape_per_class(two_d_run):
    truth = two_d_run.final
    labels = two_d_run.labels(two_d_run.n_iter)
    figure = _scatter(two_d_run, 0, n_stds=(1,), truth=truth, true_labels=labels, class_names=["a", "b", "c"])
    (ellipses,) = _roles(figure, "true_ellipse")  # every true outline in one trace, one gap after each
    x, y = np.asarray(ellipses.x, dtype=float), np.asarray(ellipses.y, dtype=float)
    outlines = gmm_core.covariance_ellipses(*plane_marginal(truth, (0, 1)), n_std=1.0)
    np.testing.assert_array_equal(np.isnan(x).nonzero()[0] + 1, np.cumsum([len(o) + 1 for o in outlines]))
    np.testing.assert_array_equal(np.column_stack([x, y])[~np.isnan(x)], np.concatenate(outlines))
    assert [tuple(row) for row in np.asarray(ellipses.customdata)[[0, -1]]] == [(1, 1), (3, 1)]
    assert len(_roles(figure, "true_mean")) == 1
    point_traces = _roles(figure, "points")
    assert len({trace.marker.symbol for trace in point_traces}) == 3
    assert sum(len(trace.x) for trace in point_traces) == two_d_run.X.shape[0]
    assert [trace.name for trace in _roles(figure, "class_legend")] == [f"True class: {c}" for c in "abc"]


def test_axes_have_equal_scales_and_fixed_ranges(two_d_run):
    first, last = _scatter(two_d_run, 0), _scatter(two_d_run, two_d_run.n_iter)
    assert first.layout.yaxis.scaleanchor == "x"
    assert first.layout.xaxis.range == last.layout.xaxis.range  # scrubbing never rescales the view


def test_many_points_are_drawn_with_webgl():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(figures.WEBGL_THRESHOLD + 1, 2))
    params = gmm_core.initialize(X, 2)
    figure = figures.mixture_scatter_figure(
        X, gmm_core.responsibilities(X, params), params, figures.plane_view(X, ["a", "b"])
    )
    assert _roles(figure, "points")[0].type == "scattergl"
    # Split by true class, each trace below the threshold: the chart's total decides, and one marker size for all.
    labels = np.arange(X.shape[0]) % 3
    figure = figures.mixture_scatter_figure(
        X, gmm_core.responsibilities(X, params), params, figures.plane_view(X, ["a", "b"]), true_labels=labels
    )
    classes = [trace for trace in _roles(figure, "points") if trace.name.startswith("True class")]
    assert len(classes) == 3 and {trace.type for trace in classes} == {"scattergl"}
    assert len({trace.marker.size for trace in classes}) == 1


def test_marginal_ellipses_of_four_d_data_use_the_shown_columns():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 4)) * [1, 10, 100, 1000]
    params = gmm_core.initialize(X, 2)
    view = figures.plane_view(X, ["a", "b", "c", "d"], pair=(2, 3))
    figure = figures.mixture_scatter_figure(X, gmm_core.responsibilities(X, params), params, view, n_stds=(1,))
    mean = _roles(figure, "mean")[0]
    assert (mean.x[0], mean.y[0]) == pytest.approx(tuple(params.means[0, [2, 3]]))
    assert figure.layout.xaxis.title.text == "c"


def test_log_likelihood_axis_focuses_on_later_iterations_after_a_very_bad_start():
    low, high = figures.log_likelihood_range(np.array([-60.0, -5.0, -4.5, -4.4, -4.39]))[0]
    assert low > -60 and low < -5 and high > -4.39
    assert figures.log_likelihood_range(np.array([-60.0, -5.0, -4.5, -4.4, -4.39]))[1]  # the start is left out
    assert figures.log_likelihood_range(np.array([-15.0, -4.8, -4.4])) == (None, False)


def test_one_d_figure_has_histogram_density_and_each_component():
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.normal(0, 1, 300), rng.normal(5, 1, 300)])
    params = gmm_core.initialize(x, 4)
    figure = figures.density_1d_figure(x, params, (-1.0, 2.0))
    (histogram,) = _roles(figure, "histogram")
    assert histogram.type == "scatter" and histogram.line.shape == "hv"  # bins made here, from every value
    edges, heights = np.asarray(histogram.x), np.asarray(histogram.y)[:-1]
    assert edges[0] == x.min() and edges[-1] == x.max() and np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
    assert len(_roles(figure, "density")) == 1
    assert len(_roles(figure, "component_density")) == 4
    total = np.asarray(_roles(figure, "density")[0].y)
    components = np.sum([np.asarray(t.y) for t in _roles(figure, "component_density")], axis=0)
    np.testing.assert_allclose(total, components)
    assert tuple(figure.layout.xaxis.range) == (-1.0, 2.0)


def _panel_traces(figure, role, frame=None):
    """The traces of ``role`` as drawn (or as frame ``frame`` sets them), decoded."""
    spec = json.loads(figure.to_json())
    data = spec["data"] if frame is None else None
    if frame is not None:
        chosen = next(f for f in spec["frames"] if f["name"] == frame)
        data = [dict(spec["data"][t], **update) for t, update in zip(chosen["traces"], chosen["data"])]
    return [trace for trace in data if (trace.get("meta") or {}).get("role") == role]


def test_kmeans_panel_draws_circles_to_the_farthest_point_and_hard_colors(two_d_run):
    kmeans_run = gmm_core.fit_kmeans(two_d_run.X, two_d_run.means[0])
    positions = list(range(kmeans_run.n_iter + 1))
    sample = np.arange(two_d_run.X.shape[0])
    stages = kmeans_stages(kmeans_run, positions, sample)
    figure = figures.panels_animation_figure(
        two_d_run.X, [stages], figures.plane_view(two_d_run.X, ["x", "y"]), positions, active=positions[-1]
    )
    i = kmeans_run.n_iter
    circles = _panel_traces(figure, "circle")
    assert len(circles) == 3 and len(_panel_traces(figure, "cell")) == 3
    for k, circle in enumerate(circles):
        distance = np.hypot(
            em_chart.values(circle["x"]) - kmeans_run.centers[i][k, 0],
            em_chart.values(circle["y"]) - kmeans_run.centers[i][k, 1],
        )
        np.testing.assert_allclose(distance, kmeans_run.radii(i)[k], rtol=1e-5)  # single precision
    points = _panel_traces(figure, "points")[0]
    scale = [color for _, color in points["marker"]["colorscale"]]
    shown = {scale[int(index)] for index in em_chart.values(points["marker"]["color"])}
    assert shown <= {color.lower() for color in palette.component_colors(3)}  # hard labels: no mixing


def test_one_d_kmeans_panel_shades_each_centers_interval_over_the_histogram():
    x = np.concatenate([np.linspace(0, 1, 50), np.linspace(4, 5, 50)])
    kmeans_run = gmm_core.fit_kmeans(x, np.array([[0.5], [4.5]]))
    stages = kmeans_stages(kmeans_run, [0], None)
    figure = figures.panels_animation_1d_figure(x, [stages], (-1.0, 6.0), [0])
    cells = _panel_traces(figure, "cell")
    spans = sorted((em_chart.values(c["x"]).min(), em_chart.values(c["x"]).max()) for c in cells)
    np.testing.assert_allclose(spans, [(-1.0, 2.5), (2.5, 6.0)], rtol=1e-6)  # split at the centres' midpoint
    histogram = _panel_traces(figure, "histogram")[0]
    assert em_chart.values(histogram["x"])[[0, -1]].tolist() == [0.0, 5.0]
    assert em_chart.values(_panel_traces(figure, "centroid")[0]["x"]).tolist() == [0.5, 4.5]


def test_samples_figure_draws_every_sample(two_d_run):
    samples, labels = gmm_core.metrics.sample(two_d_run.final, 123, random_state=0)
    figure = figures.samples_figure(samples, labels, figures.plane_view(two_d_run.X, ["x", "y"]))
    assert len(_roles(figure, "samples")[0].x) == 123


def test_palette_is_okabe_ito_and_cycles():
    colors = palette.component_colors(10)
    assert colors[:8] == list(palette.OKABE_ITO)
    assert colors[8:] == colors[:2]
