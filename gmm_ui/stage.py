"""The stage: the bridge between the animated charts in the browser and the page (the iteration on screen, the
keys that step it, the window's size). A Streamlit shell over ``st.components.v2``."""

from __future__ import annotations

import streamlit as st

from . import state as keys

#: Below this width (CSS px) the charts are laid out for a phone: one column, text that wraps.
NARROW_WIDTH = 640


def viewport():
    """(width, height) of the browser's window in CSS px as last reported; (None, None) before the first report."""
    reported = st.session_state.get(keys.VIEWPORT) or {}
    return reported.get("width"), reported.get("height")


def is_narrow():
    """Whether the charts should be laid out for a phone (unknown width: not)."""
    width, _ = viewport()
    return width is not None and width < NARROW_WIDTH
