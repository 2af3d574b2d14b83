"""Reading the EM tab's animated chart (one Plotly frame per stage) from AppTest or from a figure's JSON.

Plotly 7 writes arrays as base64 ``{"dtype", "bdata"}`` (with ``"shape"`` for 2-D ones); :func:`values` decodes
them, so tests compare numbers, not encodings.
"""

from __future__ import annotations

import base64
import json

import numpy as np


def values(array):
    """A plain or base64-encoded Plotly array as a NumPy array (None stays None)."""
    if array is None:
        return None
    if isinstance(array, dict) and "bdata" in array:
        decoded = np.frombuffer(base64.b64decode(array["bdata"]), dtype=np.dtype(array["dtype"]))
        shape = array.get("shape")
        return decoded.reshape([int(n) for n in str(shape).split(",")]) if shape else decoded
    return np.asarray(array, dtype=object if any(v is None for v in np.ravel(array)) else None)


def em_chart(at):
    """The EM chart of an AppTest page as its figure dict (data, layout, frames), or None when there is none."""
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        if spec.get("frames"):
            return spec
    return None


def roles(spec):
    return [(trace.get("meta") or {}).get("role") for trace in spec["data"]]


def traces(spec, role):
    """The figure's own traces of ``role`` (what it draws before any frame is applied)."""
    return [trace for trace, r in zip(spec["data"], roles(spec)) if r == role]


def frame(spec, name):
    return next(f for f in spec["frames"] if f["name"] == name)


def frame_traces(spec, name, role):
    """The updates frame ``name`` makes to the traces of ``role``."""
    by_index = roles(spec)
    f = frame(spec, name)
    return [update for index, update in zip(f["traces"], f["data"]) if by_index[index] == role]


def steps(spec):
    return spec["layout"]["sliders"][0]["steps"]


def active_name(spec):
    """Name of the frame the chart opens at (the slider's active step)."""
    return steps(spec)[spec["layout"]["sliders"][0].get("active", 0)]["args"][0][0]


def headline(spec, name=None):
    """The headline text the chart shows at first (or in frame ``name``)."""
    source = traces(spec, "headline") if name is None else frame_traces(spec, name, "headline")
    return source[0]["text"][0]


def point_colors(spec, name):
    """Each drawn point's colour (``"#rrggbb"``) in frame ``name``, resolved through the shared colour scale."""
    scale = traces(spec, "points")[0]["marker"]["colorscale"]
    return [
        scale[int(i)][1] for update in frame_traces(spec, name, "points") for i in values(update["marker"]["color"])
    ]


def ellipses(spec, name):
    """[(x, y)] of every ellipse outline in frame ``name``, as float arrays."""
    return [(values(u["x"]).astype(float), values(u["y"]).astype(float)) for u in frame_traces(spec, name, "ellipse")]


def last_position(at):
    """The last stage the EM tab can show: its chart's last frame."""
    return int(em_chart(at)["frames"][-1]["name"])


def stage(at, chart="em_chart"):
    """The data the stage's toolbar over ``chart`` received (gmm_ui.stage): frame names, labels, position, Play."""
    for element in at.get("bidi_component"):
        if element.proto.component_name == "gmm_stage":
            data = json.loads(element.proto.json)
            if data["chart"] == chart:
                return data
    return None
