"""The grid pass of fit_kmeans (2-D data, many points) gives what assigning every point every time gives."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.cluster import KMeans

from gmm_core import fit_kmeans, kmeans


def _fit(X, centers, grid, monkeypatch, **options):
    monkeypatch.setattr(kmeans, "_uses_grid", lambda *shape: grid)
    return fit_kmeans(X, centers, **options)


def _blobs(n, seed):
    rng = np.random.default_rng(seed)
    spread = rng.uniform(0.3, 2.0, (4, 2))
    offsets = rng.uniform(-6, 6, (4, 2))
    which = rng.integers(0, 4, n)
    return rng.normal(size=(n, 2)) * spread[which] + offsets[which]


DATA = {
    "blobs": lambda: _blobs(6000, 0),
    "far from the origin": lambda: _blobs(6000, 1) * 1e-3 + 1e6,
    "a few distinct points, many ties": lambda: np.random.default_rng(2).integers(-2, 3, (6000, 2)) * 0.5,
    "rounded to one decimal": lambda: np.round(_blobs(6000, 3), 1),
    "on a horizontal line": lambda: np.c_[np.random.default_rng(4).uniform(0, 1, 6000), np.zeros(6000)],
}


@pytest.mark.parametrize("name", DATA)
@pytest.mark.parametrize("k", [1, 3, 16])
def test_grid_and_point_by_point_passes_record_the_same_fit(name, k, monkeypatch):
    X = DATA[name]()
    start = np.unique(X, axis=0)[:: max(1, len(np.unique(X, axis=0)) // k)][:k]
    dense = _fit(X, start, False, monkeypatch, max_iter=300, tol=0.0)
    grid = _fit(X, start, True, monkeypatch, max_iter=300, tol=0.0)
    assert (grid.n_iter, grid.converged) == (dense.n_iter, dense.converged)
    scale = np.abs(X).max()
    np.testing.assert_allclose(grid.centers, dense.centers, rtol=1e-12, atol=1e-12 * scale)
    np.testing.assert_allclose(grid.inertia, dense.inertia, rtol=1e-10, atol=1e-12 * scale**2)


def test_every_label_is_the_nearest_center_by_direct_differences_ties_to_the_lowest(monkeypatch):
    """Integer data put many points exactly halfway between two centres; those must go to the lower index."""
    X = np.random.default_rng(4).integers(-3, 4, (8000, 2)).astype(float)
    centers = np.array([[0.0, 0.0], [2.0, 0.0], [0.0, 2.0], [2.0, 2.0], [-2.0, -2.0]])
    run = _fit(X, centers, True, monkeypatch, max_iter=0)
    grid = kmeans._GridPass(X, len(centers))
    distances = ((X[:, None, :] - centers) ** 2).sum(-1)
    np.testing.assert_array_equal(grid.labels(centers), distances.argmin(1))
    inertia, counts, sums = grid.statistics(centers)
    np.testing.assert_array_equal(counts, np.bincount(distances.argmin(1), minlength=len(centers)))
    assert inertia == pytest.approx(distances.min(1).sum(), rel=1e-12)
    assert run.inertia[0] == pytest.approx(distances.min(1).sum(), rel=1e-12)


def test_grid_pass_matches_sklearn_lloyd_above_the_size_where_it_is_used():
    X = _blobs(30000, 5)
    start = X[:16]
    assert kmeans._uses_grid(*X.shape, len(start))
    for n_iter in (1, 4, 300):
        ours = fit_kmeans(X, start, max_iter=n_iter, tol=0.0)
        oracle = KMeans(16, init=start, n_init=1, max_iter=n_iter, tol=0.0, algorithm="lloyd").fit(X)
        np.testing.assert_allclose(ours.centers[-1], oracle.cluster_centers_, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(ours.inertia[-1], oracle.inertia_, rtol=1e-10)
    assert ours.converged and ours.n_iter == oracle.n_iter_ - 1  # scikit-learn counts the pass that confirms it


def test_grid_pass_gives_an_empty_cluster_the_farthest_point(monkeypatch):
    X = np.r_[_blobs(5000, 6), [[60.0, 60.0]]]
    start = np.array([[0.0, 0.0], [1.0, 1.0], [1000.0, 1000.0], [-1000.0, 5.0]])
    dense = _fit(X, start, False, monkeypatch, max_iter=20, tol=0.0)
    grid = _fit(X, start, True, monkeypatch, max_iter=20, tol=0.0)
    np.testing.assert_allclose(grid.centers, dense.centers, rtol=1e-12, atol=1e-12)
    assert np.all(np.bincount(grid.labels(grid.n_iter), minlength=4) > 0)


def test_grid_pass_on_identical_points(monkeypatch):
    X = np.full((3000, 2), 3.5)
    run = _fit(X, [[3.5, 3.5], [0.0, 0.0]], True, monkeypatch, max_iter=10)
    assert run.converged and np.all(np.isfinite(run.centers)) and run.inertia[-1] == 0.0


@given(
    seed=st.integers(0, 2**32 - 1),
    n_points=st.integers(200, 3000),
    k=st.integers(1, 12),
    grid_step=st.sampled_from([1.0, 0.5, 0.1]),
    spread=st.sampled_from([2, 5, 40]),
)
def test_every_iteration_labels_every_point_as_the_point_by_point_pass_does(seed, n_points, k, grid_step, spread):
    """Points on a lattice (many exactly halfway between two centres, many duplicates) and centres from the data:
    at every iteration the grid assigns exactly the labels of the point-by-point pass, and both passes stop at the
    same iteration."""
    rng = np.random.default_rng(seed)
    X = rng.integers(-spread, spread + 1, (n_points, 2)) * grid_step
    centers = X[rng.choice(n_points, min(k, n_points), replace=False)]
    grid, dense = kmeans._GridPass(X, len(centers)), kmeans._DensePass(X, len(centers))
    current = centers
    for _ in range(6):
        _, grid_counts, grid_sums = grid.statistics(current)
        _, counts, sums = dense.statistics(current)
        np.testing.assert_array_equal(grid.labels(current), dense.labels(current))
        np.testing.assert_array_equal(grid_counts, counts)
        np.testing.assert_allclose(grid_sums, sums, rtol=1e-12, atol=1e-9)
        current = kmeans._update_centers(sums, counts, current, dense.center)
