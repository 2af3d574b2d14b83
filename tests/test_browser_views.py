"""The comparison views in Debian's chromium: each view's charts are drawn and follow its shared control.

Each test opens the app on a shared link (which is itself under test: the link must open that view) and writes
``test-output/view_<name>.png`` for people to look at.
"""

import json
from urllib.parse import parse_qs, urlparse

from tests.browser_support import (
    BROWSER_TESTS,
    CHART,
    CHART_TIMEOUT_MS,
    assert_no_exception,
    assert_scrubbed_in_browser,
    chart_slider,
    choose_option,
    click_chart_step,
    read_traces,
    run_counts,
    screenshot,
    wait_for_chart_step,
    wait_for_headline,
    wait_for_runs,
    wait_for_traces,
)

pytestmark = BROWSER_TESTS


def _expect():
    from playwright.sync_api import expect

    return expect


def _charts(page):
    return page.locator(CHART)


def _query(page):
    return {name: values[-1] for name, values in parse_qs(urlparse(page.url).query).items()}


def test_two_starts_are_scrubbed_together_and_restarts_show_local_optima(open_app):
    expect = _expect()
    page = open_app("?data=S2&view=starts")
    expect(page.get_by_text("Many restarts: local optima")).to_be_visible(timeout=CHART_TIMEOUT_MS)
    # One chart of both starts, their log-likelihood curves, the restarts' strip, and the best restart (from
    # random data points every start finds the same optimum on these two round clusters).
    expect(_charts(page)).to_have_count(4, timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("Start A · iteration 0")).to_be_visible()
    expect(page.get_by_text("Start B · iteration 0")).to_be_visible()
    before = wait_for_traces(page, "ellipse", 0)
    curves = json.loads(wait_for_traces(page, "log_likelihood", 1))
    assert len(curves) == 2 and len(curves[1][0]) > len(curves[0][0])  # from [-3, -3], [3, 3] EM crawls
    screenshot(page, "view_two_starts_start.png")

    labels = chart_slider(page)["labels"]
    counts = run_counts(page)
    click_chart_step(page, len(labels) - 1)  # in the browser: no rerun
    after = json.loads(wait_for_traces(page, "ellipse", 0, other_than=before))
    half = len(after) // 2
    assert after[:half] != json.loads(before)[:half] and after[half:] != json.loads(before)[half:]
    expect(page.get_by_text(f"Start B · iteration {labels[-1]}")).to_be_visible()
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(0)
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "view_two_starts.png")

    restarts = wait_for_traces(page, "restart", 2)
    assert sum(len(x) for x, _, _ in json.loads(restarts)) == 10  # the default ten starts, each a dot
    choose_option(page, "restart_method", "Random responsibilities")
    worse = json.loads(wait_for_traces(page, "restart", 2, other_than=restarts))
    best, other = (len(x) for x, _, _ in worse)
    assert best + other == 10 and other > 0  # some random starts stop on a worse optimum
    expect(_charts(page)).to_have_count(5)  # now the best and the worst fits side by side
    page.get_by_text("Many restarts: local optima").scroll_into_view_if_needed()
    assert_no_exception(page)
    screenshot(page, "view_restarts.png")


def test_covariance_types_share_one_iteration_control(open_app):
    expect = _expect()
    page = open_app("?data=S7&view=covariance")
    expect(_charts(page)).to_have_count(1, timeout=CHART_TIMEOUT_MS)  # four panels in one chart
    start = json.loads(wait_for_traces(page, "ellipse", 0))
    panels = [start[i * len(start) // 4 : (i + 1) * len(start) // 4] for i in range(4)]
    assert all(panel == panels[0] for panel in panels)  # iteration 0: one start, four times
    expect(page.locator('[data-testid="stMetricLabel"]', has_text="Free parameters")).to_have_count(4)

    last = len(chart_slider(page)["labels"]) - 1
    counts = run_counts(page)
    click_chart_step(page, last)
    wait_for_chart_step(page, last)  # the last iteration's ellipses, not whatever first differs from the start
    end = json.loads(wait_for_traces(page, "ellipse", 0, other_than=json.dumps(start)))
    panels = [end[i * len(end) // 4 : (i + 1) * len(end) // 4] for i in range(4)]
    assert all(panels[i] != panels[j] for i in range(4) for j in range(i))  # four constraints, four fits
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "view_covariance_types.png")


def test_choosing_k_draws_the_criterion_per_type_and_the_chosen_model(open_app):
    expect = _expect()
    page = open_app("?data=S3&view=choose_k")
    expect(_charts(page)).to_have_count(2, timeout=CHART_TIMEOUT_MS)
    lines = json.loads(wait_for_traces(page, "criterion", 0))
    assert len(lines) == 4 and all(len(x) == 6 for x, _, _ in lines)  # four types, K = 1..6
    shown = wait_for_traces(page, "ellipse", 1)

    runs = wait_for_runs(page, 0)  # the page's own
    choose_option(page, "select_model", "spherical, K = 4")
    wait_for_runs(page, runs)  # one run shows that model
    changed = json.loads(wait_for_traces(page, "ellipse", 1, other_than=shown))
    assert len(changed) == 4 * 2  # K = 4 at 1σ and 2σ
    expect(page.get_by_text("The model spherical, K = 4")).to_be_visible()

    # A click on a point of the chart shows that model: spherical, K = 2 (the fourth line, drawn on top of the
    # others, so that no other line's point at the same place takes the click).
    point = page.locator(f"{CHART} .scatterlayer .trace").nth(3).locator(".points path").nth(1)
    point.click(force=True)  # Plotly's drag layer lies over its points and takes the click
    expect(page.get_by_text("The model spherical, K = 2")).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(page.locator(".st-key-select_model input")).to_have_value("spherical, K = 2")
    assert_no_exception(page)
    screenshot(page, "view_choose_k.png")


def test_half_steps_recolor_first_then_move_the_ellipses(open_app):
    page = open_app("?data=S2&half=1&iteration=0")
    wait_for_headline(page, "Start (iteration 0 of")
    ellipses, points = wait_for_traces(page, "ellipse"), wait_for_traces(page, "points")
    assert {color for trace in json.loads(points) for color in trace[2]} == {"#9aa5b1"}  # no E-step yet: grey
    assert chart_slider(page)["labels"][:3] == ["start", "1 · E-step", "1 · M-step"]

    counts = run_counts(page)
    click_chart_step(page, 1)  # the E-step of iteration 1: new colours, the same ellipses
    wait_for_headline(page, "Iteration 1 of")
    wait_for_headline(page, "after the E-step")
    colored = wait_for_traces(page, "points", other_than=points)
    assert len({color for trace in json.loads(colored) for color in trace[2]}) > 10
    assert read_traces(page, "ellipse") == ellipses
    assert all(x == [None] for x, _, _ in json.loads(read_traces(page, "previous_ellipse")))

    click_chart_step(page, 2)  # its M-step: the ellipses move, the colours stay
    wait_for_headline(page, "after the M-step")
    wait_for_traces(page, "ellipse", other_than=ellipses)
    assert read_traces(page, "points") == colored
    assert all(len(x) > 10 for x, _, _ in json.loads(read_traces(page, "previous_ellipse")))  # dotted: before
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "view_half_steps.png")


def test_density_under_the_points_and_samples_beside_the_data(open_app):
    expect = _expect()
    page = open_app("?data=S5&iteration=40")  # the half-moons, 16 components: a density model
    fills = page.locator(f"{CHART} .scatterlayer .js-fill")
    expect(fills).to_have_count(0)
    page.locator(".st-key-show_density label").click()
    expect(fills).to_have_count(12, timeout=CHART_TIMEOUT_MS)  # one filled shape per contour level
    assert json.loads(wait_for_traces(page, "fitted_density"))
    page.wait_for_function("() => window.location.search.includes('density=1')", timeout=CHART_TIMEOUT_MS)
    screenshot(page, "view_density.png")
    # a step moves the shading with the ellipses (frames move the shapes; the chart is not drawn anew)
    shading = fills.last.get_attribute("d")
    counts = run_counts(page)
    click_chart_step(page, 5)
    wait_for_chart_step(page, 5)
    page.wait_for_function(
        "([selector, before]) => document.querySelectorAll(selector)[11].getAttribute('d') !== before",
        arg=[f"{CHART} .scatterlayer .js-fill", shading],
        timeout=CHART_TIMEOUT_MS,
    )
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "view_density_step.png")

    page.get_by_role("tab", name="Sampling from the model").click()
    expect(page.get_by_text("500 points drawn from the fitted model")).to_be_visible(timeout=CHART_TIMEOUT_MS)
    expect(_charts(page)).to_have_count(2)
    samples = wait_for_traces(page, "samples", 1)
    assert wait_for_traces(page, "fitted_density", 0) and wait_for_traces(page, "fitted_density", 1)
    page.locator(".st-key-draw_samples button").click()
    wait_for_traces(page, "samples", 1, other_than=samples)
    assert_no_exception(page)
    screenshot(page, "view_sampling.png")


def test_one_dimensional_covariance_types_scrub_in_the_browser(open_app):
    """S6b (heights): four 1-D fits side by side, their densities moved by the chart's own slider."""
    expect = _expect()
    page = open_app("?data=S6b&view=covariance")
    expect(_charts(page)).to_have_count(1, timeout=CHART_TIMEOUT_MS)
    before = wait_for_traces(page, "density", 0)
    assert len(json.loads(before)) == 4
    counts = run_counts(page)
    click_chart_step(page, len(chart_slider(page)["labels"]) // 2)
    after = json.loads(wait_for_traces(page, "density", 0, other_than=before))
    assert all(a != b for a, b in zip(after, json.loads(before)))
    expect(page.locator('[data-testid="stApp"][data-test-script-state="running"]')).to_have_count(0)
    assert_scrubbed_in_browser(page, counts)
    assert_no_exception(page)
    screenshot(page, "view_covariance_types_1d.png")


def test_a_shared_link_opens_its_view_and_follows_the_user(open_app):
    expect = _expect()
    page = open_app("?data=S2&k=2&init=alt3&view=kmeans&iteration=3&colour=blue")
    expect(page.get_by_role("tab", name="k-means vs GMM")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".st-key-iteration input")).to_have_value("3", timeout=CHART_TIMEOUT_MS)
    expect(page.get_by_text("GMM (EM) · iteration 3").first).to_be_visible()
    expect(page.locator(".st-key-init_method input")).to_have_value("Start: μ = [-2, 2], [2, -2] (true means)")
    expect(page.locator('[data-testid="stAlert"]').filter(has_text="colour=blue")).to_be_visible()
    query = _query(page)
    assert "colour" not in query and query["init"] == "alt3"  # the address keeps only what the app understood

    opening = page.locator(".st-key-iteration input")
    opening.fill("4")
    opening.press("Enter")
    expect(page.get_by_text("GMM (EM) · iteration 4").first).to_be_visible(timeout=CHART_TIMEOUT_MS)
    page.wait_for_function("() => window.location.search.includes('iteration=4')", timeout=CHART_TIMEOUT_MS)
    assert_no_exception(page)
    screenshot(page, "view_shared_link.png")

    page.get_by_role("button", name="Share this view").click()  # the link, written out to copy
    link = page.locator('[data-testid="stPopoverBody"] code')
    expect(link).to_contain_text("data=S2", timeout=CHART_TIMEOUT_MS)
    expect(link).to_contain_text("iteration=4")
    assert link.inner_text().startswith("http://127.0.0.1")
    screenshot(page, "view_share.png")
