"""What the user downloads: the fitted parameters (JSON), the whole iteration history (CSV) and the animated EM chart
(one HTML file that plays offline)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import plotly.io as pio


def parameters_json(run, feature_names, settings, data_title):
    """The final mixture, the settings that produced it and its log-likelihood, as indented JSON.

    Parameters
    ----------
    run : gmm_core.EMRun
    feature_names : sequence of str
    settings : dict
        Plain values (numbers, strings) describing the fit.
    data_title : str

    Returns
    -------
    str
    """
    final = run.final
    document = {
        "data": {"title": data_title, "n_points": int(run.X.shape[0]), "features": list(feature_names)},
        "settings": settings,
        "n_iter": int(run.n_iter),
        "converged": bool(run.converged),
        "mean_log_likelihood": float(run.log_likelihood[-1]),
        "weights": final.weights.tolist(),
        "means": final.means.tolist(),
        "covariances": final.covariances.tolist(),
    }
    return json.dumps(document, indent=2, ensure_ascii=False)


def history_frame(run, feature_names):
    """One row per iteration: log-likelihood, then every component's weight, mean and covariance entries.

    Covariance entries are the upper triangle (Σ is symmetric), named ``cov_<k>_<feature i>_<feature j>``.

    Returns
    -------
    pandas.DataFrame of shape (n_iter + 1, 2 + K * (1 + D + D(D+1)/2))
    """
    n_components, n_features = run.means.shape[1:]
    rows, cols = np.triu_indices(n_features)
    columns = {"iteration": np.arange(run.n_iter + 1), "log_likelihood": run.log_likelihood}
    for k in range(n_components):
        columns[f"weight_{k + 1}"] = run.weights[:, k]
        for d, name in enumerate(feature_names):
            columns[f"mean_{k + 1}_{name}"] = run.means[:, k, d]
        for i, j in zip(rows, cols):
            columns[f"cov_{k + 1}_{feature_names[i]}_{feature_names[j]}"] = run.covariances[:, k, i, j]
    return pd.DataFrame(columns)


def history_csv(run, feature_names):
    """:func:`history_frame` as CSV text."""
    return history_frame(run, feature_names).to_csv(index=False)


def animation_html(figure):
    """``figure`` (an animated chart) as one self-contained HTML page: Plotly's library inlined, no script fetched,
    so it plays offline (slides, course pages); it opens still, at the figure's active frame, until Play.

    Returns
    -------
    str
        About 5 MB: Plotly's library alone is 4.6 MB.
    """
    return pio.to_html(figure, include_plotlyjs=True, full_html=True, auto_play=False, config={"displaylogo": False})
