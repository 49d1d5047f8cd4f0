"""The Monte Carlo engine: replications in blocks, blocks in tasks, tasks on workers.

Determinism.  Replication ``i`` belongs to block ``b = i // BLOCK_SIZE``, and
block ``b`` draws from its own stream, the ``b``-th child of the run's
``SeedSequence`` (exactly what ``SeedSequence.spawn`` would give).  So the
seed and the replication's index alone decide its random numbers; the number
of workers, the backend and the chunk size only decide which worker runs which
whole blocks, and when.  Counts are integers, summed in any order; float sums
(importance weights) are kept per block and combined exactly, so they too do
not depend on the order.

Memory.  The compiled kernels draw batches of a few hundred replications into
a fixed buffer, so memory does not grow with the number of replications;
tasks are produced lazily.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass

import numpy as np

from .._base.errors import ParameterError
from .._base.signals import loky_teardown_quiet
from .streams import block_stream

__all__ = ["BLOCK_SIZE", "Kernel", "Tally", "SimulationInterrupted", "run_kernel", "block_generator"]

#: Replications per random stream.  Part of what a seed means: changing it
#: changes every count, so it is a constant, not an option.
BLOCK_SIZE = 1 << 18

BACKENDS = ("threading", "loky", "dask")

#: Seconds before the progress bar appears: short runs print nothing.
PROGRESS_DELAY = 2.0


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
    #: Replications per block (per random stream).  Cheap replications use
    #: :data:`BLOCK_SIZE`; kernels whose replication is a whole trial (a new
    #: design and a solve) use small blocks so that trials spread over workers.
    block_size: int = BLOCK_SIZE

    def __post_init__(self):
        # Every array argument read-only, whoever built it: numba compiles one machine code per
        # argument type, and "readonly array" is another type.  A scenario's frozen beta and a
        # writable copy of it gave every kernel two compilations (about 35 s of a cold test run).
        object.__setattr__(self, "args", tuple(_read_only(a) for a in self.args))

    def __reduce__(self):
        # To a worker process (loky, dask) the compiled function travels by name: pickled by
        # value, numba would compile it again in every worker (about 10 s, measured) instead
        # of loading its machine code from the on-disk cache.
        return (_rebuild_kernel, (_by_name(self.function), self.args, self.counts_shape, self.sums_shape,
                                  self.block_size))


def _read_only(value):
    """An ndarray as a C-contiguous read-only array (a copy when it was writable); anything else as is."""
    if not isinstance(value, np.ndarray):
        return value
    if value.flags.writeable or not value.flags.c_contiguous:
        value = np.array(value, order="C")
        value.setflags(write=False)
    return value


def _by_name(function):
    """``(module, qualified name)`` of a module-level function, else the function itself."""
    module, name = getattr(function, "__module__", None), getattr(function, "__qualname__", None)
    if module and name and "<" not in name:
        owner = sys.modules.get(module)
        if owner is not None and getattr(owner, name, None) is function:
            return (module, name)
    return function


def _rebuild_kernel(function, *fields):
    if isinstance(function, tuple):
        import importlib

        function = getattr(importlib.import_module(function[0]), function[1])
    return Kernel(function, *fields)


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
    return np.random.Generator(np.random.PCG64(block_stream(seed, block)))


@dataclass(frozen=True)
class Tally:
    """What a run of a :class:`Kernel` adds up to.

    ``counts`` are the summed integer counts, ``sums`` the float sums combined
    exactly over blocks, ``completed`` the replications run.
    """

    counts: np.ndarray
    sums: np.ndarray
    completed: int


_WATCHDOG = []


def _die_with_the_parent(owner: int) -> None:
    """In a worker process: exit as soon as the process that started it is gone.

    A command killed with SIGKILL cannot stop its workers; this thread, started
    once per worker process, notices that the parent changed and ends the
    worker, so that no worker outlives the command.
    """
    if os.getpid() == owner or _WATCHDOG:
        return
    import threading
    import time

    parent = os.getppid()

    def watch():
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    _WATCHDOG.append(threading.Thread(target=watch, name="mc-sparsity-watchdog", daemon=True))
    _WATCHDOG[0].start()


def _run_task(kernel: Kernel, seed: np.random.SeedSequence, reps: int, first_block: int, stop_block: int,
              owner: int = -1):
    """Run whole blocks ``[first_block, stop_block)``.

    Returns (replications run, summed counts, per-block float sums): the float
    sums stay per block so that the engine can combine them independently of
    how blocks were grouped into tasks.  ``owner`` is the process id of the
    command; a worker in another process ends itself when its parent dies.
    """
    _die_with_the_parent(owner)
    counts = np.zeros(kernel.counts_shape, dtype=np.int64)
    block_sums = []
    done = 0
    size = kernel.block_size
    for block in range(first_block, stop_block):
        n = min(size, reps - block * size)
        sums = np.zeros(kernel.sums_shape, dtype=np.float64)
        kernel.function(block_generator(seed, block), n, *kernel.args, counts, sums)
        block_sums.append(sums)
        done += n
    return done, counts, block_sums


def cpu_count() -> int:
    """Cores this process may use (``joblib.cpu_count``: respects container limits)."""
    import joblib

    return joblib.cpu_count()


def n_workers(n_jobs: int | None) -> int:
    """joblib's convention: ``None`` is 1, -1 all cores, -2 all but one, ..."""
    if n_jobs is None:
        return 1
    return max(1, n_jobs if n_jobs > 0 else cpu_count() + 1 + n_jobs)


def blocks_per_task(reps: int, workers: int, chunk_size: int | None, block_size: int = BLOCK_SIZE) -> int:
    """Whole blocks per task: ``chunk_size`` rounded up to blocks, or a default.

    The default gives each worker several tasks (load balance, progress) of at
    most 64 blocks (~17 million replications, a fraction of a second).
    """
    n_blocks = math.ceil(reps / block_size)
    if chunk_size is not None:
        return max(1, math.ceil(chunk_size / block_size))
    return max(1, min(64, n_blocks // (4 * workers)))


@contextlib.contextmanager
def _backend_context(backend: str | None, workers: int, scheduler: str | None):
    """Yield the joblib backend name to use, with a dask client around it if needed."""
    if backend != "dask":
        yield backend
        return
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("backend 'dask' needs dask.distributed: pip install 'mc_sparsity[dask]'") from exc
    import logging

    if scheduler is not None:
        _check_scheduler(scheduler)
        try:
            client = Client(scheduler, timeout=SCHEDULER_TIMEOUT)
        except (OSError, TimeoutError, ValueError, TypeError) as exc:
            raise ParameterError("scheduler", f"scheduler {scheduler!r}: no dask scheduler answered within "
                                 f"{SCHEDULER_TIMEOUT} s ({type(exc).__name__}: {str(exc)[:120]})") from None
        with client:
            yield "dask"
        return
    # the local cluster's workers are threads of this process: the kernels release the GIL, so threads run
    # them in parallel, and the cluster starts in 0.05 s instead of the 1.0-1.4 s of two worker processes
    # (measured; a cluster of processes is one started elsewhere, given by --scheduler)
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=False, dashboard_address=":0",
                           silence_logs=logging.CRITICAL)
    with cluster, Client(cluster) as client:
        client.run(_quiet_worker_teardown)
        yield "dask"


def _quiet_worker_teardown() -> None:
    """In a dask worker: drop the one report a worker's own client makes when a Ctrl-C closes the cluster.

    joblib's tasks carry its dask backend, which a worker rebuilds with a
    client of its own; a Ctrl-C just after the first tasks were sent closes the
    cluster while that client starts, and its ``__del__`` then reports
    "IOLoop is closed" (harmless: the worker is being stopped on purpose).
    Every other unraisable exception is reported as before.
    """
    previous = sys.unraisablehook

    def hook(unraisable):
        if (isinstance(unraisable.exc_value, RuntimeError) and "IOLoop is closed" in str(unraisable.exc_value)
                and getattr(unraisable.object, "__qualname__", "") == "Client.__del__"):
            return
        previous(unraisable)

    sys.unraisablehook = hook


#: The signals a terminal sends to its whole foreground process group (Ctrl-C, a hang-up): held while
#: worker processes start, so that only the command gets them (see :func:`_signals_held`).
HELD_SIGNALS = ("SIGINT", "SIGHUP")


@contextlib.contextmanager
def _signals_held(enabled: bool = True, processes: bool = False):
    """Hold Ctrl-C and a hang-up while workers start; yield a function that releases them.

    In this thread SIGINT and SIGHUP are blocked.  Processes started meanwhile
    (loky's or dask's workers, their resource trackers) and threads inherit the
    mask through fork and exec and keep it, so the terminal's Ctrl-C, sent to
    the whole process group, never reaches a worker (no traceback of theirs, no
    tracker killed half-way) and the command alone stops them.  A signal that
    reaches the command meanwhile through another of its threads is recorded by
    a handler, not acted on, so a start is never cut in the middle.  On release
    the handlers and the mask are restored and a recorded (or pending) signal
    acts then (``KeyboardInterrupt``, or the command's SIGHUP handler): it is
    never lost.  Outside the main thread, or without ``pthread_sigmask``,
    nothing is held; nor with ``enabled`` false (a remote scheduler: no worker of
    ours starts, and the wait for an answer must stay interruptible).

    With ``processes`` (workers are processes), multiprocessing's resource
    tracker is started here, under the mask: when it starts one, it unblocks
    SIGINT and SIGTERM in the calling thread afterwards (``SIG_UNBLOCK``, not a
    restore), which would let every worker started after it get the Ctrl-C;
    so the signals are blocked again after it.
    """
    import signal
    import threading

    signals = {getattr(signal, name) for name in HELD_SIGNALS if hasattr(signal, name)}
    held = (enabled and bool(signals) and hasattr(signal, "pthread_sigmask")
            and threading.current_thread() is threading.main_thread())
    seen: list = []
    if held:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        if processes:
            from multiprocessing import resource_tracker

            resource_tracker.ensure_running()
            signal.pthread_sigmask(signal.SIG_BLOCK, signals)
        handlers = {sig: signal.signal(sig, lambda signum, frame: seen.append(signum)) for sig in signals}
    released = False

    def release():
        nonlocal released
        if held and not released:
            released = True
            for sig, handler in handlers.items():
                signal.signal(sig, signal.SIG_DFL if handler is None else handler)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal pending in this thread acts here
            for sig in dict.fromkeys(seen):
                signal.raise_signal(sig)  # one that came through another thread acts now

    try:
        yield release
    finally:
        release()


def _starts_processes(backend: str | None) -> bool:
    """Whether a run on ``backend`` (``None``: a surrounding ``joblib.parallel_config`` decides) starts processes."""
    if backend is not None:
        return backend == "loky"  # dask: the local cluster is threads (a remote one is not started here)
    from joblib.parallel import get_active_backend

    return type(get_active_backend(prefer="threads")[0]).__name__ not in ("ThreadingBackend", "SequentialBackend")


#: Seconds to wait for a dask scheduler before giving up.
SCHEDULER_TIMEOUT = 10


def _check_scheduler(address: str) -> None:
    """Refuse a TCP address where no dask scheduler speaks, before dask's client talks to it.

    A dask scheduler writes its handshake as soon as a connection opens: a
    little-endian count of frames (a small number).  Anything else (an HTTP
    server waits for a request; its reply would be read as a frame of
    exabytes) is refused within :data:`SCHEDULER_TIMEOUT` seconds.
    """
    import socket
    from urllib.parse import urlsplit

    if "://" in address and not address.startswith("tcp://"):
        return  # tls, inproc, ucx: left to dask
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host, port = None, None
    if not host or not port:
        raise ParameterError("scheduler", f"scheduler must be an address such as tcp://HOST:PORT, got {address!r}")
    try:
        with socket.create_connection((host, port), timeout=SCHEDULER_TIMEOUT) as sock:
            sock.settimeout(min(3.0, SCHEDULER_TIMEOUT))
            head = sock.recv(8, socket.MSG_PEEK | socket.MSG_WAITALL)
    except OSError as exc:
        raise ParameterError("scheduler", f"scheduler {address!r}: no dask scheduler answered "
                             f"({type(exc).__name__}: {exc})") from None
    if len(head) < 8 or not 0 < int.from_bytes(head, "little") < 1024:
        raise ParameterError("scheduler", f"scheduler {address!r}: what answers there is not a dask scheduler")


def run_kernel(
    kernel: Kernel,
    reps: int,
    seed: np.random.SeedSequence,
    *,
    n_jobs: int | None = None,
    backend: str | None = None,
    chunk_size: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
) -> Tally:
    """Run ``kernel`` on ``reps`` replications in blocks; return the :class:`Tally`.

    The result depends on ``kernel``, ``reps`` and ``seed`` only: block ``b``
    draws from the ``b``-th child of ``seed``, integer counts are summed and
    float sums are combined exactly (``math.fsum`` over blocks).

    Parameters
    ----------
    kernel : Kernel
        The compiled computation and its arguments.
    reps : int
        Replications, in blocks of :data:`BLOCK_SIZE`.
    seed : numpy.random.SeedSequence
        The run's root: block ``b`` draws from its ``b``-th child.
    n_jobs : int, optional
        joblib's meaning: ``None`` lets a surrounding ``joblib.parallel_config``
        decide (1 without one), -1 all cores, -2 all but one, ...  On process
        backends (loky, dask) it is capped at the number of cores.
    backend : {None, "threading", "loky", "dask"}
        ``None`` prefers threads (the kernels release the GIL) unless a
        surrounding ``joblib.parallel_config`` names a backend.

    chunk_size : int, optional
        Replications per task, rounded up to whole blocks.
    scheduler : str, optional
        Address of a running dask scheduler (``backend="dask"``).
    progress : bool, default False
        A progress bar on stderr for runs longer than two seconds.

    Returns
    -------
    Tally

    Raises
    ------
    SimulationInterrupted
        On Ctrl-C, with the counts of the tasks completed so far.

    Examples
    --------
    >>> from mc_sparsity._mc.orthonormal import penalized_kernel
    >>> tally = run_kernel(penalized_kernel([1.0, 0.3], 1.0, [0.5], [], -1), 1000, np.random.SeedSequence(0))
    >>> int(tally.counts[0, :3].sum()), tally.completed    # the (a, b) cells of the one estimator's tally
    (1000, 1000)
    """
    if backend is not None and backend not in BACKENDS:
        raise ParameterError("backend", f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if scheduler is not None and backend != "dask":
        raise ParameterError("scheduler", "scheduler needs backend='dask'")
    workers = n_workers(n_jobs)
    if backend in ("loky", "dask") and scheduler is None and workers > cpu_count():
        print(f"mc-sparsity: n_jobs = {workers} capped at the {cpu_count()} cores for the {backend} backend",
              file=sys.stderr)
        workers = cpu_count()
    n_blocks = math.ceil(reps / kernel.block_size)
    if workers == 1 and (backend == "threading" or (backend is None and "joblib" not in sys.modules)):
        # One worker in this thread, and no joblib.parallel_config around that could say otherwise
        # (joblib not even imported): run the tasks here, in order, as joblib would (0.04 s of start-up).
        return _run_serial(kernel, reps, seed, chunk_size, progress)
    import joblib  # imported when a run needs it, to keep the command's start-up light

    gathered = _Gathered(kernel, reps, progress)
    try:
        # Ctrl-C is held while workers start (they never get it; a Ctrl-C meanwhile acts once they are up).
        processes = _starts_processes(backend)
        with loky_teardown_quiet(processes), _signals_held(scheduler is None, processes) as started, \
                _backend_context(backend, workers, scheduler) as name:
            if name == "dask":
                started()  # the cluster's workers are up: a Ctrl-C meanwhile acts here, before any task is sent
            # joblib registers its dask backend only through parallel_config; on dask the
            # cluster's workers decide the parallelism (n_jobs=-1).
            config = {} if name is None else {"backend": name}
            if name == "dask":
                config["n_jobs"] = -1
            elif n_jobs is not None:
                config["n_jobs"] = workers
            with joblib.parallel_config(**config):
                parallel = joblib.Parallel(return_as="generator_unordered", prefer="threads")
                step = blocks_per_task(reps, max(1, joblib.effective_n_jobs()), chunk_size, kernel.block_size)
                owner = os.getpid()
                tasks = (joblib.delayed(_run_task)(kernel, seed, reps, first, min(first + step, n_blocks), owner)
                         for first in range(0, n_blocks, step))
                results = parallel(tasks)  # starts the workers and dispatches the first tasks
                started()
                if name == "dask":  # joblib's dask loop does not give up on Ctrl-C: wait where it can be
                    results = _interruptible(results)
                for result in results:
                    gathered.add(*result)
    except KeyboardInterrupt:
        raise SimulationInterrupted(gathered.completed, reps, gathered.counts) from None
    finally:
        gathered.bar.close()
    return gathered.tally()


def _run_serial(kernel: Kernel, reps: int, seed: np.random.SeedSequence, chunk_size: int | None,
                progress: bool) -> Tally:
    """:func:`run_kernel` on one worker, in this thread, without joblib: the same tasks, in order."""
    n_blocks = math.ceil(reps / kernel.block_size)
    step = blocks_per_task(reps, 1, chunk_size, kernel.block_size)
    gathered = _Gathered(kernel, reps, progress)
    try:
        for first in range(0, n_blocks, step):
            gathered.add(*_run_task(kernel, seed, reps, first, min(first + step, n_blocks), os.getpid()))
    except KeyboardInterrupt:
        raise SimulationInterrupted(gathered.completed, reps, gathered.counts) from None
    finally:
        gathered.bar.close()
    return gathered.tally()


class _Gathered:
    """The tasks' results as they come in (any order): summed counts, per-block sums, the progress bar."""

    def __init__(self, kernel: Kernel, reps: int, progress: bool):
        self.sums_shape = kernel.sums_shape
        self.counts = np.zeros(kernel.counts_shape, dtype=np.int64)
        self.block_sums: list[np.ndarray] = []
        self.completed = 0
        self.bar = _progress_bar(reps, progress)

    def add(self, done: int, counts: np.ndarray, block_sums: list) -> None:
        self.counts += counts
        self.completed += done
        self.bar.update(done)
        self.block_sums.extend(block_sums)

    def tally(self) -> Tally:
        return Tally(self.counts, _combine_sums(self.sums_shape, self.block_sums), self.completed)


def _interruptible(results):
    """Yield from ``results`` consumed in a daemon thread, so that Ctrl-C reaches the main thread at once."""
    import queue
    import threading

    box: queue.Queue = queue.Queue()
    end = object()

    def pump():
        try:
            for item in results:
                box.put(item)
        except BaseException as exc:  # handed to the main thread
            box.put(exc)
        box.put(end)

    threading.Thread(target=pump, name="mc-sparsity-results", daemon=True).start()
    while True:
        try:
            item = box.get(timeout=0.2)
        except queue.Empty:
            continue
        if item is end:
            return
        if isinstance(item, BaseException):
            raise item
        yield item


def _combine_sums(shape, blocks) -> np.ndarray:
    """Add per-block float sums exactly (``math.fsum``), so the order of blocks does not matter."""
    out = np.zeros(shape, dtype=np.float64)
    if not blocks or out.size == 0:
        return out
    stacked = np.stack([b.ravel() for b in blocks])
    out.ravel()[:] = [math.fsum(column) for column in stacked.T]
    return out


class _NoBar:
    def update(self, n):
        pass

    def close(self):
        pass


class _DelayedBar:
    """A tqdm bar created at the first update after :data:`PROGRESS_DELAY` seconds.

    tqdm's own ``delay`` hides the bar as long, but importing tqdm costs 0.03 s
    of every command's start-up (measured); a short run never imports it.
    """

    def __init__(self, total: int):
        import time

        self.total, self.done, self.bar, self.clock = total, 0, None, time.monotonic
        self.start = self.clock()

    def update(self, n):
        if self.bar is not None:
            self.bar.update(n)
            return
        self.done += n
        if self.clock() - self.start >= PROGRESS_DELAY:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=self.total, initial=self.done, unit="rep", unit_scale=True, file=sys.stderr,
                            desc="replications", leave=False, dynamic_ncols=True)

    def close(self):
        if self.bar is not None:
            self.bar.close()


def _progress_bar(total: int, enabled: bool):
    """A tqdm bar on stderr that appears only for runs longer than two seconds."""
    return _DelayedBar(total) if enabled else _NoBar()
