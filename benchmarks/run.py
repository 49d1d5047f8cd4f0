"""Every speed target of mc_sparsity in one run: one row per target, its value, the target and a verdict.

Run from the repository's root::

    python benchmarks/run.py                      # everything (about 15 minutes on 2 quiet cores)
    python benchmarks/run.py --quick              # a smoke run of everything (under a minute on a quiet machine)
    python benchmarks/run.py --only scaling,correlated --repeats 5

Parts (``--only``): startup, orthonormal, scaling, correlated, recovery,
tails, and transition when ``benchmarks/transition.py`` is present (a module
with ``cases``/``rows`` joins the rounds; one with only a command line is run
once after them and its ratio reported).  Every case of every selected part
runs once per round, for ``--repeats`` rounds (round-robin: a burst of load
hits the two sides of a ratio alike); values are medians, ratios are ratios of
medians of the same run.  The machine's load is printed before and after, and
every timing says how many cores other processes used meanwhile.  A quick run's
counts are too small for the targets: its verdicts say whether the code runs,
not whether it is fast.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package and benchmarks

from benchmarks import correlated, orthonormal, scaling, startup, tails  # noqa: E402
from benchmarks import recovery  # noqa: E402
from benchmarks.harness import ROOT, Row, run_interleaved, summarize, warm  # noqa: E402

PARTS = {module.NAME: module for module in (startup, orthonormal, scaling, correlated, recovery, tails)}
ALL = (*PARTS, "transition")


def _warm_commands(parts) -> list[list[str]]:
    """One untimed run of every kernel the timed commands use (compiled, or loaded from numba's cache)."""
    out = []
    if parts & {"startup", "orthonormal", "scaling"}:
        out += [orthonormal.cli_args(p, 1) for p in (2, 10, 100)]
    if "correlated" in parts:
        out += [correlated.corr_args(1), correlated.corr_args(1, True)]
    if "tails" in parts:
        out.append(["simulate", "--beta", "7.5", "7.5", "--lam", "0.3", "--method", "is", "--reps", "10", "--json"])
    return out


def _transition(quick: bool, repeats: int):
    """The transition part: a module with ``cases``/``rows``, else its command line run once, else absent."""
    path = Path(ROOT) / "benchmarks" / "transition.py"
    if not path.exists():
        return None, [Row("transition trials at d = 100 vs scipy linprog(highs) per trial",
                          "not measured: benchmarks/transition.py absent", "measured", "-")]
    try:
        module = importlib.import_module("benchmarks.transition")
    except Exception as exc:  # its own imports may fail on a checkout without the package's transition
        return None, [Row("transition trials at d = 100 vs scipy linprog(highs) per trial",
                          f"not measured: {type(exc).__name__}: {exc}"[:120], "measured", "FAIL")]
    if hasattr(module, "cases") and hasattr(module, "rows"):
        return module, []
    args = ["--repeats", "1", "--trials", "6"] if quick else ["--repeats", str(max(3, repeats))]
    out = subprocess.run([sys.executable, str(path), *args], capture_output=True, text=True, cwd=ROOT)
    found = re.search(r"fast / linprog = ([0-9.]+)", out.stdout)
    value = f"{float(found.group(1)):.1f}x" if found and out.returncode == 0 else f"failed: {out.stderr[-100:]}"
    return None, [Row("transition trials at d = 100 (s = 10, m = 25/33/45): ours / scipy linprog(highs) per trial",
                      value, "measured", "-" if found else "FAIL")]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(ALL), metavar="PARTS", help=f"comma-separated: {','.join(ALL)}")
    parser.add_argument("--quick", action="store_true", help="small counts, one round: a smoke run")
    parser.add_argument("--repeats", type=int, default=3, help="rounds (default 3; --quick: 1)")
    parser.add_argument("--json-out", metavar="FILE", help="also write the summary and the rows as JSON")
    args = parser.parse_args(argv)
    args.only = tuple(p.strip() for p in args.only.split(",") if p.strip())
    unknown = [p for p in args.only if p not in ALL]
    if unknown or not args.only:
        parser.error(f"--only: parts are {', '.join(ALL)}; got {', '.join(unknown) or 'none'}")
    if args.repeats < 1:
        parser.error("--repeats: must be >= 1")
    if args.quick:
        args.repeats = 1
    return args


def _load() -> str:
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:  # pragma: no cover
        return "?"


def print_table(rows: list[Row]) -> None:
    print("| measure | value | target | verdict |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(f"| {row.measure} | {row.value} | {row.target} | {row.verdict} |")


def main(argv=None) -> int:
    args = parse_args(argv)
    import numba
    import numpy as np

    print(f"{platform.processor() or platform.machine()}, {scaling.usable_cores()} usable cores; Python "
          f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}; load average {_load()}; "
          f"{args.repeats} round(s){' (quick: counts too small for the targets)' if args.quick else ''}")
    parts = [PARTS[name] for name in args.only if name in PARTS]
    context: dict = {}
    extra_rows: list[Row] = []
    if "transition" in args.only:
        module, extra_rows = _transition(args.quick, args.repeats)
        if module is not None:
            parts.append(module)
    for command in _warm_commands(set(args.only)):
        warm(command)
    plan = [(part, part.cases(part.QUICK if args.quick else part.FULL, context)) for part in parts]
    cases = [case for _, part_cases in plan for case in part_cases]
    print(f"{len(cases)} cases x {args.repeats} round(s) ...", file=sys.stderr, flush=True)
    summary = summarize(cases, run_interleaved(cases, args.repeats))
    rows = [row for part, _ in plan for row in part.rows(summary, context)] + extra_rows
    contended = max((row["other_cores_max"] for row in summary.values()), default=0.0)
    print(f"\nload average after: {_load()}; other processes used at most {contended:.2f} cores during a timed run\n")
    print_table(rows)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"args": vars(args), "summary": summary, "rows": [vars(r) for r in rows]}, f, indent=1,
                      default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
