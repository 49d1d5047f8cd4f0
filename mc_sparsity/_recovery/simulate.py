"""Random-design support recovery on the engine: trials, tallies, estimands and their intervals.

Every scenario (one ``p``, design and ``theta``) runs
:func:`~mc_sparsity._recovery.witness.recovery_trials` through
:func:`~mc_sparsity._mc.engine.run_kernel` in blocks of :data:`TRIALS_PER_BLOCK`
trials, from the root ``named_stream(SeedSequence(seed), "recovery", index)``,
``index`` the scenario's position in the grid (``p`` slowest, then the
design, then ``theta``).  So a scenario's numbers depend on the seed, its index
and its trials only, never on the workers, backend or chunk size.

Estimands (over the certified trials; uncertified trials are counted apart):

* proportions with Clopper-Pearson intervals: ``signed_support`` (the
  solution's signed support is the truth's), ``support`` (same support),
  ``superset`` (the solution's support contains the true one);
* means with their Monte Carlo standard error and a normal interval: ``fdp``
  (false discoveries over discoveries, 0 when nothing is selected), ``tpr``
  (true discoveries over ``k``), ``hamming`` (size of the symmetric difference
  of the supports).

The signed-support event is decided by the primal-dual witness on the true
signed support (certified yes, or certified no); only when the witness leaves
it undecided, or when another estimand needs the solution itself, is the
lasso solved: by certifying the signed supports a refutation points to, else
by LARS (and its solution certified; ``by_solver`` counts both).  A row's ``uncertified``
counts the trials its estimand could not be decided for (the signed-support
event undecided; for the other estimands, the solution not certified); its
estimate is over the other trials.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import check_n_jobs, check_rng
from .._mc.engine import Kernel, run_kernel
from .._mc.streams import named_stream
from .._stats.inference import CONFIDENCE_LEVEL, proportion_interval
from .setup import ESTIMANDS, MAX_TRIALS, MEANS, PROPORTIONS, RecoverySetup, recovery_setup
from .transition import crossing
from .witness import COUNT_FIELDS, SUM_FIELDS, recovery_trials

__all__ = ["ESTIMANDS", "PROPORTIONS", "MEANS", "TRIALS_PER_BLOCK", "RecoveryRow", "RecoveryResult",
           "simulate_recovery", "scenario_kernel"]

#: Trials per random stream: a trial is a whole design and a solve, so blocks are small.
TRIALS_PER_BLOCK = 8


@dataclass(frozen=True)
class RecoveryRow:
    """One scenario and estimand: the estimate and its interval (``trials`` run, ``uncertified`` among them)."""

    p: int
    k: int
    n: int
    theta: float
    lam: float
    design: str
    rho: float
    estimator: str
    estimand: str
    trials: int
    successes: int | None
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    uncertified: int
    witness_yes: int
    witness_no: int
    by_solver: int

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class RecoveryResult:
    """Rows of every scenario and estimand, and the 1/2-crossings of P(signed support) per ``p`` and design."""

    results: list
    transitions: list
    sparsity: str
    sigma: float
    beta_min: float
    seed: int
    trials: int
    confidence_level: float = CONFIDENCE_LEVEL
    setups: list = field(default_factory=list, repr=False)

    def to_dict(self) -> dict:
        return {"command": "recovery", "sparsity": self.sparsity, "sigma": self.sigma, "beta_min": self.beta_min,
                "seed": self.seed, "trials": self.trials, "confidence_level": self.confidence_level,
                "results": [row.to_dict() for row in self.results],
                "transitions": [dict(t) for t in self.transitions]}


def scenario_kernel(setup: RecoverySetup, solve: bool = True) -> Kernel:
    """The engine's :class:`Kernel` for one scenario; ``solve=False`` when only ``signed_support`` is needed."""
    return Kernel(recovery_trials, (setup.p, setup.k, setup.n, setup.lam, setup.sigma, setup.beta_min, setup.rho,
                                    bool(solve)),
                  counts_shape=(len(COUNT_FIELDS),), sums_shape=(len(SUM_FIELDS),), block_size=TRIALS_PER_BLOCK)


def _as_list(value, name):
    if value is None:
        return [None]
    if isinstance(value, (str, numbers.Real)):
        return [value]
    values = list(value)
    if not values:
        raise ParameterError(name, f"{name} must not be empty")
    return values


def _rows(setup: RecoverySetup, tally, trials, estimands, confidence_level):
    counts = {name: int(v) for name, v in zip(COUNT_FIELDS, tally.counts)}
    sums = dict(zip(SUM_FIELDS, tally.sums.tolist()))
    z = _normal_quantile(confidence_level)
    rows = []
    for estimand in estimands:
        uncertified = counts["undecided_signed"] if estimand == "signed_support" else counts["unsolved"]
        certified = trials - uncertified
        if certified == 0:
            estimate = se = low = high = math.nan
            successes = counts.get(estimand)
        elif estimand in PROPORTIONS:
            successes = counts[estimand]
            estimate = successes / certified
            se = math.sqrt(estimate * (1.0 - estimate) / certified)
            low, high = proportion_interval(successes, certified, confidence_level)
        else:
            successes = None
            total, squares = sums[estimand], sums[estimand + "_sq"]
            estimate = total / certified
            var = max(0.0, (squares - total * estimate) / (certified - 1)) if certified > 1 else 0.0
            se = math.sqrt(var / certified)
            low, high = estimate - z * se, estimate + z * se
        rows.append(RecoveryRow(p=setup.p, k=setup.k, n=setup.n, theta=setup.theta, lam=setup.lam,
                                design=setup.design, rho=setup.rho, estimator="lasso", estimand=estimand,
                                trials=trials, successes=successes, estimate=estimate, std_error=se, ci_low=low,
                                ci_high=high, uncertified=uncertified, witness_yes=counts["witness_yes"],
                                witness_no=counts["witness_no"], by_solver=counts["by_solver"]))
    return rows, counts


def _normal_quantile(confidence_level):
    from scipy.special import ndtri

    return float(ndtri(0.5 + confidence_level / 2))


def simulate_recovery(p=(128, 256, 512), sparsity="fractional", *, theta=(0.5, 0.75, 1.0, 1.25, 1.5, 2.0), n=None,
                      design="gaussian", rho=None, sigma=0.5, beta_min=0.5, lam="wainwright",
                      estimand="signed_support", trials=1000, rng=0, n_jobs=None, backend=None, chunk_size=None,
                      scheduler=None, confidence_level=CONFIDENCE_LEVEL, progress=False) -> RecoveryResult:
    """Estimate support-recovery probabilities of the lasso for random designs (Wainwright 2009).

    Parameters
    ----------
    p : int or sequence of int
        Numbers of variables.
    sparsity : {"linear", "sublinear", "fractional"} or int
        How ``k`` grows with ``p`` (see :mod:`~mc_sparsity._recovery.setup`).
    theta : float or sequence, optional
        Control parameters; ``n = ceil(2 theta k log(p - k))``.  Ignored when ``n`` is given.
    n : int or sequence of int, optional
        Sample sizes instead of ``theta``.
    design : {"gaussian", "toeplitz"} or a sequence of them
    rho : float, optional
        The Toeplitz design's correlation (default 0.1).
    sigma, beta_min : float
        Noise level and the size of the non-zero coefficients (default 0.5 and 0.5).
    lam : "wainwright" or float
        The level (default ``lam_n = sqrt(2 sigma^2 log k log(p - k) / n)``).
    estimand : str or sequence of str
        Any of :data:`ESTIMANDS`, or ``"all"``.
    trials : int
        Trials per scenario.
    rng : int or numpy.random.SeedSequence
        The seed.
    n_jobs, backend, chunk_size, scheduler
        As in :func:`~mc_sparsity._mc.engine.run_kernel`; never change the numbers.

    Returns
    -------
    RecoveryResult

    Examples
    --------
    >>> r = simulate_recovery(64, 4, theta=2.0, trials=16)
    >>> row = r.results[0]
    >>> (row.k, row.n, row.trials, row.uncertified), 0 <= row.estimate <= 1
    ((4, 66, 16, 0), True)
    """
    seed_seq = check_rng(rng)
    n_jobs = check_n_jobs(n_jobs)
    if isinstance(trials, bool) or not isinstance(trials, numbers.Real) or not float(trials).is_integer() \
            or not 1 <= trials <= MAX_TRIALS:
        raise ParameterError("trials", f"trials must be a whole number in [1, {MAX_TRIALS:,}], got {trials!r}")
    trials = int(trials)
    estimands = _as_list(estimand, "estimand")
    if estimands == ["all"]:
        estimands = list(ESTIMANDS)
    for name in estimands:
        if name not in ESTIMANDS:
            raise ParameterError("estimand", f"estimand must be among {', '.join(ESTIMANDS)}, got {name!r}")
    levels = _as_list(n, "n") if n is not None else _as_list(theta, "theta")
    setups = []
    for pp in _as_list(p, "p"):
        for dd in _as_list(design, "design"):
            for level in levels:
                kw = {"n": level} if n is not None else {"theta": level}
                setups.append(recovery_setup(pp, sparsity, lam=lam, design=dd, rho=rho, sigma=sigma,
                                             beta_min=beta_min, **kw))
    solve = any(name != "signed_support" for name in estimands)
    rows, tallies = [], []
    for index, setup in enumerate(setups):
        tally = run_kernel(scenario_kernel(setup, solve), trials, named_stream(seed_seq, "recovery", index),
                           n_jobs=n_jobs, backend=backend, chunk_size=chunk_size, scheduler=scheduler,
                           progress=progress)
        scenario_rows, counts = _rows(setup, tally, trials, estimands, confidence_level)
        rows.extend(scenario_rows)
        tallies.append(counts)
    transitions = _transitions(setups, tallies, trials, confidence_level)
    seed = int(seed_seq.entropy) if isinstance(seed_seq.entropy, int) else None
    return RecoveryResult(results=rows, transitions=transitions, sparsity=str(sparsity), sigma=float(sigma),
                          beta_min=float(beta_min), seed=seed, trials=trials, confidence_level=confidence_level,
                          setups=setups)


def _transitions(setups, tallies, trials, confidence_level):
    """Per ``p`` and design with at least two ``theta``: where P(signed support) crosses 1/2."""
    groups: dict = {}
    for setup, counts in zip(setups, tallies):
        groups.setdefault((setup.p, setup.design, setup.rho), []).append((setup, counts))
    out = []
    for (p, design, rho), members in groups.items():
        if len(members) < 2:
            continue
        members.sort(key=lambda m: m[0].theta)
        thetas = np.array([m[0].theta for m in members])
        certified = np.array([trials - m[1]["undecided_signed"] for m in members])
        successes = np.array([m[1]["signed_support"] for m in members])
        keep = certified > 0
        result = crossing(thetas[keep], successes[keep], certified[keep], confidence_level=confidence_level)
        out.append({"p": p, "k": members[0][0].k, "design": design, "rho": rho, "estimand": "signed_support",
                    **result.to_dict()})
    return out
