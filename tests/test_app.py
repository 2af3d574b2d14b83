"""The app driven headless through Streamlit's AppTest: presets, controls, the editable start, uploads, errors."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gmm_core.scenarios import list_scenarios, load_scenario
from gmm_ui.data import ANIMATION_DISPLAY_LIMIT
from gmm_ui.state import TABS
from gmm_ui.tabs.em import ANIMATION_HEIGHT
from gmm_ui.text import plain
from tests import em_chart
from tests.page_tables import edit_start, shown_table, start_editor

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
SMALL_CSV = b"width,height,kind\n1,2,a\n1.5,2.2,a\n0.9,2.1,a\n1.1,1.8,a\n5,6,b\n5.5,6.1,b\n5.2,5.8,b\n4.8,6.3,b\n"


@pytest.fixture
def app():
    return AppTest.from_file(APP, default_timeout=60).run()


def _texts(at):
    """Every text the page shows (markdown, captions, messages), for "is this said somewhere" checks."""
    elements = [*at.markdown, *at.caption, *at.error, *at.warning, *at.info, *at.success]
    return " ".join(str(element.value) for element in elements)


def _header(at):
    return at.markdown[0].value


def _assert_no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def _upload(at, content, name="points.csv"):
    at.segmented_control(key="dataset_source").set_value("Upload CSV").run()
    at.file_uploader(key="upload").set_value((name, content, "text/csv"))
    return at.run()


@pytest.mark.parametrize("key", [key for key, _ in list_scenarios()])
def test_every_preset_loads_and_shows_its_point_count(app, key):
    app.selectbox(key="scenario").set_value(key).run()
    _assert_no_exception(app)
    scenario = load_scenario(key)
    assert f"{scenario.n_samples:,} points" in _header(app)
    assert em_chart.last_position(app) >= 1  # the fit ran and can be scrubbed
    assert app.number_input(key="n_components").value == scenario.n_components


def test_first_page_shows_the_em_walkthrough(app):
    _assert_no_exception(app)
    assert "300 points" in _header(app)
    assert app.number_input(key="iteration").value == 0
    chart = em_chart.em_chart(app)
    assert em_chart.active_name(chart) == "0" and em_chart.headline(chart).startswith("Iteration 0 of 7")
    # The stage's toolbar plays the chart (Plotly's own buttons are off: Tab cannot reach them).
    assert not chart["layout"].get("updatemenus")
    stage = em_chart.stage(app)
    assert stage["names"] == [frame["name"] for frame in chart["frames"]] and stage["position"] == "0"
    assert stage["labels"][3] == "Iteration 3 of 7" and stage["play"]["sequence"][0] == "0"
    # The figure carries its height: Plotly's first drawing is at the final size, not at its default 450 px first.
    assert chart["layout"]["height"] == ANIMATION_HEIGHT
    assert not [b for b in app.button if b.key == "play"]
    keys = {b.key for b in app.get("download_button")}
    exports = {"download_parameters", "download_history", "download_animation"}
    assert keys == exports  # the maths panel (and its downloads) is drawn only once opened


def test_the_first_page_shows_its_tables_without_a_data_grid(app):
    """A data grid loads about 1.5 MB of scripts into the page before the first chart: the first page's start and
    fitted parameters are read-only HTML tables, and the grid opens on request."""
    assert not app.data_editor and not app.dataframe
    assert app.toggle(key="edit_start").value is False
    start = shown_table(app, "start")
    assert list(start.columns) == ["π", "μx", "μy", "σx", "σy", "ρ"] and len(start) == 3
    assert start["π"].sum() == pytest.approx(1.0, abs=1e-3)
    fitted = shown_table(app, "parameters")
    assert len(fitted) == 3 and np.isfinite(fitted.to_numpy()).all()
    grid = start_editor(app).value
    assert np.allclose(grid.to_numpy(), start.to_numpy(), atol=5e-5)  # the same numbers, to the table's digits


def test_closing_the_editor_keeps_the_edits(app):
    edit_start(app, **{"μx": 5.0})
    fitted = shown_table(app, "parameters")
    app.toggle(key="edit_start").set_value(False).run()
    _assert_no_exception(app)
    assert not app.data_editor
    assert shown_table(app, "start")["μx"].iloc[0] == 5.0
    assert shown_table(app, "parameters").equals(fitted)  # EM still starts from the edited values


def test_picking_the_manual_start_opens_the_editor(app):
    app.selectbox(key="init_method").set_value("manual").run()
    _assert_no_exception(app)
    assert app.toggle(key="edit_start").value is True
    assert len(app.data_editor(key="init_table").value) == 3


def test_opening_at_an_iteration_moves_the_chart_not_the_start(app):
    start_table = shown_table(app, "start")
    final = app.metric[0].value
    app.number_input(key="iteration").set_value(3).run()
    _assert_no_exception(app)
    chart = em_chart.em_chart(app)
    assert em_chart.active_name(chart) == "3"  # the chart opens on iteration 3, its slider there
    assert em_chart.headline(chart).startswith("Iteration 3 of 7")
    assert app.metric[0].value != final  # the metrics and the table follow the iteration on screen
    assert app.metric[0].label == "Mean log-likelihood, iteration 3"
    assert em_chart.stage(app)["position"] == "3"
    assert shown_table(app, "start").equals(start_table)
    assert app.number_input(key="n_components").value == 3


def test_changing_k_refits_with_that_many_components(app):
    app.number_input(key="n_components").set_value(2).run()
    _assert_no_exception(app)
    assert len(shown_table(app, "start")) == 2
    parameters = shown_table(app, "parameters")
    assert len(parameters) == 2
    assert app.selectbox(key="init_method").value == "kmeans++"  # the scenario's own start is for K = 3


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"π": 1.5}, "π = 1.5 must lie between 0 and 1"),
        ({"ρ": 1.2}, "ρ = 1.2 must lie strictly between -1 and 1"),
        ({"σx": -1.0}, "σx = -1 must be positive"),
        ({"π": 0.5}, "sum to 1"),
    ],
)
def test_invalid_start_is_reported_in_place_and_the_last_valid_start_is_kept(app, cells, message):
    run_before = app.metric[0].value
    edit_start(app, **cells)
    _assert_no_exception(app)
    assert any(plain(message) in error.value for error in app.error), [e.value for e in app.error]
    assert "last valid start" in _texts(app)
    assert app.metric[0].value == run_before  # EM still runs from the previous start


def test_normalise_button_makes_the_weights_sum_to_one(app):
    edit_start(app, **{"π": 0.5})
    app.button(key="normalise_weights").click().run()
    _assert_no_exception(app)
    assert not app.error
    weights = start_editor(app).value["π"]
    assert weights.sum() == pytest.approx(1.0)
    assert weights.iloc[0] == pytest.approx(0.5 / (0.5 + 2 / 3))
    assert app.selectbox(key="init_method").value == "manual"


def test_wrong_row_count_is_reported_when_k_changes_under_a_manual_start(app):
    app.selectbox(key="init_method").set_value("manual").run()
    app.number_input(key="n_components").set_value(4).run()
    _assert_no_exception(app)
    assert any(plain("3 row(s) but K = 4") in error.value for error in app.error)


def test_a_valid_edit_is_used_by_the_fit_and_survives_switching_tabs(app):
    edit_start(app, **{"μx": 5.0})
    assert not app.error
    app.session_state["view"] = "k-means vs GMM"
    app.run()
    app.session_state["view"] = "EM, step by step"
    app.run()
    _assert_no_exception(app)
    assert app.session_state["start_params"].means[0, 0] == pytest.approx(5.0)
    assert app.number_input(key="n_components").value == 3


def test_kmeans_panel_renders_with_one_shared_control(app):
    app.session_state["view"] = "k-means vs GMM"
    app.run()
    _assert_no_exception(app)
    assert app.number_input(key="iteration").value == 0
    labels = [metric.label for metric in app.metric]
    assert "Final inertia (sum of squares)" in labels and "Final mean log-likelihood" in labels
    assert labels.count("Final ARI with truth") == 2
    chart = next(c for c in app.get("plotly_chart") if json.loads(c.proto.spec).get("frames"))
    spec = json.loads(chart.proto.spec)
    roles = {(trace.get("meta") or {}).get("role") for trace in spec["data"]}
    assert {"cell", "circle", "centroid", "ellipse", "mean", "status"} <= roles  # k-means beside EM, one chart
    app.number_input(key="iteration").set_value(2).run()
    _assert_no_exception(app)


@pytest.mark.parametrize("tab", ["Covariance types", "Sampling from the model"])
def test_other_tabs_render(app, tab):
    app.session_state["view"] = tab
    app.run()
    _assert_no_exception(app)


def test_csv_upload_loads_the_file_and_its_labels(app):
    _upload(app, SMALL_CSV)
    _assert_no_exception(app)
    assert "8 points" in _header(app) and plain("points.csv") in _header(app)  # names are shown escaped
    assert app.selectbox(key="upload_labels").value == "kind"
    assert any(metric.label == "Agreement with truth (ARI)" for metric in app.metric)


def test_malformed_upload_shows_the_error_and_keeps_the_previous_data(app):
    _upload(app, b"a,b\n1,2\n3,oops\n4,5\n", name="broken.csv")
    _assert_no_exception(app)
    assert any(plain("broken.csv") in error.value for error in app.error)
    assert "300 points" in _header(app)  # still the preset


def test_binary_upload_is_refused_with_a_message(app):
    _upload(app, b"\x00\x01\x02binary", name="image.csv")
    _assert_no_exception(app)
    assert any(plain("not a text file") in error.value for error in app.error)
    assert "300 points" in _header(app)


def test_dropping_bad_rows_rescues_a_malformed_upload(app):
    _upload(app, b"a,b\n1,2\n3,oops\n4,5\n1,1\n", name="broken.csv")
    app.checkbox(key="drop_bad_rows").check().run()
    _assert_no_exception(app)
    assert "3 points" in _header(app)


def test_engine_parameter_errors_are_messages_not_tracebacks(app):
    _upload(app, b"x,y\n1,1\n1,1\n1,1\n2,2\n", name="duplicates.csv")
    app.number_input(key="n_components").set_value(3).run()
    _assert_no_exception(app)
    assert any(plain("distinct point(s)") in error.value for error in app.error)


def test_generator_draws_a_new_sample_on_demand(app):
    app.segmented_control(key="dataset_source").set_value("Generate").run()
    _assert_no_exception(app)
    assert "450 points" in _header(app)
    first_start = shown_table(app, "start")
    app.button(key="new_sample").click().run()
    _assert_no_exception(app)
    assert app.number_input(key="gen_seed").value == 1
    assert not shown_table(app, "start").equals(first_start)


def test_new_generated_data_keep_the_users_settings_and_a_preset_brings_its_own(app):
    """A preset prescribes its settings, and so does the generator when it follows a preset; after that, a new sample
    or new generator settings keep what the user typed (they used to be reset at every change of the data)."""
    app.segmented_control(key="dataset_source").set_value("Generate").run()
    generated = app.session_state["data"].scenario
    assert (app.number_input(key="tol").value, app.number_input(key="max_iter").value) == (
        generated.tol,
        generated.max_iter,
    )
    app.number_input(key="tol").set_value(0.0).run()
    app.number_input(key="max_iter").set_value(37).run()
    app.number_input(key="gen_points").set_value(120).run()
    app.button(key="new_sample").click().run()
    _assert_no_exception(app)
    assert "360 points" in _header(app)
    assert (app.number_input(key="tol").value, app.number_input(key="max_iter").value) == (0.0, 37)
    assert "Iteration 0 of 37" in json.dumps(em_chart.em_chart(app))  # tol 0: every iteration runs
    app.segmented_control(key="dataset_source").set_value("Preset").run()
    app.selectbox(key="scenario").set_value("S2").run()
    scenario = load_scenario("S2")
    assert (app.number_input(key="tol").value, app.number_input(key="max_iter").value) == (
        scenario.tol,
        scenario.max_iter,
    )
    app.segmented_control(key="dataset_source").set_value("Generate").run()
    assert (app.number_input(key="tol").value, app.number_input(key="max_iter").value) == (
        generated.tol,
        generated.max_iter,
    )


def test_the_em_chart_of_large_data_draws_its_animation_sample_in_svg(app):
    """Each scrub step recolours every drawn point in SVG (WebGL is not redrawn by animation frames): the EM chart
    draws ANIMATION_DISPLAY_LIMIT points, and its caption says so; the static charts keep their larger sample."""
    app.segmented_control(key="dataset_source").set_value("Generate").run()
    app.number_input(key="gen_points").set_value(1000).run()
    _assert_no_exception(app)
    n_points = 3 * 1000
    chart = em_chart.em_chart(app)
    points = em_chart.traces(chart, "points")
    assert sum(len(em_chart.values(trace["x"])) for trace in points) == ANIMATION_DISPLAY_LIMIT
    assert {trace["type"] for trace in chart["data"]} == {"scatter"}
    assert f"Showing a random {ANIMATION_DISPLAY_LIMIT:,} of the {n_points:,} points" in _texts(app)


def test_static_charts_of_large_data_draw_their_points_in_webgl(app):
    """Charts redrawn whole at each rerun (here the sampling tab's data and samples) use WebGL above
    figures.WEBGL_THRESHOLD drawn points, as the animated charts cannot."""
    app.segmented_control(key="dataset_source").set_value("Generate").run()
    app.number_input(key="gen_points").set_value(1000).run()
    app.session_state["view"] = TABS["sampling"]
    app.run()
    _assert_no_exception(app)
    charts = [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]
    kinds = {
        trace["meta"]["role"]: trace["type"]
        for chart in charts
        for trace in chart["data"]
        if trace.get("meta", {}).get("role") in ("points", "samples")
    }
    assert kinds == {"points": "scattergl", "samples": "scattergl"}


def test_iris_fits_the_chosen_columns_and_shows_two(app):
    app.selectbox(key="scenario").set_value("S8").run()
    assert app.multiselect(key="fit_columns").value == list(load_scenario("S8").feature_names)
    assert app.selectbox(key="x_column").value == "petal length (cm)"
    app.multiselect(key="fit_columns").set_value(["petal length (cm)", "petal width (cm)"]).run()
    _assert_no_exception(app)
    assert list(shown_table(app, "start").columns) == ["π", "μx", "μy", "σx", "σy", "ρ"]


def test_standardising_changes_the_units_of_the_start(app):
    app.toggle(key="standardize").set_value(True).run()
    _assert_no_exception(app)
    means = shown_table(app, "start")[["μx", "μy"]].to_numpy()
    assert abs(means).max() < 3  # standardised units, not the raw 2..13


def test_truth_toggle_hides_the_comparison(app):
    assert any("(true)" in column for column in shown_table(app, "parameters").columns)
    app.toggle(key="show_truth").set_value(False).run()
    _assert_no_exception(app)
    assert not any("(true)" in column for column in shown_table(app, "parameters").columns)


def test_one_dimensional_data_are_scrubbed_in_the_chart_too(app):
    app.selectbox(key="scenario").set_value("S6b").run()
    _assert_no_exception(app)
    chart = em_chart.em_chart(app)
    assert em_chart.roles(chart)[:2] == ["histogram", "component_density"] and "density" in em_chart.roles(chart)
    assert not [slider for slider in app.slider if slider.key == "iteration"]  # no rerun per step
    app.number_input(key="iteration").set_value(3).run()
    _assert_no_exception(app)
    assert em_chart.active_name(em_chart.em_chart(app)) == "3"
    assert "Parameters at iteration" in _texts(app)


def test_one_dimensional_histograms_count_every_point_and_say_no_sample(app):
    """S6a has 10,000 points, more than a chart draws: its 1-D charts bin them all, so no note of a sample, in the
    EM chart and in the k-means vs GMM chart alike."""
    app.selectbox(key="scenario").set_value("S6a").run()
    _assert_no_exception(app)
    assert "Showing a random" not in _texts(app)
    histogram = em_chart.traces(em_chart.em_chart(app), "histogram")[0]
    edges, heights = em_chart.values(histogram["x"]), em_chart.values(histogram["y"])[:-1]
    scenario = load_scenario("S6a")
    assert edges[0] == scenario.X.min() and edges[-1] == scenario.X.max()
    counts = heights * (edges[1] - edges[0]) * scenario.n_samples
    assert counts.sum() == pytest.approx(10_000)  # every point, not the 5,000 drawn in 2-D
    app.session_state["view"] = TABS["kmeans"]
    app.run()
    _assert_no_exception(app)
    assert "Showing a random" not in _texts(app)  # k-means' panel too: the histogram of every point
    side_by_side = next(json.loads(c.proto.spec) for c in app.get("plotly_chart") if json.loads(c.proto.spec)["frames"])
    histograms = em_chart.traces(side_by_side, "histogram")
    assert len(histograms) == 2 and em_chart.values(histograms[0]["x"])[-1] == scenario.X.max()


# --- What is known beyond the points: the truth and the labels ---------------------------------------------------


def test_s6a_draws_its_true_density_under_show_the_truth(app):
    app.selectbox(key="scenario").set_value("S6a").run()
    _assert_no_exception(app)
    toggle = app.toggle(key="show_truth")
    assert not toggle.proto.disabled and toggle.value  # S6a knows its density: the toggle is no longer greyed out
    (line,) = em_chart.traces(em_chart.em_chart(app), "true_density")
    x, y = em_chart.values(line["x"]).astype(float), em_chart.values(line["y"]).astype(float)
    inside = (x > 0) & (x < 1)
    np.testing.assert_allclose(y[inside], 2 - 2 * x[inside], rtol=0, atol=1e-12)
    assert np.all(y[(x < 0) | (x > 1)] == 0) and (x.min(), x.max()) == (-1.0, 2.0)
    app.toggle(key="show_truth").set_value(False).run()
    assert not em_chart.traces(em_chart.em_chart(app), "true_density")


def test_s3_opens_on_its_classic_start_in_standardised_units(app):
    app.selectbox(key="scenario").set_value("S3").run()
    _assert_no_exception(app)
    assert app.toggle(key="standardize").value
    assert app.selectbox(key="init_method").value == "scenario"
    start = shown_table(app, "start")
    np.testing.assert_allclose(start[["μx", "μy"]].to_numpy(), load_scenario("S3").initial.means, atol=5e-5)
    assert em_chart.last_position(app) >= 8
    # The start is in standard deviations: in minutes it would mean nothing, so it is not offered there.
    app.toggle(key="standardize").set_value(False).run()
    _assert_no_exception(app)
    assert app.selectbox(key="init_method").value == "kmeans++"
    assert "The scenario's own start" not in app.selectbox(key="init_method").options


def test_the_fit_stands_beside_the_labelled_estimates_and_the_truth(app):
    app.selectbox(key="scenario").set_value("S6b").run()
    _assert_no_exception(app)
    table = shown_table(app, "parameters")
    names = [f"{name}{suffix}" for name in ("π", "μ", "σ") for suffix in ("", " (labelled)", " (true)")]
    assert list(table.columns) == names
    scenario = load_scenario("S6b")
    groups = [scenario.X[scenario.true_labels == label, 0] for label in (0, 1)]  # rows follow the true components
    np.testing.assert_allclose(table["μ (labelled)"], [group.mean() for group in groups], atol=5e-4)
    np.testing.assert_allclose(table["σ (labelled)"], [group.std(ddof=0) for group in groups], atol=5e-4)
    np.testing.assert_allclose(table["π (labelled)"], [0.5, 0.5], atol=5e-4)
    assert "if each point's true class were known" in _texts(app)
    app.toggle(key="show_truth").set_value(False).run()
    assert list(shown_table(app, "parameters").columns) == ["π", "μ", "σ"]


def test_labels_without_a_generating_mixture_give_labelled_estimates_only(app):
    _upload(app, SMALL_CSV)
    _assert_no_exception(app)
    table = shown_table(app, "parameters")
    assert "μx (labelled)" in table.columns and not any("(true)" in column for column in table.columns)
    points = np.array([[1, 2], [1.5, 2.2], [0.9, 2.1], [1.1, 1.8], [5, 6], [5.5, 6.1], [5.2, 5.8], [4.8, 6.3]])
    means = sorted([points[:4].mean(axis=0).tolist(), points[4:].mean(axis=0).tolist()])
    labelled = table[["μx (labelled)", "μy (labelled)"]].dropna().to_numpy()  # two groups; K may be larger
    np.testing.assert_allclose(sorted(labelled.tolist()), means, atol=5e-4)
