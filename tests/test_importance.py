"""Importance sampling of P(sparse) and P(not sparse): against the log-scale closed form
of mc_sparsity._exact.orthonormal by z-scores on the log scale, unbiasedness over many small runs,
and the truncated-normal sampler against scipy.stats.truncnorm."""

import math

import numpy as np
import pytest
from scipy import stats

from mc_sparsity._mc.engine import Kernel
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._exact.orthonormal import exact_sparse_probability
from mc_sparsity._mc.importance import (
    _truncated_sample,
    estimate_from_sums,
    importance_sample,
    importance_sampling_kernel,
    importance_sampling_plan,
)

Z_MAX = 4.0  # |z| < 4: two-sided level 6.3e-5 per check, fixed seeds
ALPHA = 1e-4


def _exact_log(beta, lam=None, radius=None, complement=False):
    lp = exact_sparse_probability(beta, 1.0, lam=lam, radius=radius).log_probability
    return float(np.log(-np.expm1(lp))) if complement else lp


# (beta, lam, radius, complement, reps, max relative error): P from 0.5 down to exp(-2608).
# The dominating-point mixture's relative variance grows with the distance to the wedges.
SCENARIOS = [
    ([1.0, 0.3], 0.5, None, False, 400_000, 0.01),  # P = 0.52, overlapping events
    ([0.0, 0.0, 0.0], 1.0, None, False, 400_000, 0.01),  # P = 0.97, heavy overlap: C up to 3
    ([3.0, 4.0], 0.2, None, False, 200_000, 0.01),  # P ~ 2e-3
    ([2.0, -3.0, 5.0, 0.5, 8.0], 0.3, None, False, 200_000, 0.01),  # p = 5
    ([1.0, 0.3], None, 2.0, False, 1_000_000, 0.01),  # constrained, P = 0.066
    ([5.0, 5.0], None, 20.0, False, 2_000_000, 0.01),  # constrained, log P = -130.8
    ([40.0, 40.0], None, 100.0, False, 400_000, 0.1),  # constrained, log P = -2608.1
    ([1.0, 0.3], None, 2.0, True, 400_000, 0.01),  # constrained complement, P = 0.93
    ([3.0, 2.5], None, 1.0, True, 400_000, 0.01),  # constrained complement, overlapping slabs
]


@pytest.mark.parametrize("beta, lam, radius, complement, reps, max_rel", SCENARIOS)
def test_log_estimate_against_closed_form(beta, lam, radius, complement, reps, max_rel):
    est = importance_sample(beta, lam=lam, radius=radius, complement=complement, reps=reps, rng=12345)
    exact = _exact_log(beta, lam, radius, complement)
    assert 0.0 < est.relative_error < max_rel  # at 0.01 a 5% bias is > 5 SE away
    assert abs(est.log_estimate - exact) / est.relative_error < Z_MAX
    assert est.std_error == pytest.approx(est.estimate * est.relative_error)
    assert est.replications == reps


@pytest.mark.parametrize(
    "beta, lam, radius, complement",
    [([7.5, 7.5], 0.3, None, False),  # P = 6e-13: the two slabs never meet, C = 1
     ([40.0, 40.0], 1.0, None, False),  # log P = -764.39
     ([1.0, 0.3], 3.0, None, True),  # penalized complement: the zero-variance sampler
     ([20.0, 0.0], None, 1.0, True)],  # constrained complement, log P = -93.08, disjoint in effect
)
def test_effectively_disjoint_events_are_exact(beta, lam, radius, complement):
    est = importance_sample(beta, lam=lam, radius=radius, complement=complement, reps=2000, rng=7)
    assert est.log_estimate == pytest.approx(_exact_log(beta, lam, radius, complement), abs=1e-10)
    assert est.relative_error < 1e-6
    assert est.hits == 2000


def test_log_probability_764():
    est = importance_sample([40.0, 40.0], lam=1.0, reps=100, rng=0)
    assert est.estimate == 0.0 and round(est.log_estimate, 2) == -764.39


@pytest.mark.parametrize(
    "beta, lam, radius, runs, reps",
    [([0.0, 0.0, 0.0], 1.0, None, 4000, 5), ([1.0, 2.0], 1.5, None, 4000, 5), ([1.0, 0.3], None, 2.0, 4000, 10)],
)
def test_unbiased_over_many_small_runs(beta, lam, radius, runs, reps):
    gen = np.random.default_rng(2024)
    values = np.array([importance_sample(beta, lam=lam, radius=radius, reps=reps, rng=gen).estimate
                       for _ in range(runs)])
    exact = math.exp(_exact_log(beta, lam, radius))
    z = (values.mean() - exact) / (values.std(ddof=1) / math.sqrt(runs))
    assert abs(z) < Z_MAX


def test_union_variance_bound():
    # Owen et al.: Var(w) <= P (S - P), S = sum_j P(E_j).
    beta, lam = [0.0, 0.5, 1.0], 1.0
    plan = importance_sampling_plan(beta, lam=lam)
    est = importance_sample(beta, lam=lam, reps=200_000, rng=3)
    p = math.exp(_exact_log(beta, lam))
    s = math.exp(plan.log_scale)
    per_draw_var = (est.std_error**2) * est.replications
    assert per_draw_var <= p * (s - p) * 1.05
    assert per_draw_var > 0.0


def test_deterministic_and_block_additive():
    plan = importance_sampling_plan([2.0, 1.0, 3.0], lam=0.7)
    assert isinstance(plan.kernel, Kernel)

    def run(seed, n):
        counts = np.zeros(plan.kernel.counts_shape, dtype=np.int64)
        sums = np.zeros(plan.kernel.sums_shape)
        plan.kernel.function(np.random.default_rng(seed), n, *plan.kernel.args, counts, sums)
        return counts, sums

    c1, s1 = run(5, 10_000)
    c2, s2 = run(5, 10_000)
    assert np.array_equal(c1, c2) and np.array_equal(s1, s2)
    c3, s3 = run(6, 10_000)
    est = estimate_from_sums(c1 + c3, [math.fsum([s1[0], s3[0]]), math.fsum([s1[1], s3[1]])], plan.log_scale)
    assert abs(est.log_estimate - _exact_log([2.0, 1.0, 3.0], 0.7)) < Z_MAX * est.relative_error


@pytest.mark.parametrize(
    "a, b",
    [(39.0, 41.0), (-41.0, -39.0), (0.5, 0.51), (-0.1, 0.1), (-3.0, 5.0), (2.0, np.inf), (-np.inf, -40.0),
     (-0.5, 3.0), (3.0, 3.2), (8.0, 30.0)],
)
def test_truncated_normal_sampler(a, b):
    out = np.empty(20_000)
    _truncated_sample(np.random.default_rng(11), float(a), float(b), out)
    assert np.all((out >= a) & (out <= b))
    assert stats.kstest(out, stats.truncnorm(a, b).cdf).pvalue > ALPHA


def test_estimate_from_sums_by_hand():
    w = np.array([1.0, 0.5, 1 / 3, 1.0, 0.5])
    est = estimate_from_sums([5, 5], [w.sum(), (w**2).sum()], math.log(2e-300))
    assert est.estimate == pytest.approx(2e-300 * w.mean(), rel=1e-12)
    assert est.relative_error == pytest.approx(w.std(ddof=1) / math.sqrt(5) / w.mean(), rel=1e-12)
    none = estimate_from_sums([10, 0], [0.0, 0.0], -5.0)
    assert none.estimate == 0.0 and none.log_estimate == -math.inf and none.relative_error == math.inf


def test_bad_input():
    with pytest.raises(ParameterError) as err:
        importance_sample([1.0, 2.0], lam=0.0, reps=10)
    assert err.value.parameter == "lam"
    with pytest.raises(ParameterError) as err:
        importance_sample([1.0, 2.0, 3.0], radius=1.0, reps=10)
    assert err.value.parameter == "beta"
    with pytest.raises(ParameterError):
        importance_sample([1.0, 2.0], lam=1.0, radius=1.0, reps=10)
    with pytest.raises(ParameterError):
        importance_sample([1.0, 2.0], sigma=0.0, lam=1.0, reps=10)
    with pytest.raises(TypeError):
        importance_sample([1.0, 2.0], lam=1.0, reps=10, rng="x")
    with pytest.raises(TypeError):
        importance_sampling_kernel([1.0, 2.0], lam=1.0, complement="no")
    with pytest.raises(ParameterError):
        estimate_from_sums([1, 1], [1.0, 1.0], 0.0)


# ---------------------------------------------------------------- intervals (issue 22, item 1)
from mc_sparsity._exact.orthonormal import exact_not_sparse_probability  # noqa: E402
from mc_sparsity._mc.importance import importance_interval  # noqa: E402

LEVEL = 0.95


def _misses_are_plausible(misses, runs):
    """At most as many misses as a 95% interval allows, at level ALPHA: binom.sf(misses - 1) > ALPHA."""
    return stats.binom.sf(misses - 1, runs, 1 - LEVEL) > ALPHA


@pytest.mark.parametrize("beta, lam", [([7.5, 7.5], 0.3), ([6.0, -6.0], 0.5)])
def test_union_interval_covers_when_the_slabs_never_meet(beta, lam):
    # the sample shows no variance (no draw has both slabs), yet P = q1 + q2 - q1 q2 < S = q1 + q2
    plan = importance_sampling_plan(beta, lam=lam)
    est = importance_sample(beta, lam=lam, reps=100_000, rng=3)
    exact = exact_sparse_probability(beta, 1.0, lam=lam).probability
    assert est.relative_error == 0.0 and est.estimate != exact
    low, high = importance_interval(plan, est, LEVEL)
    assert low <= exact <= high
    assert (high - low) / exact < 1e-4  # and it is not vacuous


def test_union_log_interval_covers_where_p_underflows():
    plan = importance_sampling_plan([40.0, 40.0], lam=1.0)
    est = importance_sample([40.0, 40.0], lam=1.0, reps=1000, rng=3)
    log_low, log_high = importance_interval(plan, est, LEVEL, log=True)
    exact = exact_sparse_probability([40.0, 40.0], 1.0, lam=1.0).log_probability
    assert log_low <= exact <= log_high and log_high - log_low < 1e-2


def _coverage(beta, lam, radius, reps, runs, interval):
    plan = importance_sampling_plan(beta, lam=lam, radius=radius)
    exact = exact_sparse_probability(beta, 1.0, lam=lam, radius=radius).probability
    misses = 0
    for seed in range(runs):
        est = importance_sample(beta, lam=lam, radius=radius, reps=reps, rng=1000 + seed)
        low, high = interval(plan, est)
        misses += not low <= exact <= high
    return misses


def test_union_interval_coverage_by_repetition():
    # q_j = P(|N(3, 1)| <= 0.3) = 2.7e-3 and 400 draws: about one draw per run where both slabs occur,
    # the regime where the sample's own variance is often 0.  Coverage >= 95% (Bernstein: for every n).
    runs = 300
    misses = _coverage([3.0, 3.0], 0.3, None, 400, runs, lambda plan, est: importance_interval(plan, est, LEVEL))
    assert _misses_are_plausible(misses, runs), misses
    # the same check fails the interval built from the sample's variance alone (the old one)
    naive = _coverage([3.0, 3.0], 0.3, None, 400, runs,
                      lambda plan, est: (est.estimate * math.exp(-1.96 * est.relative_error),
                                         est.estimate * math.exp(1.96 * est.relative_error)))
    assert not _misses_are_plausible(naive, runs), naive


def test_dominating_points_interval_coverage_and_endpoints():
    runs = 200
    misses = _coverage([1.0, 0.3], None, 2.0, 2000, runs, lambda plan, est: importance_interval(plan, est, LEVEL))
    assert _misses_are_plausible(misses, runs), misses
    plan = importance_sampling_plan([1.0, 0.3], radius=2.0)
    est = importance_sample([1.0, 0.3], radius=2.0, reps=5000, rng=5)
    z = stats.norm.ppf(0.975)  # 1.95996...
    low, high = importance_interval(plan, est, LEVEL)
    assert low == pytest.approx(est.estimate * math.exp(-z * est.relative_error), rel=1e-12)
    assert high == pytest.approx(est.estimate * math.exp(z * est.relative_error), rel=1e-12)
    low90, _ = importance_interval(plan, est, 0.9)
    assert low90 == pytest.approx(est.estimate * math.exp(-stats.norm.ppf(0.95) * est.relative_error), rel=1e-12)


def test_conditional_interval_is_the_closed_form():
    plan = importance_sampling_plan([1.0, 0.3], lam=3.0, complement=True)
    est = importance_sample([1.0, 0.3], lam=3.0, complement=True, reps=100, rng=0)
    exact = exact_not_sparse_probability([1.0, 0.3], 1.0, lam=3.0).probability
    low, high = importance_interval(plan, est, LEVEL)
    assert low <= exact <= high and (high - low) / exact < 1e-12
