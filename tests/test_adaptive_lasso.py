"""The adaptive lasso (Zou 2006) under an orthonormal design, derived independently of the package's rule."""

import numpy as np
import pytest
from scipy.optimize import minimize_scalar

from mc_sparsity import simulate
from mc_sparsity._estimators.laws import estimate_cdf
from mc_sparsity._estimators.penalties import PENALTIES
from mc_sparsity._estimators.rules import adaptive_lasso
from mc_sparsity._base.errors import ParameterError


@pytest.mark.parametrize("gamma", [0.5, 1.0, 2.0])
def test_the_rule_is_the_minimiser_of_the_weighted_problem(gamma):
    """argmin 1/2 (z - t)^2 + lam |t| / |z|^gamma, by bounded scalar minimisation."""
    lam = 0.8
    for z in (-3.0, -1.2, -0.5, 0.3, 0.85, 1.1, 2.5):
        w = lam / abs(z) ** gamma
        obj = lambda t: 0.5 * (z - t) ** 2 + w * abs(t)  # noqa: E731
        best = minimize_scalar(obj, bounds=(-abs(z) - 1, abs(z) + 1), method="bounded",
                               options={"xatol": 1e-12}).x
        best = best if obj(best) < obj(0.0) else 0.0
        assert adaptive_lasso(z, lam, gamma) == pytest.approx(best, abs=1e-7)


def test_threshold_is_lam_to_the_one_over_one_plus_gamma():
    lam, gamma = 0.5, 2.0
    tau = lam ** (1 / 3)
    assert PENALTIES["adaptive_lasso"].threshold(lam, adaptive_gamma=gamma) == pytest.approx(tau, rel=1e-15)
    assert adaptive_lasso(tau, lam, gamma) == 0.0 and adaptive_lasso(np.nextafter(tau, 2), lam, gamma) != 0.0


def test_the_law_of_the_estimate_matches_a_monte_carlo_cdf():
    """P(theta_hat <= x) from the generalised inverse against an empirical CDF of the rule (n = 200,000)."""
    rng = np.random.default_rng(5)
    z = 0.7 + rng.standard_normal(200_000)
    theta = adaptive_lasso(z, 0.6, 1.0)
    for x in (-1.0, -0.2, 0.0, 0.3, 1.5):
        exact = float(estimate_cdf("adaptive_lasso", x, 0.7, 1.0, 0.6, adaptive_gamma=1.0))
        assert abs(np.mean(theta <= x) - exact) < 5 * np.sqrt(exact * (1 - exact) / z.size) + 1e-12


def test_simulate_and_its_exact_value():
    # P(zero_j) = Phi(tau - b_j) - Phi(-tau - b_j), tau = 0.5^(1/2), computed here by hand
    from scipy.special import ndtr

    tau = 0.5 ** 0.5
    q = [ndtr(tau - b) - ndtr(-tau - b) for b in (1.0, 0.3)]
    exact = 1 - (1 - q[0]) * (1 - q[1])
    row = simulate([1.0, 0.3], lam=0.5, estimator="adaptive_lasso", reps=10_000)["adaptive_lasso"]
    assert row.exact == pytest.approx(exact, rel=1e-12)
    with pytest.raises(ParameterError) as err:
        simulate([1.0, 0.3], lam=0.5, estimator="adaptive_lasso", adaptive_gamma=0.0)
    assert err.value.parameter == "adaptive_gamma"
