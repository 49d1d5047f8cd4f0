"""Benchmark of ``mc-sparsity recovery``: trials per second against scikit-learn and against drawing the data.

Scenario: p = 128, fractional sparsity (k = 16), theta = 1.5 (n = 227),
lam_n, sigma = beta_min = 0.5, Sigma = I, one core.  Three rates, measured in
interleaved rounds (one of each per round, so that a burst of load on a shared
machine hits all alike); medians over the rounds, ratios of the medians:

* ``ours``: the engine running the compiled trials (draw, witness, the guesses
  a refutation points to or LARS when needed, certificates), with every estimand (``solve=True``: the solution
  itself is computed whenever the witness does not certify the truth) and with
  the signed support only (``solve=False``);
* ``sklearn``: ``LassoLars(alpha=lam, fit_intercept=False)`` fitted once per
  trial on trials of the same setup drawn by numpy (the fit alone is timed,
  with one BLAS thread; drawing excluded, which favours scikit-learn).
  Target: ours >= 10x;
* ``draw``: a numba loop drawing the trial's ``n p + n`` normals from numpy's
  PCG64 stream and nothing else: the floor of any trial.

Run: ``python benchmarks/recovery.py [--rounds 7] [--trials 2000]`` from the
repository's root, or as the ``recovery`` part of ``python benchmarks/run.py``
(rows: ours / scikit-learn, target >= 10x; ours / drawing the trial's normals).
``--profile`` prints where a trial's time goes instead (CPU time, medians):
the normals alone, the trial drawn, then the witness on the truth, then the
solution of the refuted trials (guesses, else LARS), each stage cumulative.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's package, not an installed one

from mc_sparsity._mc.engine import run_kernel
from mc_sparsity._recovery import witness as w
from mc_sparsity._recovery.setup import recovery_setup
from mc_sparsity._recovery.simulate import scenario_kernel


@numba.njit(cache=True, nogil=True)
def _draw_only(rng, trials, n, p):  # pragma: no cover - compiled
    acc = 0.0
    for _ in range(trials):
        for _ in range(n * p + n):
            acc += rng.standard_normal()
    return acc


def _ours(setup, trials, solve, seed):
    start = time.perf_counter()
    run_kernel(scenario_kernel(setup, solve), trials, np.random.SeedSequence(seed), n_jobs=1)
    return trials / (time.perf_counter() - start)


def _sklearn(setup, trials, seed):
    from sklearn.linear_model import LassoLars
    from threadpoolctl import threadpool_limits

    rng = np.random.default_rng(seed)
    spent = 0.0
    # one BLAS thread, as ours runs on one core: with two, OpenBLAS's threads on a shared machine made the fits
    # 3x slower (61 vs 183 fits/s under load), a ratio that flattered us
    with threadpool_limits(limits=1):
        for _ in range(trials):
            beta = np.zeros(setup.p)
            beta[rng.choice(setup.p, setup.k, replace=False)] = setup.beta_min * rng.choice([-1.0, 1.0], setup.k)
            X = rng.standard_normal((setup.n, setup.p))
            y = X @ beta + setup.sigma * rng.standard_normal(setup.n)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                LassoLars(alpha=setup.lam, fit_intercept=False).fit(X, y)
            spent += time.perf_counter() - start
    return trials / spent


def _draw(setup, trials, seed):
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    _draw_only(rng, trials, setup.n, setup.p)
    return trials / (time.perf_counter() - start)


@numba.njit(cache=True, nogil=True)
def _stages(rng, trials, p, k, n, lam, sigma, beta_min, rho, upto):  # pragma: no cover - compiled
    """The kernel's trial cut after stage ``upto``: 0 the draw, 1 the witness on the truth, 2 the solution."""
    X, y, perm = np.empty((n, p)), np.empty(n), np.empty(p, dtype=np.int64)
    true_idx, true_sgn, mask = np.empty(k, dtype=np.int64), np.empty(k), np.zeros(p, dtype=np.bool_)
    amax = min(n, p)
    act, sgnA, bA, inS = np.empty(amax, dtype=np.int64), np.empty(amax), np.empty(amax), np.zeros(p, dtype=np.bool_)
    GA, L, w_, u, a = np.zeros((amax, amax)), np.zeros((amax, amax)), np.empty(amax), np.empty(n), np.empty(p)
    bS, c, colsq, e = np.empty(max(k, amax)), np.empty(p), np.empty(p), np.empty(n)
    total = 0
    for _ in range(trials):
        w._draw_trial(rng, X, y, true_idx, true_sgn, perm, k, rho, sigma, beta_min)
        if upto == 0:
            total += y[0] > 0.0
            continue
        mask[:] = False
        mask[true_idx] = True
        status = w._certify(X, y, n * lam, true_idx, true_sgn, k, mask, bS, c, colsq, e)
        if upto == 1 or status == w.YES:
            total += status
            continue
        ns = w._active_set_guesses(X, y, n * lam, true_idx, true_sgn, k, bS, c, colsq, e, act, sgnA, inS,
                                   w.GUESSES) if status == w.NO else -1
        if ns < 0:
            ns = w._lars(X, y, n * lam, act, sgnA, bA, GA, L, c, w_, u, a, inS)
            ns = w._certify(X, y, n * lam, act, sgnA, ns, inS, bS, c, colsq, e) if ns >= 0 else ns
        total += ns
    return total


def profile(setup, trials, rounds):
    """Print the cumulative CPU time per trial of each stage (medians over interleaved rounds)."""
    args = (setup.p, setup.k, setup.n, setup.lam, setup.sigma, setup.beta_min, setup.rho)
    names = ["the trial's normals alone", "the trial drawn", "+ the witness on the truth",
             "+ refuted trials solved (guesses, else LARS)"]
    _draw_only(np.random.default_rng(0), 2, setup.n, setup.p)
    for upto in range(3):
        _stages(np.random.default_rng(0), 4, *args, upto)
    spent = [[] for _ in names]
    for r in range(rounds):
        start = time.process_time()
        _draw_only(np.random.default_rng(r), trials, setup.n, setup.p)
        spent[0].append(time.process_time() - start)
        for upto in range(3):
            start = time.process_time()
            _stages(np.random.default_rng(r), trials, *args, upto)
            spent[upto + 1].append(time.process_time() - start)
    med = [statistics.median(v) / trials * 1e6 for v in spent]
    for i, name in enumerate(names):
        step = f"   (+{med[i] - med[i - 1]:.1f})" if i > 1 else ""
        print(f"  {name:<46}{med[i]:8.1f} us per trial{step}")


NAME = "recovery"
FULL = {"trials": 2000, "sklearn": 100}
QUICK = {"trials": 100, "sklearn": 10}
TARGET_SKLEARN = 10


def cases(counts: dict, context: dict) -> list:
    """The part's cases for ``benchmarks/run.py``: the witness path (both modes), scikit-learn, drawing alone."""
    from benchmarks.harness import Case

    setup = context["recovery_setup"] = recovery_setup(128, "fractional", theta=1.5)
    _ours(setup, 16, True, 0), _ours(setup, 16, False, 0), _draw(setup, 4, 0)  # compiled or loaded
    trials, sk = counts["trials"], counts["sklearn"]
    seed = iter(range(10**6))
    return [Case("recovery ours all", lambda: {"seconds": trials / _ours(setup, trials, True, next(seed))}, trials),
            Case("recovery ours signed", lambda: {"seconds": trials / _ours(setup, trials, False, next(seed))},
                 trials),
            Case("recovery sklearn", lambda: {"seconds": sk / _sklearn(setup, sk, next(seed))}, sk),
            Case("recovery draw", lambda: {"seconds": trials / _draw(setup, trials, next(seed))}, trials)]


def rows(summary: dict, context: dict) -> list:
    from benchmarks.harness import ratio_row

    setup = context["recovery_setup"]
    sk, draw = summary["recovery sklearn"]["reps_per_s"], summary["recovery draw"]["reps_per_s"]
    out = []
    for key, label in (("recovery ours all", "every estimand"), ("recovery ours signed", "signed support only")):
        ours = summary[key]["reps_per_s"]
        out.append(ratio_row(f"recovery p = {setup.p}, theta = {setup.theta:g} ({label}) vs scikit-learn LassoLars "
                             f"per trial ({ours:,.0f} vs {sk:,.0f} trials/s)", ours / sk, TARGET_SKLEARN, "x", 1))
        out.append(ratio_row(f"recovery ({label}): the witness path / drawing the trial's normals", ours / draw,
                             None))
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--trials", type=int, default=2000, help="trials per round for the compiled measures")
    parser.add_argument("--sklearn-trials", type=int, default=100, help="trials per round for scikit-learn")
    parser.add_argument("--profile", action="store_true", help="where a trial's time goes, stage by stage")
    args = parser.parse_args(argv)
    setup = recovery_setup(128, "fractional", theta=1.5)
    if args.profile:
        print(f"p = {setup.p}, k = {setup.k}, n = {setup.n}, theta = {setup.theta:g}: CPU time, medians of "
              f"{args.rounds} interleaved rounds of {args.trials} trials")
        profile(setup, args.trials, args.rounds)
        return
    print(f"p = {setup.p}, k = {setup.k}, n = {setup.n}, theta = {setup.theta:g}, lam = {setup.lam:.4g}, one core, "
          f"{args.rounds} interleaved rounds")
    _ours(setup, 16, True, 0), _ours(setup, 16, False, 0), _draw(setup, 4, 0), _sklearn(setup, 3, 0)  # warm up
    rates = {"ours (all estimands)": [], "ours (signed support)": [], "sklearn LassoLars fit": [], "draw only": []}
    for r in range(args.rounds):
        rates["ours (all estimands)"].append(_ours(setup, args.trials, True, r))
        rates["ours (signed support)"].append(_ours(setup, args.trials, False, r))
        rates["sklearn LassoLars fit"].append(_sklearn(setup, args.sklearn_trials, r))
        rates["draw only"].append(_draw(setup, args.trials, r))
    med = {name: statistics.median(values) for name, values in rates.items()}
    for name, value in med.items():
        spread = f"{min(rates[name]):,.0f}-{max(rates[name]):,.0f}"
        print(f"  {name:<24}{value:>12,.0f} trials/s   (range {spread})")
    for name in ("ours (all estimands)", "ours (signed support)"):
        print(f"  {name} / sklearn: {med[name] / med['sklearn LassoLars fit']:.1f}x (target >= 10x); "
              f"/ drawing alone: {med[name] / med['draw only']:.2f}")


if __name__ == "__main__":
    main()
