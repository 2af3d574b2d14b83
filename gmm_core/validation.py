"""Checks of the engine's arguments and read-only arrays, written once for every module that needs them."""

from __future__ import annotations

import numpy as np

from .errors import ParameterError


def check_whole(name, value, minimum, why=""):
    """``value`` as an int; raises ParameterError unless it is a whole number >= ``minimum``.

    Parameters
    ----------
    name : str
        How the message names the argument (its parameter name, or a phrase such as "K (the number of components)").
    value : object
        What the caller passed. ``bool`` is refused although it is an ``int``: True is no count.
    minimum : int
    why : str
        Appended to the rule in the message, e.g. " (a polygon needs three corners)".
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be a whole number >= {minimum}{why}; got {value!r}.")
    return int(value)


def read_only(array, dtype=None, copy=False):
    """``array`` with writing turned off, so that a cached or shared result cannot be changed in place.

    Parameters
    ----------
    array : array-like
    dtype : numpy dtype, optional
        The type of the copy (with ``copy=True``).
    copy : bool
        Freeze a copy instead of ``array`` itself: for an array the caller still holds. Without it ``array`` must be
        an ndarray nobody else writes to (one just built).
    """
    if copy:
        array = np.array(array, dtype=dtype, copy=True)
    array.setflags(write=False)
    return array


def iteration_index(i, n_snapshots):
    """``i`` as an index into a run's ``n_snapshots`` recorded iterations, counting from the end when negative.

    As a sequence's indexing: -1 is the last iteration, and anything outside ``-n_snapshots..n_snapshots - 1``
    raises IndexError (never wraps around).
    """
    index = int(i)
    if index < 0:
        index += n_snapshots
    if not 0 <= index < n_snapshots:
        raise IndexError(f"iteration {i} is out of range 0..{n_snapshots - 1}")
    return index
