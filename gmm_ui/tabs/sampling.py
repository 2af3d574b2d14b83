"""The sampling tab: the fitted mixture as a density under the data, and as a model that draws new points."""

from __future__ import annotations

import streamlit as st

from .. import figures, fitting
from .. import state as keys
from ..data import DISPLAY_LIMIT
from .common import (
    MAIN_CHART_HEIGHT,
    axis_titles,
    chart_columns,
    chart_notes,
    density_range,
    mixture_chart,
    plane,
    plot,
    presented,
)


def _draw_again():
    st.session_state[keys.SAMPLE_SEED] += 1


def _samples_figure(fit_data, final, samples, labels, n_samples):
    if fit_data.n_features == 1:
        return figures.density_1d_figure(
            samples,
            final,
            density_range(fit_data),
            x_title=axis_titles(fit_data)[0],
            title=f"{n_samples:,} samples",
        )
    return figures.samples_figure(
        samples,
        labels,
        plane(fit_data),
        density_params=final,
        title=f"{n_samples:,} points drawn from the fitted model",
    )


def render(fit):
    """A mixture is a density and a generative model: the fitted density under the data, and points drawn from it."""
    fit_data, display = fit.fit_data, fit.display
    st.caption(
        "A Gaussian mixture is a density: shaded below (on a log scale), darkest where the model expects most "
        "points. It is also a model of how the data could have been generated: pick a component with probability "
        "π, then draw from its Gaussian. Points drawn from the fitted model should look like the data."
    )
    final = fit.run.final
    n_samples = min(fit_data.n_points, DISPLAY_LIMIT)
    st.button("Draw again", key=keys.DRAW_SAMPLES, on_click=_draw_again, icon=":material/casino:")
    samples, labels = fitting.draw_samples(
        final.weights, final.means, final.covariances, n_samples, st.session_state[keys.SAMPLE_SEED]
    )
    data_column, samples_column = chart_columns(2)
    with data_column:
        figure = mixture_chart(
            fit_data,
            final,
            display,
            title="The data and the fitted density",
            uirevision=fit_data.source.identity,
            show_density=True,
        )
        figure.update_layout(showlegend=False)  # the same plot size as the samples beside it, for comparison
        plot(figure, MAIN_CHART_HEIGHT - 60)
    with samples_column:
        plot(presented(_samples_figure(fit_data, final, samples, labels, n_samples), display), MAIN_CHART_HEIGHT - 60)
    chart_notes(fit_data)
    if fit_data.n_features > 2:
        st.caption("The shading is the density of the fitted mixture's marginal on the two columns shown.")
