"""Exact sparse probabilities under correlated designs.

References, none taken from the code under test: the orthonormal closed form
(``_exact``); a diagonal design's product form in mpmath; Owen's T formula in
60-digit mpmath (quadrature of T's defining integral); brute-force Monte Carlo
whose lasso solutions come from enumerating every support and sign pattern's
KKT conditions (itself checked against scikit-learn's ``Lasso``/``ElasticNet``)
or, for the constrained form, from projecting on each edge of the diamond;
block-diagonal designs whose probability factorises into p = 2 and p = 1 parts.
Statistical tests: fixed seeds, two-sided exact binomial tests at level 1e-4.
"""

import itertools
import warnings

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from mc_sparsity._exact import correlated as ec
from mc_sparsity._designs.design import ar1, equicorrelated, from_gram, orthonormal
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._exact.orthonormal import exact_sparse_probability
from mc_sparsity._exact.correlated import exact_sparse_probability_correlated as exact_corr

ALPHA = 1e-4


# ------------------------------------------------------------ mpmath references


def _mp_owens_t(h, a):
    f = lambda x: mpmath.exp(-h * h * (1 + x * x) / 2) / (1 + x * x)  # noqa: E731
    pts = [0, a] if abs(a) <= 1 else [0, mpmath.sign(a), a]
    return mpmath.quad(f, pts) / (2 * mpmath.pi)


def _mp_upper_orthant(h, k, r):
    """P(Z1 > h, Z2 > k) by Owen (1956) in high precision (h, k nonzero)."""
    h, k, r = -mpmath.mpf(h), -mpmath.mpf(k), mpmath.mpf(r)
    tiny = mpmath.mpf(10) ** (5 - mpmath.mp.dps)  # the formula's h = 0 or k = 0 limit, continuously
    h, k = (tiny if h == 0 else h), (tiny if k == 0 else k)
    c = mpmath.sqrt(1 - r * r)
    beta = 0 if h * k > 0 else mpmath.mpf(1) / 2
    return ((mpmath.ncdf(h) + mpmath.ncdf(k)) / 2 - _mp_owens_t(h, (k - r * h) / (h * c))
            - _mp_owens_t(k, (h - r * k) / (k * c)) - beta)


def _mp_orthant(mean, cov):
    s1, s2 = mpmath.sqrt(cov[0, 0]), mpmath.sqrt(cov[1, 1])
    return _mp_upper_orthant(-mean[0] / s1, -mean[1] / s2, cov[0, 1] / (s1 * s2))


def _mp_full_support(gram, m, ell, lam2=0):
    """sum_s P(D_s b_s > 0), b_s = A^{-1}(z - l s), z ~ N(G m, G), in mpmath matrices."""
    g = mpmath.matrix(np.asarray(gram).tolist())
    a_inv = (g + lam2 * mpmath.eye(2)) ** -1
    cov = a_inv * g * a_inv
    total = 0
    for s in itertools.product((1, -1), repeat=2):
        d = mpmath.diag(list(s))
        mean = d * a_inv * (g * mpmath.matrix(list(m)) - ell * mpmath.matrix(list(s)))
        total += _mp_orthant(mean, d * cov * d)
    return total


def _mp_constrained(gram, m, t):
    """sum over the vertices v of P(z in G v + cone(n1, n2))."""
    g = mpmath.matrix(np.asarray(gram).tolist())
    total = 0
    for v, n1, n2 in [((t, 0), (1, 1), (1, -1)), ((-t, 0), (-1, 1), (-1, -1)),
                      ((0, t), (1, 1), (-1, 1)), ((0, -t), (1, -1), (-1, -1))]:
        n_inv = mpmath.matrix([[n1[0], n2[0]], [n1[1], n2[1]]]) ** -1
        mean = n_inv * g * (mpmath.matrix(list(m)) - mpmath.matrix(list(v)))
        total += _mp_orthant(mean, n_inv * g * n_inv.T)
    return total


# ------------------------------------------------------------ brute-force solvers


def _kkt_zero_counts(z, gram, ell, lam2=0.0):
    """Number of zeros of the elastic-net solution for each row of z, by enumerating the KKT cases.

    For each support S and signs s_S: b_S = A_SS^{-1}(z_S - l s_S) must have signs
    s_S and |z_j - G_jS b_S| <= l off S.  Exactly one case holds per row.
    """
    n, p = z.shape
    a_mat = gram + lam2 * np.eye(p)
    zeros = np.full(n, -1)
    hits = np.zeros(n, dtype=int)
    for size in range(p + 1):
        for support in itertools.combinations(range(p), size):
            rest = [j for j in range(p) if j not in support]
            for signs in itertools.product((1.0, -1.0), repeat=size):
                ok = np.ones(n, dtype=bool)
                if size:
                    s = np.array(signs)
                    sup = list(support)
                    b = np.linalg.solve(a_mat[np.ix_(sup, sup)], (z[:, sup] - ell * s).T).T
                    ok &= np.all(b * s > 0, axis=1)
                    fit = b @ gram[np.ix_(rest, sup)].T if rest else np.zeros((n, 0))
                else:
                    fit = np.zeros((n, p))
                ok &= np.all(np.abs(z[:, rest] - fit) <= ell, axis=1)
                zeros[ok] = p - size
                hits += ok
    assert np.all(hits == 1), "the KKT cases must partition the draws"
    return zeros


def _constrained_is_sparse(bh, gram, t):
    """The G-projection of each row on the 2-d L1 ball, by minimising over the four edges."""
    inside = np.abs(bh).sum(axis=1) <= t
    best = np.full(len(bh), np.inf)
    sparse = np.zeros(len(bh), dtype=bool)
    vertices = [np.array(v, float) for v in ((t, 0), (0, t), (-t, 0), (0, -t))]
    for a, b in zip(vertices, vertices[1:] + vertices[:1]):
        d = b - a
        tau = np.clip(((bh - a) @ gram @ d) / (d @ gram @ d), 0.0, 1.0)
        point = a + tau[:, None] * d
        diff = point - bh
        obj = np.einsum("ni,ij,nj->n", diff, gram, diff)
        better = obj < best
        best = np.where(better, obj, best)
        sparse = np.where(better, (tau == 0.0) | (tau == 1.0), sparse)
    return sparse & ~inside


def _draw_z(gram, m, n, seed):
    """z = G beta_hat, beta_hat ~ N(m, G^{-1}): z ~ N(G m, G)."""
    rng = np.random.default_rng(seed)
    return gram @ m + rng.standard_normal((n, len(m))) @ np.linalg.cholesky(gram).T


# ------------------------------------------------------------ G = I


ORTHO_CASES = [([1.0, 0.3], 1.0, 0.5), ([40.0, 40.0], 1.0, 1.0), ([0.2, -3.0, 1.0], 0.7, 0.9),
               ([1.0, -2.0, 0.5, 0.0, 3.0], 2.0, 1.5), ([0.4], 1.0, 0.3)]


@pytest.mark.parametrize("beta, sigma, level", ORTHO_CASES)
@pytest.mark.parametrize("form", ["lam", "radius"])
def test_identity_reproduces_orthonormal_closed_form(beta, sigma, level, form):
    p = len(beta)
    for design in (orthonormal(p), equicorrelated(p, 0.0), from_gram(np.eye(p))):
        for lam2 in ((0.0, 0.8) if form == "lam" else (0.0,)):
            got = exact_corr(beta, sigma, design, lam2=lam2, **{form: level})
            want = exact_sparse_probability(beta, sigma, **{form: level})
            if want is None:
                assert got is None
                continue
            assert got.probability == pytest.approx(want.probability, rel=1e-15, abs=0)
            assert got.log_probability == pytest.approx(want.log_probability, rel=1e-15)
            assert_allclose(got.zeros_pmf, want.zeros_pmf, rtol=1e-15, atol=0)


@pytest.mark.parametrize("beta, level", [([1.0, 0.3], 0.5), ([-2.0, 0.1], 1.3), ([0.0, 0.0], 0.05),
                                         ([3.0, -4.0], 2.0), ([0.3, 0.2], 4.0)])
def test_general_route_at_identity(beta, level):
    """The correlated code itself (not the orthonormal shortcut) with G = I."""
    m, g = np.array(beta), np.eye(2)
    want = exact_sparse_probability(m, lam=level)
    got = ec._penalized_p2(g, g, m, level)
    assert got.probability == pytest.approx(want.probability, rel=1e-12)
    assert_allclose(got.zeros_pmf, want.zeros_pmf, rtol=1e-11, atol=1e-300)
    log_full, _ = ec._penalized_p2_orthants(g, g, m, level)
    assert 1 - np.exp(log_full) == pytest.approx(want.probability, abs=1e-14)
    want_c = exact_sparse_probability(m, radius=level)
    assert ec._constrained_p2(g, m, level).probability == pytest.approx(want_c.probability, rel=1e-12)
    g3, m3 = np.eye(3), np.array(beta + [0.7])
    prob, error = ec._penalized_qmc(g3, g3, m3, level, np.random.SeedSequence(0))
    assert error < 1e-12  # independent coordinates: separation of variables is exact
    assert prob == pytest.approx(exact_sparse_probability(m3, lam=level).probability, abs=1e-13)


# ------------------------------------------------------------ diagonal G: a product form


@pytest.mark.parametrize("diag, beta, sigma, lam, lam2", [
    ([2.0, 0.5], [1.0, 0.3], 1.0, 0.5, 0.0),
    ([4.0, 0.25], [-0.7, 2.0], 0.8, 1.1, 0.6),
    ([1.5, 3.0, 0.7], [0.2, -1.0, 0.9], 1.2, 0.8, 0.0),
    ([1.5, 3.0, 0.7, 2.0, 0.9], [0.2, -1.0, 0.9, 0.0, 1.5], 1.0, 0.6, 0.3),
])
def test_diagonal_design_against_mpmath_product(diag, beta, sigma, lam, lam2):
    """G = diag(d): z_j = d_j beta_hat_j ~ N(d_j beta_j, sigma^2 d_j) independent, zero iff |z_j| <= lam."""
    with mpmath.workdps(40):
        q = [mpmath.ncdf((lam - d * b) / (sigma * mpmath.sqrt(d))) - mpmath.ncdf((-lam - d * b) / (sigma * mpmath.sqrt(d)))
             for d, b in zip(diag, beta)]
        want = 1 - mpmath.fprod([1 - x for x in q])
    res = exact_corr(beta, sigma, from_gram(np.diag(diag)), lam=lam, lam2=lam2)
    assert res.probability == pytest.approx(float(want), rel=1e-11)
    assert res.error < 1e-10
    if len(diag) == 2:
        k2 = float(q[0] * q[1])
        assert res.zeros_pmf[2] == pytest.approx(k2, rel=1e-11)


# ------------------------------------------------------------ tails against 60 digits


TAIL_PENALIZED = [
    ([1.0, 0.3], 1.0, 0.5, 0.6, 0.0, 30),
    ([9.0, -7.0], 1.0, 1.0, 0.6, 0.0, 30),  # 1.6e-4 where 1 - sum_s cancels
    ([12.0, 10.0], 1.0, 0.5, -0.8, 0.0, 30),
    ([20.0, 25.0], 1.0, 2.0, 0.3, 0.0, 140),  # about 1e-79
    ([30.0, 30.0], 1.0, 1.0, 0.5, 0.0, 200),  # 2e-142
    ([45.0, 40.0], 1.0, 0.5, 0.2, 0.0, 400),  # below the smallest float: only the log survives
    ([15.0, -14.0], 0.9, 0.7, -0.9, 0.0, 120),
    ([6.0, 5.0], 1.0, 0.8, 0.4, 1.5, 40),  # elastic net
    ([0.1, 0.05], 1.0, 5.0, 0.6, 0.0, 30),  # P(sparse) next to 1: pmf[0] is the tail
    ([-0.3, 0.2], 0.5, 3.0, -0.7, 0.4, 30),
]


@pytest.mark.parametrize("beta, sigma, lam, rho, lam2, dps", TAIL_PENALIZED)
def test_penalized_p2_tails_against_mpmath(beta, sigma, lam, rho, lam2, dps):
    design = equicorrelated(2, rho)
    with mpmath.workdps(dps):
        full = _mp_full_support(design.gram, [mpmath.mpf(b) / sigma for b in beta], mpmath.mpf(lam) / sigma, lam2)
        sparse = 1 - full
        log_sparse, log_full = float(mpmath.log(sparse)), float(mpmath.log(full))
    res = exact_corr(beta, sigma, design, lam=lam, lam2=lam2)
    assert res.log_probability == pytest.approx(log_sparse, rel=1e-10, abs=1e-10 * abs(log_sparse) + 1e-300)
    assert np.log(res.zeros_pmf[0]) == pytest.approx(log_full, rel=1e-10, abs=1e-13)
    if res.probability > 1e-300:
        assert res.probability == pytest.approx(float(sparse), rel=1e-10)
    assert res.error <= 1e-10 * res.probability + 1e-300


TAIL_CONSTRAINED = [
    ([1.0, 0.3], 1.0, 1.0, 0.6, 30),
    ([5.0, 4.5], 1.0, 1.0, 0.6, 30),
    ([8.0, 7.0], 1.0, 1.0, -0.7, 40),
    ([12.0, 11.5], 0.8, 2.0, 0.9, 120),
    ([0.2, -0.1], 1.0, 6.0, -0.5, 40),  # far inside the ball: tiny
]


@pytest.mark.parametrize("beta, sigma, t, rho, dps", TAIL_CONSTRAINED)
def test_constrained_p2_tails_against_mpmath(beta, sigma, t, rho, dps):
    design = ar1(2, rho)
    with mpmath.workdps(dps):
        want = _mp_constrained(design.gram, [mpmath.mpf(b) / sigma for b in beta], mpmath.mpf(t) / sigma)
        log_want = float(mpmath.log(want))
    res = exact_corr(beta, sigma, design, radius=t)
    assert res.log_probability == pytest.approx(log_want, rel=1e-10)
    assert res.probability == pytest.approx(float(want), rel=1e-10)


def test_orthant_owen_and_quadrature_routes_against_mpmath():
    rng = np.random.default_rng(11)
    for _ in range(20):
        h, k = rng.normal(scale=4.0, size=2)
        r = rng.uniform(-0.99, 0.99)
        with mpmath.workdps(60):
            want = float(mpmath.log(_mp_upper_orthant(h, k, r)))
        got, rel_err = ec._log_upper_orthant(h, k, r)
        assert got == pytest.approx(want, rel=1e-11, abs=1e-12)
        assert rel_err < 1e-10
        hh, kk = max(h, k), min(h, k)  # the quadrature route alone
        c = np.sqrt(1 - r * r)
        quad, _ = ec._log_integral(lambda x: ec._log_phi(x) + float(stats.norm.logcdf((r * x - kk) / c)), hh, np.inf)
        assert quad == pytest.approx(want, rel=1e-11, abs=1e-12)


def test_p2_routes_agree():
    """Where both are accurate, 1 - sum of orthants equals the direct sum of the sparse pieces."""
    rng = np.random.default_rng(5)
    for _ in range(25):
        rho, scales = rng.uniform(-0.9, 0.9), rng.uniform(0.5, 2.0, size=2)
        g = np.array([[1.0, rho], [rho, 1.0]]) * np.outer(scales, scales)
        m, ell, lam2 = rng.normal(scale=1.5, size=2), rng.uniform(0.05, 2.0), rng.choice([0.0, 0.7])
        a = g + lam2 * np.eye(2)
        log_full, _ = ec._penalized_p2_orthants(g, a, m, ell)
        (log_box, _), strips = ec._penalized_p2_pieces(g, a, m, ell)
        direct = np.exp(log_box) + sum(np.exp(s[0]) for s in strips)
        assert 1 - np.exp(log_full) == pytest.approx(direct, abs=1e-13)


# ------------------------------------------------------------ symmetries


def test_permutation_sign_flip_and_scale_invariance():
    gram = np.array([[2.0, 0.7, -0.3], [0.7, 1.0, 0.2], [-0.3, 0.2, 1.5]])
    beta, sigma, lam = np.array([1.0, -0.4, 0.6]), 0.9, 0.7
    g2, b2 = gram[:2, :2], beta[:2]
    base2 = exact_corr(b2, sigma, from_gram(g2), lam=lam, lam2=0.4)
    base2c = exact_corr(b2, sigma, from_gram(g2), radius=lam)
    for perm in ([0, 1], [1, 0]):
        for signs in itertools.product((1.0, -1.0), repeat=2):
            d = np.diag(signs)[perm]  # permutation times sign flip: P D
            design = from_gram(d @ g2 @ d.T)
            res = exact_corr(d @ b2, sigma, design, lam=lam, lam2=0.4)
            assert res.probability == pytest.approx(base2.probability, rel=1e-12)
            assert_allclose(res.zeros_pmf, base2.zeros_pmf, rtol=1e-11)
            assert exact_corr(d @ b2, sigma, design, radius=lam).probability == pytest.approx(
                base2c.probability, rel=1e-12)
    for scale in (1e-4, 3.0, 1e5):
        res = exact_corr(b2 * scale, sigma * scale, from_gram(g2), lam=lam * scale, lam2=0.4)
        assert res.probability == pytest.approx(base2.probability, rel=1e-12)
        res = exact_corr(b2 * scale, sigma * scale, from_gram(g2), radius=lam * scale)
        assert res.probability == pytest.approx(base2c.probability, rel=1e-12)
    # p = 3: quasi-Monte Carlo values, equal within their error bounds
    base3 = exact_corr(beta, sigma, from_gram(gram), lam=lam)
    d = np.diag([1.0, -1.0, -1.0])[[2, 0, 1]]
    res = exact_corr(d @ beta, sigma, from_gram(d @ gram @ d.T), lam=lam, rng=1)
    assert abs(res.probability - base3.probability) <= res.error + base3.error
    res = exact_corr(beta * 4.0, sigma * 4.0, from_gram(gram), lam=lam * 4.0)
    assert res.probability == pytest.approx(base3.probability, abs=1e-14)  # same rng: same points


# ------------------------------------------------------------ brute-force Monte Carlo


def test_kkt_enumeration_matches_scikit_learn():
    from sklearn.linear_model import ElasticNet, Lasso

    gram = ar1(4, 0.6).gram
    m, ell = np.array([1.0, -0.5, 0.3, 0.0]), 0.6
    x = np.linalg.cholesky(gram).T  # X^T X = G with n = p rows
    z = _draw_z(gram, m, 40, seed=9)
    for lam2 in (0.0, 0.5):
        zeros = _kkt_zero_counts(z, gram, ell, lam2)
        for zi, k in zip(z, zeros):
            y = np.linalg.solve(x.T, zi)
            n = x.shape[0]
            if lam2 == 0.0:
                model = Lasso(alpha=ell / n, fit_intercept=False, tol=1e-12, max_iter=100000)
            else:  # n alpha l1_ratio = lam, n alpha (1 - l1_ratio) = lam2
                model = ElasticNet(alpha=(ell + lam2) / n, l1_ratio=ell / (ell + lam2), fit_intercept=False,
                                   tol=1e-12, max_iter=100000)
            coef = model.fit(x, y).coef_
            assert np.sum(coef == 0.0) == k


MC_CASES = [
    (2, equicorrelated(2, 0.6), [1.0, 0.3], 1.0, 0.5, 0.0),
    (2, ar1(2, -0.8), [0.5, 1.5], 0.7, 0.4, 0.5),
    (3, equicorrelated(3, 0.4), [1.0, -0.5, 0.3], 1.0, 0.6, 0.0),
    (3, ar1(3, -0.7), [2.0, 0.0, -1.0], 1.2, 0.9, 0.3),
    (5, equicorrelated(5, 0.3), [1.0, -0.5, 0.3, 2.0, 0.0], 1.0, 0.5, 0.0),
    (5, ar1(5, 0.8), [1.5, 1.0, -0.5, 0.3, 2.0], 1.0, 0.7, 0.0),
]


@pytest.mark.parametrize("p, design, beta, sigma, lam, lam2", MC_CASES)
def test_penalized_against_brute_force_monte_carlo(p, design, beta, sigma, lam, lam2):
    n = 20_000
    gram = np.array(design.gram)
    z = _draw_z(gram, np.array(beta) / sigma, n, seed=100 + p)
    zeros = _kkt_zero_counts(z, gram, lam / sigma, lam2)
    res = exact_corr(beta, sigma, design, lam=lam, lam2=lam2)
    assert res.error < 1e-4
    assert stats.binomtest(int(np.sum(zeros > 0)), n, res.probability).pvalue > ALPHA
    if p == 2:
        for k in (1, 2):
            assert stats.binomtest(int(np.sum(zeros == k)), n, res.zeros_pmf[k]).pvalue > ALPHA


@pytest.mark.parametrize("design, beta, sigma, t", [
    (equicorrelated(2, 0.6), [1.0, 0.3], 1.0, 1.0),
    (ar1(2, -0.8), [2.0, -1.0], 1.0, 1.5),
    (from_gram([[2.0, 0.9], [0.9, 0.6]]), [0.5, 1.5], 0.8, 0.7),
])
def test_constrained_against_brute_force_monte_carlo(design, beta, sigma, t):
    n = 20_000
    rng = np.random.default_rng(77)
    bh = np.array(beta) + sigma * rng.standard_normal((n, 2)) @ design.covariance_cholesky.T
    sparse = _constrained_is_sparse(bh, np.array(design.gram), t)
    res = exact_corr(beta, sigma, design, radius=t)
    assert stats.binomtest(int(sparse.sum()), n, res.probability).pvalue > ALPHA


# ------------------------------------------------------------ QMC error bound


def _block(*blocks):
    p = sum(b.shape[0] for b in blocks)
    g, i = np.zeros((p, p)), 0
    for b in blocks:
        g[i:i + b.shape[0], i:i + b.shape[0]] = b
        i += b.shape[0]
    return g


@pytest.mark.parametrize("blocks, beta, lam, lam2", [
    ([[0.6], [1.0]], [1.0, 0.3, 0.8], 0.5, 0.0),
    ([[-0.8], [0.5]], [1.0, -0.3, 0.4, 1.2], 0.6, 0.0),
    ([[0.9], [-0.6], [1.0]], [0.4, 1.5, -1.0, 0.2, 2.0], 0.7, 0.4),
])
def test_qmc_error_bound_is_honest_on_block_diagonal_designs(blocks, beta, lam, lam2):
    """Independent blocks: P(full support) is the product of the blocks' p = 2 / p = 1 values."""
    grams = [np.array([[1.0, b[0]], [b[0], 1.0]]) if len(b) == 1 and b[0] != 1.0 else np.array([[1.0]])
             for b in blocks]
    gram, beta = _block(*grams), np.array(beta)
    full, i = 1.0, 0
    for g in grams:
        q = g.shape[0]
        part = exact_corr(beta[i:i + q], 1.0, from_gram(g), lam=lam, lam2=lam2)
        full *= 1.0 - part.probability
        i += q
    for seed in (0, 1):
        res = exact_corr(beta, 1.0, from_gram(gram), lam=lam, lam2=lam2, rng=seed)
        assert abs(res.probability - (1.0 - full)) <= res.error
        assert res.error < 2e-4


def test_qmc_is_deterministic_and_consistent_across_seeds():
    design, beta = ar1(5, 0.6), [1.0, -0.5, 0.3, 2.0, 0.1]
    a = exact_corr(beta, 1.0, design, lam=0.6, rng=3)
    b = exact_corr(beta, 1.0, design, lam=0.6, rng=np.random.SeedSequence(3))
    assert a == b or (a.probability == b.probability and a.error == b.error)
    c = exact_corr(beta, 1.0, design, lam=0.6, rng=4)
    assert abs(a.probability - c.probability) <= a.error + c.error
    assert a.zeros_pmf is None and 0 < a.error < 1e-3


def test_a_wrong_candidate_mean_is_detected(monkeypatch):
    """A sign error in b_s's mean moves the p = 3 value far outside its bound."""
    gram, beta = _block(np.array([[1.0, 0.6], [0.6, 1.0]]), np.array([[1.0]])), [1.0, 0.3, 0.8]
    good = exact_corr(beta, 1.0, from_gram(gram), lam=0.5)

    def wrong(gram, a_inv, m, ell, signs):
        means, cov = _candidate_moments(gram, a_inv, m, ell, signs)
        return means + 2 * ell * signs @ a_inv.T, cov  # + l A^{-1} s instead of - l A^{-1} s

    _candidate_moments = ec._candidate_moments
    monkeypatch.setattr(ec, "_candidate_moments", wrong)
    bad = exact_corr(beta, 1.0, from_gram(gram), lam=0.5)
    assert abs(bad.probability - good.probability) > 100 * (good.error + bad.error)


# ------------------------------------------------------------ edges and bad input


def test_ridge_least_squares_and_unsupported_sizes():
    d3 = equicorrelated(3, 0.5)
    for kw in ({"lam": 0.7}, {"radius": 0.7}):
        res = exact_corr([1.0, 0.0, 2.0], 1.0, d3, estimator="ridge", **kw)
        assert res.probability == 0.0 and res.log_probability == -np.inf
        assert_allclose(res.zeros_pmf, [1.0, 0.0, 0.0, 0.0])
    res = exact_corr([1.0, 0.0], 1.0, equicorrelated(2, 0.5), lam=0.0)
    assert res.probability == 0.0 and res.zeros_pmf[0] == 1.0
    assert exact_corr([1.0, 0.0, 2.0], 1.0, d3, radius=1.0) is None
    assert exact_corr(np.ones(13), 1.0, equicorrelated(13, 0.2), lam=1.0) is None


def test_p1_scales_the_threshold():
    """p = 1, G = [g]: zero iff |g beta_hat| <= lam, beta_hat ~ N(beta, sigma^2/g)."""
    g, beta, sigma, lam = 2.5, 0.4, 0.8, 0.9
    res = exact_corr([beta], sigma, from_gram([[g]]), lam=lam)
    sd = sigma / np.sqrt(g)
    want = stats.norm.cdf((lam / g - beta) / sd) - stats.norm.cdf((-lam / g - beta) / sd)
    assert res.probability == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("kwargs, parameter", [
    ({"design": equicorrelated(3, 0.2)}, "design"),
    ({"lam": -0.1}, "lam"),
    ({"lam": None}, "lam"),
    ({"radius": 1.0}, "lam"),
    ({"lam": None, "radius": 0.0}, "radius"),
    ({"lam2": -1.0}, "lam2"),
    ({"lam": None, "radius": 1.0, "lam2": 0.5}, "lam2"),
    ({"sigma": 0.0}, "sigma"),
    ({"sigma": float("inf")}, "sigma"),
    ({"beta": [1.0, float("nan")]}, "beta"),
    ({"estimator": "elastic"}, "estimator"),
    ({"rng": -1}, "rng"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    args = {"beta": [1.0, 0.3], "sigma": 1.0, "design": equicorrelated(2, 0.5), "lam": 0.5}
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        exact_corr(args.pop("beta"), args.pop("sigma"), args.pop("design"), **args)
    assert info.value.parameter == parameter


def test_wrong_types():
    with pytest.raises(TypeError):
        exact_corr([1.0, 0.3], 1.0, np.eye(2), lam=0.5)
    with pytest.raises(TypeError):
        exact_corr([1.0, 0.3], 1.0, equicorrelated(2, 0.5), lam="0.5")
    with pytest.raises(TypeError):
        exact_corr([1.0, 0.3], 1.0, equicorrelated(2, 0.5), lam=0.5, rng=1.5)


def test_no_nan_for_extreme_finite_inputs_p2():
    rng = np.random.default_rng(0)
    for _ in range(100):
        beta = rng.choice([-1, 1], 2) * 10 ** rng.uniform(-6, 2.5, 2)
        sigma = 10 ** rng.uniform(-1, 1)
        design = ar1(2, rng.uniform(-0.95, 0.95))
        level = 10 ** rng.uniform(-8, 2.5)
        with np.errstate(invalid="raise"), warnings.catch_warnings():
            warnings.simplefilter("error")
            for res in (exact_corr(beta, sigma, design, lam=level), exact_corr(beta, sigma, design, radius=level)):
                assert 0.0 <= res.probability <= 1.0 and not np.isnan(res.log_probability)
                assert res.log_probability > -np.inf  # no silent 0.0: the log stays finite
                assert np.all(np.isfinite(res.zeros_pmf)) and np.isfinite(res.error)


def test_qmc_default_bound_is_a_quarter_of_a_1e7_run_se():
    """Issue 22 item 2: p = 6 (three correlated 2 x 2 blocks), P(sparse) away from 0 and 1.

    The default bound must be <= ~1e-5 (a 1e7-draw run's SE here is ~1.5e-4) and cover the
    block product, computed from the p = 2 routes (Owen's T / quadrature, error < 1e-12).
    """
    blocks = [np.array([[1.0, r], [r, 1.0]]) for r in (0.7, -0.5, 0.3)]
    gram, beta, lam = _block(*blocks), np.array([1.5, 0.8, -1.2, 1.0, 2.0, -0.6]), 0.3
    full = 1.0
    for i, g in enumerate(blocks):
        full *= 1.0 - exact_corr(beta[2 * i:2 * i + 2], 1.0, from_gram(g), lam=lam).probability
    for seed in (0, 1):
        res = exact_corr(beta, 1.0, from_gram(gram), lam=lam, rng=seed)
        assert 0.1 < res.probability < 0.9
        assert res.error <= 1.2e-5 and abs(res.probability - (1.0 - full)) <= res.error
