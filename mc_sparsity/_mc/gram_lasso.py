"""The certified Gram-lasso solver: one exact solution per draw, or none, never a guess (numba).

Problem: ``argmin_b 1/2 b^T A b - z^T b + lam ||b||_1`` with ``A`` symmetric
positive definite (``A = G + lam2 I`` for the elastic net, ``A = D G D`` for a
weighted lasso), or its constrained twin ``argmin (b - beta_hat)^T G (b - beta_hat)``
s.t. ``||b||_1 <= t`` (the penalized problem at the level ``mu`` where the
path's L1 norm reaches ``t``).  Used by the correlated kernels
(:mod:`~mc_sparsity._mc.kernels_correlated`, :mod:`~mc_sparsity._mc.kernels_constrained`)
and the solver study (:mod:`~mc_sparsity._solvers.compiled`).

Exactness and certification
---------------------------
The lasso's zero pattern is decided by its KKT conditions: with support ``S``
and signs ``s``, ``b_S = A_SS^{-1} (z_S - lam s_S)`` must have the signs ``s``
and ``|z_j - A_jS b_S| <= lam`` off ``S``.  :func:`solve_certified` takes
candidate patterns in turn (a given start, e.g. the pattern at ``z = G beta``;
the LARS-lasso homotopy from ``lam = max|z_j|`` down to ``lam``; coordinate
descent), recomputes ``b_S`` from scratch and **certifies** it
(:func:`certify`): every sign margin ``s_j b_j`` and every off-support margin
``lam - |c_j|`` must exceed ``rtol`` times the size of the terms that were
rounded, with ``rtol = max(1e-9, 64 p eps cond(A))``
(:func:`certification_margin`: the rounding error of a backward stable solve
is about ``p eps cond(A)`` of that size, and ``cond(A_SS) <= cond(A)``).  A
certified pattern is the exact solution's pattern.  A problem that no
candidate certifies (its ``z`` lies within rounding of a boundary between two
patterns, probability about ``rtol``) is *uncertified*: its callers count it
apart, never as sparse nor as non-sparse.  :func:`solve_certified_from` puts
:func:`active_set_pattern` first: primal-dual active-set steps from a start
pattern (:func:`full_support_pattern`, :func:`threshold_pattern`), each pattern
certified by :func:`kkt_check` (the computation of :func:`certify`); a
certified pattern is unique, so the candidates decide the time taken, never
the answer.

Up to :data:`TABLE_MAX_P` the inverses of every principal submatrix of ``A``
can be tabulated once (:func:`inverse_tables`), so that a support solve is a
table lookup and a matrix-vector product.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "TABLE_MAX_P",
    "ACTIVE_SET_STEPS",
    "certification_margin",
    "certificate_scales",
    "margin_from_eigenvalues",
    "inverse_table",
    "inverse_tables",
    "support_solve",
    "collect_support",
    "kkt_check",
    "certify",
    "lars_path",
    "lars_once",
    "coordinate_descent",
    "solve_certified",
    "threshold_pattern",
    "full_support_pattern",
    "active_set_pattern",
    "solve_certified_from",
    "solve_certified_call",
    "work_arrays",
]

#: Up to this p the inverses of every principal submatrix are tabulated (p (p+1) 2^(p-2) floats).
TABLE_MAX_P = 12
_EPS = np.finfo(float).eps

#: Active-set steps at most before the LARS path takes over (from :func:`full_support_pattern`,
#: AR(1) p = 10: 65% of draws need none, 31% one, 4% two, almost none more).
ACTIVE_SET_STEPS = 6


def certification_margin(A):
    """Relative certification margin of :func:`certify`: ``max(1e-9, 64 p eps cond(A))``.

    Examples
    --------
    >>> certification_margin(np.eye(3))
    1e-09
    """
    return max(1e-9, 64.0 * A.shape[0] * _EPS * np.linalg.cond(A))


def certificate_scales(A):
    """``(rtol, 1/lambda_min(A), max|A_ij|)``: the margins :func:`certify` takes, as one array.

    Examples
    --------
    >>> certificate_scales(np.diag([1.0, 4.0]))
    array([1.00e-09, 1.00e+00, 4.00e+00])
    """
    return np.array([certification_margin(A), 1.0 / np.linalg.eigvalsh(A)[0], float(np.max(np.abs(A)))])


@numba.njit(cache=True, nogil=True, inline="always")
def margin_from_eigenvalues(p, lmin, lmax):  # pragma: no cover - compiled
    """:func:`certification_margin` from the extreme eigenvalues of ``A`` (``cond = lmax / lmin``), compiled."""
    return max(1e-9, 64.0 * p * 2.220446049250313e-16 * lmax / lmin)


def inverse_table(A):
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


def inverse_tables(As, p, use_table):
    """The :func:`inverse_table` of each matrix in ``As``, rows padded to one width, and the shared offsets."""
    if use_table:
        built = [inverse_table(A) for A in As]
        width = max(t.size for t, _ in built)
        tables = np.zeros((len(As), max(width, 1)))
        for e, (t, _) in enumerate(built):
            tables[e, :t.size] = t
        return tables, built[0][1]
    return np.zeros((len(As), 1)), np.zeros(1, dtype=np.int64)


@numba.njit(cache=True, nogil=True, inline="always")
def support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, out, Lf):  # pragma: no cover - compiled
    """``out[:ns] = A_SS^{-1} rhs[:ns]`` for ``S = idx[:ns]`` (increasing); False if not SPD."""
    if use_table:
        # the tabulated inverse is exactly symmetric: row i is column i; out[i] is the dot product of
        # row i with rhs, summed over k = 0..ns-1 in order, in a register
        off = offsets[mask]
        for i in range(ns):
            acc = 0.0
            base = off + i * ns
            for k in range(ns):
                acc += table[base + k] * rhs[k]
            out[i] = acc
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
def collect_support(inS, sg, idx, rhs):  # pragma: no cover - compiled
    """Sorted support into ``idx[:ns]``, its complement into ``idx[ns:p]`` (sorted too), the support's signs
    into ``rhs``; returns (ns, mask).  ``idx`` has ``p + 1`` entries: the last is scratch."""
    p = inS.shape[0]
    ns = 0
    mask = 0
    for j in range(p):  # branch-free: the pattern is random, a branch would be mispredicted
        step = np.int64(inS[j])
        idx[ns] = j
        rhs[ns] = sg[j]
        ns += step
        mask |= step << j
    nc = ns
    for j in range(p):  # every j written, kept only off the support (a support j lands where the next goes)
        idx[nc] = j
        nc += 1 - np.int64(inS[j])
    return ns, mask


@numba.njit(cache=True, nogil=True, inline="always")
def kkt_check(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
              idx, rhs, u, w, Lf):  # pragma: no cover - compiled
    """:func:`certify`, and on failure what is needed to move on from the pattern.

    Returns 1 if certified, 0 if not (then ``u[:ns]`` holds ``b_S`` and ``w`` the
    correlations ``c = z - A_{:,S} b_S`` off ``S``: every margin was computed),
    -1 if no solution could be computed on the pattern (a non-SPD block, an empty
    support or ``s^T A_SS^{-1} s <= 0`` in the constrained form).  Every
    quantity and every comparison is that of :func:`certify`.
    """
    p = z.shape[0]
    ns, mask = collect_support(inS, sg, idx, rhs)
    zmax = 0.0
    for j in range(p):
        zmax = max(zmax, abs(z[j]))
    extra_b = 0.0
    extra_c = 0.0
    if constrained:
        if ns == 0:
            return -1
        # w = A^{-1} s, u = A^{-1} z_S
        if not support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, w, Lf):
            return -1
        for k in range(ns):
            rhs[k] = z[idx[k]]
        if not support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, u, Lf):
            return -1
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
            return -1
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
        if ns > 0 and not support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, u, Lf):
            return -1
        lev = lam
    bmax = 0.0
    b1 = 0.0
    for k in range(ns):
        bmax = max(bmax, abs(u[k]))
        b1 += abs(u[k])
    tol_b = rtol * (bmax + inv_lmin * (zmax + abs(lev)) + extra_b)
    signs_ok = True
    for k in range(ns):
        signs_ok &= sg[idx[k]] * u[k] > tol_b
    if ns == p:
        return 1 if signs_ok else 0
    tol_c = rtol * (zmax + abs(lev) + amax * b1 + extra_c)
    # c_j = z_j - A_{S,j}^T b_S off the support only (the support's c is lev s_S by construction), into w[j],
    # summed over the support in order in a register
    clear = True
    for m in range(ns, p):
        j = idx[m]
        acc = z[j]
        for k in range(ns):
            acc -= A[idx[k], j] * u[k]
        w[j] = acc
        clear &= abs(acc) < lev - tol_c
    if not signs_ok:
        return 0
    return 1 if clear else 0


@numba.njit(cache=True, nogil=True, inline="always")
def certify(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
             idx, rhs, u, w, Lf):  # pragma: no cover - compiled
    """Recompute the solution on the pattern ``(inS, sg)`` and check its KKT conditions with margins.

    Penalized: ``b_S = A_SS^{-1}(z_S - lam s_S)``.  Constrained:
    ``mu = (s^T A^{-1} z_S - t)/(s^T A^{-1} s)`` and ``b_S = A^{-1}(z_S - mu s_S)``.
    Returns True if every sign margin and off-support margin exceeds the rounding bound.
    """
    return kkt_check(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
                     idx, rhs, u, w, Lf) == 1


@numba.njit(cache=True, nogil=True)
def lars_path(A, z, lam, radius, constrained, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs,
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
        ns, mask = collect_support(inS, sg, idx, rhs)
        if not support_solve(A, use_table, table, offsets, idx, ns, mask, rhs, w, Lf):
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
def lars_once(A, z, lam, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs, Lf):  # pragma: no cover
    """The penalized LARS path as a separate (not inlined) function, for one-off uses."""
    return lars_path(A, z, lam, 0.0, False, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs, Lf)


@numba.njit(cache=True, nogil=True)
def coordinate_descent(A, z, lam, inS, sg, b):  # pragma: no cover - compiled
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
def solve_certified(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, start_in, start_sg, have_start,
                    inS, sg, idx, rhs, u, w, b, c, a, Lf):  # pragma: no cover - compiled
    """The lasso at level ``lam``: the first candidate pattern that :func:`certify` accepts.

    Candidates in turn: ``(start_in, start_sg)`` if ``have_start``, the LARS
    path's, coordinate descent's.  Returns True iff one is certified; then its
    pattern is in ``(inS, sg)`` and the solution in ``b`` (zeros off the
    support, ``b_S = A_SS^{-1}(z_S - lam s_S)``).  Uncertified: ``(inS, sg)``
    and ``b`` are coordinate descent's, to be counted apart.  The other
    arguments are work arrays (:func:`work_arrays`) and the margins of
    :func:`certify`.
    """
    p = z.shape[0]
    for attempt in range(3):
        if attempt == 0:
            if not have_start:
                continue
            for j in range(p):
                inS[j] = start_in[j]
                sg[j] = start_sg[j]
        elif attempt == 1:
            if not lars_path(A, z, lam, 0.0, False, use_table, table, offsets, inS, sg, idx, b, c, w, a, rhs, Lf):
                continue
        else:
            coordinate_descent(A, z, lam, inS, sg, b)
        if certify(A, z, lam, 0.0, False, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
                   idx, rhs, u, w, Lf):
            for j in range(p):
                b[j] = 0.0
            k = 0
            for j in range(p):
                if inS[j]:
                    b[j] = u[k]
                    k += 1
            return True
    return False


@numba.njit(cache=True, nogil=True, inline="always")
def threshold_pattern(scores, lam, inS, sg):  # pragma: no cover - compiled
    """The start pattern ``S = {j : |scores_j| > lam}`` with the signs of ``scores``, into ``(inS, sg)``.

    With ``scores_j = A_jj x_j`` at the unpenalized solution ``x = A^{-1} z``: one
    active-set step from ``b = x``, ``c = 0``.
    """
    # the loops below select instead of branching: the pattern is random, a branch on it would be mispredicted
    for j in range(scores.shape[0]):
        v = scores[j]
        inS[j] = abs(v) > lam
        sg[j] = (np.float64(v > 0.0) - np.float64(v < 0.0)) * np.float64(inS[j])


@numba.njit(cache=True, nogil=True, inline="always")
def full_support_pattern(x, inverse, lam, inS, sg, work):  # pragma: no cover - compiled
    """The start pattern of the full-support candidate with the signs of ``x``, into ``(inS, sg)``.

    ``x = A^{-1} z`` is the unpenalized solution; were every coordinate in the
    support with the signs of ``x``, the lasso would be ``x - lam A^{-1} sign(x)``.
    ``S`` keeps the coordinates where that candidate keeps the sign of ``x``
    (``inverse`` is ``A^{-1}``, one matrix-vector product of signs; ``work``
    holds ``sign(x)``).  At ``p = 10`` (AR(1), rho = 0.5, lam = 0.5) it is the
    solution's pattern for 64% of draws, against 17% for :func:`threshold_pattern`.
    """
    p = x.shape[0]
    for k in range(p):
        work[k] = np.float64(x[k] > 0.0) - np.float64(x[k] < 0.0)
    for j in range(p):
        acc = 0.0
        for k in range(p):
            acc += inverse[j, k] * work[k]
        inS[j] = work[j] * (x[j] - lam * acc) > 0.0
        sg[j] = work[j] * np.float64(inS[j])


@numba.njit(cache=True, nogil=True, inline="always")
def active_set_pattern(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, inS, sg, idx, rhs, u, w,
                       Lf):  # pragma: no cover - compiled
    """Primal-dual active-set (semismooth Newton) steps from the pattern in ``(inS, sg)``, each one certified.

    Each pattern is checked by :func:`kkt_check` (the certificate of
    :func:`certify`); a pattern that fails is replaced by ``{j : |v_j| > lam}``
    with the signs of ``v``, where ``v_j = A_jj b_j + c_j`` (``c = z - A b``,
    ``c_S = lam s_S``), the fixed-point form of the KKT conditions
    ``b_j = soft(b_j + c_j / A_jj, lam / A_jj)`` (Hintermüller, Ito and Kunisch
    2003).  Near the solution it is Newton's method and converges in a step or
    two; it is not guaranteed to converge from afar, hence the cap of
    :data:`ACTIVE_SET_STEPS` and the caller's fallback.  Returns True iff a
    pattern was certified: then it is in ``(inS, sg)`` and ``u[:ns]`` holds ``b_S``.
    """
    p = z.shape[0]
    for _ in range(ACTIVE_SET_STEPS):
        status = kkt_check(A, z, lam, 0.0, False, use_table, table, offsets, inS, sg, rtol, inv_lmin, amax,
                           idx, rhs, u, w, Lf)
        if status != 0:
            return status == 1
        changed = False
        k = 0
        for j in range(p):  # selects, no branch on the random pattern
            was_in = inS[j]
            # u[k] is read for every j (k <= j < p), used only on the support
            v = A[j, j] * u[k] + lam * sg[j] if was_in else w[j]
            k += np.int64(was_in)
            now_in = abs(v) > lam
            now_sg = (np.float64(v > 0.0) - np.float64(v < 0.0)) * np.float64(now_in)
            changed |= (now_in != was_in) | (now_sg != sg[j])
            inS[j] = now_in
            sg[j] = now_sg
        if not changed:  # a fixed point that is not certified: within rounding of a boundary
            return False
    return False


@numba.njit(cache=True, nogil=True, inline="always")
def solve_certified_from(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets,
                         inS, sg, idx, rhs, u, w, b, c, a, Lf):  # pragma: no cover - compiled
    """:func:`solve_certified` with :func:`active_set_pattern` from the start pattern in ``(inS, sg)`` first.

    Every candidate is certified, and a certified pattern is the exact
    solution's (unique): the start and the candidates only decide how fast it
    is found.  Returns True iff one is certified, the pattern in ``(inS, sg)``
    and the solution in ``b``; otherwise as :func:`solve_certified`.
    """
    p = z.shape[0]
    if active_set_pattern(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, inS, sg, idx, rhs,
                          u, w, Lf):
        k = 0
        for j in range(p):  # u[k] is read for every j (k <= j < p)
            b[j] = u[k] if inS[j] else 0.0
            k += np.int64(inS[j])
        return True
    return solve_certified_call(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, np.bool_(False), inS, sg,
                                idx, rhs, u, w, b, c, a, Lf)


@numba.njit(cache=True, nogil=True)
def solve_certified_call(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, have_start, inS, sg, idx, rhs,
                         u, w, b, c, a, Lf):  # pragma: no cover - compiled
    """:func:`solve_certified` as a call, never inlined: the start pattern in ``(inS, sg)`` first if ``have_start``.

    The rare fallback after :func:`active_set_pattern` (``have_start`` false),
    and the adaptive lasso's solve (a start of its own).  A caller's hot loop
    should not even contain its call site (measured at ``p = 10``: the site
    alone cost 50-60 ns a draw, taken or not), so the correlated kernel defers
    the draws that need it to after its batch
    (:mod:`~mc_sparsity._mc.kernels_correlated`).  Pass ``have_start`` and
    ``use_table`` as typed booleans (``np.bool_``), not literals: each literal
    would compile a copy of its own (about 8 s each).
    """
    return solve_certified(A, z, lam, rtol, inv_lmin, amax, use_table, table, offsets, inS, sg, have_start,
                           inS, sg, idx, rhs, u, w, b, c, a, Lf)


@numba.njit(cache=True, nogil=True)
def work_arrays(p):  # pragma: no cover - compiled
    """The work arrays of :func:`solve_certified` for size ``p``: ``inS, sg, idx, rhs, u, w, b, c, a, Lf``
    (``idx`` int64 with ``p + 1`` entries, see :func:`collect_support`; ``Lf`` p x p)."""
    return (np.zeros(p, dtype=np.bool_), np.zeros(p), np.zeros(p + 1, dtype=np.int64), np.zeros(p), np.zeros(p),
            np.zeros(p), np.zeros(p), np.zeros(p), np.zeros(p), np.zeros((p, p)))
