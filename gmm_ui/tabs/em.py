"""The EM tab: the chart of every iteration (or half step) with its own slider, where it opens, the final
parameters and the exports."""

from __future__ import annotations

import streamlit as st

from gmm_core.metrics import match_components

from .. import export, figures, fitting, shared, stages, strategies, tables, touch
from .. import state as keys
from ..data import ANIMATION_DISPLAY_LIMIT, display_indices
from ..share import update_url
from ..stage import chart_height, opening, play_plan, settle, stage
from ..text import plain
from . import iterations_grid
from . import maths as maths_panel
from .common import (
    agreement,
    axis_titles,
    chart_notes,
    class_names,
    count,
    density_range,
    finish,
    narrow_charts,
    opening_control,
    plane,
    plot,
    truth,
    truth_1d,
)

ANIMATION_HEIGHT = 660

MAX_WARNINGS = 4


def _run_summary(run, settings):
    criterion = fitting.CONVERGENCE_LABELS[settings.convergence]
    if run.converged:
        st.success(
            f"Converged after {count(run.n_iter, 'iteration')}: {criterion} < {settings.tol:g}.",
            icon=":material/check_circle:",
        )
    elif settings.tol == 0:
        st.info(
            f"Ran all {count(run.n_iter, 'iteration')}: with tolerance 0, EM never stops early.", icon=":material/info:"
        )
    else:
        st.info(
            f"Stopped after {count(run.n_iter, 'iteration')} (the maximum) before {criterion} < {settings.tol:g}: "
            "raise the maximum to let EM converge.",
            icon=":material/info:",
        )
    for degeneracy in run.degeneracies[:MAX_WARNINGS]:
        st.warning(plain(degeneracy.message), icon=":material/warning:")
    if len(run.degeneracies) > MAX_WARNINGS:
        st.warning(f"…and {len(run.degeneracies) - MAX_WARNINGS} more degenerate components.")


def _uses_half_steps(fit_data):
    return bool(st.session_state.get(keys.HALF_STEPS)) and fit_data.n_features > 1


def _jump_to(iteration):
    st.session_state.update({keys.ITERATION: iteration, keys.HALF_STEP: stages.half_step_position(iteration)})


def _switch_half_steps():
    """Keep the same ellipses on screen when half steps are turned on or off."""
    state = st.session_state
    if state[keys.HALF_STEPS]:
        state[keys.HALF_STEP] = stages.half_step_position(int(state[keys.ITERATION]))
    else:
        state[keys.ITERATION] = stages.half_step_snapshot(int(state[keys.HALF_STEP]))


def _parameter_table(fit_data, params, display):
    """EM's parameters beside the truth and the estimates the true labels give, where known and shown."""
    true_params, true_labels = truth(fit_data, display)
    matched = None if true_params is None else match_components(params.means, true_params.means)
    labelled = None if true_labels is None else fitting.labelled_estimates(fit_data.X, true_labels)
    known = labelled is not None and labelled.value is not None
    labelled_matched = match_components(params.means, labelled.value.means) if known else None
    frame = tables.comparison_frame(params, true_params, matched, labelled.value if known else None, labelled_matched)
    st.html(tables.html_table(frame, "parameters", digits=3))
    legend = "σ: standard deviation." if params.n_features == 1 else "σ: standard deviations, ρ: correlations."
    if known:
        legend += (
            " (labelled): the plain maximum-likelihood estimates if each point's true class were known: each "
            "class's share of the points, its mean and its standard deviation"
            + ("" if params.n_features == 1 else "s and correlations")
            + " (divided by the class's size, not size − 1), with no EM at all."
        )
    if matched is not None or known:
        legend += " Estimated components are matched to the references by their means (labels are arbitrary)."
    st.caption(legend)
    if labelled is not None and labelled.error:
        st.caption(f"No estimates from the true labels: {plain(labelled.error)}")


def _em_options(fit_data):
    """The EM chart's switches: half steps and the density under the points (2-D pictures only)."""
    flat = fit_data.n_features == 1
    options = st.container(horizontal=True, gap="large")
    options.toggle(
        "Half steps: E-step and M-step apart",
        key=keys.HALF_STEPS,
        on_change=_switch_half_steps,
        persist_state="page",
        disabled=flat,
        help="Stop between the E-step (points recoloured, ellipses unchanged) and the M-step (ellipses moved)."
        + (" One-dimensional data are drawn as densities, which only change at M-steps." if flat else ""),
    )
    options.toggle(
        "Fitted density under the points",
        key=keys.SHOW_DENSITY,
        persist_state="page",
        disabled=flat,
        help="The mixture's density on the plane shown, shaded on a log scale over three decades below its peak "
        "(darker is denser); each step shows that iteration's."
        + (" One-dimensional charts always draw it." if flat else ""),
    )


def _jump_buttons(highlights, n_iter):
    highlights = [i for i in highlights if i <= n_iter]
    if highlights:
        jumps = st.container(horizontal=True, vertical_alignment="center")
        jumps.caption("The classic write-up shows iterations:", width="content")
        for iteration in highlights:
            jumps.button(f"{iteration}", key=keys.jump_key(iteration), on_click=_jump_to, args=(iteration,))


def _em_step_view(fit, highlights):
    """Everything that depends on the iteration shown: reruns alone when it changes (no refit, no other tab).

    The chart holds every stage and its own slider: scrubbing happens in the browser, and the stage's toolbar
    reports where it stopped (gmm_ui.stage), so that the box, the table and the link follow.
    """
    touch.follow_placement()
    half_steps = _uses_half_steps(fit.fit_data)
    _em_animated_view(fit, highlights, half_steps)
    update_url()
    settle()


def _opening(n_iter, half_steps):
    """The iteration (or half step) on screen, as a box that also moves the chart; the page's link keeps it."""
    last = stages.last_position(n_iter, half_steps)
    if half_steps:
        return opening_control(
            keys.HALF_STEP,
            last,
            "Step",
            "The half step on screen: type one to go there, or step with the toolbar, the slider or the keys.",
            step_names=stages.half_step_label,
        )
    return opening_control(
        keys.ITERATION,
        last,
        "Iteration",
        "The iteration on screen: type one to go there, or step with the toolbar, the chart's slider or the keys "
        "(← →, Page Up/Down, Home, End, Space).",
    )


def _em_animated_view(fit, highlights, half_steps):
    fit_data, run, display = fit.fit_data, fit.run, fit.display
    last = stages.last_position(run.n_iter, half_steps)
    position = int(st.session_state[keys.HALF_STEP if half_steps else keys.ITERATION])
    position = min(max(position, 0), last)
    opened = min(int(opening(keys.EM_CHART, position)), last)
    height = chart_height(ANIMATION_HEIGHT)
    place = touch.em_takes_clicks(fit)
    show_density = bool(st.session_state.get(keys.SHOW_DENSITY))
    inputs = (half_steps, opened, position, tuple(highlights), show_density, narrow_charts(), height, place)
    figure, play, names = shared.chart(_em_chart, fit, *inputs, maths_panel.chart_extras(fit))
    # A click places a mean in place mode (gmm_ui.touch), else picks a point for the maths panel.
    events = touch.em_events(fit) if place else maths_panel.chart_selection(fit)
    stage(
        play,
        keys.EM_CHART,
        names,
        position,
        labels=[stages.position_text(int(name), run.n_iter, half_steps) for name, _ in names],
        preferred_height=ANIMATION_HEIGHT,
        half_steps=half_steps,
    )
    plot(figure, key=keys.EM_CHART, **events)
    controls = st.container(horizontal=True, vertical_alignment="bottom", gap="medium")
    with controls.container(width=180):
        _opening(run.n_iter, half_steps)
    with controls:
        _em_options(fit_data)
    _jump_buttons(highlights, run.n_iter)
    touch.place_controls(fit)
    _run_summary(run, fit.settings)
    st.caption(_animation_caption(fit_data.n_features == 1, half_steps, fit.start_params.n_components))
    chart_notes(fit_data, limit=ANIMATION_DISPLAY_LIMIT)
    maths_panel.render(fit)
    shown = stages.half_step_snapshot(position) if half_steps else position
    metric_column, table_column = st.columns([1, 3], gap="medium")
    metric_column.metric(f"Mean log-likelihood, iteration {shown}", f"{run.log_likelihood[shown]:.4f}")
    score = agreement(fit_data, display, run.labels(shown))
    if score is not None:
        metric_column.metric("Agreement with truth (ARI)", f"{score:.3f}")
    with table_column:
        st.caption(
            f"Parameters at iteration {shown} of {run.n_iter} (the one on screen"
            + (", whose ellipses an E-step does not move" if half_steps and position % 2 else "")
            + ")."
        )
        _parameter_table(fit_data, run.snapshot(shown), display)


def _em_chart(fit, half_steps, opened, position, highlights, show_density, narrow, height, place, extras):
    """The EM chart, finished and shared (see gmm_ui.shared: built once per server for equal arguments, and never
    changed after): its figure, opening at ``opened`` with ``position`` among its frames, ``height`` px tall (taller
    with large text), with click catchers in place mode (``place``); the stage's Play plan, taken off the figure;
    the frames' (name, label) pairs. ``extras``: the maths panel's, see tabs.maths.chart_extras."""
    frames, note, active = _em_frames(fit, highlights, half_steps, opened, also=(position,))
    large_text = fit.display.large_text
    layout = dict(narrow=narrow, large_text=large_text, height=height, show_density=show_density)
    figure = em_animation(fit, frames, active, note, half_steps, **layout, **extras)
    if place:
        touch.em_catchers(figure)
    play = play_plan(figure)
    finish(figure, height, large_text)
    return figure, play, [(frame.name, frame.label) for frame in frames]


def _em_frames(fit, highlights, half_steps, opening, also=()):
    """The EM chart's frames (``also``: other positions that must be frames), its note and the index of the frame
    at ``opening``."""
    flat = fit.fit_data.n_features == 1
    frames, note = stages.em_frames(
        fit.run,
        None if flat else fit.fit_data.X[_animation_sample(fit.fit_data)],
        half_steps,
        opening,
        keep=[*(stages.half_step_position(i) for i in highlights), *also] if half_steps else [*highlights, *also],
        max_frames=stages.max_frames_1d(fit.start_params.n_components) if flat else stages.MAX_FRAMES,
    )
    return frames, note, next(i for i, frame in enumerate(frames) if frame.name == str(opening))


def animation_file(fit, highlights, half_steps, show_density):
    """A function (no arguments) that makes the EM chart, opening at the start, as one HTML file that plays offline:
    called only when the user downloads it, on a thread of its own, so it reads no session state."""

    def make():
        frames, note, active = _em_frames(fit, highlights, half_steps, 0)
        large_text = fit.display.large_text  # for slides, as shown
        figure = em_animation(fit, frames, active, note, half_steps, show_density=show_density, large_text=large_text)
        figure.update_layout(height=figure.layout.height or ANIMATION_HEIGHT)
        return export.animation_html(figure).encode("utf-8")

    return make


def _animation_caption(flat, half_steps, n_components):
    """How to read and drive the EM chart: 1-D curves, whole iterations or half steps."""
    drive = "Step with the toolbar or the keys, drag the slider under the chart, or press ▶ Play: each position is "
    if flat:
        hover = (
            " Hover a component's curve for its weight, mean and deviation."
            if n_components <= figures.MAX_LEGEND_COMPONENTS
            else ""
        )
        return (
            drive + "one iteration: each weighted component and the mixture's density after its M-step, over "
            "the data's histogram." + hover
        )
    if half_steps:
        steps = (
            "a half step. E-step: the points are recoloured by their responsibilities under the ellipses, "
            "which stay put. M-step: each component's weight, mean and ellipse are recomputed from the points "
            "it is responsible for (dotted: where its ellipse was)."
        )
    else:
        steps = (
            "one iteration: the ellipses after its M-step, the point colours the responsibilities under them "
            "(what the next E-step computes). Turn on half steps to see the E-step and the M-step apart."
        )
    return drive + steps + " Hover a mean for its weight, mean and covariance."


def _animation_sample(fit_data):
    """Indices of the points the animated EM chart draws (see data.ANIMATION_DISPLAY_LIMIT)."""
    return display_indices(fit_data.n_points, ANIMATION_DISPLAY_LIMIT)


def em_animation(fit, frames, active, note, half_steps, *, show_density=False, **extras):
    """The EM chart of ``frames``, opening at frame ``active``, the fitted density under the points with
    ``show_density`` (``extras``: the maths panel's picked point, see tabs.maths.chart_extras). Reads no session
    state: the shared charts (gmm_ui.shared) and the HTML export build it from their arguments alone."""
    fit_data, run, display = fit.fit_data, fit.run, fit.display
    true_params, true_labels = truth(fit_data, display)
    shown = _animation_sample(fit_data)
    converged_iteration = run.n_iter if run.converged else None
    if fit_data.n_features == 1:
        return figures.em_animation_1d_figure(
            fit_data.X,
            frames,
            density_range(fit_data),
            run.log_likelihood,
            active=active,
            converged_iteration=converged_iteration,
            tol=run.tol,
            x_title=axis_titles(fit_data)[0],
            truth=truth_1d(fit_data, display),
            note=note,
            uirevision=fit_data.source.identity,
            play_speed=display.play_speed,
            **extras,
        )
    return figures.em_animation_figure(
        fit_data.X[shown],
        frames,
        plane(fit_data),
        run.log_likelihood,
        active=active,
        converged_iteration=converged_iteration,
        tol=run.tol,
        n_stds=display.n_stds,
        truth=true_params,
        true_labels=None if true_labels is None else true_labels[shown],
        class_names=class_names(fit_data),
        show_density=show_density,
        slider_prefix="Step: " if half_steps else "Iteration ",
        note=note,
        uirevision=fit_data.source.identity,
        play_speed=display.play_speed,
        **extras,
    )


def _exports(fit, highlights):
    fit_data, run = fit.fit_data, fit.run
    recorded = {
        **fit.settings.as_dict(),
        "initialisation": strategies.strategy_label(fit.strategy),
        "seed": fit.seed if strategies.uses_seed(fit.strategy) else None,
        "standardized": fit_data.standardized,
    }
    st.subheader("Export", anchor=False)
    buttons = st.container(horizontal=True)
    buttons.download_button(
        "Fitted parameters (JSON)",
        export.parameters_json(run, fit_data.feature_names, recorded, fit_data.source.title),
        file_name="gmm_parameters.json",
        mime="application/json",
        key=keys.DOWNLOAD_PARAMETERS,
        on_click="ignore",
        icon=":material/download:",
    )
    buttons.download_button(
        "Iteration history (CSV)",
        export.history_csv(run, fit_data.feature_names),
        file_name="gmm_history.csv",
        mime="text/csv",
        key=keys.DOWNLOAD_HISTORY,
        on_click="ignore",
        icon=":material/download:",
    )
    # About 5 MB (Plotly's library inlined): made on the click, not on every rerun.
    buttons.download_button(
        "Animated chart (HTML, plays offline)",
        animation_file(fit, highlights, _uses_half_steps(fit_data), bool(st.session_state.get(keys.SHOW_DENSITY))),
        file_name="gmm_em_animation.html",
        mime="text/html",
        key=keys.DOWNLOAD_ANIMATION,
        on_click="ignore",
        icon=":material/download:",
        help="The EM chart with its slider and Play button in one file, Plotly's script included: for slides and "
        "course pages, no internet needed.",
    )


def render(fit):
    """The EM walk-through: the chart with every iteration (or half step), its slider, the final parameters."""
    scenario = fit.fit_data.source.scenario
    highlights = (
        scenario.highlight_iterations if scenario is not None and fit.fit_data.is_scenario_as_prescribed else ()
    )
    st.fragment(_em_step_view)(fit, highlights)
    iterations_grid.render(fit, highlights)
    _exports(fit, highlights)
