"""The compiled hot loops: draw, apply every estimator of the run, count zeros.

Each kernel draws ``n`` replications of ``beta_hat = mean + sigma * z`` from a
numpy ``Generator`` (numba draws numpy's own stream, bit for bit), applies the
estimators and adds one to ``hist[e, k]`` where ``k`` is the number of exactly
zero coordinates of estimator ``e``'s solution.  Nothing of the size of ``n``
is allocated.  The kernels are compiled on first use (``cache=True`` keeps the
machine code on disk) and release the GIL so that threads run in parallel.

The zero rules are those of ``_estimators`` (tests check the two agree on the
same draws):

* separable thresholding rules: coordinate ``j`` is zero iff
  ``|beta_hat_j| <= tau_e`` (lasso: ``tau = lam``), exact in floating point
  (see ``_penalties``);
* penalized ridge: the solution ``beta_hat_j / (1 + lam)`` is zero in floating
  point exactly when ``|beta_hat_j| <= t_d``, ``t_d`` the largest double whose
  quotient by ``d = 1 + lam`` rounds to 0 (:func:`quotient_zero_threshold`,
  found on the lattice of doubles; correctly rounded division is monotone), so
  the kernel counts the exact zeros of the computed quotient with one
  comparison: it underflows to 0 for ``beta_hat_j = 1e-320``, ``lam = 1e10``,
  and never for ordinary inputs.  (Dividing in the hot loop cost 30% of the
  speed, measured.)
* constrained lasso: soft threshold at the ``theta`` of the L1 projection;
* constrained ridge: the solution ``beta_hat * min(1, t/||beta_hat||)`` is
  computed and its exact zeros counted.

Every kernel follows the engine's protocol (``_engine.Kernel``):
``counts[e, k]`` counts replications in which estimator ``e`` has exactly
``k`` zero coordinates, and ``counts[e, p + 1]`` those it could not classify
(always 0 here: these solutions are exact); ``sums`` is unused.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["penalized_counts", "constrained_counts", "penalized_kernel", "constrained_kernel",
           "quotient_zero_threshold"]


# Replications drawn before they are classified.  Counting a batch with
# accumulators in registers, instead of adding 1 to ``hist`` once per
# replication (a chain of dependent memory updates), was measured at about
# 0.70 -> 0.90 of the raw drawing speed for p = 2.
BATCH = 512


@numba.njit(cache=True, nogil=True)
def penalized_counts(rng, n, mean, sigma, thresholds, subset_size, hist, sums):  # pragma: no cover - compiled
    """Add the zero-count histogram of ``n`` draws to ``hist``.

    Rows ``0..E-1`` of ``hist`` are the separable estimators with zero
    thresholds ``thresholds`` (zero iff ``|beta_hat_j| <= tau``); if
    ``subset_size >= 0`` the last row is best subset of that size (keep the
    largest ``|beta_hat_j|``).
    """
    p = mean.shape[0]
    n_est = thresholds.shape[0]
    absx = np.empty((BATCH, p))
    order = np.empty(p)
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):
            for j in range(p):
                absx[i, j] = abs(mean[j] + sigma * rng.standard_normal())
        for e in range(n_est):
            tau = thresholds[e]
            if p == 2:
                one = 0
                two = 0
                for i in range(m):
                    k = (absx[i, 0] <= tau) + (absx[i, 1] <= tau)
                    one += k == 1
                    two += k == 2
                hist[e, 0] += m - one - two
                hist[e, 1] += one
                hist[e, 2] += two
            else:
                for i in range(m):
                    k = 0
                    for j in range(p):
                        k += absx[i, j] <= tau
                    hist[e, k] += 1
        if subset_size >= 0:
            for i in range(m):
                # p - M coordinates are dropped; a kept one is zero only if beta_hat_j = 0.
                order[:] = absx[i]
                order.sort()
                k = p - subset_size
                for j in range(p - subset_size, p):
                    k += order[j] == 0.0
                hist[n_est, k] += 1


@numba.njit(cache=True, nogil=True)
def constrained_counts(rng, n, mean, sigma, radius, hist, sums):  # pragma: no cover - compiled
    """Constrained forms: ``hist[0]`` the L1-ball projection, ``hist[1]`` the L2-ball one."""
    p = mean.shape[0]
    absx = np.empty(p)
    desc = np.empty(p)
    for _ in range(n):
        largest = 0.0
        for j in range(p):
            absx[j] = abs(mean[j] + sigma * rng.standard_normal())
            largest = max(largest, absx[j])
        # The L2 projection beta_hat * min(1, t/||beta_hat||), its norm scaled by the
        # largest coordinate so that it cannot overflow (see _estimators.project_l2_ball).
        ridge_zeros = 0
        if largest > 0.0:
            scaled = 0.0
            for j in range(p):
                scaled += (absx[j] / largest) ** 2
            norm = largest * np.sqrt(scaled)
            factor = min(1.0, radius / norm)
            for j in range(p):
                ridge_zeros += absx[j] * factor == 0.0
        else:
            ridge_zeros = p
        hist[1, ridge_zeros] += 1
        # The L1 projection (see _estimators._l1_projection_parts, the same float operations):
        # u_j, in decreasing order, is active iff sum_{i<j} u_i - (j - 1) u_j < t.
        if p == 2:  # a compare-and-swap instead of a sort call: the same order
            lo, hi = (absx[0], absx[1]) if absx[0] <= absx[1] else (absx[1], absx[0])
            desc[0] = lo
            desc[1] = hi
        else:
            desc[:] = absx
            desc.sort()
        before = 0.0
        rho = 0
        for j in range(p):
            u = desc[p - 1 - j]
            if before - j * u < radius:
                rho += 1
            before += u
        smallest_active = desc[p - rho]
        k = 0
        for j in range(p):
            if absx[j] < smallest_active or absx[j] == 0.0:
                k += 1
        hist[0, k] += 1


def quotient_zero_threshold(divisor: float) -> float:
    """The largest double ``t >= 0`` with ``t / divisor == 0.0`` in floating point.

    Correctly rounded division is monotone in the dividend, so for any double
    ``x``, ``x / divisor == 0.0`` iff ``|x| <= t``.  Found by bisection on the
    bit patterns of the non-negative doubles (ordered like their values).

    Parameters
    ----------
    divisor : float
        ``> 0`` (ridge: ``1 + lam``).

    Returns
    -------
    float

    Examples
    --------
    >>> quotient_zero_threshold(1.0), quotient_zero_threshold(2.0)  # x / 1 = x; 5e-324 / 2 rounds to 0
    (0.0, 5e-324)
    >>> t = quotient_zero_threshold(1e10)
    >>> t / 1e10 == 0.0, bool(np.nextafter(t, 1.0) / 1e10 == 0.0)
    (True, False)
    """
    d = np.float64(divisor)
    as_float = lambda bits: np.array([bits], dtype=np.int64).view(np.float64)[0]  # noqa: E731
    lo, hi = 0, int(np.array([np.inf]).view(np.int64)[0])  # 0 / d == 0; inf / d != 0
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if as_float(mid) / d == 0.0:
            lo = mid
        else:
            hi = mid
    return float(as_float(lo))


def penalized_kernel(beta, sigma, thresholds, divisors, subset_size):
    """The orthonormal penalized kernel as an engine :class:`~mc_sparsity._mc.engine.Kernel`.

    Rows: one per threshold, one per ridge divisor ``d = 1 + lam`` (its zeros
    are those of the computed quotient ``beta_hat / d``: the threshold
    :func:`quotient_zero_threshold`), then best subset if ``subset_size >= 0``.
    """
    from .engine import Kernel

    taus = [float(t) for t in thresholds] + [quotient_zero_threshold(d) for d in divisors]
    rows = len(taus) + (subset_size >= 0)
    beta = np.asarray(beta, dtype=float)
    return Kernel(penalized_counts, (beta, float(sigma), np.array(taus, dtype=float), int(subset_size)),
                  (rows, beta.size + 2))


def constrained_kernel(beta, sigma, radius):
    """The orthonormal constrained kernel: row 0 the L1-ball projection, row 1 the L2-ball one."""
    from .engine import Kernel

    beta = np.asarray(beta, dtype=float)
    return Kernel(constrained_counts, (beta, float(sigma), float(radius)), (2, beta.size + 2))
