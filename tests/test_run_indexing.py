"""EMRun and KMeansRun index their iterations alike: negative counts from the end, out of range raises IndexError."""

import numpy as np
import pytest

from gmm_core import fit_em, fit_kmeans, initialize


def _data():
    rng = np.random.default_rng(0)
    return np.vstack([rng.normal(-2, 1, (60, 2)), rng.normal(2, 1, (60, 2))])


def _em_run():
    X = _data()
    return fit_em(X, initialize(X, 2, "kmeans++", random_state=0), max_iter=4, tol=0)


def _kmeans_run():
    X = _data()
    return fit_kmeans(X, X[[0, 119]], max_iter=4, tol=0.0)


RUNS = {"EMRun": _em_run, "KMeansRun": _kmeans_run}


@pytest.mark.parametrize("make_run", RUNS.values(), ids=RUNS.keys())
def test_negative_iterations_count_from_the_end(make_run):
    run = make_run()
    assert run.n_iter >= 1
    np.testing.assert_array_equal(run.labels(-1), run.labels(run.n_iter))
    np.testing.assert_array_equal(run.labels(-(run.n_iter + 1)), run.labels(0))


@pytest.mark.parametrize("make_run", RUNS.values(), ids=RUNS.keys())
@pytest.mark.parametrize("past_the_end", [1, 2])
def test_an_iteration_past_either_end_raises_index_error(make_run, past_the_end):
    run = make_run()
    above, below = run.n_iter + past_the_end, -(run.n_iter + 1) - past_the_end
    for bad in (above, below):
        with pytest.raises(IndexError, match=rf"^iteration {bad} is out of range 0\.\.{run.n_iter}$"):
            run.labels(bad)


def test_em_and_kmeans_runs_index_alike():
    em, kmeans = _em_run(), _kmeans_run()
    for run in (em, kmeans):
        length = run.n_iter + 1
        for i in range(-length - 2, length + 2):
            try:
                run.labels(i)
                valid = True
            except IndexError:
                valid = False
            assert valid == (-length <= i < length), (type(run).__name__, i)
