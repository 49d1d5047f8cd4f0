r"""Exact support-recovery probabilities of the lasso and elastic net under a fixed Gram matrix.

Setting (MATH.md, "Are they the right zeros?"): ``z = X^T y = G beta_hat ~ N(G beta, sigma^2 G)``
and the solution minimises ``1/2 b^T G b - z^T b + lam ||b||_1 + lam2/2 ||b||^2``; write
``A = G + lam2 I``.  All quantities are computed in units of ``sigma``.

The solution has support ``S`` and signs ``s`` (on ``S``) exactly when
(strict inequalities, which hold with probability 1)

* ``s * b_S > 0`` with ``b_S = A_SS^{-1} (z_S - lam s)`` (``k = |S|`` inequalities), and
* ``|u| < lam`` with ``u = z_Sc - G_ScS b_S`` (strict dual feasibility, ``2 (p - k)``).

``W = (s * b_S, u)`` is an affine function of ``z``, hence Gaussian, and the cell's
probability is the Gaussian rectangle probability ``P(0 < s b_S, -lam < u < lam)``.
For the lasso (``lam2 = 0``) ``Cov(u, z_S) = G_ScS - G_ScS G_SS^{-1} G_SS = 0``: ``u`` is
independent of ``b_S`` and the cell is the product of a ``k``-dimensional orthant probability
(covariance ``D_s G_SS^{-1} D_s``) and a ``(p - k)``-dimensional box probability (covariance
the Schur complement ``G_ScSc - G_ScS G_SS^{-1} G_SSc``, mean ``(G/G_SS) beta_Sc + lam
G_ScS G_SS^{-1} s``).  Each factor is computed on its own: dimension 0 is 1, dimension 1 is
closed form (every QMC point gives the exact value), a 2-dimensional orthant by Owen's T
(:mod:`mc_sparsity._exact.correlated`), anything else by randomized QMC with variable ordering
(:mod:`mc_sparsity._exact.rectangle`).  With ``lam2 > 0`` the ``p``-dimensional rectangle is
integrated jointly.

Every cell yields ``R = 16`` independent unbiased replicate estimates (products of independent
factors' replicates are unbiased); an estimand that is a linear combination of cells
(``support``: the ``2^k`` sign patterns on ``S``; ``superset``: every ``T`` containing ``S``
with every sign pattern, ``2^k 3^(p-k)`` cells; the means: all ``3^p`` cells) is estimated
replicate by replicate, and ``error`` is 4 standard errors of the mean of the ``R`` combined
replicates, plus the mass of cells skipped because an upper bound put them below
``1e-15 / 3^p``, plus rounding.  The number of points is doubled (from ``2^10`` per replicate)
until ``error <= target_error`` or ``2^16`` points.  ``superset`` and the means enumerate
``3^p`` cells: computed for ``p <= MAX_P_CELLS = 6`` (729 cells; p = 8, 6561 cells, took minutes);
``signed_support`` and ``support`` for ``p <= 12``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._base.errors import ParameterError
from .correlated import _log_upper_orthant
from .rectangle import rectangle_replicates

__all__ = ["cell_replicates", "support_cells_estimate", "MAX_P_CELLS", "MAX_P_SUPPORT"]

#: Largest p for the estimands that enumerate all 3^p (support, sign) cells.
MAX_P_CELLS = 6
#: Largest p for signed_support and support (2^k cells of dimension <= p).
MAX_P_SUPPORT = 12
_REPLICATES = 16
_SE_FACTOR = 4.0
_N_LOG2_START = 10
_N_LOG2_MAX = 16
_EPS = np.finfo(float).eps


def _factor_moments(gram, a_mat, m, ell, support, signs):
    """Means, covariances and bounds of the cell vector(s) for one support and a batch of sign patterns.

    Returns a list of factors, each ``(means (B, d), cov (B, d, d), lower (B, d), upper (B, d), orthant)``;
    the cell probability is the product of the factors' rectangle probabilities.
    """
    p = m.size
    s_idx = np.asarray(support, dtype=int)
    c_idx = np.setdiff1d(np.arange(p), s_idx)
    k, n_b = s_idx.size, signs.shape[0]
    mu_z = gram @ m
    # W = M z + c: rows of b_S = A_SS^-1 (z_S - ell s), u = z_Sc - G_ScS b_S.
    a_inv = np.linalg.inv(a_mat[np.ix_(s_idx, s_idx)]) if k else np.zeros((0, 0))
    sel_s = np.eye(p)[s_idx]
    sel_c = np.eye(p)[c_idx]
    m_b = a_inv @ sel_s  # b_S = m_b z - ell a_inv s
    m_u = sel_c - gram[np.ix_(c_idx, s_idx)] @ m_b
    off_b = -ell * signs @ a_inv.T  # (B, k)
    off_u = -off_b @ gram[np.ix_(c_idx, s_idx)].T  # (B, p - k)
    mean_b = (m_b @ mu_z)[None, :] + off_b
    mean_u = (m_u @ mu_z)[None, :] + off_u
    big = np.vstack([m_b, m_u])
    cov = big @ gram @ big.T
    cov = 0.5 * (cov + cov.T)
    flips = np.concatenate([signs, np.ones((n_b, p - k))], axis=1)  # s * b_S, u unsigned
    lower = np.concatenate([np.zeros((n_b, k)), np.full((n_b, p - k), -ell)], axis=1)
    upper = np.concatenate([np.full((n_b, k), np.inf), np.full((n_b, p - k), ell)], axis=1)
    means = flips * np.concatenate([mean_b, mean_u], axis=1)
    covs = flips[:, :, None] * cov[None] * flips[:, None, :]
    if np.array_equal(a_mat, gram):  # lasso: u independent of b_S, two factors
        parts = [(slice(0, k), True), (slice(k, p), False)]
    else:
        parts = [(slice(0, p), k == p)]
    return [(means[:, sl], covs[:, sl, sl], lower[:, sl], upper[:, sl], orth) for sl, orth in parts]


def cell_replicates(gram, m, ell, cells, seed, *, lam2=0.0, n_log2=_N_LOG2_START, skip=0.0):
    """Replicate estimates of ``P(signed support = (S, s))`` for a list of cells, in units of sigma.

    Parameters
    ----------
    gram : ndarray (p, p)
    m, ell : ndarray (p,), float
        ``beta / sigma`` and ``lam / sigma``.
    cells : list of (tuple of int, ndarray of +-1)
        Supports ``S`` (sorted indices) with sign patterns on them.
    seed : numpy.random.SeedSequence
    lam2 : float
    n_log2 : int
        ``2**n_log2`` QMC points per replicate.
    skip : float
        Factors whose upper bound is at most ``skip`` count as 0 (their bound in ``skipped``).

    Returns
    -------
    estimates : ndarray (len(cells), R)
    skipped : ndarray (len(cells),)
        Bound on the mass lost to skipping, per cell.

    Examples
    --------
    >>> est, sk = cell_replicates(np.eye(2), np.array([1.0, 0.0]), 0.5, [((0,), np.array([1.0]))],
    ...                           np.random.SeedSequence(0))
    >>> from scipy.special import ndtr
    >>> bool(np.allclose(est, ndtr(0.5) * (2 * ndtr(0.5) - 1)))
    True
    """
    p = m.size
    a_mat = gram + lam2 * np.eye(p)
    by_support = {}
    for c, (support, s) in enumerate(cells):
        by_support.setdefault(tuple(support), []).append((c, np.asarray(s, dtype=float).reshape(len(support))))
    estimates = np.ones((len(cells), _REPLICATES))
    skipped = np.zeros(len(cells))
    # Batch the factors by dimension (one vectorized QMC pass per dimension and kind).
    batches = {}
    for support, members in by_support.items():
        index = np.array([c for c, _ in members])
        signs = np.array([s for _, s in members]).reshape(len(members), len(support))
        for f, (means, covs, lower, upper, orth) in enumerate(_factor_moments(gram, a_mat, m, ell, support, signs)):
            d = means.shape[1]
            if d == 0:
                continue
            if orth and d == 2:  # Owen's T: deterministic, accurate far into the tail
                for c, mean, cov in zip(index, means, covs):
                    sd = np.sqrt(np.diag(cov))
                    r = min(1.0, max(-1.0, cov[0, 1] / (sd[0] * sd[1])))
                    log_p, rel = _log_upper_orthant(-mean[0] / sd[0], -mean[1] / sd[1], r)
                    estimates[c] *= math.exp(log_p)
                    skipped[c] += rel * math.exp(log_p)
                continue
            key = (d, f)
            batch = batches.setdefault(key, [[], [], [], [], []])
            for part, values in zip(batch, (index, means, covs, lower, upper)):
                part.append(values)
    for key, (index, means, covs, lower, upper) in sorted(batches.items()):
        child = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key + key)
        est, sk = rectangle_replicates(np.concatenate(means), np.concatenate(covs), np.concatenate(lower),
                                       np.concatenate(upper), child, n_log2=n_log2, replicates=_REPLICATES,
                                       skip=skip)
        index = np.concatenate(index)
        estimates[index] *= est
        skipped[index] += sk  # a skipped factor: the cell is at most its bound (other factors <= 1)
    return estimates, skipped


def all_cells(p, within=None):
    """Every (support, signs) cell, or those whose support contains ``within``."""
    base = set(within or ())
    cells = []
    for k in range(p + 1):
        for support in itertools.combinations(range(p), k):
            if not base <= set(support):
                continue
            for s in itertools.product((1.0, -1.0), repeat=k):
                cells.append((support, np.array(s)))
    return cells


def support_cells_estimate(gram, m, ell, cells, weights, seed, *, lam2=0.0, target_error=1e-5):
    """``sum_c weights[c] P(cell c)`` with an error bound, refining the QMC until the bound is met.

    Returns ``(value, error)``; the error is 4 standard errors of the replicate
    means plus ``sum |w_c|`` times the skipped mass plus rounding.  Points per
    replicate double from ``2^10`` until ``error <= target_error`` (or ``2^16``).
    """
    weights = np.asarray(weights, dtype=float)
    skip = 1e-15 / 3.0 ** m.size
    n_log2 = _N_LOG2_START
    while True:
        est, skipped = cell_replicates(gram, m, ell, cells, seed, lam2=lam2, n_log2=n_log2, skip=skip)
        totals = weights @ est
        value = float(np.mean(totals))
        se = float(np.std(totals, ddof=1)) / math.sqrt(totals.size)
        scale = float(np.abs(weights) @ np.mean(est, axis=1))
        error = _SE_FACTOR * se + float(np.abs(weights) @ skipped) + 64 * _EPS * (1.0 + scale)
        if error <= target_error or n_log2 >= _N_LOG2_MAX:
            return value, error
        n_log2 += 2


def check_cells_size(p, estimand):
    """Raise ParameterError when the estimand's cell enumeration is beyond its limit."""
    limit = MAX_P_SUPPORT if estimand in ("signed_support", "support") else MAX_P_CELLS
    if p > limit:
        raise ParameterError("gram", f"estimand {estimand!r} under a correlated design is computed for "
                             f"p <= {limit} (it enumerates up to 3^p support and sign cells), got p = {p}")
