"""Turns: how many script runs of this server process do their work at once (issue 21, "fast and fair under load").

Streamlit runs every session's script on a thread of its own, and the server's event loop, which sends every
session's messages, is one more thread: all share one interpreter lock. Forty students opening the page at once
made forty script threads; the event loop then got the lock back only after each of them had had it, a few
milliseconds each, and it needs it once per message it sends (about 90 for a first page). Measured on this 2-core
machine: every one of 40 students got their first element 7.5-9 s after arriving, all in the last half second,
once every script had finished (docs/load.md).

So a run takes a *turn* (one of :data:`SIZE`, one per core) before its work, first come first served, and gives
it back at its end, whatever the end (an exception, Streamlit stopping it or starting it again: those are
exceptions raised in the script's thread). The runs that wait hold no lock: the event loop and the runs that have
their turn share the interpreter, and a run that waits shows, in its place, how many are ahead of it (only if it
has to wait at all: nobody waits, nothing shown). A run interrupted while it waits (its user changed something)
keeps its place for the next run of the same session.

A run that waits for something done elsewhere (a fit in another process) should give its turn back meanwhile
(:func:`stepped_out`), and takes it again before the others that are waiting. A run that already holds a turn
and asks again gets it at once (turns are held per thread, nested).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading

#: Turns per server process: one per core (at least 2, so that one long fit never stops every other session), or
#: the environment's ``GMM_TURNS`` (the tests set 1).
SIZE = int(os.environ.get("GMM_TURNS") or 0) or max(2, os.cpu_count() or 1)
#: How often a waiting run looks again even if nobody moved (it never waits forever on a lost wake-up).
POLL_SECONDS = 1.0
#: The session-state key that keeps a waiting session's place in line when its run is started again.
PLACE_KEY = "_turns_place"


class Turns:
    """At most ``size`` holders at once, first come first served; held per thread and nested.

    Waiting runs are kept in order of their *place*, a number given on arrival (or brought back by a session
    whose earlier run was interrupted while waiting); a run that steps back in after :meth:`stepped_out` comes
    before all of them.
    """

    def __init__(self, size):
        if size < 1:
            raise ValueError(f"turns need a size of at least 1, not {size}")
        self.size = size
        self._condition = threading.Condition()
        self._depth = {}  # thread id -> how many nested turns it holds (it counts once)
        self._waiting = []  # places of the waiting runs, sorted
        self._places = itertools.count(1)

    @property
    def running(self):
        """How many threads hold a turn now."""
        return len(self._depth)

    def waiting(self):
        """How many runs wait for a turn now."""
        return len(self._waiting)

    def new_place(self):
        """A place in line, after every place given so far."""
        return next(self._places)

    def acquire(self, place=None, on_wait=None):
        """Take a turn for this thread (at once if it holds one). ``place``: where in line (:meth:`new_place` if
        None). ``on_wait(ahead)`` is called, without the lock, only if the run has to wait, and again whenever the
        number of runs ahead of it (holding a turn or earlier in line) changes; what it raises withdraws the run
        from the line and is raised here."""
        me = threading.get_ident()
        with self._condition:
            if me in self._depth:
                self._depth[me] += 1
                return
            if place is None:
                place = self.new_place()
            self._waiting.append(place)
            self._waiting.sort()
            try:
                shown = None
                while not (self._waiting[0] == place and len(self._depth) < self.size):
                    ahead = self._waiting.index(place) + len(self._depth)
                    if on_wait is not None and ahead != shown:
                        shown = ahead
                        self._condition.release()
                        try:
                            on_wait(ahead)
                        finally:
                            self._condition.acquire()
                        continue
                    self._condition.wait(POLL_SECONDS)
            except BaseException:
                self._waiting.remove(place)
                self._condition.notify_all()
                raise
            self._waiting.pop(0)
            self._depth[me] = 1
            self._condition.notify_all()  # the next in line may go too, if a turn is free

    def release(self):
        """Give back this thread's turn (the outermost of nested ones)."""
        me = threading.get_ident()
        with self._condition:
            if self._depth[me] > 1:
                self._depth[me] -= 1
                return
            del self._depth[me]
            self._condition.notify_all()

    @contextlib.contextmanager
    def turn(self, place=None, on_wait=None):
        """Hold a turn for the block (see :meth:`acquire`); given back however the block ends."""
        self.acquire(place, on_wait)
        try:
            yield
        finally:
            self.release()

    @contextlib.contextmanager
    def stepped_out(self):
        """Give this thread's turn back for the block (a wait for work done elsewhere), then take it again before
        every run that is waiting. A thread without a turn just runs the block."""
        me = threading.get_ident()
        with self._condition:
            depth = self._depth.pop(me, 0)
            if depth:
                self._condition.notify_all()
        try:
            yield
        finally:
            if depth:
                self.acquire(place=0)  # before every place given (those start at 1)
                with self._condition:
                    self._depth[me] = depth


#: The turns of this server process (created once: the app's modules are imported once per process).
TURNS = Turns(SIZE)


def waiting_line(ahead):
    """What a waiting run shows, ``ahead`` runs before it."""
    people = "1 person" if ahead == 1 else f"{ahead:,} people"
    return f"Many people are using the app right now: {people} ahead of you…"


@contextlib.contextmanager
def turn(placeholder, turns=None):
    """The app script's turn (see the module's docstring): held for the block; while the run waits,
    ``placeholder`` (an ``st.empty()``) says how many are ahead, and it is emptied when the turn comes. Nothing is
    drawn when a turn is free at once. A run stopped while it waits keeps its place for the session's next run."""
    import streamlit as st

    turns = TURNS if turns is None else turns
    state = st.session_state
    place = state.get(PLACE_KEY) or turns.new_place()
    shown = []

    def show(ahead):
        state[PLACE_KEY] = place  # set before the write: the write is where Streamlit stops a run
        shown.append(ahead)
        placeholder.info(waiting_line(ahead), icon=":material/hourglass_top:")

    turns.acquire(place, show)
    try:
        state.pop(PLACE_KEY, None)
        if shown:
            placeholder.empty()
        yield
    finally:
        turns.release()


def stepped_out():
    """Give this run's turn back while it waits for work done elsewhere (e.g. a fit in another process); see
    :meth:`Turns.stepped_out`."""
    return TURNS.stepped_out()
