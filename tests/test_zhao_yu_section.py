"""Zhao and Yu's example 1 in the report: data against the exact law, the paired difference, the verdict rule."""

import math

import numpy as np
import pytest
from scipy.stats import binomtest

from mc_sparsity._recovery.zhao_yu_section import (ZhaoYuSection, _paired, draw_zhao_yu_figure,
                                                   render_zhao_yu_markdown, zhao_yu_section, zhao_yu_verdict)
from mc_sparsity._exact.zhao_yu import zhao_yu_example


def test_monte_carlo_rows_against_the_exact_law(tmp_path):
    s = zhao_yu_section(n_values=(10, 100), reps=20_000, paired_reps=300)
    for row in s.rows:
        if row["estimator"] == "lasso":
            exact = zhao_yu_example([row["n"]], row["beta"])[0]
            assert row["exact"] == pytest.approx(exact, abs=1e-6)
            if 0 < exact < 1:
                assert binomtest(row["successes"], row["reps"], exact).pvalue > 1e-4
    assert {r["estimator"] for r in s.rows} == {"lasso", "adaptive_lasso"}
    draw_zhao_yu_figure(s, tmp_path / "z.png")
    assert (tmp_path / "z.png").stat().st_size > 10_000
    assert "| [2.0, 3.0, 0.0] | 10 |" in render_zhao_yu_markdown(s, "z.png")


def test_the_paired_difference_and_its_standard_error():
    from mc_sparsity._mc.streams import named_stream

    out = _paired((2.0, 3.0, 0.0), 10, 10 ** 0.75, 2000, named_stream(np.random.SeedSequence(1), "paired", 0))
    n, d, diff = out["reps"], out["discordant"], out["difference"]
    # Var of the mean of D_i = A_i - L_i in {-1, 0, 1}: (E D^2 - (E D)^2) / n, E D^2 = discordant / n
    assert out["std_error"] == pytest.approx(math.sqrt((d / n - diff ** 2) / n), rel=1e-12)
    assert out["uncertified"] + n == 2000 and abs(diff) <= d / n


def _section(p_fail, p_hold, n=3000):
    def row(beta, p):
        low, high = max(0.0, p - 0.01), min(1.0, p + 0.01)
        return {"beta": list(beta), "n": n, "estimator": "lasso", "estimate": p, "ci_low": low, "ci_high": high}
    return ZhaoYuSection((row((2.0, 3.0, 0.0), p_fail), row((-2.0, 3.0, 0.0), p_hold)), (),
                         {"(2, 3, 0)": 4 / 3, "(-2, 3, 0)": 0.0}, 0.75)


def test_the_verdict_rule_both_ways():
    assert zhao_yu_verdict(_section(0.01, 0.99))[0] == "holds"
    assert zhao_yu_verdict(_section(0.90, 0.99))[0] == "does not hold"
    assert zhao_yu_verdict(_section(0.01, 0.10))[0] == "does not hold"
    assert zhao_yu_verdict(_section(0.50, 0.99))[0] == "not settled here"
