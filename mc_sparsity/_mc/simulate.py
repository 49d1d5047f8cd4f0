"""``simulate``: Monte Carlo estimates of P(sparse), beside the exact value and the integral.

One call runs one scenario (beta, sigma, a design, and a penalty level
``lam`` or a constraint radius) for one or several estimators on the same
draws, and returns a :class:`~mc_sparsity._mc.results.SimulationResult` whose
rows carry the estimate, its Monte Carlo standard error, a confidence
interval, the exact value and the numerical integral.

Everything is validated before any replication is run; what each estimator
is comes from the registry (``_registry``), how it is run from
:func:`plan`, and the engine (``_engine``) runs the plan's kernel.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .engine import BACKENDS, Kernel, run_kernel
from .._base.errors import ParameterError
from .._stats.inference import (CI_METHODS, CONFIDENCE_LEVEL, DEFAULT_CI_METHOD, check_confidence_level,
                         proportion_interval, standard_error)
from .._estimators.registry import ESTIMATORS, estimator_names, resolve_parameters
from .results import EstimatorResult, SimulationResult
from .._base.validation import check_count, check_n_jobs, check_option, check_rng, check_scenario

__all__ = ["DEFAULT_REPS", "MAX_REPS", "METHODS", "simulate", "plan", "Plan"]

DEFAULT_REPS = 10_000_000
#: Counters are int64: a run may not exceed what they hold.
MAX_REPS = 2**62
#: Monte Carlo methods: plain ("mc") or importance sampling ("is").
METHODS = ("mc", "is")
_UNSET = object()


@dataclass(frozen=True)
class Plan:
    """How one scenario is run: the kernel, and which of its rows is which estimator.

    ``thresholds[name]`` is a separable estimator's zero threshold (its exact
    law and integral are the lasso's at that level).
    """

    kernel: Kernel
    rows: dict
    thresholds: dict
    subset_size: int = -1


def _design_or_orthonormal(design, p):
    if design is None:
        return None
    if getattr(design, "is_orthonormal", False):
        if design.p != p:
            raise ParameterError("design", f"design is {design.p} x {design.p} but beta has p = {p}")
        return None
    if not hasattr(design, "gram"):
        raise TypeError(f"design must be a mc_sparsity design (see mc_sparsity.designs), got {design!r}")
    if design.p != p:
        raise ParameterError("design", f"design is {design.p} x {design.p} but beta has p = {p}")
    return design


def plan(names, beta, sigma, *, lam=None, radius=None, design=None, params=None) -> Plan:
    """The kernel that evaluates the estimators ``names`` on one scenario, all on the same draws."""
    params = params or {}
    if design is not None:
        return _correlated_plan(names, beta, sigma, lam=lam, radius=radius, design=design, params=params)
    from .kernels import constrained_kernel, penalized_kernel

    if radius is not None:
        return Plan(constrained_kernel(beta, sigma, radius), {"lasso": 0, "ridge": 1}, {})
    from .._estimators.penalties import zero_threshold

    thresholds = {n: zero_threshold(n, lam, params) for n in names if ESTIMATORS[n].evaluation == "threshold"}
    shrink = [n for n in names if ESTIMATORS[n].evaluation == "shrink"]
    subset = "best_subset" in names
    rows = {n: i for i, n in enumerate([*thresholds, *shrink, *(["best_subset"] if subset else [])])}
    subset_size = params["subset_size"] if subset else -1
    kernel = penalized_kernel(beta, sigma, list(thresholds.values()), [1.0 + lam] * len(shrink), subset_size)
    return Plan(kernel, rows, thresholds, subset_size)


def _correlated_plan(names, beta, sigma, *, lam, radius, design, params) -> Plan:
    """Every estimator solved exactly per replication under the design's Gram matrix (``_kernels_correlated``)."""
    from .kernels_correlated import constrained_correlated_kernel, penalized_correlated_kernel

    gram, chol = design.gram, design.covariance_cholesky
    if radius is not None:
        return Plan(constrained_correlated_kernel(beta, sigma, gram, chol, radius), {"lasso": 0, "ridge": 1}, {})
    levels = {"lasso": (lam, 0.0), "ridge": (0.0, lam)}
    if "elastic_net" in names:
        levels["elastic_net"] = (lam * params["l1_ratio"], lam * (1 - params["l1_ratio"]))
    rows = {name: i for i, name in enumerate(names)}
    kernel = penalized_correlated_kernel(beta, sigma, gram, chol, [levels[n][0] for n in names],
                                         [levels[n][1] for n in names])
    return Plan(kernel, rows, {})


def check_representable(beta, sigma, level):
    """Refuse a scenario the engine's float arithmetic cannot draw faithfully.

    Every probability depends on ``beta/sigma`` and ``level/sigma`` only, so a
    refused scenario can always be rescaled.  Refused: ratios that overflow,
    ``sigma`` so small that ``sigma * z`` loses precision in the subnormal
    range, and ``|beta| + 40 sigma`` beyond the largest float.
    """
    largest = max(float(np.max(np.abs(beta))), level or 0.0)
    with np.errstate(over="ignore"):
        ratio = largest / sigma
        reach = float(np.max(np.abs(beta))) + 40.0 * sigma
    if not math.isfinite(ratio) or sigma < 1e-290 or not reach < 1e300:
        raise ParameterError("sigma", f"sigma = {sigma:g} with max(|beta|, level) = {largest:g} is beyond what "
                             "double precision can simulate; every probability depends on beta/sigma and "
                             "level/sigma only: rescale beta, sigma and the level together")


def _validate(beta, sigma, lam, radius, estimator, design, reps, n_jobs, backend, chunk_size, confidence_level,
              ci_method, method, params):
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    check_representable(beta, sigma, lam if lam is not None else radius)
    form = "penalized" if lam is not None else "constrained"
    design = _design_or_orthonormal(design, beta.size)
    if method == "is" and (estimator == "all" or list(estimator) == ["all"]):
        estimator = "lasso"  # importance sampling has nothing to do for ridge, whose P is 0
    names = estimator_names(estimator, form, correlated=design is not None)
    if form == "constrained" and params:
        raise TypeError(f"the constrained form takes no estimator parameters, got {', '.join(sorted(params))}")
    params = resolve_parameters(names, params, form)
    if "subset_size" in params and params["subset_size"] > beta.size:
        raise ParameterError("subset_size", f"subset_size must be <= p = {beta.size}, got {params['subset_size']}")
    reps = check_count(reps, "reps")
    if reps > MAX_REPS:
        raise ParameterError("reps", f"reps must be <= 2**62 = {MAX_REPS:.3g}, what the 64-bit counters hold "
                             f"with room to add; got {reps:.3g}")
    if chunk_size is not None:
        check_count(chunk_size, "chunk_size")
    n_jobs = check_n_jobs(n_jobs)
    if backend is not None:
        check_option(backend, "backend", BACKENDS)
    check_confidence_level(confidence_level)
    check_option(ci_method, "ci_method", CI_METHODS)
    check_option(method, "method", METHODS)
    if method == "is":
        if design is not None or names != ("lasso",) or (radius is not None and beta.size != 2):
            raise ParameterError("method", "method 'is' (importance sampling) covers the lasso under an "
                                 "orthonormal design, penalized, or constrained at p = 2: give estimator='lasso'")
        if lam == 0:
            raise ParameterError("lam", "method 'is' needs lam > 0 (at lam = 0 the lasso is never sparse)")
    return beta, sigma, lam, radius, form, design, names, params, reps, n_jobs


def simulate(
    beta,
    sigma=1.0,
    *,
    lam=None,
    radius=None,
    estimator="all",
    design=None,
    reps=DEFAULT_REPS,
    rng=0,
    seed=_UNSET,
    n_jobs=None,
    backend=None,
    chunk_size=None,
    scheduler=None,
    progress=False,
    integrate=True,
    confidence_level=CONFIDENCE_LEVEL,
    ci_method=DEFAULT_CI_METHOD,
    method="mc",
    complement=False,
    **params,
) -> SimulationResult:
    """Estimate P(solution sparse) by Monte Carlo for one scenario.

    Draws ``beta_hat ~ N(beta, sigma^2 G^{-1})`` (``G = I`` unless a design is
    given) ``reps`` times, applies the estimators to the same draws and counts
    the draws whose solution has an exactly-zero coordinate.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients.
    sigma : float, default 1.0
        Noise level.
    lam : float, optional
        Penalized form: ``argmin 1/2||y - Xb||^2 + lam ||b||_1`` (lasso),
        ``+ lam/2 ||b||^2`` (ridge), and the other penalties at level ``lam``.
        Give exactly one of ``lam``, ``radius``.
    radius : float, optional
        Constrained form: ``||b||_1 <= radius`` (lasso), ``||b||_2 <= radius`` (ridge).
    estimator : str or sequence of str, default "all"
        Names from the registry (``"lasso"``, ``"ridge"``, ``"elastic_net"``,
        ``"hard"``, ``"scad"``, ``"mcp"``, ``"bridge"``, ``"best_subset"``) or
        groups (``"all"``: lasso and ridge; ``"penalties"``: every penalized
        estimator).  All run on the same draws.
    design : Design, optional
        A design from :mod:`mc_sparsity` (``equicorrelated``, ``ar1``,
        ``from_gram``, ...); ``None`` is orthonormal.
    reps : int, default 10_000_000
        Replications (an integral float such as ``1e7`` is accepted).
    rng : int, SeedSequence or Generator, default 0
        SPEC 7 seed of the run: block ``b`` of ``BLOCK_SIZE`` replications
        draws from the child with spawn key ``root.spawn_key + (b,)`` of the
        root ``SeedSequence``, recorded in the result (``entropy``,
        ``spawn_key``).  ``None`` draws fresh entropy.
    seed : int, SeedSequence or Generator, optional
        Alias of ``rng`` (older spelling); give one of them.
    n_jobs : int, optional
        Workers, with joblib's meaning: ``None`` defers to a surrounding
        ``joblib.parallel_config`` (1 without one), -1 all cores, -2 all but
        one, ...  Changes the speed, never the numbers.
    backend : {None, "threading", "loky", "dask"}
        joblib backend; ``None`` prefers threads (the compiled kernels release
        the GIL) unless ``joblib.parallel_config`` says otherwise.
    chunk_size : int, optional
        Replications per task, rounded up to whole blocks.
    scheduler : str, optional
        Address of a running dask.distributed scheduler (with ``backend="dask"``).
    progress : bool, default False
        A progress bar on stderr for runs longer than two seconds.
    integrate : bool, default True
        Also integrate the density over the sparse region (p = 2 only).
    confidence_level : float, default 0.95
    ci_method : {"exact", "wilson"}, default "exact"
        Clopper-Pearson or Wilson interval (see ``_inference``).
    method : {"mc", "is"}, default "mc"
        Plain Monte Carlo, or importance sampling (lasso, orthonormal design;
        the constrained form at p = 2), which reaches probabilities far below
        ``1/reps``: an unbiased weighted estimate with its standard error and
        relative error (``_importance``).  Its interval is the sampler's
        (``importance_interval``: ``ci_method`` "closed form", "bernstein" or "lognormal").
    complement : bool, default False
        With ``method="is"``: estimate ``P(not sparse)`` (rare when the lasso
        is almost surely sparse) instead of ``P(sparse)``.
    **params
        The estimators' parameters by their registry names: ``l1_ratio``
        (elastic net), ``a`` (SCAD), ``gamma`` (MCP), ``q`` (bridge),
        ``subset_size`` (best subset).  A name that is none of these is a
        ``TypeError``.

    Returns
    -------
    SimulationResult

    Raises
    ------
    ParameterError
        A bad value, naming the parameter, before any work is done.
    SimulationInterrupted
        On Ctrl-C, carrying the partial counts.

    Examples
    --------
    >>> res = simulate([1.0, 0.3], lam=0.5, reps=200_000, rng=1)
    >>> row = res["lasso"]
    >>> row.ci_low < row.exact < row.ci_high, round(row.exact, 6)
    (True, 0.520322)
    >>> res["ridge"].sparse, res["ridge"].integral is None
    (0, True)
    >>> res.entropy, res.spawn_key
    (1, ())
    """
    if seed is not _UNSET:
        if rng != 0:
            raise TypeError("give rng or its alias seed, not both")
        rng = seed
    beta, sigma, lam, radius, form, design, names, params, reps, n_jobs = _validate(
        beta, sigma, lam, radius, estimator, design, reps, n_jobs, backend, chunk_size, confidence_level,
        ci_method, method, params)
    root = check_rng(rng)
    if method == "is":
        results = tuple(
            _importance_row(name, beta, sigma, lam, radius, reps, root, complement, confidence_level,
                            dict(n_jobs=n_jobs, backend=backend, chunk_size=chunk_size, scheduler=scheduler,
                                 progress=progress))
            for name in names)
    else:
        the_plan = plan(names, beta, sigma, lam=lam, radius=radius, design=design, params=params)
        tally = run_kernel(the_plan.kernel, reps, root, n_jobs=n_jobs, backend=backend, chunk_size=chunk_size,
                           scheduler=scheduler, progress=progress)
        results = tuple(
            _row(name, tally.counts[the_plan.rows[name]], beta, sigma, lam, radius, design,
                 the_plan.thresholds.get(name), params,
                 integrate, confidence_level, ci_method)
            for name in names)
    return SimulationResult(
        beta=[float(b) for b in beta],
        sigma=sigma,
        form=form,
        level=lam if form == "penalized" else radius,
        reps=reps,
        seed=int(rng) if isinstance(rng, numbers.Integral) else None,
        entropy=root.entropy,
        spawn_key=tuple(root.spawn_key),
        results=results,
        params=params,
        design=None if design is None else design.to_dict(),
        method=method,
    )



def _importance_row(name, beta, sigma, lam, radius, reps, root, complement, confidence_level, engine):
    """An importance-sampling row: weights summed on the engine, the estimate from ``_importance``."""
    from .importance import INTERVAL_METHODS, estimate_from_sums, importance_interval, importance_sampling_plan

    the_plan = importance_sampling_plan(beta, sigma, lam=lam, radius=radius, complement=complement)
    tally = run_kernel(the_plan.kernel, reps, root, **engine)
    est = estimate_from_sums(tally.counts, tally.sums, the_plan.log_scale)
    exact, integral = references(name, beta, sigma, lam=lam, radius=radius, threshold=lam,
                                 integrate=True)
    if complement:  # the reference of P(not sparse), without the cancellation of 1 - P(sparse)
        from .._exact.orthonormal import exact_not_sparse_probability

        exact = exact_not_sparse_probability(beta, sigma, lam=lam, radius=radius)
        integral = None
    ci_low, ci_high = importance_interval(the_plan, est, confidence_level)
    return EstimatorResult(
        estimator=name if not complement else f"{name} (not sparse)",
        sparse=est.hits, reps=est.replications, estimate=est.estimate, std_error=est.std_error,
        ci_low=ci_low, ci_high=ci_high, ci_method=INTERVAL_METHODS[the_plan.method],
        confidence_level=confidence_level,
        exact=None if exact is None else exact.probability,
        log_exact=None if exact is None else exact.log_probability,
        exact_error=None if exact is None else exact.error,
        integral=None if integral is None else integral.value,
        integral_error=None if integral is None else integral.error,
        zeros=(), method="is", log_estimate=est.log_estimate, relative_error=est.relative_error)


def _integral_or_none(beta, sigma, design, **kwargs):
    """The integral, or None where beta/sigma or level/sigma overflow (no quadrature is meaningful)."""
    try:
        if design is None:
            from .._exact.integrate import integrate_sparse_region

            return integrate_sparse_region(beta, sigma, **kwargs)
        from .._exact.integrate_correlated import integrate_sparse_region_correlated

        return integrate_sparse_region_correlated(beta, sigma, design, **kwargs)
    except ValueError:
        return None


def references(name, beta, sigma, *, lam=None, radius=None, design=None, threshold=None, params=None,
               integrate=True):
    """``(exact, integral)`` of estimator ``name`` on one scenario, as the registry says.

    ``exact`` is an :class:`~mc_sparsity._exact.orthonormal.ExactProbability` or ``None``;
    ``integral`` an :class:`~mc_sparsity._exact.integrate.IntegralResult` or ``None``
    (p != 2, or ridge, whose sparse region is a null set: nothing to integrate).
    ``threshold`` is a separable estimator's zero threshold (orthonormal,
    penalized): its exact law and integral are the lasso's at that level.
    """
    from .._exact.orthonormal import ExactProbability, exact_sparse_probability

    p = beta.size
    params = params or {}
    record = ESTIMATORS[name]
    integral = None
    if record.evaluation == "subset":
        # K = p - M with probability 1: sparse for sure when M < p, never when M = p.
        pmf = np.zeros(p + 1)
        pmf[p - params["subset_size"]] = 1.0
        return ExactProbability(float(pmf[0] == 0.0), 0.0 if pmf[0] == 0.0 else -math.inf, pmf), None
    if design is not None:
        from .._exact.correlated import exact_sparse_probability_correlated

        lam2 = 0.0
        level = lam
        if name == "elastic_net":
            level, lam2 = lam * params["l1_ratio"], lam * (1 - params["l1_ratio"])
        exact = exact_sparse_probability_correlated(beta, sigma, design, lam=level, radius=radius, lam2=lam2,
                                                    estimator="ridge" if name == "ridge" else "lasso")
        if integrate and p == 2 and name != "ridge":
            integral = _integral_or_none(beta, sigma, design, lam=level, radius=radius, lam2=lam2)
        return exact, integral
    if name == "ridge":
        return exact_sparse_probability(beta, sigma, lam=lam, radius=radius, estimator="ridge"), None
    if radius is not None:
        exact = exact_sparse_probability(beta, sigma, radius=radius)
        if exact is None:
            from .._exact.constrained import constrained_sparse_probability

            exact = constrained_sparse_probability(beta, sigma, radius)
        if integrate and p == 2:
            integral = _integral_or_none(beta, sigma, None, radius=radius)
        return exact, integral
    tau = threshold
    exact = exact_sparse_probability(beta, sigma, lam=tau)
    if integrate and p == 2:
        integral = _integral_or_none(beta, sigma, None, lam=tau)
    return exact, integral


def _row(name, counts, beta, sigma, lam, radius, design, threshold, params, integrate, confidence_level,
         ci_method) -> EstimatorResult:
    """One estimator's row from its kernel counts ``counts[k]`` (k zeros) and ``counts[p + 1]`` (uncertified)."""
    p = beta.size
    zeros = tuple(int(c) for c in counts[:p + 1])
    uncertified = int(counts[p + 1])
    classified = sum(zeros)
    sparse = classified - zeros[0]
    exact, integral = references(name, beta, sigma, lam=lam, radius=radius, design=design,
                                 threshold=threshold, params=params, integrate=integrate)
    if classified:
        ci_low, ci_high = proportion_interval(sparse, classified, confidence_level, ci_method)
        estimate, std_error = sparse / classified, standard_error(sparse, classified)
    else:  # every replication uncertified: nothing is known
        ci_low, ci_high, estimate, std_error = 0.0, 1.0, math.nan, math.nan
    return EstimatorResult(
        estimator=name,
        sparse=sparse,
        reps=classified,
        estimate=estimate,
        std_error=std_error,
        ci_low=ci_low,
        ci_high=ci_high,
        ci_method=ci_method,
        confidence_level=confidence_level,
        exact=None if exact is None else exact.probability,
        log_exact=None if exact is None else exact.log_probability,
        exact_error=None if exact is None else exact.error,
        integral=None if integral is None else integral.value,
        integral_error=None if integral is None else integral.error,
        zeros=zeros,
        exact_zeros=None if exact is None or exact.zeros_pmf is None else tuple(float(v) for v in exact.zeros_pmf),
        uncertified=uncertified,
    )
