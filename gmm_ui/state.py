"""What the user owns across reruns: widget defaults, their persistence, and the defaults a new data set brings.

Only the user's choices live in ``st.session_state``: widget values (by key), the loaded data set and the edited
start. Fits are never stored here; they are cached by their inputs (see ``gmm_ui.fitting``).
"""

from __future__ import annotations

import streamlit as st

PRESET, GENERATE, UPLOAD = "Preset", "Generate", "Upload CSV"
DEFAULT_SCENARIO = "S1"
NO_LABELS = "(none)"  # the upload's "no column of known labels" choice

#: The main area's tabs: a short stable name (used in links) and the label shown.
TABS = {
    "em": "EM, step by step",
    "starts": "Does the start matter?",
    "kmeans": "k-means vs GMM",
    "covariance": "Covariance types",
    "choose_k": "How many components?",
    "sampling": "Sampling from the model",
}
#: The key of each tab's opening iteration: where its animated chart opens, kept in the link (tabs without one are
#: absent; the charts' own sliders scrub in the browser). The EM tab's half step is ``HALF_STEP_KEY``, used
#: instead of "iteration" while ``half_steps`` is on.
SCRUBBERS = {
    "em": "iteration",
    "starts": "starts_iteration",
    "kmeans": "kmeans_iteration",
    "covariance": "covariance_iteration",
}
HALF_STEP_KEY = "em_half_step"

#: Every plain widget's key and its value on first visit. Widgets are created without ``value=``/``index=``:
#: session state is their single source of truth.
WIDGET_DEFAULTS = {
    "dataset_source": PRESET,
    "scenario": DEFAULT_SCENARIO,
    "gen_clusters": 3,
    "gen_points": 150,
    "gen_spread": 1.0,
    "gen_elongation": 3.0,
    "gen_separation": 5.0,
    "gen_seed": 0,
    "upload_labels": NO_LABELS,
    "drop_bad_rows": False,
    "upload_sample_seed": 0,
    "standardize": False,
    "show_truth": True,
    "n_components": 3,
    "covariance_type": "full",
    "max_iter": 100,
    "tol": 1e-6,
    "convergence": "log_likelihood",
    "reg_covar": 1e-6,
    "init_method": "kmeans++",
    "seed": 0,
    "edit_start": False,
    "n_std": [1, 2],
    "iteration": 0,
    "half_steps": False,
    HALF_STEP_KEY: 0,
    "show_density": False,
    "kmeans_iteration": 0,
    "starts_iteration": 0,
    "covariance_iteration": 0,
    "restart_count": 10,
    "restart_method": "random_from_data",
    "restart_seed": 0,
    "select_max_k": 6,
    "select_restarts": 3,
    "select_criterion": "BIC",
    "sample_seed": 0,
}


#: How a preset's data set identity begins (gmm_ui.controls names them "preset:<key>").
PRESET_IDENTITY = "preset:"

#: Settings read from a shared link, waiting for the data set they belong to (see apply_data_defaults).
LINK_SETTINGS = "link_settings"

#: The settings a scenario prescribes (an upload after a preset gets their defaults instead).
MODEL_KEYS = ("covariance_type", "max_iter", "tol", "convergence", "reg_covar", "standardize")


def initialise():
    """Set first-visit defaults (widgets drawn only in some runs keep their values with ``persist_state``)."""
    for key, value in WIDGET_DEFAULTS.items():
        st.session_state.setdefault(key, value)


def apply_data_defaults(loaded):
    """Reset the settings a new data set determines: its columns, its scenario's settings, the iteration.

    Called before the affected widgets are drawn in the run that loads ``loaded``.
    """
    state = st.session_state
    names = list(loaded.feature_names)
    scenario = loaded.scenario
    # A preset prescribes the model's settings, and leaving one restores the defaults; between generated and
    # uploaded data sets the user's own settings stay (a new sample from the generator keeps the tolerance typed).
    previous = state.get("data_identity")
    keep_settings = previous is not None and not any(
        identity.startswith(PRESET_IDENTITY) for identity in (previous, loaded.identity)
    )
    if scenario is not None:  # a preset, or generated data (K and the seed follow the generator)
        x_index, y_index = scenario.display_columns
        state.update(n_components=scenario.n_components, seed=scenario.random_state)
        if not keep_settings:
            state.update({key: getattr(scenario, key) for key in MODEL_KEYS})
    else:  # an upload: the user's K where the data allow it
        x_index, y_index = 0, min(1, len(names) - 1)
        if not keep_settings:
            state.update({key: WIDGET_DEFAULTS[key] for key in MODEL_KEYS})
        state["n_components"] = min(state["n_components"], loaded.n_points)
    state.update(
        fit_columns=names,
        x_column=names[x_index],
        y_column=names[y_index],
        data_identity=loaded.identity,
    )
    state.update({key: 0 for key in (*SCRUBBERS.values(), HALF_STEP_KEY)})
    # The strategy is chosen again for the new data (see gmm_ui.start.reconcile_strategy), and so are the starts
    # compared and the model picked among K (their views choose them).
    for key in ("init_method", "start_a", "start_b", "seed_a", "seed_b", "select_model"):
        state.pop(key, None)
    # A shared link's settings (gmm_ui.share) are the defaults of the data set it loads.
    state.update(state.pop(LINK_SETTINGS, {}))
