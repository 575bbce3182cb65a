"""The curves' smoothing against TensorBoard's, written out here as its dashboard runs it."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphapp.train.smoothing import ema


def tensorboard(values, weight):
    """TensorBoard's scalar smoothing: a debiased EMA that skips non-finite values."""
    last, n, out = 0.0, 0, []
    for v in values:
        if not math.isfinite(v):
            out.append(v)
            continue
        last = last * weight + (1 - weight) * v
        n += 1
        out.append(last / (1 - weight ** n))
    return out


@given(st.lists(st.floats(-1e6, 1e6) | st.just(math.nan), max_size=300),
       st.floats(0.0, 0.999))
def test_ema_is_tensorboards_smoothing(values, weight):
    got = ema(values, weight)
    want = tensorboard(values, weight)
    scale = 1 + max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-9 * scale)


def test_a_constant_stays_constant_and_weight_zero_is_the_raw_curve():
    np.testing.assert_allclose(ema([3.0] * 500, 0.99), 3.0, rtol=1e-12)
    assert list(ema([1.0, 5.0, 2.0], 0.0)) == [1.0, 5.0, 2.0]


def test_weights_outside_zero_to_one_are_refused():
    for weight in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="smoothing weight"):
            ema([1.0], weight)
