"""Start the app's server with the app's modules already imported.

``streamlit run`` imports nothing of the app until the first visitor's page runs the script, so that visitor
waits for NumPy, SciPy, Plotly and the engine to load (about a second on a 2-core machine) before the first
chart. Importing them here, before the server starts, moves that wait to start-up.

    python -m gmm_ui.serve [streamlit options, e.g. --server.port 8501]
"""

from __future__ import annotations

import sys
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "streamlit_app.py"


def main(options):
    import logging

    # Decorating a cached function before the server exists logs that it would use an in-memory cache; once the
    # server runs, calls use the server's cache as usual, so the notice is noise here.
    def no_runtime_notice(record):
        return "No runtime found" not in record.getMessage()

    cache_log = logging.getLogger("streamlit.runtime.caching.cache_data_api")
    cache_log.addFilter(no_runtime_notice)
    try:
        import gmm_ui.comparison_views  # noqa: F401  (the views, figures, engine and their libraries)
        import gmm_ui.views  # noqa: F401
        import streamlit.emojis  # noqa: F401  (icon names, checked when the first page draws an icon)
    finally:
        cache_log.removeFilter(no_runtime_notice)
    _warm_up_plotly()
    _warm_up_inspect()
    _preload_chart_scripts()
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
    scripts = [path for prefix in PRELOADED_SCRIPTS for path in sorted((source / "static" / "js").glob(f"{prefix}*.js"))]
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


def _warm_up_inspect():
    """Streamlit calls ``inspect.stack()`` when a session draws its first element; the first such call in a process
    maps the file of every loaded module (about 0.2 s once the app's libraries are loaded). Make it now."""
    import inspect

    inspect.stack()


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
    plotly.io.to_json(figures.log_likelihood_figure(run.log_likelihood, 0), validate=False)


if __name__ == "__main__":
    main(sys.argv[1:])
