"""fit_em against scikit-learn's GaussianMixture (the oracle), and its contract."""

import numpy as np
import pytest

import gmm_core
from gmm_core import GaussianMixtureParams, ParameterError, fit_em
from tests.oracle import sklearn_em, sklearn_full_covariances

RTOL = 1e-8


def _anisotropic_unequal(seed=0):
    rng = np.random.default_rng(seed)
    return np.vstack(
        [
            rng.multivariate_normal([0, 0], [[1.0, 0.8], [0.8, 2.0]], 400),
            rng.multivariate_normal([6, 1], [[0.3, -0.1], [-0.1, 0.1]], 60),
            rng.multivariate_normal([1, 7], [[4.0, -1.5], [-1.5, 1.0]], 240),
        ]
    )


def _three_d_offset(seed=1):
    rng = np.random.default_rng(seed)
    return 1e3 + np.vstack([rng.normal(0, [1, 3, 0.5], (300, 3)), rng.normal([4, -2, 1], [2, 0.5, 1], (200, 3))])


def _one_d(seed=2):
    rng = np.random.default_rng(seed)
    return np.concatenate([rng.normal(0, 1, 300), rng.normal(3, 0.5, 150), rng.normal(8, 2, 50)])[:, None]


DATA_SETS = {"anisotropic-2d": _anisotropic_unequal(), "offset-3d": _three_d_offset(), "unequal-1d": _one_d()}


def _start(X, k, covariance_type, seed=0):
    """A deliberately rough start of the given covariance type: data points as means, unequal weights."""
    rng = np.random.default_rng(seed)
    n_features = X.shape[1]
    means = X[rng.choice(X.shape[0], k, replace=False)]
    weights = np.arange(1, k + 1, dtype=float)
    weights /= weights.sum()
    base = np.cov(X.T).reshape(n_features, n_features)
    scales = np.linspace(0.3, 1.5, k)
    if covariance_type == "full":
        covariances = np.array([s * base + 0.1 * np.eye(n_features) for s in scales])
    elif covariance_type == "tied":
        covariances = np.broadcast_to(0.5 * base + 0.1 * np.eye(n_features), (k, n_features, n_features))
    elif covariance_type == "diag":
        covariances = np.array([np.diag(s * np.diag(base)) for s in scales])
    else:
        covariances = np.array([s * np.mean(np.diag(base)) * np.eye(n_features) for s in scales])
    return GaussianMixtureParams(weights, means, covariances)


@pytest.mark.parametrize("covariance_type", gmm_core.COVARIANCE_TYPES)
@pytest.mark.parametrize("data_name", DATA_SETS)
@pytest.mark.parametrize("n_iter", [1, 4, 25])
def test_snapshot_n_equals_sklearn_after_n_iterations(covariance_type, data_name, n_iter):
    X = DATA_SETS[data_name]
    k = 3
    initial = _start(X, k, covariance_type)
    run = fit_em(X, initial, max_iter=n_iter, tol=0.0, covariance_type=covariance_type)
    oracle = sklearn_em(X, initial, n_iter, covariance_type)
    ours = run.snapshots[n_iter]
    np.testing.assert_allclose(ours.weights, oracle.weights_, rtol=RTOL)
    np.testing.assert_allclose(ours.means, oracle.means_, rtol=RTOL, atol=1e-12 * np.abs(X).max())
    expected = sklearn_full_covariances(oracle, k, X.shape[1])
    np.testing.assert_allclose(ours.covariances, expected, rtol=RTOL, atol=RTOL * np.abs(expected).max())
    # scikit-learn's lower_bound_ is the mean log-likelihood under the parameters before its last M-step
    np.testing.assert_allclose(run.log_likelihood[n_iter - 1], oracle.lower_bound_, rtol=1e-10)


@pytest.mark.parametrize("covariance_type", gmm_core.COVARIANCE_TYPES)
def test_log_likelihood_and_responsibilities_equal_sklearn_scores(covariance_type):
    X = DATA_SETS["anisotropic-2d"]
    initial = _start(X, 3, covariance_type)
    run = fit_em(X, initial, max_iter=10, tol=0.0, covariance_type=covariance_type)
    oracle = sklearn_em(X, initial, 10, covariance_type)
    np.testing.assert_allclose(run.log_likelihood[10], oracle.score(X), rtol=1e-10)
    np.testing.assert_allclose(run.responsibilities(10), oracle.predict_proba(X), atol=1e-9)
    np.testing.assert_allclose(gmm_core.log_density(X, run.final), oracle.score_samples(X), rtol=1e-10)


def test_max_iter_zero_returns_only_the_initial_snapshot():
    X = DATA_SETS["anisotropic-2d"]
    initial = _start(X, 3, "full")
    run = fit_em(X, initial, max_iter=0)
    assert len(run.snapshots) == 1 and run.n_iter == 0
    assert run.snapshots[0].allclose(initial, rtol=0)
    assert run.log_likelihood.shape == (1,)
    assert not run.converged


def test_tolerance_stops_when_the_log_likelihood_improves_by_less_than_tol():
    X = DATA_SETS["anisotropic-2d"]
    run = fit_em(X, _start(X, 3, "full"), max_iter=500, tol=1e-4)
    assert run.converged
    gains = np.diff(run.log_likelihood)
    assert gains[-1] < 1e-4
    assert np.all(gains[:-1] >= 1e-4)


def test_zero_tolerance_runs_every_iteration():
    X = DATA_SETS["unequal-1d"]
    run = fit_em(X, _start(X, 3, "full"), max_iter=40, tol=0.0)
    assert run.n_iter == 40 and not run.converged


def test_weights_criterion_stops_on_the_norm_of_the_weight_change():
    X = DATA_SETS["unequal-1d"]
    run = fit_em(X, _start(X, 3, "full"), max_iter=1000, tol=1e-3, convergence="weights")
    assert run.converged
    assert np.linalg.norm(run.weights[-1] - run.weights[-2]) < 1e-3
    assert np.linalg.norm(run.weights[-2] - run.weights[-3]) >= 1e-3


def test_snapshots_are_full_matrices_for_every_covariance_type():
    X = DATA_SETS["offset-3d"]
    for covariance_type in gmm_core.COVARIANCE_TYPES:
        run = fit_em(X, _start(X, 2, covariance_type), max_iter=3, covariance_type=covariance_type)
        assert run.covariances.shape == (run.n_iter + 1, 2, 3, 3)
        final = run.final.covariances
        if covariance_type == "tied":
            np.testing.assert_array_equal(final[0], final[1])
        if covariance_type in ("diag", "spherical"):
            assert np.all(final[:, ~np.eye(3, dtype=bool)] == 0)
        if covariance_type == "spherical":
            assert np.all(np.diagonal(final, axis1=1, axis2=2) == final[:, :1, 0])


def test_snapshots_are_immutable():
    X = DATA_SETS["anisotropic-2d"]
    run = fit_em(X, _start(X, 3, "full"), max_iter=2)
    with pytest.raises(ValueError):
        run.snapshots[1].means[0, 0] = 5.0
    with pytest.raises(AttributeError):
        run.snapshots[1].weights = np.ones(3) / 3


def test_results_do_not_depend_on_chunking(monkeypatch):
    from gmm_core import _design

    X = _anisotropic_unequal(5)
    initial = _start(X, 3, "full")
    whole = fit_em(X, initial, max_iter=15, tol=0)
    monkeypatch.setattr(_design, "EM_CHUNK_BYTES", 8 * 3 * 256)
    monkeypatch.setattr(_design, "MIN_CHUNK_ROWS", 64)
    chunked = fit_em(X, initial, max_iter=15, tol=0)
    np.testing.assert_allclose(chunked.means, whole.means, rtol=1e-12)
    np.testing.assert_allclose(chunked.log_likelihood, whole.log_likelihood, rtol=1e-13)


@pytest.mark.parametrize(
    "arguments, phrase",
    [
        ({"max_iter": -1}, "max_iter"),
        ({"tol": -1e-3}, "tol"),
        ({"covariance_type": "banana"}, "covariance_type"),
        ({"reg_covar": -1.0}, "reg_covar"),
    ],
)
def test_invalid_arguments_raise_a_parameter_error_naming_them(arguments, phrase):
    X = DATA_SETS["anisotropic-2d"]
    with pytest.raises(ParameterError, match=phrase):
        fit_em(X, _start(X, 3, "full"), **arguments)


def test_more_components_than_points_is_refused_with_advice():
    X = np.array([[0.0, 0.0], [1.0, 1.0]])
    initial = GaussianMixtureParams(np.ones(3) / 3, np.zeros((3, 2)), np.array([np.eye(2)] * 3))
    with pytest.raises(ParameterError, match="K = 3 components is more than the 2 data points"):
        fit_em(X, initial)


def test_dimension_mismatch_is_refused():
    X = DATA_SETS["offset-3d"]
    initial = _start(DATA_SETS["anisotropic-2d"], 2, "full")
    with pytest.raises(ParameterError, match="2 coordinate"):
        fit_em(X, initial)


def test_collapsed_component_is_reported_and_stays_finite():
    rng = np.random.default_rng(3)
    X = np.vstack([rng.normal(0, 1, (100, 2)), np.repeat([[5.0, 5.0]], 20, axis=0)])
    initial = GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [5.0, 5.0]], [np.eye(2), np.eye(2)])
    run = fit_em(X, initial, max_iter=30, tol=0)
    assert np.all(np.isfinite(run.covariances)) and np.all(np.isfinite(run.log_likelihood))
    collapsed = [d for d in run.degeneracies if d.kind == "collapsed"]
    assert collapsed and collapsed[0].component == 1
    assert "Component 2" in collapsed[0].message and "reg_covar" in collapsed[0].message


def test_singular_covariance_without_regularisation_names_component_and_remedies():
    X = np.vstack([np.random.default_rng(4).normal(0, 1, (50, 2)), np.repeat([[9.0, 9.0]], 10, axis=0)])
    initial = GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [9.0, 9.0]], [np.eye(2), np.eye(2)])
    with pytest.raises(gmm_core.DegenerateFitError) as error:
        fit_em(X, initial, max_iter=20, reg_covar=0.0)
    assert error.value.component == 1
    message = str(error.value)
    assert "Component 2" in message and "fewer components" in message and "reg_covar" in message


def test_points_far_from_every_component_keep_exact_responsibilities():
    rng = np.random.default_rng(8)
    X = np.vstack([rng.normal(0, 1, (200, 2)), [[4000.0, -3000.0]]])  # its densities underflow to 0 in float64
    initial = GaussianMixtureParams([0.3, 0.7], [[-1.0, 0.0], [1.0, 0.5]], [np.eye(2), 0.5 * np.eye(2)])
    run = fit_em(X, initial, max_iter=3, tol=0.0)
    oracle = sklearn_em(X, initial, 3, "full")
    np.testing.assert_allclose(run.responsibilities(0).sum(axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(run.snapshots[3].means, oracle.means_, rtol=1e-8)
    np.testing.assert_allclose(run.log_likelihood[2], oracle.lower_bound_, rtol=1e-10)


def test_progress_is_reported_after_every_iteration():
    X = DATA_SETS["anisotropic-2d"]
    reported = []
    run = fit_em(X, _start(X, 3, "full"), max_iter=12, tol=0.0, progress=lambda *args: reported.append(args))
    assert [r[0] for r in reported] == list(range(1, 13))
    assert all(r[1] == 12 for r in reported)
    np.testing.assert_array_equal([r[2] for r in reported], run.log_likelihood[1:])
