"""Step mode: the forward or backward pass one node at a time, with play/pause and a speed.

The steps come from the engine (:mod:`graphapp.engine.trace`); this only keeps the position
and says, for the position reached, which nodes and edges are done, current or pending.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from graphapp.gui.document import Document

if TYPE_CHECKING:  # the steps come with the first use of step mode
    from graphapp.engine.trace import BackwardStep, ForwardStep, Send

__all__ = ["StepState", "Stepper"]


@dataclass
class StepState:
    """Where the pass stands after ``index`` of ``total`` steps."""

    mode: str = ""
    index: int = 0
    total: int = 0
    current: BackwardStep | ForwardStep | None = None
    #: node id → "current", "done" or "pending" (nodes outside the pass are absent).
    nodes: dict[str, str] = field(default_factory=dict)
    #: (src, dst, slot) → "current", "done" or "pending".
    edges: dict[tuple[str, str, int], str] = field(default_factory=dict)
    #: Backward: what each edge has carried so far (for labels).
    sends: dict[tuple[str, str, int], Send] = field(default_factory=dict)
    #: Backward: node → the last Send that reached it, i.e. its running sum so far.
    partial: dict[str, Send] = field(default_factory=dict)

    @property
    def active(self) -> bool:
        """True while stepping."""
        return bool(self.mode)


class Stepper(QObject):
    """The position in a step-by-step pass, and the timer that plays it."""

    changed = Signal()

    def __init__(self, doc: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.mode = ""
        self.index = 0
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.set_speed(2.0)
        self._state = StepState()
        doc.results_changed.connect(self._refresh)
        doc.reset.connect(self._forget)

    # ----------------------------------------------------------------- control
    def steps(self) -> list[Any]:
        """The steps of the current mode."""
        results = self.doc.results
        if self.mode == "backward":
            return results.backward_steps()
        if self.mode == "forward":
            return results.forward_steps()
        return []

    def start(self, mode: str) -> None:
        """Begin stepping through the ``"forward"`` or ``"backward"`` pass, before step 1."""
        self.mode = mode
        self.index = 0
        self._refresh()

    def switch_mode(self, mode: str) -> None:
        """The direction box changed: while stepping, start over in ``mode``."""
        if self.mode and mode != self.mode:
            self.pause()
            self.start(mode)

    def _forget(self) -> None:
        # A new document: leave step mode without redrawing views that are being rebuilt;
        # the results that follow the rebuild bring everyone up to date.
        self._timer.stop()
        self.mode = ""
        self.index = 0
        self._state = StepState()

    def stop(self) -> None:
        """Leave step mode: everything is shown computed again."""
        self.pause()
        self.mode = ""
        self.index = 0
        self._refresh()

    def step_forward(self) -> bool:
        """Take the next step; False at the end."""
        if not self.mode or self.index >= len(self.steps()):
            self.pause()
            return False
        self.index += 1
        self._refresh()
        return True

    def step_back(self) -> None:
        """Undo the last step."""
        if self.mode and self.index > 0:
            self.index -= 1
            self._refresh()

    def restart(self) -> None:
        """Back to before the first step."""
        if self.mode:
            self.index = 0
            self._refresh()

    def go_to(self, index: int) -> None:
        """Jump to after step ``index`` (clamped)."""
        if self.mode:
            self.index = max(0, min(index, len(self.steps())))
            self._refresh()

    @property
    def playing(self) -> bool:
        """True while the timer advances the steps."""
        return self._timer.isActive()

    def play(self) -> None:
        """Advance automatically at the chosen speed (from the start when at the end)."""
        if not self.mode:
            return
        if self.index >= len(self.steps()):
            self.index = 0
            self._refresh()
        self._timer.start()
        self.changed.emit()

    def pause(self) -> None:
        """Stop advancing."""
        if self._timer.isActive():
            self._timer.stop()
            self.changed.emit()

    def set_speed(self, steps_per_second: float) -> None:
        """How fast play advances."""
        self.speed = max(0.1, steps_per_second)
        self._timer.setInterval(int(1000 / self.speed))

    def _tick(self) -> None:
        if not self.step_forward():
            self.pause()

    # ----------------------------------------------------------------- state
    @property
    def state(self) -> StepState:
        """What is done, current and pending at the present position."""
        return self._state

    def _refresh(self) -> None:
        if not self.mode and not self._state.active:
            return  # not stepping before or after: nothing to redraw
        steps = self.steps()
        self.index = min(self.index, len(steps))
        state = StepState(self.mode, self.index, len(steps))
        if self.mode == "backward":
            self._backward_state(state, steps)
        elif self.mode == "forward":
            self._forward_state(state, steps)
        self._state = state
        self.changed.emit()

    def _backward_state(self, state: StepState, steps: list[BackwardStep]) -> None:
        for k, step in enumerate(steps):
            status = "done" if k < self.index - 1 else "current" if k == self.index - 1 else \
                "pending"
            state.nodes[step.node] = status
            for send in step.sends:
                key = (send.src, send.dst, send.slot)
                state.edges[key] = status
                if status != "pending":
                    state.sends[key] = send
                    state.partial[send.src] = send
        state.current = steps[self.index - 1] if self.index else None

    def _forward_state(self, state: StepState, steps: list[ForwardStep]) -> None:
        for k, step in enumerate(steps):
            status = "done" if k < self.index - 1 else "current" if k == self.index - 1 else \
                "pending"
            state.nodes[step.node] = status
            for slot, src in enumerate(step.inputs):
                state.edges[(src, step.node, slot)] = status
        state.current = steps[self.index - 1] if self.index else None
