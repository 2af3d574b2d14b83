"""The main area outside the tabs: the data set's header and the fit every tab draws from (start editor, then EM)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gmm_core import EMRun, GaussianMixtureParams

from . import fitting, share, start
from .controls import DisplayOptions
from .data import FitData
from .text import plain


@dataclass(frozen=True, eq=False)
class Fit:
    """What every tab draws from: the points, the user's settings and start, and EM's run from that start."""

    fit_data: FitData
    settings: fitting.FitSettings
    strategy: str
    seed: int
    display: DisplayOptions
    start_params: GaussianMixtureParams
    run: EMRun


def header(loaded):
    """Title, what the app shows, and which data set is loaded (with its point count)."""
    title_column, share_column = st.columns([4, 1], vertical_alignment="center")
    title_column.title("GMM Explorer", anchor=False)
    with share_column:
        share.share_box()
    st.caption(
        "Fit a Gaussian mixture by expectation–maximisation (EM) and step through every iteration: the E-step "
        "shares each point among the components (its colour mixes theirs), the M-step moves each component's "
        "mean and ellipse to the points it is responsible for."
    )
    n_features = loaded.X.shape[1]
    st.markdown(
        f"**{plain(loaded.title)}** · {loaded.n_points:,} points · {n_features} column{'s' * (n_features > 1)}"
        f"  \n{plain(loaded.description)}"
    )


def fitted_run(fit_data, settings, strategy, seed, display):
    """The start editor, then EM from its (last valid) start; returns the :class:`Fit`, or None when EM failed."""
    with st.expander("Start of EM: initial parameters (editable)", expanded=True):
        start_params = start.start_editor(fit_data, settings, strategy, seed)
    if start_params is None:
        return None
    with st.spinner("Fitting by EM…"):
        outcome = fitting.fit_em(fit_data.X, start_params, settings)
    if outcome.error:
        st.error(f"EM could not run: {plain(outcome.error)}")
        return None
    return Fit(fit_data, settings, strategy, seed, display, start_params, outcome.value)
