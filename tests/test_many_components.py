"""Many components in one chart: where the palette's eight colours repeat, a symbol (means) and a dash (ellipses,
curves) tell them apart (issue 17, item 6), read from the figures' traces."""

import json

import numpy as np
import plotly.graph_objects as go
import pytest

import gmm_core
from gmm_ui import figures, palette, stages

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def _fit(n_components, dim=2, n_points=600):
    rng = np.random.default_rng(17)
    X = rng.normal(size=(n_points, dim)) * 5.0
    start = gmm_core.initialize(X, n_components, method="random", random_state=0)
    return gmm_core.fit_em(X, start, max_iter=2, tol=0.0)


def _role(chart, role):
    return [trace for trace in chart["data"] if (trace.get("meta") or {}).get("role") == role]


def _listed(value, n):
    return list(value) if isinstance(value, list) else [value] * n


@pytest.mark.parametrize("n_components", [20, 200])
def test_every_component_of_the_em_chart_has_its_own_colour_and_symbol_and_dash(n_components):
    run = _fit(n_components)
    frames, note = stages.em_frames(run, run.X, False, 0)
    figure = figures.em_animation_figure(run.X, frames, figures.plane_view(run.X, ["x", "y"]), run.log_likelihood)
    chart = json.loads(figure.to_json())
    means = _role(chart, "mean")
    assert len(means) == n_components
    pairs = {(t["marker"]["color"], t["marker"]["symbol"]) for t in means}
    assert len(pairs) == n_components
    for n_std in (1, 2):
        ellipses = [t for t in _role(chart, "ellipse") if t["meta"]["n_std"] == n_std]
        assert len({(t["line"]["color"], t["line"]["dash"]) for t in ellipses}) == n_components


@pytest.mark.parametrize("n_components", [20, 200])
def test_the_styles_are_distinct_valid_for_plotly_and_keep_the_first_eight(n_components):
    styles = [palette.component_style(k) for k in range(n_components)]
    assert len({(s.color, s.symbol) for s in styles}) == n_components
    assert len({(s.color, s.dash) for s in styles}) == n_components
    assert [s.color for s in styles[:8]] == list(palette.OKABE_ITO)
    assert {s.symbol for s in styles[:8]} == {"circle"} and {s.dash for s in styles[:8]} == {"solid"}
    assert set(palette.component_colors(n_components)) <= set(palette.OKABE_ITO)  # colour-blind-safe colours only
    # Plotly accepts every symbol and dash (it raises on an unknown one)
    go.Scatter(marker=dict(symbol=[s.symbol for s in styles]))
    for s in styles:
        go.Scatter(line=dict(dash=s.dash))


def test_side_by_side_panels_and_curves_tell_twenty_components_apart():
    run = _fit(20)
    chart = json.loads(
        figures.panels_animation_figure(
            run.X,
            [stages.mixture_stages("EM", run, [0, 1, 2], run.X)],
            figures.plane_view(run.X, ["x", "y"]),
            [0, 1, 2],
        ).to_json()
    )
    means = _role(chart, "mean")[0]
    assert len(set(zip(means["marker"]["color"], means["marker"]["symbol"]))) == 20
    one_d = _fit(20, dim=1)
    frames, _ = stages.em_frames(one_d, None, False, 0)
    chart = json.loads(figures.em_animation_1d_figure(one_d.X, frames, (-20.0, 20.0), one_d.log_likelihood).to_json())
    curves = _role(chart, "component_density")
    styles = {(t["line"]["color"], t["line"].get("dash")) for t in curves}
    covered = sorted(k for t in curves for k in t["meta"]["components"])
    assert covered == list(range(20)) and len(styles) == len(curves)  # one trace per (colour, dash), none shared


def test_a_hundred_curves_stay_few_traces_a_frame():
    """S6a's 100 components: one trace per colour and dash would list 100 traces in every frame (each restyled by
    plotly.js on a step); past MAX_CURVE_TRACES they share one trace per colour, and every component is drawn."""
    one_d = _fit(100, dim=1, n_points=400)
    frames, _ = stages.em_frames(one_d, None, False, 0)
    chart = json.loads(figures.em_animation_1d_figure(one_d.X, frames, (-20.0, 20.0), one_d.log_likelihood).to_json())
    curves = _role(chart, "component_density")
    assert len(curves) <= figures.traces.MAX_CURVE_TRACES
    assert sorted(k for t in curves for k in t["meta"]["components"]) == list(range(100))
    assert len(chart["frames"][1]["data"]) <= figures.traces.MAX_CURVE_TRACES + 8  # the curves and a few others
