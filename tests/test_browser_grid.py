"""The lab's figure in Debian's chromium: S2's iterations side by side under the EM chart, on a laptop's screen
(1366 x 768), and its camera button downloading the whole grid as one image. Writes
``test-output/view_iterations_grid.png`` (the grid), ``view_iterations_grid_section.png`` (its controls) and
``iterations_grid_download.png`` (the image downloaded)."""

import json
import struct

from gmm_ui import state
from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    SCREENSHOTS,
    assert_no_exception,
    new_counting_page,
    screenshot,
    wait_for_runs,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS

LAPTOP = {"width": 1366, "height": 768}
LAB_ITERATIONS = [0, 1, 5, 10, 25, 40]


def _png_size(path):
    """(width, height) of a PNG file, from its IHDR chunk."""
    with open(path, "rb") as image:
        header = image.read(24)
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def _scroll_to_top(locator):
    """Scroll Streamlit's own container until ``locator`` sits at the top of the screen, under the page's header."""
    locator.evaluate(
        """element => {
            let box = element.parentElement;
            const scrolls = b =>
                ["auto", "scroll"].includes(getComputedStyle(b).overflowY) && b.scrollHeight > b.clientHeight;
            while (box && !scrolls(box)) box = box.parentElement;
            box.scrollBy(0, element.getBoundingClientRect().top - 64);
        }"""
    )


def test_s2s_iterations_side_by_side_download_as_one_image(browser, app_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport=LAPTOP, accept_downloads=True)
    try:
        page = new_counting_page(context)
        page.goto(f"{app_url}/?data=S2")
        page.locator(CHART).first.wait_for(timeout=CHART_TIMEOUT_MS)
        runs = wait_for_runs(page, 0, exactly=False)  # and one more where the window's size shortens the chart
        charts = page.locator(CHART)
        grid = page.locator(f".st-key-{state.GRID_CHART}")
        expect(grid).to_have_count(0)  # closed, the section builds nothing
        page.get_by_text("Iterations side by side").click()
        expect(grid).to_have_count(1, timeout=CHART_TIMEOUT_MS)
        wait_for_runs(page, runs)

        index = charts.count() - 1  # the last chart of the tab (the maths panel's is above it)
        ellipses = json.loads(wait_for_traces(page, "ellipse", index))
        assert len(ellipses) == len(LAB_ITERATIONS) * 2 * 2  # six panels, two components at 1σ and 2σ
        grid = charts.nth(index)
        for iteration in LAB_ITERATIONS:
            expect(grid.get_by_text(f"Iteration {iteration}", exact=True)).to_be_visible()
        expect(page.locator(".st-key-grid_text input")).to_have_value("0, 1, 5, 10, 25, 40")
        assert_no_exception(page)
        _scroll_to_top(grid)  # the whole grid on a laptop's screen
        screenshot(page, "view_iterations_grid.png")
        _scroll_to_top(page.get_by_text("Iterations side by side"))
        screenshot(page, "view_iterations_grid_section.png")  # its controls over it

        camera = grid.locator(".modebar-btn[data-title^='Download plot']")
        expect(camera).to_have_count(1)  # the toolbar is always shown
        with page.expect_download(timeout=CHART_TIMEOUT_MS) as download:
            camera.click()
        assert download.value.suggested_filename == "em_iterations_0_1_5_10_25_40.png"
        saved = SCREENSHOTS / "iterations_grid_download.png"
        download.value.save_as(saved)  # for people to look at, as a slide would show it
        width, height = _png_size(saved)
        assert width == 3000 and 1500 < height < 3000  # 1500 px wide at twice the pixels, two rows
    finally:
        context.close()
