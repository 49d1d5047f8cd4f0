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
:func:`mc_sparsity._mc.orthonormal.penalized_counts` on the same stream.

The exact zero pattern of ``b*`` (KKT: ``G b - z + lam s = 0``, ``s_j =
sign(b_j)`` on the support ``S``, ``|s_j| <= 1`` off it; ``G`` SPD makes
``b*`` unique) is found by the one certified Gram-lasso solver of the package,
:func:`mc_sparsity._mc.gram_lasso.solve_certified`, the correlated kernels'
own: the LARS path's pattern (else coordinate descent's), the active-set solve
``b_S = G_SS^{-1}(z_S - lam s_S)`` (Cholesky) on it, and its KKT conditions
checked with margins above the rounding error of that solve (``s_j b_j`` and
``lam - |z_j - G_jS b_S|`` must exceed ``max(1e-9, 64 p eps cond(G))`` times the
size of the rounded terms), which prove that ``S`` is the support of the
unique solution.  A replication that fails them (an event of probability
about that margin) is *uncertified* and counted apart; its pattern is then
coordinate descent's.

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

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import Interval, check_beta, check_cholesky, check_gram, check_option, check_scalar

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
]

from .._estimators.registry import SOLVERS, STARTS  # noqa: E402  (written once, where the command line reads them)

#: The most iterations a solver run may ask for (each replication runs them all); study files share it.
MAX_ITERATIONS = 100_000

from .compiled import _exact_many, _iterates_many, solver_replications  # noqa: E402
from .._mc.gram_lasso import certificate_scales  # noqa: E402


# --------------------------------------------------------------------------- #
# validation
# --------------------------------------------------------------------------- #

def _real(value, name, *, low=None, low_open=False):
    """A finite real, ``> low`` (``low_open``) or ``>= low``: ``_validation.check_scalar``."""
    return check_scalar(value, name, Interval(low, None, closed="neither" if low_open else "left"))


def _gram(gram, p):
    return np.eye(p) if gram is None else check_gram(gram, p)


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
    if arr[-1] > MAX_ITERATIONS:  # every replication runs them all: 1e12 would never finish
        raise ParameterError("iterations", f"iterations must be <= {MAX_ITERATIONS:,}, got {int(arr[-1]):,}")
    return arr


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
    beta = check_beta(beta, "beta")
    p = beta.size
    sigma = _real(sigma, "sigma", low=0.0, low_open=True)
    g = _gram(gram, p)
    c = check_cholesky(chol, g)
    lam = _real(lam, "lam", low=0.0)
    check_option(solver, "solver", SOLVERS)
    check_option(start, "start", STARTS)
    checkpoints = _checkpoints(iterations)
    eps_arr = check_beta(eps, "eps") if not (isinstance(eps, (list, tuple)) and len(eps) == 0) else np.empty(0)
    if eps_arr.size and np.any(eps_arr < 0):
        raise ParameterError("eps", f"eps must be >= 0, got {eps_arr.tolist()}")
    lipschitz = float(np.linalg.eigvalsh(g)[-1])
    step = _step(step, solver, lipschitz)
    n_check, n_eps = checkpoints.size, eps_arr.size
    args = (beta, sigma, g, c, lam, certificate_scales(g), SOLVERS.index(solver), STARTS.index(start), step, checkpoints, eps_arr)
    Kernel = _lazy_kernel_class()
    return Kernel(function=solver_replications, args=args,
                  counts_shape=(n_check * (4 + n_eps) + 4 + p + n_check + 2,), sums_shape=(n_check,))


def _unpack(kernel):
    beta, sigma, g, c, lam, _margins, code, start, step, checkpoints, eps = kernel.args
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
    """Run ``kernel`` on ``reps`` replications on the engine, serially (:func:`mc_sparsity._mc.engine.run_kernel`).

    Replication ``i`` is drawn from the stream of block ``i // BLOCK_SIZE``, so
    the counts depend on ``seed`` and ``reps`` only.

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
    from .._mc.engine import run_kernel

    if not isinstance(seed, np.random.SeedSequence):
        seed = np.random.SeedSequence(seed)
    tally = run_kernel(kernel, int(reps), seed, n_jobs=1)
    return tally.counts, tally.sums


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
    _exact_many(np.ascontiguousarray(z2), g, lam, certificate_scales(g), b, zero, ok)
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
    check_option(solver, "solver", SOLVERS)
    check_option(start, "start", STARTS)
    checkpoints = _checkpoints(iterations)
    step = _step(step, solver, float(np.linalg.eigvalsh(g)[-1]))
    out = np.empty((bh.shape[0], checkpoints.size, p))
    ident = np.empty(bh.shape[0], dtype=np.int64)
    _iterates_many(np.ascontiguousarray(bh), g, lam, certificate_scales(g), SOLVERS.index(solver), STARTS.index(start), step,
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
