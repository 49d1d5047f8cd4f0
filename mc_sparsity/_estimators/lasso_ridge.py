"""Closed-form lasso and ridge estimates under an orthonormal design.

With ``X.T @ X = I`` every estimator is a function of the least-squares
estimate ``beta_hat = X.T @ y`` alone.  All functions take ``beta_hat`` of
shape ``(..., p)`` (one draw per row) and return an array of the same shape.

Conventions (state them, because books and libraries differ):

* penalized lasso: ``argmin_b 1/2 ||y - X b||^2 + lam ||b||_1``
  gives the soft threshold at ``lam``.  scikit-learn's ``Lasso(alpha)``
  minimises ``1/(2 n) ||y - X w||^2 + alpha ||w||_1``, so ``lam = n * alpha``.
* penalized ridge: ``argmin_b 1/2 ||y - X b||^2 + lam/2 ||b||_2^2``
  gives ``beta_hat / (1 + lam)``.  scikit-learn's ``Ridge(alpha)`` minimises
  ``||y - X w||^2 + alpha ||w||^2``, so ``lam = alpha`` (ESL's Table 3.4 form).
* constrained lasso: ``argmin ||y - X b||^2`` s.t. ``||b||_1 <= t`` is the
  Euclidean projection of ``beta_hat`` on the L1 ball of radius ``t``.
* constrained ridge: the same with the L2 ball: ``beta_hat * min(1, t/||beta_hat||)``.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "soft_threshold",
    "ridge_shrink",
    "project_l1_ball",
    "project_l2_ball",
    "l1_projection_threshold",
]


def soft_threshold(beta_hat, lam):
    """Penalized lasso: ``sign(z) * max(|z| - lam, 0)`` coordinate-wise.

    ``z`` stands for ``beta_hat``; the minimiser of
    ``1/2 ||y - X b||^2 + lam ||b||_1`` under an orthonormal design.

    Zeros are ``+0.0``.  For ``|z| > lam`` the difference ``|z| - lam`` of two
    distinct floats is never 0, so the result is zero iff ``|z| <= lam``,
    exactly in floating point.

    Parameters
    ----------
    beta_hat : array_like of float
        The least-squares estimate ``z = X.T @ y``, any shape (by convention
        ``(..., p)``, one draw per row); the rule acts on each element.
    lam : float
        The penalty level, ``>= 0``, in the units of ``beta_hat``
        (scikit-learn's ``Lasso(alpha)`` has ``lam = n * alpha``).  Not validated
        here; :func:`mc_sparsity._estimators.penalties.lasso` is the validated form.

    Returns
    -------
    ndarray of float
        The lasso estimate, shaped like ``beta_hat`` (0-d for a scalar).

    Examples
    --------
    >>> soft_threshold([1.5, -0.2, -3.0], 0.5)
    array([ 1. ,  0. , -2.5])
    >>> soft_threshold([[0.5, -0.5000001]], 0.5)  # |z| = lam is a zero
    array([[ 0.e+00, -1.e-07]])
    """
    z = np.asarray(beta_hat, dtype=float)
    return np.where(np.abs(z) > lam, np.sign(z) * (np.abs(z) - lam), 0.0)


def ridge_shrink(beta_hat, lam):
    """Penalized ridge: ``beta_hat / (1 + lam)``, as floating point computes it.

    The minimiser of ``1/2 ||y - X b||^2 + lam/2 ||b||_2^2`` under an
    orthonormal design.  Mathematically zero only where ``beta_hat`` is; in
    floating point the quotient also underflows to 0 (``1e-320 / (1 + 1e10)``),
    and the Monte Carlo counts what this function gives.

    Parameters
    ----------
    beta_hat : array_like of float
        The least-squares estimate ``X.T @ y``, any shape (by convention
        ``(..., p)``, one draw per row).
    lam : float
        The penalty level, ``>= 0``, dimensionless (scikit-learn's
        ``Ridge(alpha)`` has ``lam = alpha``).  Not validated here;
        :func:`mc_sparsity._estimators.penalties.ridge` is the validated form.

    Returns
    -------
    ndarray of float
        The ridge estimate, shaped like ``beta_hat`` (a numpy float for a scalar).

    Examples
    --------
    >>> ridge_shrink([1.5, -0.2], 1.0)
    array([ 0.75, -0.1 ])
    >>> float(ridge_shrink(1e-320, 1e10))  # the quotient underflows
    0.0
    """
    return np.asarray(beta_hat, dtype=float) / (1.0 + lam)


def _l1_projection_parts(z, radius):
    """The active set and threshold of the projection of ``z`` on the L1 ball (rows).

    Duchi et al. (2008), sort-based, ``O(p log p)`` per row: with ``u`` the
    ``|z_j|`` in decreasing order, ``u_j`` is active iff ``u_j > (sum_{i<=j} u_i - t)/j``,
    i.e. iff ``D_j = sum_{i<j} u_i - (j - 1) u_j < t``.  ``D_j`` has no ``- t``
    in it, so the test survives ``t`` far below the rounding of ``u_1`` (the
    form with ``u_1 - t`` rounds back to ``u_1`` and loses the active set).
    ``rho`` active coordinates are the ``rho`` largest (ties share a status),
    ``theta = (sum_{i<=rho} u_i - t)/rho`` (0 inside the ball).

    Returns ``(active, theta)``: a boolean array shaped like ``z`` and the row thresholds.
    """
    a = np.abs(np.asarray(z, dtype=float))
    u = -np.sort(-a, axis=-1)  # |z| in decreasing order
    cs = np.cumsum(u, axis=-1)
    before = np.concatenate([np.zeros_like(cs[..., :1]), cs[..., :-1]], axis=-1)  # sum_{i<j} u_i
    j = np.arange(a.shape[-1])  # j - 1
    rho = np.sum(before - j * u < radius, axis=-1)  # >= 1: D_1 = 0 < t
    smallest_active = np.take_along_axis(u, (rho - 1)[..., None], axis=-1)
    theta = np.take_along_axis(cs, (rho - 1)[..., None], axis=-1)[..., 0] - radius
    theta = np.maximum(theta / rho, 0.0)  # inside the ball: no shrinkage
    return (a >= smallest_active) & (a > 0), theta


def l1_projection_threshold(beta_hat, radius):
    """The soft-threshold level ``theta`` of the projection on the L1 ball (0 inside it).

    ``theta > 0`` solves ``sum_j (|z_j| - theta)^+ = radius`` outside the ball;
    :func:`project_l1_ball` is the soft threshold of each row at its ``theta``.
    Computed by the sort-based algorithm of Duchi et al. (2008),
    ``O(p log p)`` per row.

    Parameters
    ----------
    beta_hat : array_like of float, shape (..., p)
        The least-squares estimates ``z``, one per row (the last axis holds the
        ``p`` coordinates).
    radius : float
        The radius ``t`` of the ball ``||b||_1 <= t``, ``> 0``, in the units of
        ``beta_hat``.  Not validated.

    Returns
    -------
    ndarray of float, shape (...)
        The threshold ``theta >= 0`` of each row, in the units of ``beta_hat``
        (a numpy float for a 1-d ``beta_hat``); 0 for a row inside or on the ball.

    Examples
    --------
    >>> float(l1_projection_threshold([2.0, 0.5], 1.0))  # (2 - 1)^+ + (0.5 - 1)^+ = 1
    1.0
    >>> l1_projection_threshold([[3.0, 1.0, -0.5], [0.3, 0.2, 0.1]], 1.0)  # the second row is inside
    array([2., 0.])
    """
    return _l1_projection_parts(beta_hat, radius)[1]


def project_l1_ball(beta_hat, radius):
    """Constrained lasso: Euclidean projection of each row on ``||b||_1 <= radius``.

    The solution of ``argmin ||y - X b||^2`` s.t. ``||b||_1 <= radius`` under an
    orthonormal design.  The soft threshold of ``beta_hat`` at the projection's
    ``theta`` (:func:`l1_projection_threshold`), with the
    zeros exactly the inactive coordinates: where ``|z_j| - theta`` rounds to 0
    for an active coordinate (``radius`` below the rounding of ``|z|``) the
    smallest subnormal is kept, so no solution loses its last nonzero.  A row
    inside or on the ball is returned unchanged; zeros are ``+0.0``.

    Parameters
    ----------
    beta_hat : array_like of float, shape (..., p)
        The least-squares estimates ``z = X.T @ y``, one per row.
    radius : float
        The radius ``t`` of the L1 ball, ``> 0``, in the units of ``beta_hat``.
        Not validated.

    Returns
    -------
    ndarray of float, shape (..., p)
        The projections, shaped like ``beta_hat``.

    Examples
    --------
    >>> project_l1_ball([2.0, 0.5], 1.0)
    array([1., 0.])
    >>> project_l1_ball([0.3, -0.2], 1.0)
    array([ 0.3, -0.2])
    >>> project_l1_ball([1e17, 0.5], 1.0)  # 1e17 - 1 is not a float: the naive test loses it
    array([5.e-324, 0.e+000])
    """
    z = np.asarray(beta_hat, dtype=float)
    active, theta = _l1_projection_parts(z, radius)
    shrunk = np.maximum(np.abs(z) - np.asarray(theta)[..., None], np.nextafter(0.0, 1.0))
    return np.where(active, np.sign(z) * shrunk, 0.0)


def project_l2_ball(beta_hat, radius):
    """Constrained ridge: ``beta_hat * min(1, radius / ||beta_hat||_2)`` per row.

    The solution of ``argmin ||y - X b||^2`` s.t. ``||b||_2 <= radius`` under an
    orthonormal design.  The norm is computed scaled by the row's largest
    ``|z_j|``, so it does not overflow; a row inside or on the ball, and a row of
    zeros, is returned unchanged.

    Parameters
    ----------
    beta_hat : array_like of float, shape (..., p)
        The least-squares estimates ``z = X.T @ y``, one per row.
    radius : float
        The radius ``t`` of the L2 ball, ``> 0``, in the units of ``beta_hat``.
        Not validated.

    Returns
    -------
    ndarray of float, shape (..., p)
        The projections, shaped like ``beta_hat``.  A coordinate is zero only
        where ``beta_hat`` is (or where the product underflows).

    Examples
    --------
    >>> project_l2_ball([3.0, 4.0], 1.0)
    array([0.6, 0.8])
    >>> project_l2_ball([[3.0, 4.0], [0.3, 0.4], [0.0, 0.0]], 1.0)
    array([[0.6, 0.8],
           [0.3, 0.4],
           [0. , 0. ]])
    """
    z = np.asarray(beta_hat, dtype=float)
    # The norm scaled by the largest |z_j|, so that it cannot overflow (the kernel does the same).
    largest = np.max(np.abs(z), axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        norm = largest * np.sqrt(np.sum((np.abs(z) / largest) ** 2, axis=-1, keepdims=True))
        scale = np.where(largest > 0, np.minimum(1.0, radius / norm), 1.0)
    return z * scale
