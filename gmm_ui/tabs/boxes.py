"""The two-boxes tab: EM worked by hand on two boxes of white and black balls, soft and hard, one iteration at a time.

Independent of the data set loaded: its rounds and start are its own inputs (gmm_core.two_boxes does the maths).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from gmm_core import ParameterError, fit_two_boxes, parse_rounds
from gmm_core.two_boxes import TUTORIAL_ROUNDS, TUTORIAL_START

from .. import figures
from .. import state as keys
from ..tables import html_table
from ..text import plain
from .common import PANEL_HEIGHT, chart_columns, plot, presented

#: More rounds than this make the tables too long to read beside each other.
MAX_ROUNDS = 40
MAX_ITER = 1000
TOL = 1e-6
METHOD_LABELS = {"soft": "Soft EM", "hard": "Hard EM", "both": "Both"}
_DIGITS = 3


def _story():
    st.caption(
        "Two boxes hold white and black balls: box 1 gives white with probability p1, box 2 with p2. In each "
        "round one box is picked (each with probability ½) and a few balls are drawn from it with replacement; "
        "the colours are noted, the box is not. EM guesses p1 and p2, then repeats two steps: how likely is each "
        "round under each box (E-step), and what p1 and p2 best explain the draws each box was given (M-step)."
    )
    st.caption(
        "**Hard EM is to soft EM what k-means is to the GMM.** Hard EM gives each round wholly to its more likely "
        "box, as k-means gives each point to its nearest centroid; soft EM shares each round between the boxes "
        "by its responsibilities, as EM for a Gaussian mixture shares each point among its components. Hard EM "
        "stops as soon as no round changes box, often early and away from the best fit."
    )


def _inputs():
    """Draw the inputs; returns (rounds text, p1, p2, method) as they stand."""
    columns = st.columns([3, 1, 1, 2.2], vertical_alignment="bottom")
    columns[0].text_input(
        "Rounds (white and black draws)",
        key=keys.BOXES_ROUNDS,
        persist_state="page",
        help="One round per item, separated by commas: 3W2B is 3 white and 2 black draws (or write the draws, WWWBB).",
    )
    for column, key, box in ((columns[1], keys.BOXES_P1, 1), (columns[2], keys.BOXES_P2, 2)):
        column.number_input(
            f"Start p{box}",
            min_value=0.0,
            max_value=1.0,
            step=0.05,
            format="%.3f",
            key=key,
            persist_state="page",
            help=f"Box {box}'s probability of giving white, where EM starts (strictly between 0 and 1).",
        )
    keys.keep_choice(st.session_state, keys.BOXES_METHOD, list(METHOD_LABELS))
    columns[3].segmented_control(
        "Method",
        list(METHOD_LABELS),
        help="Soft EM, hard EM, or both side by side.",
        format_func=METHOD_LABELS.get,
        key=keys.BOXES_METHOD,
        required=True,
        persist_state="page",
    )
    state = st.session_state
    return state[keys.BOXES_ROUNDS], state[keys.BOXES_P1], state[keys.BOXES_P2], state[keys.BOXES_METHOD]


def _runs(text, p1, p2):
    """Soft and hard EM on the inputs, or (when they are invalid) on the last valid ones, with the reason."""
    state = st.session_state
    try:
        rounds = parse_rounds(text)
        if len(rounds) > MAX_ROUNDS:
            raise ParameterError(f"rounds: {len(rounds)} rounds are more than the {MAX_ROUNDS} this view shows.")
        runs = {method: fit_two_boxes(rounds, p1, p2, method, MAX_ITER, TOL) for method in ("soft", "hard")}
    except ParameterError as error:
        rounds, p1, p2 = state.get(keys.BOXES_VALID) or (TUTORIAL_ROUNDS, *TUTORIAL_START)
        runs = {method: fit_two_boxes(rounds, p1, p2, method, MAX_ITER, TOL) for method in ("soft", "hard")}
        return runs, str(error)
    state[keys.BOXES_VALID] = (tuple(rounds), float(p1), float(p2))
    return runs, None


def _iteration(last):
    """The iteration shown (1..``last``), from the view's one control."""
    keys.clamp(st.session_state, keys.BOXES_ITERATION, 1, max(last, 1))
    if last > 1:
        st.slider(
            "Iteration",
            1,
            last,
            step=1,
            key=keys.BOXES_ITERATION,
            persist_state="page",
            help="Every table and both charts show this iteration: its E-step and the M-step it leads to.",
        )
    else:
        st.caption("Both methods stop after one iteration from this start.")
    return int(st.session_state[keys.BOXES_ITERATION])


def _likelihood_text(value):
    """A likelihood as the tutorial prints it, or in scientific notation once it is too small for 5 decimals."""
    return f"{value:.5f}" if value == 0 or value >= 1e-4 else f"{value:.3e}"


def _step_tables(run, step):
    """The tutorial's three tables of one iteration: likelihoods, responsibilities, expected draws per box."""
    index = pd.RangeIndex(1, run.n_rounds + 1, name="round")
    draws = [f"{w}W {b}B" for w, b in zip(run.whites, run.blacks)]
    p1, p2 = step.p_before
    likelihood = pd.DataFrame(
        {
            "draws": draws,
            f"box 1 (p1 = {p1:.3f})": [_likelihood_text(v) for v in step.round_likelihood[:, 0]],
            f"box 2 (p2 = {p2:.3f})": [_likelihood_text(v) for v in step.round_likelihood[:, 1]],
        },
        index=index,
    )
    shares = pd.DataFrame({"box 1": step.responsibilities[:, 0], "box 2": step.responsibilities[:, 1]}, index=index)
    counts = pd.DataFrame(
        {
            "box 1 white": step.expected_white[:, 0],
            "box 1 black": step.expected_black[:, 0],
            "box 2 white": step.expected_white[:, 1],
            "box 2 black": step.expected_black[:, 1],
        },
        index=index,
    )
    counts.loc["total"] = counts.sum(axis=0)
    counts.index.name = "round"
    return likelihood, shares, counts


def _m_step_text(step):
    """How the M-step's p1, p2 follow from the totals, with the numbers."""
    parts = []
    for j in range(2):
        white, black = step.expected_white[:, j].sum(), step.expected_black[:, j].sum()
        if step.kept[j]:
            parts.append(f"box {j + 1} was given no draws and keeps p{j + 1} = {step.p_after[j]:.3f}")
        else:
            parts.append(f"p{j + 1} = {white:.3f} / ({white:.3f} + {black:.3f}) = {step.p_after[j]:.3f}")
    return "M-step: " + "; ".join(parts) + "."


def _change(value, digits):
    """A metric's change as shown, and whether to draw its arrow (not for a change that shows as 0)."""
    text = f"{value:+.{digits}f}"
    return text, "auto" if abs(value) >= 0.5 * 10**-digits else "off"


def _metrics(step):
    columns = st.columns(3)
    for column, j in zip(columns, range(2)):
        change, arrow = _change(step.p_after[j] - step.p_before[j], _DIGITS)
        column.metric(f"p{j + 1}", f"{step.p_after[j]:.3f}", change, delta_color="off", delta_arrow=arrow)
    change, arrow = _change(step.log_likelihood_after - step.log_likelihood_before, 4)
    columns[2].metric(
        "Log-likelihood",
        f"{step.log_likelihood_after:.4f}",
        change,
        delta_arrow=arrow,
        help="Of all the rounds under the mixture of the two boxes, each picked with probability ½.",
    )


def _method_panel(run, iteration):
    """One method's iteration: its headline, p1, p2 and the log-likelihood, and the tutorial's tables."""
    name = METHOD_LABELS[run.method]
    shown = min(iteration, run.n_iter)
    ending = "converged" if run.converged else "not converged"
    st.markdown(f"**{name} · iteration {shown} of {run.n_iter}** ({ending})")
    if iteration > run.n_iter:
        st.caption(f"{name} stopped at iteration {run.n_iter}: nothing changes after it, so it is shown there.")
    step = run.step(shown)
    _metrics(step)
    likelihood, shares, counts = _step_tables(run, step)
    st.markdown("E-step: each round's likelihood under each box, $p^w (1 - p)^b$ for w white and b black draws")
    st.html(html_table(likelihood, f"boxes_{run.method}_likelihood", 5))
    rule = "the more likely box takes the whole round (a tie goes to box 1)" if run.method == "hard" else None
    st.markdown(f"Responsibilities: {rule or 'each round shared in proportion to its likelihoods'}")
    st.html(html_table(shares, f"boxes_{run.method}_responsibilities", _DIGITS))
    st.markdown("Expected draws per box: each round's draws times its responsibility")
    st.html(html_table(counts, f"boxes_{run.method}_counts", _DIGITS))
    st.caption(_m_step_text(step))
    for note in run.notes:
        st.caption(plain(note))


def _view(display):
    _story()
    text, p1, p2, method = _inputs()
    runs, problem = _runs(text, p1, p2)
    if problem is not None:
        st.error(f"{plain(problem)} Showing the last valid rounds and start until this is fixed.")
    shown = list(runs.values()) if method == "both" else [runs[method]]
    iteration = _iteration(max(run.n_iter for run in shown))
    trajectory, log_likelihood = chart_columns(2)
    with trajectory:
        plot(presented(figures.boxes_trajectory_figure(list(runs.values()), iteration), display), PANEL_HEIGHT)
    with log_likelihood:
        plot(presented(figures.boxes_log_likelihood_figure(list(runs.values()), iteration), display), PANEL_HEIGHT)
    st.caption(
        "Soft EM never lowers the log-likelihood. Hard EM raises a different one, that of the rounds with each "
        "round's box fixed, as k-means lowers its sum of squares; the mixture's log-likelihood can fall under it."
    )
    for column, run in zip(st.columns(len(shown), gap="large"), shown):
        with column:
            _method_panel(run, iteration)


def render(fit):
    """EM by hand on the two boxes (``fit``, the loaded data set's, is not used but for its display options: the view
    has its own data)."""
    st.fragment(_view)(fit.display)
