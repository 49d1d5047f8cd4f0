"""The 1/2-crossing estimates on planted curves: point, profile-likelihood and bracket coverage."""

import numpy as np
import pytest
from scipy.special import expit
from scipy.stats import binomtest

from mc_sparsity._recovery.transition import crossing, logistic_fit

ALPHA = 1e-4
THETAS = np.array([0.5, 0.75, 1.0, 1.25, 1.5, 2.0])


def _planted(theta_half, slope):
    return expit(slope * (np.log(THETAS) - np.log(theta_half)))


def test_logistic_fit_recovers_exact_counts():
    # counts proportional to the planted curve at a huge N: the MLE is the planted curve
    probs = _planted(1.1, 6.0)
    n = np.full(THETAS.size, 10**9)
    a, b = logistic_fit(np.log(THETAS), np.round(probs * n), n)
    assert b == pytest.approx(6.0, rel=1e-6) and np.exp(-a / b) == pytest.approx(1.1, rel=1e-6)
    c = crossing(THETAS, np.round(probs * n), n)
    assert c.method == "logistic-profile" and c.theta_half == pytest.approx(1.1, rel=1e-6)
    assert c.ci_low < 1.1 < c.ci_high and c.ci_high - c.ci_low < 1e-3
    assert c.bracket_low == 1.0 and c.bracket_high == 1.25


@pytest.mark.parametrize("theta_half, slope", [(1.1, 6.0), (0.9, 3.0)])
def test_intervals_cover_the_planted_crossing(theta_half, slope):
    rng = np.random.default_rng(int(theta_half * 100 + slope))
    probs = _planted(theta_half, slope)
    trials = np.full(THETAS.size, 300)
    reps = 200
    profile = bracket = 0
    points = []
    for _ in range(reps):
        c = crossing(THETAS, rng.binomial(trials, probs), trials)
        assert c.method == "logistic-profile"
        profile += c.ci_low <= theta_half <= c.ci_high
        lo = -np.inf if c.bracket_low is None else c.bracket_low
        hi = np.inf if c.bracket_high is None else c.bracket_high
        bracket += lo <= theta_half <= hi
        points.append(np.log(c.theta_half))
    # the profile interval's coverage is the nominal 0.95 (a two-sided exact test at 1e-4) ...
    assert binomtest(profile, reps, 0.95).pvalue > ALPHA, profile
    # ... the bracket's is at least 0.95 (Bonferroni; one-sided)
    assert binomtest(bracket, reps, 0.95, alternative="less").pvalue > ALPHA, bracket
    # and the point estimate is centred on the planted crossing (within 4 of its standard errors)
    points = np.array(points)
    assert abs(points.mean() - np.log(theta_half)) < 4 * points.std() / np.sqrt(reps)


def test_a_wrong_interval_would_fail_the_coverage_check():
    """The check has power: an interval centred a little off (by one standard error) covers far less."""
    rng = np.random.default_rng(5)
    probs = _planted(1.1, 6.0)
    trials = np.full(THETAS.size, 300)
    covered = 0
    for _ in range(150):
        c = crossing(THETAS, rng.binomial(trials, probs), trials)
        half = (np.log(c.ci_high) - np.log(c.ci_low)) / 2
        shift = half / 1.96  # one standard error
        covered += c.ci_low * np.exp(shift) <= 1.1 <= c.ci_high * np.exp(shift)
    assert binomtest(covered, 150, 0.95).pvalue <= ALPHA


def test_separated_counts_fall_back_to_the_bracket():
    c = crossing(THETAS, [0, 0, 0, 300, 300, 300], [300] * 6)
    assert c.method == "bracket" and (c.bracket_low, c.bracket_high) == (1.0, 1.25)
    assert (c.ci_low, c.ci_high) == (1.0, 1.25) and c.theta_half == pytest.approx(np.sqrt(1.25))
    never = crossing(THETAS, [0] * 6, [300] * 6)
    assert never.method == "bracket" and never.theta_half is None and never.bracket_high is None
    assert never.bracket_low == 2.0


def test_a_curve_that_is_not_logistic_is_covered_by_the_bracket():
    """Probit in theta (not logistic in log theta) with 0 and 1 at the ends, like the recovery curves: the
    model-free bracket keeps its coverage; the logistic interval is widened by the dispersion but, the point
    being biased by the wrong model, covers less than 0.95 (which is why the verdict uses the bracket)."""
    from scipy.special import ndtr

    rng = np.random.default_rng(17)
    probs = ndtr((THETAS - 1.15) / 0.2)
    trials = np.full(THETAS.size, 400)
    profile = bracket = widened = 0
    reps = 200
    for _ in range(reps):
        c = crossing(THETAS, rng.binomial(trials, probs), trials)
        profile += c.ci_low <= 1.15 <= c.ci_high
        bracket += (c.bracket_low or 0) <= 1.15 <= (c.bracket_high or np.inf)
        widened += c.dispersion > 1
    assert widened > reps / 2
    assert binomtest(bracket, reps, 0.95, alternative="less").pvalue > ALPHA, bracket
    assert profile < bracket
