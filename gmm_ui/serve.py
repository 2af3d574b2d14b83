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
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *options]
    cli.main()


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
