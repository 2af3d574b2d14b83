"""What is known beyond the points: S6a's true density drawn as 2 − 2x, S6b's true components, and the estimates
the true labels give (equal to NumPy's per-group statistics)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gmm_core
from gmm_core import ParameterError, PiecewiseLinearDensity, labelled_estimates, load_scenario
from gmm_ui import figures
from gmm_ui.data import from_scenario, prepare_fit_data
from gmm_ui.stages import em_frames, max_frames_1d, mixture_stages
from tests import em_chart

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

#: The S6a tutorial draws its density on [-1, 2].
GRID = np.linspace(-1.0, 2.0, 301)  # holds 0 and 1 exactly (steps of 0.01)


def triangle(x):
    """The S6a tutorial's density, written out: 2 − 2x on (0, 1), 0 elsewhere."""
    return np.where((x > 0) & (x < 1), 2 - 2 * x, 0.0)


# --- The known density of S6a ------------------------------------------------------------------------------------


def test_s6a_knows_its_true_density_is_2_minus_2x_on_0_1():
    density = load_scenario("S6a").true_density
    assert density.knots == (0.0, 1.0) and density.values == (2.0, 0.0)
    np.testing.assert_array_equal(density(GRID), triangle(GRID))
    assert density(0.5) == 1.0 and density(0.0) == 0.0 and density(-0.5) == 0.0 and density(1.5) == 0.0


def assert_is_the_triangle_on_the_grid(x, y):
    """(x, y), a drawn line, is 2 − 2x on (0, 1) and 0 outside it; it passes through every node of GRID, and at 0
    its jump from 0 to 2 is a vertical step."""
    x, y = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    assert np.all(np.diff(x) >= 0)
    inside, outside = (x > 0) & (x < 1), (x < 0) | (x > 1)
    np.testing.assert_allclose(y[inside], 2 - 2 * x[inside], rtol=0, atol=1e-12)
    assert np.all(y[outside] == 0)
    assert sorted(y[x == 0].tolist()) == [0.0, 2.0]  # the step at 0, drawn vertically
    assert np.all(y[x == 1] == 0)
    assert set(GRID.tolist()) <= set(x.tolist())
    assert y.max() == 2.0


def _truth_of(figure_or_spec):
    data = figure_or_spec["data"]
    return [trace for trace in data if (trace.get("meta") or {}).get("role") == "true_density"]


def _s6a_fit_data():
    scenario = load_scenario("S6a")
    return prepare_fit_data(from_scenario(scenario, "preset:S6a"), list(scenario.feature_names), (), False)


def _short_s6a_run():
    scenario = load_scenario("S6a")
    return gmm_core.fit_em(scenario.X, scenario.initial, max_iter=3, tol=0)


def test_the_s6a_truth_trace_is_2_minus_2x_on_minus_1_to_2_in_every_1d_chart():
    fit_data = _s6a_fit_data()
    truth = fit_data.truth_1d
    assert truth is load_scenario("S6a").true_density
    run = _short_s6a_run()
    static = figures.density_1d_figure(fit_data.X, run.final, (-1.0, 2.0), truth=truth, n_grid=301).to_dict()
    frames, _ = em_frames(run, None, False, 0, max_frames=max_frames_1d(100))
    animated = figures.em_animation_1d_figure(fit_data.X, frames, (-1.0, 2.0), run.log_likelihood, truth=truth)
    stages = mixture_stages("EM", run, [0, 1], None)
    panels = figures.panels_animation_1d_figure(fit_data.X, [stages, stages], (-1.0, 2.0), [0, 1], truth=truth)
    for figure in (static, animated.to_dict(), panels.to_dict()):
        lines = _truth_of(figure)
        assert lines and not [t for t in figure["data"] if (t.get("meta") or {}).get("role") == "true_component"]
        for line in lines:
            x, y = em_chart.values(line["x"]), em_chart.values(line["y"])
            inside = (x > 0) & (x < 1)
            np.testing.assert_allclose(y[inside], 2 - 2 * x[inside], rtol=0, atol=1e-12)
            assert np.all(y[(x < 0) | (x > 1)] == 0) and x.min() == -1.0 and x.max() == 2.0
    assert_is_the_triangle_on_the_grid(*(em_chart.values(_truth_of(static)[0][axis]) for axis in "xy"))
    # Two panels, a line each, each tagged with its own panel.
    assert [line["meta"]["panel"] for line in _truth_of(panels.to_dict())] == [0, 1]
    # The density axis reaches above the truth's peak, 2.
    assert animated.layout.yaxis.range[1] >= 1.12 * 2.0


def test_the_s6a_truth_line_is_drawn_exactly_on_the_grid():
    assert_is_the_triangle_on_the_grid(*load_scenario("S6a").true_density.curve(GRID))


def test_a_curve_over_part_of_the_support_has_no_step_it_does_not_reach():
    x, y = load_scenario("S6a").true_density.curve(np.linspace(0.25, 0.75, 3))
    np.testing.assert_array_equal(x, [0.25, 0.5, 0.75])
    np.testing.assert_array_equal(y, [1.5, 1.0, 0.5])


def test_the_true_density_follows_standardisation():
    scenario = load_scenario("S6a")
    fit_data = prepare_fit_data(from_scenario(scenario, "preset:S6a"), ["x"], (), True)
    scaling = gmm_core.standardization(scenario.X)
    z = np.linspace(-3, 3, 61)
    # p_Z(z) = scale * p_X(mean + scale * z) for Z = (X - mean) / scale
    expected = scaling.scale[0] * triangle(scaling.mean[0] + scaling.scale[0] * z)
    np.testing.assert_allclose(fit_data.truth_1d(z), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "knots, values, message",
    [
        ((0.0,), (1.0,), "at least two"),
        ((1.0, 0.0), (2.0, 0.0), "increase"),
        ((0.0, 1.0), (-2.0, 4.0), "at least 0"),
        ((0.0, 1.0), (1.0, 2.0), "area must be 1"),
        ((0.0, np.inf), (2.0, 0.0), "finite"),
    ],
)
def test_a_density_that_is_none_is_refused(knots, values, message):
    with pytest.raises(ParameterError, match=message):
        PiecewiseLinearDensity(knots, values)


def test_a_true_density_is_for_one_dimensional_data_only():
    triangle_density = load_scenario("S6a").true_density
    with pytest.raises(ParameterError, match="1-D"):
        gmm_core.Scenario("x", "x", "x", np.zeros((3, 2)), ("a", "b"), 1, true_density=triangle_density)


# --- A generating mixture's components in 1-D (S6b) --------------------------------------------------------------


def test_s6b_draws_its_two_true_normal_curves_and_their_mixture():
    scenario = load_scenario("S6b")
    truth = scenario.true_params
    grid = np.linspace(140.0, 200.0, 241)
    figure = figures.density_1d_figure(scenario.X, truth, (140.0, 200.0), truth=truth, n_grid=241).to_dict()
    (mixture,) = _truth_of(figure)
    curves = [t for t in figure["data"] if (t.get("meta") or {}).get("role") == "true_component"]
    assert [curve["meta"]["component"] for curve in curves] == [0, 1]
    for k, (mean, deviation) in enumerate([(163.0, 6.5), (176.0, 7.0)]):
        expected = 0.5 * np.exp(-0.5 * ((grid - mean) / deviation) ** 2) / (deviation * np.sqrt(2 * np.pi))
        np.testing.assert_allclose(em_chart.values(curves[k]["y"]), expected, rtol=1e-12)
    total = em_chart.values(curves[0]["y"]) + em_chart.values(curves[1]["y"])
    np.testing.assert_allclose(em_chart.values(mixture["y"]), total, rtol=1e-12)


# --- If you knew the labels --------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["S6b", "S7", "S1"])
def test_labelled_estimates_are_numpys_per_group_share_mean_and_deviation(key):
    scenario = load_scenario(key)
    X, labels = scenario.X, scenario.true_labels
    estimates = labelled_estimates(X, labels)
    groups = np.unique(labels)
    assert estimates.n_components == groups.size and estimates.n_features == X.shape[1]
    for g, label in enumerate(groups):
        members = X[labels == label]
        assert estimates.weights[g] == pytest.approx(members.shape[0] / X.shape[0], rel=1e-15)
        np.testing.assert_allclose(estimates.means[g], members.mean(axis=0), rtol=1e-14)
        deviations = np.sqrt(np.diagonal(estimates.covariances[g]))
        np.testing.assert_allclose(deviations, members.std(axis=0, ddof=0), rtol=1e-13)
        np.testing.assert_allclose(
            estimates.covariances[g], np.cov(members.T, bias=True).reshape(deviations.size, -1), rtol=1e-12
        )


def test_labelled_estimates_of_s6b_are_close_to_its_truth():
    scenario = load_scenario("S6b")
    estimates = labelled_estimates(scenario.X, scenario.true_labels)
    np.testing.assert_allclose(estimates.means[:, 0], [163.0, 176.0], atol=1.0)
    np.testing.assert_allclose(np.sqrt(estimates.covariances[:, 0, 0]), [6.5, 7.0], atol=0.6)


def test_labelled_estimates_refuse_a_group_without_spread():
    X = np.array([[0.0], [1.0], [2.0], [5.0]])
    with pytest.raises(ParameterError, match="labelled b .1 of them"):
        labelled_estimates(X, np.array(["a", "a", "a", "b"]))
    with pytest.raises(ParameterError, match="one label per point"):
        labelled_estimates(X, np.zeros(3))
    on_a_line = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.0, 1.0], [1.0, 0.0], [3.0, 3.0]])
    with pytest.raises(ParameterError, match="singular"):
        labelled_estimates(on_a_line, np.array([0, 0, 0, 1, 1, 1]))


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 4),
    st.integers(1, 3),
    st.integers(0, 2**31),
)
def test_labelled_estimates_match_numpy_for_any_labelled_data(n_groups, n_features, seed):
    rng = np.random.default_rng(seed)
    labels = np.repeat(rng.permutation(n_groups) * 7, rng.integers(n_features + 2, 30, size=n_groups))
    X = rng.normal(size=(labels.size, n_features)) * rng.uniform(0.1, 10) + rng.normal(size=n_features) * 100
    estimates = labelled_estimates(X, labels)
    assert estimates.weights.sum() == pytest.approx(1.0)
    for g, label in enumerate(np.unique(labels)):
        members = X[labels == label]
        np.testing.assert_allclose(estimates.means[g], members.mean(axis=0), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(np.sqrt(np.diagonal(estimates.covariances[g])), members.std(axis=0), rtol=1e-10)
