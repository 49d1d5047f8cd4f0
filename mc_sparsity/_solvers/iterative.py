"""Iterative lasso solvers and their exact zeros, against the exact zero pattern.

Setting (penalized lasso, a general design).  With Gram matrix ``G = X^T X``
(symmetric positive definite, ``p x p``; ``G = I`` is the orthonormal case)
the lasso solves::

    b* = argmin_b  1/2 b^T G b - z^T b + lam ||b||_1,     z = G beta_hat,

and ``beta_hat ~ N(beta, sigma^2 G^{-1})`` is drawn as
``beta_hat = beta + sigma * L eps`` with ``L`` the lower Cholesky factor of
``G^{-1}`` and ``eps_j`` drawn by ``rng.standard_normal()`` one scalar at a
time, ``j = 0..p-1``, replication after replication.  With ``G = I`` (and
``L = I``) every ``beta_hat`` is, bit for bit, the one of
:func:`mc_sparsity._mc.kernels.penalized_counts` on the same stream.

The exact zero pattern of ``b*`` (KKT: ``G b - z + lam s = 0``, ``s_j =
sign(b_j)`` on the support ``S``, ``|s_j| <= 1`` off it; ``G`` SPD makes
``b*`` unique):

* ``p = 1``: the soft threshold; ``p = 2``: a closed form by the KKT cases
  (``b* = 0`` iff ``|z_1|, |z_2| <= lam``; ``b* = (S(z_1, lam)/G_11, 0)`` iff
  that is nonzero and ``|z_2 - G_21 b_1| <= lam``; symmetrically; else the
  full support with the sign vector ``s`` for which
  ``G^{-1}(z - lam s)`` has signs ``s``);
* ``p > 2``: cyclic coordinate descent to convergence, then the active-set
  solve ``b_S = G_SS^{-1}(z_S - lam s_S)`` (Cholesky) for the support and signs
  it found.

Either way the pattern is then *certified* by the KKT conditions with a
margin ``m = 1e-9 (lam + max_j |z_j|)``: ``s_j b_j > m`` on ``S`` and
``|z_j - G_jS b_S| < lam - m`` off ``S``.  Those strict inequalities, with
slack far above the rounding error of a ``p x p`` solve, prove that ``S`` is
the support of the unique solution.  A replication that fails them (an event
of probability ``O(m)``) is *uncertified* and counted apart; its pattern is
still the one found.

Solvers (``solver=``), each run for ``K = iterations[-1]`` iterations from
``start`` (``"zero"``: ``b_0 = 0``; ``"least_squares"``: ``b_0 = beta_hat``),
with ``grad(b) = G b - z`` and ``S_t(x) = sign(x) max(|x| - t, 0)``:

* ``"ista"``: ``b <- S_{step lam}(b - step grad(b))``, default ``step = 1/L``,
  ``L`` the largest eigenvalue of ``G``;
* ``"fista"``: the same prox step taken at ``y_k = b_k + (t_{k-1} - 1)/t_k
  (b_k - b_{k-1})``, ``t_0 = 1``, ``t_k = (1 + sqrt(1 + 4 t_{k-1}^2))/2``
  (Beck and Teboulle 2009); the recorded iterate is the prox output ``b_k``;
* ``"cd"``: one iteration is one cyclic sweep ``j = 0..p-1`` of
  ``b_j <- S_lam(z_j - sum_{k != j} G_jk b_k) / G_jj``;
* ``"subgradient"``: ``b <- b - step (grad(b) + lam sign(b))``, ``sign(0) = 0``,
  fixed step (default ``1/L``);
* ``"subgradient_diminishing"``: the same with ``step_k = step / sqrt(k)`` at
  iteration ``k = 1, 2, ...`` (default ``step = 1/L``).

Every update of a vector is computed from the previous iterate (Jacobi), except
the coordinate descent sweep (Gauss-Seidel).

Identification.  For a replication let ``m_k = 1`` if the zero pattern
``{j : b_k,j = 0}`` of iterate ``k`` differs from the exact one.  The
*identification iteration* is ``T = 1 + max{k in 0..K : m_k = 1}`` (``T = 0``
if the start already has the exact pattern and keeps it): the first iteration
from which the pattern equals the exact one at every iteration up to ``K``
(every iteration is checked, not only the checkpoints).  ``T = K + 1`` means
"not identified by iteration K".
"""

from __future__ import annotations

import math
import numbers
import warnings

import numba
import numpy as np

from .._base.errors import ParameterError
from .._base.validation import Interval, check_beta, check_scalar

__all__ = [
    "SOLVERS",
    "STARTS",
    "solver_kernel",
    "solver_counts_to_records",
    "solver_summary",
    "run_solver_kernel",
    "exact_lasso_solution",
    "solver_iterates",
    "design_with_gram",
    "subgradient_toy",
    "sklearn_tolerance_study",
]

from .._estimators.registry import SOLVERS, STARTS  # noqa: E402  (written once, where the command line reads them)

#: Relative margin of the KKT certificate (see the module docstring).
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


# --------------------------------------------------------------------------- #
# validation
# --------------------------------------------------------------------------- #

def _real(value, name, *, low=None, low_open=False):
    """A finite real, ``> low`` (``low_open``) or ``>= low``: ``_validation.check_scalar``."""
    return check_scalar(value, name, Interval(low, None, closed="neither" if low_open else "left"))


def _vector(value, name):
    """A non-empty 1-d array of finite numbers: ``_validation.check_beta``."""
    return check_beta(value, name)


def _gram(gram, p):
    if gram is None:
        return np.eye(p)
    try:
        g = np.array(gram, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"gram must be a square array of real numbers, got {gram!r}") from None
    if g.shape != (p, p):
        raise ParameterError("gram", f"gram must have shape ({p}, {p}), got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ParameterError("gram", "gram must contain only finite numbers")
    if not np.array_equal(g, g.T):
        raise ParameterError("gram", "gram must be symmetric, got an asymmetric matrix")
    try:
        np.linalg.cholesky(g)
    except np.linalg.LinAlgError:
        raise ParameterError("gram", "gram must be positive definite") from None
    return np.ascontiguousarray(g)


def _chol(chol, g):
    """The lower Cholesky factor of ``G^{-1}``, given or computed; checked against ``G``."""
    p = g.shape[0]
    if chol is None:
        if np.array_equal(g, np.eye(p)):
            return np.eye(p)
        return np.ascontiguousarray(np.linalg.cholesky(np.linalg.inv(g)))
    try:
        c = np.array(chol, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"chol must be a square array of real numbers, got {chol!r}") from None
    if c.shape != (p, p) or not np.all(np.isfinite(c)):
        raise ParameterError("chol", f"chol must be a finite ({p}, {p}) array, got shape {c.shape}")
    if np.any(np.triu(c, 1) != 0.0) or np.any(np.diag(c) <= 0.0):
        raise ParameterError("chol", "chol must be lower triangular with a positive diagonal")
    # L L^T = G^{-1}  <=>  G L L^T = I, checked to a tolerance scaled by cond(G).
    resid = np.max(np.abs(g @ c @ c.T - np.eye(p)))
    if resid > 1e-8 * np.linalg.cond(g):
        raise ParameterError("chol", f"chol must be the lower Cholesky factor of inv(gram); |G L L^T - I| = {resid:.3g}")
    return np.ascontiguousarray(c)


def _checkpoints(iterations):
    if isinstance(iterations, numbers.Integral) and not isinstance(iterations, bool):
        iterations = [iterations]
    try:
        arr = np.array(iterations)
    except (TypeError, ValueError):
        raise TypeError(f"iterations must be a sequence of integers, got {iterations!r}") from None
    arr = np.atleast_1d(arr)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError("iterations", f"iterations must be a non-empty 1-d sequence, got {iterations!r}")
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"iterations must be integers, got {iterations!r}")
    arr = arr.astype(np.int64)
    if arr[0] < 0 or np.any(np.diff(arr) <= 0):
        raise ParameterError("iterations", f"iterations must be >= 0 and strictly increasing, got {arr.tolist()}")
    return arr


def _option(value, name, options):
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {value!r}")
    if value not in options:
        raise ParameterError(name, f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def _step(step, solver, lipschitz):
    """The step of ``solver``: 1/L by default; ISTA/FISTA need step <= 1/L."""
    if solver == "cd":
        if step is not None:
            raise ParameterError("step", "step must be None for solver 'cd', which takes exact coordinate minimisations")
        return 0.0
    if step is None:
        return 1.0 / lipschitz
    step = _real(step, "step", low=0.0, low_open=True)
    if solver in ("ista", "fista") and step > (1.0 + 1e-12) / lipschitz:
        raise ParameterError("step", f"step must be <= 1/L = {1.0 / lipschitz:.17g} for {solver}, got {step!r}")
    return step


# --------------------------------------------------------------------------- #
# the kernel and its counts
# --------------------------------------------------------------------------- #

def _lazy_kernel_class():
    from .._mc.engine import Kernel

    return Kernel


def solver_kernel(beta, sigma, gram, chol, lam, solver, iterations, *, start="zero", step=None,
                  eps=(1e-8, 1e-4)):
    """The engine kernel running one iterative solver on every replication.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients.
    sigma : float
        Noise level, > 0: ``beta_hat ~ N(beta, sigma^2 G^{-1})``.
    gram : array_like of shape (p, p) or None
        The Gram matrix ``G`` (symmetric positive definite); ``None`` is ``I``.
    chol : array_like of shape (p, p) or None
        The lower Cholesky factor ``L`` of ``G^{-1}`` (``None``: computed; ``I``
        for ``G = I``).  Checked: ``G L L^T = I`` to ``1e-8 cond(G)``.
    lam : float
        Penalty level, >= 0, of ``1/2 b^T G b - z^T b + lam ||b||_1``.
    solver : {"ista", "fista", "cd", "subgradient", "subgradient_diminishing"}
    iterations : int or sequence of int
        Checkpoints: strictly increasing iteration numbers >= 0 (0 is the
        start); the solver runs to the last one.
    start : {"zero", "least_squares"}, default "zero"
        ``b_0 = 0`` or ``b_0 = beta_hat``.
    step : float, optional
        Step size (``None``: ``1/L``, ``L = max eig(G)``); ISTA and FISTA need
        ``step <= 1/L``; for the diminishing subgradient it is ``eta_0``;
        ``cd`` takes none.
    eps : sequence of float, default (1e-8, 1e-4)
        Near-zero levels: a replication counts at level ``e`` if some
        ``|b_j| <= e``.

    Returns
    -------
    Kernel
        ``function(rng, n, *args, counts, sums)``.  With ``C`` checkpoints,
        ``E = len(eps)``, ``W = 4 + E``, ``counts`` is 1-d of length
        ``C W + 4 + p + C + 2``:

        * ``counts[c W + 0..3]``: at checkpoint ``c``, replications whose
          iterate has an exact zero (zero_any), has the exact zero pattern
          (pattern_match), has a spurious zero (zero where ``b*`` is not),
          has a missed zero (nonzero where ``b*`` is zero);
          ``counts[c W + 4 + e]``: some ``|b_j| <= eps[e]`` (near_zero);
        * ``counts[C W + 0, 1, 2]``: replications, those whose exact solution
          has a zero (exact_sparse), uncertified ones;
          ``counts[C W + 3 + k]``, ``k = 0..p``: exact solutions with ``k`` zeros;
        * ``counts[C W + 4 + p + c]``, ``c = 0..C-1``: identification
          iteration ``T`` (module docstring) in ``(iterations[c-1],
          iterations[c]]`` (``iterations[-1] = -1``); ``counts[... + C]``: not
          identified by the last checkpoint; ``counts[... + C + 1]``: the sum
          of ``T`` over the identified replications.

        ``sums[c]``, shape ``(C,)``: sum over replications of
        ``max_j |b_j - b*_j|`` at checkpoint ``c``.

    Examples
    --------
    >>> k = solver_kernel([1.0, 0.3], 1.0, None, None, 0.5, "ista", [1, 10])
    >>> k.counts_shape, k.sums_shape
    ((22,), (2,))
    >>> import numpy as np
    >>> counts, sums = np.zeros(k.counts_shape, np.int64), np.zeros(k.sums_shape)
    >>> k.function(np.random.default_rng(0), 1000, *k.args, counts, sums)
    >>> rec = solver_counts_to_records(k, counts)
    >>> rec[0]["pattern_match"] == rec[0]["reps"] == 1000   # G = I: exact after one step
    True
    """
    beta = _vector(beta, "beta")
    p = beta.size
    sigma = _real(sigma, "sigma", low=0.0, low_open=True)
    g = _gram(gram, p)
    c = _chol(chol, g)
    lam = _real(lam, "lam", low=0.0)
    _option(solver, "solver", SOLVERS)
    _option(start, "start", STARTS)
    checkpoints = _checkpoints(iterations)
    eps_arr = _vector(eps, "eps") if not (isinstance(eps, (list, tuple)) and len(eps) == 0) else np.empty(0)
    if eps_arr.size and np.any(eps_arr < 0):
        raise ParameterError("eps", f"eps must be >= 0, got {eps_arr.tolist()}")
    lipschitz = float(np.linalg.eigvalsh(g)[-1])
    step = _step(step, solver, lipschitz)
    n_check, n_eps = checkpoints.size, eps_arr.size
    args = (beta, sigma, g, c, lam, SOLVERS.index(solver), STARTS.index(start), step, checkpoints, eps_arr)
    Kernel = _lazy_kernel_class()
    return Kernel(function=solver_replications, args=args,
                  counts_shape=(n_check * (4 + n_eps) + 4 + p + n_check + 2,), sums_shape=(n_check,))


def _unpack(kernel):
    beta, sigma, g, c, lam, code, start, step, checkpoints, eps = kernel.args
    return beta.size, SOLVERS[code], checkpoints, eps


def solver_counts_to_records(kernel, counts, sums=None):
    """One dict per checkpoint from a :func:`solver_kernel` count vector.

    Parameters
    ----------
    kernel : Kernel
        The kernel that produced ``counts`` (its arguments give the layout).
    counts : array_like of int
        The summed counts.
    sums : array_like of float, optional
        The summed float vector; adds ``"mean_max_error"`` (mean of
        ``max_j |b_j - b*_j|``) to each record.

    Returns
    -------
    list of dict
        Keys ``"solver", "iteration", "reps", "zero_any", "pattern_match",
        "near_zero"`` (``{eps: count}``), ``"spurious_zeros", "missed_zeros"``
        (replications with any), and ``"exact_sparse"``, ``"uncertified"``.

    Examples
    --------
    >>> k = solver_kernel([0.0], 1.0, None, None, 0.5, "cd", [0, 1], eps=[0.1])
    >>> counts = np.zeros(k.counts_shape, np.int64)
    >>> counts[:] = [4, 1, 3, 0, 4,  1, 4, 0, 0, 1,  4, 1, 0, 3, 1,  1, 3, 0, 3]
    >>> solver_counts_to_records(k, counts)[1]
    {'solver': 'cd', 'iteration': 1, 'reps': 4, 'zero_any': 1, 'pattern_match': 4, 'near_zero': {0.1: 1}, 'spurious_zeros': 0, 'missed_zeros': 0, 'exact_sparse': 1, 'uncertified': 0}
    """
    p, solver, checkpoints, eps = _unpack(kernel)
    counts = np.asarray(counts)
    n_check, n_eps = checkpoints.size, eps.size
    width = 4 + n_eps
    if counts.shape != kernel.counts_shape:
        raise ParameterError("counts", f"counts must have shape {kernel.counts_shape}, got {counts.shape}")
    base = n_check * width
    records = []
    for c in range(n_check):
        row = counts[c * width:(c + 1) * width]
        rec = {
            "solver": solver,
            "iteration": int(checkpoints[c]),
            "reps": int(counts[base]),
            "zero_any": int(row[0]),
            "pattern_match": int(row[1]),
            "near_zero": {float(e): int(row[4 + q]) for q, e in enumerate(eps)},
            "spurious_zeros": int(row[2]),
            "missed_zeros": int(row[3]),
            "exact_sparse": int(counts[base + 1]),
            "uncertified": int(counts[base + 2]),
        }
        if sums is not None:
            rec["mean_max_error"] = float(np.asarray(sums)[c]) / max(int(counts[base]), 1)
        records.append(rec)
    return records


def solver_summary(kernel, counts):
    """The replication-level part of the counts: exact law and identification.

    Returns
    -------
    dict
        ``"reps"``, ``"exact_sparse"``, ``"uncertified"``, ``"exact_zeros"``
        (array, ``k = 0..p``), ``"identified"`` (dict checkpoint -> replications
        whose identification iteration lies in ``(previous checkpoint,
        checkpoint]``), ``"not_identified"`` and ``"mean_identification"``
        (mean ``T`` over the identified, NaN if none).

    Examples
    --------
    >>> k = solver_kernel([2.0, 0.0], 1.0, None, None, 0.5, "ista", [1])
    >>> counts = np.zeros(k.counts_shape, np.int64)
    >>> k.function(np.random.default_rng(1), 200, *k.args, counts, np.zeros(1))
    >>> s = solver_summary(k, counts)
    >>> s["identified"], s["not_identified"], s["mean_identification"]
    ({1: 200}, 0, 1.0)
    """
    p, solver, checkpoints, eps = _unpack(kernel)
    counts = np.asarray(counts)
    n_check = checkpoints.size
    base = n_check * (4 + eps.size)
    ident = base + 4 + p
    identified = counts[ident:ident + n_check]
    n_ident = int(identified.sum())
    return {
        "solver": solver,
        "reps": int(counts[base]),
        "exact_sparse": int(counts[base + 1]),
        "uncertified": int(counts[base + 2]),
        "exact_zeros": counts[base + 3:base + 4 + p].copy(),
        "identified": {int(it): int(v) for it, v in zip(checkpoints, identified)},
        "not_identified": int(counts[ident + n_check]),
        "mean_identification": float(counts[ident + n_check + 1]) / n_ident if n_ident else math.nan,
    }


def run_solver_kernel(kernel, reps, seed):
    """Run ``kernel`` on ``reps`` replications, block by block, as the engine does.

    Replication ``i`` is drawn from the stream of block ``i // BLOCK_SIZE``
    (:func:`mc_sparsity._mc.engine.block_generator`), so the counts depend on
    ``seed`` and ``reps`` only.  Serial; the engine's parallel runner can
    replace it.

    Returns
    -------
    counts : numpy.ndarray of int64
    sums : numpy.ndarray of float64
        Combined across blocks with ``math.fsum``.

    Examples
    --------
    >>> k = solver_kernel([1.0, 0.3], 1.0, None, None, 0.5, "cd", [1])
    >>> counts, sums = run_solver_kernel(k, 1000, np.random.SeedSequence(0))
    >>> int(counts[0]) == int(counts[5])  # zero_any == exact_sparse: CD is exact after one sweep at G = I
    True
    """
    from .._mc.engine import BLOCK_SIZE, block_generator

    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    reps = int(reps)
    counts = np.zeros(kernel.counts_shape, dtype=np.int64)
    parts = []
    for block in range(-(-reps // BLOCK_SIZE)):
        n = min(BLOCK_SIZE, reps - block * BLOCK_SIZE)
        s = np.zeros(kernel.sums_shape)
        c = np.zeros(kernel.counts_shape, dtype=np.int64)
        kernel.function(block_generator(seed, block), n, *kernel.args, c, s)
        counts += c
        parts.append(s)
    sums = np.array([math.fsum(col) for col in np.array(parts).reshape(len(parts), -1).T])
    return counts, sums.reshape(kernel.sums_shape)


# --------------------------------------------------------------------------- #
# Python-level access to the same compiled code
# --------------------------------------------------------------------------- #

def exact_lasso_solution(z, gram, lam):
    """Exact lasso solutions for rows of ``z``: ``argmin 1/2 b^T G b - z^T b + lam ||b||_1``.

    Parameters
    ----------
    z : array_like of shape (n, p) or (p,)
        ``X^T y`` per replication.
    gram : array_like of shape (p, p) or None
    lam : float

    Returns
    -------
    b : numpy.ndarray, shape of ``z``
        The solution (active-set solve on the certified support).
    zero : numpy.ndarray of bool
        Its exact zero pattern.
    certified : numpy.ndarray of bool, shape (n,) (or scalar)
        Whether the KKT certificate (module docstring) holds.

    Examples
    --------
    >>> b, zero, ok = exact_lasso_solution([1.0, 0.2], [[1.0, 0.6], [0.6, 1.0]], 0.5)
    >>> b, zero, bool(ok)   # b_1 = 0.5, and |0.2 - 0.6 * 0.5| = 0.1 <= 0.5
    (array([0.5, 0. ]), array([False,  True]), True)
    """
    z = np.array(z, dtype=float)
    single = z.ndim == 1
    z2 = np.atleast_2d(z)
    if z2.ndim != 2 or not np.all(np.isfinite(z2)):
        raise ParameterError("z", f"z must be a finite (n, p) or (p,) array, got shape {z.shape}")
    p = z2.shape[1]
    g = _gram(gram, p)
    lam = _real(lam, "lam", low=0.0)
    b = np.empty_like(z2)
    zero = np.empty(z2.shape, dtype=bool)
    ok = np.empty(z2.shape[0], dtype=bool)
    _exact_many(np.ascontiguousarray(z2), g, lam, b, zero, ok)
    if single:
        return b[0], zero[0], ok[0]
    return b, zero, ok


def solver_iterates(beta_hat, gram, lam, solver, iterations, *, start="zero", step=None):
    """The iterates of ``solver`` at the checkpoints, for each row of ``beta_hat``.

    The same compiled code as the kernel (``z = G beta_hat`` summed in the same
    order), for checks on given draws.

    Returns
    -------
    iterates : numpy.ndarray of shape (n, C, p)
    identification : numpy.ndarray of int, shape (n,)
        The identification iteration ``T`` (``iterations[-1] + 1``: not identified).

    Examples
    --------
    >>> it, t = solver_iterates([[0.7, -0.2]], None, 0.5, "ista", [0, 1])
    >>> it[0], t   # ISTA with step 1 at G = I: the soft threshold after one step
    (array([[0. , 0. ],
           [0.2, 0. ]]), array([1]))
    """
    bh = np.atleast_2d(np.array(beta_hat, dtype=float))
    if bh.ndim != 2 or not np.all(np.isfinite(bh)):
        raise ParameterError("beta_hat", f"beta_hat must be a finite (n, p) array, got shape {bh.shape}")
    p = bh.shape[1]
    g = _gram(gram, p)
    lam = _real(lam, "lam", low=0.0)
    _option(solver, "solver", SOLVERS)
    _option(start, "start", STARTS)
    checkpoints = _checkpoints(iterations)
    step = _step(step, solver, float(np.linalg.eigvalsh(g)[-1]))
    out = np.empty((bh.shape[0], checkpoints.size, p))
    ident = np.empty(bh.shape[0], dtype=np.int64)
    _iterates_many(np.ascontiguousarray(bh), g, lam, SOLVERS.index(solver), STARTS.index(start), step,
                   checkpoints, out, ident)
    return out, ident


def design_with_gram(gram, n, rng):
    """A design ``X`` (``n x p``) with ``X^T X = G`` up to rounding: ``X = Q R``.

    ``Q`` has orthonormal columns (QR of a Gaussian matrix drawn from ``rng``)
    and ``R`` is the upper Cholesky factor of ``G`` (``G = R^T R``).

    Examples
    --------
    >>> X = design_with_gram([[1.0, 0.6], [0.6, 1.0]], 50, np.random.default_rng(0))
    >>> X.shape, bool(np.allclose(X.T @ X, [[1.0, 0.6], [0.6, 1.0]], atol=1e-13))
    ((50, 2), True)
    """
    g = np.array(gram, dtype=float)
    p = g.shape[0] if g.ndim == 2 else 0
    g = _gram(g, p)
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer, got {n!r}")
    if n < p:
        raise ParameterError("n", f"n must be >= p = {p}, got {n}")
    rng = np.random.default_rng(rng)
    q, _ = np.linalg.qr(rng.standard_normal((n, p)))
    return q @ np.linalg.cholesky(g).T


# --------------------------------------------------------------------------- #
# the thread's toy example
# --------------------------------------------------------------------------- #

def subgradient_toy(w0, eta, steps):
    """Pure L1 subgradient steps ``w <- w - eta sign(w)`` (``sign(0) = 0``), in float64.

    Parameters
    ----------
    w0 : float
        Start.
    eta : float
        Step, > 0.
    steps : int
        Number of steps, >= 0.

    Returns
    -------
    numpy.ndarray of shape (steps + 1,)
        ``w_0, ..., w_steps``.

    Notes
    -----
    From ``w0 = 5`` with ``eta = 1/2`` every iterate ``5 - k/2`` is a binary
    fraction, so every subtraction is exact: ``w_10 = 0.0`` and, as
    ``sign(0) = 0``, it stays there.  ``5.1`` is stored as
    ``5.1 - 3.6e-16`` (``5.0999999999999996447...``); subtracting ``1/2``
    from it is again exact (the result lies on the same or a finer binary
    grid), so the float sequence is exactly ``fl(5.1) - k/2`` until
    ``w_10 = fl(5.1) - 5 = 0.09999999999999964...`` (not the double nearest
    0.1), then it alternates exactly between that and ``-0.40000000000000036``
    forever: it never reaches 0.

    Examples
    --------
    >>> subgradient_toy(5.0, 0.5, 12)[-3:]
    array([0., 0., 0.])
    >>> w = subgradient_toy(5.1, 0.5, 13)
    >>> [float(v) for v in w[10:]]
    [0.09999999999999964, -0.40000000000000036, 0.09999999999999964, -0.40000000000000036]
    """
    w = _real(w0, "w0")
    eta = _real(eta, "eta", low=0.0, low_open=True)
    if isinstance(steps, bool) or not isinstance(steps, numbers.Integral):
        raise TypeError(f"steps must be an integer, got {steps!r}")
    if steps < 0:
        raise ParameterError("steps", f"steps must be >= 0, got {steps}")
    out = np.empty(int(steps) + 1)
    out[0] = w
    for k in range(1, int(steps) + 1):
        w = w - eta * (1.0 if w > 0 else -1.0 if w < 0 else 0.0)
        out[k] = w
    return out


# --------------------------------------------------------------------------- #
# scikit-learn's tolerance
# --------------------------------------------------------------------------- #

def _clopper_pearson(k, n, level):
    from .._stats.inference import proportion_interval

    return list(proportion_interval(k, n, level, "exact"))


def sklearn_tolerance_study(beta, sigma, gram_design_X, lam, tols, reps, rng, *, confidence_level=0.95):
    """Zero patterns of scikit-learn's ``Lasso`` at several ``tol`` against the exact ones.

    For each replication, ``y = X beta + e`` with ``e ~ N(0, sigma^2 I_n)``
    (drawn from ``rng``, one ``standard_normal(n)`` per replication) is fitted
    with ``Lasso(alpha=lam/n, fit_intercept=False, tol=tol)`` for every
    ``tol`` (scikit-learn's ``1/(2n)||y - Xw||^2 + alpha ||w||_1`` is ``1/n``
    times ``1/2 ||y - Xw||^2 + lam ||w||_1``: the same minimiser), and its
    zero pattern is compared with the exact one of
    ``z = X^T y``, ``G = X^T X`` (:func:`exact_lasso_solution`).

    Parameters
    ----------
    beta : array_like of shape (p,)
    sigma : float
    gram_design_X : array_like of shape (n, p)
        The design ``X`` (full column rank); e.g. :func:`design_with_gram`.
    lam : float
    tols : sequence of float
        scikit-learn tolerances, > 0.
    reps : int
    rng : numpy.random.Generator or int
    confidence_level : float, default 0.95
        Of the Clopper-Pearson intervals.

    Returns
    -------
    list of dict
        One per ``tol``: ``"tol", "reps", "uncertified"``, ``"mismatch"``,
        ``"spurious"``, ``"missed"`` (replications with any), each rate with a
        ``"*_ci"`` Clopper-Pearson interval; ``"exact_sparse"`` and
        ``"fit_sparse"`` (counts, same replications), ``"sparse_bias"``
        (``(fit_sparse - exact_sparse)/reps``, the bias of P(sparse) estimated
        from the fits) with ``"sparse_bias_se"`` (paired standard error) and
        ``"convergence_warnings"``.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> X = design_with_gram([[1.0, 0.6], [0.6, 1.0]], 50, 0)
    >>> out = sklearn_tolerance_study([1.0, 0.3], 1.0, X, 0.5, [1e-10], 20, 1)
    >>> out[0]["reps"], out[0]["mismatch"]
    (20, 0)
    """
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("sklearn_tolerance_study needs scikit-learn: pip install 'mc_sparsity[solvers]'") from exc
    beta = _vector(beta, "beta")
    sigma = _real(sigma, "sigma", low=0.0, low_open=True)
    try:
        X = np.array(gram_design_X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("gram_design_X must be an (n, p) array of real numbers") from None
    if X.ndim != 2 or X.shape[1] != beta.size or not np.all(np.isfinite(X)):
        raise ParameterError("gram_design_X", f"gram_design_X must be a finite (n, {beta.size}) array, got shape {X.shape}")
    n, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        raise ParameterError("gram_design_X", "gram_design_X must have full column rank")
    lam = _real(lam, "lam", low=0.0, low_open=True)
    tols = _vector(tols, "tols")
    if np.any(tols <= 0):
        raise ParameterError("tols", f"tols must be > 0, got {tols.tolist()}")
    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral):
        raise TypeError(f"reps must be an integer, got {reps!r}")
    if reps < 1:
        raise ParameterError("reps", f"reps must be >= 1, got {reps}")
    rng = np.random.default_rng(rng)
    G = X.T @ X
    G = 0.5 * (G + G.T)
    mean = X @ beta
    stats_ = [dict(mismatch=0, spurious=0, missed=0, fit_sparse=0, warnings=0) for _ in tols]
    exact_sparse = 0
    uncertified = 0
    paired = [[0, 0] for _ in tols]  # (fit sparse & exact not, exact sparse & fit not)
    for _ in range(int(reps)):
        y = mean + sigma * rng.standard_normal(n)
        _, zero, ok = exact_lasso_solution(X.T @ y, G, lam)
        uncertified += not ok
        exact_sparse += bool(zero.any())
        for t, tol in enumerate(tols):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                w = Lasso(alpha=lam / n, fit_intercept=False, tol=float(tol)).fit(X, y).coef_
            st = stats_[t]
            st["warnings"] += sum(issubclass(c.category, ConvergenceWarning) for c in caught)
            fz = w == 0.0
            st["mismatch"] += bool(np.any(fz != zero))
            st["spurious"] += bool(np.any(fz & ~zero))
            st["missed"] += bool(np.any(~fz & zero))
            st["fit_sparse"] += bool(fz.any())
            paired[t][0] += bool(fz.any() and not zero.any())
            paired[t][1] += bool(zero.any() and not fz.any())
    out = []
    for t, tol in enumerate(tols):
        st = stats_[t]
        a, b = paired[t]
        d = (a - b) / reps
        # Paired difference of two indicators: var = (a + b)/N - d^2, per replication.
        se = math.sqrt(max((a + b) / reps - d * d, 0.0) / reps)
        rec = {"tol": float(tol), "reps": int(reps), "uncertified": uncertified}
        for key in ("mismatch", "spurious", "missed"):
            rec[key] = st[key]
            rec[key + "_ci"] = _clopper_pearson(st[key], reps, confidence_level)
        rec.update(exact_sparse=exact_sparse, fit_sparse=st["fit_sparse"], sparse_bias=d, sparse_bias_se=se,
                   convergence_warnings=st["warnings"])
        out.append(rec)
    return out


#: Solvers run by :func:`run_solvers` and the report when none are named.
DEFAULT_SOLVERS = ("ista", "fista", "cd", "subgradient")


def run_solvers(beta, sigma, lam, *, design=None, solvers=DEFAULT_SOLVERS, iterations=(1, 2, 5, 10, 100, 1000),
                step=None, start="zero", tols=(1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12), reps=100_000, rng=0,
                n_jobs=None, sklearn_reps=2_000, sklearn_n=50, skip_sklearn_if_missing=False):
    """Run the solvers on the engine (per-block streams) and scikit-learn at ``tols``.

    Parameters
    ----------
    beta : array_like of shape (p,)
    sigma, lam : float
    design : Design, optional
        Orthonormal when ``None``.
    solvers : sequence of str
        Names from :data:`SOLVERS`, and ``"sklearn"``.
    iterations : sequence of int
        Checkpoints at which the iterates are examined.
    step : float, optional
        Step size; ``1/L`` by default.
    start : {"zero", "least_squares"}
    tols : sequence of float
        scikit-learn tolerances (with ``"sklearn"`` in ``solvers``).
    reps : int
        Replications of every compiled solver (same draws for each).
    rng : int or SeedSequence
        Seed of the run.
    n_jobs : int, optional
        joblib workers.
    sklearn_reps, sklearn_n : int
        Replications and rows of the design for the scikit-learn fits (slow).
    skip_sklearn_if_missing : bool, default False
        Without scikit-learn (an optional extra), leave its part out instead
        of raising ``ImportError``.

    Returns
    -------
    dict
        ``{"beta", "sigma", "lam", "design", "reps", "seed", "exact", "exact_sparse", "results"}`` with
        one record per solver and iteration (and per tolerance for scikit-learn).

    Examples
    --------
    >>> out = run_solvers([1.0, 0.3], 1.0, 0.5, solvers=["ista"], iterations=[1], reps=1000)
    >>> row = out["results"][0]
    >>> row["solver"], row["iteration"], row["zero_any"] == out["exact_sparse"]  # G = I: exact in one step
    ('ista', 1, True)
    """
    from .._designs.design import orthonormal
    from .._mc.engine import run_kernel
    from .._mc.simulate import references
    from .._base.validation import check_count, check_rng

    beta = _vector(beta, "beta")
    design = orthonormal(beta.size) if design is None else design
    reps = check_count(reps, "reps")
    names = list(dict.fromkeys(solvers))
    unknown = [s for s in names if s not in (*SOLVERS, "sklearn")]
    if unknown:
        raise ParameterError("solver", f"solver must be among {', '.join((*SOLVERS, 'sklearn'))}, got {unknown[0]!r}")
    root = check_rng(rng)
    exact, _ = references("lasso", beta, float(sigma), lam=float(lam),
                          design=None if design.is_orthonormal else design, integrate=False,
                          threshold=float(lam))
    records, exact_sparse = [], None
    for name in names:
        if name == "sklearn":
            continue
        kernel = solver_kernel(beta, sigma, design.gram, design.covariance_cholesky, lam, name, iterations,
                               start=start, step=step)
        tally = run_kernel(kernel, reps, root, n_jobs=n_jobs)
        summary = solver_summary(kernel, tally.counts)
        exact_sparse = summary["exact_sparse"]
        for record in solver_counts_to_records(kernel, tally.counts, tally.sums):
            record["near_zero"] = {repr(float(k)): v for k, v in record["near_zero"].items()}
            records.append(record)
    if "sklearn" in names and skip_sklearn_if_missing:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            names.remove("sklearn")
    if "sklearn" in names:
        # The named streams "sklearn", 0 (design) and 1 (data), apart from every block's, without spawning
        # from root (which would change the caller's SeedSequence).
        from .._mc.streams import named_stream

        def stream(k):
            return np.random.default_rng(named_stream(root, "sklearn", k))

        X = design_with_gram(design.gram, sklearn_n, stream(0))
        for row in sklearn_tolerance_study(beta, sigma, X, lam, tols, min(reps, sklearn_reps), stream(1)):
            records.append({"solver": "sklearn", "tol": row["tol"], "reps": row["reps"],
                            "zero_any": row["fit_sparse"], "pattern_match": row["reps"] - row["mismatch"],
                            "spurious_zeros": row["spurious"], "missed_zeros": row["missed"],
                            "spurious_ci": row["spurious_ci"], "missed_ci": row["missed_ci"],
                            "exact_sparse": row["exact_sparse"], "sparse_bias": row["sparse_bias"],
                            "sparse_bias_se": row["sparse_bias_se"], "uncertified": row["uncertified"]})
    return {"beta": beta.tolist(), "sigma": float(sigma), "lam": float(lam), "design": design.to_dict(),
            "reps": reps, "seed": rng if isinstance(rng, numbers.Integral) else None,
            "exact": None if exact is None else exact.probability, "exact_sparse": exact_sparse,
            "results": records}
