"""The command line: the JSON contract, the table, and every bad input."""

import json
import subprocess
import sys

import pytest

from mc_sparsity.cli import main


def test_json_contract_penalized(capsys, run_cli, assert_binomial):
    status, out, err = run_cli("simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e6", "--json")
    assert status == 0
    data = json.loads(out)
    assert list(data) == ["beta", "sigma", "form", "lam", "design", "method", "reps", "seed", "entropy", "spawn_key",
                          "results"]
    assert data["design"] == {"kind": "orthonormal", "rho": None, "gram": None} and data["method"] == "mc"
    assert data["entropy"] == 0 and data["spawn_key"] == []
    assert data["beta"] == [1.0, 0.3] and data["sigma"] == 1.0 and data["form"] == "penalized"
    assert data["lam"] == 0.5 and data["reps"] == 1_000_000 and data["seed"] == 0
    lasso, ridge = data["results"]
    assert lasso["estimator"] == "lasso" and ridge["estimator"] == "ridge"
    for row in (lasso, ridge):
        assert set(row) == {"estimator", "estimand", "successes", "reps", "estimate", "std_error", "ci_low", "ci_high", "ci_method",
                            "confidence_level", "exact", "log_exact", "exact_error", "integral", "integral_error",
                            "zeros", "exact_zeros", "uncertified", "method", "z"}
        assert row["ci_method"] == "exact" and row["uncertified"] == 0
        assert row["reps"] == 1_000_000 and sum(row["zeros"]) == 1_000_000 and len(row["zeros"]) == 3
        assert row["successes"] == row["reps"] - row["zeros"][0]
        assert row["estimate"] == row["successes"] / row["reps"]
    assert_binomial(lasso["successes"], lasso["reps"], lasso["exact"])
    assert abs(lasso["integral"] - lasso["exact"]) < 1e-8
    assert ridge["successes"] == 0 and ridge["exact"] == 0.0 and ridge["integral"] is None
    assert "replications" not in err  # no progress bar in --json mode


def test_json_contract_constrained_and_p3(capsys, run_cli):
    status, out, _ = run_cli("simulate", "--beta", "1", "0.3", "-2", "--radius", "1", "--reps", "1e5",
                             "--json", "--estimator", "lasso")
    data = json.loads(out)
    assert status == 0 and data["form"] == "constrained" and data["radius"] == 1.0 and "lam" not in data
    (row,) = data["results"]
    # p = 3: an exact value by quadrature, with its error bound; no integral beyond p = 2
    assert 0 < row["exact"] < 1 and 0 < row["exact_error"] < 1e-6
    assert row["integral"] is None and row["integral_error"] is None
    assert len(row["zeros"]) == 4


def test_done_when_command(capsys, run_cli, assert_binomial):
    """The issue's acceptance check: 1e7 replications, both forms."""
    for level in (["--lam", "0.5"], ["--radius", "1"]):
        status, out, _ = run_cli("simulate", "--beta", "1", "0.3", *level, "--reps", "1e7", "--json")
        lasso, ridge = json.loads(out)["results"]
        assert status == 0
        assert_binomial(lasso["successes"], lasso["reps"], lasso["exact"])
        assert abs(lasso["integral"] - lasso["exact"]) < 1e-8
        assert ridge["successes"] == 0


def test_table_output(capsys, run_cli):
    status, out, _ = run_cli("simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "20000", "--quiet")
    assert status == 0
    assert "estimator" in out and "lasso" in out and "ridge" in out and "exact" in out


def test_underflowing_exact_value_is_shown_on_the_log_scale(capsys, run_cli):
    status, out, _ = run_cli("simulate", "--beta", "40", "40", "--lam", "1", "--reps", "1000", "--quiet")
    assert status == 0 and "exp(-764.39)" in out


BAD = [
    (["--beta", "1", "2", "--lam", "1", "--sigma", "0"], "--sigma"),
    (["--beta", "1", "2", "--lam", "1", "--sigma", "-1"], "--sigma"),
    (["--beta", "1", "2", "--lam", "-0.5"], "--lam"),
    (["--beta", "1", "2", "--radius", "0"], "--radius"),
    (["--beta", "1", "2", "--radius", "-1"], "--radius"),
    (["--beta", "1", "nan", "--lam", "1"], "--beta"),
    (["--beta", "1", "inf", "--lam", "1"], "--beta"),
    (["--beta", "1", "x", "--lam", "1"], "--beta"),
    (["--beta", "1", "2", "--lam", "1", "--radius", "1"], "not allowed"),
    (["--beta", "1", "2"], "one of the arguments --lam --radius is required"),
    (["--beta", "1", "2", "--lam", "1", "--reps", "0"], "--reps"),
    (["--beta", "1", "2", "--lam", "1", "--reps", "2.5"], "--reps"),
    (["--beta", "1", "2", "--lam", "1", "--reps", "1e7.5"], "--reps"),
    (["--beta", "1", "2", "--lam", "1", "--jobs", "0"], "--jobs"),
    (["--beta", "1", "2", "--lam", "1", "--jobs", "1.5"], "--jobs"),
    (["--beta", "1", "2", "--lam", "1", "--seed", "-1"], "--seed"),
    (["--beta", "1", "2", "--lam", "1", "--estimator", "elastic"], "--estimator"),
    (["--lam", "1"], "--beta"),
    (["--beta", "1", "-inf", "--lam", "1"], "--beta"),
    (["--beta", "1", "-NaN", "--lam", "1"], "--beta"),
    (["--beta", "1", "2", "--lam", "1", "--estimator", "scad", "--scad-a", "1.5"], "--scad-a"),
    (["--beta", "1", "2", "--lam", "1", "--estimator", "elastic_net", "--l1-ratio", "2"], "--l1-ratio"),
    (["--beta", "1", "2", "--lam", "1", "--estimator", "best_subset", "--subset-size", "3"], "--subset-size"),
    (["--beta", "1", "2", "--lam", "1", "--reps", "1e19"], "--reps"),
    (["--beta", "1", "2", "--radius", "1", "--estimator", "scad"], "--estimator"),
    (["--beta", "1", "2", "--lam", "1", "--ci-method", "wald"], "--ci-method"),
]


@pytest.mark.parametrize("values, expected", [
    (["1", "-1e5"], [1.0, -1e5]), (["-2e-1", "0.3"], [-0.2, 0.3]), (["1", "-1."], [1.0, -1.0]),
    (["-.5", "2"], [-0.5, 2.0]), (["-3", "-4E+2"], [-3.0, -400.0]),
])
def test_negative_betas_in_every_float_spelling(capsys, run_cli, values, expected):
    status, out, _ = run_cli("simulate", "--beta", *values, "--lam", "1", "--reps", "100", "--json")
    assert status == 0 and json.loads(out)["beta"] == expected


@pytest.mark.parametrize("args, name", BAD)
def test_bad_input_exits_2_with_a_one_line_reason(capsys, run_cli, args, name):
    status, out, err = run_cli("simulate", *args, "--json")
    assert status == 2
    assert out == ""
    last = err.strip().splitlines()[-1]
    assert "error:" in last and name in last
    assert "Traceback" not in err


def test_python_dash_m_and_no_traceback_in_a_real_process():
    proc = subprocess.run([sys.executable, "-m", "mc_sparsity", "simulate", "--beta", "1", "--lam", "1",
                           "--sigma", "nan"], capture_output=True, text=True)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert "--sigma" in proc.stderr.splitlines()[-1]
    proc = subprocess.run([sys.executable, "-m", "mc_sparsity", "simulate", "--beta", "1", "0.3", "--lam", "0.5",
                           "--reps", "1000", "--json"], capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["reps"] == 1000


def test_a_runtime_failure_exits_1_with_one_line_and_debug_shows_the_traceback(capsys, run_cli, monkeypatch):
    from mc_sparsity._mc import simulate as _simulate

    def broken(*args, **kwargs):
        raise RuntimeError("the kernel fell over")

    monkeypatch.setattr(_simulate, "run_kernel", broken)
    status, out, err = run_cli("simulate", "--beta", "1", "--lam", "1", "--reps", "10")
    assert status == 1 and out == ""
    assert err.strip().splitlines() == ["mc-sparsity simulate: failed: RuntimeError: the kernel fell over "
                                        "(run with --debug for the traceback)"]
    with pytest.raises(RuntimeError):
        main(["--debug", "simulate", "--beta", "1", "--lam", "1", "--reps", "10"])


def test_jobs_takes_joblibs_negative_values(capsys, run_cli):
    status, out, _ = run_cli("simulate", "--beta", "1", "--lam", "1", "--reps", "1000", "--jobs", "-2",
                             "--json")
    assert status == 0 and json.loads(out)["reps"] == 1000


def test_public_names_resolve_to_their_modules_and_are_documented():
    import inspect
    from importlib import import_module

    import mc_sparsity

    for name in mc_sparsity.__all__:
        obj = getattr(mc_sparsity, name)
        assert obj is getattr(import_module(mc_sparsity._PUBLIC[name], "mc_sparsity"), name), name
        if inspect.isfunction(obj):
            doc = inspect.getdoc(obj) or ""
            assert "Examples" in doc and ("Parameters" in doc or not inspect.signature(obj).parameters), name
    with pytest.raises(AttributeError):
        mc_sparsity.no_such_name


def test_without_scikit_learn_the_solvers_command_says_how_to_install_it(capsys, run_cli, monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # import sklearn now raises ImportError
    status, out, err = run_cli("solvers", "--beta", "1", "0.3", "--lam", "0.5", "--solver", "sklearn",
                               "--reps", "100")
    assert status == 2 and out == "" and "mc_sparsity[solvers]" in err
    from mc_sparsity._solvers.study import run_solvers

    result = run_solvers([1.0, 0.3], 1.0, 0.5, solvers=["ista", "sklearn"], iterations=[1], reps=1000,
                         skip_sklearn_if_missing=True)
    assert {r["solver"] for r in result["results"]} == {"ista"}
