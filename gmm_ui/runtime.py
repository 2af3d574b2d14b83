"""What the app sets once for its whole process, however it is started (``make run`` or ``streamlit run``)."""

from __future__ import annotations

import functools


@functools.cache
def one_blas_thread():
    """Run BLAS on one thread in this process (NumPy's and SciPy's OpenBLAS); returns the limiter. Called by every
    run of the app's script; only the first call in a process does anything.

    The engine runs its fits on threads of its own, with BLAS on one thread meanwhile; the rest of a run (each
    frame's responsibilities of the drawn points, the figures) makes small products, which OpenBLAS split over its
    two threads. Its threads wait for each other by spinning, and while a browser on the same two cores loads the
    page, a wait can last milliseconds: the EM chart's frames of S1 took 3 to 112 ms of CPU per page opening (their
    work is about 3 ms), CPU the browser needed. With one thread: 2 to 6 ms. (The first chart and a refit took as
    long as before within this machine's noise: 12 and 10 alternating tries on two servers.)

    The limit covers the libraries loaded when it is set, so SciPy's BLAS is loaded first; it is process-wide, so it
    holds on every thread Streamlit runs the script on.
    """
    import scipy.linalg  # noqa: F401  (loads SciPy's own BLAS beside NumPy's)
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


#: How long a thread may hold the interpreter before another that wants it gets it (Python's default: 5 ms).
SWITCH_INTERVAL = 0.0002


@functools.cache
def prompt_event_loop():
    """Let the server's event loop take the interpreter back within 0.2 ms rather than 5 (``sys.setswitchinterval``);
    called by every run of the app's script, only the first call in a process does anything.

    Streamlit's event loop sends every page's messages, each in a turn of its own, and between two it lets go of
    the interpreter (to poll its sockets); while script threads work, each time it must wait for one of them to hand
    the interpreter back, up to the switch interval. At 5 ms that is about 200 messages a second for all the pages
    together, and a class's pages queue behind each other: 40 students at once got their first element after
    3.6 s (median, worst 5.9 s); at 0.2 ms, within 0.5-0.9 s, at some CPU for the extra switches (docs/load.md).
    """
    import sys

    sys.setswitchinterval(SWITCH_INTERVAL)
