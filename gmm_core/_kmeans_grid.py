"""Lloyd iterations on 2-D data through a grid of cells: most cells lie wholly inside one centre's Voronoi region.

The points never move between iterations, only the centres do. So the points are sorted once into the cells of
a grid, and each cell keeps its count and coordinate sums. In each iteration a cell is *certain* when every point
of its rectangle is strictly nearer to one centre b than to any other centre k, which holds for the whole
rectangle when it holds at the rectangle's worst corner:

    |m - c_k|^2 - |m - c_b|^2 - 2 (h_1 |c_k1 - c_b1| + h_2 |c_k2 - c_b2|) > margin,

with m the cell's middle and h its half-widths. A certain cell joins cluster b whole, from its stored sums,
without touching its points. The points of the other cells (those a Voronoi edge crosses: a few per cent of the
data) are assigned one by one: by the side of one bisector when only two centres remain possible (most such
cells), against every centre otherwise. The margin is far above rounding error, so every label equals the label
the point-by-point computation gives, and a fit gives the same clusters as plain Lloyd.

The sums of a cell that changes nothing are not added in the same order as before, so centres computed from
unchanged labels may differ in the last bit: whether any label changed is decided by comparing labels, which the
grid also gives (``labels``), only when the centres have stopped moving.
"""

from __future__ import annotations

import numpy as np

#: Relative margin of the certainty test: far above the rounding error of the distances (about 1e-15).
_MARGIN = 1e-12
#: Bytes of one block of the certainty test's (K, cells) arrays: small enough to stay in cache.
_CELL_BLOCK_BYTES = 1 << 16


def points_per_cell(n_components):
    """Cell size that balances the certainty test (its cost grows with K per cell) against the points of
    uncertain cells (their number grows with the cells' width)."""
    return int(np.clip(24.0 * n_components**0.2, 16, 128))


def _label_type(n_components):
    return np.uint8 if n_components < 256 else np.uint16 if n_components < 65536 else np.int64


class CellGrid:
    """2-D points sorted into the occupied cells of a grid, with per-cell sums.

    Attributes
    ----------
    points : (2, N) the points minus ``center`` (feature-major), in cell order: cell j holds the columns
        ``start[j]`` to ``stop[j]``.
    middle : (G, 2) cell middles minus ``center``; ``half`` (2,) the cells' half-widths, with slack for rounding.
    count, sums, local_sums, local_squares : per cell, the number of points, the sum of z = x - center, the sum
        of u = x - middle and the sum of |u|^2 (the local sums keep the inertia free of cancellation).
    """

    def __init__(self, X, center, n_components):
        n_samples = X.shape[0]
        self.center = center
        low, high = X.min(axis=0), X.max(axis=0)
        span = high - low
        n_cells = max(1, n_samples // points_per_cell(n_components))
        area = float(span[0] * span[1])
        width = np.sqrt(area / n_cells) if area > 0 else max(float(span.max()), 1.0) / n_cells
        shape = np.clip(np.ceil(span / width), 1, 1 << 14).astype(np.int64)
        widths = np.where(span > 0, span / shape, 1.0)

        self._binning = (low, widths, shape)
        order = self._order(X)
        counts = np.bincount(order[1], minlength=int(shape[0] * shape[1]))
        order = order[0]
        points = np.empty((2, n_samples))
        for axis in range(2):
            np.take(X[:, axis], order, out=points[axis], mode="clip")  # "clip": no buffered copy
            points[axis] -= center[axis]
        del order
        self.points = points
        occupied = np.flatnonzero(counts)
        self.length = counts[occupied]
        self.stop = np.cumsum(self.length)
        self.start = self.stop - self.length
        del counts

        column, row = np.divmod(occupied, shape[1])
        self.middle = np.stack([low[0] + (column + 0.5) * widths[0], low[1] + (row + 0.5) * widths[1]], 1) - center
        # every point lies within half a width of its cell's middle, up to rounding in the binning
        slack = 1e-9 * (np.abs(low) + np.abs(high) + widths)
        self.half = np.where(span > 0, widths / 2, 0.0) + slack
        self.count = self.length.astype(np.float64)
        self.sums = np.add.reduceat(points, self.start, axis=1).T.copy()
        self.local_sums = self.sums - self.count[:, None] * self.middle
        self.local_squares = self._local_squares()
        self.max_squared_norm = float(np.max(np.einsum("gd,gd->g", self.middle, self.middle)))
        corners = np.abs(np.stack([low, high]) - center).max(axis=0)
        self.max_point_norm = float(corners @ corners)  # bounds |z|^2 of every point

        self.label_type = _label_type(n_components)

    def _order(self, X):
        """Indices of the points sorted by cell (stable), and the cell of each point."""
        cell = self._cell_index(X, *self._binning)
        return np.argsort(cell, kind="stable"), cell

    @staticmethod
    def _cell_index(X, low, widths, shape):
        """Flat cell number (int32, N) of each point."""
        cell = np.zeros(X.shape[0], dtype=np.int32)
        for axis in range(2):
            coordinate = X[:, axis] - low[axis]
            coordinate /= widths[axis]
            index = coordinate.astype(np.int32)
            del coordinate
            np.minimum(index, shape[axis] - 1, out=index)
            if axis == 0:
                index *= np.int32(shape[1])
            cell += index
        return cell

    def _local_squares(self, block=1 << 13):
        """Sum over each cell of |x - middle|^2, a block of whole cells at a time (bounded scratch)."""
        squares = np.empty(self.length.size)
        first = 0
        while first < self.length.size:
            last = int(np.searchsorted(self.start, self.start[first] + block, side="right"))
            last = max(last, first + 1)
            cells = slice(first, last)
            rows = slice(int(self.start[first]), int(self.stop[last - 1]))
            offset = self.points[:, rows] - np.repeat(self.middle[cells].T, self.length[cells], axis=1)
            squared = np.einsum("dn,dn->n", offset, offset)
            squares[cells] = np.add.reduceat(squared, self.start[cells] - self.start[first])
            first = last
        return squares

    def positions(self, cells):
        """Positions (in cell order) of the points of ``cells``, cell after cell."""
        lengths = self.length[cells]
        before = np.cumsum(lengths) - lengths
        total = int(before[-1] + lengths[-1]) if lengths.size else 0
        positions = np.arange(total, dtype=np.int64)
        positions += np.repeat(self.start[cells] - before, lengths)
        return positions

    def screen(self, weights, shifted):
        """For every cell: its centre b nearest to the middle, how many centres some point of the cell may be
        nearest to (1: the cell is certain), and, for cells with two, the other one.

        ``weights`` (K, 3) are [|c_k|^2, -2 c_k] and ``shifted`` (K, 2) the centres, both minus ``center``.
        """
        n_components = shifted.shape[0]
        corner = 2.0 * (
            np.abs(shifted[:, None, 0] - shifted[None, :, 0]) * self.half[0]
            + np.abs(shifted[:, None, 1] - shifted[None, :, 1]) * self.half[1]
        )
        margin = _MARGIN * (self.max_squared_norm + float(np.max(weights[:, 0])) + float(corner.max()) + 1e-300)
        n_cells = self.middle.shape[0]
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
            partial = weights[:, 1:] @ self.middle[block].T
            partial += weights[:, :1]
            nearest = partial.min(axis=0)
            top = np.multiply(partial == nearest, ranks, dtype=rank_type).max(axis=0)
            b = n_components - top.astype(np.intp)
            best[block] = b
            partial -= nearest
            partial -= corner[:, b]
            possible = partial <= margin
            candidates[block] = np.count_nonzero(possible, axis=0)
            index_sum[block] = indices @ possible
        other = np.rint(index_sum).astype(np.intp) - best
        return best, candidates, other

    def _pairs(self, centres, best, candidates, other):
        """The cells with two candidate centres low < high, and the side of their bisector each point is on.

        A point goes to high when d(z) = |z - c_high|^2 - |z - c_low|^2 < 0; d within rounding of 0 is worked
        out again by direct differences, and an exact tie goes to low, as everywhere.
        """
        weights, shifted = centres.coefficients, centres.shifted
        pairs = np.flatnonzero(candidates == 2)
        positions = self.positions(pairs)
        low = np.minimum(best[pairs], other[pairs])
        high = np.maximum(best[pairs], other[pairs])
        lengths = self.length[pairs]
        z0 = np.take(self.points[0], positions)
        z1 = np.take(self.points[1], positions)
        slope = weights[high] - weights[low]
        d = np.repeat(slope[:, 1], lengths)
        d *= z0
        d += np.repeat(slope[:, 0], lengths)
        d += np.repeat(slope[:, 2], lengths) * z1
        near_ties = np.flatnonzero(np.abs(d) <= centres.tie_bound)
        if near_ties.size:
            ends = np.repeat(np.stack([low, high], 1), lengths, axis=0)[near_ties]
            z = np.stack([z0[near_ties], z1[near_ties]], 1)
            far, near = z - shifted[ends[:, 1]], z - shifted[ends[:, 0]]
            d[near_ties] = np.einsum("nd,nd->n", far, far) - np.einsum("nd,nd->n", near, near)
        return pairs, positions, low, high, z0, z1, d

    def labels(self, centres, assign_points):
        """Labels (N,) under ``centres`` of the points in cell order (compact integers)."""
        best, candidates, other = self.screen(centres.coefficients, centres.shifted)
        labels = np.repeat(best.astype(self.label_type), self.length)
        pairs, positions, low, high, _, _, d = self._pairs(centres, best, candidates, other)
        lengths = self.length[pairs]
        labels[positions] = np.where(d < 0, np.repeat(high, lengths), np.repeat(low, lengths))
        crowded = self.positions(np.flatnonzero(candidates > 2))
        labels[crowded] = assign_points(np.take(self.points, crowded, axis=1).T)[0]
        return labels

    def statistics(self, centres, assign_points):
        """Inertia, per-cluster counts (K,) and sums of z (K, 2) under ``centres`` (see ``kmeans._Centres``).

        ``assign_points(z)`` assigns points z (n, 2) against every centre; it returns their labels, their inertia
        and their per-cluster statistics (K, 3) of [1, z].
        """
        shifted = centres.shifted
        n_components = shifted.shape[0]
        best, candidates, other = self.screen(centres.coefficients, shifted)

        # certain cells join their centre whole
        certain = (candidates == 1).astype(np.float64)
        counts = np.bincount(best, weights=self.count * certain, minlength=n_components)
        sums = np.stack([np.bincount(best, weights=self.sums[:, a] * certain, minlength=n_components) for a in (0, 1)], 1)
        inertia = float(np.dot(self._cell_inertia(shifted, best), certain))

        # two candidates: the cell's sums go to low, less those of the points on high's side
        pairs, _, low, high, z0, z1, d = self._pairs(centres, best, candidates, other)
        if pairs.size:
            lengths = self.length[pairs]
            segments = np.cumsum(lengths) - lengths
            to_high = d < 0
            high_count = np.add.reduceat(to_high, segments, dtype=np.float64)
            high_sums = [np.add.reduceat(np.where(to_high, z_axis, 0.0), segments) for z_axis in (z0, z1)]
            counts += np.bincount(low, weights=self.count[pairs] - high_count, minlength=n_components)
            counts += np.bincount(high, weights=high_count, minlength=n_components)
            for axis in (0, 1):
                sums[:, axis] += np.bincount(low, weights=self.sums[pairs, axis] - high_sums[axis], minlength=n_components)
                sums[:, axis] += np.bincount(high, weights=high_sums[axis], minlength=n_components)
            # every point's distance to low, from the cell's sums, less |d| for the points that go to high
            inertia += float(np.sum(self._cell_inertia(shifted, low, pairs)))
            inertia += float(np.sum(np.minimum(d, 0.0)))
        del z0, z1, d

        # three or more candidates: every point against every centre
        crowded = self.positions(np.flatnonzero(candidates > 2))
        _, crowded_inertia, crowded_statistics = assign_points(np.take(self.points, crowded, axis=1).T)
        inertia += crowded_inertia
        counts += crowded_statistics[:, 0]
        sums += crowded_statistics[:, 1:]
        return inertia, np.rint(counts).astype(np.int64), sums

    def _cell_inertia(self, shifted, centre, cells=slice(None)):
        """Sum over each of ``cells`` of |z - c|^2 for its centre c = ``shifted[centre]``, from its local sums."""
        offset = self.middle[cells] - shifted[centre]
        inertia = self.local_squares[cells] + 2.0 * np.einsum("gd,gd->g", offset, self.local_sums[cells])
        inertia += self.count[cells] * np.einsum("gd,gd->g", offset, offset)
        return np.maximum(inertia, 0.0)

    def data_order(self, X, labels):
        """``labels`` in cell order put back in the order of ``X``, the data the grid was made from (rarely
        needed, so the cell order is worked out again rather than kept)."""
        ordered = np.empty(labels.shape[0], dtype=np.intp)
        ordered[self._order(X)[0]] = labels
        return ordered
