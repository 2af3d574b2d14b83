"""Heavy fits in a separate process, so that one student's long fit does not hold the server's interpreter.

Streamlit runs every session's script on a thread of one Python process: a fit of K = 200 components on 600,000
points would hold the GIL in its Python parts for minutes and slow every other page. :func:`run` sends a heavy
call to a small pool of worker processes (started by ``spawn``: forking the threaded server is unsafe) and waits
for it without holding the GIL, replaying the progress the worker reports so that the student who asked sees how
far it has come. A light call runs here: starting a process and copying the data would cost more than it does.

Calls are joined by their key: a session that reruns while its fit is still running (or another session asking
for the same fit) waits for the same job instead of starting another. A job whose sessions all left is not
cancelled: it goes on, and its outcome is settled (kept in the server's store of fits, gmm_ui.fitting) all the
same, so that a return to the page finds it. A worker that dies (killed, out of memory) fails its job with
:class:`WorkerDied`, and the next heavy call starts a new pool; so does the first heavy call after the pool sat
idle for :data:`IDLE_SECONDS` and was shut down.

Nothing here imports Streamlit, and a worker imports only this module and the engine. A spawned process first
runs its parent's main module (as ``__mp_main__``), and in a Streamlit server that is the app's script, which every
run of a page installs as ``__main__``: ``streamlit_app.py`` therefore draws the page, and imports Streamlit and the
page's modules, only under ``if __name__ == "__main__":`` (multiprocessing's documented idiom), so that in a
worker it only defines a function.
"""

from __future__ import annotations

import concurrent.futures
import math
import multiprocessing
import os
import pickle
import threading
import time
from concurrent.futures.process import BrokenProcessPool

from . import turns

#: Jobs that can report progress at once (each has a slot of the shared array); more wait without a bar.
SLOTS = 64
_FIELDS = 5  # started, changes (odd while one is being written), done, total, value
#: How often a waiting script thread looks at its job (and redraws its progress), in seconds.
POLL_SECONDS = 0.1
#: How often a worker checks that the server that started it is still there, in seconds.
WATCH_SECONDS = 2
#: A pool with no job for this long is shut down: its worker holds about 140 MB after a heavy fit (docs/load.md),
#: and the next heavy fit starts another (1-2.5 s).
IDLE_SECONDS = 300

_lock = threading.Lock()
_pool = None  # (executor, shared progress array), created by the first heavy call
_jobs = {}  # key -> _Job, while it runs
_free_slots = list(range(SLOTS))
_last_finished = 0.0  # time.monotonic() when a job last ended


class WorkerDied(Exception):
    """The worker process running a job ended before the job did (killed, or out of memory)."""


def max_workers():
    """One process per core but one (the server's own threads keep one): on 2 cores, one worker."""
    return max(1, (os.cpu_count() or 2) - 1)


# --- In the worker process --------------------------------------------------------------------------------------

_progress_array = None


def _start_worker(array):
    """A worker's set-up: the shared progress array; BLAS on one thread and freed memory returned to the system,
    as in the server (the engine's chunks already use every core, and BLAS threads of SciPy's loaded after them
    would spin-wait beside them; a heavy fit's arrays are large)."""
    global _progress_array
    _progress_array = array
    from gmm_ui import runtime
    from gmm_ui.serve import _return_freed_memory

    runtime.one_blas_thread()
    _return_freed_memory()
    threading.Thread(target=_end_with_the_server, args=(os.getppid(),), daemon=True).start()


def _end_with_the_server(server):
    """End this worker once the server has gone: a server killed outright (SIGKILL, out of memory) runs no exit
    hook, and an idle worker would wait for its next job for ever (it holds the job queue's writing end too)."""
    while os.getppid() == server:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


class _Pickled(bytes):
    """A value pickled with protocol 5, which keeps read-only arrays read-only (the engine's runs are): the pool's
    own pickling (protocol 4) would hand them back writeable, unlike the same fit run here."""

    @classmethod
    def of(cls, value):
        return cls(pickle.dumps(value, protocol=5))

    def load(self):
        return pickle.loads(self)


def _call(call, slot, reports_progress):
    """Run the pickled ``(function, args, kwargs)`` in the worker, writing its progress to ``slot`` of the shared
    array; returns its value pickled."""
    function, args, kwargs = call.load()
    if slot is not None:
        base = slot * _FIELDS
        _progress_array[base] = 1.0  # started

        def progress(done, total, value=math.nan):
            _progress_array[base + 1] += 1
            _progress_array[base + 2 : base + 5] = [done, total, value]
            _progress_array[base + 1] += 1

        if reports_progress:
            kwargs = {**kwargs, "progress": progress}
    return _Pickled.of(function(*args, **kwargs))


# --- In the server ----------------------------------------------------------------------------------------------


def _executor():
    """The server's pool and its progress array, created once (again after a worker died)."""
    global _pool
    with _lock:
        if _pool is None:
            context = multiprocessing.get_context("spawn")
            array = context.RawArray("d", SLOTS * _FIELDS)
            executor = concurrent.futures.ProcessPoolExecutor(
                max_workers(), mp_context=context, initializer=_start_worker, initargs=(array,)
            )
            _pool = (executor, array)
        return _pool


def _discard(executor):
    """Forget a broken pool (if it is still the current one): the next heavy call starts a new one."""
    global _pool
    with _lock:
        if _pool is not None and _pool[0] is executor:
            _pool = None
    executor.shutdown(wait=False, cancel_futures=True)


def _shut_if_idle(executor):
    """Shut the pool down if it has had no job for :data:`IDLE_SECONDS`, returning its worker's memory."""
    global _pool
    with _lock:
        if _jobs or _pool is None or _pool[0] is not executor or time.monotonic() - _last_finished < IDLE_SECONDS:
            return
        _pool = None
    executor.shutdown(wait=False)


def _end_workers_at_exit():
    """End the workers at once when the server stops: concurrent.futures joins them at exit, so that a stopped
    server waited for its longest fit to end (minutes). Their jobs fail, as if the workers died."""
    pool = _pool
    if pool is not None:
        for process in list(pool[0]._processes.values()):  # no public way before Python 3.14's terminate_workers
            process.terminate()


# Run before concurrent.futures' own exit hook (registered when it was imported: these run in reverse order).
threading._register_atexit(_end_workers_at_exit)


def shutdown():
    """End the pool's processes (tests; the server's own exit ends them too)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool[0].shutdown(wait=True, cancel_futures=True)


def pool_started():
    return _pool is not None


class _Job:
    """A call in the pool: its future, its progress slot, and its outcome once settled (or the error settling
    raised), for every session waiting for it."""

    def __init__(self, future, slot, array):
        self.future, self.slot, self.array = future, slot, array
        self.settled = threading.Event()
        self.outcome = self.error = None

    def progress(self):
        """(started, done, total, value) as the worker last reported them; all zero until it starts."""
        if self.slot is None:
            return 0.0, 0.0, 0.0, math.nan
        base = self.slot * _FIELDS
        for _ in range(100):  # read again if the worker was writing meanwhile
            started, changes, done, total, value = self.array[base : base + _FIELDS]
            if changes % 2 == 0 and self.array[base + 1] == changes:
                break
        return started, done, total, value


def _submit(key, function, args, kwargs, reports_progress, settle):
    """The running job of ``key``, or a new one in the pool."""
    with _lock:
        if (job := _jobs.get(key)) is not None:
            return job
        slot = _free_slots.pop() if _free_slots else None
    call = _Pickled.of((function, args, kwargs))
    executor, array = _executor()
    if slot is not None:
        array[slot * _FIELDS : (slot + 1) * _FIELDS] = [0.0, 0.0, 0.0, 0.0, math.nan]
    try:
        future = executor.submit(_call, call, slot, reports_progress)
    except (BrokenProcessPool, RuntimeError):  # a worker died after the last job, or the idle pool was shut down
        _discard(executor)
        executor, array = _executor()
        future = executor.submit(_call, call, slot, reports_progress)
    job = _Job(future, slot, array)
    with _lock:
        _jobs[key] = job

    def finished(future):
        global _last_finished
        if not future.cancelled() and isinstance(future.exception(), BrokenProcessPool):
            _discard(executor)
        try:
            job.outcome = settle(future)
        except BaseException as error:  # noqa: BLE001  (raised again in the sessions waiting for it)
            job.error = error
        finally:
            with _lock:
                _jobs.pop(key, None)
                if slot is not None:
                    _free_slots.append(slot)
                _last_finished = time.monotonic()
            job.settled.set()
            idle = threading.Timer(IDLE_SECONDS, _shut_if_idle, (executor,))
            idle.daemon = True
            idle.start()

    future.add_done_callback(finished)
    return job


def run(key, function, *args, heavy, settle, progress=None, reports_progress=False, **kwargs):
    """``settle(future)`` of the call ``function(*args, **kwargs)``, made here if not ``heavy``, else in the pool.

    ``settle`` turns the future (read it with :func:`result`) into the outcome; it is called once per call, even
    if nobody waits for it any more, so it is where the outcome is kept. Heavy calls with the same ``key`` share
    one job while it runs. ``reports_progress``: ``function`` takes a ``progress(done, total, value)`` keyword.
    ``progress`` shows it: passed to ``function`` here, or called by this thread while it waits for a heavy call,
    about every :data:`POLL_SECONDS` even when nothing changed, so that Streamlit can end the wait at once when
    the session reruns or closes (it raises from ``progress``; the job goes on). Before a worker takes the job it
    is called as ``progress(0, 0, nan, queued=True)``; for a job that reports nothing, as ``progress(0, 0, nan)``.
    """
    if not heavy:
        future = concurrent.futures.Future()
        try:
            reporting = {"progress": progress} if reports_progress and progress is not None else {}
            future.set_result(function(*args, **kwargs, **reporting))
        except Exception as error:  # noqa: BLE001  (settle reads it from the future, as a pool job's)
            future.set_exception(error)
        return settle(future)
    job = _submit(key, function, args, kwargs, reports_progress, settle)
    with turns.stepped_out():  # the GIL is free meanwhile, and the run's turn goes to the next page
        while not job.settled.wait(POLL_SECONDS):
            if progress is not None:
                started, done, total, value = job.progress()
                progress(int(done), int(total), value, **({} if started else {"queued": True}))
    if job.error is not None:
        raise job.error
    return job.outcome


def result(future):
    """The value of a call's future, or its function's exception; :class:`WorkerDied` if its worker ended."""
    try:
        value = future.result()
    except BrokenProcessPool:
        raise WorkerDied("the process running it ended before it did") from None
    return value.load() if isinstance(value, _Pickled) else value
