"""Estimands: what a simulation estimates, each computed from the one tally.

An :class:`Estimand` is a record: its name, what it means, whether it is a
probability (``"proportion"``: a count of replications with a Clopper-Pearson
or Wilson interval) or a mean (``"mean"``: a sample mean with its standard
error and a normal interval), and the function of the tally cell ``(a, b)``
(``a`` zeros inside the true support ``S``, ``b`` outside; see
:mod:`~mc_sparsity._mc.tally`) that it averages.  The signed support is the one
estimand that needs signs: its count has a column of its own.

========================  ==========  =============================================================
name                      kind        per replication
========================  ==========  =============================================================
``sparse``                proportion  the solution has a zero: ``a + b >= 1``
``signed_support``        proportion  ``sign(b_hat) = sign(beta)`` (Wainwright 2009; Zhao and Yu 2006)
``support``               proportion  ``supp(b_hat) = S``: ``a = 0`` and ``b = p - k``
``superset``              proportion  ``supp(b_hat)`` contains ``S`` (no false negative): ``a = 0``
``fdp``                   mean        ``FP / max(1, FP + TP)``, ``FP = p - k - b``, ``TP = k - a``
``tpr``                   mean        ``TP / k`` (1 when ``k = 0``: nothing to find, nothing missed)
``hamming``               mean        ``FP + FN = (p - k - b) + a``
========================  ==========  =============================================================

Adding an estimand is one record here (and, where it has one, its exact value
in ``_exact``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._base.errors import ParameterError
from .tally import EstimatorTally

__all__ = ["Estimand", "ESTIMANDS", "DEFAULT_ESTIMAND", "estimand_names", "Estimate", "estimate"]

DEFAULT_ESTIMAND = "sparse"


@dataclass(frozen=True)
class Estimand:
    """One estimand: its name, kind and the per-replication value of a tally cell.

    ``value(a, b, p, k)`` is the replication's value (0/1 for a proportion) for
    a solution with ``a`` zeros in the support and ``b`` outside.
    """

    name: str
    kind: str
    description: str
    value: object
    low: float = 0.0
    high: float | None = 1.0   # None: no upper bound (hamming)

    def cell_values(self, p: int, k: int) -> np.ndarray:
        """The value of every cell ``(a, b)`` as a ``(k + 1, p - k + 1)`` array."""
        a, b = np.meshgrid(np.arange(k + 1), np.arange(p - k + 1), indexing="ij")
        return np.asarray(self.value(a, b, p, k), dtype=float)


def _fdp(a, b, p, k):
    fp = p - k - b
    return fp / np.maximum(1, fp + (k - a))


def _tpr(a, b, p, k):
    return (k - a) / k if k else np.ones_like(a, dtype=float)


ESTIMANDS = {e.name: e for e in (
    Estimand("sparse", "proportion", "P(the solution has a zero coordinate)", lambda a, b, p, k: a + b >= 1),
    Estimand("signed_support", "proportion", "P(sign(b_hat) = sign(beta))", None),
    Estimand("support", "proportion", "P(supp(b_hat) = supp(beta))", lambda a, b, p, k: (a == 0) & (b == p - k)),
    Estimand("superset", "proportion", "P(supp(b_hat) contains supp(beta))", lambda a, b, p, k: a == 0),
    Estimand("fdp", "mean", "E[false discovery proportion]", _fdp),
    Estimand("tpr", "mean", "E[true positive rate]", _tpr),
    Estimand("hamming", "mean", "E[Hamming distance between supports]", lambda a, b, p, k: (p - k - b) + a,
             high=None),
)}


def estimand_names(estimand) -> tuple:
    """``estimand`` (a name or a sequence of names) as a tuple of distinct names.

    Examples
    --------
    >>> estimand_names("sparse"), estimand_names(["support", "fdp", "support"])
    (('sparse',), ('support', 'fdp'))
    >>> estimand_names("nonesuch")
    Traceback (most recent call last):
    ...
    mc_sparsity._base.errors.ParameterError: estimand must be one of 'sparse', 'signed_support', 'support', \
'superset', 'fdp', 'tpr', 'hamming', got 'nonesuch'
    """
    items = (estimand,) if isinstance(estimand, str) else tuple(estimand) if estimand is not None else ()
    known = ", ".join(map(repr, ESTIMANDS))
    for item in items:
        if not isinstance(item, str) or item not in ESTIMANDS:
            raise ParameterError("estimand", f"estimand must be one of {known}, got {item!r}")
    if not items:
        raise ParameterError("estimand", f"estimand must name at least one of {known}")
    return tuple(dict.fromkeys(items))


@dataclass(frozen=True)
class Estimate:
    """An estimand's Monte Carlo estimate from a tally.

    ``successes`` is the count for a proportion (``None`` for a mean); ``n``
    the replications it is over (the certified ones); ``uncertified`` those
    left out.  ``bounds`` widen the interval to what the uncertified
    replications could change: ``[successes, successes + uncertified] / (n + uncertified)``
    for a proportion.
    """

    successes: int | None
    n: int
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    ci_method: str
    uncertified: int = 0


def estimate(estimand: Estimand, tally: EstimatorTally, confidence_level: float, ci_method: str) -> Estimate:
    """The estimate, its Monte Carlo standard error and interval, from one estimator's tally.

    Proportions: ``successes / n`` with ``sqrt(p (1 - p) / n)`` and the exact
    (Clopper-Pearson) or Wilson interval.  Means: the sample mean with
    ``s / sqrt(n)`` (``s`` the sample standard deviation from the histogram)
    and ``mean +- z s / sqrt(n)`` clipped to the estimand's range
    (``ci_method = "normal"``).

    Examples
    --------
    >>> t = EstimatorTally.from_row([6, 0, 2, 2, 1, 0], p=2, k=1)  # (a, b) cells, signed, uncertified
    >>> e = estimate(ESTIMANDS["support"], t, 0.95, "exact")
    >>> e.successes, e.n, e.estimate
    (0, 10, 0.0)
    >>> estimate(ESTIMANDS["hamming"], t, 0.95, "exact").estimate   # (1*6 + 0*0 + 2*2 + 1*2) / 10
    1.2
    """
    from .._stats.inference import proportion_interval, standard_error

    n = tally.classified
    if n == 0:
        return Estimate(0 if estimand.kind == "proportion" else None, 0, math.nan, math.nan, 0.0,
                        1.0 if estimand.high is not None else math.inf,
                        ci_method if estimand.kind == "proportion" else "normal", tally.uncertified)
    if estimand.kind == "proportion":
        if estimand.value is None:       # the signed support: its own column
            count = tally.signed
        else:
            count = int(tally.hist[estimand.cell_values(tally.p, tally.k).astype(bool)].sum())
        low, high = proportion_interval(count, n, confidence_level, ci_method)
        return Estimate(count, n, count / n, standard_error(count, n), low, high, ci_method, tally.uncertified)
    from scipy.special import ndtri

    values = estimand.cell_values(tally.p, tally.k)
    weights = tally.hist.astype(float)
    mean = float(math.fsum((weights * values).ravel()) / n)
    var = float(math.fsum((weights * (values - mean) ** 2).ravel()) / (n - 1)) if n > 1 else math.nan
    se = math.sqrt(var / n) if n > 1 else math.nan
    half = float(ndtri(0.5 + confidence_level / 2)) * se if n > 1 else math.inf
    high = mean + half if estimand.high is None else min(estimand.high, mean + half)
    return Estimate(None, n, mean, se, max(estimand.low, mean - half), high, "normal", tally.uncertified)
