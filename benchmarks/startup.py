"""Start-up: what is imported and loaded before the first block, and what runs after the last.

Cases:

* ``warm 1e5``: ``simulate --beta 1 0.3 --lam 0.5 --reps 1e5`` end to end, warm
  (numba's cache on disk), one core, as a user types it (target <= 0.6 s);
* ``python -c pass`` and ``import mc_sparsity.cli``: wall times of the bare
  interpreter and of the command's import;
* ``stamps``: the same command at ``--reps 1`` under a launcher that imports
  ``mc_sparsity.cli`` as the console script does and stamps (wall clock) the
  import, the first kernel call entered and returned (loading the cached
  machine code), the last block, the command's end and the process's end.

``importtime()`` (reported, not timed in rounds): the five largest cumulative
imports under ``mc_sparsity.cli`` from ``python -X importtime``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

from .harness import Case, Row, at_most_row, package_env, run_process, ROOT

__all__ = ["NAME", "FULL", "QUICK", "cases", "rows", "importtime"]

NAME = "startup"
FULL, QUICK = {}, {}
TARGET_WARM_S = 0.6
WARM = ["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e5"]

_LAUNCHER = """
import time
stamps = {"interpreter_ready": time.time()}
import dataclasses, json, os, sys
from mc_sparsity.cli import main
stamps["cli_imported"] = time.time()
from mc_sparsity._mc import engine as _engine
_run_task = _engine._run_task
def run_task(kernel, *args, **kwargs):
    function = kernel.function
    def timed(*a):
        stamps.setdefault("first_kernel_call", time.time())
        out = function(*a)
        stamps.setdefault("first_kernel_return", time.time())
        return out
    out = _run_task(dataclasses.replace(kernel, function=timed), *args, **kwargs)
    stamps["last_task_end"] = time.time()
    return out
_engine._run_task = run_task
try:
    code = main(sys.argv[1:])
finally:
    stamps["command_done"] = time.time()
    with open(os.environ["MC_SPARSITY_BENCH_STAMPS"], "w") as f:
        json.dump(stamps, f)
sys.exit(code)
"""
STAMPS = ("interpreter_ready", "cli_imported", "first_kernel_call", "first_kernel_return", "last_task_end",
          "command_done", "process_gone")


def _wall(cmd: list[str]) -> dict:
    return {"seconds": run_process(cmd)[0]["seconds"]}


def _stamps() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "stamps.json")
        cmd = [sys.executable, "-c", _LAUNCHER, *WARM[:-2], "--reps", "1", "--quiet"]
        measured, _, _ = run_process(cmd, package_env(MC_SPARSITY_BENCH_STAMPS=path))
        with open(path) as f:
            stamps = json.load(f)
    t0 = measured["start_epoch"]
    stamps["process_gone"] = measured["end_epoch"]
    out = {key: stamps[key] - t0 for key in STAMPS}
    out["seconds"] = out["first_kernel_call"]
    out["tail"] = out["process_gone"] - out["last_task_end"]
    return out


def importtime(n: int = 5) -> list[tuple[str, float]]:
    """``mc_sparsity.cli``'s import and the ``n`` largest other packages it pulls in (seconds), ``-X importtime``."""
    err = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mc_sparsity.cli"], capture_output=True,
                         text=True, check=True, env=package_env(), cwd=ROOT).stderr
    rows = []
    for line in err.splitlines():
        if line.startswith("import time:") and "self [us]" not in line:
            _, cumulative, name = line[len("import time:"):].split("|", 2)
            rows.append((name[1:].rstrip(), int(cumulative) / 1e6))  # "| name", indented 2 per level
    end = next(i for i, (name, _) in enumerate(rows) if name == "mc_sparsity.cli")
    start = max((i for i in range(end) if rows[i][0] == rows[i][0].lstrip()), default=-1) + 1
    under = [(name.strip(), s) for name, s in rows[start:end] if "." not in name and not name.strip().startswith("mc_sparsity")]
    return [("mc_sparsity.cli", rows[end][1])] + sorted(under, key=lambda r: -r[1])[:n]


def cases(counts: dict, context: dict) -> list[Case]:
    python = [sys.executable]
    return [Case("warm 1e5", lambda: _wall(python + ["-m", "mc_sparsity", *WARM]), 100_000, 200_000),
            Case("python -c pass", lambda: _wall(python + ["-c", "pass"]), 1),
            Case("import mc_sparsity.cli", lambda: _wall(python + ["-c", "import mc_sparsity.cli"]), 1),
            Case("stamps reps=1", _stamps, 1)]


def rows(summary: dict, context: dict) -> list[Row]:
    st = summary["stamps reps=1"]
    top = importtime()
    return [
        at_most_row("`simulate --beta 1 0.3 --lam 0.5 --reps 1e5` end to end, warm, 1 core",
                    summary["warm 1e5"]["seconds"], TARGET_WARM_S),
        Row("wall: python -c pass / import mc_sparsity.cli",
            f"{summary['python -c pass']['seconds']:.3f} / {summary['import mc_sparsity.cli']['seconds']:.3f} s"),
        Row("`--reps 1` stamps from process start: " + ", ".join(STAMPS[1:]),
            " / ".join(f"{st[key]:.3f}" for key in STAMPS[1:]) + " s"),
        Row("serial tail: last block -> process gone", f"{st['tail']:.3f} s"),
        Row("import mc_sparsity.cli (-X importtime) and its largest imports",
            ", ".join(f"{name} {s * 1e3:.0f} ms" for name, s in top)),
    ]
