"""The EM tab's "Iterations side by side": the lab's small multiples (S2 at iterations 0, 1, 5, 10, 25, 40) for any
run, the iterations editable, downloadable as one image for slides. A section of the EM tab, not a tab."""

from __future__ import annotations

import streamlit as st

from .. import figures, stages
from .. import state as keys
from ..data import ANIMATION_DISPLAY_LIMIT, display_indices
from ..text import chart_text
from .common import axis_titles, chart_notes, density_range, plane, plot

#: The image formats the camera button can download, by their names in the picker.
FORMATS = {"PNG": "png", "SVG": "svg"}
#: A PNG is drawn at this many times its size in px: sharp on a projector.
PNG_SCALE = 2
#: Points drawn in each panel (a seeded sample above it): as the animated EM chart draws, SVG and light enough.
GRID_DISPLAY_LIMIT = ANIMATION_DISPLAY_LIMIT


def render(fit, highlights):
    """The section under the EM chart: an expander whose grid is built only while it is open.

    ``highlights``: the scenario's own iterations (S2: the lab's six), the grid's default where given.
    """
    st.fragment(_section)(fit, highlights)


def _section(fit, highlights):
    expander = st.expander(
        "Iterations side by side", key=keys.GRID_OPEN, on_change="rerun", icon=":material/grid_view:"
    )
    with expander:
        if expander.open:
            _grid(fit, highlights)


def _typed(n_iter):
    """The text input's callback: a valid list of iterations becomes the grid's; a refused one leaves a message."""
    state = st.session_state
    iterations, message = stages.parse_iterations(state[keys.GRID_TEXT], n_iter)
    state[keys.GRID_MESSAGE] = message
    if iterations is not None:
        state[keys.GRID_ITERATIONS] = iterations


def chosen_iterations(state, fit_data, n_iter, highlights):
    """The iterations the grid shows: the last valid ones typed for these data (within the run), else the run's
    default ones; fills the text input with them unless it holds refused text (shown with its message).

    ``state``: the session state (a mapping).
    """
    if state.get(keys.GRID_DATA) != fit_data.signature:  # other data: their own default again
        state.update({keys.GRID_DATA: fit_data.signature, keys.GRID_ITERATIONS: None, keys.GRID_MESSAGE: None})
        state.pop(keys.GRID_TEXT, None)
    typed = state.get(keys.GRID_ITERATIONS)
    if typed is None:
        iterations = stages.default_grid_iterations(n_iter, highlights)
    else:
        iterations = stages.clip_iterations(typed, n_iter)
    if keys.GRID_TEXT not in state or (typed is None and not state.get(keys.GRID_MESSAGE)):
        state[keys.GRID_TEXT] = stages.iterations_text(iterations)
    return iterations


def _controls(n_iter):
    """The iterations typed and the download format."""
    text_column, format_column = st.columns([3, 1], vertical_alignment="bottom")
    text_column.text_input(
        "Iterations shown",
        key=keys.GRID_TEXT,
        on_change=_typed,
        args=(n_iter,),
        persist_state="page",
        help=f"Whole numbers from 0 to {n_iter}, separated by commas: one panel each, at most "
        f"{stages.MAX_GRID_PANELS}.",
    )
    keys.keep_choice(st.session_state, keys.GRID_FORMAT, list(FORMATS))
    format_column.segmented_control(
        "Download as", list(FORMATS), key=keys.GRID_FORMAT, required=True, persist_state="page"
    )


def _figure(fit, iterations):
    fit_data, run = fit.fit_data, fit.run
    title = f"EM on {chart_text(fit_data.source.title)}, iteration by iteration"
    if fit_data.n_features == 1:
        return figures.iterations_grid_1d_figure(
            fit_data.X, run, iterations, density_range(fit_data), x_title=axis_titles(fit_data)[0], title=title
        )
    shown = display_indices(fit_data.n_points, GRID_DISPLAY_LIMIT)
    return figures.iterations_grid_figure(
        fit_data.X[shown], run, iterations, plane(fit_data), n_stds=fit.display.n_stds, title=title
    )


def download_config(iterations, image_format):
    """The chart's Plotly config: its camera button downloads the whole grid as one image of ``image_format``
    ("png" or "svg"), named after the iterations, at a size for slides; the toolbar always shown."""
    width, height = figures.export_size(len(iterations))
    return {
        "displayModeBar": True,
        "toImageButtonOptions": {
            "format": image_format,
            "filename": "em_iterations_" + "_".join(str(i) for i in iterations),
            "width": width,
            "height": height,
            "scale": PNG_SCALE if image_format == "png" else 1,
        },
    }


def _grid(fit, highlights):
    state = st.session_state
    iterations = chosen_iterations(state, fit.fit_data, fit.run.n_iter, highlights)
    _controls(fit.run.n_iter)
    if message := state.get(keys.GRID_MESSAGE):
        st.error(f"{message} The grid shows the last valid choice: {stages.iterations_text(iterations)}.")
    image_format = FORMATS[state[keys.GRID_FORMAT]]
    config = download_config(iterations, image_format)
    plot(_figure(fit, iterations), figures.grid_height(len(iterations)), config=config, key=keys.GRID_CHART)
    options = config["toImageButtonOptions"]
    pixels = f" of {options['width'] * options['scale']:,} × {options['height'] * options['scale']:,} px"
    st.caption(
        "Each panel is the mixture after that iteration, the points coloured by their responsibilities under it, "
        "all on the same axes. The camera button in the chart's toolbar (top right) downloads the whole grid as "
        f"one {image_format.upper()} image{pixels if image_format == 'png' else ''}, "
        f"{options['filename']}.{image_format}, for slides."
    )
    chart_notes(fit.fit_data, limit=GRID_DISPLAY_LIMIT)
