"""The start of EM: initialisation strategies, and the editable table of initial weights, means and spreads.

The table is the user's: choosing a strategy fills it, editing it switches to "manual", and an invalid edit is
reported in place while EM keeps running from the last valid start. It is shown read-only until the user turns on
"Edit the values" (or picks the manual start): the editable grid's scripts would delay the first chart.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

import gmm_core
from gmm_core import ParameterError

from . import fitting, tables
from .state import (
    EDIT_START,
    INIT_METHOD,
    NORMALISE_WEIGHTS,
    START_DATA,
    START_EDITED,
    START_FRAME,
    START_MESSAGE,
    START_PARAMS,
    START_SIGNATURE,
    START_TABLE,
)
from .strategies import ALTERNATIVE_PREFIX, ENGINE_STRATEGIES, MANUAL, SCENARIO, strategy_label, uses_seed
from .text import plain


def _scenario_starts_apply(fit_data, n_components):
    """A scenario's prescribed starts fit only its own points (all columns, original units) and its K."""
    return fit_data.is_scenario_as_prescribed and n_components == fit_data.source.scenario.n_components


def strategy_options(fit_data, n_components):
    """The strategies available for this data and K, in picker order."""
    options = []
    if _scenario_starts_apply(fit_data, n_components):
        scenario = fit_data.source.scenario
        if scenario.initial is not None:
            options.append(SCENARIO)
        options += [
            ALTERNATIVE_PREFIX + name
            for name, params in scenario.alternative_starts.items()
            if scenario.initial is None or not params.allclose(scenario.initial)
        ]
    return options + list(ENGINE_STRATEGIES) + [MANUAL]


def default_strategy(fit_data, n_components):
    """The scenario's prescription where it applies, else k-means++."""
    scenario = fit_data.source.scenario
    if _scenario_starts_apply(fit_data, n_components) and scenario.initial is not None:
        return SCENARIO
    if scenario is not None and scenario.init_method in ENGINE_STRATEGIES:
        return scenario.init_method
    return "kmeans++"


def reconcile_strategy(fit_data, n_components):
    """Before the picker is drawn: fall back to the default when the chosen strategy no longer applies.

    "Manual" survives a change of K (the table then reports its row count) but not new data or columns:
    a table of other columns' parameters means nothing for these.
    """
    state = st.session_state
    chosen = state.get(INIT_METHOD)
    table_is_stale = chosen == MANUAL and state.get(START_DATA) != fit_data.signature
    if chosen not in strategy_options(fit_data, n_components) or table_is_stale:
        state[INIT_METHOD] = default_strategy(fit_data, n_components)


def starting_params(fit_data, strategy, n_components, seed, covariance_type, reg_covar):
    """The mixture a strategy gives for this data.

    Raises
    ------
    ParameterError
        From the engine, e.g. when K exceeds the number of distinct points.
    """
    if strategy == SCENARIO:
        return fit_data.source.scenario.initial
    if strategy.startswith(ALTERNATIVE_PREFIX):
        return fit_data.source.scenario.alternative_starts[strategy.removeprefix(ALTERNATIVE_PREFIX)]
    if strategy == "kmeans":  # a whole k-means fit: made (and kept) as the fits are, in a worker when heavy
        outcome = fitting.kmeans_start(fit_data.X, n_components, seed, covariance_type, reg_covar)
        if outcome.error:
            raise ParameterError(outcome.error)
        return outcome.value[0]
    return gmm_core.initialize(
        fit_data.X,
        n_components,
        method=strategy,
        random_state=int(seed),
        covariance_type=covariance_type,
        reg_covar=reg_covar,
    )


def adopt_manual_start(fit_data, frame, n_components):
    """Make ``frame`` (a parameter table, e.g. from a shared link) the manual start for these points and this K.

    Call before the strategy picker is drawn.

    Raises
    ------
    ParameterError
        Naming the row count, the cell or the matrix at fault; nothing is changed then.
    """
    params = tables.frame_to_params(frame, fit_data.n_features, n_components)
    state = st.session_state
    state.update({START_FRAME: frame, START_DATA: fit_data.signature, START_PARAMS: params, INIT_METHOD: MANUAL})
    state[EDIT_START] = True  # a typed start opens in the editor
    state.pop(START_TABLE, None)


def placed_table(state):
    """(the start table, the strategy) the editor holds now: what a click on a chart replaces, and what undoing it
    restores."""
    return state.get(START_FRAME), state.get(INIT_METHOD)


def adopt_placed_start(fit_data, frame, strategy=MANUAL):
    """Make ``frame`` the editor's start for these points (a start placed by clicking, or restored by undo).

    Call from a callback, before the widgets are drawn. The editor stays as it is (open or read only); its grid
    shows the new table. ``strategy``: MANUAL, or the strategy an undone start came from.
    """
    state = st.session_state
    state.update({START_FRAME: frame, START_DATA: fit_data.signature, INIT_METHOD: strategy})
    state.pop(START_TABLE, None)
    state.pop(START_EDITED, None)


def _switch_to_manual():
    st.session_state[INIT_METHOD] = MANUAL


def edit_manual_start():
    """Open the table for editing when the manual start is picked (the strategy picker's callback)."""
    if st.session_state.get(INIT_METHOD) == MANUAL:
        st.session_state[EDIT_START] = True


def _keep_edits():
    """On closing the editor: its edits become part of the table itself (the editor's own state goes with it)."""
    state = st.session_state
    if not state[EDIT_START] and START_EDITED in state:
        state[START_FRAME] = state[START_EDITED]
        state.pop(START_TABLE, None)


def _normalise_weights():
    """Divide the table's weights by their sum; the table becomes the manual start."""
    state = st.session_state
    frame = state[START_EDITED].copy()
    try:
        frame[tables.WEIGHT] = gmm_core.normalized_weights(frame[tables.WEIGHT].to_numpy(dtype=float))
    except (ParameterError, ValueError, TypeError) as error:
        state[START_MESSAGE] = f"Cannot normalise the weights: {error}"
        return
    state[START_FRAME] = frame
    state.pop(START_TABLE, None)  # the edits are now part of the table itself
    state[INIT_METHOD] = MANUAL


def _refill(fit_data, signature, strategy, settings, seed):
    """Fill the table from ``strategy``; on failure show why, leave the previous table in place and return False."""
    state = st.session_state
    try:
        params = starting_params(
            fit_data, strategy, settings.n_components, seed, settings.covariance_type, settings.reg_covar
        )
    except ParameterError as error:
        remedy = (
            " With reg_covar = 0 a group of identical points has no spread at all: set reg_covar above 0 "
            "(1e-6 is usual)."
            if settings.reg_covar == 0
            else ""
        )
        st.error(f"Could not initialise with {strategy_label(strategy).lower()}: {plain(error)}{plain(remedy)}")
        return False
    state[START_FRAME] = tables.params_to_frame(params)
    state[START_SIGNATURE] = signature
    state[START_DATA] = fit_data.signature
    state[START_PARAMS] = params
    state.pop(START_TABLE, None)  # old edits belong to the old table
    return True


def _start_table(fit_data, frame):
    """The "Edit the values" toggle and the start table ``frame`` under it: an editable grid, or read only.

    Returns (editing, the table as shown, edits included).
    """
    editing = st.toggle(
        "Edit the values",
        key=EDIT_START,
        on_change=_keep_edits,
        persist_state="page",
        help="Type your own π, μ, σ and ρ in the table: EM then starts from them.",
    )
    if editing:
        help_text = tables.column_help(fit_data.n_features, fit_data.feature_names)
        edited = st.data_editor(
            frame,
            key=START_TABLE,
            on_change=_switch_to_manual,
            num_rows="fixed",
            height=min(38 + 35 * len(frame), 300),
            column_config={
                name: st.column_config.NumberColumn(name, help=text, format="%.4f", required=True)
                for name, text in help_text.items()
            },
        )
    else:  # read only, as a light HTML table (see tables.html_table)
        edited = frame
        titles = tables.column_help(fit_data.n_features, fit_data.feature_names, markdown=False)
        st.html(tables.html_table(edited, "start", digits=4, titles=titles, max_height=300))
    return editing, edited


def start_editor(fit_data, settings, strategy, seed):
    """Draw the editable start and return the mixture EM starts from (the last valid one), or None.

    Parameters
    ----------
    fit_data : gmm_ui.data.FitData
    settings : gmm_ui.fitting.FitSettings
    strategy : str
        The picked strategy (see :func:`strategy_options`).
    seed : int

    Returns
    -------
    GaussianMixtureParams or None
        None only when no valid start for this data exists yet.
    """
    state = st.session_state
    # Other rows of the same file (another sample...) keep a manual start but refill a computed one.
    signature = (
        fit_data.signature,
        fit_data.source.row_choice,
        settings.n_components,
        settings.covariance_type,
        settings.reg_covar,
        strategy,
        seed if uses_seed(strategy) else None,
    )
    refilled = True
    if strategy != MANUAL and state.get(START_SIGNATURE) != signature:
        refilled = _refill(fit_data, signature, strategy, settings, seed)
    if state.get(START_DATA) != fit_data.signature:
        return None  # nothing valid for these points yet (the error is shown above)

    editing, edited = _start_table(fit_data, state[START_FRAME])
    state[START_EDITED] = edited
    normalise_column, note_column = st.columns([1, 4], vertical_alignment="center")
    normalise_column.button(
        "Normalise weights",
        key=NORMALISE_WEIGHTS,
        on_click=_normalise_weights,
        help="Divide every π by their sum so that they add up to 1.",
    )
    how = "Edit any cell" if editing else "Turn on “Edit the values”"
    note_column.caption(
        f"Strategy: {strategy_label(strategy)}. {how} to start EM from your own values; "
        "σ are standard deviations, ρ correlations (hover a column name for its feature)."
    )
    if message := state.pop(START_MESSAGE, None):
        st.error(plain(message))
    try:
        state[START_PARAMS] = tables.frame_to_params(edited, fit_data.n_features, settings.n_components)
    except ParameterError as error:
        if refilled:  # else the table still holds the previous start, and the error above says why
            st.error(plain(error))
        st.caption(
            f"EM keeps running from the last valid start (K = {state[START_PARAMS].n_components}) until "
            + ("the table is fixed." if refilled else "the problem above is solved.")
        )
    else:
        if far := components_far_from(state[START_PARAMS], fit_data.X):
            which = f"Component {far[0]} starts" if len(far) == 1 else f"Components {', '.join(map(str, far))} start"
            st.info(
                f"{which} far from the data: outside the points' range by more than that range. EM may leave such "
                "a component almost no points, and its weight may fall to zero.",
                icon=":material/info:",
            )
    return state[START_PARAMS]


def components_far_from(params, X):
    """Numbers (1-based) of the components whose mean lies outside the data's range by more than that range.

    Such a component may take no point at all. Ranges are per column; ``params.means`` has shape (K, D) and ``X``
    shape (N, D).
    """
    low, high = X.min(axis=0), X.max(axis=0)
    span = high - low
    far = np.any((params.means < low - span) | (params.means > high + span), axis=1)
    return [int(k) + 1 for k in np.flatnonzero(far)]
