"""Colour-blind-safe component colours (Okabe-Ito) and the soft colour of a point from its responsibilities."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Okabe & Ito's palette, ordered so that the first components get the most distinct, best-contrasting colours
# on a white background (yellow is hard to see as a thin line, so it comes late; black last).
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)

#: Colour of what is known to be true (generating ellipses, true means): neutral, so it never reads as a component.
TRUTH_COLOR = "#3B3B3B"
#: Colour of points before any E-step has shared them among the components.
UNASSIGNED_COLOR = "#9AA5B1"
#: Sequential colour scale of a fitted density drawn under the points (low to high): white to a slate blue, light
#: enough that the points' component colours stay readable on it, and one hue, so it reads as "more" for everyone.
DENSITY_SCALE = [[0.0, "#FFFFFF"], [0.5, "#D3DEEA"], [1.0, "#8EA6C0"]]


def component_colors(n_components):
    """Hex colour of each component, cycling through the Okabe-Ito palette when K exceeds its eight colours.

    Parameters
    ----------
    n_components : int

    Returns
    -------
    list of str, length n_components
    """
    return [component_style(k).color for k in range(n_components)]


#: Marker symbols of the means, one per cycle through the palette: components 1-8 get circles, 9-16 squares...
#: (no "x": k-means' centroids are crosses). Past the list, the same symbols open.
CYCLE_SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "triangle-down",
    "pentagon",
    "hexagon",
    "star",
    "hexagram",
    "cross",
    "triangle-left",
    "triangle-right",
    "star-square",
    "star-diamond",
    "diamond-tall",
    "diamond-wide",
    "hourglass",
    "bowtie",
    "star-triangle-up",
    "star-triangle-down",
    "triangle-ne",
    "triangle-nw",
    "triangle-se",
    "triangle-sw",
    "octagon",
)
#: Line dashes of the ellipses and curves, one per cycle: the first cycle keeps each chart's own lines (solid, or
#: the ellipses' dash by deviation); later cycles use dashes none of those use, then longer and longer dashes.
CYCLE_DASHES = ("solid", "longdash", "dashdot", "longdashdot")


@dataclass(frozen=True)
class ComponentStyle:
    """How component k is told apart: its colour, its means' marker symbol and its lines' dash."""

    color: str
    symbol: str
    dash: str

    @property
    def first_cycle(self):
        """Whether the component is among the palette's first eight (drawn as every chart draws them by default)."""
        return self.dash == "solid"


def component_style(k):
    """The :class:`ComponentStyle` of component ``k`` (from 0): Okabe-Ito's colours in turn, and each further cycle
    through them the next symbol and dash, so no two of up to 200 components look alike in one chart."""
    cycle, index = divmod(int(k), len(OKABE_ITO))
    symbol = CYCLE_SYMBOLS[cycle % len(CYCLE_SYMBOLS)]
    if cycle >= len(CYCLE_SYMBOLS):
        symbol += "-open"
    dash = CYCLE_DASHES[cycle] if cycle < len(CYCLE_DASHES) else f"{cycle + 2}px,3px"
    return ComponentStyle(OKABE_ITO[index], symbol, dash)


def component_symbols(n_components, first="circle"):
    """Each component's marker symbol, ``first`` for the palette's first eight."""
    return [first if k < len(OKABE_ITO) else component_style(k).symbol for k in range(n_components)]


def component_dash(k, first="solid"):
    """Component ``k``'s line dash, ``first`` (the chart's own) for the palette's first eight."""
    return first if k < len(OKABE_ITO) else component_style(k).dash


def hex_to_rgb(color):
    """(3,) float array of a ``"#RRGGBB"`` colour, each channel in 0..255."""
    color = color.lstrip("#")
    return np.array([int(color[i : i + 2], 16) for i in (0, 2, 4)], dtype=np.float64)


def hex_strings(rgb):
    """``"#rrggbb"`` strings of an (N, 3) array of channels in 0..255 (the form Plotly validates fastest)."""
    channels = np.clip(np.rint(rgb), 0, 255).astype(int)
    return [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in channels]


def mixed_colors(responsibilities, colors):
    """Soft colour of each point: its responsibilities as weights on the component colours.

    A point owned by one component gets that component's colour; a point shared half and half between two
    gets the colour halfway between theirs, so the uncertainty EM carries is visible, not only the argmax.

    Parameters
    ----------
    responsibilities : array-like of shape (N, K)
        Rows sum to 1.
    colors : sequence of K hex colours

    Returns
    -------
    list of N ``"#rrggbb"`` strings
    """
    return hex_strings(mixed_rgb(responsibilities, colors))


def mixed_rgb(responsibilities, colors):
    """The colours of :func:`mixed_colors` as an (N, 3) float array of channels in 0..255."""
    palette_rgb = np.stack([hex_to_rgb(color) for color in colors])  # (K, 3)
    return np.asarray(responsibilities, dtype=np.float64) @ palette_rgb


def lightened(color, amount):
    """``color`` moved ``amount`` (0..1) of the way to white, as a ``"#rrggbb"`` string (for region fills)."""
    rgb = hex_to_rgb(color)
    return hex_strings((rgb + amount * (255.0 - rgb))[None, :])[0]


#: At most this many distinct colours in an indexed colour scale (see :func:`indexed_colors`), so that an index
#: fits in one byte (more only if even 8 levels per channel leave more).
MAX_INDEXED_COLORS = 256


def indexed_colors(rgb_frames):
    """Point colours of many frames as small integers into one shared colour scale.

    An animation sends every frame's colours: as ``"#rrggbb"`` strings that is 9 bytes a point and frame, as indices
    into a scale of the colours actually used, 1 byte (Plotly maps a number to the scale's colour at that index).
    Colours are grouped by rounding their channels to 32 levels (8 units of 255, invisible on a scatter point), or
    to 16 or 8 levels when more than :data:`MAX_INDEXED_COLORS` groups would remain; each group is drawn in the
    mean of its colours (so a colour shared by many points, such as grey, stays exact).

    Parameters
    ----------
    rgb_frames : sequence of arrays of shape (N_f, 3)
        Each frame's colours, channels in 0..255.

    Returns
    -------
    indices : list of integer arrays of shape (N_f,)
        Each point's colour as an index into ``scale`` (uint8 when at most 256 colours are used, else uint16).
    scale : list of [float, str]
        A Plotly colour scale whose i-th stop (at i / (len - 1)) is colour i; use with cmin = 0,
        cmax = max(1, len(scale) - 1).
    """
    sizes = [len(rgb) for rgb in rgb_frames]
    stacked = np.concatenate([np.asarray(rgb, dtype=np.float64).reshape(-1, 3) for rgb in rgb_frames])
    for levels in (32, 16, 8):
        step = 255.0 / (levels - 1)
        quantised = np.clip(np.rint(stacked / step), 0, levels - 1).astype(np.int64)
        codes = (quantised[:, 0] * levels + quantised[:, 1]) * levels + quantised[:, 2]
        # np.unique without its sort: the codes are below levels^3 (32,768), so a table of them is small
        present = np.zeros(levels**3, dtype=bool)
        present[codes] = True
        used = np.flatnonzero(present)
        if used.size <= MAX_INDEXED_COLORS:
            break
    position = np.zeros(levels**3, dtype=np.intp)
    position[used] = np.arange(used.size)
    inverse = position[codes]
    # Each colour of the scale is the mean of the colours rounded to it: exact when they are all the same.
    counts = np.bincount(inverse, minlength=used.size)[:, None]
    channels = np.stack(
        [np.bincount(inverse, weights=stacked[:, c], minlength=used.size) for c in range(3)], axis=1
    ) / np.maximum(counts, 1)
    colors = hex_strings(channels) if used.size else [UNASSIGNED_COLOR]
    if len(colors) == 1:
        scale = [[0.0, colors[0]], [1.0, colors[0]]]
    else:
        scale = [[i / (len(colors) - 1), color] for i, color in enumerate(colors)]
    indices = np.split(inverse.astype(np.uint8 if len(colors) <= 256 else np.uint16), np.cumsum(sizes)[:-1])
    return indices, scale
