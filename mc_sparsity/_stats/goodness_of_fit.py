"""Goodness of fit of a simulated count histogram against an exact law."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["ChisquareResult", "pooled_chisquare"]


class ChisquareResult(NamedTuple):
    """Result of :func:`pooled_chisquare`: the statistic, its p-value and the number of cells after pooling."""

    statistic: float
    pvalue: float
    cells: int  # after pooling


def pooled_chisquare(observed, probabilities, min_expected: float = 5.0) -> ChisquareResult:
    """Pearson's chi-square test of counts against cell probabilities, cells pooled.

    Adjacent cells are merged (left to right, the remainder into the last
    pooled cell) until every expected count is at least ``min_expected``, the
    usual condition for the chi-square approximation.  With a single cell left
    there is nothing to test: ``pvalue = 1``.  A count in a cell of probability
    0 gives ``pvalue = 0`` outright.  The expected counts are
    ``probabilities * sum(observed)``, rescaled to the observed total (which only
    removes rounding in ``probabilities``); the test has ``cells - 1`` degrees of
    freedom (``scipy.stats.chisquare``).

    Parameters
    ----------
    observed : array_like of float, shape (k,)
        The observed counts of the ``k`` cells, in their natural order (e.g. a
        histogram of the number of zeros ``K = 0..p``).
    probabilities : array_like of float, shape (k,)
        The cell probabilities under the null law; they should sum to 1.
    min_expected : float, default 5.0
        The smallest expected count a pooled cell may have.

    Returns
    -------
    ChisquareResult
        ``(statistic, pvalue, cells)``: Pearson's statistic, its p-value and the
        number of cells after pooling.  ``(0.0, 1.0, 1)`` when a single cell is
        left; ``(inf, 0.0, k)`` when a cell of probability 0 has a count.

    Examples
    --------
    >>> res = pooled_chisquare([480, 430, 90], [0.48, 0.43, 0.09])
    >>> res.cells, round(res.pvalue, 3)
    (3, 1.0)
    >>> pooled_chisquare([600, 400, 0], [0.48, 0.52, 0.0]).pvalue < 1e-10
    True
    >>> pooled_chisquare([9_999_997, 0, 3], [1.0, 0.0, 0.0]).pvalue
    0.0
    >>> pooled_chisquare([50, 30, 15, 3, 2], [0.5, 0.3, 0.15, 0.03, 0.02]).cells  # the last two are pooled
    4
    """
    from scipy import stats

    observed = np.asarray(observed, dtype=float)
    probabilities = np.asarray(probabilities, dtype=float)
    if np.any((probabilities == 0) & (observed > 0)):
        # An impossible cell was hit: no pooling may hide that.
        return ChisquareResult(float("inf"), 0.0, int(observed.size))
    expected = probabilities * observed.sum()
    obs_cells, exp_cells = [], []
    acc_o = acc_e = 0.0
    for o, e in zip(observed, expected):
        acc_o, acc_e = acc_o + o, acc_e + e
        if acc_e >= min_expected:
            obs_cells.append(acc_o)
            exp_cells.append(acc_e)
            acc_o = acc_e = 0.0
    if len(obs_cells) < 2:
        return ChisquareResult(0.0, 1.0, 1)
    obs_cells[-1] += acc_o
    exp_cells[-1] += acc_e
    exp_cells = np.array(exp_cells)
    exp_cells *= sum(obs_cells) / exp_cells.sum()  # removes rounding in the probabilities only
    res = stats.chisquare(obs_cells, exp_cells)
    return ChisquareResult(float(res.statistic), float(res.pvalue), len(obs_cells))
