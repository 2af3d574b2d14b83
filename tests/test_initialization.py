"""initialize and initial_centers: deterministic, valid, and refusing impossible K."""

import numpy as np
import pytest

import gmm_core
from gmm_core import ParameterError, initial_centers, initialize


def _data(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack([rng.normal([0, 0], 1, (150, 2)), rng.normal([6, 0], 1, (100, 2)), rng.normal([3, 5], 1, (50, 2))])


@pytest.mark.parametrize("method", gmm_core.INIT_METHODS)
@pytest.mark.parametrize("covariance_type", gmm_core.COVARIANCE_TYPES)
def test_every_method_is_deterministic_for_a_seed_and_valid(method, covariance_type):
    X = _data()
    first = initialize(X, 3, method, random_state=4, covariance_type=covariance_type)
    again = initialize(X, 3, method, random_state=4, covariance_type=covariance_type)
    assert first.allclose(again, rtol=0)
    assert first.n_components == 3 and first.n_features == 2
    assert first.weights.sum() == pytest.approx(1.0)
    assert np.all(np.linalg.eigvalsh(first.covariances) > 0)


@pytest.mark.parametrize("method", ["kmeans++", "random_from_data", "random"])
def test_another_seed_gives_another_start(method):
    X = _data()
    assert not initialize(X, 3, method, random_state=0).allclose(initialize(X, 3, method, random_state=1))


def test_kmeans_start_finds_the_three_clusters():
    params = initialize(_data(), 3, "kmeans", random_state=0)
    order = np.argsort(params.means[:, 0] + 10 * params.means[:, 1])
    np.testing.assert_allclose(params.means[order], [[0, 0], [6, 0], [3, 5]], atol=0.4)
    np.testing.assert_allclose(params.weights[order], [0.5, 1 / 3, 1 / 6], atol=0.03)


@pytest.mark.parametrize("method", ["kmeans++", "random_from_data"])
def test_centers_are_distinct_data_points(method):
    X = _data()
    centers = initial_centers(X, 5, method, random_state=2)
    assert len({tuple(c) for c in centers}) == 5
    assert all((X == c).all(axis=1).any() for c in centers)


@pytest.mark.parametrize("method", ["kmeans++", "random_from_data", "kmeans"])
def test_more_components_than_distinct_points_is_refused(method):
    X = np.repeat([[0.0, 0.0], [1.0, 1.0]], 10, axis=0)
    with pytest.raises(ParameterError, match="2 distinct point"):
        initialize(X, 3, method)


@pytest.mark.parametrize("k", [0, -1, 2.5, True])
def test_k_must_be_a_positive_whole_number(k):
    with pytest.raises(ParameterError, match="K"):
        initialize(_data(), k)


def test_one_dimensional_data():
    X = np.concatenate([np.random.default_rng(0).normal(0, 1, 100), np.random.default_rng(1).normal(5, 1, 100)])
    params = initialize(X, 2, "kmeans")
    assert params.means.shape == (2, 1) and params.covariances.shape == (2, 1, 1)
