"""While a quiz runs, no lab dock of the window gives its answers away; after End Quiz they do
show them. The docks read the document's one hidden set (the canvas's). And View ▸ Lab opens
a dock as Run ▸ Quiz does, keeping the whole graph in view.

Hand-derived values (micrograd, L = (a·b + c)·f with a = 2, b = −3, c = 10, f = −2, e = a·b,
d = e + c): dL/da = f·b = 6, dL/db = f·a = −4, dL/dc = dL/dd = dL/de = f = −2, dL/df = d = 4.
Values: a 2, b −3, c 10, f −2, e −6, d 4, L −8; local derivatives a→e = b = −3, b→e = a = 2,
e→d = c→d = 1, d→L = f = −2, f→L = d = 4. Only 6 and −4 are no value and no local
derivative, so a dock that shows either has given dL/da or dL/db away.
"""

from __future__ import annotations

import csv
import io
import math
import re

from graphapp.formats.quiz import Quiz
from graphapp.gui.commands import SetQuiz
from graphapp.lab.withheld import HINT_WITHHELD, LESSON_WITHHELD

NUMBER = re.compile(r"[-−]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[-+]?[0-9]+)?")
ANSWERS = {"dL/da": 6.0, "dL/db": -4.0}
DOCKS = ("lab-nudge", "lab-check", "lab-partial", "lab-trace", "lab-formulas", "lab-plot")


def _numbers(texts: list[str]) -> list[float]:
    return [float(t.replace("−", "-")) for text in texts for t in NUMBER.findall(text)]


def _table(table, first_col: int = 0) -> list[str]:
    model = table.model()
    return [text for r in range(model.rowCount()) for c in range(first_col, model.columnCount())
            if (text := model.index(r, c).data()) is not None]


def _texts(window, name: str, wrt: str) -> list[str]:
    """Every number-bearing text dock ``name`` shows about input ``wrt`` (and its copies)."""
    view = window.lab_docks[name].widget()
    if view.NEEDS_INPUT:
        view.choose(wrt)
    view.refresh()
    if name == "lab-nudge":
        return [c.text() for c in view.cells.values()] + [view.note.text()]
    if name == "lab-check":
        view.open_plot()
        title = view.plot.getPlotItem().titleLabel.text
        return [*_table(view.table), title]  # its note is fixed prose (h²·|f‴|/6)
    if name == "lab-partial":
        return [view.headline.text(), *_table(view.edges), *_table(view.paths),
                *_table(view.nodes)]
    if name == "lab-trace":  # step numbers left out: they count 0, 1, …, 6
        copied = list(csv.reader(io.StringIO(view.copy("csv"))))[1:]
        return _table(view.table, first_col=4) + [c for row in copied for c in row[4:]]
    if name == "lab-formulas":
        texts = []
        for node in ("a", "b", "e", "d", "L"):
            view.follow_selection(node)
            view.refresh()
            texts.append(view.text.text())
        return texts
    view.choose_pair(wrt, None)  # the plot: a curve of L against wrt
    return [view.note.text(), view.f_plot.titleLabel.text]


def _gives_away(texts: list[str], answer: float) -> bool:
    return any(math.isclose(v, answer, rel_tol=1e-4) for v in _numbers(texts))


def _open_docks(window, qtbot):
    for name in DOCKS:
        window.lab_docks[name].show()
    qtbot.wait(20)


def _quiz(window, quiz: Quiz | None) -> None:
    window.doc.undo_stack.push(SetQuiz(window.doc, quiz, "quiz"))


def test_no_dock_gives_a_gradients_quiz_away_until_it_ends(micrograd, qtbot):
    window = micrograd
    _open_docks(window, qtbot)
    _quiz(window, Quiz("gradients"))
    for name in DOCKS:
        for wrt, answer in (("a", 6.0), ("b", -4.0)):
            texts = _texts(window, name, wrt)
            leaks = [t for t in texts if _gives_away([t], answer)]
            assert not leaks, (name, wrt, leaks)
            if name not in ("lab-formulas",):
                assert any("?" in t or "not drawn" in t for t in texts), (name, texts)
    _quiz(window, None)  # End Quiz
    for name in DOCKS:
        if name == "lab-formulas":
            continue  # it shows local derivatives only (the canvas shows them during a quiz)
        for wrt, answer in (("a", 6.0), ("b", -4.0)):
            texts = _texts(window, name, wrt)
            assert _gives_away(texts, answer), (name, wrt, texts)
            assert not any("quiz" in t for t in texts), (name, texts)


def test_a_gradient_shown_or_not_asked_reads_in_the_docks(micrograd, qtbot):
    """Only a's gradient is asked: b's numbers stay; once a is revealed, a's show."""
    window = micrograd
    _open_docks(window, qtbot)
    _quiz(window, Quiz("gradients", ("a",)))
    for name in ("lab-nudge", "lab-check", "lab-partial", "lab-trace", "lab-plot"):
        assert not _gives_away(_texts(window, name, "a"), 6.0), name
        assert _gives_away(_texts(window, name, "b"), -4.0), name
    window.doc.set_quiz_shown(frozenset({"a"}))  # Reveal (or answered right)
    for name in ("lab-nudge", "lab-check", "lab-partial", "lab-trace", "lab-plot"):
        assert _gives_away(_texts(window, name, "a"), 6.0), name


def test_formulas_and_trace_withhold_a_local_derivative_quiz(micrograd, qtbot):
    """A locals quiz: the edge rules read ?, not "b = −3" (the rule is the answer in letters);
    the trace table's local derivatives read ? too."""
    window = micrograd
    _open_docks(window, qtbot)
    _quiz(window, Quiz("locals"))
    formulas = " ".join(_texts(window, "lab-formulas", "a"))
    assert "∂(a·b)/∂a = ?" in formulas and "∂(a·b)/∂b = ?" in formulas
    assert "∂(e + c)/∂e = ?" in formulas and "∂(d·f)/∂d = ?" in formulas
    assert "= b =" not in formulas and "= a =" not in formulas and "= 1<" not in formulas
    trace = _texts(window, "lab-trace", "a")
    assert "∂e/∂a = ?; ∂e/∂b = ?" in trace
    assert "∂L/∂d = ?; ∂L/∂f = ?" in trace
    _quiz(window, None)
    formulas = " ".join(_texts(window, "lab-formulas", "a"))
    assert "∂(a·b)/∂a = b = −3" in formulas and "∂(a·b)/∂b = a = 2" in formulas
    assert "∂e/∂a = -3; ∂e/∂b = 2" in _texts(window, "lab-trace", "a")


def _lab_menu_action(window, title: str):
    view_menu = next(a.menu() for a in window.menuBar().actions()
                     if a.text().replace("&", "") == "View")
    lab = next(a.menu() for a in view_menu.actions() if a.text().replace("&", "") == "Lab")
    return next(a for a in lab.actions() if a.text() == title)


def test_view_lab_keeps_the_whole_graph_in_view_as_run_quiz_does(micrograd, qtbot):
    """Every lab dock opened from View ▸ Lab refits the canvas when it took the graph's
    bottom (as Run ▸ Quiz does), and its menu item follows the dock."""
    window = micrograd
    view = window.view

    def whole_graph_shown() -> bool:
        return view.mapToScene(view.viewport().rect()).boundingRect().contains(
            window.scene.graph_rect())

    for title, name in (("Quiz", "lab-quiz"), ("Function Plot", "lab-plot"),
                        ("Trace Table", "lab-trace")):
        action = _lab_menu_action(window, title)
        assert not action.isChecked()
        window.view.fit()
        assert whole_graph_shown()
        action.trigger()
        qtbot.wait(50)
        dock = window.lab_docks[name]
        assert dock.isVisible() and action.isChecked()
        assert whole_graph_shown(), title
        action.trigger()
        qtbot.waitUntil(lambda dock=dock: not dock.isVisible())
        assert not action.isChecked()
    window.act_quiz.trigger()  # the Run menu ticks the View menu's item too
    assert _lab_menu_action(window, "Quiz").isChecked()


def test_the_lesson_that_works_out_the_answers_waits_for_the_quiz(micrograd, qtbot):
    """micrograd's lesson writes "dL/da = -2 × b = 6": while dL/da is asked its text is
    hidden; once a is revealed (and nothing else asked), or the quiz ends, it shows."""
    window = micrograd
    text = window.lesson.text.text()
    assert "= 6" in text
    _quiz(window, Quiz("gradients", ("a",)))
    assert window.lesson.text.text() == LESSON_WITHHELD
    window.doc.set_quiz_shown(frozenset({"a"}))
    assert window.lesson.text.text() == text
    _quiz(window, Quiz("gradients"))
    assert window.lesson.text.text() == LESSON_WITHHELD
    _quiz(window, None)
    assert window.lesson.text.text() == text


def test_a_hint_that_works_out_an_answer_waits_too(micrograd, qtbot):
    """The hint "dL/de = f = −2" answers grad(e) (−2) while it is asked."""
    window = micrograd
    rows = window.lesson.rows
    hint = next(r for r in rows if "dL/de = f" in r.hint_text)
    _quiz(window, Quiz("gradients", ("e",)))
    assert hint.hint.text() == HINT_WITHHELD
    steps = next(r for r in rows if "Ctrl+Right" in r.hint_text)  # no number in it
    assert steps.hint.text() == steps.hint_text
    _quiz(window, None)
    assert hint.hint.text() == hint.hint_text
