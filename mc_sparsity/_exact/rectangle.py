r"""Gaussian rectangle probabilities ``P(lower < W < upper)``, ``W ~ N(mean, cov)``, by randomized QMC.

Genz's separation of variables (Genz 1992; Genz and Bretz 2009, ch. 4): with
``cov = L L^T`` and ``W = mean + L e``, the probability is the integral over
the unit cube of a product of one-dimensional normal interval probabilities,
each conditional on the previous coordinates, which are drawn from their
truncated normal laws by inversion.  Two things make it sharp:

* *Variable ordering* (Genz and Bretz 2009, section 4.1.3; Gibson, Glasbey and
  Elston 1994): the coordinates are reordered, greedily, so that the most
  constraining interval (given the expected values of the earlier truncated
  coordinates) comes first.  The integrand then varies least in the last
  coordinates, and the QMC variance drops by one or two orders of magnitude.
* *Randomized QMC*: scrambled Sobol' points (``scipy.stats.qmc.Sobol``); each
  of ``replicates`` independent scrambles gives an unbiased estimate, so their
  spread gives an honest standard error.

Many rectangles (the cells of a sum) are computed on the same points, in one
vectorized pass; the caller combines the per-replicate estimates linearly
(sums of cells, expectations over cells) and takes the standard error of the
combination across replicates.  A one-dimensional rectangle is computed
exactly by every point (the integrand is constant).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special
from scipy.stats import qmc

__all__ = ["rectangle_replicates", "order_rectangle"]

_TINY_U = 2.0**-60


def _interval(a, b):
    """``Phi(b) - Phi(a)`` elementwise, reflected into the lower tail where both ends are positive."""
    flip = a > 0
    lo = np.where(flip, -b, a)
    hi = np.where(flip, -a, b)
    return special.ndtr(hi) - special.ndtr(lo), flip, lo


def order_rectangle(cov, lower, upper):
    """Greedy variable ordering and the Cholesky factor in that order.

    Parameters
    ----------
    cov : ndarray of shape (d, d)
    lower, upper : ndarray of shape (d,)
        Bounds of the centred vector ``W - mean`` (``-inf``/``inf`` allowed).

    Returns
    -------
    perm : ndarray of int
        The order: coordinate ``perm[i]`` is integrated ``i``-th.
    chol : ndarray of shape (d, d)
        Lower-triangular, ``chol @ chol.T == cov[perm][:, perm]``.
    bound : float
        ``min_i P(lower_i < W_i < upper_i)`` (marginal): an upper bound on the probability.

    Examples
    --------
    >>> perm, chol, bound = order_rectangle(np.eye(2), np.array([-1.0, 0.0]), np.array([1.0, 0.1]))
    >>> perm.tolist(), round(bound, 4)
    [1, 0, 0.0398]
    """
    d = lower.size
    c = np.array(cov, dtype=float)
    a, b = np.array(lower, dtype=float), np.array(upper, dtype=float)
    perm = np.arange(d)
    chol = np.zeros((d, d))
    y = np.zeros(d)
    sd0 = np.sqrt(np.diag(c))
    bound = float(np.min(_interval(a / sd0, b / sd0)[0])) if d else 1.0
    for i in range(d):
        shift = chol[i:, :i] @ y[:i]
        var = np.diag(c)[i:] - np.sum(chol[i:, :i] ** 2, axis=1)
        sd = np.sqrt(np.maximum(var, 1e-300))
        prob, _, _ = _interval((a[i:] - shift) / sd, (b[i:] - shift) / sd)
        j = i + int(np.argmin(prob))
        if j != i:  # swap i and j everywhere
            for arr in (a, b, perm):
                arr[[i, j]] = arr[[j, i]]
            c[[i, j], :] = c[[j, i], :]
            c[:, [i, j]] = c[:, [j, i]]
            chol[[i, j], :] = chol[[j, i], :]
        piv = c[i, i] - chol[i, :i] @ chol[i, :i]
        if piv <= 0:
            raise np.linalg.LinAlgError("covariance not positive definite")
        chol[i, i] = math.sqrt(piv)
        chol[i + 1:, i] = (c[i + 1:, i] - chol[i + 1:, :i] @ chol[i, :i]) / chol[i, i]
        lo = (a[i] - chol[i, :i] @ y[:i]) / chol[i, i]
        hi = (b[i] - chol[i, :i] @ y[:i]) / chol[i, i]
        mass = float(_interval(np.array(lo), np.array(hi))[0])
        if mass > 1e-300:  # the expected value of the truncated standard normal
            y[i] = (math.exp(-0.5 * lo * lo if math.isfinite(lo) else -np.inf)
                    - math.exp(-0.5 * hi * hi if math.isfinite(hi) else -np.inf)) / (math.sqrt(2 * math.pi) * mass)
        else:
            y[i] = lo if math.isfinite(lo) else hi
    return perm, chol, bound


def rectangle_replicates(means, covs, lower, upper, seed, *, n_log2=10, replicates=16, skip=0.0):
    """Per-replicate RQMC estimates of ``P(lower < W < upper)`` for a batch of rectangles of one dimension.

    Parameters
    ----------
    means : ndarray of shape (B, d)
    covs : ndarray of shape (B, d, d)
    lower, upper : ndarray of shape (B, d)
    seed : numpy.random.SeedSequence
        Spawns one child per replicate (the same points for every rectangle).
    n_log2 : int
        ``2**n_log2`` Sobol' points per replicate.
    replicates : int
    skip : float
        Rectangles whose upper bound (smallest marginal probability) is at most
        ``skip`` are not integrated: estimate 0, their bound returned in ``skipped``.

    Returns
    -------
    estimates : ndarray of shape (B, replicates)
        Unbiased, independent across replicates.
    skipped : ndarray of shape (B,)
        The bound on the mass of each skipped rectangle (0 for the others).

    Examples
    --------
    >>> est, skipped = rectangle_replicates(np.zeros((1, 2)), np.eye(2)[None], np.full((1, 2), -1.0),
    ...                                     np.ones((1, 2)), np.random.SeedSequence(0))
    >>> bool(abs(est.mean() - (2 * 0.8413447460685429 - 1) ** 2) < 1e-6)
    True
    """
    means = np.asarray(means, dtype=float)
    n_cells, d = means.shape
    estimates = np.zeros((n_cells, replicates))
    skipped = np.zeros(n_cells)
    if d == 0:
        estimates[:] = 1.0
        return estimates, skipped
    lo_c, hi_c = lower - means, upper - means
    chols = np.zeros((n_cells, d, d))
    keep = np.zeros(n_cells, dtype=bool)
    for c in range(n_cells):
        perm, chol, bound = order_rectangle(covs[c], lo_c[c], hi_c[c])
        if bound <= skip:
            skipped[c] = bound
            continue
        keep[c] = True
        lo_c[c], hi_c[c], chols[c] = lo_c[c][perm], hi_c[c][perm], chol
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return estimates, skipped
    n = 1 << n_log2
    chunk = max(1, (1 << 21) // (n * d))
    for r, child in enumerate(seed.spawn(replicates)):
        if d > 1:
            sobol = qmc.Sobol(d=d - 1, scramble=True, rng=np.random.default_rng(child))
            u = np.clip(sobol.random_base2(n_log2), _TINY_U, 1.0 - 2.0**-53)
        for start in range(0, idx.size, chunk):
            cells = idx[start:start + chunk]
            chol, lo_b, hi_b = chols[cells], lo_c[cells], hi_c[cells]
            e = np.zeros((cells.size, n, d))
            weight = np.ones((cells.size, n))
            for i in range(d):
                shift = np.einsum("cnj,cj->cn", e[:, :, :i], chol[:, i, :i])
                diag = chol[:, i, i][:, None]
                a = (lo_b[:, i, None] - shift) / diag
                b = (hi_b[:, i, None] - shift) / diag
                prob, flip, low = _interval(a, b)
                prob = np.maximum(prob, 0.0)
                weight *= prob
                if i < d - 1:  # draw e_i from N(0, 1) truncated to (a, b), by inversion in the lower tail
                    x = special.ndtri(np.clip(special.ndtr(low) + u[None, :, i] * prob, 1e-300, 1.0 - 1e-16))
                    e[:, :, i] = np.where(flip, -x, x)
            estimates[cells, r] = weight.mean(axis=1)
    return estimates, skipped
