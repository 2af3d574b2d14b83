"""Large text and the phone layouts, checked on the figures themselves (no browser: tests/test_browser_chart_text.py
draws them)."""

import json
import re

import numpy as np
import pytest

from gmm_ui import figures, stages
from gmm_ui.figures.layout import LARGE_TEXT, WIDE_EM, panel_grid, stacked_em_areas, wrapped

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _em(run, **options):
    frames, _ = stages.em_frames(run, run.X, True, 3)
    view = figures.plane_view(run.X, ["x", "y"])
    return figures.em_animation_figure(run.X, frames, view, run.log_likelihood, active=3, **options)


def _sizes(node, found):
    """Every font size a figure's JSON sets, and every size written in its texts' markup."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), (int, float)):
                found.append(value["size"])
            elif key == "text":
                for text in value if isinstance(value, list) else [value]:
                    if isinstance(text, str):
                        found += [float(size) for size in _markup_sizes(text)]
            _sizes(value, found)
    elif isinstance(node, list):
        for item in node:
            _sizes(item, found)
    return found


def _markup_sizes(text):
    return re.findall(r"font-size:\s*(\d+(?:\.\d+)?)px", text)


def test_large_text_sets_every_size_of_the_em_chart_frames_included_to_18_px_or_more(two_d_run):
    spec = json.loads(_em(two_d_run, large_text=True).to_json())
    spec["layout"].pop("template")
    sizes = _sizes(spec, [])
    assert len(sizes) > 20 and min(sizes) >= LARGE_TEXT.min_font_px
    assert spec["layout"]["hoverlabel"]["font"]["size"] >= LARGE_TEXT.min_font_px
    assert spec["layout"]["sliders"][0]["font"]["size"] >= LARGE_TEXT.min_font_px


def test_large_text_sets_every_axis_s_and_the_legend_s_size_outright(two_d_run):
    """A theme's template (Streamlit's sets the axes' fonts) must not bring back small text."""
    layout = _em(two_d_run, large_text=True).layout
    for name in ("xaxis", "yaxis", "xaxis2", "yaxis2"):
        assert layout[name].tickfont.size >= LARGE_TEXT.min_font_px
        assert layout[name].title.font.size >= LARGE_TEXT.min_font_px
    assert layout.legend.font.size >= LARGE_TEXT.min_font_px and layout.title.font.size >= LARGE_TEXT.min_font_px


def test_large_text_thickens_lines_and_enlarges_markers(two_d_run):
    plain, large = _em(two_d_run), _em(two_d_run, large_text=True)

    def first(figure, role):
        return next(trace for trace in figure.data if (trace.meta or {}).get("role") == role)

    assert first(large, "ellipse").line.width == pytest.approx(first(plain, "ellipse").line.width * 1.6)
    assert first(large, "mean").marker.size > first(plain, "mean").marker.size


def test_without_the_new_options_the_em_chart_keeps_its_layout(two_d_run):
    layout = _em(two_d_run).layout
    assert layout.height is None and layout.margin.t == WIDE_EM.margin["t"]
    assert tuple(layout.xaxis.domain) == WIDE_EM.plane_x and tuple(layout.yaxis2.domain) == WIDE_EM.curve_y


def test_the_phone_em_chart_stacks_plane_curve_and_block_top_down(two_d_run):
    layout = _em(two_d_run, narrow=True).layout
    assert tuple(layout.xaxis.domain) == tuple(layout.xaxis2.domain) == (0.0, 1.0)
    assert layout.yaxis.domain[0] > layout.yaxis2.domain[1] > layout.yaxis2.domain[0] > layout.yaxis4.domain[1]
    assert layout.height > 1000
    slider, buttons = layout.sliders[0], layout.updatemenus[0]
    assert slider.x == 0 and slider.len == 1 and slider.pad.t > buttons.pad.t + 40  # under the buttons


def test_a_phone_chart_s_legend_gets_its_rows_in_the_top_margin():
    few, many = (stacked_em_areas(4, n) for n in (2, 12))
    assert many.margin["t"] > few.margin["t"] and many.height - few.height == many.margin["t"] - few.margin["t"]


@pytest.mark.parametrize("columns, n_columns", [(1, 1), (2, 2), (4, 4)])
def test_a_panel_grid_puts_its_panels_in_columns_and_sets_its_height(columns, n_columns):
    grid = panel_grid(4, columns)
    assert len({x for x, _ in grid.domains}) == n_columns
    assert grid.height is not None
    tops = sorted({round(y[1], 6) for _, y in grid.domains}, reverse=True)
    assert len(tops) == 4 // n_columns
    for (_, panel), status in zip(grid.domains, grid.status_domains):
        assert panel[1] == pytest.approx(status[0])  # each status line right over its panel


def test_rows_of_two_panels_fit_a_laptop_screen_with_their_slider():
    assert panel_grid(4, 2).height <= 768


def test_wrapping_breaks_at_the_separators_then_at_spaces():
    assert (
        wrapped("Iteration 3 of 26 · log-likelihood -3.96 (+0.24)", 30)
        == "Iteration 3 of 26<br>log-likelihood -3.96 (+0.24)"
    )
    assert wrapped("a · b", 30) == "a · b"
    assert max(len(line) for line in wrapped("word " * 20, 12).split("<br>")) <= 12
    assert wrapped("anything", None) == "anything"


def test_a_static_chart_shown_on_a_phone_puts_its_legend_under_the_plot(two_d_run):
    view = figures.plane_view(two_d_run.X, ["x", "y"])
    figure = figures.mixture_scatter_figure(two_d_run.X, None, two_d_run.final, view, title="A model")
    figures.shown_as(figure, narrow=True)
    assert figure.layout.legend.orientation == "h" and figure.layout.legend.yref == "container"
    assert figure.layout.margin.b > 64
    assert np.isclose(figure.layout.legend.y, 0)
