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
    """One line over the tabs: the app's name, the data set (its size; what it is and what the app shows behind
    "About"), and the share box. Kept short so that the chart is the first thing on screen."""
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    n_features = loaded.X.shape[1]
    row.markdown(
        f"**GMM Explorer** · {plain(loaded.title)} · {loaded.n_points:,} points · {n_features} "
        f"column{'s' * (n_features > 1)}",
        width="content",
    )
    with row.popover("About", icon=":material/info:", type="tertiary"):
        st.markdown(plain(loaded.description))
        st.caption(
            "Fit a Gaussian mixture by expectation–maximisation (EM) and step through every iteration: the E-step "
            "shares each point among the components (its colour mixes theirs), the M-step moves each component's "
            "mean and ellipse to the points it is responsible for."
        )
    row.space("stretch")
    with row:
        share.share_box()


def fitted_run(fit_data, settings, strategy, seed, display, start_area):
    """The start editor (in ``start_area``, under the tabs: the chart comes first), then EM from its (last valid)
    start; returns the :class:`Fit`, or None when EM failed (the message is in the open tab's place)."""
    with start_area.expander("Start of EM: initial parameters (editable)", expanded=False):
        start_params = start.start_editor(fit_data, settings, strategy, seed)
    if start_params is None:
        st.warning("EM has no valid start: open “Start of EM” below the charts to mend it.")
        return None
    with st.spinner("Fitting by EM…"):
        outcome = fitting.fit_em(fit_data.X, start_params, settings)
    if outcome.error:
        st.error(f"EM could not run: {plain(outcome.error)}")
        return None
    return Fit(fit_data, settings, strategy, seed, display, start_params, outcome.value)
