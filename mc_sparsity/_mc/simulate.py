"""``simulate``: Monte Carlo estimates of P(sparse), beside the exact value and the integral.

One call runs one scenario (beta, sigma, a design, and a penalty level
``lam`` or a constraint radius) for one or several estimators on the same
draws, and returns a :class:`~mc_sparsity._mc.results.SimulationResult` whose
rows carry the estimate, its Monte Carlo standard error, a confidence
interval, the exact value and the numerical integral.

Everything is validated before any replication is run: the scenario once,
by :func:`~mc_sparsity._mc.scenario.make_scenario`, the run's options here;
what each estimator is comes from the registry, how it is run from
:func:`plan`, the engine runs the plan's kernel, and every estimand's row is
computed from the one tally (:mod:`~mc_sparsity._mc.estimands`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .engine import BACKENDS, Kernel, run_kernel
from .._base.errors import ParameterError
from .._stats.inference import CI_METHODS, CONFIDENCE_LEVEL, DEFAULT_CI_METHOD, check_confidence_level
from .._estimators.registry import ESTIMATORS
from .estimands import DEFAULT_ESTIMAND, ESTIMANDS, estimate
from .results import EstimatorResult, SimulationResult
from .scenario import make_scenario
from .tally import EstimatorTally
from .._base.validation import check_count, check_n_jobs, check_option, check_rng

__all__ = ["DEFAULT_REPS", "MAX_REPS", "METHODS", "simulate", "run_scenario", "check_run", "plan", "Plan",
           "references"]

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


def plan(scenario) -> Plan:
    """The kernel that evaluates the scenario's estimators, all on the same draws."""
    names, beta, sigma, params = scenario.estimators, scenario.beta, scenario.sigma, scenario.params
    if scenario.correlated:
        return _correlated_plan(scenario)
    from .orthonormal import constrained_kernel, penalized_kernel

    if scenario.form == "constrained":
        return Plan(constrained_kernel(beta, sigma, scenario.radius), {"lasso": 0, "ridge": 1}, {})
    from .._estimators.penalties import zero_threshold

    lam = scenario.lam
    thresholds = {n: zero_threshold(n, lam, params) for n in names if ESTIMATORS[n].evaluation == "threshold"}
    shrink = [n for n in names if ESTIMATORS[n].evaluation == "shrink"]
    subset = [n for n in names if ESTIMATORS[n].evaluation == "subset"]
    rows = {n: i for i, n in enumerate([*thresholds, *shrink, *subset])}
    subset_size = params["subset_size"] if subset else -1
    kernel = penalized_kernel(beta, sigma, list(thresholds.values()), [1.0 + lam] * len(shrink), subset_size)
    return Plan(kernel, rows, thresholds, subset_size)


def _correlated_plan(scenario) -> Plan:
    """Every estimator solved exactly per replication under the design's Gram matrix (the certified ``gram_lasso``)."""
    from .kernels_constrained import constrained_correlated_kernel
    from .kernels_correlated import penalized_correlated_kernel

    design, beta, sigma = scenario.design, scenario.beta, scenario.sigma
    gram, chol = design.gram, design.covariance_cholesky
    if scenario.form == "constrained":
        return Plan(constrained_correlated_kernel(beta, sigma, gram, chol, scenario.radius),
                    {"lasso": 0, "ridge": 1}, {})
    records = [ESTIMATORS[name] for name in scenario.estimators]
    levels = [record.gram_levels(scenario.lam, scenario.params) for record in records]
    gammas = [0.0 if record.weight_exponent is None else record.weight_exponent(scenario.params) for record in records]
    rows = {name: i for i, name in enumerate(scenario.estimators)}
    kernel = penalized_correlated_kernel(beta, sigma, gram, chol, [lam1 for lam1, _ in levels],
                                         [lam2 for _, lam2 in levels], gammas)
    return Plan(kernel, rows, {})


def check_run(reps, n_jobs, backend, chunk_size, confidence_level, ci_method, method, complement, scenario):
    """Validate the run's options (the scenario is validated already); return ``(reps, n_jobs)``."""
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
    if complement and method != "is":
        raise ParameterError("complement", "complement (P(not sparse)) goes with method 'is' only")
    if method == "is":
        if scenario.correlated or scenario.estimators != ("lasso",) or (scenario.form == "constrained"
                                                                        and scenario.p != 2):
            raise ParameterError("method", "method 'is' (importance sampling) covers the lasso under an "
                                 "orthonormal design, penalized, or constrained at p = 2: give estimator='lasso'")
        if scenario.lam == 0:
            raise ParameterError("lam", "method 'is' needs lam > 0 (at lam = 0 the lasso is never sparse)")
        if scenario.estimands != ("sparse",):
            raise ParameterError("estimand", "method 'is' (importance sampling) estimates P(sparse) only")
    return reps, n_jobs


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
    estimand=DEFAULT_ESTIMAND,
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
    estimand : str or sequence of str, default "sparse"
        What to estimate, all from the same draws (``_mc.estimands``):
        ``"sparse"`` (P(a zero coordinate), with the law of the number of
        zeros), ``"signed_support"``, ``"support"``, ``"superset"`` (the
        probabilities that the solution has the signed support of ``beta``,
        its support, or a support containing it) and ``"fdp"``, ``"tpr"``,
        ``"hamming"`` (the means of the false discovery proportion, the true
        positive rate and the Hamming distance between supports).  One row
        per estimator and estimand.
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
    if method == "is" and (estimator == "all" or (not isinstance(estimator, str) and list(estimator) == ["all"])):
        estimator = "lasso"  # importance sampling has nothing to do for ridge, whose P is 0
    scenario = make_scenario(beta, sigma, lam=lam, radius=radius, estimator=estimator, design=design,
                             estimand=estimand, params=params)
    reps, n_jobs = check_run(reps, n_jobs, backend, chunk_size, confidence_level, ci_method, method, complement,
                             scenario)
    return run_scenario(scenario, reps, check_rng(rng), n_jobs=n_jobs, backend=backend, chunk_size=chunk_size,
                        scheduler=scheduler, progress=progress, integrate=integrate,
                        confidence_level=confidence_level, ci_method=ci_method, method=method,
                        complement=complement, seed=int(rng) if isinstance(rng, numbers.Integral) else None)


def run_scenario(scenario, reps, root, *, n_jobs=None, backend=None, chunk_size=None, scheduler=None,
                 progress=False, integrate=True, confidence_level=CONFIDENCE_LEVEL, ci_method=DEFAULT_CI_METHOD,
                 method="mc", complement=False, seed=None) -> SimulationResult:
    """Run a validated scenario (:func:`~mc_sparsity._mc.scenario.make_scenario`) on the root ``SeedSequence``.

    Nothing is checked here: the doors (:func:`simulate`, the command line, the study parser) did that.
    """
    engine = dict(n_jobs=n_jobs, backend=backend, chunk_size=chunk_size, scheduler=scheduler, progress=progress)
    if method == "is":
        results = tuple(_importance_row(name, scenario, reps, root, complement, confidence_level, engine)
                        for name in scenario.estimators)
    else:
        the_plan = plan(scenario)
        tally = run_kernel(the_plan.kernel, reps, root, **engine)
        results = tuple(
            row for name in scenario.estimators
            for row in _rows(name, tally.counts[the_plan.rows[name]], scenario, the_plan.thresholds.get(name),
                             integrate, confidence_level, ci_method))
    return SimulationResult(
        beta=[float(b) for b in scenario.beta],
        sigma=scenario.sigma,
        form=scenario.form,
        level=scenario.level,
        reps=reps,
        seed=seed,
        entropy=root.entropy,
        spawn_key=tuple(root.spawn_key),
        results=results,
        params=scenario.params,
        design=None if not scenario.correlated else scenario.design.to_dict(),
        method=method,
    )


def _importance_row(name, scenario, reps, root, complement, confidence_level, engine):
    """An importance-sampling row: weights summed on the engine, the estimate from ``_importance``."""
    beta, sigma, lam, radius = scenario.beta, scenario.sigma, scenario.lam, scenario.radius
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
        estimand="sparse",
        successes=est.hits, reps=est.replications, estimate=est.estimate, std_error=est.std_error,
        ci_low=ci_low, ci_high=ci_high, ci_method=INTERVAL_METHODS[the_plan.method],
        confidence_level=confidence_level,
        **_reference_fields(exact, integral),
        zeros=(), method="is", log_estimate=est.log_estimate, relative_error=est.relative_error)


def _reference_fields(exact, integral) -> dict:
    """A row's reference columns from an exact value and an integral (either may be ``None``)."""
    return {"exact": None if exact is None else exact.probability,
            "log_exact": None if exact is None else exact.log_probability,
            "exact_error": None if exact is None else exact.error,
            "integral": None if integral is None else integral.value,
            "integral_error": None if integral is None else integral.error}


def _integral_or_none(beta, sigma, design, **kwargs):
    """The integral, or None where beta/sigma or level/sigma overflow (no quadrature is meaningful)."""
    try:
        if design is None or design.is_orthonormal:
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
    smooth = record.evaluation == "shrink"  # ridge: zero only on a null set
    if design is not None and not design.is_orthonormal and record.weight_exponent is not None:
        return None, None  # a weighted lasso whose weights are the draw's: no exact law (Monte Carlo only)
    if design is not None and not design.is_orthonormal:
        from .._exact.correlated import exact_sparse_probability_correlated

        level, lam2 = record.gram_levels(lam, params) if radius is None else (None, 0.0)
        exact = exact_sparse_probability_correlated(beta, sigma, design, lam=lam if smooth else level,
                                                    radius=radius, lam2=lam2,
                                                    estimator="ridge" if smooth else "lasso")
        if integrate and p == 2 and not smooth:
            integral = _integral_or_none(beta, sigma, design, lam=level, radius=radius, lam2=lam2)
        return exact, integral
    if smooth:
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


def _rows(name, counts, scenario, threshold, integrate, confidence_level, ci_method) -> list:
    """One estimator's rows, one per estimand, from its tally row ``counts`` (layout: ``tally``)."""
    beta, sigma, lam, radius, params = scenario.beta, scenario.sigma, scenario.lam, scenario.radius, scenario.params
    design = scenario.design if scenario.correlated else None
    tally = EstimatorTally.from_row(counts, scenario.p, scenario.k)
    rows = []
    for name_of_estimand in scenario.estimands:
        estimand = ESTIMANDS[name_of_estimand]
        est = estimate(estimand, tally, confidence_level, ci_method)
        if name_of_estimand == "sparse":
            exact, integral = references(name, beta, sigma, lam=lam, radius=radius, design=design,
                                         threshold=threshold, params=params, integrate=integrate)
        else:
            exact, integral = support_references(name, name_of_estimand, beta, sigma, lam=lam, radius=radius,
                                                 design=design, threshold=threshold, params=params,
                                                 integrate=integrate)
        sparse_row = name_of_estimand == "sparse"
        rows.append(EstimatorResult(
            estimator=name,
            estimand=name_of_estimand,
            successes=est.successes,
            reps=est.n,
            estimate=est.estimate,
            std_error=est.std_error,
            ci_low=est.ci_low,
            ci_high=est.ci_high,
            ci_method=est.ci_method,
            confidence_level=confidence_level,
            **_reference_fields(exact, integral),
            zeros=tuple(int(c) for c in tally.zeros) if sparse_row else (),
            exact_zeros=(None if not sparse_row or exact is None or exact.zeros_pmf is None
                         else tuple(float(v) for v in exact.zeros_pmf)),
            uncertified=tally.uncertified,
        ))
    return rows


def support_references(name, estimand, beta, sigma, *, lam=None, radius=None, design=None, threshold=None,
                       params=None, integrate=True):
    """``(exact, integral)`` of a support estimand (``_exact.support``), or ``(None, None)`` where none is known.

    Known: every separable rule under an orthonormal design (the lasso's law at
    its threshold), ridge, and the penalized lasso and elastic net under a
    correlated design (Gaussian polytopes, ``p <= 12``); the integral at ``p = 2``.
    Means (``fdp``, ``tpr``, ``hamming``) carry their value in ``probability``.
    """
    record = ESTIMATORS[name]
    if radius is not None:
        return None, None  # the constrained form's support laws are not derived here
    from .._exact import support
    from .._exact.orthonormal import ExactProbability

    params = params or {}
    gram = None if design is None else design.gram
    smooth = record.evaluation == "shrink"
    if gram is None:
        if record.threshold is None and not smooth:
            return None, None
        kwargs = dict(estimator="ridge", lam=lam) if smooth else dict(threshold=threshold)
    else:
        if record.gram_levels is None or record.weight_exponent is not None:
            return None, None
        lam1, lam2 = record.gram_levels(lam, params)
        kwargs = (dict(gram=gram, lam=lam, estimator="ridge") if smooth else
                  dict(gram=gram, lam=lam1, lam2=lam2, estimator="elastic_net" if lam2 else "lasso", rng=0))
    try:
        if ESTIMANDS[estimand].kind == "mean":
            value, error = support.support_mean(beta, sigma, estimand=estimand, **kwargs)
            exact = ExactProbability(float(value), math.log(value) if value > 0 else -math.inf, None, error)
        else:
            exact = support.support_probability(beta, sigma, estimand=estimand, **kwargs)
    except (ValueError, NotImplementedError):  # beyond what the exact law covers (p, the estimand)
        return None, None
    integral = None
    if integrate and beta.size == 2 and not smooth and estimand in ("signed_support", "support"):
        try:
            level = kwargs["threshold"] if gram is None else kwargs["lam"]
            from .._exact.integrate_support import integrate_support_region

            integral = integrate_support_region(beta, sigma, lam=level, gram=gram, lam2=kwargs.get("lam2", 0.0),
                                                estimand=estimand)
        except (ValueError, NotImplementedError):
            integral = None
    return exact, integral
