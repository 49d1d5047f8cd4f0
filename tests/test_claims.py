"""The report's verdict rules (mc_sparsity._report.claims), each on small tables built to make its claim hold,
to make it fail, and to leave it unsettled (too little or disagreeing evidence)."""

import math

import numpy as np
import pandas as pd

from mc_sparsity._mc.results import COLUMNS
from mc_sparsity._report.claims import (DOES_NOT_HOLD, HOLDS, NOT_SETTLED, ZERO_BOUND, assess_claims,
                                        importance_agreement, rule_c1, rule_c2, rule_c3, rule_c4, rule_c5, rule_c5b,
                                        rule_c5c, rule_c6, rule_c7, rule_c8, rule_c9, rule_c10)
from mc_sparsity._stats.inference import binomial_pvalue, proportion_interval, z_score

N = 100_000
BIG = 1_000_000  # enough draws for a probability-zero claim: 1 - 0.025^(1/N) = 3.7e-6 < ZERO_BOUND


def row(estimator="lasso", beta=(1.0, 0.3), form="penalized", level=0.5, exact=0.5, sparse=None, integral=None,
        design="orthonormal", rho=None, params=None, method="mc", reps=N, **extra):
    sparse = round(exact * reps) if sparse is None else sparse
    low, high = proportion_interval(sparse, reps)
    record = dict.fromkeys(COLUMNS)
    record.update(
        scenario=f"{estimator}{beta}{form}{level}{design}{rho}{params}{extra.get('gram')}", form=form,
        p=len(beta), beta=tuple(beta), sigma=1.0, lam=level if form == "penalized" else None,
        radius=level if form == "constrained" else None, design=design, rho=rho, level_over_sigma=level,
        estimator=estimator, params=params or {}, method=method, reps=reps, estimand="sparse", successes=sparse, estimate=sparse / reps,
        ci_low=low, ci_high=high, exact=exact, log_exact=math.log(exact) if exact > 0 else -math.inf,
        exact_error=0.0, integral=integral, integral_error=1e-12 if integral is not None else None,
        z=z_score(sparse, reps, exact), binom_pvalue=binomial_pvalue(sparse, reps, exact), uncertified=0)
    record.update(extra)
    return record


def table(*rows):
    return pd.DataFrame(list(rows), columns=list(COLUMNS))


GOOD_LASSO = [row(exact=0.52, integral=0.52), row(level=1.0, exact=0.82, integral=0.82)]


def _is_row(exact, estimate, rel, low, high):
    return row(method="is", exact=exact, sparse=N, log_estimate=math.log(estimate), relative_error=rel,
               estimate=estimate, ci_low=low, ci_high=high)


def test_c1_both_ways():
    assert rule_c1(table(*GOOD_LASSO)).verdict == HOLDS
    # the simulation disagrees with the exact value (10 standard errors): not evidence either way
    assert rule_c1(table(GOOD_LASSO[0], row(level=1.0, exact=0.82, sparse=83_600, integral=0.82))).verdict \
        == NOT_SETTLED
    # the integral disagrees
    assert rule_c1(table(row(exact=0.52, integral=0.53))).verdict == NOT_SETTLED
    # a positive level with exact probability 0 and agreeing evidence
    assert rule_c1(table(row(exact=0.0, integral=0.0))).verdict == DOES_NOT_HOLD
    # no p = 2 scenario: nothing was integrated
    assert rule_c1(table(row(beta=(1.0, 0.3, 2.0), exact=0.6))).verdict == NOT_SETTLED
    # three draws: the binomial test passes with no power and no interval excludes 0
    assert rule_c1(table(row(exact=0.52, integral=0.52, reps=3, sparse=0))).verdict == NOT_SETTLED


def test_c1_importance_rows_both_ways():
    stochastic = _is_row(1e-12, 1.01e-12, 0.01, 0.99e-12, 1.03e-12)
    assert rule_c1(table(*GOOD_LASSO, stochastic)).verdict == HOLDS
    assert rule_c1(table(*GOOD_LASSO, dict(stochastic, log_estimate=math.log(1.2e-12)))).verdict == NOT_SETTLED
    # a zero-variance row whose interval holds the exact value: a closed form, counted apart
    closed = _is_row(5.959348786794764e-13, 5.959348786795653e-13, 0.0, 5.9593e-13, 5.959348786795653e-13)
    claim = rule_c1(table(*GOOD_LASSO, stochastic, closed))
    assert claim.verdict == HOLDS
    assert "1 stochastic row" in claim.evidence and "closed form by construction in the other 1" in claim.evidence
    # the old zero-width interval [estimate, estimate], which excludes P = S - q1 q2: not settled
    point = dict(closed, ci_low=closed["estimate"], ci_high=closed["estimate"])
    assert rule_c1(table(*GOOD_LASSO, point)).verdict == NOT_SETTLED
    agree = importance_agreement(table(stochastic, closed))
    assert (agree["stochastic"], agree["closed_form"], agree["consistent"]) == (1, 1, True)


def test_c2_both_ways():
    assert rule_c2(table(row("ridge", exact=0.0, reps=BIG))).verdict == HOLDS
    assert rule_c2(table(row("ridge", exact=0.0, sparse=1, reps=BIG))).verdict == DOES_NOT_HOLD
    assert rule_c2(table(*GOOD_LASSO)).verdict == NOT_SETTLED
    # 1 to 3 draws per scenario, 95% interval [0, 0.14]: no evidence that P = 0 (issue 20, item 12)
    few = [row("ridge", exact=0.0, reps=r, beta=(r, 0.3)) for r in (1, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3)]
    assert 0.1 < proportion_interval(0, sum(r["reps"] for r in few))[1] < 0.14
    assert rule_c2(table(*few)).verdict == NOT_SETTLED
    # the threshold itself: just enough draws holds, just too few does not
    enough = math.ceil(math.log(0.025) / math.log1p(-ZERO_BOUND))
    assert rule_c2(table(row("ridge", exact=0.0, reps=enough + 10))).verdict == HOLDS
    assert rule_c2(table(row("ridge", exact=0.0, reps=enough - 10))).verdict == NOT_SETTLED


def test_c3_both_ways():
    unpen = [row(level=0.0, exact=0.0, reps=BIG), row("ridge", level=0.0, exact=0.0, reps=BIG)]
    assert rule_c3(table(*unpen, *GOOD_LASSO)).verdict == HOLDS
    assert rule_c3(table(row(level=0.0, exact=0.0, sparse=3), *GOOD_LASSO)).verdict == DOES_NOT_HOLD
    assert rule_c3(table(*GOOD_LASSO)).verdict == NOT_SETTLED
    assert rule_c3(table(row(level=0.0, exact=0.0, reps=100), *GOOD_LASSO)).verdict == NOT_SETTLED


def test_c4_both_ways():
    con = [row(form="constrained", level=1.0, exact=0.34),
           row("ridge", form="constrained", level=1.0, exact=0.0, reps=BIG)]
    assert rule_c4(table(*con)).verdict == HOLDS
    assert rule_c4(table(con[0], row("ridge", form="constrained", level=1.0, exact=0.0, sparse=2))).verdict \
        == DOES_NOT_HOLD
    # p > 2 without an exact value: the interval's lower bound must be above 0
    wide = row(form="constrained", level=1.0, beta=(1.0, 1.0, 1.0), exact=0.3)
    wide.update(exact=None, log_exact=None, binom_pvalue=None, z=None)
    assert rule_c4(table(con[1], wide)).verdict == HOLDS
    assert rule_c4(table(con[1], dict(wide, successes=0, estimate=0.0, ci_low=0.0))).verdict == DOES_NOT_HOLD
    # too few ridge draws for "never"
    assert rule_c4(table(con[0], row("ridge", form="constrained", level=1.0, exact=0.0, reps=50))).verdict \
        == NOT_SETTLED


def _bridge(q, beta, lam, exact):
    return row("bridge", beta=(beta,), level=lam, exact=exact, params={"q": q})


ONE = [row("lasso", beta=(1.0,), level=1.0, exact=0.24), row("hard", beta=(1.0,), level=1.0, exact=0.45)]


def test_c5_both_ways():
    monotone = [_bridge(0.1, 1.0, 1.0, 0.40), _bridge(0.5, 1.0, 1.0, 0.35), _bridge(0.9, 1.0, 1.0, 0.25)]
    assert rule_c5(table(*ONE, *monotone)).verdict == HOLDS
    bent = [_bridge(0.1, 1.0, 1.0, 0.30), _bridge(0.5, 1.0, 1.0, 0.35), _bridge(0.9, 1.0, 1.0, 0.25)]
    claim = rule_c5(table(*ONE, *bent))
    assert claim.verdict == DOES_NOT_HOLD and "(b) P(zero) does not fall" in claim.evidence
    # monotone in q, but L0 is not the most direct: "L0 most directly" fails by itself
    weak_l0 = [ONE[0], row("hard", beta=(1.0,), level=1.0, exact=0.38)]
    claim = rule_c5(table(*weak_l0, *monotone))
    assert claim.verdict == DOES_NOT_HOLD and "(c) L0 gives the most zeros in 0 of 1" in claim.evidence
    assert rule_c5(table(*ONE, _bridge(0.5, 1.0, 1.0, 0.35))).verdict == NOT_SETTLED
    tiny = [dict(r, reps=2, successes=0, ci_low=0.0) for r in (*ONE, *monotone)]
    for r in tiny:
        r.update(binom_pvalue=binomial_pvalue(0, 2, r["exact"]), z=z_score(0, 2, r["exact"]))
    assert rule_c5(table(*tiny)).verdict == NOT_SETTLED


def test_c5b_and_c5c_both_ways():
    for rule, name in ((rule_c5b, "scad"), (rule_c5c, "elastic_net")):
        assert rule(table(row(name, beta=(1.0,), exact=0.24))).verdict == HOLDS
        assert rule(table(row(name, beta=(1.0,), exact=0.0))).verdict == DOES_NOT_HOLD
        assert rule(table(row(name, beta=(1.0,), exact=0.24, sparse=30_000))).verdict == NOT_SETTLED
        assert rule(table(row(name, beta=(1.0,), exact=0.24, reps=3, sparse=0))).verdict == NOT_SETTLED


def test_c6_both_ways():
    assert rule_c6((0.2417, 241_700, 0, 1_000_000)).verdict == HOLDS
    assert rule_c6((0.2417, 241_700, 5, 1_000_000)).verdict == DOES_NOT_HOLD
    assert rule_c6((0.2417, 250_000, 0, 1_000_000)).verdict == NOT_SETTLED
    assert rule_c6((0.2417, 24, 0, 100)).verdict == NOT_SETTLED  # 100 draws cannot show ridge's P = 0
    assert rule_c6(None).verdict == NOT_SETTLED


def _run(zero_any_ista, zero_any_sub, pattern=None, exact=0.61, exact_sparse=61_000, reps=100_000):
    records = []
    for k, (a, b) in enumerate(zip(zero_any_ista, zero_any_sub)):
        base = {"iteration": [1, 10, 1000][k], "reps": reps, "uncertified": 0, "near_zero": {"0.0001": 5},
                "spurious_zeros": 0, "missed_zeros": 0}
        records.append({**base, "solver": "ista", "zero_any": a,
                        "pattern_match": reps if pattern is None or k < 2 else pattern})
        records.append({**base, "solver": "subgradient", "zero_any": b, "pattern_match": reps - exact_sparse})
    return {"beta": [1.0, 0.3], "lam": 0.5, "design": {"kind": "equicorrelated", "rho": 0.6}, "exact": exact,
            "exact_sparse": exact_sparse, "results": records}


def test_c7_both_ways():
    assert rule_c7([_run([37_000, 59_000, 61_000], [0, 0, 0])]).verdict == HOLDS
    assert rule_c7([_run([0, 0, 0], [0, 0, 0])]).verdict == DOES_NOT_HOLD
    assert rule_c7([_run([37_000, 59_000, 61_000], [0, 0, 0], pattern=99_000)]).verdict == NOT_SETTLED
    assert rule_c7([]).verdict == NOT_SETTLED


def test_c8_both_ways():
    assert rule_c8([_run([1, 2, 61_000], [0, 0, 0])]).verdict == HOLDS
    assert rule_c8([_run([1, 2, 61_000], [0, 0, 61_000])]).verdict == DOES_NOT_HOLD
    # a toy sequence that reaches 0 from 5.1 would refute the oscillation
    reaching = ([5.0, 4.5, 0.0], [5.1, 0.1, 0.0, 0.0])
    assert rule_c8([_run([1, 2, 61_000], [0, 0, 0])], toy=reaching).verdict != HOLDS


UNEQUAL = [[1.0, 0.0], [0.0, 4.0]]  # Var beta_hat = sigma^2 (1, 1/4)


def test_c9_both_ways():
    iso = [row(exact=0.52), row(beta=(3.0, 3.0), form="constrained", level=2.0, exact=0.16)]
    aniso = row(design="gram", gram=UNEQUAL, exact=0.37)
    claim = rule_c9(table(*iso, aniso))
    assert claim.verdict == DOES_NOT_HOLD and "variance ratio 4.00 to 4.00" in claim.evidence
    # corners hit only under unequal variances: the claim holds
    assert rule_c9(table(row(exact=0.0, level=0.5), aniso)).verdict == HOLDS
    assert rule_c9(table(row(beta=(1.0, 0.3, 2.0), exact=0.5))).verdict == NOT_SETTLED
    # equicorrelated designs have equal variances sigma^2/(1 - rho^2): they do not realise the condition
    equi = row(design="equicorrelated", rho=0.6, exact=0.61)
    claim = rule_c9(table(*iso, equi))
    assert claim.verdict == NOT_SETTLED and "unequal variances" in claim.evidence
    # a rotated diag(1, 4) with unequal diagonal counts; the 45-degree rotation (equal diagonal) does not
    c, s = math.cos(math.pi / 6), math.sin(math.pi / 6)
    rotation = np.array([[c, -s], [s, c]])
    rotated = (rotation @ np.diag([1.0, 4.0]) @ rotation.T).tolist()
    assert rule_c9(table(*iso, row(design="gram", gram=rotated, exact=0.4))).verdict == DOES_NOT_HOLD
    diagonal = [[2.5, 1.5], [1.5, 2.5]]
    assert rule_c9(table(*iso, row(design="gram", gram=diagonal, exact=0.4))).verdict == NOT_SETTLED


def test_c10_follows_c1_and_c4():
    holds = rule_c1(table(*GOOD_LASSO))
    unsettled = rule_c4(table(*GOOD_LASSO))
    claim = rule_c10(holds, unsettled)
    assert claim.verdict == DOES_NOT_HOLD and "share one derivation" in claim.evidence
    assert rule_c10(unsettled, unsettled).verdict == NOT_SETTLED


def test_every_claim_has_a_verdict_from_a_rule():
    claims = assess_claims(table(*GOOD_LASSO))
    assert [c.number for c in claims] == ["C1", "C2", "C3", "C4", "C5", "C5b", "C5c", "C6", "C7", "C8", "C9", "C10"]
    assert {c.verdict for c in claims} <= {HOLDS, DOES_NOT_HOLD, NOT_SETTLED}
