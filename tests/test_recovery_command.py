"""The ``recovery`` subcommand: the JSON contract, the table and every bad input (exit 2, naming the option)."""

import json

import pytest



def test_json_fields(capsys, run_cli):
    status, out, err = run_cli("recovery", "--p", "64", "--sparsity", "4", "--theta", "1", "2",
                               "--design", "gaussian", "toeplitz", "--rho", "0.2", "--estimand", "signed_support",
                               "fdp", "--trials", "24", "--seed", "5", "--json")
    assert status == 0 and err == ""
    data = json.loads(out)
    assert data["seed"] == 5 and data["trials"] == 24 and data["sparsity"] == "4"
    assert len(data["results"]) == 2 * 2 * 2
    for row in data["results"]:
        assert {"p", "k", "n", "theta", "lam", "design", "rho", "estimator", "estimand", "trials", "successes",
                "estimate", "ci_low", "ci_high", "uncertified"} <= set(row)
        assert row["estimator"] == "lasso" and row["p"] == 64 and row["k"] == 4 and row["uncertified"] == 0
        assert row["rho"] == (0.2 if row["design"] == "toeplitz" else 0.0)
        if row["estimand"] == "signed_support":
            assert row["estimate"] == row["successes"] / 24
        else:
            assert row["successes"] is None
    assert [(t["p"], t["design"]) for t in data["transitions"]] == [(64, "gaussian"), (64, "toeplitz")]
    for t in data["transitions"]:
        assert {"theta_half", "ci_low", "ci_high", "method", "bracket_low", "bracket_high"} <= set(t)


def test_n_instead_of_theta_and_the_table(capsys, run_cli):
    status, out, _ = run_cli("recovery", "--p", "64", "--sparsity", "4", "--n", "30", "--trials", "8",
                             "--lam", "0.2", "--quiet")
    assert status == 0
    assert "signed_support" in out and "   30" in out and "0.2" in out


@pytest.mark.parametrize("args, option", [
    (["--p", "10", "--sparsity", "10"], "--sparsity"),
    (["--p", "10", "--sparsity", "11"], "--sparsity"),
    (["--n", "0"], "--n"),
    (["--theta", "0"], "--theta"),
    (["--theta", "-0.5"], "--theta"),
    (["--design", "toeplitz", "--rho", "1"], "--rho"),
    (["--design", "toeplitz", "--rho", "-1"], "--rho"),
    (["--trials", "0"], "--trials"),
    (["--trials", "1e9"], "--trials"),
    (["--p", "5000"], "--p"),
    (["--p", "4096", "--sparsity", "linear", "--theta", "50"], "--theta"),
    (["--sigma", "0"], "--sigma"),
    (["--beta-min", "-1"], "--beta-min"),
    (["--lam", "-1"], "--lam"),
    (["--sparsity", "1"], "--lam"),
    (["--seed", "-3"], "--seed"),
    (["--estimand", "risk"], "--estimand"),
    (["--theta", "1", "--n", "100"], "--n"),
])
def test_bad_input_exits_2_naming_the_option(capsys, run_cli, args, option):
    status, out, err = run_cli("recovery", "--p", "64", "--sparsity", "4", "--trials", "5", *args)
    assert status == 2 and out == ""
    lines = err.strip().splitlines()
    assert option in lines[-1], err
