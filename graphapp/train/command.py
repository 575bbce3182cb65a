"""``graphapp train``: train a network on a data set from the command line.

On a terminal it draws a progress bar (epoch, losses, accuracy) on stderr and prints a summary;
with ``--json`` it prints one JSON object per epoch as it trains and a summary object last.
Exit codes as for the other commands: 0 trained; 1 training diverged (the message names the
parameter and op, the last finite parameters are still saved if ``--save`` was given) or a file
could not be written; 2 the command line, the CSV file or the model file is wrong (nothing is
trained).

The options are declared here and the command is one entry in the command line's table.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TextIO

__all__ = ["add_options", "prepare", "run"]


class _Fail(Exception):
    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def add_options(c: argparse.ArgumentParser) -> None:
    """The options of ``graphapp train``."""
    from graphapp.train.datasets import DATASETS

    data = c.add_argument_group("data")
    src = data.add_mutually_exclusive_group()
    src.add_argument("--dataset", choices=list(DATASETS), metavar="NAME",
                     help=f"a generated data set: {', '.join(DATASETS)} (default moons)")
    src.add_argument("--csv", metavar="FILE",
                     help="your own points: columns x1,x2,label (header optional; labels "
                          "0…k−1 for classes, real numbers for regression)")
    data.add_argument("--points", type=int, metavar="N", help="number of points")
    data.add_argument("--noise", type=float, metavar="X", help="noise (the data set's own "
                                                               "scale; see the README)")
    data.add_argument("--test-share", type=float, metavar="F",
                      help="share of the points held out for testing (default 0.2)")
    net = c.add_argument_group("network")
    net.add_argument("--features", metavar="LIST",
                     help="input features, any of x1,x2,x1sq,x2sq,x1x2,sinx1,sinx2 "
                          "(default x1,x2)")
    net.add_argument("--hidden", metavar="SIZES",
                     help="neurons per hidden layer, e.g. 16,16 (up to 6 layers of 64; "
                          "'none' for no hidden layer)")
    net.add_argument("--activation", choices=["tanh", "sigmoid", "relu", "linear"])
    net.add_argument("--slope", type=float, metavar="A",
                     help="the sigmoid's slope a in 1/(1+e^(−a·s)) (default 1)")
    net.add_argument("--loss", choices=["squared", "bce", "ce", "hinge"],
                     help="squared error, binary or categorical cross-entropy, hinge")
    net.add_argument("--init", choices=["xavier", "he", "uniform"],
                     help="weight initialisation (default xavier)")
    net.add_argument("--l1", type=float, metavar="X", help="L1 penalty on the weights")
    net.add_argument("--l2", type=float, metavar="X", help="L2 penalty on the weights")
    tr = c.add_argument_group("training")
    tr.add_argument("--optimizer", choices=["sgd", "momentum", "adam"])
    tr.add_argument("--lr", type=float, metavar="R", help="learning rate")
    tr.add_argument("--batch", type=int, metavar="B", help="batch size (1: stochastic "
                                                           "gradient descent)")
    tr.add_argument("--epochs", type=int, metavar="N", help="epochs to train")
    tr.add_argument("--patience", type=int, metavar="N",
                    help="also stop when the test loss has not improved for N epochs")
    tr.add_argument("--seed", type=int, default=0, metavar="S",
                    help="seed of the data, the initial weights and the shuffling")
    out = c.add_argument_group("files and output")
    out.add_argument("--save", metavar="MODEL.json", help="save the trained model")
    out.add_argument("--load", metavar="MODEL.json",
                     help="start from a saved model (its network and data); trains --epochs "
                          "more (default 0: only evaluate)")
    out.add_argument("--export", metavar="OUT",
                     help="draw the trained network's graph (.svg, .png, .pdf or .dot)")
    out.add_argument("--step-graph", metavar="OUT.expr",
                     help="write one training sample's forward pass and loss as a scalar "
                          ".expr graph, every weight an input (small networks)")
    out.add_argument("--sample", type=int, default=0, metavar="I",
                     help="the training sample the step graph shows (default 0)")
    out.add_argument("--json", action="store_true",
                     help="print one JSON object per epoch, then a summary object")


# --------------------------------------------------------------------- setting up
def _hidden(text: str) -> tuple[int, ...]:
    if text.strip().lower() in ("none", "0", ""):
        return ()
    try:
        return tuple(int(part) for part in text.split(","))
    except ValueError:
        raise _Fail(f"graphapp train: --hidden {text}: give sizes like 16,16", 2) from None


def _setup(args: argparse.Namespace) -> tuple[Any, Any, Any, Any, int]:
    """Data, model, trainer config, starting parameters and epochs, from the options."""
    from graphapp.train import datasets, io
    from graphapp.train.defaults import DEFAULTS
    from graphapp.train.loop import TrainConfig
    from graphapp.train.model import MLP, ModelConfig, parse_features

    saved = None
    if args.load:
        shape_options = [o for o in ("dataset", "csv", "points", "noise", "test_share",
                                     "features", "hidden", "activation", "slope", "loss",
                                     "init", "l1", "l2") if getattr(args, o) is not None]
        if shape_options:
            raise _Fail(f"graphapp train: --{shape_options[0].replace('_', '-')} cannot change "
                        f"a loaded model (its network and data come from {args.load})", 2)
        try:
            saved = io.load_model(args.load)
        except io.ModelFileError as exc:
            raise _Fail(str(exc), 2) from None
        if saved.recipe is None:
            raise _Fail(f"{args.load}: the model file has no data recipe to train on", 2)
        data = datasets.from_recipe(saved.recipe)
        model = saved.model
        t = saved.training
        training = TrainConfig(optimizer=args.optimizer or t.optimizer, lr=args.lr or t.lr,
                               batch=args.batch or t.batch, seed=t.seed)
        return data, model, training, saved, args.epochs or 0
    name = args.dataset or ("csv" if args.csv else "moons")
    d = DEFAULTS.get(name, DEFAULTS["csv"])
    if args.csv:
        for option in ("points", "noise"):
            if getattr(args, option) is not None:
                raise _Fail(f"graphapp train: --{option} is for generated data sets, not "
                            "--csv", 2)
        data = datasets.read_csv(args.csv, _pick(args.test_share, d.test_share), args.seed)
    else:
        data = datasets.make_dataset(name, _pick(args.points, d.points), args.noise,
                                     _pick(args.test_share, d.test_share), args.seed)
    features = parse_features(args.features) if args.features else (
        ("x1",) if data.dims == 1 else d.features)
    loss = args.loss or d.loss
    if args.loss is None and data.task == "classes" and data.n_classes > 2 and loss == "squared":
        loss = "ce"
    config = ModelConfig(features=features,
                         hidden=_hidden(args.hidden) if args.hidden is not None else d.hidden,
                         activation=args.activation or d.activation,
                         slope=_pick(args.slope, 1.0), loss=loss, init=args.init or d.init,
                         l1=_pick(args.l1, 0.0), l2=_pick(args.l2, 0.0))
    model = MLP(config, data.task, data.n_classes)
    training = TrainConfig(optimizer=args.optimizer or d.optimizer, lr=_pick(args.lr, d.lr),
                           batch=_pick(args.batch, d.batch), seed=args.seed)
    return data, model, training, None, _pick(args.epochs, d.epochs)


def _pick(value: Any, default: Any) -> Any:
    return default if value is None else value


# --------------------------------------------------------------------- reporting
class _Progress:
    """A one-line progress bar on a terminal (redrawn in place), nothing elsewhere."""

    def __init__(self, stream: TextIO, epochs: int) -> None:
        self.stream = stream
        self.epochs = epochs
        self.on = stream.isatty() and epochs > 0
        self._last = 0.0

    def show(self, epoch: int, metrics: Any, final: bool = False) -> None:
        now = time.perf_counter()
        if not self.on or (not final and now - self._last < 0.1):
            return
        self._last = now
        width = 24
        done = round(width * epoch / self.epochs)
        bar = "█" * done + "·" * (width - done)
        text = (f"\repoch {epoch:>{len(str(self.epochs))}}/{self.epochs} {bar} "
                f"loss {metrics.train_loss:.4f} (test {metrics.test_loss:.4f})")
        if metrics.train_accuracy is not None:
            text += (f"  accuracy {_pct(metrics.train_accuracy)} "
                     f"(test {_pct(metrics.test_accuracy)})")
        self.stream.write(text + ("\n" if final else ""))
        self.stream.flush()


def _pct(x: float | None) -> str:
    return "–" if x is None or math.isnan(x) else f"{100 * x:.1f} %"


def _num(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else x


def _metrics_json(m: Any) -> dict[str, Any]:
    return {"train_loss": _num(m.train_loss), "test_loss": _num(m.test_loss),
            "train_accuracy": m.train_accuracy, "test_accuracy": m.test_accuracy}


# --------------------------------------------------------------------- running
def run(args: argparse.Namespace) -> int:
    """Run ``graphapp train``; returns the exit code."""
    try:
        return _run(args)
    except _Fail as exc:
        print(exc, file=sys.stderr)
        return exc.code


def prepare(args: argparse.Namespace) -> tuple[Any, Any, Any, Any, int]:
    """Data, model, training settings, the loaded model (or None) and the epochs the options
    ask for (what the training panel opens on). Raises ``ValueError`` with a one-line
    message when the options, the CSV file or the model file are wrong."""
    try:
        return _prepared(args)
    except _Fail as exc:
        raise ValueError(str(exc)) from None


def _prepared(args: argparse.Namespace) -> tuple[Any, Any, Any, Any, int]:
    from graphapp.train import datasets

    try:
        return _setup(args)
    except datasets.CsvError as exc:
        raise _Fail(str(exc), 2) from None
    except OSError as exc:
        raise _Fail(f"{exc.filename}: cannot read: {exc.strerror}", 2) from None
    except ValueError as exc:
        raise _Fail(f"graphapp train: {exc}", 2) from None


def _run(args: argparse.Namespace) -> int:
    from graphapp.train.loop import Diverged, EpochRecord, Finished, Trainer, train

    data, model, training, saved, epochs = _prepared(args)
    if epochs < 0:
        raise _Fail("graphapp train: --epochs must be 0 or more", 2)
    if args.patience is not None and args.patience < 0:
        raise _Fail("graphapp train: --patience must be 0 or more", 2)
    trainer = Trainer(model, data, training, None if saved is None else saved.flat)
    if saved is not None:
        trainer.epoch, trainer.steps = saved.epochs, saved.steps
        if saved.state is not None:
            try:
                trainer.load_state(saved.state)
            except ValueError as exc:
                raise _Fail(f"{args.load}: {exc}", 2) from None
    progress = _Progress(sys.stderr, epochs)
    diverged = None
    finished = None
    metrics = trainer.evaluate()
    t0 = time.perf_counter()
    for record in train(trainer, epochs, patience=args.patience or 0):
        if isinstance(record, EpochRecord):
            metrics = record.metrics
            if args.json:
                print(json.dumps({"epoch": record.epoch, "steps": record.steps,
                                  **_metrics_json(metrics)}), flush=True)
            progress.show(record.epoch - (saved.epochs if saved else 0), metrics)
        elif isinstance(record, Diverged):
            diverged = record
        elif isinstance(record, Finished):
            finished = record
    seconds = time.perf_counter() - t0
    if diverged is not None:  # report the parameters kept, not the last epoch's
        metrics = trainer.evaluate()
    if progress.on and epochs and diverged is None:
        progress.show(trainer.epoch - (saved.epochs if saved else 0), metrics, final=True)
    elif progress.on and diverged is not None:
        sys.stderr.write("\n")
    summary = {"dataset": data.name, "features": list(model.config.features),
               "hidden": list(model.config.hidden), "activation": model.config.activation,
               "loss": model.config.loss, "optimizer": training.optimizer, "lr": training.lr,
               "batch": training.batch, "epochs": trainer.epoch, "steps": trainer.steps,
               "train_seconds": round(seconds, 4), **_metrics_json(metrics),
               "stopped": finished.reason if finished else "epochs",
               "train_points": len(data.x_train), "test_points": len(data.x_test),
               "parameters": model.n_params}
    code = 0
    if diverged is not None:
        summary["diverged"] = {"parameter": diverged.parameter, "node": diverged.node,
                               "op": diverged.op, "message": diverged.message}
        print(f"graphapp train: {diverged.message}", file=sys.stderr)
        code = 1
    code = max(code, _write_files(args, model, trainer, training, data, metrics, summary))
    if args.json:
        print(json.dumps(summary), flush=True)
    else:
        _print_summary(summary)
    return code


def _write_files(args: argparse.Namespace, model: Any, trainer: Any, training: Any,
                 data: Any, metrics: Any, summary: dict[str, Any]) -> int:
    """Write what ``--save``, ``--step-graph`` and ``--export`` ask for; the worst exit code."""
    from graphapp.formats.atomic import write_text_atomic
    from graphapp.train import io
    from graphapp.train.stepgraph import step_graph_text

    code = 0
    if args.save:
        saved = io.SavedModel(model, trainer.flat, replace(training, lr=trainer.lr),
                              data.recipe, trainer.epoch, trainer.steps, _metrics_json(metrics),
                              trainer.state())
        code = _writing("save", args.save, summary, lambda: io.save_model(args.save, saved))
    if args.step_graph:
        i = args.sample
        if not 0 <= i < len(data.x_train):
            print(f"graphapp train: --sample {i}: the training set has samples 0 to "
                  f"{len(data.x_train) - 1}", file=sys.stderr)
            return 2
        title = (f"Training sample {i} of {data.name} through the network after "
                 f"{trainer.epoch} epochs, and its loss.")

        def write_step() -> None:
            text = step_graph_text(model, trainer.flat, data.x_train[i],
                                   float(data.y_train[i]), title)
            write_text_atomic(args.step_graph, text)

        code = max(code, _writing("step-graph", args.step_graph, summary, write_step))
    if args.export:
        code = max(code, _writing("export", args.export, summary,
                                  lambda: _export(args.export, model, trainer, data)))
    return code


def _writing(option: str, path: str, summary: dict[str, Any],
             write: Callable[[], None]) -> int:
    """Run ``write``; report a failure in one line and return its exit code."""
    from graphapp.formats.graphviz_export import DotMissing

    try:
        write()
    except DotMissing as exc:
        print(f"graphapp train: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"graphapp train: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"graphapp train: --{option}: {exc}", file=sys.stderr)
        return 2
    summary[option.replace("-", "_")] = path
    return 0


def _export(path: str, model: Any, trainer: Any, data: Any) -> None:
    """Draw the network's graph, run on the first ten training points, with Graphviz."""
    from graphapp.formats.document import GraphFile
    from graphapp.formats.graphviz_export import export_graph

    graph = model.graph_with(trainer.flat)
    rows = slice(0, min(len(data.x_train), 10))
    graph.set_value("X", model.features(data.x_train[rows]))
    graph.set_value("T", model.targets(data.y_train[rows]))
    plan = graph.plan()
    fwd = plan.forward(graph)
    back = plan.backward(fwd, model.loss_node)
    doc = GraphFile(graph, model.loss_node, lesson=f"{data.name}: the network as matrices")
    export_graph(doc, path, fwd, back)


def _print_summary(s: dict[str, Any]) -> None:
    net = "-".join(map(str, [len(s["features"]), *s["hidden"], "out"]))
    lines = [f"{s['dataset']}: network {net} ({s['activation']}, {s['loss']} loss, "
             f"{s['parameters']} parameters), {s['optimizer']} lr {s['lr']:g} batch "
             f"{s['batch']}",
             f"trained {_count(s['epochs'], 'epoch')} ({_count(s['steps'], 'step')}) in "
             f"{s['train_seconds']:.2f} s"
             f", stopped by {s['stopped']}",
             f"loss: train {_fmt(s['train_loss'])}, test {_fmt(s['test_loss'])}"]
    if s["train_accuracy"] is not None:
        lines.append(f"accuracy: train {_pct(s['train_accuracy'])}, "
                     f"test {_pct(s['test_accuracy'])}")
    for key, what in (("save", "model saved to"), ("step_graph", "step graph written to"),
                      ("export", "network drawn to")):
        if key in s:
            lines.append(f"{what} {s[key]}")
    print("\n".join(lines))


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.4g}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
