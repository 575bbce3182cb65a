"""The action table: every action is reachable from a menu, a toolbar or a context menu, the
Add Node menu lists the op table once per place it appears, and Quit has its key."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence

from graphapp.engine.ops import CATEGORIES, iter_ops
from graphapp.gui import actions


def _texts(menu) -> list[str]:
    return [a.text() for a in menu.actions()]


def test_every_action_is_placed_somewhere():
    placed = {e for _, entries in actions.MENUS for e in entries}
    placed |= {e for _, _, entries in actions.TOOLBARS for e in entries}
    placed |= set(actions.NODE_MENU) | set(actions.CANVAS_MENU)
    assert {a.name for a in actions.ACTIONS} <= placed
    assert {e for e in placed if e.startswith("@")} <= set(actions.PARTS)


def test_menus_come_from_the_table(window):
    bar = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert list(bar) == [title for title, _ in actions.MENUS]
    edit = bar["&Edit"]
    add = next(a.menu() for a in edit.actions() if a.text() == "Add &Node")
    assert _texts(add) == list(CATEGORIES)
    ops = [f"{s.symbol}  {s.name}" for c in CATEGORIES for s in iter_ops(c)]
    assert [t for a in add.actions() for t in _texts(a.menu())] == ops
    assert window.act_quit.shortcuts() and QKeySequence("Ctrl+Q") in window.act_quit.shortcuts()
    assert window.act_forward.shortcuts() == [QKeySequence("F5")]


def test_the_add_node_menu_adds_at_the_view_centre(window):
    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    add = next(a.menu() for a in edit.actions() if a.text() == "Add &Node")
    tanh = next(a for sub in add.actions() for a in sub.menu().actions()
                if a.text().endswith(" tanh"))
    tanh.trigger()
    assert [window.doc.graph.op(n).name for n in window.doc.graph] == ["tanh"]
