"""Reading level-set outlines back (see gmm_core.level_set_outlines): their rings, areas, and what they enclose."""

import numpy as np


def rings(x, y):
    """The closed rings of one level's outlines (split at the NaN gaps), each an (M, 2) array."""
    points = np.column_stack([x, y])
    return [
        ring[1:] if index else ring
        for index, ring in enumerate(np.split(points, np.flatnonzero(np.isnan(x))))
        if ring.size
    ]


def signed_area(ring):
    return 0.5 * float(np.sum(ring[:-1, 0] * ring[1:, 1] - ring[1:, 0] * ring[:-1, 1]))


def winding_number(ring, point):
    """How many times ``ring`` goes counter-clockwise round ``point`` (Sunday's crossing rule)."""
    (x0, y0), (x1, y1) = ring[:-1].T, ring[1:].T
    px, py = point
    cross = (x1 - x0) * (py - y0) - (px - x0) * (y1 - y0)
    upward = (y0 <= py) & (y1 > py) & (cross > 0)
    downward = (y0 > py) & (y1 <= py) & (cross < 0)
    return int(upward.sum() - downward.sum())


def encloses(x, y, point):
    """Whether the outlines (x, y), rings separated by NaN, wind round ``point`` (the non-zero rule)."""
    return sum(winding_number(ring, point) for ring in rings(x, y)) != 0
