"""The statistical dimension of the L1 descent cone: against mpmath, against Monte Carlo, and its curves."""

import math

import numpy as np
import pytest

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._transition.statistical_dimension import (l1_transition_curve, l2_recovery_probability,
                                                           statistical_dimension, weak_threshold)

mpmath = pytest.importorskip("mpmath")


def _formula_by_quadrature(s, d):
    """inf over tau of s (1 + tau^2) + (d - s) sqrt(2/pi) int_tau^inf (u - tau)^2 exp(-u^2/2) du:
    mpmath quadrature of the defining integral (30 digits), bounded minimisation over tau."""
    from scipy.optimize import minimize_scalar

    mpmath.mp.dps = 30

    def objective(tau):
        t = mpmath.mpf(tau)
        tail = mpmath.quad(lambda u: (u - t) ** 2 * mpmath.exp(-u * u / 2), [t, t + 10, mpmath.inf])
        return s * (1 + t * t) + (d - s) * mpmath.sqrt(2 / mpmath.pi) * tail

    best = minimize_scalar(lambda tau: float(objective(tau)), bounds=(0.0, 8.0), method="bounded",
                           options={"xatol": 1e-10})
    return float(objective(best.x))


@pytest.mark.parametrize("s, d", [(10, 100), (1, 100), (5, 50), (20, 200), (90, 100), (1, 1000)])
def test_formula_matches_mpmath_quadrature(s, d):
    assert abs(statistical_dimension(s, d).value - _formula_by_quadrature(s, d)) <= 1e-10


def test_math_md_value():
    # MATH.md: d = 100, s = 10 gives D = 32.879...; the digits beyond from the quadrature above.
    value = statistical_dimension(10, 100).value
    assert math.floor(value * 1000) == 32879
    assert abs(value - _formula_by_quadrature(10, 100)) <= 1e-10


def test_bounds_contain_a_monte_carlo_statistical_dimension():
    """delta = E[dist^2(g, cone of the subdifferential)] = E[min_tau sum_S (g_i - tau)^2 + sum_Sc (|g_j| - tau)_+^2]
    (signs taken +1 by symmetry), estimated from 20,000 draws; it must lie in [D - 2 sqrt(d/s), D] at level 1e-4."""
    s, d, n = 10, 100, 20_000
    g = np.random.default_rng(20260419).standard_normal((n, d))
    on, off = g[:, :s], np.abs(g[:, s:])
    low, high = np.zeros(n), np.full(n, 20.0)
    for _ in range(60):  # bisection on the convex function's derivative, per draw
        tau = (low + high) / 2
        slope = s * tau - on.sum(axis=1) - np.clip(off - tau[:, None], 0, None).sum(axis=1)
        low, high = np.where(slope < 0, tau, low), np.where(slope < 0, high, tau)
    tau = (low + high) / 2
    dist = ((on - tau[:, None]) ** 2).sum(axis=1) + (np.clip(off - tau[:, None], 0, None) ** 2).sum(axis=1)
    estimate, se = dist.mean(), dist.std(ddof=1) / math.sqrt(n)
    sd = statistical_dimension(s, d)
    z = 3.89  # two-sided 1e-4
    assert sd.lower - z * se <= estimate <= sd.value + z * se
    assert sd.error_bound == pytest.approx(2 * math.sqrt(d / s))
    # the bound is not vacuous here: the estimate is within the gap of D
    assert sd.value - estimate < sd.error_bound


def test_monotone_and_ends():
    values = [statistical_dimension(s, 100).value for s in range(1, 101)]
    assert all(b > a for a, b in zip(values, values[1:]))
    assert values[-1] == 100.0 and all(0 < v <= 100 for v in values)
    curve = [l1_transition_curve(r) for r in np.linspace(0, 1, 41)]
    assert curve[0] == 0.0 and curve[-1] == 1.0
    assert all(b > a for a, b in zip(curve, curve[1:]))
    # homogeneity: D(s, d) = d psi(s/d)
    assert statistical_dimension(30, 200).value == pytest.approx(200 * l1_transition_curve(0.15), rel=1e-13)


def test_weak_threshold_sanity():
    deltas = [1e-4, 1e-3, 1e-2, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99]
    rho = [weak_threshold(delta) for delta in deltas]
    assert all(b > a for a, b in zip(rho, rho[1:]))
    assert rho[0] < 0.1 and rho[-1] > 0.85 and all(0 < r < 1 for r in rho)
    for delta, r in zip(deltas, rho):  # on the curve m/d = psi(s/d): psi(rho delta) = delta
        assert l1_transition_curve(r * delta) == pytest.approx(delta, rel=1e-10)


def test_l2_step():
    assert [l2_recovery_probability(m, 50) for m in (1, 49, 50, 51)] == [0.0, 0.0, 1.0, 1.0]


@pytest.mark.parametrize("s, d, name", [(11, 10, "s"), (0, 10, "s"), (1, 0, "d"), (1e-9, 10, "s"),
                                        (float("nan"), 10, "s")])
def test_bad_input(s, d, name):
    with pytest.raises(ParameterError) as info:
        statistical_dimension(s, d)
    assert info.value.parameter == name
