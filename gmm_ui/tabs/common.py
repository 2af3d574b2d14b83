"""What several tabs draw with: a chart of one mixture, the side-by-side chart of several fits, where an animated
chart opens, the final scores, and the captions that say what a chart cannot show by itself."""

from __future__ import annotations

import streamlit as st

from gmm_core import responsibilities
from gmm_core.metrics import adjusted_rand_index

from .. import figures, shared, stage, stages
from .. import state as keys
from ..data import DISPLAY_LIMIT, display_indices
from ..figures.touch import with_click_catchers
from ..stage import opening, settle
from ..state import ITERATION, clamp
from ..text import chart_text, plain

MAIN_CHART_HEIGHT = 560
PANEL_HEIGHT = 440
#: The height of one or two panels side by side (more set their own: see comparison_layout).
SIDE_BY_SIDE_HEIGHT = {1: 620, 2: 620, 3: 1040, 4: 1040}
#: Above this many points, fitting dozens of models takes long enough to warn about.
LARGE_DATA = 20_000
#: WebGL layers at the screen's resolution: Plotly's default draws them at twice it, four times the pixels, which
#: costs 0.2 s each time a large chart is drawn anew in a browser without a GPU, for no visible difference.
PLOTLY_CONFIG = {"displaylogo": False, "plotGlPixelRatio": 1}
#: On a phone Plotly's mode bar would cover the legend over the chart; its tools (zoom, pan, download) matter less
#: than the legend there.
NARROW_CONFIG = {"displayModeBar": False}
_SAME = object()


def narrow_charts():
    """Whether the charts take their one-column layout: in a window narrower than stage.ONE_COLUMN_WIDTH, a phone's
    or not (unknown width: not). Beside the open sidebar (300 px) a chart is then under 700 px wide, too narrow for
    the EM chart's curve and parameters beside its plane, or for two panels side by side (e.g. a 1366 x 768 laptop
    at 150 % zoom: 911 px)."""
    width, _ = stage.viewport()
    return width is not None and width < stage.ONE_COLUMN_WIDTH


def chart_columns(n_columns, gap="medium"):
    """``n_columns`` places for charts side by side, or in a narrow window one under the other (a chart there
    would be a few hundred pixels wide)."""
    if narrow_charts():
        return [st.container() for _ in range(n_columns)]
    return st.columns(n_columns, gap=gap)


def comparison_layout(display, n_panels):
    """The options of a side-by-side chart of ``n_panels`` for the window and the display options: one column when
    narrow; three or four panels in one row on a wide screen, else in rows of two that fit a laptop's 768 px with
    their slider; two panels side by side as before; large text."""
    narrow = narrow_charts()
    width, _ = stage.viewport()
    columns = None
    if not narrow and n_panels > 2:
        columns = n_panels if width is not None and width >= stage.ONE_ROW_WIDTH else 2
    return dict(narrow=narrow, large_text=display.large_text, columns=columns)


def truth(fit_data, display):
    """(true parameters, true labels) when the user wants the truth shown, else Nones."""
    if not display.show_truth:
        return None, None
    return fit_data.true_params, fit_data.true_labels


def truth_1d(fit_data, display):
    """What a 1-D chart draws as the truth when the user wants it shown (the generating mixture, or the known
    density), else None."""
    return fit_data.truth_1d if display.show_truth else None


def density_range(fit_data):
    return fit_data.source.density_range() or figures.padded_range(fit_data.X[:, 0])


def axis_titles(fit_data):
    """The columns' names as axis titles: standardised columns are in standard deviations, not their own units."""
    names = [chart_text(name) for name in fit_data.feature_names]  # a user's names, shown as typed
    if fit_data.standardized:
        return [f"{name}, standardised" for name in names]
    return names


def plane(fit_data):
    return figures.plane_view(fit_data.X, axis_titles(fit_data), fit_data.shown)


def class_names(fit_data):
    """The true classes' names as the charts show them, or None."""
    return [chart_text(name) for name in fit_data.source.label_names] or None


def mixture_chart(
    fit_data, params, display, *, title, uirevision, colors_from=_SAME, previous_params=None, show_density=False
):
    """The figure of one mixture over the data: a density over a histogram in 1-D, shaded points otherwise.

    ``colors_from`` is the mixture whose responsibilities color the points (by default ``params``; None leaves
    them uncolored); ``previous_params`` draws where the ellipses were; ``show_density`` the density under them.
    """
    figure = _mixture_figure(fit_data, params, display, title, uirevision, colors_from, previous_params, show_density)
    return presented(figure, display)


def presented(figure, display):
    """A static chart as the display options and the window show it: large text (for presenting) and, in a narrow
    window, its legend under the plot rather than beside it, where it took half a phone's width."""
    return figures.shown_as(figure, narrow=narrow_charts(), large_text=display.large_text)


def _mixture_figure(fit_data, params, display, title, uirevision, colors_from, previous_params, show_density):
    true_params, true_labels = truth(fit_data, display)
    shown = display_indices(fit_data.n_points)
    if fit_data.n_features == 1:  # a histogram of every point: only its bins are sent
        return figures.density_1d_figure(
            fit_data.X,
            params,
            density_range(fit_data),
            x_title=axis_titles(fit_data)[0],
            truth=truth_1d(fit_data, display),
            title=title,
            uirevision=uirevision,
        )
    points = fit_data.X[shown]
    colors_from = params if colors_from is _SAME else colors_from
    return figures.mixture_scatter_figure(
        points,
        None if colors_from is None else responsibilities(points, colors_from),
        params,
        plane(fit_data),
        n_stds=display.n_stds,
        truth=true_params,
        true_labels=None if true_labels is None else true_labels[shown],
        class_names=class_names(fit_data),
        previous_params=previous_params,
        show_density=show_density,
        title=title,
        uirevision=uirevision,
    )


def chart_notes(fit_data, sample_drawn=None, limit=DISPLAY_LIMIT):
    """Captions that say what a chart cannot show by itself.

    ``sample_drawn``: whether the charts draw a display sample of large data (of ``limit`` points). By default
    they do in 2-D (points) and not in 1-D (histograms of every point).
    """
    notes = []
    if sample_drawn is None:
        sample_drawn = fit_data.n_features > 1
    if fit_data.n_points > limit and sample_drawn:
        notes.append(f"Showing a random {limit:,} of the {fit_data.n_points:,} points; the fit uses every point.")
    if fit_data.n_features > 2:
        x_name, y_name = (fit_data.feature_names[i] for i in fit_data.shown)
        notes.append(
            f"The fit uses {fit_data.n_features} columns; the ellipses are each component's marginal on "
            f"{plain(x_name)} and {plain(y_name)} (the 2×2 block of its covariance)."
        )
    if fit_data.standardized and (fit_data.true_params is not None or fit_data.true_density is not None):
        notes.append("The truth is shown in standardised units, like the fit.")
    for note in notes:
        st.caption(note)


def agreement(fit_data, display, labels):
    """Adjusted Rand index of ``labels`` with the true classes, or None when unknown or hidden."""
    _, true_labels = truth(fit_data, display)
    return None if true_labels is None else adjusted_rand_index(true_labels, labels)


def finish(figure, height, large_text):
    """Give ``figure`` its height on the page: ``height`` pixels (LARGE_TEXT_HEIGHT times taller with
    ``large_text``), or its own where it sets one (the one-column, large-text and grid variants size their bands in
    px). Returns ``figure``.

    The figure itself carries the height: Streamlit's chart first draws the figure as it comes, at Plotly's default
    450 px when it has none, then again at its element's height (the chart grew on screen, about 0.2 s later).
    """
    if large_text:
        height = round(height * figures.LARGE_TEXT_HEIGHT)
    figure.update_layout(height=figure.layout.height or height)
    return figure


def plot(figure, height=None, config=None, **options):
    """Draw a figure at ``height`` pixels (see :func:`finish`), or, with no height, a figure :func:`finish` made
    ready (a shared one, gmm_ui.shared: drawn as it is, never changed); ``config``: Plotly settings added to
    PLOTLY_CONFIG (and, in a narrow window, NARROW_CONFIG); ``options`` go to ``st.plotly_chart``: a key, selection
    events..."""
    if height is not None:
        finish(figure, height, bool(st.session_state.get(keys.LARGE_TEXT)))
    config = {**PLOTLY_CONFIG, **(NARROW_CONFIG if narrow_charts() else {}), **(config or {})}
    return st.plotly_chart(figure, height=figure.layout.height, config=config, **options)


def count(number, noun):
    return f"{number:,} {noun}{'s' * (number != 1)}"


def stopped(n_iter, converged):
    iterations = count(n_iter, "iteration")
    return f"converged in {iterations}" if converged else f"stopped after {iterations} (not converged)"


def iterations_metric(column, n_iter, converged):
    column.metric(
        "Iterations", f"{n_iter}", "converged" if converged else "not converged", delta_color="off", delta_arrow="off"
    )


def final_scores(fit, fitted, label, value, *, help_text=None, score_first=False):
    """A fit's final scores in three columns: its iterations, its score (``label``, ``value``, ``help_text``; first
    with ``score_first``), and its agreement with the true classes where they are known and shown."""
    metrics = st.columns(3)
    score_column, iterations_column = (metrics[0], metrics[1]) if score_first else (metrics[1], metrics[0])
    score_column.metric(label, value, help=help_text)
    iterations_metric(iterations_column, fitted.n_iter, fitted.converged)
    ari = agreement(fit.fit_data, fit.display, fitted.labels(fitted.n_iter))
    if ari is not None:
        metrics[2].metric("Final ARI with truth", f"{ari:.3f}")


def opening_control(key, last, label, help_text, *, step_names=None):
    """Where an animated chart opens (and what the page's link holds): a position 0..``last`` on session-state
    ``key``, kept in range first; returns it. ``step_names`` names each position (a select box of them rather than
    a number). With ``last`` = 0 there is nothing to scrub: a caption says so instead."""
    clamp(st.session_state, key, 0, last)
    if last == 0:
        st.caption("EM stopped at its start (iteration 0): raise the maximum number of iterations.")
    elif step_names is not None:
        st.selectbox(label, range(last + 1), format_func=step_names, key=key, persist_state="page", help=help_text)
    else:
        st.number_input(label, min_value=0, max_value=last, step=1, key=key, persist_state="page", help=help_text)
    return int(st.session_state[key])


# --- Fits side by side, scrubbed in the browser -------------------------------------------------------------------


def comparison_chart(fit, fits, positions, opened, sample, *, key, last, touch=None):
    """Draw ``fits`` ((name, run) pairs, see stages.panel_stages) side by side at ``positions`` under one slider and
    the stage's toolbar, opening at iteration ``opened`` (of ``last``), the page at ITERATION. ``touch``: for a
    chart that takes clicks, (the planes that take them, ``st.plotly_chart``'s options), or None while it takes
    none."""
    planes, events = touch if touch is not None else (None, {})
    preferred = SIDE_BY_SIDE_HEIGHT[len(fits)]
    layout = comparison_layout(fit.display, len(fits))
    inputs = (list(fits), list(positions), opened, sample, key, layout, stage.chart_height(preferred), planes)
    figure, play = shared.chart(_comparison_figure, fit, *inputs)
    stage.stage(
        play,
        key,
        [(str(position), str(position)) for position in positions],
        st.session_state[ITERATION],
        labels=[stages.position_text(position, last, False) for position in positions],
        preferred_height=preferred,
    )
    plot(figure, key=key, **events)


def _comparison_figure(fit, fits, positions, opened, sample, key, layout, height, planes):
    """The side-by-side chart, finished and shared (see gmm_ui.shared: built once per server for equal arguments,
    and never changed after), its frames too: its figure, ``height`` px tall (taller with large text; ``layout``:
    see :func:`comparison_layout`), with click catchers on ``planes`` (None: none); the stage's Play plan."""
    fit_data, display = fit.fit_data, fit.display
    panels = stages.panel_stages(fits, positions, sample, None if sample is None else fit_data.X[sample])
    true_params, true_labels = truth(fit_data, display)
    uirevision = f"{fit_data.source.identity}-{key}"
    if fit_data.n_features == 1:
        figure = figures.panels_animation_1d_figure(
            fit_data.X,
            panels,
            density_range(fit_data),
            positions,
            active=positions.index(opened),
            x_title=axis_titles(fit_data)[0],
            truth=truth_1d(fit_data, display),
            uirevision=uirevision,
            play_speed=display.play_speed,
            **layout,
        )
    else:
        figure = figures.panels_animation_figure(
            fit_data.X[sample],
            panels,
            plane(fit_data),
            positions,
            active=positions.index(opened),
            n_stds=display.n_stds,
            truth=true_params,
            true_labels=None if true_labels is None else true_labels[sample],
            class_names=class_names(fit_data),
            uirevision=uirevision,
            play_speed=display.play_speed,
            **layout,
        )
    if planes is not None:
        with_click_catchers(figure, planes)
    play = stage.play_plan(figure)
    return finish(figure, height, display.large_text), play


SIDE_BY_SIDE_CAPTION = (
    "Step with the toolbar or the keys, drag the slider under the charts, or press ▶ Play: every chart moves to "
    "the same iteration; a fit that has already stopped keeps its last state."
)


def side_by_side(fit, chart, last, fits, touch=None):
    """A comparison tab's ``fits`` ((name, run) pairs, see stages.panel_stages) in one animated chart (element key
    ``chart``) at the page's iteration (0..``last``), with the stage's toolbar over it and the iteration box under
    it, and its caption (``touch``: see :func:`comparison_chart`). Returns (points drawn per panel, iteration
    shown)."""
    n_panels = len(fits)
    position = clamp(st.session_state, ITERATION, 0, last)
    opened = min(int(opening(chart, position)), last)
    limit, sample = stages.comparison_sample(fit.fit_data, n_panels)
    n_drawn = 0 if sample is None else len(sample)
    positions, note = stages.comparison_positions(fit, last, (opened, position), n_panels, n_drawn)
    comparison_chart(fit, fits, positions, opened, sample, key=chart, last=last, touch=touch)
    with st.container(width=180):
        opening_control(
            ITERATION,
            last,
            "Iteration",
            "The iteration on screen, shared by every tab: type one to go there, or step with the toolbar, the "
            "slider or the keys (← →, Page Up/Down, Home, End, Space).",
        )
    st.caption(SIDE_BY_SIDE_CAPTION + (f" {note}" if note else ""))
    settle()
    return limit, position
