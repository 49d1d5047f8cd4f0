"""The engine at scale, its progress bar and Ctrl-C, without running 1e11 replications.

The kernels are replaced by a stand-in that reports its blocks as run, so these
tests check the scheduling and the counters, not the drawing.
"""

import json

import numpy as np
import pytest

from mc_sparsity._mc import engine as _engine
from mc_sparsity._mc.engine import BLOCK_SIZE, SimulationInterrupted, run_kernel
from mc_sparsity._stats.inference import proportion_interval
from mc_sparsity._mc.orthonormal import penalized_kernel
from mc_sparsity.cli import main

KERNEL = penalized_kernel([1.0, 0.3], 1.0, [0.5], [2.0], -1)


def _fake_task(kernel, seed, reps, first, stop, owner=-1):
    """Counts every replication of its blocks as K = 1 for row 0 and K = 0 for row 1."""
    done = min(stop * BLOCK_SIZE, reps) - first * BLOCK_SIZE
    hist = np.zeros(kernel.counts_shape, dtype=np.int64)
    hist[0, 1] = done
    hist[1, 0] = done
    return done, hist, []


@pytest.mark.parametrize("reps", [10**11, 10**11 + 7, 3 * 10**9 + 1])
def test_every_replication_is_counted_once_at_huge_n(monkeypatch, reps):
    monkeypatch.setattr(_engine, "_run_task", _fake_task)
    hist = run_kernel(KERNEL, reps, np.random.SeedSequence(0), chunk_size=2**31).counts
    assert hist.dtype == np.int64
    assert hist[0, 1] == reps and hist[1, 0] == reps and hist.sum() == 2 * reps


def test_intervals_at_huge_n():
    n = 10**11
    low, high = proportion_interval(0, n)
    assert low == 0.0 and high == pytest.approx(-np.log(0.025) / n, rel=1e-6)  # two-sided Clopper-Pearson
    low, high = proportion_interval(n // 3, n)
    assert low < 1 / 3 < high and high - low < 1e-5


def test_ctrl_c_reports_partial_counts_as_such(monkeypatch, capsys):
    calls = {"n": 0}

    def interrupted(*args):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return _fake_task(*args)

    monkeypatch.setattr(_engine, "_run_task", interrupted)
    with pytest.raises(SimulationInterrupted) as exc:
        run_kernel(KERNEL, 10 * BLOCK_SIZE, np.random.SeedSequence(0), chunk_size=BLOCK_SIZE)
    assert exc.value.completed == 2 * BLOCK_SIZE and exc.value.zeros[0, 1] == 2 * BLOCK_SIZE
    calls["n"] = 0
    status = main(["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", str(10 * BLOCK_SIZE),
                   "--chunk-size", str(BLOCK_SIZE), "--json"])
    out, err = capsys.readouterr()
    assert status == 130 and out == ""  # nothing that could be mistaken for a result
    assert "interrupted after 524,288 of 2,621,440" in err and "not a result" in err


@pytest.mark.parametrize("json_mode", [False, True])
def test_progress_bar_on_stderr_never_in_json_mode(monkeypatch, capsys, json_mode):
    monkeypatch.setattr(_engine, "PROGRESS_DELAY", 0.0)  # show the bar at once
    args = ["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e6", "--chunk-size", "1"]
    assert main(args + (["--json"] if json_mode else [])) == 0
    out, err = capsys.readouterr()
    if json_mode:
        assert "rep" not in err
        assert json.loads(out)["reps"] == 1_000_000
    else:
        assert "replications" in err and "replications" not in out
    assert main(args + ["--quiet"]) == 0
    assert "replications" not in capsys.readouterr().err
