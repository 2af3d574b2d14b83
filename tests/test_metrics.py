"""Tests of gmm_core.metrics against scikit-learn on the same labels and parameters."""

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from sklearn.metrics import adjusted_rand_score
from sklearn.mixture import GaussianMixture

from gmm_core.em import COVARIANCE_TYPES, log_density
from gmm_core.errors import ParameterError
from gmm_core.metrics import (
    adjusted_rand_index,
    aic,
    bic,
    component_curves_1d,
    density_1d,
    density_on_grid,
    histogram_density,
    match_components,
    n_parameters,
    sample,
)
from gmm_core.params import GaussianMixtureParams

THREE_COMPONENTS = GaussianMixtureParams(
    weights=[0.2, 0.3, 0.5],
    means=[[2.0, 2.0], [10.0, 8.0], [4.0, 13.0]],
    covariances=[[[1.0, 0.0], [0.0, 1.0]], [[1.0, 0.0], [0.0, 4.0]], [[2.0, 1.0], [1.0, 3.0]]],
)


def three_cluster_points(seed=0):
    X, _ = sample(THREE_COMPONENTS, 300, random_state=seed)
    return X


def full_covariances(fitted):
    """scikit-learn's fitted covariances_ as (K, D, D) full matrices, whatever the covariance type."""
    n_components, n_features = fitted.means_.shape
    covariances = fitted.covariances_
    return {
        "full": lambda: covariances,
        "tied": lambda: np.broadcast_to(covariances, (n_components, n_features, n_features)),
        "diag": lambda: covariances[:, :, None] * np.eye(n_features),
        "spherical": lambda: covariances[:, None, None] * np.eye(n_features),
    }[fitted.covariance_type]()


def params_of(fitted):
    return GaussianMixtureParams(fitted.weights_, fitted.means_, full_covariances(fitted))


# --- adjusted_rand_index -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(20))
def test_adjusted_rand_index_equals_scikit_learn_on_random_labelings(seed):
    rng = np.random.default_rng(seed)
    n_samples = int(rng.integers(2, 300))
    labels_true = rng.integers(0, int(rng.integers(1, 6)), n_samples)
    labels_pred = np.where(rng.random(n_samples) < 0.7, labels_true, rng.integers(0, 4, n_samples))
    assert adjusted_rand_index(labels_true, labels_pred) == pytest.approx(
        adjusted_rand_score(labels_true, labels_pred), abs=1e-12
    )


@settings(deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=0, max_size=40))
def test_adjusted_rand_index_equals_scikit_learn_including_edge_cases(pairs):
    labels_true = np.array([a for a, _ in pairs], dtype=int)
    labels_pred = np.array([b for _, b in pairs], dtype=int)
    assert adjusted_rand_index(labels_true, labels_pred) == pytest.approx(
        adjusted_rand_score(labels_true, labels_pred), abs=1e-12
    )


@pytest.mark.parametrize(
    "labels_true, labels_pred",
    [
        ([0, 0, 0, 0], [1, 1, 1, 1]),  # both one cluster
        ([0, 1, 2, 3], [3, 2, 1, 0]),  # both all singletons
        ([0, 0, 1, 1, 2], [5, 5, 9, 9, 7]),  # same partition, other names
    ],
)
def test_identical_partitions_score_one(labels_true, labels_pred):
    assert adjusted_rand_index(labels_true, labels_pred) == 1.0


def test_adjusted_rand_index_accepts_string_labels():
    species = ["setosa", "setosa", "virginica", "virginica", "versicolor"]
    assert adjusted_rand_index(species, [2, 2, 0, 0, 1]) == 1.0


def test_adjusted_rand_index_rejects_labelings_of_different_lengths():
    with pytest.raises(ParameterError, match="same length"):
        adjusted_rand_index([0, 1, 1], [0, 1])


# --- match_components --------------------------------------------------------------------------------------------


def test_match_components_undoes_a_permutation_of_noisy_means():
    rng = np.random.default_rng(3)
    true_means = rng.normal(scale=10.0, size=(6, 2))
    order = rng.permutation(6)
    estimated_means = true_means[order] + rng.normal(scale=0.1, size=(6, 2))
    matched = match_components(estimated_means, true_means)
    np.testing.assert_array_equal(order[matched], np.arange(6))


def test_match_components_leaves_extra_estimated_components_out():
    true_means = np.array([[0.0, 0.0], [10.0, 0.0]])
    estimated_means = np.array([[10.2, 0.1], [50.0, 50.0], [-0.1, 0.3]])
    np.testing.assert_array_equal(match_components(estimated_means, true_means), [2, 0])


def test_match_components_marks_unmatched_true_components_with_minus_one():
    true_means = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    estimated_means = np.array([[0.1, 9.8], [0.2, 0.1]])
    np.testing.assert_array_equal(match_components(estimated_means, true_means), [1, -1, 0])


def test_match_components_minimises_the_total_not_each_greedily():
    # Greedy nearest-first would pair true 0 with estimate 0 (distance 1) and force true 1 onto estimate 1 (far).
    true_means = np.array([[0.0], [2.0]])
    estimated_means = np.array([[1.0], [-1.5]])
    np.testing.assert_array_equal(match_components(estimated_means, true_means), [1, 0])


# --- n_parameters, bic, aic --------------------------------------------------------------------------------------


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
@pytest.mark.parametrize("n_components, n_features", [(1, 1), (3, 2), (5, 4), (16, 2)])
def test_n_parameters_counts_as_scikit_learn(covariance_type, n_components, n_features):
    reference = GaussianMixture(n_components=n_components, covariance_type=covariance_type)
    reference.means_ = np.zeros((n_components, n_features))
    assert n_parameters(n_components, n_features, covariance_type) == reference._n_parameters()


def test_n_parameters_rejects_an_unknown_covariance_type():
    with pytest.raises(ParameterError, match="covariance_type"):
        n_parameters(3, 2, "banded")


@pytest.fixture(scope="module")
def fitted_by_covariance_type():
    X = three_cluster_points()
    return X, {
        covariance_type: GaussianMixture(3, covariance_type=covariance_type, random_state=0).fit(X)
        for covariance_type in COVARIANCE_TYPES
    }


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_bic_equals_scikit_learn_for_its_fitted_parameters(fitted_by_covariance_type, covariance_type):
    X, fitted = fitted_by_covariance_type
    reference = fitted[covariance_type]
    assert bic(X, params_of(reference), covariance_type) == pytest.approx(reference.bic(X), rel=1e-10)


@pytest.mark.parametrize("covariance_type", COVARIANCE_TYPES)
def test_aic_equals_scikit_learn_for_its_fitted_parameters(fitted_by_covariance_type, covariance_type):
    X, fitted = fitted_by_covariance_type
    reference = fitted[covariance_type]
    assert aic(X, params_of(reference), covariance_type) == pytest.approx(reference.aic(X), rel=1e-10)


def hand_set_gaussian_mixture(params):
    """A scikit-learn GaussianMixture holding ``params`` exactly, without fitting."""
    reference = GaussianMixture(n_components=params.n_components, covariance_type="full")
    reference.weights_ = np.array(params.weights)
    reference.means_ = np.array(params.means)
    reference.covariances_ = np.array(params.covariances)
    reference.precisions_cholesky_ = np.linalg.cholesky(np.linalg.inv(params.covariances))
    reference.converged_ = True
    reference.n_iter_ = 0
    return reference


def test_log_density_equals_scikit_learn_score_samples_for_hand_set_parameters():
    X = three_cluster_points(seed=1)
    reference = hand_set_gaussian_mixture(THREE_COMPONENTS)
    np.testing.assert_allclose(log_density(X, THREE_COMPONENTS), reference.score_samples(X), rtol=1e-10)


def test_bic_and_aic_equal_scikit_learn_for_hand_set_parameters():
    X = three_cluster_points(seed=2)
    reference = hand_set_gaussian_mixture(THREE_COMPONENTS)
    assert bic(X, THREE_COMPONENTS) == pytest.approx(reference.bic(X), rel=1e-10)
    assert aic(X, THREE_COMPONENTS) == pytest.approx(reference.aic(X), rel=1e-10)


def test_bic_prefers_the_true_number_of_components(fitted_by_covariance_type):
    X, _ = fitted_by_covariance_type
    scores = {k: bic(X, params_of(GaussianMixture(k, random_state=0).fit(X)), "full") for k in (1, 2, 3, 4, 5)}
    assert min(scores, key=scores.get) == 3


def test_bic_rejects_data_of_another_dimension():
    with pytest.raises(ParameterError, match="column"):
        bic(np.zeros((10, 3)), THREE_COMPONENTS)


# --- sample ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_draws():
    return sample(THREE_COMPONENTS, 200_000, random_state=0)


def test_sample_mean_and_covariance_match_the_mixture(many_draws):
    X, _ = many_draws
    weights, means, covariances = THREE_COMPONENTS.weights, THREE_COMPONENTS.means, THREE_COMPONENTS.covariances
    mixture_mean = weights @ means
    second_moment = np.einsum("k,kij->ij", weights, covariances + np.einsum("ki,kj->kij", means, means))
    mixture_covariance = second_moment - np.outer(mixture_mean, mixture_mean)
    np.testing.assert_allclose(X.mean(axis=0), mixture_mean, atol=0.05)
    np.testing.assert_allclose(np.cov(X, rowvar=False), mixture_covariance, rtol=0.02, atol=0.05)


def test_sample_label_counts_are_close_to_weights_times_n(many_draws):
    _, labels = many_draws
    n_samples = labels.size
    counts = np.bincount(labels, minlength=3)
    expected = THREE_COMPONENTS.weights * n_samples
    standard_errors = np.sqrt(n_samples * THREE_COMPONENTS.weights * (1 - THREE_COMPONENTS.weights))
    assert np.all(np.abs(counts - expected) < 5 * standard_errors)


def test_sample_draws_each_component_from_its_own_gaussian(many_draws):
    X, labels = many_draws
    for k in range(3):
        component = X[labels == k]
        np.testing.assert_allclose(component.mean(axis=0), THREE_COMPONENTS.means[k], atol=0.05)
        np.testing.assert_allclose(np.cov(component, rowvar=False), THREE_COMPONENTS.covariances[k], atol=0.08)


def test_sample_is_deterministic_for_a_seed_and_differs_between_seeds():
    first_X, first_labels = sample(THREE_COMPONENTS, 500, random_state=7)
    again_X, again_labels = sample(THREE_COMPONENTS, 500, random_state=7)
    other_X, _ = sample(THREE_COMPONENTS, 500, random_state=8)
    np.testing.assert_array_equal(first_X, again_X)
    np.testing.assert_array_equal(first_labels, again_labels)
    assert not np.array_equal(first_X, other_X)


def test_sample_shapes_and_grouped_labels():
    X, labels = sample(THREE_COMPONENTS, 1000, random_state=0)
    assert X.shape == (1000, 2) and labels.shape == (1000,)
    assert np.all(np.diff(labels) >= 0)  # grouped by component, as scikit-learn returns them


@pytest.mark.parametrize("n_samples", [0, -5, 2.5, True])
def test_sample_rejects_a_bad_count(n_samples):
    with pytest.raises(ParameterError, match="n_samples"):
        sample(THREE_COMPONENTS, n_samples)


# --- densities ---------------------------------------------------------------------------------------------------


def test_density_on_grid_integrates_to_one_over_a_wide_grid():
    x_values = np.linspace(-8.0, 20.0, 561)
    y_values = np.linspace(-8.0, 25.0, 661)
    density = density_on_grid(THREE_COMPONENTS, x_values, y_values)
    assert density.shape == (661, 561)
    total = np.trapezoid(np.trapezoid(density, x_values, axis=1), y_values)
    assert total == pytest.approx(1.0, abs=1e-4)


def test_density_on_grid_rows_follow_y_and_columns_follow_x():
    x_values = np.array([0.0, 2.0, 4.0])
    y_values = np.array([1.0, 13.0])
    density = density_on_grid(THREE_COMPONENTS, x_values, y_values)
    for i, y in enumerate(y_values):
        for j, x in enumerate(x_values):
            expected = np.exp(log_density(np.array([[x, y]]), THREE_COMPONENTS))[0]
            assert density[i, j] == pytest.approx(expected, rel=1e-12)


def test_density_on_grid_rejects_a_mixture_that_is_not_2d():
    one_dimensional = GaussianMixtureParams([1.0], [[0.0]], [[[1.0]]])
    with pytest.raises(ParameterError, match="2-D"):
        density_on_grid(one_dimensional, [0.0, 1.0], [0.0, 1.0])


HEIGHTS = GaussianMixtureParams(weights=[0.4, 0.6], means=[[163.0], [176.0]], covariances=[[[42.25]], [[49.0]]])


def test_density_1d_components_are_weighted_normal_densities():
    x_values = np.linspace(130.0, 210.0, 81)
    total, per_component = density_1d(HEIGHTS, x_values)
    assert total.shape == (81,) and per_component.shape == (2, 81)
    np.testing.assert_allclose(per_component[0], 0.4 * norm.pdf(x_values, 163.0, 6.5), rtol=1e-12)
    np.testing.assert_allclose(per_component[1], 0.6 * norm.pdf(x_values, 176.0, 7.0), rtol=1e-12)
    np.testing.assert_allclose(total, per_component.sum(axis=0), rtol=1e-15)


def test_density_1d_integrates_to_one():
    x_values = np.linspace(100.0, 250.0, 3001)
    total, _ = density_1d(HEIGHTS, x_values)
    assert np.trapezoid(total, x_values) == pytest.approx(1.0, abs=1e-8)


def test_density_1d_rejects_a_mixture_that_is_not_1d():
    with pytest.raises(ParameterError, match="1-D"):
        density_1d(THREE_COMPONENTS, [0.0, 1.0])


def test_each_components_curve_is_its_weighted_density_over_its_own_interval():
    params = GaussianMixtureParams(np.array([0.2, 0.8]), np.array([[-1.0], [3.0]]), np.array([[[0.01]], [[4.0]]]))
    xs, ys = component_curves_1d(params, n_points=9, n_stds=3.0)
    assert xs.shape == ys.shape == (2, 9)
    np.testing.assert_allclose(xs[0, [0, 4, 8]], [-1.3, -1.0, -0.7])  # mean -+ 3 deviations, evenly
    np.testing.assert_allclose(xs[1, [0, 4, 8]], [-3.0, 3.0, 9.0])
    for k in range(2):
        np.testing.assert_allclose(ys[k], density_1d(params, xs[k])[1][k], rtol=1e-12)
    with pytest.raises(ParameterError, match="1-D"):
        component_curves_1d(GaussianMixtureParams(np.ones(1), np.zeros((1, 2)), np.eye(2)[None]))


@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=500))
@example([0.0, 5e-324])
@example([1.0, 1.0 + 2.2e-16])
@example([-1e300, 1e300])
@example([7.0] * 3)
@settings(max_examples=100, deadline=None)
def test_a_histogram_density_has_area_one_and_about_sqrt_n_bins(values):
    edges, densities = histogram_density(values)
    assert len(edges) == len(densities) + 1 == int(np.clip(np.sqrt(len(values)), 10, 80)) + 1
    assert edges[0] <= min(values) and edges[-1] >= max(values) and np.all(np.diff(edges) > 0)
    assert np.all(np.isfinite(densities))
    assert np.sum(densities * np.diff(edges)) == pytest.approx(1.0)
