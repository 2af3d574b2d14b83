"""The data as EM and k-means both read it: centred, expanded into features and cut into cache-sized chunks, and
the threads that work through the chunks.

Points are processed in chunks on two threads, and per-chunk results come back in chunk order, so that sums over
chunks do not depend on thread timing. Centering the data (``center``, the data mean) before forming the features
keeps the products of the kernels well conditioned.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import ThreadpoolController

#: Bytes of one EM chunk's (K, rows) block of log densities: small enough to stay in a core's cache.
EM_CHUNK_BYTES = 1 << 19
#: Bytes of one k-means chunk's (K, rows) block of distances: fewer, cheaper passes than EM's, so larger chunks win.
KMEANS_CHUNK_BYTES = 1 << 21
#: Fewest rows in a chunk, however many components: below it the per-chunk overhead dominates.
MIN_CHUNK_ROWS = 256
_N_THREADS = max(1, min(2, os.cpu_count() or 1))
#: Threads that work beside the calling thread.
_helpers = ThreadPoolExecutor(max_workers=_N_THREADS - 1, thread_name_prefix="gmm-chunks") if _N_THREADS > 1 else None
_blas = ThreadpoolController()


def single_threaded_blas():
    """A context in which BLAS runs on one thread: our chunks already keep every core busy, and BLAS's own
    threads would only spin-wait on the small products (doubling the CPU time)."""
    return _blas.limit(limits=1, user_api="blas")


def map_chunks(function, items):
    """``function(*item)`` for every item, results in item order, on the calling thread and the helper threads.

    Each thread takes the next item when it is free. The calling thread works too rather than waiting on
    futures: a thread woken for every finished task would contend for the GIL with the workers (measured at
    N = 10^6, K = 16: an E-step of 26-30 ms as 61 pool tasks, 20-24 ms this way).
    """
    if _helpers is None or len(items) < 2:
        return [function(*item) for item in items]
    results = [None] * len(items)
    indices = iter(range(len(items)))
    lock = threading.Lock()

    def work():
        while True:
            with lock:
                i = next(indices, None)
            if i is None:
                return
            results[i] = function(*items[i])

    helpers = [_helpers.submit(work) for _ in range(_N_THREADS - 1)]
    try:
        work()
    finally:
        with lock:
            for _ in indices:  # after a failure, leave nothing for the helpers
                pass
        for helper in helpers:
            if not helper.cancel():  # one still queued (another fit holds the helpers) is not waited for
                helper.result()
    return results


def upper_indices(n_features):
    """Row and column indices (i <= j) of the second-moment features, in feature order."""
    return np.triu_indices(n_features)


@dataclass(frozen=True)
class Design:
    """The data, centred and expanded into features once per fit.

    chunks : tuple of arrays of shape (F, rows)
        Feature-major blocks whose columns concatenate to all points: F = 1 + D for k-means ([1, z]) and
        1 + D + D (D + 1) / 2 for EM ([1, z, z_i z_j]). Feature-major, so that the per-point reductions over the
        K components run along contiguous rows (a tenfold faster layout than point-major for small K).
    squared_norms : tuple of arrays of shape (rows,)
        |z|^2 of each point of each chunk.
    """

    center: np.ndarray
    n_samples: int
    n_features: int
    chunks: tuple
    squared_norms: tuple
    max_squared_norm: float  # max_i |z_i|^2: bounds the size of the expanded terms

    @classmethod
    def from_points(cls, X, n_components, quadratic=True, center=None):
        """Chunks of [1, z] (k-means) or [1, z, z_i z_j] (EM) for the rows of X (N, D).

        EM's (K, rows) blocks go through several passes and want to stay in a core's cache; k-means' blocks go
        through fewer, cheaper passes, where larger chunks (fewer calls, less hand-over between threads) win.
        """
        n_samples, n_features = X.shape
        center = X.mean(axis=0) if center is None else center
        chunk_bytes = EM_CHUNK_BYTES if quadratic else KMEANS_CHUNK_BYTES
        rows = max(MIN_CHUNK_ROWS, chunk_bytes // (8 * max(n_components, 1)))
        rows_i, cols_j = upper_indices(n_features) if quadratic else ((), ())
        n_design = 1 + n_features + len(rows_i)
        chunks, squared_norms = [], []
        for start in range(0, n_samples, rows):
            z = (X[start : start + rows] - center).T
            features = np.empty((n_design, z.shape[1]))
            features[0] = 1.0
            features[1 : 1 + n_features] = z
            if quadratic:
                np.multiply(z[rows_i], z[cols_j], out=features[1 + n_features :])
            chunks.append(features)
            squared_norms.append(np.einsum("dn,dn->n", z, z))
        max_squared_norm = max(float(norms.max()) for norms in squared_norms)
        return cls(center, n_samples, n_features, tuple(chunks), tuple(squared_norms), max_squared_norm)

    def map(self, function):
        """``function(chunk, squared_norms)`` for every chunk, on the worker threads; results in chunk order."""
        return map_chunks(function, list(zip(self.chunks, self.squared_norms)))
