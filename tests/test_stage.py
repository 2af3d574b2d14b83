"""The stage's page side (gmm_ui.stage): what a report from the browser does to the page's state, where a chart
opens, how tall it is, and what it takes off a figure. The browser side is in tests/test_browser_stage.py."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from gmm_ui import stage
from gmm_ui import state as keys
from gmm_ui.figures.layout import animation_controls

CHART = keys.EM_CHART


@pytest.fixture
def session(monkeypatch):
    """A plain dict standing in for st.session_state."""
    state = {}
    monkeypatch.setattr(stage, "st", SimpleNamespace(session_state=state))
    return state


def _report(session, value, half_steps=False):
    session[keys.stage_key(CHART)] = {"position": value, "viewport": None}
    stage._caught_up(CHART, half_steps)


def test_a_report_moves_the_one_iteration_every_view_reads(session):
    _report(session, {"name": "5", "sequence": 1})
    assert session[keys.ITERATION] == 5 and session[keys.HALF_STEP] == 10
    assert session[keys.CAUGHT_UP] == CHART


def test_a_half_step_report_shows_the_ellipses_it_stands_on(session):
    _report(session, {"name": "7", "sequence": 2}, half_steps=True)  # iteration 4, after its E-step
    assert session[keys.HALF_STEP] == 7 and session[keys.ITERATION] == 3


@pytest.mark.parametrize("value", [None, {}, {"name": None}, {"name": "five"}, {"name": [1]}, "5", 5])
def test_a_malformed_report_changes_nothing(session, value):
    session[keys.ITERATION] = 2
    _report(session, value)
    assert session[keys.ITERATION] == 2 and keys.CAUGHT_UP not in session


def test_the_chart_opens_where_it_did_in_the_run_that_catches_up_only(session):
    assert stage.opening(CHART, 0) == 0  # first drawn at the start
    _report(session, {"name": "4", "sequence": 1})
    assert stage.opening(CHART, 4) == 0  # the catch-up: the same figure, no redraw in the browser
    stage.settle()
    assert stage.opening(CHART, 4) == 4  # any other run (an option changed): at the page's iteration
    assert stage.opening("kmeans_chart", 4) == 4  # another chart never reuses this one's opening


@pytest.mark.parametrize(
    ("reported", "expected"),
    [
        ({"width": 1366, "height": 768}, {"width": 1366, "height": 768}),
        ({"width": 390.0, "height": 844.5}, {"width": 390, "height": 844}),
        ({"width": "wide", "height": 768}, None),
        ({"width": 1366}, None),
        ("1366x768", None),
    ],
)
def test_the_window_is_stored_only_when_it_is_a_size(session, reported, expected):
    session[keys.stage_key(CHART)] = {"position": None, "viewport": reported}
    stage._viewport_reported(keys.stage_key(CHART))
    assert session.get(keys.VIEWPORT) == expected


def test_charts_fit_short_windows_and_phones_are_told_apart(session):
    assert stage.chart_height(660) == 660 and not stage.is_narrow()  # before the browser has said anything
    session[keys.VIEWPORT] = {"width": 1366, "height": 768}
    assert stage.chart_height(660) == 768 - stage.CHART_ABOVE and not stage.is_narrow()
    session[keys.VIEWPORT] = {"width": 1920, "height": 1080}
    assert stage.chart_height(660) == 660
    session[keys.VIEWPORT] = {"width": 1366, "height": 500}
    assert stage.chart_height(660) == stage.SMALLEST_CHART
    session[keys.VIEWPORT] = {"width": 390, "height": 844}
    assert stage.is_narrow()


def test_the_toolbar_takes_over_plotlys_play_button():
    import plotly.graph_objects as go

    frames = [(str(i), str(i)) for i in range(4)]
    figure = go.Figure(layout=dict(margin=dict(b=160), **animation_controls(frames, 0, slider_prefix="Iteration ")))
    played = figure.layout.updatemenus[0].buttons[0].args
    plan = stage.play_plan(figure)
    assert not figure.layout.updatemenus  # no Plotly buttons: Tab cannot reach them
    assert plan == {"sequence": played[0], "options": played[1]}
    slider = figure.layout.sliders[0]
    assert slider.x == 0 and slider.len == 1 and len(slider.steps) == 4  # the slider keeps its steps, full width
    assert figure.layout.margin.b == 160 - stage.BUTTONS_ROOM
    json.dumps(plan)  # sent to the browser as it is
