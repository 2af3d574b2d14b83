"""GMM Explorer's numerical engine: EM and k-means with every iteration recorded, in pure NumPy."""

from .bound import LowerBound, lower_bound
from .comparisons import Optima, distinct_optima
from .data_io import NonNumericColumn, Table, inspect_table, read_points
from .em import (
    COVARIANCE_TYPES,
    Degeneracy,
    EMRun,
    PointEStep,
    fit_em,
    log_density,
    mean_log_likelihood,
    point_e_step,
    responsibilities,
    weighted_log_prob,
)
from .errors import DataError, DegenerateFitError, ParameterError
from .geometry import covariance_ellipse, covariance_ellipses, level_set_outlines, nearest_center_cells
from .initialization import INIT_METHODS, initial_centers, initialize, kmeans_start, params_from_labels
from .kmeans import KMeansRun, assign_nearest, fit_kmeans
from .metrics import adjusted_rand_index, aic, bic, density_1d, density_on_grid, match_components, n_parameters, sample
from .model_selection import ModelSelection, Restarts, fit_restarts, select_components
from .params import GaussianMixtureParams, normalized_weights
from .scenarios import Scenario, generate_clusters, list_scenarios, load_scenario
from .transforms import Standardization, covariance_from_std_corr, covariance_to_std_corr, standardization
from .truth import PiecewiseLinearDensity, labelled_estimates
from .two_boxes import TwoBoxesRun, TwoBoxesStep, fit_two_boxes, format_rounds, parse_rounds

__all__ = [
    "LowerBound",
    "PointEStep",
    "lower_bound",
    "point_e_step",
    "Optima",
    "distinct_optima",
    "Standardization",
    "assign_nearest",
    "covariance_from_std_corr",
    "covariance_to_std_corr",
    "standardization",
    "ModelSelection",
    "Restarts",
    "fit_restarts",
    "select_components",
    "NonNumericColumn",
    "Table",
    "inspect_table",
    "read_points",
    "PiecewiseLinearDensity",
    "Scenario",
    "adjusted_rand_index",
    "aic",
    "bic",
    "covariance_ellipse",
    "covariance_ellipses",
    "level_set_outlines",
    "nearest_center_cells",
    "density_1d",
    "density_on_grid",
    "generate_clusters",
    "list_scenarios",
    "load_scenario",
    "match_components",
    "n_parameters",
    "sample",
    "COVARIANCE_TYPES",
    "DataError",
    "Degeneracy",
    "DegenerateFitError",
    "EMRun",
    "GaussianMixtureParams",
    "INIT_METHODS",
    "KMeansRun",
    "ParameterError",
    "fit_em",
    "fit_kmeans",
    "initial_centers",
    "initialize",
    "kmeans_start",
    "labelled_estimates",
    "log_density",
    "mean_log_likelihood",
    "normalized_weights",
    "params_from_labels",
    "responsibilities",
    "weighted_log_prob",
    "TwoBoxesRun",
    "TwoBoxesStep",
    "fit_two_boxes",
    "format_rounds",
    "parse_rounds",
]
