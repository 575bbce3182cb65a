"""The 2-D data sets a network learns: generated from a seed, or read from a CSV file.

Each generator follows a public reference, so a learner can compare with the tool they know:

* ``moons``: scikit-learn's ``make_moons`` (θ = linspace(0, π); outer moon (cos θ, sin θ),
  inner moon (1 − cos θ, 1 − sin θ − 0.5)), Gaussian noise of standard deviation ``noise``.
* ``circles``: scikit-learn's ``make_circles`` with ``factor`` 0.5 (the inner circle has half the
  radius), Gaussian noise of standard deviation ``noise``.
* ``xor``, ``gauss``, ``spiral``: TensorFlow Playground's ``dataset.ts``. XOR: points uniform in
  [−5, 5]² pushed 0.3 away from the axes, class 1 where x1·x2 > 0, then moved by
  ``noise``·U(−5, 5). Gauss: two blobs around (2, 2) and (−2, −2) with variance
  0.5 + 7·``noise``. Spiral: two arms r = 5i/m, t = 1.75·2π·i/m (+π for the second arm), moved by
  ``noise``·U(−1, 1)·5.
* ``spiral3``: CS231n's three-arm spiral (radius 0 to 1, each arm 4 radians wide, angle noise of
  standard deviation ``noise``).
* ``linear``: points uniform in [−5, 5]², class 1 above the line x2 = 0.5·x1 + 0.5, pushed 0.3
  away from it, then moved like XOR's.
* ``sine`` (1-D regression): x1 uniform in [−3, 3], x2 = 0, target sin(x1) + N(0, ``noise``).
* ``plane`` (2-D regression): TF Playground's plane, points uniform in [−6, 6]², target
  (x1 + x2)/10 plus ``noise``·U(−1, 1).

Caveats: labels are class numbers 0, 1, …, k−1 stored as floats, or real numbers for regression.
The same recipe (name, points, noise, test share, seed) gives the same points on every machine:
numpy's ``default_rng`` (PCG64) draws the same stream everywhere. The test split is a seeded
shuffle, stratified nowhere.

>>> data = make_dataset("moons", points=100, seed=0)
>>> data.x_train.shape, data.x_test.shape, data.n_classes
((80, 2), (20, 2), 2)
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = [
    "DATASETS",
    "CsvError",
    "DataSet",
    "Recipe",
    "make_dataset",
    "read_csv",
]

Generator = Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Recipe:
    """Everything needed to make a data set again: a generator's name, or a CSV file."""

    name: str
    points: int = 200
    noise: float | None = None  # None: the data set's own default
    test_share: float = 0.2
    seed: int = 0
    csv: str | None = None  # a CSV path instead of a generator

    def to_json(self) -> dict:
        """The recipe as plain JSON data (for model files)."""
        return {"name": self.name, "points": self.points, "noise": self.noise,
                "test_share": self.test_share, "seed": self.seed, "csv": self.csv}


@dataclass(frozen=True, eq=False)
class DataSet:
    """Training and test points (``x``: N × 2) with labels (``y``: N), and what they are.

    ``task`` is ``"classes"`` (labels 0…k−1) or ``"regression"`` (real targets); ``dims`` is 1
    for data sets that use only x1 (``sine``).
    """

    recipe: Recipe
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    task: str
    n_classes: int  # 0 for regression
    dims: int = 2
    extent: tuple[float, float, float, float] = field(default=(-6.0, 6.0, -6.0, 6.0))

    @property
    def name(self) -> str:
        """The recipe's name (the generator, or the CSV file's name)."""
        return self.recipe.name


class CsvError(ValueError):
    """A CSV file that cannot be used as data, with the FILE:LINE it is about."""

    def __init__(self, path: str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line
        self.message = message


# --------------------------------------------------------------------- generators
def _moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    x = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        np.column_stack([1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5])])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return x + rng.normal(scale=noise, size=x.shape), y


def _circles(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    x = np.concatenate([np.column_stack([np.cos(t_out), np.sin(t_out)]),
                        0.5 * np.column_stack([np.cos(t_in), np.sin(t_in)])])
    y = np.concatenate([np.zeros(n_out), np.ones(n_in)])
    return x + rng.normal(scale=noise, size=x.shape), y


def _pushed_square(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.uniform(-5, 5, size=(n, 2))


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = _pushed_square(n, rng)
    x += np.where(x > 0, 0.3, -0.3)  # TF Playground's padding away from the axes
    y = (x[:, 0] * x[:, 1] > 0).astype(np.float64)
    return x + noise * rng.uniform(-5, 5, size=x.shape), y


def _linear(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = _pushed_square(n, rng)
    above = x[:, 1] > 0.5 * x[:, 0] + 0.5
    # push each point 0.3 away from the line, along its normal (−0.5, 1)/‖·‖
    normal = np.array([-0.5, 1.0]) / math.hypot(0.5, 1.0)
    x += np.where(above, 0.3, -0.3)[:, None] * normal
    return x + noise * rng.uniform(-5, 5, size=x.shape), above.astype(np.float64)


def _gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    sd = math.sqrt(0.5 + 7 * noise)
    half = n // 2
    y = np.concatenate([np.ones(half), np.zeros(n - half)])
    centres = np.where(y[:, None] > 0, 2.0, -2.0)
    return centres + rng.normal(scale=sd, size=(n, 2)), y


def _spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = n // 2
    parts, labels = [], []
    for label, (m, delta) in enumerate(((half, 0.0), (n - half, np.pi))):
        i = np.arange(m)
        r = 5.0 * i / m
        t = 1.75 * 2 * np.pi * i / m + delta
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(m, float(label)))
    x = np.concatenate(parts)
    return x + noise * 5.0 * rng.uniform(-1, 1, size=x.shape), np.concatenate(labels)


def _spiral3(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    parts, labels = [], []
    sizes = [n // 3 + (1 if k < n % 3 else 0) for k in range(3)]
    for k, m in enumerate(sizes):
        r = np.linspace(0.0, 1.0, m)
        t = np.linspace(4.0 * k, 4.0 * (k + 1), m) + rng.normal(scale=noise, size=m)
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(m, float(k)))
    return np.concatenate(parts), np.concatenate(labels)


def _sine(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x1 = rng.uniform(-3, 3, size=n)
    x = np.column_stack([x1, np.zeros(n)])
    return x, np.sin(x1) + rng.normal(scale=noise, size=n)


def _plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.uniform(-6, 6, size=(n, 2))
    return x, (x[:, 0] + x[:, 1]) / 10.0 + noise * rng.uniform(-1, 1, size=n)


@dataclass(frozen=True)
class _Kind:
    make: Generator
    task: str
    n_classes: int
    noise: float  # the default noise
    dims: int = 2
    describe: str = ""


#: The generators by name: task, classes, default noise and a line of description.
DATASETS: dict[str, _Kind] = {
    "moons": _Kind(_moons, "classes", 2, 0.1, describe="two interleaved half circles "
                                                       "(scikit-learn's make_moons)"),
    "circles": _Kind(_circles, "classes", 2, 0.05, describe="a circle inside a circle "
                                                            "(scikit-learn's make_circles)"),
    "xor": _Kind(_xor, "classes", 2, 0.0, describe="four quadrants, opposite ones alike "
                                                   "(TensorFlow Playground)"),
    "gauss": _Kind(_gauss, "classes", 2, 0.0, describe="two Gaussian blobs "
                                                       "(TensorFlow Playground)"),
    "spiral": _Kind(_spiral, "classes", 2, 0.0, describe="two interleaved spiral arms "
                                                         "(TensorFlow Playground)"),
    "spiral3": _Kind(_spiral3, "classes", 3, 0.2, describe="three spiral arms (CS231n)"),
    "linear": _Kind(_linear, "classes", 2, 0.0, describe="two classes a line separates"),
    "sine": _Kind(_sine, "regression", 0, 0.05, dims=1, describe="y = sin(x1), 1-D regression"),
    "plane": _Kind(_plane, "regression", 0, 0.0, describe="y = (x1 + x2)/10, 2-D regression "
                                                          "(TensorFlow Playground)"),
}


def _split(recipe: Recipe, x: np.ndarray, y: np.ndarray, rng: np.random.Generator,
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    order = rng.permutation(len(x))
    n_test = round(recipe.test_share * len(x))
    if len(x) - n_test < 1:
        raise ValueError(f"test share {recipe.test_share} leaves no training points")
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def _extent(x: np.ndarray) -> tuple[float, float, float, float]:
    """A square-ish box around the points with a margin, for drawing output maps."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = 0.1 * np.maximum(hi - lo, 1e-9) + 0.1
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]),
            float(hi[1] + pad[1]))


def make_dataset(name: str, points: int = 200, noise: float | None = None,
                 test_share: float = 0.2, seed: int = 0) -> DataSet:
    """Generate data set ``name`` (see :data:`DATASETS`) and split off a test share.

    ``noise=None`` takes the data set's default. Raises ``ValueError`` for an unknown name or
    out-of-range options.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(DATASETS)}")
    if points < 4:
        raise ValueError(f"need at least 4 points, got {points}")
    if not 0.0 <= test_share < 1.0:
        raise ValueError(f"the test share must be in [0, 1), got {test_share}")
    kind = DATASETS[name]
    noise = kind.noise if noise is None else float(noise)
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a number ≥ 0, got {noise}")
    recipe = Recipe(name, points, noise, test_share, seed)
    rng = np.random.default_rng(seed)
    x, y = kind.make(points, noise, rng)
    x_train, y_train, x_test, y_test = _split(recipe, x, y, rng)
    return DataSet(recipe, x_train, y_train, x_test, y_test, kind.task, kind.n_classes,
                   kind.dims, _extent(x))


def from_recipe(recipe: Recipe) -> DataSet:
    """Make the data set a recipe describes again (a generator, or its CSV file)."""
    if recipe.csv is not None:
        return read_csv(recipe.csv, recipe.test_share, recipe.seed)
    return make_dataset(recipe.name, recipe.points, recipe.noise, recipe.test_share,
                        recipe.seed)


def read_csv(path: str | Path, test_share: float = 0.2, seed: int = 0) -> DataSet:
    """Points from a CSV file with columns ``x1,x2,label`` (a header line is optional).

    Labels that are all whole numbers 0…k−1 (k ≥ 2) make a classification set; anything else is
    regression. Raises :class:`CsvError` (``FILE:LINE: message``) for the first bad row, and
    ``OSError`` when the file cannot be read.
    """
    name = str(path)
    rows: list[tuple[float, float, float]] = []
    with open(path, encoding="utf-8", newline="") as fh:
        try:
            lines = list(csv.reader(fh))
        except (csv.Error, UnicodeDecodeError) as exc:
            raise CsvError(name, 1, f"not a CSV text file ({exc})") from None
    for lineno, row in enumerate(lines, start=1):
        cells = [c.strip() for c in row]
        if not cells or all(not c for c in cells) or cells[0].startswith("#"):
            continue
        if len(cells) != 3:
            raise CsvError(name, lineno, f"expected 3 columns x1,x2,label, got {len(cells)}")
        try:
            nums = tuple(float(c) for c in cells)
        except ValueError:
            if not rows and lineno == _first_content_line(lines):
                continue  # the header
            bad = next(c for c in cells if not _is_float(c))
            raise CsvError(name, lineno, f"not a number: {bad!r}") from None
        if not all(math.isfinite(v) for v in nums):
            raise CsvError(name, lineno, "values must be finite numbers (no nan or inf)")
        rows.append(nums)  # type: ignore[arg-type]
    if len(rows) < 2:
        raise CsvError(name, max(1, len(lines)), f"need at least 2 data rows, got {len(rows)}")
    data = np.array(rows, dtype=np.float64)
    x, y = data[:, :2], data[:, 2]
    task, n_classes = "regression", 0
    if np.all(y == np.round(y)) and y.min() >= 0:
        k = int(y.max()) + 1
        present = np.unique(y).astype(int)
        if 2 <= k <= 10 and len(present) == k:
            task, n_classes = "classes", k
        elif 2 <= k <= 10:
            missing = sorted(set(range(k)) - set(present.tolist()))
            raise CsvError(name, len(lines), f"class labels must be 0…{k - 1} with none "
                                             f"missing; no row has label {missing[0]}")
    recipe = Recipe(Path(name).name, len(rows), 0.0, test_share, seed, csv=name)
    rng = np.random.default_rng(seed)
    x_train, y_train, x_test, y_test = _split(recipe, x, y, rng)
    dims = 1 if np.all(x[:, 1] == 0) else 2
    return DataSet(recipe, x_train, y_train, x_test, y_test, task, n_classes, dims, _extent(x))


def _first_content_line(lines: list[list[str]]) -> int:
    for lineno, row in enumerate(lines, start=1):
        if any(c.strip() for c in row) and not row[0].strip().startswith("#"):
            return lineno
    return 0


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
