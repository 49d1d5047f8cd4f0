"""The closed-form estimators against hand values, brute force and scikit-learn."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import optimize

from mc_sparsity import project_l1_ball, project_l2_ball, ridge_shrink, soft_threshold
from mc_sparsity._estimators.lasso_ridge import l1_projection_threshold


def test_soft_threshold_values():
    assert_array_equal(soft_threshold([2.0, -2.0, 0.5, -0.5, 1.0], 1.0), [1.0, -1.0, 0.0, 0.0, 0.0])


def test_ridge_shrink_values():
    assert_allclose(ridge_shrink([3.0, -1.5, 0.0], 2.0), [1.0, -0.5, 0.0])


def _theta_by_root_finding(z, t):
    """The L1 projection's threshold from its defining equation, by brentq."""
    a = np.abs(z)
    if a.sum() <= t:
        return 0.0
    return optimize.brentq(lambda th: np.maximum(a - th, 0).sum() - t, 0.0, a.max(), xtol=1e-14)


@pytest.mark.parametrize("p", [1, 2, 3, 7, 20])
def test_l1_projection_threshold_solves_its_equation(p):
    rng = np.random.default_rng(p)
    z = rng.normal(scale=2.0, size=(200, p))
    t = 1.3
    theta = l1_projection_threshold(z, t)
    expected = np.array([_theta_by_root_finding(row, t) for row in z])
    assert_allclose(theta, expected, atol=1e-12)


@pytest.mark.parametrize("p", [2, 5])
def test_l1_projection_is_the_nearest_point_of_the_ball(p):
    rng = np.random.default_rng(10 + p)
    t = 1.0
    for z in rng.normal(scale=2.0, size=(50, p)):
        b = project_l1_ball(z, t)
        assert np.abs(b).sum() <= t + 1e-12
        # No feasible point is closer: random points of the ball and of its boundary.
        w = rng.normal(size=(2000, p))
        w *= (t * rng.uniform(0, 1, size=(2000, 1)) ** (1 / p)) / np.abs(w).sum(axis=1, keepdims=True)
        assert np.all(np.linalg.norm(w - z, axis=1) >= np.linalg.norm(b - z) - 1e-12)


def test_l2_projection():
    z = np.array([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]])
    assert_allclose(project_l2_ball(z, 1.0), [[0.6, 0.8], [0.3, 0.4], [0.0, 0.0]])


def test_projections_keep_the_batch_shape():
    z = np.random.default_rng(0).normal(size=(4, 3, 5))
    assert project_l1_ball(z, 1.0).shape == z.shape
    assert project_l2_ball(z, 1.0).shape == z.shape


# ------------------------------------------------------------ against a real solver
def _orthonormal_problem(n, beta, sigma, seed):
    rng = np.random.default_rng(seed)
    X, _ = np.linalg.qr(rng.normal(size=(n, len(beta))))
    y = X @ beta + sigma * rng.normal(size=n)
    return X, y, X.T @ y


@pytest.mark.parametrize("lam", [0.0, 0.3, 1.0, 2.5])
def test_penalized_lasso_matches_sklearn(lam):
    """scikit-learn's Lasso(alpha) minimises 1/(2n)||y - Xw||^2 + alpha||w||_1: lam = n * alpha."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    n = 60
    X, y, beta_hat = _orthonormal_problem(n, np.array([2.0, -0.4, 0.1, 1.2, 0.0]), 1.0, seed=1)
    if lam == 0.0:
        fit = sklearn.LinearRegression(fit_intercept=False).fit(X, y)
    else:
        fit = sklearn.Lasso(alpha=lam / n, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    assert_allclose(fit.coef_, soft_threshold(beta_hat, lam), atol=1e-9)
    assert_array_equal(fit.coef_ == 0, soft_threshold(beta_hat, lam) == 0)


@pytest.mark.parametrize("lam", [0.1, 1.0, 10.0])
def test_penalized_ridge_matches_sklearn(lam):
    """scikit-learn's Ridge(alpha) minimises ||y - Xw||^2 + alpha||w||^2: lam = alpha."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    X, y, beta_hat = _orthonormal_problem(40, np.array([1.0, 0.3, -2.0]), 1.0, seed=2)
    fit = sklearn.Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(X, y)
    assert_allclose(fit.coef_, ridge_shrink(beta_hat, lam), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("radius", [0.5, 1.5])
def test_constrained_lasso_matches_sklearn_at_the_dual_level(radius):
    """The constrained solution is the penalized one at lam = theta (Lagrange duality)."""
    sklearn = pytest.importorskip("sklearn.linear_model")
    n = 50
    X, y, beta_hat = _orthonormal_problem(n, np.array([1.5, -0.7, 0.2, 0.9]), 0.5, seed=3)
    theta = float(l1_projection_threshold(beta_hat, radius))
    assert theta > 0
    fit = sklearn.Lasso(alpha=theta / n, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    b = project_l1_ball(beta_hat, radius)
    assert_allclose(fit.coef_, b, atol=1e-9)
    assert np.abs(b).sum() == pytest.approx(radius, abs=1e-12)


def test_constrained_ridge_solves_the_constrained_least_squares():
    X, y, beta_hat = _orthonormal_problem(30, np.array([2.0, 1.0]), 0.3, seed=4)
    t = 1.0
    res = optimize.minimize(lambda b: np.sum((y - X @ b) ** 2), np.zeros(2), method="SLSQP",
                            constraints=[{"type": "ineq", "fun": lambda b: t**2 - b @ b}],
                            options={"ftol": 1e-15, "maxiter": 1000})
    assert_allclose(res.x, project_l2_ball(beta_hat, t), atol=1e-6)


@pytest.mark.parametrize("scale", [1e16, 1e17, 1e300])
def test_l1_projection_keeps_its_active_set_when_the_radius_is_below_rounding(scale):
    """u_1 - t rounds to u_1 here; the projection must still keep exactly the largest coordinate."""
    b = project_l1_ball([scale, 0.5, -0.25], 1.0)
    assert b[0] > 0 and b[1] == 0 and b[2] == 0


def test_l1_projection_sparsity_rule_at_p_greater_than_2():
    """MATH.md's rule, independent of the sort-based algorithm: a zero iff sum|x| - p min|x| >= t (outside)."""
    rng = np.random.default_rng(3)
    x = rng.normal(loc=[1.0, 1.0, 1.0, -0.5], size=(100_000, 4))
    t = 1.0
    a = np.abs(x)
    rule = (a.sum(axis=1) > t) & (a.sum(axis=1) - 4 * a.min(axis=1) >= t)
    assert np.array_equal((project_l1_ball(x, t) == 0).any(axis=1), rule)
