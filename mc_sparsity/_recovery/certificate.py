"""The primal-dual witness: a certificate that a signed support is the lasso solution's, rounding included.

Problem: ``min_b (1/(2n)) ||y - X b||^2 + lam ||b||_1`` with ``X`` ``n x p``
(row-major), possibly ``p > n``.  Its KKT conditions, with ``c(b) = X^T (y -
X b)``, are ``c_j = n lam sign(b_j)`` on the support and ``|c_j| <= n lam``
off it.  A signed support ``(S, s)`` is *the* solution's exactly when (MATH.md,
"Are they the right zeros?")

* ``X_S`` has full column rank and ``b_S = (X_S^T X_S)^{-1} (X_S^T y - n lam s)``
  has the signs ``s`` (then ``b`` satisfies the KKT conditions on ``S``), and
* ``|X_j^T (y - X_S b_S)| < n lam`` for every ``j`` off ``S`` (strict dual
  feasibility, which with the full rank makes the solution unique).

Certificate (:func:`_certify`).  The inequalities are checked on computed
numbers with margins that bound every rounding error, so that an accepted
``(S, s)`` is the exact solution's signed support (of the lasso for the
floating-point ``X`` and ``y``).  With ``u = eps/2`` the unit roundoff,
``gamma = (n + |S| + 4) eps`` (more than the ``gamma_m = m u / (1 - m u)`` of
every sum below, Higham's bounds), ``G = X_S^T X_S``, ``T = trace(G_hat) =
||X_S||_F^2`` and ``b_hat`` the computed solve:

1. residual of the normal equations: the exact ``rho = (X_S^T y - n lam s) -
   G b_hat`` satisfies ``||rho|| <= R = ||rho_hat|| + gamma (|| |X_S|^T |y| ||
   + ||rhs|| + 2 T ||b_hat|| + n lam sqrt|S|)`` (the rounding of ``X_S^T y``,
   of ``G`` and of the products, each bounded by ``gamma`` times sums of
   absolute values; ``|| |X_S|^T |X_S| ||_2 <= T``);
2. ``lambda_min(G) >= lam_lo = t - 2 gamma T``, proved by a Cholesky
   factorization of ``fl(G_hat - t I)`` that runs to the end, ``t`` half the
   Rayleigh quotient after three steps of inverse iteration (backward error of
   the factorization, Higham Thm 10.3; :func:`_lambda_min_lower`); should it
   break down, ``lam_lo = min(lambda_hat / 2, lambda_hat - gamma T - 8 |S| eps
   T)`` with ``lambda_hat`` from LAPACK's symmetric eigensolver, whose
   backward error is a modest multiple of ``eps ||G||`` (the factor 1/2 keeps
   the bound conservative should that multiple be larger);
3. the exact ``b = b_hat - G^{-1} rho``: ``||b - b_hat||_2 <= R / lam_lo`` and
   ``||X_S (b - b_hat)||_2 = sqrt(rho^T G^{-1} rho) <= R / sqrt(lam_lo)``.  So
   ``s_j b_hat_j > R / lam_lo`` proves the signs;
4. off ``S``: ``|X_j^T (y - X_S b)| <= |c_hat_j| + ||X_j|| (gamma ||e_hat|| +
   gamma || |y| + |X_S| |b_hat| || + R / sqrt(lam_lo))``, ``e_hat`` the computed
   residual; accepted iff that is below ``n lam (1 - 2 eps)``.

A trial fails certification only when its data lie within these margins of a
boundary between two signed supports (relative size about ``gamma``, 1e-13
here) or when ``X_S`` is numerically rank deficient.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["certify_signed_support", "YES", "NO", "UNDECIDED"]

_EPS = 2.220446049250313e-16
#: Outcomes of :func:`_certify`.
YES, NO, UNDECIDED = 1, -1, 0


@numba.njit(cache=True, nogil=True)
def _cholesky(G, L, ns):  # pragma: no cover - compiled
    """Lower Cholesky factor of ``G[:ns, :ns]`` into ``L``; False if a pivot is not positive."""
    for i in range(ns):
        for j in range(i + 1):
            acc = G[i, j]
            for m in range(j):
                acc -= L[i, m] * L[j, m]
            if i == j:
                if not acc > 0.0:
                    return False
                L[i, i] = math.sqrt(acc)
            else:
                L[i, j] = acc / L[j, j]
    return True


@numba.njit(cache=True, nogil=True)
def _cholesky_solve(L, ns, rhs, out):  # pragma: no cover - compiled
    """``out[:ns] = (L L^T)^{-1} rhs[:ns]``."""
    for i in range(ns):
        acc = rhs[i]
        for m in range(i):
            acc -= L[i, m] * out[m]
        out[i] = acc / L[i, i]
    for i in range(ns - 1, -1, -1):
        acc = out[i]
        for m in range(i + 1, ns):
            acc -= L[m, i] * out[m]
        out[i] = acc / L[i, i]


@numba.njit(cache=True, nogil=True)
def _lambda_min_lower(G, L, ns, trace, gam):  # pragma: no cover - compiled
    """A lower bound on the least eigenvalue of the exact ``X_S^T X_S`` (``G`` its computed value, ``L`` its factor).

    Estimate: ``mu``, the Rayleigh quotient after three steps of inverse
    iteration with ``L`` (``mu >= lambda_min(G)`` up to rounding).  Proof: the
    Cholesky factorization of ``fl(G - t I)``, ``t = mu / 2``, runs to the end.
    Then (Higham, Thm 10.3) its factor satisfies ``F F^T = fl(G - t I) + E``
    with ``|E| <= gamma_{ns+1} |F| |F|^T``, so ``||E||_2 <= gamma_{ns+1}
    ||F||_F^2 <= 2 gamma_{ns+1} T`` (``T = trace(G)``); the subtraction on the
    diagonal errs by at most ``u T``, and ``G`` differs from the exact
    ``X_S^T X_S`` by at most ``gamma_n T`` in norm.  As ``F F^T`` is positive
    semidefinite, ``lambda_min >= t - (gamma_n + u + 2 gamma_{ns+1}) T >= t - 2
    gam T``.  About a quarter of the cost of LAPACK's eigenvalues, and a proof
    rather than a trust in their backward error; when the factorization fails
    (``mu`` more than twice too large) LAPACK's smallest eigenvalue is used as
    before: ``min(lambda_hat / 2, lambda_hat - gam T - 8 ns eps T)``.
    """
    x = np.ones(ns)
    z = np.empty(ns)
    for _ in range(3):
        _cholesky_solve(L, ns, x, z)
        norm = 0.0
        for a in range(ns):
            norm += z[a] * z[a]
        norm = math.sqrt(norm)
        if not norm > 0.0 or not math.isfinite(norm):
            break
        for a in range(ns):
            x[a] = z[a] / norm
    num = 0.0
    den = 0.0
    for a in range(ns):
        acc = 0.0
        for bb in range(ns):
            acc += G[a, bb] * x[bb]
        num += x[a] * acc
        den += x[a] * x[a]
    if den > 0.0 and num > 0.0 and math.isfinite(num / den):
        t = 0.5 * (num / den)
        A = np.empty((ns, ns))
        for a in range(ns):
            for bb in range(ns):
                A[a, bb] = G[a, bb]
            A[a, a] = G[a, a] - t
        F = np.zeros((ns, ns))
        if _cholesky(A, F, ns):
            return (t - 2.0 * gam * trace * (1.0 + 4.0 * _EPS)) * (1.0 - 4.0 * _EPS)
    lam_hat = np.linalg.eigvalsh(G)[0]
    return min(0.5 * lam_hat, lam_hat - gam * trace - 8.0 * ns * _EPS * trace)


@numba.njit(cache=True, nogil=True)
def _certify(X, y, nlam, idx, sgn, ns, inS, b, c, colsq, e):  # pragma: no cover - compiled
    """Decide whether ``(idx[:ns], sgn[:ns])`` (``inS`` its mask) is the solution's signed support.

    Returns :data:`YES` (``b[:ns]`` is then the solution on it) only if every
    inequality of the module's docstring holds with its rounding margin;
    :data:`NO` only if ``X_S`` has certified full rank and a sign or a dual
    inequality is violated beyond its margin (then no solution has this signed
    support: one would have to equal ``b_S``); :data:`UNDECIDED` otherwise.
    """
    n, p = X.shape
    gam = (n + ns + 4) * _EPS
    G = np.zeros((ns, ns))
    r = np.zeros(ns)
    xy_abs = np.zeros(ns)
    XS = np.empty((n, ns))  # X_S gathered into contiguous rows, so that the loops below vectorize
    for i in range(n):
        yi = y[i]
        for a in range(ns):
            xa = X[i, idx[a]]
            XS[i, a] = xa
            t = xa * yi
            r[a] += t
            xy_abs[a] += abs(t)
    # Every entry summed over i in order (the full square: x_a x_b == x_b x_a in floating point, so G is
    # exactly symmetric and equal, bit for bit, to the lower triangle summed alone); four rows per pass
    # add their products one after the other, in the same order, with a quarter of the loop overhead.
    i = 0
    while i + 3 < n:
        r0 = XS[i]
        r1 = XS[i + 1]
        r2 = XS[i + 2]
        r3 = XS[i + 3]
        for a in range(ns):
            x0 = r0[a]
            x1 = r1[a]
            x2 = r2[a]
            x3 = r3[a]
            Ga = G[a]
            for bb in range(ns):
                g = Ga[bb]
                g += x0 * r0[bb]
                g += x1 * r1[bb]
                g += x2 * r2[bb]
                g += x3 * r3[bb]
                Ga[bb] = g
        i += 4
    while i < n:
        row = XS[i]
        for a in range(ns):
            xa = row[a]
            Ga = G[a]
            for bb in range(ns):
                Ga[bb] += xa * row[bb]
        i += 1
    trace = 0.0
    for a in range(ns):
        trace += G[a, a]
    rnorm = 0.0
    if ns > 0:
        L = np.zeros((ns, ns))
        if not _cholesky(G, L, ns):
            return UNDECIDED
        rhs = np.empty(ns)
        for a in range(ns):
            rhs[a] = r[a] - nlam * sgn[a]
        _cholesky_solve(L, ns, rhs, b)
        res2 = 0.0
        rhs2 = 0.0
        b2 = 0.0
        xy2 = 0.0
        for a in range(ns):
            acc = rhs[a]
            for bb in range(ns):
                acc -= G[a, bb] * b[bb]
            res2 += acc * acc
            rhs2 += rhs[a] * rhs[a]
            b2 += b[a] * b[a]
            xy2 += xy_abs[a] * xy_abs[a]
        R = (math.sqrt(res2) + gam * (math.sqrt(xy2) + math.sqrt(rhs2) + 2.0 * trace * math.sqrt(b2)
                                      + nlam * math.sqrt(ns))) * (1.0 + 4.0 * ns * _EPS)
        lam_lo = _lambda_min_lower(G, L, ns, trace, gam)
        if not lam_lo > 0.0:
            return UNDECIDED
        db = R / lam_lo * (1.0 + 4.0 * _EPS)
        for a in range(ns):
            if sgn[a] * b[a] < -db:
                return NO
        for a in range(ns):
            if not sgn[a] * b[a] > db:
                return UNDECIDED
        rnorm = R / math.sqrt(lam_lo) * (1.0 + 4.0 * _EPS)
    e2 = 0.0
    abs2 = 0.0
    for i in range(n):
        acc = y[i]
        absacc = abs(acc)
        for a in range(ns):
            t = XS[i, a] * b[a]
            acc -= t
            absacc += abs(t)
        e[i] = acc
        e2 += acc * acc
        abs2 += absacc * absacc
    for j in range(p):
        c[j] = 0.0
        colsq[j] = 0.0
    for i in range(n):
        ei = e[i]
        for j in range(p):
            xij = X[i, j]
            c[j] += xij * ei
            colsq[j] += xij * xij
    per_norm = (gam * (math.sqrt(e2) + math.sqrt(abs2)) * (1.0 + 4.0 * _EPS) + rnorm) * (1.0 + gam)
    limit = nlam * (1.0 - 2.0 * _EPS)
    above = nlam * (1.0 + 2.0 * _EPS)
    status = YES
    for j in range(p):
        if inS[j]:
            continue
        err = math.sqrt(colsq[j]) * per_norm * (1.0 + 8.0 * _EPS)
        if abs(c[j]) - err > above:
            return NO
        if not abs(c[j]) + err < limit:
            status = UNDECIDED
    return status


# --------------------------------------------------------------------------- Python entry point
def _as_problem(X, y, lam):
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be n x p and y of length n, got {X.shape} and {y.shape}")
    return X, y, float(X.shape[0] * lam)


def certify_signed_support(X, y, lam, support, signs):
    """The lasso solution if ``(support, signs)`` is certified to be its signed support, else ``None``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 10)); y = X[:, 0] * 2.0 + 0.1 * rng.standard_normal(40)
    >>> b = certify_signed_support(X, y, 0.1, [0], [1.0])
    >>> np.flatnonzero(b).tolist(), certify_signed_support(X, y, 0.1, [1], [1.0]) is None
    ([0], True)
    """
    X, y, nlam = _as_problem(X, y, lam)
    n, p = X.shape
    idx = np.asarray(support, dtype=np.int64)
    sgn = np.asarray(signs, dtype=np.float64)
    mask = np.zeros(p, dtype=np.bool_)
    mask[idx] = True
    bS = np.empty(max(1, idx.size))
    if _certify(X, y, nlam, idx, sgn, idx.size, mask, bS, np.empty(p), np.empty(p), np.empty(n)) != YES:
        return None
    b = np.zeros(p)
    b[idx] = bS[:idx.size]
    return b
