"""The quiz dock: the canvas hides the gradients (or local derivatives) and the learner predicts
them. One row per hidden number, in the order backprop finds them: its name (``grad(a)``,
``local(a→e)``), the learner's answer, ✓ or ✗ after Check, and the right value once it is
known (answered right, or revealed). Check marks every answer, keeps the score and explains the
first wrong one with its chain-rule step; Reveal shows every right value; Reset clears the
answers; End Quiz shows the canvas's numbers again.

The quiz and the answers belong to the document (saved in the file, undoable:
:class:`~graphapp.gui.commands.SetQuiz`); the checking and the explanations are
:mod:`graphapp.lab.quiz`. Which numbers the canvas hides is the document's
:meth:`~graphapp.gui.document.Document.quiz_hidden`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from graphapp.engine import EvaluationError, GraphError
from graphapp.formats.present import number
from graphapp.formats.quiz import Item, Quiz
from graphapp.gui.commands import SetQuiz
from graphapp.gui.document import Document
from graphapp.gui.lab.base import LabView
from graphapp.gui.theme import current_theme
from graphapp.lab.quiz import Marking, Question, mark, questions, quizzable

__all__ = ["QuizView"]

#: (mode, what the chooser says) for each kind of quiz.
MODES = (("gradients", "Gradients (one per node)"),
         ("locals", "Local derivatives (one per edge)"))
#: Table columns.
COLUMNS = ("hidden number", "your answer", "", "right value")
_MARKS = {"right": "✓", "wrong": "✗", "unreadable": "?", "empty": ""}


class QuizView(LabView):
    """Predict the hidden numbers, check them, see the first mistake explained."""

    NEEDS_INPUT = False

    def __init__(self, doc: Document, parent: QWidget | None = None) -> None:
        self.rows: list[Question] = []
        #: The last check: item → (answer text, true value, status) when it was checked.
        self.checked: dict[Item, tuple[str, float, str]] = {}
        self.marking: Marking | None = None
        self.checks = 0
        self._quiz_seen: Quiz | None = None
        #: The canvas, whose selection "only the selected" reads (the window's scene).
        self.scene = getattr(parent, "scene", None)
        super().__init__(doc, parent)
        self.mode = QComboBox(self)
        for _, text in MODES:
            self.mode.addItem(text)
        self.mode.setToolTip("What the quiz hides on the canvas")
        self.start_button = QPushButton("Start Quiz", self)
        self.start_button.setToolTip("Hide these numbers on the canvas and predict them")
        self.start_button.clicked.connect(self.start)
        self.only_selected = QCheckBox("only the selected", self)
        self.only_selected.setToolTip("Quiz only the selected cards (their gradients) or the "
                                      "selected edges and the edges into the selected cards "
                                      "(their local derivatives)")
        self.top.insertWidget(0, QLabel("Quiz on", self))
        self.top.insertWidget(1, self.mode)
        self.top.insertWidget(2, self.only_selected)
        self.top.insertWidget(3, self.start_button)
        self.intro = QLabel(self)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)  # names may hold < or &
        self.intro.setWordWrap(True)
        self.body.addWidget(self.intro)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemChanged.connect(self._edited)
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(int(rows * 6.5))  # six rows: micrograd's L-graph
        self.body.addWidget(self.table, 1)
        buttons = QHBoxLayout()
        self.check_button, self.reveal_button, self.reset_button, self.end_button = (
            self._button(text, tip, slot) for text, tip, slot in (
                ("Check", "Mark every answer; the first wrong one is explained", self.check),
                ("Reveal", "Show every right value on the canvas and here", self.reveal),
                ("Reset", "Clear the answers and hide the numbers again", self.reset),
                ("End Quiz", "Show every number on the canvas again", self.end)))
        self.score = QLabel(self)
        for w in (self.check_button, self.reveal_button, self.reset_button, self.end_button):
            buttons.addWidget(w)
        buttons.addStretch(1)
        buttons.addWidget(self.score)
        self.body.addLayout(buttons)
        self.explanation = QLabel(self)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.explanation.setMinimumHeight(self.explanation.fontMetrics().height() * 4)
        self.body.addWidget(self.explanation)
        doc.quiz_changed.connect(self.refresh_later)
        doc.results_changed.connect(self.refresh_later)  # Backward pressed, auto off
        self.refresh()

    # ----------------------------------------------------------------- actions
    def start(self) -> None:
        """Start a quiz of the chosen kind over every number the graph can quiz, or over
        those selected on the canvas when "only the selected" is ticked."""
        mode = MODES[self.mode.currentIndex()][0]
        quiz = Quiz(mode)
        if self.only_selected.isChecked():
            chosen = self._selected(mode)
            if not chosen:
                self.explanation.setText(
                    "Select the cards (or edges) to quiz on the canvas first, or untick "
                    "“only the selected” to quiz them all." if self.doc.results.backward
                    is not None else self.doc.results.problem)
                return
            quiz = Quiz(mode, chosen)
        self._forget()
        self.doc.undo_stack.push(SetQuiz(self.doc, quiz, "Start quiz"))
        self.doc.set_quiz_shown(frozenset())

    def _button(self, text: str, tip: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setToolTip(tip)
        button.clicked.connect(slot)
        return button

    def _selected(self, mode: str) -> tuple[Item, ...]:
        """The quizzable items among the canvas's selection, in backprop's order."""
        back, out = self.doc.results.backward, self.doc.output
        if self.scene is None or back is None or out is None:
            return ()
        nodes = set(self.scene.selected_nodes())
        edges = set(self.scene.selected_edges())
        return tuple(i for i in quizzable(self.doc.graph, out, mode, back)
                     if (i in nodes if isinstance(i, str) else i in edges or i[1] in nodes))

    def answer(self, item: Item, text: str) -> None:
        """Take ``text`` as the answer to ``item`` (one undo step)."""
        quiz = self.doc.quiz
        if quiz is None:
            return
        if quiz.items is None:  # "every item": list them now, so the file can keep answers
            quiz = quiz.with_items(tuple(q.item for q in self.rows))
        new = quiz.with_answer(item, text)
        if new != quiz:
            label = next((q.label for q in self.rows if q.item == item), str(item))
            self.doc.undo_stack.push(SetQuiz(self.doc, new, f"Answer {label}"))

    def check(self) -> None:
        """Mark every answer: ✓ or ✗ per row, the score, the first mistake explained; the
        numbers answered right appear on the canvas."""
        marking = self._mark()
        if marking is None:
            return
        self.checks += 1
        self.marking = marking
        self.checked = {v.question.item: (v.text, v.question.truth, v.status)
                        for v in marking.verdicts}
        right = {v.question.item for v in marking.verdicts if v.status == "right"}
        self.doc.set_quiz_shown(self.doc.quiz_shown | right)
        self.refresh()

    def reveal(self) -> None:
        """Show every right value (on the canvas too); the score stays as checked."""
        if self.doc.quiz is None:
            return
        self.doc.set_quiz_shown(frozenset(q.item for q in self.rows))
        self.refresh()

    def reset(self) -> None:
        """Clear the answers and the score and hide every number again."""
        quiz = self.doc.quiz
        if quiz is None:
            return
        self._forget()
        if quiz.answers:
            self.doc.undo_stack.push(SetQuiz(self.doc, Quiz(quiz.mode, quiz.items),
                                             "Reset quiz"))
        self.doc.set_quiz_shown(frozenset())
        self.refresh()

    def end(self) -> None:
        """End the quiz: the canvas shows every number again."""
        if self.doc.quiz is not None:
            self._forget()
            self.doc.undo_stack.push(SetQuiz(self.doc, None, "End quiz"))

    def _forget(self) -> None:
        self.checked, self.marking, self.checks = {}, None, 0

    def _mark(self) -> Marking | None:
        quiz, out = self.doc.quiz, self.doc.output
        results = self.doc.results
        back = results.backward
        if quiz is None or out is None or back is None or results.stale:
            return None
        return mark(self.doc.graph, out, quiz, back, self.doc.quiz_shown)

    # ----------------------------------------------------------------- showing
    def render(self, wrt: str | None) -> None:
        """Show the quiz: its rows, marks, score and explanation."""
        if not hasattr(self, "explanation"):
            return  # the first refresh can come before the widgets exist
        quiz = self.doc.quiz
        running = quiz is not None
        # shown (greyed) before a quiz too: the dock keeps its size, the canvas its view
        for w in (self.table, self.check_button, self.reveal_button, self.reset_button,
                  self.end_button):
            w.setEnabled(running)
        self.start_button.setText("New Quiz" if running else "Start Quiz")
        if quiz is not None and quiz is not self._quiz_seen:  # the chooser shows a new quiz
            self.mode.setCurrentIndex([m for m, _ in MODES].index(quiz.mode))
        self._quiz_seen = quiz
        self.rows = []
        problem = ""
        results = self.doc.results
        back = results.backward
        self.check_button.setEnabled(running and not results.stale)
        if wrt is None or back is None:
            problem = results.problem or "Choose an output to differentiate."
        else:
            if results.stale:  # the rows stay (with the answers), Check waits for Backward
                problem = ("The gradients are out of date (Auto Recompute is off): press "
                           "Backward (F6) before you Check.")
            if quiz is not None:
                try:
                    self.rows = questions(self.doc.graph, self.doc.output, quiz, back)
                except (GraphError, EvaluationError) as exc:
                    problem = str(exc)
        if not running:
            self.table.setRowCount(0)
            self.score.setText("")
            self.intro.setText(
                "Test yourself on backprop: the quiz hides the gradients (or the local "
                "derivatives) on the canvas, you predict each one, and Check tells you which "
                "are right and explains the first mistake with its chain-rule step. "
                "A teacher can save the quiz in the file and hand it out.")
            self.explanation.setText(problem)
            return
        what = "gradient" if quiz.mode == "gradients" else "local derivative"
        if not problem and not self.rows:
            problem = (f"This graph has no {what} to quiz: the quiz asks for single numbers on "
                       f"the paths to the output, and here they are arrays (or there are none"
                       f"{' left: untick “only the selected”' if quiz.items is not None else ''}"
                       ").")
        self.intro.setText(problem or
                           f"Predict each hidden {what} (they read ? on the canvas) and press "
                           "Check. Answers may be written -3, 1/2, 0.5 or -1.5e-3; three "
                           "significant figures are enough.")
        self._fill(quiz)
        self._show_score()

    def _fill(self, quiz: Quiz) -> None:
        """Write the rows, in place when they are the same questions (a cell being typed in
        keeps its editor)."""
        theme = current_theme()
        colours = {"right": theme.role("positive"), "wrong": theme.role("negative"),
                   "unreadable": theme.role("negative")}
        first = self.marking.first_wrong.question.item if self.marking and \
            self.marking.first_wrong else None
        table = self.table
        same = table.rowCount() == len(self.rows) and all(
            table.item(row, 0).data(Qt.ItemDataRole.UserRole) == q.item
            for row, q in enumerate(self.rows))
        table.blockSignals(True)
        if not same:
            table.setRowCount(0)
            table.setRowCount(len(self.rows))
            for row, q in enumerate(self.rows):
                for col in range(len(COLUMNS)):
                    cell = QTableWidgetItem()
                    if col != 1:
                        cell.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                    table.setItem(row, col, cell)
                table.item(row, 0).setData(Qt.ItemDataRole.UserRole, q.item)
                table.item(row, 2).setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        for row, q in enumerate(self.rows):
            name, mine, verdict, right = (table.item(row, col) for col in range(len(COLUMNS)))
            text = quiz.answers.get(q.item, "")
            name.setText(q.label)
            if mine.text() != text:
                mine.setText(text)
            checked = self.checked.get(q.item)
            status = checked[2] if checked is not None and checked[:2] == (text, q.truth) \
                else ""
            verdict.setText(_MARKS.get(status, ""))
            verdict.setForeground(colours.get(status) or theme.text)
            fill = QColor(theme.role("error_fill")) if q.item == first and \
                status in ("wrong", "unreadable") else QColor(0, 0, 0, 0)
            name.setBackground(fill)
            mine.setBackground(fill)
            right.setText(number(q.truth, digits=6) if q.item in self.doc.quiz_shown else "")
        table.blockSignals(False)

    def _show_score(self) -> None:
        total = len(self.rows)
        if self.marking is None:
            answered = sum(1 for q in self.rows if q.item in (self.doc.quiz.answers or {}))
            self.score.setText(f"{answered} of {total} answered")
            self.explanation.setText("")
            return
        m = self.marking
        times = "once" if self.checks == 1 else f"{self.checks} times"
        self.score.setText(f"Score: {m.right} / {m.total} right (checked {times})")
        if m.explanation:
            self.explanation.setText(m.explanation)
        elif m.right == m.total:
            self.explanation.setText("All right: every gradient on the canvas is what the "
                                     "chain rule gives." if self.doc.quiz.mode == "gradients"
                                     else "All right: every local derivative matches the "
                                          "op's rule.")
        else:
            left = m.total - m.right
            self.explanation.setText(f"No mistakes so far; {left} still to answer.")

    def _edited(self, cell: QTableWidgetItem) -> None:
        row = cell.row()
        if cell.column() != 1 or row >= len(self.rows):
            return
        self.answer(self.rows[row].item, cell.text())
        if row + 1 < self.table.rowCount():  # on to the next question: type, Enter, type...
            self.table.setCurrentCell(row + 1, 1)
