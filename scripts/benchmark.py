"""Benchmark of mc_sparsity: start-up, the Monte Carlo engine against its limit, baselines, memory, tails.

What it measures, in one run (each measure repeated; medians; ratios from
medians of the same run, with the repeats interleaved round-robin so that a
burst of load on a shared machine hits every measure alike).  The parts
(``--only``):

``startup``
    ``python -X importtime -c "import mc_sparsity.cli"``: the total and the
    five largest cumulative imports (report only); the wall time of
    ``python -c "import mc_sparsity.cli"`` against ``python -c pass``.
    ``mc-sparsity simulate --beta 1 0.3 --lam 0.5 --reps 1e5`` end to end,
    warm (the numba cache on disk), one core.  Target: <= 0.6 s.
    The serial start-up before the first block: the same command at
    ``--reps 1`` run under a small launcher that imports ``mc_sparsity.cli``
    exactly as the console script does, wraps the engine's task function and
    records wall-clock stamps (``time.time()``): process start (taken by the
    parent just before it starts the process), ``mc_sparsity.cli`` imported,
    first kernel call entered, first kernel call returned (this includes
    loading the cached machine code), command done, process gone.  Target:
    process start -> first kernel call <= 0.4 s.
``scaling``
    The limit (a numba loop drawing numpy's PCG64 normals, ``reps * p`` of
    them); ``mc-sparsity simulate ... --estimator all`` at p = 2 (2e9), 10 and
    100 on one core, end to end: ratio to the limit (target p = 2: >= 0.85);
    the 2-core speed-up at p = 2, 1e9 replications, threading (target
    >= 1.8x) and loky.
``sklearn``
    Fitting scikit-learn's ``Lasso`` and ``Ridge`` once per replication
    (orthonormal, p = 2, n = 20) against the engine's p = 2 end-to-end rate.
    Target: >= 40,000x.
``rss``
    Peak RSS of the command at p = 2 at 1e6 and 1e8 replications (each run's
    own peak, from ``os.wait4``).  Target: within 32 MB.
``correlated``
    p = 2 equicorrelated (rho = 0.6) through the command line on one core, as
    a fraction of the limit (target >= 0.5); p = 10 ar1 (rho = 0.5) lasso
    kernel replications/s in process (``run_kernel(kernel, reps, seed,
    n_jobs=1)``) against scikit-learn's ``Lasso(alpha=lam/n,
    fit_intercept=False, tol=1e-10)`` fitted once per replication (target
    >= 1000x); a one-off check that on the kernel's own first 10,000 draws
    scikit-learn's zero patterns equal the exact ones
    (``_solvers.exact_lasso_solution``) replication by replication and that
    the kernel's histogram of zeros equals theirs; peak RSS of the correlated
    command at 1e6 and 1e8 replications (target: within 32 MB).
``is``
    Importance sampling: ``mc-sparsity simulate --beta 7.5 7.5 --lam 0.3
    --method is --reps 1e5 --json`` (P ~ 6e-13): time and relative error
    (target: 1% in <= 10 s); the union case beta = (0, 0, 0), lam = 3: the
    replications a pilot says 1% relative error needs, and the time of the
    command at that count.

Run from the repository root (or anywhere) with the package installed::

    python scripts/benchmark.py                          # everything, about 10 minutes
    python scripts/benchmark.py --quick                  # a smoke run of everything, about a minute
    python scripts/benchmark.py --only startup,correlated,is
    python scripts/benchmark.py --repeats 5 --reps-p2 1e9

It prints the machine and its load at the top, one line per timing as it goes
(stderr), a table of medians, and a markdown table (measure, value, target,
pass/fail) ready to paste into a README.  End-to-end numbers come from the
command line in subprocesses; the in-process measures (the p = 10 kernel,
scikit-learn) import ``mc_sparsity`` here.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numba
import numpy as np

LAM = 0.5
SIGMA = 1.0
RHO_EQUI = 0.6
RHO_AR1 = 0.5
P_AR1 = 10

# Targets (see the docstring).
TARGET_WARM_1E5_S = 0.6
TARGET_STARTUP_S = 0.4
TARGET_LIMIT_RATIO_P2 = 0.85
TARGET_SPEEDUP = 1.8
TARGET_SKLEARN_RATIO = 40_000
TARGET_RSS_DIFF_MB = 32
TARGET_CORR_LIMIT_RATIO = 0.5
TARGET_AR1_SKLEARN_RATIO = 1000
TARGET_IS_SECONDS = 10.0
TARGET_IS_RELATIVE_ERROR = 0.01

PARTS = ("startup", "scaling", "sklearn", "rss", "correlated", "is")

#: A run during which other processes used more than this many cores is flagged.
CONTENDED = 0.25


# ---------------------------------------------------------------- command line
def _count(text: str) -> int:
    """A whole number written ``2000000000`` or ``2e9``."""
    value = float(text)
    if not value.is_integer() or value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number >= 1, got {text!r}")
    return int(value)


def _parts(text: str) -> tuple:
    parts = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(f"parts are a comma-separated list of {', '.join(PARTS)}; got {text!r}")
    return parts


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", type=_parts, default=PARTS, metavar="PARTS",
                        help=f"comma-separated parts to run (default: all): {','.join(PARTS)}")
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: small counts, 1 repeat (overrides the counts below)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats of every measure (default: 3)")
    parser.add_argument("--reps-p2", type=_count, default=2_000_000_000, help="replications at p = 2 (default: 2e9)")
    parser.add_argument("--reps-p10", type=_count, default=300_000_000, help="replications at p = 10 (default: 3e8)")
    parser.add_argument("--reps-p100", type=_count, default=40_000_000, help="replications at p = 100 (default: 4e7)")
    parser.add_argument("--reps-speedup", type=_count, default=1_000_000_000,
                        help="replications of the 1-core vs 2-core runs (default: 1e9)")
    parser.add_argument("--sklearn-reps", type=_count, default=2000, help="replications of the sklearn baselines")
    parser.add_argument("--rss-small", type=_count, default=1_000_000, help="small run of the RSS checks (default: 1e6)")
    parser.add_argument("--rss-large", type=_count, default=100_000_000, help="large run of the RSS checks (default: 1e8)")
    parser.add_argument("--reps-corr-p2", type=_count, default=1_000_000_000,
                        help="replications of the correlated p = 2 command (default: 1e9)")
    parser.add_argument("--reps-ar1", type=_count, default=5_000_000,
                        help="replications of the p = 10 ar1 kernel (default: 5e6)")
    parser.add_argument("--pattern-reps", type=_count, default=10_000,
                        help="replications of the zero-pattern check against sklearn (default: 1e4)")
    parser.add_argument("--reps-is", type=_count, default=100_000, help="replications of the IS run (default: 1e5)")
    parser.add_argument("--no-loky", action="store_true", help="skip the loky 2-core run")
    parser.add_argument("--bytecode", choices=("private", "inherit"), default="private",
                        help="private (default): the commands read and write Python bytecode in a temporary "
                             "PYTHONPYCACHEPREFIX, as an installed package would have it, even where "
                             "PYTHONDONTWRITEBYTECODE is set, and without writing into the source tree; "
                             "inherit: the environment as it is")
    parser.add_argument("--json-out", metavar="FILE", help="also write every timing and the summary as JSON")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats = 1
        args.reps_p2, args.reps_p10, args.reps_p100, args.reps_speedup = 20_000_000, 2_000_000, 200_000, 20_000_000
        args.sklearn_reps, args.rss_small, args.rss_large = 200, 1_000_000, 20_000_000
        args.reps_corr_p2, args.reps_ar1, args.pattern_reps = 20_000_000, 200_000, 1000
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
    import sklearn

    return {
        "cpu": cpu, "cores": os.cpu_count(), "usable cores": usable, "load average": _load(),
        "python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
        "scikit-learn": sklearn.__version__, "platform": platform.platform(),
    }


def _load() -> str:
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


# ---------------------------------------------------------------- the limit
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


# ---------------------------------------------------------------- the command line
def beta_for(p: int) -> list[float]:
    """A scenario with some coefficients inside and some outside the lasso threshold."""
    if p == 2:
        return [1.0, 0.3]
    return [round(2.0 * j / (p - 1), 4) for j in range(p)]


def command() -> list[str]:
    """The ``mc-sparsity`` console script of this interpreter, else ``python -m mc_sparsity``."""
    script = os.path.join(os.path.dirname(sys.executable), "mc-sparsity")
    if os.path.exists(script):
        return [script]
    found = shutil.which("mc-sparsity")
    return [found] if found else [sys.executable, "-m", "mc_sparsity"]


def simulate_args(beta, reps: int, *, lam=LAM, jobs: int = 1, backend: str = "threading", extra=(),
                  machine_readable: bool = True) -> list[str]:
    args = ["simulate", "--beta", *map(str, beta), "--lam", str(lam), "--reps", str(reps)]
    if machine_readable:
        args += ["--sigma", str(SIGMA), "--seed", "1", "--jobs", str(jobs), "--backend", backend, "--quiet", "--json"]
    return args + list(extra)


def cli_args(p: int, reps: int, jobs: int = 1, backend: str = "threading") -> list[str]:
    return simulate_args(beta_for(p), reps, jobs=jobs, backend=backend, extra=["--estimator", "all"])


def corr_args(reps: int) -> list[str]:
    return simulate_args(beta_for(2), reps, extra=["--rho", str(RHO_EQUI), "--design", "equicorrelated"])


# A tiny Python process that runs the command and reports the command's own wall
# time and peak RSS.  Why not measure from here: on Linux a child's ru_maxrss
# starts at the RSS of the process it was forked from (exec records the old
# address space's high-water mark), so a child of this benchmark (numba, numpy,
# scikit-learn loaded) would report at least this process's RSS.
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

# The console script, instrumented: ``from mc_sparsity.cli import main; main()`` as
# the script does, with the engine's task function wrapped to stamp the first
# kernel call (entered and returned) and the end of the last task.  Wall-clock
# stamps (time.time()), compared with the wrapper's stamp taken just before the
# process was started.
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


def run_process(cmd: list[str], env: dict | None = None) -> tuple[dict, str, str]:
    """Run ``cmd`` under the wrapper: (measured, stdout, stderr); raises if it fails."""
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.json")
        out = subprocess.run([sys.executable, "-S", "-c", _WRAPPER, report, *cmd],
                             capture_output=True, text=True, env=env)
        if out.returncode != 0 or not os.path.exists(report):
            raise RuntimeError(f"wrapper of {' '.join(cmd)} failed:\n{out.stderr}")
        with open(report) as f:
            measured = json.load(f)
    if measured["status"] != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {measured['status']}:\n{out.stderr}")
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    measured["rss_mb"] = measured["maxrss"] / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return measured, out.stdout, out.stderr


def run_cli(args: list[str], reps: int | None = None, rows: int | None = 2) -> dict:
    """Run ``mc-sparsity ARGS`` once; its wall seconds (start-up included), CPU seconds, peak RSS (MB).

    ``os.wait4`` in the wrapper gives the resource usage of exactly that child
    (and of its own reaped children, e.g. loky workers), unlike
    ``RUSAGE_CHILDREN``, which is the maximum over every child so far.
    """
    cmd = command() + args
    measured, stdout, _ = run_process(cmd)
    out = {"seconds": measured["seconds"], "cpu_s": measured["cpu"], "rss_mb": measured["rss_mb"]}
    if "--json" in args:
        result = json.loads(stdout)
        if (reps is not None and result["reps"] != reps) or (rows is not None and len(result["results"]) != rows):
            raise RuntimeError(f"unexpected output of {' '.join(cmd)}: {stdout[:200]}")
        first = result["results"][0]
        if first.get("method") == "is":
            out["relative_error"] = first["relative_error"]
            out["estimate"] = first["estimate"]
            if first.get("exact") is not None:
                out["exact"] = first["exact"]
    return out


def run_startup() -> dict:
    """The instrumented command at ``--reps 1``: where the serial start-up and tail go (seconds)."""
    with tempfile.TemporaryDirectory() as tmp:
        stamps_file = os.path.join(tmp, "stamps.json")
        env = dict(os.environ, MC_SPARSITY_BENCH_STAMPS=stamps_file)
        cmd = [sys.executable, "-c", _LAUNCHER, *simulate_args(beta_for(2), 1)]
        measured, _, _ = run_process(cmd, env)
        with open(stamps_file) as f:
            stamps = json.load(f)
    t0 = measured["start_epoch"]
    return {
        "seconds": stamps["first_kernel_call"] - t0,
        "interpreter_ready": stamps["interpreter_ready"] - t0,
        "cli_imported": stamps["cli_imported"] - t0,
        "first_kernel_call": stamps["first_kernel_call"] - t0,
        "first_kernel_return": stamps["first_kernel_return"] - t0,
        "last_task_end": stamps["last_task_end"] - t0,
        "command_done": stamps["command_done"] - t0,
        "process_gone": measured["end_epoch"] - t0,
        "tail": measured["end_epoch"] - stamps["last_task_end"],
    }


# ---------------------------------------------------------------- import time
def parse_importtime(stderr: str) -> list[dict]:
    """Rows of ``-X importtime``: name, depth, self and cumulative seconds, the importing row."""
    rows = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        depth = (len(name) - len(name.lstrip(" "))) // 2
        rows.append({"name": name.strip(), "depth": depth, "self": int(self_us) / 1e6,
                     "cumulative": int(cumulative_us) / 1e6})
    # importtime prints a module after everything it imported: a row's importer is the
    # first later row one level up.
    for i, row in enumerate(rows):
        up = next((j for j in range(i + 1, len(rows)) if rows[j]["depth"] == row["depth"] - 1), None)
        row["parent_index"] = up
        row["parent"] = None if up is None else rows[up]["name"]
    return rows


def run_importtime() -> dict:
    """``import mc_sparsity.cli`` under ``-X importtime``, and wall times of the import and of ``pass``."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import mc_sparsity.cli"],
                         capture_output=True, text=True, check=True)
    rows = parse_importtime(out.stderr)
    cli = next(r for r in rows if r["name"] == "mc_sparsity.cli" and r["depth"] == 0)
    walls = {}
    for key, code in (("python_pass", "pass"), ("python_import_cli", "import mc_sparsity.cli")):
        measured, _, _ = run_process([sys.executable, "-c", code])
        walls[key] = measured["seconds"]
    return {"seconds": cli["cumulative"], "all_imports": sum(r["cumulative"] for r in rows if r["depth"] == 0),
            **walls, "rows": rows}


def _under_cli(rows: list[dict]) -> list[dict]:
    """The rows imported while ``mc_sparsity.cli`` was (printed between the previous top-level row and it)."""
    end = next(i for i, r in enumerate(rows) if r["name"] == "mc_sparsity.cli" and r["depth"] == 0)
    start = max((i for i in range(end) if rows[i]["depth"] == 0), default=-1) + 1
    return rows[start:end]


def top_imports(rows: list[dict], n: int = 5) -> list[dict]:
    """The ``n`` largest cumulative imports under ``mc_sparsity.cli`` (itself excluded)."""
    return sorted(_under_cli(rows), key=lambda r: -r["cumulative"])[:n]


def third_party(rows: list[dict], n: int = 5) -> list[dict]:
    """The ``n`` costliest packages that are not mc_sparsity, with the mc_sparsity module that pulled them in."""
    by_name = {}
    for r in _under_cli(rows):
        if "." not in r["name"] and not r["name"].startswith("mc_sparsity") and r["depth"] >= 1:
            by_name.setdefault(r["name"], r)
    out = []
    for r in sorted(by_name.values(), key=lambda r: -r["cumulative"])[:n]:
        # walk up (indices only increase) to the first mc_sparsity importer
        up = r["parent_index"]
        while up is not None and not rows[up]["name"].startswith("mc_sparsity"):
            up = rows[up]["parent_index"]
        out.append({"name": r["name"], "cumulative": r["cumulative"], "via": None if up is None else rows[up]["name"]})
    return out


# ---------------------------------------------------------------- baselines
def time_sklearn(reps: int, n: int = 20, seed: int = 7) -> float:
    """Seconds for ``reps`` replications of: draw y, fit Lasso and Ridge, count zeros (orthonormal, p = 2)."""
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


class Ar1:
    """The p = 10 ar1 scenario: its design, kernel, and the kernel's own draws reproduced in numpy."""

    N_SKLEARN = 50  # rows of the sklearn design X, X^T X = G

    def __init__(self):
        from mc_sparsity import ar1
        from mc_sparsity._mc.kernels_correlated import penalized_correlated_kernel
        from mc_sparsity._solvers.iterative import design_with_gram

        self.design = ar1(P_AR1, RHO_AR1)
        self.beta = np.array(beta_for(P_AR1))
        self.kernel = penalized_correlated_kernel(self.beta, SIGMA, self.design.gram,
                                                  self.design.covariance_cholesky, [LAM], [0.0])
        self.x = design_with_gram(self.design.gram, self.N_SKLEARN, np.random.default_rng(3))
        self.seed = np.random.SeedSequence(1)
        self.run(1000)  # compile, or load from the cache

    def run(self, reps: int) -> float:
        from mc_sparsity._mc.engine import run_kernel

        start = time.perf_counter()
        tally = run_kernel(self.kernel, reps, self.seed, n_jobs=1)
        seconds = time.perf_counter() - start
        if tally.completed != reps:
            raise RuntimeError(f"run_kernel completed {tally.completed} of {reps}")
        return seconds

    def draws(self, reps: int):
        """``beta_hat`` and ``z = G beta_hat`` of the kernel's first ``reps`` replications (block 0's stream)."""
        from mc_sparsity._mc.engine import BLOCK_SIZE, block_generator

        if reps > BLOCK_SIZE:
            raise ValueError(f"at most one block ({BLOCK_SIZE}) of draws")
        eps = block_generator(self.seed, 0).standard_normal((reps, P_AR1))  # drawn in the kernel's order
        beta_hat = self.beta + SIGMA * (eps @ self.design.covariance_cholesky.T)
        return beta_hat, beta_hat @ self.design.gram

    def sklearn_zeros(self, beta_hat) -> tuple[np.ndarray, float, int]:
        """Zero patterns of ``Lasso(alpha=lam/n, fit_intercept=False, tol=1e-10)`` on ``y = X beta_hat``.

        ``X^T X = G`` and ``X^T y = G beta_hat = z``: the problem the kernel solves.
        Returns (patterns, seconds of the fits, convergence warnings).
        """
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso

        x = self.x
        ys = beta_hat @ x.T
        lasso = Lasso(alpha=LAM / x.shape[0], fit_intercept=False, tol=1e-10)
        zeros = np.empty(beta_hat.shape, dtype=bool)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            start = time.perf_counter()
            for i in range(ys.shape[0]):
                zeros[i] = lasso.fit(x, ys[i]).coef_ == 0.0
            seconds = time.perf_counter() - start
        return zeros, seconds, sum(issubclass(w.category, ConvergenceWarning) for w in caught)

    def time_sklearn(self, reps: int) -> float:
        beta_hat, _ = self.draws(reps)
        return self.sklearn_zeros(beta_hat)[1]

    def pattern_check(self, reps: int) -> dict:
        """On the kernel's first ``reps`` draws: sklearn's patterns vs the exact ones, and the kernel's histogram."""
        from mc_sparsity._mc.engine import block_generator
        from mc_sparsity._solvers.iterative import exact_lasso_solution

        beta_hat, z = self.draws(reps)
        _, exact, certified = exact_lasso_solution(z, self.design.gram, LAM)
        sk, seconds, warned = self.sklearn_zeros(beta_hat)
        counts = np.zeros(self.kernel.counts_shape, dtype=np.int64)
        self.kernel.function(block_generator(self.seed, 0), reps, *self.kernel.args, counts,
                             np.zeros(self.kernel.sums_shape))
        hist_sk = np.bincount(sk.sum(axis=1), minlength=P_AR1 + 1)
        _, centre, _ = exact_lasso_solution(self.design.gram @ self.beta, self.design.gram, LAM)
        return {
            "reps": reps,
            "sklearn_seconds": seconds,
            "sklearn_convergence_warnings": warned,
            "uncertified_exact": int((~certified).sum()),
            "pattern_mismatches": int((sk != exact).any(axis=1).sum()),
            "kernel_histogram": counts[0].tolist(),
            "sklearn_histogram": hist_sk.tolist(),
            "histograms_equal": bool(np.array_equal(counts[0, :P_AR1 + 1], hist_sk) and counts[0, -1] == 0),
            # where the kernel's time goes: draws whose pattern is the centre's are certified at the
            # first attempt; the others need the LARS homotopy
            "centre_pattern_share": float((exact == centre).all(axis=1).mean()),
        }


def is_union_reps(target: float = TARGET_IS_RELATIVE_ERROR, pilot: int = 10_000) -> tuple[int, float]:
    """Replications for ``target`` relative error at beta = (0, 0, 0), lam = 3, from an in-process pilot."""
    from mc_sparsity._mc.importance import importance_sample

    est = importance_sample([0.0, 0.0, 0.0], SIGMA, lam=3.0, reps=pilot, rng=12345)
    needed = math.ceil(1.2 * pilot * (est.relative_error / target) ** 2)  # 20% margin
    # Below the pilot's size the sample variance is not trusted: rare draws with fewer
    # overlapping events (C < p) carry the variance, and a short run may contain none.
    return max(pilot, needed), est.relative_error


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


# ---------------------------------------------------------------- building and running the cases
def build_cases(args, cores: int, context: dict) -> dict:
    """name -> (function returning a dict with 'seconds', replications, normals drawn)."""
    parts = set(args.only)
    cases = {}
    if "startup" in parts:
        cases["importtime cli"] = (run_importtime, 1, None)
        warm = simulate_args(beta_for(2), 100_000, machine_readable=False)
        cases["warm cli 1e5"] = (lambda: run_cli(warm), 100_000, 200_000)
        cases["startup reps=1"] = (run_startup, 1, None)
    if "scaling" in parts or "correlated" in parts:
        reps = args.reps_p2 if "scaling" in parts else args.reps_corr_p2
        cases["limit p=2"] = (lambda n=2 * reps: {"seconds": time_limit(n)}, reps, 2 * reps)
    if "scaling" in parts:
        cases["cli p=2 jobs=1"] = (lambda: run_cli(cli_args(2, args.reps_p2), args.reps_p2), args.reps_p2,
                                   2 * args.reps_p2)
        for p, reps in ((10, args.reps_p10), (100, args.reps_p100)):
            cases[f"limit p={p}"] = (lambda n=reps * p: {"seconds": time_limit(n)}, reps, reps * p)
            cases[f"cli p={p} jobs=1"] = (lambda p=p, r=reps: run_cli(cli_args(p, r), r), reps, reps * p)
        n = args.reps_speedup
        cases["speedup jobs=1"] = (lambda: run_cli(cli_args(2, n), n), n, 2 * n)
        if cores > 1:
            for backend in ("threading",) if args.no_loky else ("threading", "loky"):
                cases[f"speedup jobs=-1 {backend}"] = (lambda b=backend: run_cli(cli_args(2, n, -1, b), n), n, 2 * n)
    if "sklearn" in parts:
        if "cli p=2 jobs=1" not in cases:
            cases["cli p=2 jobs=1"] = (lambda: run_cli(cli_args(2, args.reps_p2), args.reps_p2), args.reps_p2,
                                       2 * args.reps_p2)
        cases["sklearn p=2"] = (lambda: {"seconds": time_sklearn(args.sklearn_reps)}, args.sklearn_reps, None)
    if "rss" in parts:
        for size, reps in (("small", args.rss_small), ("large", args.rss_large)):
            cases[f"rss {size}"] = (lambda r=reps: run_cli(cli_args(2, r), r), reps, 2 * reps)
    if "correlated" in parts:
        n = args.reps_corr_p2
        cases["corr p=2 cli"] = (lambda: run_cli(corr_args(n), n), n, 2 * n)
        cases["corr p=2 cli reps=1"] = (lambda: run_cli(corr_args(1), 1), 1, None)
        ar1 = context["ar1"] = Ar1()
        cases["ar1 p=10 kernel"] = (lambda: {"seconds": ar1.run(args.reps_ar1)}, args.reps_ar1, P_AR1 * args.reps_ar1)
        cases["ar1 p=10 sklearn"] = (lambda: {"seconds": ar1.time_sklearn(args.sklearn_reps)}, args.sklearn_reps, None)
        for size, reps in (("small", args.rss_small), ("large", args.rss_large)):
            cases[f"corr rss {size}"] = (lambda r=reps: run_cli(corr_args(r), r), reps, 2 * reps)
    if "is" in parts:
        is_cmd = ["simulate", "--beta", "7.5", "7.5", "--lam", "0.3", "--method", "is", "--reps", str(args.reps_is),
                  "--json"]
        cases["is 7.5,7.5 lam=0.3"] = (lambda: run_cli(is_cmd, args.reps_is, rows=1), args.reps_is, None)
        needed, pilot = is_union_reps()
        context["is_union_pilot"] = {"relative_error_at_1e4": pilot, "reps_for_1pct": needed}
        union_cmd = ["simulate", "--beta", "0", "0", "0", "--lam", "3", "--method", "is", "--reps", str(needed),
                     "--json"]
        cases["is union 0,0,0 lam=3"] = (lambda: run_cli(union_cmd, needed, rows=1), needed, None)
    return cases


def warm_up(args) -> None:
    """Compile, or load from the numba cache, every kernel the command lines use, before timing."""
    _sum_normals(np.random.default_rng(0), 10)
    parts = set(args.only)
    runs = []
    if parts & {"startup", "scaling", "sklearn", "rss"}:
        runs += [cli_args(2, 1), cli_args(10, 1)]
    if "correlated" in parts:
        runs.append(corr_args(1))
    if "is" in parts:
        runs.append(["simulate", "--beta", "7.5", "7.5", "--lam", "0.3", "--method", "is", "--reps", "10", "--json"])
    for run in runs:
        subprocess.run(command() + run, capture_output=True, check=True)


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
            if "relative_error" in out:
                extra += f", relative error {out['relative_error']:.2g}"
            if "other_cores" in out:
                extra += f", others used {out['other_cores']:.2f} cores"
                if out["other_cores"] > CONTENDED:
                    extra += "  <-- CONTENDED"
            print(f"  [{r + 1}/{repeats}] {name:<26} {out['seconds']:8.3f} s  "
                  f"{reps / out['seconds']:12.4g} reps/s{extra}", file=sys.stderr, flush=True)
    return runs


def summarize(cases: dict, runs: dict) -> dict:
    """Medians of every number a case reports, and replications/s, normals/s."""
    summary = {}
    for name, (_, reps, normals) in cases.items():
        seconds = statistics.median(run["seconds"] for run in runs[name])
        row = {"seconds": seconds, "reps": reps, "reps_per_s": reps / seconds,
               "all_seconds": [run["seconds"] for run in runs[name]]}
        if normals is not None:
            row["normals_per_s"] = normals / seconds
        for key, value in runs[name][0].items():
            if key not in ("seconds", "other_cores") and isinstance(value, (int, float)):
                row[key] = statistics.median(run[key] for run in runs[name])
        if "cpu_s" in row:
            row["cores_used"] = statistics.median(run["cpu_s"] / run["seconds"] for run in runs[name])
        if "other_cores" in runs[name][0]:
            row["other_cores_max"] = max(run["other_cores"] for run in runs[name])
        if "rows" in runs[name][-1]:  # import time: per module, the median over repeats
            per_module = {}
            for run in runs[name]:
                for r in run["rows"]:
                    per_module.setdefault((r["name"], r["depth"]), []).append(r)
            rows = runs[name][-1]["rows"]
            row["rows"] = [dict(r, cumulative=statistics.median(x["cumulative"]
                                                                for x in per_module[(r["name"], r["depth"])]))
                           for r in rows]
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
        print(f"{name:<28}{row['reps']:>14,}{row['seconds']:>10.3f}{spread:>26}"
              f"{_fmt_rate(row['reps_per_s']):>12}{normals:>12}{rss:>8}{cores:>7}{others:>8}")
    print("cores: CPU time / wall time of the command (median); others: the most cores other "
          "processes used during one of the case's runs")
    contended = [name for name, row in summary.items() if row.get("other_cores_max", 0.0) > CONTENDED]
    if contended:
        print(f"WARNING: other processes used > {CONTENDED} cores during some runs of: {', '.join(contended)}; "
              "medians may be affected")


def print_details(summary: dict, context: dict) -> None:
    """Where the start-up goes, and the one-off checks."""
    if "importtime cli" in summary:
        row = summary["importtime cli"]
        print("\nimport mc_sparsity.cli (-X importtime, medians): "
              f"{row['seconds']:.3f} s; all imports incl. the interpreter's own {row['all_imports']:.3f} s; "
              f"wall: python -c pass {row['python_pass']:.3f} s, python -c 'import mc_sparsity.cli' "
              f"{row['python_import_cli']:.3f} s")
        print("  top 5 cumulative imports under mc_sparsity.cli:")
        for r in top_imports(row["rows"]):
            print(f"    {r['cumulative'] * 1e3:7.1f} ms  {r['name']}  (imported by {r['parent']})")
        print("  costliest packages that are not mc_sparsity, and the mc_sparsity module that pulls each in:")
        for r in third_party(row["rows"]):
            print(f"    {r['cumulative'] * 1e3:7.1f} ms  {r['name']}  (via {r['via']})")
        loaded = [r["name"] for r in row["rows"] if r["name"].startswith("mc_sparsity")]
        print(f"  mc_sparsity modules loaded: {', '.join(loaded)}")
    if "startup reps=1" in summary:
        row = summary["startup reps=1"]
        print("\nmc-sparsity simulate --beta 1 0.3 --lam 0.5 --reps 1, instrumented (medians, seconds from the "
              "process start):")
        for key in ("interpreter_ready", "cli_imported", "first_kernel_call", "first_kernel_return",
                    "last_task_end", "command_done", "process_gone"):
            print(f"  {key:<22}{row[key]:8.3f}")
        print(f"  serial tail after the last block (post-processing, exit): {row['tail']:.3f} s")
    if "ar1_check" in context:
        check = context["ar1_check"]
        print(f"\np = {P_AR1} ar1 (rho = {RHO_AR1}) zero patterns on the kernel's first {check['reps']:,} draws: "
              f"sklearn vs exact mismatches {check['pattern_mismatches']}, exact uncertified "
              f"{check['uncertified_exact']}, sklearn convergence warnings {check['sklearn_convergence_warnings']}; "
              f"histograms of zeros kernel {check['kernel_histogram']} vs sklearn {check['sklearn_histogram']} "
              f"({'equal' if check['histograms_equal'] else 'DIFFERENT'}); share of draws whose pattern is the "
              f"centre's (certified at the first attempt, else LARS): {check['centre_pattern_share']:.3f}")
    if "is_union_pilot" in context:
        pilot = context["is_union_pilot"]
        print(f"\nIS union beta = (0, 0, 0), lam = 3: pilot relative error {pilot['relative_error_at_1e4']:.3g} at "
              f"1e4 replications -> {pilot['reps_for_1pct']:,} replications for 1% (20% margin, at least the "
              "pilot's 1e4)")


def verdicts(summary: dict, cores: int, context: dict) -> list[tuple[str, str, str, str]]:
    """(measure, value, target, PASS/FAIL/-) rows of the final table."""
    rows = []

    def check(ok: bool) -> str:
        return "PASS" if ok else "FAIL"

    if "importtime cli" in summary:
        row = summary["importtime cli"]
        top = ", ".join(f"{r['name']} {r['cumulative'] * 1e3:.0f} ms" for r in top_imports(row["rows"]))
        rows.append(("import mc_sparsity.cli (-X importtime)", f"{row['seconds']:.3f} s", "-", "-"))
        rows.append(("top 5 cumulative imports", top, "-", "-"))
        rows.append(("wall: python -c pass / python -c 'import mc_sparsity.cli'",
                     f"{row['python_pass']:.3f} s / {row['python_import_cli']:.3f} s", "-", "-"))
    if "warm cli 1e5" in summary:
        s = summary["warm cli 1e5"]["seconds"]
        rows.append(("mc-sparsity simulate --beta 1 0.3 --lam 0.5 --reps 1e5, warm, 1 core", f"{s:.3f} s",
                     f"<= {TARGET_WARM_1E5_S} s", check(s <= TARGET_WARM_1E5_S)))
    if "startup reps=1" in summary:
        row = summary["startup reps=1"]
        rows.append(("start-up: process start -> first kernel call", f"{row['first_kernel_call']:.3f} s",
                     f"<= {TARGET_STARTUP_S} s", check(row["first_kernel_call"] <= TARGET_STARTUP_S)))
        rows.append(("start-up: process start -> first kernel call returned (cached code loaded)",
                     f"{row['first_kernel_return']:.3f} s", "-", "-"))
        rows.append(("serial tail: last block -> process gone", f"{row['tail']:.3f} s", "-", "-"))
    if "limit p=2" in summary:
        rows.append(("limit: PCG64 normals/s (numba loop)", _fmt_rate(summary["limit p=2"]["normals_per_s"]), "-", "-"))
    limit_normals = summary["limit p=2"]["normals_per_s"] if "limit p=2" in summary else None
    for p in (2, 10, 100):
        if f"cli p={p} jobs=1" not in summary or f"limit p={p}" not in summary:
            continue
        lim, cli = summary[f"limit p={p}"], summary[f"cli p={p} jobs=1"]
        ratio = cli["reps_per_s"] / lim["reps_per_s"]
        rows.append((f"p={p}: end-to-end replications/s, 1 core (reps {cli['reps']:.0e})",
                     _fmt_rate(cli["reps_per_s"]), "-", "-"))
        target = f">= {TARGET_LIMIT_RATIO_P2:.2f}" if p == 2 else "-"
        rows.append((f"p={p}: end-to-end / limit", f"{ratio:.3f}", target,
                     check(ratio >= TARGET_LIMIT_RATIO_P2) if p == 2 else "-"))
    if "speedup jobs=1" in summary:
        one = summary["speedup jobs=1"]
        for backend in ("threading", "loky"):
            name = f"speedup jobs=-1 {backend}"
            if name in summary:
                speedup = summary[name]["reps_per_s"] / one["reps_per_s"]
                target = f">= {TARGET_SPEEDUP}x" if backend == "threading" else "-"
                rows.append((f"p=2: speed-up end to end, {cores} cores vs 1, {backend} (reps {one['reps']:.0e})",
                             f"{speedup:.2f}x", target, check(speedup >= TARGET_SPEEDUP) if backend == "threading"
                             else "-"))
        if cores == 1:
            rows.append(("p=2: speed-up, all cores vs 1", "n/a (1 core)", f">= {TARGET_SPEEDUP}x", "-"))
        elif "startup reps=1" in summary:
            st = summary["startup reps=1"]
            serial = st["first_kernel_return"] + st["tail"]
            bound = one["seconds"] / (serial + (one["seconds"] - serial) / cores)
            rows.append((f"p=2: speed-up bound from the serial {serial:.2f} s (start-up + tail), perfect scaling "
                         "otherwise", f"{bound:.2f}x", "-", "-"))
    if "sklearn p=2" in summary and "cli p=2 jobs=1" in summary:
        sk = summary["sklearn p=2"]
        rows.append(("sklearn Lasso+Ridge per replication (p=2): replications/s", _fmt_rate(sk["reps_per_s"]),
                     "-", "-"))
        ratio = summary["cli p=2 jobs=1"]["reps_per_s"] / sk["reps_per_s"]
        rows.append(("p=2: end-to-end (1 core) / sklearn", f"{ratio:,.0f}x", f">= {TARGET_SKLEARN_RATIO:,}x",
                     check(ratio >= TARGET_SKLEARN_RATIO)))
    for prefix, label in (("rss", "p=2"), ("corr rss", f"p=2 equicorrelated rho={RHO_EQUI}")):
        if f"{prefix} small" in summary:
            small, large = summary[f"{prefix} small"], summary[f"{prefix} large"]
            diff = large["rss_mb"] - small["rss_mb"]
            rows.append((f"{label}: peak RSS at {small['reps']:.0e} / {large['reps']:.0e} replications",
                         f"{small['rss_mb']:.0f} / {large['rss_mb']:.0f} MB ({diff:+.1f} MB)",
                         f"within {TARGET_RSS_DIFF_MB} MB", check(abs(diff) <= TARGET_RSS_DIFF_MB)))
    if "corr p=2 cli" in summary and limit_normals is not None:
        corr = summary["corr p=2 cli"]
        ratio = corr["reps_per_s"] / (limit_normals / 2)
        rows.append((f"p=2 equicorrelated rho={RHO_EQUI}: end-to-end replications/s, 1 core (reps {corr['reps']:.0e})",
                     _fmt_rate(corr["reps_per_s"]), "-", "-"))
        rows.append((f"p=2 equicorrelated rho={RHO_EQUI}: end-to-end / limit", f"{ratio:.3f}",
                     f">= {TARGET_CORR_LIMIT_RATIO}", check(ratio >= TARGET_CORR_LIMIT_RATIO)))
        fixed = summary["corr p=2 cli reps=1"]["seconds"]
        kernel_rate = (corr["reps"] - 1) / max(corr["seconds"] - fixed, 1e-9)
        rows.append((f"p=2 equicorrelated: fixed cost (reps=1) / rate without it / limit",
                     f"{fixed:.2f} s / {_fmt_rate(kernel_rate)} / {kernel_rate / (limit_normals / 2):.3f}", "-", "-"))
    if "ar1 p=10 kernel" in summary:
        kern, sk = summary["ar1 p=10 kernel"], summary["ar1 p=10 sklearn"]
        ratio = kern["reps_per_s"] / sk["reps_per_s"]
        rows.append((f"p={P_AR1} ar1 rho={RHO_AR1}: lasso kernel replications/s, 1 core", _fmt_rate(kern["reps_per_s"]),
                     "-", "-"))
        rows.append((f"p={P_AR1} ar1: sklearn Lasso(tol=1e-10) per replication, replications/s",
                     _fmt_rate(sk["reps_per_s"]), "-", "-"))
        rows.append((f"p={P_AR1} ar1: kernel / sklearn", f"{ratio:,.0f}x", f">= {TARGET_AR1_SKLEARN_RATIO:,}x",
                     check(ratio >= TARGET_AR1_SKLEARN_RATIO)))
        if "ar1_check" in context:
            c = context["ar1_check"]
            ok = c["pattern_mismatches"] == 0 and c["histograms_equal"]
            rows.append((f"p={P_AR1} ar1: zero patterns, sklearn vs exact, first {c['reps']:,} draws "
                         "(and the kernel's histogram)",
                         f"{c['pattern_mismatches']} mismatches, histograms "
                         f"{'equal' if c['histograms_equal'] else 'differ'}", "identical", check(ok)))
    if "is 7.5,7.5 lam=0.3" in summary:
        row = summary["is 7.5,7.5 lam=0.3"]
        ok = row["seconds"] <= TARGET_IS_SECONDS and row["relative_error"] <= TARGET_IS_RELATIVE_ERROR
        rows.append((f"IS beta=(7.5, 7.5), lam=0.3, reps {row['reps']:.0e}: P, relative error, time",
                     f"{row['estimate']:.4g} (exact {row.get('exact', float('nan')):.4g}), "
                     f"{row['relative_error']:.2g}, {row['seconds']:.2f} s", "1% in <= 10 s", check(ok)))
    if "is union 0,0,0 lam=3" in summary:
        row = summary["is union 0,0,0 lam=3"]
        rows.append((f"IS union beta=(0, 0, 0), lam=3: time to 1% relative error ({row['reps']:,} reps)",
                     f"{row['seconds']:.2f} s (relative error {row['relative_error']:.2g}, P = {row['estimate']:.6g}, "
                     f"exact {row.get('exact', float('nan')):.6g})",
                     "-", check(row["relative_error"] <= TARGET_IS_RELATIVE_ERROR)))
    return rows


def print_markdown(rows, machine: dict, quick: bool, load_after: str, summary: dict) -> None:
    print("\n## Benchmark" + (" (quick smoke run: counts too small for the targets)" if quick else ""))
    others = max((row.get("other_cores_max", 0.0) for row in summary.values()), default=0.0)
    print(f"\n{machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, "
          f"numpy {machine['numpy']}, numba {machine['numba']}, scikit-learn {machine['scikit-learn']}; "
          f"load average {machine['load average']} before, {load_after} after; other processes used at most "
          f"{others:.2f} cores during a timed run; bytecode: {machine['bytecode'].split(' (')[0]}\n")
    print("| measure | value | target | pass/fail |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main(argv=None) -> int:
    args = parse_args(argv)
    pycache = None
    if args.bytecode == "private":
        pycache = tempfile.mkdtemp(prefix="mc_sparsity_bench_pyc_")
        os.environ["PYTHONPYCACHEPREFIX"] = pycache  # inherited by every command run from here
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    try:
        return _main(args)
    finally:
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)


def _main(args) -> int:
    machine = machine_info()
    machine["bytecode"] = (f"private cache (PYTHONPYCACHEPREFIX={os.environ['PYTHONPYCACHEPREFIX']})"
                           if args.bytecode == "private" else
                           "inherited environment (PYTHONDONTWRITEBYTECODE="
                           f"{os.environ.get('PYTHONDONTWRITEBYTECODE', 'unset')})")
    print("Machine")
    for key, value in machine.items():
        print(f"  {key:<13} {value}")
    print(f"  repeats       {args.repeats} (medians; ratios from medians of this run)")
    print(f"  parts         {','.join(args.only)}")
    print(f"  command       {' '.join(command())}")
    warm_up(args)
    cores = machine["usable cores"] or 1
    context = {}
    cases = build_cases(args, cores, context)
    print(f"\nRunning {len(cases)} cases x {args.repeats} repeats ...", flush=True)
    runs = run_cases(cases, args.repeats)
    if "ar1" in context:
        print(f"  zero-pattern check on {args.pattern_reps:,} draws ...", file=sys.stderr, flush=True)
        context["ar1_check"] = context.pop("ar1").pattern_check(args.pattern_reps)
    summary = summarize(cases, runs)
    load_after = _load()
    print_rates(summary)
    print_details(summary, context)
    rows = verdicts(summary, cores, context)
    print_markdown(rows, machine, args.quick, load_after, summary)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump({"machine": machine, "load_after": load_after, "args": vars(args), "summary": summary,
                       "checks": context, "table": rows}, f, indent=1, default=str)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
