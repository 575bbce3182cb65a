"""The document: one engine graph, its output, its file, its undo stack and its results.

Views never change the graph themselves: they push undo commands (:mod:`graphapp.gui.commands`)
that change the engine graph; the graph tells the document, and the document re-emits what
happened as Qt signals that the views follow. Results (values, gradients, per-edge
derivatives) are recomputed after every change when ``auto`` is on; otherwise they are marked
stale until :meth:`Document.recompute` is called, so gradients never go stale silently.

While the Partial vs Total dock has an input x picked (:attr:`Document.tangent_wrt`), the
cards add forward mode's d node/dx: :meth:`Document.card_tangents`, worked out once per result
(:meth:`Results.tangents`), never per paint.

A quiz (:attr:`Document.quiz`, saved with the file) hides some gradients or local derivatives;
:meth:`Document.quiz_hidden` says which numbers the views must not show right now (items
answered right or revealed, :attr:`Document.quiz_shown`, may be seen).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from graphapp.engine import Backward, EvaluationError, Forward, Graph, GraphError
from graphapp.formats import GraphFile
from graphapp.gui import events

if TYPE_CHECKING:  # step mode and quizzes import these when first used
    from graphapp.engine.trace import BackwardStep, ForwardStep
    from graphapp.formats.quiz import Item, Quiz

__all__ = ["Document", "Results"]


@dataclass
class Results:
    """What the engine computed for the current graph (or why it could not)."""

    forward: Forward | None = None
    backward: Backward | None = None
    #: A one-line reason when values or gradients are missing (empty slot, shape mismatch...).
    problem: str = ""
    #: True when the graph changed after these were computed (auto-recompute off).
    stale: bool = False
    #: True for results computed outside the document (:meth:`Document.show_results`).
    external: bool = False
    _backward_steps: list[BackwardStep] | None = field(default=None, repr=False)
    _forward_steps: list[ForwardStep] | None = field(default=None, repr=False)
    _tangents: dict[str, Any] = field(default_factory=dict, repr=False)

    def value(self, node: str) -> Any:
        """The node's value, or ``None`` if it has none (as the run made it: a Python float
        on a scalar run, which reading needs no numpy)."""
        if self.forward is None or node not in self.forward.plan.index:
            return None
        return self.forward.plain[node]

    def grad(self, node: str) -> Any:
        """d output / d node, or ``None`` (constants, no output, not computable); a Python
        float on a scalar run, like :meth:`value`."""
        if self.backward is None or node not in self.backward.plan.index:
            return None
        return self.backward.plain_grads[node]

    def reaches(self, node: str) -> bool:
        """True when ``node`` has a path to the output."""
        if self.backward is None or node not in self.backward.plan.index:
            return False
        return self.backward.reaches(node)

    def tangents(self, wrt: str) -> Any:
        """Forward mode from input ``wrt``: d node / d ``wrt`` for every node (computed on
        first use, once for these results; ``None`` without values or for an array input)."""
        if wrt not in self._tangents:
            fwd, tans = self.forward, None
            if fwd is not None and wrt in fwd.plan.index:
                try:
                    tans = fwd.plan.tangents(fwd, wrt).values
                except ValueError:  # an array input: forward mode needs a direction
                    tans = None
            self._tangents[wrt] = tans
        return self._tangents[wrt]

    def backward_steps(self) -> list[BackwardStep]:
        """The backward pass step by step (computed on first use)."""
        if self._backward_steps is None:
            from graphapp.engine.trace import backward_trace  # step mode's, on first use

            self._backward_steps = backward_trace(self.backward) if self.backward else []
        return self._backward_steps

    def forward_steps(self) -> list[ForwardStep]:
        """The forward pass step by step (computed on first use)."""
        if self._forward_steps is None:
            from graphapp.engine.trace import forward_trace

            self._forward_steps = forward_trace(self.forward) if self.forward else []
        return self._forward_steps


class Document(QObject):
    """One open graph and everything that belongs to it."""

    #: One typed event (:mod:`graphapp.gui.events`) for every change of the graph or groups.
    changed = Signal(object)
    #: The whole graph was replaced (New, Open): views rebuild from scratch.
    reset = Signal()
    #: New results are available (or the current ones became stale).
    results_changed = Signal()
    output_changed = Signal()
    path_changed = Signal()
    #: The lesson text (the .expr comment header) or its prompts changed.
    lesson_changed = Signal()
    #: The quiz, its answers or what it lets the views show changed.
    quiz_changed = Signal()
    #: The input whose d node/dx the cards show changed (:meth:`set_tangent_wrt`).
    tangents_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.graph = Graph()
        self.graph.subscribe(self._on_graph_event)
        self.output: str | None = None
        #: The user chose the output by hand: typed statements leave it where it is.
        self.output_pinned = False
        self.lesson = ""
        #: The lesson's "try this" prompts (:class:`graphapp.formats.header.Prompt`).
        self.prompts: tuple = ()
        self.path: Path | None = None
        self.groups: dict[str, dict[str, Any]] = {}
        #: The quiz set on this graph (``None``: no quiz).
        self.quiz: Quiz | None = None
        #: Quiz items whose numbers may be seen (answered right, or revealed); not saved.
        self.quiz_shown: frozenset[Item] = frozenset()
        self._hidden: tuple[Any, Any] | None = None
        #: The input whose d node/dx the cards show (picked in Partial vs Total), or None.
        self.tangent_wrt: str | None = None
        self._card_tangents: tuple[Results, tuple[str, Any], Any] | None = None
        self.undo_stack = QUndoStack(self)
        self._auto = True
        self._results = Results()
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._recompute_if_dirty)

    # ----------------------------------------------------------------- loading
    def load(self, doc: GraphFile, path: Path | None) -> None:
        """Replace everything with ``doc`` (undo history too)."""
        self.graph.unsubscribe(self._on_graph_event)
        self.graph = doc.graph
        self.graph.subscribe(self._on_graph_event)
        self.output = doc.output
        self.output_pinned = False
        self.lesson = doc.lesson
        self.prompts = tuple(doc.prompts)
        self.groups = dict(getattr(doc, "groups", {}) or {})
        self.quiz = doc.quiz
        self.quiz_shown = frozenset()
        self._hidden = None
        self.path = path
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._results = Results()
        self._dirty = True
        self.reset.emit()  # views rebuild first; their first read of results computes them
        self.recompute()
        self.path_changed.emit()
        self.output_changed.emit()
        self.lesson_changed.emit()
        self.quiz_changed.emit()

    def to_file(self) -> GraphFile:
        """The document as a file object, for saving and exporting."""
        gf = GraphFile(self.graph, self.output, self.lesson, prompts=self.prompts,
                       quiz=self.quiz)
        gf.groups = dict(self.groups)
        return gf

    def set_path(self, path: Path | None) -> None:
        """Remember where the document lives (after Save As)."""
        self.path = path
        self.path_changed.emit()

    @property
    def modified(self) -> bool:
        """True when there are changes since the last save (or load)."""
        return not self.undo_stack.isClean()

    # ----------------------------------------------------------------- quiz
    def set_quiz(self, quiz: Quiz | None) -> None:
        """Set, change or end the quiz (used by the SetQuiz command); items no longer in it
        stop being shown."""
        self.quiz = quiz
        if quiz is None:
            self.quiz_shown = frozenset()
        elif quiz.items is not None:
            self.quiz_shown = self.quiz_shown & frozenset(quiz.items)
        self._hidden = None
        self.quiz_changed.emit()

    def set_quiz_shown(self, items: frozenset[Item]) -> None:
        """Let the views show these quiz items (answered right, or revealed)."""
        if items != self.quiz_shown:
            self.quiz_shown = frozenset(items)
            self._hidden = None
            self.quiz_changed.emit()

    def quiz_hidden(self) -> Any:
        """What the views must not show now (:class:`graphapp.lab.quiz.Hidden`, false when
        nothing is hidden). Worked out once per quiz change and per result (the latest ones,
        without recomputing: the views ask while they rebuild)."""
        results = self._results
        key = (self.quiz, self.quiz_shown, results.backward)
        if self._hidden is not None and self._hidden[0] == key:
            return self._hidden[1]
        hidden: Any = ()
        if self.quiz is not None and results.backward is not None and self.output is not None:
            from graphapp.lab.quiz import hidden_numbers  # only documents with a quiz

            hidden = hidden_numbers(self.graph, self.output, self.quiz, self.quiz_shown,
                                    results.backward)
        self._hidden = (key, hidden)
        return hidden

    # ----------------------------------------------------------------- tangents
    def set_tangent_wrt(self, wrt: str | None) -> None:
        """Show d node/d ``wrt`` on every card (``None``: show none)."""
        if wrt != self.tangent_wrt:
            self.tangent_wrt = wrt
            self.tangents_changed.emit()

    def card_tangents(self) -> tuple[str, Any, frozenset[str]] | None:
        """What the cards show of forward mode now: ``(wrt, d node/d wrt by node, the nodes
        whose line a quiz withholds)``, or ``None`` (no input picked, or nothing to show).
        From the latest results without recomputing, worked out once per result, pick and
        quiz change."""
        results, wrt = self._results, self.tangent_wrt
        if wrt is None or wrt not in self.graph:
            return None
        hidden = self.quiz_hidden() if self.quiz is not None else ()
        cached = self._card_tangents
        if cached is not None and cached[0] is results and cached[1] == (wrt, hidden):
            return cached[2]
        values = results.tangents(wrt)
        shown = None
        if values is not None:
            from graphapp.lab.withheld import withheld_tangents

            shown = (wrt, values, withheld_tangents(self.graph, self.output, wrt, hidden))
        self._card_tangents = (results, (wrt, hidden), shown)
        return shown

    # ----------------------------------------------------------------- output
    def set_output(self, node: str | None, pinned: bool | None = None) -> None:
        """Differentiate ``node`` (used by the SetOutput command); ``pinned`` says whether the
        user chose it by hand (``None``: unchanged)."""
        self.output = node
        if pinned is not None:
            self.output_pinned = pinned
        self._mark_dirty()
        self.output_changed.emit()

    # ----------------------------------------------------------------- results
    def set_auto(self, on: bool) -> None:
        """Switch automatic recomputation; switching it on recomputes now."""
        self._auto = on
        if on:
            self.recompute()

    @property
    def results(self) -> Results:
        """The latest results (recomputed first if an edit is pending and auto is on)."""
        if self._dirty and self._auto:
            self._recompute_if_dirty()
        return self._results

    @property
    def current_results(self) -> Results:
        """The latest results without recomputing (they may predate the last edit)."""
        return self._results

    def recompute(self) -> Results:
        """Run forward and backward now, whatever ``auto`` says."""
        self._dirty = True
        self._recompute_now()
        return self._results

    def show_results(self, forward: Forward | None, backward: Backward | None = None,
                     problem: str = "") -> None:
        """Show results computed elsewhere — a training worker's forward and backward on its
        own copy of this graph (same node ids) — without recomputing them here. Every view
        shows them as if the document had computed them; the next edit (or
        :meth:`recompute`) goes back to the document's own results."""
        self._timer.stop()
        self._dirty = False
        self._results = Results(forward, backward, problem, external=True)
        self.results_changed.emit()

    def _recompute_if_dirty(self) -> None:
        if self._dirty and self._auto:
            self._recompute_now()

    def _recompute_now(self) -> None:
        self._dirty = False
        results = Results()
        try:
            plan = self.graph.plan()
            results.forward = plan.forward(self.graph)
            out = self.output
            for node, why in results.forward.failures.items():
                results.problem = f"{node} cannot be computed: {why}"
                break
            if out is None or out not in self.graph:
                results.problem = "no output: right-click a node → Differentiate this"
            elif out in plan.incomplete:
                results.problem = f"{out} cannot be computed: an input slot upstream is empty"
            elif results.forward.plain[out] is not None:
                results.backward = plan.backward(results.forward, out)
            if results.forward.nonfinite is not None and not results.problem:
                results.problem = results.forward.nonfinite.message
        except EvaluationError as exc:
            results.problem = f"{exc.node}: {exc.message}"
        except GraphError as exc:
            results.problem = exc.message
        self._results = results
        self.results_changed.emit()

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self._auto:
            self._timer.start()
        elif not self._results.stale:
            self._results.stale = True
            self.results_changed.emit()

    # ----------------------------------------------------------------- events
    def _on_graph_event(self, name: str, **details: Any) -> None:
        event = events.from_graph(name, details)
        if isinstance(event, events.NodeRenamed) and self.output == event.old:
            self.output = event.new
        if isinstance(event, events.NodeRenamed) and self.quiz is not None:
            from graphapp.formats.quiz import renamed_item

            self.quiz = self.quiz.renamed(event.old, event.new)
            self.quiz_shown = frozenset(renamed_item(i, event.old, event.new)
                                        for i in self.quiz_shown)
            self._hidden = None
        if isinstance(event, events.NodeRemoved) and self.output == event.node:
            self.output = None
            self.output_changed.emit()
        if not isinstance(event, events.AttrsChanged):
            self._mark_dirty()  # first: views that react read fresh results
            if self.quiz_shown and not isinstance(event, events.NodeRenamed):
                # new numbers: what the quiz showed is a question again
                self.quiz_shown = frozenset()
                self._hidden = None
                self.quiz_changed.emit()
        self.changed.emit(event)

    # ----------------------------------------------------------------- groups
    def set_groups(self, groups: dict[str, dict[str, Any]],
                   members: dict[str, str | None] | None = None) -> None:
        """Replace the groups (name → ``{"collapsed": bool, "pos": [x, y]}``) and move nodes
        in or out of them (node → group name or ``None``); empty groups are dropped. The
        group commands call this, so group edits are undone like every other edit."""
        for node, group in (members or {}).items():
            self.graph.update_attrs(node, group=group)
        used = {d.get("group") for _, d in self.graph.table().items()}
        self.groups = {k: dict(v) for k, v in groups.items() if k in used}
        self.changed.emit(events.GroupsChanged())

    def set_group_info(self, name: str, info: dict[str, Any]) -> None:
        """Fold or unfold a group, or move its folded card: ``info`` replaces the group's
        ``{"collapsed": bool, "pos": [x, y]}``."""
        self.groups[name] = dict(info)
        self.changed.emit(events.GroupsChanged())
