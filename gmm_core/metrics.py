"""Evaluating a fitted mixture: agreement with true labels, matching to the truth, BIC/AIC, sampling and densities."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linear_sum_assignment

from .em import COVARIANCE_TYPES, as_points, log_density, weighted_log_prob
from .errors import ParameterError
from .params import GaussianMixtureParams
from .validation import check_whole

# --- Agreement of two partitions -------------------------------------------------------------------------------


def _pairs(counts):
    """Number of unordered pairs within each count, summed: sum of n * (n - 1) / 2 (as float: it can exceed int64)."""
    counts = np.asarray(counts, dtype=np.float64)
    return float(np.sum(counts * (counts - 1.0)) / 2.0)


def adjusted_rand_index(labels_true, labels_pred):
    """Adjusted Rand index of two clusterings of the same points: 1 for identical partitions, about 0 for chance.

    Label values are arbitrary (any hashable numbers or strings); only which points share a label matters.
    Computed from the contingency table of the two labellings. When the index is undefined because both
    partitions are trivial in the same way (everything in one cluster, or every point alone), they are identical
    and the result is 1.0, as scikit-learn's ``adjusted_rand_score`` returns.

    Parameters
    ----------
    labels_true : array-like of shape (N,)
    labels_pred : array-like of shape (N,)

    Returns
    -------
    float
        In [-0.5, 1].
    """
    labels_true = np.asarray(labels_true)
    labels_pred = np.asarray(labels_pred)
    if labels_true.ndim != 1 or labels_pred.ndim != 1 or labels_true.shape != labels_pred.shape:
        raise ParameterError(
            "labels_true and labels_pred must be vectors of the same length N; "
            f"got shapes {labels_true.shape} and {labels_pred.shape}."
        )
    n_samples = labels_true.shape[0]
    if n_samples < 2:
        return 1.0  # no pair of points on which the partitions could disagree
    true_values, true_codes = np.unique(labels_true, return_inverse=True)
    pred_values, pred_codes = np.unique(labels_pred, return_inverse=True)
    for n_clusters in (1, n_samples):
        if true_values.size == pred_values.size == n_clusters:
            # Both partitions are one cluster, or both are all singletons: identical, but the formula is 0 / 0.
            return 1.0
    contingency = np.bincount(true_codes * pred_values.size + pred_codes).astype(np.float64)
    pairs_together_in_both = _pairs(contingency)
    pairs_together_true = _pairs(np.bincount(true_codes))
    pairs_together_pred = _pairs(np.bincount(pred_codes))
    all_pairs = n_samples * (n_samples - 1.0) / 2.0
    expected = pairs_together_true * pairs_together_pred / all_pairs
    maximum = (pairs_together_true + pairs_together_pred) / 2.0
    return float((pairs_together_in_both - expected) / (maximum - expected))


# --- Matching estimated components to the true ones ------------------------------------------------------------


def match_components(estimated_means, true_means):
    """Which estimated component corresponds to each true component (labels of a fit are arbitrary).

    The assignment minimises the total squared distance between matched means (Hungarian algorithm), each
    estimated component matched at most once.

    Parameters
    ----------
    estimated_means : array-like of shape (K, D)
    true_means : array-like of shape (K2, D)

    Returns
    -------
    matched : ndarray of int, shape (K2,)
        ``matched[j]`` is the index of the estimated component matched to true component ``j``, so that
        ``estimated_means[matched]`` lines up row by row with ``true_means``. When K < K2 only K true components
        can be matched; the others get -1. When K > K2 the K - K2 estimated components left over appear nowhere.
    """
    estimated_means = as_points(estimated_means, "estimated_means")
    true_means = as_points(true_means, "true_means")
    if estimated_means.shape[1] != true_means.shape[1]:
        raise ParameterError(
            f"estimated_means and true_means must have the same number of coordinates; "
            f"got {estimated_means.shape[1]} and {true_means.shape[1]}."
        )
    differences = true_means[:, None, :] - estimated_means[None, :, :]
    squared_distances = np.einsum("jkd,jkd->jk", differences, differences)  # (K2, K)
    true_rows, estimated_columns = linear_sum_assignment(squared_distances)
    matched = np.full(true_means.shape[0], -1, dtype=np.intp)
    matched[true_rows] = estimated_columns
    return matched


# --- Model selection -------------------------------------------------------------------------------------------

# Free covariance parameters, as scikit-learn counts them, for K components in D dimensions.
_COVARIANCE_PARAMETER_COUNTS = {
    "full": lambda n_components, n_features: n_components * n_features * (n_features + 1) // 2,
    "tied": lambda n_components, n_features: n_features * (n_features + 1) // 2,
    "diag": lambda n_components, n_features: n_components * n_features,
    "spherical": lambda n_components, n_features: n_components,
}


def n_parameters(n_components, n_features, covariance_type="full"):
    """Number of free parameters of a K-component mixture in D dimensions (as scikit-learn's ``_n_parameters``).

    K - 1 weights (they sum to 1), K * D mean coordinates, and the covariance entries the type leaves free.

    Parameters
    ----------
    n_components : int >= 1
    n_features : int >= 1
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    int
    """
    if covariance_type not in _COVARIANCE_PARAMETER_COUNTS:
        raise ParameterError(f"covariance_type must be one of {COVARIANCE_TYPES}; got {covariance_type!r}.")
    n_components = check_whole("n_components", n_components, 1)
    n_features = check_whole("n_features", n_features, 1)
    covariance_count = _COVARIANCE_PARAMETER_COUNTS[covariance_type](n_components, n_features)
    return (n_components - 1) + n_components * n_features + covariance_count


def _total_log_likelihood(X, params):
    X = as_points(X)
    if X.shape[1] != params.n_features:
        raise ParameterError(f"X has {X.shape[1]} column(s) but the mixture has {params.n_features} feature(s).")
    return X.shape[0], float(log_density(X, params).sum())


def bic(X, params, covariance_type="full"):
    """Bayesian information criterion: -2 * total log-likelihood + n_parameters * log(N). Lower is better.

    Parameters
    ----------
    X : array-like of shape (N, D)
    params : GaussianMixtureParams
    covariance_type : {"full", "tied", "diag", "spherical"}
        The constraint the fit was made under: it sets how many parameters are counted.

    Returns
    -------
    float
    """
    n_samples, total_log_likelihood = _total_log_likelihood(X, params)
    return -2.0 * total_log_likelihood + n_parameters(params.n_components, params.n_features, covariance_type) * np.log(
        n_samples
    )


def aic(X, params, covariance_type="full"):
    """Akaike information criterion: -2 * total log-likelihood + 2 * n_parameters. Lower is better.

    Parameters
    ----------
    X : array-like of shape (N, D)
    params : GaussianMixtureParams
    covariance_type : {"full", "tied", "diag", "spherical"}

    Returns
    -------
    float
    """
    n_samples, total_log_likelihood = _total_log_likelihood(X, params)
    return -2.0 * total_log_likelihood + 2.0 * n_parameters(params.n_components, params.n_features, covariance_type)


# --- The mixture as a generative model -------------------------------------------------------------------------


def sample(params, n_samples, random_state=0):
    """Draw points from the mixture: how many from each component, then each component's Gaussian draws.

    As scikit-learn's ``GaussianMixture.sample``, the per-component counts are one multinomial draw and the
    points come grouped by component (labels sorted ascending); each Gaussian draw is
    ``mean + cholesky(covariance) @ z`` with standard normal ``z``.

    Parameters
    ----------
    params : GaussianMixtureParams
    n_samples : int >= 1
    random_state : int
        Seed of ``numpy.random.default_rng``; the same seed gives the same draws.

    Returns
    -------
    X : ndarray of shape (n_samples, D)
    labels : ndarray of int, shape (n_samples,)
        The component each point was drawn from.
    """
    if not isinstance(params, GaussianMixtureParams):
        raise ParameterError("params must be a GaussianMixtureParams (weights, means, covariances).")
    n_samples = check_whole("n_samples", n_samples, 1)
    rng = np.random.default_rng(random_state)
    # The weights may miss 1 by up to 1e-6; the multinomial draw wants them exact.
    counts = rng.multinomial(n_samples, params.weights / params.weights.sum())
    cholesky_factors = np.linalg.cholesky(params.covariances)  # (K, D, D), lower
    blocks = [
        params.means[k] + rng.standard_normal((count, params.n_features)) @ cholesky_factors[k].T
        for k, count in enumerate(counts)
    ]
    labels = np.repeat(np.arange(params.n_components), counts)
    return np.concatenate(blocks, axis=0), labels


def density_on_grid(params, x_values, y_values):
    """Mixture density of 2-D ``params`` at every point of the grid ``x_values`` by ``y_values``.

    Parameters
    ----------
    params : GaussianMixtureParams
        With two features.
    x_values : array-like of shape (nx,)
    y_values : array-like of shape (ny,)

    Returns
    -------
    density : ndarray of shape (ny, nx)
        ``density[i, j]`` = p([x_values[j], y_values[i]]): rows follow y, as contour plots expect.
    """
    if params.n_features != 2:
        raise ParameterError(f"density_on_grid needs a 2-D mixture; this one has {params.n_features} feature(s).")
    x_values = np.asarray(x_values, dtype=np.float64).ravel()
    y_values = np.asarray(y_values, dtype=np.float64).ravel()
    grid_x, grid_y = np.meshgrid(x_values, y_values)  # each (ny, nx)
    points = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    return np.exp(log_density(points, params)).reshape(grid_x.shape)


def density_1d(params, x_values):
    """Density of a 1-D mixture at ``x_values``, in total and per weighted component.

    Parameters
    ----------
    params : GaussianMixtureParams
        With one feature.
    x_values : array-like of shape (n,)

    Returns
    -------
    total : ndarray of shape (n,)
        p(x) = sum over k of per_component[k].
    per_component : ndarray of shape (K, n)
        pi_k * N(x | mu_k, sigma_k^2).
    """
    if params.n_features != 1:
        raise ParameterError(f"density_1d needs a 1-D mixture; this one has {params.n_features} feature(s).")
    x_values = np.asarray(x_values, dtype=np.float64).ravel()
    per_component = np.exp(weighted_log_prob(x_values[:, None], params)).T
    return per_component.sum(axis=0), per_component


def component_curves_1d(params, n_points=33, n_stds=4.0):
    """Each weighted component of a 1-D mixture sampled over its own interval, mean +- ``n_stds`` deviations.

    A shared grid would draw a narrow component with a few points and a wide one with many; here every
    component gets ``n_points``, spaced by its own deviation, so that each is drawn as smoothly as the others
    with few numbers (an animation sends K * n_points pairs per frame).

    Parameters
    ----------
    params : GaussianMixtureParams
        With one feature.
    n_points : int >= 2
    n_stds : float > 0

    Returns
    -------
    xs, ys : ndarrays of shape (K, n_points)
        ``ys[k]`` is pi_k * N(xs[k] | mu_k, sigma_k^2).
    """
    if params.n_features != 1:
        raise ParameterError(f"component_curves_1d needs a 1-D mixture; this one has {params.n_features} feature(s).")
    steps = np.linspace(-n_stds, n_stds, n_points)
    deviations = np.sqrt(params.covariances[:, 0, 0])
    xs = params.means[:, :1] + deviations[:, None] * steps
    ys = (params.weights / (deviations * np.sqrt(2.0 * np.pi)))[:, None] * np.exp(-0.5 * steps**2)
    return xs, ys


def histogram_density(values, max_bins=80):
    """A histogram of 1-D values scaled to area 1 over the values' range, with about sqrt(N) bins (10 to
    ``max_bins``). Values (almost) all equal are binned over a small interval around them.

    Returns
    -------
    edges : ndarray of shape (n_bins + 1,)
    densities : ndarray of shape (n_bins,)
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    n_bins = int(np.clip(np.sqrt(values.size), 10, max_bins))
    low, high = float(values.min()), float(values.max())
    # Values a few ulps apart (or all equal) still get bins of a finite, representable width around them.
    least = max(1e-9 * max(abs(low), abs(high)), 1e-150)
    if not high - low >= least:
        middle = low / 2 + high / 2
        low, high = middle - least / 2, middle + least / 2
    densities, edges = np.histogram(values, bins=n_bins, range=(low, high), density=True)
    return edges, densities
