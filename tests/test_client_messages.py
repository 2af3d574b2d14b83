"""Any value the widget protocol allows, sent by a page, gets no exception box (issue 21, point 4): an empty
selection of a choice that requires one (a crafted message once showed ``KeyError: None``), or none at all of a
choice of several."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui.state import TABS

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
CHOICES = ("selectbox", "segmented_control", "radio", "multiselect")


def _choice_widgets(at):
    return [(kind, widget.key) for kind in CHOICES for widget in getattr(at, kind) if widget.key]


def _open(view):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["view"] = TABS[view]
    return at.run()


@pytest.mark.parametrize("view", list(TABS))
def test_an_empty_choice_from_the_page_shows_no_exception(view):
    at = _open(view)
    assert not at.exception
    widgets = _choice_widgets(at)
    assert widgets, "no choice widget found"
    for kind, key in widgets:
        if not any(widget.key == key for widget in getattr(at, kind)):
            continue  # no longer drawn after an earlier change
        widget = getattr(at, kind)(key=key)
        widget.set_value([] if kind == "multiselect" or getattr(widget, "_selection_mode", None) == "multi" else None)
        at.run()
        assert not at.exception, f"{kind} {key!r} set to nothing: {[e.value for e in at.exception]}"
