"""The PCG64 generator compiled into the kernels against numpy's own, bit for bit."""

import numba
import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity._mc.orthonormal import penalized_counts
from mc_sparsity._mc.pcg64 import next_uint64, standard_normal, state_of, store_state


@numba.njit
def _draw(state, out, draw):
    hi, lo, inc_hi, inc_lo = state[0], state[1], state[2], state[3]
    for i in range(out.size):
        out[i], hi, lo = draw(hi, lo, inc_hi, inc_lo)
    state[0] = hi
    state[1] = lo
    return out


@pytest.mark.parametrize("seed", [0, 1, 2**63 + 5])
def test_raw_outputs_and_normals_are_numpys(seed):
    ours, ref = np.random.default_rng(seed), np.random.default_rng(seed)
    state = state_of(ours)
    assert_array_equal(_draw(state, np.empty(1000, dtype=np.uint64), next_uint64), ref.bit_generator.random_raw(1000))
    # 300,000 normals: about 2,000 leave the ziggurat's rectangles (the wedges and the tail)
    assert_array_equal(_draw(state, np.empty(300_000), standard_normal), ref.standard_normal(300_000))
    store_state(ours, state)
    assert_array_equal(ours.standard_normal(5), ref.standard_normal(5))  # the Generator continues


def test_a_kernel_leaves_its_generator_advanced_past_its_draws():
    rng, ref = np.random.default_rng(3), np.random.default_rng(3)
    counts = np.zeros((1, 5), dtype=np.int64)  # p = 2, k = 1: cells (0,0) (0,1) (1,0) (1,1), then the hits
    # read-only arguments, as the Kernel record passes them: the machine code the other tests compiled is reused
    mean, thresholds, signs = (np.array(v) for v in ([1.0, 0.0], [0.5], [1.0, 0.0]))
    for a in (mean, thresholds, signs):
        a.setflags(write=False)
    penalized_counts(rng, 777, mean, 1.0, thresholds, -1, signs, counts, np.zeros(0))
    ref.standard_normal(2 * 777)
    assert rng.standard_normal() == ref.standard_normal()


def test_other_bit_generators_are_refused():
    with pytest.raises(TypeError, match="PCG64"):
        state_of(np.random.Generator(np.random.MT19937(0)))
