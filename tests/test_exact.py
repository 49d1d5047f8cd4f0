"""Exact probabilities: against brute force, high precision, and their symmetries."""

import itertools

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from mc_sparsity import exact_sparse_probability
from mc_sparsity._exact.orthonormal import log_zero_probability

mpmath.mp.dps = 50


def _mp_zero_probability(b, s, tau):
    """q = Phi((tau - b)/s) - Phi((-tau - b)/s) in 50-digit arithmetic."""
    with mpmath.workdps(800):  # both terms may be 1 - 1e-300
        b, s, tau = mpmath.mpf(b), mpmath.mpf(s), mpmath.mpf(tau)
        return mpmath.ncdf((tau - b) / s) - mpmath.ncdf((-tau - b) / s)


def _mp_sparse(beta, s, tau):
    with mpmath.workdps(800):  # 1 - (1 - 1e-332) needs ~350 digits
        prod = mpmath.mpf(1)
        for b in beta:
            prod *= 1 - _mp_zero_probability(b, s, tau)
        return 1 - prod


TAIL_CASES = [
    ([1.0, 0.3], 1.0, 0.5),
    ([40.0, 40.0], 1.0, 1.0),  # underflows as a float: the log must still be right
    ([40.0, -40.0], 1.0, 30.0),  # 1e-23: naive 1 - prod(1 - q) gives 0
    ([0.0, 0.0, 0.0], 1.0, 1e-9),  # tiny threshold, interval straddling the mean
    ([3.0, 2.0, -5.0, 0.1], 0.7, 12.0),  # P(sparse) next to 1
    ([0.5], 2.0, 0.0),  # zero threshold
    ([10.0, 20.0], 0.5, 9.0),
]


@pytest.mark.parametrize("beta, sigma, lam", TAIL_CASES)
def test_penalized_log_probability_against_50_digits(beta, sigma, lam):
    res = exact_sparse_probability(beta, sigma, lam=lam)
    expected = _mp_sparse(beta, sigma, lam)
    if expected == 0:
        assert res.log_probability == -np.inf
    else:
        assert res.log_probability == pytest.approx(float(mpmath.log(expected)), rel=1e-12, abs=1e-13)
        assert res.probability == pytest.approx(float(expected), rel=1e-12, abs=0)


def test_tail_is_not_zero_minus_noise():
    res = exact_sparse_probability([40.0, 40.0], lam=30.0)
    assert res.probability > 0
    assert res.probability == pytest.approx(2 * stats.norm.sf(10.0), rel=1e-6)


@pytest.mark.parametrize("b, tau", [(0.0, 1.0), (3.0, 1.0), (-3.0, 2.0), (50.0, 1.0), (0.5, 1e-12), (8.0, 7.9),
                                    (0.5, 0.49), (-30.0, 1e-3), (2.0, 0.3), (1.0, 0.6), (4.0, 3.999)])
def test_zero_probability_per_coordinate(b, tau):
    expected = mpmath.log(_mp_zero_probability(b, 1.0, tau))
    assert log_zero_probability([b], 1.0, tau)[0] == pytest.approx(float(expected), rel=1e-12)


@pytest.mark.parametrize("p", [3, 5, 6])
def test_zero_count_distribution_by_enumeration(p):
    """P(K = k) summed over all 2^p zero patterns, against the Poisson-binomial pmf."""
    rng = np.random.default_rng(p)
    beta, sigma, lam = rng.normal(scale=1.5, size=p), 0.8, 0.6
    q = stats.norm.cdf((lam - beta) / sigma) - stats.norm.cdf((-lam - beta) / sigma)
    pmf = np.zeros(p + 1)
    for pattern in itertools.product([0, 1], repeat=p):
        z = np.array(pattern)
        pmf[z.sum()] += np.prod(np.where(z == 1, q, 1 - q))
    res = exact_sparse_probability(beta, sigma, lam=lam)
    assert_allclose(res.zeros_pmf, pmf, atol=1e-14)
    assert res.probability == pytest.approx(1 - pmf[0], abs=1e-14)


def test_brute_force_grid_p_greater_than_two():
    """The naive formula 1 - prod(1 - q_j) where it is accurate (moderate values)."""
    rng = np.random.default_rng(7)
    for _ in range(200):
        p = rng.integers(3, 12)
        beta, sigma, lam = rng.normal(scale=2, size=p), rng.uniform(0.2, 3), rng.uniform(0, 3)
        q = stats.norm.cdf((lam - beta) / sigma) - stats.norm.cdf((-lam - beta) / sigma)
        naive = 1 - np.prod(1 - q)
        assert exact_sparse_probability(beta, sigma, lam=lam).probability == pytest.approx(naive, abs=1e-13)


def test_constrained_p2_against_brute_force_quadrature_by_sampling_free_formula():
    """P(||x1| - |x2|| >= t) from the 1-d integral of P(|x1| >= t + |x2| or ...) over x2."""
    from scipy import integrate

    beta, t = np.array([1.0, 0.3]), 1.0

    def conditional(x2):  # P(| |x1| - |x2| | >= t | x2) for x1 ~ N(beta_1, 1)
        a = abs(x2)
        far = stats.norm.sf(a + t - beta[0]) + stats.norm.cdf(-a - t - beta[0])
        near = 0.0
        if a - t > 0:
            near = stats.norm.cdf(a - t - beta[0]) - stats.norm.cdf(-(a - t) - beta[0])
        return (far + near) * stats.norm.pdf(x2 - beta[1])

    value, _ = integrate.quad(conditional, -15, 15, points=[-t, 0, t], epsabs=1e-13, limit=200)
    assert exact_sparse_probability(beta, radius=t).probability == pytest.approx(value, abs=1e-10)


def test_constrained_lasso_has_no_closed_form_beyond_p2():
    assert exact_sparse_probability([1.0, 2.0, 3.0], radius=1.0) is None


@pytest.mark.parametrize("kw", [{"lam": 0.7}, {"radius": 0.7}])
def test_ridge_is_never_sparse(kw):
    res = exact_sparse_probability([1.0, 0.0], estimator="ridge", **kw)
    assert res.probability == 0.0 and res.log_probability == -np.inf


def test_unpenalized_least_squares_is_never_sparse():
    assert exact_sparse_probability([1.0, 0.0, -2.0], lam=0.0).probability == 0.0


@pytest.mark.parametrize("scale", [1e-6, 0.3, 7.0, 1e5])
@pytest.mark.parametrize("kw", [{"lam": 0.8}, {"radius": 0.8}])
def test_scale_invariance(scale, kw):
    beta, sigma = np.array([1.2, -0.4]), 0.9
    base = exact_sparse_probability(beta, sigma, **kw).probability
    scaled_kw = {k: v * scale for k, v in kw.items()}
    assert exact_sparse_probability(beta * scale, sigma * scale, **scaled_kw).probability == pytest.approx(
        base, rel=1e-12)


@pytest.mark.parametrize("kw", [{"lam": 0.8}, {"radius": 0.8}])
def test_sign_flip_and_permutation_symmetry(kw):
    beta = np.array([1.2, -0.4])
    base = exact_sparse_probability(beta, **kw).probability
    for signs in itertools.product([-1, 1], repeat=2):
        for perm in ([0, 1], [1, 0]):
            assert exact_sparse_probability((beta * signs)[perm], **kw).probability == pytest.approx(
                base, rel=1e-13)


def test_no_nan_for_extreme_finite_inputs():
    rng = np.random.default_rng(0)
    for _ in range(3000):
        p = rng.integers(1, 5)
        beta = rng.choice([-1, 1], p) * 10 ** rng.uniform(-300, 308, p) * rng.integers(0, 2, p)
        sigma = 10 ** rng.uniform(-300, 300)
        lam = 10 ** rng.uniform(-300, 308) * rng.integers(0, 2)
        with np.errstate(invalid="raise"):
            res = exact_sparse_probability(beta, sigma, lam=lam)
        assert 0.0 <= res.probability <= 1.0 and not np.isnan(res.log_probability)
        assert np.all(np.isfinite(res.zeros_pmf))
        if p == 2:
            with np.errstate(invalid="raise"):
                res = exact_sparse_probability(beta, sigma, radius=lam + 1e-300)
            assert 0.0 <= res.probability <= 1.0 and not np.isnan(res.log_probability)


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": [1.0], "sigma": 0.0, "lam": 1.0}, "sigma"),
    ({"beta": [1.0], "sigma": 1.0, "lam": -1.0}, "lam"),
    ({"beta": [1.0, 2.0], "sigma": 1.0, "radius": 0.0}, "radius"),
    ({"beta": [np.nan], "sigma": 1.0, "lam": 1.0}, "beta"),
    ({"beta": [1.0], "sigma": 1.0}, "exactly one"),
    ({"beta": [1.0], "sigma": 1.0, "lam": 1.0, "radius": 1.0}, "exactly one"),
])
def test_bad_input_names_the_parameter(kwargs, message):
    with pytest.raises(ValueError, match=message):
        exact_sparse_probability(**kwargs)


def test_the_complement_is_accurate_where_p_sparse_is_near_1():
    import mpmath

    from mc_sparsity._exact.orthonormal import exact_not_sparse_probability

    mpmath.mp.dps = 50
    tail = 2 * mpmath.ncdf(-5)  # P(|Z| > 5)
    res = exact_not_sparse_probability([0.0, 0.0], lam=5.0)
    assert res.probability == pytest.approx(float(tail**2), rel=1e-12)
    # constrained, p = 2: the complement of the product form, against 1 - P where that does not cancel
    for beta, t in [([1.0, 0.3], 1.0), ([0.5, -2.0], 3.0)]:
        p = exact_sparse_probability(beta, radius=t).probability
        assert exact_not_sparse_probability(beta, radius=t).probability == pytest.approx(1 - p, rel=1e-12)
    # and where it would: P(|u| < c) + P(|u| >= c) P(|v| < c) against mpmath
    c = mpmath.mpf(8) / mpmath.sqrt(2)
    mu = mpmath.sqrt(2) * 0  # beta = (0, 0): u, v ~ N(0, 1)
    inside = mpmath.ncdf(c - mu) - mpmath.ncdf(-c - mu)
    outside = 1 - inside
    expected = 1 - outside * outside
    assert exact_not_sparse_probability([0.0, 0.0], radius=8.0).probability == pytest.approx(float(expected),
                                                                                            rel=1e-12)


def test_the_law_of_k_is_scipys_poisson_binomial():
    from scipy.stats import poisson_binom

    from mc_sparsity._exact.orthonormal import _poisson_binom

    rng = np.random.default_rng(3)
    for q in (rng.uniform(size=7), rng.uniform(size=60) ** 3, np.array([0.0, 1.0, 0.5]), np.array([1e-300, 0.3])):
        k = np.arange(q.size + 1)
        np.testing.assert_allclose(_poisson_binom(q).pmf(k), poisson_binom(q).pmf(k), rtol=1e-10, atol=1e-300)
