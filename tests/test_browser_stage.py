"""The stage in Debian's chromium: the chart first on screen, one iteration the page shares, keys and a clicker.

Each test opens its own session (``open_app``); screenshots of the first viewport at each size go to
``test-output/stage_<width>x<height>.png`` for people to look at.
"""

from __future__ import annotations

import pytest

from gmm_ui import state
from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    SCREENSHOTS,
    assert_no_exception,
    chart_slider,
    choose_option,
    click_chart_step,
    new_counting_page,
    run_counts,
    script_runs,
    wait_for_chart_step,
    wait_for_ellipses,
    wait_for_headline,
    wait_for_runs,
    wait_until_idle,
)

pytestmark = BROWSER_TESTS

#: The toolbar's text saying where the chart is (inside the stage component's shadow root: Playwright's CSS
#: locators look into open shadow roots).
WHERE = f".st-key-{state.stage_key(state.EM_CHART)} .where"
#: The EM chart's plotting area (Plotly's drag rectangle over the first subplot) and its slider's rail.
PLOT_AREA = f".st-key-{state.EM_CHART} .nsewdrag"
RAIL = f".st-key-{state.EM_CHART} .slider-rail-rect"


def _expect():
    from playwright.sync_api import expect

    return expect


def _open_at(browser, app_url, width, height, query=""):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = new_counting_page(context)
    page.goto(f"{app_url}/{query}")
    page.locator(CHART).first.wait_for(timeout=CHART_TIMEOUT_MS)
    wait_for_ellipses(page)
    return context, page


def _settled(page):
    """Until the page has stopped running and asking for runs (the window's report, a catch-up)."""
    page.wait_for_timeout(700)
    wait_until_idle(page)
    wait_for_runs(page, script_runs(page), runs=0)


def _where(page):
    return page.locator(WHERE)


def _press(page, key, times=1):
    for _ in range(times):
        page.keyboard.press(key)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_chart_and_its_controls_are_the_first_thing_on_screen(browser, app_url, size):
    width, height = size
    context, page = _open_at(browser, app_url, width, height)
    try:
        _settled(page)
        page.wait_for_function(  # the chart at the height the window leaves it, drawn
            "([area, rail, h]) => { const a = document.querySelector(area), r = document.querySelector(rail);"
            "return a && r && r.getBoundingClientRect().bottom <= h; }",
            arg=[PLOT_AREA, RAIL, height],
            timeout=CHART_TIMEOUT_MS,
        )
        for selector in (PLOT_AREA, RAIL, f".st-key-{state.stage_key(state.EM_CHART)} .play"):
            box = page.locator(selector).first.bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, (selector, box)
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (selector, box)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"stage_{width}x{height}.png")
        assert_no_exception(page)
    finally:
        context.close()


def test_on_a_phone_the_em_chart_is_one_column_and_no_text_collides(browser, app_url):
    """At 390x844 (a phone, touch) the app reports the window, the EM chart takes its one-column layout, and no two
    of its texts overlap, none passes the screen's edge, and the toolbar's buttons stay on screen."""
    from tests import chart_text

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = new_counting_page(context)
        page.goto(app_url)
        page.locator(CHART).first.wait_for(timeout=CHART_TIMEOUT_MS)
        page.wait_for_function(  # the phone's layout: taller than wide
            "sel => { const g = document.querySelector(sel); return g && g.getBoundingClientRect().height > 900; }",
            arg=f".st-key-{state.EM_CHART} .js-plotly-plot",
            timeout=CHART_TIMEOUT_MS,
        )
        _settled(page)
        boxes = page.evaluate(chart_text.READ_TEXTS, f".st-key-{state.EM_CHART} .js-plotly-plot")
        assert len(boxes) > 20  # ticks, titles, legend, headline, parameters, slider labels
        assert not chart_text.overlaps(boxes)
        assert not chart_text.past_edges(boxes, 390)
        for button in ("first", "back", "play", "forward", "last"):
            box = page.locator(f".st-key-{state.stage_key(state.EM_CHART)} .{button}").bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= 390, (button, box)
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "stage_390x844.png")
        assert_no_exception(page)
    finally:
        context.close()


def test_keys_step_the_chart_in_the_browser_and_the_page_follows(open_app):
    expect = _expect()
    page = open_app()
    wait_for_ellipses(page)
    _settled(page)
    expect(_where(page)).to_have_text("Iteration 0 of 7")
    counts = run_counts(page)
    page.locator(CHART).first.click(position={"x": 120, "y": 200})  # the chart focused, as a teacher would
    _press(page, "ArrowRight", 3)
    expect(_where(page)).to_have_text("Iteration 3 of 7")
    wait_for_headline(page, "Iteration 3 of 7")
    # The page catches up once, after the user stops: the box, the table and the link say 3.
    expect(page.locator(f".st-key-{state.ITERATION} input")).to_have_value("3", timeout=2000)
    expect(page.get_by_text("Parameters at iteration 3 of 7")).to_be_visible(timeout=2000)
    page.wait_for_url("**iteration=3**", timeout=2000)
    assert script_runs(page) - counts[0] == 1  # three steps, one catch-up run
    _press(page, "PageDown")
    expect(_where(page)).to_have_text("Iteration 4 of 7")
    _press(page, "End")
    expect(_where(page)).to_have_text("Iteration 7 of 7")
    wait_for_headline(page, "converged")
    _press(page, "Home")
    expect(_where(page)).to_have_text("Iteration 0 of 7")
    _press(page, "PageUp")  # nothing before the start
    expect(_where(page)).to_have_text("Iteration 0 of 7")
    _press(page, " ")  # Space plays, in the browser
    expect(page.locator(f".st-key-{state.stage_key(state.EM_CHART)} .play")).to_have_attribute("aria-pressed", "true")
    wait_for_headline(page, "Iteration 7 of 7")  # played to the end
    expect(_where(page)).to_have_text("Iteration 7 of 7")
    expect(page.locator(f".st-key-{state.ITERATION} input")).to_have_value("7", timeout=2000)
    assert_no_exception(page)


def test_keys_typed_into_an_input_are_never_taken(page):
    expect = _expect()
    box = page.locator(f".st-key-{state.N_COMPONENTS} input")
    box.click()
    box.press("End")
    box.press("Backspace")
    box.type("4")
    box.press("ArrowLeft")  # moves the caret, not the chart
    expect(box).to_have_value("4")
    expect(_where(page)).to_have_text("Iteration 0 of 7")
    assert chart_slider(page)["active"] == 0


def test_play_and_pause_are_reached_with_tab_and_show_focus(page):
    expect = _expect()
    toolbar = f".st-key-{state.stage_key(state.EM_CHART)}"
    page.locator(CHART).first.click(position={"x": 120, "y": 200})
    _press(page, "ArrowRight", 2)  # every button enabled (at the start, "first" and "back" are not)
    page.locator(f"{toolbar} .first").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    play = page.locator(f"{toolbar} .play")
    expect(play).to_be_focused()
    assert play.evaluate("button => getComputedStyle(button).outlineStyle") not in ("", "none")  # focus shows
    page.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("Enter")
    expect(play).to_have_attribute("aria-pressed", "false")


def test_the_iteration_holds_through_options_and_tabs(page):
    """Scrub to 5 on S2 (42 iterations), then change what is drawn and switch tabs: the chart, the box, the table
    and the link stay at 5."""
    expect = _expect()
    choose_option(page, state.SCENARIO, "Two round clusters, bad start")
    wait_for_headline(page, "of 4")  # the new run's chart is drawn
    _settled(page)
    click_chart_step(page, 5)
    wait_for_chart_step(page, 5)
    expect(_where(page)).to_have_text("Iteration 5 of 42", timeout=2000)
    expect(page.locator(f".st-key-{state.ITERATION} input")).to_have_value("5", timeout=2000)
    page.wait_for_url("**iteration=5**", timeout=2000)

    page.locator(f".st-key-{state.SHOW_DENSITY} label").click()  # the density under the points
    wait_until_idle(page)
    wait_for_headline(page, "Iteration 5 of 42")
    page.locator(f".st-key-{state.N_STD}").get_by_role("button", name="3σ").click()  # ellipse levels
    wait_until_idle(page)
    wait_for_headline(page, "Iteration 5 of 42")
    page.get_by_role("tab", name="k-means vs GMM").click()
    page.locator(f".st-key-{state.chart_key('kmeans')} .js-plotly-plot").wait_for(timeout=CHART_TIMEOUT_MS)
    expect(page.locator(f".st-key-{state.stage_key(state.chart_key('kmeans'))} .where")).to_contain_text(
        "Iteration 5 of"
    )
    page.get_by_role("tab", name="EM, step by step").click()
    wait_for_headline(page, "Iteration 5 of 42")
    expect(_where(page)).to_have_text("Iteration 5 of 42")
    expect(page.locator(f".st-key-{state.ITERATION} input")).to_have_value("5", timeout=2000)
    expect(page.get_by_text("Parameters at iteration 5 of 42")).to_be_visible(timeout=2000)
    page.wait_for_url("**iteration=5**", timeout=2000)
    assert_no_exception(page)


def test_the_number_box_moves_the_chart(page):
    expect = _expect()
    box = page.locator(f".st-key-{state.ITERATION} input")
    box.fill("6")
    box.press("Enter")
    wait_for_headline(page, "Iteration 6 of 7")
    expect(_where(page)).to_have_text("Iteration 6 of 7")
    page.locator(CHART).first.click(position={"x": 120, "y": 200})
    _press(page, "ArrowLeft")
    expect(_where(page)).to_have_text("Iteration 5 of 7")
    wait_for_headline(page, "Iteration 5 of 7")
    expect(box).to_have_value("5", timeout=2000)
