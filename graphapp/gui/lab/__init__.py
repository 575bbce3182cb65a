"""The derivative lab's docks (issue "The derivative lab"): one module per dock, each rendering
what :mod:`graphapp.lab` computes. :data:`DOCKS` is the table the main window builds them from
(title, object name, widget class); they start hidden and are shown from View ▸ Lab. The
window keeps each view as ``lab_<name>`` (``window.lab_check``) for the action table.
"""

from __future__ import annotations

from graphapp.gui.lab.check import CheckView
from graphapp.gui.lab.formulas import FormulasView
from graphapp.gui.lab.nudge import NudgeView
from graphapp.gui.lab.partial import PartialView
from graphapp.gui.lab.trace import TraceView

__all__ = ["DOCKS"]

#: (title, object name, view class) for every lab dock, in menu order.
DOCKS = (
    ("Nudge and Slope", "lab-nudge", NudgeView),
    ("Gradient Check", "lab-check", CheckView),
    ("Partial vs Total", "lab-partial", PartialView),
    ("Trace Table", "lab-trace", TraceView),
    ("Formulas", "lab-formulas", FormulasView),
)
