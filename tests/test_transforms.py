"""Standardisation and covariance <-> (sd, correlation) conversions."""

import numpy as np
import pytest

import gmm_core
from gmm_core import DataError, GaussianMixtureParams


def test_standardised_columns_have_mean_zero_and_unit_spread():
    X = np.random.default_rng(0).normal([5e9, -3e-9], [2e8, 1e-10], (500, 2))
    Z = gmm_core.standardization(X).apply(X)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)


def test_parameters_follow_the_data_into_standard_units_and_back():
    X = np.random.default_rng(1).normal([10, -4], [3, 0.5], (400, 2))
    scaling = gmm_core.standardization(X)
    params = GaussianMixtureParams(
        [0.4, 0.6], [[9, -4], [12, -3.5]], [[[4, 0.3], [0.3, 0.2]], [[9, -0.1], [-0.1, 0.3]]]
    )
    standard = scaling.params(params)
    # the same mixture: densities differ only by the Jacobian of the change of units
    log_jacobian = np.log(scaling.scale).sum()
    np.testing.assert_allclose(
        gmm_core.log_density(scaling.apply(X), standard), gmm_core.log_density(X, params) + log_jacobian, rtol=1e-12
    )
    assert scaling.inverse_params(standard).allclose(params, rtol=1e-12)


def test_a_constant_column_cannot_be_standardised_and_is_named():
    X = np.column_stack([np.arange(10.0), np.full(10, 3.0)])
    with pytest.raises(DataError, match="'height'"):
        gmm_core.standardization(X, ["width", "height"])


def test_std_and_correlation_round_trip():
    covariances = np.array([[[4.0, 1.2], [1.2, 1.0]], [[0.25, -0.1], [-0.1, 0.09]]])
    deviations, correlations = gmm_core.covariance_to_std_corr(covariances)
    np.testing.assert_allclose(deviations, [[2, 1], [0.5, 0.3]])
    np.testing.assert_allclose(correlations[:, 0, 1], [0.6, -0.1 / 0.15])
    np.testing.assert_allclose(gmm_core.covariance_from_std_corr(deviations, correlations), covariances, rtol=1e-15)


def test_assign_nearest_matches_brute_force():
    rng = np.random.default_rng(2)
    X, centers = rng.normal(size=(300, 2)), rng.normal(size=(5, 2))
    expected = ((X[:, None] - centers[None]) ** 2).sum(-1).argmin(1)
    np.testing.assert_array_equal(gmm_core.assign_nearest(X, centers), expected)


@pytest.mark.parametrize("magnitude", [1e-200, 1e-160, 1e154, 1e200])
def test_standardising_extreme_magnitudes_neither_overflows_nor_underflows(magnitude):
    X = magnitude * np.random.default_rng(3).normal(size=(200, 2))
    Z = gmm_core.standardization(X).apply(X)
    np.testing.assert_allclose(Z.std(axis=0), 1, rtol=1e-12)
