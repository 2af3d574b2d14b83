"""The main area: the data set's header, the start editor, the fit, the EM, k-means and sampling tabs, and the
helpers every tab draws with (see ``gmm_ui.comparison_views`` for the tabs that compare fits)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gmm_core import EMRun, GaussianMixtureParams, responsibilities
from gmm_core.metrics import adjusted_rand_index, match_components

from . import comparison_figures, export, figures, fitting, share, start, tables
from .controls import DisplayOptions
from .data import ANIMATION_DISPLAY_LIMIT, COMPARISON_DISPLAY_LIMIT, DISPLAY_LIMIT, FitData, display_indices
from .state import HALF_STEP_KEY
from .text import chart_text, plain

#: The EM chart holds at most about this many frames: longer runs show every few iterations (see em_frames).
MAX_FRAMES = 250
#: Bytes of curves all the frames of a 1-D EM chart may carry: with many components, fewer frames.
MAX_FRAME_BYTES_1D = 3_000_000
MAIN_CHART_HEIGHT = 560
ANIMATION_HEIGHT = 660
MAX_WARNINGS = 4


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


# --- Shared pieces ---------------------------------------------------------------------------------------------


def _truth(fit_data, display):
    """(true parameters, true labels) when the user wants the truth shown, else Nones."""
    if not display.show_truth:
        return None, None
    return fit_data.true_params, fit_data.true_labels


def _density_range(fit_data):
    return fit_data.source.density_range() or figures.padded_range(fit_data.X[:, 0])


def _axis_titles(fit_data):
    """The columns' names as axis titles: standardised columns are in standard deviations, not their own units."""
    names = [chart_text(name) for name in fit_data.feature_names]  # a user's names, shown as typed
    if fit_data.standardized:
        return [f"{name}, standardised" for name in names]
    return names


def _plane(fit_data):
    return figures.plane_view(fit_data.X, _axis_titles(fit_data), fit_data.shown)


_SAME = object()


def mixture_chart(
    fit_data, params, display, *, title, uirevision, colors_from=_SAME, previous_params=None, show_density=False
):
    """The figure of one mixture over the data: a density over a histogram in 1-D, shaded points otherwise.

    ``colors_from`` is the mixture whose responsibilities colour the points (by default ``params``; None leaves
    them uncoloured); ``previous_params`` draws where the ellipses were; ``show_density`` the density under them.
    """
    true_params, true_labels = _truth(fit_data, display)
    shown = display_indices(fit_data.n_points)
    if fit_data.n_features == 1:  # a histogram of every point: only its bins are sent
        return figures.density_1d_figure(
            fit_data.X,
            params,
            _density_range(fit_data),
            x_title=_axis_titles(fit_data)[0],
            truth=true_params,
            title=title,
            uirevision=uirevision,
        )
    points = fit_data.X[shown]
    colors_from = params if colors_from is _SAME else colors_from
    return figures.mixture_scatter_figure(
        points,
        None if colors_from is None else responsibilities(points, colors_from),
        params,
        _plane(fit_data),
        n_stds=display.n_stds,
        truth=true_params,
        true_labels=None if true_labels is None else true_labels[shown],
        class_names=[chart_text(name) for name in fit_data.source.label_names] or None,
        previous_params=previous_params,
        show_density=show_density,
        title=title,
        uirevision=uirevision,
    )


def chart_notes(fit_data, sample_drawn=None, limit=DISPLAY_LIMIT):
    """Captions that say what a chart cannot show by itself.

    ``sample_drawn``: whether the charts draw a display sample of large data (of ``limit`` points). By default
    they do in 2-D (points) and not in 1-D (histograms of every point).
    """
    notes = []
    if sample_drawn is None:
        sample_drawn = fit_data.n_features > 1
    if fit_data.n_points > limit and sample_drawn:
        notes.append(f"Showing a random {limit:,} of the {fit_data.n_points:,} points; the fit uses every point.")
    if fit_data.n_features > 2:
        x_name, y_name = (fit_data.feature_names[i] for i in fit_data.shown)
        notes.append(
            f"The fit uses {fit_data.n_features} columns; the ellipses are each component's marginal on "
            f"{plain(x_name)} and {plain(y_name)} (the 2×2 block of its covariance)."
        )
    if fit_data.standardized and fit_data.true_params is not None:
        notes.append("The true parameters are shown in standardised units, like the fit.")
    for note in notes:
        st.caption(note)


def agreement(fit_data, display, labels):
    """Adjusted Rand index of ``labels`` with the true classes, or None when unknown or hidden."""
    _, true_labels = _truth(fit_data, display)
    return None if true_labels is None else adjusted_rand_index(true_labels, labels)


#: WebGL layers at the screen's resolution: Plotly's default draws them at twice it, four times the pixels, which
#: costs 0.2 s each time a large chart is drawn anew in a browser without a GPU, for no visible difference.
PLOTLY_CONFIG = {"displaylogo": False, "plotGlPixelRatio": 1}


def plot(figure, height, **options):
    """Draw a figure at ``height`` pixels (``options`` go to ``st.plotly_chart``: a key, selection events...).

    The figure itself carries the height too: Streamlit's chart first draws the figure as it comes, at Plotly's
    default 450 px when it has none, then again at ``height`` (the chart grew on screen, about 0.2 s later).
    """
    figure.update_layout(height=height)
    return st.plotly_chart(figure, height=height, config=PLOTLY_CONFIG, **options)


def count(number, noun):
    return f"{number:,} {noun}{'s' * (number != 1)}"


def stopped(n_iter, converged):
    iterations = count(n_iter, "iteration")
    return f"converged in {iterations}" if converged else f"stopped after {iterations} (not converged)"


def iterations_metric(column, n_iter, converged):
    column.metric(
        "Iterations", f"{n_iter}", "converged" if converged else "not converged", delta_color="off", delta_arrow="off"
    )


def opening_control(key, last, label, help_text):
    """Where an animated chart opens: an iteration 0..``last`` on session-state ``key`` (kept in range first, and
    in the page's link); returns it. With ``last`` = 0 there is nothing to scrub: a caption says so instead."""
    state = st.session_state
    state[key] = min(max(int(state.get(key, 0)), 0), last)
    if last > 0:
        st.number_input(label, min_value=0, max_value=last, step=1, key=key, persist_state="page", help=help_text)
    else:
        st.caption("EM stopped at its start (iteration 0): raise the maximum number of iterations.")
    return int(state[key])


# --- EM, step by step ------------------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class Stage:
    """What the EM chart shows at one position of its scrubber.

    Attributes
    ----------
    snapshot : int
        The recorded iteration whose ellipses (and parameters, log-likelihood) are shown.
    colors_from : int or None
        The iteration whose responsibilities colour the points; None before the first E-step.
    moved_from : int or None
        The iteration whose ellipses are drawn faintly, to show an M-step's move; None otherwise.
    title : str
    note : str
        One line on what changed at this stage ("" when the title says it all).
    """

    snapshot: int
    colors_from: int | None
    moved_from: int | None
    title: str
    note: str


def em_stage(position, half_steps, n_iter):
    """The :class:`Stage` at scrubber ``position``: an iteration, or with ``half_steps`` a half step.

    Iteration i's E-step computes responsibilities under the ellipses of iteration i - 1; its M-step then moves
    the ellipses (snapshot i). Half-step positions are 0 (the start), 2i - 1 (iteration i after its E-step:
    snapshot i - 1, coloured by its own responsibilities) and 2i (after its M-step: snapshot i, still with those
    colours). Without half steps, position i is snapshot i coloured by its responsibilities (the next E-step).
    """
    if not half_steps:
        note = (
            "The start: each point's colour mixes the components by its responsibilities under these ellipses."
            if position == 0
            else ""
        )
        return Stage(position, position, None, f"Iteration {position} of {n_iter}", note)
    if position == 0:
        return Stage(
            0,
            None,
            None,
            f"Start (iteration 0 of {n_iter})",
            "No E-step has run yet: no point is shared among the components (grey).",
        )
    iteration, after_m_step = divmod(position + 1, 2)
    if not after_m_step:
        return Stage(
            iteration - 1,
            iteration - 1,
            None,
            f"Iteration {iteration} of {n_iter}, after the E-step",
            f"E-step: points recoloured by their responsibilities under the ellipses of iteration "
            f"{iteration - 1}, which stay put.",
        )
    return Stage(
        iteration,
        iteration - 1,
        iteration - 1,
        f"Iteration {iteration} of {n_iter}, after the M-step",
        "M-step: weights, means and ellipses recomputed from those responsibilities (dotted: before).",
    )


def half_step_label(position):
    """How the half-step scrubber names a position: "start", "3 · E-step", "3 · M-step"."""
    if position == 0:
        return "start"
    iteration, after_m_step = divmod(position + 1, 2)
    return f"{iteration} · {'M' if after_m_step else 'E'}-step"


def _uses_half_steps(fit_data):
    return bool(st.session_state.get("half_steps")) and fit_data.n_features > 1


def _em_scrubber(n_iter, half_steps):
    """(session-state key, last position) of the EM scrubber: iterations, or half steps (twice as many)."""
    return (HALF_STEP_KEY, 2 * n_iter) if half_steps else ("iteration", n_iter)


def _jump_to(iteration):
    st.session_state.update({"iteration": iteration, HALF_STEP_KEY: 2 * iteration})


def _switch_half_steps():
    """Keep the same ellipses on screen when half steps are turned on or off."""
    state = st.session_state
    if state["half_steps"]:
        state[HALF_STEP_KEY] = 2 * int(state["iteration"])
    else:
        state["iteration"] = int(state[HALF_STEP_KEY]) // 2


def _parameter_table(fit_data, params, display):
    true_params, _ = _truth(fit_data, display)
    matched = None if true_params is None else match_components(params.means, true_params.means)
    frame = tables.comparison_frame(params, true_params, matched)
    st.html(tables.html_table(frame, "parameters", digits=3))
    legend = "σ: standard deviation." if params.n_features == 1 else "σ: standard deviations, ρ: correlations."
    if matched is not None:
        legend += " Estimated components are matched to the true ones by their means (labels are arbitrary)."
    st.caption(legend)


def _em_options(fit_data):
    """The EM chart's switches: half steps and the density under the points (2-D pictures only)."""
    flat = fit_data.n_features == 1
    options = st.container(horizontal=True, gap="large")
    options.toggle(
        "Half steps: E-step and M-step apart",
        key="half_steps",
        on_change=_switch_half_steps,
        persist_state="page",
        disabled=flat,
        help="Stop between the E-step (points recoloured, ellipses unchanged) and the M-step (ellipses moved)."
        + (" One-dimensional data are drawn as densities, which only change at M-steps." if flat else ""),
    )
    options.toggle(
        "Fitted density under the points",
        key="show_density",
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
        jumps.caption("Open the chart at the iterations the classic write-up shows:", width="content")
        for iteration in highlights:
            jumps.button(f"{iteration}", key=f"jump_{iteration}", on_click=_jump_to, args=(iteration,))


def _em_step_view(fit, highlights):
    """Everything that depends on the iteration shown: reruns alone when it changes (no refit, no other tab).

    The chart holds every stage and its own slider: scrubbing happens in the browser.
    """
    state = st.session_state
    fit_data, run = fit.fit_data, fit.run
    _em_options(fit_data)
    half_steps = _uses_half_steps(fit_data)
    key, last = _em_scrubber(run.n_iter, half_steps)
    state[key] = min(max(int(state.get(key, 0)), 0), last)
    _em_animated_view(fit, highlights, half_steps, key, last)
    share.update_url()


def _opening_control(key, last, half_steps):
    """Where the chart opens (and what the page's link holds): an iteration, or a half step."""
    if last == 0:
        st.caption("EM stopped at its start (iteration 0): raise the maximum number of iterations.")
    elif half_steps:
        st.selectbox(
            "Open the chart at",
            range(last + 1),
            format_func=half_step_label,
            key=key,
            persist_state="page",
            help="The step the chart shows first; the page's link keeps it.",
        )
    else:
        st.number_input(
            "Open the chart at iteration",
            min_value=0,
            max_value=last,
            step=1,
            key=key,
            persist_state="page",
            help="The iteration the chart shows first; the page's link keeps it. Scrub with the "
            "chart's own slider, or press its Play button.",
        )


def _em_animated_view(fit, highlights, half_steps, key, last):
    state = st.session_state
    fit_data, run, display = fit.fit_data, fit.run, fit.display
    control_column, jump_column = st.columns([1, 3], vertical_alignment="bottom")
    with control_column:
        _opening_control(key, last, half_steps)
    with jump_column:
        _jump_buttons(highlights, run.n_iter)
    opening = int(state[key])
    flat = fit_data.n_features == 1
    frames, note = em_frames(
        run,
        None if flat else fit_data.X[_animation_sample(fit_data)],
        half_steps,
        opening,
        keep=[2 * i for i in highlights] if half_steps else highlights,
        max_frames=max_frames_1d(fit.start_params.n_components) if flat else MAX_FRAMES,
    )
    active = next(i for i, frame in enumerate(frames) if frame.name == str(opening))
    plot(em_animation(fit, frames, active, note, half_steps), ANIMATION_HEIGHT, key="em_chart")
    st.caption(_animation_caption(flat, half_steps, fit.start_params.n_components))
    chart_notes(fit_data, limit=ANIMATION_DISPLAY_LIMIT)
    final = run.final
    metric_column, table_column = st.columns([1, 3], gap="medium")
    metric_column.metric("Mean log-likelihood, last iteration", f"{run.log_likelihood[-1]:.4f}")
    score = agreement(fit_data, display, run.labels(run.n_iter))
    if score is not None:
        metric_column.metric("Agreement with truth (ARI)", f"{score:.3f}")
    with table_column:
        st.caption(f"Parameters after the last iteration ({run.n_iter}); the chart shows those of every frame.")
        _parameter_table(fit_data, final, display)


def _animation_caption(flat, half_steps, n_components):
    """How to read and drive the EM chart: 1-D curves, whole iterations or half steps."""
    drive = "Drag the slider under the chart, click along it, or press ▶ Play: each position is "
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
        stages = (
            "a half step. E-step: the points are recoloured by their responsibilities under the ellipses, "
            "which stay put. M-step: each component's weight, mean and ellipse are recomputed from the points "
            "it is responsible for (dotted: where its ellipse was)."
        )
    else:
        stages = (
            "one iteration: the ellipses after its M-step, the point colours the responsibilities under them "
            "(what the next E-step computes). Turn on half steps to see the E-step and the M-step apart."
        )
    return drive + stages + " Hover a mean for its weight, mean and covariance."


_FLAT_START_NOTE = (
    "The start: each coloured curve is a component's weight times its density; the black one is their sum."
)


def max_frames_1d(n_components):
    """How many frames a 1-D EM chart of ``n_components`` components holds at most (25 to MAX_FRAMES)."""
    return max(25, min(MAX_FRAMES, MAX_FRAME_BYTES_1D // figures.frame_bytes_1d(n_components)))


def em_frames(run, points, half_steps, opening, keep=(), max_frames=MAX_FRAMES):
    """The frames of the EM animation and a note on the chart when some iterations are left out.

    Parameters
    ----------
    run : EMRun
    points : ndarray of shape (N, D), or None
        The points drawn, coloured by their responsibilities; None for a chart without points (1-D).
    half_steps : bool
        Frames of half steps (E-step, then M-step) rather than whole iterations.
    opening : int
        The position (iteration, or half step) the chart opens at: always one of the frames.
    keep : iterable of int
        Other positions that must be frames (the jump buttons').
    max_frames : int
        About how many frames at most (more iterations: one in every few, see ``figures.strided_iterations``).

    Returns
    -------
    frames : list of figures.EMFrame
    note : str or None
    """
    n_iter = run.n_iter
    if half_steps:
        wanted = {(position + 1) // 2 for position in (opening, *keep)}
        iterations = figures.strided_iterations(n_iter, max_frames // 2, keep=wanted)
        positions = [0] + [position for i in iterations[1:] for position in (2 * i - 1, 2 * i)]
    else:
        iterations = figures.strided_iterations(n_iter, max_frames, keep=(opening, *keep))
        positions = iterations
    note = None
    if len(iterations) < n_iter + 1:
        note = (
            f"Long run: the slider shows {len(iterations)} of the {n_iter + 1:,} iterations (one in "
            f"{figures.frame_stride(n_iter, max_frames // 2 if half_steps else max_frames)}, and the first "
            "and the last)."
        )
    shares = {}

    def shared(iteration):
        if iteration not in shares:
            shares[iteration] = responsibilities(points, run.snapshot(iteration))
        return shares[iteration]

    log_likelihood = run.log_likelihood
    frames = []
    for position in positions:
        stage = em_stage(position, half_steps, n_iter)
        i = stage.snapshot
        headline = f"{stage.title} · log-likelihood {log_likelihood[i]:.4f}"
        if i > 0:
            headline += f" ({log_likelihood[i] - log_likelihood[i - 1]:+.2g})"
        if position == (2 * n_iter if half_steps else n_iter):
            headline += " · converged" if run.converged else " · stopped (iteration limit)"
        frames.append(
            figures.EMFrame(
                name=str(position),
                label=half_step_label(position) if half_steps else str(position),
                params=run.snapshot(i),
                responsibilities=None if stage.colors_from is None or points is None else shared(stage.colors_from),
                previous=None if stage.moved_from is None else run.snapshot(stage.moved_from),
                iteration=i,
                headline=headline,
                note=_FLAT_START_NOTE if points is None and position == 0 else stage.note,
            )
        )
    return frames, note


def _animation_sample(fit_data):
    """Indices of the points the animated EM chart draws (see data.ANIMATION_DISPLAY_LIMIT)."""
    return display_indices(fit_data.n_points, ANIMATION_DISPLAY_LIMIT)


def em_animation(fit, frames, active, note, half_steps):
    """The EM chart of ``frames``, opening at frame ``active``."""
    fit_data, run, display = fit.fit_data, fit.run, fit.display
    true_params, true_labels = _truth(fit_data, display)
    shown = _animation_sample(fit_data)
    converged_iteration = run.n_iter if run.converged else None
    if fit_data.n_features == 1:
        return figures.em_animation_1d_figure(
            fit_data.X,
            frames,
            _density_range(fit_data),
            run.log_likelihood,
            active=active,
            converged_iteration=converged_iteration,
            tol=run.tol,
            x_title=_axis_titles(fit_data)[0],
            truth=true_params,
            note=note,
            uirevision=fit_data.source.identity,
        )
    return figures.em_animation_figure(
        fit_data.X[shown],
        frames,
        _plane(fit_data),
        run.log_likelihood,
        active=active,
        converged_iteration=converged_iteration,
        tol=run.tol,
        n_stds=display.n_stds,
        truth=true_params,
        true_labels=None if true_labels is None else true_labels[shown],
        class_names=[chart_text(name) for name in fit_data.source.label_names] or None,
        show_density=bool(st.session_state.get("show_density")),
        slider_prefix="Step: " if half_steps else "Iteration ",
        note=note,
        uirevision=fit_data.source.identity,
    )


def _exports(fit):
    fit_data, run = fit.fit_data, fit.run
    recorded = {
        **fit.settings.as_dict(),
        "initialisation": start.strategy_label(fit.strategy),
        "seed": fit.seed if start.uses_seed(fit.strategy) else None,
        "standardized": fit_data.standardized,
    }
    st.subheader("Export", anchor=False)
    buttons = st.container(horizontal=True)
    buttons.download_button(
        "Fitted parameters (JSON)",
        export.parameters_json(run, fit_data.feature_names, recorded, fit_data.source.title),
        file_name="gmm_parameters.json",
        mime="application/json",
        key="download_parameters",
        on_click="ignore",
        icon=":material/download:",
    )
    buttons.download_button(
        "Iteration history (CSV)",
        export.history_csv(run, fit_data.feature_names),
        file_name="gmm_history.csv",
        mime="text/csv",
        key="download_history",
        on_click="ignore",
        icon=":material/download:",
    )


def em_tab(fit):
    """The EM walk-through: the chart with every iteration (or half step), its slider, the final parameters."""
    _run_summary(fit.run, fit.settings)
    scenario = fit.fit_data.source.scenario
    highlights = (
        scenario.highlight_iterations if scenario is not None and fit.fit_data.is_scenario_as_prescribed else ()
    )
    st.fragment(_em_step_view)(fit, highlights)
    _exports(fit)


# --- Fits side by side, scrubbed in the browser -------------------------------------------------------------------

#: Bytes of frames a side-by-side chart may carry: every panel's point colours and outlines at every position.
MAX_COMPARISON_FRAME_BYTES = 3_000_000
SIDE_BY_SIDE_HEIGHT = {1: 620, 2: 620, 3: 1040, 4: 1040}


def comparison_sample(fit_data, n_panels):
    """(limit, indices) of the points each of ``n_panels`` panels draws (data.COMPARISON_DISPLAY_LIMIT together);
    indices None for 1-D data, whose panels draw the histogram of every point."""
    limit = COMPARISON_DISPLAY_LIMIT // n_panels
    return limit, None if fit_data.n_features == 1 else display_indices(fit_data.n_points, limit)


def comparison_positions(fit, last, opening, n_panels, n_points):
    """The iterations a side-by-side chart's slider holds, and a note when some are left out.

    Every position carries each panel's ``n_points`` point colours and outlines (2-D), or its curves (1-D)."""
    n_components = fit.start_params.n_components
    if fit.fit_data.n_features == 1:
        per_panel = figures.frame_bytes_1d(n_components)
    else:  # ellipses at each drawn deviation, or k-means' circles and cells
        per_panel = n_points + n_components * max(len(fit.display.n_stds), 2) * figures.FRAME_ELLIPSE_POINTS * 8
    per_position = n_panels * per_panel * 4 // 3  # base64
    max_frames = max(25, min(MAX_FRAMES, MAX_COMPARISON_FRAME_BYTES // per_position))
    positions = figures.strided_iterations(last, max_frames, keep=(opening,))
    note = None
    if len(positions) < last + 1:
        note = (
            f"Long runs: the slider shows {len(positions)} of the {last + 1:,} iterations (one in "
            f"{figures.frame_stride(last, max_frames)}, and the first and the last)."
        )
    return positions, note


def _stages(run, positions, stage_at):
    """A panel's stage at each position: ``stage_at(iteration, ending)`` at ``run``'s iteration there (its last once
    it has stopped), built once per iteration; ``ending`` is what the status line adds at the last one."""
    built = {}
    for position in positions:
        shown = min(position, run.n_iter)
        if shown not in built:
            ending = f" ({'converged' if run.converged else 'stopped'})" if shown == run.n_iter and shown > 0 else ""
            built[shown] = stage_at(shown, ending)
    return [built[min(position, run.n_iter)] for position in positions]


def mixture_stages(name, run, positions, points):
    """A mixture panel's stages: ``run`` at each position, with the responsibilities of ``points`` (None: no points
    drawn)."""

    def stage_at(shown, ending):
        params = run.snapshot(shown)
        return comparison_figures.PanelStage(
            f"{name} · iteration {shown}{ending} · log-likelihood {run.log_likelihood[shown]:.4f}",
            params=params,
            responsibilities=None if points is None else responsibilities(points, params),
        )

    return _stages(run, positions, stage_at)


def kmeans_stages(kmeans_run, positions, sample):
    """The k-means panel's stages: centroids, circles (2-D data) and the clusters of the points drawn (``sample``;
    None: none drawn) at each position."""
    in_the_plane = kmeans_run.centers.shape[2] == 2

    def stage_at(shown, ending):
        return comparison_figures.PanelStage(
            f"k-means · iteration {shown}{ending} · inertia {kmeans_run.inertia[shown]:.4g}",
            centers=kmeans_run.centers[shown],
            radii=kmeans_run.radii(shown) if in_the_plane else None,
            labels=None if sample is None else kmeans_run.labels(shown)[sample],
        )

    return _stages(kmeans_run, positions, stage_at)


def comparison_chart(fit, panels, positions, opening, sample, *, key):
    """Draw ``panels`` (their stages at ``positions``) side by side under one slider, opening at iteration
    ``opening``."""
    fit_data, display = fit.fit_data, fit.display
    true_params, true_labels = _truth(fit_data, display)
    uirevision = f"{fit_data.source.identity}-{key}"
    if fit_data.n_features == 1:
        figure = comparison_figures.panels_animation_1d_figure(
            fit_data.X,
            panels,
            _density_range(fit_data),
            positions,
            active=positions.index(opening),
            x_title=_axis_titles(fit_data)[0],
            truth=true_params,
            uirevision=uirevision,
        )
    else:
        figure = comparison_figures.panels_animation_figure(
            fit_data.X[sample],
            panels,
            _plane(fit_data),
            positions,
            active=positions.index(opening),
            n_stds=display.n_stds,
            truth=true_params,
            true_labels=None if true_labels is None else true_labels[sample],
            class_names=[chart_text(name) for name in fit_data.source.label_names] or None,
            uirevision=uirevision,
        )
    plot(figure, SIDE_BY_SIDE_HEIGHT[len(panels)], key=key)


SIDE_BY_SIDE_CAPTION = (
    "Drag the slider under the charts, click along it, or press ▶ Play: every chart moves to the "
    "same iteration; a fit that has already stopped keeps its last state."
)


def side_by_side(fit, key, last, n_panels, panels_of):
    """A comparison tab's fits in one animated chart: where it opens (session-state ``key``, 0..``last``), the chart
    of ``panels_of(positions, sample, points)`` (each panel's stages; ``sample`` the indices of the drawn
    ``points``, both None for 1-D data) and its caption. Returns (points drawn per panel, opening iteration)."""
    opening = opening_control(
        key, last, "Open the charts at iteration", "The iteration the charts show first; the page's link keeps it."
    )
    limit, sample = comparison_sample(fit.fit_data, n_panels)
    positions, note = comparison_positions(fit, last, opening, n_panels, 0 if sample is None else len(sample))
    points = None if sample is None else fit.fit_data.X[sample]
    comparison_chart(fit, panels_of(positions, sample, points), positions, opening, sample, key=f"{key}_chart")
    st.caption(SIDE_BY_SIDE_CAPTION + (f" {note}" if note else ""))
    return limit, opening


# --- k-means versus GMM ----------------------------------------------------------------------------------------


def _comparison_animated_view(fit, kmeans_run):
    fit_data, run, display = fit.fit_data, fit.run, fit.display
    limit, _ = side_by_side(
        fit,
        "kmeans_iteration",
        max(run.n_iter, kmeans_run.n_iter),
        2,
        lambda positions, sample, points: [
            kmeans_stages(kmeans_run, positions, sample),
            mixture_stages("GMM (EM)", run, positions, points),
        ],
    )
    finals = [
        (kmeans_run, "Final inertia (sum of squares)", f"{kmeans_run.inertia[-1]:.4g}"),
        (run, "Final mean log-likelihood", f"{run.log_likelihood[-1]:.4f}"),
    ]
    for column, (fitted, label, value) in zip(st.columns(2, gap="medium"), finals):
        metrics = column.columns(3)
        iterations_metric(metrics[0], fitted.n_iter, fitted.converged)
        metrics[1].metric(label, value)
        score = agreement(fit_data, display, fitted.labels(fitted.n_iter))
        if score is not None:
            metrics[2].metric("Final ARI with truth", f"{score:.3f}")
    chart_notes(fit_data, limit=limit)
    if fit_data.n_features > 2:
        st.caption("k-means' regions and circles live in all the fitted columns, so they are not drawn in this plane.")
    share.update_url()


def kmeans_tab(fit):
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
    st.fragment(_comparison_animated_view)(fit, kmeans.value)


# --- Sampling: the mixture as a density --------------------------------------------------------------------------


def _draw_again():
    st.session_state["sample_seed"] += 1


def sampling_tab(fit):
    """A mixture is a density and a generative model: the fitted density under the data, and points drawn from it."""
    fit_data, display = fit.fit_data, fit.display
    st.caption(
        "A Gaussian mixture is a density: shaded below (on a log scale), darkest where the model expects most "
        "points. It is also a model of how the data could have been generated: pick a component with probability "
        "π, then draw from its Gaussian. Points drawn from the fitted model should look like the data."
    )
    final = fit.run.final
    n_samples = min(fit_data.n_points, DISPLAY_LIMIT)
    st.button("Draw again", key="draw_samples", on_click=_draw_again, icon=":material/casino:")
    samples, labels = fitting.draw_samples(
        final.weights, final.means, final.covariances, n_samples, st.session_state["sample_seed"]
    )
    data_column, samples_column = st.columns(2, gap="medium")
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
        if fit_data.n_features == 1:
            figure = figures.density_1d_figure(
                samples,
                final,
                _density_range(fit_data),
                x_title=_axis_titles(fit_data)[0],
                title=f"{n_samples:,} samples",
            )
        else:
            figure = figures.samples_figure(
                samples,
                labels,
                _plane(fit_data),
                density_params=final,
                title=f"{n_samples:,} points drawn from the fitted model",
            )
        plot(figure, MAIN_CHART_HEIGHT - 60)
    chart_notes(fit_data)
    if fit_data.n_features > 2:
        st.caption("The shading is the density of the fitted mixture's marginal on the two columns shown.")
