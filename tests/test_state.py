"""Session state declared once (gmm_ui.state): its helpers on a plain dict, no key spelled outside it, and every key
the app stores in a session declared there."""

import ast
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui import state
from gmm_ui.state import TABS
from tests.page_tables import edit_start

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")
SMALL_CSV = b"width,height,kind\n1,2,a\n1.5,2.2,a\n0.9,2.1,a\n1.1,1.8,a\n5,6,b\n5.5,6.1,b\n5.2,5.8,b\n4.8,6.3,b\n"


# --- The helpers, on a plain dict ------------------------------------------------------------------------------


def test_clamp_keeps_a_whole_number_in_range():
    session = {"a": 7, "b": -3, "c": "4"}
    assert state.clamp(session, "a", 0, 5) == 5
    assert state.clamp(session, "b", 0, 5) == 0
    assert state.clamp(session, "c", 0, 5) == 4
    assert state.clamp(session, "absent", 1, 5) == 1
    assert session == {"a": 5, "b": 0, "c": 4, "absent": 1}


def test_keep_choice_falls_back_only_when_the_choice_is_gone():
    session = {"a": "x", "b": "gone"}
    state.keep_choice(session, "a", ["x", "y"], "y")
    state.keep_choice(session, "b", ["x", "y"], "y")
    state.keep_choice(session, "c", ["x", "y"], "x")
    assert session == {"a": "x", "b": "y", "c": "x"}


def test_initialise_sets_only_the_missing_defaults():
    session = {state.ITERATION: 4}
    state.initialise(session)
    assert session[state.ITERATION] == 4
    assert session[state.N_COMPONENTS] == state.WIDGET_DEFAULTS[state.N_COMPONENTS]
    assert set(session) == set(state.WIDGET_DEFAULTS)


def test_every_key_has_a_constant_and_built_keys_are_recognised():
    constants = [value for name, value in vars(state).items() if name.isupper() and isinstance(value, str)]
    assert set(state.KEYS) <= set(constants)  # each declared key has its constant
    for built in (state.jump_key(12), state.start_key("A"), state.seed_key("B"), state.chart_key("kmeans")):
        assert state.is_declared(built)
    assert not state.is_declared("no_such_key")


# --- No key spelled outside gmm_ui.state -----------------------------------------------------------------------

#: What holds session-state keys: the session state (``state`` or ``st.session_state``), and the link reader's
#: values to set (``self.now``, ``self.later``).
_RECEIVER_NAMES = {"state", "session_state"}
_RECEIVER_ATTRIBUTES = {"session_state", "now", "later"}


def _is_receiver(node):
    return (isinstance(node, ast.Name) and node.id in _RECEIVER_NAMES) or (
        isinstance(node, ast.Attribute) and node.attr in _RECEIVER_ATTRIBUTES
    )


def _is_literal(node):
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _literal_keys(tree):
    """(line, how) of every key written as a string literal: a subscript, get/pop/setdefault, update(...), "in",
    or a widget's ``key=``."""
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.Subscript) and _is_receiver(node.value) and _is_literal(node.slice):
            yield line, "subscript"
        elif isinstance(node, ast.Call):
            if any(keyword.arg == "key" and _is_literal(keyword.value) for keyword in node.keywords):
                yield line, "key="
            func = node.func
            if not (isinstance(func, ast.Attribute) and _is_receiver(func.value)):
                continue
            if func.attr in {"get", "pop", "setdefault"} and node.args and _is_literal(node.args[0]):
                yield line, func.attr
            if func.attr == "update" and (
                any(keyword.arg for keyword in node.keywords)
                or any(
                    isinstance(arg, ast.Dict) and any(k is not None and _is_literal(k) for k in arg.keys)
                    for arg in node.args
                )
            ):
                yield line, "update"
        elif (
            isinstance(node, ast.Compare)
            and _is_literal(node.left)
            and any(isinstance(op, (ast.In, ast.NotIn)) for op in node.ops)
            and any(_is_receiver(c) for c in node.comparators)
        ):
            yield line, "in"


def _app_sources():
    return [path for path in sorted((ROOT / "gmm_ui").rglob("*.py")) if path.name != "state.py"] + [
        ROOT / "streamlit_app.py"
    ]


def test_the_scan_finds_literal_keys():
    source = (
        "state['a']\nst.session_state.get('b')\nstate.pop(f'c_{x}')\nstate.update(d=1)\n"
        "state.update({'e': 1})\n'f' in state\nst.button('Go', key='g')\nself.later['h'] = 1\n"
    )
    assert len(list(_literal_keys(ast.parse(source)))) == 8


def test_no_session_key_is_spelled_outside_the_state_module():
    found = [
        f"{path.relative_to(ROOT)}:{line} ({how})"
        for path in _app_sources()
        for line, how in _literal_keys(ast.parse(path.read_text()))
    ]
    assert not found, found


# --- Every key the app stores is declared ----------------------------------------------------------------------


def _undeclared(at):
    assert not at.exception, [e.value for e in at.exception]
    return {key for key in at.session_state.keys() if not state.is_declared(key)}


@pytest.mark.parametrize(
    "query",
    [
        {},
        # A refused value (K above the data's points) replays the link; a manual start comes with it.
        {"data": "S2", "k": "500", "init": "manual", "start": "0.5_0_0_1_1_0~0.5_3_3_1_1_0", "iteration": "2M"},
        {"data": "generated", "clusters": "2", "view": "covariance", "iteration": "1"},
    ],
)
def test_every_key_the_app_stores_is_declared(query):
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    undeclared = _undeclared(at)
    for label in TABS.values():
        at.session_state[state.VIEW] = label
        undeclared |= _undeclared(at.run())
    at.session_state[state.VIEW] = TABS["em"]
    at.run()
    for button in at.button:
        if button.key and button.key.startswith("jump_"):
            undeclared |= _undeclared(button.click().run())
            break
    undeclared |= _undeclared(edit_start(at, row=0, **{"π": 0.4}))
    assert not undeclared, undeclared


def test_an_upload_stores_only_declared_keys():
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.segmented_control(key=state.DATASET_SOURCE).set_value(state.UPLOAD).run()
    at.file_uploader(key=state.UPLOADER).set_value(("points.csv", SMALL_CSV, "text/csv"))
    undeclared = _undeclared(at.run())
    at.session_state[state.VIEW] = TABS["starts"]
    undeclared |= _undeclared(at.run())
    assert state.UPLOADED_DATA in at.session_state.keys()
    assert not undeclared, undeclared
