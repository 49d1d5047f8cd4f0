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

    Examples
    --------
    >>> soft_threshold([1.5, -0.2, -3.0], 0.5)
    array([ 1. , -0. , -2.5])
    """
    z = np.asarray(beta_hat, dtype=float)
    return np.sign(z) * np.maximum(np.abs(z) - lam, 0.0)


def ridge_shrink(beta_hat, lam):
    """Penalized ridge: ``beta_hat / (1 + lam)``; zero only where ``beta_hat`` is.

    Examples
    --------
    >>> ridge_shrink([1.5, -0.2], 1.0)
    array([ 0.75, -0.1 ])
    """
    return np.asarray(beta_hat, dtype=float) / (1.0 + lam)


def l1_projection_threshold(beta_hat, radius):
    """The soft-threshold level ``theta`` of the projection on the L1 ball.

    ``theta = 0`` for rows inside the ball, otherwise the ``theta > 0`` with
    ``sum_j (|z_j| - theta)^+ = radius``, found by the sort-based method of
    Duchi et al. (2008) in ``O(p log p)`` per row.
    """
    z = np.abs(np.asarray(beta_hat, dtype=float))
    u = -np.sort(-z, axis=-1)  # |z| in decreasing order
    css = np.cumsum(u, axis=-1) - radius
    j = np.arange(1, z.shape[-1] + 1)
    # rho = the largest j with u_j > (css_j)/j; always >= 1 when outside the ball
    active = u * j > css
    rho = z.shape[-1] - np.argmax(active[..., ::-1], axis=-1)
    theta = np.take_along_axis(css, (rho - 1)[..., None], axis=-1)[..., 0] / rho
    # Inside the ball the formula gives theta <= 0: no shrinkage.
    return np.maximum(theta, 0.0)


def project_l1_ball(beta_hat, radius):
    """Constrained lasso: Euclidean projection of each row on ``||b||_1 <= radius``.

    Examples
    --------
    >>> project_l1_ball([2.0, 0.5], 1.0)
    array([1., 0.])
    >>> project_l1_ball([0.3, -0.2], 1.0)
    array([ 0.3, -0.2])
    """
    z = np.asarray(beta_hat, dtype=float)
    theta = l1_projection_threshold(z, radius)
    return soft_threshold(z, np.asarray(theta)[..., None])


def project_l2_ball(beta_hat, radius):
    """Constrained ridge: ``beta_hat * min(1, radius / ||beta_hat||_2)`` per row.

    Examples
    --------
    >>> project_l2_ball([3.0, 4.0], 1.0)
    array([0.6, 0.8])
    """
    z = np.asarray(beta_hat, dtype=float)
    norm = np.linalg.norm(z, axis=-1, keepdims=True)
    with np.errstate(divide="ignore"):
        scale = np.minimum(1.0, radius / norm)
    return z * scale
