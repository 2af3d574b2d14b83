"""Memory a session can leave behind (issue 21): no N x K arrays kept by the engine, fits kept within a byte budget,
uploads parsed without a Python object per cell. Functional checks at CI sizes, measured with tracemalloc."""

from __future__ import annotations

import gc
import tracemalloc

import numpy as np
import pytest

import gmm_core
from gmm_core._bounded_cache import LABELS, ByteBoundedCache
from gmm_core.data_io import inspect_table
from gmm_ui import fitting, shared


@pytest.fixture
def traced():
    gc.collect()
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def _held():
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


def test_labels_of_heavy_fits_keep_no_responsibility_arrays(traced):
    # The sequence (12 clusters, many points, K = 200, three seeds in turn), scaled down.
    n_components = 60
    runs, before, labels_before = [], _held(), LABELS.nbytes
    for seed in (0, 1, 2):
        data = gmm_core.generate_clusters(n_clusters=12, points_per_cluster=500, seed=seed)
        start = gmm_core.initialize(data.X, n_components, "kmeans++", random_state=0)
        run = gmm_core.fit_em(data.X, start, max_iter=3)
        labels = run.labels(run.n_iter)
        assert labels.shape == (data.X.shape[0],)
        assert run.labels(run.n_iter) is labels  # kept: a rerun asks again
        runs.append(run)
    responsibilities_bytes = data.X.shape[0] * n_components * 8
    run_bytes = sum(fitting.result_bytes(run) for run in runs)
    # What is held besides the runs themselves is less than one N x K array (it was eight of them).
    assert _held() - before - run_bytes < responsibilities_bytes
    del runs, run, labels
    assert _held() - before < responsibilities_bytes / 4
    assert LABELS.nbytes <= labels_before  # the runs' labels went with them


def test_labels_equal_the_most_responsible_component():
    data = gmm_core.generate_clusters(n_clusters=4, points_per_cluster=300, seed=3)
    run = gmm_core.fit_em(data.X, gmm_core.initialize(data.X, 5, "kmeans++", random_state=0), max_iter=4)
    for i in (0, run.n_iter):
        np.testing.assert_array_equal(run.labels(i), run.responsibilities(i).argmax(axis=1))


def test_byte_bounded_cache_drops_the_least_recently_used_beyond_its_bytes():
    class Owner:
        pass

    cache, owner = ByteBoundedCache(max_bytes=3 * 800), Owner()
    for i in range(5):
        cache.get(owner, i, lambda: np.zeros(100))  # 800 bytes each
    assert cache.nbytes == 3 * 800
    computed = []
    cache.get(owner, 0, lambda: computed.append(0) or np.zeros(100))
    assert computed == [0]  # dropped earlier, computed again
    assert cache.get(owner, 0, lambda: None) is not None
    big = cache.get(owner, "big", lambda: np.zeros(1000))  # larger than the whole budget: returned, not kept
    assert big.shape == (1000,) and cache.nbytes <= 3 * 800
    del owner
    gc.collect()
    assert cache.nbytes == 0


def test_kept_fits_stay_within_their_byte_budget():
    data = gmm_core.generate_clusters(n_clusters=3, points_per_cluster=200, seed=0)
    start = gmm_core.initialize(data.X, 3, "kmeans++", random_state=0)
    runs = [fitting.Result(gmm_core.fit_em(data.X, start, max_iter=m, tol=0.0)) for m in (10, 20, 30, 40)]
    sizes = [fitting.result_bytes(run) for run in runs]
    kept = shared.Kept(sizes[2] + sizes[3], size=fitting.result_bytes)
    for key, run in enumerate(runs):
        kept.put(key, run)
    assert kept.nbytes <= kept.max_bytes
    assert kept.get(0) is None and kept.get(3) is runs[3]


def _csv(n_rows, seed=0):
    rng = np.random.default_rng(seed)
    lines = [
        f"{x:.6f},{y:.6f},c{label}" for x, y, label in zip(*rng.normal(size=(2, n_rows)), rng.integers(0, 5, n_rows))
    ]
    return ("x,y,class\n" + "\n".join(lines) + "\n").encode()


def test_an_upload_is_parsed_within_a_small_multiple_of_its_size(traced):
    content = _csv(100_000)  # 2.1 MB
    tracemalloc.reset_peak()
    before = _held()
    table = inspect_table(content)
    peak = tracemalloc.get_traced_memory()[1] - before
    held = _held() - before
    assert table.n_rows == 100_000 and table.numeric_columns == ("x", "y")
    # A Python string per cell took 17.5 times the file's size at the peak and kept 9.7 times it.
    assert peak < 8 * len(content), f"peak {peak / len(content):.1f} x the file"
    assert held < 4 * len(content), f"held {held / len(content):.1f} x the file"
    assert table.label_column("class")[:3] == [line.split(",")[2] for line in content.decode().splitlines()[1:4]]
