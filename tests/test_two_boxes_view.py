"""The two-boxes view: its figures (pure, no browser) and its tab driven headless through AppTest."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gmm_core import fit_two_boxes
from gmm_core.two_boxes import TUTORIAL_ROUNDS, TUTORIAL_START
from gmm_ui import figures, state
from gmm_ui.state import TABS
from tests.page_tables import shown_table

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _runs():
    return [fit_two_boxes(TUTORIAL_ROUNDS, *TUTORIAL_START, method) for method in ("soft", "hard")]


def _roles(figure, role):
    return [trace for trace in figure.data if (trace.meta or {}).get("role") == role]


# --- Figures -----------------------------------------------------------------------------------------------------


def test_the_trajectory_draws_each_runs_path_and_marks_the_iteration_shown():
    soft, hard = _runs()
    figure = figures.boxes_trajectory_figure([soft, hard], 1)
    paths = {trace.meta["method"]: trace for trace in _roles(figure, "boxes_path")}
    assert set(paths) == {"soft", "hard"}
    for run in (soft, hard):
        np.testing.assert_array_equal(np.asarray(paths[run.method].x), run.p[:, 0])
        np.testing.assert_array_equal(np.asarray(paths[run.method].y), run.p[:, 1])
    current = {trace.meta["method"]: trace for trace in _roles(figure, "boxes_current")}
    assert list(current["soft"].x) == pytest.approx([0.3467], abs=1e-4) and current["soft"].meta["iteration"] == 1
    assert list(current["hard"].x) == pytest.approx([1 / 3]) and list(current["hard"].y) == pytest.approx([0.6])
    assert len(_roles(figure, "boxes_start")) == 2 and len(_roles(figure, "boxes_alike")) == 1
    # Solid and dashed, circles and squares: the two methods differ in more than colour.
    assert paths["soft"].line.dash != paths["hard"].line.dash
    assert paths["soft"].marker.symbol != paths["hard"].marker.symbol


def test_a_run_that_stopped_earlier_is_marked_at_its_last_iteration():
    soft, hard = _runs()
    later = soft.n_iter
    assert later > hard.n_iter
    figure = figures.boxes_trajectory_figure([soft, hard], later)
    current = {trace.meta["method"]: trace.meta["iteration"] for trace in _roles(figure, "boxes_current")}
    assert current == {"soft": later, "hard": hard.n_iter}
    curves = figures.boxes_log_likelihood_figure([soft, hard], later)
    marks = {trace.meta["method"]: list(trace.x) for trace in _roles(curves, "boxes_log_likelihood_current")}
    assert marks == {"soft": [later], "hard": [hard.n_iter]}


def test_the_log_likelihood_chart_draws_each_runs_values():
    soft, hard = _runs()
    figure = figures.boxes_log_likelihood_figure([soft, hard], 2)
    lines = {trace.meta["method"]: trace for trace in _roles(figure, "boxes_log_likelihood")}
    for run in (soft, hard):
        np.testing.assert_array_equal(np.asarray(lines[run.method].y), run.log_likelihood)
        np.testing.assert_array_equal(np.asarray(lines[run.method].x), np.arange(run.n_iter + 1))
    assert [shape.x0 for shape in figure.layout.shapes] == [2]  # the iteration shown


def test_one_method_alone_draws_only_its_own_traces():
    soft, _ = _runs()
    figure = figures.boxes_trajectory_figure([soft], 3)
    assert [trace.meta["method"] for trace in _roles(figure, "boxes_path")] == ["soft"]


# --- The tab -----------------------------------------------------------------------------------------------------


@pytest.fixture
def boxes():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["view"] = "boxes"
    return at.run()


def _assert_no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


def _metrics(at):
    """{label: [values]} of the view's metrics, soft EM's before hard EM's."""
    found = {}
    for metric in at.metric:
        found.setdefault(metric.label, []).append(metric.value)
    return found


def test_the_tab_opens_on_the_tutorials_first_iteration(boxes):
    _assert_no_exception(boxes)
    assert boxes.session_state[state.VIEW] == TABS["boxes"]
    assert boxes.text_input(key=state.BOXES_ROUNDS).value == "3W2B, 2W3B, 1W4B, 3W2B, 2W3B"
    assert boxes.slider(key=state.BOXES_ITERATION).value == 1
    metrics = _metrics(boxes)
    assert metrics["p1"] == ["0.347", "0.333"] and metrics["p2"] == ["0.580", "0.600"]  # soft, hard
    shares = shown_table(boxes, "boxes_soft_responsibilities")
    np.testing.assert_allclose(shares["box 1"], [0.1, 0.9, 0.999, 0.1, 0.9])
    assert shown_table(boxes, "boxes_hard_responsibilities")["box 1"].tolist() == [0, 1, 1, 0, 1]
    texts = " ".join(str(caption.value) for caption in boxes.caption)
    assert "Hard EM is to soft EM what k-means is to the GMM" in texts
    assert len(boxes.get("plotly_chart")) == 2


def test_the_iteration_control_moves_every_table_and_number(boxes):
    boxes.slider(key=state.BOXES_ITERATION).set_value(2).run()
    _assert_no_exception(boxes)
    metrics = _metrics(boxes)
    assert metrics["p1"] == ["0.393", "0.333"] and metrics["p2"] == ["0.492", "0.600"]
    soft = fit_two_boxes(TUTORIAL_ROUNDS, *TUTORIAL_START, "soft")
    np.testing.assert_allclose(
        shown_table(boxes, "boxes_soft_responsibilities")["box 1"], soft.responsibilities[1, :, 0], atol=5e-4
    )


def test_one_method_shows_its_tables_only(boxes):
    boxes.segmented_control(key=state.BOXES_METHOD).set_value("hard").run()
    _assert_no_exception(boxes)
    assert _metrics(boxes)["p1"] == ["0.333"]
    assert boxes.slider(key=state.BOXES_ITERATION).max == 2  # hard EM stops after two iterations
    with pytest.raises(AssertionError):
        shown_table(boxes, "boxes_soft_responsibilities")


@pytest.mark.parametrize(
    "key, value, message",
    [
        (state.BOXES_ROUNDS, "3W2B, 0W0B", "round 2 has no draws"),
        (state.BOXES_ROUNDS, "3W2B, three white", "is not a count of white and black draws"),
        (state.BOXES_ROUNDS, "", "no round given"),
        (state.BOXES_P1, 0.0, "p1"),
        (state.BOXES_P2, 1.0, "p2"),
    ],
)
def test_bad_input_shows_a_message_and_keeps_the_last_valid_values(boxes, key, value, message):
    if key == state.BOXES_ROUNDS:
        boxes.text_input(key=key).set_value(value).run()
    else:
        boxes.number_input(key=key).set_value(value).run()
    _assert_no_exception(boxes)
    errors = " ".join(str(error.value) for error in boxes.error)
    assert message in errors and "last valid" in errors
    assert _metrics(boxes)["p1"] == ["0.347", "0.333"]  # still the tutorial's rounds and start


def test_a_valid_edit_replaces_the_values_kept(boxes):
    boxes.text_input(key=state.BOXES_ROUNDS).set_value("WWWWB, BBBBW").run()
    boxes.text_input(key=state.BOXES_ROUNDS).set_value("nonsense").run()
    _assert_no_exception(boxes)
    expected = fit_two_boxes([(4, 1), (1, 4)], *TUTORIAL_START, "soft").p[1, 0]
    assert _metrics(boxes)["p1"][0] == f"{expected:.3f}"
