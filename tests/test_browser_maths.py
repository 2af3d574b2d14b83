"""The maths panel in Debian's chromium: a click on a point of the EM chart picks it, the panel writes its E-step
with the engine's numbers and follows the iteration on screen; screenshots of the panel in 2-D and 1-D."""

import json
import re

from gmm_ui import maths
from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    SCREENSHOTS,
    assert_no_exception,
    choose_preset,
    run_counts,
    screenshot,
    wait_for_runs,
    wait_for_traces,
    wait_until_idle,
)
from tests.test_maths import s1_run

pytestmark = BROWSER_TESTS

# Page coordinates of point ``index`` of the first "points" trace of the EM chart, and its data coordinates.
POINT_ON_PAGE = """
(index) => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const trace = graph._fullData.find(t => t.meta && t.meta.role === "points");
    const layout = graph._fullLayout, box = graph.getBoundingClientRect();
    const x = trace.x[index], y = trace.y[index];
    return {x, y, left: box.left + layout.xaxis._offset + layout.xaxis.l2p(x),
            top: box.top + layout.yaxis._offset + layout.yaxis.l2p(y)};
}
"""
# Page coordinates of the ring round the picked point.
RING_ON_PAGE = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const trace = graph._fullData.find(t => t.meta && t.meta.role === "picked");
    const layout = graph._fullLayout, box = graph.getBoundingClientRect();
    return {left: box.left + layout.xaxis._offset + layout.xaxis.l2p(trace.x[0]),
            top: box.top + layout.yaxis._offset + layout.yaxis.l2p(trace.y[0])};
}
"""
PANEL = ".st-key-picked_row"  # the row box, first thing in the panel


def _panel_tex(page):
    """The TeX source of every formula on the page (KaTeX keeps it in its MathML annotation)."""
    return page.locator("annotation[encoding='application/x-tex']").all_text_contents()


def _gammas(tex, row):
    """{component: value text} of the picked row's gamma lines."""
    found = {}
    for line in tex:
        match = re.fullmatch(rf"\s*\\gamma_\{{{row},(\d+)\}} = .*= ([^=]+?)\s*", line)
        if match:
            found[int(match[1])] = match[2]
    return found


def _clickable_point(page):
    """A drawn point the mouse can pick: one whose hover names a point, not an ellipse drawn over it."""
    for index in range(0, 300, 7):
        target = page.evaluate(POINT_ON_PAGE, index)
        page.mouse.move(target["left"], target["top"])
        hover = page.locator(".hoverlayer")
        page.wait_for_function("() => document.querySelector('.hoverlayer')", timeout=CHART_TIMEOUT_MS)
        if "most responsible" in (hover.first.text_content() or ""):
            return target
    raise AssertionError("no point of the chart could be hovered alone")


def _open_at(page, iteration):
    counts = run_counts(page)
    box = page.locator(".st-key-iteration input")
    box.fill(str(iteration))
    box.press("Enter")
    wait_for_runs(page, counts[0], exactly=False)


def _panel_screenshot(page, name, chart_name=None):
    """The panel (and, if named, the EM chart) as images in test-output/, at the page's width. Streamlit scrolls
    inside its own container, so the page is made tall enough for the whole panel first."""
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 6000})
    screenshot(page, name)  # waits until idle and drawn
    if chart_name:
        page.locator(CHART).first.screenshot(path=SCREENSHOTS / chart_name)
    panel = page.locator("[data-testid='stExpander']").filter(has_text="The maths of this step")
    panel.screenshot(path=SCREENSHOTS / name)


def test_clicking_a_point_picks_it_and_the_panel_writes_its_e_step(page):
    from playwright.sync_api import expect

    run = s1_run()
    _open_at(page, 3)
    wait_for_traces(page, "points")
    target = _clickable_point(page)

    counts = run_counts(page)
    page.mouse.click(target["left"], target["top"])
    wait_for_runs(page, counts[0], exactly=False)
    expect(page.locator(f"{PANEL} input")).to_have_value(re.compile(r"\d+"), timeout=CHART_TIMEOUT_MS)
    row = int(page.locator(f"{PANEL} input").input_value())
    picked = json.loads(wait_for_traces(page, "picked"))  # ringed on the chart, where the click was
    assert picked[0][0] == [run.X[row - 1, 0]] and picked[0][1] == [run.X[row - 1, 1]]
    ring = page.evaluate(RING_ON_PAGE)
    assert abs(ring["left"] - target["left"]) < 8 and abs(ring["top"] - target["top"]) < 8
    assert_no_exception(page)

    tex = _panel_tex(page)
    assert any(line.strip().startswith(f"x_{{{row}}} =") for line in tex)  # the panel names the row
    gammas = _gammas(tex, row)
    expected = run.responsibilities(3)[row - 1]
    assert gammas == {k + 1: maths.number(value) for k, value in enumerate(expected)}
    shown = [float(v) if "times" not in v else 0.0 for v in gammas.values()]  # x 10^-n: below the digits shown
    assert abs(sum(shown) - 1) < 5e-4 * len(shown)
    _panel_screenshot(page, "maths_panel_2d.png", "maths_chart_2d.png")

    # Stepped with the keyboard (the stage's keys), the panel follows the iteration on screen once the page has
    # caught up; the point stays picked.
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".st-key-iteration input")).to_have_value("5", timeout=CHART_TIMEOUT_MS)
    wait_until_idle(page)
    expect(page.locator(f"{PANEL} input")).to_have_value(str(row))
    tex = _panel_tex(page)
    assert _gammas(tex, row) == {k + 1: maths.number(v) for k, v in enumerate(run.responsibilities(5)[row - 1])}
    picked = json.loads(wait_for_traces(page, "picked"))
    assert picked[0][0] == [run.X[row - 1, 0]] and picked[0][1] == [run.X[row - 1, 1]]


def test_the_panel_on_a_projector_and_a_phone(browser, app_url):
    for name, viewport in (("projector", {"width": 1366, "height": 768}), ("phone", {"width": 390, "height": 844})):
        context = browser.new_context(viewport=viewport)
        try:
            page = context.new_page()
            page.goto(f"{app_url}/?iteration=2")
            page.locator(CHART).first.wait_for(timeout=CHART_TIMEOUT_MS)
            opener = page.get_by_text("The maths of this step")  # closed at first: drawn once opened
            opener.scroll_into_view_if_needed()
            opener.click()
            page.locator(PANEL).wait_for(timeout=CHART_TIMEOUT_MS)
            box = page.locator(f"{PANEL} input")
            box.fill("17")
            box.press("Enter")
            page.wait_for_function(
                "() => [...document.querySelectorAll('annotation')].some(a => a.textContent.includes('x_{17}'))",
                timeout=CHART_TIMEOUT_MS,
            )
            _panel_screenshot(page, f"maths_panel_{name}.png")
            assert_no_exception(page)
        finally:
            context.close()


def test_a_1d_value_is_picked_by_its_tick_and_the_panel_shows_its_variance(page):
    from playwright.sync_api import expect

    counts = run_counts(page)
    choose_preset(page, "Heights of men and women")
    wait_for_runs(page, counts[0], exactly=False)
    rug = json.loads(wait_for_traces(page, "rug"))
    assert len(rug[0][0]) > 0
    tick = page.evaluate(
        """() => {
            const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
            const trace = graph._fullData.find(t => t.meta && t.meta.role === "rug");
            const layout = graph._fullLayout, box = graph.getBoundingClientRect();
            return {row: trace.customdata[10], left: box.left + layout.xaxis._offset + layout.xaxis.l2p(trace.x[10]),
                    top: box.top + layout.yaxis._offset + layout.yaxis.l2p(0) - 2};  // inside the plot, not on its edge
        }"""
    )
    counts = run_counts(page)
    page.mouse.click(tick["left"], tick["top"])
    wait_for_runs(page, counts[0], exactly=False)
    expect(page.locator(f"{PANEL} input")).to_have_value(re.compile(r"\d+"), timeout=CHART_TIMEOUT_MS)
    tex = _panel_tex(page)
    assert any(r"\sigma_{1}^2" in line for line in tex)
    assert_no_exception(page)
    _panel_screenshot(page, "maths_panel_1d.png", "maths_chart_1d.png")
