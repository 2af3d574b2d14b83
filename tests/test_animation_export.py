"""The animated EM chart exported as one HTML file that plays offline (issue 17, item 5): Plotly's library inlined,
every frame in the file, nothing fetched; offered beside the EM tab's other exports and made only on a click."""

import re
from pathlib import Path

import pytest
from plotly.offline import get_plotlyjs
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core.scenarios import load_scenario
from gmm_ui import data, fitting
from gmm_ui.controls import DisplayOptions
from gmm_ui.page import Fit
from gmm_ui.tabs import em

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def scenario_fit(key, max_iter=None):
    """The :class:`gmm_ui.page.Fit` of preset ``key`` as prescribed (its start, K and stopping rule)."""
    scenario = load_scenario(key)
    source = data.from_scenario(scenario, identity=f"preset:{key}")
    names = list(scenario.feature_names)
    fit_data = data.prepare_fit_data(source, names, names[:2], False)
    start = scenario.initial
    if start is None:
        start = gmm_core.initialize(
            fit_data.X, scenario.n_components, method=scenario.init_method, random_state=scenario.random_state
        )
    settings = fitting.FitSettings(
        start.n_components,
        scenario.covariance_type,
        max_iter or scenario.max_iter,
        scenario.tol,
        scenario.convergence,
        scenario.reg_covar,
    )
    run = gmm_core.fit_em(
        fit_data.X,
        start,
        max_iter=settings.max_iter,
        tol=settings.tol,
        covariance_type=settings.covariance_type,
        reg_covar=settings.reg_covar,
        convergence=settings.convergence,
    )
    return Fit(fit_data, settings, "given", 0, DisplayOptions((1, 2), False), start, run)


def test_the_exported_chart_holds_plotly_and_every_frame_and_fetches_nothing():
    fit = scenario_fit("S2")
    html = em.animation_file(fit, (), False, False)().decode("utf-8")
    frames, _, _ = em._em_frames(fit, (), False, 0)
    assert html.lower().startswith("<!doctype html>") and html.rstrip().endswith("</html>")
    assert "Plotly.newPlot" in html and "Plotly.addFrames" in html
    assert get_plotlyjs() in html  # plotly.js itself, inlined
    assert not re.search(r"<script[^>]*\bsrc=", html)  # no external script: plays offline
    for frame in frames:
        assert f'"name":"{frame.name}"' in html
    assert '"updatemenus"' in html and "Play" in html


def test_the_em_tab_offers_the_animation_beside_its_other_exports():
    app = AppTest.from_file(APP, default_timeout=60).run()
    assert not app.exception
    buttons = {b.key: b for b in app.get("download_button")}
    assert {"download_parameters", "download_history", "download_animation"} <= set(buttons)
    proto = buttons["download_animation"].proto
    assert proto.label.startswith("Animated chart (HTML") and not proto.url  # made on the click, not every rerun
