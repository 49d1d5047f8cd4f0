r"""The density of ``beta_hat`` integrated over the signed-support regions, p = 2, by geometry.

An independent check of :mod:`mc_sparsity._exact.support_correlated` (no orthant formula, no
factorisation, no QMC).  The KKT conditions say ``beta_hat = G^{-1} (A b + lam g)`` with
``A = G + lam2 I`` and ``g`` a subgradient of ``||b||_1`` at ``b``; so the set of ``beta_hat``
whose solution has support ``S`` and signs ``s`` is the image of
``{b : sign(b) = s on S, 0 off S} x {g : g_S = s, g_Sc in (-1, 1)}``, a polygon:

* ``S = {1, 2}``: the wedge with apex ``lam G^{-1} s`` and rays ``s_j G^{-1} A e_j``;
* ``S = {j}``: the half-strip with corners ``lam G^{-1} (s_j e_j +- e_i)`` and the ray
  ``s_j G^{-1} A e_j`` from both;
* ``S = {}``: the parallelogram with vertices ``lam G^{-1} (+-1, +-1)``.

Each polygon is whitened (``e = L^{-1} (beta_hat - beta) / sigma``, ``L L^T = G^{-1}``: the
density becomes the standard one and polygons stay polygons), its rays are cut at length
``1e4`` and the result clipped to the box ``[-12, 12]^2`` (mass outside at most
``4 Phi(-12) ~ 7e-33``, added to the error).  The clipped convex polygon is integrated as
``int phi(x) (Phi(y_hi(x)) - Phi(y_lo(x))) dx`` with ``scipy.integrate.quad``, ``y_lo`` and
``y_hi`` read off the polygon's edges, its vertices' abscissae as break points.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import integrate, special

from .._base.errors import ParameterError
from .integrate import IntegralResult
from .support import _check

__all__ = ["integrate_support_region"]

_L = 12.0
_RAY = 1e4
_TRUNCATION = 4.0 * float(special.ndtr(-_L))
_OPTS = {"epsabs": 1e-14, "epsrel": 1e-12, "limit": 200}


def _clip(poly, axis, bound, keep_below):
    """Sutherland-Hodgman: keep the part of a convex polygon with ``x[axis] <= bound`` (or ``>=``)."""
    out = []
    inside = (lambda q: q[axis] <= bound) if keep_below else (lambda q: q[axis] >= bound)
    for i, cur in enumerate(poly):
        prev = poly[i - 1]
        if inside(cur):
            if not inside(prev):
                out.append(prev + (cur - prev) * (bound - prev[axis]) / (cur[axis] - prev[axis]))
            out.append(cur)
        elif inside(prev):
            out.append(prev + (cur - prev) * (bound - prev[axis]) / (cur[axis] - prev[axis]))
    return out


def _convex_hull(points):
    """Vertices of the convex hull in counter-clockwise order (monotone chain)."""
    pts = sorted({(float(x), float(y)) for x, y in points})
    if len(pts) <= 2:
        return [np.array(q) for q in pts]

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for q in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], q) <= 0:
            lower.pop()
        lower.append(q)
    for q in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], q) <= 0:
            upper.pop()
        upper.append(q)
    return [np.array(q) for q in lower[:-1] + upper[:-1]]


def _polygon_probability(vertices, rays):
    """``P(e in conv(vertices) + cone(rays))`` for ``e ~ N(0, I_2)``, truncated to the box; ``(value, error)``."""
    rays = [r / np.linalg.norm(r) for r in rays]
    points = list(vertices) + [v + _RAY * r for v in vertices for r in rays]
    poly = _convex_hull(points)
    for axis, keep_below in itertools.product((0, 1), (True, False)):
        if len(poly) < 3:
            return 0.0, 0.0
        poly = _clip(poly, axis, _L if keep_below else -_L, keep_below)
    if len(poly) < 3:
        return 0.0, 0.0
    xs = np.array([q[0] for q in poly])
    edges = [(poly[i - 1], poly[i]) for i in range(len(poly))]

    def y_range(x):
        ys = []
        for a, b in edges:
            lo, hi = min(a[0], b[0]), max(a[0], b[0])
            if lo <= x <= hi and hi > lo:
                ys.append(a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))
        return (min(ys), max(ys)) if ys else (0.0, 0.0)

    def inner(x):
        lo, hi = y_range(x)
        if hi <= lo:
            return 0.0
        mass = special.ndtr(-lo) - special.ndtr(-hi) if lo > 0 else special.ndtr(hi) - special.ndtr(lo)
        return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi) * mass

    x_lo, x_hi = float(xs.min()), float(xs.max())
    breaks = sorted({float(x) for x in xs if x_lo < x < x_hi} | ({0.0} if x_lo < 0.0 < x_hi else set()))
    value, error = integrate.quad(inner, x_lo, x_hi, points=breaks or None, **_OPTS)
    return value, error


def _regions(gram, a_mat, ell, support, s):
    """The (vertices, rays) of the signed-support region in ``beta_hat / sigma`` coordinates."""
    g_inv = np.linalg.inv(gram)
    eye = np.eye(2)
    if len(support) == 2:
        return [ell * g_inv @ s], [s[j] * g_inv @ a_mat @ eye[j] for j in (0, 1)]
    if len(support) == 1:
        j = support[0]
        i = 1 - j
        corners = [ell * g_inv @ (s[0] * eye[j] + w * eye[i]) for w in (1.0, -1.0)]
        return corners, [s[0] * g_inv @ a_mat @ eye[j]]
    return [ell * g_inv @ np.array(w) for w in itertools.product((1.0, -1.0), repeat=2)], []


def integrate_support_region(beta, sigma, *, lam, gram=None, lam2=0.0, estimand="signed_support"):
    """Integrate the ``N(beta, sigma^2 G^{-1})`` density over the (signed) support region, p = 2.

    Parameters
    ----------
    beta : array_like of shape (2,)
    sigma : float
    lam : float
        L1 level of ``1/2 ||y - X b||^2 + lam ||b||_1 + lam2/2 ||b||^2``.
    gram : ndarray or Design, optional
        ``G``; the identity when None.
    lam2 : float, default 0.0
        Elastic net's L2 level.
    estimand : {"signed_support", "support"}

    Returns
    -------
    IntegralResult
        ``value`` and ``error`` (quadrature estimates plus truncated mass).

    Examples
    --------
    >>> res = integrate_support_region([1.0, 0.0], 1.0, lam=0.5)
    >>> round(res.value, 6), res.error < 1e-8  # Phi(0.5) (2 Phi(0.5) - 1)
    (0.264778, True)
    """
    estimator = "elastic_net" if lam2 else "lasso"
    beta, sigma, _, gram_c, lam, lam2 = _check(beta, sigma, None, gram, lam, lam2, estimator, estimand,
                                               ("signed_support", "support"))
    if beta.size != 2:
        raise ParameterError("beta", f"integrate_support_region needs p = 2, got p = {beta.size}")
    gram = np.eye(2) if gram_c is None else gram_c
    m, ell = beta / sigma, lam / sigma
    a_mat = gram + lam2 * np.eye(2)
    if ell == 0.0 and not np.all(beta != 0):
        return IntegralResult(0.0, 0.0)  # least squares: never a zero
    chol = np.linalg.cholesky(np.linalg.inv(gram))
    on = beta != 0
    support = tuple(int(j) for j in np.flatnonzero(on))
    patterns = [np.sign(beta[on])] if estimand == "signed_support" else \
        [np.array(s) for s in itertools.product((1.0, -1.0), repeat=len(support))]
    value = error = 0.0
    for s in patterns:
        vertices, rays = _regions(gram, a_mat, ell, support, s)
        white_v = [np.linalg.solve(chol, v - m) for v in vertices]
        white_r = [np.linalg.solve(chol, r) for r in rays]
        v, e = _polygon_probability(white_v, white_r)
        value += v
        error += e + _TRUNCATION
    return IntegralResult(float(min(max(value, 0.0), 1.0)), float(error))
