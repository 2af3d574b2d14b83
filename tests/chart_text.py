"""Figures drawn by plotly.js in chromium without the app: a standalone page with Plotly's bundle inlined, each figure
drawn into it at a chosen size, and the boxes and font sizes of every text the chart shows, read back.

Why without the app: a figure's text layout depends only on the figure and the size it is drawn at, so every size
and variant can be checked in a second, and a failure names the texts that collide.
"""

from __future__ import annotations

import json

import plotly.offline

#: The texts of a drawn chart (SVG text elements that show something: ticks, axis titles, legend, annotations,
#: text traces, slider labels and its current value, buttons), each with its box (CSS px, in the page), its computed
#: font size and what it is (its class and its parent's).
READ_TEXTS = """
(selector) => {
    const graph = document.querySelector(selector);
    const shown = element => {
        for (let node = element; node && node !== graph; node = node.parentElement) {
            const style = getComputedStyle(node);
            if (style.display === "none" || style.visibility === "hidden" || Number(style.opacity) === 0) return false;
        }
        return true;
    };
    return Array.from(graph.querySelectorAll(".main-svg text"))
        .filter(text => text.textContent.trim() !== "" && shown(text))
        .map(text => {
            const box = text.getBoundingClientRect();
            const sizes = [text, ...text.querySelectorAll("tspan")]
                .map(node => parseFloat(getComputedStyle(node).fontSize));
            return {
                text: text.textContent.trim().slice(0, 60),
                kind: (text.getAttribute("class") || "") + " in " + (text.parentElement.getAttribute("class") || ""),
                left: box.left, top: box.top, right: box.right, bottom: box.bottom,
                font: Math.min(...sizes),
            };
        })
        .filter(box => box.right - box.left > 0 && box.bottom - box.top > 0)
        // The buttons and the slider's rail: no text may lie on them, and the buttons must not cover the rail.
        .concat(Array.from(graph.querySelectorAll(".updatemenu-item-rect, .slider-rail-rect")).filter(shown).map(
            rect => {
                const box = rect.getBoundingClientRect();
                const kind = rect.getAttribute("class");
                return {text: kind, kind: "control", left: box.left, top: box.top, right: box.right,
                        bottom: box.bottom, font: null};
            }));
}
"""
#: What a chart's own settings make its hover labels: the smallest font size of any trace's hover label.
HOVER_FONT = """
(selector) => Math.min(...document.querySelector(selector)._fullData
    .filter(trace => trace.hoverinfo !== "skip")
    .map(trace => trace.hoverlabel.font.size))
"""
#: Two texts whose boxes share less than this (px, each way) do not overlap: glyph boxes carry some padding.
TOLERANCE_PX = 1.0


def blank_page(folder):
    """A page holding Plotly's bundle (inlined, no network) and an empty chart element; returns its file URL."""
    path = folder / "charts.html"
    if not path.exists():
        path.write_text(
            "<!DOCTYPE html><html><head><meta charset='utf-8'>"
            f"<script>{plotly.offline.get_plotlyjs()}</script>"
            "<style>body{margin:0;font-family:sans-serif} #chart{margin:0}</style>"
            "</head><body><div id='chart'></div></body></html>",
            encoding="utf-8",
        )
    return path.as_uri()


def draw(page, figure, width, height, config=None):
    """Draw ``figure`` into the page's chart element at ``width`` x ``height`` CSS px (as the app draws it: its
    height set, its width the element's) and wait until plotly.js has finished."""
    spec = json.loads(figure.to_json())
    spec["layout"]["height"] = height
    page.evaluate(
        """async ([spec, width, config]) => {
            const chart = document.getElementById("chart");
            chart.style.width = width + "px";
            Plotly.purge(chart);
            await Plotly.newPlot(chart, spec.data, spec.layout, config);
            if (spec.frames) await Plotly.addFrames(chart, spec.frames);
        }""",
        [spec, width, {"displaylogo": False, **(config or {})}],
    )


def texts(page):
    """Every text the drawn chart shows (see READ_TEXTS)."""
    return page.evaluate(READ_TEXTS, "#chart")


def hover_font(page):
    return page.evaluate(HOVER_FONT, "#chart")


def overlaps(boxes, tolerance=TOLERANCE_PX):
    """The pairs of texts whose boxes overlap by more than ``tolerance`` px both ways, as readable lines."""
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if _inside(a, b) or _inside(b, a):  # a button's label on its button
                continue
            across = min(a["right"], b["right"]) - max(a["left"], b["left"])
            down = min(a["bottom"], b["bottom"]) - max(a["top"], b["top"])
            if across > tolerance and down > tolerance:
                found.append(f"{a['text']!r} ({a['kind']}) and {b['text']!r} ({b['kind']}): {across:.0f}x{down:.0f} px")
    return found


def _inside(inner, outer):
    return outer["kind"] == "control" and (
        outer["left"] <= inner["left"]
        and inner["right"] <= outer["right"]
        and outer["top"] <= inner["top"]
        and inner["bottom"] <= outer["bottom"]
    )


def past_edges(boxes, width, height=None):
    """The texts that reach past the chart's left edge or ``width``, its right one, or past its top or ``height``
    (None: not checked), its bottom one."""
    bottom = float("inf") if height is None else height + TOLERANCE_PX
    return [
        f"{box['text']!r} ({box['kind']}): {box['left']:.0f}..{box['right']:.0f}"
        f" x {box['top']:.0f}..{box['bottom']:.0f} px"
        for box in boxes
        if box["left"] < -TOLERANCE_PX
        or box["right"] > width + TOLERANCE_PX
        or box["top"] < -TOLERANCE_PX
        or box["bottom"] > bottom
    ]


def show_frame(page, index):
    """Show frame ``index`` of the drawn chart (negative: from the end) as its slider would, and wait until drawn."""
    page.evaluate(
        """async (index) => {
            const chart = document.getElementById("chart");
            const names = chart._transitionData._frames.map(frame => frame.name);
            const name = names[(index + names.length) % names.length];
            await Plotly.animate(chart, [name], {mode: "immediate", frame: {duration: 0, redraw: false},
                                                 transition: {duration: 0}});
        }""",
        index,
    )
