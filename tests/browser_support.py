"""What the browser tests share: the app served headless, Debian's chromium, and helpers that wait on the page.

The fixtures built on these live in ``tests/conftest.py`` (one server and one browser for the whole session).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "test-output"
VIEWPORT = {"width": 1400, "height": 1800}  # tall: Streamlit scrolls inside its own container
CHART = '[data-testid="stPlotlyChart"]'
SERVER_START_SECONDS = 60
CHART_TIMEOUT_MS = 30_000

#: Marks a test module as a browser test, skipped where Debian's chromium is missing.
BROWSER_TESTS = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"),
]

# The coordinates (and marker colours) of the traces of one role (tagged by gmm_ui.figures) of the n-th chart on
# the page, read from Plotly's own decoded data so that a check sees what is drawn. Arguments: [chart index, role].
READ_TRACES = """
([index, role]) => {
    const graph = document.querySelectorAll('[data-testid="stPlotlyChart"] .js-plotly-plot')[index];
    if (!graph || !graph._fullData) return null;
    const values = v => (v === undefined || v === null) ? null : (typeof v === "object" ? Array.from(v) : v);
    // Colours given as indices into a colour scale (the EM chart's frames) are read as the scale's colours.
    const colours = marker => {
        const colour = values(marker && marker.color);
        if (!Array.isArray(colour) || typeof colour[0] !== "number" || !marker.colorscale) return colour;
        return colour.map(i => marker.colorscale[Math.round(i)][1]);
    };
    return JSON.stringify(graph._fullData
        .filter(trace => trace.meta && trace.meta.role === role)
        .map(trace => [values(trace.x), values(trace.y), colours(trace.marker)]));
}
"""

# The first chart's own (Plotly) slider: its steps' labels, the active step, the rail's box on the page and the
# headline text the chart shows.
CHART_SLIDER = """
() => {
    const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
    if (!graph || !graph._fullLayout || !graph._fullLayout.sliders || !graph._fullLayout.sliders.length) return null;
    const slider = graph._fullLayout.sliders[0];
    const rail = graph.querySelector('.slider-rail-rect').getBoundingClientRect();
    const headline = graph._fullData.find(trace => trace.meta && trace.meta.role === "headline");
    return {labels: slider.steps.map(step => step.label), active: slider.active, x: rail.x, y: rail.y,
            width: rail.width, height: rail.height, headline: headline ? String(headline.text[0]) : null};
}
"""


#: Streamlit marks its app element with the script's state ("initial", "running", "notRunning", ...).
SCRIPT_STATE = "data-test-script-state"
IDLE = f'[data-testid="stApp"][{SCRIPT_STATE}="notRunning"]'

# Run in every page before Streamlit's own scripts (see ``new_counting_page``): counts the script's runs, that is
# the times the app element's script state turns "running" (a whole run or a fragment's), and the messages the page
# sends to the server. The observer watches that one attribute only, so a chart's own drawing costs it nothing;
# each record's old value and the element's value now give every state in turn, however quickly they follow.
COUNT_RUNS = f"""
(() => {{
    window.__scriptRuns = 0;
    window.__messagesSent = 0;
    window.__messagesAtIdle = 0;  // sent when the last run finished
    window.__lastSentAt = 0;
    let last = null;
    const seen = state => {{
        if (state === "running" && last !== "running") window.__scriptRuns += 1;
        if (state === "notRunning" && last !== "notRunning") window.__messagesAtIdle = window.__messagesSent;
        last = state;
    }};
    new MutationObserver(records => {{
        const app = records[0].target;
        records.forEach(record => seen(record.oldValue));
        seen(app.getAttribute("{SCRIPT_STATE}"));
    }}).observe(document, {{subtree: true, attributes: true, attributeOldValue: true,
                            attributeFilter: ["{SCRIPT_STATE}"]}});
    const send = WebSocket.prototype.send;
    WebSocket.prototype.send = function (...message) {{
        window.__messagesSent += 1;
        window.__lastSentAt = performance.now();
        return send.apply(this, message);
    }};
}})();
"""


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_healthy(url, process, log_path):
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{log_path.read_text()[-3000:]}")


def scratch_environment(folder):
    """The environment with HOME and TMPDIR in ``folder``, so that chromium and Streamlit write nothing elsewhere."""
    return {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}


@contextlib.contextmanager
def served_app(scratch, plain=False):
    """The app served headless on a free loopback port; yields its URL and always stops the server.

    As ``make run`` starts it (``python -m gmm_ui.serve``), or with ``plain``, as ``streamlit run streamlit_app.py``
    does (how Streamlit Community Cloud starts an app).
    """
    port = _free_port()
    log_path = scratch / ("streamlit-plain.log" if plain else "streamlit.log")
    start = ["streamlit", "run", "streamlit_app.py"] if plain else ["gmm_ui.serve"]
    command = [
        sys.executable,
        "-m",
        *start,
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
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=scratch_environment(scratch)
        )
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(url, process, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def launched_chromium(scratch):
    """Debian's chromium driven by Playwright (whose driver also gets the scratch HOME and TMPDIR)."""
    from playwright.sync_api import sync_playwright

    saved = dict(os.environ)
    os.environ.update(scratch_environment(scratch))
    try:
        playwright = sync_playwright().start()  # the driver process inherits the scratch environment
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, env=scratch_environment(scratch)
        )
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


def read_traces(page, role, chart=0):
    """JSON text of the [x, y] coordinates of the traces of ``role`` in chart number ``chart`` (None if not drawn)."""
    return page.evaluate(READ_TRACES, [chart, role])


def wait_for_traces(page, role, chart=0, other_than=None):
    """The coordinates of ``role`` once chart ``chart`` draws some (and, if given, they differ from before)."""
    handle = page.wait_for_function(
        f"([index, role, previous]) => {{ const now = ({READ_TRACES})([index, role]); "
        "return now && now !== '[]' && now !== previous && now; }",
        arg=[chart, role, other_than],
        timeout=CHART_TIMEOUT_MS,
    )
    return handle.json_value()


def wait_for_ellipses(page, other_than=None):
    """The ellipse coordinates once the first chart has drawn them (and, if given, they differ from before)."""
    return wait_for_traces(page, "ellipse", 0, other_than)


def new_counting_page(context):
    """A new page of ``context`` that counts its script runs (see ``script_runs``)."""
    page = context.new_page()
    page.add_init_script(COUNT_RUNS)
    return page


def script_runs(page):
    """How many runs of the app's script (whole or a fragment) this page has seen start so far."""
    return page.evaluate("() => window.__scriptRuns")


def run_counts(page):
    """[script runs seen so far, messages sent to the server so far] of this page (see ``assert_no_run_since``)."""
    return page.evaluate("() => [window.__scriptRuns, window.__messagesSent]")


#: Not every message a page sends asks for a run (an element that has just been drawn, such as the start's data
#: grid, may report to the server after the run that drew it has finished): a message that starts no run within
#: this long does not hold up :func:`wait_for_runs`.
QUIET_AFTER_MESSAGE_MS = 1000


def wait_for_runs(page, since, runs=1, exactly=True):
    """Until ``runs`` runs have started since the count stood at ``since``, the last has finished drawing and the
    page has sent nothing since it finished (no further run is asked for; or what it sent started no run within
    QUIET_AFTER_MESSAGE_MS); asserts that exactly ``runs`` started, or, unless ``exactly``, at least that many.
    Returns the count now.

    (Replacing an uploaded file sends the uploader's change in steps, which the server runs once or twice
    depending on how soon they arrive: there, ``exactly=False``.)"""
    page.wait_for_function(
        "([target, quiet]) => window.__scriptRuns >= target && document.querySelector('" + IDLE + "') && ("
        "window.__messagesSent === window.__messagesAtIdle || performance.now() - window.__lastSentAt > quiet)",
        arg=[since + runs, QUIET_AFTER_MESSAGE_MS],
        timeout=CHART_TIMEOUT_MS,
    )
    now = script_runs(page)
    if exactly:
        assert now == since + runs, f"{now - since} script runs, expected {runs}"
    return now


def assert_no_run_since(page, counts):
    """The page has neither asked the server for anything nor seen a script run since ``run_counts`` gave
    ``counts``: what was done since happened in the browser alone. (A widget's change is sent at once, so a rerun
    it would cause is seen here even before the server has started it.)"""
    now = run_counts(page)
    assert now == counts, f"since then: {now[0] - counts[0]} script runs, {now[1] - counts[1]} messages to the server"


#: How long the stage waits after the user's last step before the page catches up (gmm_ui/stage.js QUIET_MS).
STAGE_QUIET_MS = 400


def assert_scrubbed_in_browser(page, counts, stops=1):
    """What was done since ``run_counts`` gave ``counts`` (steps of an animated chart) ran in the browser: the page
    caught up afterwards with at most one run per time the user stopped (``stops``: the stage reports where the
    chart stands STAGE_QUIET_MS after the last step), never one per step."""
    page.wait_for_timeout(STAGE_QUIET_MS + 300)
    wait_for_runs(page, counts[0], runs=0, exactly=False)
    runs = script_runs(page) - counts[0]
    assert runs <= stops, f"{runs} script runs since, for {stops} stop(s) of the user"


def open_start(page):
    """Open the "Start of EM" box under the tabs (closed at first: the chart comes first)."""
    from playwright.sync_api import expect

    summary = page.get_by_text("Start of EM: initial parameters")
    summary.scroll_into_view_if_needed()
    summary.click()
    expect(page.locator(".st-key-edit_start label")).to_be_visible(timeout=CHART_TIMEOUT_MS)


def wait_until_idle(page):
    """Until the script (or fragment) is not running: the page of the last run seen is drawn. (Waiting on an
    interaction's run needs ``wait_for_runs``: right after the interaction the script may not have started yet.)"""
    page.locator(IDLE).wait_for(timeout=CHART_TIMEOUT_MS)


def assert_no_exception(page):
    from playwright.sync_api import expect

    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def screenshot(page, name):
    """Write ``test-output/<name>`` once the page is idle and every element has drawn (Streamlit shows a skeleton
    while an element's script is still loading)."""
    from playwright.sync_api import expect

    SCREENSHOTS.mkdir(exist_ok=True)
    wait_until_idle(page)
    expect(page.locator('[data-testid="stSkeleton"]')).to_have_count(0, timeout=CHART_TIMEOUT_MS)
    page.screenshot(path=SCREENSHOTS / name)


def slider(page, key):
    """A slider's (visually hidden) range input: it takes the keyboard focus and holds the value."""
    return page.locator(f".st-key-{key} input[type=range]")


def choose_option(page, key, name):
    """Pick option ``name`` of the selectbox with widget key ``key``."""
    box = page.locator(f".st-key-{key} [role='combobox']")
    box.scroll_into_view_if_needed()  # a list opened while the page scrolls closes again
    box.click()
    page.get_by_role("option", name=name, exact=True).click()


def choose_preset(page, name):
    choose_option(page, "scenario", name)


def chart_slider(page):
    """The first chart's Plotly slider: {labels, active, x, y, width, height, headline}, or None."""
    return page.evaluate(CHART_SLIDER)


def click_chart_step(page, position):
    """Click the first chart's slider rail at step ``position`` (Plotly moves there and shows that frame)."""
    page.locator(f"{CHART} .slider-rail-rect").first.scroll_into_view_if_needed()  # a click off screen is lost
    box = chart_slider(page)
    x = box["x"] + box["width"] * position / max(len(box["labels"]) - 1, 1)
    page.mouse.click(x, box["y"] + box["height"] / 2)


def wait_for_chart_step(page, position):
    """Until the first chart's slider stands at step ``position`` (Plotly has moved there)."""
    page.wait_for_function(
        f"position => {{ const s = ({CHART_SLIDER})(); return s && s.active === position; }}",
        arg=position,
        timeout=CHART_TIMEOUT_MS,
        polling="raf",
    )


def wait_for_headline(page, text):
    """Until the first chart's headline (the frame's own text) contains ``text``; returns the headline."""
    return page.wait_for_function(
        f"text => {{ const s = ({CHART_SLIDER})(); "
        "return s && s.headline && s.headline.includes(text) && s.headline; }",
        arg=text,
        timeout=CHART_TIMEOUT_MS,
        polling="raf",
    ).json_value()
