"""Penalized thresholding rules: brute force, scikit-learn, the zero rule, exact laws against Monte Carlo."""

import itertools
from dataclasses import FrozenInstanceError

import mpmath
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import integrate, optimize, stats

from mc_sparsity import exact_sparse_probability
from mc_sparsity._estimators.laws import estimate_cdf, estimate_density, estimate_sf, zero_probability, zeros_distribution
from mc_sparsity._estimators.penalties import PENALTIES, threshold
from mc_sparsity._estimators.rules import best_subset, bridge, bridge_jump, elastic_net, hard_threshold, lasso, mcp, ridge, scad

LEVEL = 1e-4  # level of every statistical test; the seeds are fixed, so the suite is deterministic


# ------------------------------------------------- penalties, written out from the papers
def _pen_scad(t, lam, a):
    """Fan and Li (2001), eq. (2.7) integrated."""
    t = np.abs(t)
    return np.where(t <= lam, lam * t,
                    np.where(t <= a * lam, -(t**2 - 2 * a * lam * t + lam**2) / (2 * (a - 1)), (a + 1) * lam**2 / 2))


def _pen_mcp(t, lam, gamma):
    """Zhang (2010): lam int_0^|t| (1 - x/(gamma lam))^+ dx."""
    t = np.abs(t)
    return np.where(t <= gamma * lam, lam * t - t**2 / (2 * gamma), gamma * lam**2 / 2)


PENALTY_VALUE = {
    "lasso": lambda t, lam: lam * np.abs(t),
    "ridge": lambda t, lam: lam / 2 * t**2,
    "elastic_net": lambda t, lam, lam2: lam * np.abs(t) + lam2 / 2 * t**2,
    "hard": lambda t, lam: lam * (t != 0),
    "scad": lambda t, lam, a=3.7: _pen_scad(t, lam, a),
    "mcp": lambda t, lam, gamma=3.0: _pen_mcp(t, lam, gamma),
    "bridge": lambda t, lam, q: lam * np.abs(t) ** q,
}

# (name, parameters in the generic convention: lam is the level, lam1 for the elastic net)
CASES = [
    ("lasso", {"lam": 0.7}),
    ("ridge", {"lam": 1.5}),
    ("elastic_net", {"lam": 0.6, "lam2": 0.8}),
    ("hard", {"lam": 0.9}),
    ("scad", {"lam": 0.8}),
    ("scad", {"lam": 0.5, "a": 3.0}),
    ("mcp", {"lam": 0.8}),
    ("mcp", {"lam": 0.6, "gamma": 2.0}),
    ("bridge", {"lam": 1.0, "q": 0.5}),
    ("bridge", {"lam": 0.4, "q": 0.2}),
    ("bridge", {"lam": 0.3, "q": 0.9}),
]
_ID = [f"{n}-{'-'.join(f'{k}{v}' for k, v in p.items())}" for n, p in CASES]


def _apply(name, z, params):
    return PENALTIES[name](z, **params)


def _tau(name, params):
    return threshold(name, **params)


def _brute_force(z_values, pen):
    """Global argmin of 1/2 (z - t)^2 + pen(t): a grid (with 0 on it), then bounded Brent near the best point.

    The refinement minimises the objective minus its value at the grid point,
    written so that no large terms cancel, and 0 stays a candidate (the kink or
    jump of the penalty is there).
    """
    big = np.max(np.abs(z_values)) + 1.0
    grid = np.union1d(np.linspace(-big, big, 40_001), [0.0])
    objective = 0.5 * (z_values[:, None] - grid) ** 2 + pen(grid)
    out = []
    for z, row in zip(z_values, objective):
        i = int(np.argmin(row))
        tg = grid[i]

        def diff(t, z=z, tg=tg):
            return float(0.5 * (t - tg) * (t + tg - 2 * z) + (pen(np.array(t)) - pen(np.array(tg))))

        res = optimize.minimize_scalar(diff, bounds=(grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]),
                                       method="bounded", options={"xatol": 1e-13})
        candidates = [tg, res.x, 0.0]
        out.append(candidates[int(np.argmin([diff(t) for t in candidates]))])
    return np.array(out)


# ------------------------------------------------------------------ the rules themselves
@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_rule_is_the_global_minimiser(name, params):
    rng = np.random.default_rng(CASES.index((name, params)))
    tau = _tau(name, params)
    lam = params["lam"]
    # random values, plus the breakpoints of each rule approached from both sides
    marks = np.array([tau, 2 * lam, params.get("a", 3.7) * lam, params.get("gamma", 3.0) * lam])
    z = np.concatenate([rng.uniform(-6, 6, 60), (marks[:, None] * [0.99, 1.01]).ravel(), [0.0, 5.5, -5.5]])
    if name in ("hard", "bridge"):
        z = z[np.abs(np.abs(z) - tau) > 1e-3]  # away from the tie, where both 0 and the jump minimise
    pen = lambda t: PENALTY_VALUE[name](t, **params)  # noqa: E731
    assert_allclose(_apply(name, z, params), _brute_force(z, pen), rtol=0, atol=1e-7)


def test_rescaled_elastic_net_is_the_naive_one_times_one_plus_lam2():
    z = np.random.default_rng(0).normal(scale=3, size=50)
    assert_allclose(elastic_net(z, 0.6, 0.8, rescaled=True), 1.8 * elastic_net(z, 0.6, 0.8), rtol=1e-15)
    assert_array_equal(elastic_net(z, 0.6, 0.8, rescaled=True), lasso(z, 0.6))


def test_hand_values():
    assert_array_equal(lasso([2.0, -2.0, 0.5, -1.0], 1.0), [1.0, -1.0, 0.0, 0.0])
    assert_allclose(ridge([3.0, -1.5, 0.0], 2.0), [1.0, -0.5, 0.0])
    assert_array_equal(hard_threshold([1.0, 1.5, -2.0], 1.0), [0.0, 1.5, -2.0])  # sqrt(2) ~ 1.414
    # SCAD, a = 3.7, lam = 1: soft up to 2, then ((a-1) z - a)/(a-2), identity beyond 3.7
    assert_allclose(scad([1.5, 3.0, -3.0, 4.0], 1.0), [0.5, (2.7 * 3 - 3.7) / 1.7, -(2.7 * 3 - 3.7) / 1.7, 4.0])
    assert_allclose(mcp([2.0, 3.0, 3.5], 1.0, gamma=3.0), [1.5, 3.0, 3.5])
    # bridge q = 1/2: theta + lam/(2 sqrt(theta)) = z; theta = 4, lam = 2 gives z = 4.5
    assert_allclose(bridge([4.5, -4.5], 2.0, 0.5), [4.0, -4.0], rtol=1e-15)


@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_rules_are_odd_monotone_and_keep_the_shape(name, params):
    z = np.random.default_rng(1).normal(scale=3, size=(4, 3, 5))
    out = _apply(name, z, params)
    assert out.shape == z.shape
    assert_array_equal(_apply(name, -z, params), -out)
    line = np.linspace(-8, 8, 4001)
    assert np.all(np.diff(_apply(name, line, params)) >= 0)
    assert np.ndim(_apply(name, 1.0, params)) == 0


@pytest.mark.parametrize("lam", [0.0, 1e-300, 0.7, 1e300])
@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_no_nan_for_extreme_finite_inputs(name, params, lam):
    z = np.array([0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1.0, 1e300, -1e300, 1.7e308, -1.7e308])
    with np.errstate(all="ignore"):
        out = _apply(name, z, {**params, "lam": lam})
        cdf = estimate_cdf(name, z, 1.0, 1e-3, **{**params, "lam": lam})
        sf = estimate_sf(name, z, -1e300, 1.0, **{**params, "lam": lam})
    assert np.all(np.isfinite(out))
    assert not np.any(np.isnan(cdf)) and not np.any(np.isnan(sf))


# --------------------------------------------------------------------------------- bridge
@pytest.mark.parametrize("lam, q", [(1.0, 0.5), (0.4, 0.2), (0.3, 0.9), (2.0, 0.05)])
def test_bridge_threshold_and_jump_against_brute_force(lam, q):
    tau, jump = bridge_jump(lam, q)
    pen = lambda t: lam * np.abs(t) ** q  # noqa: E731
    below, above = tau * (1 - 1e-4), tau * (1 + 1e-4)
    bf = _brute_force(np.array([below, above, -above]), pen)
    assert bf[0] == 0.0 and bridge(below, lam, q) == 0.0
    # just above the threshold the minimiser is nonzero, near the jump; theta'(tau) = 1/(1 - q/2) <= 2
    assert bf[1] > 0.9 * jump and bf[1] == pytest.approx(jump, abs=2.1e-4 * tau)
    assert_allclose(bridge([above, -above], lam, q), bf[1:], atol=1e-7)
    assert bridge(tau, lam, q) == 0.0  # the tie is resolved to 0


@pytest.mark.parametrize("lam, q", [(1.0, 0.5), (0.4, 0.2), (0.3, 0.9), (5.0, 0.999), (1e-6, 0.01)])
def test_bridge_threshold_derivation_in_50_digits(lam, q):
    """At (tau, jump): the objective ties with 0 and the jump is stationary."""
    tau, jump = (mpmath.mpf(v) for v in bridge_jump(lam, q))
    with mpmath.workdps(50):
        lam_, q_ = mpmath.mpf(lam), mpmath.mpf(q)
        exact_jump = (2 * lam_ * (1 - q_)) ** (1 / (2 - q_))
        exact_tau = exact_jump + lam_ * q_ * exact_jump ** (q_ - 1)  # stationarity
        # tie: 1/2 (tau - jump)^2 + lam jump^q = tau^2 / 2
        assert abs((exact_tau - exact_jump) ** 2 / 2 + lam_ * exact_jump**q_ - exact_tau**2 / 2) < 1e-40 * exact_tau**2
        assert exact_tau == pytest.approx(float((2 - q_) / (2 * (1 - q_)) * exact_jump), rel=1e-14)
    assert float(tau) == pytest.approx(float(exact_tau), rel=1e-14)
    assert float(jump) == pytest.approx(float(exact_jump), rel=1e-14)


@pytest.mark.parametrize("lam", [1e-8, 1.0, 1e8])
@pytest.mark.parametrize("q", [0.01, 0.5, 0.9, 0.999])
def test_bridge_root_to_the_accuracy_double_precision_allows(lam, q):
    """Against 40-digit roots: error within a few eps |z| / h'(theta), the condition of the problem."""
    tau, _ = bridge_jump(lam, q)
    z = np.concatenate([[np.nextafter(tau, np.inf)], tau * (1 + np.logspace(-14, 4, 12)), [1e300]])
    theta = bridge(z, lam, q)
    with mpmath.workdps(40):
        for zi, ti in zip(z, theta):
            root = mpmath.findroot(lambda s: s + mpmath.mpf(lam) * q * s ** (q - 1) - mpmath.mpf(zi), mpmath.mpf(ti))
            slope = 1 - lam * q * (1 - q) * float(root) ** (q - 2)
            assert abs(ti - float(root)) <= 32 * np.finfo(float).eps * zi / slope


# ----------------------------------------------------------------------------- best subset
def test_best_subset_against_enumeration():
    rng = np.random.default_rng(2)
    z = rng.normal(size=(40, 5))
    for size in range(6):
        out = best_subset(z, size)
        for row, got in zip(z, out):
            best = min(itertools.combinations(range(5), size),
                       key=lambda s: np.sum(np.delete(row, list(s)) ** 2))
            expected = np.zeros(5)
            expected[list(best)] = row[list(best)]
            assert_array_equal(got, expected)
        assert np.all(np.sum(out == 0, axis=-1) == 5 - size)


def test_best_subset_ties_by_index_and_shape():
    assert_array_equal(best_subset([1.0, -1.0, 1.0, 0.5], 2), [1.0, -1.0, 0.0, 0.0])
    assert_array_equal(best_subset([0.5, 2.0, -2.0, 2.0], 1), [0.0, 2.0, 0.0, 0.0])
    z = np.random.default_rng(3).normal(size=(2, 3, 6))
    assert best_subset(z, 4).shape == z.shape


def test_best_subset_zeros_distribution():
    assert_array_equal(zeros_distribution("best_subset", [1.0, 2.0, 3.0], 1.0, size=1), [0, 0, 1, 0])
    assert_array_equal(zeros_distribution("best_subset", [1.0, 2.0], 1.0, size=2), [1, 0, 0])


# ---------------------------------------------------------------------------- scikit-learn
def _orthonormal_problem(n, beta, sigma, seed):
    rng = np.random.default_rng(seed)
    X, _ = np.linalg.qr(rng.normal(size=(n, len(beta))))
    assert_allclose(X.T @ X, np.eye(len(beta)), atol=1e-13)
    y = X @ beta + sigma * rng.normal(size=n)
    return X, y, X.T @ y


BETA = np.array([2.0, -0.4, 0.1, 1.2, 0.0, -3.0])


@pytest.mark.parametrize("alpha", [0.002, 0.01, 0.03])
def test_lasso_matches_sklearn(alpha):
    """Lasso(alpha) minimises 1/(2n)||y - Xw||^2 + alpha ||w||_1: lam = n alpha."""
    lm = pytest.importorskip("sklearn.linear_model")
    n = 60
    X, y, z = _orthonormal_problem(n, BETA, 1.0, seed=11)
    fit = lm.Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000).fit(X, y)
    assert_allclose(fit.coef_, lasso(z, n * alpha), atol=1e-10)
    assert_array_equal(fit.coef_ == 0, lasso(z, n * alpha) == 0)


@pytest.mark.parametrize("alpha", [0.1, 1.0, 10.0])
def test_ridge_matches_sklearn(alpha):
    """Ridge(alpha) minimises ||y - Xw||^2 + alpha ||w||^2: lam = alpha."""
    lm = pytest.importorskip("sklearn.linear_model")
    X, y, z = _orthonormal_problem(40, BETA, 1.0, seed=12)
    fit = lm.Ridge(alpha=alpha, fit_intercept=False, solver="svd").fit(X, y)
    assert_allclose(fit.coef_, ridge(z, alpha), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("alpha, l1_ratio", [(0.01, 0.5), (0.02, 0.5), (0.015, 0.9), (0.05, 0.4), (0.05, 0.7)])
def test_elastic_net_matches_sklearn(alpha, l1_ratio):
    """ElasticNet(alpha, l1_ratio): lam1 = n alpha l1_ratio, lam2 = n alpha (1 - l1_ratio)."""
    lm = pytest.importorskip("sklearn.linear_model")
    n = 60
    X, y, z = _orthonormal_problem(n, BETA, 1.0, seed=13)
    fit = lm.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14,
                        max_iter=100_000).fit(X, y)
    lam1, lam2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    expected = elastic_net(z, lam1, lam2)
    assert np.any(expected == 0) and np.any(expected != 0)
    assert_allclose(fit.coef_, expected, atol=1e-10)
    assert_array_equal(fit.coef_ == 0, expected == 0)
    # the 1/(2n) scaling matters: without the factor n the levels are wrong
    assert not np.allclose(fit.coef_, elastic_net(z, alpha * l1_ratio, alpha * (1 - l1_ratio)), atol=1e-3)


# ---------------------------------------------------------------------- the zero rule
def _zero_rule_points(tau, rng):
    near = [tau, np.nextafter(tau, np.inf), np.nextafter(tau, -np.inf) if tau > 0 else 0.0]
    for _ in range(3):
        near.append(np.nextafter(near[-2], np.inf))
    near = np.abs(np.array(near))
    return np.concatenate([rng.normal(scale=3 * max(tau, 1.0), size=2000), near, -near,
                           [0.0, 5e-324, -5e-324, 1e-310, 2.2e-308, 1e300, -1.7e308]])


@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_estimate_is_zero_exactly_when_below_the_threshold(name, params):
    rng = np.random.default_rng(4)
    # the listed parameters, and many random levels, where sqrt(2 lam) etc. are inexact
    for lam in [params["lam"], *rng.uniform(0, 5, 20), *10.0 ** rng.uniform(-12, 12, 10), 0.0]:
        p = {**params, "lam": float(lam)}
        tau = _tau(name, p)
        z = _zero_rule_points(tau, rng)
        # Ridge is computed as floating point gives it: z / (1 + lam) is also 0 where it underflows.
        expected = z / (1.0 + p["lam"]) == 0 if name == "ridge" else np.abs(z) <= tau
        assert_array_equal(_apply(name, z, p) == 0, expected, err_msg=f"{name} {p}")


def test_thresholds_by_hand():
    assert threshold("lasso", 0.7) == 0.7
    assert threshold("ridge", 3.0) == 0.0
    assert threshold("elastic_net", 0.6, lam2=5.0) == 0.6
    assert threshold("hard", 2.0) == 2.0
    assert threshold("scad", 0.8, a=3.0) == 0.8
    assert threshold("mcp", 0.8) == 0.8
    assert threshold("bridge", 1.0, q=0.5) == pytest.approx(1.5, rel=1e-15)


# ----------------------------------------------------------------------- registry, errors
def test_registry():
    assert set(PENALTIES) == {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge", "adaptive_lasso"}
    assert PENALTIES["hard"].estimator is hard_threshold
    assert PENALTIES["elastic_net"].params == ("lam1", "lam2", "rescaled")
    assert dict(PENALTIES["scad"].defaults) == {"a": 3.7}
    assert PENALTIES["bridge"].threshold(1.0, q=0.5) == threshold("bridge", 1.0, q=0.5)
    assert PENALTIES["mcp"].resolve(1.0) == {"lam": 1.0, "gamma": 3.0}
    with pytest.raises(FrozenInstanceError):
        PENALTIES["lasso"].name = "other"


@pytest.mark.parametrize("call, match", [
    (lambda: scad([1.0], 1.0, a=1.5), r"a must be in the range \(2, inf\), got 1.5"),
    (lambda: scad([1.0], 1.0, a=2.0), "a must be"),
    (lambda: mcp([1.0], 1.0, gamma=1.0), "gamma must be"),
    (lambda: bridge([1.0], 1.0, q=1.0), "q must be"),
    (lambda: bridge([1.0], 1.0, q=0.0), "q must be"),
    (lambda: lasso([1.0], -0.1), "lam must be"),
    (lambda: ridge([1.0], float("nan")), "lam must be finite"),
    (lambda: hard_threshold([1.0], -1.0), "lam must be"),
    (lambda: elastic_net([1.0], -1.0, 1.0), "lam1 must be"),
    (lambda: elastic_net([1.0], 1.0, -1.0), "lam2 must be"),
    (lambda: best_subset([1.0, 2.0], 3), "size must be"),
    (lambda: best_subset([1.0, 2.0], -1), "size must be"),
    (lambda: threshold("lass", 1.0), "name must be one of"),
    (lambda: threshold("scad", 1.0, a=1.0), "a must be"),
    (lambda: zero_probability("lasso", [0.0], 0.0, 1.0), "sigma must be"),
    (lambda: zero_probability("lasso", [np.inf], 1.0, 1.0), "beta must"),
    (lambda: estimate_cdf("mcp", 0.0, 0.0, 1.0, 1.0, gamma=0.5), "gamma must be"),
])
def test_validation_names_the_parameter(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: threshold("bridge", 1.0), "requires the parameter q"),
    (lambda: threshold("lasso", 1.0, a=3.0), "unexpected parameter"),
    (lambda: elastic_net([1.0], 1.0, 1.0, rescaled="yes"), "rescaled must be"),
    (lambda: zeros_distribution("best_subset", [1.0, 2.0], 1.0, lam=1.0), "size"),
])
def test_missing_or_unknown_parameters(call, match):
    with pytest.raises(TypeError, match=match):
        call()


# --------------------------------------------------------------------- exact distributions
@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_cdf_structure(name, params):
    """Poetscher-Leeb structure: the jump at 0 is P(zero), the CDF is a CDF, symmetric in (x, beta)."""
    beta, sigma = 0.4, 0.9
    atom = zero_probability(name, beta, sigma, **params)
    F = estimate_cdf(name, [-1e-300, 0.0], beta, sigma, **params)
    assert F[1] - F[0] == pytest.approx(atom, abs=1e-15)
    assert atom == pytest.approx(zero_probability(name, beta, sigma, **params), rel=1e-15)
    x = np.linspace(-8, 8, 2000)  # 0 excluded
    F = estimate_cdf(name, x, beta, sigma, **params)
    assert np.all(np.diff(F) >= 0)
    assert_array_equal(estimate_cdf(name, [-np.inf, np.inf], beta, sigma, **params), [0.0, 1.0])
    assert_allclose(F + estimate_cdf(name, -x, -beta, sigma, **params), 1.0, atol=1e-15)  # x != 0 here
    assert_allclose(estimate_sf(name, x, beta, sigma, **params), 1.0 - F, atol=1e-15)


@pytest.mark.parametrize("name, params", CASES, ids=_ID)
def test_density_is_the_derivative_of_the_cdf_and_integrates_to_one_minus_the_atom(name, params):
    beta, sigma = -0.3, 1.2
    lam = params["lam"]
    breaks = np.array([0.0, lam, 2 * lam, params.get("a", 3.7) * lam, params.get("gamma", 3.0) * lam,
                       np.sqrt(2 * lam), bridge_jump(lam, params["q"])[1] if "q" in params else 0.0])
    x = np.linspace(-6, 6, 301)
    x = x[np.min(np.abs(np.abs(x)[:, None] - breaks), axis=1) > 1e-3]
    h = 1e-6
    F = lambda t: estimate_cdf(name, t, beta, sigma, **params)  # noqa: E731
    numeric = (F(x + h) - F(x - h)) / (2 * h)
    assert_allclose(estimate_density(name, x, beta, sigma, **params), numeric, atol=1e-8)
    pts = sorted(set(np.concatenate([breaks, -breaks])))
    dens = lambda t: float(estimate_density(name, t, beta, sigma, **params))  # noqa: E731
    total = integrate.quad(dens, -np.inf, min(pts))[0] + integrate.quad(dens, max(pts), np.inf)[0]
    total += sum(integrate.quad(dens, a, b, epsabs=1e-13)[0] for a, b in zip(pts[:-1], pts[1:]))
    assert total == pytest.approx(1.0 - zero_probability(name, beta, sigma, **params), abs=1e-9)


def test_lasso_density_is_poetscher_leeb():
    beta, sigma, lam = 0.5, 1.3, 0.7
    x = np.array([0.1, 0.8, 2.5])
    expected = stats.norm.pdf((x + lam - beta) / sigma) / sigma
    assert_allclose(estimate_density("lasso", x, beta, sigma, lam), expected, rtol=1e-14)
    assert_allclose(estimate_density("lasso", -x, beta, sigma, lam), stats.norm.pdf((-x - lam - beta) / sigma) / sigma,
                    rtol=1e-14)
    h = 1e-6
    F = lambda t: estimate_cdf("lasso", t, beta, sigma, lam)  # noqa: E731
    numeric = (F(x + h) - F(x - h)) / (2 * h)
    assert_allclose(numeric, expected, rtol=1e-7)


def test_cdf_is_flat_on_the_gap():
    tau, jump = bridge_jump(1.0, 0.5)
    gap = np.linspace(0, jump, 7)
    assert np.ptp(estimate_cdf("bridge", gap, 0.2, 1.0, 1.0, q=0.5)) == 0
    assert np.ptp(estimate_cdf("hard", np.linspace(0, np.sqrt(2.0), 7), 0.2, 1.0, 1.0)) == 0


def test_tails_in_50_digits():
    # lower tail of the CDF: P(theta <= 0) = Phi(tau - beta) = Phi(-19.3) for the lasso
    with mpmath.workdps(50):
        assert estimate_cdf("lasso", 0.0, 20.0, 1.0, 0.7) == pytest.approx(float(mpmath.ncdf(-19.3)), rel=1e-13)
        # upper tail: P(bridge > 20) = P(z > h(20)), h(t) = t + lam q t^(q-1)
        h20 = 20 + mpmath.mpf(1) * 0.5 / mpmath.sqrt(20)
        assert estimate_sf("bridge", 20.0, 0.0, 1.0, 1.0, q=0.5) == pytest.approx(float(mpmath.ncdf(-h20)), rel=1e-12)
        # P(zero) far in the tail: hard, beta = 30, tau = 2
        q = mpmath.ncdf(2 - 30) - mpmath.ncdf(-2 - 30)
        log_q = float(zero_probability("hard", 30.0, 1.0, 2.0, log=True))
        assert log_q == pytest.approx(float(mpmath.log(q)), rel=1e-12)


def test_zeros_distribution_is_the_lasso_law_at_the_threshold():
    beta, sigma = np.array([0.0, 0.5, -1.0, 3.0]), 0.8
    for name, params in CASES:
        tau = _tau(name, params)
        pmf = zeros_distribution(name, beta, sigma, **params)
        ref = exact_sparse_probability(beta, sigma, lam=tau)
        assert_allclose(pmf, ref.zeros_pmf, atol=1e-15)
        assert pmf.sum() == pytest.approx(1.0, abs=1e-14)
        assert ref.probability == pytest.approx(1 - pmf[0], abs=1e-14)
    assert zeros_distribution("ridge", beta, sigma, 1.0)[0] == 1.0


def test_zero_count_against_monte_carlo():
    """K by simulation against the Poisson-binomial pmf: a chi-square test."""
    beta, sigma, n = np.array([0.0, 0.5, -1.0, 3.0]), 0.8, 200_000
    z = beta + sigma * np.random.default_rng(5).standard_normal((n, beta.size))
    counts = np.bincount(np.sum(scad(z, 0.7) == 0, axis=1), minlength=beta.size + 1)
    pmf = zeros_distribution("scad", beta, sigma, 0.7)
    keep = pmf * n > 5  # pool the cells too small for the chi-square approximation
    observed, expected = counts[keep], pmf[keep] * n
    if not np.all(keep):
        observed, expected = np.append(observed, counts[~keep].sum()), np.append(expected, pmf[~keep].sum() * n)
    expected *= observed.sum() / expected.sum()  # the pooled cells may carry 1e-20 of mass
    assert stats.chisquare(observed, expected).pvalue > LEVEL


# --------------------------------------------------------------- exact laws vs Monte Carlo
MC_SETTINGS = [(0.0, 1.0, 0.5), (1.5, 0.7, 0.8), (-3.0, 2.0, 1.7)]  # (beta, sigma, lam)
MC_RULES = [("lasso", {}), ("ridge", {}), ("elastic_net", {"lam2": 0.8}), ("hard", {}), ("scad", {}),
            ("mcp", {"gamma": 2.0}), ("bridge", {"q": 0.5})]
N_MC = 1_000_000


def monte_carlo_check(name, extra, beta, sigma, lam, seed):
    """The rule on N_MC normal draws: (KS p-value of the nonzero part, binomial p-value and z of the atom)."""
    params = {"lam": lam, **extra}
    z = beta + sigma * np.random.default_rng(seed).standard_normal(N_MC)
    theta = _apply(name, z, params)
    zero = theta == 0
    k = int(zero.sum())
    atom = float(zero_probability(name, beta, sigma, **params))
    if atom == 0.0:
        binom_p, binom_z = (1.0 if k == 0 else 0.0), 0.0
    else:
        binom_p = stats.binomtest(k, N_MC, atom).pvalue
        binom_z = (k - N_MC * atom) / np.sqrt(N_MC * atom * (1 - atom))

    def conditional_cdf(x):  # P(theta <= x | theta != 0): drop the atom from F for x >= 0
        F = estimate_cdf(name, x, beta, sigma, **params)
        return (F - atom * (np.asarray(x) >= 0)) / (1 - atom)

    ks_p = stats.kstest(theta[~zero], conditional_cdf).pvalue
    return ks_p, binom_p, binom_z


@pytest.mark.parametrize("setting", range(len(MC_SETTINGS)))
@pytest.mark.parametrize("name, extra", MC_RULES, ids=[r[0] for r in MC_RULES])
def test_exact_law_against_monte_carlo(name, extra, setting):
    beta, sigma, lam = MC_SETTINGS[setting]
    seed = 100 + 10 * setting + MC_RULES.index((name, extra))
    ks_p, binom_p, _ = monte_carlo_check(name, extra, beta, sigma, lam, seed=seed)
    assert ks_p > LEVEL
    assert binom_p > LEVEL
