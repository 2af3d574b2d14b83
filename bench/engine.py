"""Time per iteration and peak memory of fit_em and fit_kmeans against scikit-learn, on the same data and start.

Per-iteration times are differences: (time of 1 + m iterations - time of 1 iteration) / m, best of a few runs,
so that set-up costs on either side do not blur the iteration itself. Peak memory is measured separately with
tracemalloc (NumPy reports its allocations to it), for the whole fit of a few iterations.
"""

from __future__ import annotations

import os
import platform
import time
import tracemalloc
import warnings

import numpy as np

import gmm_core
from gmm_core import _design

SIZES = (10**4, 10**5, 10**6)
COMPONENTS = (3, 16)
COVARIANCE_TYPES = ("full", "tied", "diag", "spherical")


def _data(n_samples, seed=0):
    """Three heavily overlapping anisotropic Gaussians: neither algorithm converges within the timed iterations."""
    rng = np.random.default_rng(seed)
    centers = np.array([[0.0, 0.0], [2.0, 1.0], [-1.0, 2.5]])
    return centers[rng.integers(0, 3, n_samples)] + rng.normal(size=(n_samples, 2)) * [1.5, 2.5]


def _best_time(function, repeats):
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def _per_iteration(fit, extra_iterations, repeats):
    """Seconds per iteration of ``fit(n_iter)`` with set-up costs cancelled out.

    ``fit(n)`` returns how many iterations it really ran; a fit that stopped early would make the difference
    meaningless, so that is refused.
    """
    done = []
    one = _best_time(lambda: done.append(fit(1)), repeats)
    more = _best_time(lambda: done.append(fit(1 + extra_iterations)), repeats)
    if done[-1] != 1 + extra_iterations:
        raise RuntimeError(f"a fit stopped after {done[-1]} of {1 + extra_iterations} iterations: use harder data")
    return max(more - one, 1e-9) / extra_iterations


def _peak_bytes(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _sklearn_gmm(X, start, covariance_type, n_iter):
    from sklearn.mixture import GaussianMixture

    from tests.oracle import sklearn_precisions_init

    model = GaussianMixture(
        start.n_components,
        covariance_type=covariance_type,
        max_iter=n_iter,
        tol=0.0,
        weights_init=start.weights,
        means_init=start.means,
        precisions_init=sklearn_precisions_init(start.covariances, covariance_type),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(X)


def _sklearn_kmeans(X, centers, n_iter):
    from sklearn.cluster import KMeans

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return KMeans(len(centers), init=centers, n_init=1, max_iter=n_iter, tol=0.0, algorithm="lloyd").fit(X)


def _start(X, k, covariance_type):
    """The same start for both sides: k-means++ means, cluster covariances of the given type."""
    return gmm_core.initialize(X[:20000], k, "kmeans++", random_state=0, covariance_type=covariance_type)


def _floor_blocks(n_samples, n_components):
    rows = max(256, (1 << 19) // (8 * n_components))
    return [np.full((n_components, rows), -1.0) for _ in range(0, n_samples, rows)]


def exp_floor(n_samples, n_components, repeats=5):
    """Seconds for the N*K exponentials of one E-step alone, in cache-sized blocks on this machine's cores."""
    blocks = _floor_blocks(n_samples, n_components)
    pairs = [(block, np.empty_like(block)) for block in blocks]
    return _best_time(lambda: _design.map_chunks(lambda block, out: np.exp(block, out=out), pairs), repeats)


#: Flops per point and component of one E-step and M-step, as the engine's speed target counts them (about 30 N K).
FLOPS_PER_ENTRY = 30


def peak_flops(repeats=5, size=512):
    """Floating-point operations per second of this machine at its best: square matrix products, both threads."""
    pairs = [(np.full((size, size), 0.5), np.full((size, size), 0.25)) for _ in range(4)]
    with _design.single_threaded_blas():
        seconds = _best_time(lambda: _design.map_chunks(np.matmul, pairs), repeats)
    return len(pairs) * 2 * size**3 / seconds


def floor(exp_seconds, n_samples, n_components, flops_per_second):
    """Seconds for the least work of one EM iteration as the speed target defines it: the N*K exponentials (timed, in
    ``exp_seconds``) plus 30*N*K flops at this machine's best rate for them (``peak_flops()``)."""
    return exp_seconds + FLOPS_PER_ENTRY * n_samples * n_components / flops_per_second


def _settings(n_samples):
    """(extra iterations, repeats) that keep the whole benchmark to a few minutes."""
    return {10**4: (20, 5), 10**5: (10, 3), 10**6: (4, 2)}[n_samples]


def bench_em(rows):
    flops_per_second = peak_flops()
    for covariance_type in COVARIANCE_TYPES:
        for n_samples in SIZES:
            X = _data(n_samples)
            extra, repeats = _settings(n_samples)
            for k in COMPONENTS:
                start = _start(X, k, covariance_type)
                ours = _per_iteration(
                    lambda n: gmm_core.fit_em(X, start, max_iter=n, tol=0.0, covariance_type=covariance_type).n_iter,
                    extra,
                    repeats,
                )
                theirs = _per_iteration(
                    lambda n: _sklearn_gmm(X, start, covariance_type, n).n_iter_, extra, max(1, repeats - 1)
                )
                our_peak = _peak_bytes(
                    lambda: gmm_core.fit_em(X, start, max_iter=3, tol=0.0, covariance_type=covariance_type)
                )
                their_peak = _peak_bytes(lambda: _sklearn_gmm(X, start, covariance_type, 3))
                exp_seconds = exp_floor(n_samples, k) if covariance_type == "full" else np.nan
                floors = (exp_seconds, floor(exp_seconds, n_samples, k, flops_per_second))
                rows.append(("EM " + covariance_type, n_samples, k, ours, theirs, *floors, our_peak, their_peak))
                print(_format_row(rows[-1]), flush=True)


#: k-means iterations take milliseconds: more of them and more repeats keep its ratios out of the noise.
KMEANS_SETTINGS = {10**4: (20, 9), 10**5: (15, 7), 10**6: (10, 5)}


def bench_kmeans(rows):
    for n_samples in SIZES:
        X = _data(n_samples)
        extra, repeats = KMEANS_SETTINGS[n_samples]
        for k in COMPONENTS:
            centers = gmm_core.initial_centers(X[:20000], k, "kmeans++", random_state=0)
            ours = _per_iteration(lambda n: gmm_core.fit_kmeans(X, centers, max_iter=n, tol=0.0).n_iter, extra, repeats)
            theirs = _per_iteration(lambda n: _sklearn_kmeans(X, centers, n).n_iter_, extra, repeats)
            our_peak = _peak_bytes(lambda: gmm_core.fit_kmeans(X, centers, max_iter=3, tol=0.0))
            their_peak = _peak_bytes(lambda: _sklearn_kmeans(X, centers, 3))
            rows.append(("k-means (Lloyd)", n_samples, k, ours, theirs, np.nan, np.nan, our_peak, their_peak))
            print(_format_row(rows[-1]), flush=True)


HEADER = (
    "| algorithm | N | K | ours ms/iter | scikit-learn ms/iter | ratio | exp alone ms | floor ms | ours/floor "
    "| ours peak MB | scikit-learn peak MB | memory ratio |\n"
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
)


def _format_row(row):
    name, n_samples, k, ours, theirs, exp_alone, least, our_peak, their_peak = row
    floor_cells = (
        ("-", "-", "-") if np.isnan(least) else (f"{exp_alone * 1e3:.1f}", f"{least * 1e3:.1f}", f"{ours / least:.1f}x")
    )
    return (
        f"| {name} | {n_samples:.0e} | {k} | {ours * 1e3:.2f} | {theirs * 1e3:.2f} | {ours / theirs:.3f} "
        f"| {' | '.join(floor_cells)} | {our_peak / 2**20:.1f} | {their_peak / 2**20:.1f} "
        f"| {our_peak / their_peak:.2f} |"
    )


def machine():
    import threadpoolctl

    blas = [f"{i['internal_api']} {i['version']} ({i['num_threads']} threads)" for i in threadpoolctl.threadpool_info()]
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NumPy {np.__version__}, BLAS: {'; '.join(blas)}"
    )


def main():
    import sklearn

    print(f"# Engine benchmark: time per iteration and peak memory, scikit-learn {sklearn.__version__}")
    print(f"Machine: {machine()}")
    print(
        "D = 2. Ratio = ours / scikit-learn (lower is faster). Floor: the least work of one EM iteration as the speed\n"
        "target counts it: N*K exponentials, timed on both threads, plus 30*N*K flops at the rate of large matrix\n"
        "products on both threads; 'exp alone' is the exponentials without the flops.\n"
    )
    print(HEADER, flush=True)
    rows = []
    bench_em(rows)
    bench_kmeans(rows)
    return rows


if __name__ == "__main__":
    main()
