"""The comparison views (two starts, restarts, covariance types, choosing K, density, half steps) and shareable
links, driven headless through AppTest; and the figure builders they draw with, checked without a browser."""

import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core.metrics import density_on_grid
from gmm_core.scenarios import load_scenario
from gmm_ui import figures, link, palette, stages
from gmm_ui.stages import em_stage, half_step_label
from gmm_ui.state import TABS
from gmm_ui.tabs.choose_k import chosen_model
from tests import em_chart
from tests.page_tables import edit_start, shown_table

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


# --- Helpers ---------------------------------------------------------------------------------------------------


def _app(**query):
    """The app opened on a link with these query parameters (none: the plain address)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


def _open(at, view):
    at.session_state["view"] = TABS[view]
    return at.run()


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def _charts(at):
    """Every Plotly chart of the page, as its figure dict (data, layout)."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _titles(at):
    return [chart["layout"]["title"]["text"] for chart in _charts(at) if "title" in chart["layout"]]


def _statuses(at):
    """The status lines over the panels of the page's side-by-side chart, at the position it opens at (on one line:
    narrow panels wrap them at their " · ")."""
    chart = next(chart for chart in _charts(at) if _traces(chart, "status"))
    return [trace["text"][0].replace("<br>", " · ") for trace in _traces(chart, "status")]


def _traces(chart, role):
    return [trace for trace in chart["data"] if (trace.get("meta") or {}).get("role") == role]


def _metrics(at):
    return {metric.label: metric.value for metric in at.metric}


def _link(at):
    """The page's query parameters (the last value of each)."""
    return {name: value[-1] if isinstance(value, list) else value for name, value in at.query_params.items()}


def _warnings(at):
    """The text of every warning, as shown (without the escapes that keep link text plain)."""
    return " ".join(str(warning.value) for warning in at.warning).replace("\\", "")


def _roles(figure, role):
    return [trace for trace in figure.data if (trace.meta or {}).get("role") == role]


# --- Two starts and restarts -----------------------------------------------------------------------------------


def test_two_starts_render_side_by_side_under_one_iteration_control():
    at = _open(_app(data="S2"), "starts")
    _ok(at)
    assert at.selectbox(key="start_a").value == "current"
    assert at.selectbox(key="start_b").value == "alternative:μ = [-3, -3], [3, 3]"  # the question's other start
    side_by_side = _charts(at)[0]
    assert [status.split(" · ")[:2] for status in _statuses(at)] == [
        ["Start A", "iteration 0"],
        ["Start B", "iteration 0"],
    ]
    assert side_by_side["layout"]["sliders"][0]["active"] == 0
    runs = max(len(em_chart.values(trace["x"])) for trace in _traces(_charts(at)[1], "log_likelihood"))
    assert [frame["name"] for frame in side_by_side["frames"]] == [str(i) for i in range(runs)]  # every iteration
    curves = _traces(_charts(at)[1], "log_likelihood")
    assert len(curves) == 2
    at.number_input(key="iteration").set_value(5).run()
    _ok(at)
    assert [status.split(" · ")[:2] for status in _statuses(at)] == [
        ["Start A", "iteration 5"],
        ["Start B", "iteration 5"],
    ]
    assert _charts(at)[0]["layout"]["sliders"][0]["active"] == 5
    assert _link(at)["iteration"] == "5"


def test_changing_the_second_start_changes_its_run_and_scores():
    at = _open(_app(data="S2"), "starts")
    labels = [metric.label for metric in at.metric]
    assert labels.count("Final log-likelihood") == 2 and labels.count("Final ARI with truth") == 2
    crawling = [metric.value for metric in at.metric if metric.label == "Final ARI with truth"]
    at.selectbox(key="start_b").set_value("alternative:μ = [-2, 2], [2, -2] (true means)").run()
    _ok(at)
    from_the_truth = [metric.value for metric in at.metric if metric.label == "Final ARI with truth"]
    assert crawling[0] == from_the_truth[0]  # start A untouched
    assert float(from_the_truth[1]) > float(crawling[1]) + 0.5  # from the true means EM finds the clusters


def test_restarts_show_every_start_and_the_best_and_worst_fits():
    at = _app(data="S2")
    at.session_state["restart_count"] = 4
    at.session_state["restart_method"] = "random"
    _open(at, "starts")
    _ok(at)
    strip = next(chart for chart in _charts(at) if _traces(chart, "restart"))
    assert "4 starts ended: 2 distinct optima" in strip["layout"]["title"]["text"]
    titles = _titles(at)
    assert any(title.startswith("The best fit") for title in titles)
    assert any(title.startswith("The worst fit") for title in titles)
    at.number_input(key="restart_count").set_value(3).run()
    _ok(at)
    assert "3 starts ended" in next(t for t in _titles(at) if "starts ended" in t)


# --- Covariance types ------------------------------------------------------------------------------------------


def test_covariance_types_are_four_panels_at_one_shared_iteration():
    at = _open(_app(data="S1"), "covariance")
    _ok(at)
    statuses = _statuses(at)
    assert len(statuses) == 4 and all(status.split(" · ")[1] == "iteration 0" for status in statuses)
    at.number_input(key="iteration").set_value(2).run()
    _ok(at)
    assert all(status.split(" · ")[1].startswith("iteration 2") for status in _statuses(at))
    counts = [int(metric.value) for metric in at.metric if metric.label == "Free parameters"]
    assert counts == [gmm_core.n_parameters(3, 2, kind) for kind in gmm_core.COVARIANCE_TYPES]
    assert sum(metric.label == "Final log-likelihood" for metric in at.metric) == 4


# --- Choosing K ------------------------------------------------------------------------------------------------


def _choose_k_app():
    at = _app(data="S3")
    at.session_state["select_max_k"] = 3
    at.session_state["select_restarts"] = 1
    return _open(at, "choose_k")


def test_choosing_k_plots_one_line_per_type_and_shows_the_best_model_first():
    at = _choose_k_app()
    _ok(at)
    criterion_chart, model_chart = _charts(at)
    lines = _traces(criterion_chart, "criterion")
    assert [line["name"] for line in lines] == list(gmm_core.COVARIANCE_TYPES)
    minimum = _traces(criterion_chart, "criterion_minimum")[0]
    best_type, best_k = at.session_state["select_model"]
    assert minimum["x"] == [best_k] and best_type in minimum["hovertemplate"]
    assert model_chart["layout"]["title"]["text"] == f"The model {best_type}, K = {best_k}"


def test_choosing_another_model_or_criterion_changes_what_is_shown():
    at = _choose_k_app()
    at.selectbox(key="select_model").set_value(("spherical", 1)).run()
    _ok(at)
    assert _titles(at)[1] == "The model spherical, K = 1"
    assert len(_traces(_charts(at)[1], "ellipse")) == 2  # one component at 1σ and 2σ
    assert _metrics(at)["Free parameters"] == "3"
    at.segmented_control(key="select_criterion").set_value("AIC").run()
    _ok(at)
    assert _charts(at)[0]["layout"]["yaxis"]["title"]["text"] == "AIC"


def test_a_click_on_the_criterion_chart_names_the_model_of_the_point():
    clicked = {"selection": {"points": [{"curve_number": 2, "x": 3, "customdata": ["diag", 3]}]}}
    assert chosen_model(clicked) == ("diag", 3)
    assert chosen_model({"selection": {"points": [{"x": 3, "customdata": None}]}}) is None  # the minimum's ring
    assert chosen_model({"selection": {"points": []}}) is None


# --- Density and half steps ------------------------------------------------------------------------------------


def test_density_option_shades_the_fitted_density_under_the_points():
    at = _app(data="S1")
    assert not _traces(_charts(at)[0], "fitted_density")
    at.toggle(key="show_density").set_value(True).run()
    _ok(at)
    chart = _charts(at)[0]
    assert chart["data"][0]["meta"]["role"] == "fitted_density"  # drawn first: under everything else
    assert _link(at)["density"] == "1"


def test_sampling_tab_draws_samples_beside_the_data_both_over_the_density():
    at = _open(_app(data="S2"), "sampling")
    _ok(at)
    data_chart, samples_chart = _charts(at)
    assert _traces(data_chart, "fitted_density") and _traces(samples_chart, "fitted_density")
    assert _traces(samples_chart, "samples")


def test_half_steps_show_the_e_step_with_the_old_ellipses_then_the_m_step():
    at = _app(data="S2")
    at.toggle(key="half_steps").set_value(True).run()
    _ok(at)
    assert at.selectbox(key="em_half_step").value == 0
    chart = em_chart.em_chart(at)
    labels = [step["label"] for step in em_chart.steps(chart)]
    assert labels[:4] == ["start", "1 · E-step", "1 · M-step", "2 · E-step"]
    assert len(labels) == int(chart["frames"][-1]["name"]) + 1  # every half step is a frame
    assert set(em_chart.point_colors(chart, "0")) == {palette.UNASSIGNED_COLOR.lower()}  # nothing shared yet
    after_e, after_m = "1", "2"
    assert "after the E-step" in em_chart.headline(chart, after_e)
    assert all(np.array_equal(a, b) for a, b in zip(*(em_chart.ellipses(chart, n) for n in ("0", after_e))))
    assert em_chart.point_colors(chart, after_e) != em_chart.point_colors(chart, "0")
    assert "after the M-step" in em_chart.headline(chart, after_m)
    assert em_chart.point_colors(chart, after_m) == em_chart.point_colors(chart, after_e)
    assert not any(np.array_equal(a, b) for a, b in zip(*(em_chart.ellipses(chart, n) for n in (after_e, after_m))))
    previous = em_chart.frame_traces(chart, after_m, "previous_ellipse")  # where the ellipses were, dotted
    assert all(em_chart.values(p["x"]).size > 1 for p in previous)
    assert all(em_chart.values(p["x"])[0] is None for p in em_chart.frame_traces(chart, after_e, "previous_ellipse"))

    at.selectbox(key="em_half_step").set_value(2).run()
    _ok(at)
    assert em_chart.active_name(em_chart.em_chart(at)) == "2"
    assert _link(at)["iteration"] == "1M"
    at.toggle(key="half_steps").set_value(False).run()
    _ok(at)
    assert at.number_input(key="iteration").value == 1  # the same ellipses stay on screen
    assert em_chart.active_name(em_chart.em_chart(at)) == "1"


def _indices(stage):
    return stage.snapshot, stage.colors_from, stage.moved_from


def test_em_stage_maps_half_steps_to_snapshots_and_colors():
    assert _indices(em_stage(0, True, 5)) == (0, None, None)  # the start: nothing shared yet
    assert _indices(em_stage(5, True, 5)) == (2, 2, None)  # iteration 3's E-step: snapshot 2 recoloured
    assert _indices(em_stage(6, True, 5)) == (3, 2, 2)  # its M-step: snapshot 3, still coloured by snapshot 2
    assert _indices(em_stage(4, False, 5)) == (4, 4, None)
    assert [half_step_label(p) for p in range(4)] == ["start", "1 · E-step", "1 · M-step", "2 · E-step"]


# --- Shareable links -------------------------------------------------------------------------------------------


def test_the_address_follows_the_view():
    at = _app()
    assert _link(at)["data"] == "S1" and _link(at)["init"] == "scenario"
    at.selectbox(key="scenario").set_value("S3").run()
    at.selectbox(key="init_method").set_value("kmeans++").run()  # S3 opens on its own start, which has no seed
    at.number_input(key="seed").set_value(4).run()
    at.selectbox(key="covariance_type").set_value("tied").run()
    at.number_input(key="tol").set_value(0.001).run()
    _open(at, "kmeans")
    at.number_input(key="iteration").set_value(2).run()
    # The preset's own settings (standardised columns, its stopping rule) stay out; the changed tolerance is in.
    assert _link(at) == {
        "data": "S3",
        "k": "2",
        "covariance": "tied",
        "tol": "0.001",
        "init": "kmeans++",
        "seed": "4",
        "view": "kmeans",
        "iteration": "2",
    }


def test_a_shared_link_opens_the_same_view():
    at = _app(
        data="S2",
        covariance="tied",
        init="alt3",
        view="starts",
        iteration="4",
        max_iter="60",
        convergence="log_likelihood",
        tol="1e-05",
    )
    _ok(at)
    assert not at.warning
    assert at.selectbox(key="scenario").value == "S2"
    assert at.selectbox(key="covariance_type").value == "tied"
    assert at.number_input(key="max_iter").value == 60 and at.number_input(key="tol").value == 1e-5
    assert at.selectbox(key="convergence").value == "log_likelihood"
    assert at.selectbox(key="init_method").value == "alternative:μ = [-2, 2], [2, -2] (true means)"
    assert at.number_input(key="iteration").value == 4
    assert _statuses(at)[0].startswith("Start A · iteration 4")


def test_the_columns_fitted_and_shown_travel_in_the_link():
    at = _app(data="S8")
    assert "columns" not in _link(at) and "x" not in _link(at)  # Iris's own: all four fitted, petals shown
    at.multiselect(key="fit_columns").set_value(["sepal length (cm)", "petal length (cm)", "petal width (cm)"]).run()
    at.selectbox(key="x_column").set_value("petal width (cm)").run()
    at.selectbox(key="y_column").set_value("sepal length (cm)").run()
    link = _link(at)
    assert (link["columns"], link["x"], link["y"]) == ("1_3_4", "4", "1")
    again = _app(**link)
    _ok(again)
    assert not again.warning
    assert again.multiselect(key="fit_columns").value == ["sepal length (cm)", "petal length (cm)", "petal width (cm)"]
    assert again.selectbox(key="x_column").value == "petal width (cm)"
    assert again.selectbox(key="y_column").value == "sepal length (cm)"
    assert len(shown_table(again, "start").columns) == 1 + 3 + 3 + 3  # π, μ, σ and ρ of 3 columns
    at.multiselect(key="fit_columns").set_value(["sepal length (cm)", "petal length (cm)"]).run()
    assert _link(at)["columns"] == "1_3" and "x" not in _link(at)  # two columns: both shown, no axes to choose


def test_a_link_to_generated_data_regenerates_them():
    at = _app(
        data="generated",
        clusters="2",
        points="40",
        spread="0.5",
        elongation="1",
        separation="8",
        gen_seed="7",
        k="2",
        init="random_from_data",
        seed="3",
    )
    _ok(at)
    assert not at.warning
    assert at.segmented_control(key="dataset_source").value == "Generate"
    assert "80 points" in at.markdown[0].value
    assert at.number_input(key="gen_seed").value == 7 and at.number_input(key="seed").value == 3


def test_a_link_to_a_half_step_opens_on_it():
    at = _app(data="S2", iteration="3E")
    _ok(at)
    assert at.toggle(key="half_steps").value is True
    assert at.selectbox(key="em_half_step").value == 5
    chart = em_chart.em_chart(at)
    assert em_chart.active_name(chart) == "5"
    assert em_chart.headline(chart).startswith("Iteration 3 of") and "after the E-step" in em_chart.headline(chart)


def test_a_manual_start_travels_in_the_link_and_comes_back():
    at = _app(data="S2")
    at.selectbox(key="init_method").set_value("manual").run()
    edit_start(at, **{"μx": -1.5})
    link = _link(at)
    assert link["init"] == "manual" and link["start"].startswith("0.1_-1.5_0_")
    again = _app(**link)
    _ok(again)
    assert not again.warning
    assert again.selectbox(key="init_method").value == "manual"
    assert again.data_editor(key="init_table").value["μx"].tolist() == [-1.5, 0.0]


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ({"k": "many"}, "k=many"),
        ({"tol": "-1"}, "tol=-1"),  # below the widget's minimum
        ({"covariance": "round"}, "covariance=round"),
        ({"data": "S99"}, "data=S99"),
        ({"init": "alt9"}, "init=alt9"),
        ({"view": "nowhere"}, "view=nowhere"),
        ({"iteration": "-1"}, "iteration=-1"),
        ({"iteration": "2E", "view": "sampling"}, "iteration=2E"),
        ({"colour": "blue"}, "colour=blue"),
        ({"clusters": "3"}, "clusters=3"),
        ({"init": "manual", "start": "0.5_1_x"}, "start=0.5_1_x"),
        ({"init": "manual", "start": "0.5_0_0_1_1_0"}, "start"),  # one row for K = 3
        ({"data": "generated", "clusters": "1", "points": "5", "k": "9"}, "k=9"),  # more components than points
        ({"data": "generated", "clusters": "99"}, "clusters=99"),  # beyond the generator's limit
        ({"data": "upload", "k": "2"}, "data=upload"),
        ({"data": "S8", "columns": "2_5"}, "columns=2_5"),
        ({"data": "S8", "columns": "3_3"}, "columns=3_3"),
        ({"data": "S8", "x": "0"}, "x=0"),
        ({"data": "S8", "columns": "1_3_4", "y": "2"}, "y=2"),  # not a fitted column
        ({"data": "S8", "columns": "3_4", "x": "3"}, "x=3"),  # two fitted columns: both shown
        ({"data": "S1", "columns": "1"}, "columns=1"),  # two columns: no choice
    ],
)
def test_an_unusable_link_parameter_is_named_in_a_warning_and_ignored(query, named):
    at = _app(**query)
    _ok(at)
    assert named in _warnings(at)
    assert _charts(at)  # the app still shows a fit


_LINK_VALUES = {
    "data": ["S1", "S2", "S6b", "S8", "generated", "upload", "S0", ""],
    "k": ["1", "2", "3", "0", "-2", "x", "9999"],
    "covariance": ["full", "diag", "oval"],
    "init": ["scenario", "kmeans", "random", "alt1", "alt3", "manual", "alt0", "kmeans+"],
    "seed": ["0", "7", "-1", "1e3"],
    "start": ["0.5_0_0_1_1_0~0.5_3_3_1_1_0", "1_0_1", "0.5_0_0_-1_1_0~0.5_3_3_1_1_0", "~", "nan"],
    "view": [*TABS, "EM"],
    "iteration": ["0", "2", "3E", "3M", "0E", "999", "E"],
    "half": ["1", "0", "yes"],
    "density": ["1", "2"],
    "standardize": ["1", "0", "true"],
    "clusters": ["2", "0", "99"],
    "columns": ["3_4", "1_2_3_4", "4_1", "1_1", "0", "x"],
    "x": ["1", "4", "9"],
    "y": ["2", "3", "-1"],
    "spread": ["0.5", "inf", "big"],
    "other": ["1"],
}


@settings(max_examples=6, deadline=None)
@given(
    st.dictionaries(st.sampled_from(sorted(_LINK_VALUES)), st.just(None), max_size=6).flatmap(
        lambda names: st.fixed_dictionaries({name: st.sampled_from(_LINK_VALUES[name]) for name in names})
    )
)
def test_no_link_crashes_the_app(query):
    _ok(_app(**query))


def test_a_refused_value_gives_way_to_the_data_sets_own_and_the_rest_of_the_link_still_applies():
    at = _app(data="S2", k="500", covariance="tied", view="covariance", iteration="3")
    _ok(at)
    assert "k=500 was ignored" in _warnings(at)
    assert at.number_input(key="n_components").value == 2  # S2's own K, not the widget's limit
    assert at.selectbox(key="covariance_type").value == "tied"
    assert at.number_input(key="iteration").value == 3


def test_half_step_tokens_round_trip():
    for position in range(9):
        token = stages.half_step_token(position)
        iteration, stage = link.parse_iteration(token)
        assert stages.half_step_position(iteration, stage) == position


# --- Figures ---------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def faithful_selection():
    X = load_scenario("S3").X
    return gmm_core.select_components(X, max_components=3, n_restarts=1)


def test_criterion_figure_draws_a_line_per_type_and_marks_the_minimum(faithful_selection):
    selection = faithful_selection
    figure = figures.criterion_figure(
        selection.n_components, selection.covariance_types, selection.bic, chosen=("diag", 2)
    )
    lines = _roles(figure, "criterion")
    assert [line.meta["covariance_type"] for line in lines] == list(gmm_core.COVARIANCE_TYPES)
    assert [list(point) for point in lines[2].customdata] == [["diag", 1], ["diag", 2], ["diag", 3]]
    best_type, best_k = selection.best("bic")
    minimum = _roles(figure, "criterion_minimum")[0]
    assert minimum.x == (best_k,) and minimum.y[0] == pytest.approx(np.nanmin(selection.bic))
    assert best_type in minimum.hovertemplate
    chosen = _roles(figure, "criterion_chosen")[0]
    assert chosen.x == (2,) and chosen.y[0] == pytest.approx(selection.bic[2, 1])
    assert len({(line.line.dash, line.marker.symbol) for line in lines}) == 4  # not told apart by colour alone


def test_log_likelihood_curves_mark_each_run_at_the_shared_iteration():
    curves = [
        figures.Curve("A", np.array([-9.0, -5.0, -4.0]), True),
        figures.Curve("B", np.array([-9.0, -7.0, -6.0, -5.5, -5.4]), False),
    ]
    figure = figures.log_likelihood_curves_figure(curves, 3)
    current = _roles(figure, "current")
    assert [marker.x[0] for marker in current] == [2, 3]  # A stopped at 2 and keeps its last state
    assert [line.name for line in _roles(figure, "log_likelihood")] == ["A (converged at 2)", "B (stopped at 4)"]


def test_restarts_strip_splits_best_from_worse_optima_and_keeps_equal_ones_together():
    values = np.array([-4.0, -4.0 + 1e-9, -4.3, -4.0])
    figure = figures.restarts_figure(values, np.arange(4), np.array([0, 0, 1, 0]), np.array([5] * 4))
    best, worse = _roles(figure, "restart")
    assert len(best.x) == 3 and len(worse.x) == 1
    low, high = figure.layout.xaxis.range
    assert high - low >= 2 * figures.MIN_STRIP_HALF_SPAN
    same = figures.restarts_figure(values[[0, 1]], np.arange(2), np.zeros(2, int), np.ones(2, int))
    low, high = same.layout.xaxis.range
    assert high - low == pytest.approx(2 * figures.MIN_STRIP_HALF_SPAN)  # 1e-9 apart: one optimum


def test_density_trace_is_the_log_density_of_the_marginal_on_the_plane_shown():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3)) * [1.0, 2.0, 3.0]
    params = gmm_core.initialize(X, 2, random_state=0)
    view = figures.plane_view(X, ["a", "b", "c"], pair=(0, 2))
    trace = figures.density_trace(params, view, resolution=30)
    marginal = params.marginal((0, 2))
    expected = density_on_grid(marginal, trace.x, trace.y)
    z = np.asarray(trace.z)
    shaded = z > trace.zmin  # below the shading's floor the values are clipped
    np.testing.assert_allclose(10 ** z[shaded], expected[shaded], rtol=1e-9)
    assert trace.zmax == pytest.approx(np.log10(expected.max()))


def test_points_before_any_e_step_are_grey_and_an_m_step_shows_where_the_ellipses_were():
    rng = np.random.default_rng(1)
    X = np.vstack([rng.normal(0, 1, (50, 2)), rng.normal(6, 1, (50, 2))])
    run = gmm_core.fit_em(X, gmm_core.initialize(X, 2, method="random_from_data", random_state=0), max_iter=3)
    view = figures.plane_view(X, ["x", "y"])
    figure = figures.mixture_scatter_figure(
        X, None, run.snapshot(1), view, previous_params=run.snapshot(0), show_density=True
    )
    assert set(_roles(figure, "points")[0].marker.color) == {palette.UNASSIGNED_COLOR}
    assert len(_roles(figure, "previous_ellipse")) == 2  # K = 2 at the smallest n_std only
    assert figure.data[0].meta["role"] == "fitted_density"


# --- Fits side by side in one animated chart ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def side_by_side():
    """Two starts and k-means on three clusters: their panels over every iteration, as the app builds them."""

    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(c, 0.8, (150, 2)) for c in ([0, 0], [6, 0], [0, 6])])
    runs = [
        gmm_core.fit_em(X, gmm_core.initialize(X, 3, method, random_state=2), max_iter=40, tol=1e-6)
        for method in ("kmeans++", "random_from_data")
    ]
    kmeans = gmm_core.fit_kmeans(X, runs[0].snapshot(0).means, 40)
    last = max(run.n_iter for run in runs + [kmeans])
    positions = list(range(last + 1))
    sample = np.arange(0, X.shape[0], 3)
    panels = [stages.kmeans_stages(kmeans, positions, sample)]
    panels += [stages.mixture_stages(name, run, positions, X[sample]) for name, run in zip("AB", runs)]
    figure = figures.panels_animation_figure(X[sample], panels, figures.plane_view(X, ["a", "b"]), positions, active=2)
    return json.loads(figure.to_json()), runs, kmeans, positions


def _frame_roles(spec, frame, role, panel):
    """Frame ``frame``'s data for the traces of ``role`` in ``panel``."""
    index = {t: i for i, t in enumerate(frame["traces"])}
    return [
        frame["data"][index[t]]
        for t, trace in enumerate(spec["data"])
        if trace["meta"]["role"] == role and trace["meta"]["panel"] == panel
    ]


def test_side_by_side_frames_move_every_panel_and_keep_a_stopped_fit_still(side_by_side):
    spec, runs, kmeans, positions = side_by_side
    assert [frame["name"] for frame in spec["frames"]] == [str(p) for p in positions]
    assert spec["layout"]["sliders"][0]["active"] == 2
    assert {trace["type"] for trace in spec["data"]} == {"scatter"}  # SVG: WebGL is not redrawn by frames
    assert not any(step["args"][1]["frame"]["redraw"] for step in spec["layout"]["sliders"][0]["steps"])
    # no outline round the points: every frame restyles each marker, and its stroke was a quarter of the work
    assert all(t["marker"]["line"]["width"] == 0 for t in spec["data"] if t["meta"]["role"] == "points")
    first, last = spec["frames"][0], spec["frames"][-1]
    for panel in (1, 2):  # each mixture's ellipses move between its first and last iteration...
        assert _frame_roles(spec, first, "ellipse", panel) != _frame_roles(spec, last, "ellipse", panel)
    shorter = int(np.argmin([run.n_iter for run in runs]))
    stopped = spec["frames"][runs[shorter].n_iter]  # ...and stay put once the run has stopped
    assert _frame_roles(spec, stopped, "ellipse", 1 + shorter) == _frame_roles(spec, last, "ellipse", 1 + shorter)
    statuses = [_frame_roles(spec, last, "status", panel)[0]["text"][0] for panel in range(3)]
    assert statuses[0].startswith(f"k-means · iteration {kmeans.n_iter} (converged)")
    assert statuses[1 + shorter].startswith(f"{'AB'[shorter]} · iteration {runs[shorter].n_iter} (converged)")


def test_side_by_side_kmeans_cells_hold_the_points_of_their_cluster(side_by_side):
    spec, _, kmeans, positions = side_by_side
    frame = spec["frames"][1]
    cells = [
        np.column_stack([em_chart.values(c["x"]), em_chart.values(c["y"])])
        for c in _frame_roles(spec, frame, "cell", 0)
    ]
    assert len(cells) == 3 and all(cell.shape[0] >= 4 for cell in cells)
    centers = kmeans.centers[1]
    for k, cell in enumerate(cells):  # every corner of cell k is at least as near centre k as any other
        squared = ((cell[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        assert np.all(squared[:, k] <= squared.min(axis=1) + 1e-3)


def test_side_by_side_panels_keep_equal_units_by_narrowing_not_by_widening_ranges(side_by_side):
    spec = side_by_side[0]
    for suffix in ("", "2", "3"):
        x, y = spec["layout"][f"xaxis{suffix}"], spec["layout"][f"yaxis{suffix}"]
        assert y["scaleanchor"] == f"x{suffix}" and x["constrain"] == y["constrain"] == "domain"


@pytest.mark.parametrize(
    "view, roles",
    [
        ("kmeans", {"cell", "centroid", "density", "component_density"}),
        ("starts", {"density", "component_density"}),
        ("covariance", {"density", "component_density"}),
    ],
)
def test_one_dimensional_fits_side_by_side_scrub_in_one_chart(view, roles):
    """1-D data (S6b) get the same side-by-side chart: each panel the histogram of every height, its frames the
    curves and densities (or k-means' intervals and centroids)."""
    at = _app(data="S6b", view=view)
    _ok(at)
    chart = next(chart for chart in _charts(at) if _traces(chart, "status"))
    present = {(trace.get("meta") or {}).get("role") for trace in chart["data"]}
    assert roles | {"histogram", "status"} <= present and "points" not in present
    if view == "covariance":
        assert any("In one dimension a covariance is one variance" in c.value for c in at.caption)
    histograms = _traces(chart, "histogram")
    assert len(histograms) == len(_traces(chart, "status")) and sum(h.get("showlegend", True) for h in histograms) == 1
    first, last = chart["frames"][0], chart["frames"][-1]
    density = next(t for t, trace in enumerate(chart["data"]) if trace["meta"]["role"] == "density")
    values = [em_chart.values(frame["data"][frame["traces"].index(density)]["y"]) for frame in (first, last)]
    assert not np.allclose(*values)  # EM moves the density from the start to the end
