"""What the user owns across reruns: every session-state key, its default, and the defaults a new data set brings.

Only the user's choices live in ``st.session_state``: widget values (by key), the loaded data set and the edited
start. Fits are never stored here; they are cached by their inputs (see ``gmm_ui.fitting``).

Every key the app reads or writes is declared here, once, as a constant (with its default where it has one); no
other module spells a key. This module imports no Streamlit: its functions take the session state (any mutable
mapping) as their first argument, so they can be tested on a plain dict.
"""

from __future__ import annotations

import re

PRESET, GENERATE, UPLOAD = "Preset", "Generate", "Upload CSV"
DEFAULT_SCENARIO = "S1"
NO_LABELS = "(none)"  # the upload's "no column of known labels" choice
MAX_SEED = 2**31 - 1

#: Every declared key and its value on first visit (None: no default, the key is set when it is needed).
KEYS = {}
#: Keys built from a prefix (see the functions at the end): the pattern every such key matches.
_BUILT_KEYS = []


def _declare(name, default=None):
    KEYS[name] = default
    return name


# --- Data: where the points come from ---------------------------------------------------------------------------
DATASET_SOURCE = _declare("dataset_source", PRESET)
SCENARIO = _declare("scenario", DEFAULT_SCENARIO)
GEN_CLUSTERS = _declare("gen_clusters", 3)
GEN_POINTS = _declare("gen_points", 150)
GEN_SPREAD = _declare("gen_spread", 1.0)
GEN_ELONGATION = _declare("gen_elongation", 3.0)
GEN_SEPARATION = _declare("gen_separation", 5.0)
GEN_SEED = _declare("gen_seed", 0)
NEW_SAMPLE = _declare("new_sample")  # the generator's "New sample" button
UPLOADER = _declare("upload")  # the file uploader
UPLOAD_LABELS = _declare("upload_labels", NO_LABELS)
DROP_BAD_ROWS = _declare("drop_bad_rows", False)
UPLOAD_SAMPLE_SEED = _declare("upload_sample_seed", 0)
UPLOAD_FILE_ID = _declare("upload_file_id")  # the uploaded file whose label column was suggested
UPLOADED_DATA = _declare("uploaded_data")  # the last upload read, kept while another source is shown
DATA = _declare("data")  # the loaded data set (gmm_ui.data.LoadedData)
DATA_IDENTITY = _declare("data_identity")  # the identity of the data set whose defaults were applied

# --- Columns ----------------------------------------------------------------------------------------------------
FIT_COLUMNS = _declare("fit_columns")
X_COLUMN = _declare("x_column")
Y_COLUMN = _declare("y_column")
STANDARDIZE = _declare("standardize", False)

# --- Model and start --------------------------------------------------------------------------------------------
N_COMPONENTS = _declare("n_components", 3)
COVARIANCE_TYPE = _declare("covariance_type", "full")
MAX_ITER = _declare("max_iter", 100)
TOL = _declare("tol", 1e-6)
CONVERGENCE = _declare("convergence", "log_likelihood")
REG_COVAR = _declare("reg_covar", 1e-6)
INIT_METHOD = _declare("init_method", "kmeans++")
SEED = _declare("seed", 0)
# The start editor (gmm_ui.start).
EDIT_START = _declare("edit_start", False)  # the toggle that shows the start as an editable grid
START_TABLE = _declare("init_table")  # the editable grid
START_FRAME = _declare("start_frame")  # the start table (a DataFrame), edits included once the editor closes
START_EDITED = _declare("start_edited")  # the table as last shown, edits included
START_PARAMS = _declare("start_params")  # the last valid start (GaussianMixtureParams)
START_DATA = _declare("start_data")  # the signature of the points the table belongs to
START_SIGNATURE = _declare("start_signature")  # the inputs of the strategy that last filled the table
START_MESSAGE = _declare("start_message")  # an error of the "Normalise weights" button, shown once
NORMALISE_WEIGHTS = _declare("normalise_weights")  # its button

# --- Display and the main area ----------------------------------------------------------------------------------
N_STD = _declare("n_std", [1, 2])
SHOW_TRUTH = _declare("show_truth", True)
PLAY_SPEED = _declare("play_speed", "normal")  # the animated charts' Play button: slow, normal or fast
LARGE_TEXT = _declare("large_text", False)  # presenting: every chart's text at 18 px or more
VIEW = _declare("view")  # the open tab (its label)
SHARE = _declare("share")  # the "Share this view" popover
ITERATION = _declare("iteration", 0)
HALF_STEPS = _declare("half_steps", False)
HALF_STEP = _declare("em_half_step", 0)  # the EM tab's opening half step, used instead of ITERATION with half steps
SHOW_DENSITY = _declare("show_density", False)
EM_CHART = _declare("em_chart")
OPENED_AT = _declare("opened_at", {})  # each animated chart's opening position as last drawn (gmm_ui.stage)
CAUGHT_UP = _declare("caught_up")  # the chart whose stop the browser reported in this run (gmm_ui.stage)
VIEWPORT = _declare("viewport")  # the browser window's {"width", "height"} in CSS px, as gmm_ui.stage reports it
DOWNLOAD_PARAMETERS = _declare("download_parameters")
DOWNLOAD_HISTORY = _declare("download_history")
DOWNLOAD_ANIMATION = _declare("download_animation")
# The EM tab's iterations side by side (gmm_ui.tabs.grid).
GRID_OPEN = _declare("grid_open")  # its expander (drawn only while open)
GRID_TEXT = _declare("grid_text")  # the iterations as typed
GRID_ITERATIONS = _declare("grid_iterations")  # the last valid iterations typed; None: the run's default ones
GRID_MESSAGE = _declare("grid_message")  # why the text typed was refused
GRID_DATA = _declare("grid_data")  # the data set the typed iterations belong to
GRID_FORMAT = _declare("grid_format", "PNG")  # the downloaded image's format
GRID_CHART = _declare("iterations_grid_chart")
RESTART_COUNT = _declare("restart_count", 10)
RESTART_METHOD = _declare("restart_method", "random_from_data")
RESTART_SEED = _declare("restart_seed", 0)
SELECT_MAX_K = _declare("select_max_k", 6)
SELECT_RESTARTS = _declare("select_restarts", 3)
SELECT_CRITERION = _declare("select_criterion", "BIC")
SELECT_MODEL = _declare("select_model")  # (covariance type, K) of the model drawn
CRITERION_CHART = _declare("criterion_chart")
SAMPLE_SEED = _declare("sample_seed", 0)
DRAW_SAMPLES = _declare("draw_samples")
# The two-boxes view (gmm_ui.tabs.boxes): its inputs, the last valid ones, its iteration control.
BOXES_ROUNDS = _declare("boxes_rounds", "3W2B, 2W3B, 1W4B, 3W2B, 2W3B")
BOXES_P1 = _declare("boxes_p1", 0.1)
BOXES_P2 = _declare("boxes_p2", 0.9)
BOXES_METHOD = _declare("boxes_method", "both")
BOXES_VALID = _declare("boxes_valid")  # (rounds, p1, p2) last read without error
BOXES_ITERATION = _declare("boxes_iteration", 1)

# --- A shared link (gmm_ui.share) -------------------------------------------------------------------------------
#: Settings read from a shared link, waiting for the data set they belong to (see apply_data_defaults).
LINK_SETTINGS = _declare("link_settings")
LINK_READ = _declare("link_read")
LINK_PROBLEMS = _declare("link_problems")
LINK_EXPECTED = _declare("link_expected")  # {parameter: (widget key, value, raw text)} to confirm once drawn
LINK_START_ROWS = _declare("link_start_rows")
LINK_REPLAY = _declare("link_replay")  # the link's settings for its data set, to apply once more without a refused one
LINK_FIXES = _declare("link_fixes")  # widget values to restore before the widgets of the next run exist

#: Every plain widget's key and its value on first visit. Widgets are created without ``value=``/``index=``:
#: session state is their single source of truth.
WIDGET_DEFAULTS = {key: default for key, default in KEYS.items() if default is not None}

#: The main area's tabs: a short stable name (used in links) and the label shown.
TABS = {
    "em": "EM, step by step",
    "starts": "Does the start matter?",
    "kmeans": "k-means vs GMM",
    "covariance": "Covariance types",
    "choose_k": "How many components?",
    "sampling": "Sampling from the model",
    "boxes": "Two boxes: EM by hand",
}
#: The key of the iteration on screen in each tab with an animated chart: one iteration the whole page shares
#: (gmm_ui.stage), kept in the link (tabs without such a chart are absent). The EM tab's half step is ``HALF_STEP``,
#: used instead of ``ITERATION`` while ``HALF_STEPS`` is on.
SCRUBBERS = {"em": ITERATION, "starts": ITERATION, "kmeans": ITERATION, "covariance": ITERATION}

#: How a preset's data set identity begins (gmm_ui.controls names them "preset:<key>").
PRESET_IDENTITY = "preset:"

#: The settings a scenario prescribes (an upload after a preset gets their defaults instead); each is also the name
#: of the Scenario's attribute.
MODEL_KEYS = (COVARIANCE_TYPE, MAX_ITER, TOL, CONVERGENCE, REG_COVAR, STANDARDIZE)


# --- Keys built from a prefix ----------------------------------------------------------------------------------


def _built(pattern):
    _BUILT_KEYS.append(re.compile(pattern))


_built(r"jump_\d+")
_built(r"(start|seed)_[ab]")
_built(r"[a-z_]+_chart")
_built(r"[a-z_]+_chart_stage")


def jump_key(iteration):
    """The EM tab's button that opens the chart at ``iteration``."""
    return f"jump_{iteration}"


def start_key(letter):
    """The strategy picker of compared start ``letter`` ("A" or "B")."""
    return f"start_{letter.lower()}"


def seed_key(letter):
    """The seed of compared start ``letter`` ("A" or "B")."""
    return f"seed_{letter.lower()}"


def stage_key(chart):
    """The toolbar (gmm_ui.stage) of animated chart ``chart``: its state is the frame the browser shows."""
    return f"{chart}_stage"


def chart_key(tab):
    """The side-by-side chart of tab ``tab`` (its name in TABS)."""
    return f"{tab}_chart"


def axis_key(axis):
    """The column shown on ``axis`` ("x" or "y")."""
    return X_COLUMN if axis == "x" else Y_COLUMN


def is_declared(key):
    """Whether ``key`` is a key of this module (declared, or built by one of its functions)."""
    return key in KEYS or any(pattern.fullmatch(key) for pattern in _BUILT_KEYS)


# --- Reading and resetting -------------------------------------------------------------------------------------


def clamp(state, key, low, high):
    """Keep the whole number at ``state[key]`` (``low`` when absent) within ``low``..``high``; returns it."""
    try:
        value = int(state.get(key, low))
    except (TypeError, ValueError, OverflowError):  # None (an empty field a page sent), text, NaN or infinity
        value = low
    state[key] = min(max(value, low), high)
    return state[key]


def keep_choice(state, key, options, fallback=None):
    """Replace ``state[key]`` by ``fallback`` when it is not one of ``options`` (before the widget is drawn).

    Without ``fallback``: the key's default where it is an option, else the first option. Besides a stale choice,
    this repairs a crafted message from a page (an empty selection of a choice that requires one)."""
    if state.get(key) not in options:
        default = KEYS.get(key)
        state[key] = fallback if fallback is not None else default if default in options else options[0]


def keep_choices(state, key, options):
    """As :func:`keep_choice` for a choice of several: a list of ``options``, at least one (else the default)."""
    chosen = state.get(key)
    if not isinstance(chosen, (list, tuple)) or not chosen or any(value not in options for value in chosen):
        state[key] = list(KEYS[key])


def initialise(state):
    """Set first-visit defaults (widgets drawn only in some runs keep their values with ``persist_state``)."""
    for key, value in WIDGET_DEFAULTS.items():
        state.setdefault(key, value)


def apply_data_defaults(state, loaded):
    """Reset the settings a new data set determines: its columns, its scenario's settings, the iteration.

    Called before the affected widgets are drawn in the run that loads ``loaded``.
    """
    names = list(loaded.feature_names)
    scenario = loaded.scenario
    # A preset prescribes the model's settings, and leaving one restores the defaults; between generated and
    # uploaded data sets the user's own settings stay (a new sample from the generator keeps the tolerance typed).
    previous = state.get(DATA_IDENTITY)
    keep_settings = previous is not None and not any(
        identity.startswith(PRESET_IDENTITY) for identity in (previous, loaded.identity)
    )
    if scenario is not None:  # a preset, or generated data (K and the seed follow the generator)
        x_index, y_index = scenario.display_columns
        state.update({N_COMPONENTS: scenario.n_components, SEED: scenario.random_state})
        if not keep_settings:
            state.update({key: getattr(scenario, key) for key in MODEL_KEYS})
    else:  # an upload: the user's K where the data allow it
        x_index, y_index = 0, min(1, len(names) - 1)
        if not keep_settings:
            state.update({key: WIDGET_DEFAULTS[key] for key in MODEL_KEYS})
        state[N_COMPONENTS] = min(state[N_COMPONENTS], loaded.n_points)
    state.update(
        {FIT_COLUMNS: names, X_COLUMN: names[x_index], Y_COLUMN: names[y_index], DATA_IDENTITY: loaded.identity}
    )
    state.update({ITERATION: 0, HALF_STEP: 0})
    # The strategy is chosen again for the new data (see gmm_ui.start.reconcile_strategy), and so are the starts
    # compared and the model picked among K (their views choose them).
    for key in (INIT_METHOD, start_key("A"), start_key("B"), seed_key("A"), seed_key("B"), SELECT_MODEL):
        state.pop(key, None)
    # A shared link's settings (gmm_ui.share) are the defaults of the data set it loads.
    state.update(state.pop(LINK_SETTINGS, {}))


# --- Touch (issue 19) -----------------------------------------------------------------------------------------------
# Placing starts by clicking on a chart (gmm_ui.touch, gmm_ui.placing).
PLACE_MODE = _declare("place_mode", False)  # the EM chart's "Place the start by clicking" toggle
PLACE_STARTS_MODE = _declare("place_starts_mode", False)  # the same on the two starts' chart
PLACE_HISTORY = _declare("place_history")  # the clicks' undo steps (gmm_ui.placing.Step), oldest first
PLACE_PROGRESS = _declare("place_progress")  # {target: gmm_ui.placing.Progress}: what the next click places
PLACE_DATA = _declare("place_data")  # the signature of the points the history belongs to
PLACE_PENDING = _declare("place_pending")  # a click changed a start: the whole page runs again, not the fragment
PLACE_UNDO = _declare("place_undo")
PLACE_CLEAR = _declare("place_clear")
PLACE_UNDO_STARTS = _declare("place_undo_starts")  # the same on the two starts' chart
PLACE_CLEAR_STARTS = _declare("place_clear_starts")
# The two starts of one's own ("Does the start matter?"): a start table each, and the points it belongs to.
OWN_START_A = _declare("own_start_a")
OWN_START_B = _declare("own_start_b")
OWN_START_DATA = _declare("own_start_data")
OWN_TABLE_A = _declare("own_table_a")  # their editable grids
OWN_TABLE_B = _declare("own_table_b")
# A data set drawn by hand (gmm_ui.touch, gmm_ui.drawing).
DRAWN = _declare("drawn")  # the points drawn (gmm_ui.drawing.Drawn)
DRAW_HISTORY = _declare("draw_history")  # earlier drawn sets, for undo
DRAW_COUNT = _declare("draw_count", 20)
DRAW_SPREAD = _declare("draw_spread", 0.6)
DRAW_CLICKS = _declare("draw_clicks", 0)  # clouds drawn so far: each cloud's seed
DRAW_CHART = _declare("draw_chart")
DRAW_UNDO = _declare("draw_undo")
DRAW_CLEAR = _declare("draw_clear")
DRAW_DOWNLOAD = _declare("draw_download")
WIDGET_DEFAULTS.update({key: KEYS[key] for key in (PLACE_MODE, PLACE_STARTS_MODE, DRAW_COUNT, DRAW_SPREAD)})
DRAW = "Draw"  # the data source drawn by hand

# --- Maths panel (issue 18) -------------------------------------------------------------------------------------
# Declared after the defaults above: none of these has one (a widget without a value yet, or set when needed).
PICKED_ROW = _declare("picked_row")  # the picked point's row number (from 1), typed or clicked on the EM chart
PICKED_DATA = _declare("picked_data")  # the data set the picked row belongs to
BOUND_CHART = _declare("bound_chart")  # the lower bound's small figure
MATHS_OPEN = _declare("maths_open")  # the panel's expander (drawn only while open; a click on a point opens it)
DOWNLOAD_MATHS_CSV = _declare("download_maths_csv")
DOWNLOAD_MATHS_JSON = _declare("download_maths_json")

# --- Load (issue 21) ----------------------------------------------------------------------------------------------
#: The choices (file, label column, dropping bad rows, sample seed) ``UPLOADED_DATA`` was made with: a rerun with
#: the same ones reuses it rather than reading a large table's points and labels again.
UPLOADED_CHOICE = _declare("uploaded_choice")
