"""The exact constrained-lasso P(sparse) for any p: against the p = 2 closed form,
3-D nested quadrature at p = 3, and Monte Carlo of the L1 projection at p = 5, 10, 20."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

from mc_sparsity._exact.constrained import constrained_sparse_probability
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._estimators.lasso_ridge import project_l1_ball
from mc_sparsity._exact.orthonormal import exact_sparse_probability

ALPHA = 1e-4  # level of every binomial test (two-sided, exact)


@pytest.mark.parametrize(
    "beta, sigma, radius",
    [([1.0, 0.3], 1.0, 1.0), ([1.0, 0.3], 1.0, 2.0), ([0.0, 0.0], 1.0, 0.1), ([3.0, -2.0], 1.0, 5.0),
     ([10.0, 10.0], 1.0, 1.0), ([40.0, -40.0], 2.0, 3.0), ([0.5, 4.0], 0.5, 6.0)],
)
def test_p2_matches_closed_form(beta, sigma, radius):
    res = constrained_sparse_probability(beta, sigma, radius)
    ref = exact_sparse_probability(beta, sigma, radius=radius)
    assert abs(res.probability - ref.probability) < 1e-10
    assert abs(res.probability - ref.probability) <= res.error
    assert res.error < 1e-8
    np.testing.assert_allclose(res.zeros_pmf, ref.zeros_pmf, atol=1e-10)


_C = 1.0 / math.sqrt(2.0 * math.pi)


def _folded_pdf(a, mu):
    return _C * (math.exp(-0.5 * (a - mu) ** 2) + math.exp(-0.5 * (a + mu) ** 2))


def _folded_cdf(a, mu):
    return stats.norm.cdf(a - mu) - stats.norm.cdf(-a - mu)


def _folded_sf(a, mu):
    return stats.norm.sf(a - mu) + stats.norm.cdf(-a - mu)


def _p3_not_sparse_tplquad(mu, t):
    """P(not sparse) at p = 3 as a 3-D integral over the geometric region (standardized).

    With a_i = m the smallest |x|, no zero iff the two others lie in the triangle
    {a_j, a_k >= m, (a_j - m) + (a_k - m) < t}: integrate f_i f_j f_k over it.
    """
    total = 0.0
    for i in range(3):
        j, k = [r for r in range(3) if r != i]
        hi = min(mu) + 12.0
        val, _ = integrate.tplquad(
            lambda ak, aj, m: _folded_pdf(m, mu[i]) * _folded_pdf(aj, mu[j]) * _folded_pdf(ak, mu[k]),
            0.0, hi,
            lambda m: m, lambda m: m + t,
            lambda m, aj: m, lambda m, aj: 2.0 * m + t - aj,
            epsabs=1e-10, epsrel=1e-9,
        )
        total += val
    return total


def _p3_at_least_two(mu, t):
    """P(K >= 2) at p = 3: a_(2) = m, one coordinate below, the largest above m + t (1-D quad)."""
    total = 0.0
    for i in range(3):
        for j in range(3):
            if j == i:
                continue
            k = 3 - i - j
            val, _ = integrate.quad(
                lambda m: _folded_pdf(m, mu[i]) * _folded_cdf(m, mu[j]) * _folded_sf(m + t, mu[k]),
                0.0, max(mu) + 12.0, epsabs=1e-13, epsrel=1e-11, limit=200,
            )
            total += val
    return total


@pytest.mark.parametrize(
    "beta, sigma, radius",
    [([1.0, 0.5, 0.0], 1.0, 1.0), ([2.0, -1.0, 0.3], 0.8, 2.0), ([3.0, 3.0, -3.0], 1.0, 4.0)],
)
def test_p3_against_3d_integral(beta, sigma, radius):
    res = constrained_sparse_probability(beta, sigma, radius)
    mu = np.abs(np.asarray(beta)) / sigma
    t = radius / sigma
    ref = 1.0 - _p3_not_sparse_tplquad(mu, t)
    assert abs(res.probability - ref) < 1e-7
    assert res.error < 1e-8
    assert res.zeros_pmf[2] + res.zeros_pmf[3] == pytest.approx(_p3_at_least_two(mu, t), abs=1e-8)
    assert res.zeros_pmf[3] == 0.0
    assert res.log_probability == pytest.approx(math.log(res.probability), rel=1e-15)


def _monte_carlo_zeros(beta, sigma, radius, n, seed):
    rng = np.random.default_rng(seed)
    x = np.asarray(beta) + sigma * rng.standard_normal((n, len(beta)))
    return np.sum(project_l1_ball(x, radius) == 0.0, axis=1)  # the sort-based projection's own zeros


@pytest.mark.parametrize(
    "p, radius, pmf, seed",
    [(5, 6.0, True, 1), (10, 12.0, True, 2), (20, 30.0, False, 3)],
)
def test_against_monte_carlo(p, radius, pmf, seed):
    beta = np.linspace(1.0, 3.0, p) * np.where(np.arange(p) % 2, 1.0, -1.0)
    res = constrained_sparse_probability(beta, 1.0, radius, pmf=pmf)
    assert 0.3 < res.probability < 0.95  # an informative scenario
    n = 200_000
    k = _monte_carlo_zeros(beta, 1.0, radius, n, seed)
    assert stats.binomtest(int(np.sum(k > 0)), n, res.probability).pvalue > ALPHA
    if pmf:
        counts = np.bincount(k, minlength=p + 1)
        for kk in range(p + 1):  # each class by itself, at the same level
            if res.zeros_pmf[kk] == 0.0:
                assert counts[kk] == 0
            else:
                assert stats.binomtest(int(counts[kk]), n, res.zeros_pmf[kk]).pvalue > ALPHA


def test_scale_invariance_and_consistency():
    a = constrained_sparse_probability([1.0, -2.0, 0.5, 3.0], 1.0, 2.5)
    b = constrained_sparse_probability([4.0, -8.0, 2.0, 12.0], 4.0, 10.0)
    c = constrained_sparse_probability([3.0, 0.5, -2.0, 1.0], 1.0, 2.5, pmf=False)  # permuted, signs flipped
    assert b.probability == pytest.approx(a.probability, abs=1e-12)
    assert c.probability == pytest.approx(a.probability, abs=1e-10)
    assert c.zeros_pmf is None
    assert a.zeros_pmf.sum() == pytest.approx(1.0, abs=1e-12)
    assert a.zeros_pmf[0] == pytest.approx(1.0 - a.probability, abs=1e-12)


@pytest.mark.parametrize("beta, radius", [([40.0, 40.0, 40.0], 1.0), ([0.0, 0.0, 0.0, 0.0], 1e-6), ([1e3, -1e3, 2.0], 20.0)])
def test_extremes_are_finite_and_in_range(beta, radius):
    res = constrained_sparse_probability(beta, 1.0, radius)
    assert np.isfinite(res.probability) and 0.0 <= res.probability <= 1.0
    assert np.all(np.isfinite(res.zeros_pmf)) and res.error < 1e-8
    assert not np.isnan(res.log_probability)


def test_equal_large_means_known_value():
    # beta = (40, 40, 40), sigma = 1: a_j = 40 + z_j exactly in law (folding is negligible),
    # and sparse iff sum z - 3 min z >= t: P(range-type statistic) for three iid normals, by MC-free 2-D quad.
    res = constrained_sparse_probability([40.0, 40.0, 40.0], 1.0, 1.0)
    ref = constrained_sparse_probability([0.0, 0.0, 0.0], 1.0, 1.0)
    assert 0.3 < res.probability < 1.0
    # folding matters at beta = 0, so the two differ; the exact shifted-normal value:
    not_sparse = 3 * integrate.tplquad(
        lambda zk, zj, m: _C**3 * math.exp(-0.5 * (m * m + zj * zj + zk * zk)),
        -10.0, 10.0, lambda m: m, lambda m: m + 1.0, lambda m, zj: m, lambda m, zj: 2 * m + 1.0 - zj,
        epsabs=1e-10, epsrel=1e-9,
    )[0]
    assert res.probability == pytest.approx(1.0 - not_sparse, abs=1e-8)
    assert abs(ref.probability - res.probability) > 1e-3


def test_bad_input():
    with pytest.raises(ParameterError) as err:
        constrained_sparse_probability([1.0, 2.0], 1.0, 0.0)
    assert err.value.parameter == "radius"
    with pytest.raises(ParameterError) as err:
        constrained_sparse_probability([1.0, 2.0], -1.0, 1.0)
    assert err.value.parameter == "sigma"
    with pytest.raises(ParameterError):
        constrained_sparse_probability([1.0, np.nan], 1.0, 1.0)
    with pytest.raises(TypeError):
        constrained_sparse_probability([1.0, 2.0], "1", 1.0)
    with pytest.raises(TypeError):
        constrained_sparse_probability([1.0, 2.0], 1.0, 1.0, pmf="yes")
    assert constrained_sparse_probability([3.0], 1.0, 1.0).probability == 0.0


def _at_least_p_minus_1(mu, t):
    """P(K >= p - 1) = P(a_(p) - a_(p-1) >= t): the largest alone above the runner-up by t (1-D quad)."""
    p = len(mu)
    total = 0.0
    for i in range(p):  # i is the runner-up at m, k the largest, the others below m
        for k in range(p):
            if k == i:
                continue
            others = [j for j in range(p) if j not in (i, k)]
            val, _ = integrate.quad(
                lambda m: _folded_pdf(m, mu[i]) * math.prod(_folded_cdf(m, mu[j]) for j in others)
                * _folded_sf(m + t, mu[k]),
                0.0, max(mu) + 12.0, epsabs=1e-13, epsrel=1e-11, limit=200)
            total += val
    return total


@pytest.mark.parametrize("beta, radius", [([0.0, 0.0, 0.0, 0.0], 0.5), ([1.0, 0.5, 0.0, 0.2], 1.0),
                                          ([0.5, 0.5, 0.5, 0.5], 0.3), ([1.0, 1.0, 1.0, 1.0], 4.0)])
def test_error_bound_below_1e_8_at_p4(beta, radius):
    """The README's promise at p >= 4, where the FFT convolutions of several densities enter; an
    origin of the trapezoid convolution left unzeroed breaks the h^2 expansion and the bound (1e-7)."""
    res = constrained_sparse_probability(beta, 1.0, radius)
    assert res.error < 1e-8
    mu = np.abs(np.asarray(beta))
    assert res.zeros_pmf[3] == pytest.approx(_at_least_p_minus_1(mu, radius), abs=max(res.error, 1e-10))


def test_pmf_at_widely_spread_beta_against_monte_carlo():
    """|beta| = 0.5, 12, 24, 36 and t = 12: K = 3 iff a_(4) - a_(3) >= 12, probability 1/2, and K = 2 otherwise.
    The m-integral of P(K >= k) lives near the k-th smallest |beta_j| (12 and 24 here), far from the smallest."""
    beta = [0.5, -12.0, 24.0, 36.0]
    res = constrained_sparse_probability(beta, 1.0, 12.0)
    n = 100_000
    counts = np.bincount(_monte_carlo_zeros(beta, 1.0, 12.0, n, 9), minlength=5)
    for kk in range(5):
        if res.zeros_pmf[kk] < 1e-12:
            assert counts[kk] == 0
        else:
            assert stats.binomtest(int(counts[kk]), n, res.zeros_pmf[kk]).pvalue > ALPHA
    assert res.zeros_pmf[3] == pytest.approx(_at_least_p_minus_1(np.abs(beta), 12.0), abs=1e-8)
