"""Numerical integration of the N(beta, sigma^2 I) density over the sparse region, p = 2.

The region is described by its geometry, never by the closed form of ``_exact``:

* penalized form: ``A = S1 ∪ S2`` with the strips ``S_j = {|x_j| <= tau}``,
  integrated as ``P(S1) + P(S2) - P(S1 ∩ S2)`` (ridge: ``tau = 0``, strips of
  zero width, the axes);
* constrained form: the four 90-degree wedges beyond the vertices of the
  L1 diamond, ``{x1 >= t + |x2|}`` and its three reflections.

The density is integrated in standardized coordinates ``z = (x - beta)/sigma``
with nested adaptive quadrature (``scipy.integrate.nquad``) on the box
``[-L, L]^2``, ``L = 12``; the mass outside the box, below ``4 * Phi(-12) ~ 1e-32``,
is added to the error bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import integrate, special

from .._base.validation import check_option, check_scenario

__all__ = ["IntegralResult", "integrate_sparse_region"]

_L = 12.0
_TRUNCATION = 4.0 * float(special.ndtr(-_L))
_OPTS = {"epsabs": 1e-13, "epsrel": 1e-12, "limit": 200}


@dataclass(frozen=True)
class IntegralResult:
    """``value`` = the integral of the density over the sparse region; ``error`` its bound."""

    value: float
    error: float


def _density(z1, z2):
    return np.exp(-0.5 * (z1 * z1 + z2 * z2)) / (2.0 * np.pi)


def _points_inside(points, low, high):
    return [p for p in points if low < p < high]


def _box_probability(m, half_widths):
    """``P(|x_j| <= w_j for the listed j)`` by 2-d quadrature, ``x ~ N(m, I)``.

    ``half_widths[j]`` is ``None`` for a coordinate left free (the whole line).
    """
    ranges, opts = [], []
    for mj, w in zip(m, half_widths):
        low, high = (-_L, _L) if w is None else (max(-w - mj, -_L), min(w - mj, _L))
        if low >= high:
            return 0.0, 0.0
        ranges.append((low, high))
        opts.append(dict(_OPTS, points=_points_inside([0.0], low, high)))
    value, error = integrate.nquad(_density, ranges, opts=opts)
    return value, error


def _right_wedge_probability(m1, m2, t):
    """``P(x1 >= t + |x2|)`` for ``x ~ N((m1, m2), I)`` by 2-d quadrature."""

    def z1_range(z2):
        low = t + abs(z2 + m2) - m1
        return (min(max(low, -_L), _L), _L)

    def z1_opts(z2):
        low, high = z1_range(z2)
        return dict(_OPTS, points=_points_inside([0.0], low, high))

    # The wedge's boundary has a kink where x2 = 0, i.e. z2 = -m2.
    z2_opts = dict(_OPTS, points=_points_inside([0.0, -m2], -_L, _L))
    return integrate.nquad(_density, [z1_range, (-_L, _L)], opts=[z1_opts, z2_opts])


def integrate_sparse_region(beta, sigma=1.0, *, lam=None, radius=None, estimator="lasso"):
    """Integrate the density of ``beta_hat ~ N(beta, sigma^2 I)`` over the sparse region.

    Only ``p = 2``.  The region is that of the lasso (strips or wedges) or of
    ridge (the axes, a null set whose integral is 0).  Give exactly one of
    ``lam`` (penalized form: the strips ``{|x_j| <= lam}``) and ``radius``
    (constrained form: the four wedges beyond the vertices of the L1 diamond).
    The region is described by its geometry, independently of the closed form
    of :func:`mc_sparsity.exact_sparse_probability`, and integrated by nested
    adaptive quadrature (``scipy.integrate.nquad``) in standardized coordinates
    on the box ``[-12, 12]^2``.

    Parameters
    ----------
    beta : array_like of float, shape (2,)
        The true coefficients; finite.
    sigma : float, default 1.0
        The noise level, ``> 0``: ``beta_hat`` has covariance ``sigma^2 I``.
    lam : float, optional
        Penalized form: the penalty level, ``>= 0``, in the units of ``beta``
        (``1/2 ||y - X b||^2 + lam ||b||_1`` for the lasso).  Keyword-only.
    radius : float, optional
        Constrained form: the radius ``t`` of the ball, ``> 0``, in the units of
        ``beta``.  Keyword-only.
    estimator : {"lasso", "ridge"}, default "lasso"
        Whose sparse region to integrate over.

    Returns
    -------
    IntegralResult
        The integral and a bound on its absolute error (quadrature estimate
        plus truncated mass).

    Raises
    ------
    ValueError
        If ``p != 2``, if both or neither of ``lam`` and ``radius`` are given,
        if a parameter is out of range or ``estimator`` is unknown, or if
        ``beta/sigma`` or the level over ``sigma`` overflows.

    Examples
    --------
    >>> res = integrate_sparse_region([0.0, 0.0], lam=1.0)
    >>> round(res.value, 8), res.error < 1e-8  # 1 - P(|Z| > 1)^2
    (0.89931404, True)
    >>> round(integrate_sparse_region([0.0, 0.0], radius=1.0).value, 6)  # 4 P(Z1 >= 1 + |Z2|)
    0.22992
    >>> integrate_sparse_region([1.0, -2.0], 2.0, lam=1.0, estimator="ridge").value
    0.0
    """
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    check_option(estimator, "estimator", ("lasso", "ridge"))
    if beta.size != 2:
        raise ValueError(f"integrate_sparse_region needs p = 2, got p = {beta.size}")
    with np.errstate(over="ignore"):
        m = beta / sigma
        level = (lam if lam is not None else radius) / sigma
    if not (np.all(np.isfinite(m)) and np.isfinite(level)):
        raise ValueError("integrate_sparse_region needs beta/sigma and the level/sigma to be finite as floats")
    if lam is not None:
        tau = lam / sigma if estimator == "lasso" else 0.0
        parts = [
            _box_probability(m, (tau, None)),
            _box_probability(m, (None, tau)),
            _box_probability(m, (tau, tau)),
        ]
        value = parts[0][0] + parts[1][0] - parts[2][0]
    else:
        if estimator == "ridge":
            # The L2 projection scales beta_hat by a positive factor: zero only on the axes.
            parts = [_box_probability(m, (0.0, None)), _box_probability(m, (None, 0.0))]
            value = parts[0][0] + parts[1][0]
        else:
            t = radius / sigma
            # The wedge beyond each vertex, reflected onto the one beyond (t, 0).
            means = [(m[0], m[1]), (-m[0], m[1]), (m[1], m[0]), (-m[1], m[0])]
            parts = [_right_wedge_probability(a, b, t) for a, b in means]
            value = sum(v for v, _ in parts)
    error = sum(e for _, e in parts) + _TRUNCATION
    return IntegralResult(float(value), float(error))
