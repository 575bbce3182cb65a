"""The derivative lab's docks (issue "The derivative lab"): one module per dock, each rendering
what :mod:`graphapp.lab` computes. :data:`DOCKS` is the table the main window builds them from
(title, object name, module and class of the view); they start hidden and are shown from
View ▸ Lab. A view is built, and its module imported, when its dock is first shown or asked
for (:class:`graphapp.gui.lab.dock.LabDock`): the window's first frame needs none of them.
"""

from __future__ import annotations

import importlib

__all__ = ["DOCKS", "view_class"]

#: (title, object name, module in this package, view class) for every lab dock, in menu order.
DOCKS = (
    ("Nudge and Slope", "lab-nudge", "nudge", "NudgeView"),
    ("Gradient Check", "lab-check", "check", "CheckView"),
    ("Partial vs Total", "lab-partial", "partial", "PartialView"),
    ("Trace Table", "lab-trace", "trace", "TraceView"),
    ("Formulas", "lab-formulas", "formulas", "FormulasView"),
    ("Function Plot", "lab-plot", "plot", "PlotView"),
    ("Quiz", "lab-quiz", "quiz", "QuizView"),
)


def view_class(module: str, name: str) -> type:
    """The view class ``name`` of module ``module`` of this package (imported now)."""
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
