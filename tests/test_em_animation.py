"""The EM chart as an animation: one frame per stage, driven by Plotly's own slider, checked without a browser.

Figures are read back from their JSON (what Streamlit sends to the browser), through ``tests/em_chart.py``.
"""

import json

import numpy as np
import pytest

import gmm_core
from gmm_core.geometry import covariance_ellipses
from gmm_core.metrics import component_curves_1d, density_1d, density_on_grid
from gmm_ui import figures, palette, stages
from gmm_ui.data import ANIMATION_DISPLAY_LIMIT, display_indices
from gmm_ui.figures.frames import typed_array
from gmm_ui.figures.traces import square_grid
from tests import em_chart
from tests.outlines import encloses

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def run(two_d_run):
    """EM on three 2-D clusters from a poor start (tests/conftest.py)."""
    return two_d_run


def _chart(run, *, half_steps=False, opening=0, n_stds=(1, 2), points=None, **options):
    """The animated chart of ``run`` as the browser receives it (a dict, arrays base64-encoded)."""
    points = run.X if points is None else points
    frames, note = stages.em_frames(run, points, half_steps, opening)
    active = next(i for i, frame in enumerate(frames) if frame.name == str(opening))
    figure = figures.em_animation_figure(
        points,
        frames,
        figures.plane_view(run.X, ["x", "y"]),
        run.log_likelihood,
        active=active,
        n_stds=n_stds,
        note=note,
        **options,
    )
    return json.loads(figure.to_json())


def test_one_frame_per_iteration_and_one_slider_step_per_frame(run):
    chart = _chart(run)
    names = [frame["name"] for frame in chart["frames"]]
    assert names == [str(i) for i in range(run.n_iter + 1)]
    steps = em_chart.steps(chart)
    assert [step["args"][0] for step in steps] == [[name] for name in names]
    assert [step["label"] for step in steps] == names
    for step in steps:  # each step jumps straight to its frame, updating data only (no full redraw)
        assert step["method"] == "animate"
        assert step["args"][1]["frame"] == {"duration": 0, "redraw": False}
    labels = [button["label"] for button in chart["layout"]["updatemenus"][0]["buttons"]]
    assert labels == ["▶ Play", "❚❚ Pause"]


@pytest.mark.parametrize("n_stds", [(1,), (1, 2, 3)])
def test_each_frame_draws_the_engines_snapshot(run, n_stds):
    chart = _chart(run, n_stds=n_stds)
    for i in range(run.n_iter + 1):
        snapshot = run.snapshot(i)
        expected = [
            outline
            for n_std in n_stds
            for outline in covariance_ellipses(
                snapshot.means, snapshot.covariances, n_std=float(n_std), n_points=figures.FRAME_ELLIPSE_POINTS
            )
        ]
        drawn = em_chart.ellipses(chart, str(i))
        assert len(drawn) == len(expected) == 3 * len(n_stds)
        for (x, y), outline in zip(drawn, expected):
            np.testing.assert_allclose(x, outline[:, 0], rtol=1e-6, atol=1e-5)  # sent in single precision
            np.testing.assert_allclose(y, outline[:, 1], rtol=1e-6, atol=1e-5)
        means = em_chart.frame_traces(chart, str(i), "mean")
        drawn_means = [(float(em_chart.values(m["x"])[0]), float(em_chart.values(m["y"])[0])) for m in means]
        np.testing.assert_allclose(drawn_means, snapshot.means)
        assert [m["text"][0].split("<br>")[1] for m in means] == [f"π = {w:.3g}" for w in snapshot.weights]
        current = em_chart.frame_traces(chart, str(i), "current")[0]
        assert (current["x"][0], current["y"][0]) == (i, pytest.approx(run.log_likelihood[i]))
        assert em_chart.headline(chart, str(i)).startswith(f"Iteration {i} of {run.n_iter}")
    assert "stopped (iteration limit)" in em_chart.headline(chart, str(run.n_iter))


def test_each_frame_colors_the_points_by_the_responsibilities_of_its_iteration(run):
    chart = _chart(run)
    for i in (0, 1, run.n_iter):
        expected = np.array(
            [
                palette.hex_to_rgb(c)
                for c in palette.mixed_colors(
                    gmm_core.responsibilities(run.X, run.snapshot(i)), palette.component_colors(3)
                )
            ]
        )
        drawn = np.array([palette.hex_to_rgb(c) for c in em_chart.point_colors(chart, str(i))])
        assert np.abs(drawn - expected).max() <= 255 / 15  # colours are grouped to 32 or 16 levels per channel
        assert np.abs(drawn - expected).mean() < 3
    assert em_chart.point_colors(chart, "0") != em_chart.point_colors(chart, "1")


def test_the_chart_opens_at_the_requested_iteration(run):
    chart = _chart(run, opening=7)
    assert em_chart.active_name(chart) == "7"
    assert chart["layout"]["sliders"][0]["active"] == 7
    assert em_chart.headline(chart).startswith("Iteration 7 of")  # the figure's own data are frame 7's
    drawn = [
        (em_chart.values(t["x"]).astype(float), em_chart.values(t["y"]).astype(float))
        for t in em_chart.traces(chart, "ellipse")
    ]
    for (x, y), (frame_x, frame_y) in zip(drawn, em_chart.ellipses(chart, "7")):
        np.testing.assert_array_equal(x, frame_x)
        np.testing.assert_array_equal(y, frame_y)


def test_half_step_frames_follow_the_e_and_m_steps(run):
    chart = _chart(run, half_steps=True, opening=5)
    assert [frame["name"] for frame in chart["frames"]] == [str(p) for p in range(2 * run.n_iter + 1)]
    assert em_chart.active_name(chart) == "5"
    assert em_chart.steps(chart)[5]["label"] == "3 · E-step"
    snapshot = run.snapshot(2)  # iteration 3's E-step: the ellipses of iteration 2, recoloured
    np.testing.assert_allclose(
        em_chart.ellipses(chart, "5")[0][0],
        covariance_ellipses(snapshot.means, snapshot.covariances, n_points=figures.FRAME_ELLIPSE_POINTS)[0][:, 0],
        atol=1e-5,
    )
    assert em_chart.point_colors(chart, "6") == em_chart.point_colors(chart, "5")  # the M-step keeps them


def test_strided_iterations_keep_the_first_the_last_and_the_asked_for():
    assert figures.strided_iterations(10, 250) == list(range(11))
    chosen = figures.strided_iterations(1000, 250, keep=(333, 5000))
    assert chosen[0] == 0 and chosen[-1] == 1000 and 333 in chosen
    assert len(chosen) <= 252 and chosen == sorted(set(chosen))
    assert figures.frame_stride(1000, 250) == 5


def test_a_long_run_is_shown_every_few_iterations_and_says_so():
    rng = np.random.default_rng(4)
    X = np.vstack([rng.normal(c, 1.0, (40, 2)) for c in ([0, 0], [2, 1])])
    start = gmm_core.GaussianMixtureParams(np.full(2, 0.5), X[[0, 1]], np.tile(np.eye(2), (2, 1, 1)))
    long_run = gmm_core.fit_em(X, start, max_iter=1000, tol=0.0)
    chart = _chart(long_run, opening=333)
    names = [int(frame["name"]) for frame in chart["frames"]]
    assert names[0] == 0 and names[-1] == 1000 and 333 in names
    assert len(names) <= stages.MAX_FRAMES + 2
    assert em_chart.active_name(chart) == "333"
    notes = [a["text"] for a in chart["layout"]["annotations"]]
    assert any("of the 1,001 iterations" in note for note in notes)
    half = _chart(long_run, half_steps=True, opening=2 * 333 - 1)
    half_names = [int(frame["name"]) for frame in half["frames"]]
    assert half_names[0] == 0 and half_names[-2:] == [1999, 2000] and {665, 666} <= set(half_names)
    assert all(half_names[i] + 1 == half_names[i + 1] for i in range(1, len(half_names), 2))  # E, M pairs
    assert len(half_names) <= stages.MAX_FRAMES + 4


def test_animated_points_go_without_the_outline_static_charts_draw(run):
    """Each frame restyles every marker; the white ring round each was a quarter of that work in the browser."""
    chart = _chart(run)
    assert all(trace["marker"]["line"]["width"] == 0 for trace in em_chart.traces(chart, "points"))
    still = figures.mixture_scatter_figure(
        run.X, run.responsibilities(run.n_iter), run.final, figures.plane_view(run.X, ["x", "y"])
    )
    assert [trace.marker.line.width for trace in still.data if trace.meta["role"] == "points"] == [0.4]


def test_density_frames_move_filled_level_outlines_without_redrawing_the_chart(run):
    """Each frame shades its own density: one filled shape per contour level, drawn under everything, moved by
    the frames like any other scatter trace (a contour trace would need every step to redraw the whole chart)."""
    chart = _chart(run, show_density=True)
    n_levels = int(figures.DENSITY_DECADES * figures.DENSITY_LEVELS_PER_DECADE)
    shapes = em_chart.traces(chart, "fitted_density")
    assert len(shapes) == n_levels and [shape["meta"]["level"] for shape in shapes] == list(range(n_levels))
    assert em_chart.roles(chart)[:n_levels] == ["fitted_density"] * n_levels  # drawn first: under the points
    assert all(shape["type"] == "scatter" and shape["fill"] == "toself" for shape in shapes)
    fills = [shape["fillcolor"] for shape in shapes]
    lightness = [palette.hex_to_rgb(fill).sum() for fill in fills]
    assert all(lower > higher for lower, higher in zip(lightness, lightness[1:]))  # darker the higher the level
    assert not any(step["args"][1]["frame"]["redraw"] for step in em_chart.steps(chart))

    view = figures.plane_view(run.X, ["x", "y"])
    xs, ys = square_grid(view, figures.FRAME_DENSITY_RESOLUTION)
    outlines = {}
    for name, iteration in (("0", 0), (str(run.n_iter), run.n_iter)):
        updates = em_chart.frame_traces(chart, name, "fitted_density")
        assert len(updates) == n_levels
        outlines[name] = [(em_chart.values(u["x"]), em_chart.values(u["y"])) for u in updates]
        assert all(x.dtype == np.float32 for x, _ in outlines[name])
        # the highest level's region holds the grid node where this iteration's density peaks
        density = density_on_grid(run.snapshot(iteration), xs, ys)
        peak_row, peak_column = np.unravel_index(np.argmax(density), density.shape)
        top_x, top_y = (values.astype(np.float64) for values in outlines[name][-1])
        assert encloses(top_x, top_y, (xs[peak_column], ys[peak_row]))
    assert not np.array_equal(outlines["0"][-1][0], outlines[str(run.n_iter)][-1][0])


def test_many_points_stay_svg_and_the_chart_of_the_animation_sample_stays_small():
    """plotly.js does not draw WebGL traces again in frames that only change data, so a WebGL plane would show the
    opening frame whatever the slider says: the plane is SVG at any size, and the app draws a smaller sample."""
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(c, 1.0, (1000, 2)) for c in ([0, 0], [5, 0], [0, 5], [5, 5], [9, 2])])
    start = gmm_core.initialize(X, 5, "kmeans++", random_state=0)
    big_run = gmm_core.fit_em(X, start, max_iter=100, tol=0.0)
    frames, note = stages.em_frames(big_run, X, False, 0)
    figure = figures.em_animation_figure(X, frames, figures.plane_view(X, ["x", "y"]), big_run.log_likelihood)
    spec = json.loads(figure.to_json())
    assert {trace["type"] for trace in spec["data"]} == {"scatter"}
    assert {update["type"] for frame in spec["frames"] for update in frame["data"]} == {"scatter"}
    sample = X[display_indices(X.shape[0], ANIMATION_DISPLAY_LIMIT)]
    frames, note = stages.em_frames(big_run, sample, False, 0)
    figure = figures.em_animation_figure(sample, frames, figures.plane_view(X, ["x", "y"]), big_run.log_likelihood)
    size = len(figure.to_json())
    assert size < 2_500_000, f"{size:,} bytes for {ANIMATION_DISPLAY_LIMIT:,} points and 101 frames"


def test_headline_text_is_shown_as_typed():
    params = gmm_core.GaussianMixtureParams(np.array([1.0]), np.zeros((1, 2)), np.eye(2)[None])
    frame = figures.EMFrame("0", "0", params, None, None, 0, "Iteration 0 <b>bold</b> & more")
    points = np.array([[0.0, 0.0], [1.0, 1.0]])
    figure = figures.em_animation_figure(points, [frame], figures.plane_view(points, ["a", "b"]), [-1.0])
    headline = next(t for t in figure.data if t.meta["role"] == "headline")
    assert headline.text == ("Iteration 0 &lt;b&gt;bold&lt;/b&gt; &amp; more",)
    noted = figures.EMFrame("0", "0", params, None, None, 0, "Start", note="a < b")
    figure = figures.em_animation_figure(points, [noted], figures.plane_view(points, ["a", "b"]), [-1.0])
    text = next(t for t in figure.data if t.meta["role"] == "headline").text[0]
    assert text.startswith("Start<br><span") and "a &lt; b</span>" in text  # a second, smaller line


def test_indexed_colors_round_trip_and_stay_within_the_cap():
    rng = np.random.default_rng(6)
    few = [np.array([[154, 165, 177]] * 5), np.array([[0, 114, 178], [230, 159, 0]])]
    indices, scale = palette.indexed_colors(few)
    assert [scale[i][1] for frame in indices for i in frame] == ["#9aa5b1"] * 5 + ["#0072b2", "#e69f00"]
    many = [rng.uniform(0, 255, (20_000, 3))]
    indices, scale = palette.indexed_colors(many)
    assert len(scale) <= 8**3 and indices[0].dtype == np.uint16  # 8 levels per channel, more than a byte
    drawn = np.array([palette.hex_to_rgb(scale[i][1]) for i in indices[0]])
    assert np.abs(drawn - many[0]).max() <= 255 / 7  # at worst 8 levels per channel
    assert [stop[0] for stop in scale] == pytest.approx(np.linspace(0, 1, len(scale)))


@pytest.mark.parametrize("dtype", ["float32", "float64", "uint8", "uint16", "int8", "int16", "int32", "uint32"])
@pytest.mark.parametrize("shape", [(7,), (3, 4)])
def test_frame_arrays_are_encoded_as_plotly_encodes_them(dtype, shape):
    from _plotly_utils.utils import to_typed_array_spec  # Plotly's own conversion, the reference here

    values = np.arange(np.prod(shape)).reshape(shape).astype(dtype)
    assert typed_array(values) == to_typed_array_spec(values)
    assert typed_array(values[::2]) == to_typed_array_spec(values[::2])  # not contiguous


def test_arrays_plotly_would_convert_differently_are_left_to_plotly():
    for values in (np.arange(3, dtype=np.int64), np.zeros(0, dtype=np.float32), np.arange(3, dtype=">f8")):
        assert typed_array(values) is values


@pytest.mark.parametrize("show_density", [False, True])
def test_frames_equal_what_plotly_makes_of_them_when_validating(run, show_density):
    """The frames' arrays are handed to Plotly already encoded (``figures.frames.typed_array``): the figure must be
    exactly what Plotly's own (validating) constructor makes of its frames' dicts."""
    import plotly.graph_objects as go
    import plotly.io

    frames, note = stages.em_frames(run, run.X, True, 0)
    figure = figures.em_animation_figure(
        run.X, frames, figures.plane_view(run.X, ["x", "y"]), run.log_likelihood, note=note, show_density=show_density
    )
    frames = [frame.to_plotly_json() for frame in figure.frames]
    validated = go.Figure(figure.data, layout=figure.layout, frames=frames)
    assert json.loads(plotly.io.to_json(figure, validate=False)) == json.loads(plotly.io.to_json(validated))
    assert len(figure.frames) == len(validated.frames) > 1


# --- One-dimensional data: curves over a histogram, scrubbed the same way ------------------------------------------


@pytest.fixture(scope="module")
def flat_run():
    """EM on two 1-D clusters from a start with both components in the middle."""
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(-2.0, 0.5, 150), rng.normal(1.5, 1.0, 250)])[:, None]
    start = gmm_core.GaussianMixtureParams(np.array([0.5, 0.5]), np.array([[-0.5], [0.5]]), np.ones((2, 1, 1)))
    return gmm_core.fit_em(X, start, max_iter=12, tol=0.0)


def _flat_chart(run, *, opening=0, max_frames=stages.MAX_FRAMES, **options):
    frames, note = stages.em_frames(run, None, False, opening, max_frames=max_frames)
    active = next(i for i, frame in enumerate(frames) if frame.name == str(opening))
    figure = figures.em_animation_1d_figure(
        run.X, frames, (-5.0, 6.0), run.log_likelihood, active=active, note=note, **options
    )
    return json.loads(figure.to_json())


def _curves(update):
    """The curves of one frame's update of a component trace: [(x, y)] split at the gaps."""
    x, y = em_chart.values(update["x"]).astype(float), em_chart.values(update["y"]).astype(float)
    ends = np.flatnonzero(np.isnan(x))
    return [(x[a + 1 : b], y[a + 1 : b]) for a, b in zip(np.r_[-1, ends[:-1]], ends)]


def test_each_frame_of_a_1d_chart_draws_its_snapshots_components_and_density(flat_run):
    chart = _flat_chart(flat_run)
    assert [frame["name"] for frame in chart["frames"]] == [str(i) for i in range(flat_run.n_iter + 1)]
    grid = em_chart.values(em_chart.traces(chart, "density")[0]["x"])
    for i in range(flat_run.n_iter + 1):
        snapshot = flat_run.snapshot(i)
        xs, ys = component_curves_1d(snapshot, figures.FRAME_CURVE_POINTS)
        drawn = [
            curve for update in em_chart.frame_traces(chart, str(i), "component_density") for curve in _curves(update)
        ]
        assert len(drawn) == 2
        for k, (x, y) in enumerate(drawn):  # sent in single precision
            np.testing.assert_allclose(x, xs[k], rtol=1e-6)
            np.testing.assert_allclose(y, ys[k], rtol=1e-6)
        (density,) = em_chart.frame_traces(chart, str(i), "density")
        np.testing.assert_allclose(em_chart.values(density["y"]), density_1d(snapshot, grid)[0], rtol=1e-6, atol=1e-12)
        assert em_chart.headline(chart, str(i)).startswith(f"Iteration {i} of {flat_run.n_iter}")


def test_the_histogram_stays_through_the_frames(flat_run):
    """Frames redraw only the traces they list (redraw False): a bar trace they do not list loses its bars in the
    browser, so the histogram is a filled step line, and it is in no frame."""
    chart = _flat_chart(flat_run)
    assert {trace["type"] for trace in chart["data"]} == {"scatter"}
    (histogram,) = em_chart.traces(chart, "histogram")
    assert all(0 not in frame["traces"] for frame in chart["frames"]) and em_chart.roles(chart)[0] == "histogram"
    edges, heights = em_chart.values(histogram["x"]), em_chart.values(histogram["y"])[:-1]
    assert histogram["line"]["shape"] == "hv" and histogram["fill"] == "tozeroy"
    assert np.sum(heights * np.diff(edges)) == pytest.approx(1.0)
    assert edges[0] == flat_run.X.min() and edges[-1] == flat_run.X.max()


def test_a_1d_charts_height_holds_the_histogram_the_fit_and_the_truth(flat_run):
    truth = gmm_core.GaussianMixtureParams(
        np.array([0.375, 0.625]), np.array([[-2.0], [1.5]]), np.array([[[0.25]], [[1.0]]])
    )
    chart = _flat_chart(flat_run, truth=truth)
    top = chart["layout"]["yaxis"]["range"][1]
    grid = em_chart.values(em_chart.traces(chart, "density")[0]["x"])
    peaks = [
        em_chart.values(em_chart.traces(chart, "histogram")[0]["y"]).max(),
        density_1d(flat_run.final, grid)[0].max(),
        density_1d(truth, grid)[0].max(),
    ]
    assert top == pytest.approx(1.12 * max(peaks))
    assert len(em_chart.traces(chart, "true_density")) == 1
    assert chart["layout"]["xaxis"]["range"] == [-5.0, 6.0]
    assert "scaleanchor" not in chart["layout"]["yaxis"]  # a density's axis is not tied to x's units


def test_a_1d_chart_of_two_components_lists_their_parameters_at_each_frame(flat_run):
    chart = _flat_chart(flat_run, opening=4)
    assert em_chart.active_name(chart) == "4"
    (parameters,) = em_chart.frame_traces(chart, "4", "parameters")
    snapshot = flat_run.snapshot(4)
    assert parameters["text"][1] == (
        f"<b>2</b>  π {snapshot.weights[1]:.2f}   μ {snapshot.means[1, 0]:.3g}   "
        f"σ {np.sqrt(snapshot.covariances[1, 0, 0]):.3g}"
    )
    hovers = [u["hovertemplate"] for u in em_chart.frame_traces(chart, "4", "component_density")]
    assert hovers[0].startswith(f"<b>Component 1</b>  π = {snapshot.weights[0]:.3g}")


def test_many_1d_components_are_drawn_one_trace_per_style(flat_run):
    """Twenty components in the palette's eight colours: one trace per (colour, dash) (issue 17: the dash tells
    apart components of one colour; so twenty traces here), each component in one, each frame's curves those of
    its snapshot."""
    rng = np.random.default_rng(0)
    start = gmm_core.GaussianMixtureParams(np.full(20, 0.05), rng.uniform(-3, 3, (20, 1)), np.full((20, 1, 1), 0.5))
    run = gmm_core.fit_em(flat_run.X, start, max_iter=3, tol=0.0)
    chart = _flat_chart(run)
    traces = em_chart.traces(chart, "component_density")
    members = [trace["meta"]["components"] for trace in traces]
    styles = [palette.component_style(k) for k in range(20)]
    assert len(traces) == len({(s.color, s.dash) for s in styles}) and sorted(sum(members, [])) == list(range(20))
    assert all(trace["line"]["dash"] == styles[group[0]].dash for trace, group in zip(traces, members))
    assert [trace["showlegend"] for trace in traces] == [True] + [False] * (len(traces) - 1)
    colors = palette.component_colors(20)
    assert all(trace["line"]["color"] == colors[group[0]] for trace, group in zip(traces, members))
    xs, ys = component_curves_1d(run.snapshot(2), figures.FRAME_CURVE_POINTS)
    for group, update in zip(members, em_chart.frame_traces(chart, "2", "component_density")):
        for k, (x, y) in zip(group, _curves(update)):
            np.testing.assert_allclose(x, xs[k], rtol=1e-6)
            np.testing.assert_allclose(y, ys[k], rtol=1e-6, atol=1e-30)
    custom = em_chart.values(traces[0]["customdata"])
    assert list(custom[:: figures.FRAME_CURVE_POINTS + 1]) == [k + 1 for k in members[0]]  # the hover's number
    assert chart["layout"]["annotations"][-1]["text"] == "20 components: hover a curve for its component's number"


def test_1d_frames_color_no_points_and_long_runs_keep_fewer_frames(flat_run):
    frames, note = stages.em_frames(flat_run, None, False, 0)
    assert all(frame.responsibilities is None for frame in frames)
    assert "weight times its density" in frames[0].note
    frames, note = stages.em_frames(flat_run, None, False, 5, max_frames=4)
    assert [frame.name for frame in frames] == ["0", "4", "5", "8", "12"] and note.startswith("Long run")
    assert stages.max_frames_1d(2) == stages.MAX_FRAMES
    assert stages.max_frames_1d(100) * figures.frame_bytes_1d(100) <= stages.MAX_FRAME_BYTES_1D
    assert stages.max_frames_1d(10_000) == 25
