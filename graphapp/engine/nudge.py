"""What a derivative predicts: nudge an input by Δx and the output should move by about
grad · Δx. Comparing that with the change that really happened shows what a gradient means
(and where the linear prediction stops being good)."""

from __future__ import annotations

from dataclasses import dataclass

from graphapp.engine.lazy_numpy import np
from graphapp.engine.values import Value, tidy

__all__ = ["Nudge", "predicted_change"]


@dataclass(frozen=True)
class Nudge:
    """The input's change, the output change the gradient predicts, and the actual one."""

    dx: Value
    predicted: Value
    actual: Value


def predicted_change(x0: Value, x1: Value, y0: Value, y1: Value, grad: Value) -> Nudge:
    """Moving the input from ``x0`` to ``x1`` moved the output from ``y0`` to ``y1``; ``grad``
    is d output / d input at ``x0``. For arrays the prediction is Σ grad·Δx (and for an array
    output, gradients are of its sum, so the actual change is summed too).

    >>> n = predicted_change(3.0, 3.1, 20.0, 21.43, 14.0)
    >>> round(float(n.predicted), 6), round(float(n.actual), 6)
    (1.4, 1.43)
    """
    with np.errstate(all="ignore"):
        dx = np.subtract(x1, x0)
        predicted = np.sum(np.multiply(grad, dx))
        actual = np.sum(np.subtract(y1, y0))
    return Nudge(tidy(dx), tidy(predicted), tidy(actual))
