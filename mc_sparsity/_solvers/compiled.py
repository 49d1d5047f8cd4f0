"""The solver study's compiled loops: draws, the solvers' iterations, the exact certified solution (numba).

See :mod:`mc_sparsity._solvers.iterative` for what each computes; this module holds only compiled code.
"""

from __future__ import annotations

import math

import numba
import numpy as np

#: Relative margin of the KKT certificate (see ``iterative``'s docstring).
CERTIFY_MARGIN = 1e-9
#: Coordinate descent sweeps allowed for the exact solution at p > 2.
_EXACT_MAX_SWEEPS = 100_000


# --------------------------------------------------------------------------- #
# compiled building blocks
# --------------------------------------------------------------------------- #

@numba.njit(cache=True, nogil=True)
def _soft(x, t):  # pragma: no cover - compiled
    """``sign(x) max(|x| - t, 0)``: exactly 0.0 iff ``|x| <= t``."""
    if x > t:
        return x - t
    if x < -t:
        return x + t
    return 0.0


@numba.njit(cache=True, nogil=True)
def _sign(x):  # pragma: no cover - compiled
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


@numba.njit(cache=True, nogil=True)
def _draw(rng, beta, sigma, chol, eps, bh, z, gram):  # pragma: no cover - compiled
    """One replication: ``eps`` (p scalars in order), ``beta_hat``, ``z = G beta_hat``."""
    p = beta.shape[0]
    for j in range(p):
        eps[j] = rng.standard_normal()
    _from_beta_hat_parts(beta, sigma, chol, eps, bh)
    _gram_times(gram, bh, z)


@numba.njit(cache=True, nogil=True)
def _from_beta_hat_parts(beta, sigma, chol, eps, bh):  # pragma: no cover - compiled
    p = beta.shape[0]
    for j in range(p):
        acc = 0.0
        for k in range(j + 1):  # with chol = I this is eps[j] exactly (adding +-0.0)
            acc += chol[j, k] * eps[k]
        bh[j] = beta[j] + sigma * acc


@numba.njit(cache=True, nogil=True)
def _gram_times(gram, x, out):  # pragma: no cover - compiled
    p = x.shape[0]
    for j in range(p):
        acc = 0.0
        for k in range(p):
            acc += gram[j, k] * x[k]
        out[j] = acc


@numba.njit(cache=True, nogil=True)
def _certify(z, gram, lam, zero, signs, margin, b, fac, rhs, idx):  # pragma: no cover - compiled
    """Active-set solve on the support ``~zero`` with ``signs``; True iff the KKT margins hold.

    Writes the solution (zeros off the support) into ``b``.  ``fac`` (p x p),
    ``rhs`` (p) and ``idx`` (p, int64) are work arrays.
    """
    p = z.shape[0]
    m = 0
    for j in range(p):
        if not zero[j]:
            idx[m] = j
            m += 1
    # Cholesky of G_SS into fac[:m, :m] (lower), then two triangular solves.
    ok = True
    for a in range(m):
        for c in range(a + 1):
            acc = gram[idx[a], idx[c]]
            for k in range(c):
                acc -= fac[a, k] * fac[c, k]
            if a == c:
                if acc <= 0.0:
                    ok = False
                    acc = 1e-300
                fac[a, a] = math.sqrt(acc)
            else:
                fac[a, c] = acc / fac[c, c]
    for a in range(m):
        acc = z[idx[a]] - lam * signs[idx[a]]
        for k in range(a):
            acc -= fac[a, k] * rhs[k]
        rhs[a] = acc / fac[a, a]
    for a in range(m - 1, -1, -1):
        acc = rhs[a]
        for k in range(a + 1, m):
            acc -= fac[k, a] * rhs[k]
        rhs[a] = acc / fac[a, a]
    for j in range(p):
        b[j] = 0.0
    for a in range(m):
        b[idx[a]] = rhs[a]
        if not signs[idx[a]] * rhs[a] > margin:
            ok = False
    for j in range(p):
        if zero[j]:
            acc = z[j]
            for a in range(m):
                acc -= gram[j, idx[a]] * rhs[a]
            if not abs(acc) < lam - margin:
                ok = False
    return ok


@numba.njit(cache=True, nogil=True)
def _exact(z, gram, lam, b, zero, signs, fac, rhs, work):  # pragma: no cover - compiled
    """Exact lasso solution ``b`` and zero pattern ``zero``; returns True iff certified.

    ``signs``, ``rhs`` (float), ``work`` (int64, p) and ``fac`` (p x p) are work arrays.
    """
    p = z.shape[0]
    scale = lam
    for j in range(p):
        scale = max(scale, lam + abs(z[j]))
    margin = CERTIFY_MARGIN * scale
    if p == 1:
        b[0] = _soft(z[0], lam) / gram[0, 0]
    elif p == 2:
        g00 = gram[0, 0]
        g01 = gram[0, 1]
        g11 = gram[1, 1]
        if abs(z[0]) <= lam and abs(z[1]) <= lam:
            b[0] = 0.0
            b[1] = 0.0
        else:
            b0 = _soft(z[0], lam) / g00
            b1 = _soft(z[1], lam) / g11
            if b0 != 0.0 and abs(z[1] - g01 * b0) <= lam:
                b[0] = b0
                b[1] = 0.0
            elif b1 != 0.0 and abs(z[0] - g01 * b1) <= lam:
                b[0] = 0.0
                b[1] = b1
            else:
                # Full support: the sign vector s with sign(G^{-1}(z - lam s)) = s (unique);
                # at a rounding-level boundary none is strictly consistent: take the closest
                # one, and the certificate fails.
                det = g00 * g11 - g01 * g01
                best = -np.inf
                for s0 in (1.0, -1.0):
                    for s1 in (1.0, -1.0):
                        r0 = z[0] - lam * s0
                        r1 = z[1] - lam * s1
                        c0 = (g11 * r0 - g01 * r1) / det
                        c1 = (g00 * r1 - g01 * r0) / det
                        score = min(s0 * c0, s1 * c1)
                        if score > best:
                            best = score
                            b[0] = c0
                            b[1] = c1
    else:
        for j in range(p):
            b[j] = 0.0
        tol = 1e-15 * scale
        for _sweep in range(_EXACT_MAX_SWEEPS):
            change = 0.0
            for j in range(p):
                r = z[j]
                for k in range(p):
                    if k != j:
                        r -= gram[j, k] * b[k]
                new = _soft(r, lam) / gram[j, j]
                change = max(change, abs(new - b[j]))
                b[j] = new
            if change <= tol:
                break
    for j in range(p):
        zero[j] = b[j] == 0.0
        signs[j] = _sign(b[j])
    return _certify(z, gram, lam, zero, signs, margin, b, fac, rhs, work)


@numba.njit(cache=True, nogil=True)
def _run_solver(code, start, z, bh, gram, lam, step, checkpoints, exact_zero,
                out, b, prev, y, grad):  # pragma: no cover - compiled
    """Run solver ``code`` to ``checkpoints[-1]``; write the checkpoint iterates in ``out``.

    Returns the last iteration ``k`` (0..K) whose zero pattern differs from
    ``exact_zero`` (-1 if none).
    """
    p = z.shape[0]
    n_check = checkpoints.shape[0]
    last = checkpoints[n_check - 1]
    for j in range(p):
        b[j] = bh[j] if start == 1 else 0.0
        prev[j] = b[j]
        y[j] = b[j]
    t = 1.0
    c = 0
    last_mismatch = -1
    k = 0
    while True:
        # record iterate k
        for j in range(p):
            if (b[j] == 0.0) != exact_zero[j]:
                last_mismatch = k
                break
        if c < n_check and checkpoints[c] == k:
            for j in range(p):
                out[c, j] = b[j]
            c += 1
        if k == last:
            break
        k += 1
        if code == 0:  # ISTA
            _gram_times(gram, b, grad)
            thr = step * lam
            for j in range(p):
                b[j] = _soft(b[j] - step * (grad[j] - z[j]), thr)
        elif code == 1:  # FISTA: prox step at y, then the momentum point
            _gram_times(gram, y, grad)
            thr = step * lam
            for j in range(p):
                prev[j] = b[j]
                b[j] = _soft(y[j] - step * (grad[j] - z[j]), thr)
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            w = (t - 1.0) / t_next
            for j in range(p):
                y[j] = b[j] + w * (b[j] - prev[j])
            t = t_next
        elif code == 2:  # cyclic coordinate descent, one sweep
            for j in range(p):
                r = z[j]
                for i in range(p):
                    if i != j:
                        r -= gram[j, i] * b[i]
                b[j] = _soft(r, lam) / gram[j, j]
        else:  # subgradient, fixed (3) or diminishing (4) step
            eta = step if code == 3 else step / math.sqrt(k)
            _gram_times(gram, b, grad)
            for j in range(p):
                grad[j] = grad[j] - z[j] + lam * _sign(b[j])
            for j in range(p):
                b[j] = b[j] - eta * grad[j]
    return last_mismatch


@numba.njit(cache=True, nogil=True)
def solver_replications(rng, n, beta, sigma, gram, chol, lam, code, start, step, checkpoints, eps,
                        counts, sums):  # pragma: no cover - compiled
    """The kernel: ``n`` replications of one solver; layout in :func:`solver_kernel`."""
    p = beta.shape[0]
    n_check = checkpoints.shape[0]
    n_eps = eps.shape[0]
    width = 4 + n_eps
    base = n_check * width
    ident = base + 4 + p
    e = np.empty(p)
    bh = np.empty(p)
    z = np.empty(p)
    bstar = np.empty(p)
    zero = np.empty(p, dtype=np.bool_)
    signs = np.empty(p)
    fac = np.empty((p, p))
    rhs = np.empty(p)
    work = np.empty(p, dtype=np.int64)
    out = np.empty((n_check, p))
    b = np.empty(p)
    prev = np.empty(p)
    y = np.empty(p)
    grad = np.empty(p)
    last = checkpoints[n_check - 1]
    for _ in range(n):
        _draw(rng, beta, sigma, chol, e, bh, z, gram)
        certified = _exact(z, gram, lam, bstar, zero, signs, fac, rhs, work)
        k_exact = 0
        for j in range(p):
            k_exact += zero[j]
        counts[base] += 1
        counts[base + 1] += k_exact > 0
        counts[base + 2] += not certified
        counts[base + 3 + k_exact] += 1
        last_mismatch = _run_solver(code, start, z, bh, gram, lam, step, checkpoints, zero,
                                    out, b, prev, y, grad)
        for c in range(n_check):
            any_zero = False
            match = True
            spurious = False
            missed = False
            err = 0.0
            for j in range(p):
                v = out[c, j]
                is_zero = v == 0.0
                any_zero = any_zero or is_zero
                if is_zero != zero[j]:
                    match = False
                    if is_zero:
                        spurious = True
                    else:
                        missed = True
                err = max(err, abs(v - bstar[j]))
            row = c * width
            counts[row] += any_zero
            counts[row + 1] += match
            counts[row + 2] += spurious
            counts[row + 3] += missed
            for q in range(n_eps):
                near = False
                for j in range(p):
                    near = near or abs(out[c, j]) <= eps[q]
                counts[row + 4 + q] += near
            sums[c] += err
        t_ident = last_mismatch + 1
        if t_ident > last:
            counts[ident + n_check] += 1
        else:
            c = 0
            while checkpoints[c] < t_ident:
                c += 1
            counts[ident + c] += 1
            counts[ident + n_check + 1] += t_ident


@numba.njit(cache=True, nogil=True)
def _exact_many(z, gram, lam, b, zero, certified):  # pragma: no cover - compiled
    n, p = z.shape
    signs = np.empty(p)
    fac = np.empty((p, p))
    rhs = np.empty(p)
    work = np.empty(p, dtype=np.int64)
    zrow = np.empty(p)
    brow = np.empty(p)
    zr = np.empty(p, dtype=np.bool_)
    for i in range(n):
        for j in range(p):
            zrow[j] = z[i, j]
        certified[i] = _exact(zrow, gram, lam, brow, zr, signs, fac, rhs, work)
        for j in range(p):
            b[i, j] = brow[j]
            zero[i, j] = zr[j]


@numba.njit(cache=True, nogil=True)
def _iterates_many(beta_hat, gram, lam, code, start, step, checkpoints, out_all, ident):  # pragma: no cover
    n, p = beta_hat.shape
    n_check = checkpoints.shape[0]
    bh = np.empty(p)
    z = np.empty(p)
    bstar = np.empty(p)
    zero = np.empty(p, dtype=np.bool_)
    signs = np.empty(p)
    fac = np.empty((p, p))
    rhs = np.empty(p)
    work = np.empty(p, dtype=np.int64)
    out = np.empty((n_check, p))
    b = np.empty(p)
    prev = np.empty(p)
    y = np.empty(p)
    grad = np.empty(p)
    for i in range(n):
        for j in range(p):
            bh[j] = beta_hat[i, j]
        _gram_times(gram, bh, z)
        _exact(z, gram, lam, bstar, zero, signs, fac, rhs, work)
        ident[i] = _run_solver(code, start, z, bh, gram, lam, step, checkpoints, zero, out, b, prev, y, grad) + 1
        for c in range(n_check):
            for j in range(p):
                out_all[i, c, j] = out[c, j]
