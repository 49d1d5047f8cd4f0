"""The one tally every kernel fills, and what it adds up to for one estimator.

A kernel knows the true coefficients ``beta``, so it can say of each solution
not only how many coordinates are zero but which: with ``S = supp(beta)``
(``k = |S|``), a solution is described, for every estimand the package has, by

* ``a``, its zeros inside ``S`` (false negatives), ``0 <= a <= k``;
* ``b``, its zeros outside ``S`` (true negatives), ``0 <= b <= p - k``;
* whether it has the signed support of ``beta`` (``a = 0``, ``b = p - k`` and
  ``sign(b_hat_j) = sign(beta_j)`` on ``S``).

Row ``e`` of a kernel's ``counts`` holds, for estimator ``e``:

==========================  ===============================================
column                      count of replications
==========================  ===============================================
``a * (p - k + 1) + b``     with ``a`` zeros in ``S`` and ``b`` outside
``cells``                   with the signed support of ``beta``
``cells + 1``               not certified (no solver could prove a pattern)
==========================  ===============================================

with ``cells = (k + 1) (p - k + 1)``.  The number of zeros is ``K = a + b``,
false positives ``FP = p - k - b``, true positives ``TP = k - a``: so P(sparse),
the law of K, P(support), P(superset) and the means of the false discovery
proportion, the true positive rate and the Hamming distance all come from
this one table (:mod:`~mc_sparsity._mc.estimands`).  Only the signed support
needs the signs, hence its own column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["MAX_CELLS", "cells", "tally_width", "signs_of", "EstimatorTally"]

#: Largest ``(k + 1)(p - k + 1)`` a tally may have (8 MiB of int64 per estimator and task).
MAX_CELLS = 1 << 20


def cells(p: int, k: int) -> int:
    """The number of ``(a, b)`` cells for ``p`` coordinates of which ``k`` are nonzero."""
    return (k + 1) * (p - k + 1)


def tally_width(p: int, k: int) -> int:
    """Columns of a tally row: the cells, the signed-support hits and the uncertified replications."""
    return cells(p, k) + 2


def signs_of(beta) -> np.ndarray:
    """``sign(beta)`` as floats (0 off the support): what the kernels compare solutions with."""
    return np.sign(np.asarray(beta, dtype=float))


@dataclass(frozen=True)
class EstimatorTally:
    """One estimator's row of a tally, read.

    Attributes
    ----------
    hist : numpy.ndarray of shape (k + 1, p - k + 1)
        ``hist[a, b]``: replications with ``a`` zeros in the support and ``b`` outside.
    signed : int
        Replications with the signed support of ``beta``.
    uncertified : int
        Replications no solver could certify (counted apart, in no estimate).
    p, k : int

    Examples
    --------
    >>> row = np.array([5, 1, 3, 0, 2, 0])   # p = 2, k = 1: cells (a, b) = (0,0) (0,1) (1,0) (1,1)
    >>> t = EstimatorTally.from_row(row, p=2, k=1)
    >>> t.classified, t.zeros.tolist(), t.signed
    (9, [5, 4, 0], 2)
    """

    hist: np.ndarray
    signed: int
    uncertified: int
    p: int
    k: int

    @classmethod
    def from_row(cls, row, p: int, k: int) -> "EstimatorTally":
        n = cells(p, k)
        row = np.asarray(row, dtype=np.int64)
        return cls(row[:n].reshape(k + 1, p - k + 1), int(row[n]), int(row[n + 1]), p, k)

    @property
    def classified(self) -> int:
        """Replications whose pattern is known (every certified one)."""
        return int(self.hist.sum())

    @property
    def zeros(self) -> np.ndarray:
        """``zeros[K]``: replications with exactly ``K = a + b`` zero coordinates."""
        out = np.zeros(self.p + 1, dtype=np.int64)
        for a in range(self.k + 1):
            out[a:a + self.p - self.k + 1] += self.hist[a]
        return out
