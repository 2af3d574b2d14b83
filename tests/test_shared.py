"""gmm_ui.shared: what two students' pages would build alike is built once per server, by a key that tells every
input apart, and a shared chart is never changed by a page that draws it."""

from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import plotly.io
import pytest
from streamlit.testing.v1 import AppTest

from gmm_ui import figures, shared, state
from gmm_ui.controls import DisplayOptions
from gmm_ui.figures import em as em_figures
from gmm_ui.tabs import common
from tests import em_chart

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def test_fingerprints_tell_apart_what_differs_and_only_that():
    fingerprint = shared.fingerprint
    a = np.arange(6.0).reshape(2, 3)
    assert fingerprint(a) == fingerprint(a.copy()) == fingerprint(np.asfortranarray(a))
    assert fingerprint(a) != fingerprint(a.reshape(3, 2))  # same bytes, other shape
    assert fingerprint(a) != fingerprint(a.astype(np.float32))
    changed = a.copy()
    changed[1, 2] = np.nextafter(5.0, 6.0)  # one bit
    assert fingerprint(a) != fingerprint(changed)
    assert len({fingerprint(1), fingerprint(1.0), fingerprint(True), fingerprint("1")}) == 4
    assert fingerprint(float("nan")) == fingerprint(float("nan"))
    assert fingerprint((1, 2)) != fingerprint([1, 2])
    assert fingerprint(DisplayOptions((1, 2), True)) == fingerprint(DisplayOptions((1, 2), True))
    assert fingerprint(DisplayOptions((1, 2), True)) != fingerprint(DisplayOptions((1, 2), True, large_text=True))
    with pytest.raises(TypeError, match="no fingerprint"):
        fingerprint(object())  # a chart's key must hold all it is built from: nothing passes unseen


def test_a_writable_array_is_read_again_after_it_changed():
    a = np.zeros(4)
    before = shared.fingerprint(a)
    a[0] = 1.0
    assert shared.fingerprint(a) != before
    frozen = np.zeros(4)
    frozen.setflags(write=False)
    assert shared.fingerprint(frozen) == before  # read-only: digested once, kept while it lives


BUILT = []


def _build(value):
    BUILT.append(value)
    return go.Figure(layout=dict(title=dict(text=value)))


def test_a_chart_is_built_once_for_equal_inputs_and_again_for_others():
    shared._charts.clear()
    BUILT.clear()
    first = shared.chart(_build, "a")
    assert shared.chart(_build, "a") is first and BUILT == ["a"]
    assert shared.chart(_build, "b") is not first and BUILT == ["a", "b"]


def test_kept_charts_stay_within_their_byte_budget(monkeypatch):
    shared._charts.clear()
    one = len(plotly.io.to_json(_build("x"), validate=False))
    monkeypatch.setattr(shared, "CHART_BYTES", 3 * one)
    shared._charts.clear()
    for value in "abcdef":
        shared.chart(_build, value)
    kept = shared._charts()
    assert kept.nbytes <= 3 * one and len(kept.entries) == 3
    shared._charts.clear()


@pytest.fixture
def builds(monkeypatch):
    """The EM figures built, counted, with no chart kept from before."""
    shared._charts.clear()
    counted = []
    build = em_figures.em_animation_figure

    def counting(*args, **kwargs):
        counted.append(1)
        return build(*args, **kwargs)

    monkeypatch.setattr("gmm_ui.figures.em_animation_figure", counting)
    return counted


def test_students_on_one_preset_share_one_em_chart_and_each_option_builds_its_own(builds):
    first = AppTest.from_file(APP, default_timeout=60).run()
    assert len(builds) == 1
    for _ in range(3):  # three more students opening the same page
        other = AppTest.from_file(APP, default_timeout=60).run()
        assert not other.exception
        assert em_chart.em_chart(other) == em_chart.em_chart(first)
    assert len(builds) == 1
    other.toggle(key="large_text").set_value(True).run()  # presenting: a chart of its own
    assert len(builds) == 2 and em_chart.em_chart(other) != em_chart.em_chart(first)
    other.number_input(key="n_components").set_value(4).run()  # another fit: another chart
    assert len(builds) == 3
    AppTest.from_file(APP, default_timeout=60).run()  # the first page still comes from the server's chart
    assert len(builds) == 3


def test_drawing_a_shared_chart_leaves_it_as_it_was(builds, monkeypatch):
    drawn = []
    plot = common.plot

    def recording(figure, *args, **kwargs):
        before = figure.to_json()
        result = plot(figure, *args, **kwargs)
        drawn.append(before == figure.to_json())
        return result

    monkeypatch.setattr("gmm_ui.tabs.em.plot", recording)
    AppTest.from_file(APP, default_timeout=60).run()
    AppTest.from_file(APP, default_timeout=60).run()
    assert drawn == [True, True]


def test_students_on_one_tab_share_its_side_by_side_chart(monkeypatch):
    shared._charts.clear()
    counted = []
    build = figures.panels_animation_figure
    monkeypatch.setattr(figures, "panels_animation_figure", lambda *a, **k: counted.append(1) or build(*a, **k))
    specs = []
    for _ in range(3):
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state[state.VIEW] = state.TABS["kmeans"]
        at.run()
        assert not at.exception
        specs.append(at.get("plotly_chart")[0].proto.spec)
    assert len(counted) == 1 and specs[0] == specs[1] == specs[2]
