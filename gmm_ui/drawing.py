"""A data set drawn by hand: clouds of points added by clicks, erased by a box or a lasso, kept as a CSV that reads
back exactly. Pure: no Streamlit (the page's side is ``gmm_ui.touch``).

Each cloud is a class, so the truth is known. Coordinates are rounded to :data:`DECIMALS` decimals when a cloud is
drawn: a CSV or a link then holds every point exactly, in few characters.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

import numpy as np

#: Decimals kept of each drawn coordinate.
DECIMALS = 2
#: The canvas' extent before anything is drawn (and at least, after).
CANVAS_RANGE = (-10.0, 10.0)
FEATURE_NAMES = ("x", "y")
LABEL_COLUMN = "cloud"
#: Clouds' sizes and spreads the controls allow.
COUNT_LIMITS = (1, 500)
SPREAD_LIMITS = (0.05, 5.0)


@dataclass(frozen=True, eq=False)
class Drawn:
    """The points drawn so far and each one's cloud.

    Attributes
    ----------
    points : ndarray of shape (N, 2)
    clouds : ndarray of shape (N,)
        Each point's cloud, numbered from 0 in the order the clouds were drawn (a cloud erased entirely leaves its
        number unused).
    """

    points: np.ndarray
    clouds: np.ndarray

    @property
    def n_points(self) -> int:
        return self.points.shape[0]

    @property
    def n_clouds(self) -> int:
        """Clouds with at least one point left."""
        return np.unique(self.clouds).size

    def identity(self):
        """Changes exactly when the points or their clouds change."""
        digest = hashlib.sha1(np.ascontiguousarray(self.points).tobytes())
        digest.update(np.ascontiguousarray(self.clouds).tobytes())
        return f"drawn:{self.n_points}:{digest.hexdigest()[:16]}"


EMPTY = Drawn(np.empty((0, 2)), np.empty(0, dtype=np.int64))


def add_cloud(drawn, center, count, spread, seed):
    """``drawn`` with a cloud of ``count`` points around ``center`` (round, standard deviation ``spread``) added.

    The cloud's number is one more than the largest so far; ``seed`` makes it reproducible.
    """
    rng = np.random.default_rng(seed)
    cloud = np.round(rng.normal(np.asarray(center, dtype=np.float64), float(spread), (int(count), 2)), DECIMALS)
    number = int(drawn.clouds.max(initial=-1)) + 1
    return Drawn(np.vstack([drawn.points, cloud]), np.concatenate([drawn.clouds, np.full(int(count), number)]))


def inside_box(points, x, y):
    """Which ``points`` (N, 2) lie in the box of corners x[0..1], y[0..1] (in any order)."""
    (x0, x1), (y0, y1) = sorted(x[:2]), sorted(y[:2])
    return (points[:, 0] >= x0) & (points[:, 0] <= x1) & (points[:, 1] >= y0) & (points[:, 1] <= y1)


def inside_polygon(points, x, y):
    """Which ``points`` (N, 2) lie inside the closed polygon of vertices (x[i], y[i]) (even-odd rule)."""
    vx, vy = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    px, py = points[:, :1], points[:, 1:2]
    ax, ay, bx, by = vx, vy, np.roll(vx, -1), np.roll(vy, -1)
    crosses = (ay > py) != (by > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        at = ax + (py - ay) * (bx - ax) / (by - ay)
    return np.count_nonzero(crosses & (px < at), axis=1) % 2 == 1


def erased(drawn, selection):
    """``drawn`` without the points inside the boxes and lassos of a chart's ``selection`` event, or None when the
    selection holds no box or lasso."""
    selection = (selection or {}).get("selection") or {}
    regions = [(inside_box, region) for region in selection.get("box") or ()]
    regions += [(inside_polygon, region) for region in selection.get("lasso") or ()]
    regions = [(test, region) for test, region in regions if len(region.get("x") or ()) >= 2]
    if not regions:
        return None
    hit = np.zeros(drawn.n_points, dtype=bool)
    for test, region in regions:
        hit |= test(drawn.points, region["x"], region["y"])
    return Drawn(drawn.points[~hit], drawn.clouds[~hit])


def canvas_ranges(drawn, margin=0.1):
    """The canvas' x and y ranges: :data:`CANVAS_RANGE`, widened to hold every point with ``margin`` to spare."""
    low, high = CANVAS_RANGE
    ranges = []
    for column in drawn.points.T:
        if column.size:
            span = max(column.max(), high) - min(column.min(), low)
            ranges.append((min(low, column.min() - margin * span), max(high, column.max() + margin * span)))
        else:
            ranges.append((low, high))
    return tuple(ranges) if ranges else ((low, high), (low, high))


def class_labels(drawn):
    """(labels 0..C-1, one per point, and the clouds' names) with the clouds left renumbered in order."""
    numbers, labels = np.unique(drawn.clouds, return_inverse=True)
    return labels, tuple(f"cloud {int(number) + 1}" for number in numbers)


# --- CSV --------------------------------------------------------------------------------------------------------


def to_csv(drawn):
    """The drawn points as CSV text: columns x, y and cloud (its name), every coordinate as drawn."""
    labels, names = class_labels(drawn)
    out = io.StringIO()
    out.write(",".join((*FEATURE_NAMES, LABEL_COLUMN)) + "\n")
    for (x, y), label in zip(drawn.points, labels):
        out.write(f"{float(x)!r},{float(y)!r},{names[label]}\n")
    return out.getvalue()


# --- Link text ---------------------------------------------------------------------------------------------------

#: A drawn set goes into a link only up to this many points (about 15 characters each).
MAX_LINKED_POINTS = 200
POINT_SEPARATOR, VALUE_SEPARATOR = "~", "_"


def to_text(drawn):
    """The points as link text (``x_y_cloud`` joined by ``~``, every coordinate exact), or None when there are more
    than :data:`MAX_LINKED_POINTS`."""
    if drawn.n_points > MAX_LINKED_POINTS:
        return None
    return POINT_SEPARATOR.join(
        f"{float(x)!r}{VALUE_SEPARATOR}{float(y)!r}{VALUE_SEPARATOR}{int(cloud) + 1}"
        for (x, y), cloud in zip(drawn.points, drawn.clouds)
    )


def from_text(text):
    """The :class:`Drawn` of link text made by :func:`to_text`.

    Raises
    ------
    ValueError
        Saying what was expected, when the text is not such a list of points.
    """
    rows = [row.split(VALUE_SEPARATOR) for row in text.split(POINT_SEPARATOR)] if text else []
    if len(rows) > MAX_LINKED_POINTS or any(len(row) != 3 for row in rows):
        raise ValueError(f"expected up to {MAX_LINKED_POINTS} points written x_y_cloud, separated by ~")
    try:
        points = np.array([[float(x), float(y)] for x, y, _ in rows], dtype=np.float64).reshape(-1, 2)
        clouds = np.array([int(cloud) - 1 for _, _, cloud in rows], dtype=np.int64)
    except ValueError:
        raise ValueError("expected numbers: x_y_cloud, the cloud a whole number from 1") from None
    if not np.isfinite(points).all() or (clouds < 0).any() or (np.abs(points) > 1e6).any():
        raise ValueError("expected finite coordinates within ±1e6 and clouds numbered from 1")
    return Drawn(points, clouds)
