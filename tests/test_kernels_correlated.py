"""Exact lasso under a correlated design: numpy references against scikit-learn, kernels against references.

Independent computations used: scikit-learn's ``Lasso``/``ElasticNet`` fitted on real designs ``X`` with
``X^T X = G`` and its ``lars_path_gram`` (interpolated on the path's knots), the orthonormal kernels of
``mc_sparsity._mc.kernels`` on the same random stream, and bivariate normal orthant probabilities of the
geometric regions (scipy) for a binomial test of the Monte Carlo counts (level 1e-4, two-sided).
"""


import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._mc.orthonormal import constrained_kernel, penalized_kernel
from mc_sparsity._exact.lasso_enumeration import constrained_lasso_gram_solve, lasso_gram_solve
from mc_sparsity._mc.kernels_constrained import constrained_correlated_kernel
from mc_sparsity._mc.kernels_correlated import _p2_penalized_class, penalized_correlated_kernel

DESIGNS = [("ar1", 0.5), ("equi", 0.6), ("equi", -0.3)]
# equicorrelation rho is positive definite iff -1/(p-1) < rho < 1: rho = -0.3 only up to p = 4.


def gram(kind, p, rho):
    if kind == "ar1":
        return rho ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    if kind == "equi":
        if p == 2 or rho > -1 / (p - 1):
            return (1 - rho) * np.eye(p) + rho * np.ones((p, p))
    raise ValueError(kind)


def equi_ok(kind, p, rho):
    return kind != "equi" or rho > -1 / (p - 1)


def real_design(G, n, seed):
    """X (n x p) with X^T X = G: orthonormal columns Q times the upper Cholesky factor R."""
    rng = np.random.default_rng(seed)
    Q, _ = np.linalg.qr(rng.standard_normal((n, G.shape[0])))
    R = np.linalg.cholesky(G).T
    return Q, Q @ R, R


def response_for(Q, R, z, seed):
    """y with X^T y = z, plus a component orthogonal to the columns of X."""
    rng = np.random.default_rng(seed)
    y = Q @ np.linalg.solve(R.T, z)
    noise = rng.standard_normal(Q.shape[0])
    return y + noise - Q @ (Q.T @ noise)


def run(kernel, n, seed):
    counts = np.zeros(kernel.counts_shape, dtype=np.int64)
    sums = np.zeros(kernel.sums_shape)
    kernel.function(np.random.default_rng(seed), n, *kernel.args, counts, sums)
    return counts


def same_draws(beta, sigma, G, n, seed):
    """The kernels' draws re-created in numpy: beta_hat = beta + sigma L eps, z = G beta_hat."""
    L = np.linalg.cholesky(np.linalg.inv(G))
    eps = np.random.default_rng(seed).standard_normal((n, len(beta)))
    bh = beta + sigma * eps @ L.T
    return bh, bh @ G



# --------------------------------------------------------------------- numpy references vs scikit-learn

@pytest.mark.parametrize("p, kind, rho", [(p, kind, rho) for p in (2, 3, 5, 8) for kind, rho in DESIGNS
                                           if equi_ok(kind, p, rho)])  # only positive definite designs
def test_lasso_reference_matches_sklearn_lasso(p, kind, rho):
    from sklearn.linear_model import Lasso

    G = gram(kind, p, rho)
    n = 40
    Q, X, R = real_design(G, n, seed=p)
    rng = np.random.default_rng(100 + p)
    beta = np.linspace(1.0, -0.5, p)
    zs = (beta + rng.standard_normal((12, p)) @ np.linalg.cholesky(np.linalg.inv(G)).T) @ G
    lam = 0.7
    b, slack = lasso_gram_solve(G, zs, lam, return_slack=True)
    assert np.all(slack > 1e-6)
    n_zero_seen = 0
    for i, z in enumerate(zs):
        y = response_for(Q, R, z, seed=i)
        assert_allclose(X.T @ y, z, atol=1e-12)
        fit = Lasso(alpha=lam / n, fit_intercept=False, tol=1e-12, max_iter=10**6).fit(X, y)
        assert_allclose(b[i], fit.coef_, atol=1e-7)
        assert_array_equal(b[i] == 0.0, fit.coef_ == 0.0)
        n_zero_seen += np.sum(b[i] == 0.0)
    assert n_zero_seen > 0  # the comparison included exact zeros


def test_elastic_net_reference_matches_sklearn():
    from sklearn.linear_model import ElasticNet

    p, n = 5, 30
    G = gram("ar1", p, 0.5)
    Q, X, R = real_design(G, n, seed=3)
    lam, lam2 = 0.6, 0.4
    alpha, l1_ratio = (lam + lam2) / n, lam / (lam + lam2)
    zs = np.random.default_rng(4).standard_normal((10, p)) * 1.5
    b = lasso_gram_solve(G, zs, lam, lam2)
    for i, z in enumerate(zs):
        y = response_for(Q, R, z, seed=i)
        fit = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-12, max_iter=10**6).fit(X, y)
        assert_allclose(b[i], fit.coef_, atol=1e-7)
        assert_array_equal(b[i] == 0.0, fit.coef_ == 0.0)


def _path_at(alphas, coefs, alpha):
    """The lasso path (piecewise linear between knots, alphas decreasing) at ``alpha``."""
    return np.array([np.interp(alpha, alphas[::-1], c[::-1]) for c in coefs])


@pytest.mark.parametrize("kind,rho", [("ar1", 0.5), ("equi", 0.6), ("equi", -0.1)])
def test_lasso_reference_matches_lars_path_gram_p10(kind, rho):
    from sklearn.linear_model import lars_path_gram

    p, n = 10, 50
    G = gram(kind, p, rho)
    rng = np.random.default_rng(7)
    zs = rng.standard_normal((4, p)) @ np.linalg.cholesky(G).T * 1.5
    for lam in (0.4, 1.2):
        b = lasso_gram_solve(G, zs, lam)
        for i, z in enumerate(zs):
            alphas, _, coefs = lars_path_gram(Xy=z, Gram=G, n_samples=n, method="lasso", alpha_min=0.0)
            expected = _path_at(alphas, coefs, lam / n)
            assert_allclose(b[i], expected, atol=1e-9)
            assert_array_equal(b[i] == 0.0, np.abs(expected) < 1e-12)


@pytest.mark.parametrize("p,kind,rho", [(2, "ar1", 0.5), (3, "equi", 0.6), (4, "equi", -0.3), (8, "ar1", 0.5)])
def test_constrained_reference_is_the_point_of_the_lasso_path_with_l1_norm_t(p, kind, rho):
    from sklearn.linear_model import lars_path_gram

    G = gram(kind, p, rho)
    rng = np.random.default_rng(11 + p)
    t = 1.0
    bh = rng.standard_normal((6, p)) * 2.0
    bh[0] = 0.1 / p  # inside the ball: b = beta_hat
    b, slack = constrained_lasso_gram_solve(G, bh, t, return_slack=True)
    assert np.all(slack > 1e-6)
    assert_array_equal(b[0], bh[0])
    for i in range(1, len(bh)):
        z = G @ bh[i]
        alphas, _, coefs = lars_path_gram(Xy=z, Gram=G, n_samples=1, method="lasso", alpha_min=0.0)
        l1 = np.abs(coefs).sum(axis=0)  # increasing along the path (alphas decreasing)
        assert l1[-1] > t
        j = np.searchsorted(l1, t)  # knots j-1, j bracket ||b||_1 = t; linear between them
        f = (t - l1[j - 1]) / (l1[j] - l1[j - 1])
        expected = coefs[:, j - 1] + f * (coefs[:, j] - coefs[:, j - 1])
        assert_allclose(b[i], expected, atol=1e-9)
        assert_array_equal(b[i] == 0.0, np.abs(expected) < 1e-12)
        assert_allclose(np.abs(b[i]).sum(), t, rtol=1e-12)


def test_constrained_reference_is_optimal_against_random_feasible_points():
    G = gram("equi", 3, 0.6)
    rng = np.random.default_rng(5)
    t = 1.0
    for bh in rng.standard_normal((10, 3)) * 2:
        b = constrained_lasso_gram_solve(G, bh, t)
        obj = (b - bh) @ G @ (b - bh)
        w = rng.standard_normal((4000, 3))
        w *= t * rng.uniform(0, 1, (4000, 1)) ** (1 / 3) / np.abs(w).sum(axis=1, keepdims=True)
        d = w - bh
        assert np.all(np.einsum("ij,jk,ik->i", d, G, d) >= obj - 1e-12)


# --------------------------------------------------------------------- kernels vs references, same draws

CASES = [(2, "ar1", 0.5, 20000), (2, "equi", -0.3, 20000), (3, "equi", 0.6, 4000), (3, "equi", -0.3, 4000),
         (4, "equi", -0.3, 2500), (5, "ar1", 0.5, 1500), (5, "equi", 0.6, 1500), (10, "ar1", 0.5, 150), (10, "equi", 0.6, 150),
         # strongly correlated: the active-set steps certify no pattern for most draws, which the kernel then
         # solves after its batch (LARS, coordinate descent); 600 draws: batches of 128 and a partial one
         (6, "ar1", 0.95, 600)]


@pytest.mark.parametrize("p,kind,rho,n", CASES)
def test_penalized_kernel_counts_equal_the_reference_on_the_same_draws(p, kind, rho, n, tally_of):
    G = gram(kind, p, rho)
    beta = np.linspace(1.0, -0.5, p)
    sigma, seed = 1.0, 17 + p
    lams, lam2s = [0.5, 1.5, 0.5, 0.0], [0.0, 0.0, 0.4, 0.7]
    if p == 10:  # the reference enumerates 3^10 patterns per estimator: two L1 estimators and ridge
        lams, lam2s = [0.5, 1.5, 0.0], [0.0, 0.4, 0.7]
    counts = run(penalized_correlated_kernel(beta, sigma, G, None, lams, lam2s), n, seed)
    _, z = same_draws(beta, sigma, G, n, seed)
    for e, (lam, lam2) in enumerate(zip(lams, lam2s)):
        b, slack = lasso_gram_solve(G, z, lam, lam2, return_slack=True)
        assert np.all(slack > 1e-7)
        assert_array_equal(counts[e], tally_of(b, beta))  # zeros in and off the support, signs, 0 uncertified
    assert np.count_nonzero(counts[0, :-2]) >= 2  # several outcomes occur


@pytest.mark.parametrize("p,kind,rho,n", CASES)
def test_constrained_kernel_counts_equal_the_reference_on_the_same_draws(p, kind, rho, n, tally_of):
    G = gram(kind, p, rho)
    beta = np.linspace(1.0, -0.5, p)
    sigma, seed, t = 1.0, 23 + p, 0.8 * np.sqrt(p)
    counts = run(constrained_correlated_kernel(beta, sigma, G, None, t), n, seed)
    bh, _ = same_draws(beta, sigma, G, n, seed)
    b, slack = constrained_lasso_gram_solve(G, bh, t, return_slack=True)
    assert np.all(slack > 1e-7)
    assert_array_equal(counts[0], tally_of(b, beta))
    assert np.count_nonzero(counts[0, :-2]) >= 2
    assert counts[1, 0] == n  # the L2-ball projection has no zero: every draw in the cell a = b = 0


@pytest.mark.parametrize("gamma", [0.5, 1.0])
def test_adaptive_lasso_is_the_weighted_lasso_of_each_draw(gamma, tally_of):
    """Weights 1/|beta_hat_j|^gamma: the reference solves the weighted problem of each draw by enumeration
    (b = D c, D = diag(|beta_hat|^gamma)); certified draws agree cell by cell, the rest are counted apart."""
    p, n, seed = 3, 3000, 41
    G = gram("ar1", p, 0.5)
    beta, sigma, lam = np.array([1.0, -0.4, 0.0]), 0.8, 0.6
    counts = run(penalized_correlated_kernel(beta, sigma, G, None, [lam], [0.0], [gamma]), n, seed)[0]
    bh, z = same_draws(beta, sigma, G, n, seed)
    ref = np.empty_like(bh)
    for i in range(n):
        d = np.abs(bh[i]) ** gamma
        c = lasso_gram_solve(d[:, None] * G * d[None, :], d * z[i], lam)
        ref[i] = d * c
    expected = tally_of(ref, beta)
    missing = expected[:-1] - counts[:-1]  # cells and signed hits: the uncertified draws are in the reference only
    assert np.all(missing >= 0) and missing[:-1].sum() == counts[-1]
    assert counts[-1] <= n // 100 and np.count_nonzero(counts[:-2]) >= 2


def test_table_and_factorized_solves_give_the_same_counts():
    G = gram("equi", 5, 0.6)
    beta = np.array([1.0, -0.5, 0.2, 0.0, 2.0])
    a = run(penalized_correlated_kernel(beta, 1.0, G, None, [0.8], [0.0]), 3000, 1)
    b = run(penalized_correlated_kernel(beta, 1.0, G, None, [0.8], [0.0], table_max_p=0), 3000, 1)
    assert_array_equal(a, b)
    a = run(constrained_correlated_kernel(beta, 1.0, G, None, 1.5), 3000, 1)
    b = run(constrained_correlated_kernel(beta, 1.0, G, None, 1.5, table_max_p=0), 3000, 1)
    assert_array_equal(a, b)


# --------------------------------------------------------------------- G = I: the orthonormal kernels

@pytest.mark.parametrize("p,n", [(2, 100000), (5, 30000)])
def test_identity_gram_matches_the_orthonormal_kernels(p, n):
    beta = np.linspace(1.0, -0.5, p)
    sigma, lam, radius, seed = 1.0, 0.6, 1.2, 99
    G = np.eye(p)
    mine = run(penalized_correlated_kernel(beta, sigma, G, np.eye(p), [lam, 0.0], [0.0, 0.8]), n, seed)
    # the orthonormal kernel: soft threshold at lam, ridge beta_hat / (1 + 0.8), no best subset
    ref = run(penalized_kernel(beta, sigma, [lam], [1.8], -1), n, seed)
    assert_array_equal(mine, ref)  # the whole tally: zeros, signed-support hits, none uncertified
    assert_array_equal(mine[:, -1], 0)
    assert 0 < mine[0, 0] < n and 0 < mine[0, -2] < n
    mine = run(constrained_correlated_kernel(beta, sigma, G, np.eye(p), radius), n, seed)
    ref = run(constrained_kernel(beta, sigma, radius), n, seed)
    assert_array_equal(mine, ref)
    assert 0 < mine[0, 0] < n
    assert_array_equal(mine[:, -1], 0)


# --------------------------------------------------------------------- Monte Carlo against the geometry

def _orthant(mean, cov):
    """P(U > 0, V > 0) for (U, V) ~ N(mean, cov): the lower orthant of -(U, V) (scipy's bvn)."""
    return stats.multivariate_normal(mean=-np.asarray(mean), cov=cov).cdf([0.0, 0.0])


def test_p2_penalized_lasso_frequency_against_orthant_probabilities():
    """P(no zero) = sum_s P(D_s beta_hat > lam D_s G^{-1} s) (MATH.md), binomial test at level 1e-4."""
    G = gram("ar1", 2, 0.5)
    Ginv = np.linalg.inv(G)
    beta, sigma, lam, n = np.array([1.0, 0.3]), 1.0, 0.5, 400000
    full = 0.0
    for s in ([1, 1], [1, -1], [-1, 1], [-1, -1]):
        D = np.diag(s)
        full += _orthant(D @ (beta - lam * Ginv @ np.array(s, float)), sigma**2 * D @ Ginv @ D)
    counts = run(penalized_correlated_kernel(beta, sigma, G, None, [lam], [0.0]), n, 2024)
    assert counts[0, 4] == 0  # cells a = 0, 1, 2 zeros; signed hits; uncertified
    assert stats.binomtest(int(counts[0, 0]), n, full).pvalue > 1e-4
    # both zero: |z_j| <= lam, z = G beta_hat ~ N(G beta, sigma^2 G): a rectangle
    both = stats.multivariate_normal(G @ beta, sigma**2 * G).cdf([lam, lam], lower_limit=[-lam, -lam])
    assert stats.binomtest(int(counts[0, 2]), n, both).pvalue > 1e-4


def test_p2_constrained_lasso_frequency_against_vertex_cones():
    """A vertex v = t s e_j is the solution iff beta_hat lies in v + G^{-1} (normal cone at v)."""
    G = gram("equi", 2, -0.3)
    Ginv = np.linalg.inv(G)
    beta, sigma, t, n = np.array([1.0, 0.3]), 1.0, 1.0, 400000
    cov = sigma**2 * Ginv
    p_vertex = 0.0
    for j in range(2):
        for s in (1.0, -1.0):
            v = np.zeros(2)
            v[j] = s * t
            e = np.zeros(2)
            e[j] = s
            # normal cone at v: g = a (e + f) + c (e - f), a, c >= 0, f the other unit vector
            f = np.eye(2)[1 - j]
            M = np.column_stack([e + f, e - f])
            T = np.linalg.solve(M, G)  # (a, c) = M^{-1} G (beta_hat - v)
            p_vertex += _orthant(T @ (beta - v), T @ cov @ T.T)
    counts = run(constrained_correlated_kernel(beta, sigma, G, None, t), n, 77)
    assert counts[0, 4] == 0
    assert stats.binomtest(int(counts[0, 1]), n, p_vertex).pvalue > 1e-4


# --------------------------------------------------------------------- certification, validation

def test_a_draw_on_a_pattern_boundary_is_uncertified():
    lam = 0.5
    r = 0.5  # G = [[1, .5], [.5, 1]]
    # codes: 0 full support, 1 support {0}, 2 support {1}, 3 none, 4 uncertified
    assert _p2_penalized_class(lam, 0.1, lam, r, r, 1e-9) == 4  # |z0| = lam: {} or {0}
    assert _p2_penalized_class(lam * (1 + 1e-6), 0.1, lam, r, r, 1e-9) == 1
    assert _p2_penalized_class(lam * (1 - 1e-6), 0.1, lam, r, r, 1e-9) == 3
    assert _p2_penalized_class(0.1, lam * (1 + 1e-6), lam, r, r, 1e-9) == 2
    # {0} against the full support: |z1 - r (z0 - lam)| = lam
    z0 = 2.0
    z1 = lam + r * (z0 - lam)
    assert _p2_penalized_class(z0, z1, lam, r, r, 1e-9) == 4
    assert _p2_penalized_class(z0, z1 + 1e-6, lam, r, r, 1e-9) == 0
    assert _p2_penalized_class(z0, z1 - 1e-6, lam, r, r, 1e-9) == 1


def test_ridge_rows_have_no_zero_and_no_uncertified():
    G = gram("equi", 3, 0.6)
    counts = run(penalized_correlated_kernel([1.0, 0.0, -1.0], 1.0, G, None, [0.0, 0.0], [0.0, 2.0]), 5000, 3)
    assert_array_equal(counts[:, 0], 5000)


def test_bad_input():
    G = gram("ar1", 2, 0.5)
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3], 1.0, [[1.0, 0.5], [0.4, 1.0]], None, [0.5], [0.0])
    assert err.value.parameter == "gram"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3], 1.0, [[1.0, 2.0], [2.0, 1.0]], None, [0.5], [0.0])
    assert err.value.parameter == "gram"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3, 1.0], 1.0, G, None, [0.5], [0.0])
    assert err.value.parameter == "gram"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3], 1.0, G, np.eye(2), [0.5], [0.0])
    assert err.value.parameter == "chol"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3], 1.0, G, None, [-0.5], [0.0])
    assert err.value.parameter == "lams"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, 0.3], 1.0, G, None, [0.5], [0.0, 1.0])
    assert err.value.parameter == "lam2s"
    with pytest.raises(ParameterError) as err:
        penalized_correlated_kernel([1.0, np.nan], 1.0, G, None, [0.5], [0.0])
    assert err.value.parameter == "beta"
    with pytest.raises(ParameterError) as err:
        constrained_correlated_kernel([1.0, 0.3], 0.0, G, None, 1.0)
    assert err.value.parameter == "sigma"
    with pytest.raises(ParameterError) as err:
        constrained_correlated_kernel([1.0, 0.3], 1.0, G, None, -1.0)
    assert err.value.parameter == "radius"
    with pytest.raises(TypeError):
        constrained_correlated_kernel([1.0, 0.3], 1.0, G, None, "1")
    with pytest.raises(TypeError):
        penalized_correlated_kernel("ab", 1.0, G, None, [0.5], [0.0])
    with pytest.raises(ParameterError) as err:
        lasso_gram_solve(np.eye(11), np.zeros(11), 1.0)
    assert err.value.parameter == "G"
    with pytest.raises(ParameterError) as err:
        lasso_gram_solve(G, [1.0, 2.0, 3.0], 1.0)
    assert err.value.parameter == "z"
    with pytest.raises(ParameterError) as err:
        constrained_lasso_gram_solve(G, [1.0, 2.0], 0.0)
    assert err.value.parameter == "t"
