r"""Zhao and Yu (2006), example 1: sign consistency with and without the irrepresentable condition.

Zhao and Yu, "On model selection consistency of Lasso", JMLR 7 (2006), section 2 and
example 1: ``x1, x2, e`` iid ``N(0, 1)`` and ``x3 = 2/3 x1 + 2/3 x2 + 1/3 e``, so the rows
have covariance

    ``Sigma = [[1, 0, 2/3], [0, 1, 2/3], [2/3, 2/3, 1]]``.

Convention used here (fixed design, its Gram replaced by its expectation): with ``n``
observations ``G_n = n Sigma``; ``beta_hat ~ N(beta, sigma^2 G_n^{-1})``; the lasso minimises
``1/2 ||y - X b||^2 + lam_n ||b||_1`` with ``lam_n = n^c``, ``1/2 < c < 1``.  Zhao and Yu write
the criterion ``||y - X b||^2 + lambda_n ||b||_1`` (``lambda_n = 2 lam_n``); their Theorem 1 asks
``lambda_n / n -> 0`` and ``lambda_n / n^((1 + c')/2) -> infinity`` for some ``0 <= c' < 1``,
which ``lam_n = n^c`` meets with ``c' < 2c - 1``.  The irrepresentable constant
``|| G_ScS G_SS^{-1} sign(beta_S) ||_inf`` is ``4/3`` for ``beta = (2, 3, 0)`` (the condition
fails and ``P(sign(b) = sign(beta)) -> 0``: the dual variable of ``x3`` has mean
``4/3 lam_n``, beyond ``lam_n`` by ``lam_n / 3``, which outgrows its ``O(sqrt n)`` noise) and ``0``
for ``beta = (-2, 3, 0)`` (holds: the probability tends to 1).

The probability is the lasso's cell ``(S, s)``, the product of a bivariate orthant probability
(Owen's T) and a one-dimensional interval probability: closed form, error below ``1e-12``.
"""

from __future__ import annotations

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import Interval, check_beta, check_scalar
from .support_correlated import cell_replicates

__all__ = ["ZHAO_YU_SIGMA", "irrepresentable_constant", "zhao_yu_example"]

#: The covariance of a row in Zhao and Yu's example 1.
ZHAO_YU_SIGMA = np.array([[1.0, 0.0, 2.0 / 3.0], [0.0, 1.0, 2.0 / 3.0], [2.0 / 3.0, 2.0 / 3.0, 1.0]])


def irrepresentable_constant(gram, beta):
    """``|| G_ScS G_SS^{-1} sign(beta_S) ||_inf`` (0 when ``beta`` has no zero).

    Examples
    --------
    >>> irrepresentable_constant(ZHAO_YU_SIGMA, [2.0, 3.0, 0.0])
    1.333...
    """
    beta = check_beta(beta)
    gram = np.asarray(gram, dtype=float)
    on = beta != 0
    if on.all() or not on.any():
        return 0.0
    vec = gram[np.ix_(~on, on)] @ np.linalg.solve(gram[np.ix_(on, on)], np.sign(beta[on]))
    return float(np.max(np.abs(vec)))


def zhao_yu_example(n_values, beta, sigma=1.0, c=0.75):
    """Exact ``P(sign(b) = sign(beta))`` of the lasso in Zhao and Yu's example 1, against ``n``.

    Parameters
    ----------
    n_values : array_like of positive numbers
        Sample sizes ``n`` (``G_n = n Sigma``).
    beta : array_like of shape (3,)
        ``(2, 3, 0)`` or ``(-2, 3, 0)`` in the paper; any with a zero works.
    sigma : float, default 1.0
    c : float, default 0.75
        ``lam_n = n^c``; ``1/2 < c < 1`` for sign consistency under the condition.

    Returns
    -------
    ndarray
        One probability per ``n`` (closed form: Owen's T times a normal interval).

    Examples
    --------
    >>> zhao_yu_example([1, 10_000], [-2.0, 3.0, 0.0]).round(4)  # the condition holds: -> 1
    array([0.82, 1.  ])
    >>> zhao_yu_example([1, 10_000], [2.0, 3.0, 0.0])  # it fails: -> 0
    array([1.30446991e-01, 7.61985302e-24])
    """
    beta = check_beta(beta)
    if beta.size != 3:
        raise ParameterError("beta", f"example 1 has p = 3, got p = {beta.size}")
    sigma = check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
    c = check_scalar(c, "c", Interval(0, 1, closed="neither"))
    n_values = np.asarray(n_values, dtype=float).reshape(-1)
    if not np.all(np.isfinite(n_values) & (n_values > 0)):
        raise ParameterError("n_values", "n_values must be positive and finite")
    on = beta != 0
    cell = [(tuple(np.flatnonzero(on)), np.sign(beta[on]))]
    out = np.empty(n_values.size)
    for i, n in enumerate(n_values):
        est, _ = cell_replicates(n * ZHAO_YU_SIGMA, beta / sigma, n**c / sigma, cell, np.random.SeedSequence(0))
        out[i] = float(np.mean(est))
    return out
