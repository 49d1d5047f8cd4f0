"""Exact, certified lasso solutions for random designs: a primal-dual witness, else LARS, then KKT.

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

Guesses (:func:`_active_set_guesses`).  When the witness refutes the true
signed support, the refutation says where the solution lies: drop the
variables whose sign came out wrong, or add those whose dual inequality
failed.  Each such candidate is certified as above (at most :data:`GUESSES`);
a certified one *is* the solution's signed support (the certificate proves it
unique), so it is the answer LARS would reach, at the cost of a certificate
instead of a path (at p = 128, theta = 1.5 the first guess is right in 127 of
128 refuted trials).

Solver (:func:`_lars`).  When the true signed support is not certified (nor a
guess), the LARS-lasso homotopy runs from ``n lam_max = max|X^T y|`` (``b = 0``) down to
``n lam``: the active set's direction solves ``G_AA w = s_A`` (a Cholesky factor
grown by one row per addition, recomputed after a removal), variables join
when their correlation reaches the active level and leave when their
coefficient crosses zero.  Its final signed support is then certified as
above; a trial that fails both is *uncertified*, counted apart.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["certify_signed_support", "lasso_lars_certified", "recovery_trials", "COUNT_FIELDS", "SUM_FIELDS"]

_EPS = 2.220446049250313e-16
#: Outcomes of :func:`_certify`.
YES, NO, UNDECIDED = 1, -1, 0
#: Candidates :func:`_active_set_guesses` certifies before a refuted trial falls back to LARS.
GUESSES = 8
#: counts[...]: successes of the proportion estimands; trials whose signed-support event is undecided; trials
#: the witness certified (the truth is the solution) or refuted (it is not); trials solved and certified beyond
#: the witness (``by_lars``: by the guesses its refutation points to, else by LARS; the name is kept for the
#: output's columns); trials whose solution is not certified (only when the solution is needed).
COUNT_FIELDS = ("signed_support", "support", "superset", "undecided_signed", "witness_yes", "witness_no",
                "by_lars", "unsolved")
#: sums[...]: per-trial means' sums and sums of squares (certified trials only).
SUM_FIELDS = ("fdp", "fdp_sq", "tpr", "tpr_sq", "hamming", "hamming_sq")


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


@numba.njit(cache=True, nogil=True)
def _lars(X, y, nlam, act, sgnA, bA, GA, L, c, w, u, a, inS):  # pragma: no cover - compiled
    """LARS-lasso homotopy from ``max|X^T y|`` down to ``nlam``.

    Leaves the active set in ``act[:ns]`` (signs ``sgnA``, coefficients ``bA``,
    mask ``inS``) and returns ``ns``, or -1 if it broke down (a singular active
    block, more than ``len(act)`` active variables, the iteration cap).
    """
    n, p = X.shape
    amax = act.shape[0]
    for j in range(p):
        c[j] = 0.0
        inS[j] = False
    for i in range(n):
        yi = y[i]
        for j in range(p):
            c[j] += X[i, j] * yi
    mu = 0.0
    jmax = -1
    for j in range(p):
        if abs(c[j]) > mu:
            mu = abs(c[j])
            jmax = j
    if mu <= nlam:
        return 0
    ns = 0
    add_j = jmax
    add_sign = 1.0 if c[jmax] > 0 else -1.0
    last_add = -1
    last_drop = -1
    last_drop_sign = 0.0
    for _ in range(8 * p + 8):
        if add_j >= 0:  # grow the active set and its Cholesky factor by one
            if ns >= amax:
                return -1
            for t in range(ns + 1):
                jj = act[t] if t < ns else add_j
                acc = 0.0
                for i in range(n):
                    acc += X[i, jj] * X[i, add_j]
                GA[ns, t] = acc
                GA[t, ns] = acc
            for t in range(ns):
                acc = GA[ns, t]
                for m in range(t):
                    acc -= L[ns, m] * L[t, m]
                L[ns, t] = acc / L[t, t]
            acc = GA[ns, ns]
            for m in range(ns):
                acc -= L[ns, m] * L[ns, m]
            if not acc > 0.0:
                return -1
            L[ns, ns] = math.sqrt(acc)
            act[ns] = add_j
            sgnA[ns] = add_sign
            bA[ns] = 0.0
            inS[add_j] = True
            ns += 1
            last_add = add_j
            last_drop = -1
            add_j = -1
        _cholesky_solve(L, ns, sgnA, w)
        for i in range(n):
            acc = 0.0
            for t in range(ns):
                acc += X[i, act[t]] * w[t]
            u[i] = acc
        for j in range(p):
            a[j] = 0.0
        for i in range(n):
            ui = u[i]
            for j in range(p):
                a[j] += X[i, j] * ui
        best = np.inf
        tbest = -1
        jbest = -1
        sign_best = 0.0
        for t in range(ns):
            if act[t] != last_add and sgnA[t] * w[t] < 0.0:
                g = -bA[t] / w[t]
                if g < best:
                    best = g
                    tbest = t
        for j in range(p):
            if inS[j]:
                continue
            aj = a[j]
            if 1.0 - aj > 0.0 and not (j == last_drop and last_drop_sign > 0):
                g = (mu - c[j]) / (1.0 - aj)
                if g < best:
                    best = g
                    tbest = -1
                    jbest = j
                    sign_best = 1.0
            if 1.0 + aj > 0.0 and not (j == last_drop and last_drop_sign < 0):
                g = (mu + c[j]) / (1.0 + aj)
                if g < best:
                    best = g
                    tbest = -1
                    jbest = j
                    sign_best = -1.0
        stop = mu - nlam
        if stop <= best:
            for t in range(ns):
                bA[t] += stop * w[t]
            return ns
        if best < 0.0:
            best = 0.0
        for t in range(ns):
            bA[t] += best * w[t]
        for j in range(p):
            if not inS[j]:
                c[j] -= best * a[j]
        mu -= best
        if tbest >= 0:  # a coefficient crosses zero: the variable leaves
            j = act[tbest]
            inS[j] = False
            c[j] = sgnA[tbest] * mu
            last_drop = j
            last_drop_sign = sgnA[tbest]
            last_add = -1
            for t in range(tbest, ns - 1):
                act[t] = act[t + 1]
                sgnA[t] = sgnA[t + 1]
                bA[t] = bA[t + 1]
            for t in range(tbest, ns - 1):
                for m in range(ns):
                    GA[t, m] = GA[t + 1, m]
            for m in range(tbest, ns - 1):
                for t in range(ns - 1):
                    GA[t, m] = GA[t, m + 1]
            ns -= 1
            if not _cholesky(GA, L, ns):
                return -1
        else:
            add_j = jbest
            add_sign = sign_best
    return -1


@numba.njit(cache=True, nogil=True)
def _active_set_guesses(X, y, nlam, idx, sgn, ns, b, c, colsq, e, act, sgnA, inS, tries):  # pragma: no cover
    """Certify the signed supports a refutation of ``(idx[:ns], sgn[:ns])`` points to; their size, or -1.

    Called right after :func:`_certify` refuted the candidate (returned
    :data:`NO`), with its ``b`` and ``c`` still in place.  A refutation on a
    sign (some ``s_a b_a < 0``; ``c`` was not computed) drops the variables
    whose sign is wrong; one on dual feasibility (every sign right, so ``c`` is
    the full ``X^T (y - X_S b_S)``) adds every ``j`` with ``|c_j| > n lam``,
    with the sign of ``c_j``.  The new candidate goes to :func:`_certify`; at
    most ``tries`` of them.  Only a certified candidate is returned (in
    ``act[:m]``, ``sgnA[:m]``, ``inS`` its mask, ``b[:m]`` its solution), so the
    answer is the solution's signed support, the one LARS would reach; any
    other outcome (undecided, too many variables, no progress) returns -1 and
    leaves the problem to LARS.  Cheaper than the path when the solution is
    near the truth, as it is in most refuted trials (one variable in or out).
    """
    n, p = X.shape
    amax = act.shape[0]
    nxt = np.empty(amax, dtype=np.int64)
    nxt_sgn = np.empty(amax)
    for j in range(p):
        inS[j] = False
    for a in range(ns):
        inS[idx[a]] = True
    cur_idx = idx
    cur_sgn = sgn
    for _ in range(tries):
        m = 0
        for a in range(ns):
            if cur_sgn[a] * b[a] > 0.0:
                nxt[m] = cur_idx[a]
                nxt_sgn[m] = cur_sgn[a]
                m += 1
        if m == ns:  # refuted on dual feasibility: c is that of this candidate
            for j in range(p):
                if not inS[j] and abs(c[j]) > nlam:
                    if m >= amax:
                        return -1
                    nxt[m] = j
                    nxt_sgn[m] = 1.0 if c[j] > 0.0 else -1.0
                    m += 1
            if m == ns:
                return -1
        for a in range(ns):
            inS[cur_idx[a]] = False
        for a in range(m):
            act[a] = nxt[a]
            sgnA[a] = nxt_sgn[a]
            inS[nxt[a]] = True
        ns = m
        cur_idx = act
        cur_sgn = sgnA
        status = _certify(X, y, nlam, act, sgnA, ns, inS, b, c, colsq, e)
        if status == YES:
            return ns
        if status != NO:
            return -1
    return -1


@numba.njit(cache=True, nogil=True)
def _draw_trial(rng, X, y, true_idx, true_sgn, perm, k, rho, sigma, beta_min):  # pragma: no cover - compiled
    """One trial's data: support (sorted), signs, design (row by row), then the noise."""
    n, p = X.shape
    for j in range(p):
        perm[j] = j
    for j in range(k):  # partial Fisher-Yates: a uniform k-subset
        m = rng.integers(j, p)
        t = perm[j]
        perm[j] = perm[m]
        perm[m] = t
    chosen = np.sort(perm[:k])
    for a in range(k):
        true_idx[a] = chosen[a]
        true_sgn[a] = 1.0 if rng.random() < 0.5 else -1.0
    scale = math.sqrt(1.0 - rho * rho)
    for i in range(n):
        if rho == 0.0:
            for j in range(p):
                X[i, j] = rng.standard_normal()
        else:  # AR(1) along the row: covariance rho^|i-j| exactly
            prev = rng.standard_normal()
            X[i, 0] = prev
            for j in range(1, p):
                prev = rho * prev + scale * rng.standard_normal()
                X[i, j] = prev
    for i in range(n):
        acc = 0.0
        for a in range(k):
            acc += X[i, true_idx[a]] * true_sgn[a]
        y[i] = beta_min * acc + sigma * rng.standard_normal()


@numba.njit(cache=True, nogil=True)
def recovery_trials(rng, n_trials, p, k, n, lam, sigma, beta_min, rho, solve, counts, sums):  # pragma: no cover
    """Run ``n_trials`` trials; add into ``counts`` (:data:`COUNT_FIELDS`) and ``sums`` (:data:`SUM_FIELDS`).

    The witness on the true signed support decides the signed-support event
    (yes or no, both certified).  With ``solve`` the solution itself is needed
    (support, superset, fdp, tpr, hamming) whenever the witness does not
    certify the truth: the guesses its refutation points to are certified,
    else LARS computes it; without ``solve`` LARS runs only when the witness
    leaves the event undecided.
    """
    X = np.empty((n, p))
    y = np.empty(n)
    true_idx = np.empty(k, dtype=np.int64)
    true_sgn = np.empty(k)
    true_mask = np.zeros(p, dtype=np.bool_)
    perm = np.empty(p, dtype=np.int64)
    amax = min(n, p)
    act = np.empty(amax, dtype=np.int64)
    sgnA = np.empty(amax)
    bA = np.empty(amax)
    GA = np.zeros((amax, amax))
    L = np.zeros((amax, amax))
    inS = np.zeros(p, dtype=np.bool_)
    bS = np.empty(max(k, amax))
    c = np.empty(p)
    colsq = np.empty(p)
    e = np.empty(n)
    w = np.empty(amax)
    u = np.empty(n)
    a = np.empty(p)
    nlam = n * lam
    for _ in range(n_trials):
        _draw_trial(rng, X, y, true_idx, true_sgn, perm, k, rho, sigma, beta_min)
        for j in range(p):
            true_mask[j] = False
        for t in range(k):
            true_mask[true_idx[t]] = True
        status = UNDECIDED
        if k <= amax:
            status = _certify(X, y, nlam, true_idx, true_sgn, k, true_mask, bS, c, colsq, e)
        if status == YES:
            counts[0] += 1
            counts[1] += 1
            counts[2] += 1
            counts[4] += 1
            sums[2] += 1.0
            sums[3] += 1.0
            continue
        if status == NO:
            counts[5] += 1
            if not solve:
                continue
        ns = -1
        if status == NO:
            ns = _active_set_guesses(X, y, nlam, true_idx, true_sgn, k, bS, c, colsq, e, act, sgnA, inS, GUESSES)
        if ns < 0:
            ns = _lars(X, y, nlam, act, sgnA, bA, GA, L, c, w, u, a, inS)
            if ns < 0 or _certify(X, y, nlam, act, sgnA, ns, inS, bS, c, colsq, e) != YES:
                counts[7] += 1
                if status == UNDECIDED:
                    counts[3] += 1
                continue
        counts[6] += 1
        hits = 0
        signed = 0
        for t in range(ns):
            j = act[t]
            if true_mask[j]:
                hits += 1
                for q in range(k):
                    if true_idx[q] == j and true_sgn[q] == sgnA[t]:
                        signed += 1
        false_pos = ns - hits
        if hits == k and false_pos == 0:
            counts[1] += 1
            if signed == k and status == UNDECIDED:
                counts[0] += 1
        if hits == k:
            counts[2] += 1
        fdp = false_pos / ns if ns > 0 else 0.0
        tpr = hits / k
        ham = float(false_pos + (k - hits))
        sums[0] += fdp
        sums[1] += fdp * fdp
        sums[2] += tpr
        sums[3] += tpr * tpr
        sums[4] += ham
        sums[5] += ham * ham


# --------------------------------------------------------------------------- Python entry points
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


def lasso_lars_certified(X, y, lam):
    """The lasso solution by the LARS homotopy and whether its signed support is certified.

    Returns ``(b, certified)``; ``b`` is recomputed on the certified signed
    support (``None`` when LARS broke down).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> X = rng.standard_normal((30, 60)); y = X[:, :3] @ [1.0, -1.0, 1.0] + 0.1 * rng.standard_normal(30)
    >>> b, ok = lasso_lars_certified(X, y, 0.05)
    >>> ok, np.sign(b[:3]).tolist()
    (True, [1.0, -1.0, 1.0])
    """
    X, y, nlam = _as_problem(X, y, lam)
    n, p = X.shape
    amax = min(n, p)
    act = np.empty(amax, dtype=np.int64)
    sgnA = np.empty(amax)
    inS = np.zeros(p, dtype=np.bool_)
    ns = _lars(X, y, nlam, act, sgnA, np.empty(amax), np.zeros((amax, amax)), np.zeros((amax, amax)),
               np.empty(p), np.empty(amax), np.empty(n), np.empty(p), inS)
    if ns < 0:
        return None, False
    b = certify_signed_support(X, y, lam, act[:ns], sgnA[:ns])
    if b is None:
        return None, False
    return b, True
