"""gmm_ui.fitting: EM runs kept by their inputs, failures kept as their messages, and the progress bar of a long fit."""

import numpy as np
import pytest

import gmm_core
from gmm_ui import fitting


def _settings(**changes):
    values = dict(
        n_components=2, covariance_type="full", max_iter=30, tol=1e-6, convergence="log_likelihood", reg_covar=1e-6
    )
    values.update(changes)
    return fitting.FitSettings(**values)


def _data():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(-2, 1, (200, 2)), rng.normal(2, 1, (200, 2))])


def test_a_fit_is_run_once_for_the_same_inputs_and_again_for_other_ones(monkeypatch):
    X = _data()
    start = gmm_core.initialize(X, 2, "kmeans++", random_state=0)
    calls = []
    real = gmm_core.fit_em
    monkeypatch.setattr(gmm_core, "fit_em", lambda *args, **kw: calls.append(args) or real(*args, **kw))
    first = fitting.fit_em(X, start, _settings(max_iter=31))
    assert fitting.fit_em(X.copy(), start, _settings(max_iter=31)) is first  # same bytes: no refit
    assert len(calls) == 1
    other = fitting.fit_em(X, start, _settings(max_iter=31, tol=0.0))
    assert other is not first and len(calls) == 2
    np.testing.assert_allclose(first.value.log_likelihood, gmm_core.fit_em(X, start, max_iter=31).log_likelihood)


def test_a_failed_fit_is_kept_as_its_message():
    X = np.zeros((50, 2))
    start = gmm_core.GaussianMixtureParams([0.5, 0.5], [[0.0, 0.0], [1.0, 1.0]], [np.eye(2), np.eye(2)])
    outcome = fitting.fit_em(X, start, _settings(reg_covar=0.0, max_iter=5))
    assert outcome.value is None and outcome.error
    assert fitting.fit_em(X, start, _settings(reg_covar=0.0, max_iter=5)) is outcome


def test_a_failed_kmeans_fit_is_kept_as_its_message_and_not_run_again(monkeypatch):
    X = _data() + 0.125  # inputs no other test caches
    calls = []
    real = gmm_core.fit_kmeans
    monkeypatch.setattr(gmm_core, "fit_kmeans", lambda *args, **kw: calls.append(args) or real(*args, **kw))
    for _ in range(2):
        outcome = fitting.fit_kmeans(X, np.zeros((2, 3)), 5)  # three coordinates for 2-D data
        assert outcome.value is None and "initial_centers must have shape" in outcome.error
    assert len(calls) == 1
    assert fitting.fit_kmeans(X, X[:2], 5).value.n_iter >= 1


def test_an_unreadable_upload_is_kept_as_its_message():
    outcome = fitting.read_upload(b"", 1000)
    assert outcome.value is None and outcome.error
    assert fitting.read_upload(b"", 1000) is outcome
    assert fitting.read_upload(b"x,y\n1,2\n3,4\n", 1000).value.n_rows == 2


def test_restarts_and_model_selection_give_their_value_or_the_message():
    X = _data()
    restarts = fitting.fit_restarts(X, 2, 2, "kmeans++", 0, "full", 20, 1e-6, 1e-6, "log_likelihood")
    assert restarts.error is None and len(restarts.value.runs) == 2
    failed = fitting.fit_restarts(X, 0, 2, "kmeans++", 0, "full", 20, 1e-6, 1e-6, "log_likelihood")
    assert failed.value is None and "K (the number of components)" in failed.error
    selection = fitting.select_components(X[:40], 2, 1, 0, 1e-6)
    assert selection.error is None and selection.value.bic.shape[1] == 2


class _Placeholder:
    def __init__(self):
        self.shown = []

    def progress(self, fraction, text):
        self.shown.append((fraction, text))


def test_progress_shows_only_once_a_fit_has_run_a_while_and_says_where_it_is(monkeypatch):
    clock = iter([0.0, 0.1, 0.5, 0.55, 0.7])
    monkeypatch.setattr(fitting.time, "perf_counter", lambda: next(clock))
    placeholder = _Placeholder()
    bar = fitting._ProgressBar(placeholder)  # starts at t = 0
    bar(1, 200, -3.5)  # t = 0.1: too early, nothing shown
    bar(40, 200, -3.21)  # t = 0.5
    bar(41, 200, -3.2)  # t = 0.55: too soon after the last update
    bar(50, 200, -3.19)  # t = 0.7
    assert [fraction for fraction, _ in placeholder.shown] == [pytest.approx(0.2), pytest.approx(0.25)]
    assert "iteration 50 of at most 200" in placeholder.shown[-1][1] and "-3.1900" in placeholder.shown[-1][1]


def test_generated_clusters_are_drawn_once_for_every_session_and_refusals_are_not_kept():
    settings = dict(n_clusters=3, points_per_cluster=50, spread=1.0, elongation=1.0, separation=4.0, seed=12345)
    first = fitting.generate_clusters(**settings)
    assert fitting.generate_clusters(**settings) is first  # one object: the charts' keys digest its points once
    np.testing.assert_array_equal(first.X, gmm_core.generate_clusters(**settings).X)
    assert fitting.generate_clusters(**{**settings, "seed": 12346}) is not first
    with pytest.raises(gmm_core.ParameterError):
        fitting.generate_clusters(**{**settings, "n_clusters": 0})
