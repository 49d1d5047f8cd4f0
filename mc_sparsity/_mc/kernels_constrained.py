"""The constrained lasso and ridge under a correlated design, solved exactly per draw (numba).

Row 0: ``argmin (b - beta_hat)^T G (b - beta_hat)`` s.t. ``||b||_1 <= t``
(``p = 2``: inside the ball, a vertex iff the gradient lies in its normal cone,
else an edge, each case with rounding margins; ``p != 2``: the LARS-lasso path
down to ``||b||_1 = t``, certified by :func:`~mc_sparsity._mc.gram_lasso.certify`).
Row 1: the same with ``||b||_2 <= t``, i.e. ``b = (G + mu I)^{-1} G beta_hat``
with ``mu >= 0`` and ``||b||_2 = t`` outside the ball (the secular equation in
the eigenbasis of ``G``, :mod:`~mc_sparsity._mc.secular`), its zeros counted as
computed in floating point (expected: none).  Draws and tally as in
:mod:`~mc_sparsity._mc.kernels_correlated`.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .engine import Kernel
from .gram_lasso import (TABLE_MAX_P, certification_margin, certify, inverse_tables, lars_path,
                         work_arrays)
from .kernels import add_pattern
from .kernels_correlated import BATCH, _draw, _signs_right, check_kernel_inputs
from .pcg64 import run_on_state, standard_normal
from .secular import ridge_ball_multiplier
from .tally import signs_of, tally_width
from .._base.validation import Interval, check_scalar

__all__ = ["constrained_correlated_kernel"]

_EPS = np.finfo(float).eps


@numba.njit(cache=True, nogil=True, inline="always")
def _p2_constrained_class(z0, z1, radius, g00, g01, g11, rtol):  # pragma: no cover - compiled
    """p = 2 constrained lasso outside the ball: 1 vertex on axis 0 (support {0}), 2 on axis 1, 0 an edge, 4 unsure.

    The vertex ``(s0 t, 0)`` is the solution iff the gradient ``z - t s0 G[:, 0]``
    lies in its normal cone ``{s0 g0 >= |g1|}``; ``s0 = sign(z0)``.
    """
    s0 = 1.0 if z0 > 0 else -1.0
    v0 = abs(z0) - radius * g00 - abs(z1 - radius * s0 * g01)
    tol0 = rtol * (abs(z0) + abs(z1) + radius * (g00 + abs(g01)))
    s1 = 1.0 if z1 > 0 else -1.0
    v1 = abs(z1) - radius * g11 - abs(z0 - radius * s1 * g01)
    tol1 = rtol * (abs(z0) + abs(z1) + radius * (g11 + abs(g01)))
    if v0 > tol0:
        return 1
    if v1 > tol1:
        return 2
    if v0 < -tol0 and v1 < -tol1:
        return 0
    return 4


@numba.njit(cache=True, nogil=True, inline="always")
def _p2_edge_signs(x0, x1, s0, s1, radius, g00, g01, g11, rtol):  # pragma: no cover - compiled
    """On an edge (full support): whether the solution has signs ``(s0, s1)``: 1 yes, 0 no, -1 within rounding.

    The candidate ``b = beta_hat - mu G^{-1} s`` with ``mu = (s^T beta_hat - t) / (s^T G^{-1} s)``
    is the solution iff ``mu > 0`` and ``sign(b) = s`` (its KKT conditions).
    """
    det = g00 * g11 - g01 * g01
    w0 = (g11 * s0 - g01 * s1) / det
    w1 = (g00 * s1 - g01 * s0) / det
    mu = (s0 * x0 + s1 * x1 - radius) / (s0 * w0 + s1 * w1)
    b0 = x0 - mu * w0
    b1 = x1 - mu * w1
    size = abs(x0) + abs(x1) + radius
    m0 = rtol * (abs(x0) + abs(mu * w0) + size)
    m1 = rtol * (abs(x1) + abs(mu * w1) + size)
    if mu > rtol * size and s0 * b0 > m0 and s1 * b1 > m1:
        return 1
    if mu < -rtol * size or s0 * b0 < -m0 or s1 * b1 < -m1:
        return 0
    return -1


@numba.njit(cache=True, nogil=True, inline="always")
def _ridge_ball_zeros(evals, evecs, z, radius, wv, out):  # pragma: no cover - compiled
    """Exact zeros of the G-metric projection of beta_hat on the L2 ball, beta_hat = G^{-1} z.

    ``b = V diag(1/(d + mu)) V^T z``: ``mu = 0`` inside the ball, else the root of
    the secular equation (:func:`~mc_sparsity._mc.secular.ridge_ball_multiplier`).
    """
    p = z.shape[0]
    for i in range(p):
        acc = 0.0
        for j in range(p):
            acc += evecs[j, i] * z[j]
        wv[i] = acc
    norm0 = 0.0
    for i in range(p):
        norm0 += (wv[i] / evals[i]) ** 2
    mu = 0.0
    if norm0 > radius * radius:
        mu = ridge_ball_multiplier(evals, wv, radius)
    k = 0
    for j in range(p):
        acc = 0.0
        for i in range(p):
            acc += evecs[j, i] * (wv[i] / (evals[i] + mu))
        out[j] = acc
        k += acc == 0.0
    return k


@numba.njit(cache=True, nogil=True, inline="always")
def _tally_p2(row, zero0, zero1, in0, in1, width, hits, right):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.kernels.add_pattern` for p = 2, the flags as scalars, into one row."""
    # branch-free: the flags are random, a branch on them would be mispredicted about half the time
    a = np.int64(zero0 & in0) + np.int64(zero1 & in1)
    b = np.int64(zero0 & (not in0)) + np.int64(zero1 & (not in1))
    row[a * width + b] += 1
    row[hits] += np.int64((a == 0) & (b == width - 1) & right)


@numba.njit(cache=True, nogil=True, inline="always")
def _right_p2(v0, v1, s0, s1):  # pragma: no cover - compiled
    """:func:`_signs_right` for p = 2."""
    # v_j s_j >= 0 iff s_j = 0, v_j = 0 or the signs agree (v finite); & not `and`: no branch on random signs
    return (v0 * s0 >= 0.0) & (v1 * s1 >= 0.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _ridge_sign_p2(c, zj, lo, hi, w0, w1, d0, d1, radius, tol):  # pragma: no cover - compiled
    """The sign (+-1) of ``c + mu* zj`` at the root ``mu*`` in ``[lo, hi]``, or 0 if not certain by ``tol``.

    ``c + mu zj`` is linear in ``mu``: its sign on the bracket is certain when both
    ends agree by more than ``tol``; else, where it crosses zero at ``mu_j``, the
    side of ``mu*`` is that of ``||b(mu_j)||`` against ``t`` (``||b||`` decreases),
    and ``|mu* - mu_j|`` is bounded below through the slope of ``||b||^2``.
    """
    flo = c + lo * zj
    fhi = c + hi * zj
    if (flo > 0.0) == (fhi > 0.0) and min(abs(flo), abs(fhi)) > tol:
        return 1.0 if flo > 0.0 else -1.0
    if zj == 0.0:
        return 0.0
    muj = -c / zj
    if not muj > 0.0:
        return 0.0
    s2 = (w0 / (d0 + muj)) ** 2 + (w1 / (d1 + muj)) ** 2
    t2 = radius * radius
    gap = abs(s2 - t2) - 16.0 * _EPS * (s2 + t2)
    # |d ||b||^2 / d mu| <= 2 max(||b||^2) / (d0 + mu) between mu_j and mu*
    distance = gap * (d0 + min(muj, lo)) / (2.0 * max(s2, t2))
    if not abs(zj) * distance > tol:
        return 0.0
    # mu_j < mu* (the norm at mu_j is still above t): past the crossing, the sign of zj
    return (1.0 if zj > 0.0 else -1.0) if s2 > t2 else (1.0 if c > 0.0 else -1.0)


@numba.njit(cache=True, nogil=True, inline="always")
def _ridge_ball_signs_p2(z0, z1, w0, w1, d0, d1, g00, g01, g10, g11, radius, rtol):  # pragma: no cover
    """Signs of the p = 2 L2-ball projection outside the ball, certified without its multiplier.

    ``b(mu) = (G + mu I)^{-1} z = (adj(G) z + mu z) / det(G + mu I)``: coordinate
    ``j`` has the sign of ``c_j + mu zj``, linear in ``mu``, at the root ``mu*``
    of the secular equation, which lies in ``[lo, hi]`` (the bounds of
    :mod:`~mc_sparsity._mc.secular`).  A sign is certified when it is clear of
    zero by ``rtol`` times the size of everything rounded, the eigenbasis
    computation of the solution included (it then has the same sign and is not
    zero); otherwise 0 and the caller solves for ``mu`` as before.
    """
    wn = math.sqrt(w0 * w0 + w1 * w1)
    # the bound |w1| / t - d1 of secular.py is left out: wn >= |w1| exactly (sqrt, / and - are monotone
    # in floating point), so wn / t - d1 already bounds it, and lo is the same number
    wt = wn / radius
    lo = max(max(0.0, wt - d1), abs(w0) / radius - d0)
    hi = wt - d0
    c0 = g11 * z0 - g01 * z1
    c1 = g00 * z1 - g10 * z0
    dhi = (g00 + hi) * (g11 + hi) - g01 * g10
    bmax = wn / (d0 + lo)  # ||b(mu)|| for mu >= lo
    tol0 = rtol * (abs(g11 * z0) + abs(g01 * z1) + hi * abs(z0) + dhi * bmax)
    tol1 = rtol * (abs(g00 * z1) + abs(g10 * z0) + hi * abs(z1) + dhi * bmax)
    sign0 = _ridge_sign_p2(c0, z0, lo, hi, w0, w1, d0, d1, radius, tol0)
    if sign0 == 0.0:
        return 0.0, 0.0
    return sign0, _ridge_sign_p2(c1, z1, lo, hi, w0, w1, d0, d1, radius, tol1)


@numba.njit(cache=True, nogil=True)
def _constrained_p2(state, n, beta, sigma, gram, chol, radius, rtol, evals, evecs, signs, counts):  # pragma: no cover
    """p = 2: the operations of ``_constrained_kernel`` on scalars, a batch of draws at a time, tallied locally.

    The same floating-point operations in the same order as ``_draw``,
    ``_ridge_ball_zeros`` and the p = 2 branch of ``_constrained_kernel``: the
    same counts.
    """
    xb = np.empty((BATCH, 4))
    s0 = signs[0]
    s1 = signs[1]
    in0 = s0 != 0.0
    in1 = s1 != 0.0
    k_true = in0 + in1
    width = 3 - k_true
    hits = (k_true + 1) * width
    lasso = np.zeros(hits + 2, dtype=np.int64)
    ridge = np.zeros(hits + 2, dtype=np.int64)
    l00 = chol[0, 0]
    l10 = chol[1, 0]
    l11 = chol[1, 1]
    g00 = gram[0, 0]
    g01 = gram[0, 1]
    g10 = gram[1, 0]
    g11 = gram[1, 1]
    d0 = evals[0]
    d1 = evals[1]
    v00 = evecs[0, 0]
    v01 = evecs[0, 1]
    v10 = evecs[1, 0]
    v11 = evecs[1, 1]
    wv = np.empty(2)
    r2 = radius * radius
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):
            e0, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            e1, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            x0 = beta[0] + sigma * (0.0 + l00 * e0)
            x1 = beta[1] + sigma * ((0.0 + l10 * e0) + l11 * e1)
            xb[i, 0] = x0
            xb[i, 1] = x1
            xb[i, 2] = (0.0 + g00 * x0) + g10 * x1
            xb[i, 3] = (0.0 + g01 * x0) + g11 * x1
        for i in range(m):
            x0 = xb[i, 0]
            x1 = xb[i, 1]
            z0 = xb[i, 2]
            z1 = xb[i, 3]
            # row 1: the L2 ball in the eigenbasis
            w0 = (0.0 + v00 * z0) + v10 * z1
            w1 = (0.0 + v01 * z0) + v11 * z1
            mu = 0.0
            outside = (0.0 + (w0 / d0) ** 2) + (w1 / d1) ** 2 > r2
            if outside:
                sign0, sign1 = _ridge_ball_signs_p2(z0, z1, w0, w1, d0, d1, g00, g01, g10, g11, radius, rtol)
                if sign0 != 0 and sign1 != 0:  # both coordinates' signs certified: no root to find
                    _tally_p2(ridge, False, False, in0, in1, width, hits, _right_p2(sign0, sign1, s0, s1))
                else:
                    wv[0] = w0
                    wv[1] = w1
                    mu = ridge_ball_multiplier(evals, wv, radius)
            if mu > 0.0 or not outside:
                q0 = w0 / (d0 + mu)
                q1 = w1 / (d1 + mu)
                o0 = (0.0 + v00 * q0) + v01 * q1
                o1 = (0.0 + v10 * q0) + v11 * q1
                _tally_p2(ridge, o0 == 0.0, o1 == 0.0, in0, in1, width, hits, _right_p2(o0, o1, s0, s1))
            # row 0: the L1 ball
            if (0.0 + abs(x0)) + abs(x1) <= radius:
                _tally_p2(lasso, x0 == 0.0, x1 == 0.0, in0, in1, width, hits, _right_p2(x0, x1, s0, s1))
                continue
            code = _p2_constrained_class(z0, z1, radius, g00, g01, g11, rtol)
            if code == 4:
                lasso[hits + 1] += 1
                continue
            if code == 0 and k_true == 2:  # an edge: its signs decide the signed support
                right = _p2_edge_signs(x0, x1, s0, s1, radius, g00, g01, g11, rtol)
                if right < 0:
                    lasso[hits + 1] += 1
                else:
                    _tally_p2(lasso, False, False, in0, in1, width, hits, right == 1)
                continue
            o0 = z0 if code == 1 else 0.0
            o1 = z1 if code == 2 else 0.0
            _tally_p2(lasso, code == 2, code == 1, in0, in1, width, hits, _right_p2(o0, o1, s0, s1))
        for c in range(hits + 2):
            counts[0, c] += lasso[c]
            counts[1, c] += ridge[c]
            lasso[c] = 0
            ridge[c] = 0
    state[0] = hi
    state[1] = lo


@numba.njit(cache=True, nogil=True)
def _constrained_kernel(state, n, beta, sigma, gram, chol, radius, rtol, inv_lmin, evals, evecs, use_table, table,
                        offsets, signs, counts, sums):  # pragma: no cover - compiled
    p = beta.shape[0]
    amax = 0.0
    for i in range(p):
        for k in range(p):
            amax = max(amax, abs(gram[i, k]))
    eps = np.empty(p)
    bh = np.empty(p)
    z = np.empty(p)
    wv = np.empty(p)
    out = np.empty(p)
    inS, sg, idx, rhs, u, w, bb, c, a, Lf = work_arrays(p)
    k_true = 0
    for j in range(p):
        k_true += signs[j] != 0.0
    hits = (k_true + 1) * (p - k_true + 1)
    zero = np.empty(p, dtype=np.bool_)
    if p == 2:
        _constrained_p2(state, n, beta, sigma, gram, chol, radius, rtol, evals, evecs, signs, counts)
        return
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for _ in range(n):
        hi, lo = _draw(hi, lo, inc_hi, inc_lo, p, beta, sigma, chol, gram, eps, bh, z)
        _ridge_ball_zeros(evals, evecs, z, radius, wv, out)
        for j in range(p):
            zero[j] = out[j] == 0.0
        add_pattern(counts, 1, zero, signs, _signs_right(out, signs, p), p, k_true)
        l1 = 0.0
        for j in range(p):
            l1 += abs(bh[j])
        if l1 <= radius:  # inside the ball: the solution is beta_hat
            for j in range(p):
                zero[j] = bh[j] == 0.0
            add_pattern(counts, 0, zero, signs, _signs_right(bh, signs, p), p, k_true)
            continue
        if p == 2:
            code = _p2_constrained_class(z[0], z[1], radius, gram[0, 0], gram[0, 1], gram[1, 1], rtol)
            if code == 4:
                counts[0, hits + 1] += 1
                continue
            zero[0] = code == 2
            zero[1] = code == 1
            if code == 0 and k_true == 2:  # an edge: its signs decide the signed support
                right = _p2_edge_signs(bh[0], bh[1], signs[0], signs[1], radius, gram[0, 0], gram[0, 1],
                                       gram[1, 1], rtol)
                if right < 0:
                    counts[0, hits + 1] += 1
                    continue
                add_pattern(counts, 0, zero, signs, right == 1, p, k_true)
            else:  # a vertex keeps the sign of its z_j; the edge's signs matter only when S is both
                out[0] = z[0] if code == 1 else 0.0
                out[1] = z[1] if code == 2 else 0.0
                add_pattern(counts, 0, zero, signs, _signs_right(out, signs, p), p, k_true)
            continue
        ok = False
        if lars_path(gram, z, 0.0, radius, True, use_table, table, offsets, inS, sg, idx, bb, c, w, a, rhs, Lf):
            ok = certify(gram, z, 0.0, radius, True, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
                          idx, rhs, u, w, Lf)
        if ok:
            for j in range(p):
                zero[j] = not inS[j]
            add_pattern(counts, 0, zero, signs, _signs_right(sg, signs, p), p, k_true)
        else:
            counts[0, hits + 1] += 1
    state[0] = hi
    state[1] = lo


def _constrained_function(rng, n, *args):
    """:func:`_constrained_kernel` called with the engine's ``rng``, which it leaves advanced past its normals."""
    run_on_state(_constrained_kernel, rng, n, *args)


def constrained_correlated_kernel(beta, sigma, gram, chol, radius, *, table_max_p=TABLE_MAX_P):
    """The compiled kernel of the constrained lasso and ridge in the metric of ``gram``.

    Row 0: ``argmin (b - beta_hat)^T G (b - beta_hat)`` s.t. ``||b||_1 <= radius``
    (``p = 2``: inside the ball, else a vertex iff the gradient lies in its normal
    cone, else an edge; ``p != 2``: the LARS-lasso path down to ``||b||_1 = radius``
    with a certified KKT check, no further fallback).  Row 1: the same with
    ``||b||_2 <= radius`` (zeros as computed in floating point).

    Parameters
    ----------
    beta, sigma, gram, chol
        As in :func:`penalized_correlated_kernel`.
    radius : float
        The ball's radius ``t`` > 0.
    table_max_p : int, optional
        As in :func:`penalized_correlated_kernel`.

    Returns
    -------
    Kernel
        Two tally rows, the layout of :func:`penalized_correlated_kernel`.

    Examples
    --------
    >>> constrained_correlated_kernel([1.0, 0.3], 1.0, [[1.0, 0.5], [0.5, 1.0]], None, 1.0).counts_shape
    (2, 5)
    """
    beta, sigma, G, L = check_kernel_inputs(beta, sigma, gram, chol)
    radius = check_scalar(radius, "radius", Interval(0.0, None, "right"))
    p = beta.size
    evals, evecs = np.linalg.eigh(G)
    use_table = p != 2 and p <= table_max_p
    tables, offsets = inverse_tables([G], p, use_table)
    signs = signs_of(beta)
    args = (beta, sigma, G, L, radius, certification_margin(G), 1.0 / evals[0], evals, np.ascontiguousarray(evecs), use_table,
            tables[0], offsets, signs)
    return Kernel(function=_constrained_function, args=args,
                  counts_shape=(2, tally_width(p, int(np.count_nonzero(signs)))))
