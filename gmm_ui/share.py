"""Shareable links: the view a user sees (data, model, start, tab, iteration) kept in the page's query parameters.

A link is read once, when a session starts and before any widget exists. Its data choice goes into session state
at once; its other settings wait for that data set to load and then replace the data set's defaults (see
``gmm_ui.state.apply_data_defaults``). A parameter that cannot be used is ignored with a warning that names it.
From then on the query parameters follow the user's choices (:func:`update_url`).

The parameters:

=====================  ==================================================================================
``data``               a preset's key (``S1``...), ``generated`` or ``upload`` (a link cannot carry a file)
``clusters`` ...       with ``data=generated``: ``clusters``, ``points``, ``spread``, ``elongation``,
                       ``separation``, ``gen_seed`` (the generator's settings)
``columns``            with a preset of more than two columns (Iris): the columns fitted, by number from 1
                       (``3_4``), where they differ from all of them
``x``, ``y``           the columns shown on the chart's axes, by number, where they differ from the preset's
``k``                  number of components
``covariance``         ``full``, ``tied``, ``diag`` or ``spherical``
``standardize``, ...   where they differ from the data set's own: ``standardize`` (``0`` or ``1``),
                       ``max_iter``, ``tol``, ``reg_covar``, ``convergence`` (``log_likelihood``,
                       ``weights`` or ``parameters``)
``init``               the start's strategy: ``kmeans++``, ``kmeans``, ``random_from_data``, ``random``,
                       ``scenario`` (the preset's own start), ``alt1``, ``alt2``... (the preset's other starts)
                       or ``manual``
``seed``               the strategy's seed
``start``              with ``init=manual``: the start table, components separated by ``~``, their values
                       (π, means, σ, ρ in the table's column order) by ``_``
``view``               the open tab: ``em``, ``starts``, ``kmeans``, ``covariance``, ``choose_k``, ``sampling``
``iteration``          the iteration the open tab's chart opens at (the charts' own sliders scrub in the
                       browser and do not change the link); in the EM tab ``3E`` / ``3M`` open it at
                       iteration 3 after its E-step / M-step (half steps)
``half``               ``1`` for the EM tab's half steps (implied by ``3E`` / ``3M``; needed at the start)
``density``            ``1`` to draw the fitted density under the points of the EM chart
=====================  ==================================================================================
"""

from __future__ import annotations

import re
from urllib.parse import urlencode

import numpy as np
import pandas as pd
import streamlit as st

from gmm_core import COVARIANCE_TYPES, INIT_METHODS, ParameterError
from gmm_core.scenarios import list_scenarios, load_scenario

from . import start, tables
from .controls import MAX_SEED
from .data import MAX_FIT_COLUMNS
from .fitting import CONVERGENCE_LABELS
from .state import GENERATE, HALF_STEP_KEY, LINK_SETTINGS, PRESET, SCRUBBERS, TABS, UPLOAD, WIDGET_DEFAULTS
from .text import plain

GENERATED, UPLOADED = "generated", "upload"
#: Link parameter of each generator setting, and the widget key it sets.
GENERATOR_PARAMS = {
    "clusters": "gen_clusters",
    "points": "gen_points",
    "spread": "gen_spread",
    "elongation": "gen_elongation",
    "separation": "gen_separation",
    "gen_seed": "gen_seed",
}
#: Link parameters of the columns fitted and shown (presets of more than two columns).
COLUMN_PARAMS = ("columns", "x", "y")
SCENARIO_START, ALTERNATIVE_PARAM = "scenario", "alt"
#: A manual start goes into the link only up to this many numbers (K = 10 components in 2-D): links stay short.
MAX_LINKED_NUMBERS = 60
ROW_SEPARATOR, VALUE_SEPARATOR = "~", "_"  # neither needs escaping in a URL

_READ = "link_read"
_PROBLEMS = "link_problems"
_EXPECTED = "link_expected"  # {parameter: (widget key, value, raw text)} to confirm once the widgets exist
_START_ROWS = "link_start_rows"
_REPLAY = "link_replay"  # the link's settings for its data set, to apply once more without a refused one
_FIXES = "link_fixes"  # widget values to restore before the widgets of the next run exist
_ITERATION = re.compile(r"(\d{1,9})([EM]?)")


class _Unusable(ValueError):
    """A link parameter's value that cannot be used; the message says what was expected."""


def _whole(raw, low=0, high=MAX_SEED):
    if not re.fullmatch(r"\d{1,10}", raw) or not low <= int(raw) <= high:
        raise _Unusable(f"expected a whole number from {low} to {high:,}")
    return int(raw)


def _number(raw):
    try:
        value = float(raw)
    except ValueError:
        raise _Unusable("expected a number") from None
    if not np.isfinite(value):
        raise _Unusable("expected a finite number")
    return value


def _flag(raw):
    if raw not in ("0", "1"):
        raise _Unusable("expected 0 or 1")
    return raw == "1"


def _choice(raw, options):
    if raw not in options:
        raise _Unusable(f"expected one of {', '.join(options)}")
    return raw


def _column_numbers(raw, n_columns):
    """1-based column numbers separated by ``_``, each at most ``n_columns``, none twice."""
    if not re.fullmatch(r"\d{1,3}(_\d{1,3})*", raw):
        raise _Unusable(f"expected column numbers from 1 to {n_columns} separated by {VALUE_SEPARATOR}, e.g. 3_4")
    numbers = [int(part) for part in raw.split(VALUE_SEPARATOR)]
    if not all(1 <= number <= n_columns for number in numbers) or len(set(numbers)) < len(numbers):
        raise _Unusable(f"expected different column numbers from 1 to {n_columns}")
    if len(numbers) > MAX_FIT_COLUMNS:
        raise _Unusable(f"expected at most {MAX_FIT_COLUMNS} columns")
    return numbers


def _start_rows(raw):
    rows = [row.split(VALUE_SEPARATOR) for row in raw.split(ROW_SEPARATOR)]
    if sum(len(row) for row in rows) > MAX_LINKED_NUMBERS:
        raise _Unusable(f"expected at most {MAX_LINKED_NUMBERS} numbers")
    return [[_number(value) for value in row] for row in rows]


class _LinkReader:
    """Turns the query parameters into widget values: those set at once, those waiting for the data, and problems."""

    def __init__(self, raw):
        self.raw = dict(raw)
        self.now = {}  # set before any widget exists
        self.later = {}  # set when the linked data set has loaded (they replace its defaults)
        self.expected = {}
        self.start_rows = None
        self.problems = []

    def _take(self, name, parse, *args):
        """The parsed value of parameter ``name``, or None when it is absent or unusable (then reported)."""
        if name not in self.raw:
            return None
        raw = self.raw.pop(name)
        try:
            return parse(raw, *args)
        except _Unusable as reason:
            self.problems.append(f"{name}={raw} was ignored: {reason}.")
            return None

    def _set(self, name, key, value, *, later=True):
        (self.later if later else self.now)[key] = value
        self.expected[name] = (key, value)

    def read(self):
        scenario = self._read_data()
        if self.now.get("dataset_source") == UPLOAD:
            for name in sorted(set(self.raw) - {"view"}):
                self.problems.append(f"{name}={self.raw.pop(name)} was ignored: it belongs to an uploaded file.")
        else:
            self._read_model(scenario)
        self._read_view()
        for name, raw in self.raw.items():
            self.problems.append(f"{name}={raw} was ignored: this app has no such link parameter.")
        return self

    def _read_data(self):
        """The data choice and, for generated data, the generator's settings; returns the preset's Scenario."""
        data = self._take("data", _choice, [key for key, _ in list_scenarios()] + [GENERATED, UPLOADED])
        if data == GENERATED:
            self.now["dataset_source"] = GENERATE
            for name, key in GENERATOR_PARAMS.items():
                # The widget's own type: whole numbers for counts and seeds, decimals for the others.
                parse = _whole if isinstance(WIDGET_DEFAULTS[key], int) else _number
                if (value := self._take(name, parse)) is not None:
                    self._set(name, key, value, later=False)
            return None
        for name in [name for name in GENERATOR_PARAMS if name in self.raw]:
            self.problems.append(f"{name}={self.raw.pop(name)} was ignored: generator settings need data=generated.")
        if data == UPLOADED:
            self.now["dataset_source"] = UPLOAD
            self.problems.append(
                "data=upload: a link cannot carry an uploaded file. Choose the file in the sidebar to see its view."
            )
        elif data is not None:
            self.now["dataset_source"] = PRESET
            self._set("data", "scenario", data, later=False)
            return load_scenario(data)
        return None

    def _read_columns(self, scenario):
        """The columns fitted and shown, for a preset of more than two columns (others have no choice)."""
        given = [name for name in COLUMN_PARAMS if name in self.raw]
        if not given:
            return
        names = list(scenario.feature_names) if scenario is not None else []
        if len(names) <= 2:
            for name in given:
                self.problems.append(
                    f"{name}={self.raw.pop(name)} was ignored: only a preset of more than two "
                    "columns offers a choice of columns."
                )
            return
        numbers = self._take("columns", _column_numbers, len(names))
        if numbers is not None:
            self._set("columns", "fit_columns", [names[number - 1] for number in sorted(numbers)])
        fitted = numbers or range(1, len(names) + 1)
        for name in ("x", "y"):
            number = self._take(name, _whole, 1, len(names))
            if number is None:
                continue
            if len(fitted) <= 2:
                self.problems.append(f"{name}={number} was ignored: with two columns fitted, the chart shows both.")
            elif number not in fitted:
                self.problems.append(f"{name}={number} was ignored: column {number} is not among those fitted.")
            else:
                self._set(name, f"{name}_column", names[number - 1])

    def _read_model(self, scenario):
        self._read_columns(scenario)
        for name, key, parse, args in (
            ("k", "n_components", _whole, (1,)),
            ("covariance", "covariance_type", _choice, (COVARIANCE_TYPES,)),
            ("seed", "seed", _whole, ()),
            ("standardize", "standardize", _flag, ()),
            ("max_iter", "max_iter", _whole, ()),
            ("tol", "tol", _number, ()),
            ("reg_covar", "reg_covar", _number, ()),
            ("convergence", "convergence", _choice, (list(CONVERGENCE_LABELS),)),
        ):
            value = self._take(name, parse, *args)
            if value is not None:
                self._set(name, key, value)
        alternatives = list(scenario.alternative_starts) if scenario is not None else []
        options = [*INIT_METHODS, SCENARIO_START, start.MANUAL] + [
            f"{ALTERNATIVE_PARAM}{i + 1}" for i in range(len(alternatives))
        ]
        init = self._take("init", _choice, options)
        rows = self._take("start", _start_rows)
        if init == start.MANUAL:
            if rows is None:
                self.problems.append("init=manual was ignored: the link has no start table (start=...).")
            else:
                self.start_rows = rows
        elif init is not None:
            if init.startswith(ALTERNATIVE_PARAM):
                init = start.ALTERNATIVE_PREFIX + alternatives[int(init.removeprefix(ALTERNATIVE_PARAM)) - 1]
            self._set("init", "init_method", init)
        if rows is not None and init != start.MANUAL:
            self.problems.append("start=... was ignored: a start table needs init=manual.")

    def _read_view(self):
        view = self._take("view", _choice, list(TABS))
        if view is not None:
            self.now["view"] = TABS[view]
        view = view or "em"
        density = self._take("density", _flag)
        if density is not None:
            self._set("density", "show_density", density)
        half = self._take("half", _flag)
        raw_iteration = self.raw.get("iteration")
        iteration = self._take("iteration", _parse_iteration)
        if iteration is not None and (view not in SCRUBBERS or (iteration[1] and view != "em")):
            self.problems.append(f"iteration={raw_iteration} was ignored: the tab shown has no such step.")
            iteration = None
        number, stage = iteration or (0, "")
        if view == "em" and (half or stage):
            position = half_step(number, stage)
            self.later.update(half_steps=True, iteration=position // 2, **{HALF_STEP_KEY: position})
        elif half is not None:
            self.later["half_steps"] = half
        if iteration is not None and not stage:
            self.later[SCRUBBERS[view]] = number


def _parse_iteration(raw):
    match = _ITERATION.fullmatch(raw)
    if not match or (match[2] == "E" and int(match[1]) == 0):
        raise _Unusable("expected an iteration number such as 12, or 3E / 3M for a half step")
    return int(match[1]), match[2]


def half_step(iteration, stage):
    """Position on the half-step scrubber of ``iteration`` after its E-step ("E") or M-step ("M" or "")."""
    return 2 * iteration - 1 if stage == "E" else 2 * iteration


def half_step_token(position):
    """The link's text of a half-step position: "3E", "3M", or "0" for the start."""
    if position == 0:
        return "0"
    iteration, after_m_step = divmod(position + 1, 2)
    return f"{iteration}{'M' if after_m_step else 'E'}"


# --- Reading a link --------------------------------------------------------------------------------------------


def read_link():
    """Put the settings of the page's query parameters into session state, once per session.

    Call before any widget is created. What cannot be used is collected for :func:`report_link`.
    """
    state = st.session_state
    state.update(state.pop(_FIXES, {}))
    if state.get(_READ):
        return
    state[_READ] = True
    raw = {name: st.query_params[name] for name in st.query_params}
    if not raw:
        return
    reader = _LinkReader(raw).read()
    state.update(reader.now)
    state[LINK_SETTINGS] = reader.later
    state[_REPLAY] = {"settings": dict(reader.later), "start_rows": reader.start_rows}
    state[_EXPECTED] = {name: (key, value, raw[name]) for name, (key, value) in reader.expected.items()}
    state[_START_ROWS] = reader.start_rows
    state[_PROBLEMS] = reader.problems


def apply_linked_start(fit_data):
    """Make a link's start table the manual start (before the strategy picker is drawn), or report why not."""
    state = st.session_state
    rows = state.pop(_START_ROWS, None)
    if rows is None:
        return
    means, stds, correlations = tables.parameter_columns(fit_data.n_features)
    columns = [tables.WEIGHT, *means, *stds, *(name for name, _, _ in correlations)]
    try:
        if any(len(row) != len(columns) for row in rows):
            raise ParameterError(
                f"with {fit_data.n_features} column(s) each component needs {len(columns)} numbers "
                f"({', '.join(columns)})."
            )
        frame = pd.DataFrame(rows, columns=columns, index=pd.RangeIndex(1, len(rows) + 1, name="component"))
        start.adopt_manual_start(fit_data, frame, int(state["n_components"]))
    except ParameterError as error:
        state[_PROBLEMS].append(f"start was ignored: {error}")
        state.get(_REPLAY, {})["start_rows"] = None


def report_link():
    """Warn about every link parameter that was ignored, including those these data or widgets did not allow.

    A value a widget refused (out of its range, a start that does not apply to these data...) was replaced by the
    widget's own choice; the page is then run once more with the data set's own value instead, and the link's
    other settings.
    """
    state = st.session_state
    problems = state.pop(_PROBLEMS, [])
    replay = state.pop(_REPLAY, None)
    refused = {
        name: (key, raw)
        for name, (key, value, raw) in state.pop(_EXPECTED, {}).items()
        if key in state and state[key] != value
    }
    problems += [
        f"{name}={raw} was ignored: it is out of range, or not offered for these data and settings."
        for name, (_, raw) in refused.items()
    ]
    if refused and replay is not None:
        keys = {key for key, _ in refused.values()}
        state[LINK_SETTINGS] = {key: value for key, value in replay["settings"].items() if key not in keys}
        state[_FIXES] = {key: WIDGET_DEFAULTS[key] for key in keys if key not in replay["settings"]}
        state[_START_ROWS] = replay["start_rows"]
        state[_PROBLEMS] = problems
        state.pop("data_identity", None)  # the data set's defaults, then the link's usable settings, once more
        st.rerun()
    for problem in problems:
        st.warning(f"Link parameter {plain(problem)}", icon=":material/link_off:")


# --- Writing the link ------------------------------------------------------------------------------------------


def _number_text(value):
    return f"{value:.7g}"


def _start_text(params):
    """The start table as link text, or None when it is too large for a link."""
    values = tables.params_to_frame(params).to_numpy()
    if values.size > MAX_LINKED_NUMBERS:
        return None
    return ROW_SEPARATOR.join(VALUE_SEPARATOR.join(_number_text(v) for v in row) for row in values)


#: The data set's own settings (a scenario prescribes them): in a link only where the user changed them.
DATA_SETTINGS = ("standardize", "max_iter", "tol", "reg_covar", "convergence")


def _settings_params(state):
    scenario = state["data"].scenario
    link = {}
    for key in DATA_SETTINGS:
        value = state.get(key)
        if scenario is None or value != getattr(scenario, key):
            link[key] = str(int(value)) if isinstance(value, bool) else str(value)
    return link


def _column_params(state):
    """The columns fitted and shown, by number from 1, where they differ from the preset's own choice."""
    loaded = state.get("data")
    if loaded is None or loaded.scenario is None or len(loaded.feature_names) <= 2:
        return {}
    names = list(loaded.feature_names)
    link = {}
    fitted = [name for name in names if name in state.get("fit_columns", names)]
    if fitted != names:
        link["columns"] = VALUE_SEPARATOR.join(str(names.index(name) + 1) for name in fitted)
    if len(fitted) <= 2:
        return link  # both fitted columns are shown: no choice of axes
    for axis, default in zip(("x", "y"), loaded.scenario.display_columns):
        chosen = state.get(f"{axis}_column")
        if chosen in names and names.index(chosen) != default:
            link[axis] = str(names.index(chosen) + 1)
    return link


def _init_params(state):
    strategy = state.get("init_method")
    if strategy == start.MANUAL:
        table = _start_text(state["start_params"]) if "start_params" in state else None
        return {} if table is None else {"init": start.MANUAL, "start": table}
    if strategy is None:
        return {}
    if strategy.startswith(start.ALTERNATIVE_PREFIX):
        names = list(state["data"].scenario.alternative_starts)
        strategy = f"{ALTERNATIVE_PARAM}{names.index(strategy.removeprefix(start.ALTERNATIVE_PREFIX)) + 1}"
    link = {"init": strategy}
    if start.uses_seed(state.get("init_method")):
        link["seed"] = str(state["seed"])
    return link


def _view_params(state):
    view = next((name for name, label in TABS.items() if label == state.get("view")), "em")
    link = {} if view == "em" else {"view": view}
    if state.get("show_density"):
        link["density"] = "1"
    if view == "em" and state.get("half_steps"):
        position = int(state.get(HALF_STEP_KEY, 0))
        if position == 0:
            link["half"] = "1"  # "iteration=0" alone is the start without half steps
        link["iteration"] = half_step_token(position)
    elif view in SCRUBBERS and state.get(SCRUBBERS[view]):
        link["iteration"] = str(state[SCRUBBERS[view]])
    return link


def current_link():
    """The query parameters of the view in session state, as a dict of strings."""
    state = st.session_state
    source = state.get("dataset_source")
    if source == UPLOAD:
        return {"data": UPLOADED, **_view_params(state)}
    if source == GENERATE:
        link = {"data": GENERATED}
        link.update({name: f"{state[key]:g}" for name, key in GENERATOR_PARAMS.items()})
    else:
        link = {"data": state.get("scenario")}
        link.update(_column_params(state))
    link.update(k=str(state.get("n_components")), covariance=state.get("covariance_type"))
    link.update(_settings_params(state))
    link.update(_init_params(state))
    link.update(_view_params(state))
    return link


def update_url():
    """Make the page's query parameters those of the current view (sends nothing when they already are)."""
    link = current_link()
    if link != st.query_params.to_dict():
        st.query_params.from_dict(link)


def share_box():
    """A "Share this view" popover with the link and what it cannot carry."""
    with st.popover("Share this view", icon=":material/share:", key="share", on_change="rerun"):
        link = current_link()
        st.code(f"{st.context.url or ''}?{urlencode(link)}", language=None, wrap_lines=True)
        st.caption(
            "The page's address always holds the view: send it (or this link) and it opens on the same data, "
            "model, start, tab and iteration."
        )
        state = st.session_state
        if state.get("dataset_source") == UPLOAD:
            st.warning("A link cannot carry an uploaded file: send the file with the link.", icon=":material/info:")
        elif state.get("init_method") == start.MANUAL and "start" not in link:
            st.info(
                f"Your edited start has more than {MAX_LINKED_NUMBERS} numbers, too many for a link: the link "
                "opens with the data set's usual start.",
                icon=":material/info:",
            )
