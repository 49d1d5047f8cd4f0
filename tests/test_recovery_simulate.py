"""The recovery simulation: the issue's acceptance check against scikit-learn, determinism, the estimands."""

import json
import math
import warnings

import numpy as np
import pytest
from scipy.stats import fisher_exact

from mc_sparsity import ParameterError
from mc_sparsity._recovery.setup import recovery_setup
from mc_sparsity._recovery.simulate import simulate_recovery
from mc_sparsity.cli import main

sklearn = pytest.importorskip("sklearn.linear_model")
ALPHA = 1e-4


def _sklearn_signed_support_successes(setup, trials, seed):
    """Independent trials of the same setup, drawn with numpy's own generator, solved by LassoLars."""
    rng = np.random.default_rng(seed)
    wins = 0
    for _ in range(trials):
        support = rng.choice(setup.p, setup.k, replace=False)
        beta = np.zeros(setup.p)
        beta[support] = setup.beta_min * rng.choice([-1.0, 1.0], setup.k)
        X = rng.standard_normal((setup.n, setup.p))
        y = X @ beta + setup.sigma * rng.standard_normal(setup.n)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            coef = sklearn.LassoLars(alpha=setup.lam, fit_intercept=False, precompute=False).fit(X, y).coef_
        wins += bool(np.array_equal(np.sign(coef), np.sign(beta)))
    return wins


def test_acceptance_check_against_scikit_learn_on_independent_trials(capsys):
    trials = 300
    status = main(["recovery", "--p", "128", "--sparsity", "fractional", "--theta", "0.75", "1.25", "2",
                   "--trials", str(trials), "--jobs", "2", "--json"])
    assert status == 0
    data = json.loads(capsys.readouterr().out)
    assert [row["theta"] for row in data["results"]] == [0.75, 1.25, 2.0]
    estimates = []
    for index, row in enumerate(data["results"]):
        assert row["uncertified"] == 0 and row["trials"] == trials
        setup = recovery_setup(128, "fractional", theta=row["theta"])
        assert (row["k"], row["n"], row["lam"]) == (setup.k, setup.n, setup.lam)
        theirs = _sklearn_signed_support_successes(setup, trials, seed=1000 + index)
        ours = row["successes"]
        pvalue = fisher_exact([[ours, trials - ours], [theirs, trials - theirs]]).pvalue
        assert pvalue > ALPHA, (row["theta"], ours, theirs, pvalue)
        estimates.append(ours / trials)
    assert estimates[0] < 0.3 < 0.7 < estimates[2]  # the curve rises through the transition


def test_same_numbers_whatever_the_workers_and_chunks():
    kwargs = dict(p=(48, 64), sparsity=4, theta=(1.0, 2.0), design=("gaussian", "toeplitz"), trials=40,
                  estimand="all", rng=11)
    reference = simulate_recovery(**kwargs, n_jobs=1).to_dict()
    assert simulate_recovery(**kwargs, n_jobs=2, chunk_size=8).to_dict() == reference
    assert simulate_recovery(**kwargs, n_jobs=2, chunk_size=24).to_dict() == reference
    # the signed-support counts do not depend on whether the other estimands were asked for
    alone = simulate_recovery(**{**kwargs, "estimand": "signed_support"}, n_jobs=2).to_dict()
    signed = [r for r in reference["results"] if r["estimand"] == "signed_support"]
    assert [r["successes"] for r in alone["results"]] == [r["successes"] for r in signed]
    assert alone["transitions"] == reference["transitions"]
    other = simulate_recovery(**{**kwargs, "rng": 12}, n_jobs=1).to_dict()
    assert other["results"] != reference["results"]


def test_estimands_are_consistent_with_each_other():
    result = simulate_recovery(64, 4, theta=(0.7, 1.5), trials=200, estimand="all", rng=3)
    by = {(r.theta, r.estimand): r for r in result.results}
    for theta in (0.7, 1.5):
        signed, support, superset = (by[theta, e] for e in ("signed_support", "support", "superset"))
        assert signed.successes <= support.successes <= superset.successes
        fdp, tpr, ham = (by[theta, e] for e in ("fdp", "tpr", "hamming"))
        assert 0 <= fdp.estimate <= 1 and 0 <= tpr.estimate <= 1 and ham.estimate >= 0
        assert fdp.ci_low <= fdp.estimate <= fdp.ci_high and math.isclose(
            fdp.ci_high - fdp.estimate, 1.959963984540054 * fdp.std_error, rel_tol=1e-9)
        # a zero Hamming distance is a recovered support: mean Hamming >= P(support wrong)
        assert ham.estimate >= 1 - support.estimate - 1e-12
        assert tpr.estimate >= superset.estimate - 1e-12
        assert signed.witness_yes == signed.successes and signed.uncertified == 0
        low, high = signed.ci_low, signed.ci_high
        assert low <= signed.estimate <= high


@pytest.mark.parametrize("kwargs, name", [
    (dict(trials=0), "trials"), (dict(trials=10**9), "trials"), (dict(estimand="risk"), "estimand"),
    (dict(p=100_000), "p"), (dict(theta=-1.0), "theta"), (dict(rho=2.0, design="toeplitz"), "rho"),
])
def test_bad_input_raises_before_any_work(kwargs, name):
    with pytest.raises(ParameterError) as info:
        simulate_recovery(**{"p": 64, "sparsity": 4, "theta": 1.0, **kwargs})
    assert info.value.parameter == name
