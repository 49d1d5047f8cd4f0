"""Trials of support recovery, solved exactly: the witness on the truth, the guesses it points to, else LARS.

Problem: ``min_b (1/(2n)) ||y - X b||^2 + lam ||b||_1`` with ``X`` ``n x p``
(row-major), possibly ``p > n``.  A trial draws ``X``, the support and signs
and ``y`` (:func:`_draw_trial`), then asks the certificate of
:mod:`~mc_sparsity._recovery.certificate` (the primal-dual witness, rounding
included) whether the true signed support is the solution's: certified yes, or
certified no.

Guesses (:func:`_active_set_guesses`).  When the witness refutes the true
signed support, the refutation says where the solution lies: drop the
variables whose sign came out wrong, or add those whose dual inequality
failed.  Each such candidate is certified in turn (at most :data:`GUESSES`);
a certified one *is* the solution's signed support (the certificate proves it
unique), so it is the answer LARS would reach, at the cost of a certificate
instead of a path (at p = 128, theta = 1.5 the first guess is right in 127 of
128 refuted trials).

Solver (:func:`_lars`).  When the true signed support is not certified (nor a
guess), the LARS-lasso homotopy runs from ``n lam_max = max|X^T y|`` (``b =
0``) down to ``n lam``: the active set's direction solves ``G_AA w = s_A`` (a
Cholesky factor grown by one row per addition, recomputed after a removal),
variables join when their correlation reaches the active level and leave when
their coefficient crosses zero.  Its final signed support is then certified;
a trial that fails both is *uncertified*, counted apart.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .certificate import (NO, UNDECIDED, YES, _as_problem, _certify, _cholesky, _cholesky_solve,
                          certify_signed_support)

__all__ = ["lasso_lars_certified", "recovery_trials", "COUNT_FIELDS", "SUM_FIELDS", "GUESSES"]

#: Candidates :func:`_active_set_guesses` certifies before a refuted trial falls back to LARS.
GUESSES = 8
#: counts[...]: successes of the proportion estimands; trials whose signed-support event is undecided; trials
#: the witness certified (the truth is the solution) or refuted (it is not); trials solved and certified beyond
#: the witness (``by_solver``: by the guesses its refutation points to, else by LARS);
#: trials whose solution is not certified (only when the solution is needed).
COUNT_FIELDS = ("signed_support", "support", "superset", "undecided_signed", "witness_yes", "witness_no",
                "by_solver", "unsolved")
#: sums[...]: per-trial means' sums and sums of squares (certified trials only).
SUM_FIELDS = ("fdp", "fdp_sq", "tpr", "tpr_sq", "hamming", "hamming_sq")


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
