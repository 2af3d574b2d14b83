"""k-means beside EM walks from raw means: with the "k-means clusters" start, from the k-means++ seeds that start's
k-means began from (EM's own start unchanged), so that k-means' iterations are seen."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core.scenarios import load_scenario
from gmm_ui.state import TABS

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


@pytest.mark.parametrize("covariance_type", gmm_core.COVARIANCE_TYPES)
def test_the_kmeans_start_is_unchanged_and_its_seeds_are_where_kmeans_began(covariance_type):
    X = load_scenario("S4").X
    params, seeds = gmm_core.kmeans_start(X, 3, 4, covariance_type, 1e-6)
    # EM's start exactly as before: k-means (at most 300 iterations, tol 1e-4) from the k-means++ seeds, then one
    # M-step from its clusters.
    np.testing.assert_array_equal(seeds, gmm_core.initial_centers(X, 3, "kmeans++", 4))
    walk = gmm_core.fit_kmeans(X, seeds, max_iter=300, tol=1e-4)
    before = gmm_core.params_from_labels(X, walk.labels(walk.n_iter), 3, covariance_type, 1e-6)
    assert params.allclose(before, rtol=0)
    assert gmm_core.initialize(X, 3, "kmeans", 4, covariance_type, 1e-6).allclose(params, rtol=0)
    # The seeds are data points, and k-means walks from them to (near: it stops on its tolerance) EM's start.
    assert all(any(np.array_equal(seed, x) for x in X) for seed in seeds)
    assert walk.n_iter >= 2
    np.testing.assert_allclose(walk.centers[-1], params.means, atol=0.05)
    assert np.min(np.linalg.norm(seeds[:, None] - params.means[None], axis=2), axis=0).max() > 0.5  # a real walk


def test_the_kmeans_start_refuses_what_initialize_refuses():
    X = load_scenario("S4").X
    with pytest.raises(gmm_core.ParameterError, match="covariance_type"):
        gmm_core.kmeans_start(X, 3, 0, "round")
    with pytest.raises(gmm_core.ParameterError, match="K = 700"):
        gmm_core.kmeans_start(X, 700, 0)


def _kmeans_tab(preset, strategy=None):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["data"] = preset
    at.run()
    if strategy is not None:
        at.selectbox(key="init_method").set_value(strategy).run()
    at.session_state["view"] = TABS["kmeans"]
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _iterations(at):
    """The "Iterations" metrics: k-means' first, then EM's."""
    return [int(metric.value) for metric in at.metric if metric.label == "Iterations"]


def _captions(at):
    return " ".join(caption.value for caption in at.caption)


def test_on_s4_kmeans_walks_from_the_seeds_of_the_kmeans_start():
    at = _kmeans_tab("S4")
    assert at.selectbox(key="init_method").value == "kmeans"  # S4 prescribes "k-means clusters"
    kmeans_iterations, em_iterations = _iterations(at)
    assert kmeans_iterations >= 2  # from the start's own means k-means stopped at iteration 1
    assert em_iterations >= 2
    assert "k-means++ seeds (seed 4)" in _captions(at)
    start = at.session_state["start_params"]
    X = load_scenario("S4").X
    assert start.allclose(gmm_core.initialize(X, 3, "kmeans", 4), rtol=1e-9)  # EM's start is the table's


def test_on_s4_em_walks_beside_kmeans_from_the_same_seeds():
    at = _kmeans_tab("S4")
    X = load_scenario("S4").X
    state = at.session_state
    covariance_type, reg_covar = state["covariance_type"], state["reg_covar"]
    nearest = gmm_core.initialize(X, 3, "kmeans++", 4, covariance_type, reg_covar)
    seeds = gmm_core.kmeans_start(X, 3, 4, covariance_type, reg_covar)[1]
    seeds_start = gmm_core.GaussianMixtureParams(nearest.weights, seeds, nearest.covariances)
    beside = gmm_core.fit_em(
        X,
        seeds_start,
        max_iter=state["max_iter"],
        tol=state["tol"],
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        convergence=state["convergence"],
    )
    from_kmeans_end = gmm_core.fit_em(
        X,
        state["start_params"],
        max_iter=state["max_iter"],
        tol=state["tol"],
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        convergence=state["convergence"],
    )
    assert beside.n_iter != from_kmeans_end.n_iter  # the check below can tell the two runs apart
    assert _iterations(at)[1] == beside.n_iter


def test_other_starts_give_kmeans_the_starts_own_means():
    at = _kmeans_tab("S4", "kmeans++")
    assert "Both start from the same means" in _captions(at)
    X = load_scenario("S4").X
    max_iter = at.number_input(key="max_iter").value
    alone = gmm_core.fit_kmeans(X, at.session_state["start_params"].means, max_iter=max_iter)
    assert _iterations(at)[0] == alone.n_iter
