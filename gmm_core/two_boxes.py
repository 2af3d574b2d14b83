"""The two-boxes warm-up that opens EM: soft and hard EM for two boxes of white and black balls, every step recorded.

The story (the tutorial's): each round, someone picks one of two boxes and draws a few balls from it with
replacement, noting only how many came out white and how many black, never which box was used. Box j gives white
with probability p_j. From the rounds alone, EM estimates p1 and p2.

The model, exactly: the rounds are independent; each round's box is box 1 or box 2 with probability 1/2 each (the
mixing weights are fixed, not estimated); given its box j, a round's draws are independent with P(white) = p_j.
The likelihood of a round of w white and b black draws under box j is that of its draws in the order drawn,

    L_j = p_j^w (1 - p_j)^b,

without the binomial coefficient C(w + b, w): it is the same for both boxes, so it changes neither the
responsibilities nor the estimates, only the log-likelihood, by a constant. The log-likelihood recorded is that of
all rounds under the equal-prior mixture,

    log L(p1, p2) = sum_i log(L_i1 / 2 + L_i2 / 2),

computed in the log domain (log-sum-exp), so that long rounds whose likelihoods underflow float64 stay exact.

Soft EM is EM for this mixture: the E-step gives each round's responsibilities r_ij = L_ij / (L_i1 + L_i2), the
M-step sets p_j = (sum_i r_ij w_i) / (sum_i r_ij (w_i + b_i)), the expected white draws over the expected draws of
box j. Each iteration never lowers log L. Hard EM gives each round wholly to its more likely box (r_ij = 1 for that
box, 0 for the other; a tie goes to box 1) and then makes the same M-step; it is to soft EM what k-means is to EM
for a Gaussian mixture, and it need not raise log L.

Edge cases, decided here once:

- A box given no draws (in hard EM, no round; in soft EM, responsibilities that underflow to 0) has nothing to be
  estimated from: it keeps its p, and the run says so (``kept``, ``notes``).
- p may reach exactly 0 or 1, and is neither clipped nor refused: 0 is the maximum-likelihood value when every
  draw a box explains is black (1 when white). A round with a white draw then has likelihood 0 under that box
  (computed as exp(-inf), with 0 log 0 taken as 0), so the box keeps explaining only black draws and p stays 0: a
  fixed point of EM, and the run notes when it happens. Clipping to [eps, 1 - eps] would step away from the
  M-step's maximum and could lower the log-likelihood. The start must lie strictly between 0 and 1: a start of 0
  or 1 could make a round impossible under both boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy.special import expit, xlog1py, xlogy

from .em import check_stopping
from .errors import ParameterError
from .validation import iteration_index, read_only

METHODS = ("soft", "hard")
#: The tutorial's five rounds of five draws, as (white, black) counts, and its start (p1, p2).
TUTORIAL_ROUNDS = ((3, 2), (2, 3), (1, 4), (3, 2), (2, 3))
TUTORIAL_START = (0.1, 0.9)
_LOG_HALF = np.log(0.5)


@dataclass(frozen=True)
class TwoBoxesStep:
    """One iteration of a two-boxes run, as the tutorial's tables show it: the E-step on ``p_before`` and the
    M-step that gives ``p_after``.

    Attributes
    ----------
    iteration : int
        1..n_iter.
    p_before, p_after : ndarray of shape (2,)
        (p1, p2) before and after this iteration.
    round_likelihood : ndarray of shape (R, 2)
        L_ij = p_j^w_i (1 - p_j)^b_i under ``p_before`` (0 where it underflows; the run keeps the logarithms).
    responsibilities : ndarray of shape (R, 2)
        Each round's share given to each box (0 or 1 in hard EM); rows sum to 1.
    expected_white, expected_black : ndarray of shape (R, 2)
        r_ij w_i and r_ij b_i: the white and black draws each round gives each box; summed over rounds they
        make p_after.
    kept : ndarray of bool, shape (2,)
        The box got no draws, so this iteration kept its p.
    log_likelihood_before, log_likelihood_after : float
    """

    iteration: int
    p_before: np.ndarray
    p_after: np.ndarray
    round_likelihood: np.ndarray
    responsibilities: np.ndarray
    expected_white: np.ndarray
    expected_black: np.ndarray
    kept: np.ndarray
    log_likelihood_before: float
    log_likelihood_after: float


@dataclass(frozen=True, eq=False)
class TwoBoxesRun:
    """Every iteration of soft or hard EM on the two-boxes problem (see the module's docstring for the model).

    Row t of every per-iteration array belongs to ``p[t]``, the estimates after t iterations (row 0: the start).
    Iteration t (1..n_iter) is the E-step on ``p[t - 1]`` (row t - 1 of ``round_log_likelihood``,
    ``responsibilities``, ``expected_white``, ``expected_black``, ``kept``) and its M-step, which gives ``p[t]``.
    The last row's E-step is the one that found nothing left to change (or met ``max_iter``).

    Attributes
    ----------
    whites, blacks : ndarray of int, shape (R,)
        Each round's white and black draws.
    method : {"soft", "hard"}
    p : ndarray of shape (n_iter + 1, 2)
        (p1, p2) after each iteration.
    log_likelihood : ndarray of shape (n_iter + 1,)
        log L(p1, p2) of all rounds under the equal-prior mixture, at each row of ``p``.
    round_log_likelihood : ndarray of shape (n_iter + 1, R, 2)
        log L_ij under each row of ``p`` (-inf where a box cannot give a round: p = 0 and a white draw).
    responsibilities : ndarray of shape (n_iter + 1, R, 2)
    expected_white, expected_black : ndarray of shape (n_iter + 1, R, 2)
        r_ij w_i and r_ij b_i.
    kept : ndarray of bool, shape (n_iter + 1, 2)
        Box j got no draws in E-step t, so the M-step after it keeps its p.
    converged : bool
        The last iteration changed neither p1 nor p2 by more than ``tol``.
    tol : float
    max_iter : int
    notes : tuple of str
        What happened that the numbers alone do not say: a box kept its p, a p reached 0 or 1 (first time each).
    """

    whites: np.ndarray
    blacks: np.ndarray
    method: str
    p: np.ndarray
    log_likelihood: np.ndarray
    round_log_likelihood: np.ndarray
    responsibilities: np.ndarray
    expected_white: np.ndarray
    expected_black: np.ndarray
    kept: np.ndarray
    converged: bool
    tol: float
    max_iter: int
    notes: tuple = ()

    @property
    def n_iter(self) -> int:
        """Iterations performed (E-step then M-step): ``len(p) - 1``."""
        return self.p.shape[0] - 1

    @property
    def n_rounds(self) -> int:
        return self.whites.size

    def step(self, iteration) -> TwoBoxesStep:
        """Iteration ``iteration`` (1..n_iter; negative counts from the end, -1 the last) as the tutorial's tables.

        Raises IndexError for 0 (the start, which no step produced) or beyond ``n_iter``.
        """
        t = iteration_index(iteration, self.n_iter + 1)
        if t == 0:
            raise IndexError(f"iteration 0 is the start; the steps are 1..{self.n_iter}")
        return TwoBoxesStep(
            iteration=t,
            p_before=self.p[t - 1],
            p_after=self.p[t],
            round_likelihood=np.exp(self.round_log_likelihood[t - 1]),
            responsibilities=self.responsibilities[t - 1],
            expected_white=self.expected_white[t - 1],
            expected_black=self.expected_black[t - 1],
            kept=self.kept[t - 1],
            log_likelihood_before=float(self.log_likelihood[t - 1]),
            log_likelihood_after=float(self.log_likelihood[t]),
        )


# --- Arguments --------------------------------------------------------------------------------------------------


def check_rounds(rounds):
    """``rounds`` as two int64 arrays (whites, blacks) of shape (R,); raises ParameterError saying which round is
    wrong and why.

    Parameters
    ----------
    rounds : array-like of shape (R, 2)
        (white, black) draw counts of each round: whole numbers >= 0, at least one draw per round, R >= 1.
    """
    try:
        counts = np.asarray(rounds, dtype=np.float64)
    except (TypeError, ValueError):
        raise ParameterError(
            "rounds must be (white, black) pairs of draw counts, one pair per round, e.g. [(3, 2), (2, 3)]."
        ) from None
    if counts.ndim != 2 or counts.shape[1] != 2 or counts.shape[0] == 0:
        raise ParameterError(
            f"rounds must be (white, black) pairs of draw counts, one pair per round (shape (R, 2), R >= 1); "
            f"got shape {counts.shape}."
        )
    bad = ~np.isfinite(counts) | (counts < 0) | (counts != np.round(counts))
    if bad.any():
        i, j = np.argwhere(bad)[0]
        color = ("white", "black")[j]
        raise ParameterError(
            f"rounds: round {i + 1}'s {color} count must be a whole number >= 0; got {counts[i, j]:g}."
        )
    empty = np.flatnonzero(counts.sum(axis=1) == 0)
    if empty.size:
        raise ParameterError(
            f"rounds: round {empty[0] + 1} has no draws (0 white, 0 black); every round needs at least one draw."
        )
    if counts.max() > 2**53:
        raise ParameterError(f"rounds: a count must be at most 2^53 (exact in float64); got {counts.max():g}.")
    whole = counts.astype(np.int64)
    return whole[:, 0], whole[:, 1]


def check_probability(name, value, meaning):
    """``value`` as a float; raises ParameterError unless it is a number strictly between 0 and 1.

    ``meaning`` says what the number is, for the message (e.g. "box 1's probability of white").
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} ({meaning}) must be a number between 0 and 1; got {value!r}.") from None
    if not 0 < number < 1:
        raise ParameterError(
            f"{name} ({meaning}) must lie strictly between 0 and 1 (at 0 or 1 a round could be impossible under "
            f"both boxes); got {value!r}."
        )
    return number


# --- Text form: "3W2B, 2W3B" ----------------------------------------------------------------------------------

_COUNT = re.compile(r"(\d+)\s*([WwBb])")
_SEPARATORS = re.compile(r"[,;\n]+")


def _parse_round(item, number):
    """(white, black) of one round written "3W2B", "3W 2B", "2B3W", "5W" or as its draws "WWWBB"."""
    compact = item.replace(" ", "")
    if re.fullmatch(r"[WwBb]+", compact):
        whites = sum(letter in "Ww" for letter in compact)
        return whites, len(compact) - whites
    counts = {"w": 0, "b": 0}
    position, seen = 0, set()
    for match in _COUNT.finditer(item):
        letter = match.group(2).lower()
        if item[position : match.start()].strip() or letter in seen:
            break
        seen.add(letter)
        counts[letter] = int(match.group(1))
        position = match.end()
    if not seen or item[position:].strip():
        raise ParameterError(
            f"rounds: round {number} ({item.strip()!r}) is not a count of white and black draws; write it as "
            "3W2B (3 white, 2 black) or as the draws, WWWBB."
        )
    return counts["w"], counts["b"]


def parse_rounds(text):
    """The rounds written as text, e.g. "3W2B, 2W3B, 1W4B", as a list of (white, black) pairs.

    Rounds are separated by commas, semicolons or new lines; each is "3W2B" (any order, spaces allowed, a missing
    colour counts 0) or its draws, "WWWBB". Raises ParameterError naming the round that cannot be read; the pairs
    are checked as :func:`check_rounds` does.
    """
    items = [item for item in _SEPARATORS.split(str(text)) if item.strip()]
    if not items:
        raise ParameterError("rounds: no round given; write the rounds as 3W2B, 2W3B, ... (white and black draws).")
    rounds = [_parse_round(item, number) for number, item in enumerate(items, start=1)]
    check_rounds(rounds)
    return rounds


def format_rounds(rounds):
    """The text :func:`parse_rounds` reads back as ``rounds``: "3W2B, 2W3B"."""
    return ", ".join(f"{int(white)}W{int(black)}B" for white, black in rounds)


# --- EM ---------------------------------------------------------------------------------------------------------


def _expectation(whites, blacks, p, method):
    """log L_ij (R, 2), responsibilities (R, 2) and the log-likelihood of all rounds under (p1, p2) ``p``."""
    with np.errstate(divide="ignore"):
        log_likelihood = xlogy(whites[:, None], p[None, :]) + xlog1py(blacks[:, None], -p[None, :])
    total = np.logaddexp(log_likelihood[:, 0], log_likelihood[:, 1])  # finite: see the module's docstring
    if method == "soft":  # from the difference of the logarithms: the two shares then sum to 1 to the last digit
        difference = log_likelihood[:, 0] - log_likelihood[:, 1]
        responsibilities = np.column_stack([expit(difference), expit(-difference)])
    else:  # the more likely box takes the whole round; a tie (equal as computed) goes to box 1
        to_box_1 = log_likelihood[:, 0] >= log_likelihood[:, 1]
        responsibilities = np.column_stack([to_box_1, ~to_box_1]).astype(np.float64)
    return log_likelihood, responsibilities, float(np.sum(total + _LOG_HALF))


def _maximization(expected_white, expected_black, p):
    """(p1, p2) from each box's expected draws (R, 2); a box with none keeps its p. Returns (new p, kept)."""
    white, draws = expected_white.sum(axis=0), expected_white.sum(axis=0) + expected_black.sum(axis=0)
    kept = ~(draws > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        new_p = np.where(kept, p, white / draws)
    return new_p, kept


def _note_changes(notes, seen, iteration, p_before, p_after, kept, method):
    """Add to ``notes`` what iteration ``iteration`` did that its numbers alone do not say (each thing once)."""
    for j in range(2):
        if kept[j] and ("kept", j) not in seen:
            seen.add(("kept", j))
            why = "no round was given to it" if method == "hard" else "its responsibilities are all 0"
            notes.append(
                f"Iteration {iteration}: {why}, so box {j + 1} kept p{j + 1} = {p_before[j]:.4g} "
                "(there is nothing to estimate it from)."
            )
        for bound, colour in ((0.0, "black"), (1.0, "white")):
            if p_after[j] == bound and ("bound", j, bound) not in seen:
                seen.add(("bound", j, bound))
                notes.append(
                    f"Iteration {iteration}: p{j + 1} reached {bound:g}: every draw box {j + 1} explains is "
                    f"{colour}, so it can no longer explain a draw of the other colour and stays there."
                )


def fit_two_boxes(rounds, p1=TUTORIAL_START[0], p2=TUTORIAL_START[1], method="soft", max_iter=100, tol=1e-6):
    """EM for the two-boxes problem from the start (``p1``, ``p2``), recording every iteration.

    Parameters
    ----------
    rounds : array-like of shape (R, 2)
        (white, black) draw counts of each round (whole numbers >= 0, at least one draw each).
    p1, p2 : float in (0, 1)
        The start: each box's probability of giving a white ball.
    method : {"soft", "hard"}
        Soft EM shares each round between the boxes by its responsibilities; hard EM gives it to its more likely
        box (ties to box 1).
    max_iter : int >= 0
        At most this many iterations; 0 records only the start.
    tol : float >= 0
        Stop once an iteration changes neither p1 nor p2 by more than ``tol``. With 0, only at an exact fixed
        point (hard EM reaches one as soon as no round changes box).

    Returns
    -------
    TwoBoxesRun

    Raises
    ------
    ParameterError
        For invalid arguments, naming the argument and what it must be.
    """
    whites, blacks = check_rounds(rounds)
    start = np.array(
        [
            check_probability("p1", p1, "the start's probability of white in box 1"),
            check_probability("p2", p2, "the start's probability of white in box 2"),
        ]
    )
    if method not in METHODS:
        raise ParameterError(f"method must be one of {METHODS}; got {method!r}.")
    check_stopping(max_iter, tol)

    p_rows, log_likelihoods, logs, shares, kept_rows = [start], [], [], [], []
    notes, seen, converged = [], set(), False
    for iteration in range(max_iter + 1):
        log_round, responsibilities, log_likelihood = _expectation(whites, blacks, p_rows[-1], method)
        logs.append(log_round)
        shares.append(responsibilities)
        log_likelihoods.append(log_likelihood)
        new_p, kept = _maximization(responsibilities * whites[:, None], responsibilities * blacks[:, None], p_rows[-1])
        kept_rows.append(kept)
        if iteration > 0 and np.max(np.abs(p_rows[-1] - p_rows[-2])) <= tol:
            converged = True
            break
        if iteration == max_iter:
            break
        _note_changes(notes, seen, iteration + 1, p_rows[-1], new_p, kept, method)
        p_rows.append(new_p)

    shares = np.array(shares)
    return TwoBoxesRun(
        whites=read_only(whites),
        blacks=read_only(blacks),
        method=method,
        p=read_only(np.array(p_rows)),
        log_likelihood=read_only(np.array(log_likelihoods)),
        round_log_likelihood=read_only(np.array(logs)),
        responsibilities=read_only(shares),
        expected_white=read_only(shares * whites[None, :, None]),
        expected_black=read_only(shares * blacks[None, :, None]),
        kept=read_only(np.array(kept_rows)),
        converged=converged,
        tol=float(tol),
        max_iter=int(max_iter),
        notes=tuple(notes),
    )
