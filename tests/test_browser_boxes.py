"""The two-boxes view in Debian's chromium: opened by its link, stepped by its iteration control, and photographed
(``test-output/view_two_boxes*.png``) at a laptop's and a phone's size for people to look at."""

import json

from gmm_ui import state
from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    assert_no_exception,
    screenshot,
    script_runs,
    wait_for_runs,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS

LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def _metric(page, value):
    return page.locator('[data-testid="stMetricValue"]', has_text=value)


def test_the_two_boxes_view_steps_through_the_tutorials_iterations(open_app):
    from playwright.sync_api import expect

    page = open_app("?view=boxes")
    expect(page.locator(CHART)).to_have_count(2, timeout=CHART_TIMEOUT_MS)  # the path of p1, p2; the log-likelihood
    expect(_metric(page, "0.347")).to_be_visible()  # soft EM after one iteration
    expect(_metric(page, "0.580")).to_be_visible()
    expect(_metric(page, "0.333")).to_be_visible()  # hard EM: 1/3 and 0.6
    before = wait_for_traces(page, "boxes_current", 0)
    assert [round(x[0], 3) for x, _, _ in json.loads(before)] == [0.347, 0.333]
    wait_for_runs(page, 0, exactly=False)

    runs = script_runs(page)
    control = page.locator(f".st-key-{state.BOXES_ITERATION}").get_by_role("slider")
    control.focus()
    page.keyboard.press("ArrowRight")
    wait_for_runs(page, runs, exactly=False)
    expect(_metric(page, "0.393")).to_be_visible(timeout=CHART_TIMEOUT_MS)  # the tutorial's second iteration
    expect(_metric(page, "0.492")).to_be_visible()
    after = json.loads(wait_for_traces(page, "boxes_current", 0, other_than=before))
    assert [(round(x[0], 3), round(y[0], 3)) for x, y, _ in after] == [(0.393, 0.492), (0.333, 0.6)]
    assert_no_exception(page)
    screenshot(page, "view_two_boxes_tall.png")

    page.set_viewport_size(LAPTOP)
    page.locator(f".st-key-{state.BOXES_ITERATION}").scroll_into_view_if_needed()
    screenshot(page, "view_two_boxes.png")
    page.locator('[data-table="boxes_soft_likelihood"]').scroll_into_view_if_needed()
    screenshot(page, "view_two_boxes_tables.png")
    page.set_viewport_size(PHONE)
    page.locator(CHART).first.scroll_into_view_if_needed()
    screenshot(page, "view_two_boxes_phone.png")
    assert_no_exception(page)
