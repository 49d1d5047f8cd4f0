"""The multiplier of the L2-ball projection in the metric of a Gram matrix: a secular equation, compiled.

The constrained ridge under a correlated design, ``argmin (b - beta_hat)^T G
(b - beta_hat)`` s.t. ``||b||_2 <= t``, is ``b(mu) = (G + mu I)^{-1} z`` with
``z = G beta_hat``.  In the eigenbasis of ``G = V diag(d) V^T`` (computed once
per run), with ``w = V^T z``, its norm is ``||b(mu)||^2 = sum_i w_i^2 / (d_i + mu)^2``,
and outside the ball ``mu > 0`` solves the secular equation
``phi(mu) = 1/||b(mu)|| - 1/t = 0``.  ``phi`` is increasing and concave
(Moré and Sorensen, 1983), so Newton's method started below the root climbs to
it monotonically, quadratically at the end.

The start matters (it was the cost of the whole kernel: from ``mu = 0`` five
Newton steps per draw, measured).  Two lower bounds of the root, both from
``||b(mu)|| >= |w_i| / (d_i + mu)`` and ``||b(mu)|| >= ||w|| / (d_max + mu)``
at ``mu = mu*`` where ``||b|| = t``::

    mu* >= |w_i| / t - d_i        for every i,
    mu* >= ||w|| / t - d_max,

and one upper bound, ``mu* <= ||w|| / t - d_min``.  With two terms (p = 2) the
largest lower bound is within a few per cent of the root for most draws, and
two or three Newton steps reach it to rounding.
"""

from __future__ import annotations

import math

import numba

__all__ = ["ridge_ball_multiplier"]

#: Newton stops once its step is below this fraction of ``mu``: the next step
#: would change ``mu`` by about the square of it (quadratic convergence), below rounding.
STEP_RTOL = 1e-9

#: Newton steps at most (never reached in practice: the iteration is monotone and quadratic).
MAX_STEPS = 100


@numba.njit(cache=True, nogil=True, inline="always")
def ridge_ball_multiplier(evals, wv, radius):  # pragma: no cover - compiled
    """The root ``mu > 0`` of ``1/||b(mu)|| = 1/radius``, given that ``mu = 0`` lies outside the ball.

    Parameters
    ----------
    evals : numpy.ndarray
        Eigenvalues of ``G``, increasing.
    wv : numpy.ndarray
        ``V^T z``, the coordinates of ``z`` in the eigenbasis.
    radius : float
        ``t > 0``; the caller has checked ``sum (wv_i / evals_i)^2 > t^2``.

    Returns
    -------
    float
        ``mu``, from below, to about the rounding of its last Newton step.

    Examples
    --------
    >>> import numpy as np
    >>> mu = ridge_ball_multiplier(np.array([1.0, 2.0]), np.array([3.0, 4.0]), 1.0)
    >>> bool(abs(np.hypot(3.0 / (1.0 + mu), 4.0 / (2.0 + mu)) - 1.0) < 1e-12)
    True
    """
    p = evals.shape[0]
    wn2 = 0.0
    mu = 0.0
    for i in range(p):
        wn2 += wv[i] * wv[i]
        mu = max(mu, abs(wv[i]) / radius - evals[i])
    wn = math.sqrt(wn2)
    mu = max(mu, wn / radius - evals[p - 1])
    upper = wn / radius - evals[0]
    for _ in range(MAX_STEPS):
        s2 = 0.0
        s3 = 0.0
        for i in range(p):
            r = 1.0 / (evals[i] + mu)
            q = wv[i] * r
            s2 += q * q
            s3 += q * q * r
        nb = math.sqrt(s2)
        phi = 1.0 / nb - 1.0 / radius
        if phi >= 0.0:  # at the root, or past it by rounding
            return mu
        step = -phi * nb * s2 / s3  # phi' = s3 / nb^3
        new = min(mu + step, upper)
        if not new > mu:
            return mu
        if step <= STEP_RTOL * new:
            return new
        mu = new
    return mu
