"""The report section: the verdict rule both ways, the probit fit, and the data -> figure -> markdown path."""


import numpy as np
import pytest
from scipy.stats import norm

from mc_sparsity._transition.section import (SECTION_TITLE, c12_verdict, fit_transition, plot_transition,
                                             render_transition_section, transition_section)


def _row(m, successes, trials=20, d=100, D=32.9, l2=0, zeros=0, uncertified=0):
    return dict(d=d, s=10, m=m, trials=trials, l1_successes=successes, uncertified=uncertified, l2_successes=l2,
                l2_zeros=zeros, statistical_dimension=D)


def _holding_table():
    # far below D - 2 sqrt(d) = 12.9: never; far above D + 20 = 52.9: always; near D: anything; m = d: L2 too
    return ([_row(m, 0) for m in (4, 8, 12)] + [_row(m, k) for m, k in ((28, 3), (33, 10), (40, 17))]
            + [_row(m, 20) for m in (56, 70, 90)] + [_row(100, 20, l2=20, zeros=3)])


def test_verdict_holds_on_a_table_built_to_hold():
    assert c12_verdict(_holding_table()) == "holds"


@pytest.mark.parametrize("change", [
    lambda t: t + [_row(60, 20, l2=1)],             # L2 recovers below m = d
    lambda t: t + [_row(60, 20, zeros=1)],          # L2 has an exact zero below m = d
    lambda t: t + [_row(10, 20)],                   # recovers far below the statistical dimension
    lambda t: t + [_row(80, 0)],                    # fails far above it
])
def test_verdict_does_not_hold_on_tables_built_to_fail(change):
    assert c12_verdict(change(_holding_table())) == "does not hold"


@pytest.mark.parametrize("change", [
    lambda t: [r for r in t if r["m"] not in (56, 70)],            # too few cells far above
    lambda t: [dict(r, trials=5) if r["m"] == 8 else r for r in t],  # 0 of 5: not significantly below 1/2
    lambda t: [dict(r, uncertified=3) for r in t],                   # 3 of 20 uncertified: more than 1%
    lambda t: t + [_row(70, 14)],                                    # 14 of 20 far above: not significantly > 1/2
])
def test_verdict_not_settled(change):
    assert c12_verdict(change(_holding_table())) == "not settled here"


def test_verdict_ignores_m_at_least_d():
    # at m = d the minimum-norm solution recovers x (A invertible), and rounding may give exact zeros
    assert c12_verdict(_holding_table() + [_row(100, 20, l2=20, zeros=9)]) == "holds"


def test_fit_recovers_a_known_curve_and_refuses_no_crossing():
    m = np.arange(10, 61, 5)
    n = 10**7
    k = np.round(n * norm.cdf((m - 31.5) / 3.0)).astype(int)
    m_half, width = fit_transition(m, k, n)
    assert m_half == pytest.approx(31.5, abs=1e-3)
    assert width == pytest.approx(2 * norm.ppf(0.9) * 3.0, rel=1e-3)
    assert fit_transition(m, np.zeros_like(m), 10) is None
    assert fit_transition(m, np.full_like(m, 10), 10) is None


def test_small_section_renders_and_draws(tmp_path):
    section = transition_section(d=30, grid=5, trials=16, width_dims=(30,), width_trials=16, n_jobs=1, rng=2)
    assert len(section.rows) == 25 and section.verdict in ("holds", "does not hold", "not settled here")
    assert sum(row.l2_successes for row in section.rows if row.m < 30) == 0
    assert sum(section.proofs.values()) == 25 * 16
    text = render_transition_section(section)
    assert text.startswith(f"## {SECTION_TITLE}") and f"Verdict on C12: {section.verdict}" in text
    assert "| 30 | 3 | 16 |" in text
    path = plot_transition(section, tmp_path / "figures" / "transition.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert [p.name for p in path.parent.iterdir()] == ["transition.png"]  # no temporary file left
