"""The Lesson dock: the lesson an example teaches, then its "try this" prompts with a tick for
each one the learner has achieved and its hint on request.

The prompts come from the file (``# try:`` / ``# check:`` / ``# hint:``, read by
:mod:`graphapp.formats.header`); whether a check holds is decided by :mod:`graphapp.lab.lesson`
from what the window shows: the document's results, step mode's position and the selection.
They are checked again after every recompute, step and selection change. A tick stays once
earned (the learner may move on and change the graph again) until another file is opened or
"Start over" is pressed.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from graphapp.engine import EvaluationError, GraphError
from graphapp.gui.canvas.scene import GraphScene
from graphapp.gui.document import Document
from graphapp.gui.stepper import Stepper

__all__ = ["LessonView", "lesson_paragraphs"]

DONE, OPEN = "✓", "○"
NO_LESSON = "This graph has no lesson text. An .expr file's comment header becomes its lesson."


def lesson_paragraphs(lesson: str) -> str:
    """A hard-wrapped comment header as paragraphs: lines rejoined, breaks kept after
    sentences."""
    text = ""
    for line in lesson.strip().split("\n"):
        text += line if not text or text.endswith("\n") else " " + line
        if line.rstrip().endswith((".", ":")):
            text += "\n"
    return text.strip()


class _PromptRow:
    """One prompt's widgets: tick, text, why it cannot be checked, hint button and hint."""

    def __init__(self, parent: QWidget, grid: QGridLayout, row: int, text: str,
                 hint: str) -> None:
        self.tick = QLabel(OPEN, parent)
        self.tick.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.tick.setMinimumWidth(18)
        self.text = QLabel(text, parent)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem = QLabel(parent)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b45309;")
        self.problem.hide()
        #: The hint as written (the label may say it is hidden while a quiz runs).
        self.hint_text = hint
        self.hint = QLabel(hint, parent)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("font-style: italic; margin-left: 8px;")
        self.hint.hide()
        self.hint_button = QPushButton("Hint", parent)
        self.hint_button.setCheckable(True)
        self.hint_button.setEnabled(bool(hint))
        self.hint_button.setToolTip("Show a hint for this prompt" if hint else
                                    "This prompt has no hint")
        self.hint_button.toggled.connect(self._toggle_hint)
        column = QVBoxLayout()
        column.setSpacing(2)
        column.addWidget(self.text)
        column.addWidget(self.problem)
        column.addWidget(self.hint)
        grid.addWidget(self.tick, row, 0)
        grid.addLayout(column, row, 1)
        grid.addWidget(self.hint_button, row, 2, Qt.AlignmentFlag.AlignTop)

    def _toggle_hint(self, on: bool) -> None:
        self.hint.setVisible(on)
        self.hint_button.setText("Hide hint" if on else "Hint")

    def show(self, done: bool, problem: str) -> None:
        self.tick.setText(DONE if done else OPEN)
        self.tick.setStyleSheet("color: #16a34a; font-weight: bold; font-size: 15px;" if done
                                else "font-size: 15px;")
        self.tick.setToolTip("Done" if done else "Not yet")
        self.problem.setText(f"This cannot be checked now: {problem}." if problem else "")
        self.problem.setVisible(bool(problem) and not done)


class LessonView(QWidget):
    """The lesson text above its prompts; ``achieved`` carries a prompt's text when it is first
    achieved (the window says so in the status bar)."""

    achieved = Signal(str)

    def __init__(self, doc: Document, stepper: Stepper, scene: GraphScene,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc, self.stepper, self.scene = doc, stepper, scene
        # one scrolling column: the text, then the prompts; a short dock scrolls instead of
        # squeezing wrapped lines into each other
        page = QWidget(self)
        self.text = QLabel(page)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.heading = QLabel(page)
        self.start_over = QPushButton("Start over", page)
        self.start_over.setToolTip("Clear the ticks and try the prompts again")
        self.start_over.clicked.connect(self.clear_ticks)
        self.prompt_box = QFrame(page)
        self.grid = QGridLayout(self.prompt_box)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setColumnStretch(1, 1)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.start_over)
        column = QVBoxLayout(page)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.text)
        column.addSpacing(6)
        column.addLayout(head)
        column.addWidget(self.prompt_box)
        column.addStretch(1)
        self.scroll = QScrollArea(self)
        self.scroll.setWidget(page)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.scroll)
        self.rows: list[_PromptRow] = []
        self._built_for: tuple = ()
        #: Indices of the prompts achieved since the file was opened.
        self.done: set[int] = set()
        doc.lesson_changed.connect(self.rebuild)
        doc.results_changed.connect(self.recheck)
        doc.quiz_changed.connect(self.show_text)
        doc.results_changed.connect(self.show_text)  # new values, new answers
        stepper.changed.connect(self.recheck)
        scene.selectionChanged.connect(self.recheck)
        self.rebuild()

    # ----------------------------------------------------------------- building
    def show_text(self) -> None:
        """The lesson's text and hints, or while a quiz runs, for each that writes one of
        the answers still asked, a line saying it is hidden (:mod:`graphapp.lab.withheld`)."""
        text = lesson_paragraphs(self.doc.lesson) or NO_LESSON
        doc, back = self.doc, self.doc.results.backward
        answers: list[float] = []
        if doc.quiz is not None and back is not None and doc.output is not None:
            from graphapp.lab.quiz import questions

            try:
                answers = [q.truth for q in questions(doc.graph, doc.output, doc.quiz, back)
                           if q.item not in doc.quiz_shown]
            except (GraphError, EvaluationError):  # results from before an edit
                answers = []
        if answers:
            from graphapp.lab.withheld import HINT_WITHHELD, LESSON_WITHHELD, gives_away

            self.text.setText(LESSON_WITHHELD if gives_away(text, answers) else text)
            for row in self.rows:
                row.hint.setText(HINT_WITHHELD if gives_away(row.hint_text, answers)
                                 else row.hint_text)
            return
        self.text.setText(text)
        for row in self.rows:
            row.hint.setText(row.hint_text)

    def rebuild(self) -> None:
        """Show the document's lesson and prompts afresh (a file was opened): no ticks."""
        for row in self.rows:
            for widget in (row.tick, row.text, row.problem, row.hint, row.hint_button):
                widget.deleteLater()
        self.rows = [_PromptRow(self.prompt_box, self.grid, k, p.text, p.hint)
                     for k, p in enumerate(self.doc.prompts)]
        self._built_for = self.doc.prompts
        self.show_text()
        self.done = set()
        has = bool(self.rows)
        for widget in (self.heading, self.start_over, self.prompt_box):
            widget.setVisible(has)
        self.recheck()

    def clear_ticks(self) -> None:
        """Start over: every prompt open again (those that hold now tick at once)."""
        self.done = set()
        self.recheck()

    # ----------------------------------------------------------------- checking
    def situation(self):
        """What the window shows now, as the checker reads it."""
        from graphapp.lab.lesson import Situation

        results = self.doc.current_results
        state = self.stepper.state
        step = None
        if state.active and state.current is not None:
            step = (state.mode, state.current.node)
        selected = frozenset(self.scene.selected_nodes()) if shiboken6.isValid(self.scene) \
            else frozenset()
        return Situation(results.forward, results.backward, step, selected)

    def recheck(self) -> None:
        """Check every prompt against what the window shows; tick those achieved."""
        prompts = self.doc.prompts
        if not prompts or prompts is not self._built_for:
            return  # none, or a new file whose rows are not built yet
        from graphapp.lab.lesson import check

        now = self.situation()
        for k, (prompt, row) in enumerate(zip(prompts, self.rows, strict=True)):
            outcome = check(prompt.check, now)
            if outcome.met and k not in self.done:
                self.done.add(k)
                self.achieved.emit(prompt.text)
            row.show(k in self.done, outcome.problem)
        self.heading.setText(f"<b>Try this</b> — {len(self.done)} of {len(prompts)} done")
