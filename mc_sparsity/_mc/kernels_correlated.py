"""Exact lasso solutions under a correlated design, compiled (numba), and their numpy references.

Setting: ``y = X b + e``, Gram ``G = X^T X`` (``p x p``, symmetric positive
definite).  Everything depends on ``y`` through ``z = X^T y = G beta_hat`` with
``beta_hat ~ N(beta, sigma^2 G^{-1})``.  A replication draws
``beta_hat = beta + sigma * L @ eps`` (``L`` the lower Cholesky factor of
``G^{-1}``, ``eps_j`` numpy's ``rng.standard_normal()`` one at a time (drawn
inline by :mod:`~mc_sparsity._mc.pcg64`, bit for bit),
``j = 0..p-1``: with ``G = I`` the stream is draw for draw that of
:mod:`mc_sparsity._mc.kernels`), computes ``z = G @ beta_hat`` and solves every
estimator *exactly*, counting its exactly-zero coordinates.

Conventions
-----------
* penalized (elastic net; lasso is ``lam2 = 0``)::

      argmin_b 1/2 b^T (G + lam2 I) b - z^T b + lam ||b||_1
      = argmin_b 1/2 ||y - X b||^2 + lam ||b||_1 + lam2/2 ||b||^2

  (scikit-learn ``ElasticNet(alpha=(lam + lam2)/n, l1_ratio=lam/(lam + lam2))``;
  ``Lasso(alpha=lam/n)`` when ``lam2 = 0``).  An estimator with ``lam = 0`` is
  the smooth solve ``(G + lam2 I)^{-1} z`` (ridge with the package's ``lam/2``
  convention when ``lam2 > 0``), computed in floating point by a Cholesky
  solve and its exact zeros counted as they come out (expected: none).
* the constrained forms: :mod:`~mc_sparsity._mc.kernels_constrained`.

Each lasso is solved by the certified solver of :mod:`~mc_sparsity._mc.gram_lasso`
(``p = 2``: the four KKT cases in closed form, with the same margins; ``p != 2``,
the unweighted estimators: draws and start patterns by batches of draws,
active-set steps from the full-support candidate's pattern, and for the draws
they leave uncertified, after the batch, LARS then coordinate descent; the
weighted: the unpenalized solution's thresholded pattern, then LARS, then
coordinate descent).  A replication that no candidate certifies (probability about the
margin) is counted as *uncertified*, and not as sparse nor as non-sparse.  For
``p = 2`` the full support is certified by all three smaller patterns failing
by a margin.

Counts layout: the tally of :mod:`~mc_sparsity._mc.tally` (zeros inside and
outside the true support, signed-support hits, uncertified replications:
always 0 for the smooth estimators).  A pattern that is certain but whose
signs are within rounding of a change (p = 2, full support) is uncertified too.
Nothing of size ``n`` is allocated (a batch is at most 128 draws); the kernels use no ``sums``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .engine import Kernel
from .gram_lasso import (TABLE_MAX_P, active_set_pattern, certification_margin, inverse_tables,
                         margin_from_eigenvalues, solve_certified_call, threshold_pattern, work_arrays)
from .kernels import add_pattern
from .pcg64 import run_on_state, standard_normal
from .tally import signs_of, tally_width
from .._base.errors import ParameterError
from .._base.validation import Interval, check_beta, check_cholesky, check_gram, check_scalar

__all__ = ["penalized_correlated_kernel", "check_kernel_inputs"]

#: Replications drawn before they are classified (p = 2): accumulators in registers.
BATCH = 512


@numba.njit(cache=True, nogil=True, inline="always")
def _p2_penalized_class(z0, z1, lam, r01, r10, rtol):  # pragma: no cover - compiled
    """p = 2 lasso by its KKT cases: 0 full support, 1 support {0}, 2 support {1}, 3 none, 4 uncertified.

    ``r01 = a01/a00``, ``r10 = a01/a11`` (``A = G + lam2 I``).  Slacks: ``d`` of the
    support {} (``lam - max|z_j|``), ``e0`` of {0} (``b0 = sign(z0)(|z0| - lam)/a00``
    nonzero and ``|z1 - a01 b0| <= lam``), ``e1`` of {1}; the full support holds iff
    all three are negative.  In exact arithmetic at most one is positive; the
    pattern is certified when all three are clear of 0 by ``rtol`` times the
    size of the rounded terms (``rtol`` includes the factor ``1 + max|r|``).
    Branch-free.  A one-coordinate support keeps the sign of its ``z_j``.
    """
    az0 = abs(z0)
    az1 = abs(z1)
    d = lam - max(az0, az1)
    e0 = min(az0 - lam, lam - abs(z1 - r01 * (z0 - math.copysign(lam, z0))))
    e1 = min(az1 - lam, lam - abs(z0 - r10 * (z1 - math.copysign(lam, z1))))
    tol = rtol * (az0 + az1 + lam)
    k = 3 * (d > 0.0) + (e0 > 0.0) + 2 * (e1 > 0.0)
    sure = min(abs(d), min(abs(e0), abs(e1))) > tol
    return k if sure else 4


@numba.njit(cache=True, nogil=True, inline="always")
def _full_support_signs(r0, r1, s0, s1, a00, a01, a11, rtol):  # pragma: no cover - compiled
    """Whether the full-support candidate ``A^{-1} r`` has signs ``(s0, s1)``: 1 yes, 0 no, -1 within rounding."""
    # det(A) > 0 (A is positive definite): the signs of A^{-1} r are those of its numerators, no division
    b0 = a11 * r0 - a01 * r1
    b1 = a00 * r1 - a01 * r0
    m0 = rtol * (abs(a11 * r0) + abs(a01 * r1))
    m1 = rtol * (abs(a00 * r1) + abs(a01 * r0))
    yes = (s0 * b0 > m0) & (s1 * b1 > m1)
    no = (s0 * b0 < -m0) | (s1 * b1 < -m1)  # exclusive of yes (the margins are >= 0); no branch
    return np.int64(yes) - np.int64(not (yes | no))


@numba.njit(cache=True, nogil=True, inline="always")
def _signs_right(values, signs, p):  # pragma: no cover - compiled
    """``sign(values_j) = sign(beta_j)`` wherever ``beta_j != 0`` and ``values_j != 0``."""
    for j in range(p):
        if signs[j] != 0.0 and values[j] != 0.0 and values[j] * signs[j] < 0.0:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _add_support(counts, e, inS, sg, signs, p, k):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.kernels.add_pattern` of the certified pattern ``(inS, sg)``, without branches.

    The same cells: ``a`` zeros inside the true support, ``b`` outside, and the
    signed-support hit when ``a = 0``, ``b = p - k`` and ``sg_j beta_j >= 0``
    everywhere (``sg`` is +-1 or 0, never NaN).  The pattern is random: a
    branch on it would be mispredicted about half the time.
    """
    a = 0
    zeros = 0
    right = True
    for j in range(p):
        z = np.int64(not inS[j])
        a += z & np.int64(signs[j] != 0.0)
        zeros += z
        right &= sg[j] * signs[j] >= 0.0
    b = zeros - a
    counts[e, a * (p - k + 1) + b] += 1
    counts[e, (k + 1) * (p - k + 1)] += np.int64((a == 0) & (b == p - k) & right)


@numba.njit(cache=True, nogil=True, inline="always")
def _draw(hi, lo, inc_hi, inc_lo, p, beta, sigma, chol, gram, eps, bh, z):  # pragma: no cover - compiled
    """One replication's ``beta_hat`` into ``bh`` and ``z = G beta_hat`` into ``z``; returns the advanced state."""
    for j in range(p):
        eps[j], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
    for j in range(p):
        acc = 0.0
        for k in range(j + 1):
            acc += chol[j, k] * eps[k]
        bh[j] = beta[j] + sigma * acc
    for j in range(p):
        z[j] = 0.0
    for k in range(p):  # z = G bh column by column (G symmetric): z_j sums over k in order
        x = bh[k]
        for j in range(p):
            z[j] += gram[k, j] * x
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def batch_columns(p):  # pragma: no cover - compiled
    """Draws per batch of the p != 2 kernels: 128 while a batch's few (p, cols) arrays stay in the core's
    cache (p <= 32), fewer above."""
    return max(8, min(128, 4096 // p))


@numba.njit(cache=True, nogil=True, inline="always")
def _draw_batch(hi, lo, inc_hi, inc_lo, m, beta, sigma, chol, gram, eps, bh, z, acc):  # pragma: no cover
    """:func:`_draw` for ``m`` draws, into the columns of ``bh`` and ``z``: the same operations in the same order
    per draw (the sums over ``k`` in order, from 0.0), vectorised along the draws.  Returns the advanced state."""
    p = beta.shape[0]
    for i in range(m):
        for j in range(p):
            eps[j, i], hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
    for j in range(p):
        for i in range(m):
            acc[i] = 0.0
        for k in range(j + 1):
            c = chol[j, k]
            for i in range(m):
                acc[i] += c * eps[k, i]
        bj = beta[j]
        for i in range(m):
            bh[j, i] = bj + sigma * acc[i]
    for j in range(p):
        for i in range(m):
            z[j, i] = 0.0
    for k in range(p):  # z = G bh column by column (G symmetric): z_j sums over k in order
        for j in range(p):
            g = gram[k, j]
            for i in range(m):
                z[j, i] += g * bh[k, i]
    return hi, lo


@numba.njit(cache=True, nogil=True, inline="always")
def _row_times_batch(M, j, x, m, acc):  # pragma: no cover - compiled
    """``acc[i] = M[j] @ x[:, i]`` for the first ``m`` columns, summed over ``k`` in order from 0.0."""
    for i in range(m):
        acc[i] = 0.0
    for k in range(M.shape[1]):
        c = M[j, k]
        for i in range(m):
            acc[i] += c * x[k, i]


@numba.njit(cache=True, nogil=True, inline="always")
def _matmul_batch(M, x, m, out, acc):  # pragma: no cover - compiled
    """``out[:, i] = M @ x[:, i]`` for the first ``m`` columns (:func:`_row_times_batch`, row by row)."""
    for j in range(M.shape[0]):
        _row_times_batch(M, j, x, m, acc)
        for i in range(m):
            out[j, i] = acc[i]


@numba.njit(cache=True, nogil=True, inline="always")
def _full_support_batch(x, inverse, lam, m, sign, start, acc):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.gram_lasso.full_support_pattern` of the first ``m`` columns of ``x``:
    ``sign(x)`` into ``sign``, the start support into ``start`` (its signs are ``sign`` there)."""
    p = x.shape[0]
    for k in range(p):
        for i in range(m):
            v = x[k, i]
            sign[k, i] = np.float64(v > 0.0) - np.float64(v < 0.0)
    for j in range(p):
        _row_times_batch(inverse, j, sign, m, acc)
        for i in range(m):
            start[j, i] = sign[j, i] * (x[j, i] - lam * acc[i]) > 0.0


@numba.njit(cache=True, nogil=True, inline="always")
def _tally_solution(counts, e, certified, inS, sg, signs, p, k):  # pragma: no cover - compiled
    """A certified pattern into its cells (:func:`_add_support`), an uncertified replication apart."""
    if certified:
        _add_support(counts, e, inS, sg, signs, p, k)
    else:
        counts[e, (k + 1) * (p - k + 1) + 1] += 1


@numba.njit(cache=True, nogil=True)
def _full_cholesky(A, Lf):  # pragma: no cover - compiled
    p = A.shape[0]
    for i in range(p):
        for k in range(i + 1):
            acc = A[i, k]
            for m in range(k):
                acc -= Lf[i, m] * Lf[k, m]
            if i == k:
                Lf[i, i] = math.sqrt(acc)
            else:
                Lf[i, k] = acc / Lf[k, k]


@numba.njit(cache=True, nogil=True, inline="always")
def _smooth_zeros(Lf, z, out):  # pragma: no cover - compiled
    """Exact zeros of A^{-1} z by the Cholesky factor of A (forward then back substitution)."""
    p = z.shape[0]
    for i in range(p):
        acc = z[i]
        for m in range(i):
            acc -= Lf[i, m] * out[m]
        out[i] = acc / Lf[i, i]
    k = 0
    for i in range(p - 1, -1, -1):
        acc = out[i]
        for m in range(i + 1, p):
            acc -= Lf[m, i] * out[m]
        out[i] = acc / Lf[i, i]
        k += out[i] == 0.0
    return k


@numba.njit(cache=True, nogil=True)
def _penalized_p2(state, n, beta, sigma, gram, chol, lams, A, Lfull, rtols, signs, counts):  # pragma: no cover
    """p = 2: a batch of draws (the operations of ``_draw``), then each estimator with register accumulators."""
    n_est = lams.shape[0]
    zb = np.empty((BATCH, 2))
    k_true = (signs[0] != 0.0) + (signs[1] != 0.0)
    width = 3 - k_true
    hits = (k_true + 1) * width
    in0 = signs[0] != 0.0
    in1 = signs[1] != 0.0
    # zero pattern code (2 z0 + z1) -> its (a, b) cell; the code of the signed support's pattern (zero off S)
    cell_of = np.empty(4, dtype=np.int64)
    for code in range(4):
        z0 = code >= 2
        z1 = code % 2 == 1
        cell_of[code] = ((z0 and in0) + (z1 and in1)) * width + (z0 and not in0) + (z1 and not in1)
    target = 2 * (not in0) + (not in1)
    b0 = beta[0]
    b1 = beta[1]
    l00 = chol[0, 0]
    l10 = chol[1, 0]
    l11 = chol[1, 1]
    g00 = gram[0, 0]
    g01 = gram[0, 1]
    g11 = gram[1, 1]
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):
            e0, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            e1, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            x0 = b0 + sigma * (0.0 + l00 * e0)
            x1 = b1 + sigma * ((0.0 + l10 * e0) + l11 * e1)
            zb[i, 0] = (0.0 + g00 * x0) + g01 * x1
            zb[i, 1] = (0.0 + g01 * x0) + g11 * x1
        for e in range(n_est):
            lam = lams[e]
            # accumulators in registers, one per zero pattern (0: none, 1: the second coordinate, 2: the
            # first, 3: both), the signed-support hits and the uncertified; the cells are filled after the batch
            n0 = 0
            n1 = 0
            n2 = 0
            n3 = 0
            hit = 0
            unsure = 0
            if lam == 0.0:
                f00 = Lfull[e, 0, 0]
                f10 = Lfull[e, 1, 0]
                f11 = Lfull[e, 1, 1]
                for i in range(m):
                    y0 = zb[i, 0] / f00
                    y1 = (zb[i, 1] - f10 * y0) / f11
                    c1 = y1 / f11
                    c0 = (y0 - f10 * c1) / f00
                    code = 2 * (c0 == 0.0) + (c1 == 0.0)
                    n1 += code == 1
                    n2 += code == 2
                    n3 += code == 3
                    # the smooth solution keeps the sign of each nonzero coordinate it computes
                    hit += (code == target) & (c0 * signs[0] >= 0.0) & (c1 * signs[1] >= 0.0)
                n0 = m - n1 - n2 - n3
            else:
                a00 = A[e, 0, 0]
                a01 = A[e, 0, 1]
                a11 = A[e, 1, 1]
                r01 = a01 / a00
                r10 = a01 / a11
                rtol = rtols[e] * (1.0 + max(abs(r01), abs(r10)))
                full = target == 0  # S is the full support: its signs need the full-support solution's
                for i in range(m):
                    z0 = zb[i, 0]
                    z1 = zb[i, 1]
                    code = _p2_penalized_class(z0, z1, lam, r01, r10, rtol)
                    n0 += code == 0
                    n1 += code == 1
                    n2 += code == 2
                    n3 += code == 3
                    # the signed support needs the signs of beta too; computed for every draw and kept where the
                    # pattern is S, without a branch on the random pattern
                    on = code == target
                    if full:
                        right = _full_support_signs(z0 - lam * signs[0], z1 - lam * signs[1], signs[0], signs[1],
                                                    a00, a01, a11, rtols[e])
                        # the pattern is certain, its signs are not: the replication is uncertified
                        unsafe = on & (right < 0)
                        n0 -= unsafe
                        unsure += unsafe
                        hit += on & (right > 0)
                    else:
                        hit += on & ((code == 3) | ((code == 1) & (z0 * signs[0] > 0.0))
                                     | ((code == 2) & (z1 * signs[1] > 0.0)))
                unsure += m - n0 - n1 - n2 - n3 - unsure
            counts[e, cell_of[0]] += n0
            counts[e, cell_of[1]] += n1
            counts[e, cell_of[2]] += n2
            counts[e, cell_of[3]] += n3
            counts[e, hits] += hit
            counts[e, hits + 1] += unsure
    state[0] = hi
    state[1] = lo


@numba.njit(cache=True, nogil=True)
def _penalized_kernel(state, n, beta, sigma, gram, chol, lams, lam2s, gammas, rtols, inv_lmins, inverses, use_table,
                      tables, offsets, signs, counts, sums):  # pragma: no cover - compiled
    p = beta.shape[0]
    k_true = 0
    for j in range(p):
        k_true += signs[j] != 0.0
    zero = np.empty(p, dtype=np.bool_)
    n_est = lams.shape[0]
    A = np.empty((n_est, p, p))
    Lfull = np.zeros((n_est, p, p))
    amax = np.zeros(n_est)
    for e in range(n_est):
        for i in range(p):
            for k in range(p):
                A[e, i, k] = gram[i, k] + (lam2s[e] if i == k else 0.0)
                amax[e] = max(amax[e], abs(A[e, i, k]))
        _full_cholesky(A[e], Lfull[e])
    bh = np.empty(p)
    z = np.empty(p)
    out = np.empty(p)
    weighted = False
    for e in range(n_est):
        weighted |= gammas[e] > 0.0
    if p == 2 and not weighted:
        _penalized_p2(state, n, beta, sigma, gram, chol, lams, A, Lfull, rtols, signs, counts)
        return
    # adaptive (weighted) estimators: the rescaled problem of each draw, no tables
    Aw = np.empty((p, p))
    zw = np.empty(p)
    dw = np.empty(p)
    # p != 2: active-set steps from the full-support candidate's pattern, then LARS, then CD; each certified
    inS, sg, idx, rhs, u, w, bb, c, a, Lf = work_arrays(p)
    scores = np.empty(p)
    # a batch of draws, coordinate-major (row j: coordinate j of every draw), so that the draws' linear
    # algebra runs along contiguous memory (vectorised); per draw, the same operations in the same order
    cols = batch_columns(p)
    eps_b = np.empty((p, cols))
    bh_b = np.empty((p, cols))
    z_b = np.empty((p, cols))
    x_b = np.empty((p, cols))
    sign_b = np.empty((p, cols))
    start_b = np.empty((p, cols), dtype=np.bool_)
    acc_b = np.empty(cols)
    left = np.empty(cols, dtype=np.int64)
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for first in range(0, n, cols):
        m = min(cols, n - first)
        hi, lo = _draw_batch(hi, lo, inc_hi, inc_lo, m, beta, sigma, chol, gram, eps_b, bh_b, z_b, acc_b)
        for e in range(n_est):
            lam = lams[e]
            Ae = A[e]
            if lam == 0.0:
                for i in range(m):
                    for j in range(p):
                        z[j] = z_b[j, i]
                    _smooth_zeros(Lfull[e], z, out)
                    for j in range(p):
                        zero[j] = out[j] == 0.0
                    add_pattern(counts, e, zero, signs, _signs_right(out, signs, p), p, k_true)
                continue
            table = tables[e]
            rtol_e = rtols[e]
            inv_lmin_e = inv_lmins[e]
            amax_e = amax[e]
            # the unpenalized solution A^{-1} z of every draw: beta_hat itself for the lasso (A = G, z = G beta_hat)
            if lam2s[e] > 0.0:
                _matmul_batch(inverses[e], z_b, m, x_b, acc_b)
            else:
                for j in range(p):
                    for i in range(m):
                        x_b[j, i] = bh_b[j, i]
            if gammas[e] > 0.0:
                for i in range(m):
                    for j in range(p):
                        bh[j] = bh_b[j, i]
                        z[j] = z_b[j, i]
                        out[j] = x_b[j, i]
                    ok = _adaptive_lasso_solve(Ae, bh, z, out, gammas[e], lam, table, offsets, Aw, zw, dw, scores,
                                               inS, sg, idx, rhs, u, w, bb, c, a, Lf)
                    _tally_solution(counts, e, ok, inS, sg, signs, p, k_true)
                continue
            _full_support_batch(x_b, inverses[e], lam, m, sign_b, start_b, acc_b)
            # solve_certified_from in two passes: the candidate patterns in turn are active-set steps from the
            # start pattern, then (the draws where they certify none, deferred to after the batch) LARS's and
            # coordinate descent's; each certified, and the certified pattern is unique: they decide only the time
            n_left = 0
            for i in range(m):
                for j in range(p):
                    z[j] = z_b[j, i]
                    inS[j] = start_b[j, i]
                    sg[j] = sign_b[j, i] * np.float64(start_b[j, i])
                if active_set_pattern(Ae, z, lam, rtol_e, inv_lmin_e, amax_e, use_table, table, offsets,
                                      inS, sg, idx, rhs, u, w, Lf):
                    _add_support(counts, e, inS, sg, signs, p, k_true)
                else:
                    left[n_left] = i
                    n_left += 1
            for q in range(n_left):
                for j in range(p):
                    z[j] = z_b[j, left[q]]
                ok = solve_certified_call(Ae, z, lam, rtol_e, inv_lmin_e, amax_e, use_table, table, offsets,
                                          np.bool_(False), inS, sg, idx, rhs, u, w, bb, c, a, Lf)
                _tally_solution(counts, e, ok, inS, sg, signs, p, k_true)
    state[0] = hi
    state[1] = lo


@numba.njit(cache=True, nogil=True)
def _adaptive_lasso_solve(A, bh, z, x, gamma, lam, table, offsets, Aw, zw, dw, scores, inS, sg, idx, rhs, u, w, b,
                          c, a, Lf):  # pragma: no cover - compiled
    """The adaptive lasso of one draw, certified: True iff solved, its pattern then in ``(inS, sg)``.

    Weights ``w_j = 1/|beta_hat_j|^gamma``: ``b = D c`` with ``D = diag(|beta_hat_j|^gamma)`` turns the
    weighted lasso into a lasso in ``c`` with ``A' = D A D``, ``z' = D z`` (same zero pattern, same signs),
    certified with the margins of ``A'`` itself (its eigenvalues: ``max(1e-9, 64 p eps cond(A'))``).  ``x``
    is the draw's unpenalized solution ``A^{-1} z`` (overwritten); ``table`` and ``offsets`` are the kernel's,
    unread (no tables for a draw's own matrix), passed so that the solver's fallback has one signature.  A call, not inlined: the rescaled
    problem's eigenvalues and a second copy of the solver would otherwise double the kernel's compilation.
    """
    p = bh.shape[0]
    dmin = np.inf
    for j in range(p):
        dw[j] = abs(bh[j]) ** gamma
        dmin = min(dmin, dw[j])
    if not dmin > 0.0:  # beta_hat_j = 0 exactly (probability 0): an infinite weight, counted uncertified
        return False
    amax = 0.0
    for r in range(p):
        zw[r] = dw[r] * z[r]
        for k in range(p):
            Aw[r, k] = dw[r] * A[r, k] * dw[k]
            amax = max(amax, abs(Aw[r, k]))
    evals = np.linalg.eigvalsh(Aw)
    if not evals[0] > 0.0:
        return False
    for j in range(p):  # the unpenalized solution of the rescaled problem is D^{-1} A^{-1} z
        x[j] /= dw[j]
    for j in range(p):
        scores[j] = Aw[j, j] * x[j]
    threshold_pattern(scores, lam, inS, sg)
    # the start pattern, then LARS, then coordinate descent (no active-set steps: a second inlined copy of
    # them would add about 7 s to the kernel's compilation, for a path whose time is the eigenvalues')
    return solve_certified_call(Aw, zw, lam, margin_from_eigenvalues(p, evals[0], evals[p - 1]), 1.0 / evals[0],
                                amax, np.bool_(False), table, offsets, np.bool_(True), inS, sg, idx, rhs, u, w, b, c,
                                a, Lf)


def _penalized_function(rng, n, *args):
    """:func:`_penalized_kernel` called with the engine's ``rng``, which it leaves advanced past its normals."""
    run_on_state(_penalized_kernel, rng, n, *args)


def check_kernel_inputs(beta, sigma, gram, chol):
    """``beta``, ``sigma``, the Gram matrix and the Cholesky factor of its inverse, checked (computed if None)."""
    beta = np.ascontiguousarray(check_beta(beta))
    sigma = check_scalar(sigma, "sigma", Interval(0.0, None, "right"))
    G = check_gram(gram, beta.size)
    return beta, sigma, G, check_cholesky(chol, G)


def penalized_correlated_kernel(beta, sigma, gram, chol, lams, lam2s, gammas=None, *, table_max_p=TABLE_MAX_P):
    """The compiled kernel of the penalized estimators under the Gram matrix ``gram``.

    Estimator ``e`` solves ``argmin 1/2 b^T (G + lam2s[e] I) b - z^T b + lams[e] ||b||_1``
    exactly (lasso: ``lam2 = 0``; elastic net: both > 0; ridge: ``lams[e] = 0``,
    ``lam2s[e]`` the ridge level, solved by Cholesky in floating point).

    Parameters
    ----------
    beta : array_like, shape (p,)
        The true coefficients.
    sigma : float
        Noise level, > 0: ``beta_hat ~ N(beta, sigma^2 G^{-1})``.
    gram : array_like, shape (p, p)
        ``G = X^T X``, symmetric positive definite.
    chol : array_like, shape (p, p) or None
        The lower Cholesky factor of ``inv(gram)`` (computed if None).
    lams, lam2s : array_like, shape (E,)
        The L1 and L2 levels of the estimators, >= 0.
    gammas : array_like, shape (E,), optional
        ``> 0``: the estimator is the adaptive lasso, its L1 level ``lams[e] / |beta_hat_j|^gammas[e]``
        per coordinate (Zou 2006), solved as a lasso in ``c = W b`` (``A' = D A D``,
        ``z' = D z``, ``D = W^{-1}``) and certified with the margins of ``A'``
        (its eigenvalues, per draw).  0 (the default): unweighted.
    table_max_p : int, optional
        Up to this ``p`` the inverses of all principal submatrices are
        tabulated (faster); above it they are factorized on the fly.

    Returns
    -------
    Kernel
        A tally row per estimator (:mod:`~mc_sparsity._mc.tally`): zeros inside
        and outside the support, signed-support hits, uncertified replications.

    Examples
    --------
    >>> k = penalized_correlated_kernel([1.0, 0.3], 1.0, [[1.0, 0.5], [0.5, 1.0]], None,
    ...                                 lams=[0.5, 0.5, 0.0], lam2s=[0.0, 0.2, 0.5])
    >>> k.counts_shape   # k = 2 nonzero: 3 cells (a = 0, 1, 2; b = 0), signed, uncertified
    (3, 5)
    """
    beta, sigma, G, L = check_kernel_inputs(beta, sigma, gram, chol)
    p = beta.size
    lams = np.ascontiguousarray(check_beta(lams, "lams"))
    lam2s = np.ascontiguousarray(check_beta(lam2s, "lam2s"))
    if lams.shape != lam2s.shape:
        raise ParameterError("lam2s", f"lam2s must have the length of lams ({lams.size}), got {lam2s.size}")
    if np.any(lams < 0):
        raise ParameterError("lams", f"lams must be >= 0, got {lams.tolist()!r}")
    if np.any(lam2s < 0):
        raise ParameterError("lam2s", f"lam2s must be >= 0, got {lam2s.tolist()!r}")
    gammas = np.zeros(lams.size) if gammas is None else np.ascontiguousarray(check_beta(gammas, "gammas"))
    if gammas.shape != lams.shape or np.any(gammas < 0):
        raise ParameterError("gammas", f"gammas must be {lams.size} numbers >= 0, got {gammas.tolist()!r}")
    As = [G + l2 * np.eye(p) for l2 in lam2s]
    rtols = np.array([certification_margin(A) for A in As])
    inv_lmins = np.array([1.0 / np.linalg.eigvalsh(A)[0] for A in As])
    inverses = np.array([np.linalg.inv(A) for A in As])  # start patterns only (full_support_pattern): no certificate
    use_table = p != 2 and p <= table_max_p
    tables, offsets = inverse_tables(As, p, use_table)
    signs = signs_of(beta)
    args = (beta, sigma, G, L, lams, lam2s, gammas, rtols, inv_lmins, inverses, use_table, tables, offsets, signs)
    return Kernel(function=_penalized_function, args=args,
                  counts_shape=(lams.size, tally_width(p, int(np.count_nonzero(signs)))))
