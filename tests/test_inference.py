"""The inferential layer against independent formulas: standard errors, intervals, z-scores, tests."""

import math

import numpy as np
import pytest
from scipy import special, stats

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._stats.goodness_of_fit import pooled_chisquare
from mc_sparsity._stats.inference import binomial_pvalue, proportion_interval, standard_error, z_score


_BOUNDS = {}


def _coverage(n, p, method):
    """The exact coverage of the interval at p: the binomial mass of the counts whose interval holds p."""
    if (n, method) not in _BOUNDS:
        _BOUNDS[n, method] = np.array([proportion_interval(i, n, method=method) for i in range(n + 1)])
    bounds = _BOUNDS[n, method]
    covered = (bounds[:, 0] <= p) & (p <= bounds[:, 1])
    return float(stats.binom.pmf(np.arange(n + 1), n, p)[covered].sum())


@pytest.mark.parametrize("n", [50, 1000])
def test_the_default_interval_covers_at_least_95_percent_everywhere(n):
    grid = np.concatenate([np.linspace(1e-4, 0.9999, 400), 0.18 / n * np.array([0.5, 1, 2]), [1e-6, 1 - 1e-6]])
    worst = min(_coverage(n, float(p), "exact") for p in grid)
    assert worst >= 0.95 - 1e-12, worst


def test_wilson_is_available_and_its_coverage_dips_below_nominal():
    """Why it is not the default: near N p = 0.18 Wilson covers about 84%."""
    n = 1000
    assert min(_coverage(n, p, "wilson") for p in 0.18 / n * np.array([0.9, 1.0, 1.1])) < 0.9


def test_clopper_pearson_endpoints_against_the_beta_quantiles():
    for k, n in [(0, 100), (1, 100), (1, 1_000_000), (3, 100), (50, 100), (99, 100), (100, 100), (7, 100_000)]:
        low, high = proportion_interval(k, n)
        # The defining equations: P(X >= k | low) = 0.025 and P(X <= k | high) = 0.025.
        if k > 0:
            assert special.betainc(k, n - k + 1, low) == pytest.approx(0.025, rel=1e-6)  # scipy's beta quantile: ~1e-7
        else:
            assert low == 0.0
        if k < n:
            assert special.betaincc(k + 1, n - k, high) == pytest.approx(0.025, rel=1e-6)  # scipy's beta quantile: ~1e-7
        else:
            assert high == 1.0
    assert proportion_interval(0, 1000)[1] == pytest.approx(1 - 0.025 ** (1 / 1000), rel=1e-12)


def test_wilson_endpoints_against_the_score_formula():
    k, n, z = 30, 200, stats.norm.ppf(0.975)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low, high = proportion_interval(k, n, method="wilson")
    assert (low, high) == pytest.approx((centre - half, centre + half), rel=1e-12)


def test_standard_error_and_z_score_against_their_formulas():
    assert standard_error(30, 200) == pytest.approx(math.sqrt(0.15 * 0.85 / 200), rel=1e-15)
    assert standard_error(0, 10) == 0.0
    # z uses the standard error under the reference p0, not under the estimate
    assert z_score(30, 200, 0.1) == pytest.approx((0.15 - 0.1) / math.sqrt(0.1 * 0.9 / 200), rel=1e-14)
    assert z_score(3, 10, None) is None
    assert z_score(1, 10, 1.0) == -math.inf


def test_binomial_pvalue_is_scipys_two_sided_exact_test():
    assert binomial_pvalue(30, 200, 0.1) == pytest.approx(stats.binomtest(30, 200, 0.1).pvalue, rel=1e-12)


@pytest.mark.parametrize("args, name", [((5, 3), "successes"), ((-1, 3), "successes"), ((1, 0), "trials")])
def test_bad_counts_name_the_parameter(args, name):
    with pytest.raises(ParameterError) as exc:
        standard_error(*args)
    assert exc.value.parameter == name
    with pytest.raises(ParameterError) as exc:
        proportion_interval(1, 10, confidence_level=1.5)
    assert exc.value.parameter == "confidence_level"


def test_pooled_chisquare_against_a_hand_computed_case():
    observed = [50, 30, 15, 4, 1]
    p = np.array([0.5, 0.3, 0.15, 0.04, 0.01])
    # the last three cells have expected counts 15, 4 and 1: the 4 and 1 pool into one cell of 5 ... the
    # remainder is kept, so the cells are (50, 30, 15, 5) against (50, 30, 15, 5): a perfect fit
    res = pooled_chisquare(observed, p)
    assert res.statistic == pytest.approx(0.0, abs=1e-12) and res.cells == 4
    shifted = [40, 35, 18, 5, 2]
    expected = np.array([50, 30, 15, 5])
    statistic = float((((np.array([40, 35, 18, 7]) - expected) ** 2) / expected).sum())
    res = pooled_chisquare(shifted, p)
    assert res.statistic == pytest.approx(statistic, rel=1e-12)
    assert res.pvalue == pytest.approx(stats.chi2.sf(statistic, 3), rel=1e-10)


def test_pooled_chisquare_has_power_against_a_planted_discrepancy():
    rng = np.random.default_rng(5)
    p = np.array([0.2, 0.3, 0.3, 0.15, 0.05])
    wrong = np.array([0.21, 0.3, 0.29, 0.15, 0.05])  # one cell off by 5% of its mass
    observed = rng.multinomial(1_000_000, wrong)
    assert pooled_chisquare(observed, p).pvalue < 1e-4
    assert pooled_chisquare(rng.multinomial(1_000_000, p), p).pvalue > 1e-4


def test_pooled_chisquare_keeps_the_remainder_in_the_last_cell():
    # expected 50, 30, 17, 3: the last cell (3 < 5) is a remainder, added to the cell before it
    observed, p = [40, 35, 18, 7], [0.5, 0.3, 0.17, 0.03]
    res = pooled_chisquare(observed, p)
    statistic = (40 - 50) ** 2 / 50 + (35 - 30) ** 2 / 30 + (25 - 20) ** 2 / 20
    assert res.cells == 3 and res.statistic == pytest.approx(statistic, rel=1e-12)
