"""The stage: the bridge between the animated charts in the browser and the page (the iteration on screen, the
keys that step it, the window's size). A Streamlit shell over ``st.components.v2``."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from . import stages
from . import state as keys

#: Window widths (CSS px) at which the page's layout changes: below NARROW_WIDTH a phone's (one column, text that
#: wraps); below ONE_COLUMN_WIDTH the charts' one column beside the sidebar (gmm_ui.tabs.common); from ONE_ROW_WIDTH
#: the covariance types' four panels in one row. Until the browser has said, a laptop's (between the last two).
NARROW_WIDTH, ONE_COLUMN_WIDTH, ONE_ROW_WIDTH = 640, 1000, 1800
WIDTHS = (NARROW_WIDTH, ONE_COLUMN_WIDTH, ONE_ROW_WIDTH)


def viewport():
    """(width, height) of the browser's window in CSS px as last reported; (None, None) before the first report."""
    reported = st.session_state.get(keys.VIEWPORT) or {}
    return reported.get("width"), reported.get("height")


def width_class(width):
    """How many of WIDTHS ``width`` reaches (the layout it gets); a laptop's (2) for an unknown width."""
    return 2 if width is None else sum(width >= threshold for threshold in WIDTHS)


def is_narrow():
    """Whether the charts should be laid out for a phone (unknown width: not)."""
    width, _ = viewport()
    return width is not None and width < NARROW_WIDTH


_HTML, _CSS, _JS = (
    Path(__file__).with_name(f"stage.{kind}").read_text(encoding="utf-8") for kind in ("html", "css", "js")
)


_COMPONENT = st.components.v2.component("gmm_stage", html=_HTML, css=_CSS, js=_JS)
#: Without Play/Pause under a chart, its slider sits this close under the axis (px), and the chart's bottom margin
#: shrinks by this much.
SLIDER_GAP, BUTTONS_ROOM = 40, 22
#: The browser reports the window's size when the charts' height would change by this much (px) or more.
HEIGHT_STEP = 40
#: The page over an animated chart at its top (px: Streamlit's padding, the header, the tabs, the toolbar), and the
#: smallest height a chart is given.
CHART_ABOVE, SMALLEST_CHART = 272, 420


def play_plan(figure):
    """Take Plotly's Play/Pause buttons off an animated ``figure`` (the stage's toolbar replaces them: buttons that Tab
    reaches and keys drive) and return what Play did: {"sequence": frame names or None, "options": Plotly's}."""
    menus = figure.layout.updatemenus
    play_args = menus[0].buttons[0].args if menus else [None, {}]
    figure.layout.updatemenus = ()
    # The slider takes the buttons' place at its left, and the room they needed under the axis is given back.
    figure.update_layout(sliders=[dict(x=0, len=1, pad=dict(t=SLIDER_GAP))])
    figure.update_layout(margin=dict(b=figure.layout.margin.b - BUTTONS_ROOM))
    return {"sequence": play_args[0], "options": play_args[1]}


def _caught_up(chart, half_steps):
    """The browser stopped on a frame: every view of the iteration (number box, tables, link) follows it, while the
    chart stays as drawn (see :func:`opening`)."""
    reported = (st.session_state.get(keys.stage_key(chart)) or {}).get("position")
    if not reported:
        return
    try:
        position = int(reported["name"])
    except (KeyError, TypeError, ValueError):
        return
    st.session_state[keys.CAUGHT_UP] = chart
    if half_steps:
        st.session_state[keys.HALF_STEP] = position
        st.session_state[keys.ITERATION] = stages.half_step_snapshot(position)
    else:
        st.session_state[keys.ITERATION] = position
        st.session_state[keys.HALF_STEP] = stages.half_step_position(position)


def _viewport_reported(key):
    reported = (st.session_state.get(key) or {}).get("viewport")
    if isinstance(reported, dict):
        width, height = reported.get("width"), reported.get("height")
        if isinstance(width, int | float) and isinstance(height, int | float):
            st.session_state[keys.VIEWPORT] = {"width": int(width), "height": int(height)}


def opening(chart, position):
    """Where animated chart ``chart`` opens in this run: at ``position`` (the page's iteration), except in the run
    that catches up with where the browser stopped: there it opens where it opened before, so that its figure is
    the same and the browser does not draw it again (it already shows ``position``, or has moved on since)."""
    state = st.session_state
    opened = dict(state.get(keys.OPENED_AT) or {})
    if state.get(keys.CAUGHT_UP) == chart and chart in opened:
        return opened[chart]
    opened[chart] = position
    state[keys.OPENED_AT] = opened
    return position


def settle():
    """Forget which chart this run caught up with (called once the page is drawn)."""
    st.session_state.pop(keys.CAUGHT_UP, None)


def stage(play, chart, frames, position, *, labels, preferred_height, half_steps=False):
    """The toolbar over animated chart ``chart`` (its element key) over ``frames`` ((name, label) pairs), at
    ``position`` (where the page believes it is); ``labels`` says where it is, per frame ("Iteration 3 of 40");
    ``play``: what the chart's Play did, taken off its figure by :func:`play_plan`; ``preferred_height``: the
    chart's height in a tall window (the browser is told what :func:`chart_height` makes of it)."""
    key = keys.stage_key(chart)
    shown_height = chart_height(preferred_height)
    data = {
        "chart": chart,
        "names": [name for name, _ in frames],
        "labels": list(labels),
        "position": str(position),
        "play": play,
        # What the window's size decides, so that the browser reports it only when the page would change.
        "layout": {
            "widths": WIDTHS,
            "width_class": width_class(viewport()[0]),
            "preferred": preferred_height,
            "above": CHART_ABOVE,
            "smallest": SMALLEST_CHART,
            "height": shown_height,
            "step": HEIGHT_STEP,
        },
        "show_hint": not is_narrow(),
    }
    _COMPONENT(
        key=key,
        data=data,
        default={"position": None, "viewport": None},
        on_position_change=functools.partial(_caught_up, chart, half_steps),
        on_viewport_change=functools.partial(_viewport_reported, key),
    )


def chart_height(preferred):
    """A chart's height in px: ``preferred``, or less where the window is shorter, so that the chart and its slider
    fit under the CHART_ABOVE px of page over it (SMALLEST_CHART at least); ``preferred`` until the window's height
    is known. (stage.js computes the same, to report the window only when it changes the page.)"""
    _, height = viewport()
    if height is None:
        return preferred
    return int(max(SMALLEST_CHART, min(preferred, height - CHART_ABOVE)))
