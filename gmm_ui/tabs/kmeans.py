"""The k-means tab: k-means and EM from the same starting means, side by side under one slider."""

from __future__ import annotations

import streamlit as st

from .. import fitting, stages
from .. import state as keys
from ..share import update_url
from ..text import plain
from .common import chart_notes, final_scores, side_by_side


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


def render(fit):
    """k-means and EM from the same starting means, side by side, under one iteration control."""
    st.caption(
        "k-means gives each point to its nearest centroid (hard labels, shaded regions) and so sees round "
        "clusters: the circle around each centroid reaches its farthest point. EM shares points softly and "
        "fits an ellipse of any shape. Both start from the same means."
    )
    kmeans = fitting.fit_kmeans(fit.fit_data.X, fit.start_params.means, fit.settings.max_iter)
    if kmeans.error:
        st.error(f"k-means could not run: {plain(kmeans.error)}")
        return
    st.fragment(_animated_view)(fit, kmeans.value)
