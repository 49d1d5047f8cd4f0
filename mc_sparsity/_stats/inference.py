"""The inferential layer: standard errors, intervals, z-scores and tests of a count.

A Monte Carlo estimate of a probability is a binomial count ``S`` of ``N``
replications.  Everything reported around it is computed here, from the
count alone, with one convention:

* standard error ``sqrt(p_hat (1 - p_hat) / N)``, ``p_hat = S / N``;
* interval: Clopper-Pearson (``method="exact"``, the default), two-sided at
  every count, including 0 and ``N`` successes, where it is ``[0, 1 -
  (alpha/2)^(1/N)]`` and ``[(alpha/2)^(1/N), 1]``: its coverage is at least the
  nominal level for every ``p`` and ``N``.  Wilson's score interval
  (``method="wilson"``) is shorter but its coverage dips below the nominal
  level (to about 0.84 near ``N p = 0.18``);
* z-score against a known probability ``p0``: ``(p_hat - p0) / sqrt(p0 (1 - p0) / N)``,
  the standard error under the reference, not under the estimate;
* exact two-sided binomial test (``scipy.stats.binomtest``).

scipy is imported when a function needs it, not with the package.
"""

from __future__ import annotations

import math

from .._base.errors import ParameterError
from .._base.validation import Interval, check_count, check_option, check_scalar

__all__ = ["CI_METHODS", "DEFAULT_CI_METHOD", "CONFIDENCE_LEVEL", "proportion_interval", "standard_error",
           "z_score", "binomial_pvalue", "check_confidence_level"]

CI_METHODS = ("exact", "wilson")
DEFAULT_CI_METHOD = "exact"
CONFIDENCE_LEVEL = 0.95


def check_confidence_level(confidence_level) -> float:
    """``confidence_level`` in (0, 1), or :class:`ParameterError`."""
    return check_scalar(confidence_level, "confidence_level", Interval(0, 1, closed="neither"))


def _check_count_pair(successes, trials):
    trials = check_count(trials, "trials")
    successes = check_count(successes, "successes", minimum=0)
    if successes > trials:
        raise ParameterError("successes", f"successes must be <= trials = {trials}, got {successes}")
    return successes, trials


def proportion_interval(successes, trials, confidence_level=CONFIDENCE_LEVEL, method=DEFAULT_CI_METHOD):
    """A two-sided confidence interval for a binomial proportion (``scipy.stats.binomtest``).

    Parameters
    ----------
    successes, trials : int
        The count and the number of replications.
    confidence_level : float, default 0.95
    method : {"exact", "wilson"}, default "exact"
        Clopper-Pearson (coverage at least ``confidence_level`` for every
        ``p``) or Wilson's score interval.

    Returns
    -------
    (float, float)
        The lower and upper bounds.

    Examples
    --------
    >>> low, high = proportion_interval(0, 1000)
    >>> low, round(high, 6), round(1 - 0.025 ** (1 / 1000), 6)
    (0.0, 0.003682, 0.003682)
    >>> [round(v, 4) for v in proportion_interval(50, 100, method="wilson")]
    [0.4038, 0.5962]
    """
    successes, trials = _check_count_pair(successes, trials)
    confidence_level = check_confidence_level(confidence_level)
    method = check_option(method, "ci_method", CI_METHODS)
    alpha = 1.0 - confidence_level
    if method == "wilson":
        from scipy.special import ndtri

        z = float(ndtri(1.0 - alpha / 2))
        p = successes / trials
        centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
        half = z / (1 + z * z / trials) * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials))
        return max(0.0, centre - half), min(1.0, centre + half)
    # Clopper-Pearson from the beta quantiles (what scipy.stats.binomtest's "exact" method computes;
    # scipy.special is imported instead of scipy.stats, which costs 0.4 s of start-up).
    from scipy.special import betaincinv

    low = 0.0 if successes == 0 else float(betaincinv(successes, trials - successes + 1, alpha / 2))
    high = 1.0 if successes == trials else float(betaincinv(successes + 1, trials - successes, 1 - alpha / 2))
    return low, high


def standard_error(successes, trials) -> float:
    """The estimate's standard error ``sqrt(p_hat (1 - p_hat) / N)``.

    Examples
    --------
    >>> standard_error(25, 100)  # sqrt(0.25 * 0.75 / 100)
    0.04330127018922193
    """
    successes, trials = _check_count_pair(successes, trials)
    p = successes / trials
    return math.sqrt(p * (1.0 - p) / trials)


def z_score(successes, trials, p0):
    """``(p_hat - p0) / sqrt(p0 (1 - p0) / N)``; ``None`` when ``p0`` is unknown.

    At ``p0`` = 0 or 1 the reference has no spread: 0 if the estimate equals
    it, else an infinity of the sign of the difference.

    Examples
    --------
    >>> round(z_score(60, 100, 0.5), 12)  # (0.6 - 0.5) / 0.05
    2.0
    >>> z_score(0, 100, 0.0), z_score(1, 100, 0.0)
    (0.0, inf)
    """
    if p0 is None:
        return None
    successes, trials = _check_count_pair(successes, trials)
    estimate = successes / trials
    se = math.sqrt(p0 * (1.0 - p0) / trials)
    if se == 0.0:
        return 0.0 if estimate == p0 else math.copysign(math.inf, estimate - p0)
    return (estimate - p0) / se


def binomial_pvalue(successes, trials, p0):
    """Two-sided exact binomial test of the count against ``p0``; ``None`` when ``p0`` is unknown.

    Examples
    --------
    >>> round(binomial_pvalue(60, 100, 0.5), 4)
    0.0569
    """
    if p0 is None:
        return None
    successes, trials = _check_count_pair(successes, trials)
    from scipy.stats import binomtest

    return float(binomtest(successes, trials, p0).pvalue)
