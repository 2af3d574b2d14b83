"""The k-means tab: k-means and EM from the same raw means, side by side under one slider."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from gmm_core import GaussianMixtureParams, ParameterError

from .. import fitting
from .. import state as keys
from ..share import update_url
from ..start import starting_params
from ..text import plain
from . import maths as maths_panel
from .common import chart_notes, final_scores, side_by_side

#: The start whose means are already k-means' result, and the one from the k-means++ seeds it began from (see
#: :func:`comparison_start`).
KMEANS_STRATEGY, SEEDS_STRATEGY = "kmeans", "kmeans++"


def _animated_view(fit, kmeans_run, run):
    fit_data = fit.fit_data
    limit, _ = side_by_side(
        fit,
        keys.chart_key("kmeans"),
        max(run.n_iter, kmeans_run.n_iter),
        [("k-means", kmeans_run), ("GMM (EM)", run)],
    )
    finals = [
        (kmeans_run, "Final inertia (sum of squares)", f"{kmeans_run.inertia[-1]:.4g}"),
        (run, "Final mean log-likelihood", f"{run.log_likelihood[-1]:.4f}"),
    ]
    for column, (fitted, label, value) in zip(st.columns(2, gap="medium"), finals):
        with column:
            final_scores(fit, fitted, label, value)
    chart_notes(fit_data, limit=limit)
    if fit_data.n_features > 2:
        st.caption("k-means' regions and circles live in all the fitted columns, so they are not drawn in this plane.")
    maths_panel.render_kmeans(fit, kmeans_run, run)
    update_url()


@dataclass(frozen=True)
class ComparisonStart:
    """Where k-means and EM start in this tab: the same means for both.

    Attributes
    ----------
    means : ndarray of shape (K, D)
        k-means' start, and EM's start's means.
    em_start : GaussianMixtureParams
        EM's start: the page's start, or with "k-means clusters" the k-means++ start from the same seeds.
    origin : str
        A sentence saying where the means come from.
    """

    means: np.ndarray
    em_start: GaussianMixtureParams
    origin: str


def comparison_start(fit):
    """The :class:`ComparisonStart` of this page's fit.

    With the "k-means clusters" start, EM's start is where a k-means walk ended, and k-means begun there would
    stop at once. Both then start from the k-means++ seeds that walk began from: k-means from the seeds, EM from
    the seeds as means with the weights and covariances of the "k-means++ seeds" start (those of the points nearest
    each seed), so both walk from the same raw means. Any other start gives both the page's start.
    """
    start, settings = fit.start_params, fit.settings
    if fit.strategy == KMEANS_STRATEGY:
        outcome = fitting.kmeans_start(
            fit.fit_data.X, start.n_components, fit.seed, settings.covariance_type, settings.reg_covar
        )
        if outcome.value is not None and _same_means(outcome.value[0].means, start.means):
            seeds = outcome.value[1]
            try:
                nearest = starting_params(
                    fit.fit_data,
                    SEEDS_STRATEGY,
                    start.n_components,
                    fit.seed,
                    settings.covariance_type,
                    settings.reg_covar,
                )
            except ParameterError:  # never seen: the k-means start just used the same seeds
                return ComparisonStart(
                    seeds, start, "k-means starts from the k-means++ seeds; EM from the start's table."
                )
            return ComparisonStart(
                seeds,
                GaussianMixtureParams(nearest.weights, seeds, nearest.covariances),
                f"Both start from the k-means++ seeds (seed {fit.seed}) that the start “k-means clusters” began "
                "from, so both walk; the EM tab's run starts where k-means ended instead.",
            )
    return ComparisonStart(start.means, start, "Both start from the same means: those of the start's table.")


def _same_means(found, shown):
    """Whether the means of the start table are those the strategy computed (the table keeps σ and ρ, not Σ, so
    they may differ in their last digits)."""
    scale = max(float(np.max(np.abs(found))), 1.0)
    return found.shape == shown.shape and np.allclose(found, shown, rtol=1e-9, atol=1e-12 * scale)


def render(fit):
    """k-means and EM side by side, under one iteration control, from the same means."""
    start = comparison_start(fit)
    st.caption(
        "k-means gives each point to its nearest centroid (hard labels, shaded regions) and so sees round "
        "clusters: the circle around each centroid reaches its farthest point. EM shares points softly and "
        f"fits an ellipse of any shape. {start.origin}"
    )
    kmeans = fitting.fit_kmeans(fit.fit_data.X, start.means, fit.settings.max_iter)
    if kmeans.error:
        st.error(f"k-means could not run: {plain(kmeans.error)}")
        return
    em = (
        fitting.fit_em(fit.fit_data.X, start.em_start, fit.settings) if start.em_start is not fit.start_params else None
    )
    if em is not None and em.error:
        st.error(f"EM could not run from the k-means++ seeds: {plain(em.error)}")
        return
    st.fragment(_animated_view)(fit, kmeans.value, fit.run if em is None else em.value)
