"""Which cards and edges new results change: the numbers each one shows, kept from the last
time the canvas drew them, compared with the new ones.

A value edit on a big graph changes the values downstream of the edited input and the
gradients of the nodes feeding those; every other card and edge reads as before. Rather than
building every card's and edge's display again (formatting some 4,000 numbers on a
1,000-node graph, most of them to the same text), the scene asks :func:`changes` which items'
numbers moved, and builds just those (:mod:`.display`); their items then repaint only if
what they show differs.

What a card shows follows from its node's value and gradient, what an edge shows from its
local derivative, the gradient it carries and the largest gradient any edge carries (its
width is relative to it) — once everything else is the same: the graph's structure and names
(the plan), the output, and how the canvas presents them (theme, labels on or off; no step
mode, quiz or picked input). :class:`Numbers` holds those numbers with that ``context``.

Caveat: only plain results qualify, scalars whose values are all finite and computed; for
anything else (arrays, a failed op, nan or inf, results of another plan or context)
:func:`changes` answers ``None``: build everything again. A card's title can show a
constant's value (``π``, ``3·x²``), so editing a constant is a structural change for the
canvas (the scene drops its numbers then).

>>> from graphapp.formats import parse_expr
>>> g = parse_expr("a = 2\\nb = -3\\nc = 5\\nab = a * b\\nL = ab + c").graph
>>> def run(): plan = g.plan(); fwd = plan.forward(g); return numbers(fwd, plan.backward(fwd, "L"))
>>> before = run()
>>> g.set_value("a", 2.5)  # a's and ab's values, L's, and b's gradient (a); the edge b → ab
>>> changes(before, run())  # carries a back, its local derivative; a → ab carries b as before
(['a', 'b', 'ab', 'L'], [('b', 'ab', 1)])
>>> g.set_value("a", 4.0)  # b → ab carries 4 now, more than a → ab's 3: every width changes
>>> changes(before, run())[1]
[('a', 'ab', 0), ('b', 'ab', 1), ('ab', 'L', 0), ('c', 'L', 1)]
>>> changes(before, before), changes(None, before)
(([], []), None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graphapp.engine import Backward, Forward
from graphapp.formats.present import largest

__all__ = ["Numbers", "changes", "numbers"]

Edge = tuple[str, str, int]


@dataclass(frozen=True, eq=False)
class Numbers:
    """The numbers the canvas shows for one set of results, in plan order."""

    #: What else decides what the items show (the plan first; compared with ``==``).
    context: tuple
    nodes: list[str]
    values: list[Any]
    grads: list[Any]
    edges: list[Edge]
    local: list[Any]
    carried: list[Any]
    largest: float


def numbers(fwd: Forward | None, back: Backward | None, context: tuple = ()) -> Numbers | None:
    """The numbers of plain results (see the module docstring), else ``None``. ``context``:
    what else the items' look depends on, besides the plan and the output."""
    if fwd is None or back is None or fwd.mode == "nodes" or fwd.failures \
            or fwd.nonfinite is not None or back.forward is not fwd:
        return None
    plan = fwd.plan
    columns = back.edge_columns()
    return Numbers((plan, back.output, *context), plan.order, fwd.value_list(),
                   back.grad_list(),
                   list(zip(columns["src"], columns["dst"], columns["slot"], strict=True)),
                   columns["local"], columns["accumulated"], largest(back))


def changes(old: Numbers | None, new: Numbers | None) -> tuple[list[str], list[Edge]] | None:
    """The nodes and edges whose numbers differ from ``old`` to ``new``; ``None`` when they
    cannot be compared (either is ``None``, or another context): everything may differ."""
    if old is None or new is None or old.context != new.context:
        return None
    nodes = [node for node, v0, v1, g0, g1 in zip(new.nodes, old.values, new.values,
                                                   old.grads, new.grads, strict=True)
             if v0 != v1 or g0 != g1]  # nan != nan: a nan is always drawn again
    if old.largest != new.largest:  # every width is relative to the largest
        return nodes, list(new.edges)
    edges = [edge for edge, l0, l1, c0, c1 in zip(new.edges, old.local, new.local,
                                                   old.carried, new.carried, strict=True)
             if l0 != l1 or c0 != c1]
    return nodes, edges
