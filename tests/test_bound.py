"""The E-step of one point, Q and the lower bound EM climbs: against scikit-learn and as properties of any run."""

import numpy as np
import pytest
from hypothesis import assume, given
from sklearn.mixture import GaussianMixture

import gmm_core
from gmm_core import fit_em, lower_bound, point_e_step
from gmm_core.bound import lower_bound_per_point
from tests.test_properties import data_and_start


def sklearn_model(params):
    """A scikit-learn GaussianMixture holding ``params`` exactly (full covariances), without fitting."""
    model = GaussianMixture(params.n_components, covariance_type="full")
    model.weights_ = np.asarray(params.weights)
    model.means_ = np.asarray(params.means)
    model.covariances_ = np.asarray(params.covariances)
    cholesky = np.linalg.cholesky(params.covariances)
    model.precisions_cholesky_ = np.linalg.inv(cholesky).transpose(0, 2, 1)
    return model


@pytest.mark.parametrize("iteration", [0, 1, 7, 50])
def test_a_points_e_step_matches_scikit_learn(two_d_run, iteration):
    params = two_d_run.snapshot(iteration)
    model = sklearn_model(params)
    for row in (0, 61, 130, 179):
        step = point_e_step(two_d_run.X[row], params)
        expected = model.predict_proba(two_d_run.X[[row]])[0]
        np.testing.assert_allclose(step.responsibilities, expected, rtol=1e-10, atol=1e-15)
        assert step.log_evidence == pytest.approx(model.score_samples(two_d_run.X[[row]])[0], rel=1e-12)
        np.testing.assert_allclose(step.weighted_densities.sum(), step.evidence, rtol=1e-12)
        np.testing.assert_allclose(step.weighted_densities / step.evidence, step.responsibilities, rtol=1e-12)
        np.testing.assert_allclose(step.responsibilities, two_d_run.responsibilities(iteration)[row], rtol=1e-13)


def test_a_far_points_e_step_keeps_its_digits():
    params = gmm_core.GaussianMixtureParams([0.5, 0.5], [[0.0], [1.0]], [[[1.0]], [[1.0]]])
    step = point_e_step([60.0], params)  # densities ~ e^-1700: zero as floats, exact as logs
    assert np.all(step.weighted_densities == 0) and np.isfinite(step.log_evidence)
    np.testing.assert_allclose(step.responsibilities.sum(), 1.0)
    assert step.responsibilities[1] > step.responsibilities[0]


def direct_q(X, responsible, params):
    """Q by brute force: scikit-learn's responsibilities under ``responsible``, SciPy's densities under ``params``."""
    from scipy.stats import multivariate_normal

    gamma = sklearn_model(responsible).predict_proba(X)
    log_weighted = np.column_stack(
        [
            np.log(params.weights[k]) + multivariate_normal(params.means[k], params.covariances[k]).logpdf(X)
            for k in range(params.n_components)
        ]
    )
    return float(np.mean(np.sum(gamma * log_weighted, axis=1)))


def test_q_of_the_fit_and_of_the_bound_match_a_direct_computation(two_d_run):
    bound = lower_bound(two_d_run)
    X = two_d_run.X
    assert two_d_run.expected_log_likelihood[0] == pytest.approx(
        direct_q(X, two_d_run.snapshot(0), two_d_run.snapshot(0)), rel=1e-10
    )
    for i in (1, 2, 10, 50):
        direct = direct_q(X, two_d_run.snapshot(i - 1), two_d_run.snapshot(i))
        assert two_d_run.expected_log_likelihood[i] == pytest.approx(direct, rel=1e-10)
        assert bound.expected_log_likelihood[2 * i] == pytest.approx(direct, rel=1e-10)
        assert bound.expected_log_likelihood[2 * i - 1] == pytest.approx(
            direct_q(X, two_d_run.snapshot(i - 1), two_d_run.snapshot(i - 1)), rel=1e-10
        )


def test_the_recorded_bound_is_the_one_computed_point_by_point(two_d_run):
    recorded, direct = lower_bound(two_d_run), lower_bound_per_point(two_d_run)
    for name in ("expected_log_likelihood", "entropy", "bound", "log_likelihood"):
        np.testing.assert_allclose(getattr(recorded, name), getattr(direct, name), rtol=1e-10, atol=1e-12)
    assert np.isnan(recorded.bound[0]) and np.isnan(direct.bound[0])


def test_the_bound_after_an_e_step_is_scikit_learns_log_likelihood(two_d_run):
    bound = lower_bound_per_point(two_d_run)
    for i in (1, 5, 50):
        score = sklearn_model(two_d_run.snapshot(i - 1)).score(two_d_run.X)
        assert bound.bound[2 * i - 1] == pytest.approx(score, rel=1e-10)


def test_convergence_on_q_stops_when_q_settles(two_d_run):
    X, start = two_d_run.X, two_d_run.snapshot(0)
    run = fit_em(X, start, max_iter=200, tol=1e-4, convergence="expected_log_likelihood")
    assert run.converged
    changes = np.abs(np.diff(run.expected_log_likelihood))
    assert changes[-1] < 1e-4 and np.all(changes[:-1] >= 1e-4)


def test_the_q_criterion_is_named_when_refused():
    with pytest.raises(gmm_core.ParameterError, match="expected_log_likelihood"):
        start = gmm_core.GaussianMixtureParams([1.0], [[0.0]], [[[1.0]]])
        fit_em([[0.0], [1.0], [2.0]], start, convergence="q")


def _relative_gap(a, b, *scales):
    return abs(a - b) / max(1.0, *(abs(s) for s in scales))


def in_the_family(initial, covariance_type):
    """``initial`` with its covariances of ``covariance_type``'s family: EM's guarantees hold for starts the M-step
    could have produced (a full start under "tied" may lose Q at the first M-step, which maximises over tied ones)."""
    covariances = np.array(initial.covariances)
    diagonals = np.diagonal(covariances, axis1=1, axis2=2)
    identity = np.eye(initial.n_features)
    constrained = {
        "full": covariances,
        "tied": np.broadcast_to(covariances.mean(axis=0), covariances.shape),
        "diag": diagonals[:, :, None] * identity,
        "spherical": diagonals.mean(axis=1)[:, None, None] * identity,
    }[covariance_type]
    return gmm_core.GaussianMixtureParams(initial.weights, initial.means, constrained)


@given(data_and_start())
def test_the_bound_touches_after_every_e_step_and_climbs_at_every_half_step(case):
    X, initial, covariance_type = case
    try:
        start = in_the_family(initial, covariance_type)
        run = fit_em(X, start, max_iter=15, tol=0.0, covariance_type=covariance_type, reg_covar=0.0)
    except gmm_core.DegenerateFitError:
        assume(False)
    assume(not run.degeneracies)  # as for the log-likelihood: a collapsing component is rounding noise
    bound = lower_bound_per_point(run)  # point by point: no identity of the fit's records is assumed
    recorded = lower_bound(run)  # what the app draws, from the fit's records
    size = max(1.0, float(np.nanmax(np.abs(bound.expected_log_likelihood))), float(np.nanmax(bound.entropy)))
    np.testing.assert_allclose(recorded.bound[1:], bound.bound[1:], rtol=0, atol=1e-9 * size)
    for i in range(1, run.n_iter + 1):
        e = 2 * i - 1
        # After the E-step: equal to the log-likelihood, to 1e-10 of the size of the terms added.
        scale = (bound.log_likelihood[e], bound.expected_log_likelihood[e], bound.entropy[e])
        assert _relative_gap(bound.bound[e], bound.log_likelihood[e], *scale) <= 1e-10
    values = bound.bound[1:]
    size = np.maximum(1.0, np.abs(np.concatenate([bound.expected_log_likelihood[1:], bound.log_likelihood[1:]])).max())
    assert np.all(np.diff(values) >= -1e-9 * size)  # never decreases over half steps
    assert np.all(bound.log_likelihood[1:] - values >= -1e-9 * size)  # the log-likelihood never below it
