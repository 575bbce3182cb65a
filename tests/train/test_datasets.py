"""Data sets: shapes, labels, the reference formulas, determinism; CSV files and their errors."""

from __future__ import annotations

import numpy as np
import pytest

from graphapp.train.datasets import DATASETS, CsvError, make_dataset, read_csv


@pytest.mark.parametrize("name", list(DATASETS))
def test_shape_labels_and_split(name):
    data = make_dataset(name, points=120, test_share=0.25, seed=3)
    assert data.x_train.shape == (90, 2) and data.x_test.shape == (30, 2)
    assert data.y_train.shape == (90,) and data.y_test.shape == (30,)
    y = np.concatenate([data.y_train, data.y_test])
    if data.task == "classes":
        assert set(np.unique(y)) == set(range(data.n_classes))
        counts = np.bincount(y.astype(int))
        if name in ("xor", "linear"):  # uniform points: roughly balanced
            assert counts.min() > 0.3 * len(y)
        else:  # generated class by class: equal sizes
            assert counts.max() - counts.min() <= 1
    else:
        assert data.n_classes == 0 and np.unique(y).size > 100
    assert np.all(np.isfinite(data.x_train)) and np.all(np.isfinite(y))


@pytest.mark.parametrize("name", list(DATASETS))
def test_same_seed_same_points_other_seed_other_points(name):
    a = make_dataset(name, points=60, seed=11)
    b = make_dataset(name, points=60, seed=11)
    c = make_dataset(name, points=60, seed=12)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)


def test_moons_without_noise_follow_make_moons():
    data = make_dataset("moons", points=100, noise=0.0, test_share=0.0)
    x, y = data.x_train, data.y_train
    outer, inner = x[y == 0], x[y == 1]
    assert np.allclose(np.hypot(*outer.T), 1.0)  # (cos θ, sin θ)
    assert np.allclose(np.hypot(1 - inner[:, 0], 0.5 - inner[:, 1]), 1.0)
    assert outer[:, 1].min() >= -1e-12 and inner[:, 1].max() <= 0.5 + 1e-12


def test_circles_without_noise_have_radii_one_and_half():
    data = make_dataset("circles", points=80, noise=0.0, test_share=0.0)
    r = np.hypot(*data.x_train.T)
    assert np.allclose(r[data.y_train == 0], 1.0) and np.allclose(r[data.y_train == 1], 0.5)


def test_xor_labels_and_padding():
    data = make_dataset("xor", points=400, noise=0.0, test_share=0.0)
    x, y = data.x_train, data.y_train
    assert np.all(np.abs(x) >= 0.3) and np.all(np.abs(x) <= 5.3)
    assert np.array_equal(y, (x[:, 0] * x[:, 1] > 0).astype(float))


def test_spiral_arms_and_spiral3_classes():
    data = make_dataset("spiral", points=200, noise=0.0, test_share=0.0)
    assert np.hypot(*data.x_train.T).max() < 5.0
    three = make_dataset("spiral3", points=99)
    assert three.n_classes == 3
    assert np.hypot(*three.x_train.T).max() <= 1.0 + 1e-12


def test_linear_is_separated_by_its_line_and_regression_targets():
    lin = make_dataset("linear", points=300, noise=0.0, test_share=0.0)
    above = lin.x_train[:, 1] > 0.5 * lin.x_train[:, 0] + 0.5
    assert np.array_equal(above.astype(float), lin.y_train)
    sine = make_dataset("sine", points=50, noise=0.0, test_share=0.0)
    assert np.allclose(sine.y_train, np.sin(sine.x_train[:, 0])) and sine.dims == 1
    plane = make_dataset("plane", points=50, noise=0.0, test_share=0.0)
    assert np.allclose(plane.y_train, plane.x_train.sum(axis=1) / 10)


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"name": "nope"}, "unknown data set"), ({"name": "moons", "points": 2}, "at least 4"),
    ({"name": "moons", "test_share": 1.0}, "test share"),
    ({"name": "moons", "noise": -1.0}, "noise")])
def test_bad_options_are_refused(kwargs, words):
    with pytest.raises(ValueError, match=words):
        make_dataset(**kwargs)


# ----------------------------------------------------------------- CSV
def test_csv_with_and_without_header(tmp_path):
    body = "".join(f"{i * 0.1},{-i * 0.2},{i % 3}\n" for i in range(30))
    with_header = tmp_path / "a.csv"
    with_header.write_text("x1,x2,label\n" + body)
    without = tmp_path / "b.csv"
    without.write_text(body)
    a, b = read_csv(with_header, test_share=0.2, seed=1), read_csv(without, test_share=0.2, seed=1)
    assert a.task == "classes" and a.n_classes == 3
    assert np.array_equal(a.x_train, b.x_train) and len(a.x_train) == 24
    assert sorted(np.concatenate([a.x_train, a.x_test])[:, 0].tolist()) == pytest.approx(
        [i * 0.1 for i in range(30)])


def test_csv_with_real_labels_is_regression(tmp_path):
    path = tmp_path / "r.csv"
    path.write_text("".join(f"{i},{i},{i * 0.5 + 0.25}\n" for i in range(10)))
    data = read_csv(path)
    assert data.task == "regression" and data.n_classes == 0


@pytest.mark.parametrize(("text", "line", "words"), [
    ("x1,x2,label\n1,2,0\n3,4\n", 3, "expected 3 columns"),
    ("1,2,0\n1,2,1\n1,two,0\n", 3, "not a number: 'two'"),
    ("1,2,0\n\n1,nan,1\n", 3, "finite"),
    ("x1,x2,label\n1,2,0\n", 2, "at least 2 data rows"),
    ("1,2,0\n1,2,2\n3,3,2\n", 3, "no row has label 1"),
])
def test_csv_errors_name_the_line(tmp_path, text, line, words):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(CsvError) as info:
        read_csv(path)
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert words in str(info.value)
