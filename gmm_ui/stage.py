"""The stage: the bridge between the animated charts in the browser and the page (the iteration on screen, the
keys that step it, the window's size). A Streamlit shell over ``st.components.v2``."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

from . import stages
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


_HTML, _CSS, _JS = (
    Path(__file__).with_name(f"stage.{kind}").read_text(encoding="utf-8") for kind in ("html", "css", "js")
)


_COMPONENT = st.components.v2.component("gmm_stage", html=_HTML, css=_CSS, js=_JS)
#: The viewport is reported again when its height changes by this much (the charts' height follows it).
HEIGHT_STEP = 60


def play_plan(figure):
    """Take Plotly's Play/Pause buttons off an animated ``figure`` (the stage's toolbar replaces them: buttons that Tab
    reaches and keys drive) and return what Play did: {"sequence": frame names or None, "options": Plotly's}."""
    menus = figure.layout.updatemenus
    play_args = menus[0].buttons[0].args if menus else [None, {}]
    figure.layout.updatemenus = ()
    figure.update_layout(sliders=[dict(x=0, len=1)])
    return {"sequence": play_args[0], "options": play_args[1]}


def _caught_up(key, half_steps):
    """The browser stopped on a frame: every view of the iteration (number box, tables, link) follows it."""
    reported = (st.session_state.get(key) or {}).get("position")
    if not reported:
        return
    try:
        position = int(reported["name"])
    except (KeyError, TypeError, ValueError):
        return
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


def stage(figure, chart, frames, opening, *, labels, half_steps=False):
    """The toolbar over animated chart ``chart`` (its element key), drawn by ``figure`` over ``frames``
    ((name, label) pairs) and opening at position ``opening``; ``labels`` says where the chart is, per frame
    ("Iteration 3 of 40"). Call before drawing the chart: it takes Plotly's own Play/Pause off ``figure``."""
    key = keys.stage_key(chart)
    width, height = viewport()
    data = {
        "chart": chart,
        "names": [name for name, _ in frames],
        "labels": list(labels),
        "opening": str(opening),
        "play": play_plan(figure),
        "report_viewport": True,
        "viewport": None if width is None else {"width": width, "height": height},
        "narrow_width": NARROW_WIDTH,
        "height_step": HEIGHT_STEP,
        "show_hint": not is_narrow(),
    }
    _COMPONENT(
        key=key,
        data=data,
        default={"position": None, "viewport": None},
        on_position_change=functools.partial(_caught_up, key, half_steps),
        on_viewport_change=functools.partial(_viewport_reported, key),
    )


def chart_height(preferred, above=272, smallest=420):
    """A chart's height in px: ``preferred``, or less where the window is shorter, so that the chart and its slider
    fit under the ``above`` px of page over it; ``preferred`` until the window's height is known."""
    _, height = viewport()
    if height is None:
        return preferred
    return int(max(smallest, min(preferred, height - above)))
