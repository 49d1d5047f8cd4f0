"""The certified Gram-lasso solver (``_mc/gram_lasso.py``): against enumeration, at planted boundaries, its margins.

The reference is :func:`mc_sparsity._exact.lasso_enumeration.lasso_gram_solve` (every support and sign pattern
tried in numpy, an independent computation); the boundaries are planted by construction, ``z = A b + lam s``.
"""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mc_sparsity._exact.lasso_enumeration import lasso_gram_solve
from mc_sparsity._mc.gram_lasso import (certificate_scales, certification_margin, margin_from_eigenvalues,
                                        solve_certified)
from mc_sparsity._solvers.iterative import exact_lasso_solution


def _solve(A, z, lam, start=None):
    """solve_certified on one problem, no tables; returns (certified, b, in_support)."""
    p = A.shape[0]
    rtol, inv_lmin, amax = certificate_scales(A)
    inS, sg = np.zeros(p, dtype=np.bool_), np.zeros(p)
    idx = np.zeros(p + 1, dtype=np.int64)  # work_arrays' length
    work = [np.zeros(p) for _ in range(6)]
    have = start is not None
    s_in = np.array(start[0] if have else np.zeros(p), dtype=np.bool_)
    s_sg = np.array(start[1] if have else np.zeros(p), dtype=float)
    ok = solve_certified(A, np.asarray(z, dtype=float), lam, rtol, inv_lmin, amax, False, work[5], idx, s_in, s_sg,
                         have, inS, sg, idx, work[0], work[1], work[2], work[3], work[4], np.zeros(p),
                         np.zeros((p, p)))
    return ok, work[3].copy(), inS.copy()


def _random_spd(rng, p):
    m = rng.standard_normal((p + 3, p))
    return m.T @ m / (p + 3) + 0.2 * np.eye(p)


@pytest.mark.parametrize("p", [1, 2, 3, 5, 7])
def test_certified_solutions_are_the_enumerated_ones(p):
    """On 200 random problems per p the certified solution equals the enumeration's, zeros exactly where it has
    them; every problem is certified (none lies within rounding of a boundary by chance)."""
    rng = np.random.default_rng(20261130 + p)
    for _ in range(40):
        A = _random_spd(rng, p)
        for z in rng.standard_normal((5, p)) * 2.0:
            lam = float(rng.uniform(0.1, 1.5))
            ok, b, inS = _solve(A, z, lam)
            ref, slack = lasso_gram_solve(A, z, lam, return_slack=True)
            assert ok and slack > 0
            assert_array_equal(b == 0.0, ref == 0.0)
            assert_array_equal(inS, ref != 0.0)
            assert_allclose(b, ref, rtol=1e-9, atol=1e-12)


def test_a_wrong_start_pattern_is_rejected_and_a_right_one_accepted():
    """A start pattern is only a candidate: a wrong one fails its certificate and LARS finds the solution."""
    A = np.array([[1.0, 0.5], [0.5, 1.0]])
    z, lam = np.array([2.0, 0.3]), 0.5  # solution (1.5, 0): |0.3 - 0.75| < 0.5
    for start in (([True, True], [1.0, 1.0]), ([False, True], [0.0, 1.0]), ([True, False], [1.0, 0.0])):
        ok, b, inS = _solve(A, z, lam, start)
        assert ok
        assert_allclose(b, [1.5, 0.0], rtol=1e-15)
        assert_array_equal(inS, [True, False])


def test_a_problem_on_a_boundary_is_uncertified():
    """z = A b + lam s with b = (1, 1, 0): coordinate 2 sits on the boundary of the supports {0, 1} and {0, 1, 2};
    within rounding of it no candidate is certified, a clear step either side is."""
    A = 0.5 * np.eye(3) + 0.5 * np.ones((3, 3))
    lam = 0.5
    for step in (-1e-10, 0.0, 1e-10):
        assert not _solve(A, [2.0, 2.0, 1.5 + step], lam)[0]
    ok, b, _ = _solve(A, [2.0, 2.0, 1.5 + 1e-6], lam)
    assert ok and b[2] > 0
    ok, b, _ = _solve(A, [2.0, 2.0, 1.5 - 1e-6], lam)
    assert ok and b[2] == 0.0


def test_the_solver_study_uses_the_same_solver():
    """``exact_lasso_solution`` (the solver study's) returns the certified solver's answer, uncertified included."""
    A = 0.5 * np.eye(3) + 0.5 * np.ones((3, 3))
    z = np.array([[2.0, 2.0, 1.5], [2.0, 2.0, 1.5 + 1e-6], [0.1, -0.2, 0.3]])
    b, zero, ok = exact_lasso_solution(z, A, 0.5)
    assert_array_equal(ok, [False, True, True])
    for row in range(3):
        ok_row, b_row, _ = _solve(A, z[row], 0.5)
        assert ok_row == ok[row]
        assert_array_equal(b[row], b_row)
    assert_array_equal(zero[2], [True, True, True])


def test_margins():
    """max(1e-9, 64 p eps cond(A)), from numpy's condition number and from the extreme eigenvalues."""
    eps = np.finfo(float).eps
    assert certification_margin(np.eye(4)) == 1e-9
    A = np.diag([1.0, 1e8])
    assert certification_margin(A) == pytest.approx(64 * 2 * eps * 1e8, rel=1e-12)
    assert margin_from_eigenvalues(2, 1.0, 1e8) == pytest.approx(64 * 2 * eps * 1e8, rel=1e-15)
    assert_allclose(certificate_scales(np.array([[2.0, -3.0], [-3.0, 5.0]])),
                    [1e-9, 2.0 / (7.0 - np.sqrt(45.0)), 5.0], rtol=1e-12)  # lambda = (7 +- sqrt 45)/2


def _certify_pattern(G, z, lam, in_support, signs, use_table):
    """Run the p >= 3 certificate on a given pattern, as the kernel does."""
    from mc_sparsity._mc.gram_lasso import certification_margin, certify, inverse_tables

    p = G.shape[0]
    tables, offsets = inverse_tables([G], p, use_table)
    work = [np.zeros(p) for _ in range(3)]
    return certify(G, np.asarray(z, dtype=float), lam, 0.0, False, use_table, tables[0], offsets,
                    np.array(in_support, dtype=np.bool_), np.array(signs, dtype=float), certification_margin(G),
                    1.0 / np.linalg.eigvalsh(G)[0], float(np.abs(G).max()), np.zeros(p + 1, dtype=np.int64),
                    work[0], work[1], work[2], np.zeros((p, p)))


@pytest.mark.parametrize("use_table", [True, False])
def test_a_draw_on_a_pattern_boundary_is_uncertified_at_p3(use_table):
    """Planted draws at p = 3: z = G b + lam s with b = (1, 1, 0) puts coordinate 2 on the boundary between
    the supports {0, 1} and {0, 1, 2}; a rounding-sized step to either side must not certify the full
    support (its coordinate 2 is within rounding of 0), while a clear step does."""
    G = 0.5 * np.eye(3) + 0.5 * np.ones((3, 3))
    lam = 0.5
    full, signs = [True, True, True], [1.0, 1.0, 1.0]
    for step in (-1e-9, 0.0, 1e-9):  # b_2 = 1.5 step, below the sign margin (about 6e-9)
        assert not _certify_pattern(G, [2.0, 2.0, 1.5 + step], lam, full, signs, use_table)
        assert not _certify_pattern(G, [2.0, 2.0, 1.5 + step], lam, full, [1.0, 1.0, -1.0], use_table)
    assert _certify_pattern(G, [2.0, 2.0, 1.5 + 1e-6], lam, full, signs, use_table)  # b_2 = 1.5e-6: clear
    assert _certify_pattern(G, [2.0, 2.0, 1.5 - 1e-6], lam, [True, True, False], [1.0, 1.0, 0.0], use_table)


def _solve_from(A, z, lam, start, use_table=False):
    """solve_certified_from on one problem from the start pattern ``start(inS, sg)``; returns (certified, b, inS)."""
    from mc_sparsity._mc.gram_lasso import inverse_tables, solve_certified_from, work_arrays

    p = A.shape[0]
    rtol, inv_lmin, amax = certificate_scales(A)
    tables, offsets = inverse_tables([A], p, use_table)
    for table in (tables, offsets):  # read-only, as the kernels' are: their compiled fallback is reused
        table.setflags(write=False)
    inS, sg, idx, rhs, u, w, b, c, a, Lf = work_arrays(p)
    start(inS, sg)
    ok = solve_certified_from(A, np.asarray(z, dtype=float), lam, rtol, inv_lmin, amax, use_table, tables[0],
                              offsets, inS, sg, idx, rhs, u, w, b, c, a, Lf)
    return ok, b.copy(), inS.copy()


def _thresholded(scores, lam):
    from mc_sparsity._mc.gram_lasso import threshold_pattern

    return lambda inS, sg: threshold_pattern(np.asarray(scores, dtype=float), lam, inS, sg)


def _solve_from_scores(A, z, lam, scores, use_table=False):
    return _solve_from(A, z, lam, _thresholded(scores, lam), use_table)


@pytest.mark.parametrize("p", [1, 3, 6])
@pytest.mark.parametrize("use_table", [True, False])
def test_active_set_candidates_find_the_enumerated_solution_from_any_start(p, use_table):
    """Whatever the start pattern (the full-support candidate's, the unpenalized solution's thresholded, random
    scores', none, all), the first candidates are active-set steps and each is certified: the solution is the
    enumeration's, zeros exactly where it has them."""
    from mc_sparsity._mc.gram_lasso import full_support_pattern

    rng = np.random.default_rng(20261201 + p)
    for _ in range(25):
        A = _random_spd(rng, p)
        z = rng.standard_normal(p) * 2.0
        lam = float(rng.uniform(0.1, 1.5))
        ref, slack = lasso_gram_solve(A, z, lam, return_slack=True)
        assert slack > 0
        ols = np.linalg.solve(A, z)
        starts = [_thresholded(s, lam) for s in (np.diag(A) * ols, rng.standard_normal(p), np.zeros(p),
                                                 np.full(p, 1e3))]
        starts.append(lambda inS, sg: full_support_pattern(ols, np.linalg.inv(A), lam, inS, sg, np.zeros(p)))
        for start in starts:
            ok, b, inS = _solve_from(A, z, lam, start, use_table)
            assert ok
            assert_array_equal(inS, ref != 0.0)
            assert_allclose(b, ref, rtol=1e-9, atol=1e-12)


def test_start_patterns():
    """threshold_pattern: {|scores_j| > lam} with their signs; full_support_pattern: the signs of x kept where
    x - lam A^{-1} sign(x) keeps them (computed here by hand)."""
    from mc_sparsity._mc.gram_lasso import full_support_pattern, threshold_pattern

    inS, sg = np.zeros(4, dtype=np.bool_), np.zeros(4)
    threshold_pattern(np.array([0.7, -0.2, -0.9, 0.5]), 0.5, inS, sg)
    assert_array_equal(inS, [True, False, True, False])
    assert_array_equal(sg, [1.0, 0.0, -1.0, 0.0])
    A = np.array([[1.0, 0.5, 0.0], [0.5, 1.0, 0.5], [0.0, 0.5, 1.0]])
    x = np.array([2.0, -0.1, 0.4])
    # A^{-1} (1, -1, 1) = (3, -4, 3) (A (3, -4, 3) = (1, -1, 1)): x - 0.5 (3, -4, 3) = (0.5, 1.9, -1.1),
    # the signs of x kept at coordinate 0 only
    inS, sg = np.zeros(3, dtype=np.bool_), np.zeros(3)
    full_support_pattern(x, np.linalg.inv(A), 0.5, inS, sg, np.zeros(3))
    assert_array_equal(inS, [True, False, False])
    assert_array_equal(sg, [1.0, 0.0, 0.0])


def test_kkt_check_hands_back_the_solve_and_the_correlations_of_a_failed_pattern():
    """On a wrong pattern kkt_check returns 0 with b_S = A_SS^{-1}(z_S - lam s_S) and c = z - A_{:,S} b_S
    (numpy's solve); on the right one it returns 1, and certify agrees on both."""
    from mc_sparsity._mc.gram_lasso import certify, kkt_check

    A = np.array([[2.0, 0.5, 0.2], [0.5, 1.0, 0.3], [0.2, 0.3, 1.5]])
    z, lam = np.array([3.0, -0.2, 1.0]), 0.5
    ref = lasso_gram_solve(A, z, lam)
    rtol, inv_lmin, amax = certificate_scales(A)
    for in_s, sg in (([True, True, False], [1.0, 1.0, 0.0]), (ref != 0.0, np.sign(ref))):
        in_s, sg = np.array(in_s, dtype=np.bool_), np.array(sg, dtype=float)
        args = (A, z, lam, 0.0, False, False, np.zeros(1), np.zeros(1, dtype=np.int64), in_s, sg, rtol, inv_lmin,
                amax, np.zeros(4, dtype=np.int64), np.zeros(3), np.zeros(3), np.zeros(3), np.zeros((3, 3)))
        status = kkt_check(*args)
        assert status == certify(*args)
        S = np.flatnonzero(in_s)
        bS = np.linalg.solve(A[np.ix_(S, S)], z[S] - lam * sg[S])
        assert_allclose(args[15][:S.size], bS, rtol=1e-13)
        assert_allclose(args[16][~in_s], (z - A[:, S] @ bS)[~in_s], rtol=1e-13, atol=1e-15)
        assert status == (1 if np.array_equal(in_s, ref != 0.0) else 0)


def test_active_set_stops_at_an_uncertified_fixed_point():
    """The planted boundary z = A b + lam s, b = (1, 1, 0): active-set steps from the pattern of either side
    reach no certified pattern, and neither does the fallback: uncertified, as with solve_certified."""
    A = 0.5 * np.eye(3) + 0.5 * np.ones((3, 3))
    z = [2.0, 2.0, 1.5]
    for scores in ([1.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]):
        assert not _solve_from_scores(A, z, 0.5, scores)[0]
