"""Exact lasso solutions under a correlated design, compiled (numba), and their numpy references.

Setting: ``y = X b + e``, Gram ``G = X^T X`` (``p x p``, symmetric positive
definite).  Everything depends on ``y`` through ``z = X^T y = G beta_hat`` with
``beta_hat ~ N(beta, sigma^2 G^{-1})``.  A replication draws
``beta_hat = beta + sigma * L @ eps`` (``L`` the lower Cholesky factor of
``G^{-1}``, ``eps_j`` drawn with ``rng.standard_normal()`` one at a time,
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
* constrained lasso: ``argmin (b - beta_hat)^T G (b - beta_hat)`` s.t.
  ``||b||_1 <= t``; constrained ridge: the same with ``||b||_2 <= t``, i.e.
  ``b = (G + mu I)^{-1} G beta_hat`` with ``mu >= 0`` and ``||b||_2 = t``
  outside the ball (a safeguarded Newton iteration on the secular equation
  in the eigenbasis of ``G``).

Exactness and certification
---------------------------
The lasso's zero pattern is decided by its KKT conditions: with support
``S`` and signs ``s``, ``b_S = A_SS^{-1} (z_S - lam s_S)`` (``A = G + lam2 I``)
must have the signs ``s`` and ``|z_j - A_jS b_S| <= lam`` off ``S``.  The
solvers find a candidate pattern (``p = 2``: the four KKT cases in closed
form; ``p != 2``: the pattern of the solution at ``z = G beta``, else the
LARS-lasso homotopy from ``lam = max|z_j|`` down to ``lam``, else coordinate
descent), recompute ``b_S`` from scratch and **certify** it: every sign
margin ``s_j b_j`` and every off-support margin ``lam - |c_j|`` must exceed
``rtol`` times the size of the terms that were rounded, with
``rtol = max(1e-9, 64 p eps cond(A))`` (the rounding error of a backward stable
solve is about ``p eps cond(A)`` of that size; ``cond(A_SS) <= cond(A)``).  A
certified pattern is the exact solution's pattern.  A replication that no
solver certifies (its ``z`` lies within rounding of a boundary between two
patterns, probability about ``rtol``) is counted as *uncertified*, and not
as sparse nor as non-sparse.  For ``p = 2`` the full support is certified by
all three smaller patterns failing by a margin.

Counts layout: the tally of :mod:`~mc_sparsity._mc.tally` (zeros inside and
outside the true support, signed-support hits, uncertified replications:
always 0 for the smooth estimators).  A pattern that is certain but whose
signs are within rounding of a change (p = 2, full support) is uncertified too.
Nothing of size ``n`` is allocated; the kernels use no ``sums``.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numba
import numpy as np

from .engine import Kernel
from .kernels import add_pattern
from .secular import ridge_ball_multiplier
from .tally import signs_of, tally_width
from .._base.errors import ParameterError

__all__ = [
    "penalized_correlated_kernel",
    "constrained_correlated_kernel",
    "lasso_gram_solve",
    "constrained_lasso_gram_solve",
]

#: Replications drawn before they are classified (p = 2): accumulators in registers.
BATCH = 512
#: Up to this p the inverses of every principal submatrix are tabulated (p (p+1) 2^(p-2) floats).
TABLE_MAX_P = 12
#: Enumeration of the 3^p sign patterns in the numpy references is limited to this p.
ENUMERATION_MAX_P = 10
_EPS = np.finfo(float).eps


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------

def _as_real_array(value, name, ndim):
    if isinstance(value, (str, bytes)):
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}")
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {value!r}") from None
    if ndim == 1 and arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != ndim or arr.size == 0:
        raise ParameterError(name, f"{name} must be a non-empty {ndim}-d array, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, f"{name} must contain only finite numbers, got {arr.tolist()!r}")
    return np.ascontiguousarray(arr)


def _check_positive_scalar(value, name, allow_zero=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(name, f"{name} must be a finite number {bound}, got {value!r}")
    return value


def _check_gram(gram, p=None):
    G = _as_real_array(gram, "gram", 2)
    if G.shape[0] != G.shape[1]:
        raise ParameterError("gram", f"gram must be a square matrix, got shape {G.shape}")
    if p is not None and G.shape[0] != p:
        raise ParameterError("gram", f"gram must be {p} x {p} to match beta, got shape {G.shape}")
    scale = np.max(np.abs(G))
    if not np.allclose(G, G.T, rtol=0.0, atol=1e-12 * scale):
        raise ParameterError("gram", "gram must be symmetric, got an asymmetric matrix")
    G = 0.5 * (G + G.T)
    try:
        np.linalg.cholesky(G)
    except np.linalg.LinAlgError:
        raise ParameterError("gram", "gram must be positive definite, got a matrix with no Cholesky factor") from None
    return G


def _check_chol(chol, G):
    ginv = np.linalg.inv(G)
    if chol is None:
        return np.ascontiguousarray(np.linalg.cholesky(ginv))
    L = _as_real_array(chol, "chol", 2)
    if L.shape != G.shape:
        raise ParameterError("chol", f"chol must have the shape of gram {G.shape}, got {L.shape}")
    if np.any(np.triu(L, 1) != 0.0):
        raise ParameterError("chol", "chol must be lower triangular (the Cholesky factor of inv(gram))")
    if not np.allclose(L @ L.T, ginv, rtol=0.0, atol=1e-8 * np.max(np.abs(ginv))):
        raise ParameterError("chol", "chol must satisfy chol @ chol.T = inv(gram), got a different matrix")
    return L


def _rtol(A):
    """Relative certification margin: max(1e-9, 64 p eps cond(A))."""
    return max(1e-9, 64.0 * A.shape[0] * _EPS * np.linalg.cond(A))


def _inverse_table(A):
    """Row-major inverses of every principal submatrix, indices increasing, keyed by bitmask."""
    p = A.shape[0]
    offsets = np.zeros(1 << p, dtype=np.int64)
    parts = []
    pos = 0
    for mask in range(1 << p):
        idx = [j for j in range(p) if mask >> j & 1]
        offsets[mask] = pos
        if idx:
            inv = np.linalg.inv(A[np.ix_(idx, idx)])
            inv = 0.5 * (inv + inv.T)  # exactly symmetric
            parts.append(inv.ravel())
            pos += len(idx) ** 2
    return np.concatenate(parts) if parts else np.zeros(0), offsets


# ---------------------------------------------------------------------------------------------
# Compiled building blocks
# ---------------------------------------------------------------------------------------------

@numba.njit(cache=True, nogil=True, inline="always")
def _support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, out, Lf):  # pragma: no cover - compiled
    """``out[:ns] = A_SS^{-1} rhs[:ns]`` for ``S = idx[:ns]`` (increasing); False if not SPD."""
    if use_table:
        # the tabulated inverse is exactly symmetric: column k is row k, contiguous;
        # out[i] accumulates over k = 0..ns-1 in order (a row dot product's rounding)
        off = offsets[mask]
        for i in range(ns):
            out[i] = 0.0
        for k in range(ns):
            r = rhs[k]
            base = off + k * ns
            for i in range(ns):
                out[i] += table[base + i] * r
        return True
    for i in range(ns):
        for k in range(i + 1):
            acc = A[idx[i], idx[k]]
            for m in range(k):
                acc -= Lf[i, m] * Lf[k, m]
            if i == k:
                if not acc > 0.0:
                    return False
                Lf[i, i] = math.sqrt(acc)
            else:
                Lf[i, k] = acc / Lf[k, k]
    for i in range(ns):
        acc = rhs[i]
        for m in range(i):
            acc -= Lf[i, m] * out[m]
        out[i] = acc / Lf[i, i]
    for i in range(ns - 1, -1, -1):
        acc = out[i]
        for m in range(i + 1, ns):
            acc -= Lf[m, i] * out[m]
        out[i] = acc / Lf[i, i]
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _collect(inS, sg, idx, rhs):  # pragma: no cover - compiled
    """Sorted support into ``idx``, its signs into ``rhs``; returns (ns, mask)."""
    ns = 0
    mask = 0
    for j in range(inS.shape[0]):
        if inS[j]:
            idx[ns] = j
            rhs[ns] = sg[j]
            ns += 1
            mask |= 1 << j
    return ns, mask


@numba.njit(cache=True, nogil=True, inline="always")
def _certify(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
             idx, rhs, u, w, Lf):  # pragma: no cover - compiled
    """Recompute the solution on the pattern ``(inS, sg)`` and check its KKT conditions with margins.

    Penalized: ``b_S = A_SS^{-1}(z_S - lam s_S)``.  Constrained:
    ``mu = (s^T A^{-1} z_S - t)/(s^T A^{-1} s)`` and ``b_S = A^{-1}(z_S - mu s_S)``.
    Returns True if every sign margin and off-support margin exceeds the rounding bound.
    """
    p = z.shape[0]
    ns, mask = _collect(inS, sg, idx, rhs)
    zmax = 0.0
    for j in range(p):
        zmax = max(zmax, abs(z[j]))
    extra_b = 0.0
    extra_c = 0.0
    if constrained:
        if ns == 0:
            return False
        # w = A^{-1} s, u = A^{-1} z_S
        if not _support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, w, Lf):
            return False
        for k in range(ns):
            rhs[k] = z[idx[k]]
        if not _support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, u, Lf):
            return False
        su = 0.0
        sw = 0.0
        u1 = 0.0
        w1 = 0.0
        winf = 0.0
        for k in range(ns):
            s = sg[idx[k]]
            su += s * u[k]
            sw += s * w[k]
            u1 += abs(u[k])
            w1 += abs(w[k])
            winf = max(winf, abs(w[k]))
        if not sw > 0.0:
            return False
        mu = (su - radius) / sw
        for k in range(ns):
            u[k] = u[k] - mu * w[k]
        lev = mu
        dmu = (u1 + radius) / sw  # size of the terms rounded in mu
        extra_b = dmu * winf
        extra_c = dmu * (1.0 + amax * w1)
    else:
        for k in range(ns):
            rhs[k] = z[idx[k]] - lam * sg[idx[k]]
        if ns > 0 and not _support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, u, Lf):
            return False
        lev = lam
    bmax = 0.0
    b1 = 0.0
    for k in range(ns):
        bmax = max(bmax, abs(u[k]))
        b1 += abs(u[k])
    tol_b = rtol * (bmax + inv_lmin * (zmax + abs(lev)) + extra_b)
    for k in range(ns):
        if not sg[idx[k]] * u[k] > tol_b:
            return False
    if ns == p:
        return True
    tol_c = rtol * (zmax + abs(lev) + amax * b1 + extra_c)
    for j in range(p):
        w[j] = z[j]
    for k in range(ns):  # c = z - A[:, S] b_S column by column, into w
        uk = u[k]
        row = idx[k]
        for j in range(p):
            w[j] -= A[row, j] * uk
    for j in range(p):
        if not inS[j] and not abs(w[j]) < lev - tol_c:
            return False
    return True


@numba.njit(cache=True, nogil=True, inline="always")
def _lars(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs,
          Lf):  # pragma: no cover - compiled
    """LARS-lasso homotopy from ``mu = max|z_j|`` (b = 0) down to ``mu = lam`` (penalized)
    or to ``||b||_1 = radius`` (constrained).  Leaves the final pattern in ``(inS, sg)``;
    returns False if it broke down (iteration cap, non-SPD block)."""
    p = z.shape[0]
    mu = 0.0
    jmax = -1
    for j in range(p):
        inS[j] = False
        sg[j] = 0.0
        b[j] = 0.0
        c[j] = z[j]
        if abs(z[j]) > mu:
            mu = abs(z[j])
            jmax = j
    if not constrained and mu <= lam:
        return True
    if jmax < 0:
        return False
    inS[jmax] = True
    sg[jmax] = 1.0 if z[jmax] > 0 else -1.0
    last_add = jmax
    last_drop = -1
    last_drop_sign = 0.0
    for _ in range(8 * p + 8):
        ns, mask = _collect(inS, sg, idx, rhs)
        if not _support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, w, Lf):
            return False
        best = np.inf
        jbest = -1
        add_sign = 0.0
        for k in range(ns):
            j = idx[k]
            if j != last_add and sg[j] * w[k] < 0.0:
                gam = -b[j] / w[k]
                if gam < best:
                    best = gam
                    jbest = j
        for j in range(p):
            a[j] = 0.0
        for k in range(ns):  # a = A[:, S] w, column by column (A symmetric: row idx[k])
            wk = w[k]
            row = idx[k]
            for j in range(p):
                a[j] += A[row, j] * wk
        for j in range(p):
            if inS[j]:
                continue
            aj = a[j]
            if 1.0 - aj > 0.0 and not (j == last_drop and last_drop_sign > 0):
                gam = (mu - c[j]) / (1.0 - aj)
                if gam < best:
                    best = gam
                    jbest = j
                    add_sign = 1.0
            if 1.0 + aj > 0.0 and not (j == last_drop and last_drop_sign < 0):
                gam = (mu + c[j]) / (1.0 + aj)
                if gam < best:
                    best = gam
                    jbest = j
                    add_sign = -1.0
        if constrained:
            l1 = 0.0
            sw = 0.0
            for k in range(ns):
                l1 += sg[idx[k]] * b[idx[k]]
                sw += sg[idx[k]] * w[k]
            stop = (radius - l1) / sw
        else:
            stop = mu - lam
        if stop <= best:
            return True
        if best < 0.0:
            best = 0.0
        for k in range(ns):
            b[idx[k]] += best * w[k]
        for j in range(p):
            if not inS[j]:
                c[j] -= best * a[j]
        mu -= best
        if inS[jbest]:
            inS[jbest] = False
            b[jbest] = 0.0
            c[jbest] = sg[jbest] * mu
            last_drop = jbest
            last_drop_sign = sg[jbest]
            sg[jbest] = 0.0
            last_add = -1
        else:
            inS[jbest] = True
            sg[jbest] = add_sign
            b[jbest] = 0.0
            last_add = jbest
            last_drop = -1
    return False


@numba.njit(cache=True, nogil=True)
def _lars_once(A, z, lam, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs, Lf):  # pragma: no cover
    """The penalized LARS path as a separate (not inlined) function, for one-off uses."""
    return _lars(A, z, lam, 0.0, False, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs, Lf)


@numba.njit(cache=True, nogil=True)
def _coordinate_descent(A, z, lam, inS, sg, b):  # pragma: no cover - compiled
    """Coordinate descent from 0 to a tight fixed point; the pattern of its exact zeros into (inS, sg)."""
    p = z.shape[0]
    for j in range(p):
        b[j] = 0.0
    zmax = 0.0
    for j in range(p):
        zmax = max(zmax, abs(z[j]))
    for _ in range(100000):
        change = 0.0
        bmax = 0.0
        for j in range(p):
            r = z[j]
            for k in range(p):
                if k != j:
                    r -= A[j, k] * b[k]
            if r > lam:
                new = (r - lam) / A[j, j]
            elif r < -lam:
                new = (r + lam) / A[j, j]
            else:
                new = 0.0
            change = max(change, abs(new - b[j]))
            b[j] = new
            bmax = max(bmax, abs(new))
        if change <= 1e-15 * (bmax + zmax):
            break
    for j in range(p):
        inS[j] = b[j] != 0.0
        sg[j] = 1.0 if b[j] > 0 else (-1.0 if b[j] < 0 else 0.0)


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
    if s0 * b0 > m0 and s1 * b1 > m1:
        return 1
    if s0 * b0 < -m0 or s1 * b1 < -m1:
        return 0
    return -1


@numba.njit(cache=True, nogil=True, inline="always")
def _signs_right(values, signs, p):  # pragma: no cover - compiled
    """``sign(values_j) = sign(beta_j)`` wherever ``beta_j != 0`` and ``values_j != 0``."""
    for j in range(p):
        if signs[j] != 0.0 and values[j] != 0.0 and values[j] * signs[j] < 0.0:
            return False
    return True


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
def _draw(rng, p, beta, sigma, chol, gram, eps, bh, z):  # pragma: no cover - compiled
    for j in range(p):
        eps[j] = rng.standard_normal()
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
def _penalized_p2(rng, n, beta, sigma, gram, chol, lams, A, Lfull, rtols, signs, counts):  # pragma: no cover
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
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):
            e0 = rng.standard_normal()
            e1 = rng.standard_normal()
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
                for i in range(m):
                    z0 = zb[i, 0]
                    z1 = zb[i, 1]
                    code = _p2_penalized_class(z0, z1, lam, r01, r10, rtol)
                    n0 += code == 0
                    n1 += code == 1
                    n2 += code == 2
                    n3 += code == 3
                    if code != target:
                        continue
                    # the pattern is S: the signed support needs the signs of beta too
                    if code == 1:
                        hit += z0 * signs[0] > 0.0
                    elif code == 2:
                        hit += z1 * signs[1] > 0.0
                    elif code == 3:
                        hit += 1
                    else:
                        right = _full_support_signs(z0 - lam * signs[0], z1 - lam * signs[1], signs[0], signs[1],
                                                    a00, a01, a11, rtols[e])
                        if right < 0:  # the pattern is certain, its signs are not: the replication is uncertified
                            n0 -= 1
                            unsure += 1
                        else:
                            hit += right
                unsure += m - n0 - n1 - n2 - n3 - unsure
            counts[e, cell_of[0]] += n0
            counts[e, cell_of[1]] += n1
            counts[e, cell_of[2]] += n2
            counts[e, cell_of[3]] += n3
            counts[e, hits] += hit
            counts[e, hits + 1] += unsure


@numba.njit(cache=True, nogil=True)
def _penalized_kernel(rng, n, beta, sigma, gram, chol, lams, lam2s, gammas, rtols, inv_lmins, use_table, tables,
                      offsets, signs, counts, sums):  # pragma: no cover - compiled
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
    eps = np.empty(p)
    bh = np.empty(p)
    z = np.empty(p)
    out = np.empty(p)
    weighted = False
    for e in range(n_est):
        weighted |= gammas[e] > 0.0
    if p == 2 and not weighted:
        _penalized_p2(rng, n, beta, sigma, gram, chol, lams, A, Lfull, rtols, signs, counts)
        return
    # adaptive (weighted) estimators: the rescaled problem of each draw, no tables
    Aw = np.empty((p, p))
    zw = np.empty(p)
    dw = np.empty(p)
    no_table = np.zeros(1)
    # p != 2: the pattern at the centre z0 = G beta is tried first, then LARS, then CD.
    inS = np.zeros(p, dtype=np.bool_)
    sg = np.zeros(p)
    idx = np.zeros(p, dtype=np.int64)
    rhs = np.zeros(p)
    u = np.zeros(p)
    w = np.zeros(p)
    bb = np.zeros(p)
    c = np.zeros(p)
    a = np.zeros(p)
    Lf = np.zeros((p, p))
    in0 = np.zeros((n_est, p), dtype=np.bool_)
    sg0 = np.zeros((n_est, p))
    have0 = np.zeros(n_est, dtype=np.bool_)
    z0 = np.empty(p)
    for j in range(p):
        acc = 0.0
        for k in range(p):
            acc += gram[j, k] * beta[k]
        z0[j] = acc
    for e in range(n_est):
        if lams[e] > 0.0 and gammas[e] == 0.0:
            table = tables[e]
            if _lars_once(A[e], z0, lams[e], use_table, table, offsets, inS, sg, idx, bb, c, w, a, rhs, Lf):
                in0[e, :] = inS
                sg0[e, :] = sg
                have0[e] = True
    for _ in range(n):
        _draw(rng, p, beta, sigma, chol, gram, eps, bh, z)
        for e in range(n_est):
            lam = lams[e]
            Ae = A[e]
            if lam == 0.0:
                _smooth_zeros(Lfull[e], z, out)
                for j in range(p):
                    zero[j] = out[j] == 0.0
                add_pattern(counts, e, zero, signs, _signs_right(out, signs, p), p, k_true)
                continue
            table = tables[e]
            tab = use_table
            rtol_e = rtols[e]
            inv_lmin_e = inv_lmins[e]
            amax_e = amax[e]
            if gammas[e] > 0.0:
                # weights w_j = 1/|beta_hat_j|^gamma: b = D c with D = diag(|beta_hat_j|^gamma) turns the weighted
                # lasso into a lasso in c with A' = D A D, z' = D z (same zero pattern, same signs).
                # Its margins are A''s own (eigenvalues of each draw's A': p <= 100, a small symmetric solve).
                dmin = np.inf
                for j in range(p):
                    dw[j] = abs(bh[j]) ** gammas[e]
                    dmin = min(dmin, dw[j])
                if not dmin > 0.0:  # beta_hat_j = 0 exactly (probability 0): an infinite weight
                    counts[e, (k_true + 1) * (p - k_true + 1) + 1] += 1
                    continue
                amax_e = 0.0
                for i in range(p):
                    zw[i] = dw[i] * z[i]
                    for k in range(p):
                        Aw[i, k] = dw[i] * Ae[i, k] * dw[k]
                        amax_e = max(amax_e, abs(Aw[i, k]))
                evals = np.linalg.eigvalsh(Aw)  # the margins of A' itself: max(1e-9, 64 p eps cond(A'))
                if not evals[0] > 0.0:
                    counts[e, (k_true + 1) * (p - k_true + 1) + 1] += 1
                    continue
                rtol_e = max(1e-9, 64.0 * p * _EPS * evals[p - 1] / evals[0])
                inv_lmin_e = 1.0 / evals[0]
                Ae = Aw
                table = no_table
                tab = False
                z_e = zw
            else:
                z_e = z
            ok = False
            # candidate patterns in turn: the centre's, LARS's, coordinate descent's; one certificate
            for attempt in range(3):
                if attempt == 0:
                    if not have0[e]:
                        continue
                    inS[:] = in0[e]
                    sg[:] = sg0[e]
                elif attempt == 1:
                    if not _lars(Ae, z_e, lam, 0.0, False, tab, table, offsets, inS, sg, idx, bb, c, w, a, rhs, Lf):
                        continue
                else:
                    _coordinate_descent(Ae, z_e, lam, inS, sg, bb)
                ok = _certify(Ae, z_e, lam, 0.0, False, tab, table, offsets, inS, sg, rtol_e, inv_lmin_e, amax_e,
                              idx, rhs, u, w, Lf)
                if ok:
                    break
            if ok:
                for j in range(p):
                    zero[j] = not inS[j]
                add_pattern(counts, e, zero, signs, _signs_right(sg, signs, p), p, k_true)
            else:
                counts[e, (k_true + 1) * (p - k_true + 1) + 1] += 1


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
    a = (zero0 and in0) + (zero1 and in1)
    b = (zero0 and not in0) + (zero1 and not in1)
    row[a * width + b] += 1
    if a == 0 and b == width - 1 and right:
        row[hits] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _right_p2(v0, v1, s0, s1):  # pragma: no cover - compiled
    """:func:`_signs_right` for p = 2."""
    return not ((s0 != 0.0 and v0 != 0.0 and v0 * s0 < 0.0) or (s1 != 0.0 and v1 != 0.0 and v1 * s1 < 0.0))


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
    lo = max(max(0.0, wn / radius - d1), max(abs(w0) / radius - d0, abs(w1) / radius - d1))
    hi = wn / radius - d0
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
def _constrained_p2(rng, n, beta, sigma, gram, chol, radius, rtol, evals, evecs, signs, counts):  # pragma: no cover
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
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):
            e0 = rng.standard_normal()
            e1 = rng.standard_normal()
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


@numba.njit(cache=True, nogil=True)
def _constrained_kernel(rng, n, beta, sigma, gram, chol, radius, rtol, inv_lmin, evals, evecs, use_table, table,
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
    inS = np.zeros(p, dtype=np.bool_)
    sg = np.zeros(p)
    idx = np.zeros(p, dtype=np.int64)
    rhs = np.zeros(p)
    u = np.zeros(p)
    w = np.zeros(p)
    bb = np.zeros(p)
    c = np.zeros(p)
    a = np.zeros(p)
    Lf = np.zeros((p, p))
    k_true = 0
    for j in range(p):
        k_true += signs[j] != 0.0
    hits = (k_true + 1) * (p - k_true + 1)
    zero = np.empty(p, dtype=np.bool_)
    if p == 2:
        _constrained_p2(rng, n, beta, sigma, gram, chol, radius, rtol, evals, evecs, signs, counts)
        return
    for _ in range(n):
        _draw(rng, p, beta, sigma, chol, gram, eps, bh, z)
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
        if _lars(gram, z, 0.0, radius, True, use_table, table, offsets, inS, sg, idx, bb, c, w, a, rhs, Lf):
            ok = _certify(gram, z, 0.0, radius, True, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
                          idx, rhs, u, w, Lf)
        if ok:
            for j in range(p):
                zero[j] = not inS[j]
            add_pattern(counts, 0, zero, signs, _signs_right(sg, signs, p), p, k_true)
        else:
            counts[0, hits + 1] += 1


# ---------------------------------------------------------------------------------------------
# Factories
# ---------------------------------------------------------------------------------------------

def _common(beta, sigma, gram, chol):
    if isinstance(beta, (str, bytes)):
        raise TypeError(f"beta must be a sequence of real numbers, got {beta!r}")
    beta = _as_real_array(beta, "beta", 1)
    sigma = _check_positive_scalar(sigma, "sigma")
    G = _check_gram(gram, beta.size)
    L = _check_chol(chol, G)
    return beta, sigma, G, L


def _tables(As, p, use_table):
    if use_table:
        built = [_inverse_table(A) for A in As]
        width = max(t.size for t, _ in built)
        tables = np.zeros((len(As), max(width, 1)))
        for e, (t, _) in enumerate(built):
            tables[e, :t.size] = t
        return tables, built[0][1]
    return np.zeros((len(As), 1)), np.zeros(1, dtype=np.int64)


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
    beta, sigma, G, L = _common(beta, sigma, gram, chol)
    p = beta.size
    lams = _as_real_array(lams, "lams", 1)
    lam2s = _as_real_array(lam2s, "lam2s", 1)
    if lams.shape != lam2s.shape:
        raise ParameterError("lam2s", f"lam2s must have the length of lams ({lams.size}), got {lam2s.size}")
    if np.any(lams < 0):
        raise ParameterError("lams", f"lams must be >= 0, got {lams.tolist()!r}")
    if np.any(lam2s < 0):
        raise ParameterError("lam2s", f"lam2s must be >= 0, got {lam2s.tolist()!r}")
    gammas = np.zeros(lams.size) if gammas is None else _as_real_array(gammas, "gammas", 1)
    if gammas.shape != lams.shape or np.any(gammas < 0):
        raise ParameterError("gammas", f"gammas must be {lams.size} numbers >= 0, got {gammas.tolist()!r}")
    As = [G + l2 * np.eye(p) for l2 in lam2s]
    rtols = np.array([_rtol(A) for A in As])
    inv_lmins = np.array([1.0 / np.linalg.eigvalsh(A)[0] for A in As])
    use_table = p != 2 and p <= table_max_p
    tables, offsets = _tables(As, p, use_table)
    signs = signs_of(beta)
    args = (beta, sigma, G, L, lams, lam2s, gammas, rtols, inv_lmins, use_table, tables, offsets, signs)
    return Kernel(function=_penalized_kernel, args=args,
                  counts_shape=(lams.size, tally_width(p, int(np.count_nonzero(signs)))))


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
    beta, sigma, G, L = _common(beta, sigma, gram, chol)
    radius = _check_positive_scalar(radius, "radius")
    p = beta.size
    evals, evecs = np.linalg.eigh(G)
    use_table = p != 2 and p <= table_max_p
    tables, offsets = _tables([G], p, use_table)
    signs = signs_of(beta)
    args = (beta, sigma, G, L, radius, _rtol(G), 1.0 / evals[0], evals, np.ascontiguousarray(evecs), use_table,
            tables[0], offsets, signs)
    return Kernel(function=_constrained_kernel, args=args,
                  counts_shape=(2, tally_width(p, int(np.count_nonzero(signs)))))


# ---------------------------------------------------------------------------------------------
# numpy references (slow, exact by enumeration of the 3^p sign patterns)
# ---------------------------------------------------------------------------------------------

def _check_reference_inputs(G, vec, name):
    G = _check_gram(G)
    p = G.shape[0]
    v = _as_real_array(vec, name, np.ndim(vec) if np.ndim(vec) >= 1 else 1)
    if v.shape[-1] != p:
        raise ParameterError(name, f"{name} must have last dimension {p} (the size of G), got shape {v.shape}")
    if p > ENUMERATION_MAX_P:
        raise ParameterError("G", f"G must be at most {ENUMERATION_MAX_P} x {ENUMERATION_MAX_P} "
                                  f"(enumeration of 3^p sign patterns), got p = {p}")
    return G, v, p


def _enumerate(A, z, level, radius=None):
    """Best KKT pattern per row of ``z`` over all supports and signs.

    ``level`` is ``lam`` (penalized) or None (constrained: ``mu`` from ``||b||_1 = radius``).
    Returns ``(b, slack)``: the solution of the pattern with the largest relative
    KKT slack, and that slack (> 0 for a pattern that satisfies KKT strictly).
    """
    n, p = z.shape
    best = np.full(n, -np.inf)
    out = np.zeros((n, p))
    zmax = np.abs(z).max(axis=1)
    for size in range(0 if radius is None else 1, p + 1):
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=size)), dtype=float).reshape(2**size, size)
        for S in itertools.combinations(range(p), size):
            S = list(S)
            off = [j for j in range(p) if j not in S]
            inv = np.linalg.inv(A[np.ix_(S, S)]) if size else np.zeros((0, 0))
            u = z[:, S] @ inv.T  # (n, size): A^{-1} z_S
            w = signs @ inv.T  # (m, size): A^{-1} s
            if radius is None:
                mu = np.full((1, n), float(level))
            else:
                mu = ((u @ signs.T).T - radius) / np.sum(signs * w, axis=1)[:, None]  # (m, n)
            b = u[None, :, :] - mu[:, :, None] * w[:, None, :]  # (m, n, size)
            scale = zmax[None, :] + np.abs(mu) + np.abs(b).sum(axis=2) * np.abs(A).max()
            slack = np.min(signs[:, None, :] * b, axis=2, initial=np.inf) / scale
            if off:
                c = z[None, :, off] - b @ A[np.ix_(off, S)].T  # (m, n, |off|)
                slack = np.minimum(slack, (mu - np.abs(c).max(axis=2)) / scale)
            if radius is not None:
                slack = np.minimum(slack, mu / scale)
            m_best = np.argmax(slack, axis=0)
            s_best = slack[m_best, np.arange(n)]
            better = s_best > best
            if np.any(better):
                best[better] = s_best[better]
                full = np.zeros((int(better.sum()), p))
                full[:, S] = b[m_best[better], np.flatnonzero(better)]
                out[better] = full
    return out, best


def lasso_gram_solve(G, z, lam, lam2=0.0, *, return_slack=False):
    """Exact solution of ``argmin 1/2 b^T (G + lam2 I) b - z^T b + lam ||b||_1`` (numpy, slow).

    By enumeration of every support and sign pattern (``p <= 10``): the
    solution is the pattern whose KKT conditions hold, ``b_S = A_SS^{-1}(z_S - lam s_S)``
    with ``A = G + lam2 I``, exact zeros off ``S``.  ``lam = 0`` is the smooth
    solve ``A^{-1} z``.  scikit-learn's ``Lasso(alpha=lam/n, fit_intercept=False)``
    on a design with ``X^T X = G`` and ``X^T y = z`` solves the same problem.

    Parameters
    ----------
    G : array_like, shape (p, p)
        Symmetric positive definite Gram matrix.
    z : array_like, shape (..., p)
        ``X^T y``, one problem per row.
    lam, lam2 : float
        L1 level >= 0 and L2 level >= 0.
    return_slack : bool
        Also return the relative KKT slack of each row's pattern (> 0: strict).

    Returns
    -------
    b : ndarray, shape like ``z``
    slack : ndarray, shape ``z.shape[:-1]`` (only if ``return_slack``)

    Examples
    --------
    >>> lasso_gram_solve([[1.0, 0.5], [0.5, 1.0]], [2.0, 0.3], 0.5)
    array([1.5, 0. ])
    """
    G, z, p = _check_reference_inputs(G, z, "z")
    lam = _check_positive_scalar(lam, "lam", allow_zero=True)
    lam2 = _check_positive_scalar(lam2, "lam2", allow_zero=True)
    A = G + lam2 * np.eye(p)
    flat = z.reshape(-1, p)
    if lam == 0.0:
        b = np.linalg.solve(A, flat.T).T
        slack = np.full(flat.shape[0], np.inf)
    else:
        b, slack = _enumerate(A, flat, lam)
    b = b.reshape(z.shape)
    return (b, slack.reshape(z.shape[:-1])) if return_slack else b


def constrained_lasso_gram_solve(G, beta_hat, t, *, return_slack=False):
    """Exact ``argmin (b - beta_hat)^T G (b - beta_hat)`` s.t. ``||b||_1 <= t`` (numpy, slow).

    ``b = beta_hat`` inside the ball; outside, the pattern ``(S, s)`` with
    ``mu = (s^T A_SS^{-1} z_S - t)/(s^T A_SS^{-1} s) > 0``,
    ``b_S = A_SS^{-1}(z_S - mu s)`` of signs ``s`` and ``|z_j - G_jS b_S| <= mu``
    off ``S`` (``z = G beta_hat``), found by enumeration (``p <= 10``).  It is the
    penalized lasso at the level ``mu``.

    Parameters
    ----------
    G : array_like, shape (p, p)
        Symmetric positive definite.
    beta_hat : array_like, shape (..., p)
    t : float
        Radius > 0.
    return_slack : bool
        Also return the relative KKT slack (``inf`` inside the ball).

    Returns
    -------
    b : ndarray, shape like ``beta_hat``
    slack : ndarray (only if ``return_slack``)

    Examples
    --------
    >>> constrained_lasso_gram_solve([[1.0, 0.0], [0.0, 1.0]], [2.0, 0.5], 1.0)
    array([1., 0.])
    """
    G, bh, p = _check_reference_inputs(G, beta_hat, "beta_hat")
    t = _check_positive_scalar(t, "t")
    flat = bh.reshape(-1, p)
    inside = np.abs(flat).sum(axis=1) <= t
    b = flat.copy()
    slack = np.full(flat.shape[0], np.inf)
    if np.any(~inside):
        b_out, s_out = _enumerate(G, flat[~inside] @ G, None, radius=t)
        b[~inside] = b_out
        slack[~inside] = s_out
    b = b.reshape(bh.shape)
    return (b, slack.reshape(bh.shape[:-1])) if return_slack else b
