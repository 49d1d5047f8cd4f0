"""Verdicts on the claims of the Cross Validated discussion "Why L1 norm for sparse models".

Each claim's verdict is computed by a rule, a function of the study table
(``rule_c1`` ...), tested on tables built to make it hold and to make it fail.
A rule gives a verdict only from the evidence it states; it says "not settled
here" when the table has no scenarios that bear on the claim, when the
evidence disagrees with itself (a failed test of the simulation against the
exact value), or when there is too little of it (a probability-zero claim
needs enough draws that the 95% upper bound is below :data:`ZERO_BOUND`; a
positive probability needs a simulated interval that excludes 0).  The
sentences around the numbers are ours; every number in them comes from the
table.  A consequence of the mathematics (two rules with one threshold give
the same zeros) is called a derivation, not evidence.

Examples
--------
>>> import pandas as pd
>>> from mc_sparsity._mc.results import COLUMNS
>>> rule_c2(pd.DataFrame(columns=list(COLUMNS))).verdict
'not settled here'
"""

from __future__ import annotations

import math
import numpy as np

from .._mc.results import hashable
from .claims_solvers import rule_c7, rule_c8
from .text import beta_text, fmt
from .verdict import ALPHA, DOES_NOT_HOLD, HOLDS, NOT_SETTLED, Claim

__all__ = ["Claim", "assess_claims", "agreement", "importance_agreement", "ALPHA", "ZERO_BOUND", "HOLDS",
           "DOES_NOT_HOLD", "NOT_SETTLED", "rule_c1", "rule_c2", "rule_c3", "rule_c4", "rule_c5", "rule_c5b",
           "rule_c5c", "rule_c6", "rule_c7", "rule_c8", "rule_c9", "rule_c10"]

INTEGRAL_TOLERANCE = 1e-8
#: A claim that a probability is 0 holds only if no draw was sparse and the pooled 95% Clopper-Pearson upper
#: bound is below this (at least 368,888 draws): fewer draws do not tell 0 from a probability of 1e-5.
ZERO_BOUND = 1e-5
#: |z| on the log scale beyond which an importance-sampling estimate disagrees with the exact value
#: (two-sided, at level ALPHA).
Z_CRITICAL = 3.8906


def _of(table, estimator):
    """The plain Monte Carlo rows of ``estimator`` (one per scenario)."""
    return table[(table["estimator"] == estimator) & (table["method"] == "mc")]


def _importance_rows(table):
    """The importance-sampling rows (rare cells of the lasso: P(sparse) or P(not sparse))."""
    return table[table["method"] == "is"]


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
    """How the importance-sampling rows agree with the exact value.

    A row whose sample shows no variance (``relative_error`` 0) reproduces a
    closed form by construction: the conditional sampler's constant weight is
    the product of the coordinates' probabilities, and a union sampler whose
    draws never had two events returns the sum of the events' probabilities.
    Such a row is no evidence beyond the exact value; it is checked by its
    interval (which must contain the exact value; on the log scale, to 1e-9,
    where the probability underflows).  The other rows are *stochastic*: their
    log-scale ``z = (log estimate - log exact) / relative error`` must be at
    most :data:`Z_CRITICAL`.
    """
    rows = rows[rows["exact"].notna()]
    gap = (rows["log_estimate"] - rows["log_exact"]).abs()
    rel = rows["relative_error"]
    stochastic = rel > 0
    inside = (rows["ci_low"] <= rows["exact"]) & (rows["exact"] <= rows["ci_high"])
    underflow = rows["ci_high"] <= 0
    closed_ok = (inside & ~underflow) | (underflow & (gap <= 1e-9))
    ok = (stochastic & (gap <= Z_CRITICAL * rel)) | (~stochastic & closed_ok)
    return {"n": len(rows), "consistent": bool(ok.all()), "stochastic": int(stochastic.sum()),
            "closed_form": int((~stochastic).sum()),
            "worst_z": float((gap / rel)[stochastic].max()) if bool(stochastic.any()) else None,
            "smallest_log": float(rows["log_exact"].min()) if len(rows) else None}


def _importance_text(agree) -> str:
    if not agree["n"]:
        return ""
    text = (f"; in the {agree['n']} rare cells (P or 1 - P below 1e-5, down to log P = "
            f"{fmt(agree['smallest_log'], 2)}) importance sampling ")
    if agree["stochastic"]:
        text += (f"agrees with the exact value on the log scale in its {agree['stochastic']} stochastic "
                 f"row{'s' if agree['stochastic'] > 1 else ''} (largest |z| {fmt(agree['worst_z'], 2)})")
    if agree["closed_form"]:
        text += (" and" if agree["stochastic"] else "") + (
            f" reproduces the closed form by construction in the other {agree['closed_form']} (the sample shows no "
            "variance: the estimate is the product or the sum of the coordinates' probabilities, no evidence "
            "beyond the exact value; each lies inside its interval)")
    return text


def _tests_text(agree) -> str:
    parts = []
    if agree["min_pvalue"] is not None:
        parts.append(f"the Monte Carlo estimates pass the exact binomial test at level {ALPHA:g} "
                     f"(smallest p-value {fmt(agree['min_pvalue'], 3)}, largest |z| {fmt(agree['worst_z'], 2)})"
                     if agree["consistent"] or agree["n_integral"] else "")
    if agree["n_integral"]:
        parts.append(f"the integral over the geometric region agrees with the exact value to "
                     f"{agree['worst_integral']:.1e} ({agree['n_integral']} scenarios at p = 2)")
    return "; ".join(p for p in parts if p)


def _positive(rows) -> bool:
    """Every row's exact probability is > 0 (on the log scale where the float underflows)."""
    return bool(len(rows)) and bool(((rows["exact"] > 0) | (rows["log_exact"] > -np.inf)).all())


def _simulation_shows_positive(rows) -> bool:
    """Some row's simulated 95% interval excludes 0: the simulation by itself shows P > 0."""
    return bool((rows["ci_low"] > 0).any())


def _zero_bound(sparse, reps) -> float:
    """The 95% Clopper-Pearson upper bound of a pooled count (1 where there are no draws)."""
    from .._stats.inference import proportion_interval

    return proportion_interval(sparse, reps)[1] if reps > 0 else 1.0


_TOO_FEW = ("no simulated interval excludes 0 (too few draws): the positive exact value is a derivation the "
            "simulation does not yet confirm")


# ---------------------------------------------------------------- the rules
def rule_c1(table) -> Claim:
    """C1: P(lasso sparse) = the integral over A_L > 0.

    Holds: every lasso scenario with a positive level has an exact value > 0,
    the simulation and integral agree with it, and some simulated interval
    excludes 0.  Does not hold: some such scenario has exact value 0 with
    agreeing evidence.  Not settled: no integral was computed (no p = 2
    scenario), the evidence disagrees, or the simulation never excludes 0.
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
    text = (f"In all {agree['n']} lasso scenarios with a positive level the exact probability is "
            f"{'> 0' if positive else 'not always > 0'} (smallest log P = {fmt(smallest, 2)}); "
            + _tests_text(agree) + _importance_text(rare) + ".")
    if positive and not _simulation_shows_positive(rows):
        return Claim("C1", claim, NOT_SETTLED, text + " But " + _TOO_FEW + ".")
    return Claim("C1", claim, HOLDS if positive else DOES_NOT_HOLD, text)


def rule_c2(table) -> Claim:
    """C2: P(ridge sparse) = 0.

    Holds: the ridge solutions of every scenario have no exact zero and the
    pooled 95% upper bound is below :data:`ZERO_BOUND`; does not hold: some
    draw is sparse.  Not settled without ridge scenarios or with too few draws.
    """
    claim = "P(ridge solution sparse) = P(beta_hat in A_R) = 0, A_R being the axes"
    ridge = _of(table, "ridge").drop_duplicates("scenario")
    if ridge.empty:
        return Claim("C2", claim, NOT_SETTLED, "The study has no ridge scenario.")
    total, sparse = int(ridge["reps"].sum()), int(ridge["successes"].sum())
    high = _zero_bound(sparse, total)
    text = (f"The ridge solutions (beta_hat/(1 + lambda) and the L2-ball projection, computed in floating "
            f"point for every draw) have {sparse} sparse solutions (an exactly-zero coordinate) in "
            f"{total:,} draws over {len(ridge)} scenarios (both forms); the 95% Clopper-Pearson interval "
            f"for the pooled probability is [{fmt(_zero_low(sparse, total))}, {high:.1e}]. The exact "
            f"value 0 is a derivation (the axes are a null set), and nothing is integrated over them.")
    if sparse:
        return Claim("C2", claim, DOES_NOT_HOLD, text)
    if high >= ZERO_BOUND:
        return Claim("C2", claim, NOT_SETTLED, text + f" Too few draws: the upper bound is not below {ZERO_BOUND:g}.")
    return Claim("C2", claim, HOLDS, text)


def _zero_low(sparse, reps) -> float:
    from .._stats.inference import proportion_interval

    return proportion_interval(sparse, reps)[0] if reps > 0 else 0.0


def rule_c3(table) -> Claim:
    """C3: least squares (lambda = 0) is never sparse; the L1 penalty makes it so.

    Holds: no sparse draw at lambda = 0 with a pooled 95% upper bound below
    :data:`ZERO_BOUND`, and every lasso scenario with lambda > 0 has an exact
    probability > 0 with agreeing simulation, some interval excluding 0.
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
    zero_sparse, zero_reps = int(unpen["successes"].sum()), int(unpen["reps"].sum())
    high = _zero_bound(zero_sparse, zero_reps)
    text = (f"At lambda = 0, {zero_sparse} of {zero_reps:,} draws were sparse (exact probability 0; 95% upper bound "
            f"{high:.1e}); at lambda > 0 the lasso's exact probability is positive in all {len(lasso)} "
            f"scenarios (up to {fmt(lasso['exact'].max())}), and the simulation agrees ({_tests_text(agree)}).")
    if zero_sparse or not _positive(lasso):
        return Claim("C3", claim, DOES_NOT_HOLD, text)
    if high >= ZERO_BOUND:
        return Claim("C3", claim, NOT_SETTLED, text + f" Too few draws at lambda = 0: the upper bound is not below "
                     f"{ZERO_BOUND:g}.")
    if not _simulation_shows_positive(lasso):
        return Claim("C3", claim, NOT_SETTLED, text + " But " + _TOO_FEW + ".")
    return Claim("C3", claim, HOLDS, text)


def rule_c4(table) -> Claim:
    """C4: the L1 diamond's corners are hit with positive probability, the L2 ball's never.

    Holds: every constrained lasso scenario has P > 0 (exact where known,
    agreeing with the simulation, some interval excluding 0; else a
    Clopper-Pearson lower bound > 0) and the constrained ridge has no sparse
    draw, with a pooled upper bound below :data:`ZERO_BOUND`.
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
    ridge_sparse, ridge_reps = int(ridge["successes"].sum()), int(ridge["reps"].sum())
    high = _zero_bound(ridge_sparse, ridge_reps)
    text = (f"Constrained lasso: the exact probability of the wedges behind the vertices ranges from "
            f"{fmt(with_exact['exact'].min())} to {fmt(with_exact['exact'].max())} over {len(with_exact)} "
            f"scenarios with an exact value ({_tests_text(agree)})")
    if len(without):
        text += (f"; in the {len(without)} scenarios without one, the 95% interval's lower bound is at least "
                 f"{fmt(without['ci_low'].min())} (Monte Carlo alone)")
    text += f". The L2 ball: {ridge_sparse} sparse in {ridge_reps:,} draws (95% upper bound {high:.1e})."
    if not positive or ridge_sparse:
        return Claim("C4", claim, DOES_NOT_HOLD, text)
    if high >= ZERO_BOUND:
        return Claim("C4", claim, NOT_SETTLED, text + f" Too few ridge draws: the upper bound is not below "
                     f"{ZERO_BOUND:g}.")
    if not _simulation_shows_positive(lasso):
        return Claim("C4", claim, NOT_SETTLED, text + " But " + _TOO_FEW + ".")
    return Claim("C4", claim, HOLDS, text)


def rule_c5(table) -> Claim:
    """C5: any L_q penalty, q <= 1, gives sparsity, more so as q falls, L0 most directly.

    Three parts, at matched level lambda on the one-coordinate rows: (a) bridge
    (every q simulated), hard (L0) and lasso have P(zero) > 0 with agreeing
    simulation (measured); (b) at each (beta, lambda) the exact P(zero) falls
    as q rises; (c) L0's exact P(zero) is the largest of the rules.  (b) and
    (c) are deterministic properties of the thresholds (P(zero) = P(|z| <=
    tau)); the simulation only confirms the exact values they compare.
    Holds: all three; does not hold: any fails; not settled with fewer than
    two q, or when the evidence disagrees or does not exclude 0.
    """
    claim = "any L_q penalty with q <= 1 gives sparsity, more so as q falls, L0 most directly"
    pen = _level_positive(table[(table["p"] == 1) & (table["form"] == "penalized")])
    rules = pen[pen["estimator"].isin(["bridge", "hard", "lasso"]) & (pen["method"] == "mc")]
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
    if sparse_all and not _simulation_shows_positive(rules):
        return Claim("C5", claim, NOT_SETTLED, "Part (a): " + _TOO_FEW + ".")
    settings = bridge.groupby(["beta", "lam"])
    violations = [(beta[0], lam) for (beta, lam), rows in settings
                  if np.any(np.diff(rows.sort_values("q")["exact"].to_numpy()) > 0)]
    l0_short = []
    for (beta, lam), rows in rules.groupby(["beta", "lam"]):
        hard = rows.loc[rows["estimator"] == "hard", "exact"]
        others = rows.loc[rows["estimator"] != "hard", "exact"]
        if len(hard) and len(others) and float(hard.max()) < float(others.max()):
            l0_short.append((beta[0], lam))
    n_settings = settings.ngroups
    text = (f"(a) Measured: at matched level lambda (how a user tunes a penalty), bridge L_q for q = "
            f"{', '.join(f'{q:g}' for q in qs)}, L0 and L1 all have P(estimate = 0) > 0 in every setting "
            f"({len(rules)} rows; {_tests_text(agree)}). (b) and (c) are derivations, deterministic properties of "
            "the thresholds (P(zero) = P(|beta_hat| <= tau), tau_q = (2-q)/(2(1-q)) (2 lambda (1-q))^(1/(2-q)) for "
            "L_q, sqrt(2 lambda) for L0, lambda for L1), compared on the exact values the simulation confirms. ")
    if violations:
        beta, lam = violations[0]
        text += (f"(b) P(zero) does not fall monotonically as q rises in {len(violations)} of {n_settings} settings "
                 f"(first: beta = {beta:g}, lambda = {lam:g}): tau_q is not monotone in q at fixed lambda. ")
    else:
        text += f"(b) P(zero) falls as q rises in all {n_settings} settings. "
    if l0_short:
        beta, lam = l0_short[0]
        text += (f"(c) L0 gives the most zeros in {n_settings - len(l0_short)} of {n_settings} settings, not in "
                 f"{len(l0_short)} (first: beta = {beta:g}, lambda = {lam:g}). ")
    else:
        text += f"(c) L0 gives the most zeros in all {n_settings} settings. "
    text += ("No other matching of the levels is evaluated here; at equal thresholds every rule has the same "
             "P(zero), so there 'more so' does not hold either.")
    holds = sparse_all and not violations and not l0_short
    return Claim("C5", claim, HOLDS if holds else DOES_NOT_HOLD, text)


def _rule_keeps_zeros(table, number, claim, names, reason) -> Claim:
    pen = _level_positive(table[(table["p"] == 1) & (table["form"] == "penalized")])
    rows = pen[pen["estimator"].isin(names) & (pen["method"] == "mc")]
    if rows.empty:
        return Claim(number, claim, NOT_SETTLED, "The study has no one-coordinate grid with these penalties.")
    agree = agreement(rows)
    if not agree["consistent"]:
        return Claim(number, claim, NOT_SETTLED, "The simulation disagrees with the exact law: "
                     + _tests_text(agree) + ".")
    positive = _positive(rows)
    text = (f"Reason (a derivation, not a measurement): {reason} Evidence: their exact P(zero) ranges from "
            f"{fmt(rows['exact'].min())} to {fmt(rows['exact'].max())} over {len(rows)} rows, and the "
            f"simulation of each rule's own solution agrees ({_tests_text(agree)}).")
    if positive and not _simulation_shows_positive(rows):
        return Claim(number, claim, NOT_SETTLED, text + " But " + _TOO_FEW + ".")
    return Claim(number, claim, HOLDS if positive else DOES_NOT_HOLD, text)


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
    test at :data:`ALPHA`, and ridge has no zero in enough draws (upper bound
    below :data:`ZERO_BOUND`).
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
    text = (f"One coordinate (beta_j = 1, sigma = 1, lambda = 0.5): the lasso estimate has an atom at 0 of mass "
            f"{exact:.4f} (exact) against {lasso_zeros / n:.4f} simulated ({n:,} draws, binomial p-value "
            f"{pvalue:.2f}); the ridge estimate beta_hat/(1 + lambda) is continuous: {ridge_zeros} zeros in "
            f"{n:,} draws.")
    if exact <= 0 or ridge_zeros:
        return Claim("C6", claim, DOES_NOT_HOLD, text)
    if _zero_bound(0, n) >= ZERO_BOUND or lasso_zeros == 0:
        return Claim("C6", claim, NOT_SETTLED, text + " Too few draws to tell.")
    return Claim("C6", claim, HOLDS, text)


def _variances(row):
    """``(Var beta_hat_1, Var beta_hat_2) / sigma^2`` of a p = 2 row, from its design."""
    if row["design"] == "orthonormal":
        return 1.0, 1.0
    if row["design"] in ("equicorrelated", "ar1"):  # at p = 2 both are [[1, rho], [rho, 1]]
        v = 1.0 / (1.0 - float(row["rho"]) ** 2)
        return v, v
    gram = row.get("gram")
    if gram is None or (isinstance(gram, float) and math.isnan(gram)):
        return None
    inverse = np.linalg.inv(np.asarray(gram, dtype=float))
    return float(inverse[0, 0]), float(inverse[1, 1])


def rule_c9(table) -> Claim:
    """C9: corners are preferred only when beta_hat has different variances along the axes.

    The p = 2 lasso scenarios split by the diagonal of ``G^-1``: equal
    variances (orthonormal, equicorrelated, AR(1): contours symmetric about the
    diagonal) and unequal ones (a Gram matrix with unequal ``(G^-1)_11``,
    ``(G^-1)_22``).  Does not hold: both kinds are present, and some
    equal-variance scenario has P(sparse) > 0 with agreeing simulation.  Holds:
    every equal-variance scenario has P = 0 and some unequal one P > 0.  Not
    settled: either kind missing (without unequal variances the claim's
    condition is never realised), or disagreeing evidence.
    """
    claim = ("corners are preferred only when beta_hat has different variances along the axes (contours not "
             "symmetric about the diagonal)")
    lasso = _level_positive(_of(table, "lasso"))
    rows = lasso[lasso["exact"].notna() & (lasso["p"] == 2)]
    if rows.empty:
        return Claim("C9", claim, NOT_SETTLED, "The study has no p = 2 lasso scenario.")
    variances = [_variances(r) for _, r in rows.iterrows()]
    known = np.array([v is not None for v in variances], dtype=bool)
    unequal = np.array([v is not None and not math.isclose(v[0], v[1], rel_tol=1e-9) for v in variances],
                       dtype=bool)
    equal_rows, unequal_rows = rows[known & ~unequal], rows[unequal]
    if equal_rows.empty:
        return Claim("C9", claim, NOT_SETTLED, "The study has no p = 2 lasso scenario with equal variances.")
    if unequal_rows.empty:
        return Claim("C9", claim, NOT_SETTLED, "The study has no design with unequal variances along the axes "
                     "(every p = 2 design has Var beta_hat_1 = Var beta_hat_2, equicorrelated ones included), so "
                     "the claim's condition is never realised.")
    agree = agreement(rows)
    if not agree["consistent"]:
        return Claim("C9", claim, NOT_SETTLED, "The simulation disagrees with the exact value: "
                     + _tests_text(agree) + ".")
    positive = equal_rows[(equal_rows["exact"] > 0) | (equal_rows["log_exact"] > -np.inf)]
    positive_unequal = unequal_rows[unequal_rows["exact"] > 0]
    text = (f"With equal variances (Var beta_hat_1 = Var beta_hat_2: X^T X = I, and the equicorrelated designs, "
            f"sigma^2/(1 - rho^2) each: contours symmetric about the diagonal) the lasso is sparse with positive "
            f"probability in {len(positive)} of {len(equal_rows)} p = 2 scenarios")
    diagonal = equal_rows[equal_rows["beta"].map(lambda b: b[0] == b[1] and b[0] != 0)
                          & equal_rows["exact"].between(0.01, 0.99)]
    if len(diagonal):
        row = diagonal.sort_values("level_over_sigma").iloc[len(diagonal) // 2]
        text += (f", including beta on the diagonal, beta = {beta_text(row['beta'])}: P = {fmt(row['exact'])} at "
                 f"{row['form']} level {row['level_over_sigma']:g} (Monte Carlo {fmt(row['estimate'])})")
    ratios = [max(v) / min(v) for v, u in zip(variances, unequal) if u]
    text += (f". With unequal variances ({len(unequal_rows)} scenarios, Gram matrices R diag(1, 4) R^T: variance "
             f"ratio {min(ratios):.2f} to {max(ratios):.2f}) P(sparse) ranges from "
             f"{fmt(unequal_rows['exact'].min())} to {fmt(unequal_rows['exact'].max())} "
             f"({len(positive_unequal)} of {len(unequal_rows)} positive); the simulation agrees throughout "
             f"({_tests_text(agree)}). Anisotropy changes how often the corners are hit, not whether they can be.")
    if len(positive) and not _simulation_shows_positive(positive):
        return Claim("C9", claim, NOT_SETTLED, text + " But " + _TOO_FEW + ".")
    if len(positive):
        return Claim("C9", claim, DOES_NOT_HOLD, text)
    return Claim("C9", claim, HOLDS if len(positive_unequal) else NOT_SETTLED, text)


def rule_c10(c1: Claim, c4: Claim) -> Claim:
    """C10: the picture could be an artifact.  Does not hold when C1 or C4 holds (probabilities, not a picture)."""
    claim = "the picture could be an artifact: why should the contours touch a corner?"
    settled = [c.number for c in (c1, c4) if c.verdict == HOLDS]
    if not settled:
        return Claim("C10", claim, NOT_SETTLED, "Neither C1 nor C4 is settled by this study.")
    return Claim("C10", claim, DOES_NOT_HOLD,
                 f"{' and '.join(settled)} {'hold' if len(settled) > 1 else 'holds'} as probabilities over the "
                 "whole distribution of beta_hat, not one picture: the set of beta_hat with a sparse lasso solution "
                 "has positive probability. The exact value and the integral over the region share one derivation "
                 "(the region A_L, computed two ways), so their agreement checks the arithmetic, not the "
                 "derivation; only the simulation, which solves each draw's problem without the region, is "
                 "independent of it, and it agrees.")


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
