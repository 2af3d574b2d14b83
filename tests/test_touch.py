"""Touch the picture, the pure parts: a chart's selection to a click, placing and moving means, the undo history,
drawn clouds, erasing by box and lasso, and a drawn set through its CSV and its link text; and the click catcher's
figure."""

import numpy as np
import plotly.graph_objects as go
import pytest

from gmm_core import GaussianMixtureParams
from gmm_core.data_io import inspect_table
from gmm_ui import drawing, link, placing
from gmm_ui.data import from_drawn, from_table
from gmm_ui.figures.touch import CATCHER_ROLE, catcher_panels, click_catcher_trace, with_click_catchers
from gmm_ui.state import DATA, DATASET_SOURCE, DRAW, DRAWN

SPANS = (10.0, 10.0)
PAIR = (0, 1)


def _selection(*points, box=(), lasso=()):
    return {"selection": {"points": list(points), "point_indices": [], "box": list(box), "lasso": list(lasso)}}


def _catcher_point(x, y, panel=0):
    return {"curve_number": 9, "point_number": 0, "point_index": 0, "x": x, "y": y, "customdata": panel}


def _start(n_components=3):
    means = np.arange(2.0 * n_components).reshape(n_components, 2)
    covariances = np.tile(np.eye(2) * 4.0, (n_components, 1, 1))
    return GaussianMixtureParams(np.full(n_components, 1 / n_components), means, covariances)


COVARIANCE = np.diag([0.5, 0.25])


# --- Clicks -------------------------------------------------------------------------------------------------------


def test_a_click_on_the_catcher_gives_its_panel_and_data_coordinates():
    assert placing.clicked_point(_selection(_catcher_point(1.5, -2.0, panel=1))) == placing.Click(1, 1.5, -2.0)


@pytest.mark.parametrize(
    "selection",
    [
        None,
        {},
        _selection(),
        _selection({"x": 1.0, "y": 2.0, "curve_number": 0}),  # a data point, not the catcher
        _selection(_catcher_point(1.0, 2.0), box=[{"x": [0, 1], "y": [0, 1]}]),
        _selection(_catcher_point(float("nan"), 2.0)),
    ],
)
def test_anything_but_a_click_on_the_catcher_is_no_click(selection):
    assert placing.clicked_point(selection) is None


# --- Placing --------------------------------------------------------------------------------------------------------


def test_clicks_place_the_components_in_turn_with_the_default_covariance_and_equal_weights():
    params, progress = _start(), placing.Progress()
    for k, point in enumerate([(10.0, 10.0), (20.0, -5.0), (-7.0, 3.0)]):
        placed = placing.place(params, point, PAIR, SPANS, progress, COVARIANCE)
        assert (placed.component, placed.moved) == (k, False)
        params, progress = placed.params, placed.progress
        np.testing.assert_array_equal(params.means[k], point)
        np.testing.assert_array_equal(params.covariances[k], COVARIANCE)
    np.testing.assert_allclose(params.weights, 1 / 3)
    assert progress == placing.Progress(3, 0)


def test_a_click_near_a_placed_mean_moves_it_and_keeps_its_covariance():
    first = placing.place(_start(), (10.0, 10.0), PAIR, SPANS, placing.Progress(), COVARIANCE)
    moved = placing.place(first.params, (10.2, 10.1), PAIR, SPANS, first.progress, np.eye(2))
    assert (moved.component, moved.moved) == (0, True)
    np.testing.assert_array_equal(moved.params.means[0], (10.2, 10.1))
    np.testing.assert_array_equal(moved.params.covariances[0], COVARIANCE)
    assert moved.progress == first.progress  # the next click still places component 2


def test_a_click_near_a_mean_not_yet_placed_places_the_next_component():
    start = _start()  # component 2's mean is at (2, 3)
    placed = placing.place(start, (2.0, 3.0), PAIR, SPANS, placing.Progress(), COVARIANCE)
    assert (placed.component, placed.moved) == (0, False)


def test_after_k_clicks_a_click_far_from_every_mean_replaces_the_components_again_in_turn():
    placed = placing.place(_start(2), (9.0, 9.0), PAIR, SPANS, placing.Progress(2, 0), COVARIANCE)
    assert (placed.component, placed.moved) == (0, False)
    assert placed.progress == placing.Progress(2, 1)


def test_the_move_radius_is_measured_in_shares_of_each_axis():
    first = placing.place(_start(), (0.0, 0.0), PAIR, (100.0, 1.0), placing.Progress(), COVARIANCE)
    # 3 units along x is 3 % of that axis (moves); 0.1 along y is 10 % of that one (places the next).
    assert placing.place(first.params, (3.0, 0.0), PAIR, (100.0, 1.0), first.progress, COVARIANCE).moved
    assert not placing.place(first.params, (0.0, 0.1), PAIR, (100.0, 1.0), first.progress, COVARIANCE).moved


def test_a_click_in_higher_dimensions_sets_the_shown_columns_only():
    start = GaussianMixtureParams(
        np.full(2, 0.5), np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), np.tile(np.eye(3), (2, 1, 1))
    )
    placed = placing.place(start, (9.0, 8.0), (2, 0), SPANS, placing.Progress(), np.eye(3))
    np.testing.assert_array_equal(placed.params.means[0], (8.0, 2.0, 9.0))


def test_placed_start_takes_only_clicks_on_its_own_panel():
    selection = _selection(_catcher_point(1.0, 1.0, panel=1))
    assert placing.placed_start(selection, _start(), PAIR, SPANS, placing.Progress(), COVARIANCE, panel=0) is None
    placed = placing.placed_start(selection, _start(), PAIR, SPANS, placing.Progress(), COVARIANCE, panel=1)
    np.testing.assert_array_equal(placed.params.means[0], (1.0, 1.0))


def test_the_default_covariance_shares_each_column_spread_among_the_components():
    X = np.array([[0.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    covariance = placing.default_covariance(X, 2)
    assert covariance[0, 0] == pytest.approx(np.var(X[:, 0]) / 4)
    assert covariance[1, 1] > 0  # a constant column still gets a spread
    assert covariance[0, 1] == 0


def test_undo_takes_back_the_last_step_and_clear_the_first_of_a_target():
    steps = [placing.Step("editor", "before 1", placing.Progress()), placing.Step("A", "a", placing.Progress())]
    steps.append(placing.Step("editor", "before 2", placing.Progress(1, 1)))
    history = ()
    for step in steps:
        history = placing.push(history, step)
    last, rest = placing.undo(history)
    assert last.before == "before 2" and len(rest) == 2
    first, others = placing.clear(history, "editor")
    assert first.before == "before 1" and [step.target for step in others] == ["A"]
    assert placing.undo(()) == (None, ())
    assert placing.clear(others, "editor") == (None, others)


# --- Drawing ------------------------------------------------------------------------------------------------------


def _three_clouds():
    drawn = drawing.EMPTY
    for seed, center in enumerate([(-5.0, -5.0), (5.0, -5.0), (0.0, 5.0)]):
        drawn = drawing.add_cloud(drawn, center, 20, 0.5, seed)
    return drawn


def test_each_click_adds_a_cloud_of_its_own_class():
    drawn = _three_clouds()
    assert drawn.n_points == 60 and drawn.n_clouds == 3
    loaded = from_drawn(drawn)
    assert loaded.n_points == 60 and len(loaded.label_names) == 3
    np.testing.assert_array_equal(np.bincount(loaded.true_labels), [20, 20, 20])
    np.testing.assert_allclose(loaded.X[:20].mean(axis=0), (-5, -5), atol=0.5)


def test_the_same_seed_draws_the_same_cloud_and_coordinates_are_rounded():
    first = drawing.add_cloud(drawing.EMPTY, (1, 2), 10, 1.0, 7)
    again = drawing.add_cloud(drawing.EMPTY, (1, 2), 10, 1.0, 7)
    np.testing.assert_array_equal(first.points, again.points)
    np.testing.assert_array_equal(first.points, np.round(first.points, drawing.DECIMALS))
    assert first.identity() == again.identity() != drawing.EMPTY.identity()


def test_a_box_erases_the_points_inside_it():
    drawn = _three_clouds()
    kept = drawing.erased(drawn, _selection(box=[{"x": [8.0, 2.0], "y": [-9.0, -1.0]}]))  # around cloud 2
    assert kept.n_points == 40 and 1 not in kept.clouds


def test_a_lasso_erases_the_points_inside_it():
    drawn = _three_clouds()
    triangle = {"x": [-3.0, 3.0, 0.0], "y": [2.0, 2.0, 9.0]}  # around cloud 3
    kept = drawing.erased(drawn, _selection(lasso=[triangle]))
    assert kept.n_points == 40 and 2 not in kept.clouds


def test_a_click_is_no_erasure():
    assert drawing.erased(_three_clouds(), _selection(_catcher_point(0.0, 0.0))) is None


def test_points_inside_a_polygon_follow_the_even_odd_rule():
    square = ([0, 2, 2, 0], [0, 0, 2, 2])
    points = np.array([[1.0, 1.0], [3.0, 1.0], [1.0, -0.5], [1.9, 1.9]])
    np.testing.assert_array_equal(drawing.inside_polygon(points, *square), [True, False, False, True])


def test_the_canvas_widens_to_hold_every_point():
    drawn = drawing.add_cloud(drawing.EMPTY, (30.0, 0.0), 5, 0.1, 0)
    (x_low, x_high), (y_low, y_high) = drawing.canvas_ranges(drawn)
    assert x_low == -10 and x_high > drawn.points[:, 0].max() and (y_low, y_high) == (-10, 10)


def test_the_csv_download_uploads_back_exactly():
    drawn = drawing.add_cloud(_three_clouds(), (1 / 3, -2 / 7), 5, 1 / 3, 11)
    table = inspect_table(drawing.to_csv(drawn).encode())
    loaded = from_table(table, "drawn_points.csv", "file-1", label_column=drawing.LABEL_COLUMN)
    original = from_drawn(drawn)
    np.testing.assert_array_equal(loaded.X, original.X)
    np.testing.assert_array_equal(loaded.true_labels, original.true_labels)
    assert loaded.feature_names == original.feature_names


def test_a_drawn_set_goes_into_the_link_and_back_exactly():
    drawn = _three_clouds()
    state = {DATASET_SOURCE: DRAW, DRAWN: drawn, DATA: from_drawn(drawn), "n_components": 3, "covariance_type": "full"}
    query = link.current_link(state)
    assert query["data"] == "drawn"
    reader = link.LinkReader(query).read()
    assert reader.now[DATASET_SOURCE] == DRAW
    np.testing.assert_array_equal(reader.now[DRAWN].points, drawn.points)
    np.testing.assert_array_equal(reader.now[DRAWN].clouds, drawn.clouds)


def test_a_large_drawn_set_stays_out_of_the_link():
    drawn = drawing.add_cloud(drawing.EMPTY, (0, 0), drawing.MAX_LINKED_POINTS + 1, 1.0, 0)
    assert drawing.to_text(drawn) is None


@pytest.mark.parametrize("text", ["1_2", "a_b_1", "1_2_0", "inf_1_1", "1_2_1~3"])
def test_bad_link_points_are_refused_with_a_reason(text):
    with pytest.raises(ValueError, match="expected"):
        drawing.from_text(text)


# --- The click catcher --------------------------------------------------------------------------------------------


def test_the_catcher_covers_its_plane_at_one_percent_of_each_axis():
    trace = click_catcher_trace((0.0, 10.0), (-2.0, 2.0), panel=1, axes=("x2", "y2"))
    assert len(trace["x"]) == 101 * 101
    assert np.diff(np.unique(trace["x"]))[0] == pytest.approx(0.1)
    assert (min(trace["y"]), max(trace["y"])) == (-2.0, 2.0)
    assert set(trace["customdata"]) == {1} and trace["xaxis"] == "x2"
    assert trace["marker"]["opacity"] == 0


def test_with_click_catchers_turns_every_other_hover_off_and_keeps_the_ranges():
    figure = go.Figure(go.Scatter(x=[0, 1], y=[0, 1], hovertemplate="%{x}"))
    figure.update_layout(xaxis_range=[0, 1], yaxis_range=[0, 2])
    with_click_catchers(figure, [("x", "y")])
    assert figure.data[0].hoverinfo == "skip"
    assert figure.data[-1].meta["role"] == CATCHER_ROLE
    assert figure.layout.xaxis.constrain == "domain" and catcher_panels(figure) == 1
