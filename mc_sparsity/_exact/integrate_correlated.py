"""The N(beta, sigma^2 G^{-1}) density integrated over the sparse region, p = 2, by geometry.

An independent check of :mod:`mc_sparsity._exact.correlated`: no orthant
formula, no Owen's T, only the regions of ``beta_hat``-space drawn as wedges
(cones with an apex) and the density integrated over them with
``scipy.integrate.nquad``.

* Penalized lasso / elastic net (``A = G + lam2 I``): the solution has full
  support with signs ``s`` iff ``b = A^{-1}(G beta_hat - lam s)`` lies in the
  open quadrant of signs ``s``, i.e. ``beta_hat = G^{-1}(A b + lam s)``: the
  wedge with apex ``lam G^{-1} s`` spanned by ``s_1 G^{-1} A e_1`` and
  ``s_2 G^{-1} A e_2`` (for ``lam2 = 0`` the quadrant ``s`` shifted to
  ``lam G^{-1} s``).  The sparse region is the plane minus these four wedges.
* Constrained lasso: the ``G``-projection on ``||b||_1 <= t`` is the vertex
  ``v`` iff ``beta_hat`` is in the wedge ``v + cone(G^{-1} n_1, G^{-1} n_2)``,
  ``n_1, n_2`` the outward normals of the two edges at ``v``; the sparse
  region is the union of the four wedges.
* Ridge: the axes (penalized) or a null set (constrained): integral 0.

Each wedge is mapped to whitened coordinates ``e = L^{-1}(beta_hat - beta)/sigma``
(``L L^T = G^{-1}``), where the density is the standard normal one and the
wedge is still a wedge; rotated so that its bisector points along ``+x``, it
is integrated as ``x`` from the apex to 12 and ``y`` between the wedge's two
edges (clipped to ``[-12, 12]``), with the places where the edges leave the
box as break points.  The mass
outside the box, at most ``4 Phi(-12) ~ 7e-33``, is added to the error bound.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import integrate, special

from .._base.errors import ParameterError
from .correlated import _check_inputs
from .integrate import IntegralResult

__all__ = ["integrate_sparse_region_correlated"]

_L = 12.0
_TRUNCATION = 4.0 * float(special.ndtr(-_L))
# The inner integrals are computed more tightly than the outer one needs, so that their
# rounding noise does not look like a rough integrand to the outer quadrature.
_INNER_OPTS = {"epsabs": 1e-15, "epsrel": 1e-13, "limit": 200}
_OUTER_OPTS = {"epsabs": 1e-12, "epsrel": 1e-10, "limit": 200}


def _density(y, x):
    return math.exp(-0.5 * (x * x + y * y)) / (2.0 * math.pi)


def _inside(points, low, high):
    """The break points strictly inside ``(low, high)``, none within rounding of an end or of each other."""
    margin = 1e-9 * (1.0 + abs(low) + abs(high))
    kept = []
    for q in sorted(float(q) for q in points):
        if low + margin < q < high - margin and (not kept or q - kept[-1] > margin):
            kept.append(q)
    return kept


def _wedge_probability(apex, d1, d2):
    """``P(e in apex + cone(d1, d2))`` for ``e ~ N(0, I_2)``, by 2-d quadrature.

    The plane is first rotated (which leaves the density unchanged) so that
    the wedge's bisector points along ``+x``; the wedge, of angle
    ``alpha < pi``, is then ``{x >= a_x, |y - a_y| <= tan(alpha/2) (x - a_x)}``:
    ``x`` runs from the apex to the box's edge and ``y`` between two lines,
    clipped to the box, with break points where the lines leave it.
    """
    d1 = np.asarray(d1, dtype=float) / np.linalg.norm(d1)
    d2 = np.asarray(d2, dtype=float) / np.linalg.norm(d2)
    bisector = (d1 + d2) / np.linalg.norm(d1 + d2)
    rotation = np.array([[bisector[0], bisector[1]], [-bisector[1], bisector[0]]])
    ax, ay = rotation @ np.asarray(apex, dtype=float)
    slope = math.tan(0.5 * math.acos(min(1.0, max(-1.0, float(d1 @ d2)))))
    x_low = max(ax, -_L)
    if not x_low < _L:
        return 0.0, 0.0  # the wedge lies beyond the box: its mass is in the truncation bound

    def y_range(x):
        half = slope * (x - ax)
        low, high = max(ay - half, -_L), min(ay + half, _L)
        return (low, high) if low < high else (0.0, 0.0)

    def y_opts(x):
        low, high = y_range(x)
        return dict(_INNER_OPTS, points=_inside([0.0], low, high))

    breaks = [0.0]
    if slope > 0:
        breaks += [ax + abs(edge - ay) / slope for edge in (-_L, _L)]  # where a line leaves the box
    x_opts = dict(_OUTER_OPTS, points=_inside(breaks, x_low, _L))
    value, error = integrate.nquad(_density, [y_range, (x_low, _L)], opts=[y_opts, x_opts])
    return value, error


def integrate_sparse_region_correlated(beta, sigma, design, *, lam=None, radius=None, lam2=0.0,
                                       estimator="lasso"):
    """Integrate the density of ``beta_hat ~ N(beta, sigma^2 G^{-1})`` over the sparse region (p = 2).

    Parameters
    ----------
    beta : array_like of shape (2,)
    sigma : float
    design : Design
        A 2 x 2 design (``mc_sparsity._designs.design``).
    lam, radius, lam2, estimator
        As in :func:`mc_sparsity._exact.correlated.exact_sparse_probability_correlated`.

    Returns
    -------
    IntegralResult
        The integral and a bound on its absolute error (the quadrature's
        estimates plus the truncated mass).

    Examples
    --------
    >>> from mc_sparsity._designs.design import equicorrelated
    >>> res = integrate_sparse_region_correlated([1.0, 0.3], 1.0, equicorrelated(2, 0.6), lam=0.5)
    >>> round(res.value, 6), res.error < 1e-8
    (0.610843, True)
    """
    beta, sigma, lam, radius, lam2 = _check_inputs(beta, sigma, design, lam, radius, lam2, estimator)
    if beta.size != 2:
        raise ParameterError("beta", f"integrate_sparse_region_correlated needs p = 2, got p = {beta.size}")
    if estimator == "ridge" or (lam is not None and lam == 0.0):
        return IntegralResult(0.0, 0.0)  # a null set: the axes, or no zero at all (least squares)
    with np.errstate(over="ignore"):
        m = beta / sigma
        level = (lam if lam is not None else radius) / sigma
    if not (np.all(np.isfinite(m)) and math.isfinite(level)):
        raise ParameterError("sigma", "beta/sigma and the level/sigma must be finite as floats")
    cov = np.array(design.covariance)  # G^{-1}
    chol = np.linalg.cholesky(cov)  # beta_hat = m + chol e (in units of sigma)
    gram = np.array(design.gram)

    def whiten(point):
        return np.linalg.solve(chol, point)

    parts = []
    if lam is not None:
        spread = cov @ (gram + lam2 * np.eye(2))  # G^{-1} A
        for s in itertools.product((1.0, -1.0), repeat=2):
            s = np.array(s)
            apex = level * cov @ s
            d1, d2 = s[0] * spread[:, 0], s[1] * spread[:, 1]
            parts.append(_wedge_probability(whiten(apex - m), whiten(d1), whiten(d2)))
        value = 1.0 - math.fsum(v for v, _ in parts)
    else:
        for j, sv in itertools.product((0, 1), (1.0, -1.0)):
            i = 1 - j
            vertex = np.zeros(2)
            vertex[j] = sv * level
            n1, n2 = np.zeros(2), np.zeros(2)
            n1[j] = n2[j] = sv
            n1[i], n2[i] = 1.0, -1.0
            parts.append(_wedge_probability(whiten(vertex - m), whiten(cov @ n1), whiten(cov @ n2)))
        value = math.fsum(v for v, _ in parts)
    error = math.fsum(e for _, e in parts) + _TRUNCATION * len(parts)
    return IntegralResult(float(min(max(value, 0.0), 1.0)), float(error))
