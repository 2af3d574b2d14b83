"""`python -m bench workers`: one heavy EM fit on the server's thread and in a worker process (gmm_ui.workers).

For each way: the fit's wall time, and how long a small pure-Python task (about 1 ms alone) takes on another
thread meanwhile (median and worst), which is what every other session of the server feels. The pool's first fit
also starts its process; the second reuses it.
"""

from __future__ import annotations

import statistics
import threading
import time

import gmm_core
from gmm_ui import workers

POINTS_PER_CLUSTER, CLUSTERS, COMPONENTS, ITERATIONS = 50_000, 12, 200, 5


def _task():
    return sum(i * i for i in range(20_000))


class _Probe(threading.Thread):
    """Times :func:`_task` over and over until stopped."""

    def __init__(self):
        super().__init__(daemon=True)
        self.times, self.done = [], threading.Event()

    def run(self):
        while not self.done.wait(0.005):
            started = time.perf_counter()
            _task()
            self.times.append(time.perf_counter() - started)


def _timed(fit):
    probe = _Probe()
    probe.start()
    started = time.perf_counter()
    run = fit()
    seconds = time.perf_counter() - started
    probe.done.set()
    probe.join()
    return run, seconds, statistics.median(probe.times), max(probe.times)


def main():
    X = gmm_core.generate_clusters(n_clusters=CLUSTERS, points_per_cluster=POINTS_PER_CLUSTER, seed=0).X
    start = gmm_core.initialize(X, COMPONENTS, "kmeans++", random_state=0)
    alone = statistics.median(_timed_task() for _ in range(20))

    def fit(heavy, key):
        return lambda: workers.run(
            key, gmm_core.fit_em, X, start, max_iter=ITERATIONS, tol=0.0, heavy=heavy, settle=workers.result
        )

    rows = [("here", *_timed(fit(False, None)))]
    rows.append(("worker process, first (starts it)", *_timed(fit(True, "first"))))
    rows.append(("worker process, again", *_timed(fit(True, "again"))))
    workers.shutdown()
    print(f"\n# One heavy fit: EM, K = {COMPONENTS}, {len(X):,} points, {ITERATIONS} iterations\n")
    print(f"A small task alone: {alone * 1000:.1f} ms.\n")
    print("| where | fit (s) | ratio | small task meanwhile, median (ms) | worst (ms) |")
    print("|---|---:|---:|---:|---:|")
    here_seconds = rows[0][2]
    for name, _, seconds, median, worst in rows:
        print(f"| {name} | {seconds:.2f} | {seconds / here_seconds:.2f} | {median * 1000:.1f} | {worst * 1000:.1f} |")
    for _, run, *_ in rows[1:]:
        assert (run.means == rows[0][1].means).all(), "the worker's fit differs"


def _timed_task():
    started = time.perf_counter()
    _task()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
