"""Scaling: p = 2 end to end on every core against one core, per backend (threading, loky, dask).

Cases: ``simulate --estimator all`` at p = 2 with ``--jobs 1`` and with
``--jobs CORES --backend B`` for B = threading (target >= 1.8x with 2 cores),
loky (>= 1.6x) and dask (the command's own ``LocalCluster`` of CORES
one-thread workers, threads of the command: about 0.05 s to start and close,
plus 0.4 s to import dask.distributed; >= 1.5x); all print the same counts
(checked).  The start-up and the serial tail are in every run: they bound the
speed-up (see the ``startup`` part).  A second dask case, reported without a
verdict, runs the same command given ``--scheduler`` of a ``LocalCluster`` of
CORES one-thread worker *processes* that this benchmark starts once (its
workers warm after the first round), as a cluster started elsewhere would be.
"""

from __future__ import annotations

import json
import os
import sys

from .harness import Case, Row, ratio_row, run_process
from .orthonormal import cli_args

__all__ = ["NAME", "FULL", "QUICK", "cases", "rows", "usable_cores"]

NAME = "scaling"
FULL = {"reps": 1_000_000_000}
QUICK = {"reps": 20_000_000}
TARGETS = {"threading": 1.8, "loky": 1.6, "dask": 1.5}


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


_CLUSTER = []


def _scheduler(cores: int) -> str:
    """The address of a LocalCluster started once for the benchmark (closed at exit)."""
    if not _CLUSTER:
        import atexit
        import logging

        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=cores, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.CRITICAL)
        atexit.register(cluster.close)
        _CLUSTER.append(cluster)
    return _CLUSTER[0].scheduler_address


def _run(reps: int, jobs: int, backend: str, seen: dict, scheduler: str | None = None) -> dict:
    args = cli_args(2, reps, jobs, backend) + ([] if scheduler is None else ["--scheduler", scheduler])
    measured, stdout, _ = run_process([sys.executable, "-m", "mc_sparsity", *args])
    result = json.loads(stdout)
    counts = json.dumps([{k: v for k, v in r.items() if k in ("estimator", "successes", "zeros")}
                         for r in result["results"]], sort_keys=True)
    seen.setdefault(counts, []).append(f"{backend} x{jobs}")
    return {"seconds": measured["seconds"], "cores_used": measured["cpu"] / measured["seconds"]}


def cases(counts: dict, context: dict) -> list[Case]:
    reps, cores = counts["reps"], usable_cores()
    seen = context.setdefault("scaling_outputs", {})
    out = [Case("scaling 1 core", lambda: _run(reps, 1, "threading", seen), reps, 2 * reps)]
    if cores > 1:
        for backend in TARGETS:
            out.append(Case(f"scaling {cores} cores {backend}", lambda b=backend: _run(reps, cores, b, seen),
                            reps, 2 * reps))
        out.append(Case(f"scaling {cores} cores dask scheduler",
                        lambda: _run(reps, cores, "dask", seen, _scheduler(cores)), reps, 2 * reps))
    return out


def rows(summary: dict, context: dict) -> list[Row]:
    cores = usable_cores()
    one = summary["scaling 1 core"]
    if cores == 1:
        return [Row("scaling: all cores against one", "n/a (1 usable core)", "-", "-")]
    out = []
    for backend, target in TARGETS.items():
        row = summary[f"scaling {cores} cores {backend}"]
        out.append(ratio_row(f"p = 2, {cores} workers vs 1 core, {backend}, end to end ({one['reps']:.0e} reps; "
                             f"{row['cores_used']:.2f} cores busy)", row["reps_per_s"] / one["reps_per_s"],
                             target, "x"))
    row = summary[f"scaling {cores} cores dask scheduler"]
    out.append(ratio_row(f"p = 2, {cores} workers of a running dask scheduler (--scheduler: the work, without the "
                         f"cluster's start and close) vs 1 core ({row['cores_used']:.2f} cores busy)",
                         row["reps_per_s"] / one["reps_per_s"], None, "x"))
    same = len(context.get("scaling_outputs", {})) == 1
    out.append(Row("same seed, same estimates whatever the workers and backend", "yes" if same else "NO",
                   "identical", "PASS" if same else "FAIL"))
    return out
