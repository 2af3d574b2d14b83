"""The covariance tab: the same data and start fitted under each covariance constraint, side by side."""

from __future__ import annotations

import streamlit as st

from gmm_core import n_parameters
from gmm_core.metrics import bic

from .. import fitting
from .. import state as keys
from ..share import update_url
from ..text import plain
from .common import chart_notes, side_by_side, stopped


def _animated_view(fit, outcomes):
    """The four fits side by side in one chart that scrubs in the browser; under it, each one's number of free
    parameters, final log-likelihood and BIC."""
    fit_data = fit.fit_data
    fitted = {kind: outcome.value for kind, outcome in outcomes.items() if outcome.value is not None}
    for kind, outcome in outcomes.items():
        if outcome.error:
            st.error(f"{fitting.COVARIANCE_LABELS[kind]}: {plain(outcome.error)}")
    limit, _ = side_by_side(
        fit,
        keys.chart_key("covariance"),
        max(run.n_iter for run in fitted.values()),
        [(fitting.COVARIANCE_LABELS[kind], run) for kind, run in fitted.items()],
    )
    grid = st.columns(2, gap="medium") + st.columns(2, gap="medium")
    for column, (kind, run) in zip(grid, fitted.items()):
        with column:
            st.markdown(f"**{fitting.COVARIANCE_LABELS[kind]}**")
            _type_scores(fit_data, run, kind)
    chart_notes(fit_data, limit=limit)
    update_url()


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


def render(fit):
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
    st.fragment(_animated_view)(fit, outcomes)
