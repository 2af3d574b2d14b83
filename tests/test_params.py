"""GaussianMixtureParams: the frozen parameters of a mixture and what can be derived from them."""

import numpy as np

from gmm_core import GaussianMixtureParams


def test_marginal_keeps_the_weights_and_the_chosen_blocks():
    covariances = np.array([np.diag([1.0, 2.0, 3.0]) + 0.5, np.diag([4.0, 5.0, 6.0]) + 0.1])
    params = GaussianMixtureParams([0.3, 0.7], [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], covariances)
    plane = params.marginal((2, 0))
    np.testing.assert_array_equal(plane.weights, params.weights)
    np.testing.assert_array_equal(plane.means, [[3.0, 1.0], [6.0, 4.0]])
    np.testing.assert_array_equal(plane.covariances[1], [[6.1, 0.1], [0.1, 4.1]])
