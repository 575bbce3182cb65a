"""The inspector: the selected node's name, op, value and gradient, how the chain rule builds
its gradient, and — in step mode — the current step explained in words.

Inputs can be changed here by typing or with a slider; while the slider moves, values and
gradients update live and the canvas shows how far the gradient's prediction (grad · Δx) and
the actual change of the output agree.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from graphapp.engine import as_value
from graphapp.engine.lazy_numpy import is_array, np
from graphapp.gui import commands, events
from graphapp.gui.canvas.scene import GraphScene
from graphapp.gui.document import Document
from graphapp.gui.explain import (
    backward_step_html,
    chain_rule_html,
    formula_names,
    forward_step_html,
    missing_reason,
    num,
)
from graphapp.gui.stepper import Stepper
from graphapp.gui.undo_routing import route_undo

__all__ = ["Inspector"]

SLIDER_STEPS = 1000


class Inspector(QWidget):
    """Details of one node, and the step being shown."""

    #: A message for the status bar.
    message = Signal(str)

    def __init__(self, doc: Document, scene: GraphScene, stepper: Stepper,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.scene, self.stepper = doc, scene, stepper
        self.node: str | None = None
        self.name_edit = QLineEdit(self)
        self.name_edit.setPlaceholderText("name")
        self.op_label = QLabel(self)
        self.op_label.setWordWrap(True)
        self.output_button = QPushButton("Differentiate this", self)
        self.value_edit = QLineEdit(self)
        self.value_edit.setPlaceholderText("a number or [list]")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider_range = QLabel(self)
        self.value_label = QLabel(self)
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.value_label.setWordWrap(True)
        self.grad_label = QLabel(self)
        self.grad_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grad_label.setWordWrap(True)
        self.details = QTextBrowser(self)
        self.details.setOpenLinks(False)
        self.step_text = QTextBrowser(self)
        self.step_text.setOpenLinks(False)
        self.step_text.setMaximumHeight(190)
        self.empty = QLabel("Select a node to see how its gradient comes about.", self)
        self.empty.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Op", self.op_label)
        form.addRow("Value", self.value_edit)
        slider_row = QHBoxLayout()
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.slider_range)
        self._slider_row = QWidget(self)
        self._slider_row.setLayout(slider_row)
        slider_row.setContentsMargins(0, 0, 0, 0)
        form.addRow("Drag", self._slider_row)
        self.value_caption = QLabel(self)
        form.addRow(self.value_caption, self.value_label)
        form.addRow("Gradient", self.grad_label)
        self.form_box = QWidget(self)
        self.form_box.setLayout(form)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.step_text)
        layout.addWidget(self.empty)
        layout.addWidget(self.form_box)
        layout.addWidget(self.output_button)
        layout.addWidget(self.details, 1)

        self._lo = self._hi = 0.0
        self._gesture: int | None = None
        route_undo(self, self.name_edit, self.value_edit)
        self.name_edit.editingFinished.connect(self._rename)
        self.value_edit.returnPressed.connect(self._typed_value)
        self.output_button.clicked.connect(self._make_output)
        self.slider.sliderPressed.connect(self._slider_pressed)
        self.slider.valueChanged.connect(self._slider_moved)
        self.slider.sliderReleased.connect(self._slider_released)
        doc.results_changed.connect(self.refresh)
        doc.changed.connect(self._on_graph_event)
        doc.output_changed.connect(self.refresh)
        doc.quiz_changed.connect(self.refresh)
        doc.reset.connect(lambda: self.show_node(None))
        stepper.changed.connect(self.refresh)
        self.show_node(None)

    # ----------------------------------------------------------------- showing
    def show_node(self, node: str | None) -> None:
        """Inspect ``node`` (``None``: nothing selected)."""
        self.node = node if node in self.doc.graph else None
        self._recentre_slider()
        self.refresh()

    def _on_graph_event(self, event: events.Event) -> None:
        if isinstance(event, events.NodeRenamed) and event.old == self.node:
            self.node = event.new
        if isinstance(event, events.NodeRemoved) and event.node == self.node:
            self.node = None
        if isinstance(event, events.OpChanged | events.NodeRemoved | events.NodeRenamed):
            self._recentre_slider()  # the results that follow refresh the rest

    def refresh(self) -> None:
        """Show the latest values, gradients and step."""
        self._refresh_step()
        self._refresh_node()
        self._hold_form_height()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._hold_form_height()

    def _hold_form_height(self) -> None:
        """Never squeeze the form under the height its wrapped texts need at its width (a
        short window clipped the Op row's formulas): the text boxes above and below it have
        scroll bars and give way instead."""
        form = self.form_box.layout()
        width = self.form_box.width()
        self.form_box.setMinimumHeight(form.heightForWidth(width) if form.hasHeightForWidth()
                                       else form.minimumSize().height())

    def _refresh_node(self) -> None:
        node = self.node
        has = node is not None and node in self.doc.graph
        self.empty.setVisible(not has)
        self.form_box.setVisible(has)
        self.output_button.setVisible(has)
        self.details.setVisible(has)
        if not has:
            return
        g = self.doc.graph
        spec = g.op(node)
        results = self.doc.results
        # a field shows the graph unless it holds typing not yet applied
        if not (self.name_edit.hasFocus() and self.name_edit.isModified()):
            self.name_edit.setText(node)
        formulas = "".join(f"<br>{spec.render_formula(s)}" for s in range(spec.arity))
        op = spec.name if spec.symbol == spec.name else f"<b>{spec.symbol}</b> {spec.name}"
        self.op_label.setText(f"{op} — {spec.description}"
                              f"<span style='color:gray'>{formulas}</span>")
        is_input = spec.is_leaf
        self.value_edit.setVisible(is_input)
        self.form_box.layout().labelForField(self.value_edit).setVisible(is_input)
        scalar_input = is_input and not is_array(g.value(node))
        self._slider_row.setVisible(scalar_input)
        self.form_box.layout().labelForField(self._slider_row).setVisible(scalar_input)
        if is_input and not (self.value_edit.hasFocus() and self.value_edit.isModified()):
            self.value_edit.setText(_editable(g.value(node)))
        value = results.value(node)
        self.value_caption.setText("" if is_input else "Value")
        why = missing_reason(g, node) or results.problem or "not computed"
        self.value_label.setText("" if is_input and value is not None and not is_array(
            value) else f"= {num(value, 12)}" if value is not None else f"— ({why})")
        out = self.doc.output
        hidden = self._quizzed(node)
        if results.backward is None:
            self.grad_label.setText(f"— {results.problem}")
        elif hidden and node in hidden.grads:
            self.grad_label.setText(f"d{out}/d{formula_names(g, node)['out']} = ? "
                                    "(a quiz question: answer it in the Quiz dock)")
        elif spec.constant:
            self.grad_label.setText("constants are not differentiated")
        else:
            stale = " (stale: press Backward, F6)" if results.stale else ""
            self.grad_label.setText(f"d{out}/d{formula_names(g, node)['out']} = "
                                    f"<b>{num(results.grad(node), 12)}</b>{stale}")
        self.output_button.setEnabled(node != out)
        self.output_button.setText("This is the output" if node == out else
                                   "Differentiate this (make it the output)")
        if hidden:
            self.details.setHtml("<p>How the chain rule builds this gradient is hidden while "
                                 "the quiz asks about it. Check your answers or press Reveal "
                                 "in the Quiz dock to see it.</p>")
        elif results.backward is not None and out is not None:
            self.details.setHtml(chain_rule_html(g, results.backward, node, out))
        else:
            self.details.setHtml(f"<p>{results.problem}</p>")

    def _quizzed(self, node: str) -> Any:
        """The quiz's hidden numbers when one of them is about ``node`` (its gradient, or an
        edge into or out of it), else ``()``."""
        hidden = self.doc.quiz_hidden() if self.doc.quiz is not None else ()
        if not hidden:
            return ()
        touches = node in hidden.grads or any(
            node in (src, dst) for src, dst, _ in hidden.carried | hidden.locals)
        return hidden if touches else ()

    def _refresh_step(self) -> None:
        state = self.stepper.state
        self.step_text.setVisible(state.active)
        if not state.active:
            return
        if state.current is not None and self._quizzed(state.current.node):
            self.step_text.setHtml("<p><b>Step mode</b>: this step's numbers are hidden while "
                                   "the quiz asks about them (Check or Reveal in the Quiz "
                                   "dock).</p>")
            return
        results = self.doc.results
        g = self.doc.graph
        if state.current is None:
            what = "backward pass" if state.mode == "backward" else "forward pass"
            self.step_text.setHtml(f"<p><b>Step mode: {what}</b>, {state.total} steps. "
                                   "Press Ctrl+Right (Step) to take the first; Ctrl+Left "
                                   "steps back, Ctrl+Space plays.</p>")
        elif state.mode == "backward" and results.backward is not None:
            self.step_text.setHtml(backward_step_html(g, results.backward, state.current,
                                                      state.total, self.doc.output))
        elif state.mode == "forward" and results.forward is not None:
            self.step_text.setHtml(forward_step_html(g, state.current, state.total,
                                                     results.forward.values))

    # ----------------------------------------------------------------- editing
    def _rename(self) -> None:
        node, new = self.node, self.name_edit.text().strip()
        if node is None or new == node:
            return
        if not new or new in self.doc.graph:
            self.message.emit(f"Cannot rename to {new!r}: " +
                              ("empty" if not new else "that name is taken"))
            self.name_edit.setText(node)
            return
        self.doc.undo_stack.push(commands.Rename(self.doc, node, new))
        self.name_edit.setModified(False)

    def _typed_value(self) -> None:
        import json

        node = self.node
        if node is None:
            return
        text = self.value_edit.text().strip()
        try:
            value = as_value(json.loads(text))
        except (ValueError, TypeError):
            self.message.emit(f"{text!r} is not a number or a [list] of numbers")
            return
        self.doc.undo_stack.push(commands.SetValue(self.doc, node, value))
        self.value_edit.setModified(False)  # applied: Ctrl+Z now undoes the graph edit
        self._recentre_slider()

    def _make_output(self) -> None:
        if self.node is not None:
            self.doc.undo_stack.push(commands.SetOutput(self.doc, self.node))

    def _recentre_slider(self) -> None:
        node = self.node
        value = self.doc.graph.value(node) if node in self.doc.graph else None
        if value is None or is_array(value) or not np.isfinite(value):
            return
        centre = float(value)
        span = max(1.0, abs(centre))
        self._lo, self._hi = centre - span, centre + span
        self.slider.blockSignals(True)
        self.slider.setValue(SLIDER_STEPS // 2)
        self.slider.blockSignals(False)
        self.slider_range.setText(f"{num(self._lo, 3)} … {num(self._hi, 3)}")

    def slider_value(self, position: int) -> float:
        """The value a slider position stands for."""
        return self._lo + (self._hi - self._lo) * position / SLIDER_STEPS

    def _slider_pressed(self) -> None:
        if self.node is not None:
            self._gesture = commands.new_gesture()
            self.scene.begin_nudge(self.node)

    def _slider_moved(self, position: int) -> None:
        node = self.node
        if node is None or not self.doc.graph.op(node).is_leaf:
            return
        value = round(self.slider_value(position), 10)
        # a drag merges into one undo step; a key press or a click on the groove is its own
        gesture = self._gesture if self._gesture is not None else commands.new_gesture()
        self.doc.undo_stack.push(commands.SetValue(self.doc, node, value, gesture))

    def _slider_released(self) -> None:
        self._gesture = None
        self.scene.end_nudge()
        self._recentre_slider()


def _editable(value: Any) -> str:
    import json

    if is_array(value):
        return json.dumps(value.tolist())
    return repr(float(value))
