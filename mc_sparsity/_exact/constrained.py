"""Exact ``P(constrained lasso sparse)`` and the law of its number of zeros, any p.

Orthonormal design: ``x = beta_hat ~ N(beta, sigma^2 I)``.  The constrained
lasso is the Euclidean projection of ``x`` on the L1 ball of radius ``t``: the
soft threshold of ``x`` at ``theta``, with ``theta = 0`` inside the ball and
otherwise the ``theta > 0`` solving ``g(theta) = sum_j (a_j - theta)^+ = t``,
``a_j = |x_j|``.

The event.  ``g`` is continuous and strictly decreasing on ``[0, max_j a_j]``.
Coordinate ``j`` is zero iff ``a_j <= theta``, so with ``a_(1) <= ... <= a_(p)``
the sorted ``a_j``,

* ``K >= k``  iff  ``a_(k) <= theta``  iff  ``g(a_(k)) >= g(theta) = t``  iff
  ``sum_{j} (a_j - a_(k))^+ >= t``;
* in particular (``k = 1``) a zero exists iff ``sum_j a_j - p min_j a_j >= t``.

Inside the ball (``sum_j a_j <= t``) the left side is ``< t`` unless
``min_j a_j = 0`` and ``sum_j a_j = t``: a null set, so the rule holds almost
surely everywhere.  ``K <= p - 1`` always (``k = p`` gives an empty sum).

The computation.  Condition on the coordinate ``i`` that is the ``k``-th
smallest and its value ``m`` (density ``f_i(m)`` of the folded normal
``a_i``).  The other coordinates are independent: ``k - 1`` of them lie below
``m`` (probability ``F_j(m)`` each), the others above, and ``K >= k`` iff the
excesses ``a_j - m`` of those above sum to at least ``t``.  With the
generating function

    ``prod_j ( G_j + z F_j(m) + w f_j(m) )``,

where ``G_j`` is the (defective) law of ``a_j - m`` on ``{a_j > m}``, the
coefficient of ``z^(k-1) w`` collects every way of choosing ``i`` and the
``k - 1`` coordinates below.  Writing ``G_j``'s total mass ``S_j(m) = P(a_j > m)``,

    ``P(K >= k) = int_0^inf [ T_k(m) - H_k(m) ] dm``,

``T_k`` the same coefficient with ``G_j`` replaced by the scalar ``S_j(m)`` (all
excess sums) and ``H_k`` the mass that the coefficient puts on sums ``< t``.
``H_k`` needs the densities ``g_j(y) = f_j(m + y)`` on ``[0, t]`` only: they
are smooth there, and the convolutions are computed by the trapezoidal
product rule on a grid of step ``h`` (discrete convolution by FFT, the
integrand's end values halved), which has an error expansion in even powers
of ``h``; three grids (``h``, ``h/2``, ``h/4``) and Richardson extrapolation
give ``O(h^6)``, with the last two extrapolants' difference as the error
estimate.  The integral over ``m`` is adaptive Gauss-Kronrod (7/15 points,
``|K - G|`` as the error estimate) over the windows ``|m - |beta_i|/sigma| <= 9.5``
(below the ``(p-1)``-th smallest ``|beta_j|/sigma + 9.5``), whose neglected
mass, below ``(p + 2) Phi(-9.5)``, is added to the error bound.

Everything is computed in standardized units (``beta/sigma``, ``t/sigma``).
The method is absolute-accuracy: ``log_probability`` is ``log(probability)``
and carries the relative error ``error / probability``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import fft, special

from .._base.errors import ParameterError
from .orthonormal import ExactProbability
from .._base.validation import Interval, check_beta, check_scalar

__all__ = ["constrained_sparse_probability"]

_WINDOW = 9.5  # standard deviations kept around each |beta_j|/sigma
_H0 = 0.0625  # coarsest grid step in units of sigma
_MIN_CELLS = 8  # coarsest number of grid cells on [0, t]
_PANEL = 0.5  # initial Gauss-Kronrod panel width in units of sigma
_TOL = 1e-11  # target absolute error of the m-integral
_MAX_ROUNDS = 12
_PMF_DEFAULT_MAX_P = 12

# Gauss-Kronrod 7/15 nodes and weights on [-1, 1] (QUADPACK qk15).
_XGK = np.array([0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                 0.207784955007898467600689403773245, 0.000000000000000000000000000000000])
_WGK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                 0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975, 0.417959183673469387755102040816327])
_NODES = np.concatenate([-_XGK[:-1], _XGK[::-1]])  # 15 nodes, increasing
_KRONROD = np.concatenate([_WGK[:-1], _WGK[::-1]])
_GAUSS = np.zeros(15)
_GAUSS[[1, 3, 5, 7, 9, 11, 13]] = np.concatenate([_WG[:-1], _WG[::-1]])

_LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _check(beta, sigma, radius):
    try:
        beta = check_beta(beta)
    except ValueError as exc:
        raise ParameterError("beta", str(exc)) from None
    values = []
    for value, name in ((sigma, "sigma"), (radius, "radius")):
        try:
            values.append(check_scalar(value, name, Interval(0, None, closed="neither")))
        except ValueError as exc:
            raise ParameterError(name, str(exc)) from None
    return beta, values[0], values[1]


def _folded(m, mu):
    """Density ``f``, lower mass ``F = P(a <= m)`` and upper mass ``S = P(a > m)`` of ``a = |N(mu, 1)|``.

    ``m`` of shape (M,), ``mu`` of shape (p,) with ``mu >= 0``; results of shape (p, M).
    """
    m = m[None, :]
    mu = mu[:, None]
    f = np.exp(-0.5 * (m - mu) ** 2 - _LOG_SQRT_2PI) + np.exp(-0.5 * (m + mu) ** 2 - _LOG_SQRT_2PI)
    upper = special.ndtr(mu - m) + special.ndtr(-mu - m)  # a sum of positive terms
    # F = Phi(m - mu) - Phi(-m - mu): both ends as erf where they straddle 0, no cancellation
    lower = 0.5 * (special.erf((m - mu) / math.sqrt(2.0)) + special.erf((m + mu) / math.sqrt(2.0)))
    lower = np.where(m - mu < 0.0, special.ndtr(m - mu) - special.ndtr(-m - mu), lower)
    return f, lower, upper


def _integrand(m, mu, t, n_cells, degree):
    """``T - H`` at the nodes ``m`` on a grid of ``n_cells`` cells: shape (degree, M).

    Row ``d`` is the integrand of ``P(K >= d + 1)``.
    """
    p = mu.size
    M = m.size
    h = t / n_cells
    y = h * np.arange(n_cells + 1)
    size = fft.next_fast_len(2 * n_cells + 2, real=True)
    f, lower, upper = _folded(m, mu)
    # State: coefficient [d, e] of z^d w^e is  s * delta_0 + A (a density on the grid).
    s = np.zeros((degree, 2, M))
    A = np.zeros((degree, 2, M, n_cells + 1))
    T = np.zeros((degree, 2, M))  # the same coefficients with G_j -> S_j(m): masses
    s[0, 0] = 1.0
    T[0, 0] = 1.0
    started = False  # A is identically 0 until the first density enters
    for j in range(p):
        xs = m[:, None] + y[None, :]
        g = np.exp(-0.5 * (xs - mu[j]) ** 2 - _LOG_SQRT_2PI) + np.exp(-0.5 * (xs + mu[j]) ** 2 - _LOG_SQRT_2PI)
        new_A = s[..., None] * g  # delta * G_j
        if started:
            live = min(j, degree)  # after j factors only the degrees 0..j-1 carry a density
            hat_g = g.copy()
            hat_g[:, 0] *= 0.5
            hat_A = A[:live].copy()
            hat_A[..., 0] *= 0.5
            conv = fft.irfft(fft.rfft(hat_A, size, axis=-1) * fft.rfft(hat_g, size, axis=-1), size, axis=-1)
            conv = h * conv[..., : n_cells + 1]
            conv[..., 0] = 0.0  # the trapezoid rule on [0, 0]
            new_A[:live] += conv
        started = True
        new_s = np.zeros_like(s)
        new_T = upper[j] * T
        # z F_j: one more coordinate below m; w f_j: coordinate j is the k-th smallest.
        new_s[1:] += lower[j] * s[:-1]
        new_A[1:] += lower[j][:, None] * A[:-1]
        new_T[1:] += lower[j] * T[:-1]
        new_s[:, 1] += f[j] * s[:, 0]
        new_A[:, 1] += f[j][:, None] * A[:, 0]
        new_T[:, 1] += f[j] * T[:, 0]
        s, A, T = new_s, new_A, new_T
    mass = s[:, 1] + h * (A[:, 1].sum(axis=-1) - 0.5 * (A[:, 1, :, 0] + A[:, 1, :, -1]))
    return T[:, 1] - mass


def _richardson(m, mu, t, degree):
    """The integrand extrapolated from three grids, and its estimated error: shapes (degree, M)."""
    n0 = max(_MIN_CELLS, int(math.ceil(t / _H0)))
    v1, v2, v4 = (_integrand(m, mu, t, n0 * r, degree) for r in (1, 2, 4))
    r1a = (4.0 * v2 - v1) / 3.0
    r1b = (4.0 * v4 - v2) / 3.0
    r2 = (16.0 * r1b - r1a) / 15.0
    return r2, np.abs(r2 - r1b)


def _windows(mu, degree):
    """Disjoint intervals of m covering the integrand's mass, merged."""
    upper_end = np.sort(mu)[min(degree, mu.size) - 1] + _WINDOW  # m is at most the k-th smallest a_j
    ivals = sorted((max(0.0, v - _WINDOW), min(v + _WINDOW, upper_end)) for v in mu)
    merged = []
    for lo, hi in ivals:
        if hi <= lo:
            continue
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    panels = []
    for lo, hi in merged:
        k = max(1, int(math.ceil((hi - lo) / _PANEL)))
        edges = np.linspace(lo, hi, k + 1)
        panels.extend(zip(edges[:-1], edges[1:]))
    return np.array(panels)


def _integrate(mu, t, degree):
    """``int (T - H) dm`` for each row, with an error estimate (absolute)."""
    panels = _windows(mu, degree)
    total = np.zeros(degree)
    error = np.zeros(degree)
    for _ in range(_MAX_ROUNDS):
        if panels.size == 0:
            break
        centre = 0.5 * (panels[:, 0] + panels[:, 1])
        half = 0.5 * (panels[:, 1] - panels[:, 0])
        nodes = (centre[:, None] + half[:, None] * _NODES).ravel()
        values, rich_err = _richardson(nodes, mu, t, degree)
        values = values.reshape(degree, -1, 15)
        rich_err = rich_err.reshape(degree, -1, 15)
        kron = half * np.einsum("dpk,k->dp", values, _KRONROD)
        gauss = half * np.einsum("dpk,k->dp", values, _GAUSS)
        quad_err = np.abs(kron - gauss).max(axis=0)
        node_err = half * np.einsum("dpk,k->dp", rich_err, _KRONROD)
        tol = _TOL * (2.0 * half) / max(1.0, float(np.sum(2.0 * half)))
        done = quad_err <= np.maximum(tol, 1e-15)
        total += kron[:, done].sum(axis=1)
        error += np.abs(kron[:, done] - gauss[:, done]).sum(axis=1) + node_err[:, done].sum(axis=1)
        rest = panels[~done]
        if rest.size == 0:
            panels = rest
            break
        mid = 0.5 * (rest[:, 0] + rest[:, 1])
        panels = np.concatenate([np.stack([rest[:, 0], mid], 1), np.stack([mid, rest[:, 1]], 1)])
    else:  # pragma: no cover - the integrand is smooth; twelve bisections always suffice
        raise RuntimeError("the m-integral did not converge")
    return total, error


def constrained_sparse_probability(beta, sigma=1.0, radius=1.0, *, pmf=None):
    """``P(the constrained lasso has a zero coordinate)`` under an orthonormal design.

    The constrained lasso solution is the projection of ``beta_hat ~ N(beta,
    sigma^2 I)`` on the L1 ball of radius ``radius``; it has a zero coordinate
    iff ``sum_j |beta_hat_j| - p min_j |beta_hat_j| >= radius``, and at least
    ``k`` zeros iff ``sum_j (|beta_hat_j| - a_(k))^+ >= radius`` with ``a_(k)``
    the ``k``-th smallest ``|beta_hat_j|`` (see the module docstring).

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients, any ``p >= 1``.
    sigma : float, default 1.0
        Noise level, ``> 0``.
    radius : float, default 1.0
        Radius ``t > 0`` of the L1 ball.
    pmf : bool, optional
        Also compute the law of ``K``, the number of zero coordinates.  It
        costs about ``p / 2`` times the probability alone, so the default
        (``None``) computes it for ``p <= 12`` only.

    Returns
    -------
    ExactProbability
        ``probability``, ``log_probability`` (``log`` of it: relative accuracy
        ``error / probability``), ``zeros_pmf`` (``P(K = k)``, ``k = 0..p``, or
        ``None`` if it was not computed) and ``error``, an estimated bound on the
        absolute error of ``probability`` and of each ``zeros_pmf`` entry
        (typically 1e-10 to 1e-8; the actual error is usually far smaller).
        At ``p = 2`` the same method reproduces ``exact_sparse_probability``'s
        product form.

    Examples
    --------
    >>> res = constrained_sparse_probability([1.0, 0.3], 1.0, 1.0)  # p = 2: P(|u| >= c) P(|v| >= c)
    >>> round(res.probability, 6)
    0.337471
    >>> res = constrained_sparse_probability([1.0, 0.5, 0.0], 1.0, 1.0)
    >>> round(res.probability, 6), res.error < 1e-8
    (0.733453, True)
    >>> np.round(res.zeros_pmf, 6)  # K <= p - 1: the projection keeps a nonzero
    array([0.266547, 0.469221, 0.264232, 0.      ])
    """
    beta, sigma, radius = _check(beta, sigma, radius)
    p = beta.size
    if pmf is None:
        pmf = p <= _PMF_DEFAULT_MAX_P
    elif not isinstance(pmf, (bool, np.bool_)):
        raise TypeError(f"pmf must be True, False or None, got {pmf!r}")
    if p == 1:  # the projection on [-t, t] is zero only if beta_hat is: a null set
        return ExactProbability(0.0, -math.inf, np.array([1.0, 0.0]) if pmf else None, 0.0)
    with np.errstate(over="ignore"):
        mu = np.abs(beta) / sigma
        t = radius / sigma
    if not (np.all(np.isfinite(mu)) and math.isfinite(t)):
        raise ParameterError("sigma", f"sigma must be large enough that beta/sigma and radius/sigma are finite, got {sigma!r}")
    degree = p - 1 if pmf else 1
    at_least, error = _integrate(mu, t, degree)
    truncation = (p + 2) * float(special.ndtr(-_WINDOW))
    err = float(error.max()) + truncation + 1e-15 * p
    at_least = np.clip(at_least, 0.0, 1.0)
    prob = float(at_least[0])
    log_p = math.log(prob) if prob > 0.0 else -math.inf
    zeros = None
    if pmf:
        tail = np.minimum.accumulate(at_least)  # P(K >= k) is decreasing; within the error bound
        zeros = np.empty(p + 1)
        zeros[0] = 1.0 - tail[0]
        zeros[1:p - 1] = tail[:-1] - tail[1:]
        zeros[p - 1] = tail[-1]
        zeros[p] = 0.0
        err = 2.0 * err  # a difference of two P(K >= k)
    return ExactProbability(prob, log_p, zeros, err)
