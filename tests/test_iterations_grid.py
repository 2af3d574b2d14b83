"""The lab's figure for any run: a grid of static panels, one per chosen iteration (S2: 0, 1, 5, 10, 25, 40), each
holding that iteration's snapshot, on shared axes; the iterations typed, and refused text reported."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core.metrics import density_1d
from gmm_core.scenarios import load_scenario
from gmm_ui import figures, stages
from gmm_ui import state as keys
from gmm_ui.palette import component_colors, mixed_colors
from gmm_ui.tabs.iterations_grid import download_config

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
LAB_ITERATIONS = [0, 1, 5, 10, 25, 40]


def _run(key):
    scenario = load_scenario(key)
    start = scenario.initial or gmm_core.initialize(scenario.X, scenario.n_components, scenario.init_method, 0)
    run = gmm_core.fit_em(
        scenario.X,
        start,
        max_iter=scenario.max_iter,
        tol=scenario.tol,
        covariance_type=scenario.covariance_type,
        reg_covar=scenario.reg_covar,
        convergence=scenario.convergence,
    )
    return scenario, run


def _panel(figure, role, panel):
    return [trace for trace in figure.data if trace.meta.get("role") == role and trace.meta["panel"] == panel]


@pytest.fixture(scope="module")
def s2():
    return _run("S2")


def test_s2s_grid_holds_the_labs_six_snapshots(s2):
    scenario, run = s2
    iterations = stages.default_grid_iterations(run.n_iter, scenario.highlight_iterations)
    assert iterations == LAB_ITERATIONS
    view = figures.plane_view(scenario.X, ["x1", "x2"])
    figure = figures.iterations_grid_figure(scenario.X, run, iterations, view, n_stds=(1, 2))
    colors = component_colors(2)
    for panel, iteration in enumerate(iterations):
        snapshot = run.snapshot(iteration)
        ellipses = _panel(figure, "ellipse", panel)
        assert len(ellipses) == 2 * 2 and {trace.meta["iteration"] for trace in ellipses} == {iteration}
        for trace in ellipses:
            k, n_std = trace.meta["component"], trace.meta["n_std"]
            outline = gmm_core.covariance_ellipses(snapshot.means, snapshot.covariances, n_std=float(n_std))[k]
            np.testing.assert_array_equal(np.column_stack([trace.x, trace.y]), outline)
        means = _panel(figure, "mean", panel)
        np.testing.assert_array_equal([[m.x[0], m.y[0]] for m in means], run.means[iteration])
        (points,) = _panel(figure, "points", panel)
        expected = mixed_colors(gmm_core.responsibilities(scenario.X, snapshot), colors)
        assert list(points.marker.color) == expected  # the responsibilities of this iteration
        suffix = "" if panel == 0 else str(panel + 1)
        assert {trace.xaxis for trace in ellipses + means + [points]} == {f"x{suffix}"}
    titles = [a.text for a in figure.layout.annotations if (a.name or "").startswith("panel ")]
    assert titles == [f"<b>Iteration {i}</b>" for i in LAB_ITERATIONS]
    assert figure.layout.xaxis2.matches == "x" and figure.layout.yaxis6.matches == "y"  # shared axes
    assert figure.layout.yaxis3.scaleanchor == "x3"  # round looks round in every panel
    assert list(figure.layout.xaxis5.range) == list(view.x_range)
    assert sum(trace.showlegend is True for trace in figure.data) == 2  # the components, once


def test_panels_are_laid_out_three_to_a_row():
    assert [figures.grid.grid_shape(n) for n in (1, 2, 3, 4, 6, 7, 12)] == [
        (1, 1),
        (1, 2),
        (1, 3),
        (2, 3),
        (2, 3),
        (3, 3),
        (4, 3),
    ]
    domains = [figures.grid.grid_domains(p, 6) for p in range(6)]
    for (x0, y0), (x1, y1) in zip(domains, domains[1:]):
        assert x0[1] < x1[0] or y1[1] < y0[0]  # no two panels overlap
    assert all(0 <= low < high <= 1 for x, y in domains for low, high in (x, y))


def test_a_1d_grid_draws_each_iterations_densities():
    scenario, run = _run("S6b")
    iterations = stages.default_grid_iterations(run.n_iter)
    assert len(iterations) == 6 and iterations[0] == 0 and iterations[-1] == run.n_iter
    figure = figures.iterations_grid_1d_figure(scenario.X, run, iterations, (-4.0, 8.0), n_grid=50)
    grid = np.linspace(-4.0, 8.0, 50)
    for panel, iteration in enumerate(iterations):
        (density,) = _panel(figure, "density", panel)
        np.testing.assert_allclose(density.y, density_1d(run.snapshot(iteration), grid)[0], rtol=1e-12)
        assert len(_panel(figure, "histogram", panel)) == 1
    assert figure.layout.yaxis4.matches == "y"


@pytest.mark.parametrize(
    ("n_iter", "highlights", "expected"),
    [
        (100, (0, 1, 5, 10, 25, 40), [0, 1, 5, 10, 25, 40]),
        (30, (0, 1, 5, 10, 25, 40), [0, 1, 5, 10, 25, 30]),  # clipped to the run
        (7, (0, 1, 5, 10, 25, 40), [0, 1, 5, 7]),  # and de-duplicated
        (100, (), [0, 20, 40, 60, 80, 100]),  # any other run: six spread evenly
        (7, (), [0, 1, 3, 4, 6, 7]),
        (3, (), [0, 1, 2, 3]),
        (0, (), [0]),
    ],
)
def test_default_iterations(n_iter, highlights, expected):
    assert stages.default_grid_iterations(n_iter, highlights) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("0, 1, 5, 10, 25, 40", [0, 1, 5, 10, 25, 40]), ("40 25;10,,5 1 0 5", [0, 1, 5, 10, 25, 40]), (" 7 ", [7])],
)
def test_typed_iterations_are_read_sorted_once_each(text, expected):
    assert stages.parse_iterations(text, 40) == (expected, None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Type at least one iteration between 0 and 40"),
        ("0, 1, five", "“five” is not an iteration: type whole numbers from 0 to 40"),
        ("0, -1", "“-1” is not an iteration"),
        ("2.5", "“2.5” is not an iteration"),
        ("0, 41", "Iteration 41 is beyond the run, which ends at iteration 40"),
        (", ".join(str(i) for i in range(13)), "13 iterations is too many panels: type at most 12"),
    ],
)
def test_bad_text_is_refused_with_what_to_type(text, message):
    iterations, said = stages.parse_iterations(text, 40)
    assert iterations is None and message in said


def test_the_camera_button_downloads_the_grid_for_slides():
    png = download_config([0, 1, 5], "png")["toImageButtonOptions"]
    expected = {"format": "png", "filename": "em_iterations_0_1_5", "width": 1500, "height": png["height"], "scale": 2}
    assert png == expected
    assert 500 < png["height"] < 800  # one row of three square panels
    svg = download_config(LAB_ITERATIONS, "svg")
    assert svg["toImageButtonOptions"]["format"] == "svg" and svg["toImageButtonOptions"]["scale"] == 1
    assert svg["displayModeBar"] is True


# --- In the app ------------------------------------------------------------------------------------------------


def _grid_chart(at):
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    grids = [c for c in charts if any("panel" in (trace.get("meta") or {}) for trace in c["data"])]
    assert len(grids) == 1
    return grids[0]


def _panel_iterations(spec):
    metas = [trace.get("meta") or {} for trace in spec["data"]]
    return sorted({meta["iteration"] for meta in metas if meta.get("panel") is not None})


@pytest.fixture
def grid_app():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["data"] = "S2"
    at.run()
    at.session_state[keys.GRID_OPEN] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_em_tab_opens_s2s_grid_on_the_labs_iterations(grid_app):
    at = grid_app
    assert at.text_input(key=keys.GRID_TEXT).value == "0, 1, 5, 10, 25, 40"
    assert _panel_iterations(_grid_chart(at)) == LAB_ITERATIONS
    (chart,) = [c for c in at.get("plotly_chart") if '"panel"' in c.proto.spec]
    options = json.loads(chart.proto.config)["toImageButtonOptions"]
    assert options["format"] == "png" and options["filename"] == "em_iterations_0_1_5_10_25_40"
    captions = " ".join(caption.value for caption in at.caption)
    assert "camera button" in captions and "em_iterations_0_1_5_10_25_40.png" in captions


def test_typed_iterations_redraw_the_grid_and_bad_text_keeps_the_last_valid(grid_app):
    at = grid_app
    at.text_input(key=keys.GRID_TEXT).input("0, 2, 3").run()
    assert not at.error and _panel_iterations(_grid_chart(at)) == [0, 2, 3]
    at.text_input(key=keys.GRID_TEXT).input("0, two").run()
    assert not at.exception
    (error,) = at.error
    assert "“two” is not an iteration" in error.value and "last valid choice: 0, 2, 3" in error.value
    assert _panel_iterations(_grid_chart(at)) == [0, 2, 3]
    assert at.text_input(key=keys.GRID_TEXT).value == "0, two"  # the text stays, to be fixed
    at.segmented_control(key=keys.GRID_FORMAT).set_value("SVG").run()
    assert _panel_iterations(_grid_chart(at)) == [0, 2, 3] and at.error  # still refused, still the last valid
    at.text_input(key=keys.GRID_TEXT).input("1").run()
    assert not at.error and _panel_iterations(_grid_chart(at)) == [1]


def test_the_grid_is_built_only_while_its_section_is_open():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert not [c for c in at.get("plotly_chart") if '"panel"' in c.proto.spec]
    assert keys.GRID_TEXT not in at.session_state
