"""Orthonormal design: the command line end to end against the limit, scikit-learn, memory.

Cases (one core):

* ``limit p=P``: a numba loop drawing numpy's PCG64 normals, ``reps * p`` of them;
* ``cli p=P``: ``simulate --estimator all`` (lasso and ridge) end to end, start-up
  included; rows: end to end / limit at p = 2, 10, 100 (target >= 0.85 each);
* ``sklearn p=2``: ``Lasso`` and ``Ridge`` fitted once per replication (n = 20);
  row: the command's p = 2 rate against it (target >= 40,000x);
* ``rss small/large``: peak RSS of the p = 2 command at two replication counts
  (target: within 32 MB: memory flat in reps).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from .harness import Case, Row, ratio_row, run_cli, simulate_args, time_limit

__all__ = ["NAME", "FULL", "QUICK", "beta_for", "cases", "rows"]

NAME = "orthonormal"
FULL = {"p2": 2_000_000_000, "p10": 300_000_000, "p100": 40_000_000, "sklearn": 2000,
        "rss_small": 1_000_000, "rss_large": 100_000_000}
QUICK = {"p2": 20_000_000, "p10": 2_000_000, "p100": 200_000, "sklearn": 100,
         "rss_small": 1_000_000, "rss_large": 10_000_000}
TARGET_LIMIT = 0.85
TARGET_SKLEARN = 40_000
TARGET_RSS_MB = 32


def beta_for(p: int) -> list[float]:
    """A scenario with coefficients inside and outside the lasso threshold."""
    return [1.0, 0.3] if p == 2 else [round(2.0 * j / (p - 1), 4) for j in range(p)]


def cli_args(p: int, reps: int, jobs: int = 1, backend: str = "threading") -> list[str]:
    return simulate_args(beta_for(p), reps, jobs=jobs, backend=backend, extra=["--estimator", "all"])


def time_sklearn(reps: int, n: int = 20, seed: int = 7) -> dict:
    """Draw y, fit Lasso and Ridge, count zeros: ``reps`` times (orthonormal, p = 2)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Lasso, Ridge

    rng = np.random.default_rng(seed)
    beta = np.array(beta_for(2))
    x, _ = np.linalg.qr(rng.standard_normal((n, 2)))
    mean = x @ beta
    lasso, ridge = Lasso(alpha=0.5 / n, fit_intercept=False), Ridge(alpha=0.5, fit_intercept=False)
    sparse = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        for _ in range(reps):
            y = mean + rng.standard_normal(n)
            sparse += bool(np.any(lasso.fit(x, y).coef_ == 0.0)) + bool(np.any(ridge.fit(x, y).coef_ == 0.0))
        seconds = time.perf_counter() - start
    return {"seconds": seconds}


def cases(counts: dict, context: dict) -> list[Case]:
    out = []
    for p in (2, 10, 100):
        reps = counts[f"p{p}"]
        out.append(Case(f"limit p={p}", lambda n=reps * p: time_limit(n), reps, reps * p))
        out.append(Case(f"cli p={p}", lambda p=p, r=reps: run_cli(cli_args(p, r), r), reps, reps * p))
    out.append(Case("sklearn p=2", lambda: time_sklearn(counts["sklearn"]), counts["sklearn"]))
    for size in ("small", "large"):
        reps = counts[f"rss_{size}"]
        out.append(Case(f"rss {size}", lambda r=reps: run_cli(cli_args(2, r), r), reps, 2 * reps))
    return out


def rows(summary: dict, context: dict) -> list[Row]:
    out = []
    for p in (2, 10, 100):
        lim, cli = summary[f"limit p={p}"], summary[f"cli p={p}"]
        out.append(ratio_row(f"orthonormal p = {p}, lasso + ridge, end to end / drawing the normals, 1 core "
                             f"({cli['reps']:.0e} reps; {cli['reps_per_s']:.3g} reps/s)",
                             cli["reps_per_s"] / lim["reps_per_s"], TARGET_LIMIT))
    sk = summary["sklearn p=2"]
    out.append(ratio_row(f"orthonormal p = 2 end to end / scikit-learn Lasso + Ridge per replication "
                         f"({sk['reps_per_s']:.3g} reps/s)", summary["cli p=2"]["reps_per_s"] / sk["reps_per_s"],
                         TARGET_SKLEARN, "x", 0))
    small, large = summary["rss small"], summary["rss large"]
    diff = large["rss_mb"] - small["rss_mb"]
    out.append(Row(f"peak RSS at {small['reps']:.0e} / {large['reps']:.0e} reps (p = 2)",
                   f"{small['rss_mb']:.0f} / {large['rss_mb']:.0f} MB ({diff:+.1f})", f"within {TARGET_RSS_MB} MB",
                   "PASS" if abs(diff) <= TARGET_RSS_MB else "FAIL"))
    return out
