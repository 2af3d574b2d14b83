"""The starts tab: does the start matter? Two starts scrubbed together, then many restarts and where each ended."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from gmm_core import EMRun, ParameterError
from gmm_core.comparisons import distinct_optima

from .. import figures, fitting, start, strategies, touch
from .. import state as keys
from ..share import update_url
from ..state import MAX_SEED
from ..text import plain
from .common import (
    LARGE_DATA,
    PANEL_HEIGHT,
    chart_columns,
    chart_notes,
    count,
    final_scores,
    mixture_chart,
    plot,
    presented,
    side_by_side,
)

STRIP_HEIGHT = 320
CURVES_HEIGHT = 300
#: The Two-starts pickers' extra option: whatever start the sidebar and its table hold (manual edits included).
CURRENT_START = "current"
#: Their option of a start of one's own: placed by clicking on the chart, or typed in its table.
OWN_START = "own"
RESTART_LIMITS = (2, 50)


# --- Two starts side by side -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Compared:
    """One of the two starts compared: its name, how it was chosen, and its run (or why there is none)."""

    name: str
    label: str
    run: EMRun | None
    error: str | None = None
    initial: object = None  # the start (GaussianMixtureParams), where there is one


def _start_options(fit):
    options = start.strategy_options(fit.fit_data, fit.settings.n_components)
    return [CURRENT_START, OWN_START] + [option for option in options if option != strategies.MANUAL]


def _start_label(fit, strategy):
    if strategy == CURRENT_START:
        label = strategies.strategy_label(fit.strategy)
        return f"The start above: {label[0].lower()}{label[1:]}"
    if strategy == OWN_START:
        return "Your own: placed by clicking, or typed"
    return strategies.strategy_label(strategy)


def _default_second_start(fit, options):
    """The scenario's first other start where there is one (S2's question), else random data points."""
    alternatives = [option for option in options if option.startswith(strategies.ALTERNATIVE_PREFIX)]
    if alternatives and fit.strategy != alternatives[0]:
        return alternatives[0], 0
    return "random_from_data", fit.seed + 1


def _reconcile_starts(fit, options):
    """Before the pickers are drawn: defaults for new data, and a fallback when a choice no longer applies."""
    state = st.session_state
    if state.get(keys.start_key("A")) not in options:
        state[keys.start_key("A")], state[keys.seed_key("A")] = CURRENT_START, fit.seed
    if state.get(keys.start_key("B")) not in options:
        state[keys.start_key("B")], state[keys.seed_key("B")] = _default_second_start(fit, options)
    for letter in "AB":
        state.setdefault(keys.seed_key(letter), 0)


def _start_picker(fit, options, letter):
    """Strategy and seed of one start; returns (strategy, seed)."""
    keys.keep_choice(st.session_state, keys.start_key(letter), options)
    strategy = st.selectbox(
        f"Start {letter}",
        options,
        key=keys.start_key(letter),
        persist_state="page",
        format_func=lambda option: _start_label(fit, option),
    )
    seed = st.number_input(
        f"Seed of start {letter}",
        0,
        MAX_SEED,
        step=1,
        key=keys.seed_key(letter),
        persist_state="page",
        disabled=not strategies.uses_seed(strategy),
        help="Strategies that draw at random use this seed; the same seed gives the same start.",
    )
    own = touch.own_start_table(fit, letter) if strategy == OWN_START else None
    return strategy, int(seed), own


def _compared_run(fit, letter, strategy, seed, own=None):
    """Start ``letter``'s run; ``own``: its start of one's own (None when its table is invalid, said above)."""
    name = f"Start {letter}"
    label = _start_label(fit, strategy) + (f", seed {seed}" if strategies.uses_seed(strategy) else "")
    if strategy == CURRENT_START:
        return _Compared(name, label, fit.run, initial=fit.start_params)
    settings = fit.settings
    if strategy == OWN_START:
        if own is None:
            return _Compared(name, label, None, "its table is not a valid start (see under it).")
        initial = own
    else:
        try:
            initial = start.starting_params(
                fit.fit_data, strategy, settings.n_components, seed, settings.covariance_type, settings.reg_covar
            )
        except ParameterError as error:
            return _Compared(name, label, None, str(error))
    outcome = fitting.fit_em(fit.fit_data.X, initial, settings)
    return _Compared(name, label, outcome.value, outcome.error, initial)


def _starts_animated_view(fit, compared, clicks):
    """Both runs side by side in one chart that scrubs in the browser, their log-likelihood curves, and their final
    scores (``clicks``: the chart's place mode, see gmm_ui.touch.starts_chart)."""
    touch.follow_placement()
    limit, opening = side_by_side(
        fit,
        keys.chart_key("starts"),
        max(item.run.n_iter for item in compared),
        [(item.name, item.run) for item in compared],
        touch=clicks,
    )
    for column, item in zip(st.columns(2, gap="medium"), compared):
        with column:
            final_scores(
                fit,
                item.run,
                "Final log-likelihood",
                f"{item.run.log_likelihood[-1]:.4f}",
                help_text="Mean log-likelihood per point at the end of the run: higher is better.",
                score_first=True,
            )
    curves = [figures.Curve(item.name, item.run.log_likelihood, item.run.converged) for item in compared]
    plot(presented(figures.log_likelihood_curves_figure(curves, opening), fit.display), CURVES_HEIGHT)
    chart_notes(fit.fit_data, limit=limit)
    update_url()


def _two_starts(fit):
    options = _start_options(fit)
    _reconcile_starts(fit, options)
    touch.starts_place_controls(fit)
    columns = st.columns(2, gap="medium")
    compared = []
    for column, letter in zip(columns, "AB"):
        with column:
            strategy, seed, own = _start_picker(fit, options, letter)
        compared.append(_compared_run(fit, letter, strategy, seed, own))
    failed = [item for item in compared if item.run is None]
    for item in failed:
        st.error(f"{item.name} ({plain(item.label)}) could not be fitted: {plain(item.error)}")
    if not failed:
        own_letters = [letter for letter in "AB" if st.session_state[keys.start_key(letter)] == OWN_START]
        starts = {letter: item.initial for letter, item in zip("AB", compared)}
        clicks = touch.starts_chart(fit, own_letters, starts, OWN_START)
        st.fragment(_starts_animated_view)(fit, compared, clicks)


# --- Many restarts ---------------------------------------------------------------------------------------------


def _restart_inputs():
    """The restarts' number, strategy and first seed."""
    inputs = st.columns(3)
    n_restarts = inputs[0].number_input("Starts", *RESTART_LIMITS, step=1, key=keys.RESTART_COUNT, persist_state="page")
    keys.keep_choice(st.session_state, keys.RESTART_METHOD, list(strategies.ENGINE_STRATEGIES))
    method = inputs[1].selectbox(
        "Strategy of the starts",
        list(strategies.ENGINE_STRATEGIES),
        key=keys.RESTART_METHOD,
        format_func=strategies.strategy_label,
        persist_state="page",
    )
    first_seed = inputs[2].number_input(
        "First seed",
        0,
        MAX_SEED,
        step=1,
        key=keys.RESTART_SEED,
        persist_state="page",
        help="The starts use this seed and the next ones.",
    )
    return n_restarts, method, first_seed


def _fit_restarts(fit, n_restarts, method, first_seed):
    """The restarts' runs, or None (after saying why)."""
    settings, fit_data = fit.settings, fit.fit_data
    if too_large := fitting.snapshots_too_large(
        settings.n_components, fit_data.n_features, settings.max_iter, n_restarts
    ):
        st.error(f"The restarts cannot run: {plain(too_large)}")
        return None
    patience = " With this many points it can take a while." if fit_data.n_points > LARGE_DATA else ""
    with st.spinner(f"Fitting EM from {n_restarts} starts…{patience}"):
        outcome = fitting.fit_restarts(
            fit_data.X,
            settings.n_components,
            n_restarts,
            method,
            first_seed,
            settings.covariance_type,
            settings.max_iter,
            settings.tol,
            settings.reg_covar,
            settings.convergence,
        )
    if outcome.error:
        st.error(f"The restarts could not run: {plain(outcome.error)}")
        return None
    return outcome.value


def _restarts(fit):
    """n starts of one strategy: where each ended (a strip), and the best and worst fits drawn."""
    st.subheader("Many restarts: local optima", anchor=False)
    st.caption(
        "EM climbs the likelihood from its start and stops at the top of whichever hill it is on. Run it from "
        "many starts and keep the best: the usual remedy, here with every run's end shown."
    )
    fit_data = fit.fit_data
    restarts = _fit_restarts(fit, *_restart_inputs())
    if restarts is None:
        return
    optima = distinct_optima(restarts.final_log_likelihood)
    n_iter = [run.n_iter if run is not None else 0 for run in restarts.runs]
    plot(
        presented(
            figures.restarts_figure(restarts.final_log_likelihood, restarts.seeds, optima.of_run, n_iter), fit.display
        ),
        STRIP_HEIGHT,
    )
    if restarts.failures:
        st.caption(f"{count(len(restarts.failures), 'start')} failed: {plain(restarts.failures[0])}")
    finals = restarts.final_log_likelihood
    best, worst = restarts.best, int(np.nanargmin(finals))
    if optima.n_optima == 1:
        st.caption("Every start reached the same optimum (within 0.001 in mean log-likelihood).")
        shown = [("The best fit", best)]
    else:
        shown = [("The best fit", best), ("The worst fit", worst)]
    for column, (title, index) in zip(chart_columns(2), shown):
        with column:
            plot(
                mixture_chart(
                    fit_data,
                    restarts.runs[index].final,
                    fit.display,
                    title=f"{title}: seed {restarts.seeds[index]}, log-likelihood {finals[index]:.4f}",
                    uirevision=f"{fit_data.source.identity}-restart-{title}",
                ),
                PANEL_HEIGHT,
            )


def render(fit):
    """Does the start matter? Two starts scrubbed together, then many restarts."""
    st.caption(
        "The same data and model from two starts, under one iteration control. Different starts can take "
        "different paths to the same fit, take far longer, or stop on a worse one (a local optimum)."
    )
    _two_starts(fit)
    _restarts(fit)
