"""The geometric integral over the sparse region (p = 2) against the exact values (1e-8) and closed forms."""

import itertools

import numpy as np
import pytest
from scipy import special, stats

from mc_sparsity._designs.design import ar1, equicorrelated, from_gram, orthonormal
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._exact.orthonormal import exact_sparse_probability
from mc_sparsity._exact.correlated import exact_sparse_probability_correlated
from mc_sparsity._exact.integrate_correlated import _wedge_probability, integrate_sparse_region_correlated

BETAS = [(0.0, 0.0), (1.0, 0.3), (-2.0, 0.5), (3.0, 3.0), (6.0, -1.0)]
RHOS = [-0.9, -0.5, 0.3, 0.6, 0.9]
LEVELS = [0.05, 0.7, 2.5]


@pytest.mark.parametrize("rho", RHOS)
@pytest.mark.parametrize("form", ["lam", "radius", "elastic_net"])
def test_integral_matches_exact_over_a_grid(rho, form):
    for beta, level in itertools.product(BETAS, LEVELS):
        sigma = 0.6 if level == 0.7 else 1.0
        design = equicorrelated(2, rho) if level != 2.5 else ar1(2, rho)
        kw = {"radius": level} if form == "radius" else {"lam": level}
        if form == "elastic_net":
            kw["lam2"] = 0.8
        exact = exact_sparse_probability_correlated(beta, sigma, design, **kw)
        integral = integrate_sparse_region_correlated(beta, sigma, design, **kw)
        assert integral.error < 1e-8 and exact.error < 1e-10
        assert abs(integral.value - exact.probability) < 1e-8, (beta, sigma, rho, kw, integral, exact)


def test_general_gram_matrices():
    rng = np.random.default_rng(2)
    for _ in range(8):
        x = rng.normal(size=(5, 2))
        design = from_gram(x.T @ x)
        beta, sigma = rng.normal(scale=1.5, size=2), rng.uniform(0.5, 2.0)
        for kw in ({"lam": rng.uniform(0.1, 3.0)}, {"radius": rng.uniform(0.1, 3.0)},
                   {"lam": rng.uniform(0.1, 3.0), "lam2": rng.uniform(0.1, 2.0)}):
            exact = exact_sparse_probability_correlated(beta, sigma, design, **kw).probability
            integral = integrate_sparse_region_correlated(beta, sigma, design, **kw)
            assert abs(integral.value - exact) < 1e-8


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("form", ["lam", "radius"])
def test_identity_against_the_orthonormal_closed_form(beta, form):
    for level in (0.3, 1.5):
        want = exact_sparse_probability(beta, 1.0, **{form: level}).probability
        got = integrate_sparse_region_correlated(beta, 1.0, orthonormal(2), **{form: level})
        assert abs(got.value - want) < 1e-9


def test_diagonal_gram_against_a_product():
    """G = diag(d): the solution's zeros are |z_j| <= lam with independent z_j ~ N(d_j beta_j, d_j)."""
    d, beta, lam = np.array([3.0, 0.4]), np.array([0.5, -1.0]), 0.8
    q = special.ndtr((lam - d * beta) / np.sqrt(d)) - special.ndtr((-lam - d * beta) / np.sqrt(d))
    got = integrate_sparse_region_correlated(beta, 1.0, from_gram(np.diag(d)), lam=lam)
    assert got.value == pytest.approx(1 - (1 - q[0]) * (1 - q[1]), abs=1e-10)


def test_wedge_primitive_against_closed_forms():
    # a quadrant with apex (a, b): Phi(-a) Phi(-b)
    for a, b in [(0.0, 0.0), (0.5, -1.0), (2.0, 3.0), (-4.0, 1.0)]:
        value, error = _wedge_probability([a, b], [1.0, 0.0], [0.0, 1.0])
        assert value == pytest.approx(special.ndtr(-a) * special.ndtr(-b), abs=1e-12) and error < 1e-10
    # a wedge with apex at the origin: its angle over 2 pi
    for angle in (0.3, 1.0, 2.0, 3.0):
        value, _ = _wedge_probability([0.0, 0.0], [np.cos(0.4), np.sin(0.4)], [np.cos(0.4 + angle), np.sin(0.4 + angle)])
        assert value == pytest.approx(angle / (2 * np.pi), abs=1e-12)
    # general wedges against scipy's bivariate normal CDF (Genz's bvnu, deterministic in 2-d):
    # e in apex + cone(d1, d2) iff M^{-1}(e - apex) >= 0, M = [d1 d2]
    rng = np.random.default_rng(4)
    for _ in range(6):
        apex, d1, d2 = rng.normal(scale=1.5, size=(3, 2))
        m_inv = np.linalg.inv(np.column_stack([d1, d2]))
        cov = m_inv @ m_inv.T
        # W = M^{-1} e ~ N(0, cov) and -W has the same law: P(W >= c) = P(W <= -c)
        want = stats.multivariate_normal(mean=np.zeros(2), cov=cov).cdf(-(m_inv @ apex))
        value, _ = _wedge_probability(apex, d1, d2)
        assert value == pytest.approx(want, abs=1e-12)


def test_invariances():
    g = np.array([[1.5, -0.6], [-0.6, 0.8]])
    beta, sigma = np.array([0.9, 0.4]), 0.7
    for kw in ({"lam": 0.6}, {"radius": 0.9}):
        base = integrate_sparse_region_correlated(beta, sigma, from_gram(g), **kw).value
        for perm in ([0, 1], [1, 0]):
            for signs in itertools.product((1.0, -1.0), repeat=2):
                d = np.diag(signs)[perm]
                got = integrate_sparse_region_correlated(d @ beta, sigma, from_gram(d @ g @ d.T), **kw).value
                assert got == pytest.approx(base, abs=1e-10)
        scaled = {k: v * 5.0 for k, v in kw.items()}
        got = integrate_sparse_region_correlated(beta * 5.0, sigma * 5.0, from_gram(g), **scaled).value
        assert got == pytest.approx(base, abs=1e-10)


@pytest.mark.parametrize("kw", [{"lam": 0.7}, {"radius": 0.7}])
def test_ridge_region_is_a_null_set(kw):
    res = integrate_sparse_region_correlated([1.0, 0.3], 1.0, equicorrelated(2, 0.5), estimator="ridge", **kw)
    assert res.value == 0.0


def test_needs_p2_and_valid_input():
    with pytest.raises(ParameterError, match="p = 2") as info:
        integrate_sparse_region_correlated([1.0, 2.0, 3.0], 1.0, equicorrelated(3, 0.2), lam=1.0)
    assert info.value.parameter == "beta"
    with pytest.raises(ParameterError) as info:
        integrate_sparse_region_correlated([1.0, 2.0], 1.0, equicorrelated(3, 0.2), lam=1.0)
    assert info.value.parameter == "design"
    with pytest.raises(ParameterError) as info:
        integrate_sparse_region_correlated([1.0, 2.0], 1.0, equicorrelated(2, 0.2), lam=-1.0)
    assert info.value.parameter == "lam"
