"""Penalized thresholding rules beyond the lasso, and their exact distributions.

Under an orthonormal design the penalized problem
``argmin_b 1/2 ||y - X b||^2 + sum_j pen(b_j)`` separates: with
``z = beta_hat_j ~ N(beta_j, sigma^2)`` each coordinate is

    ``theta_hat = argmin_theta 1/2 (z - theta)^2 + pen(theta)``,

a *thresholding rule* ``theta_hat = g(z)``.  Every separable rule here is odd,
nondecreasing and has a threshold ``tau``: ``g(z) = 0`` iff ``|z| <= tau``
(:func:`threshold`).  This holds exactly in floating point too, ties included
(see *Conventions*), so a compiled Monte Carlo kernel may count zeros by
comparing ``|z|`` with ``tau`` alone.

============  ===============================================  ===============
name          pen(theta)                                       tau
============  ===============================================  ===============
lasso         ``lam |theta|``                                  ``lam``
ridge         ``lam/2 theta^2``                                ``0``
elastic_net   ``lam1 |theta| + lam2/2 theta^2``                ``lam1``
hard          ``lam 1(theta != 0)``                            ``sqrt(2 lam)``
scad          Fan and Li (2001), ``a > 2``                     ``lam``
mcp           Zhang (2010), ``gamma > 1``                      ``lam``
bridge        ``lam |theta|^q``, ``0 < q < 1``                 ``tau_q``
best_subset   keep the ``size`` largest ``|z_j|`` (not separable)  --
============  ===============================================  ===============

Exact law of the estimate (Poetscher and Leeb 2009, J. Multivariate Anal.
100:2065-2082, for lasso, hard thresholding and SCAD; the same argument covers
all the rules here).  Because ``g`` is odd and nondecreasing, with the
generalised inverse ``g_inv(x) = sup{z : g(z) <= x}`` for ``x >= 0``,

* ``P(theta_hat <= x) = Phi((g_inv(x) - beta)/sigma)`` for ``x >= 0`` and
  ``Phi((-g_inv(-x) - beta)/sigma)`` for ``x < 0``;
* an atom at 0 of mass ``Phi((tau - beta)/sigma) - Phi((-tau - beta)/sigma)``
  (``g_inv(0) = tau``: the CDF jumps by it at 0);
* an absolutely continuous part with density
  ``phi((g_inv(x) - beta)/sigma)/sigma * g_inv'(x)`` for ``x > 0`` (mirror image
  for ``x < 0``), zero on the gap ``0 < |x| < jump`` where ``g`` jumps (hard
  thresholding, bridge).

The number of zero coordinates is ``K ~ PoissonBinomial(q_1, ..., q_p)`` with
``q_j = P(|z_j| <= tau)``.

Conventions
-----------
* Parameters are passed to the generic functions (:func:`threshold`,
  :func:`zero_probability`, :func:`estimate_cdf`, ...) as ``lam`` (the level of
  the penalty: ``lam1`` for the elastic net) plus keywords with the names of
  the estimator's other parameters (``lam2``, ``rescaled``, ``a``, ``gamma``,
  ``q``).  Missing or unknown names raise ``TypeError``, bad values a
  ``ValueError`` naming the parameter.
* Ties: at ``|z| = tau`` hard thresholding and bridge have two global
  minimisers, 0 and a nonzero value; we return 0.  Where the exact nonzero
  value underflows (subnormal ``z``), the result is rounded away from zero to
  the nearest subnormal, so that ``g(z) == 0`` iff ``|z| <= tau`` holds exactly.
* Zeros are returned as ``+0.0``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import special

from .lasso_ridge import ridge_shrink, soft_threshold
from .registry import ESTIMATORS, PARAMETERS, default
from .._exact.orthonormal import _poisson_binom, exact_sparse_probability, log_zero_probability
from .._base.validation import Interval, check_beta, check_count, check_option, check_scalar

__all__ = [
    "lasso",
    "ridge",
    "elastic_net",
    "hard_threshold",
    "best_subset",
    "scad",
    "mcp",
    "bridge",
    "adaptive_lasso",
    "bridge_jump",
    "threshold",
    "Penalty",
    "PENALTIES",
    "zero_probability",
    "estimate_cdf",
    "estimate_sf",
    "estimate_density",
    "zeros_distribution",
    "rule_arguments",
    "zero_threshold",
]

_NONNEGATIVE = Interval(0, None, closed="left")
#: The levels' range; every other parameter's is its registry record's (``registry.PARAMETERS``).
_LEVELS = {"lam": _NONNEGATIVE, "lam1": _NONNEGATIVE, "lam2": _NONNEGATIVE}
_TINY = np.nextafter(0.0, 1.0)  # the smallest positive subnormal


def _check(name, value):
    """Validate one tuning parameter by name."""
    if name == "rescaled":
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"rescaled must be True or False, got {value!r}")
        return bool(value)
    interval = _LEVELS[name] if name in _LEVELS else PARAMETERS[name][1].interval
    return check_scalar(value, name, interval)


def _finish(z, value, tau):
    """Zero where ``|z| <= tau``; elsewhere ``value``, kept away from an underflowed 0."""
    az = np.abs(z)
    value = np.where((value == 0.0) & (az > tau), np.copysign(_TINY, z), value)
    return np.where(az <= tau, 0.0, value)


# --------------------------------------------------------------------------- rules
def lasso(z, lam):
    """Soft threshold, ``argmin 1/2 (z - theta)^2 + lam |theta|``: :func:`~mc_sparsity.soft_threshold`, validated.

    ``sign(z) (|z| - lam)^+``; zero iff ``|z| <= lam``.  scikit-learn's
    ``Lasso(alpha)`` on an orthonormal design is ``lam = n * alpha``.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The penalty level, ``>= 0``, in the units of ``z``; also the threshold.

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> lasso([1.5, -0.2, -3.0], 0.5)
    array([ 1. ,  0. , -2.5])
    >>> lasso([[0.5, 0.6]], 0.5)  # |z| = lam gives 0
    array([[0. , 0.1]])
    """
    return soft_threshold(z, _check("lam", lam))


def ridge(z, lam):
    """``argmin 1/2 (z - theta)^2 + lam/2 theta^2 = z / (1 + lam)``: :func:`~mc_sparsity.ridge_shrink`, validated.

    Zero iff ``z = 0``, or where floating point underflows the quotient.
    scikit-learn's ``Ridge(alpha)`` (``||y - X w||^2 + alpha ||w||^2``) is ``lam = alpha``.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The penalty level, ``>= 0``, dimensionless.

    Returns
    -------
    ndarray of float
        The estimate ``z / (1 + lam)``, shaped like ``z``.

    Examples
    --------
    >>> ridge([1.5, -0.2, 0.0], 1.0)
    array([ 0.75, -0.1 ,  0.  ])
    """
    return ridge_shrink(z, _check("lam", lam))


def elastic_net(z, lam1, lam2, rescaled=False):
    """Elastic net, ``argmin 1/2 (z - theta)^2 + lam1 |theta| + lam2/2 theta^2``.

    The minimiser is Zou and Hastie's (2005) naive elastic net
    ``soft(z, lam1) / (1 + lam2)``; ``rescaled=True`` multiplies it by
    ``(1 + lam2)``, which gives back the lasso.  Zero iff ``|z| <= lam1``
    (a nonzero that underflows is kept as the smallest subnormal).

    Mapping to scikit-learn: ``ElasticNet(alpha, l1_ratio)`` minimises
    ``1/(2n) ||y - X w||^2 + alpha l1_ratio ||w||_1 + alpha (1 - l1_ratio)/2 ||w||^2``.
    Multiplying by ``n`` and using ``X^T X = I``
    (``1/2 ||y - X w||^2 = 1/2 ||w - X^T y||^2 + const``) gives, coordinate-wise,
    this problem with ``z = X^T y`` and

        ``lam1 = n alpha l1_ratio``,  ``lam2 = n alpha (1 - l1_ratio)``,

    so ``alpha = (lam1 + lam2)/n`` and ``l1_ratio = lam1/(lam1 + lam2)``.  The
    naive estimate (``rescaled=False``) is what scikit-learn returns.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam1 : float
        The L1 level, ``>= 0``, in the units of ``z``; also the threshold.
    lam2 : float
        The L2 level, ``>= 0``, dimensionless.
    rescaled : bool, default False
        Return ``(1 + lam2)`` times the naive estimate.  Must be a bool
        (``TypeError`` otherwise).

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> elastic_net([3.0, -0.5, -2.0], 1.0, 1.0)
    array([ 1. ,  0. , -0.5])
    >>> elastic_net([3.0, -0.5, -2.0], 1.0, 1.0, rescaled=True)
    array([ 2.,  0., -1.])
    >>> float(elastic_net(1.0000000000000002, 1.0, 1e308))  # |z| > lam1: underflow kept nonzero
    5e-324
    """
    lam1, lam2, rescaled = _check("lam1", lam1), _check("lam2", lam2), _check("rescaled", rescaled)
    z = np.asarray(z, dtype=float)
    value = soft_threshold(z, lam1)
    if not rescaled:
        value = value / (1.0 + lam2)
    return _finish(z, value, lam1)


def hard_threshold(z, lam):
    """Hard threshold, ``argmin 1/2 (z - theta)^2 + lam 1(theta != 0)``.

    Keeping ``theta = z`` costs ``lam``, setting ``theta = 0`` costs ``z^2/2``:
    ``theta = z`` if ``|z| > sqrt(2 lam)``, else 0.  At the tie
    ``|z| = sqrt(2 lam)`` both 0 and ``z`` minimise; we return 0.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The L0 penalty, ``>= 0``, in the units of ``z`` squared: the threshold
        is ``sqrt(2 lam)``.

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> hard_threshold([1.5, -0.2, -3.0, 2.0], 2.0)  # threshold sqrt(4) = 2: the tie gives 0
    array([ 0.,  0., -3.,  0.])
    >>> hard_threshold([[1.0, 1.5]], 0.5)  # threshold 1
    array([[0. , 1.5]])
    """
    lam = _check("lam", lam)
    z = np.asarray(z, dtype=float)
    return _finish(z, z, np.sqrt(2.0 * lam))


def best_subset(z, size):
    """Best subset of a given size on the last axis: keep the ``size`` largest ``|z_j|``.

    ``argmin ||z - theta||^2`` subject to ``||theta||_0 <= size``.  Not
    separable.  Ties in ``|z|`` are broken by index order (a stable sort: the
    lower index is kept).  Each row then has ``p - size`` zeros with
    probability 1 under a continuous law, so its ``P(sparse)`` is 1 for
    ``size < p`` and 0 for ``size = p``.

    Parameters
    ----------
    z : array_like of float, shape (..., p)
        The least-squares estimates, one per row; at least one axis
        (``ValueError`` for a scalar).
    size : int
        The number of coordinates kept per row, ``0 <= size <= p`` (an
        integral float such as ``2.0`` is accepted).

    Returns
    -------
    ndarray of float, shape (..., p)
        ``z`` with all but the ``size`` largest ``|z_j|`` of each row set to
        ``+0.0``.

    Examples
    --------
    >>> best_subset([[1.0, -3.0, 2.0], [0.5, 0.5, 0.1]], 2)
    array([[ 0. , -3. ,  2. ],
           [ 0.5,  0.5,  0. ]])
    >>> best_subset([3.0, -1.0, 2.0], 0)
    array([0., 0., 0.])
    """
    z = np.asarray(z, dtype=float)
    if z.ndim == 0:
        raise ValueError("z must have at least one axis for best_subset, got a scalar")
    p = z.shape[-1]
    size = check_count(size, "size", minimum=0)
    if size > p:
        raise ValueError(f"size must be <= p = {p} (the length of the last axis), got {size}")
    order = np.argsort(-np.abs(z), axis=-1, kind="stable")
    keep = np.zeros(z.shape, dtype=bool)
    np.put_along_axis(keep, order[..., :size], True, axis=-1)
    return np.where(keep, z, 0.0)


def scad(z, lam, a=default("a")):
    """SCAD thresholding (Fan and Li 2001), ``a > 2``.

    ``theta = soft(z, lam)`` for ``|z| <= 2 lam``;
    ``((a - 1) z - sign(z) a lam)/(a - 2)`` for ``2 lam < |z| <= a lam``
    (computed as ``sign(z) (lam + (a - 1)(|z| - 2 lam)/(a - 2))``, the same
    value without cancellation); ``z`` for ``|z| > a lam``.  The minimiser of
    ``1/2 (z - theta)^2 + pen(theta)`` with
    ``pen = lam |t|`` on ``|t| <= lam``,
    ``(2 a lam |t| - t^2 - lam^2)/(2 (a - 1))`` on ``lam < |t| <= a lam`` and
    ``lam^2 (a + 1)/2`` beyond; the objective is convex because ``a > 2``.
    Zero iff ``|z| <= lam``.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The penalty level, ``>= 0``, in the units of ``z``; also the threshold.
    a : float, optional
        The concavity parameter, ``> 2``, dimensionless.  Defaults to the
        registry's default (``mc_sparsity._estimators.registry.default('a')``).

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> scad([0.5, 1.5, -3.0, 5.0], 1.0, a=4.0)
    array([ 0. ,  0.5, -2.5,  5. ])
    >>> bool(np.all(scad([0.5, 1.5, 9.0], 1.0) == scad([0.5, 1.5, 9.0], 1.0, a=default("a"))))
    True
    """
    lam, a = _check("lam", lam), _check("a", a)
    z = np.asarray(z, dtype=float)
    az = np.abs(z)
    with np.errstate(over="ignore"):  # the middle branch may overflow where it is not used
        middle = lam + (a - 1.0) * (az - 2.0 * lam) / (a - 2.0)
    value = np.where(az <= 2.0 * lam, az - lam, np.where(az <= a * lam, middle, az))
    return _finish(z, np.copysign(value, z), lam)


def mcp(z, lam, gamma=default("gamma")):
    """Minimax concave penalty thresholding (Zhang 2010), ``gamma > 1``.

    ``theta = soft(z, lam)/(1 - 1/gamma)`` for ``|z| <= gamma lam``, ``z``
    beyond.  The minimiser for ``pen = lam |t| - t^2/(2 gamma)`` on
    ``|t| <= gamma lam`` and ``gamma lam^2/2`` beyond (a convex objective).
    Zero iff ``|z| <= lam``.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The penalty level, ``>= 0``, in the units of ``z``; also the threshold.
    gamma : float, optional
        The concavity parameter, ``> 1``, dimensionless.  Defaults to the
        registry's default (``mc_sparsity._estimators.registry.default('gamma')``).

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> mcp([0.5, 2.0, -4.0], 1.0, gamma=3.0)
    array([ 0. ,  1.5, -4. ])
    >>> bool(np.all(mcp([0.5, 2.0], 1.0) == mcp([0.5, 2.0], 1.0, gamma=default("gamma"))))
    True
    """
    lam, gamma = _check("lam", lam), _check("gamma", gamma)
    z = np.asarray(z, dtype=float)
    az = np.abs(z)
    with np.errstate(over="ignore"):  # the inner branch may overflow where it is not used
        value = np.where(az <= gamma * lam, (az - lam) * (gamma / (gamma - 1.0)), az)
    return _finish(z, np.copysign(value, z), lam)


def adaptive_lasso(z, lam, adaptive_gamma=default("adaptive_gamma")):
    """Adaptive lasso under an orthonormal design (Zou 2006), one coordinate at a time.

    The penalty ``lam |theta| / |z|^gamma`` weights the lasso by the least-squares
    estimate ``z`` itself, so the rule is the soft threshold at ``lam / |z|^gamma``:
    ``theta_hat = sign(z) (|z| - lam |z|^-gamma)^+``, zero iff ``|z|^(1 + gamma) <= lam``,
    i.e. ``|z| <= tau = lam^(1/(1 + gamma))``.  Beyond ``tau`` it is computed as
    ``|z| (1 - (tau/|z|)^(1 + gamma))`` (``-expm1`` of a log: no cancellation near
    ``tau``); it is continuous at ``tau`` and tends to ``z`` (less bias than the lasso).

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s), any shape.
    lam : float
        The level, ``>= 0``.
    adaptive_gamma : float, default from the registry (1)
        The weights' exponent, ``> 0``.

    Returns
    -------
    ndarray of float

    Examples
    --------
    >>> adaptive_lasso([0.5, 1.0, -2.0], 1.0)  # tau = 1: zero up to 1, then z - 1/z
    array([ 0. ,  0. , -1.5])
    """
    lam, adaptive_gamma = _check("lam", lam), _check("adaptive_gamma", adaptive_gamma)
    z = np.asarray(z, dtype=float)
    tau = _tau_adaptive(lam, adaptive_gamma)
    az = np.abs(z)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        value = az * -np.expm1((1.0 + adaptive_gamma) * np.log(tau / az))
    value = np.where(np.isfinite(az) & (az > tau), value, az)
    return _finish(z, np.copysign(value, z), tau)


def bridge_jump(lam, q):
    """The threshold ``tau_q`` and the jump ``theta_q`` of the bridge rule: ``(tau_q, theta_q)``.

    ``theta_q = (2 lam (1 - q))^(1/(2 - q))`` and
    ``tau_q = (2 - q)/(2 (1 - q)) theta_q``; see :func:`bridge`.

    Parameters
    ----------
    lam : float
        The penalty level of ``lam |theta|^q``, ``>= 0``, in the units of ``z``
        to the power ``2 - q``.
    q : float
        The exponent, ``0 < q < 1``.

    Returns
    -------
    tau_q : float
        The threshold: ``bridge(z, lam, q) == 0`` iff ``|z| <= tau_q``.
    theta_q : float
        The jump: the smallest nonzero ``|theta_hat|``.  Both are 0 for ``lam = 0``.

    Examples
    --------
    >>> bridge_jump(1.0, 0.5)  # theta = 1, tau = 1.5
    (1.5, 1.0)
    >>> bridge_jump(0.0, 0.5)
    (0.0, 0.0)
    """
    lam, q = _check("lam", lam), _check("q", q)
    jump = (2.0 * lam * (1.0 - q)) ** (1.0 / (2.0 - q))
    return (2.0 - q) / (2.0 * (1.0 - q)) * jump, jump


def _bridge_root(t, lam, q, lo):
    """The root ``theta >= lo`` of ``theta + lam q theta^(q-1) = t``, for ``t > tau_q``.

    ``h(theta) = theta + lam q theta^(q-1)`` is convex and increasing on
    ``[lo, t]`` (``lo = theta_q``), ``h(lo) = tau_q < t < h(t)``.  Newton from
    ``t`` decreases monotonically to the root; a bisection safeguard keeps the
    iterate in the bracket should rounding push it out.  Vectorised: the loop
    runs over iterations (3 to 7 typically; up to about 25 right at the
    threshold for q near 1, where rounding makes the bisection step in).

    Accuracy: ``h`` is evaluated with an error of a few ``eps * t``, so no
    double-precision method does better than ``|theta - root| ~ eps t / h'(root)``
    (the problem's condition); the result is within a few of those units
    (checked against 40-digit mpmath roots in the tests).
    """
    c = lam * q
    lo = np.full_like(t, lo)
    hi = t.copy()
    theta = t.copy()
    for _ in range(200):
        f = theta + c * theta ** (q - 1.0) - t
        slope = 1.0 - c * (1.0 - q) * theta ** (q - 2.0)
        hi = np.where(f > 0.0, theta, hi)
        lo = np.where(f < 0.0, theta, lo)
        new = theta - f / slope
        outside = ~((new >= lo) & (new <= hi))
        new = np.where(outside, 0.5 * (lo + hi), new)
        done = (np.abs(new - theta) <= 4.0 * np.finfo(float).eps * t) | (f == 0.0)
        theta = new
        if np.all(done):
            break
    return theta


def bridge(z, lam, q):
    """Bridge thresholding, the GLOBAL minimiser of ``1/2 (z - theta)^2 + lam |theta|^q``, ``0 < q < 1``.

    Derivation (``z > 0``; the rule is odd).  A nonzero stationary point
    solves ``h(theta) = theta + lam q theta^(q-1) = z``.  ``h`` is convex with
    its minimum at ``theta_0 = (lam q (1 - q))^(1/(2-q))``; local minima of the
    objective lie on the branch ``theta >= theta_0`` (the larger root).  The
    nonzero minimum beats ``theta = 0`` iff
    ``D(theta) = -z theta + theta^2/2 + lam theta^q < 0``.  At the threshold
    both hold with ``D = 0``: subtracting ``z = theta/2 + lam theta^(q-1)``
    (from ``D = 0``) from ``z = theta + lam q theta^(q-1)`` gives
    ``theta^(2-q) = 2 lam (1 - q)``, i.e. the jump

        ``theta_q = (2 lam (1 - q))^(1/(2 - q))``  (``>= theta_0`` since ``2 > q``),

    and the threshold ``tau_q = h(theta_q) = (2 - q)/(2 (1 - q)) theta_q``.
    So ``theta_hat = 0`` for ``|z| <= tau_q``; for ``|z| > tau_q`` it is
    ``sign(z)`` times the larger root, which increases from ``theta_q`` (a jump
    at ``tau_q``) and is found by safeguarded Newton to the accuracy double
    precision allows (see ``_bridge_root``).
    At the tie ``|z| = tau_q`` both 0 and ``sign(z) theta_q`` minimise; we return 0.
    ``lam = 0`` gives the identity; ``+-inf`` stay, NaN stays NaN.

    Parameters
    ----------
    z : array_like of float
        The least-squares estimate(s) ``z = beta_hat_j``, any shape; the rule
        acts on each element.
    lam : float
        The penalty level, ``>= 0``, in the units of ``z`` to the power ``2 - q``.
    q : float
        The exponent, ``0 < q < 1``; no default.

    Returns
    -------
    ndarray of float
        The estimate ``theta_hat``, shaped like ``z`` (0-d for a scalar); zeros
        are ``+0.0``.

    Examples
    --------
    >>> bridge([1.4, 1.6, -3.0], 1.0, 0.5)  # tau = 1.5, jump 1
    array([ 0.        ,  1.1295448 , -2.69545315])
    >>> bridge([[1.5, -1.5000001]], 1.0, 0.5)  # the tie gives 0; just beyond it, the jump
    array([[ 0.        , -1.00000013]])
    """
    lam, q = _check("lam", lam), _check("q", q)
    z = np.asarray(z, dtype=float)
    tau, jump = bridge_jump(lam, q)
    if jump == 0.0:  # lam = 0 (or so small that the jump underflows): the identity
        return _finish(z, z, 0.0)
    value = np.abs(z).ravel()  # a copy; +-inf stays (the limit), NaN stays NaN
    solve = (value > tau) & np.isfinite(value)
    if np.any(solve):
        value[solve] = _bridge_root(value[solve], lam, q, jump)
    return _finish(z, np.copysign(value.reshape(z.shape), z), tau)


# ------------------------------------------------------ generalised inverses g_inv
def _inv_lasso(x, lam):
    return x + lam


def _inv_ridge(x, lam):
    return x * (1.0 + lam)


def _inv_elastic_net(x, lam1, lam2, rescaled=False):
    return lam1 + (x if rescaled else x * (1.0 + lam2))


def _inv_hard(x, lam):
    return np.maximum(x, np.sqrt(2.0 * lam))  # flat at the threshold on the gap [0, sqrt(2 lam)]


def _inv_scad(x, lam, a):
    middle = ((a - 2.0) * x + a * lam) / (a - 1.0)
    return np.where(x <= lam, x + lam, np.where(x <= a * lam, middle, x))


def _inv_adaptive_lasso(x, lam, adaptive_gamma):
    """The root ``z >= tau`` of ``h(z) = z - lam z^-gamma = x``: ``h`` is increasing and concave, so Newton
    from ``max(x, tau)`` (left of the root: ``h(z) <= z``) climbs to it monotonically."""
    tau = _tau_adaptive(lam, adaptive_gamma)
    if tau == 0.0:
        return np.asarray(x, dtype=float)
    z = np.maximum(np.asarray(x, dtype=float), tau)
    for _ in range(200):
        step = (z - lam * z ** -adaptive_gamma - x) / (1.0 + adaptive_gamma * lam * z ** (-adaptive_gamma - 1.0))
        new = np.maximum(z - step, z)  # rounding may not move it back left
        if np.all(new == z):
            break
        z = new
    return z


def _inv_mcp(x, lam, gamma):
    return np.where(x <= gamma * lam, lam + x * ((gamma - 1.0) / gamma), x)


def _inv_bridge(x, lam, q):
    _, jump = bridge_jump(lam, q)
    if jump == 0.0:
        return x
    t = np.maximum(x, jump)  # flat at tau_q = h(theta_q) on the gap [0, theta_q]
    with np.errstate(over="ignore"):
        return t + lam * q * t ** (q - 1.0)


def _dinv_lasso(x, lam):
    return np.ones_like(x)


def _dinv_ridge(x, lam):
    return np.full_like(x, 1.0 + lam)


def _dinv_elastic_net(x, lam1, lam2, rescaled=False):
    return np.full_like(x, 1.0 if rescaled else 1.0 + lam2)


def _dinv_hard(x, lam):
    return np.where(x < np.sqrt(2.0 * lam), 0.0, 1.0)


def _dinv_scad(x, lam, a):
    return np.where((x > lam) & (x <= a * lam), (a - 2.0) / (a - 1.0), 1.0)


def _dinv_adaptive_lasso(x, lam, adaptive_gamma):
    z = _inv_adaptive_lasso(x, lam, adaptive_gamma)
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 + adaptive_gamma * lam * z ** (-adaptive_gamma - 1.0))


def _dinv_mcp(x, lam, gamma):
    return np.where(x <= gamma * lam, (gamma - 1.0) / gamma, 1.0)


def _dinv_bridge(x, lam, q):
    _, jump = bridge_jump(lam, q)
    if jump == 0.0:
        return np.ones_like(x)
    t = np.maximum(x, jump)
    return np.where(x < jump, 0.0, 1.0 - lam * q * (1.0 - q) * t ** (q - 2.0))


# ---------------------------------------------------------------- penalty values
def _pen_lasso(theta, lam):
    return lam * np.abs(theta)


def _pen_ridge(theta, lam):
    return 0.5 * lam * np.square(theta)


def _pen_elastic_net(theta, lam1, lam2, rescaled=False):
    return lam1 * np.abs(theta) + 0.5 * lam2 * np.square(theta)


def _pen_hard(theta, lam):
    return np.where(theta != 0.0, lam, 0.0)


def _pen_scad(theta, lam, a):
    t = np.abs(theta)
    middle = (2.0 * a * lam * t - t * t - lam * lam) / (2.0 * (a - 1.0))
    return np.where(t <= lam, lam * t, np.where(t <= a * lam, middle, lam * lam * (a + 1.0) / 2.0))


def _pen_mcp(theta, lam, gamma):
    t = np.abs(theta)
    return np.where(t <= gamma * lam, lam * t - t * t / (2.0 * gamma), gamma * lam * lam / 2.0)


def _pen_bridge(theta, lam, q):
    return lam * np.abs(theta) ** q


# ---------------------------------------------------------------------- registry
def _tau_hard(lam):
    return float(np.sqrt(2.0 * lam))


def _tau_adaptive(lam, adaptive_gamma):
    return float(lam ** (1.0 / (1.0 + adaptive_gamma)))


def _tau_bridge(lam, q):
    return bridge_jump(lam, q)[0]


@dataclass(frozen=True)
class Penalty:
    """A separable thresholding rule and what the exact distributions need of it.

    Attributes
    ----------
    name : str
        Registry key.
    estimator : callable
        ``estimator(z, *params)``, e.g. :func:`scad`.
    params : tuple of str
        The estimator's parameter names after ``z``; the first is the level,
        passed as ``lam`` to the generic functions.
    defaults : tuple of (str, object) pairs
        Defaults of the optional parameters.
    penalty : callable
        ``penalty(theta, **params)``, the value of ``pen(theta)``.
    inverse, inverse_derivative : callable
        The generalised inverse ``g_inv(x) = sup{z : g(z) <= x}`` for ``x >= 0``
        and its derivative, in closed form.

    Examples
    --------
    >>> PENALTIES["scad"].resolve(1.0)
    {'lam': 1.0, 'a': 3.7}
    >>> PENALTIES["elastic_net"].threshold(0.5, lam2=2.0)
    0.5
    """

    name: str
    estimator: Callable
    params: tuple
    defaults: tuple
    penalty: Callable
    inverse: Callable
    inverse_derivative: Callable
    _tau: Callable

    def resolve(self, lam, **params):
        """Validate ``lam`` and ``params``; return all parameters by name, defaults filled in."""
        primary, others = self.params[0], self.params[1:]
        unknown = sorted(set(params) - set(others))
        if unknown:
            raise TypeError(f"{self.name} got unexpected parameter(s) {', '.join(unknown)}; "
                            f"its parameters are lam (= {primary}) and {', '.join(others) or 'no others'}")
        values = {primary: _check(primary, lam)}
        defaults = dict(self.defaults)
        for key in others:
            if key in params:
                values[key] = _check(key, params[key])
            elif key in defaults:
                values[key] = defaults[key]
            else:
                raise TypeError(f"{self.name} requires the parameter {key}")
        return values

    def threshold(self, lam, **params):
        """``tau``: the coordinate is zero iff ``|z| <= tau``."""
        return float(self._tau(**self.resolve(lam, **params)))

    def __call__(self, z, lam, **params):
        """Apply the rule with the generic parameter convention."""
        return self.estimator(z, **self.resolve(lam, **params))


def _registry():
    entries = [
        ("lasso", lasso, ("lam",), (), _pen_lasso, _inv_lasso, _dinv_lasso, lambda lam: lam),
        ("ridge", ridge, ("lam",), (), _pen_ridge, _inv_ridge, _dinv_ridge, lambda lam: 0.0),
        ("elastic_net", elastic_net, ("lam1", "lam2", "rescaled"), (("rescaled", False),),
         _pen_elastic_net, _inv_elastic_net, _dinv_elastic_net, lambda lam1, lam2, rescaled=False: lam1),
        ("hard", hard_threshold, ("lam",), (), _pen_hard, _inv_hard, _dinv_hard, _tau_hard),
        ("scad", scad, ("lam", "a"), (("a", default("a")),), _pen_scad, _inv_scad, _dinv_scad, lambda lam, a: lam),
        ("mcp", mcp, ("lam", "gamma"), (("gamma", default("gamma")),), _pen_mcp, _inv_mcp, _dinv_mcp, lambda lam, gamma: lam),
        ("bridge", bridge, ("lam", "q"), (), _pen_bridge, _inv_bridge, _dinv_bridge, _tau_bridge),
        # the adaptive penalty's weight is a function of the data: no penalty value of theta alone
        ("adaptive_lasso", adaptive_lasso, ("lam", "adaptive_gamma"), (("adaptive_gamma", default("adaptive_gamma")),),
         None, _inv_adaptive_lasso, _dinv_adaptive_lasso, _tau_adaptive),
    ]
    return {e[0]: Penalty(*e) for e in entries}


PENALTIES = _registry()
"""Registry of the separable rules: name -> :class:`Penalty`.  ``best_subset`` is not separable and not in it."""


def _penalty(name):
    return PENALTIES[check_option(name, "name", tuple(PENALTIES))]


def threshold(name, lam, **params):
    """The threshold ``tau`` of a separable rule: ``theta_hat = 0`` iff ``|z| <= tau``.

    ``lam`` for lasso, scad, mcp; ``0`` for ridge; ``lam`` (= lam1) for the
    elastic net; ``sqrt(2 lam)`` for hard thresholding; ``tau_q`` for bridge.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
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
    float
        The threshold ``tau >= 0``, in the units of ``z``.

    Raises
    ------
    ValueError
        For an unknown ``name`` or a parameter out of range.
    TypeError
        For missing or unknown parameters.

    Examples
    --------
    >>> threshold("hard", 2.0)
    2.0
    >>> threshold("bridge", 1.0, q=0.5)
    1.5
    >>> threshold("elastic_net", 0.5, lam2=2.0), threshold("ridge", 3.0)
    (0.5, 0.0)
    """
    return _penalty(name).threshold(lam, **params)


def rule_arguments(name, lam, params):
    """``(level, keywords)`` for ``PENALTIES[name]`` at the common level ``lam``.

    One level ``lam`` for every estimator; the elastic net follows
    scikit-learn's ``ElasticNet(alpha, l1_ratio)``: ``lam1 = lam * l1_ratio``,
    ``lam2 = lam * (1 - l1_ratio)``.  ``params`` holds the estimators'
    parameters by their registry names (``l1_ratio``, ``a``, ``gamma``, ``q``).
    Nothing is validated here: the rule validates what it receives.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    lam : float
        The common level (the study's and the command line's ``lam``).
    params : dict
        Estimator parameters by registry name, e.g. from
        :func:`mc_sparsity._estimators.registry.resolve_parameters`.  The elastic net needs
        ``l1_ratio`` (``KeyError`` otherwise); for the other rules the keys they
        take are passed on and the rest ignored, so a missing key leaves the
        rule's own default (or its ``TypeError``).

    Returns
    -------
    level : float
        The rule's level: ``lam`` (``lam * l1_ratio`` for the elastic net).
    keywords : dict
        The rule's other parameters, for :func:`threshold` and the rule.

    Examples
    --------
    >>> rule_arguments("elastic_net", 2.0, {"l1_ratio": 0.25})
    (0.5, {'lam2': 1.5})
    >>> rule_arguments("scad", 1.0, {"a": 3.7})
    (1.0, {'a': 3.7})
    >>> rule_arguments("bridge", 2.0, {"a": 4.0, "q": 0.5})  # a is not bridge's
    (2.0, {'q': 0.5})
    """
    _penalty(name)
    return ESTIMATORS[name].rule_arguments(lam, params)


def zero_threshold(name, lam, params):
    """The zero threshold of ``name`` at the common level ``lam`` (see :func:`rule_arguments`).

    Clamped to the largest float: ``sqrt(2 lam)`` may overflow, and for finite
    ``z``, ``|z| <= inf`` is ``|z| <= max float``.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    lam : float
        The common level, ``>= 0``.
    params : dict
        Estimator parameters by registry name, as for :func:`rule_arguments`.

    Returns
    -------
    float
        ``threshold(name, *rule_arguments(name, lam, params))``, at most the
        largest finite float; a coordinate is zero iff ``|z|`` is at most this.

    Examples
    --------
    >>> zero_threshold("hard", 2.0, {})
    2.0
    >>> zero_threshold("elastic_net", 2.0, {"l1_ratio": 0.25})
    0.5
    >>> zero_threshold("hard", 1e308, {}) == float(np.finfo(float).max)  # 2 lam overflows
    True
    """
    record = ESTIMATORS[name]
    if record.threshold is None:
        raise ValueError(f"{name!r} is not a separable thresholding rule")
    return min(float(record.threshold(lam, params)), float(np.finfo(float).max))


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
