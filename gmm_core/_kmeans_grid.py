"""Lloyd iterations on 2-D data through a grid of cells: most cells lie wholly inside one centre's Voronoi region.

The points never move between iterations, only the centres do. So the points are sorted once into the cells of
a grid, and each cell keeps its count and coordinate sums. In each iteration a cell is *certain* when every point
of its rectangle is strictly nearer to one centre b than to any other centre k, which holds for the whole
rectangle when it holds at the rectangle's worst corner:

    |m - c_k|^2 - |m - c_b|^2 - 2 (h_1 |c_k1 - c_b1| + h_2 |c_k2 - c_b2|) > margin,

with m the cell's middle and h its half-widths. A certain cell joins cluster b whole, from its stored sums,
without touching its points. Cells come in two sizes: coarse cells of 4 x 4 fine cells are tested first, and only
the fine cells of uncertain coarse cells are tested again (against the two candidate centres only, when a
coarse cell has two). The points of the fine cells that stay uncertain (those a Voronoi edge crosses: a few per
cent of the data) are assigned one by one: by the side of one bisector when only two centres remain possible,
against every centre otherwise. The margin is far above rounding error, so every label equals the label the
point-by-point computation gives, and a fit gives the same clusters as plain Lloyd.

The sums of a cell that changes nothing are not added in the same order as before, so centres computed from
unchanged labels may differ in the last bit: whether any label changed is decided by comparing labels, which the
grid also gives (``labels``), only when the centres have stopped moving.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Relative margin of the certainty test: far above the rounding error of the distances (about 1e-15).
_MARGIN = 1e-12
#: Bytes of one block of the certainty test's (K, cells) arrays: small enough to stay in cache.
_CELL_BLOCK_BYTES = 1 << 16
#: Fine cells per side of a coarse cell.
_FINE = 4
#: Points per fine cell: smaller cells leave fewer points uncertain, at the cost of more cells to test.
_POINTS_PER_CELL = 16


def _label_type(n_components):
    return np.uint8 if n_components < 256 else np.uint16 if n_components < 65536 else np.int64


def _ranges(first, length, subset):
    """Concatenated index ranges first[j] .. first[j] + length[j] - 1 for j in ``subset``."""
    lengths = np.take(length, subset)
    before = np.cumsum(lengths) - lengths
    total = int(before[-1] + lengths[-1]) if lengths.size else 0
    indices = np.arange(total, dtype=np.int64)
    indices += np.repeat(np.take(first, subset) - before, lengths)
    return indices


@dataclass
class _Cells:
    """One level of cells: middles and half-widths (minus the data's centre), and each cell's number of points,
    sum of z = x - center, sum of u = x - middle and sum of |u|^2 (the local sums keep the inertia free of
    cancellation)."""

    middle: np.ndarray
    half: np.ndarray
    count: np.ndarray
    sums: np.ndarray
    local_sums: np.ndarray
    local_squares: np.ndarray

    def __post_init__(self):
        self.middle_t = np.ascontiguousarray(self.middle.T)
        self.max_squared_norm = float(np.max(np.einsum("gd,gd->g", self.middle, self.middle)))

    def corner(self, shifted):
        """(K, K): twice the largest of (c_k - c_b) . (x - m) over a cell's rectangle, for every pair."""
        return 2.0 * (
            np.abs(shifted[:, None, 0] - shifted[None, :, 0]) * self.half[0]
            + np.abs(shifted[:, None, 1] - shifted[None, :, 1]) * self.half[1]
        )

    def margin(self, prepared, corner):
        scale = self.max_squared_norm + float(np.max(prepared.coefficients[:, 0])) + float(corner.max())
        return _MARGIN * scale + 1e-300

    def screen(self, prepared, cells=None):
        """For ``cells`` (default: all): the centre b nearest to the middle, how many centres some point of the
        cell may be nearest to (1: the cell is certain), and, for cells with two, the other one."""
        weights = prepared.coefficients
        n_components = weights.shape[0]
        corner = self.corner(prepared.shifted)
        margin = self.margin(prepared, corner)
        middle_t = self.middle_t if cells is None else np.take(self.middle_t, cells, axis=1)
        n_cells = middle_t.shape[1]
        rows = max(64, _CELL_BLOCK_BYTES // (8 * n_components))
        best = np.empty(n_cells, dtype=np.intp)
        candidates = np.empty(n_cells, dtype=np.intp)
        index_sum = np.empty(n_cells)
        rank_type = _label_type(n_components + 1)
        ranks = np.arange(n_components, 0, -1, dtype=rank_type)[:, None]
        indices = np.arange(n_components, dtype=np.float64)
        for start in range(0, n_cells, rows):
            block = slice(start, start + rows)
            # partial[k] = |c_k|^2 - 2 c_k . m, the squared distance to the middle less |m|^2
            partial = weights[:, 1:] @ middle_t[:, block]
            partial += weights[:, :1]
            nearest = partial.min(axis=0)
            top = np.multiply(partial == nearest, ranks, dtype=rank_type).max(axis=0)
            b = n_components - top.astype(np.intp)
            best[block] = b
            bound = np.take(corner, b, axis=1)
            bound += nearest
            bound += margin
            possible = partial <= bound
            candidates[block] = np.count_nonzero(possible, axis=0)
            index_sum[block] = indices @ possible
        other = np.rint(index_sum).astype(np.intp) - best
        return best, candidates, other

    def screen_pair(self, prepared, cells, low, high):
        """For ``cells`` with two possible centres low < high: -1 when the whole cell is nearer to low, 1 when
        nearer to high, 0 when the bisector may cross it."""
        weights = prepared.coefficients
        corner = self.corner(prepared.shifted)
        margin = self.margin(prepared, corner)
        slope = np.take(weights, high, axis=0) - np.take(weights, low, axis=0)
        middle = np.take(self.middle, cells, axis=0)
        # |m - c_high|^2 - |m - c_low|^2, and how far it may change over the cell
        d = slope[:, 0] + np.einsum("gd,gd->g", slope[:, 1:], middle)
        reach = corner[low, high] + margin
        return np.where(d > reach, -1, np.where(d < -reach, 1, 0))

    def inertia(self, shifted, owner, cells=None):
        """Sum over each of ``cells`` (default: all) of |z - c|^2 for its centre c = ``shifted[owner]``."""
        if cells is None:
            middle, local_sums, local_squares, count = self.middle, self.local_sums, self.local_squares, self.count
        else:  # ``take``: row gathers several times faster than fancy indexing
            middle, local_sums = np.take(self.middle, cells, axis=0), np.take(self.local_sums, cells, axis=0)
            local_squares, count = np.take(self.local_squares, cells), np.take(self.count, cells)
        offset = middle - np.take(shifted, owner, axis=0)
        inertia = local_squares + 2.0 * np.einsum("gd,gd->g", offset, local_sums)
        inertia += count * np.einsum("gd,gd->g", offset, offset)
        return np.maximum(inertia, 0.0)


class _Totals:
    """Per-cluster counts, sums of z and the inertia, added up from whole cells and single points."""

    def __init__(self, n_components):
        self.n_components = n_components
        self.counts = np.zeros(n_components)
        self.sums = np.zeros((n_components, 2))
        self.inertia = 0.0

    def add_cells(self, level, cells, labels, shifted):
        """Whole ``cells`` of ``level`` (None: all) joining the clusters ``labels``."""
        count = level.count if cells is None else np.take(level.count, cells)
        sums = level.sums if cells is None else np.take(level.sums, cells, axis=0)
        self.counts += np.bincount(labels, weights=count, minlength=self.n_components)
        for axis in (0, 1):
            self.sums[:, axis] += np.bincount(labels, weights=sums[:, axis], minlength=self.n_components)
        self.inertia += float(np.sum(level.inertia(shifted, labels, cells)))


class CellGrid:
    """2-D points sorted into the occupied cells of a two-level grid.

    Attributes
    ----------
    points : (2, N) the points minus ``center`` (feature-major), in cell order: fine cell j holds the columns
        ``start[j]`` to ``start[j] + length[j] - 1``.
    fine, coarse : the two levels of cells (``_Cells``); coarse cell i holds the fine cells ``first[i]`` to
        ``first[i] + n_fine[i] - 1``.
    """

    def __init__(self, X, center, n_components):
        n_samples = X.shape[0]
        self.center = center
        low, high = X.min(axis=0), X.max(axis=0)
        span = high - low
        n_cells = max(1, n_samples // _POINTS_PER_CELL)
        area = float(span[0] * span[1])
        width = np.sqrt(area / n_cells) if area > 0 else max(float(span.max()), 1.0) / n_cells
        shape = np.clip(np.ceil(span / width), 1, 1 << 13).astype(np.int64)
        shape = -(-shape // _FINE) * _FINE  # whole coarse cells
        widths = np.where(span > 0, span / shape, 1.0)
        self._binning = (low, widths, shape)

        order, key = self._order(X)
        counts = np.bincount(key, minlength=int(shape[0] * shape[1]))
        del key
        occupied = np.flatnonzero(counts)  # fine cells in key order
        self.length = counts[occupied]
        del counts
        points = np.empty((2, n_samples))
        for axis in range(2):
            np.take(X[:, axis], order, out=points[axis], mode="clip")  # "clip": no buffered copy
            points[axis] -= center[axis]
        del order
        self.points = points
        self.start = np.cumsum(self.length) - self.length

        coarse_key, fine_key = np.divmod(occupied, _FINE * _FINE)
        column = (coarse_key // (shape[1] // _FINE)) * _FINE + fine_key // _FINE
        row = (coarse_key % (shape[1] // _FINE)) * _FINE + fine_key % _FINE
        middle = np.stack([low[0] + (column + 0.5) * widths[0], low[1] + (row + 0.5) * widths[1]], 1) - center
        # every point lies within half a width of its cell's middle, up to rounding in the binning
        slack = 1e-9 * (np.abs(low) + np.abs(high) + widths)
        half = np.where(span > 0, widths / 2, 0.0)
        count = self.length.astype(np.float64)
        sums = np.add.reduceat(points, self.start, axis=1).T.copy()
        local_sums = sums - count[:, None] * middle
        self.fine = _Cells(middle, half + slack, count, sums, local_sums, self._local_squares(middle))

        coarse, self.first, self.n_fine = np.unique(coarse_key, return_index=True, return_counts=True)
        coarse_column, coarse_row = np.divmod(coarse, shape[1] // _FINE)
        coarse_middle = (
            np.stack(
                [low[0] + (coarse_column + 0.5) * _FINE * widths[0], low[1] + (coarse_row + 0.5) * _FINE * widths[1]], 1
            )
            - center
        )
        coarse_count = np.add.reduceat(count, self.first)
        coarse_sums = np.add.reduceat(sums, self.first, axis=0)
        # |x - M|^2 = |u|^2 + 2 u . (m - M) + |m - M|^2 summed over each fine cell's points
        shift = middle - np.repeat(coarse_middle, self.n_fine, axis=0)
        fine_squares = self.fine.local_squares + 2.0 * np.einsum("gd,gd->g", local_sums, shift)
        fine_squares += count * np.einsum("gd,gd->g", shift, shift)
        self.coarse = _Cells(
            coarse_middle,
            _FINE * half + slack,
            coarse_count,
            coarse_sums,
            coarse_sums - coarse_count[:, None] * coarse_middle,
            np.add.reduceat(fine_squares, self.first),
        )
        corners = np.abs(np.stack([low, high]) - center).max(axis=0)
        self.max_point_norm = float(corners @ corners)  # bounds |z|^2 of every point
        self.label_type = _label_type(n_components)

    def _order(self, X):
        """Indices of the points sorted by cell (stable), and the key of each point's fine cell (coarse cell
        first, so that the fine cells of a coarse cell come together)."""
        key = self._cell_key(X, *self._binning)
        return np.argsort(key, kind="stable"), key

    @staticmethod
    def _cell_key(X, low, widths, shape):
        """Key (int32, N) of each point's fine cell: coarse cell number, then the fine cell within it."""
        key = np.zeros(X.shape[0], dtype=np.int32)
        for axis in range(2):
            coordinate = X[:, axis] - low[axis]
            coordinate /= widths[axis]
            index = coordinate.astype(np.int32)
            del coordinate
            np.minimum(index, shape[axis] - 1, out=index)
            fine = index % _FINE
            index //= _FINE
            # key = (coarse column * coarse rows + coarse row) * FINE^2 + fine column * FINE + fine row
            index *= np.int32((shape[1] // _FINE) * _FINE * _FINE if axis == 0 else _FINE * _FINE)
            key += index
            if axis == 0:
                fine *= np.int32(_FINE)
            key += fine
        return key

    def _local_squares(self, middle, block=1 << 13):
        """Sum over each fine cell of |x - middle|^2, a block of whole cells at a time (bounded scratch)."""
        squares = np.empty(self.length.size)
        stop = self.start + self.length
        first = 0
        while first < self.length.size:
            last = max(int(np.searchsorted(self.start, self.start[first] + block, side="right")), first + 1)
            cells = slice(first, last)
            rows = slice(int(self.start[first]), int(stop[last - 1]))
            offset = self.points[:, rows] - np.repeat(middle[cells].T, self.length[cells], axis=1)
            squared = np.einsum("dn,dn->n", offset, offset)
            squares[cells] = np.add.reduceat(squared, self.start[cells] - self.start[first])
            first = last
        return squares

    def _sort(self, prepared):
        """Every fine cell's fate under ``prepared``: (whole fine cells, their labels), (fine cells split by one
        bisector, low, high), fine cells whose points go against every centre; and whole coarse cells with
        their labels."""
        coarse_best, coarse_candidates, coarse_other = self.coarse.screen(prepared)
        whole_coarse = np.flatnonzero(coarse_candidates == 1)

        # two candidates: each fine cell is tested against those two only
        pair = np.flatnonzero(coarse_candidates == 2)
        pair_cells = _ranges(self.first, self.n_fine, pair)
        low = np.repeat(np.minimum(coarse_best[pair], coarse_other[pair]), np.take(self.n_fine, pair))
        high = np.repeat(np.maximum(coarse_best[pair], coarse_other[pair]), np.take(self.n_fine, pair))
        side = self.fine.screen_pair(prepared, pair_cells, low, high)

        # more: each fine cell is tested against every centre
        crowded_cells = _ranges(self.first, self.n_fine, np.flatnonzero(coarse_candidates > 2))
        best, candidates, other = self.fine.screen(prepared, crowded_cells)
        split = candidates == 2

        decided, certain = side != 0, candidates == 1
        whole = np.concatenate([pair_cells[decided], crowded_cells[certain]])
        pair_labels = np.where(side[decided] > 0, high[decided], low[decided])
        whole_labels = np.concatenate([pair_labels, best[certain]])
        split_cells = np.concatenate([pair_cells[~decided], crowded_cells[split]])
        split_low = np.concatenate([low[~decided], np.minimum(best[split], other[split])])
        split_high = np.concatenate([high[~decided], np.maximum(best[split], other[split])])
        crowded = crowded_cells[candidates > 2]
        whole_coarse_cells = (whole_coarse, coarse_best[whole_coarse])
        return (whole, whole_labels), (split_cells, split_low, split_high), crowded, whole_coarse_cells

    def _split(self, prepared, cells, low, high):
        """The points of ``cells`` (each split by the bisector of low < high) and the side each is on: a point
        goes to high when d(z) = |z - c_high|^2 - |z - c_low|^2 < 0. A d within rounding of 0 is worked out
        again by direct differences, and an exact tie goes to low, as everywhere."""
        weights, shifted = prepared.coefficients, prepared.shifted
        positions = _ranges(self.start, self.length, cells)
        lengths = np.take(self.length, cells)
        z0 = np.take(self.points[0], positions)
        z1 = np.take(self.points[1], positions)
        slope = np.take(weights, high, axis=0) - np.take(weights, low, axis=0)
        d = np.repeat(slope[:, 1], lengths)
        d *= z0
        d += np.repeat(slope[:, 0], lengths)
        d += np.repeat(slope[:, 2], lengths) * z1
        near_ties = np.flatnonzero(np.abs(d) <= prepared.tie_bound)
        if near_ties.size:
            ends = np.repeat(np.stack([low, high], 1), lengths, axis=0)[near_ties]
            z = np.stack([z0[near_ties], z1[near_ties]], 1)
            far, near = z - np.take(shifted, ends[:, 1], axis=0), z - np.take(shifted, ends[:, 0], axis=0)
            d[near_ties] = np.einsum("nd,nd->n", far, far) - np.einsum("nd,nd->n", near, near)
        return positions, lengths, z0, z1, d

    def labels(self, prepared, assign_points):
        """Labels (N,) under ``prepared`` of the points in cell order (compact integers)."""
        (whole, whole_labels), (split, low, high), crowded, (whole_coarse, coarse_labels) = self._sort(prepared)
        labels = np.empty(self.points.shape[1], dtype=self.label_type)
        fine_of_coarse = _ranges(self.first, self.n_fine, whole_coarse)
        fine_labels = np.repeat(coarse_labels, np.take(self.n_fine, whole_coarse))
        for cells, cell_labels in ((fine_of_coarse, fine_labels), (whole, whole_labels)):
            labels[_ranges(self.start, self.length, cells)] = np.repeat(cell_labels, np.take(self.length, cells))
        positions, lengths, _, _, d = self._split(prepared, split, low, high)
        labels[positions] = np.where(d < 0, np.repeat(high, lengths), np.repeat(low, lengths))
        crowded_positions = _ranges(self.start, self.length, crowded)
        labels[crowded_positions] = assign_points(np.take(self.points, crowded_positions, axis=1).T, True)[0]
        return labels

    def statistics(self, prepared, assign_points):
        """Inertia, per-cluster counts (K,) and sums of z (K, 2) under ``prepared`` (see ``kmeans.PreparedCenters``).

        ``assign_points(z, want_labels)`` assigns points z (n, 2) against every centre; it returns their labels
        (if wanted), their inertia and their per-cluster statistics (K, 3) of [1, z].
        """
        shifted = prepared.shifted
        totals = _Totals(shifted.shape[0])
        (whole, whole_labels), (split, low, high), crowded, (whole_coarse, coarse_labels) = self._sort(prepared)
        totals.add_cells(self.coarse, whole_coarse, coarse_labels, shifted)
        totals.add_cells(self.fine, whole, whole_labels, shifted)

        # split cells: every point to low, then those on high's side move over
        if split.size:
            totals.add_cells(self.fine, split, low, shifted)
            _, lengths, z0, z1, d = self._split(prepared, split, low, high)
            segments = np.cumsum(lengths) - lengths
            to_high = d < 0
            moved_count = np.add.reduceat(to_high, segments, dtype=np.float64)
            totals.counts += np.bincount(high, weights=moved_count, minlength=totals.n_components)
            totals.counts -= np.bincount(low, weights=moved_count, minlength=totals.n_components)
            for axis, z in enumerate((z0, z1)):
                moved = np.add.reduceat(np.where(to_high, z, 0.0), segments)
                totals.sums[:, axis] += np.bincount(high, weights=moved, minlength=totals.n_components)
                totals.sums[:, axis] -= np.bincount(low, weights=moved, minlength=totals.n_components)
            totals.inertia += float(np.sum(np.minimum(d, 0.0)))  # d < 0: nearer to high than to low by |d|

        crowded_positions = _ranges(self.start, self.length, crowded)
        _, inertia, statistics = assign_points(np.take(self.points, crowded_positions, axis=1).T, False)
        totals.inertia += inertia
        totals.counts += statistics[:, 0]
        totals.sums += statistics[:, 1:]
        return totals.inertia, np.rint(totals.counts).astype(np.int64), totals.sums

    def data_order(self, X, labels):
        """``labels`` in cell order put back in the order of ``X``, the data the grid was made from (rarely
        needed, so the cell order is worked out again rather than kept)."""
        ordered = np.empty(labels.shape[0], dtype=np.intp)
        ordered[self._order(X)[0]] = labels
        return ordered
