"""The app's charts as the window and the "Large text" option lay them out (AppTest: the figures' specs, no browser).

The stage reports the window's size into session state; here the tests set it themselves.
"""

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui import state
from gmm_ui.figures import LARGE_TEXT
from gmm_ui.state import TABS

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
PHONE, LAPTOP, WIDE_SCREEN = (390, 844), (1366, 768), (1920, 1080)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _opened(view, window=None, large_text=False):
    at = AppTest.from_file(APP, default_timeout=90)
    if window is not None:
        at.session_state[state.VIEWPORT] = {"width": window[0], "height": window[1]}
    at.session_state[state.LARGE_TEXT] = large_text
    at.session_state[state.VIEW] = TABS[view]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _charts(at):
    """(spec, config) of every Plotly chart on the page."""
    return [(json.loads(chart.proto.spec), json.loads(chart.proto.config)) for chart in at.get("plotly_chart")]


def _panels_chart(at):
    return next((spec, config) for spec, config in _charts(at) if spec.get("frames"))


def _panel_columns(spec):
    """The distinct x domains of the panels' visible axes: one per column."""
    layout = spec["layout"]
    return {
        tuple(axis["domain"])
        for name, axis in layout.items()
        if name.startswith("xaxis") and axis.get("visible", True) is not False and "domain" in axis
    }


def test_on_a_phone_the_covariance_types_stand_in_one_column_without_the_mode_bar():
    spec, config = _panels_chart(_opened("covariance", PHONE))
    assert _panel_columns(spec) == {(0.0, 1.0)}
    assert spec["layout"]["height"] > 1500  # four panels, one under the other
    assert config["displayModeBar"] is False


def test_on_a_laptop_the_covariance_types_fit_its_screen_in_rows_of_two():
    spec, config = _panels_chart(_opened("covariance", LAPTOP))
    assert len(_panel_columns(spec)) == 2
    assert spec["layout"]["height"] <= LAPTOP[1]
    assert "displayModeBar" not in config


def test_on_a_wide_screen_the_covariance_types_stand_in_one_row():
    spec, _ = _panels_chart(_opened("covariance", WIDE_SCREEN))
    assert len(_panel_columns(spec)) == 4


def test_an_unknown_window_keeps_two_panels_side_by_side():
    spec, _ = _panels_chart(_opened("kmeans"))
    assert len(_panel_columns(spec)) == 2
    assert spec["layout"]["height"] == 620


def _font_sizes(node, found=None):
    """Every font size set anywhere in a figure's spec (its layout, traces and frames)."""
    found = [] if found is None else found
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), (int, float)):
                found.append(value["size"])
            _font_sizes(value, found)
    elif isinstance(node, list):
        for item in node:
            _font_sizes(item, found)
    return found


@pytest.mark.parametrize("view", ["kmeans", "starts", "sampling", "boxes"])
def test_large_text_sets_every_font_of_a_tab_s_charts_to_18_px_or_more(view):
    at = _opened(view, LAPTOP, large_text=True)
    charts = _charts(at)
    assert charts
    for spec, _ in charts:
        layout = {key: value for key, value in spec["layout"].items() if key != "template"}
        sizes = _font_sizes({"layout": layout, "data": spec["data"]})
        assert sizes and min(sizes) >= LARGE_TEXT.min_font_px


def test_large_text_is_a_sidebar_toggle_kept_in_the_link():
    at = _opened("covariance", LAPTOP)
    assert at.toggle(key=state.LARGE_TEXT).value is False
    at.toggle(key=state.LARGE_TEXT).set_value(True).run()
    assert at.query_params.get("large_text") in ("1", ["1"])
    spec, _ = _panels_chart(at)
    assert spec["layout"]["legend"]["font"]["size"] >= LARGE_TEXT.min_font_px
