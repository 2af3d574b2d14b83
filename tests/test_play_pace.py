"""Play's pace (issue 17, item 4): the chosen speed reaches every animated chart's Play button, and each frame is
shown as long as the mixture moves into it, so a long, nearly still run plays in a bounded time."""

import json

import numpy as np
import pytest

from gmm_ui import figures, stages
from gmm_ui.figures.layout import MAX_FRAME_TICKS, PLAY_SPEEDS, PLAY_TICK_MS, play_sequence
from gmm_ui.tabs import em
from tests.test_animation_export import scenario_fit

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _play(chart):
    """(frame names Play goes through, ms each is shown) of a chart as the browser receives it."""
    play = chart["layout"]["updatemenus"][0]["buttons"][0]
    assert play["label"] == "▶ Play" and play["method"] == "animate"
    names, options = play["args"]
    return names, options["frame"]["duration"]


def _with_speed(fit, frames, note, speed):
    X = fit.fit_data.X
    if X.shape[1] == 1:
        figure = figures.em_animation_1d_figure(
            X, frames, (X.min() - 1, X.max() + 1), fit.run.log_likelihood, note=note, play_speed=speed
        )
    else:
        view = figures.plane_view(X, ["x", "y"])
        figure = figures.em_animation_figure(X, frames, view, fit.run.log_likelihood, note=note, play_speed=speed)
    return json.loads(figure.to_json())


@pytest.mark.parametrize("speed", list(PLAY_SPEEDS))
def test_the_play_button_carries_the_chosen_speed(speed):
    fit = scenario_fit("S2")
    frames, _, _ = em._em_frames(fit, (), False, 0)
    names, duration = _play(_with_speed(fit, frames, None, speed))
    assert duration == pytest.approx(PLAY_TICK_MS * PLAY_SPEEDS[speed])
    assert set(names) == {f.name for f in frames}  # every frame is played, none skipped
    assert names[0] == frames[0].name and names[-1] == frames[-1].name
    assert names == sorted(names, key=lambda name: [f.name for f in frames].index(name))  # in order


def test_side_by_side_panels_carry_the_speed_too(two_d_run):
    positions = list(range(0, 11))
    panel = stages.mixture_stages("EM", two_d_run, positions, two_d_run.X)
    view = figures.plane_view(two_d_run.X, ["x", "y"])
    durations = {}
    for speed in PLAY_SPEEDS:
        chart = json.loads(
            figures.panels_animation_figure(two_d_run.X, [panel, panel], view, positions, play_speed=speed).to_json()
        )
        names, durations[speed] = _play(chart)
        assert set(names) == {str(p) for p in positions}
    assert durations["slow"] > durations["normal"] > durations["fast"]


def test_frames_are_shown_as_long_as_they_move():
    names = ["0", "1", "2", "3", "4", "5"]
    played = play_sequence(names, [np.inf, 1.0, 0.0, 1e-4, 0.02, 1.0])
    counts = [played.count(name) for name in names]
    assert counts[0] == counts[1] == MAX_FRAME_TICKS  # the start and a big move: shown in full
    assert counts[2] == counts[3] == 1  # still: one tick, never skipped (Play resumes from any frame)
    assert 1 < counts[4] < MAX_FRAME_TICKS and counts[-1] == 1  # in between; the last frame once


@pytest.mark.parametrize("half_steps", [False, True])
def test_a_long_nearly_still_run_plays_in_bounded_time(half_steps):
    """Heights (S6b): 980 iterations, still after the first few dozen; at a fixed 120 ms a frame it took 33 s."""
    fit = scenario_fit("S6b")
    assert fit.run.n_iter > 500
    frames, note, active = em._em_frames(fit, (), half_steps, 0)
    names, duration = _play(json.loads(em.em_animation(fit, frames, active, note, half_steps).to_json()))
    total = len(names) * duration
    assert total <= 15_000, total
    early = sum(names.count(f.name) for f in frames[1:6]) / 5
    late = sum(names.count(f.name) for f in frames[-20:-1]) / 19
    assert early > 3 * late  # the first moves are shown long, the still end passes quickly
    short_fit = scenario_fit("S2")  # a short, moving run still plays for seconds, not a blink
    short_frames, note, active = em._em_frames(short_fit, (), False, 0)
    names, duration = _play(json.loads(em.em_animation(short_fit, short_frames, active, note, False).to_json()))
    assert 3_000 <= len(names) * duration <= 20_000
