"""``simulate``: Monte Carlo estimates of P(sparse), beside the exact value and the integral.

One call runs one scenario (beta, sigma, and a penalty level ``lam`` or a
constraint radius) for one or both estimators on the same draws, and returns a
:class:`SimulationResult` whose rows carry the estimate, its Monte Carlo
standard error, a 95% confidence interval, the closed form and the
numerical integral.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

import numpy as np

from ._engine import BACKENDS, Design, run_replications
from ._validation import Interval, check_count, check_option, check_rng_seed, check_scalar, check_scenario

__all__ = ["ESTIMATORS", "PENALIZED_ESTIMATORS", "EstimatorResult", "SimulationResult", "simulate", "proportion_interval"]

ESTIMATORS = ("lasso", "ridge")
#: Every estimator of the penalized form (issue 5); the constrained form has lasso and ridge only.
PENALIZED_ESTIMATORS = ("lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge", "best_subset")
#: Groups accepted by ``estimator``: "all" is the study's subject, lasso against ridge.
ESTIMATOR_GROUPS = {"all": ESTIMATORS, "penalties": PENALIZED_ESTIMATORS}
DEFAULT_REPS = 10_000_000
DEFAULT_PARAMS = {"l1_ratio": 0.5, "a": 3.7, "gamma": 3.0, "q": 0.5, "subset_size": 1}
_PARAM_OF = {"elastic_net": ("l1_ratio",), "scad": ("a",), "mcp": ("gamma",), "bridge": ("q",),
             "best_subset": ("subset_size",)}


def proportion_interval(successes: int, trials: int, confidence_level: float = 0.95):
    """A confidence interval for a binomial proportion, from ``scipy.stats.binomtest``.

    Wilson's score interval, except at 0 (or ``trials``) successes, where the
    exact one-sided Clopper-Pearson bound is given: ``(0, 1 - alpha**(1/N))``,
    about ``3/N`` at 95%.

    Examples
    --------
    >>> low, high = proportion_interval(0, 1000)
    >>> low, round(high, 6), round(1 - 0.05 ** (1 / 1000), 6)
    (0.0, 0.002991, 0.002991)
    """
    from scipy.stats import binomtest

    if successes == 0:
        ci = binomtest(0, trials, alternative="less").proportion_ci(confidence_level, method="exact")
    elif successes == trials:
        ci = binomtest(trials, trials, alternative="greater").proportion_ci(confidence_level, method="exact")
    else:
        ci = binomtest(successes, trials).proportion_ci(confidence_level, method="wilson")
    return float(ci.low), float(ci.high)


@dataclass(frozen=True)
class EstimatorResult:
    """One estimator's row: Monte Carlo estimate, its error, and the references.

    ``zeros[k]`` is the number of draws whose solution has exactly ``k`` zero
    coordinates; ``sparse = reps - zeros[0]``.  ``exact`` and ``integral`` are
    ``None`` where not available (integral: p != 2; exact: constrained lasso
    with p > 2).  ``log_exact`` keeps the exact value where ``exact`` underflows.
    """

    estimator: str
    sparse: int
    reps: int
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    exact: float | None
    log_exact: float | None
    integral: float | None
    integral_error: float | None
    zeros: tuple[int, ...]
    exact_zeros: tuple[float, ...] | None = None

    @property
    def z_score(self) -> float | None:
        """``(estimate - exact) / SE`` with the SE under the exact probability (0 if both are 0)."""
        if self.exact is None:
            return None
        se = math.sqrt(self.exact * (1.0 - self.exact) / self.reps)
        if se == 0.0:
            return 0.0 if self.estimate == self.exact else math.copysign(math.inf, self.estimate - self.exact)
        return (self.estimate - self.exact) / se

    def binomtest(self):
        """Two-sided exact binomial test of the count against ``exact`` (``scipy.stats.binomtest``)."""
        from scipy.stats import binomtest

        if self.exact is None:
            raise ValueError(f"no exact probability is known for {self.estimator} here")
        return binomtest(self.sparse, self.reps, self.exact)

    def to_dict(self) -> dict:
        """The row as in the command line's JSON (without the ``exact_zeros``/``log_exact`` extras)."""
        out = asdict(self)
        out["zeros"] = list(self.zeros)
        del out["exact_zeros"], out["log_exact"]
        return out


@dataclass(frozen=True)
class SimulationResult:
    """The result of :func:`simulate`: the scenario and one row per estimator."""

    beta: tuple[float, ...]
    sigma: float
    form: str
    level: float
    reps: int
    seed: int | None
    results: tuple[EstimatorResult, ...]
    params: dict = field(default_factory=dict)  # parameters of the estimators beyond lasso and ridge

    def __getitem__(self, estimator: str) -> EstimatorResult:
        for row in self.results:
            if row.estimator == estimator:
                return row
        raise KeyError(estimator)

    @property
    def level_name(self) -> str:
        return "lam" if self.form == "penalized" else "radius"

    def to_dict(self) -> dict:
        """The command line's ``--json`` object."""
        return {
            "beta": list(self.beta),
            "sigma": self.sigma,
            "form": self.form,
            self.level_name: self.level,
            "reps": self.reps,
            "seed": self.seed,
            **({"params": self.params} if self.params else {}),
            "results": [row.to_dict() for row in self.results],
        }

    def to_frame(self):
        """A tidy ``pandas.DataFrame``: one row per estimator, the scenario in columns.

        ``zeros`` (the K histogram) stays one column of tuples; the scenario's
        ``beta`` too.
        """
        import pandas as pd

        rows = []
        for row in self.results:
            record = {"beta": self.beta, "sigma": self.sigma, "form": self.form, self.level_name: self.level}
            record.update(asdict(row))
            record["z_score"] = row.z_score
            rows.append(record)
        return pd.DataFrame(rows)


def _estimator_names(estimator, form):
    """``estimator`` (a name, a group, or a sequence of them) as a tuple of distinct names."""
    items = (estimator,) if isinstance(estimator, str) else tuple(estimator)
    groups = ESTIMATOR_GROUPS if form == "penalized" else {"all": ESTIMATORS}
    allowed = (PENALIZED_ESTIMATORS if form == "penalized" else ESTIMATORS) + tuple(groups)
    names = []
    for item in items:
        if item not in allowed:
            note = " (the constrained form has lasso and ridge only)" if form == "constrained" else ""
            raise ValueError(f"estimator must be one of {', '.join(map(repr, allowed))}{note}, got {item!r}")
        names.extend(groups.get(item, (item,)))
    if not names:
        raise ValueError("estimator must name at least one estimator")
    return tuple(dict.fromkeys(names))


def rule_arguments(name, lam, params):
    """``(level, keywords)`` for ``_penalties.PENALTIES[name]`` under simulate()'s convention.

    One level ``lam`` for every estimator; the elastic net follows scikit-learn's
    ``(alpha, l1_ratio)``: ``lam1 = lam * l1_ratio``, ``lam2 = lam * (1 - l1_ratio)``.
    ``params`` holds the keys of ``DEFAULT_PARAMS``.
    """
    if name == "elastic_net":
        ratio = check_scalar(params["l1_ratio"], "l1_ratio", Interval(0, 1, closed="both"))
        return lam * ratio, {"lam2": lam * (1 - ratio)}
    return lam, {key: params[key] for key in _PARAM_OF.get(name, ())}


def _thresholds(names, lam, p, params):
    """Zero thresholds of the separable estimators at level ``lam``, and best subset's size.

    The elastic net follows scikit-learn's ``(alpha, l1_ratio)``: ``lam1 = lam *
    l1_ratio`` and ``lam2 = lam * (1 - l1_ratio)``.
    """
    from ._penalties import PENALTIES

    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise TypeError(f"unknown estimator parameter(s): {', '.join(unknown)}")
    params = {**DEFAULT_PARAMS, **params}
    taus = {}
    for name in names:
        if name != "best_subset":
            level, kwargs = rule_arguments(name, lam, params)
            taus[name] = PENALTIES[name].threshold(level, **kwargs)
    # sqrt(2 lam) may overflow: zero iff |z| <= inf is zero iff |z| <= the largest float, for finite z.
    taus = {name: min(tau, np.finfo(float).max) for name, tau in taus.items()}
    subset_size = -1
    if "best_subset" in names:
        subset_size = check_count(params["subset_size"], "subset_size", minimum=0)
        if subset_size > p:
            raise ValueError(f"subset_size must be <= p = {p}, got {subset_size}")
    return taus, subset_size


def _validate(beta, sigma, lam, radius, estimator, reps, jobs, backend, chunk_size):
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    estimators = _estimator_names(estimator, "penalized" if lam is not None else "constrained")
    reps = check_count(reps, "reps")
    if chunk_size is not None:
        check_count(chunk_size, "chunk_size")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs == 0:
        raise ValueError(f"jobs must be a positive integer or -1 (all cores), got {jobs!r}")
    check_option(backend, "backend", BACKENDS)
    return beta, sigma, lam, radius, estimators, reps


def simulate(
    beta,
    sigma=1.0,
    *,
    lam=None,
    radius=None,
    estimator="all",
    reps=DEFAULT_REPS,
    seed=0,
    jobs=1,
    backend="threading",
    chunk_size=None,
    scheduler=None,
    progress=False,
    integrate=True,
    confidence_level=0.95,
    **params,
) -> SimulationResult:
    """Estimate P(lasso sparse) and P(ridge sparse) by Monte Carlo.

    Draws ``beta_hat ~ N(beta, sigma^2 I)`` ``reps`` times, applies the
    estimators to the same draws and counts the draws whose solution has a
    zero coordinate.

    Parameters
    ----------
    beta : array_like of shape (p,)
        True coefficients.
    sigma : float, default 1.0
        Noise level (``beta_hat`` has covariance ``sigma^2 I``).
    lam : float, optional
        Penalized form: ``argmin 1/2||y - Xb||^2 + lam ||b||_1`` (lasso) and
        ``+ lam/2 ||b||^2`` (ridge).  Give exactly one of ``lam``, ``radius``.
    radius : float, optional
        Constrained form: ``||b||_1 <= radius`` (lasso), ``||b||_2 <= radius`` (ridge).
    estimator : str or sequence of str, default "all"
        ``"lasso"``, ``"ridge"``, or (penalized form only) ``"elastic_net"``,
        ``"hard"`` (L0), ``"scad"``, ``"mcp"``, ``"bridge"`` (L_q), ``"best_subset"``;
        or a group: ``"all"`` (lasso and ridge), ``"penalties"`` (every penalized
        estimator).  All of them run on the same draws.
    reps : int
        Number of replications (an integral float such as ``1e7`` is accepted).
    seed : int, SeedSequence or Generator, default 0
        Decides every replication's random numbers: block ``b`` uses the child
        with spawn key ``seed.spawn_key + (b,)`` (see ``_engine``).  A
        SeedSequence is used as given, whatever it has spawned before: pass a
        fresh one (or an int) to avoid sharing streams with its earlier children.
    jobs : int, default 1
        Workers; -1 for all cores (joblib's convention: -2 all but one, ...).
        Changes speed, never the counts.
    backend : {"threading", "loky", "dask"}
        joblib backend.  The compiled kernel releases the GIL, so threads scale.
    chunk_size : int, optional
        Replications per task, rounded up to whole blocks of ``BLOCK_SIZE``.
    scheduler : str, optional
        Address of a running dask.distributed scheduler (with ``backend="dask"``);
        without it the dask backend starts a local cluster.
    progress : bool
        Show a progress bar on stderr for runs longer than two seconds.
    integrate : bool
        Also integrate the density over the sparse region (p = 2 only).
    confidence_level : float, default 0.95
    **params
        The other estimators' parameters: ``l1_ratio`` (elastic net, default 0.5:
        ``lam1 = lam * l1_ratio``, ``lam2 = lam * (1 - l1_ratio)`` as scikit-learn's
        ``ElasticNet``), ``a`` (SCAD, 3.7), ``gamma`` (MCP, 3), ``q`` (bridge, 0.5),
        ``subset_size`` (best subset, 1).  Hard thresholding's penalty is
        ``lam * 1(theta != 0)``: zero iff ``|beta_hat_j| <= sqrt(2 lam)``.

    Returns
    -------
    SimulationResult

    Examples
    --------
    >>> res = simulate([1.0, 0.3], lam=0.5, reps=200_000, seed=1)
    >>> row = res["lasso"]
    >>> abs(row.estimate - row.exact) < 4 * row.std_error
    True
    >>> res["ridge"].sparse, res["ridge"].ci_high < 2e-5
    (0, True)
    """
    beta, sigma, lam, radius, estimators, reps = _validate(
        beta, sigma, lam, radius, estimator, reps, jobs, backend, chunk_size)
    seed_seq = check_rng_seed(seed)
    form = "penalized" if lam is not None else "constrained"
    if form == "penalized":
        taus, subset_size = _thresholds(estimators, lam, beta.size, params)
        design = Design(beta, sigma, form, thresholds=np.array(list(taus.values())), subset_size=subset_size)
        rows_of = {name: i for i, name in enumerate(taus)}
        rows_of["best_subset"] = len(taus)
    else:
        if params:
            raise TypeError(f"the constrained form takes no estimator parameters, got {', '.join(sorted(params))}")
        taus, subset_size = {}, -1
        design = Design(beta, sigma, form, radius=radius)
        rows_of = {"lasso": 0, "ridge": 1}
    hist = run_replications(design, reps, seed_seq, jobs=jobs, backend=backend, chunk_size=chunk_size,
                            scheduler=scheduler, progress=progress)
    results = tuple(
        _row(name, hist[rows_of[name]], reps, beta, sigma, taus.get(name), radius, subset_size, integrate,
             confidence_level)
        for name in estimators
    )
    return SimulationResult(
        beta=tuple(float(b) for b in beta),
        sigma=sigma,
        form=form,
        level=lam if form == "penalized" else radius,
        reps=reps,
        seed=int(seed) if isinstance(seed, numbers.Integral) else None,
        results=results,
        params={key: {**DEFAULT_PARAMS, **params}[key] for name in estimators
                for key in _PARAM_OF.get(name, ())},
    )


def _integral_or_none(beta, sigma, **kwargs):
    """The integral, or None where beta/sigma or level/sigma overflow (no quadrature is meaningful)."""
    from ._integrate import integrate_sparse_region

    try:
        return integrate_sparse_region(beta, sigma, **kwargs)
    except ValueError:
        return None


def _row(name, zeros, reps, beta, sigma, tau, radius, subset_size, integrate, confidence_level) -> EstimatorResult:
    """One estimator's row.  A separable estimator with zero threshold ``tau`` has
    the lasso's zero pattern at level ``tau``: its exact value and integral are
    the lasso's there (ridge: ``tau = 0``, the axes)."""
    from ._exact import ExactProbability, exact_sparse_probability

    zeros = tuple(int(c) for c in zeros)
    sparse = reps - zeros[0]
    estimate = sparse / reps
    ci_low, ci_high = proportion_interval(sparse, reps, confidence_level)
    integral = None
    if name == "best_subset":
        # K = p - M with probability 1: sparse for sure when M < p, never when M = p.
        pmf = np.zeros(beta.size + 1)
        pmf[beta.size - subset_size] = 1.0
        exact = ExactProbability(float(pmf[0] == 0.0), 0.0 if pmf[0] == 0.0 else -math.inf, pmf)
    elif radius is not None:
        exact = exact_sparse_probability(beta, sigma, radius=radius, estimator=name)
        if integrate and beta.size == 2:
            integral = _integral_or_none(beta, sigma, radius=radius, estimator=name)
    else:
        exact = exact_sparse_probability(beta, sigma, lam=tau)
        if integrate and beta.size == 2:
            integral = _integral_or_none(beta, sigma, lam=tau)
    return EstimatorResult(
        estimator=name,
        sparse=sparse,
        reps=reps,
        estimate=estimate,
        std_error=math.sqrt(estimate * (1.0 - estimate) / reps),
        ci_low=ci_low,
        ci_high=ci_high,
        exact=None if exact is None else exact.probability,
        log_exact=None if exact is None else exact.log_probability,
        integral=None if integral is None else integral.value,
        integral_error=None if integral is None else integral.error,
        zeros=zeros,
        exact_zeros=None if exact is None or exact.zeros_pmf is None else tuple(float(v) for v in exact.zeros_pmf),
    )
