"""Every computation the app asks of the engine, cached on its inputs so that reruns and scrubbing never refit.

A computation that can fail returns a :class:`Result` (its value, or the message saying why there is none) rather
than raising: failures are then cached like values, and a rerun or a scrub never repeats one.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Generic, TypeVar

import numpy as np
import streamlit as st

import gmm_core
from gmm_core import DataError, DegenerateFitError, ParameterError
from gmm_core.data_io import inspect_table
from gmm_core.initialization import KMEANS_START_MAX_ITER
from gmm_core.metrics import sample
from gmm_ui import workers
from gmm_ui.shared import Kept, digest

COVARIANCE_LABELS = {
    "full": "full: any ellipse",
    "tied": "tied: one shared ellipse",
    "diag": "diagonal: axis-aligned",
    "spherical": "spherical: circles",
}
CONVERGENCE_LABELS = {
    "log_likelihood": "log-likelihood change",
    "weights": "weights change (norm)",
    "parameters": "parameters change (squared)",
    "expected_log_likelihood": "Q change (expected complete log-likelihood)",
}


@dataclass(frozen=True)
class FitSettings:
    """The model and stopping rule the user chose (everything fit_em needs besides the data and the start)."""

    n_components: int
    covariance_type: str
    max_iter: int
    tol: float
    convergence: str
    reg_covar: float

    def as_dict(self):
        return asdict(self)


T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class Result(Generic[T]):
    """A computation's value, or the message saying why there is none (exactly one of the two is set).

    Returned instead of raised so that a failure is cached like a value: ``st.cache_data`` and
    ``st.cache_resource`` keep no exceptions, and a rerun or a scrub must never repeat a fit that failed.
    """

    value: T | None = None
    error: str | None = None

    @classmethod
    def failed(cls, message):
        return cls(None, str(message))


#: A fit keeps every iteration; settings whose snapshots could take more memory than this are refused.
SNAPSHOT_BUDGET_BYTES = 128 * 2**20


def snapshots_too_large(n_components, n_features, max_iter, n_runs=1):
    """Why the snapshots of ``n_runs`` fits could exceed :data:`SNAPSHOT_BUDGET_BYTES` together, with what to lower;
    None if they fit."""
    per_iteration = n_components * (1 + n_features + n_features**2) * 8 * n_runs  # weights, means, covariances
    needed = (max_iter + 1) * per_iteration
    if needed <= SNAPSHOT_BUDGET_BYTES:
        return None
    runs = f" for each of {n_runs} starts" if n_runs > 1 else ""
    fewer_runs = ", the number of starts" if n_runs > 1 else ""
    return (
        f"K = {n_components} components in {n_features} columns over up to {max_iter:,} iterations{runs} would keep "
        f"{needed / 2**20:,.0f} MB of snapshots, more than the {SNAPSHOT_BUDGET_BYTES // 2**20} MB allowed (the "
        f"server's memory is shared by everyone using it). Lower the maximum number of iterations to "
        f"{max(SNAPSHOT_BUDGET_BYTES // per_iteration - 1, 0):,} or fewer, or lower K{fewer_runs} or the number of "
        "columns."
    )


def first_non_finite_iteration(run):
    """The first iteration of ``run`` holding a NaN or infinite value, or None: such values must never be drawn."""
    finite = (
        np.isfinite(run.weights).all(axis=1)
        & np.isfinite(run.means).all(axis=(1, 2))
        & np.isfinite(run.covariances).all(axis=(1, 2, 3))
        & np.isfinite(run.log_likelihood)
    )
    return None if finite.all() else int(np.argmin(finite))


def _finite_run(run):
    """A finished EM run as a :class:`Result`: refused if it holds a NaN or an infinity (they must never be drawn)."""
    if (iteration := first_non_finite_iteration(run)) is not None:
        return Result.failed(
            f"EM produced numbers too large or too small to represent (NaN or infinity) at iteration {iteration}. "
            "Standardise the data, or start from broader covariances."
        )
    return Result(run)


def result_bytes(value, seen=None):
    """Bytes of the arrays ``value`` holds (a run, a Result, tuples and dicts of them), each array counted once."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        base = value if value.base is None else value.base
        if base is not value and id(base) in seen:
            return 0
        seen.add(id(base))
        return int(base.nbytes) if isinstance(base, np.ndarray) else int(value.nbytes)
    if isinstance(value, (tuple, list)):
        return sum(result_bytes(item, seen) for item in value)
    if isinstance(value, dict):
        return sum(result_bytes(item, seen) for item in value.values())
    if hasattr(value, "__dict__"):
        return sum(result_bytes(item, seen) for item in vars(value).values())
    return 0


#: What the kept fits of all sessions may hold together (runs, their snapshots and their copy of the data). With
#: the 64 MB of labels (``gmm_core``) and the uploads' tables (:func:`read_upload`), the server stays near 1 GB.
KEPT_BYTES = 256 * 2**20


@st.cache_resource
def _kept():
    """The last results of every session's fits, by their inputs (failures too, as messages: a rerun or a scrub
    must never repeat a fit that failed). Plain storage rather than ``st.cache_data``, which bounds only the number
    of entries (32 EM runs of up to 128 MB of snapshots each) and copies a result out of its pickle on every rerun;
    and whose replay of elements forbids drawing the progress bar from inside the fit."""
    return Kept(KEPT_BYTES, size=result_bytes)


class _ProgressBar:
    """A fit's progress callback: a bar in ``placeholder`` once the fit has run for a while (a fit that ends sooner
    shows nothing), updated a few times a second; its text is ``title``, then ``detail(done, total, value)`` once
    the fit has said how far it has come."""

    DELAY_SECONDS = 0.4
    INTERVAL_SECONDS = 0.1

    def __init__(self, placeholder, title="Running EM", detail=None):
        self.placeholder, self.title = placeholder, title
        self.detail = detail or (
            lambda done, total, value: f"iteration {done:,} of at most {total:,}, mean log-likelihood {value:.4f}"
        )
        self.started = time.perf_counter()
        self.shown = -np.inf

    def __call__(self, done, total, value=math.nan, queued=False):
        now = time.perf_counter()
        if now - self.started < self.DELAY_SECONDS or now - self.shown < self.INTERVAL_SECONDS:
            return
        self.shown = now
        if queued:
            text = f"{self.title}: waiting to start (other heavy fits on this server go first)…"
        else:
            text = f"{self.title}: {self.detail(done, total, value)}" if total else f"{self.title}…"
        self.placeholder.progress(min(done / max(total, 1), 1.0), text=text)


#: Estimated work (points x components x the E-step's terms per point x iterations, summed over every EM fit of
#: the call) above which a fit runs in a worker process (:mod:`gmm_ui.workers`) rather than on the server's
#: threads: about half a second on the 2-core development machine (docs/load.md). Below it, starting the work
#: in another process and copying the data there and back would cost more than the fit.
HEAVY_WORK = 1e9
#: A k-means iteration's work per point and component, in the same units (measured likewise, in 2-D).
KMEANS_WORK = 2

WORKER_DIED = (
    "The fit stopped: the process running it ended before it did (the server may have run out of memory). "
    "Try fewer points or components, or fewer iterations."
)


def em_work(n_points, n_features, n_components, max_iter, n_fits=1):
    """The estimated work of ``n_fits`` EM fits (see :data:`HEAVY_WORK`)."""
    terms = (n_features + 1) * (n_features + 2) // 2  # 1, x and the distinct products x_i x_j
    return n_points * n_components * terms * max(int(max_iter), 1) * n_fits


def kmeans_work(n_points, n_components, max_iter):
    return KMEANS_WORK * n_points * n_components * max(int(max_iter), 1)


def _outcome(key, work, function, *args, check=Result, title=None, detail=None, reports_progress=False, **kwargs):
    """The kept :class:`Result` of ``key``, or ``function(*args, **kwargs)``'s, computed on this thread or, when
    its estimated ``work`` exceeds :data:`HEAVY_WORK`, in a worker process; kept for every session either way.

    The engine's errors become its message; a finished value becomes ``check(value)``. ``title``: a progress bar's
    text while it runs (with ``detail(done, total, value)`` when the function reports its progress)."""
    store = _kept()
    if (outcome := store.get(key)) is not None:
        return outcome

    def settle(future):  # once per computation, even when the session that asked has left
        try:
            outcome = check(workers.result(future))
        except (ParameterError, DegenerateFitError) as error:
            outcome = Result.failed(error)
        except workers.WorkerDied:
            outcome = Result.failed(WORKER_DIED)
        store.put(key, outcome)
        return outcome

    placeholder = st.empty()
    bar = _ProgressBar(placeholder, title, detail) if title else None
    try:
        return workers.run(
            key,
            function,
            *args,
            heavy=work > HEAVY_WORK,
            settle=settle,
            progress=bar,
            reports_progress=reports_progress,
            **kwargs,
        )
    finally:
        placeholder.empty()


def fit_em(X, start, settings, covariance_type=None):
    """EM from ``start`` with ``settings`` (optionally another covariance type), kept by every input; a fit that
    runs for more than a moment shows a progress bar where it is called.

    Returns
    -------
    Result of gmm_core.EMRun
    """
    if too_large := snapshots_too_large(start.n_components, start.n_features, settings.max_iter):
        return Result.failed(too_large)
    options = (
        int(settings.max_iter),
        float(settings.tol),
        covariance_type or settings.covariance_type,
        float(settings.reg_covar),
        settings.convergence,
    )
    max_iter, tol, covariance_type, reg_covar, convergence = options
    return _outcome(
        ("em", digest(X, start.weights, start.means, start.covariances), options),
        em_work(*X.shape, start.n_components, max_iter),
        gmm_core.fit_em,
        X,
        start,
        max_iter=max_iter,
        tol=tol,
        covariance_type=covariance_type,
        reg_covar=reg_covar,
        convergence=convergence,
        check=_finite_run,
        title="Running EM",
        reports_progress=True,
    )


def _shape(X):
    """(points, columns) of the data ``X``."""
    X = np.asarray(X)
    return X.shape[0], (X.shape[1] if X.ndim > 1 else 1)


def _key(name, *args):
    """A kept result's key: the computation's name and its arguments, arrays by their bytes."""
    return (name, *(digest(a) if isinstance(a, np.ndarray) else a for a in args))


def fit_kmeans(X, initial_centers, max_iter):
    """Lloyd's k-means from ``initial_centers`` (K, D), kept by its inputs.

    Returns
    -------
    Result of gmm_core.KMeansRun
    """
    initial_centers = np.asarray(initial_centers)
    return _outcome(
        _key("fit_kmeans", X, initial_centers, int(max_iter)),
        kmeans_work(_shape(X)[0], len(initial_centers), max_iter),
        gmm_core.fit_kmeans,
        X,
        initial_centers,
        max_iter=int(max_iter),
        title="Running k-means",
    )


@st.cache_data(max_entries=8, show_spinner=False)
def labelled_estimates(X, labels):
    """The maximum-likelihood Gaussian of each labelled group (``gmm_core.labelled_estimates``), cached.

    Returns
    -------
    Result of gmm_core.GaussianMixtureParams
        Or why there is none (a group too small or too flat for a covariance).
    """
    try:
        return Result(gmm_core.labelled_estimates(X, labels))
    except ParameterError as error:
        return Result.failed(error)


def kmeans_start(X, n_components, seed, covariance_type, reg_covar):
    """The "k-means clusters" start and the k-means++ seeds its k-means began from, kept by its inputs.

    Returns
    -------
    Result of (GaussianMixtureParams, ndarray of shape (K, D))
    """
    arguments = (int(n_components), int(seed), covariance_type, float(reg_covar))
    return _outcome(
        _key("kmeans_start", X, *arguments),
        kmeans_work(_shape(X)[0], n_components, KMEANS_START_MAX_ITER),
        gmm_core.kmeans_start,
        X,
        *arguments,
        title="Running k-means",
    )


# A resource, not data: a scenario is immutable (its arrays read-only), and the same object on every rerun lets
# the charts' keys (gmm_ui.shared) digest its points once.
@st.cache_resource(max_entries=2, show_spinner=False)
def generate_clusters(**settings):
    """``gmm_core.generate_clusters(**settings)``, kept for every session: drawing the largest (600,000 points)
    again took 0.23 s of each rerun. Raises its ParameterError (not kept) for settings it refuses."""
    return gmm_core.generate_clusters(**settings)


# A resource, not data: the Table is immutable, and copying it on every rerun (as cache_data does) would cost
# seconds for a file near the size limit.
@st.cache_resource(max_entries=2, show_spinner="Reading the file…")
def read_upload(content, max_bytes):
    """The parsed table of an uploaded file's bytes (at most ``max_bytes``).

    Returns
    -------
    Result of gmm_core.Table
        Or the reader's message for the user (a file that cannot be read is not read again on every rerun).
    """
    try:
        return Result(inspect_table(content, max_bytes=max_bytes))
    except DataError as error:
        return Result.failed(error)


@st.cache_data(max_entries=16, show_spinner=False)
def draw_samples(weights, means, covariances, n_samples, seed):
    """Points drawn from a fitted mixture and the component of each. Nothing can fail (the mixture was fitted), so
    this returns the value itself."""
    params = gmm_core.GaussianMixtureParams(weights, means, covariances)
    return sample(params, int(n_samples), random_state=int(seed))


def _done_of_total(done, total, value):
    """A progress bar's detail for work counted in fits (starts, models): "3 of 10 done"."""
    return f"{done} of {total} done"


def fit_restarts(X, n_components, n_restarts, method, seed, covariance_type, max_iter, tol, reg_covar, convergence):
    """EM from ``n_restarts`` starts of ``method`` (seeds ``seed``, ``seed + 1``...), stopped by the user's own
    rule (``max_iter``, ``tol``, ``convergence``), kept by its inputs.

    Returns
    -------
    Result of gmm_core.Restarts
        Or the engine's message when no start could be fitted.
    """
    arguments = (
        int(n_components),
        int(n_restarts),
        method,
        int(seed),
        covariance_type,
        int(max_iter),
        float(tol),
        float(reg_covar),
        convergence,
    )
    n_points, n_features = _shape(X)
    return _outcome(
        _key("fit_restarts", X, *arguments),
        em_work(n_points, n_features, n_components, max_iter, n_fits=n_restarts),
        gmm_core.fit_restarts,
        X,
        *arguments,
        title=f"Fitting EM from {n_restarts} starts",
        detail=_done_of_total,
        reports_progress=True,
    )


#: How each model of the BIC/AIC comparison is fitted: EM to a change of mean log-likelihood below this, or at
#: most this many iterations (the user's own stopping rule may be far stricter, and this fits dozens of models).
SELECTION_TOL = 1e-4
SELECTION_MAX_ITER = 200


def select_components(X, max_components, n_restarts, seed, reg_covar):
    """BIC and AIC of the best of ``n_restarts`` k-means++ starts for K = 1..max_components and every type, kept by
    its inputs.

    Returns
    -------
    Result of gmm_core.ModelSelection
    """
    n_points, n_features = _shape(X)
    largest = min(int(max_components), n_points)
    return _outcome(
        _key("select_components", X, int(max_components), int(n_restarts), int(seed), float(reg_covar)),
        # K = 1..largest for each type: as much work as 4 (largest + 1) / 2 fits of K = largest
        em_work(n_points, n_features, largest, SELECTION_MAX_ITER, n_fits=n_restarts * 2 * (largest + 1)),
        gmm_core.select_components,
        X,
        int(max_components),
        n_restarts=int(n_restarts),
        method="kmeans++",
        random_state=int(seed),
        max_iter=SELECTION_MAX_ITER,
        tol=SELECTION_TOL,
        reg_covar=float(reg_covar),
        check=_some_model,
        title=f"Fitting {4 * largest} models",
        detail=_done_of_total,
        reports_progress=True,
    )


def _some_model(selection):
    if np.all(np.isnan(selection.bic)):
        return Result.failed("No model could be fitted for any K: check the data (are there enough distinct points?).")
    return Result(selection)
