"""``graphapp train [options] --gui`` and ``--screenshot OUT.png``: the training panel on the
settings the command line gives (a loaded model included), checked as the command line
checks them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["train_command"]


def train_command(args: argparse.Namespace) -> int:
    """``graphapp train [options] --gui`` or ``--screenshot OUT.png``: the panel on the
    settings the options give (a loaded model included). Returns the exit code."""
    import os

    from graphapp.gui.launch import _display_problem, _parse_size
    from graphapp.gui.training.session import Setup
    from graphapp.gui.training.window import run_window, screenshot

    if args.gui and args.screenshot:
        return _usage("--gui and --screenshot go separately")
    for option in ("save", "export", "step_graph", "json"):
        if getattr(args, option, None):
            return _usage(f"--{option.replace('_', '-')} goes without --gui and --screenshot "
                          "(the panel saves and exports from its window)")
    size = _parse_size(args.size)
    if size is None:
        return _usage(f"--size {args.size!r}: expected WIDTHxHEIGHT, e.g. 1400x900")
    if args.screenshot:
        if Path(args.screenshot).suffix.lower() != ".png":
            return _usage(f"--screenshot {args.screenshot}: the picture is a .png")
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from graphapp.train.command import prepare

    try:
        data, model, training, saved, epochs = prepare(args)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    problem = _display_problem()
    if problem:
        print(f"graphapp: {problem}", file=sys.stderr)
        return 1
    if args.patience is not None and args.patience < 0:
        return _usage("--patience must be 0 or more")
    setup = Setup(data, model.config, training, None if saved is None else saved.flat,
                  saved.epochs if saved else 0, saved.steps if saved else 0,
                  patience=args.patience or 0, state=saved.state if saved else None)
    if args.screenshot:
        return screenshot(setup, epochs, Path(args.screenshot), size)
    return run_window(setup, args.epochs or 0)


def _usage(message: str) -> int:
    print(f"graphapp train: {message}", file=sys.stderr)
    return 2
