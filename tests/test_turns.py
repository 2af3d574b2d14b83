"""The server's turns (gmm_ui.turns): first come first served, given back however a run ends, nested and stepped
out without a deadlock. Threads stand for the script runs; nothing here is timed (a join's timeout only detects a
deadlock)."""

from __future__ import annotations

import threading

import pytest

from gmm_ui.turns import Turns, waiting_line

JOIN_SECONDS = 30


def _until(condition):
    """Wait (up to JOIN_SECONDS) until ``condition()`` holds; fail if it never does."""
    event = threading.Event()
    for _ in range(JOIN_SECONDS * 100):
        if condition():
            return
        event.wait(0.01)
    pytest.fail("the condition never held")


def _joined(*threads):
    for thread in threads:
        thread.join(JOIN_SECONDS)
        assert not thread.is_alive(), "a thread never got its turn (deadlock)"


class _Run(threading.Thread):
    """A run that takes a turn, notes the order it got it in, and holds it until ``leave`` is set."""

    def __init__(self, turns, name, order, place=None):
        super().__init__(name=name, daemon=True)
        self.turns, self.order, self.place = turns, order, place
        self.leave, self.has_turn, self.waits = threading.Event(), threading.Event(), []

    def run(self):
        with self.turns.turn(self.place, self.waits.append):
            self.order.append(self.name)
            self.has_turn.set()
            self.leave.wait(JOIN_SECONDS)


def _queued(turns, *runs):
    """Start ``runs`` one after the other, each once the one before waits in line."""
    for run in runs:
        before = turns.waiting()
        run.start()
        _until(lambda before=before: turns.waiting() == before + 1)


def test_runs_get_their_turns_in_the_order_they_came_and_see_how_many_are_ahead():
    turns, order = Turns(1), []
    first = _Run(turns, "first", order)
    first.start()
    assert first.has_turn.wait(JOIN_SECONDS)
    assert first.waits == []  # a free turn: nothing shown
    later = [_Run(turns, name, order) for name in ("a", "b", "c")]
    _queued(turns, *later)
    assert [run.waits[0] for run in later] == [1, 2, 3]  # the one holding the turn, and those before in line
    last = later[-1]
    for run, after, ahead in zip([first, *later], later, (2, 1, None)):
        run.leave.set()
        assert after.has_turn.wait(JOIN_SECONDS)
        if ahead is not None:  # the last in line is told each time the line moves
            _until(lambda ahead=ahead: last.waits[-1] == ahead)
    last.leave.set()
    _joined(first, *later)
    assert order == ["first", "a", "b", "c"]
    assert last.waits == [3, 2, 1]
    assert turns.running == 0 and turns.waiting() == 0


def test_two_turns_let_two_runs_in_at_once():
    turns, order = Turns(2), []
    runs = [_Run(turns, name, order) for name in ("a", "b")]
    for run in runs:
        run.start()
    for run in runs:
        assert run.has_turn.wait(JOIN_SECONDS)
    third = _Run(turns, "c", order)
    _queued(turns, third)
    assert third.waits == [2]
    runs[1].leave.set()
    assert third.has_turn.wait(JOIN_SECONDS)
    runs[0].leave.set()
    third.leave.set()
    _joined(*runs, third)


def test_an_earlier_place_goes_first():
    turns, order = Turns(1), []
    holder = _Run(turns, "holder", order)
    holder.start()
    assert holder.has_turn.wait(JOIN_SECONDS)
    late = _Run(turns, "late", order)
    kept = _Run(turns, "kept its place", order, place=turns.new_place() - 1000)
    _queued(turns, late, kept)
    for run in (holder, late, kept):
        run.leave.set()
    _joined(holder, late, kept)
    assert order == ["holder", "kept its place", "late"]


def test_the_turn_is_given_back_when_the_run_raises():
    turns = Turns(1)
    with pytest.raises(KeyError):
        with turns.turn():
            raise KeyError("stopped")  # as Streamlit stops or reruns a script: an exception in its thread
    assert turns.running == 0
    other = _Run(turns, "other", [])
    other.start()
    assert other.has_turn.wait(JOIN_SECONDS)
    other.leave.set()
    _joined(other)


def test_a_run_stopped_while_it_waits_leaves_the_line():
    turns, order = Turns(1), []
    holder, next_in_line = _Run(turns, "holder", order), _Run(turns, "next", order)
    holder.start()
    assert holder.has_turn.wait(JOIN_SECONDS)
    _queued(turns, next_in_line)
    notices = []

    def stop_on_second_notice(ahead):
        notices.append(ahead)
        if len(notices) == 2:
            raise RuntimeError("stopped")  # as Streamlit stops a run at its next element

    def stopped_run():
        with pytest.raises(RuntimeError):
            with turns.turn(on_wait=stop_on_second_notice):
                order.append("never")

    quitter = threading.Thread(target=stopped_run, daemon=True)
    behind = _Run(turns, "behind", order)
    _queued(turns, quitter, behind)
    holder.leave.set()  # the line moves: the quitter is told, and stops
    _joined(holder, quitter)
    assert notices == [2, 1]
    _until(lambda: turns.waiting() == 1)  # only "behind" waits
    next_in_line.leave.set()
    assert behind.has_turn.wait(JOIN_SECONDS)
    behind.leave.set()
    _joined(next_in_line, behind)
    assert order == ["holder", "next", "behind"]
    assert turns.running == 0 and turns.waiting() == 0


def test_a_nested_turn_is_the_same_turn():
    turns, done = Turns(1), []

    def nested():
        with turns.turn():
            with turns.turn():
                assert turns.running == 1
            assert turns.running == 1
            done.append(True)

    thread = threading.Thread(target=nested, daemon=True)
    thread.start()
    _joined(thread)
    assert done == [True] and turns.running == 0


def test_stepping_out_lets_another_run_in_and_comes_back_before_the_line():
    turns, order = Turns(1), []
    inside, back = threading.Event(), threading.Event()
    depth_after = []

    def waits_elsewhere():
        with turns.turn():
            with turns.turn():  # nested: stepping out gives the whole turn back, and takes it back whole
                order.append("out")
                with turns.stepped_out():
                    inside.set()
                    back.wait(JOIN_SECONDS)
                order.append("back")
            depth_after.append(turns.running)
            order.append("done")

    stepper = threading.Thread(target=waits_elsewhere, daemon=True)
    stepper.start()
    assert inside.wait(JOIN_SECONDS)
    meanwhile = _Run(turns, "meanwhile", order)
    meanwhile.start()
    assert meanwhile.has_turn.wait(JOIN_SECONDS)  # the stepped-out run's turn was free
    back.set()
    _until(lambda: turns.waiting() == 1)  # the stepper waits for its turn again
    later = _Run(turns, "later", order)
    _queued(turns, later)
    meanwhile.leave.set()
    later.leave.set()
    _joined(stepper, meanwhile, later)
    assert order == ["out", "meanwhile", "back", "done", "later"]
    assert depth_after == [1]
    assert turns.running == 0 and turns.waiting() == 0


def test_stepping_out_without_a_turn_just_runs_the_block():
    turns, ran = Turns(1), []
    with turns.stepped_out():
        ran.append(True)
    assert ran == [True] and turns.running == 0
    with turns.turn():  # and the turn is still free
        assert turns.running == 1


def test_the_waiting_line_counts_people():
    assert waiting_line(1) == "Many people are using the app right now: 1 person ahead of you…"
    assert "1,200 people ahead" in waiting_line(1200)


def test_a_size_below_one_is_refused():
    with pytest.raises(ValueError):
        Turns(0)
