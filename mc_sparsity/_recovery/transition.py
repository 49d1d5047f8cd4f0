"""Where a success probability crosses 1/2 along theta, with a confidence interval, from binomial counts.

Two estimates, both from the counts ``S_i`` of ``N_i`` trials at ``theta_i``:

* **logistic fit, profile-likelihood interval** (the reported point and
  interval): ``P(theta) = expit(a + b log theta)`` fitted by maximum
  likelihood (Newton's method); the crossing is ``theta_half = exp(-a / b)``.
  Its interval inverts the likelihood-ratio test of ``P(t) = 1/2``: the
  model constrained to cross at ``t`` is ``expit(b (log theta - log t))``,
  and ``t`` is in the interval when ``2 (l_max - l_t) <= phi chi2_1(level)``,
  ``phi = max(1, D / (m - 2))`` with ``D`` the fit's deviance over ``m``
  points (quasi-likelihood scaling, McCullagh and Nelder 1989, sec. 9.3): a
  curve that is not exactly logistic in ``log theta`` (a lack of fit the
  deviance measures) widens the interval instead of leaving it too short;
* **bracket** (model-free, needs only that ``P`` increases with ``theta``):
  with Clopper-Pearson intervals at level ``1 - alpha/m`` for the ``m``
  points (Bonferroni), ``theta_half`` lies above every ``theta_i`` whose
  interval is below 1/2 and below every ``theta_i`` whose interval is above
  1/2, with probability at least ``1 - alpha``.  ``None`` marks a side that
  the data leave open (no point significantly below, or above, 1/2).

The logistic interval is exact only for a logistic curve: for a curve of
another shape the fitted crossing is biased and the interval, even widened,
can cover less than its level (tested on a probit curve).  The bracket is
valid for every increasing curve, at the grid's resolution; the report's
verdict uses it.

When the logistic fit does not exist (the counts are separated: every point
below the crossing at 0 and above at 1, or a fitted slope that is not
positive, or a crossing farther than the grid's width beyond the grid), the
point is the bracket's geometric midpoint and the interval the bracket
(``method = "bracket"``).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from .._stats.inference import CONFIDENCE_LEVEL, proportion_interval

__all__ = ["Crossing", "crossing", "logistic_fit"]

#: A fitted slope beyond this (per unit of log theta) is taken as separation: no finite MLE.
MAX_SLOPE = 1e3


@dataclass(frozen=True)
class Crossing:
    """The crossing of 1/2: point, interval, how they were obtained, the bracket and the fitted slope."""

    theta_half: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    bracket_low: float | None
    bracket_high: float | None
    slope: float | None
    deviance: float | None = None
    dispersion: float | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _loglik(a, b, x, s, n):
    eta = a + b * x
    # log expit(eta) and log(1 - expit(eta)) without overflow
    log_p = -np.logaddexp(0.0, -eta)
    log_q = -np.logaddexp(0.0, eta)
    return float(np.sum(s * log_p + (n - s) * log_q))


def logistic_fit(x, s, n, offset=None):
    """Maximum-likelihood ``(a, b)`` of ``expit(a + b x)``; with ``offset`` = t, the one-parameter
    model ``expit(b (x - t))`` (``a = -b t``).  Returns ``None`` if the likelihood has no finite
    maximum (separation) or Newton's method does not converge.

    Examples
    --------
    >>> x = np.log([0.5, 1.0, 2.0]); n = np.array([100, 100, 100])
    >>> a, b = logistic_fit(x, np.array([20, 50, 80]), n)
    >>> round(abs(a), 12), round(b, 4)  # symmetric counts: a = 0; b = logit(0.8) / log 2
    (0.0, 2.0)
    """
    x = np.asarray(x, float)
    s = np.asarray(s, float)
    n = np.asarray(n, float)
    if offset is None:
        design = np.column_stack([np.ones_like(x), x])
    else:
        design = (x - offset)[:, None]
    coef = np.zeros(design.shape[1])
    for _ in range(100):
        eta = design @ coef
        prob = 1.0 / (1.0 + np.exp(-eta))
        weight = n * prob * (1.0 - prob)
        grad = design.T @ (s - n * prob)
        hess = design.T @ (design * weight[:, None])
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            return None
        coef = coef + step
        if np.any(~np.isfinite(coef)) or abs(coef[-1]) > MAX_SLOPE:
            return None
        if np.max(np.abs(step)) < 1e-12 * (1.0 + np.max(np.abs(coef))):
            break
    else:
        return None
    if offset is None:
        return float(coef[0]), float(coef[1])
    return float(-coef[0] * offset), float(coef[0])


def _bracket(thetas, s, n, confidence_level):
    m = len(thetas)
    level = 1.0 - (1.0 - confidence_level) / m
    low = high = None
    for theta, si, ni in zip(thetas, s, n):
        lo, hi = proportion_interval(int(si), int(ni), level)
        if hi < 0.5:
            low = float(theta) if low is None else max(low, float(theta))
        if lo > 0.5:
            high = float(theta) if high is None else min(high, float(theta))
    return low, high


def crossing(thetas, successes, trials, confidence_level=CONFIDENCE_LEVEL) -> Crossing:
    """Where ``P(success)`` crosses 1/2 along ``thetas``, from counts ``successes`` of ``trials``.

    Examples
    --------
    >>> c = crossing([0.5, 1.0, 2.0], [20, 50, 80], [100, 100, 100])
    >>> round(c.theta_half, 6), c.method, c.ci_low < 1 < c.ci_high, c.bracket_low, c.bracket_high
    (1.0, 'logistic-profile', True, 0.5, 2.0)
    """
    from scipy.optimize import brentq
    from scipy.special import chdtri

    thetas = np.asarray(thetas, float)
    s = np.asarray(successes, float)
    n = np.asarray(trials, float)
    order = np.argsort(thetas)
    thetas, s, n = thetas[order], s[order], n[order]
    bracket_low, bracket_high = _bracket(thetas, s, n, confidence_level)
    fit = logistic_fit(np.log(thetas), s, n) if len(thetas) >= 2 else None
    span = max(float(np.log(thetas[-1]) - np.log(thetas[0])), 1e-3)
    if fit is not None and fit[1] > 0 and not (
            np.log(thetas[0]) - span <= -fit[0] / fit[1] <= np.log(thetas[-1]) + span):
        fit = None  # the fitted crossing lies far outside the grid: the data do not locate it
    if fit is None or not fit[1] > 0:
        if bracket_low is not None and bracket_high is not None:
            point = math.sqrt(bracket_low * bracket_high)
        else:
            point = None
        return Crossing(point, bracket_low, bracket_high, "bracket", bracket_low, bracket_high, None)
    a, b = fit
    x = np.log(thetas)
    x_half = -a / b
    l_max = _loglik(a, b, x, s, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        saturated = float(np.sum(np.where(s > 0, s * np.log(s / n), 0.0)
                                 + np.where(n > s, (n - s) * np.log1p(-s / n), 0.0)))
    deviance = max(0.0, 2.0 * (saturated - l_max))
    dispersion = max(1.0, deviance / (len(x) - 2)) if len(x) > 2 else 1.0
    cutoff = dispersion * float(chdtri(1, 1.0 - confidence_level))

    def excess(t):  # LR statistic minus the cutoff at log t = x_t
        constrained = logistic_fit(x, s, n, offset=t)
        if constrained is None:
            l_t = _flat_or_best(x, s, n, t)
        elif constrained[1] < 0:  # increasing curves only: the concave profile's maximum over b >= 0 is b = 0
            l_t = _loglik(0.0, 0.0, x, s, n)
        else:
            l_t = _loglik(*constrained, x, s, n)
        return 2.0 * (l_max - l_t) - cutoff

    ends = []
    for direction in (-1.0, 1.0):
        end = None
        step = 0.05 * span
        inner = x_half
        for _ in range(60):
            outer = inner + direction * step
            if excess(outer) > 0:
                end = brentq(excess, min(inner, outer), max(inner, outer), xtol=1e-10)
                break
            inner = outer
            step *= 1.5
            if abs(outer - x_half) > 4 * span:
                break
        ends.append(None if end is None else math.exp(end))
    return Crossing(math.exp(x_half), ends[0], ends[1], "logistic-profile", bracket_low, bracket_high, b, deviance,
                    dispersion)


def _flat_or_best(x, s, n, t):
    """The constrained log-likelihood when Newton failed: the better of slope 0 and a slope scan."""
    best = _loglik(0.0, 0.0, x, s, n)
    for slope in np.geomspace(1e-3, MAX_SLOPE, 200):
        best = max(best, _loglik(-slope * t, slope, x, s, n))
    return best
