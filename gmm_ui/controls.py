"""The sidebar: where the data come from, which columns are fitted, the model, its start and what is drawn."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from gmm_core import COVARIANCE_TYPES, DataError, ParameterError
from gmm_core.scenarios import list_scenarios, load_scenario

from . import data, fitting, start, strategies, touch
from . import state as keys
from .data import BadRowsError, from_scenario, from_table, prepare_fit_data, scale_hint
from .figures.layout import PLAY_SPEEDS
from .fitting import CONVERGENCE_LABELS, COVARIANCE_LABELS, FitSettings, read_upload
from .state import (
    DRAW,
    GENERATE,
    MAX_SEED,
    NO_LABELS,
    PRESET,
    PRESET_IDENTITY,
    UPLOAD,
    apply_data_defaults,
    clamp,
    keep_choice,
    keep_choices,
)
from .text import plain

MAX_COMPONENTS = 200
DROP_BAD_ROWS = "Drop rows with missing or invalid values"
#: Widgets drawn only in some runs keep their values while hidden.
HIDDEN_KEEPS_VALUE = dict(persist_state="page")


@dataclass(frozen=True)
class DisplayOptions:
    """What the charts overlay: ellipses at these numbers of standard deviations, and the truth; how fast Play goes;
    whether the charts' text is large (for presenting)."""

    n_stds: tuple
    show_truth: bool
    play_speed: str = "normal"
    large_text: bool = False


# --- Data ------------------------------------------------------------------------------------------------------


def _preset_data(key):
    return from_scenario(load_scenario(key), identity=f"{PRESET_IDENTITY}{key}")


def _preset():
    names = dict(list_scenarios())
    keep_choice(st.session_state, keys.SCENARIO, list(names))
    key = st.selectbox("Teaching case", list(names), format_func=names.get, key=keys.SCENARIO, **HIDDEN_KEEPS_VALUE)
    return _preset_data(key)


def _bump_seed():
    st.session_state[keys.GEN_SEED] += 1


def _generated():
    left, right = st.columns(2)
    n_clusters = left.number_input("Clusters", 1, 12, step=1, key=keys.GEN_CLUSTERS, **HIDDEN_KEEPS_VALUE)
    per_cluster = right.number_input("Points each", 2, 50_000, step=50, key=keys.GEN_POINTS, **HIDDEN_KEEPS_VALUE)
    spread = left.number_input("Spread σ", 0.05, 20.0, step=0.1, key=keys.GEN_SPREAD, **HIDDEN_KEEPS_VALUE)
    elongation = right.number_input(
        "Elongation",
        1.0,
        30.0,
        step=0.5,
        key=keys.GEN_ELONGATION,
        **HIDDEN_KEEPS_VALUE,
        help="Ratio of each cluster's long axis to its short axis (1 = round).",
    )
    separation = left.number_input(
        "Separation",
        0.0,
        100.0,
        step=0.5,
        key=keys.GEN_SEPARATION,
        **HIDDEN_KEEPS_VALUE,
        help="Aimed-at distance between cluster centres.",
    )
    seed = right.number_input("Seed", 0, MAX_SEED, step=1, key=keys.GEN_SEED, **HIDDEN_KEEPS_VALUE)
    st.button(
        "New sample",
        key=keys.NEW_SAMPLE,
        on_click=_bump_seed,
        icon=":material/casino:",
        help="Draw new points from new clusters (next seed).",
    )
    settings = dict(
        n_clusters=int(n_clusters),
        points_per_cluster=int(per_cluster),
        spread=float(spread),
        elongation=float(elongation),
        separation=float(separation),
        seed=int(seed),
    )
    try:
        scenario = fitting.generate_clusters(**settings)
    except ParameterError as error:
        st.error(plain(error))
        return None
    return from_scenario(scenario, identity="generated:" + ":".join(map(str, settings.values())))


def _upload_options(table, file_id):
    """Which column holds known labels, whether to drop bad rows and the seed of the sample of a long file.

    Returns (label column or None, drop bad rows, sample seed).
    """
    state = st.session_state
    non_numeric = [column.name for column in table.non_numeric_columns]
    label_options = [NO_LABELS, *non_numeric, *table.numeric_columns]
    if state.get(keys.UPLOAD_FILE_ID) != file_id:
        # A new file: suggest its first text column (species, class...) as the known labels.
        state[keys.UPLOAD_FILE_ID] = file_id
        state[keys.UPLOAD_LABELS] = non_numeric[0] if non_numeric else NO_LABELS
    keep_choice(state, keys.UPLOAD_LABELS, label_options, NO_LABELS)
    label_column = st.selectbox(
        "Column of known labels (optional)",
        label_options,
        key=keys.UPLOAD_LABELS,
        help="Classes known in advance (e.g. species): never fitted, only compared with the clusters.",
    )
    drop_bad_rows = st.checkbox(
        DROP_BAD_ROWS,
        key=keys.DROP_BAD_ROWS,
        help="Leave out every row with a blank, NaN, infinite or text value in a column to fit.",
    )
    sample_seed = 0
    if table.n_rows > data.MAX_ROWS:
        st.info(
            f"This file has {table.n_rows:,} rows, more than the {data.MAX_ROWS:,} the app fits at once: it uses a "
            f"random sample of {data.MAX_ROWS:,} rows, drawn with the seed below.",
            icon=":material/info:",
        )
        sample_seed = st.number_input(
            "Seed of the sample",
            0,
            MAX_SEED,
            step=1,
            key=keys.UPLOAD_SAMPLE_SEED,
            **HIDDEN_KEEPS_VALUE,
            help="The same seed always draws the same rows; change it to draw others.",
        )
    return (None if label_column == NO_LABELS else label_column), drop_bad_rows, int(sample_seed)


def _uploaded():
    # Any file is accepted: the reader, not the file's name, decides what it is, and explains (an Excel workbook:
    # "save it as CSV") where a browser's file-type filter would only refuse.
    uploaded = st.file_uploader(
        "CSV file (one point per row)",
        type=None,
        key=keys.UPLOADER,
        max_upload_size=data.MAX_UPLOAD_MB,
        help=f"A CSV, TSV or text file of numbers, one point per row, with or without a header row; at most "
        f"{data.MAX_UPLOAD_MB} MB. A file of more than {data.MAX_ROWS:,} rows is fitted on a random sample of "
        f"{data.MAX_ROWS:,} of them, and the fit uses at most {data.MAX_FIT_COLUMNS} columns at once. The file "
        "is only read as text, never run.",
    )
    earlier = st.session_state.get(keys.UPLOADED_DATA)
    if uploaded is None:
        if earlier is not None:
            # The uploader forgets its file when another source is shown; the user's upload is kept here.
            st.caption(f"Using your earlier upload, {plain(earlier.title)}. Choose a file to replace it.")
            return earlier
        st.caption("Choose a file of numbers, one point per row. The current data stay loaded until then.")
        return None
    upload = read_upload(uploaded.getvalue(), data.MAX_UPLOAD_MB * 2**20)
    if upload.error:
        st.error(f"Could not read {plain(uploaded.name)}: {plain(upload.error)}", icon=":material/error:")
        return None
    table = upload.value
    label_column, drop_bad_rows, sample_seed = _upload_options(table, uploaded.file_id)
    state = st.session_state
    choice = (uploaded.file_id, uploaded.name, label_column, drop_bad_rows, sample_seed)
    if earlier is not None and state.get(keys.UPLOADED_CHOICE) == choice:
        loaded = earlier  # a rerun: a large table's points and labels are not read again
    else:
        try:
            loaded = from_table(table, uploaded.name, uploaded.file_id, label_column, drop_bad_rows, sample_seed)
        except DataError as error:
            bad_rows = isinstance(error, BadRowsError)
            remedy = f" Tick “{DROP_BAD_ROWS}” above to leave those rows out." if bad_rows else ""
            st.error(f"Could not use {plain(uploaded.name)}: {plain(error)}{plain(remedy)}", icon=":material/error:")
            return None
    for note in loaded.notes:
        st.caption(plain(note))
    state[keys.UPLOADED_DATA] = loaded
    state[keys.UPLOADED_CHOICE] = choice
    return loaded


def data_section():
    """Data source pickers; returns the loaded data set (the previous one when a new one fails to load)."""
    st.subheader("Data")
    keep_choice(st.session_state, keys.DATASET_SOURCE, [PRESET, GENERATE, UPLOAD, DRAW])
    source = st.segmented_control("Source", [PRESET, GENERATE, UPLOAD, DRAW], key=keys.DATASET_SOURCE, required=True)
    requested = {PRESET: _preset, GENERATE: _generated, UPLOAD: _uploaded, DRAW: touch.drawn_data}[source]()
    state = st.session_state
    if requested is not None:
        state[keys.DATA] = requested
    elif keys.DATA not in state:
        state[keys.DATA] = _preset_data(state[keys.SCENARIO])
    loaded = state[keys.DATA]
    if requested is None and source != PRESET:
        st.caption(f"Still showing: {plain(loaded.title)} ({loaded.n_points:,} points).")
    if state.get(keys.DATA_IDENTITY) != loaded.identity:
        apply_data_defaults(state, loaded)
    return loaded


# --- Columns ---------------------------------------------------------------------------------------------------


def columns_section(loaded):
    """Columns to fit and to draw, and standardisation; returns the FitData, or None with a message."""
    state = st.session_state
    names = list(loaded.feature_names)
    if len(names) > 2:
        kept = [name for name in state.get(keys.FIT_COLUMNS, names) if name in names]
        state[keys.FIT_COLUMNS] = kept[: data.MAX_FIT_COLUMNS]
        chosen = st.multiselect(
            "Columns to fit",
            names,
            key=keys.FIT_COLUMNS,
            **HIDDEN_KEEPS_VALUE,
            max_selections=data.MAX_FIT_COLUMNS,
            help=f"EM uses every chosen column (at most {data.MAX_FIT_COLUMNS}); the chart shows two of them.",
        )
        if len(names) > data.MAX_FIT_COLUMNS:
            st.caption(
                f"The data have {len(names)} numeric columns; the fit uses at most {data.MAX_FIT_COLUMNS} at once."
            )
    else:
        chosen = names
    chosen = [name for name in names if name in chosen]  # the data set's order
    if len(chosen) > 2:
        keep_choice(state, keys.X_COLUMN, chosen, chosen[0])
        keep_choice(state, keys.Y_COLUMN, chosen, chosen[1])
        x_name = st.selectbox("Shown on the x axis", chosen, key=keys.X_COLUMN, **HIDDEN_KEEPS_VALUE)
        y_name = st.selectbox("Shown on the y axis", chosen, key=keys.Y_COLUMN, **HIDDEN_KEEPS_VALUE)
    else:
        x_name, y_name = chosen[0] if chosen else None, chosen[-1] if chosen else None
    standardize = st.toggle(
        "Standardise columns (mean 0, sd 1)",
        key=keys.STANDARDIZE,
        help="Subtract each column's mean and divide by its standard deviation before fitting.",
    )
    try:
        fit_data = prepare_fit_data(loaded, chosen, (x_name, y_name), standardize)
    except DataError as error:
        st.error(plain(error))
        if not (chosen and standardize):
            return None
        # Only the standardising failed (a constant column): the columns can still be fitted as they are.
        st.caption("Meanwhile the columns are fitted in their own units.")
        return prepare_fit_data(loaded, chosen, (x_name, y_name), False)
    if hint := scale_hint(fit_data):
        st.warning(plain(hint), icon=":material/straighten:")
    return fit_data


# --- Model and start -------------------------------------------------------------------------------------------


def model_section(fit_data):
    """K, covariance type, stopping rule and the initialisation strategy; returns (FitSettings, strategy, seed)."""
    st.subheader("Model")
    state = st.session_state
    max_components = min(MAX_COMPONENTS, fit_data.n_points)
    clamp(state, keys.N_COMPONENTS, 1, max_components)
    n_components = st.number_input("Components K", 1, max_components, step=1, key=keys.N_COMPONENTS)
    keep_choice(state, keys.COVARIANCE_TYPE, COVARIANCE_TYPES)
    keep_choice(state, keys.CONVERGENCE, list(CONVERGENCE_LABELS))
    covariance_type = st.selectbox(
        "Covariance type", COVARIANCE_TYPES, key=keys.COVARIANCE_TYPE, format_func=COVARIANCE_LABELS.get
    )
    left, right = st.columns(2)
    max_iter = left.number_input("Max iterations", 0, 5000, step=10, key=keys.MAX_ITER)
    reg_covar = right.number_input(
        "reg_covar",
        0.0,
        10.0,
        format="%.1e",
        key=keys.REG_COVAR,
        help="Added to every covariance's diagonal after each M-step: keeps Σ invertible.",
    )
    convergence = st.selectbox(
        "Convergence test",
        list(CONVERGENCE_LABELS),
        key=keys.CONVERGENCE,
        format_func=CONVERGENCE_LABELS.get,
        help="What must change by less than the tolerance from one iteration to the next. Q is the expected "
        "complete-data log-likelihood that each M-step maximises (the EM tab's maths panel writes it out).",
    )
    tol = st.number_input(
        "Tolerance",
        0.0,
        1e6,
        format="%.1e",
        key=keys.TOL,
        help="EM stops when the change above falls below this; 0 runs every iteration.",
    )
    st.subheader("Start")
    start.reconcile_strategy(fit_data, n_components)
    strategy = st.selectbox(
        "Initialisation",
        start.strategy_options(fit_data, n_components),
        format_func=strategies.strategy_label,
        key=keys.INIT_METHOD,
        on_change=start.edit_manual_start,
    )
    seed = st.number_input(
        "Seed",
        0,
        MAX_SEED,
        step=1,
        key=keys.SEED,
        disabled=not strategies.uses_seed(strategy),
        help="The same seed always gives the same start.",
    )
    settings = FitSettings(int(n_components), covariance_type, int(max_iter), float(tol), convergence, float(reg_covar))
    return settings, strategy, int(seed)


def display_section(fit_data):
    """What the charts overlay."""
    st.subheader("Display")
    keep_choices(st.session_state, keys.N_STD, [1, 2, 3])  # no ellipse at all is not a choice the charts offer
    keep_choice(st.session_state, keys.PLAY_SPEED, list(PLAY_SPEEDS))
    n_stds = st.segmented_control(
        "Ellipses at",
        [1, 2, 3],
        selection_mode="multi",
        key=keys.N_STD,
        format_func=lambda n: f"{n}σ",
        disabled=fit_data is None or fit_data.n_features == 1,
        help="Each component's ellipse at 1, 2 or 3 standard deviations.",
    )
    # Greyed out only when nothing true is known: no classes, no generating mixture and no known density (S6a's
    # 2 − 2x is no mixture, but it is the truth to compare the fit with).
    known = fit_data is not None and any(
        truth is not None for truth in (fit_data.true_labels, fit_data.true_params, fit_data.true_density)
    )
    show_truth = st.toggle(
        "Show the truth",
        key=keys.SHOW_TRUTH,
        disabled=not known,
        help="Where known: the generating ellipses (dashed) or, in 1-D, the true density (dashed) and components "
        "(dotted); the true classes (marker shapes); and the estimates the true labels give.",
    )
    # The same kind of control as the others here: a slider would be the first page's only one, and its script
    # would load before the first chart.
    play_speed = st.segmented_control(
        "Play speed",
        list(PLAY_SPEEDS),
        key=keys.PLAY_SPEED,
        required=True,
        format_func=str.capitalize,
        help="How fast the charts' ▶ Play goes. Each step is shown as long as it visibly moves something: the "
        "first big moves slowly, the long still end of a run quickly.",
    )
    large_text = st.toggle(
        "Large text",
        key=keys.LARGE_TEXT,
        help="For presenting: every chart's text at 18 px or more (titles, legends, axes, the parameters, the "
        "slider), thicker ellipses and larger markers. The charts keep it full screen.",
    )
    return DisplayOptions(tuple(sorted(n_stds)), bool(show_truth and known), play_speed, bool(large_text))
