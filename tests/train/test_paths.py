"""dL/dw as a sum over paths: the sum against the engine's reverse mode and against central
finite differences of a loss written here in plain numpy; each path against a brute-force
enumeration written here; a tiny network against hand-derived numbers; the loss along a weight
against the same numpy loss."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from graphapp.train import paths
from graphapp.train.model import MLP, ModelConfig
from graphapp.train.paths import finite_difference, loss_along, param_index, weight_paths
from tests.train.test_gradients import _numpy_loss, _numpy_output

# (activation, hidden, loss, task, classes, l2): depths 2-3-3-1 and 2-4-k, every head
CASES = [("tanh", (3, 3), "squared", "classes", 2, 0.0),
         ("sigmoid", (3, 3), "bce", "classes", 2, 0.05),
         ("relu", (3, 3), "hinge", "classes", 2, 0.0),
         ("linear", (3, 3), "squared", "regression", 0, 0.02),
         ("tanh", (4,), "ce", "classes", 3, 0.0),
         ("sigmoid", (4,), "squared", "classes", 3, 0.0),
         ("relu", (4,), "hinge", "classes", 3, 0.1),
         ("tanh", (2, 3, 2), "ce", "classes", 2, 0.0)]


def _setup(activation, hidden, loss, task, k, l2, n=6, seed=3):
    model = MLP(ModelConfig(hidden=hidden, activation=activation, loss=loss, l2=l2,
                            slope=1.4 if activation == "sigmoid" else 1.0),
                task=task, n_classes=k)
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 2))
    y = rng.normal(size=n) if task == "regression" else np.arange(n) % k * 1.0
    flat = model.init_params(seed=seed) + rng.normal(scale=0.3, size=model.n_params)
    return model, flat, x, y


def _numpy_total_loss(model: MLP, flat, x, y) -> float:
    """The loss written here: the numpy forward pass, the head's formula, ½·l2·Σw²."""
    cfg = model.config
    data = _numpy_loss(cfg.loss, model.task, model.n_classes, _numpy_output(model, flat, x), y)
    weights = [model.view(flat, p) for p in model.param_names if p.startswith("W")]
    return data + 0.5 * cfg.l2 * sum(float((w * w).sum()) for w in weights)


def _numpy_fd(model, flat, x, y, name, index, h=1e-6) -> float:
    sl, shape = model.layout[name]
    at = sl.start + int(np.ravel_multi_index(index, shape))
    plus, minus = flat.copy(), flat.copy()
    plus[at] += h
    minus[at] -= h
    return (_numpy_total_loss(model, plus, x, y) - _numpy_total_loss(model, minus, x, y)) / (2 * h)


def _some_params(model: MLP):
    """The first and last entry of every weight and bias."""
    for name in model.param_names:
        shape = model.shapes[name]
        yield name, (0,) * len(shape)
        yield name, tuple(s - 1 for s in shape)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}-{c[4]}")
@pytest.mark.parametrize("rows", [[2], [0, 1, 2, 3, 4, 5]], ids=["sample", "batch"])
def test_path_sum_is_the_engine_gradient_and_the_finite_difference(case, rows):
    model, flat, x, y = _setup(*case)
    x, y = x[rows], y[rows]
    back = model.backward(flat, x, y)
    for name, index in _some_params(model):
        ps = weight_paths(model, flat, x, y, name, index, keep=5)
        engine = float(np.asarray(back.grads[name])[index])
        assert ps.engine == engine
        assert ps.total == pytest.approx(engine, rel=1e-10, abs=1e-13), (name, index)
        assert ps.total == pytest.approx(_numpy_fd(model, flat, x, y, name, index),
                                         rel=1e-5, abs=1e-7), (name, index)
        assert ps.samples == len(rows)
        assert len(ps.paths) <= 5


def _numpy_paths(model: MLP, flat, x, y, layer, i, j) -> dict[tuple, float]:
    """Every path to W{layer}[i, j] by brute force: the neurons it visits and its product,
    with ∂loss/∂z_out by finite differences of the numpy loss and σ′ from numpy (one sample,
    tanh hidden units)."""
    n_layers = len(model.sizes) - 1
    hs, zs = [x[0]], [None]
    for k in range(1, n_layers + 1):
        z = hs[-1] @ model.view(flat, f"W{k}") + model.view(flat, f"b{k}")
        zs.append(z)
        hs.append(z if k == n_layers else np.tanh(z))
    dz_out = []
    for m in range(model.sizes[-1]):
        out = zs[-1].copy()

        def head(v, m=m, out=out):
            zz = out.copy()
            zz[m] = v
            return _numpy_loss(model.config.loss, model.task, model.n_classes, zz[None, :], y)

        dz_out.append((head(out[m] + 1e-6) - head(out[m] - 1e-6)) / 2e-6)
    found = {}
    later = [range(s) for s in model.sizes[layer + 1:]]
    for rest in itertools.product(*later):
        route = (j, *rest)
        prod = hs[layer - 1][i] * dz_out[route[-1]]
        for hop, k in enumerate(range(layer, n_layers)):
            prod *= 1 - np.tanh(zs[k][route[hop]]) ** 2  # σ′ at the neuron this path visits
            prod *= model.view(flat, f"W{k + 1}")[route[hop], route[hop + 1]]
        found[((layer - 1, i), *((layer + h, v) for h, v in enumerate(route)))] = prod
    return found


@pytest.mark.parametrize(("hidden", "loss", "k"), [((3, 3), "squared", 2), ((4,), "squared", 3),
                                                   ((3, 2), "ce", 3)])
def test_each_path_is_the_product_a_brute_force_enumeration_gives(hidden, loss, k):
    model, flat, x, y = _setup("tanh", hidden, loss, "classes", k, 0.0, n=1)
    expected = _numpy_paths(model, flat, x, y, layer=1, i=1, j=2)
    ps = weight_paths(model, flat, x, y, "W1", (1, 2), keep=10_000)
    assert ps.explicit and ps.ranked_exactly
    routes = model.head.outputs if model.head.kind == "softmax-squared" else 1
    assert ps.n_paths == len(expected) * routes
    got: dict[tuple, float] = {}
    for p in ps.paths:  # the softmax's routes through p0…pk to one output neuron add up
        got[p.neurons] = got.get(p.neurons, 0.0) + p.product
        assert p.product == pytest.approx(np.prod([f.value for f in p.factors]), rel=1e-12)
        assert p.edges[0] == ("W1", 1, 2)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, rel=1e-6, abs=1e-12), key
    mags = [abs(p.product) for p in ps.paths]
    assert mags == sorted(mags, reverse=True)


def test_a_tiny_network_gives_the_hand_derived_factors():
    """2-1-1 linear regression: ŷ = W2·(W1[0]·x1 + W1[1]·x2 + b1) + b2, L = ½(ŷ − t)², so
    dL/dW1[0,0] = (ŷ − t) · W2[0,0] · x1, one path."""
    model = MLP(ModelConfig(hidden=(1,), activation="linear"), task="regression")
    flat = np.array([0.5, -2.0, 0.25, 3.0, 1.0])  # W1 = [0.5, −2], b1 = 0.25, W2 = 3, b2 = 1
    x, y = np.array([[2.0, 1.0]]), np.array([4.0])
    # z1 = 1 − 2 + 0.25 = −0.75; ŷ = −2.25 + 1 = −1.25; ŷ − t = −5.25
    ps = weight_paths(model, flat, x, y, "W1", (0, 0))
    (path,) = ps.paths
    assert [(f.symbol, f.value) for f in path.factors] == [("∂L/∂ŷ", -5.25), ("W2[0,0]", 3.0),
                                                           ("x1", 2.0)]
    assert ps.total == pytest.approx(-5.25 * 3.0 * 2.0, rel=1e-15)
    assert ps.loss == pytest.approx(0.5 * 5.25 ** 2)
    assert path.neurons == ((0, 0), (1, 0), (2, 0))
    bias = weight_paths(model, flat, x, y, "b1", (0,))
    assert [f.value for f in bias.paths[0].factors] == [-5.25, 3.0, 1.0]
    assert bias.paths[0].edges == (("W2", 0, 0),)


def test_a_penalty_is_one_more_direct_path():
    model, flat, x, y = _setup("tanh", (3,), "squared", "classes", 2, 0.3)
    ps = weight_paths(model, flat, x, y, "W2", (1, 0))
    w = float(model.view(flat, "W2")[1, 0])
    (penalty,) = [p for p in ps.paths if p.kind == "penalty"]
    assert penalty.product == pytest.approx(0.3 * w)
    assert ps.n_paths == 2
    assert ps.kept_total == pytest.approx(ps.total, rel=1e-12)


@pytest.mark.parametrize("rows", [[4], [0, 1, 2, 3, 4, 5]], ids=["sample", "batch"])
def test_too_many_paths_are_summed_layer_by_layer_and_the_largest_still_found(monkeypatch,
                                                                                 rows):
    model, flat, x, y = _setup("tanh", (4, 3, 4), "ce", "classes", 3, 0.0)
    x, y = x[rows], y[rows]
    every = weight_paths(model, flat, x, y, "W1", (0, 1), keep=10_000)
    assert every.explicit and every.n_paths == 3 * 4 * 3
    monkeypatch.setattr(paths, "EXPLICIT_LIMIT", 0)
    best = weight_paths(model, flat, x, y, "W1", (0, 1), keep=7)
    assert not best.explicit
    assert best.ranked_exactly == (len(rows) == 1)
    assert best.total == pytest.approx(every.total, rel=1e-12)
    assert best.total == pytest.approx(best.engine, rel=1e-10)
    got = [(p.neurons, p.product) for p in best.paths]
    want = [(p.neurons, p.product) for p in every.paths[:7]]
    if len(rows) == 1:  # the k-best search is exact for one sample
        assert [g[0] for g in got] == [w[0] for w in want]
        np.testing.assert_allclose([g[1] for g in got], [w[1] for w in want], rtol=1e-12)
    else:  # each kept path's batch mean is exact, whichever were found
        exact = dict(want + [(p.neurons, p.product) for p in every.paths])
        for neurons, product in got:
            assert product == pytest.approx(exact[neurons], rel=1e-12)


@pytest.mark.parametrize("case", CASES[:5], ids=lambda c: f"{c[0]}-{c[2]}")
def test_the_loss_along_a_weight_and_its_tangent(case):
    model, flat, x, y = _setup(*case)
    ps = weight_paths(model, flat, x, y, "W1", (1, 0))
    sl = loss_along(model, flat, x, y, "W1", (1, 0), slope=ps.total, span=0.5, points=11)
    at = model.layout["W1"][0].start + model.sizes[1]  # W1[1, 0]: row 1 of 2 × width
    for t, value in zip(sl.offsets, sl.losses, strict=True):
        moved = flat.copy()
        moved[at] += t
        assert value == pytest.approx(_numpy_total_loss(model, moved, x, y), rel=1e-10)
    assert sl.loss == pytest.approx(_numpy_total_loss(model, flat, x, y), rel=1e-12)
    assert sl.finite_difference == pytest.approx(ps.total, rel=1e-5, abs=1e-8)
    assert sl.tangent()[5] == sl.loss and sl.offsets[5] == 0
    fd, h = finite_difference(model, flat, x, y, "W1", (1, 0))
    assert fd == sl.finite_difference and h == sl.fd_step


def test_clicked_entries_name_their_parameter():
    model = MLP(ModelConfig(hidden=(3,)))
    assert param_index(model, "W1", 1, 2) == (1, 2)
    assert param_index(model, "b1", 0, 2) == (2,)
    for bad in (("W9", 0, 0), ("W1", 2, 0), ("b1", 1, 0), ("b2", 0, 1)):
        with pytest.raises(ValueError):
            param_index(model, *bad)
