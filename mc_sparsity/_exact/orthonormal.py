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
from scipy import special

from .._base.errors import ParameterError
from .._base.validation import check_option, check_scenario

__all__ = [
    "ExactProbability",
    "exact_sparse_probability",
    "log_zero_probability",
    "log_nonzero_probability",
    "exact_not_sparse_probability",
]

_SQRT2 = np.sqrt(2.0)
#: The law of K (the number of zeros) is computed up to this p; P(sparse) for any p.
MAX_PMF_P = 1000


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


_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(20)


def _log_interval_by_quadrature(centre, half):
    """``log(Phi(centre + half) - Phi(centre - half))`` by 20-point Gauss-Legendre.

    Accurate to rounding where the density varies slowly over the interval (the
    narrow intervals where a difference of ``log_ndtr`` would cancel).  The
    half-width is passed as such: recomputing it from the two ends would cancel.
    """
    centre, half = np.broadcast_arrays(np.asarray(centre, dtype=float), np.asarray(half, dtype=float))
    x = centre[..., None] + half[..., None] * _GL_NODES
    with np.errstate(divide="ignore", over="ignore"):  # x*x may overflow to inf: density 0
        log_terms = np.log(_GL_WEIGHTS) - 0.5 * x * x - 0.5 * np.log(2.0 * np.pi)
        return np.log(half) + special.logsumexp(log_terms, axis=-1)


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
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        # Both ends in the lower tail: Phi(upper) - Phi(lower) on the log scale.
        log_up = special.log_ndtr(upper)
        log_ratio = special.log_ndtr(lower) - log_up
        tail = log_up + _log1mexp(log_ratio)
        # A narrow interval makes log_ratio a difference of nearly equal logs: integrate
        # the density instead, where it varies by less than a factor of about e.
        narrow = (upper <= 0.0) & (log_ratio > -0.5)
        if np.any(narrow):
            tail = np.where(narrow, _log_interval_by_quadrature(-b / sigma, threshold / sigma), tail)
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
        ``None`` where no closed form is known.
    error : float
        A bound on the absolute error of ``probability``: 0 for a closed form
        evaluated in floating point, positive for a value computed by
        quadrature or quasi-Monte Carlo.
    """

    probability: float
    log_probability: float
    zeros_pmf: np.ndarray | None
    error: float = 0.0


def exact_not_sparse_probability(beta, sigma=1.0, *, lam=None, radius=None):
    """Exact ``P(lasso solution not sparse)``, accurate where it is tiny (P(sparse) near 1).

    ``1 - P(sparse)`` would cancel; instead: penalized, ``prod_j P(|beta_hat_j| > lam)``
    on the log scale; constrained (p = 2), ``P(|u| < c) + P(|u| >= c) P(|v| < c)``,
    a sum of positive terms.

    Parameters
    ----------
    beta : array_like of shape (p,)
    sigma : float, default 1.0
    lam, radius : float
        Exactly one; the constrained form needs p = 2.

    Returns
    -------
    ExactProbability
        With ``zeros_pmf`` None.

    Examples
    --------
    >>> res = exact_not_sparse_probability([0.0, 0.0], lam=5.0)  # (2 Phi(-5))^2
    >>> f"{res.probability:.6e}"
    '3.286765e-13'
    """
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    if lam is not None:
        log_q = float(np.sum(log_nonzero_probability(beta, sigma, lam)))
    else:
        if beta.size != 2:
            raise ParameterError("beta", f"the constrained complement is computed at p = 2, got p = {beta.size}")
        b1, b2 = beta / _SQRT2
        c = radius / _SQRT2
        with np.errstate(over="ignore"):
            u_in = float(log_zero_probability([b1 + b2], sigma, c)[0])
            u_out = float(_log_two_sided_tail(b1 + b2, c, sigma))
            v_in = float(log_zero_probability([b1 - b2], sigma, c)[0])
        log_q = float(np.logaddexp(u_in, u_out + v_in))
    log_q = min(log_q, 0.0)
    return ExactProbability(float(np.exp(log_q)), log_q, None)


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
    >>> round(res.probability, 6)  # 1 - (1 - 0.24173)(1 - 0.36741)
    0.520322
    >>> exact_sparse_probability([1.0, 0.3], lam=0.5, estimator="ridge").probability
    0.0
    >>> res = exact_sparse_probability([40.0, 40.0], lam=1.0)  # about 2 Phi(-39)
    >>> res.probability, round(res.log_probability, 2)  # underflows as a float, not on the log scale
    (0.0, -764.39)
    """
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    check_option(estimator, "estimator", ("lasso", "ridge"))
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
        log_p = min(float(special.logsumexp(log_first_zero)), 0.0)  # no 1 + rounding
        # The law of K costs O(p^2) time and memory: computed up to MAX_PMF_P coordinates only.
        pmf = None if p > MAX_PMF_P else np.asarray(_poisson_binom(np.exp(log_q)).pmf(np.arange(p + 1)), dtype=float)
        return ExactProbability(float(np.exp(log_p)), log_p, pmf)
    if p == 1:  # the projection on [-t, t] is never 0 unless beta_hat is
        return ExactProbability(0.0, -np.inf, np.array([1.0, 0.0]))
    if p != 2:
        return None
    # u = (x1 + x2)/sqrt 2 and v = (x1 - x2)/sqrt 2 are independent N(., sigma^2).
    b1, b2 = beta / _SQRT2  # divide first: b1 + b2 cannot overflow
    c = radius / _SQRT2
    with np.errstate(over="ignore"):
        log_p = float(_log_two_sided_tail(b1 + b2, c, sigma) + _log_two_sided_tail(b1 - b2, c, sigma))
    log_p = min(log_p, 0.0)  # no 1 + rounding
    prob = float(np.exp(log_p))
    # The projection on an L1 ball of positive radius keeps a nonzero coordinate.
    return ExactProbability(prob, log_p, np.array([0.0 - np.expm1(log_p), prob, 0.0]))


def _poisson_binom(q):
    """The law of K = sum of independent Bernoulli(q_j): an object with ``pmf(k)``.

    Direct convolution, one coordinate at a time (O(p^2)); every step adds
    products of probabilities, so nothing cancels.  Written here rather than
    imported from ``scipy.stats.poisson_binom`` because importing scipy.stats
    costs 0.4 s of every command's start-up; the test suite checks the two agree.
    """
    q = np.asarray(q, dtype=float)
    pmf = np.zeros(q.size + 1)
    pmf[0] = 1.0
    for j, qj in enumerate(q):
        pmf[1:j + 2] = pmf[1:j + 2] * (1.0 - qj) + pmf[:j + 1] * qj
        pmf[0] *= 1.0 - qj
    return _PMF(pmf)


class _PMF:
    def __init__(self, values):
        self.values = values

    def pmf(self, k):
        return self.values[np.asarray(k)]
