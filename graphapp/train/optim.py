"""Optimisers: how a gradient becomes a parameter update.

Each works in place on one flat parameter vector with preallocated state, so a step is a few
numpy calls whatever the network's size. The batch size is the loop's business: SGD with batch 1
is seed 000's stochastic gradient descent, larger batches make it mini-batch SGD.

* ``sgd``: p ← p − lr·g
* ``momentum``: v ← β·v + g; p ← p − lr·v (β = 0.9)
* ``adam``: Kingma and Ba's Adam (β₁ = 0.9, β₂ = 0.999, ε = 1e-8), with bias correction.

>>> p = np.array([1.0, -2.0]); opt = make_optimizer("sgd", 2)
>>> opt.step(p, np.array([0.5, -1.0]), lr=0.1); p.tolist()
[0.95, -1.9]
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["OPTIMIZERS", "Adam", "Momentum", "Optimizer", "make_optimizer"]


class Optimizer:
    """Plain gradient descent; subclasses keep state between steps."""

    name = "sgd"

    def __init__(self, size: int) -> None:
        self.size = size
        self._tmp = np.empty(size)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        """Update ``params`` in place from ``grads``."""
        np.multiply(grads, lr, out=self._tmp)
        params -= self._tmp

    def state(self) -> dict:
        """The optimiser's state as JSON data (for model files)."""
        return {}

    def load_state(self, state: dict) -> None:
        """Restore :meth:`state`."""


class Momentum(Optimizer):
    """Heavy-ball momentum: the update remembers a fraction β of the previous one."""

    name = "momentum"

    def __init__(self, size: int, beta: float = 0.9) -> None:
        super().__init__(size)
        self.beta = beta
        self.velocity = np.zeros(size)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        v = self.velocity
        v *= self.beta
        v += grads
        np.multiply(v, lr, out=self._tmp)
        params -= self._tmp

    def state(self) -> dict:
        return {"velocity": self.velocity.tolist()}

    def load_state(self, state: dict) -> None:
        self.velocity[:] = np.asarray(state["velocity"], dtype=np.float64)


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running means of g and g²."""

    name = "adam"

    def __init__(self, size: int, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(size)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = np.zeros(size)
        self.v = np.zeros(size)
        self.t = 0
        self._tmp2 = np.empty(size)

    def step(self, params: np.ndarray, grads: np.ndarray, lr: float) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        m, v, tmp, tmp2 = self.m, self.v, self._tmp, self._tmp2
        m *= b1
        np.multiply(grads, 1.0 - b1, out=tmp)
        m += tmp
        v *= b2
        np.multiply(grads, grads, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        # p -= lr·m̂/(√v̂ + ε) with m̂ = m/(1−β₁ᵗ), v̂ = v/(1−β₂ᵗ)
        np.sqrt(v, out=tmp2)
        tmp2 *= 1.0 / math.sqrt(1.0 - b2 ** self.t)
        tmp2 += self.eps
        np.divide(m, tmp2, out=tmp)
        tmp *= lr / (1.0 - b1 ** self.t)
        params -= tmp

    def state(self) -> dict:
        return {"m": self.m.tolist(), "v": self.v.tolist(), "t": self.t}

    def load_state(self, state: dict) -> None:
        self.m[:] = np.asarray(state["m"], dtype=np.float64)
        self.v[:] = np.asarray(state["v"], dtype=np.float64)
        self.t = int(state["t"])


#: Optimiser name → class.
OPTIMIZERS: dict[str, type[Optimizer]] = {"sgd": Optimizer, "momentum": Momentum, "adam": Adam}


def make_optimizer(name: str, size: int) -> Optimizer:
    """A fresh optimiser ``name`` for ``size`` parameters; ``ValueError`` if unknown."""
    try:
        return OPTIMIZERS[name](size)
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; known: {', '.join(OPTIMIZERS)}") from None
