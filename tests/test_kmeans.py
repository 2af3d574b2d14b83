"""fit_kmeans against scikit-learn's Lloyd KMeans (the oracle), and its contract."""

import numpy as np
import pytest
from sklearn.cluster import KMeans

from gmm_core import ParameterError, fit_kmeans


def _blobs(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack(
        [rng.normal([0, 0], [1, 2], (300, 2)), rng.normal([5, 1], 0.5, (100, 2)), rng.normal([1, 6], 1, (200, 2))]
    )


def _sklearn_lloyd(X, centers, max_iter, tol):
    return KMeans(len(centers), init=centers, n_init=1, max_iter=max_iter, tol=tol, algorithm="lloyd").fit(X)


@pytest.mark.parametrize("n_iter", [1, 2, 5, 100])
@pytest.mark.parametrize("seed", [0, 1])
def test_centers_after_n_iterations_equal_sklearn_lloyd(n_iter, seed):
    X = _blobs(seed)
    start = X[[0, 1, 2, 3]]
    ours = fit_kmeans(X, start, max_iter=n_iter, tol=0.0)
    oracle = _sklearn_lloyd(X, start, n_iter, 0.0)
    np.testing.assert_allclose(ours.centers[-1], oracle.cluster_centers_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.inertia[-1], oracle.inertia_, rtol=1e-10)
    np.testing.assert_array_equal(ours.labels(ours.n_iter), oracle.labels_)


def test_three_dimensional_data_with_sklearn_tolerance():
    rng = np.random.default_rng(7)
    X = rng.normal(size=(500, 3)) + np.repeat(rng.normal(0, 4, (5, 3)), 100, axis=0)
    start = X[:5]
    ours = fit_kmeans(X, start, max_iter=300, tol=1e-4)
    oracle = _sklearn_lloyd(X, start, 300, 1e-4)
    np.testing.assert_allclose(ours.centers[-1], oracle.cluster_centers_, rtol=1e-10)


def test_first_snapshot_is_the_initial_centers_and_labels_follow_each_snapshot():
    X = _blobs()
    start = X[[10, 20, 30]]
    run = fit_kmeans(X, start, max_iter=10)
    np.testing.assert_array_equal(run.centers[0], start)
    for i in range(run.n_iter + 1):
        distances = ((X[:, None, :] - run.centers[i][None]) ** 2).sum(-1)
        np.testing.assert_array_equal(run.labels(i), distances.argmin(1))
        np.testing.assert_allclose(run.inertia[i], distances.min(1).sum(), rtol=1e-10)


def test_radius_reaches_the_farthest_point_of_each_cluster():
    X = _blobs()
    run = fit_kmeans(X, X[[0, 1, 2]], max_iter=20)
    labels, centers = run.labels(run.n_iter), run.centers[-1]
    for k, radius in enumerate(run.radii(run.n_iter)):
        members = X[labels == k]
        assert radius == pytest.approx(np.sqrt(((members - centers[k]) ** 2).sum(1)).max(), rel=1e-12)


def test_stops_when_no_point_changes_cluster():
    X = _blobs()
    run = fit_kmeans(X, X[[0, 1, 2]], max_iter=1000, tol=0.0)
    assert run.converged and run.n_iter < 1000
    np.testing.assert_array_equal(run.labels(run.n_iter), run.labels(run.n_iter - 1))


def test_empty_cluster_is_given_the_farthest_point():
    X = np.array([[0.0], [0.1], [0.2], [10.0]])
    run = fit_kmeans(X, [[0.1], [100.0]], max_iter=5)
    assert set(run.labels(run.n_iter)) == {0, 1}
    assert np.all(np.isfinite(run.centers))


def test_max_iter_zero_keeps_the_start():
    X = _blobs()
    run = fit_kmeans(X, X[:3], max_iter=0)
    assert run.n_iter == 0 and run.inertia.shape == (1,)


@pytest.mark.parametrize(
    "centers, phrase", [(np.zeros((3, 3)), "shape"), (np.full((2, 2), np.nan), "NaN"), (np.zeros((700, 2)), "K = 700")]
)
def test_bad_centers_are_refused(centers, phrase):
    with pytest.raises(ParameterError, match=phrase):
        fit_kmeans(_blobs(), centers)


def test_equidistant_points_go_to_the_lowest_numbered_center():
    X = np.array([[0.0, 0.0], [2.0, 0.0], [1.0, 5.0]])
    run = fit_kmeans(X, [[1.0, 1.0], [1.0, -1.0], [1.0, 1.0]], max_iter=0)
    np.testing.assert_array_equal(run.labels(0), [0, 0, 0])


def test_results_do_not_depend_on_chunking(monkeypatch):
    from gmm_core import _design

    X = _blobs(3)
    whole = fit_kmeans(X, X[:4], max_iter=20, tol=0.0)
    monkeypatch.setattr(_design, "KMEANS_CHUNK_BYTES", 8 * 4 * 256)
    monkeypatch.setattr(_design, "MIN_CHUNK_ROWS", 64)
    chunked = fit_kmeans(X, X[:4], max_iter=20, tol=0.0)
    np.testing.assert_allclose(chunked.centers, whole.centers, rtol=1e-12)
    np.testing.assert_array_equal(chunked.labels(chunked.n_iter), whole.labels(whole.n_iter))
