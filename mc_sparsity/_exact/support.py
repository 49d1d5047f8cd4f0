r"""Exact probabilities of support recovery: are the zeros the right ones?

Estimands of one scenario (``beta``, ``sigma``, Gram ``G``, the L1 level ``lam``, an L2
level ``lam2``), with ``S = supp(beta)``, ``k = |S|`` and ``b`` the estimate:

* ``signed_support``: ``P(sign(b) = sign(beta))`` (Zhao and Yu 2006; Wainwright 2009);
* ``support``: ``P(supp(b) = S)``; ``superset``: ``P(supp(b) contains S)``;
* the means ``E[FDP]``, ``E[TPR]``, ``E[Hamming]`` with ``FP = |supp(b) \ S|``,
  ``TP = |supp(b) & S|``, ``FDP = FP / max(1, FP + TP)``, ``TPR = TP / k`` and, for
  ``k = 0``, ``TPR = 1`` (nothing to find, nothing missed: the recall of an empty set
  is vacuously perfect, as ``FN = 0``), ``Hamming = FP + FN``.

*Orthonormal design, every separable threshold rule* (``b_j = 0`` iff
``|beta_hat_j| <= tau``, the sign of ``beta_hat_j`` kept otherwise; ``beta_hat ~
N(beta, sigma^2 I)``).  The coordinates are independent, so (``Phi`` the normal CDF)

* ``signed_support = prod_{j in S} Phi((|beta_j| - tau)/sigma) * (2 Phi(tau/sigma) - 1)^(p - k)``,
* ``support`` replaces ``Phi((|beta_j| - tau)/sigma)`` by ``P(|beta_hat_j| > tau)``,
* ``superset = prod_{j in S} P(|beta_hat_j| > tau)``,

all sums of logarithms from ``log_ndtr`` (no cancellation; correct at ``|beta|/sigma = 40``).
``FP ~ Binomial(p - k, r_0)`` and ``TP ~ PoissonBinomial(r_S)`` are independent
(``r_j = P(|beta_hat_j| > tau)``); ``E[FDP]`` sums ``f / max(1, f + t)`` over their
product law; ``E[TPR] = mean(r_S)``; ``E[Hamming] = (p - k) r_0 + sum_S (1 - r_j)``.

*Ridge* (``(G + lam I)^{-1} z``, either form) has full support almost surely:
``support = 1`` iff ``k = p``, ``superset = 1``, ``signed_support`` is the orthant
probability ``P(D_s (G + lam I)^{-1} z > 0)`` when ``k = p`` (a product of ``Phi(|beta_j|/sigma)``
at ``G = I``) and 0 otherwise; ``FP = p - k``, ``TP = k``.

*Correlated lasso and elastic net*: :mod:`mc_sparsity._exact.support_correlated`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

from .._base.errors import ParameterError
from .._base.validation import Interval, check_beta, check_option, check_rng, check_scalar
from .._designs.design import Design
from .orthonormal import _poisson_binom, log_nonzero_probability, log_zero_probability
from .rectangle import rectangle_replicates
from .support_correlated import all_cells, check_cells_size, support_cells_estimate

__all__ = ["SupportProbability", "support_probability", "support_mean", "ESTIMANDS", "MEANS"]

ESTIMANDS = ("signed_support", "support", "superset")
MEANS = ("fdp", "tpr", "hamming")
_ESTIMATORS = ("lasso", "elastic_net", "ridge")
#: Default bound on the QMC error of correlated values (a 1e7-draw run's SE is >= 5e-5 / 4 away from 0/1).
TARGET_ERROR = 1e-5


@dataclass(frozen=True)
class SupportProbability:
    """An exact support-recovery probability.

    Attributes
    ----------
    probability : float
    log_probability : float
        Finite where ``probability`` underflows (closed forms); ``-inf`` only for an exact 0.
    error : float
        Bound on the absolute error of ``probability``: 0 for a closed form, positive for QMC.
    estimand : str
    """

    probability: float
    log_probability: float
    error: float
    estimand: str


def _check(beta, sigma, threshold, gram, lam, lam2, estimator, estimand, options):
    beta = check_beta(beta)
    sigma = check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
    check_option(estimator, "estimator", _ESTIMATORS)
    check_option(estimand, "estimand", options)
    lam2 = check_scalar(lam2, "lam2", Interval(0, None, closed="left"))
    if lam2 and estimator != "elastic_net":
        raise ParameterError("lam2", f"lam2 is the elastic net's L2 level; got {lam2!r} with estimator {estimator!r}")
    if threshold is not None:
        threshold = check_scalar(threshold, "threshold", Interval(0, None, closed="left"))
    if lam is not None:
        lam = check_scalar(lam, "lam", Interval(0, None, closed="left"))
    if threshold is None and lam is None:
        raise ParameterError("lam", "give lam (or, for an orthonormal separable rule, threshold)")
    if isinstance(gram, Design):
        gram = np.array(gram.gram)
    if gram is not None:
        gram = np.asarray(gram, dtype=float)
        if gram.shape != (beta.size, beta.size) or not np.all(np.isfinite(gram)):
            raise ParameterError("gram", f"gram must be a finite {beta.size} x {beta.size} matrix, got shape "
                                 f"{gram.shape}")
        if not np.allclose(gram, gram.T, rtol=0, atol=1e-12 * np.abs(gram).max()):
            raise ParameterError("gram", "gram must be symmetric")
        if np.linalg.eigvalsh(gram)[0] <= 0:
            raise ParameterError("gram", "gram must be positive definite (X of full column rank)")
        if np.array_equal(gram, np.eye(beta.size)):
            gram = None
    if gram is not None and threshold is not None:
        raise ParameterError("threshold", "threshold is for separable rules under an orthonormal design; "
                             "give lam (and lam2) with a correlated gram")
    if estimator != "ridge" and threshold is None:
        threshold = lam if gram is None else None  # the lasso and elastic net's zero rule at G = I
    with np.errstate(over="ignore"):
        m = beta / sigma
    if not np.all(np.isfinite(m)):
        raise ParameterError("sigma", "beta/sigma must be finite as floats")
    return beta, sigma, threshold, gram, lam, lam2


# ----------------------------------------------------------- orthonormal


def _orthonormal_logs(beta, sigma, tau):
    """Per coordinate: log P(sign kept and nonzero), log P(nonzero), log P(zero)."""
    a = np.abs(beta)
    with np.errstate(over="ignore", divide="ignore"):
        log_signed = special.log_ndtr((a - tau) / sigma)
    return log_signed, log_nonzero_probability(beta, sigma, tau), log_zero_probability(beta, sigma, tau)


def _orthonormal_probability(beta, sigma, tau, estimand):
    on = beta != 0
    log_signed, log_nonzero, log_zero = _orthonormal_logs(beta, sigma, tau)
    first = {"signed_support": log_signed, "support": log_nonzero, "superset": log_nonzero}[estimand]
    with np.errstate(invalid="ignore"):
        log_p = float(np.sum(first[on]))
        if estimand != "superset":
            log_p += float(np.sum(log_zero[~on]))
    log_p = min(log_p, 0.0)
    return SupportProbability(float(math.exp(log_p)), log_p, 0.0, estimand)


def _mean_of_laws(fp_pmf, tp_pmf, k, estimand):
    f = np.arange(fp_pmf.size)[:, None]
    t = np.arange(tp_pmf.size)[None, :]
    if estimand == "fdp":
        value = f / np.maximum(1, f + t)
    elif estimand == "tpr":
        value = t / k if k else np.ones_like(f + t, dtype=float)
    else:
        value = f + (k - t)
    return float(np.sum(fp_pmf[:, None] * tp_pmf[None, :] * value))


def _orthonormal_mean(beta, sigma, tau, estimand):
    on = beta != 0
    k = int(on.sum())
    r = np.exp(log_nonzero_probability(beta, sigma, tau))
    if estimand == "hamming":  # sum of positive terms; 1 - r_j from the zero probability itself
        q = np.exp(log_zero_probability(beta, sigma, tau))
        return float(np.sum(r[~on]) + np.sum(q[on])), 0.0
    if estimand == "tpr":
        return (float(np.mean(r[on])) if k else 1.0), 0.0
    fp = _poisson_binom(r[~on]).values
    tp = _poisson_binom(r[on]).values
    return _mean_of_laws(fp, tp, k, estimand), 0.0


# ------------------------------------------------------------------- ridge


def _ridge_signed(beta, sigma, gram, lam, seed):
    """``P(sign((G + lam I)^{-1} z) = sign(beta))`` for ``beta`` with no zero; ``(log p, error)``."""
    s = np.sign(beta)
    if gram is None:
        return float(np.sum(special.log_ndtr(np.abs(beta) / sigma))), 0.0
    p = beta.size
    a_inv = np.linalg.inv(gram + lam * np.eye(p))
    mean = s * (a_inv @ gram @ beta) / sigma
    cov = a_inv @ gram @ a_inv
    cov = s[:, None] * 0.5 * (cov + cov.T) * s[None, :]
    n_log2 = 10
    while True:
        est, _ = rectangle_replicates(mean[None], cov[None], np.zeros((1, p)), np.full((1, p), np.inf), seed,
                                      n_log2=n_log2)
        value = float(est.mean())
        error = 4.0 * float(est.std(ddof=1)) / math.sqrt(est.size) + 64 * np.finfo(float).eps  # 4 SE
        if error <= TARGET_ERROR or n_log2 >= 16:
            return (math.log(value) if value > 0 else -np.inf), error
        n_log2 += 2


# ------------------------------------------------------------------ public


def support_probability(beta, sigma, *, threshold=None, gram=None, lam=None, lam2=0.0, estimator="lasso",
                        estimand="signed_support", rng=None):
    """Exact probability that the estimate recovers the (signed) support of ``beta``.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients; ``S = supp(beta)``.
    sigma : float
        Noise level, ``beta_hat ~ N(beta, sigma^2 G^{-1})``.
    threshold : float, optional
        Orthonormal separable rules: ``b_j = 0`` iff ``|beta_hat_j| <= threshold``, the sign kept
        otherwise (lasso ``lam``, hard ``sqrt(2 lam)``, SCAD/MCP ``lam``, adaptive lasso
        ``lam^(1/(1+gamma))``, ...).  Defaults to ``lam`` for the lasso and elastic net at ``G = I``.
    gram : ndarray or Design, optional
        ``G = X^T X``; ``None`` (or the identity) for an orthonormal design.
    lam : float, optional
        L1 level of ``1/2 ||y - X b||^2 + lam ||b||_1 + lam2/2 ||b||^2``; ridge's level for ``"ridge"``.
    lam2 : float, default 0.0
        L2 level of the elastic net (``estimator="elastic_net"``); the solve uses ``G + lam2 I``.
    estimator : {"lasso", "elastic_net", "ridge"}
    estimand : {"signed_support", "support", "superset"}
    rng : int, SeedSequence or Generator, optional
        Seed of the randomized QMC under a correlated design (default 0): same seed, same value.

    Returns
    -------
    SupportProbability
        ``probability``, ``log_probability``, ``error`` (0 for closed forms; under a correlated
        design an honest bound, at most about ``1e-5`` unless ``2^16`` points per replicate do not
        suffice) and ``estimand``.

    Raises
    ------
    ParameterError
        Bad input, or a correlated design beyond the enumeration limit (``p > 12``; ``p > 6``
        for ``superset``).

    Examples
    --------
    >>> res = support_probability([1.0, 0.6, 0.0], 0.5, lam=0.4)
    >>> round(res.probability, 6)  # Phi(1.2) Phi(0.4) (2 Phi(0.8) - 1)
    0.334249
    >>> res = support_probability([40.0, 0.0], 1.0, lam=1.0, estimand="superset")
    >>> res.probability, res.error
    (1.0, 0.0)
    >>> round(support_probability([1.0, 0.5], 1.0, lam=0.5, gram=[[1.0, 0.5], [0.5, 1.0]]).probability, 6)  # Owen T
    0.333364
    """
    beta, sigma, tau, gram, lam, lam2 = _check(beta, sigma, threshold, gram, lam, lam2, estimator, estimand,
                                               ESTIMANDS)
    on = beta != 0
    if estimator == "ridge":
        if estimand == "superset" or (estimand == "support" and on.all()):
            return SupportProbability(1.0, 0.0, 0.0, estimand)
        if not on.all():
            return SupportProbability(0.0, -np.inf, 0.0, estimand)
        if estimand == "support":
            return SupportProbability(1.0, 0.0, 0.0, estimand)
        log_p, error = _ridge_signed(beta, sigma, gram, lam if lam is not None else 0.0, check_rng(rng or 0))
        return SupportProbability(float(math.exp(log_p)), float(log_p), float(error), estimand)
    if gram is None:
        return _orthonormal_probability(beta, sigma, tau, estimand)
    p = beta.size
    check_cells_size(p, estimand)
    support = tuple(np.flatnonzero(on))
    signs = np.sign(beta[on])
    if estimand == "signed_support":
        cells = [(support, signs)]
    elif estimand == "support":
        cells = [c for c in all_cells(p) if c[0] == support]
    else:
        cells = all_cells(p, within=support)
    value, error = support_cells_estimate(gram, beta / sigma, lam / sigma, cells, np.ones(len(cells)),
                                          check_rng(rng or 0), lam2=lam2, target_error=TARGET_ERROR)
    value = min(max(value, 0.0), 1.0)
    return SupportProbability(float(value), math.log(value) if value > 0 else -np.inf, float(error), estimand)


def support_mean(beta, sigma, *, threshold=None, gram=None, lam=None, lam2=0.0, estimator="lasso",
                 estimand="fdp", rng=None):
    """Exact ``E[FDP]``, ``E[TPR]`` or ``E[Hamming]`` of the estimate's support.

    Parameters are those of :func:`support_probability`; ``estimand`` is one of
    ``"fdp"`` (``FP / max(1, FP + TP)``), ``"tpr"`` (``TP / k``, 1 when ``k = 0``),
    ``"hamming"`` (``FP + FN``).  Under a correlated design the mean sums all ``3^p``
    (support, sign) cells: ``p <= 6``.

    Returns
    -------
    (value, error) : tuple of float
        ``error`` 0 for closed forms, a QMC bound otherwise (absolute, on the mean's scale).

    Examples
    --------
    >>> v, e = support_mean([1.0, 0.6, 0.0], 0.5, lam=0.4, estimand="hamming")
    >>> round(v, 6), e  # P(|b3| > 0.4) + P(|b1| <= 0.4) + P(|b2| <= 0.4)
    (0.858053, 0.0)
    """
    beta, sigma, tau, gram, lam, lam2 = _check(beta, sigma, threshold, gram, lam, lam2, estimator, estimand,
                                               MEANS)
    p, k = beta.size, int(np.count_nonzero(beta))
    if estimator == "ridge":
        fp, tp = np.eye(p - k + 1)[-1], np.eye(k + 1)[-1]
        return _mean_of_laws(fp, tp, k, estimand), 0.0
    if gram is None:
        return _orthonormal_mean(beta, sigma, tau, estimand)
    check_cells_size(p, estimand)
    true = set(np.flatnonzero(beta))
    cells = all_cells(p)
    weights = []
    for support, _ in cells:
        tp = len(true & set(support))
        fp = len(support) - tp
        weights.append({"fdp": fp / max(1, fp + tp), "tpr": tp / k if k else 1.0,
                        "hamming": fp + (k - tp)}[estimand])
    # The target scales with the largest value (Hamming reaches p): a quarter of a 1e7-draw SE still.
    value, error = support_cells_estimate(gram, beta / sigma, lam / sigma, cells, weights,
                                          check_rng(rng or 0), lam2=lam2,
                                          target_error=TARGET_ERROR * max(1.0, max(weights)))
    return float(value), float(error)
