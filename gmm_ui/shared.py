"""What the server keeps for every session: a fit or a chart that two students' pages would make alike is made once.

Streamlit runs every session's script in one process, so a result kept here serves every page that asks for the
same thing. The fits are kept by :mod:`gmm_ui.fitting`; the charts by :func:`chart`, by a fingerprint of every
input of the function that builds them (:func:`fingerprint`: arrays by their bytes, settings by their values), so
that a class opening one preset builds its EM chart once rather than forty times. Both stores are bounded by bytes
(:class:`Kept`), the least recently used dropped first.

A kept chart is shared: nothing may change it after it is built. Its builder makes it finished (its height, the
stage's Play plan taken off it, the click catchers of place mode), and ``st.plotly_chart`` only reads it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Mapping

import numpy as np
import plotly.io
import streamlit as st


class Kept:
    """Values by key, least recently used dropped first once their ``size(value)`` together exceeds ``max_bytes``
    (the newest stays whatever its size: the session that asked for it shows it). Safe to share between threads."""

    def __init__(self, max_bytes, size):
        self.max_bytes, self.size = max_bytes, size
        self.entries = OrderedDict()  # key -> (value, bytes)
        self.nbytes = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key not in self.entries:
                return None
            self.entries.move_to_end(key)
            return self.entries[key][0]

    def put(self, key, value):
        size = self.size(value)
        with self.lock:
            if key in self.entries:
                self.nbytes -= self.entries.pop(key)[1]
            self.entries[key] = (value, size)
            self.nbytes += size
            while self.nbytes > self.max_bytes and len(self.entries) > 1:
                self.nbytes -= self.entries.popitem(last=False)[1][1]


def digest(*arrays):
    """A fingerprint of arrays' shapes, types and bytes (read in place where they are contiguous)."""
    hashed = hashlib.blake2b(digest_size=20)
    for array in arrays:
        array = np.ascontiguousarray(array)
        hashed.update(f"{array.shape}{array.dtype.str}".encode())
        hashed.update(memoryview(array).cast("B"))
    return hashed.hexdigest()


_digests = {}  # id(read-only array) -> its digest, while the array lives


def _read_only(array):
    base = array.base
    return not array.flags.writeable and (not isinstance(base, np.ndarray) or not base.flags.writeable)


def _array_fingerprint(array):
    """An array's digest; a read-only array's (the engine's results, the presets' data) computed once in its life."""
    if not _read_only(array):
        return digest(array)
    key = id(array)
    if (known := _digests.get(key)) is None:
        known = _digests[key] = digest(array)
        weakref.finalize(array, _digests.pop, key, None)  # before the id can name another array
    return known


def fingerprint(value):
    """A hashable value equal for two inputs exactly when they are equal: numbers, strings and containers by
    value (a float by its exact repr, so that 1 and 1.0 and True differ and NaN equals NaN), arrays by shape,
    dtype and bytes, dataclasses (the engine's results, the app's settings and data) by their type and fields.

    Raises TypeError for anything else: a chart's key must hold all that the chart is built from."""
    if value is None or isinstance(value, (bool, str, bytes)):
        return value
    if isinstance(value, (int, float, np.number)):
        return (type(value).__name__, repr(value))
    if isinstance(value, np.ndarray):
        return ("array", _array_fingerprint(value))
    if isinstance(value, (tuple, list)):
        return (type(value).__name__, *map(fingerprint, value))
    if isinstance(value, Mapping):
        return ("mapping", *((fingerprint(name), fingerprint(item)) for name, item in value.items()))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (fingerprint(getattr(value, field.name)) for field in dataclasses.fields(value))
        return (f"{type(value).__module__}.{type(value).__qualname__}", *fields)
    raise TypeError(f"no fingerprint for a {type(value).__name__}")


#: What the kept charts may hold together, as the JSON they are sent as (a figure's Python objects take about
#: twice that). An EM chart of 100 iterations on a preset is about 1 MB.
CHART_BYTES = 48 * 2**20


def _json_bytes(made):
    """Bytes of the JSON of the figures in a builder's result (a figure, or a tuple holding them)."""
    parts = made if isinstance(made, tuple) else (made,)
    return sum(len(plotly.io.to_json(part, validate=False)) for part in parts if hasattr(part, "to_plotly_json"))


@st.cache_resource
def _charts():
    return Kept(CHART_BYTES, size=_json_bytes)


def chart(build, *args):
    """``build(*args)``, made once per server for every session that asks with equal arguments (see
    :func:`fingerprint`), and shared: the caller must not change what it returns. ``build`` is a module-level
    function whose result depends on its arguments alone (no session state)."""
    key = (build.__module__, build.__qualname__, fingerprint(args))
    charts = _charts()
    if (made := charts.get(key)) is None:
        made = build(*args)
        charts.put(key, made)
    return made
