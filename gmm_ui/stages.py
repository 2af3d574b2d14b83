"""What the animated charts show at each position of their sliders: EM's stages and half steps, the frames of the EM
chart, and the panels' stages of the side-by-side charts. Pure: no Streamlit, so it is tested without a page.

Half-step numbering, here only: position 0 is the start, 2i - 1 is iteration i after its E-step and 2i the same
iteration after its M-step; a link names them "0", "iE" and "iM".
"""

from __future__ import annotations

from dataclasses import dataclass

from gmm_core import KMeansRun, responsibilities

from . import figures
from .data import COMPARISON_DISPLAY_LIMIT, display_indices

#: The EM chart holds at most about this many frames: longer runs show every few iterations (see em_frames).
MAX_FRAMES = 250
#: Bytes of curves all the frames of a 1-D EM chart may carry: with many components, fewer frames.
MAX_FRAME_BYTES_1D = 3_000_000
#: About how many bytes of the 2-D EM chart's JSON each component takes in each frame (measured: 126 frames of
#: K = 200 made a 48.5 MB chart), and how many all its frames may take: 250 frames of K = 200 made a 96.5 MB chart,
#: which the server held several copies of while sending it (1.2 GB at the peak).
FRAME_BYTES_2D_PER_COMPONENT = 2_000
MAX_FRAME_BYTES_2D = 16_000_000
#: Bytes of frames a side-by-side chart may carry: every panel's point colours and outlines at every position.
MAX_COMPARISON_FRAME_BYTES = 3_000_000
E_STEP, M_STEP = "E", "M"
#: A change of the mean log-likelihood smaller than this in magnitude is rounding and is written as 0: EM's last
#: steps move it by ~1e-15 either way, and "-4e-15" reads as a decrease.
ZERO_CHANGE = 1e-12
#: A decrease larger than this fraction of the log-likelihood is real (EM never lowers it): it is flagged.
REAL_DECREASE = 1e-10


# --- Half steps -------------------------------------------------------------------------------------------------


def half_step_position(iteration, stage=M_STEP):
    """Position on the half-step slider of ``iteration`` after its E-step (``stage`` "E") or M-step ("M" or "")."""
    return 2 * iteration - 1 if stage == E_STEP else 2 * iteration


def half_step_parts(position):
    """(iteration, stage) of half-step ``position``: stage "E" or "M", and "" for the start (position 0)."""
    if position == 0:
        return 0, ""
    iteration, after_m_step = divmod(position + 1, 2)
    return iteration, M_STEP if after_m_step else E_STEP


def half_step_snapshot(position):
    """The recorded iteration whose ellipses half-step ``position`` shows (an E-step has not moved them yet)."""
    return position // 2


def last_position(n_iter, half_steps):
    """The last position of a run of ``n_iter`` iterations on the EM slider: twice as many with half steps."""
    return half_step_position(n_iter) if half_steps else n_iter


def half_step_label(position):
    """How the half-step slider names a position: "start", "3 · E-step", "3 · M-step"."""
    if position == 0:
        return "start"
    iteration, stage = half_step_parts(position)
    return f"{iteration} · {stage}-step"


def position_text(position, n_iter, half_steps):
    """Where a chart is, for its toolbar: "Iteration 3 of 40", "Iteration 3 of 40 · E-step", "Start"."""
    if not half_steps:
        return f"Iteration {position:,} of {n_iter:,}"
    if position == 0:
        return f"Start (0 of {n_iter:,})"
    iteration, stage = half_step_parts(position)
    return f"Iteration {iteration:,} of {n_iter:,} · {stage}-step"


def half_step_token(position):
    """The link's text of a half-step position: "3E", "3M", or "0" for the start."""
    iteration, stage = half_step_parts(position)
    return f"{iteration}{stage}"


# --- The EM chart -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """What the EM chart shows at one position of its scrubber.

    Attributes
    ----------
    snapshot : int
        The recorded iteration whose ellipses (and parameters, log-likelihood) are shown.
    colors_from : int or None
        The iteration whose responsibilities color the points; None before the first E-step.
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
    the ellipses (snapshot i). Without half steps, position i is snapshot i colored by its responsibilities (the
    next E-step). See the module's docstring for the half-step positions.
    """
    if not half_steps:
        note = (
            "The start: each point's colour mixes the components by its responsibilities under these ellipses."
            if position == 0
            else ""
        )
        return Stage(position, position, None, f"Iteration {position} of {n_iter}", note)
    iteration, stage = half_step_parts(position)
    if position == 0:
        return Stage(
            0,
            None,
            None,
            f"Start (iteration 0 of {n_iter})",
            "No E-step has run yet: no point is shared among the components (grey).",
        )
    if stage == E_STEP:
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


_FLAT_START_NOTE = (
    "The start: each coloured curve is a component's weight times its density; the black one is their sum."
)


def max_frames_2d(n_components):
    """How many frames a 2-D EM chart of ``n_components`` components holds at most (25 to MAX_FRAMES)."""
    return max(25, min(MAX_FRAMES, MAX_FRAME_BYTES_2D // (FRAME_BYTES_2D_PER_COMPONENT * max(n_components, 1))))


def max_frames_1d(n_components):
    """How many frames a 1-D EM chart of ``n_components`` components holds at most (25 to MAX_FRAMES)."""
    return max(25, min(MAX_FRAMES, MAX_FRAME_BYTES_1D // figures.frame_bytes_1d(n_components)))


def _em_positions(n_iter, half_steps, opening, keep, max_frames):
    """(iterations, positions) of the EM chart's frames: whole iterations, or both half steps of each."""
    if not half_steps:
        iterations = figures.strided_iterations(n_iter, max_frames, keep=(opening, *keep))
        return iterations, iterations
    wanted = {half_step_parts(position)[0] for position in (opening, *keep)}
    iterations = figures.strided_iterations(n_iter, max_frames // 2, keep=wanted)
    positions = [0] + [half_step_position(i, stage) for i in iterations[1:] for stage in (E_STEP, M_STEP)]
    return iterations, positions


def log_likelihood_change(previous, current):
    """How a step's change of the mean log-likelihood, ``previous`` to ``current``, is written: "+0.012"; "0" when
    it is below ZERO_CHANGE in magnitude (rounding); a decrease beyond REAL_DECREASE of the log-likelihood's
    magnitude with the warning "decreased: this should not happen in EM". The one place such changes are written.
    """
    change = current - previous
    if abs(change) < ZERO_CHANGE:
        return "0"
    text = f"{change:+.2g}"
    if change < -REAL_DECREASE * max(abs(previous), abs(current)):
        text += ", decreased: this should not happen in EM"
    return text


def _em_headline(run, stage, position, half_steps):
    """The status line of the frame at ``position``: its stage, log-likelihood and change, and how the run ended."""
    i, log_likelihood = stage.snapshot, run.log_likelihood
    headline = f"{stage.title} · log-likelihood {log_likelihood[i]:.4f}"
    if i > 0:
        headline += f" ({log_likelihood_change(log_likelihood[i - 1], log_likelihood[i])})"
    if position == last_position(run.n_iter, half_steps):
        headline += " · converged" if run.converged else " · stopped (iteration limit)"
    return headline


def em_frames(run, points, half_steps, opening, keep=(), max_frames=MAX_FRAMES):
    """The frames of the EM animation and a note on the chart when some iterations are left out.

    Parameters
    ----------
    run : EMRun
    points : ndarray of shape (N, D), or None
        The points drawn, colored by their responsibilities; None for a chart without points (1-D).
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
    if points is not None:  # memory: many components, fewer frames
        max_frames = min(max_frames, max_frames_2d(run.weights.shape[1]))
    iterations, positions = _em_positions(n_iter, half_steps, opening, keep, max_frames)
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

    frames = []
    for position in positions:
        stage = em_stage(position, half_steps, n_iter)
        frames.append(
            figures.EMFrame(
                name=str(position),
                label=half_step_label(position) if half_steps else str(position),
                params=run.snapshot(stage.snapshot),
                responsibilities=None if stage.colors_from is None or points is None else shared(stage.colors_from),
                previous=None if stage.moved_from is None else run.snapshot(stage.moved_from),
                iteration=stage.snapshot,
                headline=_em_headline(run, stage, position, half_steps),
                note=_FLAT_START_NOTE if points is None and position == 0 else stage.note,
            )
        )
    return frames, note


# --- Fits side by side ------------------------------------------------------------------------------------------


def comparison_sample(fit_data, n_panels):
    """(limit, indices) of the points each of ``n_panels`` panels draws (data.COMPARISON_DISPLAY_LIMIT together);
    indices None for 1-D data, whose panels draw the histogram of every point."""
    limit = COMPARISON_DISPLAY_LIMIT // n_panels
    return limit, None if fit_data.n_features == 1 else display_indices(fit_data.n_points, limit)


def comparison_positions(fit, last, kept, n_panels, n_points):
    """The iterations a side-by-side chart's slider holds (``kept`` among them), and a note when some are left out.

    Every position carries each panel's ``n_points`` point colors and outlines (2-D), or its curves (1-D)."""
    n_components = fit.start_params.n_components
    if fit.fit_data.n_features == 1:
        per_panel = figures.frame_bytes_1d(n_components)
    else:  # ellipses at each drawn deviation, or k-means' circles and cells
        per_panel = n_points + n_components * max(len(fit.display.n_stds), 2) * figures.FRAME_ELLIPSE_POINTS * 8
    per_position = n_panels * per_panel * 4 // 3  # base64
    max_frames = max(25, min(MAX_FRAMES, MAX_COMPARISON_FRAME_BYTES // per_position))
    positions = figures.strided_iterations(last, max_frames, keep=kept)
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
        return figures.PanelStage(
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
        return figures.PanelStage(
            f"k-means · iteration {shown}{ending} · inertia {kmeans_run.inertia[shown]:.4g}",
            centers=kmeans_run.centers[shown],
            radii=kmeans_run.radii(shown) if in_the_plane else None,
            labels=None if sample is None else kmeans_run.labels(shown)[sample],
        )

    return _stages(kmeans_run, positions, stage_at)


def panel_stages(fits, positions, sample, points):
    """Each compared fit's stages at ``positions``: ``fits`` are (name, run) pairs, a KMeansRun drawn as a k-means
    panel, an EMRun as a mixture panel named ``name``; ``sample``: the indices of the ``points`` drawn (both None:
    none drawn)."""
    return [
        kmeans_stages(run, positions, sample)
        if isinstance(run, KMeansRun)
        else mixture_stages(name, run, positions, points)
        for name, run in fits
    ]


# --- Iterations side by side (the lab's small multiples) ------------------------------------------------------

#: Panels of the iterations grid: six by default (the lab's figure), at most twelve.
GRID_PANELS, MAX_GRID_PANELS = 6, 12


def clip_iterations(iterations, n_iter):
    """``iterations`` within a run of ``n_iter`` iterations: each beyond the end becomes the last, sorted, once
    each."""
    return sorted({min(max(int(i), 0), n_iter) for i in iterations})


def default_grid_iterations(n_iter, highlights=()):
    """The iterations the grid shows first: a scenario's own (S2: the lab's 0, 1, 5, 10, 25, 40) within the run,
    else GRID_PANELS spread evenly from the start to the last iteration (fewer when the run is shorter)."""
    if highlights:
        return clip_iterations(highlights[:MAX_GRID_PANELS], n_iter)
    spread = [round(n_iter * panel / (GRID_PANELS - 1)) for panel in range(GRID_PANELS)]
    return clip_iterations(spread, n_iter)


def iterations_text(iterations):
    """How the grid's iterations are typed: "0, 1, 5, 10"."""
    return ", ".join(str(i) for i in iterations)


def parse_iterations(text, n_iter):
    """The iterations typed in ``text`` (whole numbers separated by commas or spaces), sorted, each once.

    Returns
    -------
    iterations : list of int, or None when the text is refused
    message : str or None
        What is wrong with the text and how to fix it (None when it is accepted).
    """
    tokens = [token for token in str(text).replace(",", " ").replace(";", " ").split() if token]
    if not tokens:
        return None, f"Type at least one iteration between 0 and {n_iter}, e.g. {iterations_text([0, 1, n_iter])}."
    iterations = []
    for token in tokens:
        if not token.isdecimal():
            return None, (
                f"“{token}” is not an iteration: type whole numbers from 0 to {n_iter}, separated by commas "
                f"(e.g. {iterations_text(default_grid_iterations(n_iter))})."
            )
        iterations.append(int(token))
    if (beyond := max(iterations)) > n_iter:
        return None, f"Iteration {beyond} is beyond the run, which ends at iteration {n_iter}: type {n_iter} or less."
    chosen = clip_iterations(iterations, n_iter)
    if len(chosen) > MAX_GRID_PANELS:
        return None, f"{len(chosen)} iterations is too many panels: type at most {MAX_GRID_PANELS}."
    return chosen, None
