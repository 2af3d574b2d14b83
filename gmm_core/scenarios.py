"""Ready-made teaching cases (S1-S8, each from a course tutorial or lab) and the Generate mode's random clusters."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType

import numpy as np

from .em import CONVERGENCE_CRITERIA, COVARIANCE_TYPES
from .errors import ParameterError
from .params import GaussianMixtureParams
from .truth import PiecewiseLinearDensity
from .validation import check_whole, read_only


@dataclass(frozen=True, eq=False)
class Scenario:
    """A data set with everything needed to fit it as a teaching case prescribes.

    Attributes
    ----------
    key : str
        "S1", "S2", "S3", "S4", "S5", "S6a", "S6b", "S7", "S8", or "generated".
    name : str
        Title for people.
    description : str
        The teaching point: what to look at.
    X : ndarray of shape (N, D), read-only
        The data, unstandardised.
    feature_names : tuple of str, length D
    n_components : int
        K, the number of components to fit.
    initial : GaussianMixtureParams or None
        The prescribed start (K components, D features), or None when a strategy is prescribed instead. In the units
        the fit uses: standardised where ``standardize`` is set.
    init_method : str or None
        The initialisation strategy of ``gmm_core.initialization.initialize`` ("kmeans++", "kmeans", ...) when
        ``initial`` is None; None otherwise.
    random_state : int
        Seed for the initialisation strategy.
    true_labels : ndarray of int, shape (N,), read-only, or None
        The class of each point where known (the generating component, the species, ...).
    label_names : tuple of str
        Names of the true classes, indexed by label (empty when unnamed or unknown).
    true_params : GaussianMixtureParams or None
        The generating mixture where the data were drawn from one; its weights are the true mixing proportions
        (the fraction of points drawn from each component).
    true_density : PiecewiseLinearDensity or None
        The data's true density where it is known and no Gaussian mixture (S6a's triangle), in the units of ``X``;
        1-D data only. A generating mixture's density is that of ``true_params``.
    max_iter, tol, convergence, reg_covar, covariance_type
        The settings to pass to ``gmm_core.em.fit_em``.
    standardize : bool
        Whether the columns should be standardised (zero mean, unit variance) before fitting.
    display_columns : tuple of two ints
        The columns to plot. (0, 1) for 2-D data; (0, 0) for 1-D data.
    alternative_starts : mapping of str to GaussianMixtureParams, read-only
        Other starts worth comparing (S2), by a name for people; empty for most scenarios.
    highlight_iterations : tuple of int
        Iterations the classic write-up shows (S2); empty when none are prescribed.
    """

    key: str
    name: str
    description: str
    X: np.ndarray
    feature_names: tuple
    n_components: int
    initial: GaussianMixtureParams | None = None
    init_method: str | None = "kmeans++"
    random_state: int = 0
    true_labels: np.ndarray | None = None
    label_names: tuple = ()
    true_params: GaussianMixtureParams | None = None
    true_density: PiecewiseLinearDensity | None = None
    max_iter: int = 200
    tol: float = 1e-6
    convergence: str = "log_likelihood"
    reg_covar: float = 1e-6
    covariance_type: str = "full"
    standardize: bool = False
    display_columns: tuple = (0, 1)
    alternative_starts: Mapping = field(default_factory=dict)
    highlight_iterations: tuple = ()

    def __post_init__(self):
        X = read_only(self.X, np.float64, copy=True)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ParameterError(f"scenario {self.key}: X must have shape (N, D); got {X.shape}.")
        n_samples, n_features = X.shape
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "feature_names", tuple(self.feature_names))
        object.__setattr__(self, "alternative_starts", MappingProxyType(dict(self.alternative_starts)))
        if len(self.feature_names) != n_features:
            raise ParameterError(
                f"scenario {self.key}: {len(self.feature_names)} feature names for {n_features} column(s)."
            )
        if (self.initial is None) == (self.init_method is None):
            raise ParameterError(f"scenario {self.key}: give exactly one of initial and init_method.")
        for params in [self.initial, self.true_params, *self.alternative_starts.values()]:
            if params is not None and params.n_features != n_features:
                raise ParameterError(
                    f"scenario {self.key}: parameters with {params.n_features} feature(s) for {n_features}-D data."
                )
        for params in [self.initial, *self.alternative_starts.values()]:
            if params is not None and params.n_components != self.n_components:
                raise ParameterError(
                    f"scenario {self.key}: a start with {params.n_components} components for K = {self.n_components}."
                )
        if self.true_labels is not None:
            true_labels = read_only(self.true_labels, np.intp, copy=True)
            if true_labels.shape != (n_samples,):
                raise ParameterError(
                    f"scenario {self.key}: true_labels must have shape ({n_samples},); got {true_labels.shape}."
                )
            object.__setattr__(self, "true_labels", true_labels)
        if self.true_density is not None and n_features != 1:
            raise ParameterError(f"scenario {self.key}: a true density is for 1-D data; these have {n_features}-D.")
        if self.covariance_type not in COVARIANCE_TYPES or self.convergence not in CONVERGENCE_CRITERIA:
            raise ParameterError(
                f"scenario {self.key}: unknown covariance_type {self.covariance_type!r} "
                f"or convergence {self.convergence!r}."
            )
        display_columns = tuple(int(column) for column in self.display_columns)
        if len(display_columns) != 2 or not all(0 <= column < n_features for column in display_columns):
            raise ParameterError(
                f"scenario {self.key}: display_columns must be two column indices below {n_features}; "
                f"got {self.display_columns!r}."
            )
        object.__setattr__(self, "display_columns", display_columns)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    def __repr__(self):
        return f"Scenario(key={self.key!r}, name={self.name!r}, N={self.n_samples}, D={self.n_features})"


# --- Helpers shared by the generated scenarios -----------------------------------------------------------------


def _mixture_from_counts(counts, means, covariances):
    """The generating mixture, with weights the fractions of points actually drawn from each component."""
    counts = np.asarray(counts, dtype=np.float64)
    return GaussianMixtureParams(counts / counts.sum(), means, covariances)


def _shuffled(rng, X, labels):
    order = rng.permutation(X.shape[0])
    return X[order], labels[order]


def _rotation_2d(angle_degrees):
    angle = np.deg2rad(angle_degrees)
    return np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])


def _covariance_from_axes(rotation, axis_std):
    """rotation @ diag(axis_std^2) @ rotation', symmetrised against rounding."""
    covariance = (rotation * axis_std**2) @ rotation.T
    return (covariance + covariance.T) / 2.0


def _read_csv_resource(file_name):
    """The header's column names and the text of a CSV file shipped in ``gmm_core/data``."""
    text = resources.files("gmm_core").joinpath("data", file_name).read_text(encoding="utf-8")
    header = text.splitlines()[0]
    return tuple(name.strip() for name in header.split(",")), text


# --- S1 --------------------------------------------------------------------------------------------------------

_S1_SEED = 1
_S1_COUNTS = (80, 100, 120)
_S1_MEANS = ((2.0, 2.0), (10.0, 8.0), (4.0, 13.0))
_S1_COVARIANCES = (((1.0, 0.0), (0.0, 1.0)), ((1.0, 0.0), (0.0, 4.0)), ((2.0, 1.0), (1.0, 3.0)))


def _three_elongated_clusters():
    # One generator for everything: the three clusters in order, the shuffle, then the start index.
    rng = np.random.default_rng(_S1_SEED)
    blocks = [
        rng.multivariate_normal(mean, cov, size=n) for n, mean, cov in zip(_S1_COUNTS, _S1_MEANS, _S1_COVARIANCES)
    ]
    X, labels = _shuffled(rng, np.concatenate(blocks), np.repeat(np.arange(3), _S1_COUNTS))
    n_components = 3
    start = int(rng.integers(0, X.shape[0] - n_components + 1))
    initial = GaussianMixtureParams(
        weights=np.full(n_components, 1.0 / n_components),
        means=X[start : start + n_components],
        covariances=np.tile(np.eye(2), (n_components, 1, 1)),
    )
    return Scenario(
        key="S1",
        name="Three elongated clusters",
        description=(
            "EM started from three consecutive data points with identity covariances recovers the three generating "
            "Gaussians: watch the ellipses move onto the clusters. Stops when the summed squared change of all "
            "parameters is below 1e-4; every covariance is regularised by +0.01·I."
        ),
        X=X,
        feature_names=("x1", "x2"),
        n_components=n_components,
        initial=initial,
        init_method=None,
        random_state=_S1_SEED,
        true_labels=labels,
        true_params=_mixture_from_counts(_S1_COUNTS, _S1_MEANS, _S1_COVARIANCES),
        max_iter=60,
        tol=1e-4,
        convergence="parameters",
        reg_covar=0.01,
    )


# --- S2 --------------------------------------------------------------------------------------------------------

_S2_MEANS = ((-2.0, 2.0), (2.0, -2.0))
_S2_COVARIANCES = (3.0 * np.eye(2), np.eye(2))
_S2_START_COVARIANCES = (0.1 * np.eye(2), 0.1 * np.eye(2))
_S2_START_WEIGHTS = (0.1, 0.9)
_S2_STARTS = {
    "μ near the origin (bad)": ((0.1, 0.0), (0.0, 0.0)),
    "μ = [-3, -3], [3, 3]": ((-3.0, -3.0), (3.0, 3.0)),
    "μ = [-2, 2], [2, -2] (true means)": ((-2.0, 2.0), (2.0, -2.0)),
}


def _two_round_clusters_bad_start():
    # "NumPy seed 42" in the write-up's sense: the legacy global generator, i.e. RandomState(42); all 200 points of
    # N([-2, 2], 3I) are drawn first, then the 200 of N([2, -2], I), and the points are kept in that order.
    legacy_rng = np.random.RandomState(42)
    blocks = [legacy_rng.multivariate_normal(mean, cov, size=200) for mean, cov in zip(_S2_MEANS, _S2_COVARIANCES)]
    starts = {
        name: GaussianMixtureParams(_S2_START_WEIGHTS, means, _S2_START_COVARIANCES)
        for name, means in _S2_STARTS.items()
    }
    return Scenario(
        key="S2",
        name="Two round clusters, bad start",
        description=(
            "Both means start near the origin with tiny covariances and weights 0.1 / 0.9, yet EM still finds the "
            "two clusters: compare μ and π with the truth. Then try the other starts: from μ = [-3, -3], [3, 3], "
            "placed symmetrically across both clusters, EM crawls for hundreds of iterations before it finds them."
        ),
        X=np.concatenate(blocks),
        feature_names=("x1", "x2"),
        n_components=2,
        initial=starts["μ near the origin (bad)"],
        init_method=None,
        random_state=42,
        true_labels=np.repeat([0, 1], 200),
        true_params=_mixture_from_counts((200, 200), _S2_MEANS, _S2_COVARIANCES),
        max_iter=100,
        # The write-up's iterations go up to 40; a tight stop on the parameters' change lets the run get there.
        tol=1e-14,
        convergence="parameters",
        alternative_starts=starts,
        highlight_iterations=(0, 1, 5, 10, 25, 40),
    )


# --- S3 --------------------------------------------------------------------------------------------------------

_S3_SEED = 0
#: Bishop's PRML Fig. 9.8 (PMTK's mixGaussDemoFaithful): means near the top-left and bottom-right corners of the
#: standardised data, away from both clusters, so that EM has a long way to walk.
_S3_START_MEANS = ((-1.5, 1.5), (1.5, -1.5))
_S3_START_VARIANCE = 0.1


def _classic_faithful_start():
    """The start of Bishop's Fig. 9.8, in the standardised units the fit uses (standard deviations from each
    column's mean): means (-1.5, 1.5) and (1.5, -1.5) plus seeded unit Gaussian noise, covariances 0.1·I, equal
    weights."""
    n_components, n_features = np.shape(_S3_START_MEANS)
    noise = np.random.default_rng(_S3_SEED).standard_normal((n_components, n_features))
    return GaussianMixtureParams(
        np.full(n_components, 1.0 / n_components),
        np.asarray(_S3_START_MEANS) + noise,
        np.tile(_S3_START_VARIANCE * np.eye(n_features), (n_components, 1, 1)),
    )


def _old_faithful():
    _, text = _read_csv_resource("faithful.csv")
    X = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, ndmin=2)
    return Scenario(
        key="S3",
        name="Old Faithful",
        description=(
            "272 eruptions of the Old Faithful geyser: short eruptions are followed by short waits, long by long. "
            "Two components, fitted on standardised columns, find the two regimes. The start is the classic one "
            "(Bishop's PRML, Fig. 9.8): both means near opposite corners, away from the data, with small round "
            "covariances: watch EM walk them onto the two clusters."
        ),
        X=X,
        feature_names=("eruption duration (min)", "waiting time (min)"),
        n_components=2,
        initial=_classic_faithful_start(),
        init_method=None,
        random_state=_S3_SEED,
        standardize=True,
    )


# --- S4 --------------------------------------------------------------------------------------------------------

_S4_SEED = 4
_S4_COUNTS = (200, 200, 200)
_S4_ANGLE_DEGREES = -40.0  # direction of the clusters' long axes
_S4_AXIS_STD = np.array([3.0, 0.5])  # long axis, short axis
_S4_GAP = 4.0  # distance between neighbouring cluster centres, across the long axes


def _kmeans_fails():
    # Three long parallel bands side by side: cutting every band across its length lowers k-means' within-cluster
    # sum of squares more than separating the bands, so k-means splits them crosswise, while a GMM's ellipses fit.
    rng = np.random.default_rng(_S4_SEED)
    rotation = _rotation_2d(_S4_ANGLE_DEGREES)
    across = rotation[:, 1]  # the short-axis direction
    means = np.outer(_S4_GAP * np.array([-1.0, 0.0, 1.0]), across)
    covariances = np.tile(_covariance_from_axes(rotation, _S4_AXIS_STD), (3, 1, 1))
    blocks = [rng.multivariate_normal(mean, cov, size=n) for n, mean, cov in zip(_S4_COUNTS, means, covariances)]
    X, labels = _shuffled(rng, np.concatenate(blocks), np.repeat(np.arange(3), _S4_COUNTS))
    return Scenario(
        key="S4",
        name="k-means fails: stretched clusters",
        description=(
            "Three long, parallel, tilted clusters. k-means draws round clusters and cuts the bands across their "
            "length; EM, started from that very k-means result, turns its ellipses along the bands and separates "
            "them (compare the adjusted Rand index of both)."
        ),
        X=X,
        feature_names=("x1", "x2"),
        n_components=3,
        init_method="kmeans",
        random_state=_S4_SEED,
        true_labels=labels,
        true_params=_mixture_from_counts(_S4_COUNTS, means, covariances),
    )


# --- S5 --------------------------------------------------------------------------------------------------------

_S5_SEED = 5
_S5_POINTS_PER_MOON = 250
_S5_NOISE = 0.08


def _half_moons(rng, points_per_moon, noise):
    """Two interleaved half-circles of radius 1: the upper one centred at (0, 0), the lower at (1, 0.5)."""
    upper_angles = rng.uniform(0.0, np.pi, size=points_per_moon)
    lower_angles = rng.uniform(0.0, np.pi, size=points_per_moon)
    upper = np.column_stack([np.cos(upper_angles), np.sin(upper_angles)])
    lower = np.column_stack([1.0 - np.cos(lower_angles), 0.5 - np.sin(lower_angles)])
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((2 * points_per_moon, 2))
    return X, np.repeat([0, 1], points_per_moon)


def _density_with_16_components():
    rng = np.random.default_rng(_S5_SEED)
    X, labels = _shuffled(rng, *_half_moons(rng, _S5_POINTS_PER_MOON, _S5_NOISE))
    return Scenario(
        key="S5",
        name="Half-moons: density with 16 components",
        description=(
            "Two interleaved half-moons are not Gaussian: 2 components cluster them poorly, but 16 components, "
            "labels ignored, model their density well. Draw new samples from the fitted model and compare them "
            "with the data."
        ),
        X=X,
        feature_names=("x1", "x2"),
        n_components=16,
        random_state=_S5_SEED,
        true_labels=labels,
        label_names=("upper moon", "lower moon"),
        max_iter=500,
    )


# --- S6 --------------------------------------------------------------------------------------------------------

_S6A_SEED = 6
_S6A_N_SAMPLES = 10_000
_S6A_N_COMPONENTS = 100


def _triangle_density():
    # Order of draws from one generator: the 10,000 uniforms for the data, then the weights, means and variances.
    rng = np.random.default_rng(_S6A_SEED)
    uniforms = rng.random(_S6A_N_SAMPLES)
    X = 1.0 - np.sqrt(1.0 - uniforms)  # inverse of the CDF F(x) = 2x - x^2 of p(x) = 2 - 2x
    # 1 - random() lies in (0, 1]: no weight or variance can be exactly zero.
    raw_weights = 1.0 - rng.random(_S6A_N_COMPONENTS)
    means = rng.random((_S6A_N_COMPONENTS, 1))
    variances = (1.0 - rng.random(_S6A_N_COMPONENTS)) ** 2
    initial = GaussianMixtureParams(raw_weights / raw_weights.sum(), means, variances.reshape(-1, 1, 1))
    return Scenario(
        key="S6a",
        name="1-D density: 2 − 2x with 100 components",
        description=(
            "10,000 samples of the triangle density p(x) = 2 − 2x on (0, 1), fitted with 100 Gaussians from a "
            "random start. Compare the fitted density with the histogram on [-1, 2]: the mixture must round off the "
            "sharp edges at 0 and 1. Stops when the weight vector changes by less than 0.001."
        ),
        X=X[:, None],
        feature_names=("x",),
        n_components=_S6A_N_COMPONENTS,
        initial=initial,
        init_method=None,
        random_state=_S6A_SEED,
        max_iter=1000,
        tol=1e-3,
        convergence="weights",
        display_columns=(0, 0),
        true_density=PiecewiseLinearDensity((0.0, 1.0), (2.0, 0.0), "2 − 2x on (0, 1)"),
    )


_S6B_SEED = 0
_S6B_COUNTS = (500, 500)  # women, men: half each
_S6B_MEANS = ((163.0,), (176.0,))  # cm: plausible adult women and men
_S6B_STDS = (6.5, 7.0)  # cm


def _heights():
    rng = np.random.default_rng(_S6B_SEED)
    blocks = [rng.normal(mean[0], std, size=n) for n, mean, std in zip(_S6B_COUNTS, _S6B_MEANS, _S6B_STDS)]
    X, labels = _shuffled(rng, np.concatenate(blocks)[:, None], np.repeat([0, 1], _S6B_COUNTS))
    variances = np.square(_S6B_STDS).reshape(-1, 1, 1)
    return Scenario(
        key="S6b",
        name="Heights of men and women",
        description=(
            "1,000 heights, half women ~ N(163, 6.5²) and half men ~ N(176, 7²) cm, mixed without labels: the "
            "histogram shows one wide hump, yet two components recover each group's mean and standard deviation. "
            "The groups overlap so much that EM needs about a thousand iterations to settle."
        ),
        X=X,
        feature_names=("height (cm)",),
        n_components=2,
        random_state=_S6B_SEED,
        true_labels=labels,
        label_names=("women", "men"),
        true_params=_mixture_from_counts(_S6B_COUNTS, _S6B_MEANS, variances),
        # Heavily overlapping groups make EM crawl: a loose tolerance would stop it far from the optimum.
        max_iter=3000,
        tol=1e-9,
        display_columns=(0, 0),
    )


# --- S7 --------------------------------------------------------------------------------------------------------

_S7_SEED = 8
_S7_COUNTS = (200, 150, 150)
_S7_MEANS = ((0.0, 0.0), (7.0, 1.0), (3.0, 7.0))
_S7_ANGLES_DEGREES = (35.0, -50.0, 0.0)
_S7_AXIS_STDS = ((2.5, 0.6), (1.8, 0.4), (1.2, 1.2))  # long, short: two stretched differently, one round


def _covariance_types():
    rng = np.random.default_rng(_S7_SEED)
    covariances = np.stack(
        [
            _covariance_from_axes(_rotation_2d(angle), np.asarray(axis_std))
            for angle, axis_std in zip(_S7_ANGLES_DEGREES, _S7_AXIS_STDS)
        ]
    )
    blocks = [rng.multivariate_normal(mean, cov, size=n) for n, mean, cov in zip(_S7_COUNTS, _S7_MEANS, covariances)]
    X, labels = _shuffled(rng, np.concatenate(blocks), np.repeat(np.arange(3), _S7_COUNTS))
    return Scenario(
        key="S7",
        name="Covariance types on one data set",
        description=(
            "Three clusters with different orientations and sizes, fitted as full, tied, diagonal and spherical "
            "mixtures: only full ellipses can tilt each their own way; tied share one shape, diagonal ones stay "
            "axis-aligned, spherical ones are circles."
        ),
        X=X,
        feature_names=("x1", "x2"),
        n_components=3,
        random_state=_S7_SEED,
        true_labels=labels,
        true_params=_mixture_from_counts(_S7_COUNTS, _S7_MEANS, covariances),
    )


# --- S8 --------------------------------------------------------------------------------------------------------


def _iris():
    column_names, text = _read_csv_resource("iris.csv")
    X = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=(0, 1, 2, 3), ndmin=2)
    species = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1, usecols=4, dtype=str)
    # np.unique sorts names: setosa, versicolor, virginica, which is also the file's order.
    species_names, labels = np.unique(species, return_inverse=True)
    return Scenario(
        key="S8",
        name="Iris",
        description=(
            "150 iris flowers, 4 measurements, 3 species. EM sees no species, yet its clusters agree closely with "
            "them (adjusted Rand index); plot petal length against petal width, which separate the species best."
        ),
        X=X,
        feature_names=tuple(name.replace("_", " ") + " (cm)" for name in column_names[:4]),
        n_components=3,
        true_labels=labels,
        label_names=tuple(str(name) for name in species_names),
        display_columns=(2, 3),
    )


# --- The catalogue ---------------------------------------------------------------------------------------------

# Teaching order: clustering first (EM on clean clusters, initialisation, real data, k-means, covariance types, a
# 4-D set), then two populations in one dimension, then density estimation (2-D half-moons, the 1-D triangle).
_BUILDERS = {
    "S1": _three_elongated_clusters,
    "S2": _two_round_clusters_bad_start,
    "S3": _old_faithful,
    "S4": _kmeans_fails,
    "S7": _covariance_types,
    "S8": _iris,
    "S6b": _heights,
    "S5": _density_with_16_components,
    "S6a": _triangle_density,
}


def list_scenarios():
    """The preset scenarios in teaching order.

    Returns
    -------
    list of (key, name) tuples of str
    """
    return [(key, load_scenario(key).name) for key in _BUILDERS]


@cache
def load_scenario(key):
    """The preset scenario ``key`` (see ``list_scenarios``); the same object, with read-only arrays, every time.

    Raises
    ------
    ParameterError
        For an unknown key.
    """
    if key not in _BUILDERS:
        raise ParameterError(f"unknown scenario {key!r}; the scenarios are {', '.join(_BUILDERS)}.")
    return _BUILDERS[key]()


# --- Generate mode ---------------------------------------------------------------------------------------------

_MEAN_PLACEMENT_ATTEMPTS = 200


def _spread_out_means(rng, n_clusters, n_features, separation):
    """Random centres, each at least ``separation`` from the others where random tries allow.

    Candidates are uniform in a cube whose volume grows with the number of clusters; each centre is the first
    candidate far enough from those already placed, or, failing that, the candidate farthest from them.
    """
    half_side = 0.5 * separation * max(n_clusters, 1) ** (1.0 / n_features) * 1.5
    means = np.empty((n_clusters, n_features))
    for k in range(n_clusters):
        candidates = rng.uniform(-half_side, half_side, size=(_MEAN_PLACEMENT_ATTEMPTS, n_features))
        if k == 0:
            means[0] = candidates[0]
            continue
        nearest = np.min(np.linalg.norm(candidates[:, None, :] - means[None, :k, :], axis=2), axis=1)
        far_enough = np.flatnonzero(nearest >= separation)
        means[k] = candidates[far_enough[0] if far_enough.size else int(np.argmax(nearest))]
    return means - means.mean(axis=0)


def _random_rotation(rng, n_features):
    """A uniformly random rotation (orthogonal matrix with determinant +1), shape (D, D)."""
    q, r = np.linalg.qr(rng.standard_normal((n_features, n_features)))
    q = q * np.sign(np.diag(r))  # makes the QR factor unique, hence uniformly distributed
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    return q


def generate_clusters(
    n_clusters=3,
    points_per_cluster=100,
    spread=1.0,
    elongation=1.0,
    separation=4.0,
    seed=0,
    n_features=2,
):
    """Random Gaussian clusters with known truth, for the app's Generate mode.

    Each cluster gets a random centre (centres roughly ``separation`` apart), a random orientation, and axis
    standard deviations spread geometrically from ``spread / sqrt(elongation)`` to ``spread * sqrt(elongation)``,
    so ``spread`` sets the cluster's size and ``elongation`` only its shape. The points are shuffled.

    Parameters
    ----------
    n_clusters : int >= 1
    points_per_cluster : int >= 1 or sequence of n_clusters ints >= 1
    spread : float > 0
        Geometric mean of a cluster's axis standard deviations.
    elongation : float >= 1
        Ratio of the longest to the shortest axis (1: round clusters). Ignored in 1-D.
    separation : float >= 0
        Aimed-at minimum distance between centres.
    seed : int
        Seed of ``numpy.random.default_rng``: the same arguments give the same data.
    n_features : int >= 1

    Returns
    -------
    Scenario
        Key "generated", K = n_clusters, initialised by "kmeans++", with true labels and true parameters.
    """
    n_clusters = check_whole("n_clusters", n_clusters, 1)
    n_features = check_whole("n_features", n_features, 1)
    if np.ndim(points_per_cluster) == 0:
        counts = (check_whole("points_per_cluster", points_per_cluster, 1),) * n_clusters
    else:
        counts = tuple(check_whole("each entry of points_per_cluster", n, 1) for n in points_per_cluster)
        if len(counts) != n_clusters:
            raise ParameterError(
                f"points_per_cluster must give one count per cluster ({n_clusters}); got {len(counts)}."
            )
    for name, value, minimum, strict in (
        ("spread", spread, 0.0, True),
        ("elongation", elongation, 1.0, False),
        ("separation", separation, 0.0, False),
    ):
        if not np.isfinite(value) or value < minimum or (strict and value == minimum):
            relation = ">" if strict else ">="
            raise ParameterError(f"{name} must be a finite number {relation} {minimum:g}; got {value!r}.")

    rng = np.random.default_rng(seed)
    means = _spread_out_means(rng, n_clusters, n_features, separation)
    # Exponents from -1/2 to 1/2: the axes' geometric mean stays ``spread`` and their extreme ratio is ``elongation``.
    exponents = np.linspace(-0.5, 0.5, n_features) if n_features > 1 else np.zeros(1)
    axis_std = spread * float(elongation) ** exponents
    covariances = np.stack(
        [_covariance_from_axes(_random_rotation(rng, n_features), axis_std) for _ in range(n_clusters)]
    )
    blocks = [rng.multivariate_normal(mean, cov, size=n) for n, mean, cov in zip(counts, means, covariances)]
    X, labels = _shuffled(rng, np.concatenate(blocks), np.repeat(np.arange(n_clusters), counts))
    shape = "round" if elongation == 1 or n_features == 1 else f"elongated ({elongation:g}:1)"
    return Scenario(
        key="generated",
        name=f"Generated: {n_clusters} {shape} cluster{'s' if n_clusters > 1 else ''}",
        description=(
            f"{X.shape[0]} points from {n_clusters} random Gaussian cluster(s) in {n_features}-D with known truth: "
            "compare the fitted components with the generating ones."
        ),
        X=X,
        feature_names=tuple(f"x{d + 1}" for d in range(n_features)),
        n_components=n_clusters,
        random_state=int(seed),
        true_labels=labels,
        true_params=_mixture_from_counts(counts, means, covariances),
        display_columns=(0, 1) if n_features > 1 else (0, 0),
    )
