"""Correlated designs: p = 2 penalized and constrained against the limit, p = 10 AR(1) against scikit-learn.

Cases (one core):

* ``corr p=2 penalized``: ``simulate --rho 0.6 --design equicorrelated`` (lasso
  and ridge, lam = 0.5) end to end; row: / the limit (target >= 0.5);
* ``corr p=2 constrained``: the same with ``--radius 1`` (the L1 ball by its
  vertex and edge cases, the L2 ball by the secular equation); row: / the
  limit (target >= 0.3);
* ``ar1 p=10 kernel``: the lasso kernel at p = 10, AR(1) rho = 0.5, lam = 0.5,
  in process (``run_kernel(kernel, reps, seed, n_jobs=1)``), against
  ``ar1 p=10 sklearn``: scikit-learn's ``Lasso(alpha=lam/n, tol=1e-10)`` fitted
  once per replication on a design with ``X^T X = G`` (target >= 1,000x); a
  one-off check that on the kernel's first draws scikit-learn's zero patterns
  equal the certified exact ones and that the kernel's histogram equals theirs;
* ``corr rss small/large``: peak RSS of the penalized command (within 32 MB).
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from .harness import Case, Row, ratio_row, run_cli, simulate_args, time_limit

__all__ = ["NAME", "FULL", "QUICK", "Ar1", "cases", "rows"]

NAME = "correlated"
FULL = {"penalized": 1_000_000_000, "constrained": 100_000_000, "ar1": 5_000_000, "sklearn": 2000,
        "patterns": 10_000, "rss_small": 1_000_000, "rss_large": 100_000_000}
QUICK = {"penalized": 10_000_000, "constrained": 1_000_000, "ar1": 100_000, "sklearn": 100,
         "patterns": 1000, "rss_small": 1_000_000, "rss_large": 10_000_000}
RHO_EQUI, RHO_AR1, P_AR1, LAM = 0.6, 0.5, 10, 0.5
TARGET_PENALIZED, TARGET_CONSTRAINED, TARGET_AR1, TARGET_RSS_MB = 0.5, 0.3, 1000, 32


def corr_args(reps: int, constrained: bool = False) -> list[str]:
    form = {"lam": None, "radius": 1.0} if constrained else {"lam": LAM}
    return simulate_args([1.0, 0.3], reps, **form, extra=["--rho", str(RHO_EQUI), "--design", "equicorrelated"])


class Ar1:
    """The p = 10 AR(1) scenario: its design, lasso kernel, and the kernel's own draws in numpy."""

    N_SKLEARN = 50  # rows of the scikit-learn design X, X^T X = G

    def __init__(self):
        from mc_sparsity import ar1
        from mc_sparsity._mc.kernels_correlated import penalized_correlated_kernel
        from mc_sparsity._solvers.iterative import design_with_gram

        self.design = ar1(P_AR1, RHO_AR1)
        self.beta = np.array([round(2.0 * j / (P_AR1 - 1), 4) for j in range(P_AR1)])
        self.kernel = penalized_correlated_kernel(self.beta, 1.0, self.design.gram,
                                                  self.design.covariance_cholesky, [LAM], [0.0])
        self.x = design_with_gram(self.design.gram, self.N_SKLEARN, np.random.default_rng(3))
        self.seed = np.random.SeedSequence(1)
        self.run(1000)  # compiled, or loaded from the cache

    def run(self, reps: int) -> dict:
        from mc_sparsity._mc.engine import run_kernel

        start = time.perf_counter()
        tally = run_kernel(self.kernel, reps, self.seed, n_jobs=1)
        seconds = time.perf_counter() - start
        if tally.completed != reps:
            raise RuntimeError(f"run_kernel completed {tally.completed} of {reps}")
        return {"seconds": seconds}

    def draws(self, reps: int):
        """``beta_hat`` of the kernel's first ``reps`` replications (block 0's stream, the kernel's order)."""
        from mc_sparsity._mc.engine import block_generator

        eps = block_generator(self.seed, 0).standard_normal((reps, P_AR1))
        return self.beta + eps @ self.design.covariance_cholesky.T

    def sklearn_zeros(self, beta_hat):
        """Zero patterns of ``Lasso(alpha=lam/n, fit_intercept=False, tol=1e-10)`` on ``y = X beta_hat``."""
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso

        ys = beta_hat @ self.x.T
        lasso = Lasso(alpha=LAM / self.x.shape[0], fit_intercept=False, tol=1e-10)
        zeros = np.empty(beta_hat.shape, dtype=bool)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            start = time.perf_counter()
            for i in range(ys.shape[0]):
                zeros[i] = lasso.fit(self.x, ys[i]).coef_ == 0.0
            seconds = time.perf_counter() - start
        return zeros, seconds

    def time_sklearn(self, reps: int) -> dict:
        return {"seconds": self.sklearn_zeros(self.draws(reps))[1]}

    def pattern_check(self, reps: int) -> dict:
        """On the kernel's first ``reps`` draws: scikit-learn's patterns against the exact ones and the kernel's."""
        from mc_sparsity._mc.engine import block_generator
        from mc_sparsity._solvers.iterative import exact_lasso_solution

        beta_hat = self.draws(reps)
        _, exact, certified = exact_lasso_solution(beta_hat @ self.design.gram, self.design.gram, LAM)
        sk, _ = self.sklearn_zeros(beta_hat)
        counts = np.zeros(self.kernel.counts_shape, dtype=np.int64)
        self.kernel.function(block_generator(self.seed, 0), reps, *self.kernel.args, counts,
                             np.zeros(self.kernel.sums_shape))
        k = int(np.count_nonzero(self.beta))
        kernel_zeros = np.zeros(P_AR1 + 1, dtype=np.int64)
        hist = counts[0, :(k + 1) * (P_AR1 - k + 1)].reshape(k + 1, P_AR1 - k + 1)
        for a in range(k + 1):
            kernel_zeros[a:a + P_AR1 - k + 1] += hist[a]
        return {"reps": reps, "mismatches": int((sk != exact).any(axis=1).sum()),
                "uncertified": int((~certified).sum()),
                "histograms_equal": bool(np.array_equal(kernel_zeros, np.bincount(sk.sum(axis=1),
                                                                                  minlength=P_AR1 + 1)))}


def cases(counts: dict, context: dict) -> list[Case]:
    out = []
    for form in ("penalized", "constrained"):
        reps = counts[form]
        out.append(Case(f"limit corr {form}", lambda n=2 * reps: time_limit(n), reps, 2 * reps))
        out.append(Case(f"corr p=2 {form}", lambda r=reps, c=form == "constrained": run_cli(corr_args(r, c), r),
                        reps, 2 * reps))
    ar1 = context["ar1"] = Ar1()
    context["ar1_patterns"] = counts["patterns"]
    out.append(Case("ar1 p=10 kernel", lambda: ar1.run(counts["ar1"]), counts["ar1"], P_AR1 * counts["ar1"]))
    out.append(Case("ar1 p=10 sklearn", lambda: ar1.time_sklearn(counts["sklearn"]), counts["sklearn"]))
    for size in ("small", "large"):
        reps = counts[f"rss_{size}"]
        out.append(Case(f"corr rss {size}", lambda r=reps: run_cli(corr_args(r), r), reps, 2 * reps))
    return out


def rows(summary: dict, context: dict) -> list[Row]:
    out = []
    for form, target in (("penalized", TARGET_PENALIZED), ("constrained", TARGET_CONSTRAINED)):
        cli, lim = summary[f"corr p=2 {form}"], summary[f"limit corr {form}"]
        out.append(ratio_row(f"correlated (rho = {RHO_EQUI}) {form} p = 2 end to end / limit, 1 core "
                             f"({cli['reps']:.0e} reps; {cli['reps_per_s']:.3g} reps/s)",
                             cli["reps_per_s"] / lim["reps_per_s"], target))
    kern, sk = summary["ar1 p=10 kernel"], summary["ar1 p=10 sklearn"]
    out.append(ratio_row(f"p = {P_AR1} AR(1) lasso per replication vs scikit-learn Lasso(tol=1e-10) "
                         f"({kern['reps_per_s']:.3g} vs {sk['reps_per_s']:.3g} reps/s)",
                         kern["reps_per_s"] / sk["reps_per_s"], TARGET_AR1, "x", 0))
    check = context["ar1"].pattern_check(context["ar1_patterns"])
    ok = check["mismatches"] == 0 and check["histograms_equal"]
    out.append(Row(f"p = {P_AR1} AR(1): zero patterns, scikit-learn vs exact vs the kernel, first {check['reps']:,} "
                   "draws", f"{check['mismatches']} mismatches, {check['uncertified']} uncertified, histograms "
                   f"{'equal' if check['histograms_equal'] else 'differ'}", "identical", "PASS" if ok else "FAIL"))
    small, large = summary["corr rss small"], summary["corr rss large"]
    diff = large["rss_mb"] - small["rss_mb"]
    out.append(Row(f"correlated peak RSS at {small['reps']:.0e} / {large['reps']:.0e} reps",
                   f"{small['rss_mb']:.0f} / {large['rss_mb']:.0f} MB ({diff:+.1f})", f"within {TARGET_RSS_MB} MB",
                   "PASS" if abs(diff) <= TARGET_RSS_MB else "FAIL"))
    return out
