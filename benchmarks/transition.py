"""Benchmark: basis-pursuit trials per second, our path against scipy's linprog per trial.

Usage: python benchmarks/transition.py [--repeats 5] [--trials 60] [--engine]

Same problems for every method (d = 100, s = 10, m = 25, 33, 45: below, at and
above the transition), interleaved repeats, medians and ratios.  Methods:

* ``fast``: :func:`mc_sparsity._transition.basis_pursuit.decide` (certificates
  before any LP), the package's default;
* ``highs``: ``decide(..., "highs")``: the LP first, then the certificates;
* ``linprog``: ``scipy.optimize.linprog(method="highs")`` on the u - v split,
  the solve alone (no certificate): the baseline the issue names.

With ``--engine``: ``simulate_transition`` serially, on 2 threads and on 2 loky
processes (the kernel is Python around LAPACK and HiGHS).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package, not an installed one

from mc_sparsity._transition.basis_pursuit import decide
from mc_sparsity._transition.simulate import draw_trial, one_blas_thread, simulate_transition


def plain_linprog(A, x):
    d = A.shape[1]
    linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=A @ x, bounds=(0, None), method="highs")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--trials", type=int, default=60, help="problems per repeat (a third at each m)")
    parser.add_argument("--engine", action="store_true")
    args = parser.parse_args()
    rng = np.random.default_rng(2026)
    problems = [draw_trial(rng, 100, 10, m) for m in (25, 33, 45) for _ in range(args.trials // 3)]
    methods = {"fast": lambda A, x: decide(A, x, "fast"), "highs": lambda A, x: decide(A, x, "highs"),
               "linprog": plain_linprog}
    times = {name: [] for name in methods}
    with one_blas_thread():
        for A, x in problems[:3]:  # warm up imports
            for run in methods.values():
                run(A, x)
        for _ in range(args.repeats):
            for name, run in methods.items():
                start = time.perf_counter()
                for A, x in problems:
                    run(A, x)
                times[name].append(time.perf_counter() - start)
    rate = {name: len(problems) / statistics.median(t) for name, t in times.items()}
    print(f"d = 100, s = 10, m = 25/33/45, {len(problems)} problems, {args.repeats} interleaved repeats (medians)")
    for name in methods:
        print(f"  {name:<8} {rate[name]:8.1f} trials/s")
    print(f"  ratio fast / linprog = {rate['fast'] / rate['linprog']:.1f}, "
          f"fast / highs = {rate['fast'] / rate['highs']:.1f}")
    if args.engine:
        runs = {"serial": dict(n_jobs=1), "threading x2": dict(n_jobs=2, backend="threading"),
                "loky x2": dict(n_jobs=2, backend="loky")}
        seconds = {name: [] for name in runs}
        for _ in range(args.repeats):
            for name, options in runs.items():
                start = time.perf_counter()
                simulate_transition(100, 10, [25, 33, 45], 400, rng=1, **options)
                seconds[name].append(time.perf_counter() - start)
        base = statistics.median(seconds["serial"])
        for name, values in seconds.items():
            print(f"  engine {name:<13} {1200 / statistics.median(values):8.1f} trials/s "
                  f"(speed-up {base / statistics.median(values):.2f})")


if __name__ == "__main__":
    main()
