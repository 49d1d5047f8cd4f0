"""Study files, the resumable study run, and the report on a tiny study."""

import textwrap

import pytest

from mc_sparsity._pipeline import study as _study
from mc_sparsity._mc.results import COLUMNS, read_results
from mc_sparsity._pipeline.study import StudyError, load_study, parse_study, run_study
from mc_sparsity.cli import main

TINY = textwrap.dedent("""
    [study]
    name = "tiny"
    seed = 7
    reps = 20_000

    [[grid]]
    form = "penalized"
    beta = [[0.0, 0.0], [1.0, 0.3]]
    lam = [0.0, 0.5, 1.0]

    [[grid]]
    form = "constrained"
    beta = [[1.0, 0.3], [2.0, 2.0]]
    radius = [0.5, 1.0]

    [[grid]]
    form = "penalized"
    beta = [[1.0, 0.3]]
    lam = [0.5]
    reps = [1_000, 5_000]

    [[grid]]
    form = "penalized"
    beta = [0.5]
    p = [4]
    lam = [0.8]

    [[grid]]
    form = "constrained"
    beta = [1.0]
    p = [3]
    radius = [1.0]

    [[grid]]
    form = "penalized"
    beta = [[0.0], [1.0]]
    lam = [0.5, 1.0]
    reps = [10_000]
    estimator = ["lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"]
    q = 0.3
""")


@pytest.fixture
def tiny_file(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def test_default_study_parses():
    study = load_study()
    assert study.name == "default" and len(study.scenarios) > 20
    assert {s.form for s in study.scenarios} == {"penalized", "constrained"}


def test_grid_expansion(tiny_file):
    study = load_study(tiny_file)
    assert len(study.scenarios) == 6 + 4 + 2 + 1 + 1 + 4
    assert (0.5, 0.5, 0.5, 0.5) in {s.beta for s in study.scenarios}


def test_adding_a_scenario_leaves_the_others_unchanged(tmp_path, tiny_file):
    small = run_study(load_study(tiny_file), tmp_path / "a.csv", n_jobs=1)
    bigger_text = TINY.replace("lam = [0.0, 0.5, 1.0]", "lam = [0.0, 0.25, 0.5, 1.0]")
    big = run_study(parse_study(bigger_text), tmp_path / "b.csv", n_jobs=1)
    merged = small.merge(big, on=["scenario", "estimator"], suffixes=("", "_big"))
    assert len(merged) == len(small)
    assert (merged["zeros"] == merged["zeros_big"]).all()
    assert len(big) == len(small) + 4  # one more level: 2 betas x 2 estimators


def test_resume_after_an_interruption_gives_the_same_table(tmp_path, tiny_file, monkeypatch):
    study = load_study(tiny_file)
    run_study(study, tmp_path / "whole.csv", n_jobs=1)

    real = _study._scenario_rows
    calls = {"n": 0}

    def interrupted_after_three(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 4:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(_study, "_scenario_rows", interrupted_after_three)
    out = tmp_path / "resumed.csv"
    with pytest.raises(KeyboardInterrupt):
        run_study(study, out, n_jobs=2)
    assert not out.exists()  # nothing half-written
    (journal,) = tmp_path.glob(".resumed.csv.*.partial.jsonl")
    assert len(journal.read_text().splitlines()) == 3

    resumed_calls = []
    monkeypatch.setattr(_study, "_scenario_rows", lambda *a, **k: resumed_calls.append(1) or real(*a, **k))
    run_study(study, out, n_jobs=2)
    assert len(resumed_calls) == len(study.scenarios) - 3
    assert out.read_bytes() == (tmp_path / "whole.csv").read_bytes()
    assert not list(tmp_path.glob(".resumed.csv.*"))  # journal and lock gone


def test_same_study_same_bytes(tmp_path, tiny_file):
    study = load_study(tiny_file)
    run_study(study, tmp_path / "one.csv")
    run_study(study, tmp_path / "two.csv", n_jobs=2)
    assert (tmp_path / "one.csv").read_bytes() == (tmp_path / "two.csv").read_bytes()


def test_table_columns_and_consistency(tmp_path, tiny_file):
    table = run_study(load_study(tiny_file), tmp_path / "t.csv")
    for col in ["scenario", "form", "beta", "sigma", "lam", "radius", "estimator", "estimand", "reps", "successes", "estimate",
                "std_error", "ci_low", "ci_high", "exact", "integral", "z", "binom_pvalue", "zeros"]:
        assert col in table.columns
    assert (table["successes"] == table["reps"] - table["zeros"].map(lambda z: z[0])).all()
    assert tuple(table.columns) == COLUMNS
    assert table["beta"].iloc[0] == [0.0, 0.0]  # read back as a list
    assert (table[table["estimator"] == "ridge"]["successes"] == 0).all()


@pytest.mark.parametrize("text, key", [
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [1.0]\ncolour = 'red'\n", "grid[0].colour"),
    ("[study]\nseed = 'one'\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [1.0]\n", "study.seed"),
    ("[study]\nseed = 1\n", "grid"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = []\n", "grid[0].lam"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [-1.0]\n", "grid[0].lam"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nradius = [1.0]\n", "grid[0].radius"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'lasso'\nbeta = [[1.0]]\nlam = [1.0]\n", "grid[0].form"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [['a']]\nlam = [1.0]\n", "grid[0].beta[0]"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [1.0]\nsigma = [0]\n", "grid[0].sigma"),
    ("[study]\nsed = 1\n", "study.sed"),
    ("[study\n", "not valid TOML"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [1.0]\nestimator = ['huber']\n",
     "grid[0].estimator"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nlam = [1.0]\nestimator = ['scad']\na = 1.0\n",
     "grid[0].a"),
])
def test_study_errors_name_the_key(tmp_path, capsys, text, key):
    with pytest.raises(StudyError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_study(text)
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SystemExit) as exc:
        main(["study", str(path), "--out", str(tmp_path / "x.csv")])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and key.split("[")[0] in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "x.csv").exists()


def test_missing_study_file_is_a_clean_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["study", str(tmp_path / "nope.toml")])
    assert exc.value.code == 2 and "cannot read" in capsys.readouterr().err


def test_report_on_a_tiny_study(tmp_path, tiny_file, capsys):
    out = tmp_path / "rep"
    assert main(["report", str(tiny_file), "--out", str(out), "--quiet"]) == 0
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == ["calibration.png", "coordinate_distribution.png", "error_against_reps.png",
                       "penalty_zero_probability.png", "probability_curves.png", "sparse_regions.png",
                       "subgradient_toy.png", "thresholding_functions.png", "zero_counts.png"]
    assert (out / "explorer.html").stat().st_size > 10_000 and (out / "solvers.json").read_text() == "[]\n"
    assert all((out / "figures" / f).stat().st_size > 10_000 for f in figures)
    report = (out / "REPORT.md").read_text()
    table = read_results(out / "results.csv")
    for fig in figures:
        assert f"figures/{fig}" in report
    assert "| C1 |" in report and "| C2 |" in report
    # The report's numbers are the CSV's: every lasso p = 2 penalized estimate appears, rounded.
    rows = table[(table["estimator"] == "lasso") & (table["form"] == "penalized") & (table["p"] == 2)
                 & (table["reps"] == 20_000) & (table["lam"] > 0)]
    for value in rows["estimate"]:
        assert f"| {value:.4f} |" in report
    # The verdicts are those the rules compute from this table (the rules are tested both ways in test_report).
    from mc_sparsity._report.report import assess_claims

    for claim in assess_claims(table):  # C6 comes from its own one-coordinate simulation
        if claim.number != "C6":
            assert f"| {claim.number} | {claim.claim} | **{claim.verdict}** |" in report
    assert "| C5 |" in report and "q = 0.3" in report  # the penalty grid's own parameter reaches the claims
    assert set(table[table["p"] == 1]["estimator"]) == {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp",
                                                        "bridge"}


def test_report_on_a_study_without_most_scenarios(tmp_path):
    """Figures without data are skipped; claims without scenarios get no verdict."""
    study = tmp_path / "min.toml"
    study.write_text("[study]\nseed = 1\nreps = 10000\n[[grid]]\nform = 'constrained'\n"
                     "beta = [[1.0, 2.0, 3.0]]\nradius = [1.0]\n")
    assert main(["report", str(study), "--out", str(tmp_path / "rep"), "--quiet"]) == 0
    report = (tmp_path / "rep" / "REPORT.md").read_text()
    assert "| C1 | P(lasso solution sparse) = P(beta_hat in A_L) = the integral of the normal density over " \
           "A_L > 0 | **not settled here** |" in report
    # 10,000 ridge draws cannot show "never" (the 95% upper bound 3.7e-4 is above 1e-5): not settled, and why
    assert "| C4 |" in report and "C4 | the L1 diamond's corners are hit with positive probability, the L2 disk's " \
           "never (constrained form) | **not settled here** |" in report
    assert "Too few ridge draws" in report
    assert "nan" not in report.lower()
    assert not (tmp_path / "rep" / "figures" / "zero_counts.png").exists()


def test_every_scenario_is_validated_before_running(tmp_path):
    text = ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0, 0.3], [1.0]]\nlam = [1.0]\n"
            "estimator = ['best_subset']\nsubset_size = 2\n")
    with pytest.raises(StudyError, match=r"grid\[0\]\.subset_size"):
        parse_study(text)


def test_scenarios_draw_independent_streams_and_the_same_key_the_same_numbers(tmp_path):
    """Two scenarios that differ only in reps (so in their key): sharing a stream, their first 100,000
    draws would coincide and their counts differ by at most one draw."""
    text = ("[study]\nseed = 5\n[[grid]]\nform = 'penalized'\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n"
            "reps = [100_000, 100_001]\n")
    first = run_study(parse_study(text), tmp_path / "a.csv", n_jobs=1)
    lasso = first[first["estimator"] == "lasso"]
    a, b = (list(z) for z in lasso["zeros"])
    assert sum(abs(x - y) for x, y in zip(a, b)) > 2
    again = run_study(parse_study(text), tmp_path / "b.csv", n_jobs=1)
    assert list(again["zeros"]) == list(first["zeros"])


def test_a_study_and_simulate_draw_the_same_for_the_same_scenario_and_stream(tmp_path):
    """The study keeps the design object: its counts equal simulate()'s on the scenario's stream, bit for bit."""
    from mc_sparsity import equicorrelated, simulate

    text = ('[study]\nseed = 5\nreps = 30000\n[[grid]]\nform = "penalized"\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n'
            'rho = [0.6]\nestimand = ["sparse", "signed_support"]\n')
    study = _study.parse_study(text)
    (scenario,) = study.scenarios
    assert scenario.design == equicorrelated(2, 0.6) and scenario.design is not None
    table = _study.run_study(study, tmp_path / "r.csv")
    direct = simulate([1.0, 0.3], lam=0.5, design=equicorrelated(2, 0.6), reps=30000,
                      estimand=["sparse", "signed_support"], rng=scenario.seed(study.seed))
    for row in direct.results:
        mine = table[(table["estimator"] == row.estimator) & (table["estimand"] == row.estimand)]
        assert int(mine["successes"].iloc[0]) == row.successes
        assert list(mine["zeros"].iloc[0] or []) == list(row.zeros)


@pytest.mark.parametrize("grid, key", [
    ('beta = [[1e308, 0.3]]\nlam = [0.5]\n', "grid[1].sigma"),
    ('beta = [[1.0, 0.3]]\nlam = [0.5]\nreps = [9223372036854775807]\n', "grid[1].reps"),
    ('beta = [[1.0, 0.3]]\nlam = [0.5]\nrho = [0.5]\nestimator = ["scad"]\n', "grid[1].estimator"),
    ('beta = [[1.0, 0.3]]\nlam = [1e-320]\n', "grid[1].lam"),
    ('beta = [[1.0, 0.3]]\nlam = [0.5]\nestimand = ["nonesuch"]\n', "grid[1].estimand"),
])
def test_every_grid_is_validated_before_the_first_draw(tmp_path, grid, key):
    text = ('[study]\nreps = 1000\n[[grid]]\nform = "penalized"\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n'
            f'[[grid]]\nform = "penalized"\n{grid}')
    with pytest.raises(_study.StudyError) as err:
        _study.parse_study(text)
    assert err.value.key == key


@pytest.mark.parametrize("table, key", [
    ('beta = [1.0, 0.3]\nlam = 0.5\niterations = []\n', "solvers[0].iterations"),
    ('beta = [1.0, 0.3]\nlam = 0.5\nsolver = []\n', "solvers[0].solver"),
    ('beta = [1.0, 0.3]\nlam = 0.5\nsolver = "ista"\n', "solvers[0].solver"),
    ('beta = [1.0, 0.3]\nlam = 0.5\niterations = [1e12]\n', "solvers[0].iterations"),
    ('beta = [1.0, 0.3]\nlam = 0.5\nrho = [0.2, 0.9]\n', "solvers[0].rho"),
])
def test_solver_tables_are_validated_before_the_first_draw(table, key):
    text = ('[study]\nreps = 1000\n[[grid]]\nform = "penalized"\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n'
            f'[[solvers]]\n{table}')
    with pytest.raises(_study.StudyError) as err:
        _study.parse_study(text)
    assert err.value.key == key


def test_sizes_are_counted_before_anything_is_built():
    import time

    betas = ", ".join(str(0.01 * i) for i in range(200))
    text = (f'[study]\nmax_p = 10000\n[[grid]]\nform = "penalized"\nbeta = [{betas}]\n'
            f'p = [{", ".join(str(p) for p in range(1, 10001))}]\nlam = [0.5]\n')
    start = time.perf_counter()
    with pytest.raises(_study.StudyError, match="2,000,000 scenarios"):
        _study.parse_study(text)
    assert time.perf_counter() - start < 10  # refused from the counts, not after building 2e6 vectors


def test_importance_row_draws_from_its_own_named_stream(monkeypatch):
    """The importance-sampling row of a rare cell must not reuse the scenario's stream (its blocks are
    the plain Monte Carlo's): it draws from the scenario's named stream "importance"."""
    import numpy as np

    from mc_sparsity._mc import simulate as simulate_module
    from mc_sparsity._mc.streams import named_stream

    seen = []
    real = simulate_module.run_scenario

    def recording(scenario, reps, root, **kwargs):
        seen.append((kwargs.get("method", "mc"), root))
        return real(scenario, reps, root, **kwargs)

    monkeypatch.setattr(simulate_module, "run_scenario", recording)
    study = parse_study("[study]\nseed = 5\n[[grid]]\nform = 'penalized'\nbeta = [[7.5, 7.5]]\nlam = [0.3]\n"
                        "reps = [2_000]\nestimator = ['lasso']\n")
    scenario = study.scenarios[0]
    _study._scenario_rows(study, scenario, 1, None)
    assert [method for method, _ in seen] == ["mc", "is"]
    mc_rng, is_rng = (rng for _, rng in seen)
    seed = scenario.seed(study.seed)
    assert isinstance(is_rng, np.random.SeedSequence)
    assert is_rng.spawn_key == named_stream(seed, "importance").spawn_key != seed.spawn_key
    assert is_rng.entropy == seed.entropy


def test_scenario_keys_tell_designs_apart():
    """A key that ignored the design would merge scenarios that differ only in rho (and share their streams)."""
    study = parse_study("[study]\nseed = 5\n[[grid]]\nform = 'penalized'\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n"
                        "rho = [0.3, 0.6]\ndesign = 'equicorrelated'\n[[grid]]\nform = 'penalized'\n"
                        "beta = [[1.0, 0.3]]\nlam = [0.5]\nrho = [0.3]\ndesign = 'ar1'\n[[grid]]\n"
                        "form = 'penalized'\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n")
    keys = [s.key for s in study.scenarios]
    assert len(keys) == 4 and len(set(keys)) == 4
    default = load_study()
    assert len({s.key for s in default.scenarios}) == len(default.scenarios)
