"""Header directives: comment lines of an ``.expr`` that speak to the app, not to the reader.

::

    # The derivative as a slope ...          <- prose: the lesson the Lesson dock shows
    # try: Set x so that the slope df/dx is 0.
    # check: grad(x) == 0 within 1e-3         <- when the prompt counts as done
    # hint: df/dx = 6x − 4.                   <- shown on request
    # quiz: gradients                         <- a quiz (:mod:`graphapp.formats.quiz`)

A directive is a comment line ``# KIND: text`` whose KIND is in :data:`KINDS`; any other
comment line is prose. This module is the one place that finds them: :func:`directives` lists
them with their line and column, :func:`is_directive` tells the lesson text to leave them out,
and each kind's group of lines is read by its own function (:func:`prompts_of` for the lesson's
"try this" prompts; :func:`graphapp.formats.quiz.parse_quiz` for a quiz, which names nodes of
the graph and is read once the graph is built). A new kind is one entry in :data:`KINDS` and
one reading function.

``# output: NAME`` is read by the statement parser (:mod:`graphapp.formats.expr`) as before.

Caveats: a directive is one line (long lines are fine); ``# try:`` starts a prompt and the
``# check:`` and ``# hint:`` lines after it belong to it; nothing is ever evaluated. The names
a check reads are not matched against the graph here: the learner may delete or rewire nodes
and save, and the file must still open. The Lesson dock says which check names a node the
graph lacks.

>>> text = "# lesson\\n# try: Make x 2.\\n# check: value(x) == 2\\nx = 1.0"
>>> [(d.kind, d.text, d.line, d.col) for d in directives(text)]
[('try', 'Make x 2.', 2, 8), ('check', 'value(x) == 2', 3, 10)]
>>> prompts_of(directives(text))[0].check.groups[0][0].right.number
2.0
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from graphapp.formats.conditions import Condition, parse_condition
from graphapp.formats.errors import FormatError

__all__ = ["KINDS", "Directive", "Prompt", "directives", "is_directive",
           "prompt_lines", "prompts_of"]

#: Every directive kind, with what it says (the README's file-format section lists them).
KINDS: dict[str, str] = {
    "try": "a \"try this\" prompt shown under the lesson",
    "check": "the condition that marks the prompt above as done",
    "hint": "a hint for the prompt above, shown on request",
    "quiz": "the numbers a quiz hides: gradients or locals, optionally the items and answers",
}
_DIRECTIVE = re.compile(r"^([ \t]*#[ \t]*)(" + "|".join(KINDS) + r"):[ \t]*(.*?)[ \t\r]*$",
                        re.MULTILINE)


@dataclass(frozen=True)
class Directive:
    """One ``# KIND: text`` line; ``col`` is where ``text`` starts (1-based)."""

    kind: str
    text: str
    line: int
    col: int


@dataclass(frozen=True)
class Prompt:
    """A "try this" prompt: what to do, when it is done, and a hint (may be empty)."""

    text: str
    check: Condition
    hint: str = ""
    #: The line of its ``# try:`` in the file (0 when made in code).
    line: int = 0


def is_directive(line: str) -> bool:
    """True when ``line`` is a header directive (so it is not part of the lesson's prose)."""
    return _DIRECTIVE.match(line) is not None


def directives(text: str) -> list[Directive]:
    """Every directive line of a file's ``text``, in order."""
    if "#" not in text:  # none (a large generated file: no search through it)
        return []
    out = []
    line, seen = 1, 0
    for m in _DIRECTIVE.finditer(text):
        line += text.count("\n", seen, m.start())
        seen = m.start()
        body = m.group(3)
        col = m.start(3) - m.start() + 1
        out.append(Directive(m.group(2), body, line, col))
    return out


def prompts_of(found: Iterable[Directive], path: str = "<text>") -> tuple[Prompt, ...]:
    """The lesson's prompts from its ``try`` / ``check`` / ``hint`` directives; a
    :class:`FormatError` at the line at fault when one is missing, repeated or empty."""
    prompts: list[Prompt] = []
    current: dict | None = None

    def finish() -> None:
        if current is None:
            return
        if current["check"] is None:
            raise FormatError("this prompt has no '# check:' line after it saying when it is "
                              "done, e.g. # check: grad(x) == 0 within 1e-3",
                              path, current["line"], 1)
        prompts.append(Prompt(current["text"], current["check"], current["hint"],
                              current["line"]))

    for d in found:
        if d.kind not in ("try", "check", "hint"):
            continue
        if not d.text:
            raise FormatError(f"'# {d.kind}:' is empty", path, d.line, d.col)
        if d.kind == "try":
            finish()
            current = {"text": d.text, "check": None, "hint": "", "line": d.line}
            continue
        if current is None:
            raise FormatError(f"'# {d.kind}:' belongs to a prompt: put a '# try:' line above "
                              "it", path, d.line, 1)
        if d.kind == "check":
            if current["check"] is not None:
                raise FormatError("this prompt already has a check; join conditions with "
                                  "'and' / 'or' on one line", path, d.line, 1)
            current["check"] = parse_condition(d.text, path, d.line, d.col)
        else:
            if current["hint"]:
                raise FormatError("this prompt already has a hint; say it on one line",
                                  path, d.line, 1)
            current["hint"] = d.text
    finish()
    return tuple(prompts)


def prompt_lines(prompts: Iterable[Prompt]) -> list[str]:
    """The directive lines that write ``prompts`` back into a file."""
    lines = []
    for p in prompts:
        lines += [f"# try: {p.text}", f"# check: {p.check.text}"]
        if p.hint:
            lines.append(f"# hint: {p.hint}")
    return lines
