"""Every command of the window, declared once: its text, shortcut, tip and what it calls
(:data:`ACTIONS`), and where it appears: menus (:data:`MENUS`), toolbars (:data:`TOOLBARS`)
and the canvas's context menus (:data:`NODE_MENU`, :data:`CANVAS_MENU`).

:func:`install` makes one ``QAction`` per entry (``window.act_<name>``) and builds the menus
and toolbars from the tables. A list entry is an action name, ``"-"`` for a separator, or
``"@part"`` for something the window builds itself (the Add Node submenu, recent files,
docks, the pass chooser...), see :data:`PARTS`.

We weighed app-model (napari's actions, menus and key bindings declared once): it brings
its own registry, context keys and a Qt-binding layer for a window with one document and 30
actions; this table and ~80 lines do the same here. A new command: one :class:`Act` row and
its name in a menu or toolbar list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QToolBar

from graphapp.engine.ops import CATEGORIES, iter_ops
from graphapp.gui.icons import icon
from graphapp.gui.tooltips import show_shortcuts

__all__ = ["ACTIONS", "CANVAS_MENU", "MENUS", "NODE_MENU", "TOOLBARS", "Act", "add_node_menu",
           "fill", "install"]


@dataclass(frozen=True)
class Act:
    """One command. ``call`` is a path from the window ("save", "view.fit"), called with
    ``args`` (and the checked state for ``checkable`` ones). ``keys`` are shortcuts: names of
    standard keys ("std:Save") or key sequences ("Ctrl+E"); ``icon`` names a drawing of
    :mod:`graphapp.gui.icons`."""

    name: str
    text: str
    call: str
    keys: tuple[str, ...] = ()
    tip: str = ""
    checkable: bool = False
    checked: bool = False
    icon: str = ""
    args: tuple[Any, ...] = ()


ACTIONS: tuple[Act, ...] = (
    Act("new", "&New", "new_document", ("std:New",), "Start an empty graph", icon="page"),
    Act("open", "&Open…", "open_dialog", ("std:Open",), "Open an .expr or .graph.json",
        icon="folder"),
    Act("save", "&Save", "save", ("std:Save",), "Save the graph", icon="disk"),
    Act("save_as", "Save &As…", "save_as", ("std:SaveAs",), "Save under a new name"),
    Act("export", "&Export Image…", "export_dialog", ("Ctrl+E",),
        "Export SVG, PNG, PDF or dot with Graphviz"),
    Act("save_copy", "Save a &Copy As…", "save_copy_dialog", (),
        "Convert: write the graph as .expr or .graph.json, keep editing this one"),
    Act("quit", "&Quit", "close", ("std:Quit", "Ctrl+Q")),
    Act("cut", "Cu&t", "cut", ("std:Cut",)),
    Act("copy", "&Copy", "copy", ("std:Copy",)),
    Act("paste", "&Paste", "paste", ("std:Paste",)),
    Act("duplicate", "D&uplicate", "duplicate", ("Ctrl+D",)),
    Act("delete", "&Delete", "scene.delete_selection", ("std:Delete", "Backspace")),
    Act("rename", "Re&name…", "rename_selected", ("F2",)),
    Act("select_all", "Select &All", "select_all", ("std:SelectAll",)),
    Act("fit", "&Fit Graph", "view.fit", ("F",), "Show the whole graph"),
    Act("zoom_in", "Zoom &In", "view.zoom_by", ("std:ZoomIn", "Ctrl+="), args=(1.25,)),
    Act("zoom_out", "Zoom &Out", "view.zoom_by", ("std:ZoomOut",), args=(0.8,)),
    Act("labels", "Edge &Labels", "scene.set_show_labels", ("Ctrl+L",),
        "Show local derivative and carried gradient on every edge", True, True),
    Act("layout", "Auto &Layout", "auto_layout", ("Ctrl+Shift+L",),
        "Arrange the graph with Graphviz dot"),
    Act("output", "&Differentiate This", "differentiate_selected", ("Ctrl+Shift+D",),
        "Make the selected node the output"),
    Act("group", "&Group Selection…", "group_selected", ("Ctrl+G",),
        "Fold the selected nodes into one box"),
    Act("ungroup", "&Ungroup", "ungroup_selected", ("Ctrl+Shift+G",)),
    Act("forward", "&Forward", "run_pass", ("F5",), "Compute every value", args=("forward",)),
    Act("backward", "&Backward", "run_pass", ("F6",), "Compute every gradient",
        args=("backward",)),
    Act("auto", "&Auto Recompute", "doc.set_auto", (),
        "Recompute values and gradients after every edit", True, True),
    Act("check", "&Check Gradients", "check_gradients", ("Ctrl+K",),
        "Compare every gradient with the finite-difference slope"),
    Act("step_mode", "&Step Mode", "toggle_step_mode", ("Ctrl+B",),
        "Walk through the pass one node at a time", True),
    Act("step", "Step &→", "stepper.step_forward", ("Ctrl+Right",), "Next step",
        icon="seek_forward"),
    Act("step_back", "Step &←", "stepper.step_back", ("Ctrl+Left",), "Previous step",
        icon="seek_backward"),
    Act("restart", "&Restart", "stepper.restart", ("Ctrl+Home",), "Back to the first step",
        icon="skip_backward"),
    Act("play", "&Play", "toggle_play", ("Ctrl+Space",), "Play the steps",
        icon="play"),
    Act("grad_check", "Gradient Check over &h", "gradient_check_over_h", ("Ctrl+Shift+K",),
        "Compare backprop with finite differences for every input, h = 0.1 … 1e-12"),
    Act("function_plot", "Function &Plot", "function_plot", ("Ctrl+Shift+F",),
        "Plot the output against one or two inputs: the tangent, or the gradient field"),
    Act("quiz", "&Quiz", "open_quiz", ("Ctrl+Shift+Q",),
        "Hide the gradients (or local derivatives), predict them, and have them checked"),
    Act("training", "&Training Panel", "open_training", (),
        "Train a small network on 2-D data and watch its gradients flow"),
    Act("shortcuts", "&Keyboard Shortcuts", "show_shortcuts"),
    Act("about", "&About graphapp", "show_about"),
)

_STEPS = ("step_mode", "restart", "step_back", "step", "play")
MENUS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("&File", ("new", "open", "@recent", "@examples", "-", "save", "save_as", "save_copy", "export",
               "-",
               "quit")),
    ("&Edit", ("undo", "redo", "-", "cut", "copy", "paste", "duplicate", "delete", "rename",
               "-", "select_all", "@add_node")),
    ("&View", ("fit", "zoom_in", "zoom_out", "labels", "-", "@docks")),
    ("&Graph", ("output", "layout", "group", "ungroup")),
    ("&Run", ("forward", "backward", "auto", "check", "-", *_STEPS, "-", "grad_check",
              "function_plot", "quiz", "training")),
    ("&Help", ("shortcuts", "about")),
)
TOOLBARS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("File", "file-toolbar", ("new", "open", "save", "-", "undo", "redo")),
    ("Backprop", "backprop-toolbar", ("forward", "backward", "auto", "-", "@pass_choice",
                                      *_STEPS, "@speed", "@step_label", "-", "labels",
                                      "layout", "fit")),
)
#: Right-click on a card (the window adds Fold for an unfolded group's member).
NODE_MENU = ("output", "rename", "-", "copy", "cut", "duplicate", "delete", "-", "group",
             "ungroup")
#: Right-click on empty canvas.
CANVAS_MENU = ("@add_node", "paste", "-", "layout", "fit", "labels")
#: What an "@part" entry is, by where it appears: the window method that adds it.
PARTS = {"@recent": "_recent_part", "@examples": "_examples_part",
         "@add_node": "_add_node_part", "@docks": "_docks_part",
         "@pass_choice": "_pass_choice_part", "@speed": "_speed_part",
         "@step_label": "_step_label_part"}


def _target(window: Any, path: str) -> Callable[..., Any]:
    obj = window
    for part in path.split("."):
        obj = getattr(obj, part)
    return obj


def _keys(keys: Sequence[str]) -> list[QKeySequence]:
    """The shortcuts, each once; a standard key is the platform's main binding for it (none
    on some platforms, hence the explicit fallbacks in the table)."""
    found: list[QKeySequence] = []
    for key in keys:
        if key.startswith("std:"):
            seq = QKeySequence(getattr(QKeySequence.StandardKey, key[4:]))
        else:
            seq = QKeySequence(key)
        if not seq.isEmpty() and seq not in found:
            found.append(seq)
    return found


def _make(window: Any, spec: Act) -> QAction:
    action = QAction(spec.text, window)
    if spec.keys:
        action.setShortcuts(_keys(spec.keys))
    if spec.tip:
        action.setStatusTip(spec.tip)
        action.setToolTip(spec.tip)
    if spec.icon:
        action.setIcon(icon(spec.icon))
    action.setCheckable(spec.checkable)
    action.setChecked(spec.checked)
    call = _target(window, spec.call)
    if spec.checkable:
        action.toggled.connect(lambda on: call(*spec.args, on))
    else:
        action.triggered.connect(lambda _=False: call(*spec.args))
    return action


def install(window: Any) -> None:
    """Make ``window.act_<name>`` for every action, then the menus and toolbars."""
    for spec in ACTIONS:
        setattr(window, f"act_{spec.name}", _make(window, spec))
    stack, key = window.doc.undo_stack, QKeySequence.StandardKey
    window.act_undo = stack.createUndoAction(window, "&Undo")
    window.act_undo.setShortcuts(key.Undo)
    window.act_redo = stack.createRedoAction(window, "&Redo")
    redo = QKeySequence.keyBindings(key.Redo)  # Ctrl+Shift+Z is one of them on Linux
    extra = QKeySequence("Ctrl+Shift+Z")
    window.act_redo.setShortcuts(redo + ([extra] if extra not in redo else []))
    window.act_undo.setIcon(icon("undo"))
    window.act_redo.setIcon(icon("redo"))
    # F fits the view only while the canvas has the focus (F is a letter elsewhere)
    window.act_fit.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    window.view.addAction(window.act_fit)
    for title, entries in MENUS:
        fill(window, window.menuBar().addMenu(title), entries)
    for title, name, entries in TOOLBARS:
        bar = QToolBar(title, window)
        bar.setObjectName(name)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)  # text where no icon
        fill(window, bar, entries)
        window.addToolBar(bar)
        show_shortcuts(bar.actions())


def fill(window: Any, target: QMenu | QToolBar, entries: Sequence[str]) -> None:
    """Add ``entries`` (action names, "-" and "@parts") to a menu or toolbar."""
    for entry in entries:
        if entry == "-":
            target.addSeparator()
        elif entry.startswith("@"):
            getattr(window, PARTS[entry])(target)
        else:
            target.addAction(getattr(window, f"act_{entry}"))


def add_node_menu(parent: QMenu, chosen: Callable[[str], None]) -> QMenu:
    """The Add Node submenu: one entry per op, by category (from the op table)."""
    add = parent.addMenu("Add &Node")
    for category in CATEGORIES:
        sub = add.addMenu(category)
        for spec in iter_ops(category):
            action = sub.addAction(f"{spec.symbol}  {spec.name}")
            action.setStatusTip(spec.description)
            action.triggered.connect(lambda _=False, op=spec.name: chosen(op))
    return add
