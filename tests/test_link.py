"""The shareable link's codec without a page (gmm_ui.link): parameters read into session values and written back."""

import pytest

from gmm_core.scenarios import load_scenario
from gmm_ui import link, stages, state
from gmm_ui.data import from_scenario
from gmm_ui.state import TABS


def _read(**raw):
    return link.LinkReader(raw).read()


@pytest.mark.parametrize("position", range(9))
def test_a_half_step_token_parses_back_to_its_position(position):
    iteration, stage = link.parse_iteration(stages.half_step_token(position))
    assert stages.half_step_position(iteration, stage) == position


@pytest.mark.parametrize("raw", ["0E", "x", "-1", "3F", "1234567890"])
def test_an_unusable_iteration_is_refused(raw):
    with pytest.raises(link.Unusable):
        link.parse_iteration(raw)


def _session(**values):
    """The session state of a preset data set after a link's settings are applied (a plain dict)."""
    session = {}
    state.initialise(session)
    reader = _read(**values)
    session.update(reader.now)
    loaded = from_scenario(load_scenario(session[state.SCENARIO]), identity="preset:x")
    session[state.LINK_SETTINGS] = reader.later
    session[state.DATA] = loaded
    state.apply_data_defaults(session, loaded)
    return session, reader


@pytest.mark.parametrize(
    "query",
    [
        {"data": "S2"},
        {"data": "S1", "k": "4", "covariance": "tied", "tol": "0.001", "init": "kmeans", "seed": "7"},
        {"data": "S1", "view": "kmeans", "iteration": "3"},
        {"data": "S1", "iteration": "2E"},
        {"data": "S1", "half": "1", "density": "1"},
        {"data": "S1", "view": "covariance", "large_text": "1"},
        {"data": "S8", "columns": "1_3_4", "x": "4", "y": "1"},
    ],
)
def test_a_link_read_into_session_state_is_written_back_the_same(query):
    session, reader = _session(**query)
    assert reader.problems == []
    written = link.current_link(session)
    assert {name: written.get(name) for name in query} == query


def test_half_steps_from_a_link_open_the_em_chart_at_that_half_step():
    session, _ = _session(data="S1", iteration="2E")
    assert session[state.HALF_STEPS] is True
    assert session[state.HALF_STEP] == 3
    assert session[state.ITERATION] == 1


def test_unusable_parameters_are_reported_by_name():
    reader = _read(data="S1", k="zero", covariance="round", bogus="1", clusters="3")
    problems = " ".join(reader.problems)
    for name in ("k=zero", "covariance=round", "bogus=1", "clusters=3"):
        assert name in problems
    assert state.N_COMPONENTS not in reader.later


def test_a_generated_data_set_round_trips_its_generator_settings():
    reader = _read(data="generated", clusters="4", spread="0.5", gen_seed="9")
    assert reader.problems == []
    session = {}
    state.initialise(session)
    session.update(reader.now)
    session[state.DATA] = from_scenario(load_scenario("S1"), identity="generated:x")
    written = link.current_link(session)
    assert (written["data"], written["clusters"], written["spread"], written["gen_seed"]) == (
        "generated",
        "4",
        "0.5",
        "9",
    )


def test_a_manual_start_is_read_as_rows_of_numbers():
    reader = _read(data="S1", init="manual", start="0.5_0_0_1_1_0~0.5_3_3_1_1_0.2")
    assert reader.start_rows == [[0.5, 0, 0, 1, 1, 0], [0.5, 3, 3, 1, 1, 0.2]]
    assert _read(data="S1", start="1_2").problems == ["start=... was ignored: a start table needs init=manual."]


def test_a_view_is_read_as_its_tab_label():
    assert _read(view="choose_k").now[state.VIEW] == TABS["choose_k"]


def test_refused_names_the_settings_a_widget_changed():
    expected = {"k": (state.N_COMPONENTS, 500, "500"), "covariance": (state.COVARIANCE_TYPE, "tied", "tied")}
    session = {state.N_COMPONENTS: 2, state.COVARIANCE_TYPE: "tied"}
    assert link.refused(expected, session) == {"k": (state.N_COMPONENTS, "500")}


def test_the_convergence_test_on_q_goes_through_a_link_and_back():
    session, reader = _session(data="S1", convergence="expected_log_likelihood")
    assert not reader.problems
    assert session[state.CONVERGENCE] == "expected_log_likelihood"
    assert link.current_link(session)["convergence"] == "expected_log_likelihood"
