"""Restarts and BIC/AIC model selection."""

import numpy as np
import pytest

import gmm_core
from gmm_core.model_selection import fit_restarts, select_components


def _three_clusters(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack(
        [rng.normal([0, 0], 0.6, (120, 2)), rng.normal([5, 0], 0.6, (120, 2)), rng.normal([2, 4], 0.6, (120, 2))]
    )


def test_restarts_are_deterministic_and_best_has_the_highest_final_log_likelihood():
    X = _three_clusters()
    first = fit_restarts(X, 3, n_restarts=6, method="random_from_data", random_state=3)
    again = fit_restarts(X, 3, n_restarts=6, method="random_from_data", random_state=3)
    np.testing.assert_array_equal(first.final_log_likelihood, again.final_log_likelihood)
    assert first.best_run.log_likelihood[-1] == np.nanmax(first.final_log_likelihood)
    np.testing.assert_array_equal(first.seeds, np.arange(3, 9))


@pytest.mark.parametrize("convergence", ["log_likelihood", "weights", "parameters"])
def test_restarts_stop_by_the_rule_given(convergence):
    """Each restart is the fit_em run of its start with the same stopping rule (the app's Does the start matter?
    uses the user's own, as the main fit does)."""
    X = _three_clusters()
    restarts = fit_restarts(
        X, 3, n_restarts=3, method="random", random_state=1, max_iter=300, tol=1e-2, convergence=convergence
    )
    for seed, run in zip(restarts.seeds, restarts.runs):
        start = gmm_core.initialize(X, 3, "random", int(seed))
        alone = gmm_core.fit_em(X, start, max_iter=300, tol=1e-2, convergence=convergence)
        assert run.n_iter == alone.n_iter and run.converged
        np.testing.assert_array_equal(run.log_likelihood, alone.log_likelihood)
    n_iters = {
        rule: [
            run.n_iter
            for run in fit_restarts(
                X, 3, n_restarts=3, method="random", random_state=1, max_iter=300, tol=1e-2, convergence=rule
            ).runs
        ]
        for rule in ("log_likelihood", "parameters")
    }
    assert n_iters["log_likelihood"] != n_iters["parameters"]  # the rule matters on these data


def test_restarts_share_one_copy_of_the_data():
    X = _three_clusters()
    restarts = fit_restarts(X, 2, n_restarts=3)
    assert all(run.X is restarts.runs[0].X for run in restarts.runs)


def test_bic_chooses_the_true_number_of_components():
    selection = select_components(_three_clusters(), max_components=5, covariance_types=("full", "spherical"))
    assert selection.best("bic") in {("full", 3), ("spherical", 3)}
    assert selection.bic.shape == (2, 5)
    row = selection.covariance_types.index("full")
    run = selection.runs[("full", 3)]
    assert selection.bic[row, 2] == pytest.approx(gmm_core.bic(run.X, run.final, "full"))
    assert selection.n_parameters[row, 2] == gmm_core.n_parameters(3, 2, "full")


def test_k_beyond_the_distinct_points_is_left_blank():
    X = np.repeat([[0.0, 0.0], [3.0, 3.0]], 10, axis=0)
    selection = select_components(X, max_components=4, covariance_types=("spherical",))
    assert np.isfinite(selection.bic[0, :2]).all() and np.isnan(selection.bic[0, 2:]).all()
