"""The secular equation of the L2-ball projection in the metric of G: the root against an independent root finder."""

import numpy as np
import pytest
from scipy.optimize import brentq

from mc_sparsity._mc.secular import ridge_ball_multiplier


def _norm(evals, w, mu):
    return np.sqrt(np.sum((w / (evals + mu)) ** 2))


@pytest.mark.parametrize("p", [2, 3, 10])
def test_root_matches_brentq(p):
    rng = np.random.default_rng(p)
    checked = 0
    for _ in range(200):
        evals = np.sort(rng.uniform(0.05, 5.0, p))
        w = rng.normal(0.0, 3.0, p)
        radius = rng.uniform(0.05, 2.0)
        if _norm(evals, w, 0.0) <= radius:
            continue  # inside the ball: mu = 0, the caller's case
        mu = ridge_ball_multiplier(evals, w, radius)
        expected = brentq(lambda m: _norm(evals, w, m) - radius, 0.0, 1e6, xtol=1e-15, rtol=1e-15)
        assert mu == pytest.approx(expected, rel=1e-10, abs=1e-12)
        # the two lower bounds of the module's docstring hold at the root
        assert expected >= max(np.max(np.abs(w) / radius - evals), np.linalg.norm(w) / radius - evals[-1]) - 1e-12
        assert expected <= np.linalg.norm(w) / radius - evals[0] + 1e-12
        checked += 1
    assert checked > 50


def test_one_term_is_closed_form():
    # ||b|| = |w| / (d + mu) = t  =>  mu = |w| / t - d
    assert ridge_ball_multiplier(np.array([0.5, 2.0]), np.array([3.0, 0.0]), 1.0) == pytest.approx(2.5, rel=1e-14)
