"""Start the app's server with the app's modules already imported (``make run``).

``streamlit run`` imports nothing of the app until the first visitor's page runs the script, so that visitor
waits for NumPy, SciPy, Plotly and the engine to load (about a second on a 2-core machine) before the first
chart. Importing them here, and drawing one small chart, before the server starts moves that wait to start-up.
Besides, the server's connections send small writes at once (see ``_listen_without_nagle``). Everything else the
app needs it sets itself (``gmm_ui.runtime``), so a plain ``streamlit run streamlit_app.py`` serves the same app.

    python -m gmm_ui.serve [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"
log = logging.getLogger(__name__)


@contextlib.contextmanager
def without_cache_notice():
    """Import the app's modules without Streamlit's notice that a cached function has no runtime.

    Decorating a cached function before the server exists logs that it would use an in-memory cache; once the
    server runs, calls use the server's cache as usual, so the notice is noise.
    """

    def no_runtime_notice(record):
        return "No runtime found" not in record.getMessage()

    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    cache_log.addFilter(no_runtime_notice)
    try:
        yield
    finally:
        cache_log.removeFilter(no_runtime_notice)


def main(options):
    _return_freed_memory()
    with without_cache_notice():
        import streamlit.emojis  # noqa: F401  (icon names, checked when the first page draws an icon)

        from gmm_ui import runtime
        from gmm_ui.tabs import choose_k, covariance, em, kmeans, sampling, starts  # noqa: F401  (and their libraries)
    runtime.one_blas_thread()  # as the app's script sets it, here before the warm-ups below
    runtime.prompt_event_loop()
    _warm_up_plotly()
    _warm_up_first_visit()
    _listen_without_nagle()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


def _return_freed_memory():
    """Make glibc's allocator give freed memory back to the system (issue 21): Python's big arrays (a fit's
    snapshots, an upload's columns) are freed but, after the first large block has been freed, glibc serves later
    ones from its heap, whose top only shrinks when nothing above is in use. A fixed threshold (128 KB) keeps every
    large block in its own mapping, returned on free; two arenas (rather than 8 per core) keep the threads of
    many sessions from each holding memory of their own. Measured on a 33 MB upload: 294 MB held after parsing
    before, 213 MB after (110 MB before parsing). Elsewhere than glibc this does nothing. Returns whether it applied.
    """
    import ctypes
    import ctypes.util

    M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    return bool(mallopt(M_MMAP_THRESHOLD, 128 * 1024)) and bool(mallopt(M_ARENA_MAX, 2))


def _listen_without_nagle():
    """Make the server's connections send small writes at once (TCP_NODELAY), as asyncio means them to: a work-around
    for a Streamlit bug, its listening socket created with protocol number 0.

    Streamlit binds its listening socket itself, as ``socket.socket(family)``, and asyncio turns Nagle's algorithm
    off only on sockets whose protocol is TCP's. With Nagle on, a response written as two pieces (headers, then
    body) waits for the browser to acknowledge the first, which it delays by 40 ms: every request after the first
    few on a kept-alive connection took 40 ms, even for a 100-byte script, and the page loads about 60 scripts on 6
    connections. The listening socket is made again from the same descriptor, which reads the protocol from the
    kernel, so that the connections it accepts carry it.

    Measured with 8 refits each, in turn (10^5 points, 100 iterations): 1.21 s with Nagle's algorithm, 1.07 s
    without; a small script on a kept-alive connection, 41 ms before and under 2 ms after.

    With a Streamlit that binds no socket this way (another version), its server is left as it is and one line is
    logged. Returns whether the fix applies.
    """
    import socket

    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        starlette_server = None
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        log.warning("gmm_ui.serve: this Streamlit has no starlette_server._bind_socket; connections keep Nagle's delay")
        return False

    def bind_tcp(*args, **kwargs):
        listener = bind(*args, **kwargs)
        if listener.family not in (socket.AF_INET, socket.AF_INET6) or listener.proto == socket.IPPROTO_TCP:
            return listener
        tcp = socket.socket(fileno=listener.detach())
        tcp.setblocking(False)
        tcp.set_inheritable(True)
        return tcp

    starlette_server._bind_socket = bind_tcp
    return True


def _warm_up_first_visit():
    """What the first visitor's page computes once per process: the list of presets (each preset's data, kept by
    ``gmm_core.load_scenario``) and a start table's round trip through pandas (its string columns' first use)."""
    import numpy as np

    import gmm_core
    from gmm_ui import tables

    gmm_core.list_scenarios()
    params = gmm_core.GaussianMixtureParams(np.ones(2) / 2, np.zeros((2, 2)), np.stack([np.eye(2)] * 2))
    tables.frame_to_params(tables.params_to_frame(params), 2, 2)


def _warm_up_plotly():
    """Draw one small EM chart: Plotly loads its default template and the validators the app's figures use only
    when a first figure needs them (about 0.3 s), which would otherwise fall on the first visitor's page."""
    import numpy as np
    import plotly.io

    import gmm_core
    from gmm_ui import figures, stages

    X = np.array([[0.0, 0.0], [1.0, 0.2], [0.1, 1.0], [4.0, 4.0], [5.0, 4.2], [4.1, 5.0]])
    run = gmm_core.fit_em(X, gmm_core.initialize(X, 2, "kmeans++", random_state=0), max_iter=2)
    frames, note = stages.em_frames(run, X, False, 0)
    figure = figures.em_animation_figure(X, frames, figures.plane_view(X, ["x", "y"]), run.log_likelihood, note=note)
    plotly.io.to_json(figure.to_dict(), validate=False)


if __name__ == "__main__":
    main(sys.argv[1:])
