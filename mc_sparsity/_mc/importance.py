"""Importance sampling of P(sparse) and P(not sparse) where they are far too small for plain Monte Carlo.

Orthonormal design, ``x = beta_hat ~ N(beta, sigma^2 I)``.  Every sampler
returns an unbiased estimate of the probability ``P`` in the form
``P_hat = S * mean(w_i / S)``: the kernel sums the scaled weights ``w_i / S``
(numbers of order 1) and their squares, and the constant ``S`` is kept on the
log scale, so ``log P_hat = log S + log(mean(w/S))`` is finite for
``log P = -764`` or ``-2600`` where ``P`` itself underflows.

Samplers
--------
``"union"`` -- penalized lasso, ``P(sparse) = P(E_1 u ... u E_p)``, ``E_j =
    {|x_j| <= lam}``: the ALOE sampler of Owen, Maximov and Chertkov (2019,
    "Importance sampling the union of rare events with an application to power
    systems analysis", Electron. J. Statist. 13).  Pick ``j`` with probability
    ``q_j / S``, ``q_j = P(E_j)``, ``S = sum_k q_k``; draw ``x_j`` from its
    normal law truncated to ``[-lam, lam]`` and the others from their normal
    laws; the weight is ``w = S / C``, ``C >= 1`` the number of events that
    occur.  Unbiased: ``E[w] = sum_j q_j E[1/C | E_j] = E[sum_j 1{E_j} / C] = P``.
    Second moment ``E[w^2] = S E[1{union} / C] <= S P``, hence
    ``Var(w) <= P (S - P)`` and the relative variance of one draw is at most
    ``S / P - 1 <= p - 1`` (``S <= p P`` by the union bound); it is 0 when
    the events are disjoint (``C = 1`` always).  ``w / S = 1 / C`` lies in
    ``[1/p, 1]``.
    The same sampler gives the constrained form's complement at ``p = 2``:
    with ``u = (x1 + x2)/sqrt 2``, ``v = (x1 - x2)/sqrt 2`` (independent) and
    ``c = t / sqrt 2``, no zero iff ``|u| < c`` or ``|v| < c``, a union of two
    slabs.
``"conditional"`` -- penalized complement, ``P(not sparse) = prod_j P(|x_j| > lam)``:
    the intersection of independent events.  Drawing every ``x_j`` from its
    law given ``|x_j| > lam`` gives the constant weight ``prod_j P(|x_j| > lam)``:
    a zero-variance sampler whose estimate *is* the closed form.  It is kept,
    honestly labelled, for a uniform interface (and its draws check the
    conditional sampler: ``hits`` must equal the replications); it carries no
    information beyond ``exact_sparse_probability``.
``"dominating_points"`` -- constrained form, ``p = 2``, ``P(sparse) =
    P(|u| >= c, |v| >= c)``, the four quadrants ``Q_k = {s_u u >= c, s_v v >= c}``
    (the four wedges beyond the L1 diamond's vertices).  The proposal is the
    mixture ``sum_k pi_k N(d_k, sigma^2 I)`` of normals shifted to each
    quadrant's dominating point ``d_k`` (the point of ``Q_k`` nearest the
    mean ``m``: coordinatewise ``s max(c, s m)``), ``pi_k`` proportional to
    ``exp(-|d_k - m|^2 / (2 sigma^2))``; the weight is ``w = phi(x; m) /
    sum_k pi_k phi(x; d_k)`` on the event, 0 off it.  Since ``Q_k`` is convex,
    ``(x - d_k).(d_k - m) >= 0`` on it, so ``w <= exp(-|d_k - m|^2 / (2 sigma^2)) / pi_k``:
    with ``S = sum_k exp(-|d_k - m|^2 / (2 sigma^2))`` the scaled weight
    ``w / S <= 1 / pi_k`` is bounded (bounded relative error as the event
    recedes).  The pieces could also be sampled exactly (u and v are
    independent), which would again be zero-variance; the mixture is the
    method that does not need the product form.

Truncated normals are drawn by rejection, exactly and without special
functions, however far the interval is from the mean: Robert (1995)'s
exponential proposal for a one-sided tail, a uniform proposal for a narrow
interval, plain normal draws for a wide interval around the mean.  Random
numbers are therefore not the draw-for-draw stream of the plain kernels.

Kernels follow the engine's protocol ``f(rng, n, *args, counts, sums)``:
``counts = [replications, draws in the event]`` (int64), ``sums = [sum w/S,
sum (w/S)^2]`` (float64), accumulated sequentially.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np
from scipy import special

from .engine import Kernel
from .._base.errors import ParameterError
from .._exact.orthonormal import log_nonzero_probability, log_zero_probability
from .._base.validation import Interval, check_beta, check_count, check_scalar

__all__ = [
    "ImportanceEstimate",
    "ImportancePlan",
    "importance_sampling_plan",
    "importance_sampling_kernel",
    "estimate_from_sums",
    "importance_sample",
    "importance_interval",
    "INTERVAL_METHODS",
]

_SQRT2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)


# --------------------------------------------------------------------------- compiled
@numba.njit(cache=True, nogil=True)
def _tail_draw(rng, a, b):  # pragma: no cover - compiled
    """``N(0, 1)`` conditioned on ``[a, b]``, ``0 <= a < b <= inf``."""
    lam = 0.5 * (a + math.sqrt(a * a + 4.0))  # Robert's optimal exponential rate
    if (b - a) * lam < 1.0:  # narrow: uniform proposal, acceptance >= exp(-3/2)
        while True:
            x = a + (b - a) * rng.random()
            if rng.random() <= math.exp(0.5 * (a - x) * (a + x)):
                return x
    while True:  # a + Exp(lam), accepted with exp(-(x - lam)^2 / 2)
        x = a - math.log1p(-rng.random()) / lam
        if x <= b and rng.random() <= math.exp(-0.5 * (x - lam) * (x - lam)):
            return x


@numba.njit(cache=True, nogil=True)
def _truncated_draw(rng, a, b):  # pragma: no cover - compiled
    """``N(0, 1)`` conditioned on ``[a, b]``, ``a < b`` (either may be infinite)."""
    if a >= 0.0:
        return _tail_draw(rng, a, b)
    if b <= 0.0:
        return -_tail_draw(rng, -b, -a)
    if b - a < _SQRT_2PI:  # around 0 and narrow: uniform proposal
        while True:
            x = a + (b - a) * rng.random()
            if rng.random() <= math.exp(-0.5 * x * x):
                return x
    while True:  # around 0 and wide: acceptance >= 0.49
        z = rng.standard_normal()
        if a <= z <= b:
            return z


@numba.njit(cache=True, nogil=True)
def _truncated_sample(rng, a, b, out):  # pragma: no cover - compiled
    for i in range(out.shape[0]):
        out[i] = _truncated_draw(rng, a, b)


@numba.njit(cache=True, nogil=True)
def union_kernel(rng, n, mean, sigma, tau, cumulative, counts, sums):  # pragma: no cover - compiled
    """ALOE: ``P(union_j {|mean_j + sigma z_j| <= tau})``; adds ``1/C`` and ``1/C^2`` to ``sums``.

    ``cumulative[j]`` is ``sum_{k <= j} q_k / S``, the selection law.
    """
    p = mean.shape[0]
    s1 = 0.0
    s2 = 0.0
    for _ in range(n):
        u = rng.random()
        chosen = p - 1
        for j in range(p - 1):
            if u < cumulative[j]:
                chosen = j
                break
        c = 0
        for j in range(p):
            if j == chosen:
                _truncated_draw(rng, (-tau - mean[j]) / sigma, (tau - mean[j]) / sigma)
                c += 1  # in E_j by construction, whatever the rounding of x_j
            else:
                x = mean[j] + sigma * rng.standard_normal()
                if abs(x) <= tau:
                    c += 1
        w = 1.0 / c
        s1 += w
        s2 += w * w
    counts[0] += n
    counts[1] += n
    sums[0] += s1
    sums[1] += s2


@numba.njit(cache=True, nogil=True)
def conditional_kernel(rng, n, mean, sigma, tau, upper, counts, sums):  # pragma: no cover - compiled
    """Each ``x_j`` given ``|x_j| > tau`` (upper side with probability ``upper[j]``): weight ``S``, ``w/S = 1``."""
    p = mean.shape[0]
    hits = 0
    for _ in range(n):
        inside = True
        for j in range(p):
            if rng.random() < upper[j]:
                z = _truncated_draw(rng, (tau - mean[j]) / sigma, np.inf)
            else:
                z = _truncated_draw(rng, -np.inf, (-tau - mean[j]) / sigma)
            if not abs(mean[j] + sigma * z) > tau:
                inside = False
        hits += inside
        if inside:
            sums[0] += 1.0
            sums[1] += 1.0
    counts[0] += n
    counts[1] += hits


@numba.njit(cache=True, nogil=True)
def dominating_points_kernel(rng, n, mean, sigma, c, points, cumulative, log_pi, log_scale, counts, sums):  # pragma: no cover
    """Mixture of ``N(points[k], sigma^2 I)`` for ``P(|u| >= c, |v| >= c)``, ``(u, v) ~ N(mean, sigma^2 I)``."""
    K = points.shape[0]
    s1 = 0.0
    s2 = 0.0
    hits = 0
    inv = 0.5 / (sigma * sigma)
    for _ in range(n):
        r = rng.random()
        k = K - 1
        for i in range(K - 1):
            if r < cumulative[i]:
                k = i
                break
        u = points[k, 0] + sigma * rng.standard_normal()
        v = points[k, 1] + sigma * rng.standard_normal()
        if abs(u) >= c and abs(v) >= c:
            log_target = -inv * ((u - mean[0]) ** 2 + (v - mean[1]) ** 2)
            top = -np.inf
            for i in range(K):
                e = log_pi[i] - inv * ((u - points[i, 0]) ** 2 + (v - points[i, 1]) ** 2)
                top = max(top, e)
            acc = 0.0
            for i in range(K):
                acc += math.exp(log_pi[i] - inv * ((u - points[i, 0]) ** 2 + (v - points[i, 1]) ** 2) - top)
            w = math.exp(log_target - top - math.log(acc) - log_scale)
            s1 += w
            s2 += w * w
            hits += 1
    counts[0] += n
    counts[1] += hits
    sums[0] += s1
    sums[1] += s2


# --------------------------------------------------------------------------- Python side
@dataclass(frozen=True)
class ImportancePlan:
    """A compiled sampler and its scale: ``P_hat = exp(log_scale) * sums[0] / counts[0]``."""

    kernel: Kernel
    log_scale: float
    method: str
    #: ``log q_j`` of the union sampler's events (``None`` for the other samplers): the structure that
    #: bounds its variance where the sample cannot show it (:func:`importance_interval`).
    log_q: tuple | None = None


@dataclass(frozen=True)
class ImportanceEstimate:
    """An importance-sampling estimate.

    Attributes
    ----------
    estimate, log_estimate : float
        ``P_hat`` and its log (finite where ``P_hat`` underflows; ``-inf`` if no draw hit the event).
    std_error : float
        Standard error of ``P_hat`` (the sample standard deviation of the weights over ``sqrt(n)``).
    relative_error : float
        ``std_error / estimate``, also the standard error of ``log_estimate`` (delta method);
        ``inf`` if no draw hit the event.
    replications, hits : int
        Draws made, and draws inside the event.
    """

    estimate: float
    log_estimate: float
    std_error: float
    relative_error: float
    replications: int
    hits: int


def _check(beta, sigma, lam, radius):
    try:
        beta = check_beta(beta)
    except ValueError as exc:
        raise ParameterError("beta", str(exc)) from None
    try:
        sigma = check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
    except ValueError as exc:
        raise ParameterError("sigma", str(exc)) from None
    if (lam is None) == (radius is None):
        raise ParameterError("lam", "give exactly one of lam (penalized form) or radius (constrained form)")
    name, value = ("lam", lam) if lam is not None else ("radius", radius)
    try:
        value = check_scalar(value, name, Interval(0, None, closed="neither"))
    except ValueError as exc:
        raise ParameterError(name, str(exc) + " (the probability is 0 at 0)") from None
    if radius is not None and beta.size != 2:
        raise ParameterError("beta", f"beta must have p = 2 coordinates for the constrained form, got p = {beta.size}")
    return beta, sigma, name, value


def _union_plan(mean, sigma, tau):
    log_q = log_zero_probability(mean, sigma, tau)
    log_s = float(special.logsumexp(log_q))
    if not np.isfinite(log_s):
        raise ParameterError("beta", "every event has probability 0 to double precision, even on the log scale")
    cumulative = np.cumsum(np.exp(log_q - log_s))
    cumulative /= cumulative[-1]
    args = (np.ascontiguousarray(mean, dtype=float), float(sigma), float(tau), cumulative)
    return ImportancePlan(Kernel(union_kernel, args, (2,), (2,)), log_s, "union",
                          tuple(float(x) for x in log_q))


def importance_sampling_plan(beta, sigma=1.0, *, lam=None, radius=None, complement=False):
    """The compiled importance sampler of ``P(sparse)`` (or of ``P(not sparse)``) and its log scale.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients (``p = 2`` for the constrained form).
    sigma : float, default 1.0
        Noise level, ``beta_hat ~ N(beta, sigma^2 I)``.
    lam, radius : float
        Exactly one: the penalized lasso's level ``lam > 0`` or the L1 ball's radius ``t > 0``.
    complement : bool, default False
        Estimate ``P(not sparse)`` instead.

    Returns
    -------
    ImportancePlan
        ``kernel`` (an engine ``Kernel``, ``counts_shape = sums_shape = (2,)``),
        ``log_scale`` (``log S``) and ``method`` (``"union"``,
        ``"conditional"`` or ``"dominating_points"``; see the module docstring).

    Examples
    --------
    >>> plan = importance_sampling_plan([40.0, 40.0], lam=1.0)
    >>> plan.method, round(plan.log_scale, 2)  # S = q_1 + q_2
    ('union', -764.39)
    """
    beta, sigma, name, level = _check(beta, sigma, lam, radius)
    if not isinstance(complement, (bool, np.bool_)):
        raise TypeError(f"complement must be True or False, got {complement!r}")
    if name == "lam" and not complement:
        return _union_plan(beta, sigma, level)
    if name == "lam":
        log_r = log_nonzero_probability(beta, sigma, level)
        log_s = float(np.sum(log_r))
        if not np.isfinite(log_s):
            raise ParameterError("lam", "P(|beta_hat_j| > lam) is 0 to double precision, even on the log scale")
        with np.errstate(over="ignore"):
            log_up = special.log_ndtr((beta - level) / sigma)
        upper = np.exp(log_up - log_r)
        args = (beta.copy(), float(sigma), float(level), np.minimum(upper, 1.0))
        return ImportancePlan(Kernel(conditional_kernel, args, (2,), (2,)), log_s, "conditional")
    m = np.array([beta[0] / _SQRT2 + beta[1] / _SQRT2, beta[0] / _SQRT2 - beta[1] / _SQRT2])
    c = level / _SQRT2
    if complement:  # {|u| < c} or {|v| < c}: a union of two slabs
        return _union_plan(m, sigma, c)
    signs = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    points = signs * np.maximum(c, signs * m)  # the dominating point of each quadrant
    log_mass = -0.5 * np.sum((points - m) ** 2, axis=1) / sigma**2
    log_s = float(special.logsumexp(log_mass))
    log_pi = log_mass - log_s
    cumulative = np.cumsum(np.exp(log_pi))
    cumulative /= cumulative[-1]
    args = (m, float(sigma), float(c), points, cumulative, log_pi, log_s)
    return ImportancePlan(Kernel(dominating_points_kernel, args, (2,), (2,)), log_s, "dominating_points")


def importance_sampling_kernel(beta, sigma=1.0, *, lam=None, radius=None, complement=False):
    """The engine ``Kernel`` of :func:`importance_sampling_plan` (its ``log_scale`` is needed to read the sums).

    Examples
    --------
    >>> kern = importance_sampling_kernel([1.0, 0.3], radius=2.0)
    >>> kern.counts_shape, kern.sums_shape
    ((2,), (2,))
    """
    return importance_sampling_plan(beta, sigma, lam=lam, radius=radius, complement=complement).kernel


def estimate_from_sums(counts, sums, log_scale):
    """Estimate, log estimate, standard error and relative error from a kernel's totals.

    Parameters
    ----------
    counts : array_like of int, shape (2,)
        ``[replications, hits]``.
    sums : array_like of float, shape (2,)
        ``[sum w/S, sum (w/S)^2]``.
    log_scale : float
        ``log S``.

    Returns
    -------
    ImportanceEstimate

    Examples
    --------
    >>> est = estimate_from_sums([4, 4], [3.0, 2.5], -10.0)  # weights/S 1, 1, 0.5, 0.5
    >>> round(est.log_estimate, 6), round(est.relative_error, 6)  # log(0.75) - 10, sd 0.2887 / 2 / 0.75
    (-10.287682, 0.19245)
    """
    counts = np.asarray(counts)
    sums = np.asarray(sums, dtype=float)
    if counts.shape != (2,) or sums.shape != (2,):
        raise ParameterError("counts", f"counts and sums must have shape (2,), got {counts.shape} and {sums.shape}")
    n, hits = int(counts[0]), int(counts[1])
    if n < 2:
        raise ParameterError("counts", f"counts[0] (replications) must be >= 2, got {n}")
    mean = sums[0] / n
    if mean <= 0.0:
        return ImportanceEstimate(0.0, -math.inf, 0.0, math.inf, n, hits)
    mean = float(mean)
    var = max(float(sums[1]) / n - mean * mean, 0.0) * n / (n - 1)
    rel = float(math.sqrt(var / n) / mean)
    log_est = float(log_scale) + math.log(mean)
    with np.errstate(over="ignore", under="ignore"):
        est = float(np.exp(log_est))
    return ImportanceEstimate(est, log_est, est * rel, rel, n, hits)


def importance_sample(beta, sigma=1.0, *, lam=None, radius=None, reps, rng=0, complement=False):
    """Run the importance sampler on one block of ``reps`` draws (no engine), for tests and quick looks.

    Parameters
    ----------
    beta, sigma, lam, radius, complement
        As in :func:`importance_sampling_plan`.
    reps : int
        Number of draws, ``>= 2``.
    rng : int or numpy.random.Generator, default 0
        A seed or a Generator (used as is).

    Returns
    -------
    ImportanceEstimate

    Examples
    --------
    >>> est = importance_sample([40.0, 40.0], lam=1.0, reps=1000, rng=1)
    >>> round(est.log_estimate, 2), est.relative_error < 1e-6  # disjoint in effect: zero variance
    (-764.39, True)
    >>> est = importance_sample([1.0, 0.3], radius=2.0, reps=20000, rng=1)
    >>> abs(est.estimate - 0.06630) < 4 * est.std_error  # the closed form P(|u| >= c) P(|v| >= c)
    True
    """
    plan = importance_sampling_plan(beta, sigma, lam=lam, radius=radius, complement=complement)
    reps = check_count(reps, "reps", minimum=2) if not isinstance(reps, bool) else reps
    if isinstance(rng, np.random.Generator):
        gen = rng
    elif isinstance(rng, bool) or not isinstance(rng, (int, np.integer)):
        raise TypeError(f"rng must be an int seed or a numpy Generator, got {rng!r}")
    else:
        gen = np.random.default_rng(int(rng))
    counts = np.zeros(2, dtype=np.int64)
    sums = np.zeros(2)
    plan.kernel.function(gen, reps, *plan.kernel.args, counts, sums)
    return estimate_from_sums(counts, sums, plan.log_scale)


# --------------------------------------------------------------------------- intervals
#: How each sampler's interval is computed (the ``ci_method`` of its row).
INTERVAL_METHODS = {"conditional": "closed form", "union": "bernstein", "dominating_points": "lognormal"}


def _union_variance_bound(log_q):
    """An upper bound on ``Var(w/S)`` of the union sampler from the events' probabilities alone.

    ``w/S = 1/C = 1 - d`` with ``d = B/(1 + B)``, ``B`` the number of the other
    events that occur besides the chosen ``j`` (independent events: the
    coordinates of ``beta_hat`` are independent).  ``d = 0`` when ``B = 0``
    and ``d <= 1 - 1/p`` otherwise, so ``Var(w/S) = Var(d) <= E[d^2] <=
    (1 - 1/p)^2 sum_j (q_j/S) P(B_j >= 1)`` with ``P(B_j >= 1) = 1 -
    prod_{k != j} (1 - q_k)``, computed without cancellation (``expm1``,
    ``log1p``; leave-one-out sums from prefix and suffix sums).  At ``p = 2``
    the bound is exact up to ``E[d]^2``, a term of second order in ``q``.
    """
    log_q = np.asarray(log_q, dtype=float)
    p = log_q.size
    if p < 2:
        return 0.0
    with np.errstate(divide="ignore"):
        log_keep = np.log1p(-np.exp(log_q))  # log(1 - q_k), -inf where q_k = 1
    prefix = np.concatenate(([0.0], np.cumsum(log_keep)[:-1]))
    suffix = np.concatenate((np.cumsum(log_keep[::-1])[::-1][1:], [0.0]))
    meet = -np.expm1(prefix + suffix)  # P(B_j >= 1)
    weights = np.exp(log_q - special.logsumexp(log_q))
    return float((1.0 - 1.0 / p) ** 2 * np.sum(weights * meet))


def _bernstein_halfwidth(variance, spread, n, alpha):
    """``t`` with ``2 exp(-n t^2 / (2 variance + 2 spread t / 3)) = alpha`` (Bernstein's inequality)."""
    ell = math.log(2.0 / alpha)
    a = 2.0 * spread * ell / 3.0
    return (a + math.sqrt(a * a + 8.0 * n * variance * ell)) / (2.0 * n)


def importance_interval(plan, est, confidence_level=0.95, *, log=False):
    """A confidence interval for the probability an importance-sampling run estimated.

    Each sampler gets the interval its structure allows (``INTERVAL_METHODS``):

    - ``"conditional"`` (``"closed form"``): the estimate *is* the closed form
      ``prod_j P(|x_j| > lam)``; the interval is that number widened by its
      rounding error (a few ulps per coordinate and per unit of ``|log P|``).
    - ``"union"`` (``"bernstein"``): ``w/S`` lies in ``[1/p, 1]`` and its
      variance is bounded from the events' probabilities (``plan.log_q``,
      independent events), whatever the sample shows: when the events never
      co-occur in the sample its variance is 0, yet the sampler's is not
      (about ``q_1 q_2`` at ``p = 2``).  Bernstein's inequality with that
      bound gives an interval whose coverage is at least ``confidence_level``
      for every ``n`` (not only asymptotically), clipped to ``[S/p, S]``,
      where ``P`` always lies (``max_j q_j <= P <= S``).
    - ``"dominating_points"`` (``"lognormal"``): the sample shows the variance
      (the proposal lands in the event about a quarter of the time); the
      interval is ``estimate * exp(+-z * relative_error)``, ``z`` the normal
      quantile of ``(1 + confidence_level) / 2``.

    Parameters
    ----------
    plan : ImportancePlan
        The plan the estimate was run with.
    est : ImportanceEstimate
        From :func:`estimate_from_sums`.
    confidence_level : float, default 0.95
    log : bool, default False
        Return ``(log ci_low, log ci_high)``, finite where the probability underflows.

    Returns
    -------
    (float, float)
        ``(ci_low, ci_high)``.

    Examples
    --------
    >>> plan = importance_sampling_plan([7.5, 7.5], lam=0.3)
    >>> est = importance_sample([7.5, 7.5], lam=0.3, reps=10_000, rng=1)  # the slabs never meet
    >>> est.relative_error  # the sample shows no variance ...
    0.0
    >>> low, high = importance_interval(plan, est)
    >>> low < 5.959348786794764e-13 < high  # ... the interval still covers P = S - q1 q2
    True
    """
    if not 0.0 < confidence_level < 1.0:
        raise ParameterError("confidence_level", f"confidence_level must be in (0, 1), got {confidence_level!r}")
    alpha = 1.0 - confidence_level
    log_est = est.log_estimate
    if not math.isfinite(log_est):  # no draw in the event
        bounds = (-math.inf, 0.0)
    elif plan.method == "conditional":
        p = len(plan.kernel.args[0])
        slack = 4.0 * np.finfo(float).eps * (p + abs(log_est))
        bounds = (log_est + math.log1p(-slack), log_est + math.log1p(slack))
    elif plan.method == "union":
        p = len(plan.log_q)
        mean = math.exp(log_est - plan.log_scale)  # w/S averaged, in [1/p, 1]
        t = _bernstein_halfwidth(_union_variance_bound(plan.log_q), 1.0 - 1.0 / p, est.replications, alpha)
        low, high = max(mean - t, 1.0 / p), min(mean + t, 1.0)
        bounds = (plan.log_scale + math.log(low), plan.log_scale + math.log(high))
    else:
        spread = float(special.ndtri(0.5 + confidence_level / 2)) * est.relative_error
        bounds = (log_est - spread, log_est + spread)
    if log:
        return bounds
    with np.errstate(under="ignore", over="ignore"):
        low, high = (float(np.exp(b)) for b in bounds)
    return low, min(high, 1.0)
