"""The solver study's compiled loops: draws, the solvers' iterations, the exact certified solution (numba).

See :mod:`mc_sparsity._solvers.iterative` for what each computes; this module holds only compiled code.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from .._mc.gram_lasso import solve_certified, work_arrays



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
def _exact(z, gram, lam, margins, bstar, zero, work):  # pragma: no cover - compiled
    """Exact lasso solution ``bstar`` and zero pattern ``zero`` by the certified solver; True iff certified.

    ``margins`` is :func:`~mc_sparsity._mc.gram_lasso.certificate_scales` of ``gram``, ``work`` its
    :func:`~mc_sparsity._mc.gram_lasso.work_arrays`.  Uncertified: ``bstar`` and ``zero`` are coordinate
    descent's, to be counted apart.
    """
    inS, sg, idx, rhs, u, w, _b, c, a, Lf = work
    # no inverse tables (rhs and idx stand in for them, unread) and no start pattern
    ok = solve_certified(gram, z, lam, margins[0], margins[1], margins[2], False, rhs, idx, inS, sg, False,
                         inS, sg, idx, rhs, u, w, bstar, c, a, Lf)
    for j in range(z.shape[0]):
        zero[j] = bstar[j] == 0.0
    return ok


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
def _replication_work(p, n_check):  # pragma: no cover - compiled
    """Work arrays of one replication: ``beta_hat, z, b*, its zeros``, the solver's work, the checkpoint
    iterates ``(n_check, p)`` and the iterate, previous iterate, momentum point and gradient."""
    return (np.empty(p), np.empty(p), np.empty(p), np.empty(p, dtype=np.bool_), work_arrays(p),
            np.empty((n_check, p)), np.empty(p), np.empty(p), np.empty(p), np.empty(p))


@numba.njit(cache=True, nogil=True)
def solver_replications(rng, n, beta, sigma, gram, chol, lam, margins, code, start, step, checkpoints, eps,
                        counts, sums):  # pragma: no cover - compiled
    """The kernel: ``n`` replications of one solver; layout in :func:`solver_kernel`."""
    p = beta.shape[0]
    n_check = checkpoints.shape[0]
    n_eps = eps.shape[0]
    width = 4 + n_eps
    base = n_check * width
    ident = base + 4 + p
    e = np.empty(p)
    bh, z, bstar, zero, work, out, b, prev, y, grad = _replication_work(p, n_check)
    last = checkpoints[n_check - 1]
    for _ in range(n):
        _draw(rng, beta, sigma, chol, e, bh, z, gram)
        certified = _exact(z, gram, lam, margins, bstar, zero, work)
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
def _exact_many(z, gram, lam, margins, b, zero, certified):  # pragma: no cover - compiled
    n, p = z.shape
    work = work_arrays(p)
    zrow = np.empty(p)
    brow = np.empty(p)
    zr = np.empty(p, dtype=np.bool_)
    for i in range(n):
        for j in range(p):
            zrow[j] = z[i, j]
        certified[i] = _exact(zrow, gram, lam, margins, brow, zr, work)
        for j in range(p):
            b[i, j] = brow[j]
            zero[i, j] = zr[j]


@numba.njit(cache=True, nogil=True)
def _iterates_many(beta_hat, gram, lam, margins, code, start, step, checkpoints, out_all, ident):  # pragma: no cover
    n, p = beta_hat.shape
    n_check = checkpoints.shape[0]
    bh, z, bstar, zero, work, out, b, prev, y, grad = _replication_work(p, n_check)
    for i in range(n):
        for j in range(p):
            bh[j] = beta_hat[i, j]
        _gram_times(gram, bh, z)
        _exact(z, gram, lam, margins, bstar, zero, work)
        ident[i] = _run_solver(code, start, z, bh, gram, lam, step, checkpoints, zero, out, b, prev, y, grad) + 1
        for c in range(n_check):
            for j in range(p):
                out_all[i, c, j] = out[c, j]
