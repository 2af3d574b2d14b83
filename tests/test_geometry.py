"""Tests of gmm_core.geometry: covariance ellipses lie exactly at the requested Mahalanobis distance, k-means cells
tile their rectangle, level-set outlines enclose exactly the grid nodes at or above their level."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gmm_core.errors import ParameterError
from gmm_core.geometry import covariance_ellipse, covariance_ellipses, level_set_outlines
from tests.outlines import rings, signed_area, winding_number

COVARIANCES = [
    np.eye(2),
    np.array([[2.0, 1.0], [1.0, 3.0]]),
    np.array([[1.0, 0.0], [0.0, 4.0]]),
    np.array([[5.0, -4.9], [-4.9, 5.0]]),  # strongly correlated: a thin tilted ellipse
    np.array([[1e-4, 0.0], [0.0, 1e2]]),
]


def mahalanobis_distances(points, mean, covariance):
    offsets = points - mean
    return np.sqrt(np.einsum("pi,pi->p", offsets, np.linalg.solve(covariance, offsets.T).T))


@pytest.mark.parametrize("covariance", COVARIANCES)
@pytest.mark.parametrize("n_std", [0.5, 1.0, 2.0, 3.0])
def test_every_point_is_at_mahalanobis_distance_n_std(covariance, n_std):
    mean = np.array([1.5, -2.0])
    outline = covariance_ellipse(mean, covariance, n_std=n_std, n_points=64)
    np.testing.assert_allclose(mahalanobis_distances(outline, mean, covariance), n_std, rtol=1e-12)


def test_outline_has_n_points_plus_one_rows_and_closes_exactly():
    outline = covariance_ellipse([0.0, 0.0], COVARIANCES[1], n_points=37)
    assert outline.shape == (38, 2)
    assert np.array_equal(outline[0], outline[-1])
    assert len(np.unique(outline[:-1], axis=0)) == 37


@pytest.mark.parametrize("covariance", COVARIANCES)
def test_half_axes_are_n_std_times_square_roots_of_the_eigenvalues(covariance):
    mean = np.array([3.0, 4.0])
    n_std = 2.0
    # With n_points divisible by 4 the outline passes through both ends of both axes.
    outline = covariance_ellipse(mean, covariance, n_std=n_std, n_points=100)
    radii = np.linalg.norm(outline - mean, axis=1)
    eigenvalues = np.linalg.eigvalsh(covariance)
    assert radii.max() == pytest.approx(n_std * np.sqrt(eigenvalues[1]), rel=1e-12)
    assert radii.min() == pytest.approx(n_std * np.sqrt(eigenvalues[0]), rel=1e-12)


def test_the_long_axis_points_along_the_leading_eigenvector():
    covariance = COVARIANCES[3]
    outline = covariance_ellipse([0.0, 0.0], covariance, n_points=100)
    farthest = outline[np.argmax(np.linalg.norm(outline, axis=1))]
    leading = np.linalg.eigh(covariance)[1][:, 1]
    assert abs(np.dot(farthest / np.linalg.norm(farthest), leading)) == pytest.approx(1.0, abs=1e-12)


def test_vectorised_outlines_equal_one_at_a_time():
    means = np.array([[0.0, 0.0], [10.0, 8.0], [4.0, 13.0]])
    covariances = np.stack(COVARIANCES[:3])
    outlines = covariance_ellipses(means, covariances, n_std=1.5, n_points=50)
    assert outlines.shape == (3, 51, 2)
    for k in range(3):
        np.testing.assert_allclose(outlines[k], covariance_ellipse(means[k], covariances[k], 1.5, 50), rtol=0, atol=0)


@settings(deadline=None)
@given(
    log_variances=st.tuples(st.floats(-3, 3), st.floats(-3, 3)),
    angle=st.floats(0, np.pi),
    mean=st.tuples(st.floats(-10, 10), st.floats(-10, 10)),
    n_std=st.floats(0.1, 5.0),
)
def test_any_positive_definite_covariance_gives_points_at_distance_n_std(log_variances, angle, mean, n_std):
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    covariance = (rotation * np.exp(log_variances)) @ rotation.T
    covariance = (covariance + covariance.T) / 2
    outline = covariance_ellipse(np.array(mean), covariance, n_std=n_std, n_points=24)
    np.testing.assert_allclose(mahalanobis_distances(outline, np.array(mean), covariance), n_std, rtol=1e-12)


def test_a_singular_covariance_gives_a_line_segment():
    outline = covariance_ellipse([0.0, 0.0], np.array([[1.0, 1.0], [1.0, 1.0]]), n_points=40)
    assert np.allclose(outline[:, 0], outline[:, 1])
    assert np.max(np.linalg.norm(outline, axis=1)) == pytest.approx(np.sqrt(2.0))


def test_a_covariance_with_a_negative_eigenvalue_is_rejected():
    with pytest.raises(ParameterError, match="negative eigenvalue"):
        covariance_ellipse([0.0, 0.0], np.array([[1.0, 2.0], [2.0, 1.0]]))


@pytest.mark.parametrize(
    "mean, covariance",
    [([0.0, 0.0, 0.0], np.eye(3)), ([0.0, 0.0], np.eye(3)), ([0.0], np.eye(1))],
)
def test_anything_but_2d_is_rejected(mean, covariance):
    with pytest.raises(ParameterError, match="shape"):
        covariance_ellipse(mean, covariance)


@pytest.mark.parametrize("n_std, n_points", [(0.0, 100), (-1.0, 100), (np.nan, 100), (1.0, 2), (1.0, 10.5)])
def test_invalid_radius_or_point_count_is_rejected(n_std, n_points):
    with pytest.raises(ParameterError):
        covariance_ellipse([0.0, 0.0], np.eye(2), n_std=n_std, n_points=n_points)


def test_mismatched_numbers_of_means_and_covariances_are_rejected():
    with pytest.raises(ParameterError, match="one per mean"):
        covariance_ellipses(np.zeros((3, 2)), np.stack([np.eye(2)] * 2))


# --- k-means' nearest-centre cells ---------------------------------------------------------------------------


def _area(polygon):
    """Shoelace area of a polygon given by its corners in order (positive when counter-clockwise)."""
    x, y = polygon[:, 0], polygon[:, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _inside(point, polygon):
    """Whether ``point`` lies in the counter-clockwise convex ``polygon`` (boundary included, with a tolerance)."""
    edges = np.roll(polygon, -1, axis=0) - polygon
    cross = edges[:, 0] * (point[1] - polygon[:, 1]) - edges[:, 1] * (point[0] - polygon[:, 0])
    return bool(np.all(cross >= -1e-9))


CENTRES = st.lists(st.tuples(st.floats(-10, 10), st.floats(-10, 10)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(CENTRES)
def test_cells_tile_the_rectangle_and_hold_the_points_nearest_their_center(centers):
    from gmm_core import assign_nearest, nearest_center_cells

    centers = np.array(centers)
    x_range, y_range = (-12.0, 12.0), (-8.0, 9.0)
    cells = nearest_center_cells(centers, x_range, y_range)
    assert len(cells) == len(centers)
    areas = [_area(cell) if len(cell) >= 3 else 0.0 for cell in cells]
    assert all(area >= -1e-9 for area in areas)  # corners counter-clockwise
    assert sum(areas) == pytest.approx(24.0 * 17.0, rel=1e-9)  # no gap, no overlap
    for k, cell in enumerate(cells):  # every corner is at least as near its own centre as any other
        if len(cell):
            squared = ((cell[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
            assert np.all(squared[:, k] <= squared.min(axis=1) + 1e-9 * (1 + squared.max()))
    points = np.random.default_rng(0).uniform([-12, -8], [12, 9], size=(200, 2))
    squared = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
    gaps = np.sort(squared, axis=1)
    clear = gaps[:, 1] - gaps[:, 0] > 1e-6 if len(centers) > 1 else np.ones(len(points), bool)
    if clear.any():
        for point, label in zip(points[clear], assign_nearest(points[clear], centers)):
            assert _inside(point, cells[label])


def test_coincident_centers_leave_the_cell_to_the_first_and_a_far_center_none():
    from gmm_core import nearest_center_cells

    cells = nearest_center_cells([[0.0, 0.0], [1.0, 0.0], [0.0, 0.0], [100.0, 100.0]], (-1, 1), (-1, 1))
    assert [len(cell) for cell in cells[2:]] == [0, 0]
    np.testing.assert_allclose(sorted(cells[0][:, 0]), [-1, -1, 0.5, 0.5])  # cut by the bisector x = 0.5
    assert _area(cells[0]) + _area(cells[1]) == pytest.approx(4.0)


@pytest.mark.parametrize(
    "centers, x_range",
    [
        (np.zeros((0, 2)), (0, 1)),
        (np.zeros((2, 3)), (0, 1)),
        (np.array([[np.nan, 0.0]]), (0, 1)),
        (np.zeros((1, 2)), (1, 0)),
        (np.zeros((1, 2)), (0, np.inf)),
    ],
)
def test_cells_refuse_bad_arguments(centers, x_range):
    from gmm_core import nearest_center_cells

    with pytest.raises(ParameterError):
        nearest_center_cells(centers, x_range, (0, 1))


# --- Level-set outlines -------------------------------------------------------------------------------------------


def disc_grid(n=121, half_width=3.0):
    xs = np.linspace(-half_width, half_width, n)
    gx, gy = np.meshgrid(xs, xs)
    return xs, np.hypot(gx, gy)


def test_a_disc_is_one_counter_clockwise_ring_of_its_area():
    xs, radius = disc_grid()
    (x, y), (x2, y2) = level_set_outlines(-radius, xs, xs, [-1.0, -2.0])
    (disc,), (wide_disc,) = rings(x, y), rings(x2, y2)
    assert np.array_equal(disc[0], disc[-1])  # closed
    assert signed_area(disc) == pytest.approx(np.pi, rel=2e-3)
    assert signed_area(wide_disc) == pytest.approx(4 * np.pi, rel=2e-3)
    # every corner lies on the circle, within the error of linear interpolation between grid nodes
    np.testing.assert_allclose(np.hypot(x[~np.isnan(x)], y[~np.isnan(y)]), 1.0, atol=2e-3)


def test_a_hole_runs_clockwise_so_the_filled_area_is_the_ring_between():
    xs, radius = disc_grid()
    ((x, y),) = level_set_outlines(-np.abs(radius - 2.0), xs, xs, [-0.5])  # the annulus 1.5 <= r <= 2.5
    outer, hole = sorted(rings(x, y), key=signed_area, reverse=True)
    assert signed_area(outer) == pytest.approx(np.pi * 2.5**2, rel=2e-3)
    assert signed_area(hole) == pytest.approx(-np.pi * 1.5**2, rel=2e-3)


def test_regions_reaching_the_grid_close_along_its_border_and_empty_levels_give_nothing():
    xs = np.linspace(0.0, 2.0, 5)
    ys = np.linspace(-1.0, 1.0, 3)
    (x, y), (empty_x, empty_y) = level_set_outlines(np.zeros((3, 5)), xs, ys, [0.0, 0.5])
    (ring,) = rings(x, y)
    assert signed_area(ring) == pytest.approx(4.0)
    assert x.min() == 0.0 and x.max() == 2.0 and y.min() == -1.0 and y.max() == 1.0
    assert empty_x.size == 0 and empty_y.size == 0


@pytest.mark.parametrize(("level", "n_rings"), [(0.4, 1), (0.5, 1), (0.6, 2)])
def test_a_saddle_joins_its_two_high_corners_when_the_cell_center_reaches_the_level(level, n_rings):
    """Corners (0, 0) and (1, 1) at 1, the two others at 0: the centre, their mean, is 0.5."""
    ((x, y),) = level_set_outlines([[1.0, 0.0], [0.0, 1.0]], [0.0, 1.0], [0.0, 1.0], [level])
    found = rings(x, y)
    assert len(found) == n_rings
    assert all(signed_area(ring) > 0 for ring in found)
    # the other saddle, corners (1, 0) and (0, 1) high, joins and parts the same way
    ((x, y),) = level_set_outlines([[0.0, 1.0], [1.0, 0.0]], [0.0, 1.0], [0.0, 1.0], [level])
    assert len(rings(x, y)) == n_rings


def test_minus_infinity_and_nan_count_as_below_every_level():
    z = np.zeros((4, 4))
    z[1, 1], z[1, 2] = -np.inf, np.nan
    nodes = np.arange(4.0)
    ((x, y),) = level_set_outlines(z, nodes, nodes, [-1e300])
    found = rings(x, y)
    assert all(np.isfinite(ring).all() for ring in found)
    for (i, j), inside in {(1, 1): False, (1, 2): False, (2, 1): True, (2, 2): True}.items():
        assert sum(winding_number(ring, (nodes[j], nodes[i])) for ring in found) == int(inside)


@settings(max_examples=150, deadline=None)
@given(
    st.integers(2, 7),
    st.integers(2, 7),
    st.integers(0, 2**32 - 1),
    st.floats(-1.5, 1.5),
)
def test_outlines_wind_once_round_every_inner_node_at_or_above_the_level_and_never_round_others(
    n_rows, n_columns, seed, level
):
    rng = np.random.default_rng(seed)
    z = rng.normal(size=(n_rows, n_columns))
    xs = np.cumsum(rng.uniform(0.5, 2.0, n_columns))
    ys = np.cumsum(rng.uniform(0.5, 2.0, n_rows))
    ((x, y),) = level_set_outlines(z, xs, ys, [level])
    found = rings(x, y)
    assert all(np.array_equal(ring[0], ring[-1]) for ring in found)
    for i in range(1, n_rows - 1):  # nodes on the border lie on the outline itself when above
        for j in range(1, n_columns - 1):
            winding = sum(winding_number(ring, (xs[j], ys[i])) for ring in found)
            assert winding == (1 if z[i, j] >= level else 0)
    area = sum(signed_area(ring) for ring in found)
    assert -1e-9 <= area <= (xs[-1] - xs[0]) * (ys[-1] - ys[0]) + 1e-9


@pytest.mark.parametrize(
    ("z", "xs", "ys", "levels"),
    [
        (np.zeros((3, 3)), [0, 1], [0, 1, 2], [0.0]),  # z and the grid do not match
        (np.zeros((1, 3)), [0, 1, 2], [0], [0.0]),  # a single row
        (np.zeros((2, 2)), [0, 0], [0, 1], [0.0]),  # x not increasing
        (np.zeros((2, 2)), [0, 1], [0, np.nan], [0.0]),
        (np.full((2, 2), np.inf), [0, 1], [0, 1], [0.0]),
        (np.zeros((2, 2)), [0, 1], [0, 1], [np.nan]),
    ],
)
def test_level_set_outlines_refuse_bad_arguments(z, xs, ys, levels):
    with pytest.raises(ParameterError):
        level_set_outlines(z, xs, ys, levels)
