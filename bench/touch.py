"""Browser timings of placing a start by clicking on the EM chart (issue 19): from the mouse press on the chart to
the chart of the refitted EM drawn, at N = 300 (the S1 preset) and N = 10^4 (generated: 5 clusters of 2,000).

The app is served headless and driven in Debian's chromium through Playwright, as in ``bench.app``. Place mode is
turned on, then ten clicks at different places on the plane, each placing the next component (1..K in turn): a
click reruns the chart's fragment, which reruns the page (EM refits from the new start), and the new chart is sent
and drawn. Each time is measured inside the page, from the mousedown to the first animation frame at which the
chart's ellipses differ from before, polled every frame. A single try says little on a shared machine: the table
gives the median and the worst of ten.
"""

from __future__ import annotations

import statistics

from bench.app import CHART, CHART_STATE, CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS, _idle, served_app

CLICKS = 10
CASES = {
    "N = 300 (S1), K = 3": "?data=S1",
    "N = 10^4 (generated, 5 x 2,000), K = 5": "?data=generated&clusters=5&points=2000&k=5",
}
# The page position of data point (x, y) on the EM chart's plane, and the plane's ranges.
PLANE = """
([x, y]) => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const layout = graph._fullLayout, box = graph.getBoundingClientRect();
    if (x === null) return {x: layout.xaxis.range, y: layout.yaxis.range};
    return {px: box.left + layout.xaxis._offset + layout.xaxis.d2p(x), py: box.top + layout.yaxis._offset
            + layout.yaxis.d2p(y)};
}
"""
HAS_CATCHER = """
() => { const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        return !!graph && !!graph._fullData && graph._fullData.some(t => t.meta && t.meta.role === "click_catcher"); }
"""


def _timed_click(page, x, y):
    """Milliseconds in the page from the mouse press at data (x, y) to the chart's new ellipses drawn."""
    page.evaluate("""() => {
        window.__inputAt = null;
        document.addEventListener("mousedown", () => { window.__inputAt = performance.now(); },
                                  {capture: true, once: true});
    }""")
    before = page.evaluate(CHART_STATE)
    where = page.evaluate(PLANE, [x, y])
    page.mouse.click(where["px"], where["py"])
    milliseconds = page.wait_for_function(
        f"""previous => {{
            const now = ({CHART_STATE})();
            return window.__inputAt !== null && now && now !== previous && performance.now() - window.__inputAt;
        }}""",
        arg=before,
        timeout=TIMEOUT_MS,
        polling="raf",
    ).json_value()
    _idle(page)
    page.wait_for_function(HAS_CATCHER, timeout=TIMEOUT_MS)
    return milliseconds


def _clicks(page):
    """Ten places on the plane (its ranges read from the chart), spread out so that no click moves a mean."""
    ranges = page.evaluate(PLANE, [None, None])
    (x0, x1), (y0, y1) = ranges["x"], ranges["y"]
    shares = [(0.2, 0.2), (0.8, 0.8), (0.5, 0.3), (0.3, 0.7), (0.7, 0.3), (0.25, 0.45), (0.6, 0.6), (0.4, 0.85)]
    shares += [(0.85, 0.15), (0.15, 0.85)]
    return [(x0 + a * (x1 - x0), y0 + b * (y1 - y0)) for a, b in shares[:CLICKS]]


def measure(url):
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for case, query in CASES.items():
            page = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
            page.goto(f"{url}/{query}")
            page.locator(CHART).first.wait_for(timeout=TIMEOUT_MS)
            _idle(page)
            page.locator(".st-key-place_mode label").first.click()
            page.wait_for_function(HAS_CATCHER, timeout=TIMEOUT_MS)
            _idle(page)
            page.locator(CHART).first.scroll_into_view_if_needed()
            times = [_timed_click(page, x, y) for x, y in _clicks(page)]
            results[f"place a mean: click -> refitted chart, {case}, median (ms)"] = statistics.median(times)
            results[f"place a mean: click -> refitted chart, {case}, worst (ms)"] = max(times)
            page.context.close()
        browser.close()
    return results


def main():
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.update(HOME=scratch, TMPDIR=scratch)  # chromium writes nowhere else
        with served_app() as url:
            results = measure(url)
    print("\n# Placing a start by clicking (issue 19), Debian chromium\n| measurement | time |\n|---|---:|")
    for name, value in results.items():
        print(f"| {name} | {value:,.0f} ms |")


if __name__ == "__main__":
    main()
