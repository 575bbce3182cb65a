"""Editing from the window: adding nodes (palette, popup, drops, menus), selection,
rename, output, clipboard, groups and the canvas's context menus. Every change is an undo
command pushed on the document's stack.

:class:`EditOps` is a part of :class:`~graphapp.gui.main_window.MainWindow`.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QPointF
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QInputDialog, QMenu

from graphapp.gui import commands
from graphapp.gui.actions import CANVAS_MENU, NODE_MENU, add_node_menu, fill
from graphapp.gui.edits import CLIP_MIME, add_node, copy_nodes, paste_nodes

__all__ = ["EditOps"]


class EditOps:
    """Edits of the document from menus, keys, palette and canvas (a part of ``MainWindow``)."""

    #: Where the Add Node menu puts the node (``None``: the middle of the view).
    _menu_pos: QPointF | None = None

    def _view_centre(self) -> QPointF:
        return self.view.mapToScene(self.view.viewport().rect().center())

    def add_op(self, op: str, pos: QPointF | None = None) -> str:
        """Add a node (from the palette, the popup or a drop) and select it."""
        free = pos is None  # no place chosen: the first free one from the view's centre
        if pos is None:
            pos = self._view_centre() - QPointF(78, 34)
        node = add_node(self.doc, op, pos, free=free)
        self.select([node])
        return node

    def select(self, nodes: list[str]) -> None:
        """Select exactly these nodes."""
        self.scene.clearSelection()
        for node in nodes:
            item = self.scene.nodes.get(node)
            if item is not None:
                item.setSelected(True)

    def select_all(self) -> None:
        """Select every card."""
        for item in self.scene.nodes.values():
            item.setSelected(True)

    def _selection_changed(self) -> None:
        if not shiboken6.isValid(self.scene):  # the scene is being destroyed with the window
            return
        nodes = self.scene.selected_nodes()
        self.inspector.show_node(nodes[0] if len(nodes) == 1 else None)
        for dock in self.lab_docks.values():  # lab views about one node follow the selection
            follow = getattr(dock.widget(), "follow_selection", None)
            if follow is not None:
                follow(nodes[0] if len(nodes) == 1 else None)

    def _open_popup_at_scene(self, scene_pos: QPointF) -> None:
        self._popup_pos = scene_pos - QPointF(78, 12)
        self.popup.open_at(self.view.mapToGlobal(self.view.mapFromScene(scene_pos)))

    def _dropped_on_canvas(self, src: str, pos: QPointF) -> None:
        self.say(f"Drop {src}'s output on an input port (or on a node) to connect it")

    def edit_node(self, node: str) -> None:
        """Double-click: edit an input's value in place, or inspect a computed node."""
        self.select([node])
        spec = self.doc.graph.op(node)
        if spec.is_leaf:
            self.inspector_dock.show()
            self.inspector.value_edit.setFocus()
            self.inspector.value_edit.selectAll()

    def rename_selected(self) -> None:
        """Rename the selected node."""
        nodes = self.scene.selected_nodes()
        if len(nodes) != 1:
            self.say("Select one node to rename")
            return
        new, ok = QInputDialog.getText(self, "Rename", "New name:", text=nodes[0])
        new = new.strip()
        if ok and new and new != nodes[0]:
            if new in self.doc.graph:
                self.say(f"{new!r} is taken")
                return
            self.doc.undo_stack.push(commands.Rename(self.doc, nodes[0], new))

    def differentiate_selected(self) -> None:
        """Make the selected node the output."""
        nodes = self.scene.selected_nodes()
        if len(nodes) == 1:
            self.doc.undo_stack.push(commands.SetOutput(self.doc, nodes[0]))

    def copy(self) -> None:
        """Copy the selected nodes (and the edges among them)."""
        nodes = self.scene.selected_nodes()
        if not nodes:
            return
        from PySide6.QtCore import QMimeData

        text = copy_nodes(self.doc, nodes)
        mime = QMimeData()
        mime.setData(CLIP_MIME, text.encode())
        mime.setText(text)
        QGuiApplication.clipboard().setMimeData(mime)
        self.say(f"Copied {len(nodes)} node(s)")

    def cut(self) -> None:
        """Copy, then delete."""
        if self.scene.selected_nodes():
            self.copy()
            self.scene.delete_selection()

    def paste(self) -> None:
        """Paste copied nodes, shifted so they do not cover the originals."""
        mime = QGuiApplication.clipboard().mimeData()
        if mime is None:
            return
        text = bytes(mime.data(CLIP_MIME)).decode() if mime.hasFormat(CLIP_MIME) else mime.text()
        new = paste_nodes(self.doc, text, QPointF(40, 40))
        if new:
            self.select(new)
        elif text.strip() and "=" in text:  # a statement: apply it as if typed
            self.expression_bar.edit.setText(text.strip().split("\n")[0])
            self.expression_bar.apply()

    def duplicate(self) -> None:
        """Copy and paste in one go."""
        nodes = self.scene.selected_nodes()
        if nodes:
            new = paste_nodes(self.doc, copy_nodes(self.doc, nodes), QPointF(40, 40))
            self.select(new)

    def group_selected(self) -> None:
        """Fold the selected nodes into one named box."""
        nodes = self.scene.selected_nodes()
        if len(nodes) < 2:
            self.say("Select two or more nodes to group")
            return
        k = 1
        while f"group{k}" in self.doc.groups:
            k += 1
        name = f"group{k}"
        if self.ask:
            name, ok = QInputDialog.getText(self, "Group", "Group name:", text=name)
            if not ok or not name.strip():
                return
            name = name.strip()
        self.doc.undo_stack.push(commands.SetGroup(self.doc, nodes, name,
                                                   {"collapsed": True}))

    def ungroup_selected(self) -> None:
        """Dissolve the groups of the selected nodes."""
        nodes = self.scene.selected_nodes()
        members = [n for n, d in self.doc.graph.table().items()
                   if d.get("group") and d.get("group") in
                   {self.doc.graph.attrs(s).get("group") for s in nodes}]
        if members:
            self.doc.undo_stack.push(commands.SetGroup(self.doc, members, None))

    def _add_node_part(self, menu: QMenu) -> None:
        """The Add Node submenu: at the view's centre from the Edit menu, at the click from
        the canvas's context menu."""
        add_node_menu(menu, lambda op: self.add_op(op, self._menu_pos))

    def _statement_applied(self, name: str) -> None:
        if name in self.scene.nodes:
            self.select([name])
            self.view.ensureVisible(self.scene.nodes[name], 80, 80)

    def _context_menu(self, node: str, scene_pos: QPointF, global_pos) -> None:
        menu = QMenu(self)
        if node.startswith("group:"):
            name = node.split(":", 1)[1]
            menu.addAction("Unfold Group", lambda: self.doc.undo_stack.push(
                commands.SetGroupInfo(self.doc, name, collapsed=False)))
            members = self.scene.members().get(name, [])
            menu.addAction("Ungroup", lambda: self.doc.undo_stack.push(
                commands.SetGroup(self.doc, members, None)))
        elif node:
            if node not in self.scene.selected_nodes():
                self.select([node])
            fill(self, menu, NODE_MENU)
            group = self.doc.graph.attrs(node).get("group")
            if group and not self.scene.folded(group):
                menu.addAction(f"Fold {group}", lambda: self.doc.undo_stack.push(
                    commands.SetGroupInfo(self.doc, group, collapsed=True)))
        else:
            self._menu_pos = scene_pos
            fill(self, menu, CANVAS_MENU)
        menu.exec(global_pos)
        self._menu_pos = None

