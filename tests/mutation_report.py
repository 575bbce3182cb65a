"""Kill rates of the last mutation run (``make mutate``), per package and per module, read from
mutmut's result files (``mutants/**/*.py.meta``).

A mutant is *killed* when a test failed on it (or it ran past its time limit, which a test run
also notices); it *survived* when every test passed, or when no test reaches its code at all.
Mutants not yet checked (a run stopped early) are counted apart and left out of the rate.

    python tests/mutation_report.py               # the table
    python tests/mutation_report.py --survivors graphapp.engine.plan   # who survived there
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

KILLED = {1: "killed", 3: "killed", 36: "timeout", 24: "timeout", -24: "timeout",
          152: "timeout", 255: "timeout"}
SURVIVED = {0: "survived", 5: "no tests", 33: "no tests", 35: "suspicious"}


def results(root: Path = Path("mutants")) -> dict[str, dict[str, int | None]]:
    """``{module: {mutant name: exit code or None}}`` for every mutated module."""
    out: dict[str, dict[str, int | None]] = {}
    for meta in sorted(root.rglob("*.py.meta")):
        module = ".".join(meta.relative_to(root).with_suffix("").with_suffix("").parts)
        codes = json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]
        if codes:
            out[module] = codes
    return out


def tally(codes: dict[str, int | None]) -> Counter:
    """How many mutants were killed, survived, or not checked."""
    count: Counter = Counter()
    for code in codes.values():
        if code is None:
            count["not checked"] += 1
        elif code in KILLED:
            count["killed"] += 1
        elif code in SURVIVED:
            count["survived"] += 1
        else:
            count["other"] += 1
    return count


def _rate(c: Counter) -> str:
    judged = c["killed"] + c["survived"] + c["other"]
    return f"{100 * c['killed'] / judged:5.1f} %" if judged else "    –"


def table(data: dict[str, dict[str, int | None]]) -> str:
    """One line per module and one per package: mutants, killed, survived, unchecked, rate."""
    lines = [f"{'module':36} {'mutants':>7} {'killed':>7} {'survived':>8} {'unchecked':>9}  rate"]
    packages: dict[str, Counter] = {}
    for module, codes in data.items():
        c = tally(codes)
        packages.setdefault(module.rsplit(".", 1)[0], Counter()).update(c)
        lines.append(f"{module:36} {len(codes):7} {c['killed']:7} {c['survived']:8} "
                     f"{c['not checked']:9}  {_rate(c)}")
    for package, c in packages.items():
        total = sum(c.values())
        lines.append(f"{package + ' (all)':36} {total:7} {c['killed']:7} {c['survived']:8} "
                     f"{c['not checked']:9}  {_rate(c)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--survivors", metavar="PREFIX",
                        help="list the surviving mutants whose names start with PREFIX")
    args = parser.parse_args()
    data = results()
    if not data:
        raise SystemExit("no mutation results: run `make mutate` first")
    if args.survivors:
        for codes in data.values():
            for name, code in codes.items():
                if name.startswith(args.survivors) and code in SURVIVED:
                    print(f"{name}  ({SURVIVED[code]})")
        return
    print(table(data))


if __name__ == "__main__":
    main()
