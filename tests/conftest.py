"""Shared test settings: hypothesis profiles sized for CI (2 cores, well under 15 minutes), and the browser tests'
fixtures (one app server and one chromium for the whole session; see tests/browser_support.py), and one small EM
run the figure tests share."""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

import gmm_core
from tests import browser_support

settings.register_profile(
    "ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile("dev", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def two_d_run():
    """EM on three well-separated 2-D clusters from a deliberately poor start, 50 iterations (everything moves)."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(center, 0.7, (60, 2)) for center in ([0, 0], [6, 0], [3, 5])])
    start = gmm_core.GaussianMixtureParams(np.full(3, 1 / 3), X[[0, 1, 2]], np.tile(np.eye(2), (3, 1, 1)))
    return gmm_core.fit_em(X, start, max_iter=50, tol=0.0)


@pytest.fixture(scope="session")
def scratch(tmp_path_factory):
    """HOME and TMPDIR for chromium, Playwright's driver and the app server: nothing is written elsewhere."""
    return tmp_path_factory.mktemp("browser-home")


@pytest.fixture(scope="session")
def app_url(scratch):
    """The app served headless on a free loopback port; the server is always stopped afterwards."""
    with browser_support.served_app(scratch) as url:
        yield url


@pytest.fixture(scope="session")
def browser(scratch):
    with browser_support.launched_chromium(scratch) as chromium:
        yield chromium


@pytest.fixture
def open_app(browser, app_url):
    """Opens a fresh session of the app (its own session state) at ``query`` and waits for its first chart."""
    contexts = []

    def open_page(query=""):
        context = browser.new_context(viewport=browser_support.VIEWPORT)
        contexts.append(context)
        page = browser_support.new_counting_page(context)
        page.goto(f"{app_url}/{query}")
        page.locator(browser_support.CHART).first.wait_for(timeout=browser_support.CHART_TIMEOUT_MS)
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(open_app):
    """A fresh session of the app, loaded in one run (finished) up to its first chart's ellipses."""
    page = open_app()
    browser_support.wait_for_ellipses(page)
    browser_support.wait_for_runs(page, 0)
    return page
