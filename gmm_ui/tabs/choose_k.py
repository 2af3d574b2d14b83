"""The choose-K tab: BIC or AIC over K and every covariance type, and the model the user picks drawn."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import figures, fitting
from .. import state as keys
from ..state import clamp
from ..text import plain
from .common import LARGE_DATA, PANEL_HEIGHT, chart_columns, chart_notes, count, mixture_chart, plot, presented

MAX_SELECTION_K = 12


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
    clicked = chosen_model(st.session_state.get(keys.CRITERION_CHART) or {})
    if clicked is not None:
        st.session_state[keys.SELECT_MODEL] = clicked


def _inputs(max_k):
    """Largest K, starts per model and the criterion."""
    inputs = st.columns([1, 1, 2], vertical_alignment="bottom")
    max_components = inputs[0].number_input("Largest K", 1, max_k, step=1, key=keys.SELECT_MAX_K, persist_state="page")
    n_restarts = inputs[1].number_input(
        "Starts per model", 1, 10, step=1, key=keys.SELECT_RESTARTS, persist_state="page"
    )
    keys.keep_choice(st.session_state, keys.SELECT_CRITERION, ["BIC", "AIC"])
    criterion = inputs[2].segmented_control(
        "Criterion", ["BIC", "AIC"], key=keys.SELECT_CRITERION, required=True, persist_state="page"
    )
    return max_components, n_restarts, criterion


def degenerate_caption(n_degenerate, criterion):
    """Why the hollow, ringed models of the criterion chart are never the lowest."""
    models = "model has" if n_degenerate == 1 else "models have"
    return (
        f"Hollow, ringed: {n_degenerate} {models} a degenerate component, one that collapsed onto a point or a "
        "line (or emptied). Its likelihood grows without bound as it shrinks, only reg_covar stops it, so its "
        f"{criterion} rewards the collapse rather than a better fit: such models are never ranked lowest. Hover "
        "one for what went wrong."
    )


def _model_view(fit, selection, model):
    """The chosen model drawn, and its scores."""
    fit_data = fit.fit_data
    row, column = selection.covariance_types.index(model[0]), int(np.flatnonzero(selection.n_components == model[1])[0])
    plot(
        mixture_chart(
            fit_data,
            selection.runs[model].final,
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


def render(fit):
    """BIC or AIC for K = 1..Kmax and every covariance type (best of a few starts each); a chosen model drawn."""
    fit_data = fit.fit_data
    state = st.session_state
    st.caption(
        "How many components? More components always fit the data better, so the log-likelihood alone cannot "
        "say. BIC and AIC add a price per free parameter (BIC's grows with the number of points): the lowest "
        "value is the best trade-off. Each model is the best of a few k-means++ starts."
    )
    max_k = min(MAX_SELECTION_K, fit_data.n_points)
    clamp(state, keys.SELECT_MAX_K, 1, max_k)
    max_components, n_restarts, criterion = _inputs(max_k)
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
    if state.get(keys.SELECT_MODEL) not in models:
        state[keys.SELECT_MODEL] = best or selection.best(criterion.lower(), include_degenerate=True)
    values = {"BIC": selection.bic, "AIC": selection.aic}[criterion]
    degeneracies = {model: selection.degeneracies(*model) for model in models if selection.degeneracies(*model)}
    figure = figures.criterion_figure(
        selection.n_components,
        selection.covariance_types,
        values,
        criterion=criterion,
        chosen=state[keys.SELECT_MODEL],
        degeneracies=degeneracies,
    )
    chart_column, model_column = chart_columns(2)
    with chart_column:
        plot(
            presented(figure, fit.display),
            PANEL_HEIGHT,
            key=keys.CRITERION_CHART,
            on_select=_pick_clicked_model,
            selection_mode="points",
        )
        st.selectbox(
            "Model shown",
            models,
            key=keys.SELECT_MODEL,
            format_func=_model_label,
            persist_state="page",
            help="Or click a point of the chart.",
        )
        lowest = f"Lowest {criterion}: {_model_label(best)}." if best else f"No sound model to rank by {criterion}."
        st.caption(
            f"{lowest} Each model: EM to a change below {fitting.SELECTION_TOL:g} in mean log-likelihood (at most "
            f"{fitting.SELECTION_MAX_ITER} iterations)."
        )
        if degeneracies:
            st.caption(degenerate_caption(len(degeneracies), criterion))
    with model_column:
        _model_view(fit, selection, state[keys.SELECT_MODEL])
        if note := figures.degeneracy_note(selection.degeneracies(*state[keys.SELECT_MODEL])):
            st.warning(f"This model is {plain(note)}.", icon=":material/warning:")
    chart_notes(fit_data)
