"""Trials on the engine: known regimes, L2, determinism, and the transition subcommand."""

import json
import math

import pytest

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._transition.simulate import MAX_D, MAX_TRIALS, simulate_grid, simulate_transition
from mc_sparsity._transition.statistical_dimension import statistical_dimension


def test_known_regimes_and_l2():
    """Far from the transition the outcome is certain at this size: the measured 10%-90% width is about
    1.2 sqrt(d) (a probit scale of 0.47 sqrt(d)), so 3 sqrt(d) from D is more than 6 scales: a wrong
    outcome has probability below 1e-8 per trial."""
    d, s = 100, 20
    D = statistical_dimension(s, d).value
    low, high = math.floor(D - 3 * math.sqrt(d)), math.ceil(D + 3 * math.sqrt(d))
    result = simulate_transition(d, s, [2, low, high, d], trials=24, rng=11)
    by_m = {row.m: row for row in result.rows}
    assert by_m[2].l1_successes == 0 and by_m[2].proofs["failure_rank"] == 24  # m < s
    assert by_m[low].l1_successes == 0
    assert by_m[high].l1_successes == 24 and by_m[d].l1_successes == 24
    for row in result.rows:
        assert row.uncertified == 0 and row.trials == 24
        assert row.statistical_dimension == pytest.approx(D)
        if row.m < d:
            assert row.l2_successes == 0 and row.l2_zeros == 0
    assert by_m[d].l2_successes == 24  # A square and invertible


def test_same_counts_whatever_the_workers():
    args = dict(d=30, s=3, m=[8, 12], trials=40, rng=4)
    reference = simulate_transition(**args).to_dict()["results"]
    assert reference[0]["l1_successes"] != reference[1]["l1_successes"] or reference[0]["l1_successes"] > 0
    for options in (dict(n_jobs=2, backend="threading"), dict(n_jobs=2, backend="threading", chunk_size=24),
                    dict(n_jobs=2, backend="loky", chunk_size=8)):
        assert simulate_transition(**args, **options).to_dict()["results"] == reference
    # a grid cell is the same scenario, from the same stream
    grid = simulate_grid(30, [3, 5], [8, 12], 40, rng=4, n_jobs=2, backend="threading")
    assert [row.to_dict() for row in grid.rows if row.s == 3] == reference
    # another seed gives other trials
    other = simulate_transition(**{**args, "rng": 5}).to_dict()["results"]
    assert [r["proofs"] for r in other] != [r["proofs"] for r in reference]


@pytest.mark.parametrize("kwargs, name", [(dict(d=10, s=11, m=5), "s"), (dict(d=10, s=2, m=0), "m"),
                                          (dict(d=10, s=2, m=11), "m"), (dict(d=MAX_D + 1, s=2, m=5), "d"),
                                          (dict(d=10, s=2, m=5, trials=MAX_TRIALS + 1), "trials"),
                                          (dict(d=10, s=2, m=5, method="cvx"), "method")])
def test_bad_input_names_the_parameter(kwargs, name):
    with pytest.raises(ParameterError) as info:
        simulate_transition(**{"trials": 8, **kwargs})
    assert info.value.parameter == name


class _Run:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def _cli(capsys):
    from mc_sparsity.cli import main

    def run(*args):
        try:
            status = main(["transition", *args])
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return _Run(status, out, err)
    return run


def test_cli_json_fields(_cli):
    out = _cli("--d", "30", "--s", "3", "--m", "6", "20", "--trials", "16", "--seed", "1", "--json")
    assert out.returncode == 0, out.stderr
    rows = json.loads(out.stdout)["results"]
    assert [row["m"] for row in rows] == [6, 20]
    for row in rows:
        for key in ("d", "s", "m", "trials", "l1_successes", "l1_estimate", "l1_ci_low", "l1_ci_high",
                    "l2_successes", "l2_estimate", "l2_zeros", "uncertified", "statistical_dimension"):
            assert key in row
        assert row["l1_ci_low"] <= row["l1_estimate"] <= row["l1_ci_high"]
        assert row["l1_estimate"] == row["l1_successes"] / row["trials"]
    assert rows[1]["l1_successes"] == 16 and rows[0]["l2_successes"] == 0
    table = _cli("--d", "30", "--s", "3", "--m", "20", "--trials", "8", "--quiet")
    assert table.returncode == 0 and "L1 recovers" in table.stdout


@pytest.mark.parametrize("args, option", [(["--s", "101"], "--s"), (["--m", "0"], "--m"), (["--m", "101"], "--m"),
                                          (["--d", str(MAX_D + 1)], "--d"), (["--trials", "2e6"], "--trials"),
                                          (["--grid", "101"], "--grid"), (["--d", "5000", "--grid"], "--d")])
def test_cli_bad_input_exits_2(_cli, args, option):
    out = _cli("--d", "100", "--trials", "8", *args)
    assert out.returncode == 2
    # argparse's format: the usage, then one error line naming the option
    last = out.stderr.strip().splitlines()[-1]
    assert last.startswith("mc-sparsity transition: error: argument " + option) and "Traceback" not in out.stderr
    assert out.stdout == ""
