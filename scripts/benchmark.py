"""Benchmark of mc_sparsity's Monte Carlo engine against its limit and a naive baseline.

What it measures, in one run (each measure repeated; medians; ratios from
medians of the same run, with the repeats interleaved round-robin so that a
burst of load on a shared machine hits every measure alike):

1. The limit: a numba-compiled loop over numpy's own ``np.random.Generator``
   (PCG64) drawing and summing as many standard normals as the simulation
   needs (``reps * p``).  Normals/s, and the implied replications/s for p.
2. End to end through the public command line, in a subprocess, start-up
   included (``python -m mc_sparsity simulate ... --estimator all --quiet
   --json``), penalized form, 1 worker, at p = 2, 10 and 100: replications/s
   and the ratio to the limit at the same p.  Target: p = 2 >= 0.80.
3. 1 worker vs all cores at p = 2 (``--jobs 1`` vs ``--jobs -1``), threading
   and loky backends: speed-up.  Target: >= 1.7x on 2 cores.
4. A per-replication scikit-learn baseline (``Lasso`` and ``Ridge`` fitted on
   ``y = X beta + noise`` for a fixed orthonormal ``X``, n = 20, p = 2):
   replications/s, and the engine's end-to-end p = 2 rate over it.
   Target: >= 40,000x.
5. Peak RSS of the command line at a small and a large number of
   replications (each run's own peak, from ``os.wait4``).  Target: within 32 MB.

Run from the repository root (or anywhere) with the package installed::

    python scripts/benchmark.py              # the full run, several minutes
    python scripts/benchmark.py --quick      # a smoke run of a few seconds
    python scripts/benchmark.py --repeats 5 --reps-p2 1e9

It prints the machine at the top, one line per timing as it goes (stderr), a
table of rates and ratios, and a markdown table (measure, value, target,
pass/fail) ready to paste into a README.  End-to-end numbers use only the
command line; nothing of ``mc_sparsity`` is imported here.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

LAM = 0.5
SIGMA = 1.0

# Targets (see the docstring).
TARGET_LIMIT_RATIO_P2 = 0.80
TARGET_SPEEDUP = 1.7
TARGET_SKLEARN_RATIO = 40_000
TARGET_RSS_DIFF_MB = 32

#: A run during which other processes used more than this many cores is flagged.
CONTENDED = 0.25


# ---------------------------------------------------------------- command line
def _count(text: str) -> int:
    """A whole number written ``2000000000`` or ``2e9``."""
    value = float(text)
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(value)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: small counts, 1 repeat (overrides the counts below)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of every measure (default: 3)")
    parser.add_argument("--reps-p2", type=_count, default=2_000_000_000, help="replications at p = 2 (default: 2e9)")
    parser.add_argument("--reps-p10", type=_count, default=300_000_000, help="replications at p = 10 (default: 3e8)")
    parser.add_argument("--reps-p100", type=_count, default=40_000_000, help="replications at p = 100 (default: 4e7)")
    parser.add_argument("--sklearn-reps", type=_count, default=2000, help="replications of the sklearn baseline")
    parser.add_argument("--rss-small", type=_count, default=1_000_000, help="small run of the RSS check (default: 1e6)")
    parser.add_argument("--rss-large", type=_count, default=500_000_000, help="large run of the RSS check (default: 5e8)")
    parser.add_argument("--no-loky", action="store_true", help="skip the loky all-cores run")
    parser.add_argument("--json-out", metavar="FILE", help="also write every timing and the summary as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
        args.reps_p2, args.reps_p10, args.reps_p100 = 20_000_000, 2_000_000, 200_000
        args.sklearn_reps, args.rss_small, args.rss_large = 200, 1_000_000, 20_000_000
    return args


# ---------------------------------------------------------------- machine
def machine_info() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load = "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        load = "?"
    import sklearn

    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable cores": usable, "load average": load,
        "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
        "scikit-learn": sklearn.__version__, "platform": platform.platform(),
    }


# ---------------------------------------------------------------- 1. the limit
@numba.njit(cache=True)
def _sum_normals(rng, n):
    """Draw ``n`` standard normals from ``rng`` and sum them (so nothing is optimised away)."""
    total = 0.0
    for _ in range(n):
        total += rng.standard_normal()
    return total


def time_limit(n_normals: int) -> float:
    """Seconds to draw and sum ``n_normals`` normals in compiled code (compiled beforehand)."""
    rng = np.random.Generator(np.random.PCG64(12345))
    start = time.perf_counter()
    _sum_normals(rng, n_normals)
    return time.perf_counter() - start


# ---------------------------------------------------------------- 2, 3, 5. the command line
def beta_for(p: int) -> list[float]:
    """A scenario with some coefficients inside and some outside the lasso threshold."""
    if p == 2:
        return [1.0, 0.3]
    return [round(2.0 * j / (p - 1), 4) for j in range(p)]


def cli_command(p: int, reps: int, jobs: int = 1, backend: str = "threading") -> list[str]:
    return [sys.executable, "-m", "mc_sparsity", "simulate", "--beta", *map(str, beta_for(p)),
            "--lam", str(LAM), "--sigma", str(SIGMA), "--estimator", "all", "--reps", str(reps),
            "--seed", "1", "--jobs", str(jobs), "--backend", backend, "--quiet", "--json"]


# A tiny Python process that runs the command and reports the command's own wall
# time and peak RSS.  Why not measure from here: on Linux a child's ru_maxrss
# starts at the RSS of the process it was forked from (exec records the old
# address space's high-water mark), so a child of this benchmark (numba, numpy,
# scikit-learn loaded) would report at least this process's RSS.
_WRAPPER = """
import json, os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as f:
    json.dump({"seconds": seconds, "status": os.waitstatus_to_exitcode(status),
               "maxrss": usage.ru_maxrss, "cpu": usage.ru_utime + usage.ru_stime}, f)
"""


def run_cli(p: int, reps: int, jobs: int = 1, backend: str = "threading") -> dict:
    """Run the command once; return its wall seconds (start-up included), CPU seconds, peak RSS (MB).

    ``os.wait4`` in the wrapper gives the resource usage of exactly that child
    (and of its own reaped children, e.g. loky workers), unlike
    ``RUSAGE_CHILDREN``, which is the maximum over every child so far.
    """
    cmd = cli_command(p, reps, jobs, backend)
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        out = subprocess.run([sys.executable, "-S", "-c", _WRAPPER, report, *cmd],
                             capture_output=True, text=True, check=True)
        with open(report) as f:
            measured = json.load(f)
    if measured["status"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {measured['status']}:\n{out.stderr}")
    result = json.loads(out.stdout)
    if result["reps"] != reps or len(result["results"]) != 2:
        raise RuntimeError(f"unexpected output of {' '.join(cmd)}: {out.stdout[:200]}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    rss_mb = measured["maxrss"] / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {"seconds": measured["seconds"], "cpu_s": measured["cpu"], "rss_mb": rss_mb}


# ---------------------------------------------------------------- 4. scikit-learn baseline
def time_sklearn(reps: int, n: int = 20, seed: int = 7) -> float:
    """Seconds for ``reps`` replications of: draw y, fit Lasso and Ridge, count zeros."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso, Ridge

    rng = np.random.default_rng(seed)
    beta = np.array(beta_for(2))
    x, _ = np.linalg.qr(rng.standard_normal((n, beta.size)))  # orthonormal columns
    mean = x @ beta
    lasso = Lasso(alpha=LAM / n, fit_intercept=False)
    ridge = Ridge(alpha=LAM, fit_intercept=False)
    sparse = np.zeros(2, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        for _ in range(reps):
            y = mean + SIGMA * rng.standard_normal(n)
            sparse[0] += np.any(lasso.fit(x, y).coef_ == 0.0)
            sparse[1] += np.any(ridge.fit(x, y).coef_ == 0.0)
        seconds = time.perf_counter() - start
    if sparse[1] != 0 or not 0 < sparse[0] < reps:
        raise RuntimeError(f"implausible sklearn counts {sparse.tolist()} of {reps}")
    return seconds


# ---------------------------------------------------------------- contention
def _machine_busy_seconds() -> float | None:
    """CPU seconds spent by every process of the machine so far (/proc/stat), or None."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    """CPU seconds of this process and of its reaped children (the command-line runs)."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def measure(fn) -> dict:
    """Call ``fn`` and add ``other_cores``: the CPU other processes used meanwhile, in cores.

    Machines are shared: a run during which others kept a core busy is not
    comparable, and is flagged.
    """
    busy0, own0, start = _machine_busy_seconds(), _own_cpu_seconds(), time.perf_counter()
    out = fn()
    busy1, own1, wall = _machine_busy_seconds(), _own_cpu_seconds(), time.perf_counter() - start
    if busy0 is not None and busy1 is not None:
        out["other_cores"] = max(0.0, (busy1 - busy0) - (own1 - own0)) / wall
    return out


# ---------------------------------------------------------------- running the cases
def build_cases(args, cores: int) -> dict:
    """name -> (function returning a dict with 'seconds', replications, normals drawn)."""
    cases = {}
    for p, reps in ((2, args.reps_p2), (10, args.reps_p10), (100, args.reps_p100)):
        cases[f"limit p={p}"] = (lambda n=reps * p: {"seconds": time_limit(n)}, reps, reps * p)
        cases[f"cli p={p} jobs=1"] = (lambda p=p, r=reps: run_cli(p, r), reps, reps * p)
    if cores > 1:
        backends = ("threading",) if args.no_loky else ("threading", "loky")
        for backend in backends:
            cases[f"cli p=2 jobs=-1 {backend}"] = (
                lambda b=backend: run_cli(2, args.reps_p2, -1, b), args.reps_p2, 2 * args.reps_p2)
    cases["sklearn p=2"] = (lambda: {"seconds": time_sklearn(args.sklearn_reps)}, args.sklearn_reps, None)
    cases["rss small"] = (lambda: run_cli(2, args.rss_small), args.rss_small, 2 * args.rss_small)
    cases["rss large"] = (lambda: run_cli(2, args.rss_large), args.rss_large, 2 * args.rss_large)
    return cases


def run_cases(cases: dict, repeats: int) -> dict:
    """Run every case ``repeats`` times, round-robin; return name -> list of result dicts."""
    runs = {name: [] for name in cases}
    for r in range(repeats):
        for name, (fn, reps, _) in cases.items():
            out = measure(fn)
            runs[name].append(out)
            extra = ""
            if "cpu_s" in out:
                extra += f", {out['cpu_s'] / out['seconds']:.2f} cores used, peak RSS {out['rss_mb']:.0f} MB"
            if "other_cores" in out:
                extra += f", others used {out['other_cores']:.2f} cores"
                if out["other_cores"] > CONTENDED:
                    extra += "  <-- CONTENDED"
            print(f"  [{r + 1}/{repeats}] {name:<26} {out['seconds']:8.2f} s  "
                  f"{reps / out['seconds']:12.4g} reps/s{extra}", file=sys.stderr, flush=True)
    return runs


def summarize(cases: dict, runs: dict) -> dict:
    """Medians: seconds, replications/s, normals/s, peak RSS."""
    summary = {}
    for name, (_, reps, normals) in cases.items():
        seconds = statistics.median(run["seconds"] for run in runs[name])
        row = {"seconds": seconds, "reps": reps, "reps_per_s": reps / seconds,
               "all_seconds": [run["seconds"] for run in runs[name]]}
        if normals is not None:
            row["normals_per_s"] = normals / seconds
        if "rss_mb" in runs[name][0]:
            row["rss_mb"] = statistics.median(run["rss_mb"] for run in runs[name])
            row["cores_used"] = statistics.median(run["cpu_s"] / run["seconds"] for run in runs[name])
        if "other_cores" in runs[name][0]:
            row["other_cores_max"] = max(run["other_cores"] for run in runs[name])
        summary[name] = row
    return summary


# ---------------------------------------------------------------- report
def _fmt_rate(x: float) -> str:
    return f"{x:.3e}"


def print_rates(summary: dict) -> None:
    print("\nMedians")
    print(f"{'case':<28}{'reps':>14}{'median s':>10}{'runs (s)':>26}{'reps/s':>12}{'normals/s':>12}"
          f"{'RSS MB':>8}{'cores':>7}{'others':>8}")
    for name, row in summary.items():
        spread = ", ".join(f"{s:.2f}" for s in row["all_seconds"])
        normals = _fmt_rate(row["normals_per_s"]) if "normals_per_s" in row else "-"
        rss = f"{row['rss_mb']:.0f}" if "rss_mb" in row else "-"
        cores = f"{row['cores_used']:.2f}" if "cores_used" in row else "-"
        others = f"{row['other_cores_max']:.2f}" if "other_cores_max" in row else "-"
        print(f"{name:<28}{row['reps']:>14,}{row['seconds']:>10.2f}{spread:>26}"
              f"{_fmt_rate(row['reps_per_s']):>12}{normals:>12}{rss:>8}{cores:>7}{others:>8}")
    print("cores: CPU time / wall time of the command (median); others: the most cores other "
          "processes used during one of the case's runs")
    contended = [name for name, row in summary.items() if row.get("other_cores_max", 0.0) > CONTENDED]
    if contended:
        print(f"WARNING: other processes used > {CONTENDED} cores during some runs of: {', '.join(contended)}; "
              "medians may be affected")


def verdicts(summary: dict, cores: int) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, PASS/FAIL/-) rows of the final table."""
    rows = []

    def check(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    lim2 = summary["limit p=2"]
    rows.append(("limit: PCG64 normals/s (numba loop)", _fmt_rate(lim2["normals_per_s"]), "-", "-"))
    for p in (2, 10, 100):
        lim, cli = summary[f"limit p={p}"], summary[f"cli p={p} jobs=1"]
        ratio = cli["reps_per_s"] / lim["reps_per_s"]
        rows.append((f"p={p}: limit replications/s", _fmt_rate(lim["reps_per_s"]), "-", "-"))
        rows.append((f"p={p}: end-to-end replications/s, 1 worker (reps {cli['reps']:.0e})",
                     _fmt_rate(cli["reps_per_s"]), "-", "-"))
        if p == 2:
            rows.append((f"p={p}: end-to-end / limit", f"{ratio:.3f}",
                         f">= {TARGET_LIMIT_RATIO_P2:.2f}", check(ratio >= TARGET_LIMIT_RATIO_P2)))
        else:
            rows.append((f"p={p}: end-to-end / limit", f"{ratio:.3f}", "-", "-"))
    one = summary["cli p=2 jobs=1"]
    for backend in ("threading", "loky"):
        name = f"cli p=2 jobs=-1 {backend}"
        if name in summary:
            speedup = summary[name]["reps_per_s"] / one["reps_per_s"]
            target = f">= {TARGET_SPEEDUP}x" if backend == "threading" else f"(>= {TARGET_SPEEDUP}x)"
            rows.append((f"p=2: speed-up, {cores} cores vs 1, {backend}", f"{speedup:.2f}x",
                         target, check(speedup >= TARGET_SPEEDUP)))
    if cores == 1:
        rows.append(("p=2: speed-up, all cores vs 1", "n/a (1 core)", f">= {TARGET_SPEEDUP}x", "-"))
    sk = summary["sklearn p=2"]
    rows.append(("sklearn Lasso+Ridge per replication: replications/s", _fmt_rate(sk["reps_per_s"]), "-", "-"))
    ratio = one["reps_per_s"] / sk["reps_per_s"]
    rows.append(("p=2: end-to-end (1 worker) / sklearn", f"{ratio:,.0f}x",
                 f">= {TARGET_SKLEARN_RATIO:,}x", check(ratio >= TARGET_SKLEARN_RATIO)))
    small, large = summary["rss small"], summary["rss large"]
    diff = large["rss_mb"] - small["rss_mb"]
    rows.append((f"peak RSS at {small['reps']:.0e} replications", f"{small['rss_mb']:.0f} MB", "-", "-"))
    rows.append((f"peak RSS at {large['reps']:.0e} replications", f"{large['rss_mb']:.0f} MB", "-", "-"))
    rows.append(("peak RSS difference", f"{diff:+.1f} MB", f"<= {TARGET_RSS_DIFF_MB} MB",
                 check(abs(diff) <= TARGET_RSS_DIFF_MB)))
    return rows


def print_markdown(rows, machine: dict, quick: bool) -> None:
    print("\n## Benchmark" + (" (quick smoke run: counts too small for the targets)" if quick else ""))
    print(f"\n{machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, "
          f"numpy {machine['numpy']}, numba {machine['numba']}, scikit-learn {machine['scikit-learn']}\n")
    print("| measure | value | target | pass/fail |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main(argv=None) -> int:
    args = parse_args(argv)
    machine = machine_info()
    print("Machine")
    for key, value in machine.items():
        print(f"  {key:<13} {value}")
    print(f"  repeats       {args.repeats} (medians; ratios from medians of this run)")
    _sum_normals(np.random.default_rng(0), 10)  # compile (or load from the cache) before timing
    cores = machine["usable cores"] or 1
    cases = build_cases(args, cores)
    print(f"\nRunning {len(cases)} cases x {args.repeats} repeats ...", flush=True)
    runs = run_cases(cases, args.repeats)
    summary = summarize(cases, runs)
    print_rates(summary)
    rows = verdicts(summary, cores)
    print_markdown(rows, machine, args.quick)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": machine, "args": vars(args), "summary": summary,
                       "table": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
