"""The report's verdict rules, each on small tables built to make its claim hold and to make it fail,
the escaping of what comes from a study file, and a report with no 'nan'."""

import math

import pandas as pd
import pytest

from mc_sparsity._stats.inference import binomial_pvalue, proportion_interval, z_score
from mc_sparsity._report.report import (DOES_NOT_HOLD, HOLDS, NOT_SETTLED, assess_claims, escape_text, rule_c1, rule_c2,
                                 rule_c3, rule_c4, rule_c5, rule_c5b, rule_c5c, rule_c6, rule_c7, rule_c8, rule_c9,
                                 rule_c10)
from mc_sparsity._mc.results import COLUMNS

N = 100_000


def row(estimator="lasso", beta=(1.0, 0.3), form="penalized", level=0.5, exact=0.5, sparse=None, integral=None,
        design="orthonormal", rho=None, params=None, method="mc", reps=N, **extra):
    sparse = round(exact * reps) if sparse is None else sparse
    low, high = proportion_interval(sparse, reps)
    record = dict.fromkeys(COLUMNS)
    record.update(
        scenario=f"{estimator}{beta}{form}{level}{design}{rho}{params}", form=form, p=len(beta), beta=tuple(beta),
        sigma=1.0, lam=level if form == "penalized" else None, radius=level if form == "constrained" else None,
        design=design, rho=rho, level_over_sigma=level, estimator=estimator, params=params or {}, method=method,
        reps=reps, estimand="sparse", successes=sparse, estimate=sparse / reps, ci_low=low, ci_high=high, exact=exact,
        log_exact=math.log(exact) if exact > 0 else -math.inf, exact_error=0.0, integral=integral,
        integral_error=1e-12 if integral is not None else None, z=z_score(sparse, reps, exact),
        binom_pvalue=binomial_pvalue(sparse, reps, exact), uncertified=0)
    record.update(extra)
    return record


def table(*rows):
    return pd.DataFrame(list(rows), columns=list(COLUMNS))


GOOD_LASSO = [row(exact=0.52, integral=0.52), row(level=1.0, exact=0.82, integral=0.82)]


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
    # a rare cell whose importance-sampling estimate disagrees (20 relative errors)
    rare = row(method="is", exact=1e-12, sparse=N, log_estimate=math.log(1.2e-12), relative_error=0.01)
    assert rule_c1(table(*GOOD_LASSO, rare)).verdict == NOT_SETTLED
    rare_ok = dict(rare, log_estimate=math.log(1.01e-12))
    assert rule_c1(table(*GOOD_LASSO, rare_ok)).verdict == HOLDS


def test_c2_both_ways():
    assert rule_c2(table(row("ridge", exact=0.0))).verdict == HOLDS
    assert rule_c2(table(row("ridge", exact=0.0, sparse=1))).verdict == DOES_NOT_HOLD
    assert rule_c2(table(*GOOD_LASSO)).verdict == NOT_SETTLED


def test_c3_both_ways():
    unpen = [row(level=0.0, exact=0.0), row("ridge", level=0.0, exact=0.0)]
    assert rule_c3(table(*unpen, *GOOD_LASSO)).verdict == HOLDS
    assert rule_c3(table(row(level=0.0, exact=0.0, sparse=3), *GOOD_LASSO)).verdict == DOES_NOT_HOLD
    assert rule_c3(table(*GOOD_LASSO)).verdict == NOT_SETTLED


def test_c4_both_ways():
    con = [row(form="constrained", level=1.0, exact=0.34), row("ridge", form="constrained", level=1.0, exact=0.0)]
    assert rule_c4(table(*con)).verdict == HOLDS
    assert rule_c4(table(con[0], row("ridge", form="constrained", level=1.0, exact=0.0, sparse=2))).verdict \
        == DOES_NOT_HOLD
    # p > 2 without an exact value: the interval's lower bound must be above 0
    wide = row(form="constrained", level=1.0, beta=(1.0, 1.0, 1.0), exact=0.3)
    wide.update(exact=None, log_exact=None, binom_pvalue=None, z=None)
    assert rule_c4(table(con[1], wide)).verdict == HOLDS
    assert rule_c4(table(con[1], dict(wide, sparse=0, estimate=0.0, ci_low=0.0))).verdict == DOES_NOT_HOLD


def _bridge(q, beta, lam, exact):
    return row("bridge", beta=(beta,), level=lam, exact=exact, params={"q": q})


ONE = [row("lasso", beta=(1.0,), exact=0.24), row("hard", beta=(1.0,), exact=0.30)]


def test_c5_both_ways():
    monotone = [_bridge(0.1, 1.0, 1.0, 0.40), _bridge(0.5, 1.0, 1.0, 0.35), _bridge(0.9, 1.0, 1.0, 0.25)]
    assert rule_c5(table(*ONE, *monotone)).verdict == HOLDS
    bent = [_bridge(0.1, 1.0, 1.0, 0.30), _bridge(0.5, 1.0, 1.0, 0.35), _bridge(0.9, 1.0, 1.0, 0.25)]
    assert rule_c5(table(*ONE, *bent)).verdict == DOES_NOT_HOLD
    assert rule_c5(table(*ONE, _bridge(0.5, 1.0, 1.0, 0.35))).verdict == NOT_SETTLED


def test_c5b_and_c5c_both_ways():
    for rule, name in ((rule_c5b, "scad"), (rule_c5c, "elastic_net")):
        assert rule(table(row(name, beta=(1.0,), exact=0.24))).verdict == HOLDS
        assert rule(table(row(name, beta=(1.0,), exact=0.0))).verdict == DOES_NOT_HOLD
        assert rule(table(row(name, beta=(1.0,), exact=0.24, sparse=30_000))).verdict == NOT_SETTLED


def test_c6_both_ways():
    assert rule_c6((0.2417, 241_700, 0, 1_000_000)).verdict == HOLDS
    assert rule_c6((0.2417, 241_700, 5, 1_000_000)).verdict == DOES_NOT_HOLD
    assert rule_c6((0.2417, 250_000, 0, 1_000_000)).verdict == NOT_SETTLED
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


def test_c9_both_ways():
    iso = [row(exact=0.52), row(beta=(3.0, 3.0), form="constrained", level=2.0, exact=0.16)]
    assert rule_c9(table(*iso)).verdict == DOES_NOT_HOLD
    assert rule_c9(table(row(exact=0.0, level=0.5))).verdict == HOLDS
    assert rule_c9(table(row(beta=(1.0, 0.3, 2.0), exact=0.5))).verdict == NOT_SETTLED


def test_c10_follows_c1_and_c4():
    holds = rule_c1(table(*GOOD_LASSO))
    unsettled = rule_c4(table(*GOOD_LASSO))
    assert rule_c10(holds, unsettled).verdict == DOES_NOT_HOLD
    assert rule_c10(unsettled, unsettled).verdict == NOT_SETTLED


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "# a heading\n## another", "![x](http://evil/x.png)",
                                  "a | b", "[link](javascript:alert(1))"])
def test_study_names_are_escaped(text):
    escaped = escape_text(text)
    assert "\n" not in escaped and "<" not in escaped and "](" not in escaped
    for char in "#|[]()!":
        assert char not in escaped.replace("\\" + char, "")


def test_every_claim_has_a_verdict_from_a_rule():
    claims = assess_claims(table(*GOOD_LASSO))
    assert [c.number for c in claims] == ["C1", "C2", "C3", "C4", "C5", "C5b", "C5c", "C6", "C7", "C8", "C9", "C10"]
    assert {c.verdict for c in claims} <= {HOLDS, DOES_NOT_HOLD, NOT_SETTLED}
