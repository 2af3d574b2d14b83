"""gmm_ui.workers: heavy fits in a worker process give the in-process result exactly, report their progress, say
why they failed or stopped, and leave light fits on the server's thread."""

import os
import signal
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import gmm_core
from gmm_ui import fitting, workers


@pytest.fixture(scope="module", autouse=True)
def _pool():
    yield
    workers.shutdown()


@pytest.fixture
def everything_heavy(monkeypatch):
    monkeypatch.setattr(fitting, "HEAVY_WORK", 0)


def _settings(**changes):
    values = dict(
        n_components=3, covariance_type="full", max_iter=40, tol=0.0, convergence="log_likelihood", reg_covar=1e-6
    )
    values.update(changes)
    return fitting.FitSettings(**values)


def _data(shift, n=300):
    """Points no other test fits (``shift`` apart), so that no kept result answers for the pool."""
    rng = np.random.default_rng(int(shift * 1000))
    X = np.vstack([rng.normal(-2, 1, (n, 2)), rng.normal(2, 1, (n, 2)), rng.normal((0, 4), 1, (n, 2))]) + shift
    X.setflags(write=False)
    return X


def _assert_same_run(pooled, here):
    for name in ("weights", "means", "covariances", "log_likelihood", "expected_log_likelihood", "X"):
        np.testing.assert_array_equal(getattr(pooled, name), getattr(here, name), err_msg=name)
        assert getattr(pooled, name).flags.writeable == getattr(here, name).flags.writeable, name
    assert np.array_equal(pooled.e_step_expected_log_likelihood, here.e_step_expected_log_likelihood, equal_nan=True)
    assert (pooled.converged, pooled.degeneracies) == (here.converged, here.degeneracies)


def test_a_heavy_fit_in_the_pool_is_the_fit_made_here_bit_for_bit(everything_heavy):
    X = _data(0.101)
    start = gmm_core.initialize(X, 3, "kmeans++", random_state=0)
    outcome = fitting.fit_em(X, start, _settings())
    assert workers.pool_started() and outcome.error is None
    _assert_same_run(outcome.value, gmm_core.fit_em(X, start, max_iter=40, tol=0.0))
    assert fitting.fit_em(X, start, _settings()) is outcome  # kept: not fitted again


def test_restarts_and_model_selection_in_the_pool_are_those_made_here(everything_heavy):
    X = _data(0.102, n=60)
    restarts = fitting.fit_restarts(X, 3, 3, "kmeans++", 0, "full", 20, 1e-6, 1e-6, "log_likelihood")
    here = gmm_core.fit_restarts(X, 3, 3, "kmeans++", 0, "full", 20, 1e-6, 1e-6, "log_likelihood")
    np.testing.assert_array_equal(restarts.value.final_log_likelihood, here.final_log_likelihood)
    for pooled, run in zip(restarts.value.runs, here.runs, strict=True):
        _assert_same_run(pooled, run)
    selection = fitting.select_components(X, 2, 1, 0, 1e-6)
    here = gmm_core.select_components(X, 2, n_restarts=1, max_iter=fitting.SELECTION_MAX_ITER, tol=1e-4)
    np.testing.assert_array_equal(selection.value.bic, here.bic)
    np.testing.assert_array_equal(selection.value.aic, here.aic)
    start, seeds = fitting.kmeans_start(X, 3, 0, "full", 1e-6).value
    here_start, here_seeds = gmm_core.kmeans_start(X, 3, 0, "full", 1e-6)
    np.testing.assert_array_equal(seeds, here_seeds)
    np.testing.assert_array_equal(start.covariances, here_start.covariances)
    kmeans = fitting.fit_kmeans(X, seeds, 30).value
    np.testing.assert_array_equal(kmeans.centers, gmm_core.fit_kmeans(X, seeds, max_iter=30).centers)


def _long_fit_arguments(shift):
    X = _data(shift, n=20_000)
    return X, gmm_core.initialize(X, 3, "kmeans++", random_state=0)


def _long_fit_in_the_pool(name, shift, progress):
    """400 iterations of EM on 60,000 points (``shift``: see :func:`_data`) in the pool, reporting to ``progress``;
    returns the run."""
    X, start = _long_fit_arguments(shift)
    return workers.run(
        name,
        gmm_core.fit_em,
        X,
        start,
        max_iter=400,
        tol=0.0,
        heavy=True,
        settle=workers.result,
        progress=progress,
        reports_progress=True,
    )


def test_progress_comes_from_the_worker_and_grows(monkeypatch):
    monkeypatch.setattr(workers, "POLL_SECONDS", 0.01)
    shown = []
    run = _long_fit_in_the_pool(
        "progress test", 0.103, lambda done, total, value, queued=False: shown.append((done, total, value, queued))
    )
    reported = [(done, total, value) for done, total, value, queued in shown if done > 0]
    assert len({done for done, _, _ in reported}) > 3, shown
    assert all(total == 400 for _, total, _ in reported)
    done = [done for done, _, _ in reported]
    assert done == sorted(done) and done[-1] <= 400
    value_at = {i: value for i, _, value in reported}
    assert all(value_at[i] == run.log_likelihood[i] for i in value_at)  # the worker's own numbers


def test_a_fit_that_fails_in_the_pool_returns_the_engines_message(everything_heavy):
    X = np.zeros((51, 2))
    start = gmm_core.GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
    outcome = fitting.fit_em(X, start, _settings(reg_covar=0.0, max_iter=5))
    with pytest.raises(gmm_core.DegenerateFitError) as here:
        gmm_core.fit_em(X, start, max_iter=5, reg_covar=0.0)
    assert outcome.value is None and outcome.error == str(here.value)
    bad_k = fitting.fit_restarts(X, 0, 2, "kmeans++", 0, "full", 20, 1e-6, 1e-6, "log_likelihood")
    assert bad_k.value is None and "K (the number of components)" in bad_k.error


def _kill_the_worker_once_it_has_started():
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        jobs = list(workers._jobs.values())
        if jobs and jobs[0].progress()[1] > 0:  # an iteration done: the fit runs
            for pid in workers._pool[0]._processes:
                os.kill(pid, signal.SIGKILL)
            return
        time.sleep(0.01)


def test_a_killed_worker_gives_a_message_and_the_next_fit_runs(everything_heavy):
    X, start = _long_fit_arguments(0.104)
    killer = threading.Thread(target=_kill_the_worker_once_it_has_started)
    killer.start()
    outcome = fitting.fit_em(X, start, _settings(max_iter=2000))
    killer.join()
    assert outcome.value is None and outcome.error == fitting.WORKER_DIED
    assert "try fewer points or components" in outcome.error.lower()
    X = _data(0.105)
    start = gmm_core.initialize(X, 3, "kmeans++", random_state=0)
    _assert_same_run(fitting.fit_em(X, start, _settings()).value, gmm_core.fit_em(X, start, max_iter=40, tol=0.0))


class _Rerun(BaseException):
    """What Streamlit raises in a script thread whose session reruns or closes."""


def test_a_session_that_leaves_stops_waiting_and_the_fit_is_kept(everything_heavy, monkeypatch):
    monkeypatch.setattr(fitting._ProgressBar, "DELAY_SECONDS", 0.0)
    X, start = _long_fit_arguments(0.106)

    def rerun(*args, **kwargs):
        raise _Rerun

    monkeypatch.setattr(fitting._ProgressBar, "__call__", rerun)
    began = time.perf_counter()
    with pytest.raises(_Rerun):
        fitting.fit_em(X, start, _settings(max_iter=300))
    assert time.perf_counter() - began < 1.0 + workers.POLL_SECONDS  # at the first look at the job
    monkeypatch.undo()
    monkeypatch.setattr(fitting, "HEAVY_WORK", 0)
    again = fitting.fit_em(X, start, _settings(max_iter=300))  # the same job, or its kept result
    _assert_same_run(again.value, gmm_core.fit_em(X, start, max_iter=300, tol=0.0))


def test_a_light_fit_runs_here_without_a_pool():
    workers.shutdown()
    X = _data(0.107)
    start = gmm_core.initialize(X, 3, "kmeans++", random_state=0)
    assert fitting.em_work(*X.shape, 3, 40) < fitting.HEAVY_WORK
    outcome = fitting.fit_em(X, start, _settings())
    assert outcome.error is None and not workers.pool_started()
    assert outcome.value.X is X  # the caller's array, not a copy from another process


def test_the_heavy_sessions_page_of_the_load_bench_counts_as_heavy():
    heavy = fitting.em_work(600_000, 2, 200, 20)
    default = fitting.em_work(1_500, 2, 3, 100)
    assert heavy > fitting.HEAVY_WORK > default


def test_the_engines_errors_survive_the_trip_from_a_worker():
    import pickle

    for error in (
        gmm_core.ParameterError("K must be at least 1."),
        gmm_core.DataError("not a table"),
        gmm_core.DegenerateFitError("Component 2 collapsed.", component=1, iteration=7),
    ):
        back = pickle.loads(pickle.dumps(error))
        assert type(back) is type(error) and str(back) == str(error) and vars(back) == vars(error)


@pytest.mark.parametrize("tab", ["em", "starts", "kmeans", "covariance", "choose_k"])
def test_every_tab_draws_its_fits_from_the_pool(everything_heavy, tab):
    from streamlit.testing.v1 import AppTest

    from gmm_ui.state import TABS

    workers.shutdown()
    fitting._kept.clear()  # no fit kept by another test answers for the pool
    app = AppTest.from_file(str(Path(__file__).resolve().parents[1] / "streamlit_app.py"), default_timeout=120)
    app.session_state["view"] = TABS[tab]
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    assert not app.error, [e.value for e in app.error]
    assert workers.pool_started()


def test_a_worker_started_under_the_apps_script_neither_draws_the_page_nor_loads_streamlit(
    everything_heavy, monkeypatch
):
    """A spawned worker first runs its parent's ``__main__``, which in the server is ``streamlit_app.py`` as the
    script's run installs it: a module named "__main__" with the script's ``__file__`` (and no spec). The fit must
    come back right, and the worker must have loaded none of the page's libraries."""
    import types

    from tests import worker_probe

    app = types.ModuleType("__main__")
    app.__file__ = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
    workers.shutdown()  # a pool started earlier would not run the script again
    monkeypatch.setitem(sys.modules, "__main__", app)  # restored at the test's end
    try:
        X = _data(0.110)
        start = gmm_core.initialize(X, 3, "kmeans++", random_state=0)
        outcome = fitting.fit_em(X, start, _settings())
        assert workers.pool_started() and outcome.error is None, outcome.error
        _assert_same_run(outcome.value, gmm_core.fit_em(X, start, max_iter=40, tol=0.0))
        page_modules = ("streamlit", "plotly", "gmm_ui.fitting", "gmm_ui.page", "gmm_ui.tabs")
        main_file, imported = workers.run(
            "probe", worker_probe.loaded, *page_modules, heavy=True, settle=workers.result
        )
    finally:
        workers.shutdown()  # its workers ran the app's script: the next tests start their own
    assert main_file == app.__file__  # the worker did run the script (as "__mp_main__")...
    assert imported == []  # ...which, under its guard, imported none of the page's modules


class _Placeholder:
    def __init__(self):
        self.shown = []

    def progress(self, fraction, text):
        self.shown.append((fraction, text))


def test_the_bar_says_when_a_fit_waits_and_how_many_starts_are_done(monkeypatch):
    monkeypatch.setattr(fitting._ProgressBar, "DELAY_SECONDS", 0.0)
    monkeypatch.setattr(fitting._ProgressBar, "INTERVAL_SECONDS", 0.0)
    placeholder = _Placeholder()
    bar = fitting._ProgressBar(placeholder, "Fitting EM from 10 starts", lambda done, total, _: f"{done} of {total}")
    bar(0, 0, float("nan"), queued=True)
    bar(0, 0, float("nan"))
    bar(3, 10, float("nan"))
    assert placeholder.shown == [
        (0.0, "Fitting EM from 10 starts: waiting to start (other heavy fits on this server go first)…"),
        (0.0, "Fitting EM from 10 starts…"),
        (pytest.approx(0.3), "Fitting EM from 10 starts: 3 of 10"),
    ]


EXIT_DURING_A_FIT = """
import threading, time
import numpy as np
import gmm_core
from gmm_ui import workers
X = np.random.default_rng(0).normal(size=(20_000, 2))
start = gmm_core.initialize(X, 3, "kmeans++")
fit = lambda: workers.run(
    "long", gmm_core.fit_em, X, start, max_iter=5000, tol=0, heavy=True, settle=id, reports_progress=True
)
threading.Thread(target=fit, daemon=True).start()
while not workers._jobs or not list(workers._jobs.values())[0].progress()[1]:
    time.sleep(0.01)
"""


def test_a_server_that_stops_during_a_heavy_fit_does_not_wait_for_it():
    import subprocess
    import sys

    began = time.perf_counter()
    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", EXIT_DURING_A_FIT], check=True, timeout=60, cwd=root)
    assert time.perf_counter() - began < 15  # the fit alone takes about a minute


def test_an_idle_pool_is_shut_down_and_the_next_heavy_fit_starts_another(everything_heavy, monkeypatch):
    monkeypatch.setattr(workers, "IDLE_SECONDS", 0.2)
    X = _data(0.108)
    start = gmm_core.initialize(X, 3, "kmeans++", random_state=0)
    assert fitting.fit_em(X, start, _settings()).error is None
    deadline = time.monotonic() + 10
    while workers.pool_started() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not workers.pool_started()
    X = _data(0.109)
    _assert_same_run(fitting.fit_em(X, start, _settings()).value, gmm_core.fit_em(X, start, max_iter=40, tol=0.0))


KILLED_DURING_A_FIT = """
import os, signal, sys
import numpy as np
import gmm_core
from gmm_ui import workers
X = np.random.default_rng(0).normal(size=(300, 2))
start = gmm_core.initialize(X, 3, "kmeans++")
workers.run("small", gmm_core.fit_em, X, start, heavy=True, settle=id)
open(sys.argv[1], "w").write(" ".join(map(str, workers._pool[0]._processes)))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_the_worker_of_a_server_killed_outright_ends_too(tmp_path):
    import subprocess
    import sys

    root, pids = Path(__file__).resolve().parents[1], tmp_path / "workers"
    server = subprocess.run(
        [sys.executable, "-c", KILLED_DURING_A_FIT, str(pids)],
        stdout=subprocess.DEVNULL,  # not a pipe: a worker left behind would hold it open
        stderr=subprocess.DEVNULL,
        cwd=root,
        timeout=60,
    )
    assert server.returncode == -signal.SIGKILL
    (worker,) = map(int, pids.read_text().split())
    deadline = time.monotonic() + 10 * workers.WATCH_SECONDS
    while Path(f"/proc/{worker}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = Path(f"/proc/{worker}").exists()
    if alive:
        os.kill(worker, signal.SIGKILL)
    assert not alive


def test_a_run_waiting_for_the_worker_gives_its_turn_to_the_next_page(monkeypatch):
    from gmm_ui import turns

    monkeypatch.setattr(turns, "TURNS", turns.Turns(1))
    others = []

    def waiting(done, total, value, queued=False):
        if done > 0 and not others:  # the fit runs in the worker: another page takes the only turn meanwhile
            other = threading.Thread(target=lambda: others.append(turns.TURNS.acquire() or turns.TURNS.release()))
            other.start()
            other.join(timeout=10)
            others.append(other.is_alive())

    with turns.TURNS.turn():
        _long_fit_in_the_pool("turns test", 0.107, waiting)
    assert others == [None, False]  # it got the turn, and gave it back, while this run waited
