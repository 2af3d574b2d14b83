"""The maths panel under the EM chart: EM's formulas with the numbers of the step on screen, the picked point's
E-step, the lower bound EM climbs and the numbers to copy or download; and the picked point beside k-means.

The step on screen is the EM tab's own (``state.ITERATION``, or ``state.HALF_STEP`` with half steps): this panel
reads it and keeps none of its own. The picked point is ``state.PICKED_ROW``, typed or clicked on the EM chart.
"""

from __future__ import annotations

import streamlit as st

from gmm_core import lower_bound

from .. import maths
from .. import state as keys
from ..data import ANIMATION_DISPLAY_LIMIT, display_indices
from ..figures.bound import lower_bound_figure
from .common import plot

#: Component blocks side by side (Streamlit stacks columns on a phone).
COMPONENT_COLUMNS = 3
BOUND_HEIGHT = 280


# --- Where the panel reads from --------------------------------------------------------------------------------


def _half_steps(fit):
    """Whether the EM chart shows half steps (as the EM tab decides: never for 1-D data)."""
    return bool(st.session_state.get(keys.HALF_STEPS)) and fit.fit_data.n_features > 1


def position_on_screen(fit):
    """(position, half_steps) of the EM chart's step on screen, from the EM tab's session state."""
    half_steps = _half_steps(fit)
    value = st.session_state.get(keys.HALF_STEP if half_steps else keys.ITERATION) or 0
    return int(value), half_steps


def _forget_stale_pick(fit):
    """A picked row belongs to its data set: forgotten when another is loaded or when it is out of range. Called
    before the row box is drawn."""
    state, fit_data = st.session_state, fit.fit_data
    if state.get(keys.PICKED_DATA) != fit_data.source.identity:
        state[keys.PICKED_DATA] = fit_data.source.identity
        state[keys.PICKED_ROW] = None
    row = state.get(keys.PICKED_ROW)
    if row is not None and not 1 <= int(row) <= fit_data.n_points:
        state[keys.PICKED_ROW] = None


def picked(fit):
    """The picked row (from 1), or None."""
    _forget_stale_pick(fit)
    row = st.session_state.get(keys.PICKED_ROW)
    return None if row is None else int(row)


def _chart_rows(fit):
    """The rows (from 0) the EM chart draws (its points, or in 1-D its rug): as the EM tab samples them."""
    return display_indices(fit.fit_data.n_points, ANIMATION_DISPLAY_LIMIT)


# --- The EM chart's side: the marked point and the click --------------------------------------------------------


def chart_extras(fit):
    """What the EM figure draws for this panel (keyword arguments of ``em_animation_figure`` and
    ``em_animation_1d_figure``): the picked point, ringed in every frame, and in 1-D a rug of ticks to click."""
    row = picked(fit)
    extras = {}
    if row is not None:
        extras["picked"] = (fit.fit_data.X[row - 1], f"row {row}")
    if fit.fit_data.n_features == 1:
        extras["rug_rows"] = _chart_rows(fit)
    return extras


def chart_selection(fit):
    """The EM chart's selection arguments for ``st.plotly_chart``: a click on a point picks it."""
    return dict(on_select=lambda: _pick_from_chart(fit), selection_mode="points")


def _pick_from_chart(fit):
    """The chart's selection callback: the clicked point's row becomes the picked row (see maths.picked_row)."""
    event = st.session_state.get(keys.EM_CHART)
    selection = event.get("selection") if event else None
    row = maths.picked_row(selection, fit.fit_data.X, _chart_rows(fit), fit.fit_data.shown)
    if row is not None:
        st.session_state[keys.PICKED_ROW] = row
        st.session_state[keys.PICKED_DATA] = fit.fit_data.source.identity
        st.session_state[keys.MATHS_OPEN] = True  # the panel shows the point's E-step


def _row_box(fit):
    _forget_stale_pick(fit)
    flat = fit.fit_data.n_features == 1
    st.number_input(
        "Picked point: row number",
        min_value=1,
        max_value=fit.fit_data.n_points,
        step=1,
        key=keys.PICKED_ROW,
        placeholder="click a tick under the chart" if flat else "click a point on the chart",
        persist_state="page",
        help="The row of the fitted data, counted from 1. "
        + ("Click a tick under the EM chart to pick its value." if flat else "Or click a point on the EM chart."),
    )
    return picked(fit)


# --- The panel ---------------------------------------------------------------------------------------------------


def _latex_lines(lines):
    for line in lines:
        st.latex(line)


def _components(numbers):
    n_components = numbers.params.n_components
    written = min(n_components, maths.MAX_COMPONENTS_WRITTEN)
    for start in range(0, written, COMPONENT_COLUMNS):
        columns = st.columns(COMPONENT_COLUMNS)
        for column, k in zip(columns, range(start, min(start + COMPONENT_COLUMNS, written))):
            column.latex(maths.component_block(numbers, k))
    if written < n_components:
        st.caption(f"The first {written} of {n_components} components; the download has all of them.")


def _e_step(numbers, run):
    step = numbers.step
    st.markdown(
        f"**E-step** under the parameters of iteration {step.e_step}: each point's responsibilities "
        "(the colours on the chart)."
    )
    st.latex(maths.E_STEP_FORMULA)
    if numbers.point is None:
        st.caption("Pick a point (its row number above, or click it on the chart) to see its E-step written out.")
        return
    weights = run.snapshot(numbers.point_snapshot).weights
    _latex_lines(maths.point_lines(numbers, weights))
    total = float(numbers.point.responsibilities.sum())
    st.caption(
        f"Row {numbers.row}: its responsibilities sum to {total:.4f}. Numbers written with {maths.DIGITS} "
        "significant digits; the download keeps every digit."
    )


def _m_step(numbers, fit):
    step, settings = numbers.step, fit.settings
    st.markdown(
        f"**M-step** of iteration {step.m_step}: the parameters from the responsibilities under iteration "
        f"{step.m_step - 1}'s parameters ({fit.run.covariance_type} covariances)."
    )
    st.latex(maths.m_step_formula(fit.run.covariance_type, numbers.params.n_features, settings.reg_covar))


def _used_responsibilities(numbers):
    """After an M-step: the picked point's responsibilities that step used."""
    point, row = numbers.point, numbers.row
    gammas = ",\\;".join(
        f"\\gamma_{{{row},{k + 1}}} = {maths.number(point.responsibilities[k])}"
        for k in maths.point_components(numbers)
    )
    st.markdown(f"Row {row}'s share in this M-step (its E-step under iteration {numbers.point_snapshot}):")
    st.latex(gammas)


def _bound(numbers, run):
    st.markdown("**Why EM never goes down**: the log-likelihood is at or above the lower bound EM climbs.")
    st.latex(maths.BOUND_FORMULA)
    line = maths.bound_line(numbers)
    if line is None:
        st.caption("At the start no E-step has run: the bound is defined from the first E-step on.")
    else:
        st.latex(line)
    position = numbers.step.position
    plot(lower_bound_figure(lower_bound(run), position, height=BOUND_HEIGHT), BOUND_HEIGHT, key=keys.BOUND_CHART)
    st.caption(
        "Filled dots: after an E-step the bound touches the log-likelihood. Open dots: after an M-step it has "
        "risen, and the log-likelihood has risen at least as much. The ring marks the step on screen."
    )


def _exports(numbers, fit):
    names = list(fit.fit_data.feature_names)
    as_json = maths.numbers_json(numbers, names)
    buttons = st.container(horizontal=True)
    buttons.download_button(
        "These numbers (CSV)",
        maths.numbers_csv(numbers, names),
        file_name=f"gmm_step_{numbers.step.position}.csv",
        mime="text/csv",
        key=keys.DOWNLOAD_MATHS_CSV,
        on_click="ignore",
        icon=":material/download:",
    )
    buttons.download_button(
        "These numbers (JSON)",
        as_json,
        file_name=f"gmm_step_{numbers.step.position}.json",
        mime="application/json",
        key=keys.DOWNLOAD_MATHS_JSON,
        on_click="ignore",
        icon=":material/download:",
    )
    with buttons.popover("Copy the numbers", icon=":material/content_copy:"):
        st.code(as_json, language="json")


def render(fit):
    """The maths of the step on screen, under the EM chart: an expander drawn only while open (its KaTeX and its
    chart would otherwise cost every first page and refit); a click on a point opens it."""
    expander = st.expander("The maths of this step", key=keys.MATHS_OPEN, on_change="rerun", icon=":material/function:")
    with expander:
        if expander.open:
            _panel(fit)


def _panel(fit):
    """The panel's content: the step's formulas with its numbers, the picked point's E-step, the bound."""
    run = fit.run
    box_column, title_column = st.columns([1, 2], vertical_alignment="bottom")
    with box_column:
        row = _row_box(fit)
    position, half_steps = position_on_screen(fit)
    numbers = maths.step_numbers(run, position, half_steps, row)
    step = numbers.step
    title_column.markdown(f"#### {step.title}")
    if step.m_step is not None:
        _m_step(numbers, fit)
    st.markdown("**The parameters on screen**" + (", component by component:" if step.m_step is None else ":"))
    _components(numbers)
    # Side by side on a wide screen (a projector shows more at once), one after the other on a phone.
    point_column, bound_column = st.columns(2, gap="large")
    with point_column:
        if step.e_step is None and numbers.point is not None:
            _used_responsibilities(numbers)
        if step.e_step is not None:
            _e_step(numbers, run)
        elif step.m_step is None:
            st.caption("No E-step has run yet: the first one shares each point among these components.")
    with bound_column:
        st.markdown("**Mean log-likelihood** of the parameters on screen, and its change since the last M-step:")
        st.latex(maths.LOG_LIKELIHOOD_FORMULA)
        st.latex(maths.log_likelihood_line(numbers))
        _bound(numbers, run)
    _exports(numbers, fit)


# --- Beside k-means --------------------------------------------------------------------------------------------


def render_kmeans(fit, kmeans_run, run):
    """The picked point under k-means (its squared distances, the centre update) next to its responsibilities under
    EM, at the k-means tab's iteration."""
    st.markdown("**The picked point, k-means beside EM**")
    with st.columns([1, 2])[0]:
        row = _row_box(fit)
    if row is None:
        st.caption("Type a row number, or pick a point on the EM tab's chart.")
        return
    iteration = int(st.session_state.get(keys.ITERATION) or 0)
    kmeans_column, gmm_column = st.columns(2, gap="medium")
    with kmeans_column:
        shown = min(iteration, kmeans_run.n_iter)
        st.markdown(f"k-means, iteration {shown}: the nearest centre takes the whole point.")
        blocks, _, _ = maths.kmeans_lines(kmeans_run, iteration, row)
        _latex_lines(blocks)
    with gmm_column:
        shown = min(iteration, run.n_iter)
        st.markdown(f"EM, iteration {shown}: every component takes a share.")
        blocks, _ = maths.gmm_lines(run, iteration, row)
        _latex_lines(blocks)
