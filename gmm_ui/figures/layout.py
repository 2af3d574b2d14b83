"""Where things sit on a chart: the plane's axes (PlaneView), titles and legends, the animated charts' areas,
their slider and Play button, and the side-by-side panels' grid."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from ..text import chart_text

BASE_LAYOUT = dict(
    template="plotly_white",
    margin=dict(l=10, r=10, t=48, b=10),
    # Beside the plot: charts with equal axis scales rarely use their full width, and below it a legend
    # collides with the axis title.
    legend=dict(orientation="v", yanchor="top", y=1, xanchor="left", x=1.02, font=dict(size=12)),
    hoverlabel=dict(namelength=-1),
)
#: Margins (px) that already hold the axes' labels, the legend, the slider and the buttons of an animated chart, with
#: the 8 px padding Streamlit's theme adds. Plotly widens too narrow margins itself, but by drawing the whole chart
#: a second time (0.1-0.3 s in the browser).
ANIMATION_MARGIN = dict(l=80, r=28, t=72, b=160)
#: Where the parts of an EM chart sit (paper fractions): the plane, its headline, the log-likelihood curve, the
#: parameter block.
PLANE_X, PLANE_Y, HEADLINE_Y = (0.0, 0.58), (0.0, 0.91), (0.92, 1.0)
CURVE_X, CURVE_Y, BLOCK_X, BLOCK_Y = (0.7, 1.0), (0.56, 0.9), (0.64, 1.0), (0.0, 0.38)
#: Paper fractions over each side-by-side panel for its status line, and between rows for the x axis's labels.
STATUS_BAND, ROW_GAP = 0.06, 0.11
#: Axes that only place text: no ticks, no zoom.
HIDDEN_AXIS = dict(visible=False, range=[0, 1], fixedrange=True)
#: The Play button's speeds: each one's factor on how long a frame is shown.
PLAY_SPEEDS = {"slow": 2.0, "normal": 1.0, "fast": 0.5}
#: When Play paces frames by how much moves (see :func:`play_sequence`), at normal speed: the shortest time a frame
#: is shown (ms), a tick, and the most ticks a frame gets: a move of VISIBLE_MOTION of the data's spread or more.
PLAY_TICK_MS, MAX_FRAME_TICKS, VISIBLE_MOTION = 30, 14, 0.05
_GREY_TEXT = "#52606D"


@dataclass(frozen=True)
class PlaneView:
    """The two data columns drawn and their fixed axis ranges.

    Ranges are fixed by the data, not by the ellipses, so that scrubbing through iterations never rescales
    the picture under the user's eyes.

    Attributes
    ----------
    pair : tuple of int
        Indices (i, j) of the columns on the x and y axes.
    x_title, y_title : str
    x_range, y_range : tuple of float
    """

    pair: tuple
    x_title: str
    y_title: str
    x_range: tuple
    y_range: tuple


def padded_range(values, padding=0.08):
    """(low, high) of ``values`` widened by ``padding`` of their span on each side (a flat column gets +-1)."""
    low, high = float(np.min(values)), float(np.max(values))
    margin = (high - low) * padding if high > low else 1.0
    return low - margin, high + margin


def plane_view(points, feature_names, pair=(0, 1)):
    """The :class:`PlaneView` of columns ``pair`` of ``points`` (N, D), with axis ranges from the data."""
    i, j = pair
    return PlaneView(
        pair=(i, j),
        x_title=feature_names[i],
        y_title=feature_names[j],
        x_range=padded_range(points[:, i]),
        y_range=padded_range(points[:, j]),
    )


def plane_axes(view, suffix="", **options):
    """The x and y axis dicts of ``view`` (``suffix``: that of the x axis the y axis is tied to, "" for the first),
    with equal units on both: a round Gaussian must look round, an ellipse's tilt must be its real tilt."""
    return (
        dict(title=view.x_title, range=list(view.x_range), zeroline=False, **options),
        dict(
            title=view.y_title,
            range=list(view.y_range),
            zeroline=False,
            scaleanchor=f"x{suffix}",
            scaleratio=1,
            **options,
        ),
    )


def chart_title(text, subtitle=None):
    """A chart's title at its top left, with a smaller grey ``subtitle`` under it if given."""
    title = dict(text=text, x=0, xanchor="left", font=dict(size=15))
    if subtitle is not None:
        title["subtitle"] = dict(text=subtitle, font=dict(size=11, color=_GREY_TEXT))
    return title


def plane_layout(figure, view, title, uirevision):
    """``figure`` laid out as a static chart of the plane of ``view``."""
    xaxis, yaxis = plane_axes(view)
    figure.update_layout(**BASE_LAYOUT, title=chart_title(title), uirevision=uirevision, xaxis=xaxis, yaxis=yaxis)
    return figure


def legend_inside(figure):
    """Legend in the plot's top-right corner: a 1-D chart has no spare width beside it."""
    figure.update_layout(legend=dict(x=0.99, xanchor="right", y=0.99, yanchor="top", bgcolor="rgba(255,255,255,0.8)"))


def log_likelihood_range(*curves):
    """A y-range for one or more curves, and whether it leaves a start out; None when Plotly's own range reads fine.

    A bad start can sit tens of units below everything after it: on a range that includes it, the approach to
    convergence (the interesting part) is a flat line, so the range then covers the later iterations only.
    Curves that barely move get a small fixed span instead of tick labels with fifteen digits.

    Parameters
    ----------
    *curves : ndarray of shape (n_iter + 1,)
        Mean log-likelihood after each iteration of each run drawn on the same axes.

    Returns
    -------
    y_range : list of two floats, or None
    start_left_out : bool
    """
    values = np.concatenate(curves)
    scale = max(1.0, float(np.max(np.abs(values))))
    if np.ptp(values) < 1e-9 * scale:
        middle = float(np.mean(values))
        return [middle - 1e-3 * scale, middle + 1e-3 * scale], False
    later = np.concatenate([curve[1:] for curve in curves])
    if later.size < 2:
        return None, False
    spread = float(np.ptp(later))
    if later.min() - min(curve[0] for curve in curves) <= 50 * max(spread, 1e-12):
        return None, False
    margin = 0.15 * spread if spread > 0 else 1e-3 * scale
    return [float(later.min()) - margin, float(later.max()) + margin], True


# --- The EM chart: the plane, the log-likelihood curve, the headline and the parameter block ---------------------


def _paper_text(text, x, y, xanchor, yanchor, size, color=None, **options):
    """An annotation placed in paper fractions."""
    font = dict(size=size) if color is None else dict(size=size, color=color)
    return (
        dict(
            text=text,
            xref="paper",
            yref="paper",
            x=x,
            y=y,
            xanchor=xanchor,
            yanchor=yanchor,
            showarrow=False,
            font=font,
        )
        | options
    )


def _em_annotations(log_likelihood, start_left_out, block_title, note, areas=None):
    """The EM chart's fixed texts: the curve's title (and why its start is not shown), the parameter block's title,
    and the ``note`` at the plane's top right, where ``areas`` (EMAreas; None: WIDE_EM) puts them."""
    areas = areas or WIDE_EM
    curve_x, curve_y = areas.curve_x, areas.curve_y
    annotations = [_paper_text("Mean log-likelihood per point", curve_x[0], curve_y[1] + 0.02, "left", "bottom", 13)]
    if start_left_out:
        annotations.append(
            _paper_text(
                wrapped(f"the start ({log_likelihood[0]:.4g}) lies below the range shown", areas.note_wrap),
                curve_x[1],
                curve_y[0] + 0.01,
                "right",
                "bottom",
                10,
                _GREY_TEXT,
            )
        )
    hangs = areas.block_title_top is not None
    annotations.append(
        _paper_text(
            wrapped(block_title, areas.block_wrap),
            areas.block_x[0],
            areas.block_title_top if hangs else areas.block_y[1] + 0.02,
            "left",
            "top" if hangs else "bottom",
            11,
            _GREY_TEXT,
            align="left",
        )
    )
    if note:
        annotations.append(
            _paper_text(
                wrapped(chart_text(note), areas.note_wrap),
                areas.plane_x[1],
                areas.headline_y[0],
                "right",
                "top",
                11,
                _GREY_TEXT,
                bgcolor="rgba(255,255,255,0.8)",
                align="right",
            )
        )
    return annotations


def _convergence_mark(converged_iteration, tol, across=False):
    """A dashed line on the log-likelihood curve where the tolerance was met, and its label: up the line, or
    ``across`` (to its left, half-way up: a short curve)."""
    line = dict(
        type="line",
        xref="x2",
        yref="y2 domain",
        x0=converged_iteration,
        x1=converged_iteration,
        y0=0,
        y1=1,
        line=dict(color="#009E73", width=2, dash="dash"),
    )
    label = dict(
        text=f"tolerance met{f' (tol {tol:g})' if tol is not None else ''}",
        xref="x2",
        yref="y2 domain",
        x=converged_iteration,
        y=0.5,
        xanchor="right",
        yanchor="middle",
        textangle=0 if across else -90,
        showarrow=False,
        font=dict(size=11, color="#006B4E"),
    )
    if across:
        label.update(
            text=label["text"].replace(" (", "<br>("), align="right", xshift=-4, bgcolor="rgba(255,255,255,0.8)"
        )
    return line, label


@dataclass(frozen=True)
class EMAreas:
    """Where the parts of an EM chart sit: paper fractions of the plane, its headline, the log-likelihood curve and
    the parameter block; the margins (px); the figure's height (px; None: the caller's); the most characters on a
    line of the headline and of the notes (None: no wrapping); the most components whose parameters are written.
    """

    plane_x: tuple
    plane_y: tuple
    headline_y: tuple
    curve_x: tuple
    curve_y: tuple
    block_x: tuple
    block_y: tuple
    margin: dict
    height: int | None = None
    wrap: int | None = None
    note_wrap: int | None = None
    block_rows: int = 6
    block_wrap: int | None = None
    #: The tolerance's label on the curve written across rather than up its line: a curve too short for it upright.
    label_across: bool = False
    #: Where Play/Pause and the slider go: None, as :func:`animation_controls` puts them (side by side); "stacked",
    #: the buttons on a row of their own over a slider as wide as the chart (a phone's width holds no more).
    controls: str | None = None
    #: Where the slider starts (paper fraction; None: where :func:`animation_controls` starts it), clear of the
    #: buttons beside it (larger with large text).
    slider_x: float | None = None
    #: Across what the headline band runs (paper fractions; None: over the plane).
    headline_x: tuple | None = None
    #: Where the parameter block's title hangs from (its top, a paper fraction; None: it stands on the block's top),
    #: so that a title of several lines (when no parameters are written) goes down into the empty block.
    block_title_top: float | None = None
    #: The headline hangs from its band's top (its lines, as many as a frame's wrapped texts take, go down into the
    #: band) rather than being centred in it.
    headline_from_top: bool = False


#: The EM chart as it always was: the plane on the left, the curve and the parameter block on the right.
WIDE_EM = EMAreas(PLANE_X, PLANE_Y, HEADLINE_Y, CURVE_X, CURVE_Y, BLOCK_X, BLOCK_Y, ANIMATION_MARGIN)
#: Where the log-likelihood curve starts (paper fraction) in a chart shorter than usual (see wide_em_areas).
SHORT_CURVE_Y = 0.62
#: A row of the parameter block (px): a component's two lines of text at 12 px.
BLOCK_ROW_PX = 30


def wide_em_areas(height=None):
    """The EM chart beside its plane (WIDE_EM) at ``height`` px (None: the chart's usual 660): in a shorter chart the
    parameter block writes only as many components as it has rows of BLOCK_ROW_PX for (more: "hover a mean"), and
    the headline hangs from the top of its band, clear of the legend over it."""
    if height is None:
        return WIDE_EM
    plot_px = height - WIDE_EM.margin["t"] - WIDE_EM.margin["b"]
    rows = int(plot_px * (WIDE_EM.block_y[1] - WIDE_EM.block_y[0]) // BLOCK_ROW_PX)
    if rows >= WIDE_EM.block_rows:
        return WIDE_EM
    # The curve a little shorter, so that its axis title stays clear of the block's title under it.
    return replace(WIDE_EM, block_rows=max(rows, 0), headline_from_top=True, curve_y=(SHORT_CURVE_Y, CURVE_Y[1]))


#: The EM chart with large text, per column from the top (px): the headline band across the whole width (a headline
#: and its note, wrapped, on up to four lines); under it on the left the plane, on the right the curve's title, the
#: curve, its x axis, the parameter block's title and four rows of it; the slider and buttons under both.
_WIDE_LARGE_BANDS = dict(headline=112, curve_title=34, curve=130, curve_axis=64, block_title=52, block=4 * 46)
_WIDE_LARGE_MARGIN = dict(l=104, r=28, t=96, b=190)


def _wide_large_em_areas():
    """The :class:`EMAreas` of the EM chart with large text beside the plane (see _WIDE_LARGE_BANDS)."""
    bands = _WIDE_LARGE_BANDS
    total = sum(bands.values())
    fraction = {name: px / total for name, px in bands.items()}
    headline_bottom = 1.0 - fraction["headline"]
    curve_top = headline_bottom - fraction["curve_title"]
    curve_bottom = curve_top - fraction["curve"]
    block_top = curve_bottom - fraction["curve_axis"] - fraction["block_title"]
    return EMAreas(
        PLANE_X,
        (0.0, headline_bottom - 0.02),
        (headline_bottom, 1.0),
        CURVE_X,
        (curve_bottom, curve_top),
        BLOCK_X,
        (0.0, block_top),
        _WIDE_LARGE_MARGIN,
        height=round(total + _WIDE_LARGE_MARGIN["t"] + _WIDE_LARGE_MARGIN["b"]),
        wrap=60,
        note_wrap=48,
        block_rows=4,
        block_wrap=28,
        label_across=True,
        slider_x=0.3,
        headline_x=(0.0, 1.0),
        headline_from_top=True,
        block_title_top=block_top + fraction["block_title"],
    )


WIDE_EM_LARGE = _wide_large_em_areas()
#: The chart width (px) the legend's rows over a large-text EM chart are reckoned on: a laptop's main column.
_WIDE_LEGEND_WIDTH = 800


def legend_room(areas, names):
    """``areas`` (with a height) with a top margin that holds a legend of entries ``names`` at large text, and the
    figure as much taller: a legend that pushes the margin itself squeezes everything under it."""
    needed = round(24 + _legend_height(names, _WIDE_LEGEND_WIDTH, _LARGE_BAND))
    extra = max(needed - areas.margin["t"], 0)
    return replace(areas, margin={**areas.margin, "t": areas.margin["t"] + extra}, height=areas.height + extra)


#: A phone's EM chart, top to bottom (px at normal text; text bands grow with large text): the headline (wrapped),
#: the plane, its x axis, the curve's title, the curve, its x axis, the block's title, the parameter block (per row
#: of it).
_STACKED_BANDS = dict(headline=140, plane=330, plane_axis=66, curve_title=30, curve=150, curve_axis=64, block_title=40)
_STACKED_ROW_PX, _STACKED_CONTROLS_PX, _STACKED_LEGEND_ROW_PX = 34, 190, 24
#: How much a text band grows with large text (18 px and up against 11-15 px).
_LARGE_BAND = 1.4


def stacked_em_areas(n_rows, n_legend_entries, large_text=False):
    """The :class:`EMAreas` of an EM chart in one column (a phone's): the bands of _STACKED_BANDS from top to
    bottom, then ``n_rows`` rows of the parameter block; the legend (``n_legend_entries``, two to a row, one with
    large text) over them all, in a top margin that holds it (the chart does not grow by itself: a legend that
    pushes the margin squeezes everything else)."""
    grow = _LARGE_BAND if large_text else 1.0
    text_bands = {"plane_axis", "curve_title", "curve_axis", "block_title"}
    bands = {name: px * grow if name in text_bands else px for name, px in _STACKED_BANDS.items()}
    bands["headline"] *= 1.7 if large_text else 1.0  # fewer words to a line, and larger ones
    bands["block"] = n_rows * _STACKED_ROW_PX * grow
    total = sum(bands.values())
    domains, top = {}, 1.0
    for name, px in bands.items():
        domains[name] = (max(top - px / total, 0.0), top)
        top -= px / total
    per_row = 1 if large_text else 2
    legend_rows = -(-n_legend_entries // per_row)
    margin = dict(
        l=round(64 * grow),
        r=16,
        t=round(16 + legend_rows * _STACKED_LEGEND_ROW_PX * grow),
        b=round(_STACKED_CONTROLS_PX * grow),
    )
    return EMAreas(
        plane_x=(0.0, 1.0),
        plane_y=domains["plane"],
        headline_y=domains["headline"],
        curve_x=(0.0, 1.0),
        curve_y=domains["curve"],
        block_x=(0.0, 1.0),
        block_y=domains["block"],
        margin=margin,
        height=round(total + margin["t"] + margin["b"]),
        wrap=26 if large_text else 38,
        note_wrap=26 if large_text else 44,
        block_rows=n_rows,
        block_wrap=26 if large_text else 44,
        label_across=True,
        controls="stacked",
        headline_from_top=True,
        block_title_top=domains["block_title"][1],
    )


def wrapped(text, width):
    """``text`` (chart text) on lines of at most about ``width`` characters joined by ``<br>``: broken at " · "
    first, then at spaces (``width`` None: as it is)."""
    if width is None:
        return text
    lines = []
    for part in text.split(" · "):
        words = part.split(" ")
        pieces = [words[0]]
        for word in words[1:]:
            if len(pieces[-1]) + 1 + len(word) > width:
                pieces.append(word)
            else:
                pieces[-1] += " " + word
        if len(pieces) == 1 and lines and len(lines[-1]) + 3 + len(part) <= width:
            lines[-1] += " · " + part
        else:
            lines += pieces
    return "<br>".join(lines)


def stacked_controls(controls, bottom_px, clear_px=12):
    """``controls`` (from :func:`animation_controls`) on a phone: Play/Pause on a row of their own under the chart,
    ``clear_px`` under its plot area (clear of an x axis' labels there), the slider under them across the whole
    width (side by side, the buttons covered the slider's start). ``bottom_px``: the bottom margin that holds
    them."""
    for menu in controls.get("updatemenus", []):
        menu.update(x=0, xanchor="left", y=0, yanchor="top", pad=dict(t=clear_px, r=10))
    for slider in controls.get("sliders", []):
        slider.update(x=0, len=1.0, y=0, yanchor="top", pad=dict(t=max(bottom_px - 110, clear_px + 58), b=10))
    return controls


def _clear_of_axis(controls, factor):
    """``controls`` (from :func:`animation_controls`) moved down ``factor`` times as far from the plot area: clear
    of an x axis' labels and title grown by large text."""
    for control in controls.get("updatemenus", []) + controls.get("sliders", []):
        control["pad"] = dict(control.get("pad", {}), t=round(control.get("pad", {}).get("t", 0) * factor))
    return controls


def em_layout(figure, axes, frames, active, log_likelihood, converged_iteration, tol, areas=WIDE_EM, **texts):
    """Lay out an EM chart: the data's axes ``axes`` (the x and y axis dicts, placed here), the log-likelihood
    curve, the headline, the parameter block, the slider over ``frames`` (EMFrame) and Play/Pause, where ``areas``
    (EMAreas) puts them.

    ``texts``: ``slider_prefix``, ``note`` (or None), ``uirevision`` and ``block_title`` (the parameter block's);
    optional ``play_speed`` and ``motion`` (see :func:`animation_controls`)."""
    xaxis, yaxis = axes
    y_range, start_left_out = log_likelihood_range(log_likelihood)
    last = max(log_likelihood.shape[0] - 1, 1)
    annotations = _em_annotations(log_likelihood, start_left_out, texts["block_title"], texts["note"], areas)
    shapes = []
    if converged_iteration is not None:
        line, label = _convergence_mark(converged_iteration, tol, areas.label_across)
        shapes.append(line)
        annotations.append(label)
    legend = dict(
        orientation="h", x=0, xanchor="left", y=1.01, yanchor="bottom", font=dict(size=12), traceorder="normal"
    )
    controls = animation_controls(
        [(f.name, f.label) for f in frames],
        active,
        slider_prefix=texts["slider_prefix"],
        speed=texts.get("play_speed", "normal"),
        motion=texts.get("motion"),
    )
    if areas.controls == "stacked":
        controls = stacked_controls(controls, areas.margin["b"])
    if areas.slider_x is not None:
        _clear_of_axis(controls, _LARGE_BAND)
        for slider in controls["sliders"]:
            slider.update(x=areas.slider_x, len=1.0 - areas.slider_x)
    sized = {} if areas.height is None else {"height": areas.height}
    figure.update_layout(
        **{**BASE_LAYOUT, "margin": areas.margin, "legend": legend},
        **sized,
        uirevision=texts["uirevision"],
        xaxis=dict(xaxis, domain=list(areas.plane_x)),
        yaxis=dict(yaxis, domain=list(areas.plane_y)),
        xaxis2=dict(
            title="iteration",
            range=[-0.5, last + 0.5],
            domain=list(areas.curve_x),
            anchor="y2",
            dtick=1 if last <= 10 else None,
        ),
        yaxis2=dict(zeroline=False, range=y_range, tickformat=".6~g", domain=list(areas.curve_y), anchor="x2"),
        xaxis3=dict(HIDDEN_AXIS, domain=list(areas.headline_x or areas.plane_x), anchor="y3"),
        yaxis3=dict(HIDDEN_AXIS, domain=list(areas.headline_y), anchor="x3"),
        xaxis4=dict(HIDDEN_AXIS, domain=list(areas.block_x), anchor="y4"),
        yaxis4=dict(HIDDEN_AXIS, domain=list(areas.block_y), anchor="x4"),
        annotations=annotations,
        shapes=shapes,
        **controls,
    )
    return figure


# --- Fits side by side -------------------------------------------------------------------------------------------


def panel_domains(index, n_panels):
    """(x domain, y domain) of panel ``index`` of ``n_panels``: two to a row, top row first, rows of equal height,
    each panel under a band for its status line."""
    columns = 1 if n_panels == 1 else 2
    rows = -(-n_panels // columns)
    row, column = divmod(index, columns)
    x_domain = (0.0, 1.0) if columns == 1 else ((0.0, 0.46), (0.54, 1.0))[column]
    height = (1.0 - STATUS_BAND - (rows - 1) * ROW_GAP) / rows
    top = 1.0 - STATUS_BAND - row * (height + ROW_GAP)
    return x_domain, (max(top - height, 0.0), top)


@dataclass(frozen=True)
class PanelGrid:
    """Where side-by-side panels sit: each panel's (x domain, y domain) and its status line's y domain (paper
    fractions), the margins (px), the figure's height (px; None: the caller's), the most characters on a status
    line (None: one line), and where Play/Pause and the slider go (as :attr:`EMAreas.controls`)."""

    domains: tuple
    status_domains: tuple
    margin: dict
    height: int | None = None
    wrap: int | None = None
    controls: str | None = None
    slider_x: float | None = None
    clear_px: int = 12


#: The panels' margins as they always were: the legend over them, the slider and Play/Pause under them.
PANELS_MARGIN = dict(l=64, r=20, t=96, b=150)
#: Per number of columns: a panel's height (px) and a status line's characters, at normal text (large text: fewer).
#: Sized for the widths such a grid gets: one column on a phone (about 360 px), two on a laptop (about 900 px),
#: four on a wide screen (1,400 px and more). Two rows of two fit a laptop's 768 px with the slider (712 px); one
#: row of two panels gets taller ones (ONE_ROW_PANEL_PX).
_PANEL_PX = {1: 300, 2: 185, 3: 280, 4: 300}
ONE_ROW_PANEL_PX = 380
_STATUS_CHARACTERS = {1: 40, 2: 52, 3: 44, 4: 40}
#: Chart widths (px) the legend's rows are reckoned on, per number of columns.
_GRID_WIDTH = {1: 340, 2: 840, 3: 1100, 4: 1400}


def panel_grid(n_panels, columns=None, large_text=False, legend_names=()):
    """The :class:`PanelGrid` of ``n_panels`` panels.

    ``columns`` None: two to a row in the caller's height, as they always were. Otherwise ``columns`` to a row
    (1: a phone's column, one panel under the other), every band sized in px (status lines wrapped and given room
    for two lines, the x axis' labels between rows, the legend's rows over the panels reckoned from
    ``legend_names``, the controls under them) and the figure's height set; with ``large_text`` the text bands
    grow for 18 px text.
    """
    if columns is None:
        domains = tuple(panel_domains(index, n_panels) for index in range(n_panels))
        statuses = tuple((y[1] + 0.005, y[1] + STATUS_BAND - 0.01) for _, y in domains)
        return PanelGrid(domains, statuses, PANELS_MARGIN)
    columns = max(1, min(columns, n_panels))
    grow = _LARGE_BAND if large_text else 1.0
    rows = -(-n_panels // columns)
    wrap = round(_STATUS_CHARACTERS[min(columns, 4)] / (1.45 if large_text else 1.0))
    status_px, gap_px = 40 * grow, 64 * grow
    panel_px = ONE_ROW_PANEL_PX if rows == 1 and columns == 2 else _PANEL_PX[min(columns, 4)]
    total = rows * (status_px + panel_px) + (rows - 1) * gap_px
    column_gap = 0.08 if columns == 2 else 0.06
    width = (1.0 - (columns - 1) * column_gap) / columns
    domains, statuses = [], []
    for index in range(n_panels):
        row, column = divmod(index, columns)
        top = 1.0 - row * (status_px + panel_px + gap_px) / total
        status = (top - status_px / total, top)
        panel = (max(status[0] - panel_px / total, 0.0), status[0])
        left = column * (width + column_gap)
        domains.append(((left, left + width), panel))
        statuses.append(status)
    legend_px = _legend_height(legend_names, _GRID_WIDTH[min(columns, 4)], grow)
    stacked = columns == 1
    margin = dict(
        l=round(64 * grow),
        r=16 if stacked else 20,
        t=round(24 + legend_px),
        b=round(_STACKED_CONTROLS_PX * grow + gap_px if stacked else 150 * grow),
    )
    return PanelGrid(
        tuple(domains),
        tuple(statuses),
        margin,
        height=round(total + margin["t"] + margin["b"]),
        wrap=wrap,
        controls="stacked" if stacked else None,
        slider_x=0.3 if large_text and not stacked else None,
        clear_px=round(gap_px),
    )


def _legend_height(names, width, grow):
    """About how tall (px) a horizontal legend of entries ``names`` is on a chart ``width`` px wide (entries of
    12 px text, grown by ``grow``): entries are laid out in rows, each as wide as its name and its symbol."""
    rows, used = 1, 0.0
    for name in names:
        entry = (40 + 6.6 * len(name)) * grow
        if used and used + entry > width:
            rows, used = rows + 1, 0.0
        used += entry
    return rows * 24 * grow if names else 0.0


def axis_suffix(panel):
    """The suffix of panel ``panel``'s axes ("" for the first, then "2", "3"...)."""
    return "" if panel == 0 else str(panel + 1)


def panels_layout(
    figure, n_panels, frames, active, panel_axes, uirevision, play_speed="normal", motion=None, grid=None
):
    """Lay out side-by-side panels: each panel's axes (``panel_axes(suffix)``: its x and y axis dicts) and the hidden
    axes of its status line (numbered after the panels'), the legend, the slider over ``frames`` ((name, label)
    pairs) and Play/Pause (``play_speed``, ``motion``: see :func:`animation_controls`), where ``grid`` (PanelGrid;
    None: two to a row) puts them."""
    grid = grid or panel_grid(n_panels)
    axes = {}
    for panel in range(n_panels):
        x_domain, y_domain = grid.domains[panel]
        suffix = axis_suffix(panel)
        xaxis, yaxis = panel_axes(suffix)
        axes[f"xaxis{suffix}"] = dict(xaxis, domain=list(x_domain), anchor=f"y{suffix}")
        axes[f"yaxis{suffix}"] = dict(yaxis, domain=list(y_domain), anchor=f"x{suffix}")
        status = str(n_panels + panel + 1)
        axes[f"xaxis{status}"] = dict(HIDDEN_AXIS, domain=list(x_domain), anchor=f"y{status}")
        axes[f"yaxis{status}"] = dict(HIDDEN_AXIS, domain=list(grid.status_domains[panel]), anchor=f"x{status}")
    controls = animation_controls(frames, active, slider_prefix="Iteration ", speed=play_speed, motion=motion)
    if grid.controls == "stacked":
        controls = stacked_controls(controls, grid.margin["b"], grid.clear_px)
    if grid.slider_x is not None:
        _clear_of_axis(controls, _LARGE_BAND)
        for slider in controls["sliders"]:
            slider.update(x=grid.slider_x, len=1.0 - grid.slider_x)
    figure.update_layout(
        **{
            **BASE_LAYOUT,
            "margin": grid.margin,
            "legend": dict(
                orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", font=dict(size=12), traceorder="normal"
            ),
        },
        **({} if grid.height is None else {"height": grid.height}),
        uirevision=uirevision,
        **axes,
        **controls,
    )
    return figure


def play_sequence(names, motion):
    """The frames Play goes through: each of ``names`` once per tick it is shown, ticks in proportion to its
    ``motion`` (see :func:`gmm_ui.figures.frames.motion`), at least one, at most MAX_FRAME_TICKS; the last frame
    once (so that Play there starts again from the beginning, as Plotly does at the last frame).

    Plotly's Play button shows every frame for one duration (per-frame durations, an array, are counted from
    where Play starts, not from the first frame, so they go wrong after a pause); a frame listed n times is shown
    n ticks, and one where nothing moves passes in one tick, so a long, nearly still run does not crawl.
    """
    ticks = np.clip(np.rint(MAX_FRAME_TICKS * np.asarray(motion, dtype=np.float64) / VISIBLE_MOTION), 1, None)
    ticks = np.minimum(ticks, MAX_FRAME_TICKS).astype(int)
    ticks[-1] = 1
    return [name for name, n in zip(names, ticks) for _ in range(n)]


def animation_controls(frames, active, *, slider_prefix, speed="normal", motion=None):
    """The ``sliders`` and ``updatemenus`` of an animated chart: a slider with one step per frame (``frames``: its
    (name, label) pairs), active at ``active``, and Play/Pause buttons under the chart's left edge.

    Play's pace: ``speed`` (a key of PLAY_SPEEDS) scales every duration; with ``motion`` (one value per frame, see
    :func:`play_sequence`) each frame is shown for as long as it moves, else every frame for one duration.

    No step draws the whole chart again (``redraw: False``): frames change only scatter traces' data, which Plotly
    updates in place; a full drawing costs 0.1-0.2 s a step in the browser."""
    step_options = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    factor = PLAY_SPEEDS.get(speed, 1.0)
    if motion is None:
        played, duration = None, (400 if len(frames) <= 60 else 120) * factor
    else:
        played, duration = play_sequence([name for name, _ in frames], motion), PLAY_TICK_MS * factor
    play_options = {
        "mode": "immediate",
        "fromcurrent": True,
        "transition": {"duration": 0},
        "frame": {"duration": duration, "redraw": False},
    }
    return dict(
        sliders=[
            dict(
                active=active,
                x=0.16,
                len=0.84,
                y=0,
                yanchor="top",
                pad=dict(t=55, b=10),
                currentvalue=dict(prefix=slider_prefix, xanchor="right", font=dict(size=13)),
                transition=dict(duration=0),
                steps=[dict(method="animate", label=label, args=[[name], step_options]) for name, label in frames],
            )
        ],
        updatemenus=[
            dict(
                type="buttons",
                direction="left",
                showactive=False,
                x=0,
                xanchor="left",
                y=0,
                yanchor="top",
                pad=dict(t=62, r=10),
                buttons=[
                    dict(label="▶ Play", method="animate", args=[played, play_options]),
                    dict(label="❚❚ Pause", method="animate", args=[[None], step_options]),
                ],
            )
        ],
    )


# --- Presenting: large text, thicker lines, larger markers ---------------------------------------------------------


@dataclass(frozen=True)
class Presentation:
    """How a finished chart is shown to a room (see :func:`presented`): its smallest text (px), how much every text
    size grows (titles stay larger than labels), and how much lines and markers grow."""

    min_font_px: float = 18
    font_scale: float = 1.3
    line_scale: float = 1.6
    marker_scale: float = 1.4

    def font_px(self, size):
        return max(self.min_font_px, round(size * self.font_scale))


#: The "Large text" option of the sidebar.
LARGE_TEXT = Presentation()
#: How much taller a static chart is drawn with large text (its legend under it, its title over it, both larger).
LARGE_TEXT_HEIGHT = 1.35
#: Plotly's own sizes where a figure sets none: its base font, hover labels', scatter lines' and markers'.
_PLOTLY_FONT_PX, _PLOTLY_HOVER_FONT_PX, _PLOTLY_LINE_PX, _PLOTLY_MARKER_PX = 12, 13, 2, 6
_PLOTLY_TITLE_PX = 17
_AXIS = re.compile(r"[xy]axis\d*")
#: A size written into a text's own markup (a headline's smaller second line).
_INLINE_FONT = re.compile(r"font-size:\s*(\d+(?:\.\d+)?)px")


def presented(figure, presentation=LARGE_TEXT):
    """``figure`` (finished) with every text at least ``presentation.min_font_px`` and grown by its scale: titles,
    legend, ticks, axis titles, annotations, text traces (the EM chart's headline and parameter block, panels'
    status lines), sizes written in the texts' markup (the frames' too), the slider's labels and current value, the
    buttons and the hover labels; lines thicker and markers larger. ``presentation`` None leaves it as it is.

    A change of the figure only, so a chart keeps it wherever it is drawn (in its place or full screen). Returns
    ``figure``.
    """
    if presentation is None:
        return figure
    layout = figure.layout.to_plotly_json()
    layout.pop("template", None)
    _grow_fonts(layout, presentation)
    base = presentation.font_px(layout.get("font", {}).get("size", _PLOTLY_FONT_PX))
    layout["font"] = {**layout.get("font", {}), "size": base}
    hover = layout.setdefault("hoverlabel", {})
    hover["font"] = {**hover.get("font", {}), "size": presentation.font_px(_PLOTLY_HOVER_FONT_PX)}
    for control in layout.get("sliders", []) + layout.get("updatemenus", []):
        control.setdefault("font", {}).setdefault("size", base)
    # Every role's size set outright: a theme's template (Streamlit's sets the axes' and the title's) would win
    # over the layout's base font.
    for name, axis in layout.items():
        if _AXIS.fullmatch(name) and isinstance(axis, dict):
            axis.setdefault("tickfont", {}).setdefault("size", base)
            title = axis.setdefault("title", {})
            title.setdefault("font", {}).setdefault("size", base)
    layout.setdefault("legend", {}).setdefault("font", {}).setdefault("size", base)
    title = layout.setdefault("title", {})
    title.setdefault("font", {}).setdefault("size", presentation.font_px(_PLOTLY_TITLE_PX))
    for annotation in layout.get("annotations", []):
        annotation.setdefault("font", {}).setdefault("size", base)
    for shape in layout.get("shapes", []):
        if shape.get("line", {}).get("width"):
            shape["line"]["width"] *= presentation.line_scale
    figure.update_layout(layout)
    for trace in figure.data:
        _present_trace(trace, presentation)
    for frame in figure.frames:
        for trace in frame.data:
            _grow_inline_fonts(trace, presentation)
    return figure


def _grow_fonts(node, presentation):
    """Every font size set in ``node`` (a layout's JSON) grown, and sizes written in its texts' markup."""
    if isinstance(node, list):
        for item in node:
            _grow_fonts(item, presentation)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key.endswith("font") and isinstance(value, dict) and isinstance(value.get("size"), (int, float)):
            value["size"] = presentation.font_px(value["size"])
        elif key == "text" and isinstance(value, str):
            node[key] = _INLINE_FONT.sub(lambda m: f"font-size:{presentation.font_px(float(m[1]))}px", value)
        if isinstance(value, (dict, list)):
            _grow_fonts(value, presentation)


def _grow_inline_fonts(trace, presentation):
    """Sizes written in the markup of ``trace``'s texts, grown."""
    text = getattr(trace, "text", None)
    grow = lambda m: f"font-size:{presentation.font_px(float(m[1]))}px"  # noqa: E731
    if isinstance(text, str) and "font-size" in text:
        trace.text = _INLINE_FONT.sub(grow, text)
    elif isinstance(text, (tuple, list)) and any(isinstance(t, str) and "font-size" in t for t in text):
        trace.text = [_INLINE_FONT.sub(grow, t) if isinstance(t, str) else t for t in text]


def _present_trace(trace, presentation):
    """One trace's text, hover label, line and markers as ``presentation`` shows them."""
    mode = getattr(trace, "mode", None) or ""
    if "textfont" in trace:
        size = trace.textfont.size
        if isinstance(size, (int, float)):
            trace.textfont.size = presentation.font_px(size)
        elif size is None and "text" in mode:
            trace.textfont.size = presentation.font_px(_PLOTLY_FONT_PX)
    if "hoverlabel" in trace and isinstance(trace.hoverlabel.font.size, (int, float)):
        trace.hoverlabel.font.size = presentation.font_px(trace.hoverlabel.font.size)
    _grow_inline_fonts(trace, presentation)
    if "line" in trace and "width" in trace.line:
        width = trace.line.width
        if isinstance(width, (int, float)):
            trace.line.width = width * presentation.line_scale
        elif width is None and "lines" in mode:
            trace.line.width = _PLOTLY_LINE_PX * presentation.line_scale
    if "marker" in trace and "size" in trace.marker:
        size = trace.marker.size
        if isinstance(size, (int, float)):
            trace.marker.size = size * presentation.marker_scale
        elif size is not None:
            trace.marker.size = np.asarray(size, dtype=np.float64) * presentation.marker_scale
        elif "markers" in mode:
            trace.marker.size = _PLOTLY_MARKER_PX * presentation.marker_scale


def legend_below(figure, large_text=False):
    """``figure``'s legend in rows under its plot, across the chart's width (for a phone, where a legend beside the
    plot takes half its width), in a bottom margin that holds the x axis' labels and the legend's rows (reckoned
    from its entries' names, at a phone's width, or with ``large_text`` larger at half a laptop's)."""
    grow = _LARGE_BAND if large_text else 1.0
    names = [trace.name or "" for trace in figure.data if trace.showlegend is not False]
    legend_px = _legend_height(names, 420 if large_text else _GRID_WIDTH[1], grow)
    margin = figure.layout.margin
    figure.update_layout(
        legend=dict(orientation="h", x=0, xanchor="left", y=0, yref="container", yanchor="bottom"),
        margin=dict(l=margin.l, r=margin.r, t=margin.t, b=round(64 * grow + legend_px + 8)),
    )
    return figure


def shown_as(figure, *, narrow=False, large_text=False):
    """A finished static chart as a phone (``narrow``) or a presenter (``large_text``: see :func:`presented`) shows
    it: its legend under the plot (beside it, it took half a phone's width, or half a column's with large text);
    its title and subtitle wrapped, over the plot, the top margin pushed to hold them (a subtitle reached into the
    tick labels); with large text, ticks spaced by Plotly for their size rather than one per unit. Returns
    ``figure``."""
    if narrow or large_text:
        legend_below(figure, large_text)
        _title_over_plot(figure, 34 if large_text else 44, large_text)
    if large_text:
        for axis in (figure.layout.xaxis, figure.layout.yaxis):
            axis.dtick = None
            axis.ticklabelstandoff = 6  # the two axes' labels at the corner apart
    return presented(figure) if large_text else figure


def _title_over_plot(figure, width, large_text=False):
    """``figure``'s title and its subtitle (as smaller grey lines of the title) on lines of about ``width``
    characters (the subtitle's smaller letters take more), hung from the chart's top, in a top margin that holds
    them all (Plotly places a title's first line only, and let a wrapped subtitle run into the tick labels)."""
    title = figure.layout.title
    if not title.text:
        return
    grow = LARGE_TEXT.font_px if large_text else float
    title_px = grow(title.font.size or 17)
    lines = wrapped(title.text, width).split("<br>")
    height = 12 + 1.3 * title_px * len(lines)
    if title.subtitle.text:
        size = title.subtitle.font.size or _PLOTLY_FONT_PX
        subtitle = wrapped(title.subtitle.text, round(width * 1.3)).split("<br>")
        lines += [f"<span style='font-size:{size}px;color:{_GREY_TEXT}'>{line}</span>" for line in subtitle]
        height += 1.3 * grow(size) * len(subtitle)
    # Plotly lifts a title of several lines by about one line's height above where its anchor puts it.
    lift = title_px if len(lines) > 1 else 0.0
    margin = figure.layout.margin
    figure.update_layout(
        title=dict(text="<br>".join(lines), subtitle_text=None, yref="container", y=1, yanchor="top", pad_t=12 + lift),
        margin=dict(l=margin.l, r=margin.r, b=margin.b, t=round(height + lift + 16)),
    )
