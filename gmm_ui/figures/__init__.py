"""Pure figure builders: fit results in, ``plotly.graph_objects.Figure`` out (no Streamlit, testable headless).

Where things are: :mod:`.traces` builds each kind of trace (points, ellipses, means, true classes, densities,
curves, cells) for every chart; :mod:`.frames` is how every animated chart gets its frames; :mod:`.layout` places
axes, legends, sliders and panels; :mod:`.static`, :mod:`.em`, :mod:`.panels`, :mod:`.grid` and :mod:`.curves` build
the charts.
Every trace carries ``meta={"role": ...}`` so that tests, in Python or in the browser, can find what they look for.
"""

from .boxes import METHOD_STYLES, boxes_log_likelihood_figure, boxes_trajectory_figure
from .curves import (
    BEST_COLOR,
    CURRENT_COLOR,
    MIN_STRIP_HALF_SPAN,
    OTHER_COLOR,
    RUN_STYLES,
    TYPE_STYLES,
    Curve,
    criterion_figure,
    degeneracy_note,
    log_likelihood_curves_figure,
    restarts_figure,
)
from .em import (
    FRAME_DENSITY_RESOLUTION,
    PARAMETER_TEXT_MAX,
    POINT_HOVER_BUDGET,
    EMFrame,
    em_animation_1d_figure,
    em_animation_figure,
    frame_bytes_1d,
    frame_stride,
    strided_iterations,
)
from .grid import export_size, grid_height, iterations_grid_1d_figure, iterations_grid_figure
from .layout import (
    ANIMATION_MARGIN,
    BASE_LAYOUT,
    PlaneView,
    legend_inside,
    log_likelihood_range,
    padded_range,
    plane_view,
)
from .panels import PanelStage, panels_animation_1d_figure, panels_animation_figure
from .static import density_1d_figure, mixture_scatter_figure, samples_figure
from .traces import (
    DENSITY_DECADES,
    DENSITY_LEVELS_PER_DECADE,
    ELLIPSE_STYLES,
    FRAME_CURVE_POINTS,
    FRAME_DENSITY_POINTS,
    FRAME_ELLIPSE_POINTS,
    MAX_LEGEND_COMPONENTS,
    TRUE_LABEL_SYMBOLS,
    WEBGL_THRESHOLD,
    density_trace,
    histogram_trace,
)

__all__ = [
    "ANIMATION_MARGIN",
    "BASE_LAYOUT",
    "BEST_COLOR",
    "CURRENT_COLOR",
    "DENSITY_DECADES",
    "DENSITY_LEVELS_PER_DECADE",
    "ELLIPSE_STYLES",
    "FRAME_CURVE_POINTS",
    "FRAME_DENSITY_POINTS",
    "FRAME_DENSITY_RESOLUTION",
    "FRAME_ELLIPSE_POINTS",
    "MAX_LEGEND_COMPONENTS",
    "MIN_STRIP_HALF_SPAN",
    "OTHER_COLOR",
    "PARAMETER_TEXT_MAX",
    "POINT_HOVER_BUDGET",
    "RUN_STYLES",
    "TRUE_LABEL_SYMBOLS",
    "TYPE_STYLES",
    "WEBGL_THRESHOLD",
    "Curve",
    "EMFrame",
    "PanelStage",
    "PlaneView",
    "criterion_figure",
    "degeneracy_note",
    "density_1d_figure",
    "density_trace",
    "em_animation_1d_figure",
    "em_animation_figure",
    "export_size",
    "frame_bytes_1d",
    "frame_stride",
    "grid_height",
    "histogram_trace",
    "iterations_grid_1d_figure",
    "iterations_grid_figure",
    "legend_inside",
    "log_likelihood_curves_figure",
    "log_likelihood_range",
    "mixture_scatter_figure",
    "padded_range",
    "panels_animation_1d_figure",
    "panels_animation_figure",
    "plane_view",
    "restarts_figure",
    "samples_figure",
    "strided_iterations",
    "METHOD_STYLES",
    "boxes_log_likelihood_figure",
    "boxes_trajectory_figure",
]
