"""The animated charts' texts, drawn by plotly.js in chromium at the sizes people use: on a phone (390 x 844, the
one-column variants), at 150 % zoom on a 1366 x 768 laptop (911 x 512 CSS px, device scale 1.5; the one-column
variants, as the app draws them below 1,000 px) and presenting with large text on a laptop and a wide screen.

At every size no two texts overlap (nor a text and a button, nor a button and the slider), no text passes the
chart's edges, and with large text every text is at least 18 px. Screenshots go to test-output/chart-text-*.png.
"""

from __future__ import annotations

import numpy as np
import pytest

import gmm_core
from gmm_ui import figures, stages
from gmm_ui.figures.layout import LARGE_TEXT
from tests import browser_support, chart_text

pytestmark = [*browser_support.BROWSER_TESTS, pytest.mark.filterwarnings("ignore::DeprecationWarning")]

#: (viewport width, height, device scale, the chart's width in the app there): the app's main column at these sizes
#: (measured: the page's padding, and the sidebar's 300 px where it is open).
PHONE = (390, 844, 3, 358)
ZOOMED, ZOOMED_NO_SIDEBAR = (911, 512, 1.5, 451), (911, 512, 1.5, 879)
LAPTOP, WIDE_SCREEN = (1366, 768, 1, 906), (1920, 1080, 1, 1460)
#: The chart heights the tabs give the charts that do not set their own.
EM_HEIGHT, PANELS_HEIGHT = 660, 620
LONG_NOTE = "Long run: the slider shows 51 of the 120 iterations (one in 3, and the first and the last)."


@pytest.fixture(scope="module")
def data():
    """Three labelled clusters in 2-D, two in 1-D, and the runs every chart draws (converged, so the curve is
    marked)."""
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(center, 0.7, (60, 2)) for center in ([0, 0], [6, 0], [3, 5])])
    labels = np.repeat(np.arange(3), 60)
    start = gmm_core.GaussianMixtureParams(np.full(3, 1 / 3), X[[0, 1, 2]], np.tile(np.eye(2), (3, 1, 1)))
    kinds = ("full", "tied", "diag", "spherical")
    runs = {kind: gmm_core.fit_em(X, start, covariance_type=kind, max_iter=60) for kind in kinds}
    six = gmm_core.GaussianMixtureParams(np.full(6, 1 / 6), X[::30][:6], np.tile(np.eye(2), (6, 1, 1)))
    runs["six"] = gmm_core.fit_em(X, six, max_iter=60)
    values = np.concatenate([rng.normal(0, 1, 300), rng.normal(5, 1.5, 200)])[:, None]
    start_1d = gmm_core.GaussianMixtureParams(np.full(2, 0.5), np.array([[1.0], [2.0]]), np.ones((2, 1, 1)))
    runs_1d = {kind: gmm_core.fit_em(values, start_1d, covariance_type=kind, max_iter=60) for kind in ("full", "tied")}
    return dict(X=X, labels=labels, start=start, runs=runs, values=values, runs_1d=runs_1d)


def _em(data, options, half_steps=False, run="full"):
    run, X = data["runs"][run], data["X"]
    opening = stages.half_step_position(3, "E") if half_steps else 3
    frames, _ = stages.em_frames(run, X, half_steps, opening)
    return figures.em_animation_figure(
        X,
        frames,
        figures.plane_view(X, ["x1, standardised", "x2, standardised"]),
        run.log_likelihood,
        active=[f.name for f in frames].index(str(opening)),
        converged_iteration=run.n_iter if run.converged else None,
        tol=run.tol,
        truth=run.final,
        true_labels=data["labels"],
        class_names=["setosa", "versicolor", "virginica"],
        note=LONG_NOTE,
        **options,
    )


def _em_1d(data, options):
    run, values = data["runs_1d"]["full"], data["values"]
    frames, note = stages.em_frames(run, None, False, 0)
    return figures.em_animation_1d_figure(
        values,
        frames,
        figures.padded_range(values[:, 0]),
        run.log_likelihood,
        converged_iteration=run.n_iter if run.converged else None,
        tol=run.tol,
        x_title="x, standardised",
        note=note,
        **options,
    )


def _positions(runs):
    return list(range(max(run.n_iter for run in runs) + 1))


def _kmeans_vs_gmm(data, options):
    X, run = data["X"], data["runs"]["full"]
    kmeans_run = gmm_core.fit_kmeans(X, data["start"].means)
    positions = _positions([run, kmeans_run])
    panels = [
        stages.kmeans_stages(kmeans_run, positions, np.arange(X.shape[0])),
        stages.mixture_stages("GMM (EM)", run, positions, X),
    ]
    return figures.panels_animation_figure(
        X, panels, figures.plane_view(X, ["x1", "x2"]), positions, active=2, true_labels=data["labels"], **options
    )


def _covariance_types(data, options):
    X, runs = data["X"], {kind: run for kind, run in data["runs"].items() if kind != "six"}
    positions = _positions(runs.values())
    panels = [stages.mixture_stages(f"{kind} covariance", run, positions, X) for kind, run in runs.items()]
    return figures.panels_animation_figure(
        X, panels, figures.plane_view(X, ["x1", "x2"]), positions, active=positions[-1], truth=runs["full"].final,
        **options,
    )  # fmt: skip


def _covariance_types_1d(data, options):
    values, runs = data["values"], data["runs_1d"]
    positions = _positions(runs.values())
    panels = [stages.mixture_stages(kind, run, positions, None) for kind, run in runs.items()]
    return figures.panels_animation_1d_figure(
        values, panels, figures.padded_range(values[:, 0]), positions, active=1, x_title="x", **options
    )


#: The charts, by name: (builder, the height the tab gives it when the figure sets none).
CHARTS = {
    "em": (_em, EM_HEIGHT),
    "em-half-steps": (lambda data, options: _em(data, options, half_steps=True), EM_HEIGHT),
    "em-six-components": (lambda data, options: _em(data, options, run="six"), EM_HEIGHT),
    "em-1d": (_em_1d, EM_HEIGHT),
    "kmeans-vs-gmm": (_kmeans_vs_gmm, PANELS_HEIGHT),
    "covariance-types": (_covariance_types, PANELS_HEIGHT),
    "covariance-types-1d": (_covariance_types_1d, PANELS_HEIGHT),
}
#: The options each size's charts are drawn with (as the tabs choose them there), and the sizes.
CASES = [
    ("phone", PHONE, dict(narrow=True)),
    ("zoomed", ZOOMED, dict(narrow=True)),
    ("zoomed-no-sidebar", ZOOMED_NO_SIDEBAR, dict(narrow=True)),
    ("laptop-large", LAPTOP, dict(large_text=True)),
    ("wide-large", WIDE_SCREEN, dict(large_text=True)),
    ("phone-large", PHONE, dict(narrow=True, large_text=True)),
]
#: The comparison charts' columns where the tabs set them (see gmm_ui.tabs.common.comparison_columns).
COLUMNS = {"laptop-large": 2, "wide-large": 4}


@pytest.fixture(scope="module")
def pages(browser, scratch):
    """One page per size, holding Plotly's bundle (inlined: no network), reused by every chart drawn at that size."""
    opened = {}

    def page_at(size):
        if size not in opened:
            width, height, scale, _ = size
            context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
            page = context.new_page()
            page.goto(chart_text.blank_page(scratch))
            opened[size] = (context, page)
        return opened[size][1]

    yield page_at
    for context, _ in opened.values():
        context.close()


def _drawn(pages, data, chart, case):
    """The page with ``chart`` drawn as ``case`` draws it, and the chart's width."""
    label, size, options = case
    build, height = CHARTS[chart]
    options = dict(options)
    if chart.startswith(("kmeans", "covariance")) and label in COLUMNS:
        options["columns"] = COLUMNS[label] if chart.startswith("covariance") else 2
    figure = build(data, options)
    page = pages(size)
    chart_text.draw(page, figure, size[3], figure.layout.height or height)
    return page, size[3]


def _assert_texts_apart(page, width, where):
    boxes = chart_text.texts(page)
    assert len(boxes) > 20, f"{where}: only {len(boxes)} texts found"
    height = page.evaluate("() => document.getElementById('chart').getBoundingClientRect().height")
    problems = chart_text.overlaps(boxes) + chart_text.past_edges(boxes, width, height)
    assert not problems, f"{where}:\n" + "\n".join(problems)
    return boxes


@pytest.mark.parametrize("case", CASES, ids=[label for label, _, _ in CASES])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_chart_texts_neither_overlap_nor_pass_the_edges(pages, data, chart, case):
    page, width = _drawn(pages, data, chart, case)
    browser_support.SCREENSHOTS.mkdir(exist_ok=True)
    page.locator("#chart").screenshot(path=browser_support.SCREENSHOTS / f"chart-text-{chart}-{case[0]}.png")
    _assert_texts_apart(page, width, f"{chart}, {case[0]}")
    # Every frame's texts differ (the headline, its note, the parameters, the status lines): the last one too.
    chart_text.show_frame(page, -1)
    _assert_texts_apart(page, width, f"{chart}, {case[0]}, last frame")


LARGE_CASES = [case for case in CASES if case[2].get("large_text")]


@pytest.mark.parametrize("case", LARGE_CASES, ids=[label for label, _, _ in LARGE_CASES])
@pytest.mark.parametrize("chart", list(CHARTS))
def test_large_text_makes_every_text_at_least_18_px(pages, data, chart, case):
    page, _ = _drawn(pages, data, chart, case)
    for frame in (None, -1):
        if frame is not None:
            chart_text.show_frame(page, frame)
        small = [
            f"{box['text']!r} ({box['kind']}): {box['font']} px"
            for box in chart_text.texts(page)
            if box["font"] is not None and box["font"] < LARGE_TEXT.min_font_px
        ]
        assert not small, f"{chart}, {case[0]}:\n" + "\n".join(small)
    assert chart_text.hover_font(page) >= LARGE_TEXT.min_font_px


# --- The static charts (a model drawn, the criterion, the restarts, the two boxes), as gmm_ui.tabs.common.presented
# shows them: the legend under the plot in a narrow window, large text for presenting. They sit two to a row on a
# laptop and wider (Streamlit's columns), one under the other on a phone.


def _mixture(data, _):
    X, run = data["X"], data["runs"]["full"]
    return figures.mixture_scatter_figure(
        X,
        gmm_core.responsibilities(X, run.final),
        run.final,
        figures.plane_view(X, ["x1, standardised", "x2, standardised"]),
        truth=run.final,
        true_labels=data["labels"],
        class_names=["setosa", "versicolor", "virginica"],
        title="The model full, K = 3",
    )


def _density_1d(data, _):
    values, run = data["values"], data["runs_1d"]["full"]
    return figures.density_1d_figure(
        values, run.final, figures.padded_range(values[:, 0]), x_title="x, standardised", title="2 components"
    )


def _criterion(data, _):
    ks = np.arange(1, 7)
    values = np.array([[900 - 40 * k + 3 * k * k + 5 * t for k in ks] for t in range(4)], dtype=float)
    return figures.criterion_figure(ks, ["full", "tied", "diag", "spherical"], values, chosen=("full", 3))


def _restarts(data, _):
    rng = np.random.default_rng(1)
    finals = np.where(rng.random(10) < 0.7, -3.2, -3.5) + rng.normal(0, 1e-5, 10)
    return figures.restarts_figure(finals, np.arange(10), (finals < -3.3).astype(int), rng.integers(5, 40, 10))


def _boxes_path(data, _):
    rounds = np.array([[3, 2], [2, 3], [1, 4], [3, 2], [2, 3]])
    runs = [gmm_core.fit_two_boxes(rounds, 0.1, 0.9, method=method) for method in ("soft", "hard")]
    return figures.boxes_trajectory_figure(runs, 2)


STATIC_CHARTS = {
    "mixture": _mixture,
    "density-1d": _density_1d,
    "criterion": _criterion,
    "restarts": _restarts,
    "boxes-path": _boxes_path,
}
#: (label, size with the width of such a chart: the main column's in a narrow window, where the tabs put their
#: charts one under the other, else half of it; narrow, large text).
STATIC_CASES = [
    ("phone", PHONE, True, False),
    ("zoomed", ZOOMED, True, False),
    ("laptop-large", (1366, 768, 1, 445), False, True),
    ("wide-large", (1920, 1080, 1, 722), False, True),
]


@pytest.mark.parametrize("case", STATIC_CASES, ids=[case[0] for case in STATIC_CASES])
@pytest.mark.parametrize("chart", list(STATIC_CHARTS))
def test_static_chart_texts_neither_overlap_nor_pass_the_edges(pages, data, chart, case):
    label, size, narrow, large_text = case
    figure = figures.shown_as(STATIC_CHARTS[chart](data, {}), narrow=narrow, large_text=large_text)
    page = pages(size)
    chart_text.draw(page, figure, size[3], round(440 * (figures.LARGE_TEXT_HEIGHT if large_text else 1)))
    page.locator("#chart").screenshot(path=browser_support.SCREENSHOTS / f"chart-text-{chart}-{label}.png")
    boxes = chart_text.texts(page)
    height = page.evaluate("() => document.getElementById('chart').getBoundingClientRect().height")
    problems = chart_text.overlaps(boxes) + chart_text.past_edges(boxes, size[3], height)
    assert not problems, f"{chart}, {label}:\n" + "\n".join(problems)
    if large_text:
        assert min(box["font"] for box in boxes if box["font"] is not None) >= LARGE_TEXT.min_font_px
        assert chart_text.hover_font(page) >= LARGE_TEXT.min_font_px


def test_covariance_types_fit_a_laptop_screen_with_their_slider(pages, data):
    """Two rows of two at 1366 x 768: the chart, its slider's labels included, within the 768 px of the window."""
    page, _ = _drawn(pages, data, "covariance-types", ("laptop", LAPTOP, dict(columns=2)))
    boxes = chart_text.texts(page)
    slider_labels = [box for box in boxes if "slider-label" in box["kind"]]
    assert slider_labels
    assert max(box["bottom"] for box in boxes) <= LAPTOP[1]
    assert page.evaluate("() => document.getElementById('chart').getBoundingClientRect().height") <= LAPTOP[1]
