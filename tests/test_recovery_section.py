"""The report section's verdict rule (tested both ways on planted curves), markdown and figure."""

import numpy as np
from scipy.special import expit

from mc_sparsity._recovery.section import (DOES_NOT_HOLD, HOLDS, NOT_SETTLED, THETAS, RecoverySection,
                                           draw_recovery_figure, recovery_section_data, recovery_verdict,
                                           render_recovery_markdown)
from mc_sparsity._recovery.transition import crossing
from mc_sparsity._stats.inference import proportion_interval


def _planted(curves, trials=400, seed=0):
    """A section built from planted curves: {(design, p): (theta_half, slope)} -> binomial counts."""
    rng = np.random.default_rng(seed)
    rows, transitions = [], []
    for (design, p), (theta_half, slope) in curves.items():
        rho = 0.1 if design == "toeplitz" else 0.0
        probs = expit(slope * (np.log(THETAS) - np.log(theta_half)))
        counts = rng.binomial(trials, probs)
        for theta, s in zip(THETAS, counts):
            low, high = proportion_interval(int(s), trials)
            rows.append(dict(p=p, k=4, n=10, theta=theta, lam=0.1, design=design, rho=rho, trials=trials,
                             successes=int(s), estimate=s / trials, ci_low=low, ci_high=high, uncertified=0))
        transitions.append(dict(p=p, design=design, rho=rho, **crossing(THETAS, counts, [trials] * 6).to_dict()))
    return RecoverySection(rows=rows, transitions=transitions, trials=trials, seed=seed)


def _curves(gaussian, toeplitz=None):
    toeplitz = gaussian if toeplitz is None else toeplitz
    return {**{("gaussian", p): c for p, c in zip((128, 256, 512), gaussian)},
            **{("toeplitz", p): c for p, c in zip((128, 256, 512), toeplitz)}}


def test_holds_on_curves_that_sharpen_around_one():
    data = _planted(_curves([(1.15, 5.0), (1.1, 6.5), (1.05, 9.0)]))
    verdict = recovery_verdict(data)
    assert verdict.verdict == HOLDS, verdict.evidence


def test_does_not_hold_when_the_transition_is_far_from_one():
    data = _planted(_curves([(1.15, 5.0), (1.4, 6.5), (1.9, 9.0)]))
    verdict = recovery_verdict(data)
    assert verdict.verdict == DOES_NOT_HOLD and "p = 512" in verdict.evidence, verdict.evidence


def test_does_not_hold_when_recovery_happens_well_below_the_threshold():
    data = _planted(_curves([(0.6, 5.0), (0.55, 6.0), (0.5, 8.0)]))
    verdict = recovery_verdict(data)
    assert verdict.verdict == DOES_NOT_HOLD and "theta = 0.75" in verdict.evidence, verdict.evidence


def test_not_settled_without_sharpening_or_with_too_few_trials():
    flat = recovery_verdict(_planted(_curves([(1.1, 8.0), (1.1, 6.0), (1.1, 4.0)])))
    assert flat.verdict == NOT_SETTLED and "sharpening" in flat.evidence
    few = recovery_verdict(_planted(_curves([(1.15, 5.0), (1.1, 6.5), (1.05, 9.0)]), trials=10))
    assert few.verdict == NOT_SETTLED and "bracket" in few.evidence


def test_markdown_renders_the_data_and_the_figure_is_written(tmp_path):
    data = _planted(_curves([(1.15, 5.0), (1.1, 6.5), (1.05, 9.0)]))
    text = render_recovery_markdown(data, figure="figures/x.png")
    assert "![P(signed support) against theta](figures/x.png)" in text
    assert f"**C11 (random designs): {HOLDS}.**" in text
    first = data.rows[0]
    assert f"{first['estimate']:.3f} [{first['ci_low']:.3f}, {first['ci_high']:.3f}]" in text
    table = [line for line in text.splitlines() if line.startswith("| Sigma = I") or line.startswith("| Toeplitz")]
    assert len(table) == 12 and all(line.count("|") == table[0].count("|") for line in table[:6])
    path = draw_recovery_figure(data, tmp_path / "recovery.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_section_data_runs_the_experiment_and_counts_nothing_undecided():
    data = recovery_section_data(trials=16, p=(64,), theta=(0.5, 2.0), sparsity=4, n_jobs=1)
    assert [(r["design"], r["theta"]) for r in data.rows] == [("gaussian", 0.5), ("gaussian", 2.0),
                                                               ("toeplitz", 0.5), ("toeplitz", 2.0)]
    assert data.undecided == 0 and data.rows[2]["rho"] == 0.1
    assert all(r["estimate"] == r["successes"] / 16 for r in data.rows)
