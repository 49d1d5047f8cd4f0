"""Every penalized estimator in the engine: same draws, exact laws, command line (issue 5)."""

import json

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity import simulate
from mc_sparsity._mc.engine import BLOCK_SIZE, block_generator
from mc_sparsity._stats.goodness_of_fit import pooled_chisquare
from mc_sparsity._estimators.penalties import PENALTIES
from mc_sparsity._estimators.rules import best_subset
from mc_sparsity.cli import main

ALPHA = 1e-4
PARAMS = {"l1_ratio": 0.3, "a": 3.0, "gamma": 2.0, "q": 0.4, "subset_size": 2, "adaptive_gamma": 0.7}


def _apply(name, x, lam):
    """The numpy rule of ``_penalties`` with simulate()'s parameter convention."""
    if name == "elastic_net":
        return PENALTIES[name](x, lam * PARAMS["l1_ratio"], lam2=lam * (1 - PARAMS["l1_ratio"]))
    if name == "best_subset":
        return best_subset(x, PARAMS["subset_size"])
    key = {"scad": "a", "mcp": "gamma", "bridge": "q", "adaptive_lasso": "adaptive_gamma"}.get(name)
    return PENALTIES[name](x, lam, **({key: PARAMS[key]} if key else {}))


@pytest.mark.parametrize("beta", [[1.0, 0.3], [0.5, -1.5, 2.0, 0.0]])
def test_kernel_counts_equal_the_numpy_rules_on_the_same_draws(beta):
    lam, reps, seed = 0.7, BLOCK_SIZE + 321, 17
    res = simulate(beta, 0.9, lam=lam, estimator="penalties", reps=reps, seed=seed, **PARAMS)
    p = len(beta)
    draws = [np.asarray(beta) + 0.9 * block_generator(np.random.SeedSequence(seed), b).standard_normal((n, p))
             for b, n in enumerate((BLOCK_SIZE, 321))]
    x = np.concatenate(draws)
    for row in res.results:
        expected = np.bincount((_apply(row.estimator, x, lam) == 0).sum(axis=1), minlength=p + 1)
        assert_array_equal(row.zeros, expected, err_msg=row.estimator)


@pytest.mark.parametrize("i, beta, sigma, lam", [
    (0, [1.0, 0.3], 1.0, 0.5),
    (1, [2.0, -0.5, 0.0, 1.0, 3.0], 1.0, 0.8),
    (2, [0.2, 0.2], 0.5, 0.15),
])
def test_every_estimator_agrees_with_its_exact_law(i, beta, sigma, lam):
    res = simulate(beta, sigma, lam=lam, estimator="penalties", reps=2_000_000, seed=300 + i, **PARAMS)
    for row in res.results:
        assert row.binomtest().pvalue > ALPHA, row
        assert pooled_chisquare(row.zeros, row.exact_zeros).pvalue > ALPHA, row
        if len(beta) == 2 and row.estimator not in ("best_subset", "ridge"):  # no region / a null set
            assert abs(row.integral - row.exact) < 1e-8


def test_best_subset_is_sparse_for_sure_when_it_keeps_fewer_than_p():
    res = simulate([5.0, 4.0, 3.0], lam=0.1, estimator="best_subset", reps=10_000, subset_size=2)
    row = res["best_subset"]
    assert row.estimate == 1.0 and row.zeros == (0, 10_000, 0, 0) and row.exact == 1.0
    full = simulate([5.0, 4.0, 3.0], lam=0.1, estimator="best_subset", reps=10_000, subset_size=3)
    assert full["best_subset"].sparse == 0 and full["best_subset"].exact == 0.0


def test_cli_estimator_list_and_parameters(capsys):
    assert main(["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--estimator", "hard", "bridge",
                 "--q", "0.3", "--reps", "1e5", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [r["estimator"] for r in data["results"]] == ["hard", "bridge"]
    assert data["params"] == {"q": 0.3}
    assert all(abs(r["integral"] - r["exact"]) < 1e-8 for r in data["results"])
    assert main(["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--estimator", "ridge", "--reps", "1e4",
                 "--json"]) == 0
    (ridge,) = json.loads(capsys.readouterr().out)["results"]
    assert ridge["integral"] is None and ridge["exact"] == 0.0  # a null set: nothing is integrated


@pytest.mark.parametrize("args, name", [
    (["--estimator", "scad", "--scad-a", "2"], "--scad-a"),
    (["--estimator", "mcp", "--mcp-gamma", "0.5"], "--mcp-gamma"),
    (["--estimator", "bridge", "--q", "1"], "--q"),
    (["--estimator", "elastic_net", "--l1-ratio", "1.5"], "--l1-ratio"),
    (["--estimator", "best_subset", "--subset-size", "5"], "--subset-size"),
    (["--estimator", "lasso", "huber"], "--estimator"),
])
def test_cli_bad_parameters_exit_2(capsys, args, name):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--beta", "1", "0.3", "--lam", "0.5", *args, "--json"])
    out, err = capsys.readouterr()
    assert exc.value.code == 2 and out == "" and name in err.strip().splitlines()[-1]


def test_constrained_form_has_lasso_and_ridge_only(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["simulate", "--beta", "1", "0.3", "--radius", "0.5", "--estimator", "scad"])
    assert exc.value.code == 2 and "constrained form" in capsys.readouterr().err
