"""A cache of per-run arrays bounded by their bytes, whose entries go when the run they belong to goes.

The runs' per-point views (labels under one iteration) cost a pass over every point to compute and are asked for
on every rerun of the app, so they are kept; but a cache bounded by a number of entries holds any number of bytes
(eight N x K responsibility arrays once held several gigabytes), so this one counts bytes.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict


class ByteBoundedCache:
    """Arrays computed for an ``owner`` object and a key, least recently used dropped first once the arrays together
    exceed ``max_bytes``; an array larger than ``max_bytes`` is returned but not kept. An owner's arrays are
    dropped when the owner is collected (the owner must accept weak references)."""

    def __init__(self, max_bytes):
        self.max_bytes = int(max_bytes)
        self._entries = OrderedDict()  # (id(owner), key) -> array
        self._owners = {}  # id(owner) -> weakref.finalize
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def nbytes(self):
        """Bytes held now."""
        return self._bytes

    def get(self, owner, key, compute):
        """The array for ``owner`` and ``key``, from ``compute()`` (called without the lock held) if not kept."""
        entry_key = (id(owner), key)
        with self._lock:
            if entry_key in self._entries:
                self._entries.move_to_end(entry_key)
                return self._entries[entry_key]
        value = compute()
        if value.nbytes > self.max_bytes:
            return value
        with self._lock:
            if id(owner) not in self._owners:
                self._owners[id(owner)] = weakref.finalize(owner, self._forget, id(owner))
            if entry_key not in self._entries:
                self._entries[entry_key] = value
                self._bytes += value.nbytes
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.nbytes
            return self._entries.get(entry_key, value)

    def clear(self):
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _forget(self, owner_id):
        with self._lock:
            self._owners.pop(owner_id, None)
            for entry_key in [entry_key for entry_key in self._entries if entry_key[0] == owner_id]:
                self._bytes -= self._entries.pop(entry_key).nbytes


#: Labels of the engine's runs (EM and k-means): an int array of N per iteration asked for.
LABELS = ByteBoundedCache(64 * 2**20)
