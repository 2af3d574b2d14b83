"""The data the app holds: a preset, generated clusters or an upload, and the columns the user fits and shows."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import gmm_core
from gmm_core import DataError, GaussianMixtureParams, PiecewiseLinearDensity
from gmm_core.scenarios import Scenario

from .drawing import FEATURE_NAMES, class_labels

#: Above this many points the charts draw a seeded random subsample (the fit always uses every point). Each
#: scrub step redraws the points in the browser: measured at N = 10^5, 20,000 drawn points cost 3.3 s a step,
#: 5,000 cost 1.2 s (bench/app.py), and 5,000 still show every cluster's shape.
DISPLAY_LIMIT = 5_000
#: The animated EM chart draws fewer: its points are SVG (plotly.js does not draw WebGL traces again in animation
#: frames), and a scrub step recolours every one of them. Measured at N = 10^5, K = 5 in Debian's chromium: 1,000
#: points 99 ms a step, 2,000 points 141 ms, 3,000 points 191 ms (median of 15, to the next frame drawn); 1,500
#: points 128 ms median but 211 ms worst in the app bench. 1,000 points still show each cluster's shape.
ANIMATION_DISPLAY_LIMIT = 1_000
#: The side-by-side charts of the comparison tabs share this many points among their panels (two panels: 300 each;
#: four: 150 each): their frames also move two to four sets of ellipses, at about a millisecond per trace.
COMPARISON_DISPLAY_LIMIT = 600
#: The largest upload in MB (2**20 bytes), refused in the browser by the uploader and again by the reader.
#: ``server.maxUploadSize`` in .streamlit/config.toml, the server's own limit, must not be lower.
MAX_UPLOAD_MB = 50
#: An upload with more data rows is fitted on a seeded random sample of this many rows (the user picks the seed).
MAX_ROWS = 200_000
#: The fit uses at most this many columns at once (a full covariance grows with their square).
MAX_FIT_COLUMNS = 10
#: Values beyond this are refused: their squares, in variances and distances, would overflow.
MAX_MAGNITUDE = 1e100
#: Past these scales reg_covar and rounding distort a fit in the data's own units, so standardising is suggested.
LARGE_VALUE = 1e6
SMALL_SPREAD = 1e-6
#: Fixed x-ranges of 1-D density charts where a scenario prescribes one (S6a's tutorial draws it "on [-1, 2]").
#: TODO-engine: a ``display_range`` field on Scenario would keep this knowledge with the scenario.
DENSITY_RANGES = {"S6a": (-1.0, 2.0)}


class BadRowsError(DataError):
    """Some rows hold missing, non-finite or non-numeric values in the columns to fit: the user may drop them."""


@dataclass(frozen=True, eq=False)
class LoadedData:
    """A data set as loaded, with every numeric column, before the user chooses columns.

    Attributes
    ----------
    identity : str
        Changes exactly when a different data set is loaded (which resets the start and the iteration).
    title : str
        Name shown to the user (for uploads, the file name: always shown as plain text).
    description : str
    X : ndarray of shape (N, D)
    feature_names : tuple of str, length D
    true_labels : ndarray of shape (N,) or None
    label_names : tuple of str
        Names of the true classes, indexed by label (may be empty).
    true_params : GaussianMixtureParams or None
        The generating mixture, in the units of ``X``.
    true_density : gmm_core.PiecewiseLinearDensity or None
        The true density of 1-D data where known and no mixture (S6a), in the units of ``X``.
    scenario : Scenario or None
        The preset or generated scenario (its settings are the defaults); None for uploads.
    notes : tuple of str
        How an upload was read (rows dropped, decimal commas...), for the user.
    row_choice : str
        Which of the file's rows are used ("" for all of them). Other rows of the same file are the same data set
        with other points: the user's settings stay, but a start computed from the points is computed again.
    """

    identity: str
    title: str
    description: str
    X: np.ndarray
    feature_names: tuple
    true_labels: np.ndarray | None = None
    label_names: tuple = ()
    true_params: GaussianMixtureParams | None = None
    true_density: PiecewiseLinearDensity | None = None
    scenario: Scenario | None = None
    notes: tuple = ()
    row_choice: str = ""

    @property
    def n_points(self) -> int:
        return self.X.shape[0]

    def density_range(self):
        """Fixed x-range of 1-D density charts for this data set, or None to follow the data."""
        return DENSITY_RANGES.get(self.scenario.key) if self.scenario is not None else None


def from_scenario(scenario, identity):
    """The :class:`LoadedData` of a preset or generated scenario."""
    return LoadedData(
        identity=identity,
        title=scenario.name,
        description=scenario.description,
        X=scenario.X,
        feature_names=scenario.feature_names,
        true_labels=scenario.true_labels,
        label_names=scenario.label_names,
        true_params=scenario.true_params,
        true_density=scenario.true_density,
        scenario=scenario,
    )


def from_table(table, file_name, file_id, label_column=None, drop_bad_rows=False, sample_seed=0):
    """The :class:`LoadedData` of an uploaded table: its numeric columns, and true labels from ``label_column``.

    A table of more than :data:`MAX_ROWS` rows gives a seeded random sample of them (said in the notes).

    Parameters
    ----------
    table : gmm_core.data_io.Table
    file_name : str
    file_id : str
        Identifies this upload (another upload of the same file is another data set).
    label_column : str or None
        A column holding known classes (e.g. species); never used as a feature.
    drop_bad_rows : bool
        Leave out rows with missing or invalid numbers instead of refusing the file.
    sample_seed : int
        Seed of the random sample of a table of more than :data:`MAX_ROWS` rows.

    Raises
    ------
    BadRowsError
        When rows have bad values in the columns to fit (and ``drop_bad_rows`` is false).
    DataError
        When the table has no usable numeric column, or values too large to compute with.
    """
    columns = [name for name in table.numeric_columns if name != label_column]
    if not columns:
        raise DataError(
            f"{file_name} has no numeric column to fit"
            + (f" besides the label column {label_column!r}." if label_column else ".")
        )
    row_choice = []
    if drop_bad_rows and (kept := table.without_bad_rows(columns)) is not table:
        table = kept
        row_choice.append("bad rows dropped")
    try:
        X, names = table.points(columns)  # every row is checked, whether it is sampled or not
    except DataError as error:
        raise BadRowsError(str(error)) from None
    _check_magnitude(X, names, table.line_numbers)
    if table.n_rows > MAX_ROWS:
        table = table.subsample(MAX_ROWS, sample_seed)
        X, names = table.points(columns)
        row_choice.append(f"random sample, seed {sample_seed}")
    true_labels, label_names = None, ()
    if label_column:
        label_names, true_labels = np.unique(np.asarray(table.label_column(label_column)), return_inverse=True)
        label_names = tuple(str(name) for name in label_names)
    return LoadedData(
        identity=f"upload:{file_id}",
        title=file_name,
        description=f"Uploaded file; columns: {', '.join(table.column_names)}.",
        X=X,
        feature_names=tuple(names),
        true_labels=true_labels,
        label_names=label_names,
        notes=tuple(table.notes),
        row_choice="; ".join(row_choice),
    )


def from_drawn(drawn):
    """The :class:`LoadedData` of a data set drawn by hand (``gmm_ui.drawing.Drawn``): each cloud a true class."""
    labels, names = class_labels(drawn)
    n_clouds = len(names)
    return LoadedData(
        identity=drawn.identity(),
        title="Drawn by hand",
        description=f"Your own points: {n_clouds} cloud{'s' * (n_clouds != 1)}, each a class (the truth).",
        X=np.array(drawn.points, dtype=np.float64),
        feature_names=FEATURE_NAMES,
        true_labels=labels,
        label_names=names,
    )


def _check_magnitude(X, names, line_numbers):
    """Raise DataError naming the first value beyond :data:`MAX_MAGNITUDE`, its column and its line."""
    too_large = np.abs(X) > MAX_MAGNITUDE
    if too_large.any():
        row, column = np.argwhere(too_large)[0]
        raise DataError(
            f"Column {names[column]!r} holds {X[row, column]:.3g} on line {line_numbers[row]}: values beyond "
            f"±{MAX_MAGNITUDE:.0e} are too large to compute with (their squares overflow). Rescale the column "
            "in the file, for example divide it by a power of ten."
        )


@dataclass(frozen=True, eq=False)
class FitData:
    """The points EM sees: the chosen columns, standardised or not, and what is known about them.

    Attributes
    ----------
    source : LoadedData
    X : ndarray of shape (N, d)
        The chosen columns (standardised if asked).
    feature_names : tuple of str, length d
    columns : tuple of int
        Indices of the chosen columns in ``source.X``.
    shown : tuple of int
        Indices, within ``X``, of the columns drawn on the x and y axes ((0, 0) for 1-D data).
    standardized : bool
    true_params : GaussianMixtureParams or None
        The generating mixture's marginal on the chosen columns, in the units of ``X``; None when unknown.
    true_density : gmm_core.PiecewiseLinearDensity or None
        The true density of 1-D data where known and no mixture (S6a), in the units of ``X``.
    """

    source: LoadedData
    X: np.ndarray
    feature_names: tuple
    columns: tuple
    shown: tuple
    standardized: bool
    true_params: GaussianMixtureParams | None
    true_density: PiecewiseLinearDensity | None = None

    @property
    def n_points(self) -> int:
        return self.X.shape[0]

    @property
    def n_features(self) -> int:
        return self.X.shape[1]

    @property
    def true_labels(self):
        return self.source.true_labels

    @property
    def signature(self):
        """What the start depends on: the data set, the chosen columns and their scaling."""
        return (self.source.identity, self.columns, self.standardized)

    @property
    def is_scenario_as_prescribed(self) -> bool:
        """True when the points are exactly those the scenario prescribes (every column, standardised exactly when
        it says so), so its starts, given in those units, apply."""
        scenario = self.source.scenario
        return (
            scenario is not None
            and self.standardized == scenario.standardize
            and self.columns == tuple(range(scenario.n_features))
        )

    @property
    def truth_1d(self):
        """What a 1-D chart draws as the truth: the generating mixture, else the known density, else None."""
        if self.n_features != 1:
            return None
        return self.true_params if self.true_params is not None else self.true_density


def prepare_fit_data(source, column_names, shown_names, standardize):
    """The :class:`FitData` of ``source`` restricted to ``column_names``, drawn on ``shown_names``.

    Parameters
    ----------
    source : LoadedData
    column_names : sequence of str
        Columns to fit, in the data set's order; at least one.
    shown_names : sequence of two str
        Columns for the x and y axes, among ``column_names`` (ignored for one column).
    standardize : bool

    Raises
    ------
    DataError
        When no column is chosen or a chosen column is constant under standardisation.
    """
    columns = tuple(i for i, name in enumerate(source.feature_names) if name in set(column_names))
    if not columns:
        raise DataError("Choose at least one column to fit.")
    names = tuple(source.feature_names[i] for i in columns)
    X = source.X[:, columns]
    scaling = gmm_core.standardization(X, names) if standardize else None
    if scaling is not None:
        X = scaling.apply(X)
    if len(columns) == 1:
        shown = (0, 0)
    else:
        shown = tuple(names.index(name) for name in shown_names if name in names)[:2]
        if len(shown) < 2 or shown[0] == shown[1]:
            shown = (0, 1)
    true_params = None
    if source.true_params is not None:
        true_params = source.true_params.marginal(columns)
        if scaling is not None:
            true_params = scaling.params(true_params)
    true_density = source.true_density if len(columns) == 1 else None
    if true_density is not None and scaling is not None:
        true_density = true_density.standardized(scaling.mean[0], scaling.scale[0])
    return FitData(
        source=source,
        X=X,
        feature_names=names,
        columns=columns,
        shown=shown,
        standardized=bool(standardize),
        true_params=true_params,
        true_density=true_density,
    )


def scale_hint(fit_data):
    """Advice to standardise when the columns' scale distorts a fit in their own units, or None.

    Very large values leave little precision for their differences, and a very small spread is swamped by
    reg_covar (added to every variance); in units of standard deviations neither happens.
    """
    if fit_data.standardized:
        return None
    largest = np.abs(fit_data.X).max(axis=0)
    spread = fit_data.X.std(axis=0)
    problems = [
        f"{name!r} reaches {value:.2g}" if value > LARGE_VALUE else f"{name!r} has a standard deviation of {sd:.2g}"
        for name, value, sd in zip(fit_data.feature_names, largest, spread)
        if value > LARGE_VALUE or 0 < sd < SMALL_SPREAD
    ]
    if not problems:
        return None
    return (
        f"Extreme scale: {'; '.join(problems)}. At this scale rounding and reg_covar distort the fit. Turn on "
        "“Standardise columns” to fit in units of standard deviations."
    )


def display_indices(n_points, limit=DISPLAY_LIMIT, seed=0):
    """Indices of the points to draw: all of them, or a seeded sorted random subsample of ``limit``."""
    if n_points <= limit:
        return np.arange(n_points)
    return np.sort(np.random.default_rng(seed).choice(n_points, size=limit, replace=False))
