"""Exact support-recovery probabilities (signed support, support, superset, FDP/TPR/Hamming means).

References, none taken from the code under test: 50-digit mpmath products for the orthonormal
closed forms (tails at |beta|/sigma = 40 included); an enumeration of the 2^p zero patterns for the
orthonormal means; brute-force Monte Carlo whose lasso / elastic-net solutions come from enumerating
the KKT cells (checked against scikit-learn's ElasticNet/Lasso); block-diagonal designs whose cells
factorise into p = 2 pieces; scipy's multivariate_normal.cdf (Genz) as a loose check.
Statistical tests: fixed seeds, two-sided exact binomial tests and z-tests at level 1e-4.
"""

import itertools
import math

import mpmath
import numpy as np
import pytest
from scipy import stats

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._designs.design import ar1, from_gram
from mc_sparsity._exact.correlated import exact_sparse_probability_correlated
from mc_sparsity._exact.support import support_mean, support_probability

ALPHA = 1e-4
mpmath.mp.dps = 50


# ----------------------------------------------------------- references


def _mp_probabilities(beta, sigma, tau):
    """(signed_support, support, superset) in mpmath, coordinate by coordinate."""
    signed = support = superset = mpmath.mpf(1)
    s = mpmath.mpf(sigma)
    for b in beta:
        b = mpmath.mpf(b)
        low = mpmath.ncdf((-tau - b) / s)
        nonzero = low + mpmath.ncdf((b - tau) / s)  # P(bh < -tau) + P(bh > tau)
        if b != 0:
            signed *= mpmath.ncdf((abs(b) - tau) / s)
            support *= nonzero
            superset *= nonzero
        else:
            signed *= mpmath.erf(tau / (s * mpmath.sqrt(2)))
            support *= mpmath.erf(tau / (s * mpmath.sqrt(2)))
    return signed, support, superset


def _orthonormal_means_by_enumeration(beta, sigma, tau):
    """E[FDP], E[TPR], E[Hamming] summing all 2^p zero patterns (mpmath probabilities)."""
    out = np.zeros(3)
    on = [b != 0 for b in beta]
    k = sum(on)
    for pattern in itertools.product((False, True), repeat=len(beta)):  # True: nonzero
        prob = mpmath.mpf(1)
        for b, nz in zip(beta, pattern):
            zero = mpmath.ncdf((tau - b) / sigma) - mpmath.ncdf((-tau - b) / sigma)
            prob *= (1 - zero) if nz else zero
        tp = sum(nz and o for nz, o in zip(pattern, on))
        fp = sum(nz and not o for nz, o in zip(pattern, on))
        vals = (fp / max(1, fp + tp), tp / k if k else 1.0, fp + (k - tp))
        out += float(prob) * np.array(vals)
    return out


def _kkt_solve(z, gram, lam, lam2=0.0):
    """The (elastic-net) lasso solution for each row of z by enumerating the KKT cells (p <= 4).

    Returns (solutions, number of cells matched per row): exactly one cell must match.
    """
    n, p = z.shape
    a_mat = gram + lam2 * np.eye(p)
    sol = np.zeros((n, p))
    matched = np.zeros(n, dtype=int)
    for k in range(p + 1):
        for support in itertools.combinations(range(p), k):
            s_idx, c_idx = list(support), [j for j in range(p) if j not in support]
            for signs in itertools.product((1.0, -1.0), repeat=k):
                signs = np.array(signs)
                inv = np.linalg.inv(a_mat[np.ix_(s_idx, s_idx)]) if k else np.zeros((0, 0))
                b = (z[:, s_idx] - lam * signs) @ inv.T
                ok = np.all(signs * b > 0, axis=1)
                resid = z[:, c_idx] - b @ gram[np.ix_(c_idx, s_idx)].T
                ok &= np.all(np.abs(resid) < lam, axis=1)
                rows = np.flatnonzero(ok)
                if k and rows.size:
                    sol[rows[:, None], np.array(s_idx)[None, :]] = b[rows]
                matched += ok
    return sol, matched


def _binom_ok(hits, n, p):
    return stats.binomtest(int(hits), int(n), min(max(p, 1e-300), 1.0)).pvalue > ALPHA


def _summaries(sol, beta):
    on = beta != 0
    nz = sol != 0
    k = on.sum()
    tp = (nz & on).sum(axis=1)
    fp = (nz & ~on).sum(axis=1)
    return {
        "signed_support": np.all(np.sign(sol) == np.sign(beta), axis=1),
        "support": np.all(nz == on, axis=1),
        "superset": np.all(nz[:, on], axis=1),
        "fdp": fp / np.maximum(1, fp + tp),
        "tpr": tp / k if k else np.ones(len(sol)),
        "hamming": fp + (k - tp),
    }


# ------------------------------------------------------- orthonormal


@pytest.mark.parametrize("beta, sigma, tau", [
    ([1.0, 0.6, 0.0], 0.5, 0.4),
    ([40.0, -40.0, 0.0], 1.0, 1.0),
    ([40.0, 0.0], 1.0, 80.0),  # Phi(-40): log P about -804
    ([2.0, -3.0, 0.0, 0.0], 1.0, 1e-3),  # 2 Phi(tau) - 1 tiny: no cancellation
    ([0.0, 0.0], 1.0, 38.0),  # 1 - 2 Phi(-38)
    ([1e-3, 5.0], 0.01, 0.3),
])
def test_orthonormal_closed_forms_against_mpmath(beta, sigma, tau):
    ref = _mp_probabilities(beta, sigma, tau)
    for estimand, want in zip(("signed_support", "support", "superset"), ref):
        got = support_probability(beta, sigma, threshold=tau, lam=None, estimand=estimand)
        assert got.error == 0.0 and np.isfinite(got.log_probability)
        assert abs(got.log_probability - float(mpmath.log(want))) <= 1e-12 * (1 + abs(float(mpmath.log(want))))
        assert got.probability == pytest.approx(float(want), rel=1e-12, abs=1e-300)
    # the lasso's default threshold is lam
    assert support_probability(beta, sigma, lam=tau) == support_probability(beta, sigma, threshold=tau, lam=tau)


@pytest.mark.parametrize("beta, sigma, tau", [([1.0, 0.6, 0.0], 0.5, 0.4), ([0.0, 0.0, 0.0], 1.0, 0.7),
                                              ([3.0, -0.2, 0.0, 0.0, 1.0], 0.8, 1.1)])
def test_orthonormal_means_against_enumeration(beta, sigma, tau):
    want = _orthonormal_means_by_enumeration(beta, sigma, tau)
    for estimand, w in zip(("fdp", "tpr", "hamming"), want):
        value, error = support_mean(beta, sigma, threshold=tau, estimand=estimand)
        assert error == 0.0 and value == pytest.approx(w, rel=1e-12, abs=1e-15)


def test_orthonormal_against_brute_force_monte_carlo():
    """beta = (1, 0.6, 0), sigma = 0.5, lam = 0.4: soft thresholding of simulated beta_hat."""
    beta, sigma, lam, n = np.array([1.0, 0.6, 0.0]), 0.5, 0.4, 200_000
    bh = np.random.default_rng(20261130).normal(beta, sigma, size=(n, 3))
    sol = np.sign(bh) * np.maximum(np.abs(bh) - lam, 0.0)
    summ = _summaries(sol, beta)
    for estimand in ("signed_support", "support", "superset"):
        assert _binom_ok(summ[estimand].sum(), n, support_probability(beta, sigma, lam=lam, estimand=estimand)
                         .probability)
    z_crit = stats.norm.isf(ALPHA / 2)
    for estimand in ("fdp", "tpr", "hamming"):
        x = summ[estimand]
        value, _ = support_mean(beta, sigma, lam=lam, estimand=estimand)
        assert abs(x.mean() - value) <= z_crit * x.std(ddof=1) / math.sqrt(n)


def test_ridge():
    beta = np.array([1.0, -0.4, 2.0])
    ref = 1.0
    for b in beta:
        ref *= float(mpmath.ncdf(abs(b) / 0.7))
    res = support_probability(beta, 0.7, lam=3.0, estimator="ridge")
    assert res.probability == pytest.approx(ref, rel=1e-13)
    assert support_probability(beta, 0.7, lam=3.0, estimator="ridge", estimand="support").probability == 1.0
    assert support_probability([1.0, 0.0], 0.7, lam=3.0, estimator="ridge", estimand="support").probability == 0
    assert support_probability([1.0, 0.0], 0.7, lam=3.0, estimator="ridge").log_probability == -np.inf
    assert support_probability([1.0, 0.0], 0.7, lam=3.0, estimator="ridge", estimand="superset").probability == 1
    assert support_mean([1.0, 0.0, 0.0], 1.0, lam=1.0, estimator="ridge", estimand="fdp") == (2 / 3, 0.0)
    assert support_mean([1.0, 0.0, 0.0], 1.0, lam=1.0, estimator="ridge", estimand="hamming") == (2.0, 0.0)
    # correlated ridge: the orthant of (G + lam I)^-1 z, against simulation
    gram, n = np.array(ar1(3, 0.7).gram), 200_000
    z = np.random.default_rng(5).multivariate_normal(gram @ beta, 0.49 * gram, size=n)
    b = np.linalg.solve(gram + 3.0 * np.eye(3), z.T).T
    res = support_probability(beta, 0.7, lam=3.0, gram=gram, estimator="ridge")
    assert res.error < 1e-5 and _binom_ok(np.all(np.sign(b) == np.sign(beta), axis=1).sum(), n, res.probability)


# -------------------------------------------------------- correlated


def test_kkt_enumeration_agrees_with_scikit_learn():
    from sklearn.linear_model import ElasticNet, Lasso
    rng = np.random.default_rng(3)
    n_obs, p = 50, 4
    x = rng.normal(size=(n_obs, p)) @ np.linalg.cholesky(np.array(ar1(p, 0.5).gram)).T
    gram = x.T @ x
    for lam, lam2 in ((5.0, 0.0), (8.0, 6.0)):
        for _ in range(5):
            y = x @ np.array([1.0, -0.5, 0.0, 0.3]) + rng.normal(size=n_obs)
            sol, matched = _kkt_solve((x.T @ y)[None], gram, lam, lam2)
            assert matched[0] == 1
            # 1/(2n)||y - Xw||^2 + alpha l1 ||w||_1 + alpha (1 - l1)/2 ||w||^2, times n
            alpha = (lam + lam2) / n_obs
            model = (Lasso(alpha=lam / n_obs, fit_intercept=False, tol=1e-12, max_iter=100_000) if lam2 == 0
                     else ElasticNet(alpha=alpha, l1_ratio=lam / (lam + lam2), fit_intercept=False, tol=1e-12,
                                     max_iter=100_000))
            assert np.allclose(model.fit(x, y).coef_, sol[0], atol=1e-7)


@pytest.mark.parametrize("beta, sigma, lam, lam2", [
    ([1.0, -0.5, 0.0, 0.3], 0.5, 0.4, 0.0),  # the AR(1) p = 4 acceptance check
    ([1.0, -0.5, 0.0, 0.3], 0.5, 0.4, 0.6),  # elastic net: the joint 4-d rectangle
])
def test_ar1_p4_against_brute_force_monte_carlo(beta, sigma, lam, lam2):
    beta, n = np.array(beta), 100_000
    gram = np.array(ar1(4, 0.5).gram)
    z = np.random.default_rng(11).multivariate_normal(gram @ beta, sigma**2 * gram, size=n)
    sol, matched = _kkt_solve(z, gram, lam, lam2)
    assert np.all(matched == 1)
    summ = _summaries(sol, beta)
    est = "elastic_net" if lam2 else "lasso"
    results = {}
    for estimand in ("signed_support", "support", "superset"):
        res = support_probability(beta, sigma, gram=gram, lam=lam, lam2=lam2, estimator=est, estimand=estimand)
        assert res.error < 1.5e-5
        assert _binom_ok(summ[estimand].sum(), n, res.probability), estimand
        results[estimand] = res
    r = results
    assert r["signed_support"].probability <= r["support"].probability + r["support"].error
    assert r["support"].probability <= r["superset"].probability + r["superset"].error
    z_crit = stats.norm.isf(ALPHA / 2)
    for estimand in ("fdp", "tpr", "hamming"):
        value, error = support_mean(beta, sigma, gram=gram, lam=lam, lam2=lam2, estimator=est, estimand=estimand)
        x = summ[estimand]
        assert error < 1e-4 and abs(x.mean() - value) <= z_crit * x.std(ddof=1) / math.sqrt(n) + error


def test_all_cells_sum_to_one_and_identity_reproduces_closed_form():
    from mc_sparsity._exact.support_correlated import all_cells, support_cells_estimate
    gram = np.array(ar1(4, -0.6).gram)
    m = np.array([1.0, -0.5, 0.0, 0.3]) / 0.5
    cells = all_cells(4)
    value, error = support_cells_estimate(gram, m, 0.8, cells, np.ones(len(cells)), np.random.SeedSequence(1),
                                          lam2=0.2)
    assert abs(value - 1.0) <= error and error < 2e-5
    # G = I up to 1e-17 takes the polytope route: it must reproduce the product form, lasso and elastic net
    near_identity = np.eye(3)
    near_identity[0, 1] = near_identity[1, 0] = 1e-17
    beta = [1.0, 0.6, 0.0]
    for estimand in ("signed_support", "support", "superset"):
        closed = support_probability(beta, 0.5, lam=0.4, estimand=estimand).probability
        for lam2, est in ((0.0, "lasso"), (0.5, "elastic_net")):
            res = support_probability(beta, 0.5, lam=0.4, lam2=lam2, estimator=est, gram=near_identity,
                                      estimand=estimand)
            assert abs(res.probability - closed) <= res.error + 1e-12 and res.error < 1e-5
    for estimand in ("fdp", "tpr", "hamming"):
        closed, _ = support_mean(beta, 0.5, lam=0.4, estimand=estimand)
        value, error = support_mean(beta, 0.5, lam=0.4, gram=near_identity, estimand=estimand)
        assert abs(value - closed) <= error + 1e-12


def test_cell_against_scipy_genz():
    """A lasso cell at p = 3 as one 3-d Gaussian rectangle in z, through scipy's Genz CDF (loose)."""
    gram = np.array([[1.0, 0.5, 0.2], [0.5, 1.0, -0.3], [0.2, -0.3, 1.0]])
    beta, lam = np.array([1.0, -0.7, 0.0]), 0.5
    s = np.array([1.0, -1.0])
    # W = (s * b_S, z_3 - G_3S b_S), b_S = G_SS^-1 (z_S - lam s), an affine map of z ~ N(G beta, G)
    g_ss_inv = np.linalg.inv(gram[:2, :2])
    m_mat = np.zeros((3, 3))
    m_mat[:2, :2] = np.diag(s) @ g_ss_inv
    m_mat[2, :2] = -gram[2, :2] @ g_ss_inv
    m_mat[2, 2] = 1.0
    offset = np.concatenate([-lam * np.diag(s) @ g_ss_inv @ s, [lam * gram[2, :2] @ g_ss_inv @ s]])
    mean, cov = m_mat @ gram @ beta + offset, m_mat @ gram @ m_mat.T
    ref = stats.multivariate_normal.cdf([np.inf, np.inf, lam], mean=mean, cov=cov, lower_limit=[0, 0, -lam],
                                        abseps=1e-7, maxpts=2_000_000, rng=0)
    res = support_probability(beta, 1.0, gram=gram, lam=lam)
    assert abs(res.probability - ref) < 1e-5


def test_p2_integral_against_the_cells():
    from mc_sparsity._exact.integrate_support import integrate_support_region
    gram = np.array([[1.0, 0.6], [0.6, 1.0]])
    for beta in ([1.0, 0.0], [1.0, -0.5], [0.0, 0.0], [2.0, 1.0], [-8.0, 0.3]):
        for estimand in ("signed_support", "support"):
            for g, lam2 in ((None, 0.0), (gram, 0.0), (gram, 0.3), (-gram + 2 * np.eye(2), 0.0)):
                est = "elastic_net" if lam2 else "lasso"
                a = integrate_support_region(beta, 0.7, lam=0.5, gram=g, lam2=lam2, estimand=estimand)
                b = support_probability(beta, 0.7, lam=0.5, gram=g, lam2=lam2, estimator=est, estimand=estimand)
                assert a.error < 1e-8
                assert abs(a.value - b.probability) <= max(1e-8, a.error + b.error), (beta, estimand, lam2)


def test_qmc_bound_is_honest_over_seeds():
    """Block-diagonal designs: the reference is a product of p = 2 values (Owen's T / quadrature)."""
    block1, block2 = np.array([[1.0, 0.6], [0.6, 1.0]]), np.array([[1.0, -0.5], [-0.5, 1.0]])
    gram = np.zeros((4, 4))
    gram[:2, :2], gram[2:, 2:] = block1, block2
    beta = np.array([1.0, 0.3, 0.8, -0.5])
    p1 = exact_sparse_probability_correlated(beta[:2], 1.0, from_gram(block1), lam=0.5)
    p2 = exact_sparse_probability_correlated(beta[2:], 1.0, from_gram(block2), lam=0.5)
    ref = 1.0 - (1.0 - p1.probability) * (1.0 - p2.probability)
    misses, errors = 0, []
    for seed in range(40):
        res = exact_sparse_probability_correlated(beta, 1.0, from_gram(gram), lam=0.5, rng=seed)
        misses += abs(res.probability - ref) > res.error
        errors.append(res.error)
    assert misses <= 1  # 4 SE with 15 df: P(miss) ~ 1e-3 per seed
    assert max(errors) <= 1.2e-5
    # the support cells: signed support of (1, 0.3, 0, -0.5) factorises into the blocks' cells
    beta = np.array([1.0, 0.3, 0.0, -0.5])
    ref = (support_probability(beta[:2], 1.0, gram=block1, lam=0.5).probability
           * support_probability(beta[2:], 1.0, gram=block2, lam=0.5).probability)
    misses = sum(abs(support_probability(beta, 1.0, gram=gram, lam=0.5, lam2=0.3, estimator="elastic_net",
                                         rng=seed).probability
                     - (support_probability(beta[:2], 1.0, gram=block1, lam=0.5, lam2=0.3,
                                            estimator="elastic_net").probability
                        * support_probability(beta[2:], 1.0, gram=block2, lam=0.5, lam2=0.3,
                                              estimator="elastic_net").probability))
                 > support_probability(beta, 1.0, gram=gram, lam=0.5, lam2=0.3, estimator="elastic_net",
                                       rng=seed).error + 1e-7
                 for seed in range(10))
    assert misses <= 1
    assert 0 < ref < 1


def test_zhao_yu_example_1():
    from mc_sparsity._exact.zhao_yu import ZHAO_YU_SIGMA, irrepresentable_constant, zhao_yu_example
    # G_ScS G_SS^-1 sign(beta_S) = (2/3, 2/3) . (s1, s2): 4/3 for (+, +), 0 for (-, +)
    assert irrepresentable_constant(ZHAO_YU_SIGMA, [2.0, 3.0, 0.0]) == pytest.approx(4 / 3, rel=1e-15)
    assert irrepresentable_constant(ZHAO_YU_SIGMA, [-2.0, 3.0, 0.0]) == pytest.approx(0.0, abs=1e-15)
    n = [1e2, 1e4, 1e6]
    fails, holds = zhao_yu_example(n, [2.0, 3.0, 0.0]), zhao_yu_example(n, [-2.0, 3.0, 0.0])
    assert np.all(np.diff(fails) < 0) and fails[-1] < 1e-50
    assert holds[-1] > 1 - 1e-12 and np.all(holds > 1 - 1e-6)
    # brute force at n = 1 (G = Sigma, lam = 1): the KKT enumeration on simulated z
    for beta in ([2.0, 3.0, 0.0], [-2.0, 3.0, 0.0]):
        beta, draws = np.array(beta), 100_000
        z = np.random.default_rng(7).multivariate_normal(ZHAO_YU_SIGMA @ beta, ZHAO_YU_SIGMA, size=draws)
        sol, _ = _kkt_solve(z, ZHAO_YU_SIGMA, 1.0)
        hits = np.all(np.sign(sol) == np.sign(beta), axis=1).sum()
        assert _binom_ok(hits, draws, zhao_yu_example([1.0], beta)[0])


@pytest.mark.parametrize("kwargs, parameter", [
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, gram=np.eye(3)), "gram"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, gram=[[1.0, 0.5], [0.5, 1.0]], threshold=0.3), "threshold"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, estimator="bridge"), "estimator"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, estimand="fdp"), "estimand"),
    (dict(beta=[1.0, 0.0], sigma=0.0, lam=0.5), "sigma"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=-0.5), "lam"),
    (dict(beta=[1.0, 0.0], sigma=1.0), "lam"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, lam2=0.3), "lam2"),
    (dict(beta=[1.0, 0.0], sigma=1.0, lam=0.5, gram=[[1.0, 2.0], [2.0, 1.0]]), "gram"),
    (dict(beta=np.ones(7), sigma=1.0, lam=0.5, gram=np.array(ar1(7, 0.3).gram), estimand="superset"), "gram"),
])
def test_bad_input_names_the_parameter(kwargs, parameter):
    with pytest.raises(ParameterError) as info:
        support_probability(**kwargs)
    assert info.value.parameter == parameter
