"""The animated charts' stages without a page (gmm_ui.stages): half-step numbering, EM's stages and frames."""

import subprocess
import sys

import numpy as np
import pytest

import gmm_core
from gmm_ui import stages


def test_the_pure_modules_import_without_streamlit():
    """The stages, the link's codec and the state's declarations load with Streamlit unavailable."""
    code = (
        "import sys; sys.modules['streamlit'] = None\n"
        "import gmm_ui.stages, gmm_ui.link, gmm_ui.state, gmm_ui.strategies\n"
        "assert not any(name.startswith('streamlit') for name in sys.modules if sys.modules[name] is not None)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize("position", range(12))
def test_a_half_step_position_round_trips_through_its_iteration_and_stage(position):
    iteration, stage = stages.half_step_parts(position)
    assert stages.half_step_position(iteration, stage) == position
    assert stages.half_step_token(position) == f"{iteration}{stage}"


def test_half_steps_alternate_e_and_m_steps_after_the_start():
    assert [stages.half_step_label(p) for p in range(5)] == [
        "start",
        "1 · E-step",
        "1 · M-step",
        "2 · E-step",
        "2 · M-step",
    ]
    assert [stages.half_step_token(p) for p in range(5)] == ["0", "1E", "1M", "2E", "2M"]
    assert stages.half_step_position(3, "") == stages.half_step_position(3, "M") == 6
    assert stages.half_step_position(3, "E") == 5


@pytest.mark.parametrize("iteration", range(6))
def test_an_iteration_keeps_its_ellipses_when_half_steps_are_turned_on_and_off(iteration):
    position = stages.half_step_position(iteration)
    assert stages.half_step_snapshot(position) == iteration
    assert stages.em_stage(position, True, 9).snapshot == stages.em_stage(iteration, False, 9).snapshot


def test_the_last_position_of_a_run():
    assert stages.last_position(7, False) == 7
    assert stages.last_position(7, True) == 14


@pytest.mark.parametrize("n_iter", [1, 4])
def test_em_stages_follow_estep_then_mstep(n_iter):
    start = stages.em_stage(0, True, n_iter)
    assert (start.snapshot, start.colors_from, start.moved_from) == (0, None, None)
    for iteration in range(1, n_iter + 1):
        e_step = stages.em_stage(stages.half_step_position(iteration, "E"), True, n_iter)
        m_step = stages.em_stage(stages.half_step_position(iteration, "M"), True, n_iter)
        # The E-step recolors under the previous ellipses; the M-step moves them, keeping those colors.
        assert (e_step.snapshot, e_step.colors_from, e_step.moved_from) == (iteration - 1, iteration - 1, None)
        assert (m_step.snapshot, m_step.colors_from, m_step.moved_from) == (iteration, iteration - 1, iteration - 1)
        assert "E-step" in e_step.title and "M-step" in m_step.title
        whole = stages.em_stage(iteration, False, n_iter)
        assert (whole.snapshot, whole.colors_from, whole.moved_from) == (iteration, iteration, None)
        assert whole.title == f"Iteration {iteration} of {n_iter}"


@pytest.fixture(scope="module")
def run():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(c, 0.5, (40, 2)) for c in ([0, 0], [4, 0], [0, 4])])
    return gmm_core.fit_em(X, gmm_core.initialize(X, 3, "random_from_data", random_state=1), max_iter=6, tol=0.0)


def test_em_frames_name_every_position_and_end_with_how_the_run_stopped(run):
    frames, note = stages.em_frames(run, run.X, True, 0)
    assert note is None
    assert [frame.name for frame in frames] == [str(p) for p in range(stages.last_position(run.n_iter, True) + 1)]
    assert [frame.label for frame in frames[:3]] == ["start", "1 · E-step", "1 · M-step"]
    assert frames[0].responsibilities is None and frames[1].responsibilities is not None
    assert frames[-1].headline.endswith("stopped (iteration limit)")
    whole, _ = stages.em_frames(run, None, False, 0)
    assert [frame.iteration for frame in whole] == list(range(run.n_iter + 1))
    assert all(frame.responsibilities is None for frame in whole)


def test_em_frames_keep_the_opening_and_the_kept_positions_when_strided(run):
    frames, note = stages.em_frames(run, None, False, 5, keep=(3,), max_frames=3)
    names = [frame.name for frame in frames]
    assert {"0", "3", "5", str(run.n_iter)} <= set(names)
    assert note is not None and note.startswith("Long run")


# --- The log-likelihood's change in the headline -----------------------------------------------------------------


@pytest.mark.parametrize(
    "previous, current, text",
    [
        (-1.4227, -1.4171, "+0.0056"),
        (-2.0, -2.0, "0"),
        (-4.3, -4.3 - 4e-15, "0"),  # S2's last step: rounding, not a decrease
        (-4.3, -4.3 + 9e-13, "0"),
        (-4.3, -4.3 - 2e-12, "-2e-12"),  # a change, but within rounding of a log-likelihood of -4.3 (4.3e-10)
        (-4.3, -4.3 + 2e-12, "+2e-12"),
        (-4.3, -4.301, "-0.001, decreased: this should not happen in EM"),
        (-4.3, -4.3 - 1e-9, "-1e-09, decreased: this should not happen in EM"),
    ],
)
def test_a_log_likelihood_change_is_rounding_an_increase_or_a_flagged_decrease(previous, current, text):
    assert stages.log_likelihood_change(previous, current) == text


def test_the_headline_writes_s2s_last_changes_without_a_false_alarm():
    scenario = gmm_core.load_scenario("S2")
    run = gmm_core.fit_em(scenario.X, scenario.initial, scenario.max_iter, scenario.tol, convergence="parameters")
    frames, _ = stages.em_frames(run, None, False, 0)
    changes = np.diff(run.log_likelihood)
    assert np.any((changes < 0) & (changes > -stages.ZERO_CHANGE))  # the "-4e-15" rounding the issue saw
    for frame in frames[1:]:
        change = changes[frame.iteration - 1]
        written = frame.headline.split("(")[1].split(")")[0]
        assert written == stages.log_likelihood_change(
            run.log_likelihood[frame.iteration - 1], run.log_likelihood[frame.iteration]
        )
        assert "decreased" not in written
        assert (written == "0") == (abs(change) < stages.ZERO_CHANGE)
        assert not written.startswith("-")
