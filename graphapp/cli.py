"""The ``graphapp`` command: a thin front end over the formats and the engine.

Exit codes: 0 success; 1 evaluation failed (shapes that do not fit), finite differences
disagree, or an output file could not be written; 2 the input could not be read (syntax,
unknown names or ops, bad JSON, cycles, slots) or the command line is wrong.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graphapp import __version__
from graphapp.paths import default_example

if TYPE_CHECKING:  # the real imports wait until a command needs them (start-up time)
    from graphapp.engine import Forward
    from graphapp.formats import GraphFile

__all__ = ["COMMANDS", "CliError", "Command", "main"]


class CliError(Exception):
    """A failure to report in one line, with its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line (the full usage is one ``-h`` away)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: {message} (see {self.prog} -h)", file=sys.stderr)
        raise SystemExit(2)


@dataclass(frozen=True)
class Command:
    """One ``graphapp COMMAND``: its help, its options and the function that runs it.

    A new command is one entry in :data:`COMMANDS`. ``run`` gets the parsed arguments and
    returns the exit code; it raises :class:`CliError` for anything to report in one line.
    """

    name: str
    help: str
    #: Adds the command's own options to its sub-parser.
    options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]
    #: The longer text of ``graphapp COMMAND -h`` (the help line when empty).
    description: str = ""
    #: Takes a graph FILE and ``--set NAME=VALUE`` (added before ``options``).
    reads_graph: bool = False
    #: One-shot commands run with the garbage collector off: they make many small objects and
    #: no cycles worth collecting, and its passes cost a third of the time on a 100k-node file.
    #: Long-running ones (the window, the benchmark) keep it.
    collect_garbage: bool = False


@dataclass
class _Evaluated:
    """A graph file read, its ``--set`` values applied and run forward: what the commands that
    read a graph share."""

    args: argparse.Namespace
    doc: GraphFile
    output: str | None
    overrides: dict[str, Any]
    fwd: Forward

    def require_output(self) -> str:
        """The node to differentiate, or a one-line error when the graph has none."""
        if self.output is None:
            raise CliError(f"{self.args.file}: the graph has no output; name one with --output",
                           2)
        return self.output


def _graph_command(compute: Callable[[_Evaluated], int]) -> Callable[[argparse.Namespace], int]:
    """Wrap a command that reads a graph: load it, apply ``--set``, run forward (with notes on
    non-finite values and failed nodes), and turn engine errors into one-line messages."""

    def run(args: argparse.Namespace) -> int:
        from graphapp import api
        from graphapp.engine import EvaluationError, GraphError, rules

        doc = _load(args.file)
        overrides = _overrides(args.file, doc, args.set)
        output = getattr(args, "output", None) or doc.output
        if output is not None and output not in doc.graph:
            raise CliError(f"{args.file}: {rules.output_error(output)}", 2)
        try:
            fwd = api.forward(doc, overrides)
            _warn_nonfinite(fwd)
            if fwd.failures and args.command == "eval":
                node, why = next(iter(fwd.failures.items()))
                raise EvaluationError(node, why)
            if fwd.failures and output is not None and fwd.values[output] is not None:
                for node, why in fwd.failures.items():  # not needed for the output: say so
                    print(f"graphapp: note: {_where(args.file, doc, node)}: node {node!r} "
                          f"failed ({why}); {output} does not depend on it", file=sys.stderr)
            return compute(_Evaluated(args, doc, output, overrides, fwd))
        except EvaluationError as exc:
            raise CliError(f"{_where(args.file, doc, exc.node)}: evaluation failed at node "
                           f"{exc.node!r}: {exc.message}", 1) from None
        except GraphError as exc:
            raise CliError(f"{args.file}: {exc.message}", 2) from None

    return run


# --------------------------------------------------------------------- the commands
def _eval_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _eval(run: _Evaluated) -> int:
    from graphapp.formats import report

    run.doc.output = run.output
    as_json = run.args.json
    _print(report.eval_json(run.doc, run.fwd) if as_json else report.eval_table(run.doc, run.fwd),
           as_json)
    return 0


def _grad_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("--output", metavar="NAME", help="differentiate this node (default: the "
                                                    "file's output)")
    c.add_argument("--json", action="store_true", help="print JSON instead of tables")
    c.add_argument("--wrt", metavar="NAME", help="also run forward mode from this input: "
                   "the total derivative of every node, and the partial of the output "
                   "through each edge leaving NAME")
    c.add_argument("--direction", metavar="VALUE", help="with --wrt on an array input: the "
                   "direction to move it in (a JSON list of its shape, e.g. [1,0,0])")


def _grad(run: _Evaluated) -> int:
    from graphapp import api
    from graphapp.formats import report

    args, doc = run.args, run.doc
    output = run.require_output()
    back = api.backward(doc, output, fwd=run.fwd)
    forward_mode = _forward_mode(args, doc, run.fwd, output) if args.wrt else None
    if args.json:
        result = report.grad_json(doc, back)
        if forward_mode is not None:
            result["forward"] = report.tangents_json(*forward_mode)
        _print(result, True)
    else:
        text = report.grad_table(doc, back)
        if forward_mode is not None:
            text += "\n\n" + report.tangents_table(*forward_mode)
        _print(text, False)
    return 0


def _check_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("--output", metavar="NAME")
    c.add_argument("--eps", type=float, default=1e-6, help="relative step (default 1e-6)")
    c.add_argument("--rtol", type=float, default=1e-4, help="relative tolerance (default 1e-4)")
    c.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance (default 1e-6)")
    from graphapp.lab_cli import sweep_options

    sweep_options(c)


def _check(run: _Evaluated) -> int:
    from graphapp import api
    from graphapp.engine import gradcheck
    from graphapp.formats import report

    args = run.args
    output = run.require_output()
    api.backward(run.doc, output, fwd=run.fwd)  # fails early, with grad's message
    if args.h_sweep or args.json or args.out:
        from graphapp.lab_cli import check_sweep

        if not args.h_sweep:
            raise CliError("graphapp: check: --json and -o go with --h-sweep", 2)
        return _lab_reply(check_sweep, run)
    rows = gradcheck(run.doc.graph, output, eps=args.eps, rtol=args.rtol, atol=args.atol,
                     overrides=run.overrides)
    if not rows:
        _say("no inputs to check")
        return 0
    _say(report.check_table(rows))
    bad = sum(not r.ok for r in rows)
    if bad:
        print(f"\n{bad} of {len(rows)} disagree", file=sys.stderr)
        return 1
    vague = sum(not r.resolved for r in rows)
    _say(f"\nall {len(rows)} agree" + (
        f"; {vague} only within the output's round-off (a step there changes the output by "
        "less than its last digits)" if vague else ""))
    return 0


def _plot_options(c: argparse.ArgumentParser) -> None:
    from graphapp.lab_cli import plot_options

    plot_options(c)


def _plot(run: _Evaluated) -> int:
    from graphapp.lab_cli import plot

    return _lab_reply(plot, run)


def _lab_reply(command: Callable[[Any], Any], run: _Evaluated) -> int:
    """Run a derivative-lab command (:mod:`graphapp.lab_cli`) and print its reply."""
    from graphapp.lab_cli import LabError, Request

    try:
        reply = command(Request(run.args, run.doc.graph, run.require_output(), run.overrides))
    except LabError as exc:
        raise CliError(str(exc), exc.code) from None
    if reply.json is not None:
        _print(reply.json, True)
    elif reply.text is not None:
        _print(reply.text, False)
    return 0


def _export_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("-o", "--out", required=True, metavar="OUT", help="the picture to write")
    c.add_argument("--output", metavar="NAME")
    c.add_argument("--no-grads", action="store_true", help="show values only")
    c.add_argument("--answers", action="store_true",
                   help="a file with a quiz: show the numbers it hides (the answer key); "
                        "without it they are drawn as ?, an exercise sheet")
    c.add_argument("--rankdir", choices=["LR", "TB", "RL", "BT"], default="LR",
                   help="layout direction (default LR: inputs on the left)")
    c.add_argument("--time-limit", type=float, default=120.0, metavar="SECONDS",
                   help="stop Graphviz's dot after this long (default 120)")


def _export(run: _Evaluated) -> int:
    from graphapp import api
    from graphapp.formats.graphviz_export import DotFailed, DotMissing

    args = run.args
    output = run.require_output()
    back = None if args.no_grads else api.backward(run.doc, output, fwd=run.fwd)
    hidden = None
    if back is not None and run.doc.quiz is not None and not args.answers:
        from graphapp.lab.quiz import hidden_numbers

        hidden = hidden_numbers(run.doc.graph, output, run.doc.quiz, back=back)
    try:
        api.export(run.doc, args.out, output, grads=not args.no_grads, rankdir=args.rankdir,
                   fwd=run.fwd, back=back, time_limit=args.time_limit, hidden=hidden)
    except (DotMissing, DotFailed) as exc:
        raise CliError(f"graphapp: {exc}", 1) from None
    except ValueError as exc:
        raise CliError(f"graphapp: {exc}", 2) from None
    except OSError as exc:
        raise CliError(f"graphapp: cannot write {args.out}: {exc.strerror or exc}", 1) from None
    return 0


def _forward_mode(args: argparse.Namespace, doc: GraphFile, fwd: Forward, output: str) -> tuple:
    """Tangents from ``--wrt`` (totals) and one pass per edge leaving it (partials)."""
    from graphapp import api

    wrt = args.wrt
    if wrt not in doc.graph or not doc.graph.op(wrt).is_input:
        raise CliError(f"{args.file}: --wrt {wrt}: not an input", 2)
    direction = None
    if args.direction is not None:
        direction = _number_or_list(f"--direction {args.direction}", args.direction)
    try:
        total = api.tangents(doc, wrt, direction, fwd=fwd)
        partials = [((wrt, dst, slot), api.tangents(doc, wrt, direction, fwd=fwd,
                                                    only_edge=(wrt, dst, slot)).values[output])
                    for dst, slot in doc.graph.consumers(wrt)]
    except ValueError as exc:  # an array input needs a direction of its shape
        hint = " (add --direction [..])" if "direction" in str(exc) else ""
        raise CliError(f"graphapp: --wrt {wrt}: {exc}{hint}", 2) from None
    return doc, output, total, partials


def _convert_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("file")
    c.add_argument("-o", "--out", required=True, metavar="OUT",
                   help="OUT.graph.json or OUT.expr")


def _convert(args: argparse.Namespace) -> int:
    from graphapp import api
    from graphapp.formats.io import kind_of

    doc = _load(args.file)
    try:
        kind_of(args.out)
    except ValueError as exc:
        raise CliError(f"graphapp: {exc}", 2) from None
    if kind_of(args.out) == "expr":
        renamed = [n for n in doc.graph if "#" not in n and not _is_expr_name(n)]
        if renamed:
            print(f"graphapp: note: .expr names must be identifiers; renamed "
                  f"{', '.join(repr(n) for n in renamed[:5])}"
                  f"{' and more' if len(renamed) > 5 else ''} (to t1, t2, …)", file=sys.stderr)
    try:
        api.save(doc, args.out)
    except ValueError as exc:  # nan cannot be written as .expr
        raise CliError(f"graphapp: cannot write {args.out}: {exc}", 1) from None
    except OSError as exc:
        raise CliError(f"graphapp: cannot write {args.out}: {exc.strerror or exc}", 1) from None
    return 0


def _is_expr_name(name: str) -> bool:
    import keyword

    return name.isidentifier() and not keyword.iskeyword(name)


def _load(path: str) -> GraphFile:
    from graphapp import api
    from graphapp.formats import FormatError

    try:
        return api.load(path)
    except FormatError as exc:
        raise CliError(str(exc), 2) from None


def _overrides(path: str, doc: GraphFile, assignments: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in assignments:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise CliError(f"graphapp: --set {item!r}: expected NAME=VALUE", 2)
        if name not in doc.graph:
            raise CliError(f"{path}: --set {name}: no such node", 2)
        if not doc.graph.op(name).is_input:
            raise CliError(f"{path}: --set {name}: only inputs can be set, and {name!r} is "
                           f"a {doc.graph.op(name).name} node", 2)
        out[name] = _number_or_list(f"--set {name}", text)
    return out


def _number_or_list(what: str, text: str) -> Any:
    """A number (nan and inf allowed) or a JSON list of numbers, as a node value."""
    import json

    from graphapp.engine import as_value
    from graphapp.formats.text import from_json_value

    word = text.strip().lower()
    try:
        return as_value(from_json_value(word) if word in ("nan", "inf", "-inf")
                        else json.loads(text))
    except (ValueError, TypeError) as exc:
        detail = str(exc) if "list" in str(exc) else "not a number or a JSON list of numbers"
        raise CliError(f"graphapp: {what}: {text!r}: {detail}", 2) from None


def _where(path: str, doc: GraphFile, node: str) -> str:
    """``FILE:LINE:1`` for the line a node was read from (``FILE`` when unknown)."""
    line = doc.lines.get(node) if hasattr(doc, "lines") else None
    return f"{path}:{line}:1" if line else path


def _warn_nonfinite(fwd: Forward) -> None:
    if fwd.nonfinite is not None:
        print(f"graphapp: note: {fwd.nonfinite.message}; values downstream may be nan or inf",
              file=sys.stderr)


def _print(result: Any, as_json: bool) -> None:
    if as_json:
        # orjson writes the same JSON as the json module, ten times faster on large graphs,
        # and finite numpy arrays itself (the reports hand them over as they are). Imported
        # here: it imports uuid, datetime and platform, which `graphapp open` does not need.
        import orjson

        _say(orjson.dumps(result, option=orjson.OPT_APPEND_NEWLINE
                          | orjson.OPT_SERIALIZE_NUMPY))
    else:
        _say(result)


def _say(data: str | bytes) -> None:
    """Write a result to stdout (text gets a newline) and flush it at once, so that a full
    disk or a closed stdout is reported here, in one line, and not by Python at exit."""
    stream = sys.stdout
    if stream is None:  # started with stdout closed (`>&-`)
        raise CliError("graphapp: cannot write output: standard output is closed", 1)
    with _writing_stdout():
        if isinstance(data, str):
            stream.write(data + "\n")
        elif getattr(stream, "buffer", None) is None:  # a text stream (tests, embedding)
            stream.write(data.decode("utf-8"))
        else:
            stream.flush()
            stream.buffer.write(data)
        stream.flush()


@contextlib.contextmanager
def _writing_stdout() -> Iterator[None]:
    """Turn a failed write to stdout into one line (exit 1)."""
    try:
        yield
    except BrokenPipeError:
        raise  # the reader went away (`| head`): not an error, see main()
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        _drop_stdout()
        why = (exc.strerror if isinstance(exc, OSError) and exc.strerror
               else "standard output is closed")
        raise CliError(f"graphapp: cannot write output: {why}", 1) from None


def _finish(code: int) -> int:
    """Flush what is left for stdout (help text, say): a failure is one line and exit 1."""
    if sys.stdout is None:
        return code
    try:
        with _writing_stdout():
            sys.stdout.flush()
    except CliError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    return code


def _unexpected_os_error(exc: OSError) -> int:
    """One line for an ``OSError`` no command caught: about stdout if stdout is what fails
    (a full disk under `train`), else about the file it names."""
    try:
        with _writing_stdout():
            if sys.stdout is not None:
                sys.stdout.flush()
    except CliError as failed:
        print(failed, file=sys.stderr)
        return failed.code
    if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EIO, errno.EBADF):
        _drop_stdout()
        where = "cannot write output: "
    else:
        where = f"{exc.filename}: " if exc.filename else ""
    print(f"graphapp: {where}{exc.strerror or exc}", file=sys.stderr)
    return 1


def _drop_stdout() -> None:
    """Point stdout at the null device, so that what is still buffered for it cannot fail
    again (with a second message) when Python flushes it at exit."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (AttributeError, OSError, ValueError):
        pass  # no real file behind stdout: nothing will be flushed at exit


def _bench_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("--json", action="store_true", help="print JSON")
    c.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    c.add_argument("--repeat", type=int, default=None, help="runs per figure (median)")
    c.add_argument("--gui", action="store_true", help="also time the window (start-up against a "
                   "bare PySide6 window; a 1,000-node graph)")
    c.add_argument("--only", nargs="+", metavar="PART",
                   choices=("rerun", "training", "process", "load", "lab", "gui"),
                   help="measure only these parts: rerun, training, process, load, lab, gui")


def _bench(args: argparse.Namespace) -> int:
    from graphapp.bench import run_bench

    return run_bench(json_out=args.json, quick=args.quick, repeat=args.repeat, gui=args.gui,
                     only=args.only)


def _train_options(c: argparse.ArgumentParser) -> None:
    from graphapp.train.command import add_options

    add_options(c)
    w = c.add_argument_group("window")
    w.add_argument("--gui", action="store_true",
                   help="open the training panel on these settings (it trains --epochs first "
                        "if given, then waits for Play)")
    w.add_argument("--screenshot", metavar="OUT.png",
                   help="train as without it, then render the training panel offscreen to "
                        "this PNG and exit")
    w.add_argument("--size", default="1400x900", metavar="WxH",
                   help="with --screenshot: the panel's size")


def _train(args: argparse.Namespace) -> int:
    if args.gui or args.screenshot:
        try:
            from graphapp.gui.training.command import train_command
        except ImportError as exc:
            raise CliError(f"graphapp: the window cannot start: {exc}", 1) from None
        return train_command(args)
    from graphapp.train.command import run

    return run(args)


def _no_options(c: argparse.ArgumentParser) -> None:
    """For commands that take no options."""


def _examples(args: argparse.Namespace) -> int:
    from graphapp.paths import examples

    for path in examples():
        from graphapp.formats.expr import lesson_of

        lesson = lesson_of(path.read_text(encoding="utf-8")).split("\n")
        _say(f"{path.name}\n    " + "\n    ".join(lesson) + "\n")
    return 0


def _ops(args: argparse.Namespace) -> int:
    from graphapp.engine import iter_ops

    lines = []
    for spec in iter_ops():
        lines.append(f"{spec.name:9} {spec.symbol:5} {spec.description}")
        lines.extend(f"{'':16}{spec.render_formula(s)}" for s in range(spec.arity))
    _say("\n".join(lines))
    return 0


def _open_options(c: argparse.ArgumentParser) -> None:
    c.add_argument("file", nargs="?", help="an .expr or .graph.json file")
    c.add_argument("--screenshot", metavar="OUT.png", help="render the window offscreen to "
                                                           "this PNG and exit")
    c.add_argument("--backward", action="store_true", help="with --screenshot: show the "
                                                           "backward pass")
    c.add_argument("--step", type=int, default=None, metavar="N",
                   help="with --screenshot: stop the backward pass after N steps")
    c.add_argument("--size", default="1400x900", metavar="WxH", help="window size")
    c.add_argument("--select", metavar="NODE", help="with --screenshot: select this node, so "
                                                     "the inspector explains it")
    c.add_argument("--lab", metavar="DOCK", help="with --screenshot: show this derivative-lab "
                   "dock (nudge, check, partial, trace)")


def _open(args: argparse.Namespace) -> int:
    path = Path(args.file) if args.file else default_example()
    try:
        from graphapp.gui.launch import launch
    except ImportError as exc:  # the window is not installed/buildable here: say so
        raise CliError(f"graphapp: the window cannot start: {exc}", 1) from None
    return launch(path, screenshot=args.screenshot, backward=args.backward, step=args.step,
                  size=args.size, select=args.select, lab=args.lab)


# --------------------------------------------------------------------- the table
#: Every command, in the order ``graphapp -h`` lists them. A new command is one entry here.
COMMANDS: tuple[Command, ...] = (
    Command("eval", "Print every node's forward value.", _eval_options,
            _graph_command(_eval), reads_graph=True),
    Command("grad", "Print values, gradients and each edge's local derivative and carried "
                    "gradient.", _grad_options, _graph_command(_grad), reads_graph=True),
    Command("check", "Compare backprop with central finite differences for every input; exit 1 "
                     "if any disagree.", _check_options, _graph_command(_check),
            reads_graph=True),
    Command("plot", "Plot the output over one input (f, df/dx, the tangent) or two (f and its "
                    "gradient field): JSON, a table, or a .png/.svg picture.",
            _plot_options, _graph_command(_plot), reads_graph=True),
    Command("export", "Draw the graph with Graphviz: .svg, .png, .pdf or .dot.",
            _export_options, _graph_command(_export), reads_graph=True),
    Command("convert", "Convert between .expr and .graph.json.", _convert_options, _convert),
    Command("train", "Train a small network on a 2-D data set through the engine (a progress "
                     "bar, or JSON lines).", _train_options, _train, collect_garbage=True),
    Command("bench", "Measure speed (forward+backward, MLP steps, a whole `grad` run against "
                     "micrograd).", _bench_options, _bench,
            description="Measure speed. Quotes medians of several runs.", collect_garbage=True),
    Command("open", "Open a graph in the window (optionally render a screenshot and exit).",
            _open_options, _open, description="Open a graph in the window.",
            collect_garbage=True),
    Command("examples", "List the bundled examples and their lessons.", _no_options, _examples),
    Command("ops", "List the op table: every op and its local derivatives.", _no_options, _ops),
)
_BY_NAME = {command.name: command for command in COMMANDS}


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; with ``only``, that command's sub-parser alone (the others'
    options may import much: ``train``'s read the training package, numpy and networkx; and
    building a dozen sub-parsers is a tenth of ``graphapp grad``'s time on a small graph)."""
    p = _Parser(
        prog="graphapp",
        description="A lab for the chain rule: values, gradients and per-edge derivatives of "
                    "expression graphs. With no command, opens the window.",
        epilog="Files: .expr scripts (a = 2.0 / L = (a*b + c) * f) or .graph.json. "
               "`graphapp COMMAND -h` explains each command.")
    p.add_argument("--version", action="version", version=f"graphapp {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS if only is None else [_BY_NAME[only]]:
        c = sub.add_parser(command.name, help=command.help,
                           description=command.description or command.help)
        if command.reads_graph:
            c.add_argument("file", help="an .expr or .graph.json file")
            c.add_argument("--set", metavar="NAME=VALUE", action="append", default=[],
                           help="give an input another value for this run (a number or a JSON "
                                "list); may be repeated")
        command.options(c)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (``sys.exit(main())``)."""
    # One BLAS thread unless the user asks for more: graphapp's matrices are small (an MLP of
    # 16-wide layers, batches of 200), where OpenBLAS's thread pool trains no faster (4,750
    # against 4,410-4,540 steps/s measured) and starting it is 30-80 ms of numpy's import.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0] not in _BY_NAME and not args_list[0].startswith("-")):
        first = args_list[0] if args_list else ""
        if first and not Path(first).exists() and not first.endswith((".expr", ".json")):
            print(f"graphapp: {first!r} is neither a command nor a file; commands: "
                  f"{', '.join(_BY_NAME)} (graphapp -h explains them)", file=sys.stderr)
            return 2
        args_list.insert(0, "open")  # `graphapp` and `graphapp FILE` open the window
    if args_list[0] == "plot":
        from graphapp.lab_cli import join_ranges

        args_list = join_ranges(args_list)
    try:
        only = args_list[0] if args_list[0] in _BY_NAME else None
        args = _parser(only).parse_args(args_list)
    except SystemExit as exc:  # argparse already printed usage or help
        return _finish(int(exc.code or 0))
    command = _BY_NAME[args.command]
    collecting = gc.isenabled()
    if not command.collect_garbage:
        gc.disable()
    try:
        return _finish(command.run(args))
    except CliError as exc:
        print(exc, file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. `graphapp grad big.expr | head`
        _drop_stdout()
        return 0
    except OSError as exc:  # a command that printed on its own (`train`) into a full disk
        return _unexpected_os_error(exc)
    except MemoryError:  # sizes are checked before allocating; this is the last resort
        print("graphapp: out of memory: the arrays of this graph do not fit", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    finally:
        if collecting:
            gc.enable()  # a caller (a test, a notebook) gets its collector back
