"""Exact lasso solutions under a Gram matrix by enumeration of every support and sign pattern (numpy, slow).

The references the compiled solver (:mod:`~mc_sparsity._mc.gram_lasso`) is tested
against, and the solver of the figures and of the Zhao-Yu section, where a few
hundred problems are solved: for ``p <= 10`` every one of the ``3^p`` patterns is
tried and the one whose KKT conditions hold with the largest relative slack is
returned, with that slack (> 0: the conditions hold strictly).
"""

from __future__ import annotations

import itertools

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import Interval, check_gram, check_scalar

__all__ = ["ENUMERATION_MAX_P", "lasso_gram_solve", "constrained_lasso_gram_solve"]

#: Enumeration of the 3^p sign patterns is limited to this p.
ENUMERATION_MAX_P = 10


def _check_reference_inputs(G, vec, name):
    p = np.shape(G)[0] if np.ndim(G) == 2 else -1
    try:
        G = np.array(G, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"G must be a square array of real numbers, got {G!r}") from None
    if G.ndim == 2 and G.shape[0] == G.shape[1] and np.allclose(G, G.T, rtol=0.0, atol=1e-12 * np.max(np.abs(G))):
        G = 0.5 * (G + G.T)  # a Gram matrix X^T X computed in floating point: symmetric to rounding
    G = check_gram(G, p, "G")
    try:
        v = np.array(vec, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an array of real numbers, got {vec!r}") from None
    if v.ndim == 0 or v.shape[-1] != p or not np.all(np.isfinite(v)):
        raise ParameterError(name, f"{name} must be finite with last dimension {p} (the size of G), got shape {v.shape}")
    if p > ENUMERATION_MAX_P:
        raise ParameterError("G", f"G must be at most {ENUMERATION_MAX_P} x {ENUMERATION_MAX_P} "
                                  f"(enumeration of 3^p sign patterns), got p = {p}")
    return G, v, p


def _enumerate(A, z, level, radius=None):
    """Best KKT pattern per row of ``z`` over all supports and signs.

    ``level`` is ``lam`` (penalized) or None (constrained: ``mu`` from ``||b||_1 = radius``).
    Returns ``(b, slack)``: the solution of the pattern with the largest relative
    KKT slack, and that slack (> 0 for a pattern that satisfies KKT strictly).
    """
    n, p = z.shape
    best = np.full(n, -np.inf)
    out = np.zeros((n, p))
    zmax = np.abs(z).max(axis=1)
    for size in range(0 if radius is None else 1, p + 1):
        signs = np.array(list(itertools.product((-1.0, 1.0), repeat=size)), dtype=float).reshape(2**size, size)
        for S in itertools.combinations(range(p), size):
            S = list(S)
            off = [j for j in range(p) if j not in S]
            inv = np.linalg.inv(A[np.ix_(S, S)]) if size else np.zeros((0, 0))
            u = z[:, S] @ inv.T  # (n, size): A^{-1} z_S
            w = signs @ inv.T  # (m, size): A^{-1} s
            if radius is None:
                mu = np.full((1, n), float(level))
            else:
                mu = ((u @ signs.T).T - radius) / np.sum(signs * w, axis=1)[:, None]  # (m, n)
            b = u[None, :, :] - mu[:, :, None] * w[:, None, :]  # (m, n, size)
            scale = zmax[None, :] + np.abs(mu) + np.abs(b).sum(axis=2) * np.abs(A).max()
            slack = np.min(signs[:, None, :] * b, axis=2, initial=np.inf) / scale
            if off:
                c = z[None, :, off] - b @ A[np.ix_(off, S)].T  # (m, n, |off|)
                slack = np.minimum(slack, (mu - np.abs(c).max(axis=2)) / scale)
            if radius is not None:
                slack = np.minimum(slack, mu / scale)
            m_best = np.argmax(slack, axis=0)
            s_best = slack[m_best, np.arange(n)]
            better = s_best > best
            if np.any(better):
                best[better] = s_best[better]
                full = np.zeros((int(better.sum()), p))
                full[:, S] = b[m_best[better], np.flatnonzero(better)]
                out[better] = full
    return out, best


def lasso_gram_solve(G, z, lam, lam2=0.0, *, return_slack=False):
    """Exact solution of ``argmin 1/2 b^T (G + lam2 I) b - z^T b + lam ||b||_1`` (numpy, slow).

    By enumeration of every support and sign pattern (``p <= 10``): the
    solution is the pattern whose KKT conditions hold, ``b_S = A_SS^{-1}(z_S - lam s_S)``
    with ``A = G + lam2 I``, exact zeros off ``S``.  ``lam = 0`` is the smooth
    solve ``A^{-1} z``.  scikit-learn's ``Lasso(alpha=lam/n, fit_intercept=False)``
    on a design with ``X^T X = G`` and ``X^T y = z`` solves the same problem.

    Parameters
    ----------
    G : array_like, shape (p, p)
        Symmetric positive definite Gram matrix.
    z : array_like, shape (..., p)
        ``X^T y``, one problem per row.
    lam, lam2 : float
        L1 level >= 0 and L2 level >= 0.
    return_slack : bool
        Also return the relative KKT slack of each row's pattern (> 0: strict).

    Returns
    -------
    b : ndarray, shape like ``z``
    slack : ndarray, shape ``z.shape[:-1]`` (only if ``return_slack``)

    Examples
    --------
    >>> lasso_gram_solve([[1.0, 0.5], [0.5, 1.0]], [2.0, 0.3], 0.5)
    array([1.5, 0. ])
    """
    G, z, p = _check_reference_inputs(G, z, "z")
    lam = check_scalar(lam, "lam", Interval(0.0, None))
    lam2 = check_scalar(lam2, "lam2", Interval(0.0, None))
    A = G + lam2 * np.eye(p)
    flat = z.reshape(-1, p)
    if lam == 0.0:
        b = np.linalg.solve(A, flat.T).T
        slack = np.full(flat.shape[0], np.inf)
    else:
        b, slack = _enumerate(A, flat, lam)
    b = b.reshape(z.shape)
    return (b, slack.reshape(z.shape[:-1])) if return_slack else b


def constrained_lasso_gram_solve(G, beta_hat, t, *, return_slack=False):
    """Exact ``argmin (b - beta_hat)^T G (b - beta_hat)`` s.t. ``||b||_1 <= t`` (numpy, slow).

    ``b = beta_hat`` inside the ball; outside, the pattern ``(S, s)`` with
    ``mu = (s^T A_SS^{-1} z_S - t)/(s^T A_SS^{-1} s) > 0``,
    ``b_S = A_SS^{-1}(z_S - mu s)`` of signs ``s`` and ``|z_j - G_jS b_S| <= mu``
    off ``S`` (``z = G beta_hat``), found by enumeration (``p <= 10``).  It is the
    penalized lasso at the level ``mu``.

    Parameters
    ----------
    G : array_like, shape (p, p)
        Symmetric positive definite.
    beta_hat : array_like, shape (..., p)
    t : float
        Radius > 0.
    return_slack : bool
        Also return the relative KKT slack (``inf`` inside the ball).

    Returns
    -------
    b : ndarray, shape like ``beta_hat``
    slack : ndarray (only if ``return_slack``)

    Examples
    --------
    >>> constrained_lasso_gram_solve([[1.0, 0.0], [0.0, 1.0]], [2.0, 0.5], 1.0)
    array([1., 0.])
    """
    G, bh, p = _check_reference_inputs(G, beta_hat, "beta_hat")
    t = check_scalar(t, "t", Interval(0.0, None, "right"))
    flat = bh.reshape(-1, p)
    inside = np.abs(flat).sum(axis=1) <= t
    b = flat.copy()
    slack = np.full(flat.shape[0], np.inf)
    if np.any(~inside):
        b_out, s_out = _enumerate(G, flat[~inside] @ G, None, radius=t)
        b[~inside] = b_out
        slack[~inside] = s_out
    b = b.reshape(bh.shape)
    return (b, slack.reshape(bh.shape[:-1])) if return_slack else b
