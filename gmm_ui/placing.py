"""Starts placed by clicking on a chart: a click's data coordinates, the component it places or moves, and an undo
history. Pure: no Streamlit (the page's side is ``gmm_ui.touch``).

A chart in place mode reports a click anywhere on its plane as a selected point of its click catcher (see
``gmm_ui.figures.catcher``); :func:`placed_start` turns that selection into the next start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gmm_core import GaussianMixtureParams

#: A click within this distance of a placed mean moves that mean, measured in shares of each axis' range (so it
#: is the same on screen whatever the data's units).
MOVE_RADIUS = 0.04
#: The default spread of a placed component: the data's standard deviation in each column divided by this times K
#: (K components share the data's spread between them).
SPREAD_SHARE = 1.0


@dataclass(frozen=True)
class Click:
    """A click on a chart in place mode: which plane (``panel``, 0 for the first) and where, in data units."""

    panel: int
    x: float
    y: float


@dataclass(frozen=True)
class Progress:
    """How far placing has gone: the first ``n_placed`` components are placed, the next click places
    ``next_component`` (0-based; 0 again after the K-th)."""

    n_placed: int = 0
    next_component: int = 0


@dataclass(frozen=True)
class Placed:
    """A start after one click: the mixture, the component placed or moved (0-based), whether it was moved, and the
    progress after it."""

    params: GaussianMixtureParams
    component: int
    moved: bool
    progress: Progress


def clicked_point(selection):
    """The :class:`Click` of a chart's selection event (``st.plotly_chart``'s selection state), or None.

    Only points of a click catcher count (they carry their panel's number as ``customdata``); a box or a lasso is
    no click, and neither is an empty selection (a second click on the same spot clears Plotly's selection).
    """
    selection = (selection or {}).get("selection") or {}
    if selection.get("box") or selection.get("lasso"):
        return None
    points = [point for point in selection.get("points") or () if isinstance(point.get("customdata"), int)]
    if not points:
        return None
    point = points[-1]
    try:
        x, y = float(point["x"]), float(point["y"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (np.isfinite(x) and np.isfinite(y)):
        return None
    return Click(int(point["customdata"]), x, y)


def default_covariance(X, n_components):
    """A placed component's covariance: diagonal, each column's variance shared among the K components.

    Parameters
    ----------
    X : ndarray of shape (N, D)
    n_components : int

    Returns
    -------
    ndarray of shape (D, D)
        Positive definite even for constant columns (their variance is replaced by the largest column's, or 1).
    """
    variances = np.var(np.asarray(X, dtype=np.float64), axis=0)
    fallback = float(variances.max(initial=0.0)) or 1.0
    variances = np.where(variances > 0, variances, fallback)
    return np.diag(variances / (SPREAD_SHARE * n_components) ** 2)


def place(params, point, pair, spans, progress, covariance, radius=MOVE_RADIUS):
    """The start after a click at ``point``: the placed mean nearest to it moves there if within ``radius``, else
    the next component's mean goes there with ``covariance``; every weight becomes 1/K.

    Parameters
    ----------
    params : GaussianMixtureParams
        The start before the click (K components, D features).
    point : (float, float)
        The click, in the units of the columns ``pair``.
    pair : (int, int)
        The columns drawn on the chart's x and y axes; the other columns of a mean keep their values.
    spans : (float, float)
        The axes' ranges (their lengths): distances are measured in shares of them.
    progress : Progress
    covariance : ndarray of shape (D, D)
        The covariance of a component placed anew (a moved one keeps its own).
    radius : float
        In shares of the axes' ranges.

    Returns
    -------
    Placed
    """
    n_components = params.n_components
    means = np.array(params.means, dtype=np.float64)
    covariances = np.array(params.covariances, dtype=np.float64)
    columns = list(pair)
    placed = means[: progress.n_placed][:, columns]
    point = np.asarray(point, dtype=np.float64)
    distances = np.hypot(*((placed - point) / np.asarray(spans, dtype=np.float64)).T) if len(placed) else []
    if len(placed) and float(np.min(distances)) <= radius:
        component, moved, after = int(np.argmin(distances)), True, progress
    else:
        component, moved = progress.next_component % n_components, False
        covariances[component] = covariance
        after = Progress(min(progress.n_placed + 1, n_components), (component + 1) % n_components)
    means[component, columns] = point
    weights = np.full(n_components, 1.0 / n_components)
    return Placed(GaussianMixtureParams(weights, means, covariances), component, moved, after)


def placed_start(selection, params, pair, spans, progress, covariance, panel=0, radius=MOVE_RADIUS):
    """The :class:`Placed` start a chart's ``selection`` event gives, or None when it is no click on ``panel``.

    ``params``, ``pair``, ``spans``, ``progress``, ``covariance`` and ``radius`` as for :func:`place`.
    """
    click = clicked_point(selection)
    if click is None or click.panel != panel:
        return None
    return place(params, (click.x, click.y), pair, spans, progress, covariance, radius)


# --- Undo -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What one click replaced: the start of ``target`` before it (its table), and the progress before it."""

    target: str
    before: object
    progress: Progress


def push(history, step, limit=200):
    """``history`` (a tuple of :class:`Step`, oldest first) with ``step`` added, keeping the last ``limit``."""
    return (*history, step)[-limit:]


def undo(history):
    """(the step to restore, the history without it), or (None, history) when there is nothing to undo."""
    if not history:
        return None, history
    return history[-1], history[:-1]


def clear(history, target):
    """(the earliest step of ``target``: its start before its first click, the history without ``target``'s steps),
    or (None, history) when ``target`` has no step."""
    own = [step for step in history if step.target == target]
    if not own:
        return None, history
    return own[0], tuple(step for step in history if step.target != target)
