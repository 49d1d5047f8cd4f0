"""``REPORT.md``: the study's design, results, figures and a verdict on each claim.

Each claim's verdict is computed by a rule, a function of the study table
written next to the claim (``rule_c1`` ...), tested on tables built to make it
hold and to make it fail.  A rule says "not settled here" when the table has
no scenarios that bear on the claim, or when its evidence disagrees with
itself (a failed test of the simulation against the exact value).  The
sentences around the numbers are ours; every number in them comes from the
table.  Everything that comes from a study file (its name) is escaped for
Markdown and HTML.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._stats.goodness_of_fit import pooled_chisquare
from .._estimators.registry import ESTIMATORS
from .._mc.results import hashable

__all__ = ["Claim", "assess_claims", "render_report", "write_report", "build_report", "ALPHA"]

ALPHA = 1e-4  # level of every binomial and chi-square test in the report
INTEGRAL_TOLERANCE = 1e-8
HOLDS, DOES_NOT_HOLD, NOT_SETTLED = "holds", "does not hold", "not settled here"


@dataclass(frozen=True)
class Claim:
    number: str
    claim: str
    verdict: str  # HOLDS, DOES_NOT_HOLD or NOT_SETTLED
    evidence: str


def _fmt(x, digits=4):
    """A number for the report: ``-`` where there is none (never ``nan``)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "-"
    if x == 0:
        return "0"
    if abs(x) < 10 ** -digits:
        return f"{x:.2e}"
    return f"{x:.{digits}f}"


def escape_text(text) -> str:
    """``text`` from a study file, safe inside Markdown and HTML: one line, no markup."""
    text = " ".join(str(text).split())
    text = html.escape(text, quote=True)
    return re.sub(r"([\\`*_{}\[\]()#+!|<>~-])", r"\\\1", text)


def _of(table, estimator):
    """The plain Monte Carlo rows of ``estimator`` (one per scenario)."""
    return table[(table["estimator"] == estimator) & (table["method"] == "mc")]


def _importance_rows(table):
    """The importance-sampling rows (rare cells of the lasso: P(sparse) or P(not sparse))."""
    return table[table["method"] == "is"]


#: |z| on the log scale beyond which an importance-sampling estimate disagrees with the exact value
#: (two-sided, at level ALPHA).
Z_CRITICAL = 3.8906


def _level_positive(rows):
    return rows[rows["level_over_sigma"] > 0]


def agreement(rows) -> dict:
    """How the rows with an exact value agree with it: Monte Carlo tests and integrals.

    ``consistent`` is True when every binomial test passes at :data:`ALPHA`
    and every integral is within :data:`INTEGRAL_TOLERANCE` (plus its stated
    error bound) of the exact value.
    """
    with_exact = rows[rows["exact"].notna()]
    with_integral = with_exact[with_exact["integral"].notna()]
    pvalues = with_exact["binom_pvalue"].dropna()
    gaps = (with_integral["integral"] - with_integral["exact"]).abs()
    allowed = INTEGRAL_TOLERANCE + with_integral["integral_error"].fillna(0) + with_integral["exact_error"].fillna(0)
    return {
        "n": len(with_exact),
        "worst_z": float(with_exact["z"].abs().max()) if with_exact["z"].notna().any() else None,
        "min_pvalue": float(pvalues.min()) if len(pvalues) else None,
        "worst_integral": float(gaps.max()) if len(gaps) else None,
        "n_integral": len(with_integral),
        "consistent": bool((pvalues > ALPHA).all() and (gaps <= allowed).all()),
    }


def importance_agreement(rows) -> dict:
    """How the importance-sampling rows agree with the exact value, on the log scale.

    ``consistent``: every ``|log estimate - log exact| / relative error`` is at
    most :data:`Z_CRITICAL`, or, where the relative error is 0 (a zero-variance
    sampler), the logs agree to 1e-9.
    """
    rows = rows[rows["exact"].notna()]
    gap = (rows["log_estimate"] - rows["log_exact"]).abs()
    rel = rows["relative_error"]
    ok = ((rel > 0) & (gap <= Z_CRITICAL * rel)) | ((rel == 0) & (gap <= 1e-9))
    return {"n": len(rows), "consistent": bool(ok.all()),
            "worst_z": float((gap / rel)[rel > 0].max()) if bool((rel > 0).any()) else None,
            "smallest_log": float(rows["log_exact"].min()) if len(rows) else None}


def _importance_text(agree) -> str:
    if not agree["n"]:
        return ""
    return (f"; in the {agree['n']} rare cells (P or 1 - P below 1e-5, down to log P = "
            f"{_fmt(agree['smallest_log'], 2)}) importance sampling agrees with the exact value on the log scale "
            f"(largest |z| {_fmt(agree['worst_z'], 2)})")


def _tests_text(agree) -> str:
    parts = []
    if agree["min_pvalue"] is not None:
        parts.append(f"the Monte Carlo estimates pass the exact binomial test at level {ALPHA:g} "
                     f"(smallest p-value {_fmt(agree['min_pvalue'], 3)}, largest |z| {_fmt(agree['worst_z'], 2)})"
                     if agree["consistent"] or agree["n_integral"] else "")
    if agree["n_integral"]:
        parts.append(f"the integral over the geometric region agrees with the exact value to "
                     f"{agree['worst_integral']:.1e} ({agree['n_integral']} scenarios at p = 2)")
    return "; ".join(p for p in parts if p)


def _positive(rows) -> bool:
    """Every row's exact probability is > 0 (on the log scale where the float underflows)."""
    return bool(len(rows)) and bool(((rows["exact"] > 0) | (rows["log_exact"] > -np.inf)).all())


# ---------------------------------------------------------------- the rules
def rule_c1(table) -> Claim:
    """C1: P(lasso sparse) = the integral over A_L > 0.

    Holds: every lasso scenario with a positive level has an exact value > 0
    and the simulation and integral agree with it.  Does not hold: some such
    scenario has exact value 0 with agreeing evidence.  Not settled: no
    integral was computed (no p = 2 scenario), or the evidence disagrees.
    """
    claim = "P(lasso solution sparse) = P(beta_hat in A_L) = the integral of the normal density over A_L > 0"
    rows = _level_positive(_of(table, "lasso"))
    rows = rows[rows["exact"].notna()]
    agree = agreement(rows)
    rare = importance_agreement(_importance_rows(table))
    if not len(rows):
        return Claim("C1", claim, NOT_SETTLED, "The study has no lasso scenario with a positive level.")
    if not rare["consistent"]:
        return Claim("C1", claim, NOT_SETTLED, "Importance sampling disagrees with the exact value in a rare "
                     "cell" + _importance_text(rare) + ".")
    if not agree["n_integral"]:
        return Claim("C1", claim, NOT_SETTLED, "The study has no p = 2 lasso scenario, where the density is "
                     "integrated over A_L.")
    if not agree["consistent"]:
        return Claim("C1", claim, NOT_SETTLED, "The simulation or the integral disagrees with the exact value: "
                     + _tests_text(agree) + ".")
    positive = _positive(rows)
    smallest = rows["log_exact"].min()
    return Claim("C1", claim, HOLDS if positive else DOES_NOT_HOLD,
                 f"In all {agree['n']} lasso scenarios with a positive level the exact probability is "
                 f"{'> 0' if positive else 'not always > 0'} (smallest log P = {_fmt(smallest, 2)}); "
                 + _tests_text(agree) + _importance_text(rare) + ".")


def rule_c2(table) -> Claim:
    """C2: P(ridge sparse) = 0.  Holds: ridge solutions computed in every scenario have no exact zero;
    does not hold: some do.  Not settled without ridge scenarios."""
    from .._stats.inference import proportion_interval

    claim = "P(ridge solution sparse) = P(beta_hat in A_R) = 0, A_R being the axes"
    ridge = _of(table, "ridge").drop_duplicates("scenario")
    if ridge.empty:
        return Claim("C2", claim, NOT_SETTLED, "The study has no ridge scenario.")
    total, sparse = int(ridge["reps"].sum()), int(ridge["successes"].sum())
    high = proportion_interval(sparse, total)[1]
    return Claim("C2", claim, HOLDS if sparse == 0 else DOES_NOT_HOLD,
                 f"The ridge solutions (beta_hat/(1 + lambda) and the L2-ball projection, computed in floating "
                 f"point for every draw) have {sparse} sparse solutions (an exactly-zero coordinate) in "
                 f"{total:,} draws over {len(ridge)} scenarios (both forms); the 95% Clopper-Pearson interval "
                 f"for the pooled probability is [0, {high:.1e}]. The exact value 0 is a derivation (the axes are a "
                 f"null set), and nothing is integrated over them.")


def rule_c3(table) -> Claim:
    """C3: least squares (lambda = 0) is never sparse; the L1 penalty makes it so.

    Holds: no sparse draw at lambda = 0, and every lasso scenario with lambda > 0
    has an exact probability > 0 with agreeing simulation.
    """
    claim = "unpenalized least squares is almost never sparse; the L1 penalty makes it so"
    pen = table[table["form"] == "penalized"]
    unpen = pen[pen["level_over_sigma"] == 0].drop_duplicates("scenario")
    lasso = _level_positive(_of(pen, "lasso"))
    lasso = lasso[lasso["exact"].notna()]
    if unpen.empty or lasso.empty:
        return Claim("C3", claim, NOT_SETTLED, "The study needs scenarios at lambda = 0 and at lambda > 0.")
    agree = agreement(lasso)
    if not agree["consistent"]:
        return Claim("C3", claim, NOT_SETTLED, "The simulation disagrees with the exact value: "
                     + _tests_text(agree) + ".")
    zero_sparse = int(unpen["successes"].sum())
    holds = zero_sparse == 0 and _positive(lasso)
    return Claim("C3", claim, HOLDS if holds else DOES_NOT_HOLD,
                 f"At lambda = 0, {zero_sparse} of {int(unpen['reps'].sum()):,} draws were sparse (exact "
                 f"probability 0); at lambda > 0 the lasso's exact probability is positive in all {len(lasso)} "
                 f"scenarios (up to {_fmt(lasso['exact'].max())}), and the simulation agrees ({_tests_text(agree)}).")


def rule_c4(table) -> Claim:
    """C4: the L1 diamond's corners are hit with positive probability, the L2 ball's never.

    Holds: every constrained lasso scenario has P > 0 (exact where known,
    agreeing with the simulation; else a Clopper-Pearson lower bound > 0) and
    the constrained ridge has no sparse draw.
    """
    claim = "the L1 diamond's corners are hit with positive probability, the L2 disk's never (constrained form)"
    con = table[table["form"] == "constrained"]
    lasso, ridge = _of(con, "lasso"), _of(con, "ridge")
    if lasso.empty or ridge.empty:
        return Claim("C4", claim, NOT_SETTLED, "The study has no constrained scenarios for both estimators.")
    with_exact, without = lasso[lasso["exact"].notna()], lasso[lasso["exact"].isna()]
    agree = agreement(with_exact)
    if not agree["consistent"]:
        return Claim("C4", claim, NOT_SETTLED, "The simulation disagrees with the exact value: "
                     + _tests_text(agree) + ".")
    positive = (_positive(with_exact) or with_exact.empty) and bool((without["ci_low"] > 0).all())
    ridge_sparse = int(ridge["successes"].sum())
    text = (f"Constrained lasso: the exact probability of the wedges behind the vertices ranges from "
            f"{_fmt(with_exact['exact'].min())} to {_fmt(with_exact['exact'].max())} over {len(with_exact)} "
            f"scenarios with an exact value ({_tests_text(agree)})")
    if len(without):
        text += (f"; in the {len(without)} scenarios without one, the 95% interval's lower bound is at least "
                 f"{_fmt(without['ci_low'].min())} (Monte Carlo alone)")
    text += f". The L2 ball: {ridge_sparse} sparse in {int(ridge['reps'].sum()):,} draws."
    return Claim("C4", claim, HOLDS if positive and ridge_sparse == 0 else DOES_NOT_HOLD, text)


def rule_c5(table) -> Claim:
    """C5: any L_q penalty, q <= 1, gives sparsity, more so as q falls, L0 most directly.

    Two parts, both decided from the one-coordinate penalty rows at matched
    level lambda: (a) bridge (every q simulated), hard (L0) and lasso have
    P(zero) > 0 with agreeing simulation; (b) at each (beta, lambda),
    P(zero) falls as q rises (q -> 0 the most zeros).  Holds: both; does not
    hold: (a) fails, or (b) fails with at least two values of q; not settled
    with fewer than two q.
    """
    claim = "any L_q penalty with q <= 1 gives sparsity, more so as q falls, L0 most directly"
    pen = _level_positive(table[(table["p"] == 1) & (table["form"] == "penalized")])
    rules = pen[pen["estimator"].isin(["bridge", "hard", "lasso"])]
    bridge = _of(pen, "bridge")
    if bridge.empty or _of(pen, "hard").empty or _of(pen, "lasso").empty:
        return Claim("C5", claim, NOT_SETTLED, "The study has no one-coordinate grid with bridge, L0 and L1.")
    agree = agreement(rules)
    if not agree["consistent"]:
        return Claim("C5", claim, NOT_SETTLED, "The simulation disagrees with the exact law: "
                     + _tests_text(agree) + ".")
    sparse_all = _positive(rules)
    bridge = bridge.assign(q=[params["q"] for params in bridge["params"]])
    qs = sorted(set(bridge["q"]))
    if len(qs) < 2:
        return Claim("C5", claim, NOT_SETTLED if sparse_all else DOES_NOT_HOLD,
                     f"Only q = {qs[0]:g} was simulated: 'more so as q falls' needs several q.")
    violations = []
    for (beta, lam), rows in bridge.groupby(["beta", "lam"]):
        ordered = rows.sort_values("q")["exact"].to_numpy()
        if np.any(np.diff(ordered) > 0):
            violations.append((beta[0], lam))
    monotone = not violations
    text = (f"At matched level lambda (how a user tunes a penalty), bridge L_q for q = "
            f"{', '.join(f'{q:g}' for q in qs)}, L0 and L1 all have P(estimate = 0) > 0 in every setting "
            f"({len(rules)} rows; {_tests_text(agree)}). ")
    if monotone:
        text += "P(zero) falls as q rises in every setting."
    else:
        beta, lam = violations[0]
        text += (f"But P(zero) does not fall monotonically as q rises in {len(violations)} of "
                 f"{bridge.groupby(['beta', 'lam']).ngroups} settings (first: beta = {beta:g}, lambda = {lam:g}): "
                 "bridge's threshold tau_q = (2-q)/(2(1-q)) (2 lambda (1-q))^(1/(2-q)) is not monotone in q at "
                 "fixed lambda. 'More so as q falls' holds only under another matching (equal thresholds make "
                 "every rule's P(zero) equal).")
    return Claim("C5", claim, HOLDS if sparse_all and monotone else DOES_NOT_HOLD, text)


def _rule_keeps_zeros(table, number, claim, names, reason) -> Claim:
    pen = _level_positive(table[(table["p"] == 1) & (table["form"] == "penalized")])
    rows = pen[pen["estimator"].isin(names)]
    if rows.empty:
        return Claim(number, claim, NOT_SETTLED, "The study has no one-coordinate grid with these penalties.")
    agree = agreement(rows)
    if not agree["consistent"]:
        return Claim(number, claim, NOT_SETTLED, "The simulation disagrees with the exact law: "
                     + _tests_text(agree) + ".")
    positive = _positive(rows)
    return Claim(number, claim, HOLDS if positive else DOES_NOT_HOLD,
                 f"Reason (a derivation, not a measurement): {reason} Evidence: their exact P(zero) ranges from "
                 f"{_fmt(rows['exact'].min())} to {_fmt(rows['exact'].max())} over {len(rows)} rows, and the "
                 f"simulation of each rule's own solution agrees ({_tests_text(agree)}).")


def rule_c5b(table) -> Claim:
    """C5b: SCAD and MCP keep the lasso's sparsity.  Holds: their P(zero) > 0 with agreeing simulation."""
    return _rule_keeps_zeros(
        table, "C5b", "non-convex penalties (SCAD, MCP) are alternatives that keep the lasso's sparsity",
        ["scad", "mcp"], "SCAD and MCP have the lasso's slope lambda at 0+, so their rules are zero iff "
        "|z| <= lambda, the lasso's set; they shrink less away from 0 (the thresholding-rules figure).")


def rule_c5c(table) -> Claim:
    """C5c: the elastic net inherits the lasso's zeros.  Holds: its P(zero) > 0 with agreeing simulation."""
    return _rule_keeps_zeros(
        table, "C5c", "the elastic net inherits the lasso's zeros", ["elastic_net"],
        "its rule is soft(z, lam1)/(1 + lam2), zero iff |z| <= lam1 = lambda * l1_ratio: the lasso's zeros at "
        "level lam1, whatever lam2.")


def rule_c6(atom) -> Claim:
    """C6 from ``atom = (exact, lasso_zeros, ridge_zeros, n)`` of one coordinate.

    Holds: the lasso's atom is > 0, its simulated count passes the binomial
    test at :data:`ALPHA`, and ridge has no zero.
    """
    from .._stats.inference import binomial_pvalue

    claim = "L1 pulls with constant force and reaches zero; L2's pull fades near zero and never gets there"
    if atom is None:
        return Claim("C6", claim, NOT_SETTLED, "No one-coordinate simulation was run.")
    exact, lasso_zeros, ridge_zeros, n = atom
    pvalue = binomial_pvalue(lasso_zeros, n, exact)
    if pvalue <= ALPHA:
        return Claim("C6", claim, NOT_SETTLED, f"The simulated atom {lasso_zeros / n:.4f} disagrees with the "
                     f"exact {exact:.4f} (binomial p-value {pvalue:.2g}).")
    holds = exact > 0 and ridge_zeros == 0
    return Claim("C6", claim, HOLDS if holds else DOES_NOT_HOLD,
                 f"One coordinate (beta_j = 1, sigma = 1, lambda = 0.5): the lasso estimate has an atom at 0 of mass "
                 f"{exact:.4f} (exact) against {lasso_zeros / n:.4f} simulated ({n:,} draws, binomial p-value "
                 f"{pvalue:.2f}); the ridge estimate beta_hat/(1 + lambda) is continuous: {ridge_zeros} zeros in "
                 f"{n:,} draws.")


def rule_c9(table) -> Claim:
    """C9: corners are preferred only when beta_hat has different variances along the axes.

    Does not hold: some scenario with equal variances (orthonormal design,
    symmetric contours) has P(lasso sparse) > 0 with agreeing simulation.
    Holds: every equal-variance scenario has P = 0.  Correlated scenarios
    (unequal, rotated variances), where present, are reported beside.
    """
    claim = ("corners are preferred only when beta_hat has different variances along the axes (contours not "
             "symmetric about the diagonal)")
    lasso = _level_positive(_of(table, "lasso"))
    iso = lasso[(lasso["design"] == "orthonormal") & lasso["exact"].notna() & (lasso["p"] == 2)]
    if iso.empty:
        return Claim("C9", claim, NOT_SETTLED, "The study has no p = 2 lasso scenario with equal variances.")
    agree = agreement(iso)
    if not agree["consistent"]:
        return Claim("C9", claim, NOT_SETTLED, "The simulation disagrees with the exact value: "
                     + _tests_text(agree) + ".")
    positive = iso[(iso["exact"] > 0) | (iso["log_exact"] > -np.inf)]
    # an example on the diagonal whose probability is neither tiny nor near 1
    diagonal = iso[iso["beta"].map(lambda b: b[0] == b[1] and b[0] != 0) & iso["exact"].between(0.01, 0.99)]
    text = (f"With equal variances (X^T X = I: circular contours, symmetric about the diagonal in law) the lasso "
            f"is sparse with positive probability in {len(positive)} of {len(iso)} p = 2 scenarios")
    if len(diagonal):
        row = diagonal.sort_values("level_over_sigma").iloc[len(diagonal) // 2]
        text += (f", including beta on the diagonal, beta = {_beta_text(row['beta'])}: P = {_fmt(row['exact'])} at "
                 f"{row['form']} level {row['level_over_sigma']:g} (Monte Carlo {_fmt(row['estimate'])})")
    text += (". Contours symmetric about the diagonal means beta_hat on the diagonal, a probability-zero event: "
             "the claim is true only there.")
    corr = lasso[(lasso["design"] != "orthonormal") & lasso["exact"].notna() & (lasso["p"] == 2)]
    if len(corr):
        text += (f" Under correlated designs (unequal, rotated variances: {len(corr)} scenarios, rho from "
                 f"{_fmt(corr['rho'].min(), 2)} to {_fmt(corr['rho'].max(), 2)}) P(sparse) ranges from "
                 f"{_fmt(corr['exact'].min())} to {_fmt(corr['exact'].max())}: anisotropy changes how often the "
                 "corners are hit, not whether they can be.")
    return Claim("C9", claim, DOES_NOT_HOLD if len(positive) else HOLDS, text)


def rule_c10(c1: Claim, c4: Claim) -> Claim:
    """C10: the picture could be an artifact.  Does not hold when C1 or C4 holds (probabilities, not a picture)."""
    claim = "the picture could be an artifact: why should the contours touch a corner?"
    settled = [c.number for c in (c1, c4) if c.verdict == HOLDS]
    if not settled:
        return Claim("C10", claim, NOT_SETTLED, "Neither C1 nor C4 is settled by this study.")
    return Claim("C10", claim, DOES_NOT_HOLD,
                 f"{' and '.join(settled)} {'hold' if len(settled) > 1 else 'holds'} as probabilities over the whole distribution of beta_hat, not one "
                 "picture: the set of beta_hat with a sparse lasso solution has positive probability, confirmed "
                 "by independent computations (exact value, integral, simulation).")


def _final_records(run, solver):
    records = [x for x in run["results"] if x["solver"] == solver and "iteration" in x]
    return sorted(records, key=lambda x: x["iteration"])


def rule_c7(solver_runs) -> Claim:
    """C7: proximal gradient (ISTA) with soft thresholding produces exact zeros.

    Holds: at its last iteration ISTA's zero pattern equals the exact solution's
    on every certified replication, and its share of iterates with an exact
    zero passes the binomial test against the exact P(sparse).  Does not hold:
    ISTA never produces an exact zero although the exact solution does.
    """
    from .._stats.inference import binomial_pvalue

    claim = "proximal gradient (ISTA) with soft thresholding produces exact zeros"
    runs = [run for run in solver_runs if _final_records(run, "ista") and run["exact"] is not None]
    if not runs:
        return Claim("C7", claim, NOT_SETTLED, "The study runs no solver study with ISTA.")
    run = runs[0]
    records = _final_records(run, "ista")
    last = records[-1]
    certified = last["reps"] - last["uncertified"]
    pvalue = binomial_pvalue(last["zero_any"], certified, run["exact"])
    first_exact = next((x["iteration"] for x in records if x["pattern_match"] == certified), None)
    text = (f"beta = {_beta_text(run['beta'])}, lambda = {run['lam']:g}, design {run['design']['kind']}"
            + (f" (rho = {run['design']['rho']:g})" if run["design"].get("rho") is not None else "")
            + f", {last['reps']:,} replications: after {last['iteration']:,} iterations ISTA's iterate has an exact "
            f"zero in {last['zero_any']:,} ({_fmt(last['zero_any'] / last['reps'])}) against the exact "
            f"P(sparse) = {_fmt(run['exact'])} (binomial p-value {_fmt(pvalue, 3)}); its zero pattern equals the "
            f"exact solution's in {last['pattern_match']:,} of {certified:,} certified replications"
            + (f", in all of them from iteration {first_exact} on" if first_exact is not None else "")
            + f". After one iteration: {records[0]['zero_any']:,} with a zero.")
    if all(x["zero_any"] == 0 for x in records) and run["exact_sparse"]:
        return Claim("C7", claim, DOES_NOT_HOLD, text)
    if last["zero_any"] > 0 and last["pattern_match"] == certified and pvalue > ALPHA:
        return Claim("C7", claim, HOLDS, text)
    return Claim("C7", claim, NOT_SETTLED, text)


def rule_c8(solver_runs, toy=None) -> Claim:
    """C8: a plain subgradient step with a fixed step size oscillates around 0 instead of reaching it.

    Holds: subgradient descent with a fixed step has no exact zero at any
    checkpoint while the exact solution is sparse with positive probability,
    and the thread's w = 5.1, eta = 1/2 sequence never reaches 0.  Does not
    hold: subgradient descent's exact-zero share agrees with the exact
    P(sparse) at its last iteration.
    """
    from .._stats.inference import binomial_pvalue

    claim = "a plain subgradient step with a fixed step size oscillates around 0 instead of reaching it"
    runs = [run for run in solver_runs if _final_records(run, "subgradient") and run["exact"] is not None]
    if not runs:
        return Claim("C8", claim, NOT_SETTLED, "The study runs no solver study with subgradient descent.")
    if toy is None:
        from .._solvers.iterative import subgradient_toy

        toy = (subgradient_toy(5.0, 0.5, 100), subgradient_toy(5.1, 0.5, 100))
    exact_path, oscillating = (np.asarray(t, dtype=float) for t in toy)
    run = runs[0]
    records = _final_records(run, "subgradient")
    last = records[-1]
    never = all(x["zero_any"] == 0 for x in records)
    reached = np.flatnonzero(exact_path == 0.0)
    text = (f"The thread's toy example, w <- w - (1/2) sign(w): from 5 the iterates reach 0.0 exactly at step "
            f"{int(reached[0]) if reached.size else '-'}; from 5.1 they never do in {oscillating.size - 1} steps "
            f"(they alternate between {oscillating[-2]:.17g} and {oscillating[-1]:.17g}: 5.1 is not a binary "
            f"fraction). With the least-squares loss ({last['reps']:,} replications, {run['design']['kind']} design), "
            f"the fixed-step subgradient iterate has an exact zero in {last['zero_any']} replications at every "
            f"checkpoint up to iteration {last['iteration']:,}, while the exact solution has one in "
            f"{run['exact_sparse']:,}; it comes within 1e-4 of 0 in {last['near_zero'].get('0.0001', '-')} "
            "replications but lands on 0.0 only by exact cancellation in floating point.")
    if never and run["exact_sparse"] and not bool(np.any(oscillating[1:] == 0.0)):
        return Claim("C8", claim, HOLDS, text)
    certified = last["reps"] - last["uncertified"]
    if last["zero_any"] and binomial_pvalue(last["zero_any"], certified, run["exact"]) > ALPHA:
        return Claim("C8", claim, DOES_NOT_HOLD, text)
    return Claim("C8", claim, NOT_SETTLED, text)


def assess_claims(table, atom=None, solver_claims=()) -> list[Claim]:
    """Verdicts on the claims of the Cross Validated discussion, from the study table.

    ``atom`` is ``(exact, lasso_zeros, ridge_zeros, n)`` for one coordinate's
    estimate (claim C6); ``solver_claims`` the claims C7 and C8 when the
    solver study was run.
    """
    table = hashable(table)
    c1, c4 = rule_c1(table), rule_c4(table)
    claims = [c1, rule_c2(table), rule_c3(table), c4, rule_c5(table), rule_c5b(table), rule_c5c(table),
              rule_c6(atom)]
    solver = {c.number: c for c in solver_claims}
    claims.append(solver.get("C7", rule_c7(())))
    claims.append(solver.get("C8", rule_c8(())))
    claims += [rule_c9(table), rule_c10(c1, c4)]
    return claims


# ---------------------------------------------------------------- rendering
def _results_table(rows, level):
    if rows.empty:
        return "(No such scenarios in this study.)\n"
    head = (f"| beta | sigma | {level} | N | estimate | SE | 95% CI | exact | integral | z |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.iterrows():
        exact = _fmt(r["exact"])
        if exact != "-" and r["exact_error"] and r["exact_error"] > 0:
            exact += f" ± {r['exact_error']:.0e}"
        lines.append(f"| {_beta_text(r['beta'])} | {r['sigma']:g} | {r[level]:g} | {int(r['reps']):,} | "
                     f"{_fmt(r['estimate'])} | {_fmt(r['std_error'], 5)} | [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{exact} | {_fmt(r['integral'])} | {_fmt(r['z'], 2)} |")
    return head + "\n".join(lines) + "\n"


def _penalty_table(table):
    pen = table[(table["p"] == 1) & (table["form"] == "penalized")]
    if pen.empty:
        return "(The study has no penalty grid.)\n"
    pen = pen.assign(column=[name + (f" q={params['q']:g}" if name == "bridge" else "")
                             for name, params in zip(pen["estimator"], pen["params"])])
    columns = list(dict.fromkeys(pen["column"]))
    head = ("| beta/sigma | lambda/sigma | " + " | ".join(columns) + " |\n"
            + "|---|---|" + "---|" * len(columns) + "\n")
    lines = []
    for (beta, lam), rows in pen.groupby(["beta", "lam"], sort=True):
        cell = {r["column"]: f"{_fmt(r['estimate'], 3)} ({_fmt(r['exact'], 3)})" for _, r in rows.iterrows()}
        lines.append(f"| {beta[0]:g} | {lam:g} | " + " | ".join(cell.get(c, "-") for c in columns) + " |")
    return ("Monte Carlo P(estimate = 0) with the exact value in brackets, "
            f"N = {int(pen['reps'].iloc[0]):,} per setting.\n\n" + head + "\n".join(lines) + "\n")


def _beta_text(beta) -> str:
    """``(0.5, 0.5, 0.5, 0.5)`` -> ``(0.5, ..., 0.5) (p = 4)``; short vectors in full."""
    values = [f"{v:g}" for v in beta]
    if len(values) > 3 and len(set(values)) == 1:
        return f"({values[0]}, ..., {values[0]}) (p = {len(values)})"
    return "(" + ", ".join(values) + ")"


def conventions_table() -> str:
    """The estimators' conventions, generated from the registry."""
    lines = ["| estimator | penalty or constraint | forms | correlated designs | exact law | integral |",
             "|---|---|---|---|---|---|"]
    for e in ESTIMATORS.values():
        cells = [e.name, e.problem, ", ".join(e.forms), "yes" if e.correlated else "no", e.exact, e.integral]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


FIGURE_CAPTIONS = {
    "sparse_regions": "The sparse region A_L (grey) for the penalized form (two strips) and the constrained form "
                      "(four wedges beyond the vertices of the L1 diamond), with draws of beta_hat coloured by "
                      "whether the lasso solution has a zero. Ridge is zero only on the axes.",
    "probability_curves": "P(sparse) against the level: exact curves, Monte Carlo points with 95% intervals "
                          "(smaller than the dots), and ridge at 0 throughout.",
    "coordinate_distribution": "The law of one coordinate's estimate: the lasso's atom at 0 beside ridge's "
                               "continuous density.",
    "error_against_reps": "The Monte Carlo error against the number of replications, with the 1/sqrt(N) law.",
    "calibration": "The z-scores of every scenario with an exact value against N(0, 1): the reported standard "
                   "errors are the right size.",
    "zero_counts": "The number of zero coordinates K at p = 5 and 10, simulated against the exact "
                   "Poisson-binomial law.",
    "penalty_zero_probability": "P(estimate = 0) of one coordinate for every penalty. Top: against each penalty's "
                                "own level lambda, which is how a user tunes it; the curves differ only because the "
                                "same lambda means different thresholds. Bottom: against the threshold tau "
                                "(zero iff |z| <= tau); every rule falls on one curve, because whether a coordinate "
                                "is zero depends on the threshold alone. We match thresholds rather than prediction "
                                "risk because the question here is sparsity, which the threshold alone decides; "
                                "the rules differ in how they shrink what survives (next figure).",
    "thresholding_functions": "Each estimator's rule z -> theta_hat at lambda = 1: a flat stretch at 0 (grey) for "
                              "every penalty with a corner (L1, elastic net, SCAD, MCP) or a jump (L0, L_q with "
                              "q < 1) at 0; none for ridge.",
}


def _captions() -> dict:
    from .plots import CAPTIONS

    return {**FIGURE_CAPTIONS, **CAPTIONS}


def _correlated_table(rows):
    if rows.empty:
        return "(The study has no correlated scenarios.)\n"
    head = ("| beta | design | rho | form | level | N | estimate | 95% CI | exact ± error | integral | z | "
            "uncertified |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.sort_values(["form", "p", "level_over_sigma", "rho"]).iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        exact = _fmt(r["exact"]) + (f" ± {r['exact_error']:.0e}" if r["exact_error"] and r["exact_error"] > 0 else "")
        lines.append(f"| {_beta_text(r['beta'])} | {r['design']} | {_fmt(r['rho'], 2)} | {r['form']} | {level:g} | "
                     f"{int(r['reps']):,} | {_fmt(r['estimate'])} | [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{exact} | {_fmt(r['integral'])} | {_fmt(r['z'], 2)} | {int(r['uncertified'])} |")
    return head + "\n".join(lines) + "\n"


def _importance_table(rows):
    if rows.empty:
        return "(No cell of the study is rare enough for importance sampling: P and 1 - P above 1e-5.)\n"
    head = ("Where the exact P(sparse) or P(not sparse) is below 1e-5, plain Monte Carlo sees almost nothing; an "
            "importance sampler (a union sampler for the penalized slabs, a zero-variance conditional sampler for "
            "their complement, shifted normals at the wedges' dominating points for the constrained form) "
            "estimates the rare probability, without bias, with its relative error. z is on the log scale: "
            "(log estimate - log exact) / relative error; a relative error of 0 means a zero-variance sampler.\n\n"
            "| beta | form | level | estimand | N | estimate | relative error | exact | log exact | z |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        estimand = "P(not sparse)" if "not sparse" in r["estimator"] else "P(sparse)"
        estimate = f"{r['estimate']:.4e}" if r["estimate"] > 0 else f"exp({r['log_estimate']:.2f})"
        exact = f"{r['exact']:.4e}" if r["exact"] > 0 else f"exp({r['log_exact']:.2f})"
        lines.append(f"| {_beta_text(r['beta'])} | {r['form']} | {level:g} | {estimand} | {int(r['reps']):,} | "
                     f"{estimate} | {r['relative_error']:.2e} | {exact} | {_fmt(r['log_exact'], 2)} | "
                     f"{_fmt(r['z'], 2)} |")
    return head + "\n".join(lines) + "\n"


def _solver_tables(solver_runs):
    if not solver_runs:
        return "(The study runs no solver study.)\n"
    out = []
    for run in solver_runs:
        compiled = [x for x in run["results"] if "iteration" in x]
        iterations = sorted({x["iteration"] for x in compiled})
        solvers = list(dict.fromkeys(x["solver"] for x in compiled))
        rho = run["design"].get("rho")
        out.append(f"beta = {_beta_text(run['beta'])}, sigma = {run['sigma']:g}, lambda = {run['lam']:g}, design "
                   f"{run['design']['kind']}" + (f" (rho = {rho:g})" if rho is not None else "")
                   + f", {run['reps']:,} replications on the same draws; exact P(sparse) = {_fmt(run['exact'])}, "
                   f"exact solution sparse in {run['exact_sparse']:,}. Share of iterates with an exact zero "
                   "(in brackets: share whose zero pattern is the exact solution's):\n")
        out.append("| solver | " + " | ".join(f"k = {k:,}" for k in iterations) + " |")
        out.append("|---|" + "---|" * len(iterations))
        for solver in solvers:
            cells = {x["iteration"]: f"{_fmt(x['zero_any'] / x['reps'])} ({_fmt(x['pattern_match'] / x['reps'])})"
                     for x in compiled if x["solver"] == solver}
            out.append(f"| {solver} | " + " | ".join(cells.get(k, "-") for k in iterations) + " |")
        fits = [x for x in run["results"] if x["solver"] == "sklearn"]
        if not fits:
            out.append("")
            out.append("(scikit-learn's tolerance study was not run: scikit-learn is not installed; "
                       "`pip install 'mc_sparsity[solvers]'`.)")
        if fits:
            out.append("")
            out.append(f"scikit-learn's `Lasso(alpha = lambda/n, fit_intercept=False, tol)` on a design X with "
                       f"X^T X = G (n = 50), {fits[0]['reps']:,} replications: replications whose zero pattern "
                       "differs from the exact solution's, with 95% Clopper-Pearson intervals.\n")
            out.append("| tol | spurious zeros | missed zeros | bias of P(sparse) from the fits |")
            out.append("|---|---|---|---|")
            for x in fits:
                out.append(f"| {x['tol']:g} | {x['spurious_zeros']} [{_fmt(x['spurious_ci'][0])}, "
                           f"{_fmt(x['spurious_ci'][1])}] | {x['missed_zeros']} [{_fmt(x['missed_ci'][0])}, "
                           f"{_fmt(x['missed_ci'][1])}] | {x['sparse_bias']:+.4f} ± {x['sparse_bias_se']:.4f} |")
        out.append("")
    return "\n".join(out) + "\n"


def render_report(table, study, figures, atom=None, solver_claims=(), solver_runs=()) -> str:
    """The text of REPORT.md."""
    table = hashable(table)
    lasso = _of(table, "lasso")
    p2 = lasso[(lasso["p"] == 2) & (lasso["design"] == "orthonormal")]
    main_reps = int(p2["reps"].mode().iloc[0]) if len(p2) else 0
    pen = p2[(p2["form"] == "penalized") & (p2["reps"] == main_reps)]
    con = p2[(p2["form"] == "constrained") & (p2["reps"] == main_reps)]
    wide = lasso[(lasso["p"] > 2) & (lasso["design"] == "orthonormal")]
    correlated = lasso[lasso["design"] != "orthonormal"]
    agree = agreement(_level_positive(lasso))
    kfit = [(f'{int(r["p"])}, {r["form"]}', pooled_chisquare(r["zeros"], np.array(r["exact_zeros"], dtype=float)))
            for _, r in lasso[lasso["exact_zeros"].notna() & (lasso["p"] > 2)].iterrows()]
    claims = assess_claims(table, atom, solver_claims)
    ridge = _of(table, "ridge")
    out = [
        "# Why the lasso is sparse and ridge is not: a Monte Carlo probability study",
        "",
        f"Generated by `mc-sparsity report` from the study \"{escape_text(study.name)}\" (seed {study.seed}, "
        f"{len(study.scenarios)} scenarios, {int(table.drop_duplicates('scenario')['reps'].sum()):,} draws of "
        "beta_hat). Rerun it with `mc-sparsity report`; the same study gives the same `results.csv`, byte for byte.",
        "",
        "![The sparse region](figures/sparse_regions.png)",
        "",
        "Explore the same numbers interactively in [the explorer page](explorer.html) (one offline HTML file: move "
        "beta, sigma, the level and rho, and watch the region, the cloud of beta_hat and the probabilities).",
        "",
        "## Design",
        "",
        "Following Morris, White and Crowther (2019), *Using simulation studies to evaluate statistical methods*:",
        "",
        "- **Aims.** Settle, with numbers anyone can rerun, the claim that the lasso solution is sparse with positive "
        "probability while ridge's is sparse with probability 0, and check each Monte Carlo estimate against two "
        "independent exact computations.",
        "- **Data-generating mechanism.** Linear model y = X b + e, e ~ N(0, sigma^2 I), with an orthonormal design "
        "(X^T X = I) or a correlated one (Gram matrix G = X^T X equicorrelated or AR(1)). Every estimator depends "
        "on the data only through beta_hat = G^{-1} X^T y ~ N(beta, sigma^2 G^{-1}), so beta_hat is drawn "
        "directly (beta + sigma L eps, L L^T = G^{-1}) and each estimator is solved exactly per draw (closed "
        "forms; under correlation the KKT cases or a certified active-set solve). Scenarios: beta (p = "
        + ", ".join(str(p) for p in sorted(set(table["p"]))) + "), sigma, and the penalty level lambda "
        "(penalized form) or the radius t (constrained form), listed in `results.csv`.",
        "- **Estimands.** P(sparse) = P(at least one coordinate of the solution is exactly 0), and the law of K, "
        "the number of zero coordinates.",
        "- **Methods.** Lasso: soft threshold at lambda (penalized), projection on the L1 ball of radius t "
        "(constrained); under a correlated design the exact solution of each draw (KKT cases at p = 2, a certified "
        "active-set solve beyond). Ridge: (G + lambda I)^{-1} X^T y (penalized), projection on the L2 ball "
        "(constrained), computed in floating point. The other penalties by their thresholding rules (see Estimators). "
        "Computations of P(sparse): the exact value (closed forms; Gaussian orthant sums; quadrature or "
        "quasi-Monte Carlo with an error bound); the numerical integral of the N(beta, sigma^2 G^{-1}) density over "
        "the sparse region described geometrically (strips, wedges, polygons; p = 2); Monte Carlo with N draws; "
        "importance sampling in the rare cells.",
        f"- **Performance measures.** Monte Carlo estimate with its standard error sqrt(p(1-p)/N) and a two-sided "
        f"95% Clopper-Pearson interval (coverage at least 95% for every p and N; at 0 successes [0, 1 - "
        f"0.025^(1/N)]); z = (estimate - exact)/SE with the SE under the exact value; a two-sided exact binomial "
        f"test and, for K, a pooled chi-square test, each at level {ALPHA:g}; |integral - exact|.",
        "",
        "## Results",
        "",
        f"Across the {agree['n']} lasso scenarios with a positive level and an exact value: "
        f"{_tests_text(agree) or 'nothing to compare'}. "
        + " ".join(f"At p = {p} the chi-square test of K gives p = {res.pvalue:.2f} ({res.cells} cells)."
                   for p, res in kfit),
        "",
        f"### Lasso, penalized form, p = 2 (N = {main_reps:,} each)",
        "",
        _results_table(pen, "lam"),
        f"### Lasso, constrained form, p = 2 (N = {main_reps:,} each)",
        "",
        _results_table(con, "radius"),
        "### Lasso, p > 2",
        "",
        _results_table(wide[wide["form"] == "penalized"], "lam"),
        _results_table(wide[wide["form"] == "constrained"], "radius"),
        "### Beyond L1 and L2: one coordinate, every penalty on the same draws",
        "",
        _penalty_table(table),
        "### Correlated designs",
        "",
        _correlated_table(correlated),
        "### Rare cells: importance sampling",
        "",
        _importance_table(_importance_rows(table)),
        "### Solvers",
        "",
        _solver_tables(solver_runs),
        "### Ridge",
        "",
        f"The ridge rows of `results.csv` ({len(ridge)} scenarios, {int(ridge['reps'].sum()):,} draws) count the "
        f"exact zeros of the ridge solutions computed in floating point: {int(ridge['successes'].sum())} sparse draws "
        f"in all. At 0 successes each row's 95% Clopper-Pearson interval is [0, 1 - 0.025^(1/N)]. Ridge's exact "
        f"value 0 is a derivation (the axes are a null set) and its integral is not computed.",
        "",
        "## Estimators",
        "",
        conventions_table(),
        "",
        "## Claims from the Cross Validated discussion \"Why L1 norm for sparse models\"",
        "",
        "| # | claim | verdict | evidence |",
        "|---|---|---|---|",
    ]
    out += [f"| {c.number} | {c.claim} | **{c.verdict}** | {c.evidence.replace('|', chr(92) + '|')} |" for c in claims]
    out += ["", "## Figures", ""]
    for path in figures:
        name = Path(path).stem
        out += [f"### {name.replace('_', ' ').capitalize()}", "", _captions().get(name, ""), "",
                f"![{name}](figures/{Path(path).name})", ""]
    return "\n".join(out) + "\n"


def write_report(table, study, outdir, figures, atom=None, solver_claims=(), solver_runs=()) -> Path:
    from .._pipeline.output import write_atomic

    path = Path(outdir) / "REPORT.md"
    write_atomic(path, render_report(table, study, figures, atom, solver_claims, solver_runs))
    return path


def build_report(study, outdir="reports", *, n_jobs=-1, backend=None, progress=False) -> Path:
    """Run ``study`` and regenerate the report in ``outdir``.

    Writes ``results.csv`` (the study table), ``solvers.json`` (the solver
    runs of the study's ``[[solvers]]`` tables), ``figures/*.png``,
    ``explorer.html`` (the interactive page) and ``REPORT.md``, each
    atomically.  The output folder is checked before any work.

    Parameters
    ----------
    study : Study
        From :func:`~mc_sparsity.load_study`.
    outdir : str or path, default "reports"
    n_jobs : int, default -1
        joblib workers (-1: all cores).
    backend : str, optional
        joblib backend.
    progress : bool, default False
        Progress bars on stderr.

    Returns
    -------
    pathlib.Path
        The path of ``REPORT.md``.

    Examples
    --------
    >>> from mc_sparsity import load_study  # doctest: +SKIP
    >>> build_report(load_study(), "reports")  # doctest: +SKIP
    PosixPath('reports/REPORT.md')
    """
    import json

    from .explorer import write_explorer
    from .._pipeline.output import OutputFolder, check_output_dir, read_tree, write_atomic
    from .plots import COORDINATE, FIGURES, coordinate_draws, make_figures
    from .._solvers.iterative import run_solvers
    from .._pipeline.study import run_study

    outdir = check_output_dir(outdir)
    # Every output checked and the folder locked before any work; written as one set at the end.
    names = ["results.csv", "solvers.json", "explorer.html", "REPORT.md", *(f"figures/{f}.png" for f in FIGURES)]
    with OutputFolder(outdir, names) as folder, folder.staging() as stage:
        table = run_study(study, outdir / "results.csv", n_jobs=n_jobs, backend=backend, progress=progress)
        table = table[table["estimand"] == "sparse"].reset_index(drop=True)  # the sections below: P(sparse)
        solver_runs = [run_solvers(**run.kwargs(), rng=np.random.SeedSequence(study.seed, spawn_key=(2**40 + i,)),
                                   n_jobs=n_jobs, skip_sklearn_if_missing=True)
                       for i, run in enumerate(study.solver_runs)]
        for run in solver_runs:
            run["seed"] = study.seed
        write_atomic(stage / "solvers.json", json.dumps(solver_runs, indent=1, allow_nan=False) + "\n")
        figures = make_figures(table, stage / "figures", solver_runs=solver_runs)
        write_explorer(stage / "explorer.html")
        lasso, ridge, exact = coordinate_draws(**COORDINATE)
        atom = (exact, int(np.sum(lasso == 0)), int(np.sum(ridge == 0)), COORDINATE["n"])
        write_report(table, study, stage, figures, atom, [rule_c7(solver_runs), rule_c8(solver_runs)], solver_runs)
        folder.write(read_tree(stage), also=["results.csv"])
    return outdir / "REPORT.md"
