"""Time and error of the correlated exact P(sparse): the default study's scenarios and p = 7-8 cases.

Usage (from a worktree's root; point PYTHONPATH at another checkout to compare):

    PYTHONPATH=. python scripts/bench_exact_correlated.py [--repeats 3]

Prints, per scenario, the value, its error bound and the median wall time over
the repeats (seeds 0..repeats-1), then the total of the medians over the
default study's correlated grids (p = 2 equicorrelated, both forms; p = 5 AR(1)).
"""

import argparse
import itertools
import time

import numpy as np

from mc_sparsity._designs.design import ar1, equicorrelated
from mc_sparsity._exact.correlated import exact_sparse_probability_correlated


def _median_run(beta, design, repeats, **level):
    times, res = [], None
    for seed in range(repeats):
        start = time.perf_counter()
        res = exact_sparse_probability_correlated(beta, 1.0, design, rng=seed, **level)
        times.append(time.perf_counter() - start)
    return res, float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    default = []
    for beta, lam, rho in itertools.product(([1.0, 0.3], [2.0, 1.0]), (0.5, 1.0), (-0.9, -0.6, -0.3, 0.3, 0.6, 0.9)):
        default.append((f"eq2 {beta} lam={lam} rho={rho}", beta, equicorrelated(2, rho), {"lam": lam}))
    for beta, t, rho in itertools.product(([1.0, 0.3], [2.0, 1.0]), (1.0,), (-0.6, 0.6)):
        default.append((f"eq2 {beta} t={t} rho={rho}", beta, equicorrelated(2, rho), {"radius": t}))
    for lam in (0.5, 1.0):
        default.append((f"ar1-5 lam={lam}", [1.0, 0.5, 0.0, -0.5, -1.0], ar1(5, 0.5), {"lam": lam}))
    extra = [
        ("ar1-7 lam=0.3", [2.0, 1.5, 1.0, -1.5, -2.0, 1.8, -1.3], ar1(7, 0.5), {"lam": 0.3}),
        ("eq-8 lam=0.3", [2.0, 1.5, 1.2, -1.5, -2.0, 1.8, -1.3, 2.5], equicorrelated(8, 0.4), {"lam": 0.3}),
        ("ar1-8(-0.6) lam=0.25", [2.0, -1.5, 1.2, -1.5, -2.0, 1.8, -1.3, 2.5], ar1(8, -0.6), {"lam": 0.25}),
    ]
    total = 0.0
    for name, beta, design, level in default:
        res, t = _median_run(beta, design, args.repeats, **level)
        total += t
        if design.p > 2:
            print(f"{name:40s} P={res.probability:.7f} error={res.error:.2e} median={t:.2f}s")
    print(f"default study, all correlated exact values: {total:.2f} s (sum of medians)")
    for name, beta, design, level in extra:
        res, t = _median_run(beta, design, args.repeats, **level)
        print(f"{name:40s} P={res.probability:.7f} error={res.error:.2e} median={t:.2f}s")


if __name__ == "__main__":
    main()
