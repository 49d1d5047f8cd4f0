"""Estimands from one tally: counts, means, standard errors and intervals against independent formulas."""

import math

import numpy as np
import pytest
from scipy import stats

from mc_sparsity._mc.estimands import ESTIMANDS, estimand_names, estimate
from mc_sparsity._mc.tally import EstimatorTally, cells, tally_width
from mc_sparsity._base.errors import ParameterError

# p = 3, k = 2: cells (a, b) for a = 0..2 (zeros in the support), b = 0..1 (zeros outside)
P, K = 3, 2
HIST = np.array([[50, 120], [30, 40], [5, 15]])  # hist[a, b]
SIGNED = 100
ROW = np.concatenate([HIST.ravel(), [SIGNED, 7]])


def _per_replication():
    """The tally expanded into one (a, b) pair per replication."""
    return np.array([(a, b) for a in range(K + 1) for b in range(P - K + 1) for _ in range(HIST[a, b])])


def test_layout():
    assert cells(P, K) == 6 and tally_width(P, K) == 8
    t = EstimatorTally.from_row(ROW, P, K)
    assert t.classified == HIST.sum() and t.signed == SIGNED and t.uncertified == 7
    # K = a + b zeros: K = 0: (0,0); 1: (0,1) + (1,0); 2: (1,1) + (2,0); 3: (2,1)
    assert t.zeros.tolist() == [50, 150, 45, 15]


@pytest.mark.parametrize("name, expected", [
    ("sparse", HIST.sum() - 50),                 # a + b >= 1
    ("support", 120),                            # a = 0, b = p - k
    ("superset", 170),                           # a = 0
    ("signed_support", SIGNED),
])
def test_proportions(name, expected):
    t = EstimatorTally.from_row(ROW, P, K)
    e = estimate(ESTIMANDS[name], t, 0.95, "exact")
    n = HIST.sum()
    assert (e.successes, e.n) == (expected, n) and e.estimate == expected / n
    assert e.std_error == pytest.approx(math.sqrt(expected / n * (1 - expected / n) / n), rel=1e-15)
    ci = stats.binomtest(expected, n).proportion_ci(0.95, method="exact")
    assert (e.ci_low, e.ci_high) == pytest.approx((ci.low, ci.high), rel=1e-8)


@pytest.mark.parametrize("name", ["fdp", "tpr", "hamming"])
def test_means_standard_errors_and_intervals(name):
    ab = _per_replication()
    a, b = ab[:, 0], ab[:, 1]
    fp, tp = (P - K) - b, K - a
    values = {"fdp": fp / np.maximum(1, fp + tp), "tpr": tp / K, "hamming": fp + a}[name]
    t = EstimatorTally.from_row(ROW, P, K)
    e = estimate(ESTIMANDS[name], t, 0.95, "exact")
    se = values.std(ddof=1) / math.sqrt(values.size)
    assert e.successes is None and e.ci_method == "normal"
    assert e.estimate == pytest.approx(values.mean(), rel=1e-14)
    assert e.std_error == pytest.approx(se, rel=1e-12)
    assert e.ci_low == pytest.approx(max(0.0, values.mean() - 1.959963984540054 * se), rel=1e-12)


def test_tpr_without_a_support_is_one_and_names_are_checked():
    t = EstimatorTally.from_row([3, 2, 1, 0, 0], 2, 0)  # p = 2, k = 0: cells b = 0, 1, 2
    assert estimate(ESTIMANDS["tpr"], t, 0.95, "exact").estimate == 1.0
    assert estimate(ESTIMANDS["fdp"], t, 0.95, "exact").estimate == pytest.approx((3 * 1 + 2 * 1 + 1 * 0) / 6)
    with pytest.raises(ParameterError) as err:
        estimand_names(["sparse", "nonesuch"])
    assert err.value.parameter == "estimand"


def test_no_classified_replication_is_not_a_number():
    t = EstimatorTally.from_row([0, 0, 0, 0, 0, 0, 0, 9], P, K)
    e = estimate(ESTIMANDS["support"], t, 0.95, "exact")
    assert math.isnan(e.estimate) and (e.ci_low, e.ci_high) == (0.0, 1.0) and e.uncertified == 9
