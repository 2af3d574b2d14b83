"""The maths panel: its numbers are the engine's and scikit-learn's to the digits shown; the step it writes follows
the EM tab's; a click picks the right row; the panel in the app (AppTest) with a row box, half steps and 1-D data."""

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core import lower_bound
from gmm_core.scenarios import load_scenario
from gmm_ui import figures, maths
from gmm_ui import state as keys
from gmm_ui.figures.bound import lower_bound_figure
from tests.test_bound import sklearn_model

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


# --- Numbers as LaTeX ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (98.5234, "98.52"),
        (-3.12345, "-3.123"),
        (0.00123456, "0.001235"),
        (1.0, "1.000"),
        (0.0, "0"),
        (12345.6, r"1.235 \times 10^{4}"),
        (2.5e-9, r"2.500 \times 10^{-9}"),
        (9.99996, "10.00"),
    ],
)
def test_numbers_are_written_with_four_significant_digits(value, text):
    assert maths.number(value) == text


def test_a_number_below_the_smallest_float_is_written_from_its_logarithm():
    assert maths.exp_number(np.log(3.0) - 2000 * np.log(10)) == r"3.000 \times 10^{-2000}"
    assert maths.exp_number(np.log(0.25)) == "0.2500"


# --- The step on screen -----------------------------------------------------------------------------------------


def test_whole_iterations_write_the_m_step_that_made_them_and_the_e_step_under_them():
    step = maths.step_on_screen(3, False, 7)
    assert (step.position, step.snapshot, step.m_step, step.e_step) == (6, 3, 3, 3)
    start = maths.step_on_screen(0, False, 7)
    assert (start.m_step, start.e_step) == (None, 0)


def test_each_half_step_writes_its_own_half():
    after_e = maths.step_on_screen(5, True, 7)  # 3 · E-step: responsibilities under iteration 2
    assert (after_e.snapshot, after_e.m_step, after_e.e_step) == (2, None, 2)
    after_m = maths.step_on_screen(6, True, 7)  # 3 · M-step: parameters of iteration 3
    assert (after_m.snapshot, after_m.m_step, after_m.e_step) == (3, 3, None)
    assert maths.step_on_screen(0, True, 7).e_step is None


def test_a_position_beyond_the_run_shows_its_last_step():
    assert maths.step_on_screen(99, False, 7).snapshot == 7


# --- The numbers are the engine's and scikit-learn's ------------------------------------------------------------


@pytest.mark.parametrize("position", [1, 2, 9, 100])
def test_the_panels_numbers_are_scikit_learns_to_the_digits_shown(two_d_run, position):
    row = 62
    numbers = maths.step_numbers(two_d_run, position, True, row)
    step = numbers.step
    X = two_d_run.X
    blocks = [maths.component_block(numbers, k) for k in range(3)]
    if step.m_step is not None:
        used = sklearn_model(two_d_run.snapshot(step.m_step - 1)).predict_proba(X)
        for k, block in enumerate(blocks):
            assert f"N_{{{k + 1}}} &= {maths.number(used[:, k].sum())}" in block
            assert f"= {maths.number(used[:, k].mean())}" in block  # pi_k = N_k / N
    for k, block in enumerate(blocks):
        params = numbers.params
        assert maths.column(params.means[k]) in block and maths.matrix(params.covariances[k]) in block
    model = sklearn_model(two_d_run.snapshot(numbers.point_snapshot))
    gammas = model.predict_proba(X[[row - 1]])[0]
    np.testing.assert_allclose(numbers.point.responsibilities, gammas, rtol=1e-10, atol=1e-15)
    if step.e_step is not None:
        lines = maths.point_lines(numbers, two_d_run.snapshot(step.e_step).weights)
        for k, gamma in enumerate(gammas):
            assert any(
                line.startswith(f"\\gamma_{{{row},{k + 1}}}") and line.endswith(maths.number(gamma)) for line in lines
            )
        evidence = maths.exp_number(model.score_samples(X[[row - 1]])[0])
        assert any(
            line.endswith(f"&= {evidence}\\end{{aligned}}") for line in lines if line.startswith(r"\begin{aligned}p(")
        )
    score = sklearn_model(numbers.params).score(X)
    assert maths.log_likelihood_line(numbers).startswith(rf"\bar\ell = {maths.number(score)}")


def test_the_bound_the_panel_writes_is_the_engines(two_d_run):
    numbers = maths.step_numbers(two_d_run, 4, True)
    bound = lower_bound(two_d_run)
    line = maths.bound_line(numbers)
    assert f"Q &= {maths.number(bound.expected_log_likelihood[4])}" in line
    assert f"Q + H &= {maths.number(bound.bound[4])}" in line
    assert maths.bound_line(maths.step_numbers(two_d_run, 0, True)) is None


def test_the_downloads_hold_every_digit(two_d_run):
    numbers = maths.step_numbers(two_d_run, 3, False, 5)
    record = json.loads(maths.numbers_json(numbers, ["x", "y"]))
    assert record["picked_point"]["row"] == 5
    np.testing.assert_allclose(record["picked_point"]["responsibilities"], two_d_run.responsibilities(3)[4], rtol=1e-13)
    assert [c["weight"] for c in record["components"]] == two_d_run.weights[3].tolist()
    csv = maths.numbers_csv(numbers, ["x", "y"]).splitlines()
    assert csv[0] == "quantity,component,value"
    assert f'"weight",1,"{float(two_d_run.weights[3][0])!r}"' in csv


# --- Picking a point ---------------------------------------------------------------------------------------------


def test_a_click_on_a_drawn_point_picks_its_row(two_d_run):
    X = two_d_run.X
    shown = np.arange(0, 180, 2)
    selection = {"points": [{"x": float(X[40, 0]), "y": float(X[40, 1]), "curve_number": 0, "point_index": 20}]}
    assert maths.picked_row(selection, X, shown, (0, 1)) == 41
    mean = {"points": [{"x": 123.25, "y": -4.5, "curve_number": 9, "point_index": 0}]}
    assert maths.picked_row(mean, X, shown, (0, 1)) is None  # a mean, the curve...: nothing picked
    assert maths.picked_row({"points": []}, X, shown, (0, 1)) is None
    assert maths.picked_row(None, X, shown, (0, 1)) is None


def test_a_click_on_a_tick_of_the_rug_picks_its_value():
    X = np.linspace(0, 1, 50)[:, None]
    assert maths.picked_row({"points": [{"x": 0.5, "y": 0, "customdata": 26}]}, X, np.arange(50), (0, 0)) == 26
    assert maths.picked_row({"points": [{"x": 3, "y": -2.1}]}, X, np.arange(50), (0, 0)) is None


def test_the_picked_point_is_ringed_in_every_frame(two_d_run):
    from gmm_ui import stages

    frames, _ = stages.em_frames(two_d_run, two_d_run.X, False, 0)
    view = figures.plane_view(two_d_run.X, ["x", "y"])
    figure = figures.em_animation_figure(
        two_d_run.X, frames, view, two_d_run.log_likelihood, picked=(two_d_run.X[7], "row 8")
    )
    index = next(i for i, t in enumerate(figure.data) if t.meta["role"] == "picked")
    assert list(figure.data[index].x) == [two_d_run.X[7, 0]] and list(figure.data[index].text) == ["row 8"]
    assert all(index not in frame.traces for frame in figure.frames)  # never moved: the same in every frame


def test_the_1d_chart_draws_a_rug_carrying_rows_and_the_picked_value():
    rng = np.random.default_rng(1)
    X = np.concatenate([rng.normal(0, 1, 80), rng.normal(5, 1, 80)])[:, None]
    start = gmm_core.GaussianMixtureParams([0.5, 0.5], [[-1.0], [4.0]], [[[1.0]], [[1.0]]])
    run = gmm_core.fit_em(X, start, max_iter=5)
    from gmm_ui import stages

    frames, _ = stages.em_frames(run, None, False, 0)
    figure = figures.em_animation_1d_figure(
        X, frames, (-4, 9), run.log_likelihood, picked=(X[3], "row 4"), rug_rows=np.arange(0, 160, 4)
    )
    rug = next(t for t in figure.data if t.meta["role"] == "rug")
    assert list(rug.customdata) == list(range(1, 161, 4)) and list(rug.x) == list(X[::4, 0])
    line = next(t for t in figure.data if t.meta["role"] == "picked")
    assert list(line.x) == [X[3, 0], X[3, 0]]


def test_the_bound_figure_marks_the_step_on_screen(two_d_run):
    bound = lower_bound(two_d_run)
    figure = lower_bound_figure(bound, 7)
    roles = {t.meta["role"]: t for t in figure.data}
    np.testing.assert_array_equal(roles["lower_bound"].y, bound.bound[1:])
    np.testing.assert_array_equal(roles["log_likelihood"].y, bound.log_likelihood)
    assert list(roles["current"].x) == [7] and list(roles["current"].y) == [bound.log_likelihood[7]]
    assert figure.layout.xaxis.range[0] <= 7 <= figure.layout.xaxis.range[1]


def test_k_means_beside_em_writes_the_squared_distances_and_the_updates(two_d_run):
    centers = two_d_run.X[[0, 1, 2]]  # a poor start: k-means walks
    kmeans_run = gmm_core.fit_kmeans(two_d_run.X, centers, max_iter=20)
    assert kmeans_run.n_iter >= 2
    blocks, squared, nearest = maths.kmeans_lines(kmeans_run, 1, 10)
    np.testing.assert_allclose(squared, np.sum((kmeans_run.centers[1] - two_d_run.X[9]) ** 2, axis=1))
    assert nearest == kmeans_run.labels(1)[9] and r"\leftarrow \text{nearest}" in blocks[nearest]
    members = two_d_run.X[kmeans_run.labels(1) == nearest]
    np.testing.assert_allclose(kmeans_run.centers[2][nearest], members.mean(axis=0), rtol=1e-12)
    assert maths.column(kmeans_run.centers[2][nearest]) in blocks[-1]
    gmm_blocks, point = maths.gmm_lines(two_d_run, 1, 10)
    np.testing.assert_allclose(point.responsibilities, two_d_run.responsibilities(1)[9], rtol=1e-13)
    assert gmm_blocks[0].endswith(maths.number(point.responsibilities[0]))


# --- The panel in the app ----------------------------------------------------------------------------------------


def _tex(at):
    """The TeX of every formula on the page (st.latex sends it between $$ lines)."""
    return [element.value.strip().removeprefix("$$").removesuffix("$$").strip() for element in at.latex]


def _texts(at):
    return " ".join(str(m.value) for m in [*at.markdown, *at.caption])


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def s1_run():
    """EM on S1 from its own start, with its own settings (the app's first page)."""
    scenario = load_scenario("S1")
    return gmm_core.fit_em(
        scenario.X,
        scenario.initial,
        max_iter=scenario.max_iter,
        tol=scenario.tol,
        covariance_type=scenario.covariance_type,
        reg_covar=scenario.reg_covar,
        convergence=scenario.convergence,
    )


def _gamma_lines(tex, row):
    return [line for line in tex if line.startswith(rf"\gamma_{{{row},")]


def _open_panel(timeout):
    """The app's first page with the maths panel open (it is drawn only while open)."""
    at = AppTest.from_file(APP, default_timeout=timeout)
    at.session_state[keys.MATHS_OPEN] = True
    return at.run()


def test_the_panel_is_closed_and_not_drawn_until_opened():
    at = AppTest.from_file(APP, default_timeout=90).run()
    assert not [box for box in at.number_input if box.key == keys.PICKED_ROW] and not at.latex
    at.session_state[keys.MATHS_OPEN] = True
    at.run()
    assert at.number_input(key=keys.PICKED_ROW).value is None and at.latex


def test_the_panel_writes_the_picked_rows_e_step_and_follows_the_iteration():
    at = _open_panel(90)
    _ok(at)
    assert at.number_input(key="picked_row").value is None
    assert "Pick a point" in _texts(at)
    run = s1_run()
    at.number_input(key="picked_row").set_value(17).run()
    _ok(at)
    for iteration in (0, 3):
        if iteration:
            at.number_input(key="iteration").set_value(iteration).run()
            _ok(at)
        tex = _tex(at)
        gammas = sklearn_model(run.snapshot(iteration)).predict_proba(run.X[[16]])[0]
        lines = _gamma_lines(tex, 17)
        assert [line.rsplit("= ", 1)[1] for line in lines] == [maths.number(g) for g in gammas]
        assert any(line.startswith(r"\bar\ell = " + maths.number(run.log_likelihood[iteration])) for line in tex)
    assert "Iteration 3 of 7" in _texts(at)
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if json.loads(c.proto.spec).get("frames"))
    picked = [t for t in chart["data"] if (t.get("meta") or {}).get("role") == "picked"]
    assert len(picked) == 1 and picked[0]["text"] == ["row 17"]
    assert {b.key for b in at.get("download_button")} >= {"download_maths_csv", "download_maths_json"}


def test_with_half_steps_each_half_writes_its_own_half():
    at = _open_panel(90)
    at.number_input(key="picked_row").set_value(5).run()
    at.toggle(key="half_steps").set_value(True).run()
    at.selectbox(key="em_half_step").set_value(3).run()  # 2 · E-step
    _ok(at)
    texts = _texts(at)
    assert "Half step 2 · E-step" in texts and "**E-step** under the parameters of iteration 1" in texts
    assert "**M-step**" not in texts
    assert _gamma_lines(_tex(at), 5)
    at.selectbox(key="em_half_step").set_value(4).run()  # 2 · M-step
    _ok(at)
    texts = _texts(at)
    assert "**M-step** of iteration 2" in texts and "**E-step**" not in texts
    assert "share in this M-step" in texts


def test_the_panel_on_1d_data_writes_variances():
    at = _open_panel(120)
    at.selectbox(key="scenario").set_value("S6b").run()
    _ok(at)
    at.number_input(key="picked_row").set_value(3).run()
    _ok(at)
    tex = _tex(at)
    assert any(r"\sigma_{1}^2 &= " in line for line in tex)
    assert _gamma_lines(tex, 3)


def test_the_k_means_tab_shows_the_picked_point_beside_its_responsibilities():
    at = _open_panel(90)
    at.number_input(key="picked_row").set_value(17).run()
    at.session_state["view"] = "k-means vs GMM"
    at.run()
    _ok(at)
    tex = _tex(at)
    assert any(line.startswith(r"\lVert x_{17} - c_{1}\rVert^2") for line in tex)
    assert _gamma_lines(tex, 17)


def test_a_picked_row_is_forgotten_with_its_data_set():
    at = _open_panel(90)
    at.number_input(key="picked_row").set_value(17).run()
    at.selectbox(key="scenario").set_value("S2").run()
    _ok(at)
    assert at.number_input(key="picked_row").value is None
