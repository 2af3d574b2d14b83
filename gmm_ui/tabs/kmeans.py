"""The k-means tab: k-means and EM from the same raw means, side by side under one slider."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import fitting, stages
from .. import state as keys
from ..share import update_url
from ..text import plain
from .common import chart_notes, final_scores, side_by_side

#: The start whose means are already k-means' result (see :func:`comparison_start`).
KMEANS_STRATEGY = "kmeans"


def _animated_view(fit, kmeans_run):
    fit_data, run = fit.fit_data, fit.run
    limit, _ = side_by_side(
        fit,
        keys.KMEANS_ITERATION,
        max(run.n_iter, kmeans_run.n_iter),
        2,
        lambda positions, sample, points: [
            stages.kmeans_stages(kmeans_run, positions, sample),
            stages.mixture_stages("GMM (EM)", run, positions, points),
        ],
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
    update_url()


def comparison_start(fit):
    """The means k-means starts from beside EM, and a sentence saying where they come from.

    With the "k-means clusters" start EM begins where a k-means walk ended, and k-means begun there would stop at
    once: k-means then starts from the k-means++ seeds that walk began from, and both walk. Any other start gives
    both the start's own means.

    Returns
    -------
    means : ndarray of shape (K, D)
    origin : str
    """
    start, settings = fit.start_params, fit.settings
    if fit.strategy == KMEANS_STRATEGY:
        outcome = fitting.kmeans_start(
            fit.fit_data.X, start.n_components, fit.seed, settings.covariance_type, settings.reg_covar
        )
        if outcome.value is not None and _same_means(outcome.value[0].means, start.means):
            return outcome.value[1], (
                f"k-means starts from the k-means++ seeds (seed {fit.seed}) that the start “k-means clusters” began "
                "from; EM starts from the clusters k-means reached from them (the start's table), so both walk."
            )
    return start.means, "Both start from the same means: those of the start's table."


def _same_means(found, shown):
    """Whether the means of the start table are those the strategy computed (the table keeps σ and ρ, not Σ, so
    they may differ in their last digits)."""
    scale = max(float(np.max(np.abs(found))), 1.0)
    return found.shape == shown.shape and np.allclose(found, shown, rtol=1e-9, atol=1e-12 * scale)


def render(fit):
    """k-means and EM side by side, under one iteration control, from the same means (or k-means from the seeds
    of EM's k-means start)."""
    means, origin = comparison_start(fit)
    st.caption(
        "k-means gives each point to its nearest centroid (hard labels, shaded regions) and so sees round "
        "clusters: the circle around each centroid reaches its farthest point. EM shares points softly and "
        f"fits an ellipse of any shape. {origin}"
    )
    kmeans = fitting.fit_kmeans(fit.fit_data.X, means, fit.settings.max_iter)
    if kmeans.error:
        st.error(f"k-means could not run: {plain(kmeans.error)}")
        return
    st.fragment(_animated_view)(fit, kmeans.value)
