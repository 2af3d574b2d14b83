"""The EM chart as an animation: one frame per stage, driven by Plotly's own slider, checked without a browser.

Figures are read back from their JSON (what Streamlit sends to the browser), through ``tests/em_chart.py``.
"""

import json

import numpy as np
import pytest

import gmm_core
from gmm_core.geometry import covariance_ellipses
from gmm_ui import figures, palette, views
from tests import em_chart

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
def run(two_d_run):
    """EM on three 2-D clusters from a poor start (tests/conftest.py)."""
    return two_d_run


def _chart(run, *, half_steps=False, opening=0, n_stds=(1, 2), points=None, **options):
    """The animated chart of ``run`` as the browser receives it (a dict, arrays base64-encoded)."""
    points = run.X if points is None else points
    frames, note = views.em_frames(run, points, half_steps, opening)
    active = next(i for i, frame in enumerate(frames) if frame.name == str(opening))
    figure = figures.em_animation_figure(points, frames, figures.plane_view(run.X, ["x", "y"]), run.log_likelihood,
                                         active=active, n_stds=n_stds, note=note, **options)
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
        expected = [outline for n_std in n_stds
                    for outline in covariance_ellipses(snapshot.means, snapshot.covariances, n_std=float(n_std),
                                                       n_points=figures.FRAME_ELLIPSE_POINTS)]
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


def test_each_frame_colours_the_points_by_the_responsibilities_of_its_iteration(run):
    chart = _chart(run)
    for i in (0, 1, run.n_iter):
        expected = np.array([palette.hex_to_rgb(c) for c in palette.mixed_colors(
            gmm_core.responsibilities(run.X, run.snapshot(i)), palette.component_colors(3))])
        drawn = np.array([palette.hex_to_rgb(c) for c in em_chart.point_colours(chart, str(i))])
        assert np.abs(drawn - expected).max() <= 255 / 15  # colours are grouped to 32 or 16 levels per channel
        assert np.abs(drawn - expected).mean() < 3
    assert em_chart.point_colours(chart, "0") != em_chart.point_colours(chart, "1")


def test_the_chart_opens_at_the_requested_iteration(run):
    chart = _chart(run, opening=7)
    assert em_chart.active_name(chart) == "7"
    assert chart["layout"]["sliders"][0]["active"] == 7
    assert em_chart.headline(chart).startswith("Iteration 7 of")  # the figure's own data are frame 7's
    drawn = [(em_chart.values(t["x"]).astype(float), em_chart.values(t["y"]).astype(float))
             for t in em_chart.traces(chart, "ellipse")]
    for (x, y), (frame_x, frame_y) in zip(drawn, em_chart.ellipses(chart, "7")):
        np.testing.assert_array_equal(x, frame_x)
        np.testing.assert_array_equal(y, frame_y)


def test_half_step_frames_follow_the_e_and_m_steps(run):
    chart = _chart(run, half_steps=True, opening=5)
    assert [frame["name"] for frame in chart["frames"]] == [str(p) for p in range(2 * run.n_iter + 1)]
    assert em_chart.active_name(chart) == "5"
    assert em_chart.steps(chart)[5]["label"] == "3 · E-step"
    snapshot = run.snapshot(2)  # iteration 3's E-step: the ellipses of iteration 2, recoloured
    np.testing.assert_allclose(em_chart.ellipses(chart, "5")[0][0],
                               covariance_ellipses(snapshot.means, snapshot.covariances,
                                                   n_points=figures.FRAME_ELLIPSE_POINTS)[0][:, 0], atol=1e-5)
    assert em_chart.point_colours(chart, "6") == em_chart.point_colours(chart, "5")  # the M-step keeps them


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
    assert len(names) <= views.MAX_FRAMES + 2
    assert em_chart.active_name(chart) == "333"
    notes = [a["text"] for a in chart["layout"]["annotations"]]
    assert any("of the 1,001 iterations" in note for note in notes)
    half = _chart(long_run, half_steps=True, opening=2 * 333 - 1)
    half_names = [int(frame["name"]) for frame in half["frames"]]
    assert half_names[0] == 0 and half_names[-2:] == [1999, 2000] and {665, 666} <= set(half_names)
    assert all(half_names[i] + 1 == half_names[i + 1] for i in range(1, len(half_names), 2))  # E, M pairs
    assert len(half_names) <= views.MAX_FRAMES + 4


def test_density_frames_carry_each_iterations_density_and_redraw(run):
    chart = _chart(run, show_density=True)
    densities = [em_chart.frame_traces(chart, name, "fitted_density")[0] for name in ("0", str(run.n_iter))]
    z0, z_end = (em_chart.values(d["z"]) for d in densities)
    assert z0.shape == (figures.FRAME_DENSITY_RESOLUTION,) * 2 and z0.dtype == np.uint8
    assert not np.array_equal(z0, z_end)
    assert all(step["args"][1]["frame"]["redraw"] for step in em_chart.steps(chart))  # contours need a redraw


def test_many_points_are_webgl_and_the_chart_stays_small():
    rng = np.random.default_rng(5)
    X = np.vstack([rng.normal(c, 1.0, (1000, 2)) for c in ([0, 0], [5, 0], [0, 5], [5, 5], [9, 2])])
    start = gmm_core.initialize(X, 5, "kmeans++", random_state=0)
    big_run = gmm_core.fit_em(X, start, max_iter=100, tol=0.0)
    frames, note = views.em_frames(big_run, X, False, 0)
    figure = figures.em_animation_figure(X, frames, figures.plane_view(X, ["x", "y"]), big_run.log_likelihood)
    assert {trace.type for trace in figure.data if trace.meta["role"] in ("points", "ellipse", "mean")} == {
        "scattergl"}  # WebGL draws over SVG: everything on the plane is WebGL
    # WebGL hovers the nearest point: the data and the truth give way, so that the means show their parameters.
    assert all(trace.hoverinfo == "skip" for trace in figure.data if trace.meta["role"] == "points")
    size = len(figure.to_json())
    assert size < 3_000_000, f"{size:,} bytes for 5,000 points and 101 frames"


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


def test_indexed_colours_round_trip_and_stay_within_the_cap():
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
    assert figures._typed_array(values) == to_typed_array_spec(values)
    assert figures._typed_array(values[::2]) == to_typed_array_spec(values[::2])  # not contiguous


def test_arrays_plotly_would_convert_differently_are_left_to_plotly():
    for values in (np.arange(3, dtype=np.int64), np.zeros(0, dtype=np.float32), np.arange(3, dtype=">f8")):
        assert figures._typed_array(values) is values


@pytest.mark.parametrize("show_density", [False, True])
def test_frames_attached_without_validation_equal_validated_frames(run, show_density):
    """``figures.with_frames`` skips Plotly's validation of the frames: they must be exactly what Plotly's own
    (validating) constructor makes of the same dicts."""
    import plotly.graph_objects as go
    import plotly.io

    frames, note = views.em_frames(run, run.X, True, 0)
    figure = figures.em_animation_figure(run.X, frames, figures.plane_view(run.X, ["x", "y"]), run.log_likelihood,
                                         note=note, show_density=show_density)
    frames = [frame.to_plotly_json() for frame in figure.frames]
    validated = go.Figure(figure.data, layout=figure.layout, frames=frames)
    assert json.loads(plotly.io.to_json(figure, validate=False)) == json.loads(plotly.io.to_json(validated))
    assert len(figure.frames) == len(validated.frames) > 1
