"""Training figures for ``graphapp bench``: engine steps per second against plain numpy, and
what ``graphapp train --dataset NAME --seed 0`` reaches with its defaults, in how long.

The speed row trains a 2-16-16-1 tanh network (squared loss on a tanh output, plain SGD) at
batch 200 twice in the same process: through the engine (:class:`~graphapp.train.loop.Trainer`,
the path the command line and the panel use) and through a forward/backward loop written by
hand in numpy doing the same arithmetic. The two alternate in rounds so that a noisy, shared
machine slows both alike; the figures are medians over the rounds, the ratio the median of
each round's ratio.

The accuracy rows run the whole command (start-up, data, training, summary) as a new process,
per data set, and quote its wall-clock seconds with the test accuracy it printed.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from graphapp.train.datasets import make_dataset
from graphapp.train.loop import TrainConfig, Trainer
from graphapp.train.model import MLP, ModelConfig

__all__ = [
    "ACCURACY_TARGETS", "accuracy_figures", "format_training", "numpy_steps", "speed_figures"]

#: Data set → (test accuracy to reach, whole-process seconds allowed), as the issue sets them.
ACCURACY_TARGETS: dict[str, tuple[float, float]] = {
    "moons": (0.97, 10.0), "circles": (0.97, 10.0), "xor": (0.97, 10.0),
    "spiral": (0.90, 60.0)}


def numpy_steps(x: np.ndarray, t: np.ndarray, params: list[np.ndarray], lr: float,
                ) -> Callable[[int], float]:
    """A hand-written numpy training loop for a tanh MLP with ½(tanh(z) − t)² loss, updating
    ``params`` ([W1, b1, W2, b2, …]) in place; returns ``steps(n)`` → the last loss."""
    def steps(count: int) -> float:
        loss = 0.0
        for _ in range(count):
            hs = [x]
            for k in range(0, len(params), 2):
                hs.append(np.tanh(hs[-1] @ params[k] + params[k + 1]))
            out = hs[-1]
            err = out - t
            loss = 0.5 * float(np.mean(err * err))
            delta = err * (1.0 - out * out) / err.size
            for k in range(len(params) - 2, -1, -2):
                h = hs[k // 2]
                g_w, g_b = h.T @ delta, delta.sum(axis=0)
                if k:
                    delta = (delta @ params[k].T) * (1.0 - h * h)
                params[k] -= lr * g_w
                params[k + 1] -= lr * g_b
        return loss

    return steps


def speed_figures(rounds: int = 7, steps: int = 200, batch: int = 200) -> dict[str, Any]:
    """Steps per second through the engine and by hand, and their ratio (medians)."""
    data = make_dataset("moons", points=batch, test_share=0.0, seed=0)
    model = MLP(ModelConfig(hidden=(16, 16), activation="tanh", loss="squared"))
    trainer = Trainer(model, data, TrainConfig(optimizer="sgd", lr=0.05, batch=batch))
    rows = np.arange(batch)
    hand = numpy_steps(model.features(data.x_train), model.targets(data.y_train),
                       [v.copy() for v in model.views(trainer.flat)], 0.05)

    def engine(count: int) -> None:
        for _ in range(count):
            trainer.step(rows)

    timings: dict[str, list[float]] = {"engine": [], "numpy": []}
    engine(10)
    hand(10)
    for _ in range(rounds):
        for name, fn in (("engine", engine), ("numpy", hand)):
            t0 = time.perf_counter()
            fn(steps)
            timings[name].append(steps / (time.perf_counter() - t0))
    ratios = [e / n for e, n in zip(timings["engine"], timings["numpy"], strict=True)]
    return {"network": f"2-16-16-1 tanh, batch {batch}, SGD",
            "engine_steps_per_s": statistics.median(timings["engine"]),
            "numpy_steps_per_s": statistics.median(timings["numpy"]),
            "ratio": statistics.median(ratios), "rounds": rounds, "steps": steps}


def accuracy_figures(names: list[str] | None = None) -> list[dict[str, Any]]:
    """``graphapp train --dataset NAME --seed 0 --json`` as a whole process, per data set."""
    rows = []
    for name in names or list(ACCURACY_TARGETS):
        cmd = [sys.executable, "-m", "graphapp", "train", "--dataset", name, "--seed", "0",
               "--json"]
        t0 = time.perf_counter()
        done = subprocess.run(cmd, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - t0
        if done.returncode != 0:
            rows.append({"dataset": name, "error": done.stderr.strip().splitlines()[-1:]})
            continue
        summary = json.loads(done.stdout.strip().splitlines()[-1])
        target = ACCURACY_TARGETS.get(name)
        acc = summary["test_accuracy"]
        rows.append({"dataset": name, "test_accuracy": acc, "test_loss": summary["test_loss"],
                     "process_s": seconds,
                     "train_seconds": summary["train_seconds"], "epochs": summary["epochs"],
                     "hidden": summary["hidden"], "activation": summary["activation"],
                     "target": target,
                     "met": None if target is None or acc is None else
                     bool(acc >= target[0] and seconds <= target[1])})
    return rows


def format_training(speed: dict[str, Any], accuracy: list[dict[str, Any]] | None) -> list[str]:
    """The training lines of the benchmark report."""
    lines = [f"training through the engine ({speed['network']}), median of {speed['rounds']} "
             f"rounds:",
             f"  engine: {speed['engine_steps_per_s']:7.0f} steps/s   numpy by hand: "
             f"{speed['numpy_steps_per_s']:7.0f} steps/s   → the engine runs at "
             f"{speed['ratio']:.2f} of numpy's speed ({1 / speed['ratio']:.1f}× slower)"]
    if accuracy:
        lines.append("graphapp train --dataset NAME --seed 0 (whole process, defaults):")
        for r in accuracy:
            if "error" in r:
                lines.append(f"  {r['dataset']:>8}: failed: {r['error']}")
                continue
            goal = ""
            if r["target"]:
                goal = (f"  (target ≥ {100 * r['target'][0]:.0f} % within "
                        f"{r['target'][1]:.0f} s: {'met' if r['met'] else 'NOT met'})")
            reached = (f"test loss {r['test_loss']:.4f}" if r["test_accuracy"] is None else
                       f"test accuracy {100 * r['test_accuracy']:5.1f} %")
            lines.append(f"  {r['dataset']:>8}: {reached} in {r['process_s']:5.1f} s "
                         f"({r['epochs']} epochs, {r['train_seconds']:.1f} s training){goal}")
    return lines
