"""The compiled hot loops: draw, apply every estimator of the run, count zeros.

Each kernel draws ``n`` replications of ``beta_hat = mean + sigma * z`` from a
numpy ``Generator``'s PCG64 stream, applies the estimators and tallies which
coordinates of each solution are exactly zero.  The normals are numpy's, bit
for bit, drawn by the loop itself (:mod:`~mc_sparsity._mc.pcg64`: the state in
registers, no opaque call per normal).  Nothing of the size of ``n`` is
allocated.  The kernels are compiled on first use (``cache=True`` keeps the
machine code on disk) and release the GIL so that threads run in parallel.
Their ``Kernel`` records, and the numpy twin that a small first call runs,
are in :mod:`~mc_sparsity._mc.orthonormal` (which imports no numba).

The zero rules are those of ``_estimators`` (tests check the two agree on the
same draws):

* separable thresholding rules: coordinate ``j`` is zero iff
  ``|beta_hat_j| <= tau_e`` (lasso: ``tau = lam``), exact in floating point
  (see ``_penalties``);
* penalized ridge: the solution ``beta_hat_j / (1 + lam)`` is zero in floating
  point exactly when ``|beta_hat_j| <= t_d``, ``t_d`` the largest double whose
  quotient by ``d = 1 + lam`` rounds to 0 (:func:`~mc_sparsity._mc.orthonormal.quotient_zero_threshold`,
  found on the lattice of doubles; correctly rounded division is monotone), so
  the kernel counts the exact zeros of the computed quotient with one
  comparison: it underflows to 0 for ``beta_hat_j = 1e-320``, ``lam = 1e10``,
  and never for ordinary inputs.  (Dividing in the hot loop cost 30% of the
  speed, measured.)
* constrained lasso: soft threshold at the ``theta`` of the L1 projection;
* constrained ridge: the solution ``beta_hat * min(1, t/||beta_hat||)`` is
  computed and its exact zeros counted.

Every kernel follows the engine's protocol (``engine.Kernel``) and fills the
tally of :mod:`~mc_sparsity._mc.tally`: for each estimator, its solutions by
zeros inside and outside the true support, the signed-support hits, and the
uncertified replications (always 0 here: these solutions are exact); ``sums``
is unused.  The solutions keep the sign of ``beta_hat`` wherever they are
nonzero (every rule here thresholds or shrinks by a positive factor).
"""

from __future__ import annotations

import numba
import numpy as np

from .pcg64 import standard_normal, state_of, store_state

__all__ = ["penalized_counts_compiled", "constrained_counts_compiled", "add_pattern", "BATCH", "LOCAL_CELLS"]


# Replications drawn before they are classified.  Counting a batch with
# accumulators in registers (p = 2) or codes in a local histogram, instead of
# adding 1 to ``counts`` once per replication (a chain of dependent memory
# updates), was measured at about 0.70 -> 0.90 of the raw drawing speed for p = 2.
BATCH = 512


@numba.njit(cache=True, nogil=True, inline="always")
def add_pattern(counts, e, zero, signs, solution_signs_right, p, k):  # pragma: no cover - compiled
    """Add one certified solution with zero flags ``zero`` to row ``e``.

    ``solution_signs_right``: the solution's sign equals ``sign(beta_j)`` at every
    ``j`` of the support where the solution is nonzero.
    """
    a = 0
    b = 0
    for j in range(p):
        if zero[j]:
            if signs[j] != 0.0:
                a += 1
            else:
                b += 1
    counts[e, a * (p - k + 1) + b] += 1
    if a == 0 and b == p - k and solution_signs_right:
        counts[e, (k + 1) * (p - k + 1)] += 1


@numba.njit(cache=True, nogil=True, inline="always")
def _draw_batch(rng, m, mean, sigma, signs, absx, right):  # pragma: no cover - compiled
    """Draw ``m`` replications: ``|beta_hat|`` into ``absx``, and whether their signs match ``beta`` on its support.

    ``rng`` is the PCG64 state (:func:`~mc_sparsity._mc.pcg64.state_of`), advanced in place.
    """
    p = mean.shape[0]
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    for i in range(m):
        good = True
        for j in range(p):
            z, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            x = mean[j] + sigma * z
            absx[i, j] = abs(x)
            good &= (x * signs[j] > 0.0) | (signs[j] == 0.0)
        right[i] = good
    rng[0] = hi
    rng[1] = lo


@numba.njit(cache=True, nogil=True, inline="always")
def _draw_folded(rng, m, mean, sigma, signs, y):  # pragma: no cover - compiled
    """Draw ``m`` replications into the columns of ``y`` (``y[j, i]``: coordinate ``j`` of draw ``i``),
    folded by the truth's signs.

    ``y_j = sign(beta_j) beta_hat_j`` on the support, ``|beta_hat_j|`` off it (both
    exact): ``|y_j| = |beta_hat_j|``, and for a threshold ``tau >= 0`` the solution
    has the signed support of ``beta`` iff ``y_j > tau`` on the support and
    ``y_j <= tau`` off it, so no separate sign flags are needed.  Coordinate-major,
    so that the passes over the draws that follow run along contiguous memory.
    """
    p = mean.shape[0]
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    for i in range(m):
        for j in range(p):
            z, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            y[j, i] = mean[j] + sigma * z
    rng[0] = hi
    rng[1] = lo
    for j in range(p):
        s = signs[j]
        off = s == 0.0
        for i in range(m):
            x = y[j, i]
            # branch-free: x * (+-1) + 0 on the support, x * 0 + |x| = |x| off it (exact)
            y[j, i] = x * s + off * abs(x)


#: Largest tally row kept in the kernel's local histograms (four lanes of int64: 128 KiB).
LOCAL_CELLS = 4096


@numba.njit(cache=True, nogil=True)
def _counts_folded(rng, n, mean, sigma, thresholds, subset_size, signs, counts):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.orthonormal.penalized_counts` for p != 2, on folded draws.

    Per batch and estimator, one vectorised pass along the draws per coordinate
    builds every draw's cell code ``a * (p - k + 1) + b`` (a zero on the support
    adds ``p - k + 1``, one off it adds 1) and its signed-support flag; the codes
    then go into a small local histogram (four lanes, so that consecutive equal
    codes do not wait on each other's increment), added to ``counts`` once per
    call.  A row whose threshold no draw of a batch reaches, such as ridge's,
    costs one pass instead.
    """
    p = mean.shape[0]
    k = 0
    for j in range(p):
        k += signs[j] != 0.0
    width = p - k + 1
    hits = (k + 1) * width
    n_est = thresholds.shape[0]
    # BATCH draws, fewer for large p (at most 512 KiB of draws, within the second-level cache)
    batch = max(16, min(BATCH, 65536 // p))
    y = np.empty((p, batch))
    code = np.empty(batch, dtype=np.int64)
    good = np.empty(batch, dtype=np.int64)
    absx = np.empty(p)
    zero = np.empty(p, dtype=np.bool_)
    off = np.empty(p, dtype=np.bool_)
    weight = np.empty(p, dtype=np.int64)
    order = np.empty(p, dtype=np.int64)
    for j in range(p):
        off[j] = signs[j] == 0.0
        weight[j] = 1 if off[j] else width
    local = hits <= LOCAL_CELLS
    hist = np.zeros((n_est, 4, hits if local else 0), dtype=np.int64)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        _draw_folded(rng, m, mean, sigma, signs, y)
        for e in range(n_est):
            tau = thresholds[e]
            some_zero = False
            for j in range(p):  # a vectorised OR: cheap next to classifying every draw
                for i in range(m):
                    some_zero |= abs(y[j, i]) <= tau
            if not some_zero:
                # no coordinate of the batch is zero (ridge's threshold is ~1e-323): every
                # draw is in cell (0, 0); it has the signed support iff k = p and y > 0
                counts[e, 0] += m
                if k == p:
                    good[:m] = 1
                    for j in range(p):
                        for i in range(m):
                            good[i] &= y[j, i] > 0.0
                    counts[e, hits] += good[:m].sum()
            else:
                code[:m] = 0
                good[:m] = 1
                for j in range(p):
                    w = weight[j]
                    o = off[j]
                    for i in range(m):
                        v = y[j, i]
                        code[i] += (abs(v) <= tau) * w
                        good[i] &= (v > tau) != o
                if local:
                    for i in range(m):
                        hist[e, i & 3, code[i]] += 1
                else:
                    for i in range(m):
                        counts[e, code[i]] += 1
                counts[e, hits] += good[:m].sum()
        if subset_size >= 0:
            for i in range(m):
                # the p - M smallest |beta_hat_j| are dropped; a kept one is zero only if beta_hat_j = 0
                right = True
                for j in range(p):
                    absx[j] = abs(y[j, i])
                    right &= off[j] or y[j, i] > 0.0
                order[:] = np.argsort(absx)
                for r in range(p):
                    j = order[r]
                    zero[j] = r < p - subset_size or absx[j] == 0.0
                add_pattern(counts, n_est, zero, signs, right, p, k)
    if local:
        for e in range(n_est):
            for lane in range(4):
                for c in range(hits):
                    counts[e, c] += hist[e, lane, c]


@numba.njit(cache=True, nogil=True)
def _counts_p2(rng, n, mean, sigma, thresholds, subset_size, signs, counts):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.orthonormal.penalized_counts` at p = 2: a cell per zero pattern, counted in registers.

    The batch is drawn into one array per coordinate (``|beta_hat_j|``) and one
    of sign flags, so that each estimator's pass along the batch runs on
    contiguous memory (vectorised).  Rows ``0..E-1`` are the separable
    estimators with zero thresholds ``thresholds`` (zero iff
    ``|beta_hat_j| <= tau``, the sign kept otherwise); if ``subset_size >= 0``
    the last row is best subset of that size (keep the largest ``|beta_hat_j|``).
    """
    p = 2
    in0 = signs[0] != 0.0
    in1 = signs[1] != 0.0
    k = in0 + in1
    width = p - k + 1
    hits = (k + 1) * width
    n_est = thresholds.shape[0]
    y0 = np.empty(BATCH)
    y1 = np.empty(BATCH)
    absx = np.empty(p)
    zero = np.empty(p, dtype=np.bool_)
    order = np.empty(p, dtype=np.int64)
    m0, m1, s0, s1 = mean[0], mean[1], signs[0], signs[1]
    off0, off1 = not in0, not in1
    hi, lo, inc_hi, inc_lo = rng[0], rng[1], rng[2], rng[3]
    for start in range(0, n, BATCH):
        m = min(BATCH, n - start)
        for i in range(m):  # the loop around the generator only draws
            z, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            y0[i] = m0 + sigma * z
            z, hi, lo = standard_normal(hi, lo, inc_hi, inc_lo)
            y1[i] = m1 + sigma * z
        for i in range(m):
            # folded by the truth's signs (see _draw_folded): |y_j| = |beta_hat_j|, and the signed
            # support of beta at threshold tau is y_j > tau on the support, y_j <= tau off it
            y0[i] = y0[i] * s0 + off0 * abs(y0[i])
            y1[i] = y1[i] * s1 + off1 * abs(y1[i])
        for e in range(n_est):
            tau = thresholds[e]
            n10 = 0
            n01 = 0
            n11 = 0
            hit = 0
            for i in range(m):
                z0 = abs(y0[i]) <= tau
                z1 = abs(y1[i]) <= tau
                n10 += z0 & (not z1)
                n01 += z1 & (not z0)
                n11 += z0 & z1
                hit += ((y0[i] > tau) != off0) & ((y1[i] > tau) != off1)
            counts[e, 0 * width + 0] += m - n10 - n01 - n11
            counts[e, in0 * width + (not in0)] += n10
            counts[e, in1 * width + (not in1)] += n01
            counts[e, (in0 + in1) * width + (2 - in0 - in1)] += n11
            counts[e, hits] += hit
        if subset_size >= 0:
            for i in range(m):
                # the p - M smallest |beta_hat_j| are dropped; a kept one is zero only if beta_hat_j = 0
                absx[0] = abs(y0[i])
                absx[1] = abs(y1[i])
                order[:] = np.argsort(absx)
                for r in range(p):
                    j = order[r]
                    zero[j] = r < p - subset_size or absx[j] == 0.0
                right = ((y0[i] > 0.0) | off0) & ((y1[i] > 0.0) | off1)
                add_pattern(counts, n_est, zero, signs, right, p, k)
    rng[0] = hi
    rng[1] = lo


def penalized_counts_compiled(rng, n, mean, sigma, thresholds, subset_size, signs, counts, sums):
    """:func:`~mc_sparsity._mc.orthonormal.penalized_counts` by the compiled loop, drawing ``rng``'s
    normals itself (:mod:`~mc_sparsity._mc.pcg64`) and leaving ``rng`` advanced past them."""
    state = state_of(rng)
    _penalized_counts(state, n, mean, sigma, thresholds, subset_size, signs, counts, sums)
    store_state(rng, state)


@numba.njit(cache=True, nogil=True)
def _penalized_counts(rng, n, mean, sigma, thresholds, subset_size, signs, counts, sums):  # pragma: no cover
    """:func:`~mc_sparsity._mc.orthonormal.penalized_counts` on the PCG64 state ``rng`` (``uint64[4]``,
    advanced in place)."""
    if mean.shape[0] == 2:
        _counts_p2(rng, n, mean, sigma, thresholds, subset_size, signs, counts)
    else:
        _counts_folded(rng, n, mean, sigma, thresholds, subset_size, signs, counts)


def constrained_counts_compiled(rng, n, mean, sigma, radius, signs, counts, sums):
    """:func:`~mc_sparsity._mc.orthonormal.constrained_counts` by the compiled loop (see
    :func:`penalized_counts_compiled`)."""
    state = state_of(rng)
    _constrained_counts(state, n, mean, sigma, radius, signs, counts, sums)
    store_state(rng, state)


@numba.njit(cache=True, nogil=True)
def _constrained_counts(rng, n, mean, sigma, radius, signs, counts, sums):  # pragma: no cover - compiled
    """:func:`~mc_sparsity._mc.orthonormal.constrained_counts` on the PCG64 state ``rng`` (``uint64[4]``, advanced in place)."""
    p = mean.shape[0]
    k_true = 0
    for j in range(p):
        k_true += signs[j] != 0.0
    absx = np.empty((1, p))
    right = np.empty(1, dtype=np.bool_)
    zero = np.empty(p, dtype=np.bool_)
    desc = np.empty(p)
    for _ in range(n):
        _draw_batch(rng, 1, mean, sigma, signs, absx, right)
        largest = 0.0
        for j in range(p):
            largest = max(largest, absx[0, j])
        # The L2 projection beta_hat * min(1, t/||beta_hat||), its norm scaled by the
        # largest coordinate so that it cannot overflow (see _estimators.project_l2_ball).
        if largest > 0.0:
            scaled = 0.0
            for j in range(p):
                scaled += (absx[0, j] / largest) ** 2
            norm = largest * np.sqrt(scaled)
            factor = min(1.0, radius / norm)
            for j in range(p):
                zero[j] = absx[0, j] * factor == 0.0
        else:
            zero[:] = True
        add_pattern(counts, 1, zero, signs, right[0], p, k_true)
        # The L1 projection (see _estimators._l1_projection_parts, the same float operations):
        # u_j, in decreasing order, is active iff sum_{i<j} u_i - (j - 1) u_j < t.
        if p == 2:  # a compare-and-swap instead of a sort call: the same order
            lo, hi = (absx[0, 0], absx[0, 1]) if absx[0, 0] <= absx[0, 1] else (absx[0, 1], absx[0, 0])
            desc[0] = lo
            desc[1] = hi
        else:
            desc[:] = absx[0]
            desc.sort()
        before = 0.0
        rho = 0
        for j in range(p):
            u = desc[p - 1 - j]
            if before - j * u < radius:
                rho += 1
            before += u
        smallest_active = desc[p - rho]
        for j in range(p):
            zero[j] = absx[0, j] < smallest_active or absx[0, j] == 0.0
        add_pattern(counts, 0, zero, signs, right[0], p, k_true)
