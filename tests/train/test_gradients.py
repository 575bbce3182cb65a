"""The trainer's gradients (the engine's reverse mode on the MLP graph) against central finite
differences, for every parameter of a 2-3-3-1 network under every activation and loss; and each
loss head's value against a plain numpy formula written here."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from graphapp.train.model import ACTIVATIONS, MLP, ModelConfig

# (loss, task, classes): every head the model builds
HEADS = [("squared", "classes", 2), ("squared", "classes", 3), ("squared", "regression", 0),
         ("bce", "classes", 2), ("ce", "classes", 2), ("ce", "classes", 3),
         ("hinge", "classes", 2), ("hinge", "classes", 3)]


def _data(task: str, k: int, n: int = 7, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 2))
    y = rng.normal(size=n) if task == "regression" else np.arange(n) % k * 1.0
    return x, y


def _model(activation: str, loss: str, task: str, k: int, **kw) -> MLP:
    cfg = ModelConfig(hidden=(3, 3), activation=activation, loss=loss, **kw)
    return MLP(cfg, task=task, n_classes=k)


def _fd(model: MLP, flat: np.ndarray, x: np.ndarray, y: np.ndarray, h: float = 1e-6):
    out = np.empty_like(flat)
    for i in range(flat.size):
        plus, minus = flat.copy(), flat.copy()
        plus[i] += h
        minus[i] -= h
        f_plus, f_minus = model.loss_and_grads(plus, x, y)[0], model.loss_and_grads(minus, x, y)[0]
        out[i] = (f_plus - f_minus) / (2 * h)
    return out


@pytest.mark.parametrize(("activation", "head"), list(itertools.product(ACTIVATIONS, HEADS)))
def test_every_parameter_matches_finite_differences(activation, head):
    loss, task, k = head
    model = _model(activation, loss, task, k, slope=1.7 if activation == "sigmoid" else 1.0,
                   l1=0.01, l2=0.02)
    x, y = _data(task, k)
    flat = model.init_params(seed=5) + np.random.default_rng(1).normal(scale=0.3,
                                                                       size=model.n_params)
    _, grads = model.loss_and_grads(flat, x, y)
    backprop = np.concatenate([g.ravel() for g in grads])
    assert backprop.shape == (model.n_params,)
    numeric = _fd(model, flat, x, y)
    np.testing.assert_allclose(backprop, numeric, rtol=1e-5, atol=1e-7)


# ----------------------------------------------------------------- forward: an independent oracle
def _numpy_output(model: MLP, flat: np.ndarray, x: np.ndarray) -> np.ndarray:
    act = {"tanh": np.tanh, "relu": lambda s: np.maximum(s, 0), "linear": lambda s: s,
           "sigmoid": lambda s: 1 / (1 + np.exp(-model.config.slope * s))}[model.config.activation]
    h = x.copy()
    layers = len(model.sizes) - 1
    for layer in range(1, layers + 1):
        z = h @ model.view(flat, f"W{layer}") + model.view(flat, f"b{layer}")
        h = z if layer == layers else act(z)
    return h


def _numpy_loss(loss: str, task: str, k: int, z: np.ndarray, y: np.ndarray) -> float:
    if task == "regression":
        return float(np.mean(0.5 * (z[:, 0] - y) ** 2))
    if k == 2 and loss != "ce":
        z1 = z[:, 0]
        if loss == "squared":
            return float(np.mean(0.5 * (np.tanh(z1) - (2 * y - 1)) ** 2))
        if loss == "bce":
            p = 1 / (1 + np.exp(-z1))
            return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
        return float(np.mean(np.maximum(0, 1 - (2 * y - 1) * z1)))
    yi = y.astype(int)
    rows = np.arange(len(y))
    if loss == "ce":
        return float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[rows, yi]))
    if loss == "squared":
        p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        return float(np.mean(0.5 * ((p - np.eye(k)[yi]) ** 2).sum(axis=1)))
    margins = np.maximum(0, 1 + z - z[rows, yi][:, None])
    margins[rows, yi] = 0
    return float(np.mean(margins.sum(axis=1)))


@pytest.mark.parametrize(("activation", "head"), list(itertools.product(ACTIVATIONS, HEADS)))
def test_loss_value_matches_numpy(activation, head):
    loss, task, k = head
    model = _model(activation, loss, task, k, slope=0.6)
    x, y = _data(task, k, n=9)
    flat = model.init_params(seed=2) * 2.0
    z = _numpy_output(model, flat, x)
    np.testing.assert_allclose(model.raw_output(flat, x), z, rtol=1e-12)
    expected = _numpy_loss(loss, task, k, z, y)
    assert model.evaluate(flat, x, y)[0] == pytest.approx(expected, rel=1e-10)


def test_penalty_adds_half_l2_and_l1_of_the_weights_only():
    model = _model("tanh", "squared", "classes", 2, l1=0.3, l2=0.5)
    x, y = _data("classes", 2)
    flat = model.init_params(seed=4)
    flat[model.layout["b1"][0]] = 7.0  # biases are not penalised
    weights = [model.view(flat, n) for n in model.param_names if n.startswith("W")]
    penalty = 0.5 * 0.5 * sum((w ** 2).sum() for w in weights) + 0.3 * sum(
        np.abs(w).sum() for w in weights)
    data_loss, _ = model.evaluate(flat, x, y)
    assert model.loss_and_grads(flat, x, y)[0] == pytest.approx(data_loss + penalty, rel=1e-12)


def test_large_logits_do_not_overflow_the_cross_entropies():
    for loss, k in (("bce", 2), ("ce", 3)):
        model = _model("linear", loss, "classes", k)
        x, y = _data("classes", k)
        flat = model.init_params(seed=0) * 400.0
        value, grads = model.loss_and_grads(flat, x, y)
        assert np.isfinite(value) and value > 10
        assert all(np.isfinite(g).all() for g in grads)
