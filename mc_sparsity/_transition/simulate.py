"""Basis pursuit (L1) against the minimum-norm solution (L2) from random measurements, on the engine.

One trial: a new ``A`` (``m x d``, iid N(0, 1)), a new support of size ``s``
(uniform), non-zero values iid N(0, 1), ``y = A x``.  L1 is decided by
:func:`~mc_sparsity._transition.basis_pursuit.decide` (success, failure, or
uncertified, each with its proof); L2 is ``A^+ y`` (``numpy.linalg.lstsq``),
a success when ``||A^+ y - x|| <= 1e-6 ||x||``, and its coordinates equal to
0.0 are counted.

Random numbers come only from the engine: scenario ``(d, s, m)`` runs
:func:`~mc_sparsity._mc.engine.run_kernel` from the root
``named_stream(root, "transition", scenario_index(d, s, m))`` in blocks of
:data:`TRIALS_PER_BLOCK` trials, so a trial's numbers depend only on the seed,
the scenario and the trial's index: the counts are the same for any
``n_jobs``, backend or chunk size, and for a scenario whatever other
scenarios are run with it.
"""

from __future__ import annotations

import numbers
from dataclasses import asdict, dataclass, field

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import check_count, check_n_jobs, check_option, check_rng
from .basis_pursuit import CERTIFICATES, FAILURE_PROOFS, RELATIVE_TOLERANCE, decide

__all__ = ["MAX_D", "MAX_TRIALS", "TRIALS_PER_BLOCK", "METHODS", "COUNTS", "TransitionRow", "TransitionResult", "grid_values", "simulate_grid",
           "scenario_index", "transition_kernel", "simulate_transition", "check_transition"]

#: Largest dimension accepted (a trial at d = 1000 solves LPs with 2000 variables: ~1 s).
MAX_D = 1000
#: Most trials per scenario.
MAX_TRIALS = 1_000_000
#: Trials per engine block: small, so that trials spread over workers.
TRIALS_PER_BLOCK = 8
METHODS = ("fast", "highs")

#: The kernel's counts, in order.
COUNTS = ("l1_successes", "l1_failures", "uncertified", "l2_successes", "l2_zeros",
          *(f"certified_{name}" for name in CERTIFICATES), *(f"failure_{name}" for name in FAILURE_PROOFS))
_INDEX = {name: i for i, name in enumerate(COUNTS)}


def scenario_index(d: int, s: int, m: int) -> int:
    """The key of scenario ``(d, s, m)`` in the ``"transition"`` stream: one integer per scenario.

    Examples
    --------
    >>> scenario_index(100, 10, 30) != scenario_index(100, 30, 10)
    True
    """
    return (int(d) * (MAX_D + 1) + int(s)) * (2 * MAX_D + 1) + int(m)


def draw_trial(rng: np.random.Generator, d: int, s: int, m: int):
    """One trial's ``(A, x)``, in a fixed order of draws: ``A``, the support, the values."""
    A = rng.standard_normal((m, d))
    support = rng.choice(d, size=s, replace=False)
    x = np.zeros(d)
    x[support] = rng.standard_normal(s)
    return A, x


def transition_block(rng, n, d, s, m, method, counts, sums):
    """The kernel function: ``n`` trials of scenario ``(d, s, m)`` added into ``counts`` (see :data:`COUNTS`)."""
    for _ in range(n):
        A, x = draw_trial(rng, d, s, m)
        outcome, proof = decide(A, x, method)
        if outcome == "success":
            counts[_INDEX["l1_successes"]] += 1
            counts[_INDEX[f"certified_{proof}"]] += 1
        elif outcome == "failure":
            counts[_INDEX["l1_failures"]] += 1
            counts[_INDEX[f"failure_{proof}"]] += 1
        else:
            counts[_INDEX["uncertified"]] += 1
        l2 = np.linalg.lstsq(A, A @ x, rcond=None)[0]
        counts[_INDEX["l2_successes"]] += int(np.linalg.norm(l2 - x) <= RELATIVE_TOLERANCE * np.linalg.norm(x))
        counts[_INDEX["l2_zeros"]] += int(np.count_nonzero(l2 == 0.0))


def transition_kernel(d: int, s: int, m: int, method: str = "fast"):
    """The engine :class:`~mc_sparsity._mc.engine.Kernel` of scenario ``(d, s, m)``."""
    from .._mc.engine import Kernel

    return Kernel(transition_block, (d, s, m, method), (len(COUNTS),), (0,), TRIALS_PER_BLOCK)


def _integer(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError(name, f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ParameterError(name, f"{name} must be in [{low}, {high}], got {value}")
    return int(value)


def check_transition(d, s, m, trials):
    """Validate a transition run: ``1 <= d <= MAX_D``, ``1 <= s <= d``, ``1 <= m <= d``, trials.

    ``m`` may be one integer or a sequence; returns ``(d, s, [m...], trials)``.

    Examples
    --------
    >>> check_transition(100, 10, [20, 30], 50)
    (100, 10, [20, 30], 50)
    >>> check_transition(100, 101, 20, 50)
    Traceback (most recent call last):
    ...
    mc_sparsity._base.errors.ParameterError: s must be in [1, 100], got 101
    """
    d = _integer(d, "d", 1, MAX_D)
    s = _integer(s, "s", 1, d)
    ms = [m] if isinstance(m, numbers.Integral) and not isinstance(m, bool) else list(m) if m is not None else []
    if not ms:
        raise ParameterError("m", "m must be one or more integers")
    ms = [_integer(value, "m", 1, d) for value in ms]
    trials = check_count(trials, "trials")
    if trials > MAX_TRIALS:
        raise ParameterError("trials", f"trials must be <= {MAX_TRIALS:,}, got {trials:,}")
    return d, s, ms, trials


@dataclass(frozen=True)
class TransitionRow:
    """One scenario's counts, estimates and 95% Clopper-Pearson interval of P(L1 recovers)."""

    d: int
    s: int
    m: int
    trials: int
    l1_successes: int
    l1_estimate: float
    l1_ci_low: float
    l1_ci_high: float
    l2_successes: int
    l2_estimate: float
    l2_zeros: int
    uncertified: int
    statistical_dimension: float
    statistical_dimension_lower: float
    proofs: dict = field(default_factory=dict)

    @classmethod
    def from_counts(cls, d, s, m, counts):
        from .._stats.inference import proportion_interval
        from .statistical_dimension import statistical_dimension

        named = {name: int(counts[i]) for i, name in enumerate(COUNTS)}
        trials = named["l1_successes"] + named["l1_failures"] + named["uncertified"]
        low, high = proportion_interval(named["l1_successes"], trials)
        sd = statistical_dimension(s, d)
        proofs = {name: value for name, value in named.items() if name.startswith(("certified_", "failure_"))}
        return cls(d, s, m, trials, named["l1_successes"], named["l1_successes"] / trials, low, high,
                   named["l2_successes"], named["l2_successes"] / trials, named["l2_zeros"], named["uncertified"],
                   sd.value, sd.lower, proofs)

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class TransitionResult:
    """The rows of a run and what decides its numbers (``seed``, ``method``)."""

    rows: list
    seed: dict
    method: str

    def to_dict(self) -> dict:
        return {"seed": self.seed, "method": self.method, "results": [row.to_dict() for row in self.rows]}


def one_blas_thread():
    """A context in which BLAS uses one thread (threadpoolctl, if installed).

    A trial's matrices are small: a multi-threaded BLAS only spins, and on a
    loaded machine made a serial grid eight times slower (measured: 241 s
    against 29 s on 2 cores).  loky's workers are limited by joblib already.
    """
    import contextlib

    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - depends on the environment
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def run_scenario(d, s, m, trials, root, method="fast", *, n_jobs=None, backend=None, chunk_size=None,
                 progress=False) -> TransitionRow:
    """Run one scenario on the engine from its own named stream of ``root``."""
    from .._mc.engine import run_kernel
    from .._mc.streams import named_stream

    with one_blas_thread():
        tally = run_kernel(transition_kernel(d, s, m, method), trials,
                           named_stream(root, "transition", scenario_index(d, s, m)),
                           n_jobs=n_jobs, backend=backend, chunk_size=chunk_size, progress=progress)
    return TransitionRow.from_counts(d, s, m, tally.counts)


def simulate_transition(d, s, m, trials=1000, rng=0, *, n_jobs=None, backend=None, chunk_size=None,
                        method="fast", progress=False) -> TransitionResult:
    """Simulate P(basis pursuit recovers x) and P(the minimum-norm solution recovers x).

    Parameters
    ----------
    d, s : int
        Dimension (``<= MAX_D``) and non-zero coordinates (``1 <= s <= d``).
    m : int or sequence of int
        Measurements, each in ``[1, d]``.
    trials : int
        Trials per value of ``m`` (``<= MAX_TRIALS``).
    rng : int, SeedSequence or Generator
        The run's root seed.
    n_jobs, backend, chunk_size, progress
        As in :func:`~mc_sparsity._mc.engine.run_kernel`; never change the counts.
    method : {"fast", "highs"}
        How basis pursuit is decided (:func:`~mc_sparsity._transition.basis_pursuit.decide`):
        the same outcomes, different costs.

    Returns
    -------
    TransitionResult

    Examples
    --------
    >>> result = simulate_transition(40, 2, [4, 30], trials=16, rng=1)
    >>> [(row.m, row.l1_successes, row.l2_successes, row.uncertified) for row in result.rows]
    [(4, ..., 0, 0), (30, 16, 0, 0)]
    """
    d, s, ms, trials = check_transition(d, s, m, trials)
    root = check_rng(rng)
    n_jobs = check_n_jobs(n_jobs)
    method = check_option(method, "method", METHODS)
    if chunk_size is not None:
        chunk_size = check_count(chunk_size, "chunk_size")
    rows = [run_scenario(d, s, value, trials, root, method, n_jobs=n_jobs, backend=backend, chunk_size=chunk_size,
                         progress=progress) for value in ms]
    return TransitionResult(rows, {"entropy": root.entropy, "spawn_key": list(root.spawn_key)}, method)


def grid_values(d: int, size: int) -> list[int]:
    """``size`` integers ``round(k d / size)``, ``k = 1 .. size``, without repeats: the grid's s or m values.

    Examples
    --------
    >>> grid_values(100, 4)
    [25, 50, 75, 100]
    """
    return sorted({max(1, round(k * d / size)) for k in range(1, size + 1)})


def _grid_cell(d, s, m, trials, root, method):
    return run_scenario(d, s, m, trials, root, method, n_jobs=1)


def simulate_grid(d, s_values, m_values, trials, rng=0, *, n_jobs=None, backend=None, method="fast",
                  progress=False) -> TransitionResult:
    """Every ``(s, m)`` pair of the two lists at dimension ``d``: a :class:`TransitionResult`.

    The cells are spread over workers (joblib), each cell run serially on the
    engine from its own stream, so the counts are those of
    :func:`simulate_transition` for the same ``(d, s, m)`` and seed, whatever
    ``n_jobs`` or the backend.  Rows are in the order ``s`` major, ``m`` minor.

    Examples
    --------
    >>> grid = simulate_grid(20, [2], [4, 20], trials=8, rng=3)
    >>> [row.m for row in grid.rows] == [4, 20]
    True
    """
    import joblib

    cells = []
    for s in s_values:
        d_, s_, ms, trials = check_transition(d, s, list(m_values), trials)
        cells.extend((d_, s_, m) for m in ms)
    root = check_rng(rng)
    n_jobs = check_n_jobs(n_jobs)
    method = check_option(method, "method", METHODS)
    from .._mc.engine import BACKENDS, n_workers

    if backend is not None and backend not in BACKENDS[:2]:
        raise ParameterError("backend", f"backend must be one of threading, loky for a grid, got {backend!r}")
    tasks = (joblib.delayed(_grid_cell)(d_, s_, m, trials, root, method) for d_, s_, m in cells)
    parallel = joblib.Parallel(n_jobs=n_workers(n_jobs), backend=backend or "loky", return_as="generator")
    rows = []
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(cells), unit="cell", delay=2.0, leave=False, desc="grid cells")
    try:
        for row in parallel(tasks):
            rows.append(row)
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return TransitionResult(rows, {"entropy": root.entropy, "spawn_key": list(root.spawn_key)}, method)
