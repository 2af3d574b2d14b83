"""Touch the picture through AppTest: the drawn source in every tab, the place-mode controls and the own starts.

AppTest cannot click on a chart: setting a chart's selection in session state does not call its ``on_select``
callback (checked), so the clicks themselves are browser tests (tests/test_browser_touch.py). What a click leaves
behind, a drawn set or a start of one's own, is put in session state here the way the callbacks put it.
"""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui import drawing, tables
from gmm_ui.state import DATASET_SOURCE, DRAW, DRAWN, TABS
from gmm_ui.tabs.starts import OWN_START

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def _three_clouds():
    drawn = drawing.EMPTY
    for seed, center in enumerate([(-5.0, -5.0), (5.0, -5.0), (0.0, 5.0)]):
        drawn = drawing.add_cloud(drawn, center, 20, 0.5, seed)
    return drawn


def _no_exception(at):
    assert not at.exception, [e.value for e in at.exception]


@pytest.fixture
def drawn_app():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.session_state[DRAWN] = _three_clouds()
    at.segmented_control(key=DATASET_SOURCE).set_value(DRAW).run()
    return at


def test_the_draw_source_without_points_keeps_the_data_shown_and_says_how_to_draw():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.segmented_control(key=DATASET_SOURCE).set_value(DRAW).run()
    _no_exception(at)
    assert "300 points" in at.markdown[0].value
    assert any("Click on the canvas" in str(caption.value) for caption in at.caption)


def test_a_drawn_set_is_the_data_set_with_its_clouds_as_the_truth(drawn_app):
    _no_exception(drawn_app)
    assert "Drawn by hand" in drawn_app.markdown[0].value and "60 points" in drawn_app.markdown[0].value
    assert "3 clouds" in drawn_app.markdown[1].value  # the description, under the header's "About"
    assert any("Agreement with truth" in metric.label for metric in drawn_app.metric)


@pytest.mark.parametrize("tab", [label for name, label in TABS.items() if name != "em"])
def test_a_drawn_set_works_in_every_tab(drawn_app, tab):
    drawn_app.session_state["view"] = tab
    drawn_app.run()
    _no_exception(drawn_app)


def test_the_link_of_a_drawn_set_holds_its_points(drawn_app):
    assert drawn_app.query_params["data"] == "drawn"
    assert drawn_app.query_params["drawn"].count("~") == 59


def test_place_mode_says_what_the_next_click_does(drawn_app):
    drawn_app.toggle(key="place_mode").set_value(True).run()
    _no_exception(drawn_app)
    assert any("next click places component 1 of 3" in str(caption.value) for caption in drawn_app.caption)
    assert drawn_app.button(key="place_undo").disabled


def test_an_own_start_is_typed_in_its_table_and_runs(drawn_app):
    drawn_app.session_state["view"] = TABS["starts"]
    drawn_app.run()
    drawn_app.selectbox(key="start_b").set_value(OWN_START).run()
    _no_exception(drawn_app)
    table = drawn_app.data_editor(key="own_table_b")
    start = tables.frame_to_params(table.value, 2, 3)
    assert np.all(np.isfinite(start.means))
