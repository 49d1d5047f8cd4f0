"""The engine: the compiled kernels against the numpy estimators on the same draws,
and counts and float sums that depend on the seed alone."""

import joblib
import numba
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity import project_l1_ball, project_l2_ball, ridge_shrink, soft_threshold
from mc_sparsity._mc.engine import BLOCK_SIZE, Kernel, block_generator, blocks_per_task, n_workers, run_kernel
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._mc.orthonormal import constrained_kernel, penalized_kernel


def _replay(mean, sigma, reps, seed, solve, rows, tally_of):
    """Replay the engine's streams with numpy and apply the numpy estimators ``solve(x) -> [solutions]``."""
    p = len(mean)
    hist = 0
    for block in range(-(-reps // BLOCK_SIZE)):
        n = min(BLOCK_SIZE, reps - block * BLOCK_SIZE)
        x = np.asarray(mean) + sigma * block_generator(seed, block).standard_normal((n, p))
        hist = hist + np.array([tally_of(b, mean) for b in solve(x)])
    return hist


@pytest.mark.parametrize("mean, sigma, thresholds, lam", [
    ([1.0, 0.3], 1.0, [0.5], 0.5),
    ([0.0, -0.4], 1.0, [0.5, 0.05], 1.0),  # p = 2 with a zero and a negative coefficient
    ([0.2, -1.0, 2.0, 0.0, 0.7], 0.8, [0.9, 0.3], 2.0),
])
def test_penalized_kernel_equals_numpy_estimators_on_the_same_draws(mean, sigma, thresholds, lam, tally_of):
    kernel = penalized_kernel(mean, sigma, thresholds, [1.0 + lam], -1)
    seed = np.random.SeedSequence(11)
    reps = 2 * BLOCK_SIZE + 1234  # three blocks, the last one partial
    expected = _replay(mean, sigma, reps, seed,
                       lambda x: [soft_threshold(x, t) for t in thresholds] + [ridge_shrink(x, lam)],
                       len(thresholds) + 1, tally_of)
    assert_array_equal(run_kernel(kernel, reps, seed).counts, expected)


def test_penalized_kernel_with_a_tally_too_wide_for_its_local_histogram(tally_of):
    # p = 130, k = 65: 66 * 66 cells, more than the kernel's local histogram holds (LOCAL_CELLS)
    from mc_sparsity._mc.kernels import LOCAL_CELLS

    mean = [0.0 if j % 2 else 0.5 * (-1) ** (j // 2) for j in range(130)]
    assert 66 * 66 > LOCAL_CELLS
    seed = np.random.SeedSequence(13)
    expected = _replay(mean, 1.0, 3001, seed, lambda x: [soft_threshold(x, 1.0)], 1, tally_of)
    assert_array_equal(run_kernel(penalized_kernel(mean, 1.0, [1.0], [], -1), 3001, seed).counts, expected)


@pytest.mark.parametrize("mean, radius", [([1.0, 0.3], 1.0), ([0.5, -2.0, 1.0, 0.1], 1.5), ([0.01, 0.02], 3.0),
                                          ([1.0, 0.0, -0.7], 1.0)])  # a zero: cells inside and outside the support
def test_constrained_kernel_equals_numpy_estimators_on_the_same_draws(mean, radius, tally_of):
    seed = np.random.SeedSequence(12)
    reps = BLOCK_SIZE + 999
    expected = _replay(mean, 1.0, reps, seed, lambda x: [project_l1_ball(x, radius), project_l2_ball(x, radius)], 2,
                       tally_of)
    assert_array_equal(run_kernel(constrained_kernel(mean, 1.0, radius), reps, seed).counts, expected)


def test_ridge_is_computed_not_assumed():
    """beta_hat / (1 + lam) underflows to an exact 0 for tiny beta_hat and huge lam: the kernel counts it."""
    mean, sigma, lam = [1e-300, 1e-300], 1e-320, 1e300
    kernel = penalized_kernel(mean, sigma, [], [1.0 + lam], -1)
    counts = run_kernel(kernel, 1000, np.random.SeedSequence(0)).counts
    assert counts[0, 2] == 1000  # both coordinates of every solution are 0.0 in floating point
    counts = run_kernel(penalized_kernel([1.0, 0.3], 1.0, [], [2.0], -1), 1000, np.random.SeedSequence(0)).counts
    assert counts[0, 0] == 1000


def test_block_streams_are_the_spawned_children():
    seed = np.random.SeedSequence(5)
    children = seed.spawn(3)
    for b, child in enumerate(children):
        expected = np.random.default_rng(child).standard_normal(4)
        assert_array_equal(block_generator(np.random.SeedSequence(5), b).standard_normal(4), expected)


KERNEL = penalized_kernel([1.0, 0.3], 1.0, [0.5], [2.0], -1)
REPS = 5 * BLOCK_SIZE - 17


@numba.njit(cache=True, nogil=True)
def _weights(rng, n, scale, counts, sums):  # pragma: no cover - compiled
    """A float-summing kernel: sums of scale * exp(z) and its square, in a fixed order."""
    for _ in range(n):
        w = scale * np.exp(rng.standard_normal())
        sums[0] += w
        sums[1] += w * w
        counts[0] += 1


WEIGHTS = Kernel(_weights, (1e-3,), (1,), (2,))


@pytest.fixture(scope="module")
def reference():
    return run_kernel(KERNEL, REPS, np.random.SeedSequence(3), n_jobs=1).counts


@pytest.fixture(scope="module")
def weight_reference():
    return run_kernel(WEIGHTS, REPS, np.random.SeedSequence(3), n_jobs=1)


@pytest.mark.parametrize("n_jobs, backend, chunk_size", [
    (2, "threading", None),
    (2, "threading", 1),  # one block per task
    (1, "threading", 3 * BLOCK_SIZE),
    (2, "loky", 2 * BLOCK_SIZE),
    (-1, None, 10**9),  # one task for everything
])
def test_counts_and_sums_do_not_depend_on_jobs_backend_or_chunks(reference, weight_reference, n_jobs, backend,
                                                                 chunk_size):
    kw = dict(n_jobs=n_jobs, backend=backend, chunk_size=chunk_size)
    counts = run_kernel(KERNEL, REPS, np.random.SeedSequence(3), **kw).counts
    assert_array_equal(counts, reference)
    assert counts[:, :3].sum(axis=1).tolist() == [REPS, REPS]  # the (a, b) cells of beta = (1, 0.3)
    tally = run_kernel(WEIGHTS, REPS, np.random.SeedSequence(3), **kw)
    assert tally.sums.tobytes() == weight_reference.sums.tobytes()  # bit for bit
    assert tally.completed == REPS and tally.counts[0] == REPS


def test_float_sums_are_exact_over_blocks(weight_reference):
    """The per-block sums are combined by an exact summation: the mean is that of the draws."""
    mean = weight_reference.sums[0] / REPS
    assert mean == pytest.approx(1e-3 * np.exp(0.5), rel=5 * np.sqrt(np.e - 1) / np.sqrt(REPS))


def test_a_surrounding_parallel_config_is_honoured(reference):
    with joblib.parallel_config(backend="threading", n_jobs=2):
        assert_array_equal(run_kernel(KERNEL, REPS, np.random.SeedSequence(3)).counts, reference)


def test_counts_are_the_same_on_a_local_dask_cluster(reference):
    pytest.importorskip("dask.distributed")
    counts = run_kernel(KERNEL, REPS, np.random.SeedSequence(3), n_jobs=2, backend="dask").counts
    assert_array_equal(counts, reference)


def test_a_different_seed_gives_different_counts(reference):
    assert not np.array_equal(run_kernel(KERNEL, REPS, np.random.SeedSequence(4)).counts, reference)


def test_blocks_per_task_and_workers():
    assert blocks_per_task(10 * BLOCK_SIZE, 1, chunk_size=1) == 1
    assert blocks_per_task(10 * BLOCK_SIZE, 1, chunk_size=BLOCK_SIZE + 1) == 2
    assert 1 <= blocks_per_task(10**11, 2, None) <= 64
    cores = joblib.cpu_count()
    assert n_workers(None) == 1 and n_workers(3) == 3
    assert n_workers(-1) == cores and n_workers(-2) == max(1, cores - 1)


def test_bad_backend_and_scheduler_are_parameter_errors():
    with pytest.raises(ParameterError) as exc:
        run_kernel(KERNEL, 10, np.random.SeedSequence(0), backend="mpi")
    assert exc.value.parameter == "backend"
    with pytest.raises(ParameterError) as exc:
        run_kernel(KERNEL, 10, np.random.SeedSequence(0), scheduler="tcp://127.0.0.1:1")
    assert exc.value.parameter == "scheduler"


def test_counts_are_the_same_through_a_scheduler_address(reference):
    """--scheduler ADDRESS: connect to a cluster started elsewhere (here, in this process)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=":0") as cluster:
        counts = run_kernel(KERNEL, REPS, np.random.SeedSequence(3), backend="dask",
                            scheduler=cluster.scheduler_address).counts
    assert_array_equal(counts, reference)


@pytest.mark.parametrize("divisor", [1.0, 1.5, 2.0, 3.0, 1.0 + 1e-12, 1e10, 1e300])
def test_the_ridge_threshold_is_exactly_where_the_quotient_underflows(divisor):
    from mc_sparsity._mc.orthonormal import quotient_zero_threshold

    t = quotient_zero_threshold(divisor)
    rng = np.random.default_rng(0)
    below = t * rng.uniform(0, 1, 1000)
    above = np.nextafter(t, 1.0) * (1 + rng.uniform(0, 1e3, 1000))
    assert t / divisor == 0.0 and np.nextafter(t, 1.0) / divisor != 0.0
    assert np.all(below / divisor == 0.0) and np.all(above / divisor != 0.0)


def test_kernel_pickles_its_compiled_function_by_name():
    # Worker processes (loky, dask) must load the cached machine code, not recompile: the
    # function arrives as the module's own dispatcher, the arguments by value.
    import pickle

    from mc_sparsity._mc.orthonormal import penalized_counts, penalized_kernel

    kernel = penalized_kernel([1.0, 0.3], 1.0, [0.5], [], -1)
    back = pickle.loads(pickle.dumps(kernel))
    assert back.function is penalized_counts
    assert back.counts_shape == kernel.counts_shape and back.block_size == kernel.block_size
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(back.args, kernel.args))
