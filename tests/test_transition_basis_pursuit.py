"""Basis pursuit's certificates: planted failures are not certified, successes are, and an independent LP agrees."""

import numpy as np
import pytest
from scipy.optimize import linprog

from mc_sparsity._mc.engine import block_generator
from mc_sparsity._mc.streams import named_stream
from mc_sparsity._transition.basis_pursuit import MARGIN, decide, verify_certificate
from mc_sparsity._transition.simulate import TRIALS_PER_BLOCK, draw_trial, scenario_index, simulate_transition


def test_planted_failure_is_not_certified():
    # x = (1, 1, 0) is not a minimiser: b = (0, 0, 1) has A b = A x and ||b||_1 = 1 < 2.
    A = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    x = np.array([1.0, 1.0, 0.0])
    for w in ([1.0, 1.0], [0.5, 0.5], [0.0, 0.0], [-1.0, 3.0]):
        assert not verify_certificate(A, [0, 1], [1.0, 1.0], w)
    outcome, proof = decide(A, x)
    assert outcome == "failure" and proof in ("lawson_bound", "lp_witness")
    assert decide(A, x, "highs")[0] == "failure"


def test_tie_is_not_a_success():
    # x = (1, 1, 0) ties with b = (0.5, 0.5, 1): a minimiser, not the unique one; the only w has |A_2^T w| = 1.
    A = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5]])
    x = np.array([1.0, 1.0, 0.0])
    assert not verify_certificate(A, [0, 1], [1.0, 1.0], [1.0, 1.0])
    assert decide(A, x)[0] != "success"
    assert decide(A, x, "highs")[0] != "success"


def test_strict_certificate_passes_and_margin_matters():
    A = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.4]])
    assert verify_certificate(A, [0, 1], [1.0, 1.0], [1.0, 1.0])  # |A_2^T w| = 0.9
    A[1, 2] = 0.5 - MARGIN / 2  # |A_2^T w| = 1 - MARGIN/2: within the margin, refused
    assert not verify_certificate(A, [0, 1], [1.0, 1.0], [1.0, 1.0])


def test_success_is_certified_independently():
    rng = np.random.default_rng(7)
    A = rng.standard_normal((40, 60))
    x = np.zeros(60)
    x[[3, 17, 44]] = [1.5, -0.7, 2.0]
    assert decide(A, x)[0] == "success" and decide(A, x, "highs")[0] == "success"
    # independently: min t s.t. A_S^T w = sign(x_S), |A_Sc^T w| <= t (an LP in (w, t)) is < 1
    S = [3, 17, 44]
    off = np.setdiff1d(np.arange(60), S)
    B = A[:, off].T
    column = -np.ones((len(off), 1))
    res = linprog(np.r_[np.zeros(40), 1.0], A_ub=np.block([[B, column], [-B, column]]), b_ub=np.zeros(2 * len(off)),
                  A_eq=np.c_[A[:, S].T, np.zeros(3)], b_eq=np.sign(x[S]), bounds=[(None, None)] * 40 + [(0, None)],
                  method="highs")
    w = res.x[:40]
    assert res.x[-1] < 0.99 and verify_certificate(A, S, np.sign(x[S]), w)


def _independent_recovery(A, x):
    """Basis pursuit as the u - v split LP, written here: does its solution equal x (relative error <= 1e-6)?"""
    d = A.shape[1]
    res = linprog(np.ones(2 * d), A_eq=np.concatenate([A, -A], axis=1), b_eq=A @ x, bounds=[(0, None)] * (2 * d),
                  method="highs")
    assert res.status == 0
    return np.linalg.norm(res.x[:d] - res.x[d:] - x) <= 1e-6 * np.linalg.norm(x)


@pytest.mark.parametrize("method", ["fast", "highs"])
def test_counts_agree_with_an_independent_lp(method):
    d, s, m, trials = 60, 6, 22, 48  # near the transition (D(6, 60) = 21.9): both outcomes occur
    result = simulate_transition(d, s, m, trials, rng=5, method=method)
    root = named_stream(np.random.SeedSequence(5), "transition", scenario_index(d, s, m))
    independent = 0
    for block in range(trials // TRIALS_PER_BLOCK):
        rng = block_generator(root, block)
        for _ in range(TRIALS_PER_BLOCK):
            independent += _independent_recovery(*draw_trial(rng, d, s, m))
    row = result.rows[0]
    assert row.uncertified == 0
    assert 5 < independent < trials - 5
    assert row.l1_successes == independent
