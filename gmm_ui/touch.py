"""Touch the picture, the page's side: place starts by clicking on a chart, and draw a data set by clicking.

The logic is pure (``gmm_ui.placing``, ``gmm_ui.drawing``, ``gmm_ui.figures.touch``); this module reads the charts'
selection events in their callbacks, keeps the undo histories in session state and draws the few controls.

A click on a chart inside a fragment reruns only that fragment, but a new start must refit EM and redraw every
tab: the callback marks the change, and :func:`follow_placement`, first thing in the fragment, runs the whole page
instead.
"""

from __future__ import annotations

import streamlit as st

from gmm_core import ParameterError

from . import drawing, placing, start, tables
from . import state as keys
from .data import from_drawn
from .figures import plane_view
from .figures.touch import drawing_figure, with_click_catchers
from .text import plain

EDITOR = "editor"  # the target of the EM chart's clicks: the start editor's table
#: The planes of the charts that take clicks: the EM chart's first, each panel of the two starts' chart.
EM_PLANES = [("x", "y")]
STARTS_PLANES = [("x", "y"), ("x2", "y2")]
#: Start A's and B's tables in session state, by letter.
OWN_STARTS = {"A": keys.OWN_START_A, "B": keys.OWN_START_B}
OWN_TABLES = {"A": keys.OWN_TABLE_A, "B": keys.OWN_TABLE_B}


# --- Placing: history, undo, clear -----------------------------------------------------------------------------


def _history(fit_data):
    """The undo history of these points (a new data set or new columns start a new one)."""
    state = st.session_state
    if state.get(keys.PLACE_DATA) != fit_data.signature:
        state.update({keys.PLACE_DATA: fit_data.signature, keys.PLACE_HISTORY: (), keys.PLACE_PROGRESS: {}})
    return state[keys.PLACE_HISTORY]


def _progress(target):
    return st.session_state.get(keys.PLACE_PROGRESS, {}).get(target, placing.Progress())


def _table_of(target):
    """What undoing a click on ``target`` restores: the editor's (table, strategy), or an own start's table."""
    state = st.session_state
    return start.placed_table(state) if target == EDITOR else state.get(OWN_STARTS[target])


def _restore(fit_data, target, before):
    state = st.session_state
    if target == EDITOR:
        frame, strategy = before
        start.adopt_placed_start(fit_data, frame, strategy)
    else:
        state[OWN_STARTS[target]] = before
        state.pop(OWN_TABLES[target], None)


def _apply(fit_data, target, placed):
    """Make ``placed`` (a :class:`gmm_ui.placing.Placed`) the start of ``target``, remembering what it replaced."""
    state = st.session_state
    history = _history(fit_data)
    state[keys.PLACE_HISTORY] = placing.push(history, placing.Step(target, _table_of(target), _progress(target)))
    state[keys.PLACE_PROGRESS] = {**state.get(keys.PLACE_PROGRESS, {}), target: placed.progress}
    frame = tables.params_to_frame(placed.params)
    if target == EDITOR:
        start.adopt_placed_start(fit_data, frame)
    else:
        state[OWN_STARTS[target]] = frame
        state[keys.OWN_START_DATA] = fit_data.signature
        state.pop(OWN_TABLES[target], None)
    state[keys.PLACE_PENDING] = True


def _undo(fit_data, pending=True):
    """Take back the last click; ``pending``: the button is in a fragment, whose run must become the page's."""
    state = st.session_state
    step, state[keys.PLACE_HISTORY] = placing.undo(_history(fit_data))
    if step is not None:
        _restore(fit_data, step.target, step.before)
        state[keys.PLACE_PROGRESS] = {**state.get(keys.PLACE_PROGRESS, {}), step.target: step.progress}
        state[keys.PLACE_PENDING] = pending


def _clear(fit_data, targets, pending=True):
    """Take back every click on ``targets``; ``pending`` as for :func:`_undo`."""
    state = st.session_state
    for target in targets:
        step, state[keys.PLACE_HISTORY] = placing.clear(_history(fit_data), target)
        if step is not None:
            _restore(fit_data, target, step.before)
            state[keys.PLACE_PROGRESS] = {**state.get(keys.PLACE_PROGRESS, {}), target: placing.Progress()}
            state[keys.PLACE_PENDING] = pending


def follow_placement():
    """First thing in a fragment whose chart takes clicks: after a click or an undo changed a start, run the whole
    page (EM refits, every tab follows) instead of the fragment alone."""
    if st.session_state.pop(keys.PLACE_PENDING, False):
        st.rerun(scope="app")


# --- Placing: the charts' clicks ----------------------------------------------------------------------------------


def _plane_spans(fit_data):
    """The lengths of the plane's axis ranges (as the charts draw them) and the columns it shows."""
    view = plane_view(fit_data.X, fit_data.feature_names, fit_data.shown)
    return (view.x_range[1] - view.x_range[0], view.y_range[1] - view.y_range[0]), view.pair


def placed_from_click(fit_data, params, target, selection, panel=0):
    """The start a click on a chart gives ``target`` (a :class:`gmm_ui.placing.Placed`), or None when ``selection``
    is no click on plane ``panel``."""
    spans, pair = _plane_spans(fit_data)
    covariance = placing.default_covariance(fit_data.X, params.n_components)
    _history(fit_data)
    return placing.placed_start(selection, params, pair, spans, _progress(target), covariance, panel=panel)


def _on_em_click(fit):
    """The EM chart's selection callback: a click in place mode places or moves a mean of the editor's start."""
    selection = st.session_state.get(keys.EM_CHART)
    placed = placed_from_click(fit.fit_data, fit.start_params, EDITOR, selection)
    if placed is not None:
        _apply(fit.fit_data, EDITOR, placed)


def _can_place(fit_data):
    return fit_data.n_features >= 2


def em_takes_clicks(fit):
    """Whether the EM chart takes clicks to place means (place mode, on data that allows it): then it carries
    click catchers (:func:`em_catchers`) and the click catcher takes the hover from the points and means."""
    return bool(st.session_state.get(keys.PLACE_MODE)) and _can_place(fit.fit_data)


def em_catchers(figure):
    """The EM chart's ``figure`` (changed in place) taking clicks on its plane."""
    return with_click_catchers(figure, EM_PLANES)


def em_events(fit):
    """The ``st.plotly_chart`` options of the EM chart in place mode: a click places the next mean."""
    return dict(on_select=lambda: _on_em_click(fit), selection_mode="points")


def _next_caption(fit, target):
    progress = _progress(target)
    n_components = fit.settings.n_components
    if progress.n_placed < n_components:
        what = f"the next click places component {progress.next_component + 1} of {n_components}"
    else:
        what = f"all {n_components} placed; a click elsewhere replaces component {progress.next_component + 1}"
    return f"Click on the chart: {what}; a click near a placed mean moves it."


def _undo_and_clear(row, fit_data, history, targets, button_keys, pending):
    """Undo (the last click, on any chart) and Clear (every click on ``targets``) in ``row``; ``pending`` as for
    :func:`_undo`."""
    undo_key, clear_key = button_keys
    row.button(
        "Undo",
        key=undo_key,
        on_click=_undo,
        args=(fit_data, pending),
        disabled=not history,
        icon=":material/undo:",
        help="Take back the last click (on this chart or the other that takes clicks).",
    )
    row.button(
        "Clear",
        key=clear_key,
        on_click=_clear,
        args=(fit_data, targets, pending),
        disabled=not any(step.target in targets for step in history),
        icon=":material/clear_all:",
        help="Take back every click here: the start as it was before the first.",
    )


def place_controls(fit):
    """The EM chart's place mode: its switch, Undo and Clear, and what the next click does."""
    fit_data = fit.fit_data
    history = _history(fit_data)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    placing_now = row.toggle(
        "Place the start by clicking",
        key=keys.PLACE_MODE,
        persist_state="page",
        disabled=not _can_place(fit_data),
        help="Each click on the chart puts a component's mean there (1, 2, … K in turn) with a round spread and "
        "equal weights, and EM runs again from it. A click near a placed mean moves it. The start's table "
        "follows and stays editable."
        + ("" if _can_place(fit_data) else " Needs two columns or more: a one-dimensional chart has no plane."),
    )
    _undo_and_clear(row, fit_data, history, [EDITOR], (keys.PLACE_UNDO, keys.PLACE_CLEAR), pending=True)
    if placing_now and _can_place(fit_data):
        st.caption(_next_caption(fit, EDITOR) + " Hover is off while placing.")


# --- Two starts of one's own ----------------------------------------------------------------------------------------


def own_start(fit, letter):
    """The table of Start ``letter`` of one's own (placed by clicking or typed): the page's start until changed."""
    state = st.session_state
    key = OWN_STARTS[letter]
    frame = state.get(key)
    stale = state.get(keys.OWN_START_DATA) != fit.fit_data.signature
    if frame is None or stale or len(frame) != fit.settings.n_components:
        if stale:
            for other in OWN_STARTS.values():
                state.pop(other, None)
        frame = state[key] = tables.params_to_frame(fit.start_params)
        state[keys.OWN_START_DATA] = fit.fit_data.signature
        state.pop(OWN_TABLES[letter], None)
    return frame


def own_start_table(fit, letter):
    """Start ``letter``'s own table, editable; returns its mixture, or None after saying what is wrong."""
    frame = own_start(fit, letter)
    edited = st.data_editor(
        frame,
        key=OWN_TABLES[letter],
        num_rows="fixed",
        height=min(38 + 35 * len(frame), 230),
        column_config={
            name: st.column_config.NumberColumn(name, format="%.3f", required=True) for name in frame.columns
        },
    )
    try:
        return tables.frame_to_params(edited, fit.fit_data.n_features, fit.settings.n_components)
    except ParameterError as error:
        st.error(plain(error))
        return None


def _on_starts_click(fit, letters_own, starts, own_option):
    """The two starts' chart's callback: a click on panel A or B places a mean of that start of one's own (a start
    not yet one's own becomes one, beginning where it began: ``starts[letter]``)."""
    selection = st.session_state.get(keys.chart_key("starts"))
    click = placing.clicked_point(selection)
    if click is None or click.panel > 1:
        return
    letter = "AB"[click.panel]
    state = st.session_state
    frame = own_start(fit, letter)
    if letter not in letters_own:
        state[keys.start_key(letter)] = own_option
        if starts.get(letter) is not None:
            frame = state[OWN_STARTS[letter]] = tables.params_to_frame(starts[letter])
    try:
        params = tables.frame_to_params(frame, fit.fit_data.n_features, fit.settings.n_components)
    except ParameterError:  # a typed table that is no start yet: the click starts from the start drawn instead
        params = starts.get(letter) or fit.start_params
    placed = placed_from_click(fit.fit_data, params, letter, selection, panel=click.panel)
    if placed is not None:
        _apply(fit.fit_data, letter, placed)
        state[keys.PLACE_PENDING] = True


def starts_chart(fit, letters_own, starts, own_option):
    """The two starts' chart's clicks (see tabs.common.comparison_chart): in place mode, (the planes that take
    them, the ``st.plotly_chart`` options), else None. ``letters_own``: the starts already one's own; a click on
    another turns it into one (picker option ``own_option``) that begins at ``starts[letter]``, its current start."""
    if not (st.session_state.get(keys.PLACE_STARTS_MODE) and _can_place(fit.fit_data)):
        return None
    options = dict(on_select=lambda: _on_starts_click(fit, letters_own, starts, own_option), selection_mode="points")
    return STARTS_PLANES, options


def starts_place_controls(fit):
    """The two starts' place mode: its switch, Undo, Clear, and what a click does."""
    fit_data = fit.fit_data
    history = _history(fit_data)
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    on = row.toggle(
        "Place starts A and B by clicking",
        key=keys.PLACE_STARTS_MODE,
        persist_state="page",
        disabled=not _can_place(fit_data),
        help="A click on the left chart places a mean of Start A, on the right one of Start B (1, 2, … K in turn; "
        "a click near a placed mean moves it); the start becomes your own and EM runs again from it.",
    )
    buttons = (keys.PLACE_UNDO_STARTS, keys.PLACE_CLEAR_STARTS)
    _undo_and_clear(row, fit_data, history, list(OWN_STARTS), buttons, pending=False)
    if on and _can_place(fit_data):
        progress = {letter: _progress(letter) for letter in OWN_STARTS}
        st.caption(
            "Click on the left chart for Start A, on the right one for Start B: the next click places component "
            + ", ".join(f"{progress[letter].next_component + 1} of {letter}" for letter in OWN_STARTS)
            + ". Hover is off while placing."
        )


# --- Drawing a data set ----------------------------------------------------------------------------------------------


def _drawn():
    return st.session_state.get(keys.DRAWN) or drawing.EMPTY


def _set_drawn(new):
    state = st.session_state
    state[keys.DRAW_HISTORY] = (*state.get(keys.DRAW_HISTORY, ()), _drawn())[-100:]
    state[keys.DRAWN] = new


def _on_canvas():
    """The canvas' selection callback: a click adds a cloud there, a box or a lasso erases what it holds."""
    state = st.session_state
    selection = state.get(keys.DRAW_CHART)
    current = _drawn()
    kept = drawing.erased(current, selection)
    if kept is not None:
        if kept.n_points != current.n_points:
            _set_drawn(kept)
        return
    click = placing.clicked_point(selection)
    if click is None:
        return
    seed = int(state.get(keys.DRAW_CLICKS, 0))
    state[keys.DRAW_CLICKS] = seed + 1
    count, spread = int(state[keys.DRAW_COUNT]), float(state[keys.DRAW_SPREAD])
    _set_drawn(drawing.add_cloud(current, (click.x, click.y), count, spread, seed))


def _undo_drawing():
    state = st.session_state
    history = state.get(keys.DRAW_HISTORY, ())
    if history:
        state[keys.DRAWN], state[keys.DRAW_HISTORY] = history[-1], history[:-1]


def _clear_drawing():
    if _drawn().n_points:
        _set_drawn(drawing.EMPTY)


def drawn_data():
    """The sidebar's "Draw" source: cloud size and spread, Undo, Clear and the CSV; returns the drawn data set
    (gmm_ui.data.LoadedData), or None while nothing is drawn."""
    left, right = st.columns(2)
    left.number_input(
        "Points per click",
        *drawing.COUNT_LIMITS,
        step=5,
        key=keys.DRAW_COUNT,
        persist_state="page",
        help="How many points each click on the canvas adds.",
    )
    right.number_input(
        "Spread σ",
        *drawing.SPREAD_LIMITS,
        step=0.1,
        key=keys.DRAW_SPREAD,
        persist_state="page",
        help="The standard deviation of each cloud, in the canvas' units.",
    )
    drawn = _drawn()
    buttons = st.container(horizontal=True, gap="small")
    buttons.button(
        "Undo",
        key=keys.DRAW_UNDO,
        on_click=_undo_drawing,
        icon=":material/undo:",
        disabled=not st.session_state.get(keys.DRAW_HISTORY),
    )
    buttons.button(
        "Clear", key=keys.DRAW_CLEAR, on_click=_clear_drawing, icon=":material/clear_all:", disabled=drawn.n_points == 0
    )
    buttons.download_button(
        "CSV",
        drawing.to_csv(drawn),
        file_name="drawn_points.csv",
        mime="text/csv",
        key=keys.DRAW_DOWNLOAD,
        on_click="ignore",
        icon=":material/download:",
        disabled=drawn.n_points == 0,
        help="The points drawn, with their cloud as the known class: upload it again to get them back exactly.",
    )
    if drawn.n_points == 0:
        st.caption("Click on the canvas above the tabs to add a cloud of points.")
        return None
    return from_drawn(drawn)


def draw_canvas():
    """The canvas of the "Draw" source, above the tabs: click to add a cloud, box or lasso to erase."""
    if st.session_state.get(keys.DATASET_SOURCE) != keys.DRAW:
        return
    drawn = _drawn()
    with st.expander("Draw your data", expanded=True, icon=":material/draw:"):
        x_range, y_range = drawing.canvas_ranges(drawn)
        title = (
            f"{drawn.n_points} points in {drawn.n_clouds} cloud{'s' * (drawn.n_clouds != 1)}"
            if drawn.n_points
            else "Nothing drawn yet: click to add a cloud"
        )
        figure = drawing_figure(drawn.points, drawn.clouds, x_range, y_range, title=title)
        figure.update_layout(height=420)
        st.plotly_chart(
            figure,
            height=420,
            key=keys.DRAW_CHART,
            on_select=_on_canvas,
            selection_mode=("points", "box", "lasso"),
            config={"displaylogo": False},
        )
        st.caption(
            "Click to add a cloud (its size and spread are in the sidebar); each cloud is a class, the truth the "
            "fits are compared with. To erase, pick Box select or Lasso select in the chart's toolbar and draw "
            "around the points; pick Pan to add clouds again."
        )
