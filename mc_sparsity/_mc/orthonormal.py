"""The orthonormal kernels as the engine sees them: their ``Kernel`` records and which loop runs.

The loops themselves are compiled (:mod:`~mc_sparsity._mc.kernels`, with
numba); this module imports neither, so that a small command need not pay
for them: :func:`penalized_counts` runs its numpy twin
(:func:`penalized_counts_numpy`, the same tally of the same normals) on a
small call made before the compiled loop is loaded, and the compiled loop
otherwise.  Which one ran never changes a count (tests compare the two).
"""

from __future__ import annotations

import sys

import numpy as np

from .tally import signs_of, tally_width

__all__ = ["SMALL_NORMALS", "penalized_counts", "penalized_counts_numpy", "constrained_counts",
           "quotient_zero_threshold", "penalized_kernel", "constrained_kernel"]

#: Normals (``n * p``) up to which a call made before the compiled loop is loaded runs in numpy
#: (about 10 ms; importing numba and loading the machine code cost about 0.4 s, measured):
#: less than one block at p = 2.
SMALL_NORMALS = 1 << 18


def penalized_counts(rng, n, mean, sigma, thresholds, subset_size, signs, counts, sums):
    """Add ``n`` draws from the ``Generator`` ``rng`` (PCG64) to the tally ``counts``.

    The tally's layout is :mod:`~mc_sparsity._mc.tally`'s.  Rows ``0..E-1`` are
    the separable estimators with zero thresholds ``thresholds`` (``>= 0``;
    zero iff ``|beta_hat_j| <= tau``, the sign kept otherwise); if
    ``subset_size >= 0`` the last row is best subset of that size (keep the
    largest ``|beta_hat_j|``).  The normals are ``rng.standard_normal()``'s, bit
    for bit, drawn by the compiled loop itself (:mod:`~mc_sparsity._mc.pcg64`);
    ``rng`` is left advanced past them.

    A small call in a process that has not loaded the compiled loop yet (a
    command of 1e5 replications) runs :func:`penalized_counts_numpy` instead:
    the same tally of the same normals, without the quarter of a second that
    importing numba and loading the machine code cost.
    """
    compiled = sys.modules.get(__package__ + ".kernels")  # numba and the compiled loops, if loaded
    if subset_size < 0 and n * mean.shape[0] <= SMALL_NORMALS and (
            compiled is None or not compiled._penalized_counts.signatures):
        penalized_counts_numpy(rng, n, mean, sigma, thresholds, signs, counts)
        return
    from .kernels import penalized_counts_compiled

    penalized_counts_compiled(rng, n, mean, sigma, thresholds, subset_size, signs, counts, sums)


def penalized_counts_numpy(rng, n, mean, sigma, thresholds, signs, counts):
    """:func:`penalized_counts` without best subset, in numpy: the same tally of the same draws.

    ``rng.standard_normal((n, p))`` gives the normals in the compiled loop's
    order (draw by draw), ``mean + sigma * z`` the same doubles, and the
    classification is the one of :func:`~mc_sparsity._mc.kernels._counts_folded` (tests check the two
    tallies are equal).

    Examples
    --------
    >>> counts = np.zeros((1, 6), dtype=np.int64)   # p = 2, k = 2: cells (a, b) = (0, 0), (1, 0), (2, 0)
    >>> penalized_counts_numpy(np.random.default_rng(0), 1000, np.array([1.0, 0.3]), 1.0, np.array([0.5]),
    ...                        np.array([1.0, 1.0]), counts)
    >>> int(counts[0, :3].sum())
    1000
    """
    p = mean.shape[0]
    off = signs == 0.0
    k = p - int(np.count_nonzero(off))
    width = p - k + 1
    hits = (k + 1) * width
    x = mean + sigma * rng.standard_normal((n, p))
    y = x * signs + off * np.abs(x)  # folded as in _draw_folded (exact)
    absy = np.abs(y)
    weight = np.where(off, 1, width)
    for e, tau in enumerate(thresholds):
        code = (absy <= tau) @ weight
        counts[e, :hits] += np.bincount(code, minlength=hits)
        counts[e, hits] += np.count_nonzero(np.all((y > tau) != off, axis=1))


def constrained_counts(rng, n, mean, sigma, radius, signs, counts, sums):
    """Constrained forms: row 0 the L1-ball projection, row 1 the L2-ball one (tally layout).

    Draws from the ``Generator`` ``rng`` as :func:`penalized_counts` does.
    """
    from .kernels import constrained_counts_compiled

    constrained_counts_compiled(rng, n, mean, sigma, radius, signs, counts, sums)


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
    if not all(t >= 0.0 for t in taus):  # the folded draws of penalized_counts need tau >= 0
        raise ValueError(f"zero thresholds must be >= 0, got {taus}")
    rows = len(taus) + (subset_size >= 0)
    beta = np.asarray(beta, dtype=float)
    signs = signs_of(beta)
    return Kernel(penalized_counts, (beta, float(sigma), np.array(taus, dtype=float), int(subset_size), signs),
                  (rows, tally_width(beta.size, int(np.count_nonzero(signs)))))


def constrained_kernel(beta, sigma, radius):
    """The orthonormal constrained kernel: row 0 the L1-ball projection, row 1 the L2-ball one."""
    from .engine import Kernel

    beta = np.asarray(beta, dtype=float)
    signs = signs_of(beta)
    return Kernel(constrained_counts, (beta, float(sigma), float(radius), signs),
                  (2, tally_width(beta.size, int(np.count_nonzero(signs)))))
