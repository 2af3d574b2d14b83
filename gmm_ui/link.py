"""The shareable link's codec: query parameters to session-state values and back. Pure: no Streamlit (the page's
side, reading the address and reporting problems, is ``gmm_ui.share``).

The parameters:

=====================  ==================================================================================
``data``               a preset's key (``S1``...), ``generated``, ``upload`` (a link cannot carry a file) or
                       ``drawn`` (points drawn by hand)
``points``             with ``data=drawn``: the points, ``x_y_cloud`` separated by ``~`` (up to 200 points)
``clusters`` ...       with ``data=generated``: ``clusters``, ``points``, ``spread``, ``elongation``,
                       ``separation``, ``gen_seed`` (the generator's settings)
``columns``            with a preset of more than two columns (Iris): the columns fitted, by number from 1
                       (``3_4``), where they differ from all of them
``x``, ``y``           the columns shown on the chart's axes, by number, where they differ from the preset's
``k``                  number of components
``covariance``         ``full``, ``tied``, ``diag`` or ``spherical``
``standardize``, ...   where they differ from the data set's own: ``standardize`` (``0`` or ``1``),
                       ``max_iter``, ``tol``, ``reg_covar``, ``convergence`` (``log_likelihood``,
                       ``weights``, ``parameters`` or ``expected_log_likelihood``: the change of Q)
``init``               the start's strategy: ``kmeans++``, ``kmeans``, ``random_from_data``, ``random``,
                       ``scenario`` (the preset's own start), ``alt1``, ``alt2``... (the preset's other starts)
                       or ``manual``
``seed``               the strategy's seed
``start``              with ``init=manual``: the start table, components separated by ``~``, their values
                       (π, means, σ, ρ in the table's column order) by ``_``
``view``               the open tab: ``em``, ``starts``, ``kmeans``, ``covariance``, ``choose_k``, ``sampling``,
                       ``boxes``
``iteration``          the iteration the open tab's chart opens at (the charts' own sliders scrub in the
                       browser and do not change the link); in the EM tab ``3E`` / ``3M`` open it at
                       iteration 3 after its E-step / M-step (half steps)
``half``               ``1`` for the EM tab's half steps (implied by ``3E`` / ``3M``; needed at the start)
``density``            ``1`` to draw the fitted density under the points of the EM chart
``large_text``         ``1`` for the charts' large text (presenting)
=====================  ==================================================================================
"""

from __future__ import annotations

import re

import numpy as np

from gmm_core import COVARIANCE_TYPES, INIT_METHODS
from gmm_core.em import CONVERGENCE_CRITERIA
from gmm_core.scenarios import list_scenarios, load_scenario

from . import drawing, tables
from . import state as keys
from .data import MAX_FIT_COLUMNS
from .stages import half_step_position, half_step_snapshot, half_step_token
from .state import DRAW, GENERATE, MAX_SEED, PRESET, SCRUBBERS, TABS, UPLOAD, WIDGET_DEFAULTS
from .strategies import ALTERNATIVE_PREFIX, MANUAL, uses_seed

GENERATED, UPLOADED, DRAWN = "generated", "upload", "drawn"
#: Link parameter of each generator setting, and the widget key it sets.
GENERATOR_PARAMS = {
    "clusters": keys.GEN_CLUSTERS,
    "points": keys.GEN_POINTS,
    "spread": keys.GEN_SPREAD,
    "elongation": keys.GEN_ELONGATION,
    "separation": keys.GEN_SEPARATION,
    "gen_seed": keys.GEN_SEED,
}
#: Link parameters of the columns fitted and shown (presets of more than two columns).
COLUMN_PARAMS = ("columns", "x", "y")
SCENARIO_START, ALTERNATIVE_PARAM = "scenario", "alt"
#: A manual start goes into the link only up to this many numbers (K = 10 components in 2-D): links stay short.
MAX_LINKED_NUMBERS = 60
ROW_SEPARATOR, VALUE_SEPARATOR = "~", "_"  # neither needs escaping in a URL
#: The data set's own settings (a scenario prescribes them): in a link only where the user changed them. Each is
#: both the link parameter and the session-state key.
DATA_SETTINGS = (keys.STANDARDIZE, keys.MAX_ITER, keys.TOL, keys.REG_COVAR, keys.CONVERGENCE)
#: The model's link parameters, the key each sets, and how its value is read (with the parser's extra arguments).
_MODEL_PARAMS = (
    ("k", keys.N_COMPONENTS, "whole", (1,)),
    ("covariance", keys.COVARIANCE_TYPE, "choice", (COVARIANCE_TYPES,)),
    ("seed", keys.SEED, "whole", ()),
    ("standardize", keys.STANDARDIZE, "flag", ()),
    ("max_iter", keys.MAX_ITER, "whole", ()),
    ("tol", keys.TOL, "number", ()),
    ("reg_covar", keys.REG_COVAR, "number", ()),
    ("convergence", keys.CONVERGENCE, "choice", (list(CONVERGENCE_CRITERIA),)),
)
_ITERATION = re.compile(r"(\d{1,9})([EM]?)")


class Unusable(ValueError):
    """A link parameter's value that cannot be used; the message says what was expected."""


# --- Parsing one parameter ---------------------------------------------------------------------------------------


def _whole(raw, low=0, high=MAX_SEED):
    if not re.fullmatch(r"\d{1,10}", raw) or not low <= int(raw) <= high:
        raise Unusable(f"expected a whole number from {low} to {high:,}")
    return int(raw)


def _number(raw):
    try:
        value = float(raw)
    except ValueError:
        raise Unusable("expected a number") from None
    if not np.isfinite(value):
        raise Unusable("expected a finite number")
    return value


def _flag(raw):
    if raw not in ("0", "1"):
        raise Unusable("expected 0 or 1")
    return raw == "1"


def _choice(raw, options):
    if raw not in options:
        raise Unusable(f"expected one of {', '.join(options)}")
    return raw


def _drawn_points(raw):
    try:
        return drawing.from_text(raw)
    except ValueError as error:
        raise Unusable(str(error)) from None


_PARSERS = {"whole": _whole, "number": _number, "flag": _flag, "choice": _choice}


def _column_numbers(raw, n_columns):
    """1-based column numbers separated by ``_``, each at most ``n_columns``, none twice."""
    if not re.fullmatch(r"\d{1,3}(_\d{1,3})*", raw):
        raise Unusable(f"expected column numbers from 1 to {n_columns} separated by {VALUE_SEPARATOR}, e.g. 3_4")
    numbers = [int(part) for part in raw.split(VALUE_SEPARATOR)]
    if not all(1 <= number <= n_columns for number in numbers) or len(set(numbers)) < len(numbers):
        raise Unusable(f"expected different column numbers from 1 to {n_columns}")
    if len(numbers) > MAX_FIT_COLUMNS:
        raise Unusable(f"expected at most {MAX_FIT_COLUMNS} columns")
    return numbers


def _start_rows(raw):
    rows = [row.split(VALUE_SEPARATOR) for row in raw.split(ROW_SEPARATOR)]
    if sum(len(row) for row in rows) > MAX_LINKED_NUMBERS:
        raise Unusable(f"expected at most {MAX_LINKED_NUMBERS} numbers")
    return [[_number(value) for value in row] for row in rows]


def parse_iteration(raw):
    """(iteration, stage) of the link's ``iteration``: stage "" for a whole iteration, "E" or "M" for a half step.

    Raises
    ------
    Unusable
    """
    match = _ITERATION.fullmatch(raw)
    if not match or (match[2] == "E" and int(match[1]) == 0):
        raise Unusable("expected an iteration number such as 12, or 3E / 3M for a half step")
    return int(match[1]), match[2]


# --- Reading a link ----------------------------------------------------------------------------------------------


class LinkReader:
    """Turns the query parameters into widget values: those set at once, those waiting for the data, and problems.

    After :meth:`read`: ``now`` (session-state values to set before any widget exists), ``later`` (those to set
    when the linked data set has loaded: they replace its defaults), ``expected`` ({parameter: (key, value)}, to
    confirm once the widgets exist), ``start_rows`` (a manual start's rows of numbers, or None) and ``problems``.
    """

    def __init__(self, raw):
        self.raw = dict(raw)
        self.now = {}
        self.later = {}
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
        except Unusable as reason:
            self.problems.append(f"{name}={raw} was ignored: {reason}.")
            return None

    def _set(self, name, key, value, *, later=True):
        (self.later if later else self.now)[key] = value
        self.expected[name] = (key, value)

    def read(self):
        scenario = self._read_data()
        if self.now.get(keys.DATASET_SOURCE) == UPLOAD:
            for name in sorted(set(self.raw) - {"view", "large_text"}):
                self.problems.append(f"{name}={self.raw.pop(name)} was ignored: it belongs to an uploaded file.")
        else:
            self._read_model(scenario)
        self._read_view()
        for name, raw in self.raw.items():
            self.problems.append(f"{name}={raw} was ignored: this app has no such link parameter.")
        return self

    def _read_data(self):
        """The data choice and, for generated data, the generator's settings; returns the preset's Scenario."""
        data = self._take("data", _choice, [key for key, _ in list_scenarios()] + [GENERATED, UPLOADED, DRAWN])
        points = self._take("drawn", _drawn_points)  # ("points" is the generator's, per cluster)
        if data == DRAWN:
            self.now[keys.DATASET_SOURCE] = DRAW
            if points is not None:
                self.now[keys.DRAWN] = points
            return None
        if points is not None:
            self.problems.append("drawn=... was ignored: drawn points need data=drawn.")
        if data == GENERATED:
            self.now[keys.DATASET_SOURCE] = GENERATE
            for name, key in GENERATOR_PARAMS.items():
                # The widget's own type: whole numbers for counts and seeds, decimals for the others.
                parse = _whole if isinstance(WIDGET_DEFAULTS[key], int) else _number
                if (value := self._take(name, parse)) is not None:
                    self._set(name, key, value, later=False)
            return None
        for name in [name for name in GENERATOR_PARAMS if name in self.raw]:
            self.problems.append(f"{name}={self.raw.pop(name)} was ignored: generator settings need data=generated.")
        if data == UPLOADED:
            self.now[keys.DATASET_SOURCE] = UPLOAD
            self.problems.append(
                "data=upload: a link cannot carry an uploaded file. Choose the file in the sidebar to see its view."
            )
        elif data is not None:
            self.now[keys.DATASET_SOURCE] = PRESET
            self._set("data", keys.SCENARIO, data, later=False)
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
            self._set("columns", keys.FIT_COLUMNS, [names[number - 1] for number in sorted(numbers)])
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
                self._set(name, keys.axis_key(name), names[number - 1])

    def _read_model(self, scenario):
        self._read_columns(scenario)
        for name, key, parser, args in _MODEL_PARAMS:
            value = self._take(name, _PARSERS[parser], *args)
            if value is not None:
                self._set(name, key, value)
        alternatives = list(scenario.alternative_starts) if scenario is not None else []
        options = [*INIT_METHODS, SCENARIO_START, MANUAL] + [
            f"{ALTERNATIVE_PARAM}{i + 1}" for i in range(len(alternatives))
        ]
        init = self._take("init", _choice, options)
        rows = self._take("start", _start_rows)
        if init == MANUAL:
            if rows is None:
                self.problems.append("init=manual was ignored: the link has no start table (start=...).")
            else:
                self.start_rows = rows
        elif init is not None:
            if init.startswith(ALTERNATIVE_PARAM):
                init = ALTERNATIVE_PREFIX + alternatives[int(init.removeprefix(ALTERNATIVE_PARAM)) - 1]
            self._set("init", keys.INIT_METHOD, init)
        if rows is not None and init != MANUAL:
            self.problems.append("start=... was ignored: a start table needs init=manual.")

    def _read_view(self):
        view = self._take("view", _choice, list(TABS))
        if view is not None:
            self.now[keys.VIEW] = TABS[view]
        view = view or "em"
        density = self._take("density", _flag)
        if density is not None:
            self._set("density", keys.SHOW_DENSITY, density)
        large_text = self._take("large_text", _flag)
        if large_text is not None:
            self._set("large_text", keys.LARGE_TEXT, large_text)
        half = self._take("half", _flag)
        raw_iteration = self.raw.get("iteration")
        iteration = self._take("iteration", parse_iteration)
        if iteration is not None and (view not in SCRUBBERS or (iteration[1] and view != "em")):
            self.problems.append(f"iteration={raw_iteration} was ignored: the tab shown has no such step.")
            iteration = None
        number, stage = iteration or (0, "")
        if view == "em" and (half or stage):
            position = half_step_position(number, stage)
            self.later.update({keys.HALF_STEPS: True, keys.ITERATION: half_step_snapshot(position)})
            self.later[keys.HALF_STEP] = position
        elif half is not None:
            self.later[keys.HALF_STEPS] = half
        if iteration is not None and not stage:
            self.later[SCRUBBERS[view]] = number


# --- Writing the link ------------------------------------------------------------------------------------------


def _number_text(value):
    return f"{value:.7g}"


def _start_text(params):
    """The start table as link text, or None when it is too large for a link."""
    values = tables.params_to_frame(params).to_numpy()
    if values.size > MAX_LINKED_NUMBERS:
        return None
    return ROW_SEPARATOR.join(VALUE_SEPARATOR.join(_number_text(v) for v in row) for row in values)


def _settings_params(state):
    scenario = state[keys.DATA].scenario
    link = {}
    for key in DATA_SETTINGS:
        value = state.get(key)
        if scenario is None or value != getattr(scenario, key):
            link[key] = str(int(value)) if isinstance(value, bool) else str(value)
    return link


def _column_params(state):
    """The columns fitted and shown, by number from 1, where they differ from the preset's own choice."""
    loaded = state.get(keys.DATA)
    if loaded is None or loaded.scenario is None or len(loaded.feature_names) <= 2:
        return {}
    names = list(loaded.feature_names)
    link = {}
    fitted = [name for name in names if name in state.get(keys.FIT_COLUMNS, names)]
    if fitted != names:
        link["columns"] = VALUE_SEPARATOR.join(str(names.index(name) + 1) for name in fitted)
    if len(fitted) <= 2:
        return link  # both fitted columns are shown: no choice of axes
    for axis, default in zip(("x", "y"), loaded.scenario.display_columns):
        chosen = state.get(keys.axis_key(axis))
        if chosen in names and names.index(chosen) != default:
            link[axis] = str(names.index(chosen) + 1)
    return link


def _init_params(state):
    strategy = state.get(keys.INIT_METHOD)
    if strategy == MANUAL:
        table = _start_text(state[keys.START_PARAMS]) if keys.START_PARAMS in state else None
        return {} if table is None else {"init": MANUAL, "start": table}
    if strategy is None:
        return {}
    if strategy.startswith(ALTERNATIVE_PREFIX):
        names = list(state[keys.DATA].scenario.alternative_starts)
        strategy = f"{ALTERNATIVE_PARAM}{names.index(strategy.removeprefix(ALTERNATIVE_PREFIX)) + 1}"
    link = {"init": strategy}
    if uses_seed(state.get(keys.INIT_METHOD)):
        link["seed"] = str(state[keys.SEED])
    return link


def _view_params(state):
    view = next((name for name, label in TABS.items() if label == state.get(keys.VIEW)), "em")
    link = {} if view == "em" else {"view": view}
    if state.get(keys.SHOW_DENSITY):
        link["density"] = "1"
    if state.get(keys.LARGE_TEXT):
        link["large_text"] = "1"
    if view == "em" and state.get(keys.HALF_STEPS):
        position = int(state.get(keys.HALF_STEP, 0))
        if position == 0:
            link["half"] = "1"  # "iteration=0" alone is the start without half steps
        link["iteration"] = half_step_token(position)
    elif view in SCRUBBERS and state.get(SCRUBBERS[view]):
        link["iteration"] = str(state[SCRUBBERS[view]])
    return link


def current_link(state):
    """The query parameters of the view in ``state`` (the session state, or any mapping), as a dict of strings."""
    source = state.get(keys.DATASET_SOURCE)
    if source == UPLOAD:
        return {"data": UPLOADED, **_view_params(state)}
    if source == DRAW:
        text = drawing.to_text(state.get(keys.DRAWN) or drawing.EMPTY)
        link = {"data": DRAWN, **({"drawn": text} if text else {})}
    elif source == GENERATE:
        link = {"data": GENERATED}
        link.update({name: f"{state[key]:g}" for name, key in GENERATOR_PARAMS.items()})
    else:
        link = {"data": state.get(keys.SCENARIO)}
        link.update(_column_params(state))
    link.update(k=str(state.get(keys.N_COMPONENTS)), covariance=state.get(keys.COVARIANCE_TYPE))
    link.update(_settings_params(state))
    link.update(_init_params(state))
    link.update(_view_params(state))
    return link


def refused(expected, state):
    """The link's settings the widgets did not keep: {parameter: (key, raw text)} of those in ``expected``
    ({parameter: (key, value, raw text)}) whose key in ``state`` now holds another value."""
    return {name: (key, raw) for name, (key, value, raw) in expected.items() if key in state and state[key] != value}
