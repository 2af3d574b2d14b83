"""Shareable links, the page's side: the view a user sees (data, model, start, tab, iteration) kept in the page's
query parameters. What each parameter means, and how it is read and written, is ``gmm_ui.link``.

A link is read once, when a session starts and before any widget exists. Its data choice goes into session state
at once; its other settings wait for that data set to load and then replace the data set's defaults (see
``gmm_ui.state.apply_data_defaults``). A parameter that cannot be used is ignored with a warning that names it.
From then on the query parameters follow the user's choices (:func:`update_url`).
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from gmm_core import ParameterError

from . import drawing, link, start, strategies, tables
from .state import (
    DATA_IDENTITY,
    DATASET_SOURCE,
    DRAW,
    DRAWN,
    INIT_METHOD,
    LINK_EXPECTED,
    LINK_FIXES,
    LINK_PROBLEMS,
    LINK_READ,
    LINK_REPLAY,
    LINK_SETTINGS,
    LINK_START_ROWS,
    N_COMPONENTS,
    SHARE,
    UPLOAD,
    WIDGET_DEFAULTS,
)
from .text import plain

# --- Reading a link --------------------------------------------------------------------------------------------


def read_link():
    """Put the settings of the page's query parameters into session state, once per session.

    Call before any widget is created. What cannot be used is collected for :func:`report_link`.
    """
    state = st.session_state
    state.update(state.pop(LINK_FIXES, {}))
    if state.get(LINK_READ):
        return
    state[LINK_READ] = True
    raw = {name: st.query_params[name] for name in st.query_params}
    if not raw:
        return
    reader = link.LinkReader(raw).read()
    state.update(reader.now)
    state[LINK_SETTINGS] = reader.later
    state[LINK_REPLAY] = {"settings": dict(reader.later), "start_rows": reader.start_rows}
    state[LINK_EXPECTED] = {name: (key, value, raw[name]) for name, (key, value) in reader.expected.items()}
    state[LINK_START_ROWS] = reader.start_rows
    state[LINK_PROBLEMS] = reader.problems


def apply_linked_start(fit_data):
    """Make a link's start table the manual start (before the strategy picker is drawn), or report why not."""
    state = st.session_state
    rows = state.pop(LINK_START_ROWS, None)
    if rows is None:
        return
    means, stds, correlations = tables.parameter_columns(fit_data.n_features)
    columns = [tables.WEIGHT, *means, *stds, *(name for name, _, _ in correlations)]
    try:
        if any(len(row) != len(columns) for row in rows):
            raise ParameterError(
                f"with {fit_data.n_features} column(s) each component needs {len(columns)} numbers "
                f"({', '.join(columns)})."
            )
        frame = pd.DataFrame(rows, columns=columns, index=pd.RangeIndex(1, len(rows) + 1, name="component"))
        start.adopt_manual_start(fit_data, frame, int(state[N_COMPONENTS]))
    except ParameterError as error:
        state[LINK_PROBLEMS].append(f"start was ignored: {error}")
        state.get(LINK_REPLAY, {})["start_rows"] = None


def report_link():
    """Warn about every link parameter that was ignored, including those these data or widgets did not allow.

    A value a widget refused (out of its range, a start that does not apply to these data...) was replaced by the
    widget's own choice; the page is then run once more with the data set's own value instead, and the link's
    other settings.
    """
    state = st.session_state
    problems = state.pop(LINK_PROBLEMS, [])
    replay = state.pop(LINK_REPLAY, None)
    refused = link.refused(state.pop(LINK_EXPECTED, {}), state)
    problems += [
        f"{name}={raw} was ignored: it is out of range, or not offered for these data and settings."
        for name, (_, raw) in refused.items()
    ]
    if refused and replay is not None:
        keys = {key for key, _ in refused.values()}
        state[LINK_SETTINGS] = {key: value for key, value in replay["settings"].items() if key not in keys}
        state[LINK_FIXES] = {key: WIDGET_DEFAULTS[key] for key in keys if key not in replay["settings"]}
        state[LINK_START_ROWS] = replay["start_rows"]
        state[LINK_PROBLEMS] = problems
        state.pop(DATA_IDENTITY, None)  # the data set's defaults, then the link's usable settings, once more
        st.rerun()
    for problem in problems:
        st.warning(f"Link parameter {plain(problem)}", icon=":material/link_off:")


# --- Writing the link ------------------------------------------------------------------------------------------


def update_url():
    """Make the page's query parameters those of the current view (sends nothing when they already are)."""
    current = link.current_link(st.session_state)
    if current != st.query_params.to_dict():
        st.query_params.from_dict(current)


def share_box():
    """A "Share this view" popover with the link and what it cannot carry."""
    with st.popover("Share this view", icon=":material/share:", key=SHARE, on_change="rerun"):
        state = st.session_state
        current = link.current_link(state)
        st.code(f"{st.context.url or ''}?{urlencode(current)}", language=None, wrap_lines=True)
        st.caption(
            "The page's address always holds the view: send it (or this link) and it opens on the same data, "
            "model, start, tab and iteration."
        )
        drawn = state.get(DRAWN) or drawing.EMPTY
        if state.get(DATASET_SOURCE) == DRAW and drawn.n_points > drawing.MAX_LINKED_POINTS:
            st.info(
                f"Your drawing has more than {drawing.MAX_LINKED_POINTS} points, too many for a link: download its "
                "CSV in the sidebar and send it with the link.",
                icon=":material/info:",
            )
        if state.get(DATASET_SOURCE) == UPLOAD:
            st.warning("A link cannot carry an uploaded file: send the file with the link.", icon=":material/info:")
        elif state.get(INIT_METHOD) == strategies.MANUAL and "start" not in current:
            st.info(
                f"Your edited start has more than {link.MAX_LINKED_NUMBERS} numbers, too many for a link: the link "
                "opens with the data set's usual start.",
                icon=":material/info:",
            )
