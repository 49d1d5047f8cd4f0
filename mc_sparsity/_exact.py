"""Exact probabilities that the lasso and ridge solutions are sparse.

Under an orthonormal design ``beta_hat ~ N(beta, sigma^2 I)`` with independent
coordinates.  Every quantity is computed on the log scale from
``scipy.special.log_ndtr`` and sums of positive terms, so that tail
probabilities keep their relative accuracy (``beta/sigma = 40`` does not give
``0.0`` minus rounding noise) and no finite valid input gives NaN.

* Penalized form, any p.  Coordinate j is zero iff ``|beta_hat_j| <= tau``
  (``tau = lam`` for the lasso, ``tau = 0`` for ridge), so
  ``q_j = P(zero_j) = Phi((tau - beta_j)/sigma) - Phi((-tau - beta_j)/sigma)``,
  ``P(sparse) = 1 - prod_j (1 - q_j)`` (computed as ``sum_j q_j prod_{i<j} (1 - q_i)``) and ``K ~ PoissonBinomial(q)``.
* Constrained form, p = 2.  The L1 projection has a zero iff
  ``| |x1| - |x2| | >= t``.  Rotating by 45 degrees, ``u = (x1+x2)/sqrt 2`` and
  ``v = (x1-x2)/sqrt 2`` are independent normals and
  ``| |x1| - |x2| | = min(|u|, |v|)``, so with ``c = t/sqrt 2``,
  ``P(sparse) = P(|u| >= c) P(|v| >= c)``.
* Ridge, either form: zero only on the axes, a null set: probability 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special, stats

from ._validation import Interval, check_beta, check_scalar

__all__ = [
    "ExactProbability",
    "exact_sparse_probability",
    "log_zero_probability",
    "log_nonzero_probability",
]

_SQRT2 = np.sqrt(2.0)


def _log1mexp(x):
    """``log(1 - exp(x))`` for ``x <= 0`` without cancellation (Maechler 2012)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore"):
        return np.where(x > -np.log(2.0), np.log(-np.expm1(x)), np.log1p(-np.exp(x)))


def _log_two_sided_tail(mean, c, scale):
    """``log P(|W| >= c)`` for ``W ~ N(mean, scale^2)``, ``c >= 0``: a sum of two tails.

    Differences are taken before dividing by ``scale`` so that huge ratios give
    ``+-inf`` (and a correct 0 or 1), never ``inf - inf``.
    """
    with np.errstate(over="ignore", divide="ignore"):  # overflow to +-inf is meant
        return np.logaddexp(special.log_ndtr((mean - c) / scale), special.log_ndtr((-mean - c) / scale))


def log_zero_probability(beta, sigma, threshold):
    """``log P(|beta_hat_j| <= threshold)`` for each coordinate, ``beta_hat_j ~ N(beta_j, sigma^2)``.

    Returns ``-inf`` where the probability is exactly 0 (``threshold = 0``).

    Examples
    --------
    >>> float(np.exp(log_zero_probability([0.0], 1.0, 1.96)[0]))
    0.9500...
    """
    b = np.abs(np.asarray(beta, dtype=float))  # symmetric in the sign of beta
    with np.errstate(over="ignore", divide="ignore"):  # overflow to +-inf is meant
        upper = (threshold - b) / sigma  # standardized ends of the interval [-tau, tau]
        lower = (-threshold - b) / sigma  # lower <= 0 always
    with np.errstate(divide="ignore", invalid="ignore"):
        # Both ends in the lower tail: Phi(upper) - Phi(lower) on the log scale.
        log_up = special.log_ndtr(upper)
        tail = log_up + _log1mexp(special.log_ndtr(lower) - log_up)
        # Interval straddles 0: a sum of two positive erf terms, no cancellation.
        straddle = np.log(0.5 * (special.erf(upper / _SQRT2) + special.erf(-lower / _SQRT2)))
    out = np.where(upper <= 0.0, tail, straddle)
    # An empty interval, or one so far out that even the log underflows (|beta|/sigma
    # beyond ~1e154), has log-probability -inf.
    return np.where((threshold == 0.0) | (log_up == -np.inf), -np.inf, out)


def log_nonzero_probability(beta, sigma, threshold):
    """``log P(|beta_hat_j| > threshold)`` per coordinate: a sum of two normal tails."""
    return _log_two_sided_tail(np.asarray(beta, dtype=float), threshold, sigma)


@dataclass(frozen=True)
class ExactProbability:
    """The exact law of sparsity for one estimator and scenario.

    Attributes
    ----------
    probability : float
        ``P(at least one coordinate is exactly zero)``.
    log_probability : float
        Its natural logarithm, finite even where ``probability`` underflows to 0.
        ``-inf`` only where the probability is exactly 0 (ridge).
    zeros_pmf : numpy.ndarray or None
        ``P(K = k)`` for ``k = 0..p``, ``K`` the number of zero coordinates;
        ``None`` where no closed form is known (constrained lasso, p > 2).
    """

    probability: float
    log_probability: float
    zeros_pmf: np.ndarray | None


def _validate(beta, sigma, lam, radius, estimator):
    beta = check_beta(beta)
    sigma = check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
    if (lam is None) == (radius is None):
        raise ValueError("give exactly one of lam (penalized form) or radius (constrained form)")
    if lam is not None:
        lam = check_scalar(lam, "lam", Interval(0, None, closed="left"))
    if radius is not None:
        radius = check_scalar(radius, "radius", Interval(0, None, closed="neither"))
    if estimator not in ("lasso", "ridge"):
        raise ValueError(f"estimator must be 'lasso' or 'ridge', got {estimator!r}")
    return beta, sigma, lam, radius


def exact_sparse_probability(beta, sigma=1.0, *, lam=None, radius=None, estimator="lasso"):
    """Exact ``P(solution sparse)`` under ``beta_hat ~ N(beta, sigma^2 I)``.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients.
    sigma : float, default 1.0
        Noise level: ``beta_hat`` has covariance ``sigma^2 I``.
    lam : float, optional
        Penalty level of the penalized form (see ``soft_threshold``).
    radius : float, optional
        Radius ``t`` of the constrained form.  Give exactly one of ``lam``, ``radius``.
    estimator : {"lasso", "ridge"}

    Returns
    -------
    ExactProbability or None
        ``None`` for the constrained lasso with p > 2, which has no product form.

    Examples
    --------
    >>> res = exact_sparse_probability([1.0, 0.3], lam=0.5)
    >>> round(res.probability, 6)
    0.624919
    >>> exact_sparse_probability([1.0, 0.3], lam=0.5, estimator="ridge").probability
    0.0
    >>> exact_sparse_probability([40.0, 40.0], lam=1.0).log_probability  # underflows as a float
    -1446.0...
    """
    beta, sigma, lam, radius = _validate(beta, sigma, lam, radius, estimator)
    p = beta.size
    if estimator == "ridge":
        pmf = np.zeros(p + 1)
        pmf[0] = 1.0
        return ExactProbability(0.0, -np.inf, pmf)
    if lam is not None:
        log_q = log_zero_probability(beta, sigma, lam)
        log_r = log_nonzero_probability(beta, sigma, lam)
        # P(sparse) = sum_j P(the first zero coordinate is j) = sum_j q_j prod_{i<j} r_i:
        # a sum of positive terms, accurate where 1 - prod_j r_j would cancel.
        with np.errstate(over="ignore"):  # a sum of huge negative logs may reach -inf
            log_first_zero = log_q + np.concatenate(([0.0], np.cumsum(log_r)[:-1]))
        log_p = float(special.logsumexp(log_first_zero))
        pmf = stats.poisson_binom(np.exp(log_q)).pmf(np.arange(p + 1))
        return ExactProbability(float(np.exp(log_p)), log_p, np.asarray(pmf, dtype=float))
    if p != 2:
        return None
    # u = (x1 + x2)/sqrt 2 and v = (x1 - x2)/sqrt 2 are independent N(., sigma^2).
    b1, b2 = beta / _SQRT2  # divide first: b1 + b2 cannot overflow
    c = radius / _SQRT2
    with np.errstate(over="ignore"):
        log_p = float(_log_two_sided_tail(b1 + b2, c, sigma) + _log_two_sided_tail(b1 - b2, c, sigma))
    prob = float(np.exp(log_p))
    # The projection on an L1 ball of positive radius keeps a nonzero coordinate.
    return ExactProbability(prob, log_p, np.array([0.0 - np.expm1(log_p), prob, 0.0]))
