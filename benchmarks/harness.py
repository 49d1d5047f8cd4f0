"""The benchmark harness: cases run round-robin, medians, ratios of medians, rows with a target and a verdict.

A *case* is a function returning a dict with at least ``seconds``, the
replications it ran and (optionally) the normals it drew.  :func:`run_interleaved`
runs every case once per round, round after round, so that a burst of load on a
shared machine hits every case of a ratio alike; :func:`summarize` takes
medians.  A part of the benchmark (``orthonormal``, ``scaling``, ...) is a
module with ``cases(config, context)`` and ``rows(summary, context)``; a *row*
is (measure, value, target, verdict) with the verdict PASS, FAIL, or ``-``
(reported only).

Everything that runs the package runs *this checkout's* package: the command
line as ``python -m mc_sparsity`` with the repository root first on
``PYTHONPATH`` (the ``mc-sparsity`` script on ``PATH`` may belong to another
checkout).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numba
import numpy as np

__all__ = ["ROOT", "Case", "Row", "run_interleaved", "summarize", "ratio_row", "at_most_row", "time_limit",
           "run_cli", "run_process", "package_env", "simulate_args", "measure", "warm", "CONTENDED"]

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

#: A run during which other processes used more than this many cores is flagged.
CONTENDED = 0.25


@dataclass
class Case:
    """One timed measure: ``function()`` returns a dict with ``seconds`` (and anything else to keep)."""

    name: str
    function: object
    reps: int
    normals: int | None = None


@dataclass
class Row:
    measure: str
    value: str
    target: str = "-"
    verdict: str = "-"


def ratio_row(measure: str, ratio: float, target: float | None, unit: str = "", digits: int = 2) -> Row:
    """A row whose value must be at least ``target`` (``None``: reported only)."""
    value = f"{ratio:,.{digits}f}{unit}"
    if target is None:
        return Row(measure, value)
    return Row(measure, value, f">= {target:,g}{unit}", "PASS" if ratio >= target else "FAIL")


def at_most_row(measure: str, value: float, target: float, unit: str = " s") -> Row:
    return Row(measure, f"{value:.3f}{unit}", f"<= {target:g}{unit}", "PASS" if value <= target else "FAIL")


# ---------------------------------------------------------------- the limit
@numba.njit(cache=True)
def _sum_normals(rng, n):  # pragma: no cover - compiled
    """Draw ``n`` standard normals from ``rng`` and sum them (so that nothing is optimised away)."""
    total = 0.0
    for _ in range(n):
        total += rng.standard_normal()
    return total


def time_limit(n_normals: int) -> dict:
    """The limit of every kernel: seconds to draw ``n_normals`` PCG64 normals in compiled code."""
    _sum_normals(np.random.default_rng(0), 10)  # compiled, or loaded from the cache, beforehand
    rng = np.random.Generator(np.random.PCG64(12345))
    start = time.perf_counter()
    _sum_normals(rng, n_normals)
    return {"seconds": time.perf_counter() - start}


# ---------------------------------------------------------------- contention
def _machine_busy_seconds() -> float | None:
    """CPU seconds spent by every process of the machine so far (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    import resource

    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))


def measure(function) -> dict:
    """Call ``function`` and add ``other_cores``: the CPU other processes used meanwhile, in cores."""
    busy0, own0, start = _machine_busy_seconds(), _own_cpu_seconds(), time.perf_counter()
    out = function()
    busy1, own1, wall = _machine_busy_seconds(), _own_cpu_seconds(), time.perf_counter() - start
    if busy0 is not None and busy1 is not None and wall > 0:
        out["other_cores"] = max(0.0, (busy1 - busy0) - (own1 - own0)) / wall
    return out


def run_interleaved(cases: list[Case], repeats: int, log=sys.stderr) -> dict:
    """Every case once per round, ``repeats`` rounds; name -> list of result dicts."""
    runs = {case.name: [] for case in cases}
    for r in range(repeats):
        for case in cases:
            out = measure(case.function)
            runs[case.name].append(out)
            extra = f", others {out['other_cores']:.2f} cores" if "other_cores" in out else ""
            if out.get("other_cores", 0.0) > CONTENDED:
                extra += " (contended)"
            print(f"  [{r + 1}/{repeats}] {case.name:<34} {out['seconds']:8.3f} s  "
                  f"{case.reps / out['seconds']:11.4g} reps/s{extra}", file=log, flush=True)
    return runs


def summarize(cases: list[Case], runs: dict) -> dict:
    """Per case: median seconds, replications/s, normals/s, and the median of every other number it reported."""
    summary = {}
    for case in cases:
        results = runs[case.name]
        seconds = statistics.median(r["seconds"] for r in results)
        row = {"seconds": seconds, "reps": case.reps, "reps_per_s": case.reps / seconds,
               "all_seconds": [r["seconds"] for r in results]}
        if case.normals is not None:
            row["normals_per_s"] = case.normals / seconds
        for key, value in results[0].items():
            if key not in row and isinstance(value, (int, float)) and not isinstance(value, bool):
                row[key] = statistics.median(r[key] for r in results)
        row["other_cores_max"] = max((r.get("other_cores", 0.0) for r in results), default=0.0)
        summary[case.name] = row
    return summary


# ---------------------------------------------------------------- the command line
def package_env(**extra) -> dict:
    """The environment of a command: this checkout's package first on the path."""
    env = dict(os.environ, **extra)
    env["PYTHONPATH"] = ROOT + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def simulate_args(beta, reps: int, *, lam: float | None = 0.5, radius: float | None = None, jobs: int = 1,
                  backend: str = "threading", extra=()) -> list[str]:
    """``simulate`` arguments: one seed, one core unless told, quiet, JSON out."""
    form = ["--lam", str(lam)] if radius is None else ["--radius", str(radius)]
    return ["simulate", "--beta", *map(str, beta), *form, "--reps", str(reps), "--seed", "1", "--jobs", str(jobs),
            "--backend", backend, "--quiet", "--json", *extra]


# A tiny process that runs the command and reports the command's own wall time and
# peak RSS.  Why not from here: on Linux a child's ru_maxrss starts at the RSS of the
# process it was forked from, so a child of this benchmark (numba, scikit-learn loaded)
# would report at least this process's RSS.
_WRAPPER = """
import json, os, subprocess, sys, time
start, epoch = time.perf_counter(), time.time()
proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
seconds, end_epoch = time.perf_counter() - start, time.time()
with open(sys.argv[1], "w") as f:
    json.dump({"seconds": seconds, "status": os.waitstatus_to_exitcode(status), "maxrss": usage.ru_maxrss,
               "cpu": usage.ru_utime + usage.ru_stime, "start_epoch": epoch, "end_epoch": end_epoch}, f)
"""


def run_process(cmd: list[str], env: dict | None = None) -> tuple[dict, str, str]:
    """Run ``cmd`` under the wrapper: (measured, stdout, stderr); raises if it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        out = subprocess.run([sys.executable, "-S", "-c", _WRAPPER, report, *cmd], capture_output=True, text=True,
                             env=env if env is not None else package_env(), cwd=ROOT)
        if out.returncode != 0 or not os.path.exists(report):
            raise RuntimeError(f"wrapper of {' '.join(cmd)} failed:\n{out.stderr}")
        with open(report) as f:
            measured = json.load(f)
    if measured["status"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {measured['status']}:\n{out.stderr[-2000:]}")
    measured["rss_mb"] = measured["maxrss"] / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return measured, out.stdout, out.stderr


def run_cli(args: list[str], reps: int | None = None) -> dict:
    """``python -m mc_sparsity ARGS`` once: wall seconds (start-up included), CPU seconds, peak RSS (MB)."""
    measured, stdout, _ = run_process([sys.executable, "-m", "mc_sparsity", *args])
    out = {"seconds": measured["seconds"], "cpu_s": measured["cpu"], "rss_mb": measured["rss_mb"]}
    if "--json" in args:
        result = json.loads(stdout)
        if reps is not None and result["reps"] != reps:
            raise RuntimeError(f"unexpected output of {' '.join(args)}: {stdout[:200]}")
        first = result["results"][0]
        for key in ("relative_error", "estimate", "exact"):
            if isinstance(first.get(key), (int, float)):
                out[key] = first[key]
    return out


def warm(args: list[str]) -> None:
    """Run a command once untimed: its kernels compiled, or loaded from numba's cache."""
    subprocess.run([sys.executable, "-m", "mc_sparsity", *args], capture_output=True, check=True,
                   env=package_env(), cwd=ROOT)
