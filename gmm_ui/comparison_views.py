"""The tabs that compare fits: two starts and many restarts, the four covariance types, and BIC/AIC over K."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from gmm_core import EMRun, ParameterError, n_parameters
from gmm_core.comparisons import distinct_optima
from gmm_core.metrics import bic

from . import comparison_figures, fitting, share, start
from .controls import MAX_SEED
from .text import plain
from .views import (
    agreement,
    chart_notes,
    count,
    iterations_metric,
    mixture_chart,
    mixture_stages,
    plot,
    side_by_side,
    stopped,
)

PANEL_HEIGHT = 440
STRIP_HEIGHT = 320
CURVES_HEIGHT = 300
#: The Two-starts pickers' extra option: whatever start the sidebar and its table hold (manual edits included).
CURRENT_START = "current"
RESTART_LIMITS = (2, 50)
MAX_SELECTION_K = 12
#: Above this many points, fitting dozens of models takes long enough to warn about.
LARGE_DATA = 20_000


# --- Two starts side by side -----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class _Compared:
    """One of the two starts compared: its name, how it was chosen, and its run (or why there is none)."""

    name: str
    label: str
    run: EMRun | None
    error: str | None = None


def _start_options(fit):
    options = start.strategy_options(fit.fit_data, fit.settings.n_components)
    return [CURRENT_START] + [option for option in options if option != start.MANUAL]


def _start_label(fit, strategy):
    if strategy == CURRENT_START:
        label = start.strategy_label(fit.strategy)
        return f"The start above: {label[0].lower()}{label[1:]}"
    return start.strategy_label(strategy)


def _default_second_start(fit, options):
    """The scenario's first other start where there is one (S2's question), else random data points."""
    alternatives = [option for option in options if option.startswith(start.ALTERNATIVE_PREFIX)]
    if alternatives and fit.strategy != alternatives[0]:
        return alternatives[0], 0
    return "random_from_data", fit.seed + 1


def _reconcile_starts(fit, options):
    """Before the pickers are drawn: defaults for new data, and a fallback when a choice no longer applies."""
    state = st.session_state
    if state.get("start_a") not in options:
        state["start_a"], state["seed_a"] = CURRENT_START, fit.seed
    if state.get("start_b") not in options:
        state["start_b"], state["seed_b"] = _default_second_start(fit, options)
    for key in ("seed_a", "seed_b"):
        state.setdefault(key, 0)


def _start_picker(fit, options, letter):
    """Strategy and seed of one start; returns (strategy, seed)."""
    suffix = letter.lower()
    strategy = st.selectbox(
        f"Start {letter}",
        options,
        key=f"start_{suffix}",
        persist_state="page",
        format_func=lambda option: _start_label(fit, option),
    )
    seed = st.number_input(
        f"Seed of start {letter}",
        0,
        MAX_SEED,
        step=1,
        key=f"seed_{suffix}",
        persist_state="page",
        disabled=not start.uses_seed(strategy),
        help="Strategies that draw at random use this seed; the same seed gives the same start.",
    )
    return strategy, int(seed)


def _compared_run(fit, letter, strategy, seed):
    name = f"Start {letter}"
    label = _start_label(fit, strategy) + (f", seed {seed}" if start.uses_seed(strategy) else "")
    if strategy == CURRENT_START:
        return _Compared(name, label, fit.run)
    settings = fit.settings
    try:
        initial = start.starting_params(
            fit.fit_data, strategy, settings.n_components, seed, settings.covariance_type, settings.reg_covar
        )
    except ParameterError as error:
        return _Compared(name, label, None, str(error))
    outcome = fitting.fit_em(fit.fit_data.X, initial, settings)
    return _Compared(name, label, outcome.value, outcome.error)


def _starts_animated_view(fit, compared):
    """Both runs side by side in one chart that scrubs in the browser, their log-likelihood curves, and their final
    scores."""
    limit, opening = side_by_side(
        fit,
        "starts_iteration",
        max(item.run.n_iter for item in compared),
        2,
        lambda positions, _, points: [mixture_stages(item.name, item.run, positions, points) for item in compared],
    )
    for column, item in zip(st.columns(2, gap="medium"), compared):
        with column:
            _final_scores(fit, item.run)
    curves = [comparison_figures.Curve(item.name, item.run.log_likelihood, item.run.converged) for item in compared]
    plot(comparison_figures.log_likelihood_curves_figure(curves, opening), CURVES_HEIGHT)
    chart_notes(fit.fit_data, limit=limit)
    share.update_url()


def _final_scores(fit, run):
    metrics = st.columns(3)
    metrics[0].metric(
        "Final log-likelihood",
        f"{run.log_likelihood[-1]:.4f}",
        help="Mean log-likelihood per point at the end of the run: higher is better.",
    )
    iterations_metric(metrics[1], run.n_iter, run.converged)
    score = agreement(fit.fit_data, fit.display, run.labels(run.n_iter))
    if score is not None:
        metrics[2].metric("Final ARI with truth", f"{score:.3f}")


def _two_starts(fit):
    options = _start_options(fit)
    _reconcile_starts(fit, options)
    columns = st.columns(2, gap="medium")
    compared = []
    for column, letter in zip(columns, "AB"):
        with column:
            strategy, seed = _start_picker(fit, options, letter)
        compared.append(_compared_run(fit, letter, strategy, seed))
    failed = [item for item in compared if item.run is None]
    for item in failed:
        st.error(f"{item.name} ({plain(item.label)}) could not be fitted: {plain(item.error)}")
    if not failed:
        st.fragment(_starts_animated_view)(fit, compared)


def _restarts(fit):
    """n starts of one strategy: where each ended (a strip), and the best and worst fits drawn."""
    st.subheader("Many restarts: local optima", anchor=False)
    st.caption(
        "EM climbs the likelihood from its start and stops at the top of whichever hill it is on. Run it from "
        "many starts and keep the best: the usual remedy, here with every run's end shown."
    )
    settings, fit_data = fit.settings, fit.fit_data
    inputs = st.columns(3)
    n_restarts = inputs[0].number_input("Starts", *RESTART_LIMITS, step=1, key="restart_count", persist_state="page")
    method = inputs[1].selectbox(
        "Strategy of the starts",
        list(start.ENGINE_STRATEGIES),
        key="restart_method",
        format_func=start.strategy_label,
        persist_state="page",
    )
    first_seed = inputs[2].number_input(
        "First seed",
        0,
        MAX_SEED,
        step=1,
        key="restart_seed",
        persist_state="page",
        help="The starts use this seed and the next ones.",
    )
    if too_large := fitting.snapshots_too_large(settings.n_components, fit_data.n_features, settings.max_iter):
        st.error(f"The restarts cannot run: {plain(too_large)}")
        return
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
        return
    restarts = outcome.value
    optima = distinct_optima(restarts.final_log_likelihood)
    n_iter = [run.n_iter if run is not None else 0 for run in restarts.runs]
    plot(
        comparison_figures.restarts_figure(restarts.final_log_likelihood, restarts.seeds, optima.of_run, n_iter),
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
    for column, (title, index) in zip(st.columns(2, gap="medium"), shown):
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


def starts_tab(fit):
    """Does the start matter? Two starts scrubbed together, then many restarts."""
    st.caption(
        "The same data and model from two starts, under one iteration control. Different starts can take "
        "different paths to the same fit, take far longer, or stop on a worse one (a local optimum)."
    )
    _two_starts(fit)
    _restarts(fit)


# --- Covariance types ------------------------------------------------------------------------------------------


def _covariance_animated_view(fit, outcomes):
    """The four fits side by side in one chart that scrubs in the browser; under it, each one's number of free
    parameters, final log-likelihood and BIC."""
    fit_data = fit.fit_data
    fitted = {kind: outcome.value for kind, outcome in outcomes.items() if outcome.value is not None}
    for kind, outcome in outcomes.items():
        if outcome.error:
            st.error(f"{fitting.COVARIANCE_LABELS[kind]}: {plain(outcome.error)}")
    limit, _ = side_by_side(
        fit,
        "covariance_iteration",
        max(run.n_iter for run in fitted.values()),
        len(fitted),
        lambda positions, _, points: [
            mixture_stages(fitting.COVARIANCE_LABELS[kind], run, positions, points) for kind, run in fitted.items()
        ],
    )
    grid = st.columns(2, gap="medium") + st.columns(2, gap="medium")
    for column, (kind, run) in zip(grid, fitted.items()):
        with column:
            st.markdown(f"**{fitting.COVARIANCE_LABELS[kind]}**")
            _type_scores(fit_data, run, kind)
    chart_notes(fit_data, limit=limit)
    share.update_url()


def _type_scores(fit_data, run, covariance_type):
    metrics = st.columns(3)
    metrics[0].metric(
        "Free parameters",
        n_parameters(run.final.n_components, run.final.n_features, covariance_type),
        help="Weights (K - 1), means (K·D) and the covariance entries this type leaves free.",
    )
    metrics[1].metric(
        "Final log-likelihood",
        f"{run.log_likelihood[-1]:.4f}",
        help="Mean per point; more free parameters can only fit better or equal.",
    )
    metrics[2].metric(
        "BIC",
        f"{bic(fit_data.X, run.final, covariance_type):,.1f}",
        help="Lower is better: the log-likelihood penalised by the number of parameters.",
    )
    st.caption(stopped(run.n_iter, run.converged).capitalize())


def covariance_types_tab(fit):
    """The same data and start fitted under each covariance constraint, side by side at one iteration."""
    if fit.fit_data.n_features == 1:
        st.caption(
            "The same start fitted four times. In one dimension a covariance is one variance, so full, diagonal "
            "and spherical are the same model (their fits agree); tied makes every component share one width."
        )
    else:
        st.caption(
            "The same start fitted four times. Full ellipses tilt each their own way; tied ones share one shape; "
            "diagonal ones stay parallel to the axes; spherical ones are circles. Fewer free parameters fit less "
            "closely but need less data."
        )
    outcomes = {
        covariance_type: fitting.fit_em(fit.fit_data.X, fit.start_params, fit.settings, covariance_type=covariance_type)
        for covariance_type in fitting.COVARIANCE_LABELS
    }
    if all(outcome.value is None for outcome in outcomes.values()):
        for covariance_type, outcome in outcomes.items():
            st.error(f"{fitting.COVARIANCE_LABELS[covariance_type]}: {plain(outcome.error)}")
        return
    st.fragment(_covariance_animated_view)(fit, outcomes)


# --- Choosing K ------------------------------------------------------------------------------------------------


def _model_label(model):
    covariance_type, n_components = model
    return f"{covariance_type}, K = {n_components}"


def chosen_model(selection_state):
    """The (covariance type, K) of a clicked point of the criterion chart, or None (no point, or not a model)."""
    for point in selection_state.get("selection", {}).get("points", []):
        data = point.get("customdata")
        if isinstance(data, (list, tuple)) and len(data) == 2:
            return str(data[0]), int(data[1])
    return None


def _pick_clicked_model():
    clicked = chosen_model(st.session_state.get("criterion_chart") or {})
    if clicked is not None:
        st.session_state["select_model"] = clicked


def choose_k_tab(fit):
    """BIC or AIC for K = 1..Kmax and every covariance type (best of a few starts each); a chosen model drawn."""
    fit_data = fit.fit_data
    state = st.session_state
    st.caption(
        "How many components? More components always fit the data better, so the log-likelihood alone cannot "
        "say. BIC and AIC add a price per free parameter (BIC's grows with the number of points): the lowest "
        "value is the best trade-off. Each model is the best of a few k-means++ starts."
    )
    inputs = st.columns([1, 1, 2], vertical_alignment="bottom")
    max_k = min(MAX_SELECTION_K, fit_data.n_points)
    state["select_max_k"] = min(int(state["select_max_k"]), max_k)
    max_components = inputs[0].number_input("Largest K", 1, max_k, step=1, key="select_max_k", persist_state="page")
    n_restarts = inputs[1].number_input("Starts per model", 1, 10, step=1, key="select_restarts", persist_state="page")
    criterion = inputs[2].segmented_control(
        "Criterion", ["BIC", "AIC"], key="select_criterion", required=True, persist_state="page"
    )
    n_models = len(fitting.COVARIANCE_LABELS) * max_components
    patience = " With this many points it can take a minute." if fit_data.n_points > LARGE_DATA else ""
    with st.spinner(f"Fitting {n_models} models, {count(n_restarts, 'start')} each…{patience}"):
        outcome = fitting.select_components(fit_data.X, max_components, n_restarts, fit.seed, fit.settings.reg_covar)
    if outcome.error:
        st.error(f"The models could not be fitted: {plain(outcome.error)}")
        return
    selection = outcome.value
    models = [
        model
        for model in ((t, int(k)) for t in selection.covariance_types for k in selection.n_components)
        if model in selection.runs
    ]
    best = selection.best(criterion.lower())
    if state.get("select_model") not in models:
        state["select_model"] = best
    values = {"BIC": selection.bic, "AIC": selection.aic}[criterion]
    figure = comparison_figures.criterion_figure(
        selection.n_components,
        selection.covariance_types,
        values,
        criterion=criterion,
        chosen=state["select_model"],
    )
    chart_column, model_column = st.columns([1, 1], gap="medium")
    with chart_column:
        plot(figure, PANEL_HEIGHT, key="criterion_chart", on_select=_pick_clicked_model, selection_mode="points")
        st.selectbox(
            "Model shown",
            models,
            key="select_model",
            format_func=_model_label,
            persist_state="page",
            help="Or click a point of the chart.",
        )
        st.caption(
            f"Lowest {criterion}: {_model_label(best)}. Each model: EM to a change below "
            f"{fitting.SELECTION_TOL:g} in mean log-likelihood (at most {fitting.SELECTION_MAX_ITER} iterations)."
        )
    model = state["select_model"]
    row, column = selection.covariance_types.index(model[0]), int(np.flatnonzero(selection.n_components == model[1])[0])
    run = selection.runs[model]
    with model_column:
        plot(
            mixture_chart(
                fit_data,
                run.final,
                fit.display,
                title=f"The model {_model_label(model)}",
                uirevision=f"{fit_data.source.identity}-choose-k",
            ),
            PANEL_HEIGHT,
        )
        metrics = st.columns(2) + st.columns(2)
        metrics[0].metric("BIC", f"{selection.bic[row, column]:,.1f}")
        metrics[1].metric("AIC", f"{selection.aic[row, column]:,.1f}")
        metrics[2].metric("Free parameters", int(selection.n_parameters[row, column]))
        metrics[3].metric("Mean log-likelihood", f"{selection.log_likelihood[row, column]:.4f}")
    chart_notes(fit_data)
