"""Every registered estimator through every path its record declares (as scipy's ``distcont`` drives its tests).

A new record in ``_estimators/registry.py`` is picked up here with no edit: its Monte Carlo counts are checked
against its exact law (binomial test at level 1e-4), its integral against its exact value at p = 2, its support
estimands against a numpy replay of its rule on the same draws, and it runs from a study file and the command line.
"""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from mc_sparsity import ar1, simulate
from mc_sparsity._estimators.penalties import PENALTIES
from mc_sparsity._estimators.rules import best_subset
from mc_sparsity._estimators.registry import ESTIMATORS, resolve_parameters
from mc_sparsity._mc.engine import block_generator
from mc_sparsity._pipeline.study import parse_study, run_study
from mc_sparsity.cli import main

ALPHA = 1e-4
CASES = [(name, form) for name, record in ESTIMATORS.items() for form in record.forms]


def _rule(name, x, lam, params):
    """The estimator's numpy rule at the common level (orthonormal design), from the penalties module."""
    if name == "best_subset":
        return best_subset(x, params["subset_size"])
    level, keywords = ESTIMATORS[name].rule_arguments(lam, params)
    return PENALTIES[name](x, level, **keywords)


@pytest.mark.parametrize("name, form", CASES)
def test_monte_carlo_against_the_exact_law_and_the_integral(name, form):
    level = {"lam": 0.6} if form == "penalized" else {"radius": 1.0}
    estimands = ["sparse", "signed_support", "support", "superset"] if form == "penalized" else ["sparse"]
    res = simulate([1.0, 0.0], **level, estimator=name, reps=400_000, rng=7, estimand=estimands)
    row = res[name]
    assert row.exact is not None, name
    for estimand in estimands:
        row = res[name, estimand]
        if row.exact is None:  # best subset's support laws are not derived
            assert ESTIMATORS[name].evaluation == "subset" and estimand != "sparse"
            continue
        assert binomtest(row.successes, row.reps, row.exact).pvalue > ALPHA, row
        if row.integral is not None:
            assert abs(row.integral - row.exact) < 1e-8


@pytest.mark.parametrize("name", [n for n, r in ESTIMATORS.items() if "penalized" in r.forms])
def test_support_estimands_replay_the_rule_on_the_same_draws(name, tally_of):
    beta, sigma, lam, reps, seed = np.array([1.5, -0.4, 0.0, 0.8]), 0.7, 0.5, 20_000, 11
    params = resolve_parameters((name,), {})
    res = simulate(beta, sigma, lam=lam, estimator=name, reps=reps, rng=seed,
                   estimand=["sparse", "signed_support", "support", "superset", "fdp", "tpr", "hamming"])
    x = beta + sigma * block_generator(np.random.SeedSequence(seed), 0).standard_normal((reps, beta.size))
    b = _rule(name, x, lam, params)
    zero = b == 0
    inside = beta != 0
    expected = {
        "sparse": int(zero.any(axis=1).sum()),
        "signed_support": int(np.all(np.sign(b) == np.sign(beta), axis=1).sum()),
        "support": int(np.all(zero == ~inside, axis=1).sum()),
        "superset": int((~zero[:, inside]).all(axis=1).sum()),
    }
    for estimand, count in expected.items():
        assert res[name, estimand].successes == count, (name, estimand)
    fp, tp = (~zero[:, ~inside]).sum(axis=1), (~zero[:, inside]).sum(axis=1)
    means = {"hamming": (zero != ~inside).sum(axis=1), "fdp": fp / np.maximum(1, fp + tp),
             "tpr": tp / inside.sum()}
    for estimand, values in means.items():
        assert math.isclose(res[name, estimand].estimate, values.mean(), rel_tol=1e-12), (name, estimand)


@pytest.mark.parametrize("name", [n for n, r in ESTIMATORS.items() if r.correlated])
def test_correlated_designs_run_every_estimator_that_declares_a_solver(name):
    res = simulate([1.0, 0.3, 0.0], lam=0.5, estimator=name, design=ar1(3, 0.5), reps=5_000, rng=3,
                   estimand=["sparse", "support"])
    row = res[name, "support"]
    assert row.reps + row.uncertified == 5_000 and row.uncertified <= 50  # a weighted lasso may leave a few apart


def test_a_study_and_the_command_line_take_every_estimator(tmp_path, capsys):
    names = [n for n, r in ESTIMATORS.items() if "penalized" in r.forms]
    study = parse_study('[study]\nreps = 2000\n[[grid]]\nform = "penalized"\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n'
                        f'estimator = {names!r}\n'.replace("'", '"'))
    table = run_study(study, tmp_path / "r.csv")
    assert sorted(table["estimator"]) == sorted(names)
    for name in names:
        assert main(["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--estimator", name, "--reps", "1000",
                     "--quiet"]) == 0
    capsys.readouterr()
