"""Start the app's server with the app's modules already imported.

``streamlit run`` imports nothing of the app until the first visitor's page runs the script, so that visitor
waits for NumPy, SciPy, Plotly and the engine to load (about a second on a 2-core machine) before the first
chart. Importing them here, before the server starts, moves that wait to start-up.

    python -m gmm_ui.serve [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import contextlib
import logging
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


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
    with without_cache_notice():
        import streamlit.emojis  # noqa: F401  (icon names, checked when the first page draws an icon)

        import gmm_ui.comparison_views  # noqa: F401  (the views, figures, engine and their libraries)
        import gmm_ui.views  # noqa: F401
    _one_blas_thread()
    _warm_up_plotly()
    _warm_up_first_visit()
    _warm_up_inspect()
    _preload_chart_scripts()
    _listen_without_nagle()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


#: Streamlit's scripts that the first page needs but loads only when a chart first mounts: Plotly's (4.7 MB) takes
#: 0.3 s to run, and longer to fetch and compile, once the app's first elements have arrived.
PRELOADED_SCRIPTS = ("PlotlyChart.",)


def _preload_chart_scripts():
    """Serve Streamlit's page with PRELOADED_SCRIPTS as module scripts of its own, so that the browser fetches, compiles
    and runs them while the page waits for the app's first elements, rather than after them.

    A module runs once per page, so when the first chart asks for the script, it is there already. Measured at 12
    page openings each, in turn: first chart 3.19 s as Streamlit serves it, 2.96 s with Plotly's script run this way.

    Streamlit serves its page and scripts from ``file_util.get_static_dir()``; that folder is mirrored here by
    symbolic links, with a copy of ``index.html`` that names the scripts. Nothing of the installed package is
    changed; if a script is not found (another Streamlit version), the page is served as it is.
    """
    import atexit
    import shutil
    import tempfile

    from streamlit import file_util

    source = Path(file_util.get_static_dir())
    scripts = [
        path for prefix in PRELOADED_SCRIPTS for path in sorted((source / "static" / "js").glob(f"{prefix}*.js"))
    ]
    page = (source / "index.html").read_text(encoding="utf-8")
    if not scripts or "</head>" not in page:
        return
    mirror = Path(tempfile.mkdtemp(prefix="gmm-explorer-page-"))
    atexit.register(shutil.rmtree, mirror, ignore_errors=True)
    for entry in source.iterdir():
        if entry.name != "index.html":
            (mirror / entry.name).symlink_to(entry)
    tags = "".join(f'<script type="module" src="./static/js/{path.name}"></script>\n  ' for path in scripts)
    (mirror / "index.html").write_text(page.replace("</head>", tags + "</head>", 1), encoding="utf-8")
    file_util.get_static_dir = lambda: str(mirror)


def _one_blas_thread():
    """Run BLAS on one thread in the server (NumPy's and SciPy's OpenBLAS, both loaded by now); returns the limiter.

    The engine runs its fits on threads of its own, with BLAS on one thread meanwhile; the rest of a run (each
    frame's responsibilities of the drawn points, the figures) makes small products, which OpenBLAS split over its
    two threads. Its threads wait for each other by spinning, and while a browser on the same two cores loads the
    page, a wait can last milliseconds: the EM chart's frames of S1 took 3 to 112 ms of CPU per page opening (their
    work is about 3 ms), CPU the browser needed. With one thread: 2 to 6 ms. (The first chart and a refit took as
    long as before within this machine's noise: 12 and 10 alternating tries on two servers.)
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1, user_api="blas")


def _listen_without_nagle():
    """Make the server's connections send small writes at once (TCP_NODELAY), as asyncio means them to.

    Streamlit binds its listening socket itself, as ``socket.socket(family)``: its protocol number is 0, and asyncio
    turns Nagle's algorithm off only on sockets whose protocol is TCP's. With Nagle on, a response written as two
    pieces (headers, then body) waits for the browser to acknowledge the first, which it delays by 40 ms: every
    request after the first few on a kept-alive connection took 40 ms, even for a 100-byte script, and the page
    loads about 60 scripts on 6 connections. The listening socket is made again from the same descriptor, which
    reads the protocol from the kernel, so that the connections it accepts carry it.

    Measured with 8 refits each, in turn (10^5 points, 100 iterations): 1.21 s with Nagle's algorithm, 1.07 s
    without; a small script on a kept-alive connection, 41 ms before and under 2 ms after.
    """
    import socket

    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:  # another Streamlit: its server is left as it is
        return
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        return

    def bind_tcp(*args, **kwargs):
        listener = bind(*args, **kwargs)
        if listener.family not in (socket.AF_INET, socket.AF_INET6) or listener.proto == socket.IPPROTO_TCP:
            return listener
        tcp = socket.socket(fileno=listener.detach())
        tcp.setblocking(False)
        tcp.set_inheritable(True)
        return tcp

    starlette_server._bind_socket = bind_tcp


def _warm_up_inspect():
    """Streamlit calls ``inspect.stack()`` when the server's first session draws its first element, to ask whether it
    runs in a Python prompt (and warn if so). The first such call in a process maps the file of every loaded module
    (about 0.2 s once the app's libraries are loaded); made here first, the first visitor's still read the source of
    each of its own frames (0.09 s). The answer is known, since Streamlit's command line starts the server below: the
    question is marked as asked, where this Streamlit keeps that mark."""
    import inspect

    from streamlit import delta_generator

    inspect.stack()
    if hasattr(delta_generator, "_use_warning_has_been_displayed"):
        delta_generator._use_warning_has_been_displayed = True


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
    from gmm_ui import figures, views

    X = np.array([[0.0, 0.0], [1.0, 0.2], [0.1, 1.0], [4.0, 4.0], [5.0, 4.2], [4.1, 5.0]])
    run = gmm_core.fit_em(X, gmm_core.initialize(X, 2, "kmeans++", random_state=0), max_iter=2)
    frames, note = views.em_frames(run, X, False, 0)
    figure = figures.em_animation_figure(X, frames, figures.plane_view(X, ["x", "y"]), run.log_likelihood, note=note)
    plotly.io.to_json(figure.to_dict(), validate=False)


if __name__ == "__main__":
    main(sys.argv[1:])
