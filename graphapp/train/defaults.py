"""Settings per data set, chosen so that ``graphapp train --dataset NAME --seed 0`` reaches a
good model quickly (the README quotes what each reaches, and how fast, as ``graphapp bench``
measures it).

Anything given on the command line (or in the panel) replaces the value here.

>>> DEFAULTS["moons"].hidden
(16, 16)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULTS", "Defaults"]


@dataclass(frozen=True)
class Defaults:
    """One data set's starting point: data, network and training settings."""

    points: int = 300
    test_share: float = 0.2
    features: tuple[str, ...] = ("x1", "x2")
    hidden: tuple[int, ...] = (8, 8)
    activation: str = "tanh"
    loss: str = "squared"
    init: str = "xavier"
    optimizer: str = "adam"
    lr: float = 0.01
    batch: int = 10
    epochs: int = 100
    patience: int = 0


#: Data set name → its defaults; ``"csv"`` is used for data read from a file.
DEFAULTS: dict[str, Defaults] = {
    "moons": Defaults(hidden=(16, 16), epochs=60),
    "circles": Defaults(hidden=(8, 8), epochs=60),
    "xor": Defaults(hidden=(8, 8), epochs=80),
    "gauss": Defaults(hidden=(2,), epochs=20),
    "linear": Defaults(hidden=(2,), epochs=30),
    "spiral": Defaults(points=500, hidden=(16, 16), activation="relu", lr=0.01, batch=10,
                       epochs=300),
    "spiral3": Defaults(points=300, hidden=(16, 16), activation="relu", loss="ce",
                        epochs=200),
    "sine": Defaults(hidden=(16,), epochs=100),
    "plane": Defaults(hidden=(4,), epochs=40),
    "csv": Defaults(hidden=(8, 8), epochs=100),
}
