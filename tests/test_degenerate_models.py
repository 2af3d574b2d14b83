"""No degenerate winners: a model whose component collapsed (or emptied) is never ranked lowest by BIC/AIC, and the
criterion chart marks it and says why."""

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import gmm_core
from gmm_core import Degeneracy, ModelSelection
from gmm_ui import figures
from gmm_ui.tabs.choose_k import degenerate_caption
from gmm_ui.text import plain

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
COLLAPSE = Degeneracy(7, 3, "collapsed", "Component 4 became degenerate at iteration 7: ...")


def _roles(figure, role):
    return [trace for trace in figure.data if (trace.meta or {}).get("role") == role]


@pytest.fixture(scope="module")
def collapsing_selection():
    """Three round clusters and ten copies of one far point: from K = 4 a component sits on the copies, collapses
    onto that point (only reg_covar keeps it), and its likelihood there makes its BIC the lowest."""
    rng = np.random.default_rng(0)
    X = np.vstack(
        [
            rng.normal([0, 0], 0.6, (120, 2)),
            rng.normal([5, 0], 0.6, (120, 2)),
            rng.normal([2, 4], 0.6, (120, 2)),
            np.tile([9.0, 9.0], (10, 1)),
        ]
    )
    return gmm_core.select_components(X, max_components=4, covariance_types=("full", "spherical"), n_restarts=2)


def test_a_collapsed_model_is_never_chosen_as_lowest(collapsing_selection):
    selection = collapsing_selection
    anyway = selection.best("bic", include_degenerate=True)
    assert selection.degeneracies(*anyway)  # the lowest BIC of all is a collapsed model...
    assert any(d.kind == "collapsed" for d in selection.degeneracies(*anyway))
    best = selection.best("bic")
    assert best is not None and not selection.degeneracies(*best)  # ...and is not the one chosen
    sound = np.where(selection.degenerate, np.nan, selection.bic)
    row, column = selection.covariance_types.index(best[0]), int(best[1]) - 1
    assert selection.bic[row, column] == np.nanmin(sound)
    assert selection.degenerate.shape == selection.bic.shape
    assert selection.degenerate.sum() == sum(bool(run.degeneracies) for run in selection.runs.values())


def test_old_faithfuls_collapsed_diagonal_model_is_not_the_winner():
    """The issue's case: Old Faithful, diagonal covariances, K <= 8, 5 starts, tol 1e-6, 500 iterations, reg_covar
    1e-6: from K = 5 a component collapses onto the integer waiting times, and diag K = 5's BIC (2220.7) is the
    lowest of all."""
    with open(Path(gmm_core.__file__).parent / "data" / "faithful.csv", "rb") as file:
        X, _ = gmm_core.read_points(file)
    selection = gmm_core.select_components(
        X, max_components=8, covariance_types=("diag",), n_restarts=5, max_iter=500, tol=1e-6, reg_covar=1e-6
    )
    anyway = selection.best("bic", include_degenerate=True)
    assert anyway == ("diag", 5) and selection.bic[0, 4] == pytest.approx(2220.7, abs=0.05)
    assert any(d.kind == "collapsed" for d in selection.degeneracies(*anyway))
    best = selection.best("bic")
    assert best != anyway and not selection.degeneracies(*best)


def test_the_criterion_chart_marks_degenerate_models_and_ranks_the_others(collapsing_selection):
    selection = collapsing_selection
    degeneracies = {model: run.degeneracies for model, run in selection.runs.items() if run.degeneracies}
    figure = figures.criterion_figure(
        selection.n_components, selection.covariance_types, selection.bic, degeneracies=degeneracies
    )
    (marked,) = _roles(figure, "criterion_degenerate")
    assert sorted(tuple(model) for model in marked.meta["models"]) == sorted(degeneracies)
    assert all("degenerate: component" in text and "collapsed onto a point or a line" in text for text in marked.text)
    assert marked.marker.symbol == "circle" and marked.marker.color == "rgba(0,0,0,0)"  # a ring, hollow
    best_type, best_k = selection.best("bic")
    minimum = _roles(figure, "criterion_minimum")[0]
    assert minimum.x == (best_k,) and best_type in minimum.hovertemplate
    for line in _roles(figure, "criterion"):  # the degenerate points of each line are open symbols
        kind = line.meta["covariance_type"]
        opened = [symbol.endswith("-open") for symbol in line.marker.symbol]
        assert opened == [(kind, int(k)) in degeneracies for k in selection.n_components]


def test_a_chart_without_degenerate_models_is_as_before():
    bic = np.array([[30.0, 10.0, 20.0], [31.0, 12.0, np.nan]])
    figure = figures.criterion_figure([1, 2, 3], ("full", "diag"), bic)
    assert not _roles(figure, "criterion_degenerate")
    assert _roles(figure, "criterion_minimum")[0].x == (2,)
    assert all(not symbol.endswith("-open") for line in _roles(figure, "criterion") for symbol in line.marker.symbol)


def test_when_every_model_is_degenerate_nothing_is_ranked():
    bic = np.array([[30.0, 10.0]])
    degeneracies = {("full", 1): (COLLAPSE,), ("full", 2): (COLLAPSE,)}
    figure = figures.criterion_figure([1, 2], ("full",), bic, degeneracies=degeneracies)
    assert not _roles(figure, "criterion_minimum")
    assert len(_roles(figure, "criterion_degenerate")[0].x) == 2
    selection = _selection(bic, np.array([[True, True]]))
    assert selection.best("bic") is None and selection.best("bic", include_degenerate=True) == ("full", 2)


def test_the_note_names_what_went_wrong_and_the_caption_why():
    empty = Degeneracy(2, 0, "empty", "")
    assert figures.degeneracy_note(()) == ""
    assert figures.degeneracy_note((COLLAPSE, empty)) == (
        "degenerate: component 4 collapsed onto a point or a line (iteration 7); component 1 emptied (its weight "
        "fell to zero) (iteration 2)"
    )
    assert figures.degeneracy_note((COLLAPSE,) * 5).endswith("; and 2 more")
    caption = degenerate_caption(2, "BIC")
    assert "2 models have a degenerate component" in caption and "never ranked lowest" in caption


def _selection(values, degenerate):
    """A ModelSelection of criterion ``values`` (n_types, n_k) whose models ``degenerate`` marks are degenerate."""
    types = gmm_core.COVARIANCE_TYPES[: values.shape[0]]
    k_values = np.arange(1, values.shape[1] + 1)
    runs = {
        (kind, int(k)): SimpleNamespace(degeneracies=(COLLAPSE,) if degenerate[row, column] else ())
        for row, kind in enumerate(types)
        for column, k in enumerate(k_values)
        if np.isfinite(values[row, column])
    }
    zeros = np.zeros(values.shape)
    return ModelSelection(k_values, types, values, values - 1.0, zeros, zeros.astype(int), runs)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 4).flatmap(
        lambda n_types: st.integers(1, 6).flatmap(
            lambda n_k: st.tuples(
                st.lists(
                    st.one_of(st.floats(-1e6, 1e6), st.just(np.nan)), min_size=n_types * n_k, max_size=n_types * n_k
                ),
                st.lists(st.booleans(), min_size=n_types * n_k, max_size=n_types * n_k),
                st.just((n_types, n_k)),
            )
        )
    )
)
def test_best_is_the_lowest_sound_model_whatever_the_values(case):
    values, flags, shape = case
    values, degenerate = np.array(values).reshape(shape), np.array(flags).reshape(shape)
    selection = _selection(values, degenerate)
    for criterion, scores in (("bic", values), ("aic", values - 1.0)):
        sound = np.where(degenerate | np.isnan(scores), np.inf, scores)
        best = selection.best(criterion)
        if np.isinf(sound).all():
            assert best is None
            continue
        row, column = selection.covariance_types.index(best[0]), best[1] - 1
        assert not degenerate[row, column] and scores[row, column] == sound.min()


def test_the_tab_marks_s8s_degenerate_models_and_shows_a_sound_one():
    """S8 (default settings: K <= 6, 3 starts): full and diag K = 6 collapse; the tab ranks the others."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"data": "S8", "view": "choose_k"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    spec = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if '"criterion"' in c.proto.spec)
    (marked,) = [t for t in spec["data"] if (t.get("meta") or {}).get("role") == "criterion_degenerate"]
    assert sorted(map(tuple, marked["meta"]["models"])) == [("diag", 6), ("full", 6)]
    assert all(text.startswith("degenerate: component") for text in marked["text"])
    model = at.selectbox(key="select_model").value
    assert tuple(model) == ("full", 2)  # the lowest BIC among the sound models
    captions = " ".join(caption.value for caption in at.caption)
    assert "Hollow, ringed: 2 models have a degenerate component" in captions
    assert "Lowest BIC: full, K = 2." in captions
    at.selectbox(key="select_model").set_value(("full", 6)).run()
    said = plain("This model is degenerate: component 4 collapsed onto a point or a line")
    assert any(said in warning.value for warning in at.warning)
