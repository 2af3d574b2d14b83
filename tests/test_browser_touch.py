"""Touch the picture in the real app (Debian's chromium): starts placed by clicking on the EM chart and on the two
starts' chart, and a data set drawn by clicking, erased, undone and carried through a link and a CSV.

A click is a real mouse click at the page position of given data coordinates (computed from Plotly's own axes);
what the app did is read back from the charts' data. Screenshots of the new controls at three window sizes go to
``test-output/touch_*.png``.
"""

import json

import numpy as np
import pytest

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    IDLE,
    assert_no_exception,
    read_traces,
    screenshot,
    script_runs,
    wait_for_runs,
)

pytestmark = BROWSER_TESTS

# The page position of data point (x, y) on the axes ``[x axis, y axis]`` of chart ``index``, and the axes' spans.
DATA_TO_PAGE = """
([index, xName, yName, x, y]) => {
    const graph = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[index];
    const layout = graph._fullLayout, xa = layout[xName], ya = layout[yName];
    const box = graph.getBoundingClientRect();
    return {px: box.left + xa._offset + xa.d2p(x),
            py: box.top + ya._offset + ya.d2p(y),
            spans: [xa.range[1] - xa.range[0], ya.range[1] - ya.range[0]]};
}
"""
# Whether chart ``index`` takes clicks (has its click catcher drawn).
HAS_CATCHER = """
index => { const graph = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[index];
           return !!graph && !!graph._fullData
               && graph._fullData.some(t => t.meta && t.meta.role === "click_catcher"); }
"""


def _click_data(page, x, y, chart=0, axes=("xaxis", "yaxis")):
    """Click chart ``chart`` at data coordinates (x, y); returns the axes' spans."""
    page.locator(CHART).nth(chart).scroll_into_view_if_needed()
    where = page.evaluate(DATA_TO_PAGE, [chart, axes[0], axes[1], x, y])
    page.mouse.click(where["px"], where["py"])
    return where["spans"]


def _wait_for_catcher(page, chart=0):
    page.wait_for_function(HAS_CATCHER, arg=chart, timeout=CHART_TIMEOUT_MS)


def _means(page, chart=0):
    """The EM chart's start means as drawn now (one "mean" trace per component), in component order."""
    traces = json.loads(read_traces(page, "mean", chart))
    return np.array([[x[0], y[0]] for x, y, _ in traces])


def _after_click(page, runs, click):
    """Do ``click`` and wait until the runs it starts (the fragment's, then the page's) have finished."""
    click()
    return wait_for_runs(page, runs, runs=1, exactly=False)


def _place_mode(page, key="place_mode"):
    runs = script_runs(page)
    page.locator(f".st-key-{key} label").first.click()
    runs = wait_for_runs(page, runs, exactly=False)
    return runs


def test_three_clicks_place_the_start_and_em_fits_from_it(page):
    runs = _place_mode(page)
    _wait_for_catcher(page)
    clicks = [(2.0, 14.0), (10.0, 2.0), (5.0, 8.0)]  # S1's plane: x about 0-12, y about -2-18
    before = read_traces(page, "mean")
    spans = None
    for x, y in clicks:
        previous = read_traces(page, "mean")
        runs = _after_click(page, runs, lambda x=x, y=y: _click_data(page, x, y))
        page.wait_for_function(
            "([previous]) => { const t = (" + _read_js() + ")(0, 'mean'); return t && t !== previous; }",
            arg=[previous],
            timeout=CHART_TIMEOUT_MS,
        )
        _wait_for_catcher(page)
        spans = page.evaluate(DATA_TO_PAGE, [0, "xaxis", "yaxis", 0, 0])["spans"]
    assert read_traces(page, "mean") != before
    means = _means(page)
    tolerance = 0.02 * np.asarray(spans)
    assert np.all(np.abs(means - np.array(clicks)) <= tolerance), (means, clicks)
    # EM ran from them: the chart has steps past the start, and the last differs from the start.
    steps = page.evaluate(
        "() => document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot')._fullLayout.sliders[0]"
        ".steps.length"
    )
    assert steps > 1
    screenshot(page, "touch_place_1400.png")
    # Undo takes back the third click only.
    previous = read_traces(page, "mean")
    runs = _after_click(page, runs, lambda: page.locator(".st-key-place_undo button").first.click())
    page.wait_for_function(
        "([previous]) => { const t = (" + _read_js() + ")(0, 'mean'); return t && t !== previous; }",
        arg=[previous],
        timeout=CHART_TIMEOUT_MS,
    )
    after_undo = _means(page)
    assert np.all(np.abs(after_undo[:2] - np.array(clicks[:2])) <= tolerance)
    assert np.any(np.abs(after_undo[2] - np.array(clicks[2])) > tolerance)
    assert_no_exception(page)


def _read_js():
    from tests.browser_support import READ_TRACES

    return "(index, role) => (" + READ_TRACES.strip() + ")([index, role])"


def test_start_b_placed_by_clicking_differs_from_start_a(open_app):
    page = open_app("?view=starts")
    page.locator(IDLE).wait_for(timeout=CHART_TIMEOUT_MS)
    page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stPlotlyChart\"] .js-plotly-plot')?._fullData",
        timeout=CHART_TIMEOUT_MS,
    )
    runs = wait_for_runs(page, 0, exactly=False)
    runs = _place_mode(page, "place_starts_mode")
    _wait_for_catcher(page)
    before = read_traces(page, "mean")
    for x, y in [(1.0, 1.0), (6.0, 15.0), (11.0, 5.0)]:
        previous = read_traces(page, "mean")
        runs = _after_click(page, runs, lambda x=x, y=y: _click_data(page, x, y, axes=("xaxis2", "yaxis2")))
        page.wait_for_function(
            "([previous]) => { const t = (" + _read_js() + ")(0, 'mean'); return t && t !== previous; }",
            arg=[previous],
            timeout=CHART_TIMEOUT_MS,
        )
        _wait_for_catcher(page)
    after = json.loads(read_traces(page, "mean"))
    assert read_traces(page, "mean") != before
    start_a, start_b = (np.array([trace[0], trace[1]]) for trace in after[:2])
    assert not np.allclose(start_a, start_b)
    placed_b = np.array([[1.0, 6.0, 11.0], [1.0, 15.0, 5.0]])
    assert np.allclose(np.sort(start_b[0]), np.sort(placed_b[0]), atol=0.5)  # B's means at the clicks
    page.locator(".st-key-own_table_b").wait_for(timeout=CHART_TIMEOUT_MS)  # B is now one's own, and typed there
    assert_no_exception(page)
    screenshot(page, "touch_starts_1400.png")


def _draw_source(page):
    runs = script_runs(page)
    page.get_by_role("radio", name="Draw").click()
    runs = wait_for_runs(page, runs, exactly=False)
    page.locator(".st-key-draw_chart").wait_for(timeout=CHART_TIMEOUT_MS)
    return runs


def _canvas_index(page):
    return page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]"
        ".findIndex(chart => chart.closest('.st-key-draw_chart'))"
    )


def _draw_clouds(page, runs, centres):
    from playwright.sync_api import expect

    for number, (x, y) in enumerate(centres, start=1):
        canvas = _canvas_index(page)
        _wait_for_catcher(page, canvas)
        runs = _after_click(page, runs, lambda x=x, y=y: _click_data(page, x, y, chart=_canvas_index(page)))
        expect(page.get_by_text(f"{20 * number} points", exact=False).first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    return runs


def test_three_clouds_drawn_give_sixty_points_in_three_classes_and_undo_leaves_forty(page):
    from playwright.sync_api import expect

    runs = _draw_source(page)
    runs = _draw_clouds(page, runs, [(-5.0, -5.0), (5.0, -5.0), (0.0, 5.0)])
    expect(page.get_by_text("Drawn by hand · 60 points", exact=False)).to_be_visible()
    page.get_by_role("button", name="About").click()  # the data set's description, under the header
    expect(page.get_by_text("3 clouds, each a class", exact=False)).to_be_visible()
    page.keyboard.press("Escape")
    screenshot(page, "touch_draw_1400.png")
    runs = _after_click(page, runs, lambda: page.locator(".st-key-draw_undo button").first.click())
    expect(page.get_by_text("Drawn by hand · 40 points", exact=False)).to_be_visible(timeout=CHART_TIMEOUT_MS)
    assert_no_exception(page)


def test_a_drawn_set_survives_a_reload_through_its_link(page, open_app):
    from playwright.sync_api import expect

    runs = _draw_source(page)
    _draw_clouds(page, runs, [(-5.0, -5.0), (5.0, 5.0)])
    expect(page.get_by_text("Drawn by hand · 40 points", exact=False)).to_be_visible()
    page.wait_for_function("() => location.search.includes('drawn=')", timeout=CHART_TIMEOUT_MS)
    query = page.evaluate("() => location.search")
    reloaded = open_app(query)
    expect(reloaded.get_by_text("Drawn by hand · 40 points", exact=False)).to_be_visible(timeout=CHART_TIMEOUT_MS)
    reloaded.get_by_role("button", name="About").click()
    expect(reloaded.get_by_text("2 clouds, each a class", exact=False)).to_be_visible()
    reloaded.keyboard.press("Escape")
    assert_no_exception(reloaded)


def test_a_box_on_the_canvas_erases_the_points_inside(page):
    from playwright.sync_api import expect

    runs = _draw_source(page)
    runs = _draw_clouds(page, runs, [(-5.0, -5.0), (5.0, 5.0)])
    canvas = _canvas_index(page)
    chart = page.locator(CHART).nth(canvas)
    chart.hover()
    chart.locator('[data-title="Box Select"]').click()
    start = page.evaluate(DATA_TO_PAGE, [canvas, "xaxis", "yaxis", 1.0, 1.0])
    end = page.evaluate(DATA_TO_PAGE, [canvas, "xaxis", "yaxis", 9.5, 9.5])
    page.mouse.move(start["px"], start["py"])
    page.mouse.down()
    page.mouse.move((start["px"] + end["px"]) / 2, (start["py"] + end["py"]) / 2, steps=5)
    page.mouse.move(end["px"], end["py"], steps=5)
    page.mouse.up()
    expect(page.get_by_text("Drawn by hand · 20 points", exact=False)).to_be_visible(timeout=CHART_TIMEOUT_MS)
    assert_no_exception(page)


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080), (390, 844)])
def test_screenshots_of_the_touch_controls(browser, app_url, size):
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    try:
        page = context.new_page()
        page.goto(app_url)
        page.locator(CHART).first.wait_for(timeout=CHART_TIMEOUT_MS)
        page.locator(IDLE).wait_for(timeout=CHART_TIMEOUT_MS)
        page.locator(".st-key-place_mode").scroll_into_view_if_needed()
        page.locator(".st-key-place_mode label").first.click()
        _wait_for_catcher(page)
        page.locator(IDLE).wait_for(timeout=CHART_TIMEOUT_MS)
        page.locator(".st-key-place_mode").scroll_into_view_if_needed()
        screenshot(page, f"touch_place_{width}x{height}.png")
        if width < 600:
            page.locator('[data-testid="stExpandSidebarButton"]').click()  # the collapsed sidebar
        page.get_by_role("radio", name="Draw").click()
        page.locator(".st-key-draw_chart").wait_for(timeout=CHART_TIMEOUT_MS)
        page.locator(IDLE).wait_for(timeout=CHART_TIMEOUT_MS)
        screenshot(page, f"touch_draw_sidebar_{width}x{height}.png")
        if width < 600:
            page.locator('[data-testid="stSidebarCollapseButton"] button').first.click()
        page.locator(".st-key-draw_chart").scroll_into_view_if_needed()
        screenshot(page, f"touch_draw_{width}x{height}.png")
    finally:
        context.close()
