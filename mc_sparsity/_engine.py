"""The Monte Carlo engine: replications in blocks, blocks in tasks, tasks on workers.

Determinism.  Replication ``i`` belongs to block ``b = i // BLOCK_SIZE``, and
block ``b`` draws from its own stream, the ``b``-th child of the run's
``SeedSequence`` (exactly what ``SeedSequence.spawn`` would give).  So the
seed and the replication's index alone decide its random numbers; the number
of workers, the backend and the chunk size only decide which worker runs which
whole blocks, and when.  Counts are integers, summed in any order.

Memory.  The compiled kernels draw batches of a few hundred replications into
a fixed buffer, so memory does not grow with the number of replications;
tasks are produced lazily.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BLOCK_SIZE", "Design", "SimulationInterrupted", "run_replications", "block_generator"]

#: Replications per random stream.  Part of what a seed means: changing it
#: changes every count, so it is a constant, not an option.
BLOCK_SIZE = 1 << 18

BACKENDS = ("threading", "loky", "dask")

#: Seconds before the progress bar appears: short runs print nothing.
PROGRESS_DELAY = 2.0


@dataclass(frozen=True)
class Design:
    """What one replication does.

    ``form == "penalized"``: ``thresholds[e]`` is estimator ``e``'s zero
    threshold (zero iff ``|beta_hat_j| <= thresholds[e]``), then best subset
    of size ``subset_size`` if that is >= 0.  ``form == "constrained"``: rows 0 and 1 of the histogram are the
    L1-ball and L2-ball projections of radius ``radius``.
    """

    mean: np.ndarray
    sigma: float
    form: str
    thresholds: np.ndarray = field(default_factory=lambda: np.empty(0))
    radius: float = 0.0
    subset_size: int = -1  # best subset's M (penalized form), -1 for none

    @property
    def n_rows(self) -> int:
        if self.form == "penalized":
            return self.thresholds.size + (self.subset_size >= 0)
        return 2

    def new_histogram(self) -> np.ndarray:
        return np.zeros((self.n_rows, self.mean.size + 1), dtype=np.int64)


@dataclass(frozen=True)
class Kernel:
    """A compiled computation run on every replication block.

    ``function(rng, n, *args, counts, sums)`` draws ``n`` replications from
    the numpy ``Generator`` ``rng`` and adds into ``counts`` (int64, shape
    ``counts_shape``) and ``sums`` (float64, shape ``sums_shape``), summing in
    a fixed order.  The engine gives every block fresh zeroed arrays, adds the
    counts (integers: any order) and combines the float sums of the blocks
    exactly (``math.fsum``), so a weighted estimate is as reproducible as a
    count, whatever the workers, chunk size or backend.
    """

    function: object
    args: tuple
    counts_shape: tuple
    sums_shape: tuple = (0,)


class SimulationInterrupted(KeyboardInterrupt):
    """Raised on Ctrl-C: ``zeros`` holds the counts of the ``completed`` replications only.

    These partial counts are not a final answer (their replications are not
    the first ``completed`` ones when several workers run), and are reported as
    such.
    """

    def __init__(self, completed: int, requested: int, zeros: np.ndarray):
        super().__init__(f"interrupted after {completed:,} of {requested:,} replications")
        self.completed = completed
        self.requested = requested
        self.zeros = zeros


def block_generator(seed: np.random.SeedSequence, block: int) -> np.random.Generator:
    """The Generator of block ``block``: the ``block``-th child that ``seed.spawn`` gives."""
    child = np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key + (block,), pool_size=seed.pool_size)
    return np.random.Generator(np.random.PCG64(child))


def _run_task(design: Design, seed: np.random.SeedSequence, reps: int, first_block: int, stop_block: int):
    """Run whole blocks ``[first_block, stop_block)``; return (replications run, histogram)."""
    from . import _kernels  # compiled lazily, on a worker's first task

    hist = design.new_histogram()
    done = 0
    for block in range(first_block, stop_block):
        n = min(BLOCK_SIZE, reps - block * BLOCK_SIZE)
        rng = block_generator(seed, block)
        if design.form == "penalized":
            _kernels.penalized_counts(rng, n, design.mean, design.sigma, design.thresholds, design.subset_size, hist)
        else:
            _kernels.constrained_counts(rng, n, design.mean, design.sigma, design.radius, hist)
        done += n
    return done, hist


def n_workers(jobs: int) -> int:
    """joblib's convention: -1 is all cores, -2 all but one, ..."""
    cores = os.cpu_count() or 1
    return max(1, jobs if jobs > 0 else cores + 1 + jobs)


def blocks_per_task(reps: int, jobs: int, chunk_size: int | None) -> int:
    """Whole blocks per task: ``chunk_size`` rounded up to blocks, or a default.

    The default gives each worker several tasks (load balance, progress) of at
    most 64 blocks (~17 million replications, a fraction of a second).
    """
    n_blocks = math.ceil(reps / BLOCK_SIZE)
    if chunk_size is not None:
        return max(1, math.ceil(chunk_size / BLOCK_SIZE))
    return max(1, min(64, n_blocks // (4 * n_workers(jobs))))


@contextlib.contextmanager
def _backend_context(backend: str, jobs: int, scheduler: str | None):
    """Yield the joblib backend name to use, with a dask client around it if needed."""
    if backend != "dask":
        yield backend
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("backend 'dask' needs dask.distributed: pip install 'mc_sparsity[dask]'") from exc
    if scheduler is not None:
        with Client(scheduler):
            yield "dask"
        return
    with LocalCluster(n_workers=n_workers(jobs), threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster):
        yield "dask"


def run_replications(
    design: Design,
    reps: int,
    seed: np.random.SeedSequence,
    *,
    jobs: int = 1,
    backend: str = "threading",
    chunk_size: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> np.ndarray:
    """Run ``reps`` replications of ``design``; return the zero-count histogram.

    ``hist[e, k]`` is the number of replications in which estimator ``e`` has
    exactly ``k`` zero coordinates.  The result depends on ``design``, ``reps``
    and ``seed`` only.

    Raises
    ------
    SimulationInterrupted
        On Ctrl-C, with the counts of the tasks completed so far.
    """
    import joblib  # imported when a run needs it, to keep the command's start-up light

    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if scheduler is not None and backend != "dask":
        raise ValueError("scheduler needs backend='dask'")
    n_blocks = math.ceil(reps / BLOCK_SIZE)
    step = blocks_per_task(reps, jobs, chunk_size)
    tasks = (
        joblib.delayed(_run_task)(design, seed, reps, first, min(first + step, n_blocks))
        for first in range(0, n_blocks, step)
    )
    hist = design.new_histogram()
    completed = 0
    bar = _progress_bar(reps, progress)
    try:
        with _backend_context(backend, jobs, scheduler) as name:
            # joblib registers its dask backend only through parallel_config; on dask the
            # cluster's workers decide the parallelism (n_jobs=-1).
            with joblib.parallel_config(backend=name, n_jobs=-1 if name == "dask" else n_workers(jobs)):
                parallel = joblib.Parallel(return_as="generator_unordered")
                results = parallel(tasks)
            for done, part in results:
                hist += part
                completed += done
                bar.update(done)
    except KeyboardInterrupt:
        raise SimulationInterrupted(completed, reps, hist) from None
    finally:
        bar.close()
    return hist


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


def _progress_bar(total: int, enabled: bool):
    """A tqdm bar on stderr that appears only for runs longer than two seconds."""
    if not enabled:
        return _NoBar()
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="rep", unit_scale=True, delay=PROGRESS_DELAY, file=sys.stderr,
                desc="replications", leave=False, dynamic_ncols=True)
