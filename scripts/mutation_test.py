"""Mutation testing: plant semantic bugs one at a time and check that the test suite catches each.

Usage::

    python scripts/mutation_test.py                 # every mutant
    python scripts/mutation_test.py --only se_sqrt_p_over_n wald_interval
    python scripts/mutation_test.py --list

Each mutant replaces one exact snippet of one source file.  The tree is copied
once to a temporary folder (the working tree is never touched); for each mutant
the snippet is replaced there, the mutant's tests are run with that copy first
on ``sys.path``, and the file is restored.  A mutant is *killed* when its tests
fail, *survives* when they pass; a survivor names a missing test.  The score is
killed / total.  A snippet that is not found is an error of this list (the
code moved), reported as such and not counted.  A mutant marked ``equivalent``
(with the reason it computes the same thing) is listed and not run; none of the
current list is: each changes a number some input can show.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Mutant:
    name: str
    path: str
    old: str
    new: str
    tests: tuple
    #: Why the mutant computes the same thing as the original (then it is listed, not run, not counted).
    equivalent: str = ""


MUTANTS = [
    # --- the eight planted bugs the audit found the suite let pass (issue 9)
    Mutant("se_sqrt_p_over_n", "mc_sparsity/_stats/inference.py", "return math.sqrt(p * (1.0 - p) / trials)",
           "return math.sqrt(p / trials)", ("tests/test_inference.py",)),
    Mutant("wald_interval", "mc_sparsity/_stats/inference.py",
           "    low = 0.0 if successes == 0 else float(betaincinv(successes, trials - successes + 1, alpha / 2))\n"
           "    high = 1.0 if successes == trials else float(betaincinv(successes + 1, trials - successes, 1 - alpha / 2))",
           "    p = successes / trials\n    h = 1.959963984540054 * math.sqrt(p * (1 - p) / trials)\n"
           "    low, high = max(0.0, p - h), min(1.0, p + h)", ("tests/test_inference.py", "tests/test_simulate.py")),
    Mutant("z_se_sqrt2", "mc_sparsity/_stats/inference.py", "se = math.sqrt(p0 * (1.0 - p0) / trials)",
           "se = math.sqrt(2 * p0 * (1.0 - p0) / trials)", ("tests/test_inference.py",)),
    Mutant("chisquare_drops_remainder", "mc_sparsity/_stats/goodness_of_fit.py",
           "    obs_cells[-1] += acc_o\n    exp_cells[-1] += acc_e\n", "",
           ("tests/test_inference.py", "tests/test_goodness_of_fit.py")),
    Mutant("c1_rule_inverted", "mc_sparsity/_report/claims.py",
           'return Claim("C1", claim, HOLDS if positive else DOES_NOT_HOLD, text)',
           'return Claim("C1", claim, DOES_NOT_HOLD if positive else HOLDS, text)', ("tests/test_claims.py",)),
    Mutant("one_stream_for_every_scenario", "mc_sparsity/_pipeline/study.py",
           "return np.random.SeedSequence(study_seed, spawn_key=(int(self.key, 16),))",
           "return np.random.SeedSequence(study_seed)", ("tests/test_study.py",)),
    Mutant("scad_default_a", "mc_sparsity/_estimators/registry.py", '(Parameter("a", 3.7,', '(Parameter("a", 3.6,',
           ("tests/test_registry.py",)),
    Mutant("mcp_default_gamma", "mc_sparsity/_estimators/registry.py", '(Parameter("gamma", 3.0,', '(Parameter("gamma", 2.5,',
           ("tests/test_registry.py",)),
    # --- kernels
    Mutant("kernel_threshold_off_by_half_percent", "mc_sparsity/_mc/kernels.py",
           "off1 * abs(y1[i])\n        for e in range(n_est):\n            tau = thresholds[e]",
           "off1 * abs(y1[i])\n        for e in range(n_est):\n            tau = thresholds[e] * 1.005",
           ("tests/test_engine.py", "tests/test_simulate.py")),
    Mutant("kernel_threshold_off_folded", "mc_sparsity/_mc/kernels.py",
           "_draw_folded(rng, m, mean, sigma, signs, y)\n        for e in range(n_est):\n            tau = thresholds[e]",
           "_draw_folded(rng, m, mean, sigma, signs, y)\n        for e in range(n_est):\n            tau = thresholds[e] * 1.005",
           ("tests/test_engine.py", "tests/test_simulate.py")),
    Mutant("kernel_radius_off", "mc_sparsity/_mc/kernels.py", "if before - j * u < radius:",
           "if before - j * u < radius * 0.995:", ("tests/test_engine.py", "tests/test_simulate.py")),
    Mutant("kernel_ridge_assumed_not_computed", "mc_sparsity/_mc/orthonormal.py",
           "[quotient_zero_threshold(d) for d in divisors]", "[0.0 for d in divisors]", ("tests/test_engine.py",)),
    Mutant("engine_drops_partial_block", "mc_sparsity/_mc/engine.py", "n = min(size, reps - block * size)",
           "n = size", ("tests/test_engine.py",)),
    Mutant("correlated_kernel_cholesky_transposed", "mc_sparsity/_mc/kernels_correlated.py",
           "acc += chol[j, k] * eps[k]", "acc += chol[k, j] * eps[k]", ("tests/test_kernels_correlated.py",)),
    # --- exact laws and integrals
    Mutant("exact_tail_sign", "mc_sparsity/_exact/orthonormal.py",
           "special.log_ndtr((-mean - c) / scale)", "special.log_ndtr((mean - c) / scale)",
           ("tests/test_exact.py",)),
    Mutant("constrained_product_form_c", "mc_sparsity/_exact/orthonormal.py",
           "    c = radius / _SQRT2\n    with np.errstate(over=\"ignore\"):\n        log_p",
           "    c = radius / 1.4\n    with np.errstate(over=\"ignore\"):\n        log_p",
           ("tests/test_exact.py", "tests/test_integrate.py")),
    Mutant("integral_strip_width", "mc_sparsity/_exact/integrate.py", "tau = lam / sigma if estimator == \"lasso\" else 0.0",
           "tau = 1.001 * lam / sigma if estimator == \"lasso\" else 0.0", ("tests/test_integrate.py",)),
    Mutant("correlated_orthant_sign", "mc_sparsity/_exact/correlated.py",
           "means = (a_inv @ (gram @ m))[None, :] - ell * signs @ a_inv.T",
           "means = (a_inv @ (gram @ m))[None, :] + ell * signs @ a_inv.T", ("tests/test_exact_correlated.py",)),
    # --- importance sampling, intervals, study, report, solvers
    Mutant("is_weight_bias", "mc_sparsity/_mc/importance.py", "mean = sums[0] / n", "mean = 1.05 * sums[0] / n",
           ("tests/test_importance.py",)),
    Mutant("wilson_by_default", "mc_sparsity/_stats/inference.py", 'DEFAULT_CI_METHOD = "exact"',
           'DEFAULT_CI_METHOD = "wilson"', ("tests/test_inference.py",)),
    Mutant("journal_identity_ignores_seed", "mc_sparsity/_pipeline/study.py",
           "text = json.dumps([__version__, self.seed, [s.key for s in self.scenarios]])",
           "text = json.dumps([__version__, [s.key for s in self.scenarios]])", ("tests/test_faults.py",)),
    Mutant("c9_rule_inverted", "mc_sparsity/_report/claims.py",
           "    if len(positive):\n        return Claim(\"C9\", claim, DOES_NOT_HOLD, text)",
           "    if len(positive):\n        return Claim(\"C9\", claim, HOLDS, text)", ("tests/test_claims.py",)),
    Mutant("ista_step_ignored", "mc_sparsity/_solvers/compiled.py",
           "            thr = step * lam\n            for j in range(p):\n                b[j] = _soft(b[j] - step",
           "            thr = lam\n            for j in range(p):\n                b[j] = _soft(b[j] - step",
           ("tests/test_solvers.py",)),
    Mutant("usage_error_exit_1", "mc_sparsity/cli.py", "parser.exit(EXIT_USAGE,", "parser.exit(EXIT_FAILURE,",
           ("tests/test_cli.py",)),
    # --- the fresh list of issue 22 (item 5): each with the test that kills it
    Mutant("constrained_window_from_smallest_beta", "mc_sparsity/_exact/constrained.py",
           "upper_end = np.sort(mu)[min(degree, mu.size) - 1] + _WINDOW", "upper_end = np.sort(mu)[0] + _WINDOW",
           ("tests/test_constrained_exact.py",)),
    Mutant("convolution_origin_not_zeroed", "mc_sparsity/_exact/constrained.py",
           "            conv[..., 0] = 0.0  # the trapezoid rule on [0, 0]\n", "", ("tests/test_constrained_exact.py",)),
    Mutant("certificate_sign_margin_negative", "mc_sparsity/_mc/gram_lasso.py",
           "signs_ok &= sg[idx[k]] * u[k] > tol_b", "signs_ok &= sg[idx[k]] * u[k] > -tol_b",
           ("tests/test_gram_lasso.py", "tests/test_kernels_correlated.py")),
    # --- the one certified Gram-lasso solver (issue 17, step 4)
    Mutant("certified_solution_scattered_by_position", "mc_sparsity/_mc/gram_lasso.py",
           "                if inS[j]:\n                    b[j] = u[k]", "                if inS[j]:\n                    b[j] = u[j]",
           ("tests/test_gram_lasso.py",)),
    Mutant("start_pattern_trusted_uncertified", "mc_sparsity/_mc/gram_lasso.py",
           "            if not have_start:\n                continue", "            if have_start:\n                return True",
           ("tests/test_gram_lasso.py",)),
    Mutant("solver_study_exact_zeros_lost", "mc_sparsity/_solvers/compiled.py",
           "        zero[j] = bstar[j] == 0.0", "        zero[j] = False", ("tests/test_solvers.py",)),
    Mutant("is_interval_one_sided_quantile", "mc_sparsity/_mc/importance.py",
           "spread = float(special.ndtri(0.5 + confidence_level / 2)) * est.relative_error",
           "spread = float(special.ndtri(0.95)) * est.relative_error", ("tests/test_importance.py",)),
    Mutant("is_row_on_the_scenario_stream", "mc_sparsity/_pipeline/study.py",
           'min(scenario.reps, 1_000_000), named_stream(seed, "importance"),',
           "min(scenario.reps, 1_000_000), seed,", ("tests/test_study.py",)),
    Mutant("fista_momentum_over_t", "mc_sparsity/_solvers/compiled.py", "w = (t - 1.0) / t_next",
           "w = (t - 1.0) / t", ("tests/test_solvers.py",)),
    Mutant("journal_identity_ignores_version", "mc_sparsity/_pipeline/study.py",
           "text = json.dumps([__version__, self.seed, [s.key for s in self.scenarios]])",
           "text = json.dumps([self.seed, [s.key for s in self.scenarios]])", ("tests/test_faults.py",)),
    Mutant("journal_accepts_foreign_lines", "mc_sparsity/_pipeline/output.py",
           'if not (isinstance(entry, dict) and entry.get("study") == self.identity):',
           "if not isinstance(entry, dict):", ("tests/test_faults.py",)),
    Mutant("clopper_pearson_one_success", "mc_sparsity/_stats/inference.py",
           "low = 0.0 if successes == 0 else", "low = 0.0 if successes <= 1 else", ("tests/test_inference.py",)),
    Mutant("scenario_key_ignores_design", "mc_sparsity/_pipeline/study.py",
           "            parts.append([d.kind, d.rho, [[float(v) for v in row] for row in d.gram]])\n",
           "            pass\n", ("tests/test_study.py",)),
    Mutant("report_escape_skipped", "mc_sparsity/_report/text.py", "text = html.escape(text, quote=True)",
           "text = text", ("tests/test_report.py",)),
    # the tally, the estimands, the adaptive lasso (issue 17)
    Mutant("tally_cells_transposed", "mc_sparsity/_mc/kernels.py", "    counts[e, a * (p - k + 1) + b] += 1\n",
           "    counts[e, b * (k + 1) + a] += 1\n", ("tests/test_engine.py", "tests/test_kernels_correlated.py")),
    Mutant("signed_hit_ignores_signs_p2", "mc_sparsity/_mc/kernels.py",
           "hit += ((y0[i] > tau) != off0) & ((y1[i] > tau) != off1)",
           "hit += ((abs(y0[i]) > tau) != off0) & ((abs(y1[i]) > tau) != off1)", ("tests/test_engine.py",)),
    Mutant("signed_hit_ignores_signs", "mc_sparsity/_mc/kernels.py",
           "            x = mean[j] + sigma * z\n            absx[i, j] = abs(x)\n"
           "            good &= (x * signs[j] > 0.0) | (signs[j] == 0.0)",
           "            x = mean[j] + sigma * z\n            absx[i, j] = abs(x)\n"
           "            good &= True", ("tests/test_engine.py",)),
    Mutant("superset_is_support", "mc_sparsity/_mc/estimands.py", "lambda a, b, p, k: a == 0)",
           "lambda a, b, p, k: (a == 0) & (b == p - k))", ("tests/test_estimands.py",)),
    Mutant("fdp_over_p", "mc_sparsity/_mc/estimands.py", "return fp / np.maximum(1, fp + (k - a))",
           "return fp / np.maximum(1, p)", ("tests/test_estimands.py",)),
    Mutant("mean_se_without_root_n", "mc_sparsity/_mc/estimands.py", "se = math.sqrt(var / n) if n > 1",
           "se = math.sqrt(var) if n > 1", ("tests/test_estimands.py",)),
    Mutant("adaptive_threshold_exponent", "mc_sparsity/_estimators/registry.py",
           'threshold=lambda lam, params: lam ** (1.0 / (1.0 + params["adaptive_gamma"])),',
           'threshold=lambda lam, params: lam ** (1.0 / params["adaptive_gamma"]),', ("tests/test_adaptive_lasso.py",)),
    Mutant("p2_full_support_sign_check_flipped", "mc_sparsity/_mc/kernels_correlated.py",
           "right = _full_support_signs(z0 - lam * signs[0], z1 - lam * signs[1]",
           "right = _full_support_signs(z0 + lam * signs[0], z1 + lam * signs[1]", ("tests/test_kernels_correlated.py",)),
    Mutant("weighted_lasso_half_scaled", "mc_sparsity/_mc/kernels_correlated.py",
           "Aw[r, k] = dw[r] * A[r, k] * dw[k]", "Aw[r, k] = A[r, k] * dw[k]", ("tests/test_kernels_correlated.py",)),
    # --- the batched correlated kernel and the leaner certificate (issue 21)
    Mutant("batch_draw_cholesky_transposed", "mc_sparsity/_mc/kernels_correlated.py",
           "            c = chol[j, k]\n", "            c = chol[k, j]\n", ("tests/test_kernels_correlated.py",)),
    Mutant("deferred_fallback_solves_the_wrong_draw", "mc_sparsity/_mc/kernels_correlated.py",
           "z[j] = z_b[j, left[q]]", "z[j] = z_b[j, left[0]]", ("tests/test_kernels_correlated.py",)),
    Mutant("certificate_skips_an_off_support_coordinate", "mc_sparsity/_mc/gram_lasso.py",
           "    for m in range(ns, p):\n", "    for m in range(ns + 1, p):\n",
           ("tests/test_gram_lasso.py", "tests/test_kernels_correlated.py")),
    Mutant("constrained_p2_tally_ignores_the_signs", "mc_sparsity/_mc/kernels_constrained.py",
           "row[hits] += np.int64((a == 0) & (b == width - 1) & right)",
           "row[hits] += np.int64((a == 0) & (b == width - 1))", ("tests/test_kernels_correlated.py",)),
    Mutant("lock_taken_without_holding_signals", "mc_sparsity/_pipeline/output.py",
           "            with signals_blocked():\n                self._acquire()",
           "            if True:\n                self._acquire()", ("tests/test_output.py",)),
    Mutant("loky_report_dropped_without_a_ctrl_c", "mc_sparsity/_base/signals.py",
           "        if (interrupted and args.thread is not None", "        if (args.thread is not None",
           ("tests/test_signals.py",)),
    Mutant("support_reference_threshold_is_lam", "mc_sparsity/_mc/simulate.py",
           "kwargs = dict(estimator=\"ridge\", lam=lam) if smooth else dict(threshold=threshold)",
           "kwargs = dict(estimator=\"ridge\", lam=lam) if smooth else dict(threshold=lam)",
           ("tests/test_every_estimator.py",)),
]


def _copy_tree(dest: Path) -> None:
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    for name in files:
        if (ROOT / name).is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, dest / name)


def run(mutants, timeout: float) -> list[tuple[str, str, float]]:
    results = []
    with tempfile.TemporaryDirectory(prefix="mc-sparsity-mutants-") as tmp:
        tree = Path(tmp)
        _copy_tree(tree)
        env = dict(os.environ, PYTHONPATH=str(tree), PYTHONDONTWRITEBYTECODE="1")
        check = subprocess.run([sys.executable, "-c", "import mc_sparsity; print(mc_sparsity.__file__)"],
                               cwd=tree, env=env, capture_output=True, text=True)
        if not check.stdout.startswith(str(tree)):
            raise SystemExit(f"the copy is not the package imported: {check.stdout.strip()}")
        for mutant in mutants:
            path = tree / mutant.path
            original = path.read_text()
            if original.count(mutant.old) != 1 or mutant.old == mutant.new:
                results.append((mutant.name, "NOT APPLICABLE (snippet not found once)", 0.0))
                continue
            stat = path.stat()
            path.write_text(original.replace(mutant.old, mutant.new))
            start = time.perf_counter()
            try:
                proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                       *mutant.tests], cwd=tree, env=env, capture_output=True, text=True,
                                      timeout=timeout)
                outcome = "killed" if proc.returncode != 0 else "SURVIVED"
            except subprocess.TimeoutExpired:
                outcome = "killed (timeout)"
            finally:
                path.write_text(original)
                os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
            results.append((mutant.name, outcome, time.perf_counter() - start))
            print(f"{mutant.name:<40} {outcome:<12} {results[-1][2]:6.1f} s", flush=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run these mutants only")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per mutant (default 600)")
    args = parser.parse_args()
    if args.list:
        for m in MUTANTS:
            print(f"{m.name:<40} {m.path}")
        return 0
    chosen = [m for m in MUTANTS if args.only is None or m.name in args.only]
    for m in chosen:
        if m.equivalent:
            print(f"{m.name:<40} equivalent, not counted: {m.equivalent}")
    results = run([m for m in chosen if not m.equivalent], args.timeout)
    counted = [r for r in results if not r[1].startswith("NOT APPLICABLE")]
    killed = sum(r[1].startswith("killed") for r in counted)
    print()
    print("| mutant | outcome |\n|---|---|")
    for name, outcome, _ in results:
        print(f"| {name} | {outcome} |")
    print(f"\nscore: {killed} of {len(counted)} killed ({100 * killed / max(len(counted), 1):.0f}%)")
    return 0 if killed == len(counted) == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
