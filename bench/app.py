"""Browser timings of the app on 10^5 points: first chart, a 100-iteration fit at K = 5, one scrub step of the EM
chart (without and with the fitted density shaded) and of each comparison tab's chart; and one scrub step of a 1-D
chart (S6a: 100 components).

The first chart is timed for the server's first visitor and for five later ones, each in a new browser context
(an empty cache), from Playwright's call to open the page to its check that the chart is drawn; the first visit
also as the page itself recorded it; and five more visits inside the page only, from the navigation's start
(performance.now()) to the first animation frame with the chart drawn and shown. The fit is timed five times (100
and 99 iterations in turn, each a new fit and a new chart); a scrub step at 15 positions. A single try says little
on a shared machine: the tables give medians and the worst.

The real app is served headless and driven in Debian's chromium through Playwright, as the browser test does.
Times are taken inside the page (performance.now) from the input event to the chart showing the new state. A
scrub step is a click on the EM chart's own (Plotly) slider: from the mouse press to the new ellipses in the
plot's data, polled every animation frame; the comparison tabs (k-means vs GMM, two starts, covariance types) the
same way, each tab's fits side by side in one chart. Steps begin once the page has loaded: the run the last input
started has ended and every chart on the page is drawn. The size of the EM chart's JSON, frames included, is
printed too.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHART = '[data-testid="stPlotlyChart"]'
TIMEOUT_MS = 120_000
N_CLUSTERS, POINTS_EACH, K, ITERATIONS = 5, 20_000, 5, 100

# A signature of what the first chart draws (its ellipse outlines and point colours), read from Plotly's data.
CHART_STATE = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!graph || !graph._fullData) return null;
    return JSON.stringify(graph._fullData.filter(t => t.meta && t.meta.role === "ellipse")
        .map(t => [t.x[0], t.y[0], t.x[10], t.y[10]]));
}
"""

# The same for a 1-D chart: its mixture density's values.
DENSITY_STATE = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!graph || !graph._fullData) return null;
    return JSON.stringify(graph._fullData.filter(t => t.meta && t.meta.role === "density")
        .map(t => Array.from(t.y).filter((_, i) => i % 10 === 0)));
}
"""


@contextlib.contextmanager
def served_app(root=ROOT):
    """The app of the tree at ``root`` on a free loopback port, stopped on exit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gmm_ui.serve",
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                    break
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


def _wait_for_new_chart(page, previous, state=CHART_STATE):
    return page.wait_for_function(
        f"previous => {{ const now = ({state})(); return now && now !== '[]' && now !== previous && now; }}",
        arg=previous,
        timeout=TIMEOUT_MS,
        polling="raf",
    ).json_value()


def _idle(page):
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=TIMEOUT_MS)


# Every chart on the page drawn and shown.
ALL_CHARTS_SHOWN = """
() => [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(chart => {
    const graph = chart.querySelector('.js-plotly-plot');
    return graph !== null && graph._fullLayout !== undefined && getComputedStyle(graph).visibility === 'visible';
})
"""


def _settled(page):
    """Until the app is idle and every chart of the page is drawn and shown."""
    _idle(page)
    page.wait_for_function(ALL_CHARTS_SHOWN, timeout=TIMEOUT_MS, polling="raf")


def _after_run(page, action):
    """Do ``action`` (an input that starts a run of the app) and wait until that run has ended and every chart of
    the page is drawn: not only until the app is idle, which it still is right after the input, until the run
    begins."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    action()
    with contextlib.suppress(PlaywrightTimeout):  # a run short enough to begin and end between two looks
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"stApp\"]').dataset.testScriptState !== 'notRunning'",
            timeout=5000,
            polling="raf",
        )
    _settled(page)


def _set_number(page, key, value):
    """Type ``value`` into the number field ``key`` and wait for the run it starts (see :func:`_after_run`)."""
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    _after_run(page, lambda: field.press("Enter"))


def _timed_change(page, action, text=None):
    """Milliseconds from ``action`` (an input event) to the chart drawing something new (or to ``text`` showing)."""
    before = page.evaluate(CHART_STATE)
    start = page.evaluate("() => performance.now()")
    action()
    if text is None:
        _wait_for_new_chart(page, before)
    else:
        page.wait_for_function(
            "text => document.body.innerText.includes(text)", arg=text, timeout=TIMEOUT_MS, polling="raf"
        )
    return page.evaluate("() => performance.now()") - start


# The EM chart's own slider: its number of steps and the rail's box on the page.
SLIDER = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    const rail = graph.querySelector('.slider-rail-rect').getBoundingClientRect();
    return {steps: graph._fullLayout.sliders[0].steps.length, x: rail.x, y: rail.y, width: rail.width,
            height: rail.height};
}
"""


def _scrub_positions(page, count):
    """Slider positions to visit one after the other: forward one step at a time from the start."""
    steps = page.evaluate(SLIDER)["steps"]
    return list(range(1, min(count, steps - 1) + 1))


def _click_slider_step(page, position):
    """Click the chart's slider rail at step ``position`` (Plotly then animates to that frame)."""
    page.locator(f"{CHART} .slider-rail-rect").first.scroll_into_view_if_needed()  # a click off screen is lost
    box = page.evaluate(SLIDER)
    x = box["x"] + box["width"] * position / (box["steps"] - 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)


def _timed_input(page, event, act, state=CHART_STATE):
    """Milliseconds, measured in the page, from the input ``event`` ("mousedown", "keydown") that ``act()`` causes to
    the chart's new ``state`` (ellipses) in its data (polled every animation frame), and to the next frame after
    that (what a full redraw would delay)."""
    page.evaluate(
        """event => {
        window.__inputAt = null; window.__changedAt = null; window.__paintedAt = null;
        document.addEventListener(event, () => { window.__inputAt = performance.now(); }, {capture: true, once: true});
    }""",
        event,
    )
    before = page.evaluate(state)
    act()
    page.wait_for_function(
        f"""previous => {{
            const now = ({state})();
            if (window.__inputAt !== null && window.__changedAt === null && now && now !== previous) {{
                window.__changedAt = performance.now();
                requestAnimationFrame(() => setTimeout(() => {{ window.__paintedAt = performance.now(); }}));
            }}
            return window.__paintedAt !== null;
        }}""",
        arg=before,
        timeout=TIMEOUT_MS,
        polling="raf",
    )
    return page.evaluate("() => [window.__changedAt - window.__inputAt, window.__paintedAt - window.__inputAt]")


def _timed_step(page, position, state=CHART_STATE):
    """:func:`_timed_input` of a click on the slider at step ``position``."""
    return _timed_input(page, "mousedown", lambda: _click_slider_step(page, position), state)


def _timed_key(page, key="ArrowRight", state=CHART_STATE):
    """Milliseconds from a key press (the stage's keys, gmm_ui/stage.js) to the next frame after the chart changed."""
    return _timed_input(page, "keydown", lambda: page.keyboard.press(key), state)[1]


def _timed_catch_up(page):
    """Milliseconds from a key press that steps the chart to the page's iteration box showing that iteration (the
    stage reports where the user stopped, after its quiet time, and the page reruns)."""
    box = page.locator(".st-key-iteration input")
    target = str(int(box.input_value()) + 1)
    start = time.perf_counter()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "target => document.querySelector('.st-key-iteration input').value === target",
        arg=target,
        timeout=TIMEOUT_MS,
    )
    elapsed = (time.perf_counter() - start) * 1e3
    _idle(page)
    return elapsed


def figure_json_bytes():
    """Bytes of the EM chart (data, layout and every frame) as JSON for the benchmark's data and fit."""
    import plotly.io

    import gmm_core
    from gmm_ui.serve import without_cache_notice

    with without_cache_notice():
        from gmm_ui import figures, stages
        from gmm_ui.data import ANIMATION_DISPLAY_LIMIT, display_indices

    data = gmm_core.generate_clusters(n_clusters=N_CLUSTERS, points_per_cluster=POINTS_EACH, seed=0)
    start_params = gmm_core.initialize(data.X, K, "kmeans++", random_state=0)
    run = gmm_core.fit_em(data.X, start_params, max_iter=ITERATIONS, tol=0.0)
    points = data.X[display_indices(data.X.shape[0], ANIMATION_DISPLAY_LIMIT)]
    frames, note = stages.em_frames(run, points, False, 0)
    figure = figures.em_animation_figure(
        points, frames, figures.plane_view(data.X, ["x", "y"]), run.log_likelihood, note=note
    )
    return len(plotly.io.to_json(figure, validate=False).encode())


# Whether the EM chart shades its fitted density.
HAS_DENSITY = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    return Boolean(graph && graph._fullData && graph._fullData.some(t => t.meta && t.meta.role === "fitted_density"));
}
"""


# Installed before a page loads: the time (performance.now(), from the navigation's start) of the first animation
# frame at which the first chart has drawn and can be seen, checked every frame inside the page. Streamlit's chart
# first draws the figure hidden (CSS visibility), before it has measured its column's width, and shows it once it
# has drawn it again at that width: the drawing alone is not yet the chart on screen (as Playwright's check knows).
MARK_FIRST_CHART = f"""
(() => {{
    const drawn = {CHART_STATE.strip()};
    const shown = () => {{
        const graph = document.querySelector('{CHART} .js-plotly-plot');
        return graph !== null && getComputedStyle(graph).visibility === 'visible';
    }};
    const check = () => {{
        let now = null;
        try {{ now = drawn(); }} catch (error) {{}}
        if (now && now !== '[]' && shown()) {{ window.__firstChartAt = performance.now(); return; }}
        requestAnimationFrame(check);
    }};
    requestAnimationFrame(check);
}})();
"""


def _open(browser, url, state=CHART_STATE, mark=False):
    """Milliseconds from opening ``url`` in a new browser context (empty cache) to its first chart (its ``state``
    drawn); and the page. With ``mark``, the page also records when it drew its first chart
    (``window.__firstChartAt``)."""
    page = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    if mark:
        page.add_init_script(MARK_FIRST_CHART)
    start = time.perf_counter()
    page.goto(url)
    page.locator(CHART).first.wait_for(timeout=TIMEOUT_MS)
    _wait_for_new_chart(page, None, state)
    return (time.perf_counter() - start) * 1e3, page


def _first_chart_ms(browser, url):
    """Milliseconds to the first chart of one visit in a new context, as Playwright sees it and as the page
    recorded it (from the navigation's start); the context is closed once the page is idle."""
    milliseconds, page = _open(browser, url, mark=True)
    in_page = page.evaluate("window.__firstChartAt")
    _idle(page)
    page.context.close()
    return milliseconds, in_page


def _first_chart_in_page_ms(browser, url):
    """Milliseconds from the navigation's start to the first chart shown, as the page itself records it, while
    Playwright only asks every 250 ms whether it is there (its own polling, every animation frame, slows a loading
    page down)."""
    page = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    page.add_init_script(MARK_FIRST_CHART)
    page.goto(url, wait_until="commit")
    page.wait_for_function("() => window.__firstChartAt !== undefined", polling=250, timeout=TIMEOUT_MS)
    milliseconds = page.evaluate("window.__firstChartAt")
    _idle(page)
    page.context.close()
    return milliseconds


def _timed_refit(page, iterations):
    """Milliseconds from setting the maximum number of iterations to the chart of the new fit.

    If the new chart never shows, the error says what the page held then (a run stopped here when a change of the
    generated data reset the tolerance typed before it: the fit converged early and the awaited headline never
    came)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    field = page.locator(".st-key-max_iter input")
    field.fill(str(iterations))
    try:
        milliseconds = _timed_change(page, lambda: field.press("Enter"), text=f"of {iterations}")
    except PlaywrightTimeout as error:
        state = page.locator('[data-testid="stApp"]').get_attribute("data-test-script-state")
        headlines = page.evaluate(r"() => document.body.innerText.match(/Iteration \d+ of \d+/g)")
        raise RuntimeError(
            f"no chart of {iterations} iterations: the field holds {field.input_value()!r}, the "
            f"script is {state!r}, the page shows {headlines}"
        ) from error
    _settled(page)
    return milliseconds


def measure(url, scrub_steps=15, repeats=5):
    """The timings, each over ``repeats`` tries where it can be repeated (median and worst)."""
    from playwright.sync_api import sync_playwright

    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        first, first_in_page = _first_chart_ms(browser, url)
        results["page open -> first chart, first visitor of the server (ms)"] = first
        results["navigation start -> first chart, in the page, the same first visit (ms)"] = first_in_page
        later = [_first_chart_ms(browser, url)[0] for _ in range(repeats)]
        results["page open -> first chart, later visitors, median (ms)"] = statistics.median(later)
        results["page open -> first chart, later visitors, worst (ms)"] = max(later)
        in_page = [_first_chart_in_page_ms(browser, url) for _ in range(repeats)]
        results["navigation start -> first chart, in the page, later visitors, median (ms)"] = statistics.median(
            in_page
        )
        results["navigation start -> first chart, in the page, later visitors, worst (ms)"] = max(in_page)

        page = _open(browser, url)[1]
        _idle(page)
        _after_run(page, page.get_by_role("radio", name="Generate").click)
        _set_number(page, "gen_clusters", N_CLUSTERS)
        _set_number(page, "gen_points", POINTS_EACH)
        _set_number(page, "tol", 0)
        _set_number(page, "max_iter", ITERATIONS - 1)
        _set_number(page, "n_components", K)
        # 100 iterations, then 99, 100...: each a new fit and a new chart
        refits = [_timed_refit(page, ITERATIONS - attempt % 2) for attempt in range(repeats)]
        fit = f"fit of {ITERATIONS} iterations, K = {K}, N = 10^5: input -> chart"
        results[f"{fit}, median (ms)"] = statistics.median(refits)
        results[f"{fit}, worst (ms)"] = max(refits)
        if repeats % 2 == 0:  # end on the 100-iteration chart
            _timed_refit(page, ITERATIONS)

        steps = [_timed_step(page, position) for position in _scrub_positions(page, scrub_steps)]
        for index, what in enumerate(("chart data", "next frame drawn")):
            times = [step[index] for step in steps]
            results[f"scrub one iteration: click -> {what}, median (ms)"] = statistics.median(times)
            results[f"scrub one iteration: click -> {what}, worst (ms)"] = max(times)
        if page.locator(".st-key-em_chart_stage").count():  # the stage's keys (not in the code before it)
            _click_slider_step(page, 0)
            page.wait_for_timeout(800)  # the stage's catch-up after the slider's last step
            _settled(page)
            page.locator(CHART).first.click(position={"x": 150, "y": 200})
            keys = [_timed_key(page) for _ in range(scrub_steps)]
            results["keyboard step (ArrowRight): key -> next frame drawn, median (ms)"] = statistics.median(keys)
            results["keyboard step (ArrowRight): key -> next frame drawn, worst (ms)"] = max(keys)
            page.wait_for_timeout(800)
            _settled(page)
            catch_ups = [_timed_catch_up(page) for _ in range(repeats)]
            results["catch-up after a stop: key -> the page's iteration box, median (ms)"] = statistics.median(
                catch_ups
            )
            results["catch-up after a stop: key -> the page's iteration box, worst (ms)"] = max(catch_ups)

        # The same chart with the fitted density shaded under the points (one filled shape per contour level)
        density = page.locator(".st-key-show_density label").first
        _after_run(page, density.click)
        page.wait_for_function(HAS_DENSITY, timeout=TIMEOUT_MS, polling="raf")
        steps = [_timed_step(page, position) for position in _scrub_positions(page, scrub_steps)]
        times = [step[1] for step in steps]
        results["scrub with the density shown: click -> next frame drawn, median (ms)"] = statistics.median(times)
        results["scrub with the density shown: click -> next frame drawn, worst (ms)"] = max(times)
        _after_run(page, density.click)

        # The comparison tabs: two or four fits side by side in one chart, scrubbed with its own slider
        for tab in ("k-means vs GMM", "Does the start matter?", "Covariance types"):
            _after_run(page, page.get_by_role("tab", name=tab).click)
            page.locator(CHART).first.wait_for(timeout=TIMEOUT_MS)
            _wait_for_new_chart(page, None)
            steps = [_timed_step(page, position) for position in _scrub_positions(page, scrub_steps)]
            times = [step[1] for step in steps]
            results[f"scrub in the tab {tab!r}: click -> next frame drawn, median (ms)"] = statistics.median(times)
            results[f"scrub in the tab {tab!r}: click -> next frame drawn, worst (ms)"] = max(times)

        # 1-D data: S6a's 100 components over 10^4 points, each frame their curves and the mixture's density
        page = _open(browser, f"{url}/?data=S6a", DENSITY_STATE)[1]
        _idle(page)
        steps = [_timed_step(page, position, DENSITY_STATE) for position in _scrub_positions(page, scrub_steps)]
        times = [step[1] for step in steps]
        results["1-D scrub (S6a, K = 100): click -> next frame drawn, median (ms)"] = statistics.median(times)
        results["1-D scrub (S6a, K = 100): click -> next frame drawn, worst (ms)"] = max(times)
        browser.close()
    return results


def engine_fit_seconds():
    """The same 100-iteration fit in the engine alone, for comparison with the in-app time."""
    import gmm_core

    data = gmm_core.generate_clusters(n_clusters=N_CLUSTERS, points_per_cluster=POINTS_EACH, seed=0)
    start_params = gmm_core.initialize(data.X, K, "kmeans++", random_state=0)
    start = time.perf_counter()
    gmm_core.fit_em(data.X, start_params, max_iter=ITERATIONS, tol=0.0)
    return time.perf_counter() - start


def _target(name):
    targets = {"first chart": 3000, "fit of": 2000, "scrub": 150, "keyboard": 100, "catch-up": 1000}
    return next((f"< {limit:,} ms" for word, limit in targets.items() if word in name), "")


@contextlib.contextmanager
def reference_tree(ref):
    """The repository's files at commit ``ref``, unpacked into a temporary folder (removed on exit)."""
    import shutil

    folder = Path(tempfile.mkdtemp(prefix="gmm-bench-reference-"))
    try:
        archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def compare(ref, rounds):
    """Time the app at commit ``ref`` and this tree in turn, ``rounds`` times each on fresh servers, and print each
    measurement's median over the rounds side by side with their ratio (this tree / reference): the machine's
    speed drifts, so only times taken in the same run, alternately, compare."""
    times = {"reference": [], "this tree": []}
    with reference_tree(ref) as reference:
        for round_number in range(rounds):
            for label, root in (("reference", reference), ("this tree", ROOT)):
                print(f"round {round_number + 1} of {rounds}: {label}", flush=True)
                with served_app(root) as url:
                    times[label].append(measure(url))
    print(f"\n| measurement | {ref} (ms) | this tree (ms) | ratio | target |\n|---|---:|---:|---:|---:|")
    for name in times["this tree"][0]:
        # A key step has no counterpart before the stage: it is compared with the slider step of the reference.
        counterpart = name
        if name.startswith("keyboard step") and name not in times["reference"][0]:
            counterpart = "scrub one iteration: click -> next frame drawn, " + name.rsplit(", ", 1)[1]
        known = [run[counterpart] for run in times["reference"] if counterpart in run]
        after = statistics.median(run[name] for run in times["this tree"])
        if not known:
            print(f"| {name} | — | {after:,.0f} | — | {_target(name)} |")
            continue
        before = statistics.median(known)
        print(f"| {name} | {before:,.0f} | {after:,.0f} | {after / before:.2f} | {_target(name)} |")


def main(arguments=()):
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench app", description=__doc__.split("\n")[0])
    parser.add_argument("--against", metavar="COMMIT", help="also time the app at this commit, in turn, and compare")
    parser.add_argument("--rounds", type=int, default=2, help="servers started for each tree with --against")
    options = parser.parse_args(arguments)
    scratch = tempfile.mkdtemp(prefix="gmm-bench-")
    os.environ.update(HOME=scratch, TMPDIR=scratch)  # chromium writes nowhere else
    print(f"\n# App benchmark: N = {N_CLUSTERS * POINTS_EACH:,} points (generator), K = {K}, Debian chromium")
    if options.against:
        compare(options.against, options.rounds)
        return
    with served_app() as url:
        results = measure(url)
    results[f"engine alone: fit_em, {ITERATIONS} iterations (ms)"] = engine_fit_seconds() * 1e3
    print("| measurement | time | target |\n|---|---:|---:|")
    for name, value in results.items():
        print(f"| {name} | {value:,.0f} ms | {_target(name)} |")
    print(
        f"\nEM chart of {ITERATIONS} iterations on the {N_CLUSTERS * POINTS_EACH:,}-point data (a display sample), "
        f"as JSON with its frames: {figure_json_bytes():,} bytes"
    )


if __name__ == "__main__":
    main()
