"""What the canvas says beyond the cards: tooltips (written when asked for, in full precision)
and, while a value is scrubbed, the nudge readout comparing the change of the output that the
gradient predicts with the change that happens.

:class:`SceneHints` is a part of :class:`~graphapp.gui.canvas.scene.GraphScene`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QToolTip

from graphapp.formats.notation import short_name
from graphapp.formats.present import number
from graphapp.formats.text import format_local, format_value
from graphapp.gui.canvas.edge_item import EdgeItem
from graphapp.gui.canvas.groups import GroupItem
from graphapp.gui.canvas.node_item import NodeItem, PortItem
from graphapp.gui.document import Results
from graphapp.gui.explain import escape, formula_names, with_value
from graphapp.gui.theme import pretty

if TYPE_CHECKING:
    from PySide6.QtWidgets import QGraphicsSimpleTextItem

__all__ = ["SceneHints"]


class SceneHints:
    """Tooltips and the nudge readout of the graph scene (a mixin of ``GraphScene``)."""

    #: While a value is scrubbed: (node, x0, output value at x0, gradient at x0).
    nudge: tuple[str, Any, Any, Any] | None = None
    _nudge_item: QGraphicsSimpleTextItem | None = None

    def helpEvent(self, event) -> None:
        """Tooltips are written when asked for, not on every redraw."""
        text = ""
        for item in self.items(event.scenePos()):
            if isinstance(item, GroupItem):
                nodes = self.members().get(item.group, [])
                text = (f"<b>{item.group}</b>: {len(nodes)} nodes ({', '.join(nodes)}).<br>"
                        "Double-click to unfold. Gradients flow through it unchanged.")
            elif isinstance(item, NodeItem):
                text = self.node_tooltip(item.node_id)
            elif isinstance(item, EdgeItem):
                text = self.edge_tooltip(item.key)
            elif isinstance(item, PortItem):
                text = item.toolTip()
            if text:
                break
        if text:
            QToolTip.showText(event.screenPos(), text)
        else:
            QToolTip.hideText()
        event.accept()

    def node_tooltip(self, node: str) -> str:
        """What hovering a card says: op, formula, full-precision value and gradient."""
        results = self.doc.results
        spec = self.doc.graph.op(node)
        value, grad = results.value(node), results.grad(node)
        name = escape(short_name(self.doc.graph, node))
        lines = [f"<b>{name}</b> — {spec.name}: {spec.description}"]
        if value is not None:
            lines.append(f"value = {pretty(format_value(value, 17, 8))}")
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
        if grad is not None and hidden and node in hidden.grads:
            lines.append(f"d{self.doc.output}/d{name} = ? (a quiz question)")
        elif grad is not None:
            lines.append(f"d{self.doc.output}/d{name} = {pretty(format_value(grad, 17, 8))}")
        error = self.nodes[node].display.error if node in self.nodes else ""
        if error:
            lines.append(f"<span style='color:#dc2626'>{error}</span>")
        return "<br>".join(lines)

    def edge_tooltip(self, key: tuple[str, str, int]) -> str:
        """What hovering an edge says: the local derivative's formula and numbers."""
        src, dst, slot = key
        spec = self.doc.graph.op(dst)
        text = spec.render_formula(slot, formula_names(self.doc.graph, dst))
        back = self.doc.results.backward
        if back is not None and dst in back.plan.index and src in back.plan.index:
            edge = back.edge(src, dst, slot)
            hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
            if hidden and key in hidden.carried:
                if key in hidden.locals:  # the rule would give the answer away
                    g = self.doc.graph
                    text = (f"∂{escape(short_name(g, dst))}/∂{escape(short_name(g, src))} = ? "
                            "(a quiz question)")
                else:
                    fwd = back.forward
                    text = with_value(text, pretty(format_local(
                        edge.local, fwd.values[src], fwd.values[dst], digits=10)))
                text += "<br>carries back ? (a quiz hides it)"
            elif edge.accumulated is not None:
                fwd = back.forward
                local = format_local(edge.local, fwd.values[src], fwd.values[dst], digits=10)
                text = with_value(text, pretty(local))
                text += (f"<br>carries back "
                         f"{pretty(format_value(edge.accumulated, 10, 8))}")
        return text

    def begin_nudge(self, node: str) -> None:
        """Start showing predicted vs actual change of the output while ``node`` is dragged."""
        results = self.doc.results
        out = self.doc.output
        if results.backward is None or out is None:
            self.nudge = None
            return
        self.nudge = (node, results.value(node), results.value(out), results.grad(node))

    def end_nudge(self) -> None:
        """Hide the nudge readout."""
        self.nudge = None
        if self._nudge_item is not None:
            self.removeItem(self._nudge_item)
            self._nudge_item = None

    def _update_nudge(self, results: Results) -> None:
        if self.nudge is None or self.doc.output not in self.nodes:
            return
        node, x0, y0, g0 = self.nudge
        x1, y1 = results.value(node), results.value(self.doc.output)
        if any(v is None for v in (x0, y0, g0, x1, y1)):
            return
        # imported with the first drag: the window's start needs neither
        from PySide6.QtWidgets import QGraphicsSimpleTextItem

        from graphapp.engine.nudge import predicted_change

        n = predicted_change(x0, x1, y0, y1, g0)
        out = self.doc.output
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
        # the prediction over Δ is the gradient at the start of the drag: a quiz's question
        predicted = "? (a quiz question)" if hidden and node in hidden.grads else \
            number(n.predicted)
        text = (f"Δ{node} = {number(n.dx)}\n"
                f"predicted Δ{out} ≈ d{out}/d{node} · Δ{node} = {predicted}\n"
                f"actual Δ{out} = {number(n.actual)}")
        if self._nudge_item is None:
            self._nudge_item = QGraphicsSimpleTextItem()
            self._nudge_item.setZValue(5)
            self._nudge_item.setBrush(self.theme.accent)
            self.addItem(self._nudge_item)
        self._nudge_item.setText(pretty(text))
        out_item = self.nodes[self.doc.output]
        self._nudge_item.setPos(out_item.pos() + QPointF(out_item.width + 14, 0))
