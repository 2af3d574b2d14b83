"""What is known beyond the points, in Debian's chromium: S6a's true density drawn under "Show the truth".

Writes ``test-output/view_s6a_truth.png`` (1366x768, a laptop's screen) for people to look at.
"""

import json

import numpy as np

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    READ_TRACES,
    assert_no_exception,
    chart_slider,
    click_chart_step,
    screenshot,
    script_runs,
    wait_for_chart_step,
    wait_for_runs,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS

LAPTOP = {"width": 1366, "height": 768}


def _expect():
    from playwright.sync_api import expect

    return expect


def test_s6a_draws_its_true_density_under_show_the_truth(open_app):
    expect = _expect()
    page = open_app("?data=S6a")
    toggle = page.locator(".st-key-show_truth input[type=checkbox]")
    expect(toggle).to_be_enabled(timeout=CHART_TIMEOUT_MS)  # S6a knows its density: no longer greyed out
    expect(toggle).to_be_checked()
    (line,) = json.loads(wait_for_traces(page, "true_density", 0))
    x, y = np.array(line[0], dtype=float), np.array(line[1], dtype=float)
    inside = (x > 0) & (x < 1)
    np.testing.assert_allclose(y[inside], 2 - 2 * x[inside], rtol=0, atol=1e-9)
    assert np.all(y[(x < 0) | (x > 1)] == 0) and (x.min(), x.max()) == (-1.0, 2.0)
    assert inside.sum() > 50 and y.max() == 2.0  # drawn all along (0, 1), up to its step at 0

    # Off, the line goes; on, it comes back.
    since = script_runs(page)
    page.locator(".st-key-show_truth label").click()
    wait_for_runs(page, since)
    page.wait_for_function(f"() => ({READ_TRACES})([0, 'true_density']) === '[]'", timeout=CHART_TIMEOUT_MS)
    since = script_runs(page)
    page.locator(".st-key-show_truth label").click()
    wait_for_runs(page, since)
    assert json.loads(wait_for_traces(page, "true_density", 0))[0][:2] == line[:2]
    assert_no_exception(page)

    # The fit at its last iteration against the truth (the tutorial's picture), the toggle in sight.
    page.set_viewport_size(LAPTOP)
    last = len(chart_slider(page)["labels"]) - 1
    click_chart_step(page, last)
    wait_for_chart_step(page, last)
    chart = page.locator(CHART).first
    chart.evaluate("chart => chart.scrollIntoView({block: 'start'})")
    box = chart.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -70)  # Streamlit's header covers the top of its container: the legend comes out from under
    page.wait_for_function(f"() => document.querySelector('{CHART}').getBoundingClientRect().top > 60")
    page.locator(".st-key-show_truth").scroll_into_view_if_needed()  # scrolls the sidebar only
    screenshot(page, "view_s6a_truth.png")
