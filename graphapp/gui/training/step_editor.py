"""Open one training sample's forward and backward pass in the editor, as a scalar graph.

The training layer writes a small network on one sample as an ``.expr`` graph of single numbers
(:func:`graphapp.train.stepgraph.step_graph_text`: every weight and bias an input, each neuron
``z1_0 = x1*W1_0_0 + x2*W1_1_0 + b1_0``, then the loss). Loaded into the main window's
document, the editor computes it with the same engine, so every weight's gradient there is the
trainer's per-sample gradient, and step mode walks the backward pass edge by edge: the paths the
weight panel lists, one local derivative at a time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from graphapp.formats import FormatError, parse_expr
from graphapp.train.model import MLP

if TYPE_CHECKING:
    from graphapp.gui.main_window import MainWindow

__all__ = ["EDITOR_LIMIT", "open_in_editor", "scalar_name"]

#: Networks up to this many parameters open as a scalar graph (larger ones are unreadable).
EDITOR_LIMIT = 60


def scalar_name(name: str, index: tuple[int, ...]) -> str:
    """The editor's node for one parameter entry: ``W1[0, 3]`` → ``W1_0_3``, ``b2[1]`` →
    ``b2_1``."""
    return "_".join([name, *map(str, index)])


def open_in_editor(window: MainWindow, model: MLP, flat: np.ndarray, x_row: np.ndarray,
                   y_row: float) -> bool:
    """Load ``model`` with parameters ``flat`` on the sample ``x_row`` (one raw point) with
    label ``y_row`` into ``window``'s document and bring the window forward. ``False`` (and a
    message in the window's status bar) when the network is too large or the learner keeps the
    current document (Save/Discard/Cancel)."""
    from graphapp.train.stepgraph import step_graph_text

    if model.n_params > EDITOR_LIMIT:
        window.say(f"The editor shows networks up to {EDITOR_LIMIT} parameters as single "
                   f"numbers; this one has {model.n_params}. Make it smaller to open it.")
        return False
    point = np.asarray(x_row, dtype=np.float64).reshape(-1)
    title = (f"One training sample, x = ({point[0]:.4g}, {point[1]:.4g}), label "
             f"{float(y_row):g}: its forward pass and loss. Turn on step mode to walk the "
             "backward pass edge by edge; each weight's gradient is the sum over its paths.")
    try:
        doc = parse_expr(step_graph_text(model, flat, point, float(y_row), title=title),
                         "<training sample>")
    except (ValueError, FormatError) as exc:
        window.say(f"Cannot open this sample in the editor: {exc}")
        return False
    if not window.maybe_save():
        return False
    window.load(doc, None, example="training sample")
    window.show()
    window.raise_()
    window.activateWindow()
    window.say("Opened the current training sample: every weight is an input, its gradient "
               "is ∂loss/∂weight for this sample")
    return True
