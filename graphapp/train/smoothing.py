"""Smoothing a noisy training curve for display, as TensorBoard's scalar dashboard does.

A per-step curve (the gradient norm ‖dL/dW‖ of each step) jumps from batch to batch; a running
mean drawn over the raw trace shows its trend. :func:`ema` is TensorBoard's smoothing: an
exponential moving average ``last = w · last + (1 − w) · value`` with its start-up bias removed
(divided by ``1 − w^n`` after n finite values), so the first points are not pulled towards 0.

Caveats: like TensorBoard it smooths the values themselves, also on a log-scaled axis;
non-finite values are passed through unsmoothed and do not enter the average; the weight
counts points, so a curve thinned to every other step is smoothed over twice as many steps.

>>> ema([1.0, 2.0, 3.0], 0.0)
array([1., 2., 3.])
>>> ema([1.0, 3.0], 0.5)  # (0.5·1)/(1 − 0.5) = 1, then (0.25 + 1.5)/(1 − 0.25) = 2.333…
array([1.        , 2.33333333])
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["ema"]


def ema(values: Sequence[float] | np.ndarray, weight: float) -> np.ndarray:
    """The debiased exponential moving average of ``values`` with ``weight`` in [0, 1)
    (0: no smoothing; TensorBoard's slider). Raises ``ValueError`` for a weight outside.

    Vectorised in blocks: within a block the recurrence is a cumulative sum of
    ``value · w^−i``, the block kept short enough that ``w^−i`` stays below 1e12."""
    if not 0.0 <= weight < 1.0:
        raise ValueError(f"the smoothing weight is in [0, 1), got {weight}")
    values = np.asarray(values, dtype=np.float64)
    out = values.copy()
    finite = np.isfinite(values)
    x = values[finite]
    if weight == 0.0 or not len(x):
        return out
    block = max(1, min(64, int(12 / -math.log10(weight)) + 1))
    powers = weight ** np.arange(block)
    last = np.empty(len(x))
    state = 0.0
    for start in range(0, len(x), block):
        chunk = x[start:start + block]
        m = len(chunk)
        acc = np.cumsum(chunk / powers[:m]) * powers[:m] * (1.0 - weight)
        last[start:start + m] = state * weight * powers[:m] + acc
        state = last[start + m - 1]
    out[finite] = last / (1.0 - weight ** np.arange(1, len(x) + 1))
    return out
