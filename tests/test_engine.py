"""The engine: the compiled kernels against the numpy estimators on the same draws,
and counts that depend on the seed alone."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity import project_l1_ball, project_l2_ball, ridge_shrink, soft_threshold
from mc_sparsity._engine import BLOCK_SIZE, Design, block_generator, blocks_per_task, run_replications


def _numpy_histograms(design, reps, seed):
    """Replay the engine's streams with numpy and apply the numpy estimators."""
    p = design.mean.size
    hist = design.new_histogram()
    for block in range(-(-reps // BLOCK_SIZE)):
        n = min(BLOCK_SIZE, reps - block * BLOCK_SIZE)
        x = design.mean + design.sigma * block_generator(seed, block).standard_normal((n, p))
        if design.form == "penalized":
            solutions = [soft_threshold(x, tau) if tau > 0 else ridge_shrink(x, 1.0) for tau in design.thresholds]
        else:
            solutions = [project_l1_ball(x, design.radius), project_l2_ball(x, design.radius)]
        for row, b in enumerate(solutions):
            hist[row] += np.bincount((b == 0).sum(axis=1), minlength=p + 1)
    return hist


@pytest.mark.parametrize("mean, sigma, thresholds", [
    ([1.0, 0.3], 1.0, [0.5, 0.0]),
    ([0.2, -1.0, 2.0, 0.0, 0.7], 0.8, [0.9, 0.0, 0.3]),
])
def test_penalized_kernel_equals_numpy_estimators_on_the_same_draws(mean, sigma, thresholds):
    design = Design(np.array(mean), sigma, "penalized", thresholds=np.array(thresholds))
    seed = np.random.SeedSequence(11)
    reps = 2 * BLOCK_SIZE + 1234  # three blocks, the last one partial
    assert_array_equal(run_replications(design, reps, seed), _numpy_histograms(design, reps, seed))


@pytest.mark.parametrize("mean, radius", [([1.0, 0.3], 1.0), ([0.5, -2.0, 1.0, 0.1], 1.5), ([0.01, 0.02], 3.0)])
def test_constrained_kernel_equals_numpy_estimators_on_the_same_draws(mean, radius):
    design = Design(np.array(mean), 1.0, "constrained", radius=radius)
    seed = np.random.SeedSequence(12)
    reps = BLOCK_SIZE + 999
    assert_array_equal(run_replications(design, reps, seed), _numpy_histograms(design, reps, seed))


def test_block_streams_are_the_spawned_children():
    seed = np.random.SeedSequence(5)
    children = seed.spawn(3)
    for b, child in enumerate(children):
        expected = np.random.default_rng(child).standard_normal(4)
        assert_array_equal(block_generator(np.random.SeedSequence(5), b).standard_normal(4), expected)


DESIGN = Design(np.array([1.0, 0.3]), 1.0, "penalized", thresholds=np.array([0.5, 0.0]))
REPS = 5 * BLOCK_SIZE - 17


@pytest.fixture(scope="module")
def reference():
    return run_replications(DESIGN, REPS, np.random.SeedSequence(3), jobs=1)


@pytest.mark.parametrize("jobs, backend, chunk_size", [
    (2, "threading", None),
    (2, "threading", 1),  # one block per task
    (1, "threading", 3 * BLOCK_SIZE),
    (2, "loky", 2 * BLOCK_SIZE),
    (-1, "threading", 10**9),  # one task for everything
])
def test_counts_do_not_depend_on_jobs_backend_or_chunks(reference, jobs, backend, chunk_size):
    hist = run_replications(DESIGN, REPS, np.random.SeedSequence(3), jobs=jobs, backend=backend,
                            chunk_size=chunk_size)
    assert_array_equal(hist, reference)
    assert hist.sum(axis=1).tolist() == [REPS, REPS]


def test_counts_are_the_same_on_a_local_dask_cluster(reference):
    pytest.importorskip("dask.distributed")
    hist = run_replications(DESIGN, REPS, np.random.SeedSequence(3), jobs=2, backend="dask")
    assert_array_equal(hist, reference)


def test_a_different_seed_gives_different_counts(reference):
    assert not np.array_equal(run_replications(DESIGN, REPS, np.random.SeedSequence(4)), reference)


def test_blocks_per_task():
    assert blocks_per_task(10 * BLOCK_SIZE, 1, chunk_size=1) == 1
    assert blocks_per_task(10 * BLOCK_SIZE, 1, chunk_size=BLOCK_SIZE + 1) == 2
    assert 1 <= blocks_per_task(10**11, 2, None) <= 64


def test_counts_are_the_same_through_a_scheduler_address(reference):
    """--scheduler ADDRESS: connect to a cluster started elsewhere (here, in this process)."""
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        hist = run_replications(DESIGN, REPS, np.random.SeedSequence(3), backend="dask",
                                scheduler=cluster.scheduler_address)
    assert_array_equal(hist, reference)
