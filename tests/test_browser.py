"""The real app in Debian's chromium: the EM chart's own slider and Play move the ellipses, uploads load, nothing
crashes.

Screenshots of each stage are written to ``test-output/`` for people to look at.
"""

import json
import re

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_SLIDER,
    CHART_TIMEOUT_MS,
    READ_TRACES,
    VIEWPORT,
    assert_no_exception,
    assert_no_run_since,
    assert_scrubbed_in_browser,
    chart_slider,
    choose_preset,
    click_chart_step,
    new_counting_page,
    read_traces,
    run_counts,
    screenshot,
    served_app,
    wait_for_ellipses,
    wait_for_headline,
    wait_for_runs,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS


def test_clicking_a_step_of_the_charts_slider_moves_the_ellipses(page):
    """The EM chart holds every iteration: a click on its own slider redraws it in the browser, no rerun."""
    from playwright.sync_api import expect

    at_start = wait_for_ellipses(page)
    box = chart_slider(page)
    assert box["labels"] == [str(i) for i in range(8)] and box["active"] == 0  # S1: 7 iterations, 8 frames
    assert box["headline"].startswith("Iteration 0 of 7")
    screenshot(page, "em_iteration0.png")

    counts = run_counts(page)
    click_chart_step(page, 7)
    at_end = wait_for_ellipses(page, other_than=at_start)
    assert "converged" in wait_for_headline(page, "Iteration 7 of 7")
    assert chart_slider(page)["active"] == 7
    start_outlines, end_outlines = json.loads(at_start), json.loads(at_end)
    assert len(start_outlines) == len(end_outlines) == 3 * 2  # K = 3 components at 1σ and 2σ
    assert all(before != after for before, after in zip(start_outlines, end_outlines))
    colors = {color for trace in json.loads(read_traces(page, "points")) for color in trace[2]}
    assert len(colors) >= 3 and all(color.startswith("#") for color in colors)
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(0)
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "em_iteration_end.png")

    click_chart_step(page, 1)  # and back: one iteration
    wait_for_headline(page, "Iteration 1 of 7")
    assert read_traces(page, "ellipse") not in (at_start, at_end)
    assert_scrubbed_in_browser(page, counts, stops=2)


def test_the_run_counter_sees_a_widgets_rerun_at_once(page):
    """What the scrub tests rely on: a change sent to the server shows in the counts as soon as the click returns,
    and its run is counted once."""
    import pytest

    counts = run_counts(page)
    page.locator(".st-key-show_density label").click()
    with pytest.raises(AssertionError, match="messages to the server"):
        assert_no_run_since(page, counts)
    wait_for_runs(page, counts[0])


def test_the_em_chart_is_drawn_once_at_the_screens_resolution(page):
    """The EM chart's margins already hold its axes, legend and slider, so Plotly does not widen them and draw the
    whole chart again; and WebGL draws at the screen's resolution."""
    wait_for_ellipses(page)
    size, margin, gl_ratio = page.evaluate("""() => {
        const graph = document.querySelector('[data-testid="stPlotlyChart"] .js-plotly-plot');
        return [graph._fullLayout._size, graph._fullLayout.margin, graph._context.plotGlPixelRatio];
    }""")
    assert [size[side] for side in "lrtb"] == [margin[side] for side in "lrtb"]
    assert gl_ratio == 1  # WebGL layers at the screen's resolution, not twice it
    assert_no_exception(page)


def test_the_link_and_the_jump_control_set_the_opening_frame(open_app):
    from playwright.sync_api import expect

    page = open_app("?data=S1&iteration=3")
    wait_for_headline(page, "Iteration 3 of 7")
    assert chart_slider(page)["active"] == 3
    box = page.locator(".st-key-iteration input")
    expect(box).to_have_value("3")
    box.fill("5")
    box.press("Enter")
    wait_for_headline(page, "Iteration 5 of 7")
    assert chart_slider(page)["active"] == 5
    page.wait_for_function("() => window.location.search.includes('iteration=5')", timeout=CHART_TIMEOUT_MS)
    assert_no_exception(page)


def test_one_dimensional_data_scrub_in_the_chart_and_keep_their_histogram(open_app):
    """1-D data (S6b, heights) have the same in-browser slider: a click shows another iteration's curves, and the
    histogram under them, which no frame lists, stays drawn."""
    from playwright.sync_api import expect

    page = open_app("?data=S6b")
    wait_for_headline(page, "Iteration 0 of")
    density = read_traces(page, "density")
    labels = chart_slider(page)["labels"]
    counts = run_counts(page)
    click_chart_step(page, len(labels) // 2)  # steps a few pixels apart (246 of them): near the middle is enough
    page.wait_for_function(f"() => ({CHART_SLIDER})().active > 0", timeout=CHART_TIMEOUT_MS)
    active = chart_slider(page)["active"]
    wait_for_headline(page, f"Iteration {labels[active]} of")
    assert abs(active - len(labels) // 2) <= 2
    assert read_traces(page, "density") != density
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(0)
    assert_scrubbed_in_browser(page, counts)
    histogram_fill = page.locator(f"{CHART} .scatterlayer .trace").first.locator("path.js-fill")
    assert len(histogram_fill.get_attribute("d") or "") > 100  # its outline still drawn
    assert_no_exception(page)
    screenshot(page, "em_1d.png")


def _plane_pixels(page):
    """A greyscale picture of the first chart's plane (its main plot area), as an array."""
    import io

    import numpy as np
    from PIL import Image

    box = page.locator(f"{CHART} .nsewdrag").first.bounding_box()
    png = page.screenshot(clip=box)
    return np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=np.int16)


def test_large_data_scrub_redraws_the_plane_itself(open_app):
    """With more points than the animation draws (5,000), a step on the chart's slider changes the picture, not
    only the chart's data: plotly.js leaves WebGL traces as they were in frames that change data only, which once
    froze the plane of large data at its opening frame while the headline moved on."""
    import numpy as np

    page = open_app("?data=generated&clusters=5&points=1000&k=5&init=random_from_data&seed=0")
    wait_for_headline(page, "Iteration 0 of")
    wait_for_runs(page, 0)  # the page's one run has drawn everything
    counts = run_counts(page)
    before = _plane_pixels(page)
    last = len(chart_slider(page)["labels"]) - 1
    click_chart_step(page, last)
    wait_for_headline(page, f"Iteration {last} of {last}")
    assert_scrubbed_in_browser(page, counts)
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")  # painted
    after = _plane_pixels(page)
    changed = int((np.abs(after - before) > 40).sum())
    assert changed > 1000, f"only {changed} pixels of the plane changed from the first to the last iteration"
    assert_no_exception(page)
    screenshot(page, "em_large_data_end.png")


def test_play_animates_through_the_iterations(page):
    wait_for_ellipses(page)
    counts = run_counts(page)
    page.locator(".st-key-em_chart_stage .play").click()  # the stage's toolbar (gmm_ui/stage.py)
    # S1 converges in 7 iterations: playing reaches the last frame by itself.
    assert "converged" in wait_for_headline(page, "Iteration 7 of 7")
    assert chart_slider(page)["active"] == 7
    assert_scrubbed_in_browser(page, counts)  # played in the browser
    assert_no_exception(page)


def test_kmeans_versus_gmm_tab_shows_both_side_by_side(page):
    from playwright.sync_api import expect

    choose_preset(page, "k-means fails: stretched clusters")
    expect(page.get_by_text("600 points", exact=False).first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    runs = wait_for_runs(page, 1)  # the preset's
    page.get_by_role("tab", name="k-means vs GMM").click()
    wait_for_runs(page, runs)  # one run draws the tab
    counts = run_counts(page)
    expect(page.get_by_text("k-means · iteration 0")).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.locator(CHART)).to_have_count(1)  # k-means and EM in one chart, under one slider
    assert len(json.loads(wait_for_traces(page, "cell", 0))) == 3  # k-means' decision regions, K = 3
    ellipses = wait_for_traces(page, "ellipse", 0)
    last = len(chart_slider(page)["labels"]) - 1
    click_chart_step(page, last)
    wait_for_traces(page, "ellipse", 0, other_than=ellipses)
    expect(page.get_by_text(f"GMM (EM) · iteration {last} (converged)")).to_be_visible()
    # k-means walks from the k-means++ seeds of S4's "k-means clusters" start (issue 20, item 3), cutting each
    # stretched cluster in two, and stops well before EM: it keeps its last state
    expect(page.get_by_text(re.compile(r"k-means · iteration ([2-9]|\d\d+) \(converged\)"))).to_be_visible()
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(0)
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "kmeans_vs_gmm.png")


def test_uploading_a_csv_replaces_the_data(page, tmp_path):
    from playwright.sync_api import expect

    expect(page.get_by_text("300 points", exact=False).first).to_be_visible()
    csv = tmp_path / "my points.csv"
    wobble = [0.3, -0.2, 0.5, -0.4, 0.1, -0.5, 0.2, 0.4, -0.1, -0.3]  # two noisy clumps of ten points
    rows = ["length,width"] + [f"{1 + a:.2f},{2 + b:.2f}" for a, b in zip(wobble, wobble[3:] + wobble[:3])]
    rows += [f"{6 + a:.2f},{1 + 2 * b:.2f}" for a, b in zip(wobble, wobble[5:] + wobble[:5])]
    csv.write_text("\n".join(rows) + "\n")

    page.get_by_role("radio", name="Upload CSV").click()
    page.locator(".st-key-upload input[type=file]").set_input_files(csv)
    expect(page.get_by_text("20 points", exact=False).first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("300 points", exact=False)).to_have_count(0)
    expect(page.get_by_text("my points.csv", exact=False).first).to_be_visible()
    page.locator(".st-key-n_components input").fill("2")
    page.keyboard.press("Enter")
    page.wait_for_function(  # K = 2 components at 1σ and 2σ
        f"() => {{ const now = ({READ_TRACES})([0, 'ellipse']); return now && JSON.parse(now).length === 4; }}",
        timeout=CHART_TIMEOUT_MS,
    )
    assert_no_exception(page)
    screenshot(page, "upload.png")


def test_a_heavy_fit_runs_in_the_worker_and_shows_its_progress_then_the_chart(browser, app_url):
    """A long fit (10^5 points, 1,500 iterations) is estimated heavy and runs in the server's worker process
    (gmm_ui.workers): the page shows a progress bar that says where EM is, then the chart. (The bar of a fit run
    in the server's own thread: tests/test_fitting.py.)"""
    from playwright.sync_api import expect

    from gmm_ui import fitting
    from tests import browser_support

    assert fitting.em_work(100_000, 2, 5, 1500) > fitting.HEAVY_WORK
    context = browser.new_context(viewport=browser_support.VIEWPORT)
    try:
        page = context.new_page()
        page.goto(f"{app_url}/?data=generated&clusters=5&points=20000&k=5&max_iter=1500&tol=0")
        progress = page.locator('[data-testid="stProgress"]')
        expect(progress).to_contain_text("Running EM: iteration", timeout=CHART_TIMEOUT_MS)
        expect(progress).to_contain_text("of at most 1,500")
        wait_for_headline(page, "Iteration 0 of 1500")
        expect(progress).to_have_count(0)
        assert_no_exception(page)
    finally:
        context.close()


def test_a_plain_streamlit_run_serves_the_same_app(browser, scratch):
    """``streamlit run streamlit_app.py``, how Streamlit Community Cloud starts an app (without ``gmm_ui.serve``),
    on a server of its own: the page loads the EM chart in one run, and its slider moves the ellipses in the
    browser."""
    with served_app(scratch, plain=True) as url:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = new_counting_page(context)
            page.goto(url)
            at_start = wait_for_ellipses(page)
            assert chart_slider(page)["labels"] == [str(i) for i in range(8)]  # S1: 7 iterations, 8 frames
            wait_for_runs(page, 0)
            counts = run_counts(page)
            click_chart_step(page, 7)
            wait_for_ellipses(page, other_than=at_start)
            assert "converged" in wait_for_headline(page, "Iteration 7 of 7")
            assert_scrubbed_in_browser(page, counts)
            assert_no_exception(page)
        finally:
            context.close()
