"""No degenerate winners, in Debian's chromium: S8's collapsed models are ringed on the criterion chart and never the
lowest. Writes ``test-output/view_choose_k_degenerate.png``."""

import json

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    assert_no_exception,
    screenshot,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS


def test_s8s_collapsed_models_are_ringed_and_not_ranked(open_app):
    from playwright.sync_api import expect

    page = open_app("?data=S8&view=choose_k")
    expect(page.locator(CHART)).to_have_count(2, timeout=CHART_TIMEOUT_MS)
    ((x, _, _),) = json.loads(wait_for_traces(page, "criterion_degenerate", 0))
    assert x == [6, 6]  # full and diag, K = 6
    ((best_x, _, _),) = json.loads(wait_for_traces(page, "criterion_minimum", 0))
    assert best_x == [2]
    expect(page.get_by_text("Hollow, ringed: 2 models have a degenerate component")).to_be_visible()
    expect(page.get_by_text("Lowest BIC: full, K = 2.")).to_be_visible()
    assert_no_exception(page)
    screenshot(page, "view_choose_k_degenerate.png")
