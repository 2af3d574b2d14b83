"""The exported EM chart (issue 17, item 5) in Debian's chromium with every request refused: it draws and plays
offline, Play reaching the last iteration by itself."""

import time

import pytest

from gmm_ui.tabs import em
from tests.browser_support import BROWSER_TESTS, CHART_TIMEOUT_MS
from tests.test_animation_export import scenario_fit

pytestmark = [*BROWSER_TESTS, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

SLIDER = """() => {
    const graph = document.querySelector('.js-plotly-plot');
    return graph && graph._fullLayout && graph._fullLayout.sliders ? graph._fullLayout.sliders[0].active : null;
}"""


def test_the_exported_chart_plays_offline(browser, tmp_path):
    fit = scenario_fit("S1")  # converges in 7 iterations
    path = tmp_path / "gmm_em_animation.html"
    path.write_bytes(em.animation_file(fit, (), False, False)())
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    fetched = []
    context.route("http*://**", lambda route: (fetched.append(route.request.url), route.abort()))
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        page.wait_for_function(f"({SLIDER})() === 0", timeout=CHART_TIMEOUT_MS)
        started = time.monotonic()
        page.locator(".updatemenu-button").filter(has_text="Play").click()
        page.wait_for_function(f"({SLIDER})() === {fit.run.n_iter}", timeout=CHART_TIMEOUT_MS, polling="raf")
        assert time.monotonic() - started < 10  # paced: seconds, not a crawl
        assert not fetched, fetched
    finally:
        context.close()


def test_the_em_tab_downloads_the_animation_made_on_the_click(page):
    """The button is drawn without the file (Streamlit's deferred download): clicking it makes and sends it."""
    button = page.locator(".st-key-download_animation").get_by_role("button", name="Animated chart")
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=CHART_TIMEOUT_MS) as download:
        button.click()
    assert download.value.suggested_filename == "gmm_em_animation.html"
    html = open(download.value.path(), encoding="utf-8").read()
    assert "Plotly.addFrames" in html and len(html) > 3_000_000
