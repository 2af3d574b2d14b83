"""Tests of gmm_core.scenarios: every preset loads, is consistent, and reproduces its source tutorial's numbers."""

import numpy as np
import pytest

from gmm_core.em import fit_em
from gmm_core.errors import ParameterError
from gmm_core.metrics import adjusted_rand_index, match_components
from gmm_core.params import GaussianMixtureParams
from gmm_core.scenarios import Scenario, generate_clusters, list_scenarios, load_scenario
from gmm_core.transforms import standardization

KEYS = ["S1", "S2", "S3", "S4", "S5", "S6a", "S6b", "S7", "S8"]


def assert_consistent(scenario):
    """Every array's shape agrees with X (N, D) and K, whichever fields the scenario fills."""
    n_samples, n_features = scenario.X.shape
    assert scenario.X.dtype == np.float64
    assert len(scenario.feature_names) == n_features
    assert (scenario.initial is None) != (scenario.init_method is None)
    for params in [scenario.initial, *scenario.alternative_starts.values()]:
        if params is not None:
            assert params.n_components == scenario.n_components
            assert params.n_features == n_features
    if scenario.true_labels is not None:
        assert scenario.true_labels.shape == (n_samples,)
        assert np.issubdtype(scenario.true_labels.dtype, np.integer)
    if scenario.true_params is not None:
        assert scenario.true_params.n_features == n_features
        if scenario.true_labels is not None:
            # The true weights are the fractions of points drawn from each component.
            fractions = np.bincount(scenario.true_labels, minlength=scenario.true_params.n_components) / n_samples
            np.testing.assert_allclose(scenario.true_params.weights, fractions)
    assert len(scenario.display_columns) == 2
    assert all(0 <= column < n_features for column in scenario.display_columns)


# --- The catalogue -----------------------------------------------------------------------------------------------


def test_list_scenarios_names_every_key_once():
    listed = list_scenarios()
    assert sorted(key for key, _ in listed) == sorted(KEYS)
    assert all(isinstance(name, str) and name for _, name in listed)


@pytest.mark.parametrize("key", KEYS)
def test_every_scenario_loads_with_consistent_shapes(key):
    scenario = load_scenario(key)
    assert isinstance(scenario, Scenario)
    assert scenario.key == key
    assert scenario.name == dict(list_scenarios())[key]
    assert scenario.description
    assert_consistent(scenario)


@pytest.mark.parametrize("key", KEYS)
def test_every_scenario_is_deterministic(key):
    cached = load_scenario(key)
    load_scenario.cache_clear()
    rebuilt = load_scenario(key)
    assert rebuilt is not cached
    np.testing.assert_array_equal(rebuilt.X, cached.X)
    if cached.true_labels is not None:
        np.testing.assert_array_equal(rebuilt.true_labels, cached.true_labels)
    if cached.initial is not None:
        assert rebuilt.initial.allclose(cached.initial, rtol=0)
    if cached.true_params is not None:
        assert rebuilt.true_params.allclose(cached.true_params, rtol=0)


@pytest.mark.parametrize("key", KEYS)
def test_every_scenario_is_cached_and_read_only(key):
    scenario = load_scenario(key)
    assert load_scenario(key) is scenario
    with pytest.raises(ValueError):
        scenario.X[0, 0] = 1.0
    if scenario.true_labels is not None:
        with pytest.raises(ValueError):
            scenario.true_labels[0] = 1
    with pytest.raises(TypeError):
        scenario.alternative_starts["mine"] = scenario.initial


@pytest.mark.parametrize("key", KEYS)
def test_every_scenario_fits_with_its_settings_and_never_lowers_the_log_likelihood(key):
    from gmm_core.initialization import initialize

    scenario = load_scenario(key)
    X = scenario.X
    if scenario.standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    start = scenario.initial or initialize(
        X, scenario.n_components, scenario.init_method, scenario.random_state, scenario.covariance_type
    )
    run = fit_em(
        X,
        start,
        max_iter=min(scenario.max_iter, 50),
        tol=scenario.tol,
        covariance_type=scenario.covariance_type,
        reg_covar=scenario.reg_covar,
        convergence=scenario.convergence,
    )
    assert np.all(np.diff(run.log_likelihood) >= -1e-9)


def test_an_unknown_key_is_rejected_with_the_list_of_keys():
    with pytest.raises(ParameterError, match="S1"):
        load_scenario("S9")


# --- S1 ----------------------------------------------------------------------------------------------------------


def test_s1_has_80_100_and_120_points_from_the_three_gaussians():
    scenario = load_scenario("S1")
    assert scenario.X.shape == (300, 2)
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [80, 100, 120])
    np.testing.assert_array_equal(scenario.true_params.means, [[2, 2], [10, 8], [4, 13]])
    np.testing.assert_array_equal(
        scenario.true_params.covariances, [[[1, 0], [0, 1]], [[1, 0], [0, 4]], [[2, 1], [1, 3]]]
    )


def test_s1_is_shuffled():
    labels = load_scenario("S1").true_labels
    assert np.any(np.diff(labels) < 0)


def test_s1_starts_from_consecutive_points_with_identity_covariances_and_equal_weights():
    scenario = load_scenario("S1")
    starts = [i for i in range(298) if np.array_equal(scenario.X[i : i + 3], scenario.initial.means)]
    assert len(starts) == 1
    np.testing.assert_array_equal(scenario.initial.covariances, np.tile(np.eye(2), (3, 1, 1)))
    np.testing.assert_allclose(scenario.initial.weights, 1 / 3)


def test_s1_settings_are_the_write_ups():
    scenario = load_scenario("S1")
    assert (scenario.max_iter, scenario.tol, scenario.convergence, scenario.reg_covar) == (
        60,
        1e-4,
        "parameters",
        0.01,
    )


def test_s1_fit_recovers_the_three_gaussians():
    scenario = load_scenario("S1")
    run = fit_em(
        scenario.X,
        scenario.initial,
        scenario.max_iter,
        scenario.tol,
        reg_covar=scenario.reg_covar,
        convergence=scenario.convergence,
    )
    matched = match_components(run.final.means, scenario.true_params.means)
    np.testing.assert_allclose(run.final.means[matched], scenario.true_params.means, atol=0.5)
    assert adjusted_rand_index(scenario.true_labels, run.labels(-1)) > 0.95


# --- S2 ----------------------------------------------------------------------------------------------------------


def test_s2_has_200_points_per_cluster_from_the_stated_gaussians():
    scenario = load_scenario("S2")
    assert scenario.X.shape == (400, 2)
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [200, 200])
    np.testing.assert_array_equal(scenario.true_params.means, [[-2, 2], [2, -2]])
    np.testing.assert_array_equal(scenario.true_params.covariances, [3 * np.eye(2), np.eye(2)])
    np.testing.assert_array_equal(scenario.true_params.weights, [0.5, 0.5])


def test_s2_data_is_legacy_seed_42_drawing_the_wide_cluster_first():
    legacy_rng = np.random.RandomState(42)
    wide = legacy_rng.multivariate_normal([-2, 2], 3 * np.eye(2), size=200)
    narrow = legacy_rng.multivariate_normal([2, -2], np.eye(2), size=200)
    np.testing.assert_array_equal(load_scenario("S2").X, np.concatenate([wide, narrow]))


def test_s2_starts_with_the_bad_start():
    initial = load_scenario("S2").initial
    np.testing.assert_array_equal(initial.means, [[0.1, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(initial.covariances, [0.1 * np.eye(2), 0.1 * np.eye(2)])
    np.testing.assert_array_equal(initial.weights, [0.1, 0.9])


def test_s2_offers_the_three_starts_to_compare():
    scenario = load_scenario("S2")
    means_by_start = {name: params.means.tolist() for name, params in scenario.alternative_starts.items()}
    assert sorted(means_by_start.values()) == sorted(
        [[[0.1, 0.0], [0.0, 0.0]], [[-3.0, -3.0], [3.0, 3.0]], [[-2.0, 2.0], [2.0, -2.0]]]
    )
    for params in scenario.alternative_starts.values():
        np.testing.assert_array_equal(params.covariances, [0.1 * np.eye(2), 0.1 * np.eye(2)])
        np.testing.assert_array_equal(params.weights, [0.1, 0.9])
    assert any(params.allclose(scenario.initial) for params in scenario.alternative_starts.values())


def test_s2_fit_from_the_bad_start_finds_the_true_means_and_equal_weights():
    scenario = load_scenario("S2")
    run = fit_em(scenario.X, scenario.initial, scenario.max_iter, scenario.tol, convergence=scenario.convergence)
    matched = match_components(run.final.means, scenario.true_params.means)
    np.testing.assert_allclose(run.final.means[matched], [[-2, 2], [2, -2]], atol=0.3)
    np.testing.assert_allclose(run.final.weights, 0.5, atol=0.05)


def test_s2_symmetric_start_is_still_far_from_the_truth_after_100_iterations():
    scenario = load_scenario("S2")
    run = fit_em(scenario.X, scenario.alternative_starts["μ = [-3, -3], [3, 3]"], 100, tol=0)
    matched = match_components(run.final.means, scenario.true_params.means)
    assert np.max(np.abs(run.final.means[matched] - scenario.true_params.means)) > 1.0


def test_s2_run_reaches_every_iteration_the_write_up_shows():
    scenario = load_scenario("S2")
    run = fit_em(scenario.X, scenario.initial, scenario.max_iter, scenario.tol, convergence=scenario.convergence)
    assert scenario.highlight_iterations == (0, 1, 5, 10, 25, 40)
    assert run.n_iter >= max(scenario.highlight_iterations)
    assert run.n_iter <= scenario.max_iter == 100


# --- S3 to S8 ----------------------------------------------------------------------------------------------------


def test_s3_is_old_faithful_standardised_with_two_components():
    scenario = load_scenario("S3")
    assert scenario.X.shape == (272, 2)
    assert scenario.standardize
    assert scenario.n_components == 2
    np.testing.assert_array_equal(scenario.X[0], [3.6, 79.0])  # the first eruption of the data set
    assert 1.5 < scenario.X[:, 0].min() and scenario.X[:, 0].max() < 5.2  # durations in minutes
    assert 40 < scenario.X[:, 1].min() and scenario.X[:, 1].max() < 100  # waits in minutes


def test_s3_starts_from_bishops_classic_start_in_standardised_units():
    scenario = load_scenario("S3")
    start = scenario.initial
    assert scenario.init_method is None and scenario.standardize
    noise = np.random.default_rng(scenario.random_state).standard_normal((2, 2))
    np.testing.assert_array_equal(start.means, np.array([[-1.5, 1.5], [1.5, -1.5]]) + noise)
    np.testing.assert_array_equal(start.covariances, np.tile(0.1 * np.eye(2), (2, 1, 1)))
    np.testing.assert_array_equal(start.weights, [0.5, 0.5])
    # In standard deviations from the columns' means, where the standardised fit lives (not in minutes).
    X = standardization(scenario.X).apply(scenario.X)
    assert np.all(np.abs(start.means) < 4) and np.all(np.abs(X) < 4)


def test_s3_from_its_start_em_walks_for_8_iterations_or_more_and_gains_0_3_per_point():
    scenario = load_scenario("S3")
    X = standardization(scenario.X).apply(scenario.X)
    run = fit_em(
        X,
        scenario.initial,
        scenario.max_iter,
        scenario.tol,
        covariance_type=scenario.covariance_type,
        reg_covar=scenario.reg_covar,
        convergence=scenario.convergence,
    )
    assert run.converged and run.n_iter >= 8
    assert run.log_likelihood[-1] - run.log_likelihood[0] >= 0.3
    assert run.log_likelihood[-1] == pytest.approx(-1.4171, abs=5e-5)  # the two regimes, as from k-means++
    # Short eruptions with short waits, long with long: one mean in each of those quadrants.
    assert sorted(np.sign(run.final.means).tolist()) == [[-1.0, -1.0], [1.0, 1.0]]


def test_s4_kmeans_cuts_the_clusters_wrongly_and_em_from_it_separates_them():
    from gmm_core.initialization import initialize

    scenario = load_scenario("S4")
    kmeans_start = initialize(scenario.X, scenario.n_components, "kmeans", scenario.random_state)
    # k-means' clusters are the points nearest each of its centroids, which are the start's means.
    distances = np.linalg.norm(scenario.X[:, None, :] - kmeans_start.means[None, :, :], axis=2)
    assert adjusted_rand_index(scenario.true_labels, distances.argmin(axis=1)) < 0.6
    start = initialize(scenario.X, scenario.n_components, scenario.init_method, scenario.random_state)
    run = fit_em(scenario.X, start, scenario.max_iter, scenario.tol)
    assert adjusted_rand_index(scenario.true_labels, run.labels(-1)) > 0.95


def test_s5_is_two_noisy_half_moons_with_16_components():
    scenario = load_scenario("S5")
    assert scenario.X.shape == (500, 2)
    assert scenario.n_components == 16
    assert scenario.init_method == "kmeans++"
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [250, 250])
    upper = scenario.X[scenario.true_labels == 0]
    radii = np.linalg.norm(upper, axis=1)  # the upper moon is a half-circle of radius 1 around the origin
    assert abs(np.median(radii) - 1.0) < 0.03 and 0.05 < np.std(radii) < 0.12


def test_s6a_is_10000_points_of_the_triangle_density():
    scenario = load_scenario("S6a")
    assert scenario.X.shape == (10_000, 1)
    assert np.all((scenario.X > 0) & (scenario.X < 1))
    assert scenario.X.mean() == pytest.approx(1 / 3, abs=0.01)
    # P(x < 1/2) = 2 * 1/2 - (1/2)^2 = 3/4 for p(x) = 2 - 2x
    assert np.mean(scenario.X < 0.5) == pytest.approx(0.75, abs=0.015)


def test_s6a_starts_from_100_random_one_dimensional_components():
    scenario = load_scenario("S6a")
    initial = scenario.initial
    assert initial.means.shape == (100, 1) and initial.covariances.shape == (100, 1, 1)
    assert initial.weights.sum() == pytest.approx(1.0)
    assert np.all((initial.means > 0) & (initial.means < 1))
    assert np.all((initial.covariances > 0) & (initial.covariances <= 1))
    assert (scenario.convergence, scenario.tol, scenario.max_iter) == ("weights", 1e-3, 1000)


def test_s6b_is_1000_heights_of_two_groups_and_k_2():
    scenario = load_scenario("S6b")
    assert scenario.X.shape == (1000, 1)
    assert scenario.n_components == 2
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [500, 500])
    for label, (mean, std) in enumerate([(163.0, 6.5), (176.0, 7.0)]):
        group = scenario.X[scenario.true_labels == label, 0]
        assert group.mean() == pytest.approx(mean, abs=1.0)
        assert group.std() == pytest.approx(std, abs=0.6)
        assert scenario.true_params.means[label, 0] == mean
        assert scenario.true_params.covariances[label, 0, 0] == pytest.approx(std**2)


def test_s7_has_three_clusters_of_different_orientations():
    scenario = load_scenario("S7")
    assert scenario.n_components == 3 and scenario.covariance_type == "full"
    long_axes = [np.linalg.eigh(covariance)[1][:, 1] for covariance in scenario.true_params.covariances]
    assert abs(np.dot(long_axes[0], long_axes[1])) < 0.9


def test_s8_is_iris_with_50_flowers_per_species():
    scenario = load_scenario("S8")
    assert scenario.X.shape == (150, 4)
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [50, 50, 50])
    assert scenario.label_names == ("setosa", "versicolor", "virginica")
    assert scenario.n_components == 3 and scenario.init_method == "kmeans++"
    petal_length, petal_width = (scenario.feature_names[column] for column in scenario.display_columns)
    assert "petal" in petal_length and "length" in petal_length
    assert "petal" in petal_width and "width" in petal_width


# --- generate_clusters -------------------------------------------------------------------------------------------


def test_generate_clusters_is_deterministic_for_a_seed():
    first = generate_clusters(seed=3, elongation=3.0)
    again = generate_clusters(seed=3, elongation=3.0)
    np.testing.assert_array_equal(first.X, again.X)
    np.testing.assert_array_equal(first.true_labels, again.true_labels)
    assert first.true_params.allclose(again.true_params, rtol=0)


def test_generate_clusters_differs_for_another_seed():
    assert not np.array_equal(generate_clusters(seed=3).X, generate_clusters(seed=4).X)


def test_generate_clusters_records_its_truth():
    scenario = generate_clusters(n_clusters=4, points_per_cluster=[10, 20, 30, 40], seed=1)
    assert scenario.key == "generated" and scenario.init_method == "kmeans++"
    assert scenario.X.shape == (100, 2) and scenario.n_components == 4
    np.testing.assert_array_equal(np.bincount(scenario.true_labels), [10, 20, 30, 40])
    np.testing.assert_allclose(scenario.true_params.weights, [0.1, 0.2, 0.3, 0.4])
    assert_consistent(scenario)


def test_generate_clusters_draws_each_cluster_around_its_true_mean():
    scenario = generate_clusters(n_clusters=3, points_per_cluster=2000, spread=0.5, seed=2)
    for k in range(3):
        cluster = scenario.X[scenario.true_labels == k]
        np.testing.assert_allclose(cluster.mean(axis=0), scenario.true_params.means[k], atol=0.05)


def test_generate_clusters_elongation_is_the_ratio_of_the_axes():
    scenario = generate_clusters(n_clusters=2, spread=2.0, elongation=4.0, seed=0)
    for covariance in scenario.true_params.covariances:
        short_std, long_std = np.sqrt(np.linalg.eigvalsh(covariance))
        assert long_std / short_std == pytest.approx(4.0)
        assert np.sqrt(long_std * short_std) == pytest.approx(2.0)


def test_generate_clusters_places_centers_about_separation_apart():
    scenario = generate_clusters(n_clusters=5, separation=6.0, seed=0)
    means = scenario.true_params.means
    distances = np.linalg.norm(means[:, None] - means[None, :], axis=2)[np.triu_indices(5, 1)]
    assert distances.min() >= 6.0


@pytest.mark.parametrize("n_features", [1, 3, 5])
def test_generate_clusters_works_in_any_dimension(n_features):
    scenario = generate_clusters(n_features=n_features, seed=0)
    assert scenario.X.shape == (300, n_features)
    assert_consistent(scenario)


@pytest.mark.parametrize(
    "arguments",
    [
        {"n_clusters": 0},
        {"points_per_cluster": 0},
        {"points_per_cluster": [10, 10]},
        {"spread": 0.0},
        {"elongation": 0.5},
        {"separation": -1.0},
        {"n_features": 0},
    ],
)
def test_generate_clusters_rejects_invalid_arguments(arguments):
    with pytest.raises(ParameterError):
        generate_clusters(**arguments)


def test_scenario_rejects_a_start_with_the_wrong_number_of_components():
    start = GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
    with pytest.raises(ParameterError, match="components"):
        Scenario(
            key="test",
            name="test",
            description="",
            X=np.zeros((5, 2)),
            feature_names=("a", "b"),
            n_components=3,
            initial=start,
            init_method=None,
        )
