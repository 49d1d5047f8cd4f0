"""The orthonormal kernels' two paths: the compiled loop and its numpy twin for small first calls."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity._mc import kernels, orthonormal
from mc_sparsity._mc.kernels import _penalized_counts
from mc_sparsity._mc.orthonormal import penalized_counts, penalized_counts_numpy, penalized_kernel
from mc_sparsity._mc.pcg64 import state_of, store_state


@pytest.mark.parametrize("beta, thresholds, divisors", [
    ([1.0, 0.3], [0.5], [1.5]),
    ([0.0, -0.4], [0.5, 0.05], [3.0]),
    ([0.2, -1.0, 2.0, 0.0, 0.7], [0.9, 0.3], [3.0]),
    ([0.0, 0.0, 0.0], [0.1], []),
])
def test_the_numpy_twin_gives_the_compiled_tally(beta, thresholds, divisors, tally_of):
    kernel = penalized_kernel(beta, 0.8, thresholds, divisors, -1)
    mean, sigma, taus, subset_size, signs = kernel.args
    compiled = np.zeros(kernel.counts_shape, dtype=np.int64)
    twin = np.zeros(kernel.counts_shape, dtype=np.int64)
    ours, ref = np.random.default_rng(5), np.random.default_rng(5)
    state = state_of(ours)
    _penalized_counts(state, 20_001, mean, sigma, taus, subset_size, signs, compiled, np.zeros(0))
    store_state(ours, state)
    penalized_counts_numpy(ref, 20_001, mean, sigma, taus, signs, twin)
    assert_array_equal(twin, compiled)
    assert compiled[:, :-2].sum() == 20_001 * len(taus)  # every draw in one cell per row
    assert ours.standard_normal() == ref.standard_normal()  # both leave the Generator at the same place


def test_small_first_calls_take_the_numpy_path_and_large_ones_the_compiled(monkeypatch):
    taken = []
    monkeypatch.setattr(orthonormal, "penalized_counts_numpy", lambda *a: taken.append("numpy"))

    class Spy:
        def __init__(self, loaded):
            self.signatures = ["loaded"] if loaded else []

        def __call__(self, *a):
            taken.append("compiled")

    kernel = penalized_kernel([1.0, 0.3], 1.0, [0.5], [], -1)
    for loaded, n in [(False, 1000), (False, orthonormal.SMALL_NORMALS // 2 + 1), (True, 1000)]:
        monkeypatch.setattr(kernels, "_penalized_counts", Spy(loaded))
        penalized_counts(np.random.default_rng(0), n, *kernel.args, np.zeros(kernel.counts_shape, np.int64),
                         np.zeros(0))
    assert taken == ["numpy", "compiled", "compiled"]
