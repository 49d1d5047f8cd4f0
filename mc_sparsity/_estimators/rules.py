"""The separable thresholding rules beyond the lasso, and best subset (conventions: ``penalties``).

Under an orthonormal design each coordinate's estimate is ``theta_hat = g(z)`` with ``z = beta_hat_j``; the
rules here compute ``g`` (and best subset, which keeps the largest ``|z_j|``).  Every rule is zero exactly
when ``|z| <= tau`` in floating point too (``_finish``), which the compiled kernels rely on.
"""

from __future__ import annotations

import numpy as np

from .lasso_ridge import ridge_shrink, soft_threshold
from .registry import PARAMETERS, default
from .._base.validation import Interval, check_count, check_scalar

__all__ = ["lasso", "ridge", "elastic_net", "hard_threshold", "best_subset", "scad", "mcp", "adaptive_lasso",
           "bridge", "bridge_jump"]

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
    tau = float(lam ** (1.0 / (1.0 + adaptive_gamma)))
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
