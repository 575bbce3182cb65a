"""The function plot's gradient arrows as they look on screen, against seed 002's function
worked by hand: f = −0.5x + 0.25y² over x in 0…2 and y in 0…8 (axes of very different
scales). The contour through (x, y) has −0.5·dx + 0.5y·dy = 0, so its tangent is (y, 1) in data
units; on screen every arrow must cross it at a right angle and point uphill."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.lab.field import HEAD_ANGLE, arrow_counts, arrow_segments
from graphapp.lab.grid import Surface


def _seed_002(n: int = 41) -> Surface:
    xs, ys = np.linspace(0.0, 2.0, n), np.linspace(0.0, 8.0, n)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    f = -0.5 * gx + 0.25 * gy**2
    return Surface("f", ("x", "y"), xs, ys, f, np.full_like(f, -0.5), 0.5 * gy,
                   1.0, 4.0, 3.5, -0.5, 2.0, True)


def _to_screen(points: np.ndarray, s: Surface, aspect: float) -> np.ndarray:
    """Data units to a box `aspect` wide and 1 high (how a plot shows them)."""
    return np.stack([(points[:, 0] - s.x[0]) / (s.x[-1] - s.x[0]) * aspect,
                     (points[:, 1] - s.y[0]) / (s.y[-1] - s.y[0])], axis=1)


@pytest.mark.parametrize("aspect", [1.0, 4.8, 0.5])
def test_arrows_cross_the_contours_at_right_angles_on_screen(aspect):
    s = _seed_002()
    seg = arrow_segments(s, 7, aspect=aspect).reshape(-1, 6, 2)
    n_x, n_y = arrow_counts(7, aspect)
    assert len(seg) == n_x * n_y  # ∇f is never 0 here (∂f/∂x = −0.5)
    assert abs(aspect / n_x - 1 / n_y) <= max(aspect / n_x, 1 / n_y) / 2  # cells near square
    base, tip = seg[:, 0], seg[:, 1]
    shaft = _to_screen(tip, s, aspect) - _to_screen(base, s, aspect)
    mid = (base + tip) / 2  # the grid point each arrow is centred on
    tangent = _to_screen(np.stack([mid[:, 1], np.ones(len(mid))], axis=1), s, aspect) \
        - _to_screen(np.zeros((len(mid), 2)), s, aspect)  # (y, 1) in data units, on screen
    cos = np.sum(shaft * tangent, axis=1) / (np.hypot(*shaft.T) * np.hypot(*tangent.T))
    np.testing.assert_allclose(cos, 0.0, atol=1e-12)
    f = lambda p: -0.5 * p[:, 0] + 0.25 * p[:, 1] ** 2  # noqa: E731 (by hand)
    assert np.all(f(tip) > f(base))  # uphill
    # the heads open by HEAD_ANGLE on each side of the shaft, as seen on screen
    for k in (3, 5):
        stroke = _to_screen(seg[:, k], s, aspect) - _to_screen(tip, s, aspect)
        cos = np.sum(-shaft * stroke, axis=1) / (np.hypot(*shaft.T) * np.hypot(*stroke.T))
        np.testing.assert_allclose(np.degrees(np.arccos(cos)), HEAD_ANGLE, atol=1e-9)


def test_arrows_on_equal_scales_follow_the_gradient_and_stay_in_their_cells():
    # f = 3x + y (seed 002's plane) on a square: every arrow is along (3, 1), all equally long
    xs = ys = np.linspace(-1.0, 1.0, 30)
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    s = Surface("f", ("x", "y"), xs, ys, 3 * gx + gy, np.full_like(gx, 3.0),
                np.full_like(gx, 1.0), 0.0, 0.0, 0.0, 3.0, 1.0, True)
    seg = arrow_segments(s, 5).reshape(-1, 6, 2)
    shaft = seg[:, 1] - seg[:, 0]
    np.testing.assert_allclose(shaft[:, 1] / shaft[:, 0], 1 / 3, rtol=1e-12)
    np.testing.assert_allclose(np.hypot(*shaft.T), 0.9 * 2.0 / 5, rtol=1e-12)


def test_the_map_picture_draws_its_arrows_square_to_the_contours():
    # `graphapp plot --wrt x --wrt y -o map.png`: matplotlib's quiver in a square box, its
    # arrows given as on screen (angles="uv"); checked against the hand-derived tangent.
    from matplotlib.quiver import Quiver

    from graphapp.lab_figures import surface_figure

    s = _seed_002()
    fig = surface_figure(s)
    ax = fig.axes[0]
    fig.canvas.draw()
    pos, (fw, fh) = ax.get_position(), fig.get_size_inches()
    (q,) = [c for c in ax.collections if isinstance(c, Quiver)]
    assert q.angles == "uv" and pos.width * fw == pytest.approx(pos.height * fh, rel=1e-6)
    ys = q.get_offsets()[:, 1]
    u, v = np.asarray(q.U), np.asarray(q.V)
    tangent = np.stack([ys / 2.0, np.full_like(ys, 1 / 8.0)], axis=1)  # (y, 1) on screen
    shaft = np.stack([u, v], axis=1)
    cos = np.sum(shaft * tangent, axis=1) / (np.hypot(*shaft.T) * np.hypot(*tangent.T))
    np.testing.assert_allclose(cos, 0.0, atol=1e-12)
    assert np.all(v > 0)  # uphill: f grows with y here wherever y > 0


def test_the_sweep_picture_keeps_its_region_names_clear_of_the_data():
    # seed 001 (f = 3x² − 4x + 5 at x = 3): the central difference is exact for a parabola,
    # so its best h is the largest, 0.1, at the bottom left, where the name of the truncation
    # side used to be written over its star.
    from graphapp.lab import h_sweep
    from graphapp.lab_figures import sweep_figure
    from tests.helpers import expr_graph

    check = h_sweep(expr_graph("x = 3.0\nf = 3*x**2 - 4*x + 5"), "f", "x")
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = sweep_figure({"x": check}, "f")
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    ax = fig.axes[0]
    renderer = canvas.get_renderer()
    labels = [t.get_window_extent(renderer) for t in ax.texts]
    assert len(labels) == 2
    points = np.concatenate([ax.transData.transform(np.column_stack(line.get_data()))
                             for line in ax.get_lines() if len(line.get_xdata())])
    points = points[np.all(np.isfinite(points), axis=1)]
    assert len(points) >= 24
    for box in labels:
        inside = [(x, y) for x, y in points if box.x0 - 8 <= x <= box.x1 + 8
                  and box.y0 - 8 <= y <= box.y1 + 8]
        assert not inside


def test_the_sweep_picture_says_why_a_panel_has_no_curve():
    # f = y·y does not depend on x: both differences are exactly 0 = backprop at every h
    from graphapp.lab import h_sweep
    from graphapp.lab_figures import sweep_figure
    from tests.helpers import expr_graph

    check = h_sweep(expr_graph("x = 1.0\ny = 2.0\nf = y*y"), "f", "x")
    assert all(r.forward_error == 0 == r.central_error for r in check.rows)
    ax = sweep_figure({"x": check}, "f").axes[0]
    assert any("equal backprop exactly" in t.get_text() for t in ax.texts)


def test_the_sweep_picture_does_not_call_a_non_finite_gradient_exact():
    # f = log(x) at x = 0: backprop gives inf, the differences inf or nan: nothing to draw,
    # and nothing agrees exactly
    from graphapp.lab import h_sweep
    from graphapp.lab_figures import sweep_figure
    from tests.helpers import expr_graph

    check = h_sweep(expr_graph("x = 0.0\nf = log(x)"), "f", "x")
    assert check.backprop == np.inf
    texts = [t.get_text() for t in sweep_figure({"x": check}, "f").axes[0].texts]
    assert not any("exactly" in t for t in texts)
    assert any("not finite" in t for t in texts)
