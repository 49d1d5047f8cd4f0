"""Exact laws of the separable rules' estimates (Poetscher and Leeb 2009): atom at 0, CDF, density, K.

With the generalised inverse ``g_inv`` of each rule (``penalties``), ``P(theta_hat <= x)`` is a normal CDF at
``g_inv``; the atom at 0 has mass ``P(|z| <= tau)``; the number of zero coordinates is Poisson-binomial.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from .penalties import _penalty, threshold
from .._exact.orthonormal import _poisson_binom, log_zero_probability
from .._base.validation import Interval, check_beta, check_count, check_scalar

__all__ = ["zero_probability", "estimate_cdf", "estimate_sf", "estimate_density", "zeros_distribution"]


# ------------------------------------------------------------ exact distributions
def _scenario(beta, sigma):
    beta = np.asarray(beta, dtype=float)
    if not np.all(np.isfinite(beta)):
        raise ValueError(f"beta must contain only finite numbers, got {beta.tolist()!r}")
    return beta, check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))


def zero_probability(name, beta, sigma, lam, *, log=False, **params):
    """``q = P(theta_hat = 0) = P(|z| <= tau)`` for ``z ~ N(beta, sigma^2)``, elementwise in ``beta``.

    Computed by :func:`mc_sparsity._exact.orthonormal.log_zero_probability`, accurate in
    the tails; ``log=True`` returns ``log q`` (finite where ``q`` underflows).

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    beta : array_like of float
        The true coefficient(s) ``beta_j``, finite; any shape.
    sigma : float
        The standard deviation of ``z``, ``> 0``, in the units of ``beta``.
    lam : float
        The level of the penalty, ``>= 0`` (``lam1`` for the elastic net), as
        the rule takes it (see *Conventions* in the module docstring).
    log : bool, default False
        Return ``log q`` instead of ``q``.  Keyword-only.
    **params
        The rule's other parameters by name: ``lam2`` (required) and
        ``rescaled`` for the elastic net, ``a`` for scad and ``gamma`` for mcp
        (both defaulting to the registry's defaults), ``q`` (required) for
        bridge.  Missing or unknown names raise ``TypeError``.

    Returns
    -------
    ndarray of float
        ``q`` (or ``log q``) for each element of ``beta``, shaped like ``beta``
        (a numpy float for a scalar).  Ridge gives 0 (``-inf`` on the log scale).

    Examples
    --------
    >>> zero_probability("lasso", [0.0, 3.0], 1.0, 1.96)
    array([0.95000421, 0.1491696 ])
    >>> float(zero_probability("hard", 40.0, 1.0, 8.0, log=True))  # P(|z| <= 4) ~ Phi(-36)
    -652.50...
    >>> float(zero_probability("bridge", 0.0, 1.0, 1.0, q=0.5))  # P(|Z| <= 1.5)
    0.8663...
    """
    tau = threshold(name, lam, **params)
    beta, sigma = _scenario(beta, sigma)
    log_q = log_zero_probability(beta, sigma, tau)
    return log_q if log else np.exp(log_q)


def _law_inputs(name, x, beta, sigma, lam, params):
    """The rule, its validated parameters, and ``x``, ``beta``, ``sigma`` as arrays/floats."""
    pen = _penalty(name)
    values = pen.resolve(lam, **params)
    beta, sigma = _scenario(beta, sigma)
    return pen, values, np.asarray(x, dtype=float), beta, sigma


def _signed_inverse(pen, x, values):
    """``g_inv(x)`` for ``x >= 0`` and ``-g_inv(-x)`` for ``x < 0``: ``P(theta <= x) = P(z <= this)``."""
    ax = np.abs(x)
    return np.where(x >= 0.0, pen.inverse(ax, **values), -pen.inverse(ax, **values))


def estimate_cdf(name, x, beta, sigma, lam, **params):
    """Exact CDF ``P(theta_hat <= x)`` of the estimate, ``z ~ N(beta, sigma^2)``; broadcasts ``x`` and ``beta``.

    ``Phi((g_inv(x) - beta)/sigma)`` for ``x >= 0`` and
    ``Phi((-g_inv(-x) - beta)/sigma)`` for ``x < 0`` (see the module
    docstring); it jumps at 0 by the atom and is flat on the gap of rules that
    jump (hard, bridge).  Lower tails keep their relative accuracy
    (``scipy.special.ndtr``); for upper tails use :func:`estimate_sf`.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    x : array_like of float
        Values of the estimate, in the units of ``z``.
    beta : array_like of float
        The true coefficient(s) ``beta_j``, finite; broadcast against ``x``.
    sigma : float
        The standard deviation of ``z``, ``> 0``, in the units of ``beta``.
    lam : float
        The level of the penalty, ``>= 0`` (``lam1`` for the elastic net), as
        the rule takes it (see *Conventions* in the module docstring).
    **params
        The rule's other parameters by name: ``lam2`` (required) and
        ``rescaled`` for the elastic net, ``a`` for scad and ``gamma`` for mcp
        (both defaulting to the registry's defaults), ``q`` (required) for
        bridge.  Missing or unknown names raise ``TypeError``.

    Returns
    -------
    ndarray of float
        ``P(theta_hat <= x)``, of the broadcast shape of ``x`` and ``beta``.

    Examples
    --------
    >>> F = estimate_cdf("lasso", [-1e-300, 0.0], 0.0, 1.0, 1.96)
    >>> round(float(F[1] - F[0]), 4)  # the jump at 0 is the atom
    0.95
    >>> estimate_cdf("hard", [-3.0, -1.0, 0.0, 1.0, 3.0], 0.0, 1.0, 2.0)  # flat on the gap 0 < |x| < 2
    array([0.0013499 , 0.02275013, 0.97724987, 0.97724987, 0.9986501 ])
    """
    pen, values, x, beta, sigma = _law_inputs(name, x, beta, sigma, lam, params)
    with np.errstate(over="ignore", invalid="ignore"):
        return special.ndtr((_signed_inverse(pen, x, values) - beta) / sigma)


def estimate_sf(name, x, beta, sigma, lam, **params):
    """Exact survival function ``P(theta_hat > x) = 1 - estimate_cdf(...)``, accurate in the upper tail.

    Computed as ``Phi((beta - g_inv(x))/sigma)`` (and the mirror image for
    ``x < 0``), without the cancellation of ``1 - cdf``.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    x : array_like of float
        Values of the estimate, in the units of ``z``.
    beta : array_like of float
        The true coefficient(s) ``beta_j``, finite; broadcast against ``x``.
    sigma : float
        The standard deviation of ``z``, ``> 0``, in the units of ``beta``.
    lam : float
        The level of the penalty, ``>= 0`` (``lam1`` for the elastic net), as
        the rule takes it (see *Conventions* in the module docstring).
    **params
        The rule's other parameters by name: ``lam2`` (required) and
        ``rescaled`` for the elastic net, ``a`` for scad and ``gamma`` for mcp
        (both defaulting to the registry's defaults), ``q`` (required) for
        bridge.  Missing or unknown names raise ``TypeError``.

    Returns
    -------
    ndarray of float
        ``P(theta_hat > x)``, of the broadcast shape of ``x`` and ``beta``.

    Examples
    --------
    >>> float(estimate_sf("mcp", 30.0, 0.0, 1.0, 1.0))  # = P(z > 30); 1 - cdf would give 0.0
    4.9067...e-198
    >>> estimate_sf("lasso", [0.0, 1.0], [0.0, 2.0], 1.0, 1.0)  # P(Z > 1), P(2 + Z > 2)
    array([0.15865525, 0.5       ])
    """
    pen, values, x, beta, sigma = _law_inputs(name, x, beta, sigma, lam, params)
    with np.errstate(over="ignore", invalid="ignore"):
        return special.ndtr((beta - _signed_inverse(pen, x, values)) / sigma)


def estimate_density(name, x, beta, sigma, lam, **params):
    """Density of the absolutely continuous part of the estimate's law (the atom at 0 excluded).

    ``phi((g_inv(x) - beta)/sigma)/sigma * g_inv'(x)`` for ``x > 0`` and
    ``phi((-g_inv(-x) - beta)/sigma)/sigma * g_inv'(-x)`` for ``x < 0``; zero on
    the gap of hard thresholding and bridge.  It integrates to ``1 - atom``.
    A density is defined up to null sets: at 0 and at the kinks of ``g_inv``
    one of the one-sided limits is returned.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    x : array_like of float
        Values of the estimate, in the units of ``z``.
    beta : array_like of float
        The true coefficient(s) ``beta_j``, finite; broadcast against ``x``.
    sigma : float
        The standard deviation of ``z``, ``> 0``, in the units of ``beta``.
    lam : float
        The level of the penalty, ``>= 0`` (``lam1`` for the elastic net), as
        the rule takes it (see *Conventions* in the module docstring).
    **params
        The rule's other parameters by name: ``lam2`` (required) and
        ``rescaled`` for the elastic net, ``a`` for scad and ``gamma`` for mcp
        (both defaulting to the registry's defaults), ``q`` (required) for
        bridge.  Missing or unknown names raise ``TypeError``.

    Returns
    -------
    ndarray of float
        The density at ``x`` (per unit of ``x``), of the broadcast shape of
        ``x`` and ``beta``.

    Examples
    --------
    >>> float(estimate_density("lasso", 0.5, 0.0, 1.0, 1.0))  # phi(1.5)
    0.1295...
    >>> estimate_density("hard", [1.0, 3.0], 0.0, 1.0, 2.0)  # 1 is in the gap; phi(3) at 3
    array([0.        , 0.00443185])
    """
    pen, values, x, beta, sigma = _law_inputs(name, x, beta, sigma, lam, params)
    with np.errstate(over="ignore", invalid="ignore"):
        u = (_signed_inverse(pen, x, values) - beta) / sigma
        slope = pen.inverse_derivative(np.abs(x), **values)
        return np.where(slope == 0.0, 0.0, np.exp(-0.5 * u * u) / np.sqrt(2.0 * np.pi) / sigma * slope)


def zeros_distribution(name, beta, sigma, lam=None, **params):
    """``P(K = k)`` for ``k = 0..p``, ``K`` the number of zero coordinates.

    For a separable rule ``K ~ PoissonBinomial(q_1, ..., q_p)`` with
    ``q_j = P(|z_j| <= tau)`` (``scipy.stats.poisson_binom``).  For
    ``name="best_subset"`` pass ``size=...`` instead of ``lam``:
    ``K = p - size`` with probability 1 (a continuous law has no further zeros).

    Parameters
    ----------
    name : str
        A key of :data:`PENALTIES`, or ``"best_subset"``.
    beta : array_like of float, shape (p,)
        The true coefficients, finite (a scalar is ``p = 1``).
    sigma : float
        The standard deviation of each ``z_j``, ``> 0``.
    lam : float, optional
        The level of a separable rule, as in :func:`threshold`; required for
        those, and not allowed for ``"best_subset"`` (``TypeError``).
    **params
        A separable rule's other parameters, as in :func:`threshold`; for
        ``"best_subset"`` exactly ``size``, an int with ``0 <= size <= p``.

    Returns
    -------
    ndarray of float, shape (p + 1,)
        ``P(K = k)`` at index ``k``.

    Examples
    --------
    >>> zeros_distribution("hard", [0.0, 3.0], 1.0, 0.5)  # tau = 1
    array([0.3101017 , 0.67438864, 0.01550965])
    >>> zeros_distribution("best_subset", [0.0, 10.0, 1.0], 1.0, size=1)
    array([0., 0., 1., 0.])
    >>> zeros_distribution("elastic_net", [0.0], 1.0, 1.0, lam2=1.0)  # P(|Z| > 1), P(|Z| <= 1)
    array([0.31731051, 0.68268949])
    """
    beta = check_beta(beta)
    p = beta.size
    if name == "best_subset":
        if lam is not None or set(params) != {"size"}:
            raise TypeError("best_subset takes only the parameter size (and no lam)")
        check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
        size = check_count(params["size"], "size", minimum=0)
        if size > p:
            raise ValueError(f"size must be <= p = {p}, got {size}")
        pmf = np.zeros(p + 1)
        pmf[p - size] = 1.0
        return pmf
    if lam is None:
        raise TypeError(f"{name} requires lam")
    q = zero_probability(name, beta, sigma, lam, **params)
    return np.asarray(_poisson_binom(q).pmf(np.arange(p + 1)), dtype=float)
