"""Iterative solvers and their zeros (mc_sparsity._solvers.iterative).

Every expected value is computed independently of the module: numpy's soft
threshold on regenerated draws, the engine's penalized kernel, a brute-force
enumeration of the lasso's KKT cases, one-dimensional quadrature of bivariate
normal probabilities, exact rational arithmetic (fractions), per-iteration
replays.  Statistical tests are two-sided exact binomial tests at level
ALPHA = 1e-4 with fixed seeds.
"""

import itertools
import math
import sys
from fractions import Fraction

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from scipy import integrate, special, stats

from mc_sparsity._mc.engine import BLOCK_SIZE, block_generator
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._estimators.lasso_ridge import soft_threshold
from mc_sparsity._mc.orthonormal import penalized_kernel
from mc_sparsity._solvers.study import sklearn_tolerance_study
from mc_sparsity._solvers.iterative import (
    SOLVERS,
    design_with_gram,
    exact_lasso_solution,
    run_solver_kernel,
    solver_counts_to_records,
    solver_iterates,
    solver_kernel,
    solver_summary,
    subgradient_toy,
)

ALPHA = 1e-4
BETA2 = np.array([1.0, 0.3])
G2 = np.array([[1.0, 0.6], [0.6, 1.0]])
BETA5 = np.array([1.0, -0.5, 0.0, 0.3, 2.0])
G5 = 0.5 ** np.abs(np.subtract.outer(np.arange(5), np.arange(5)))  # AR(1), rho = 0.5


# --------------------------------------------------------------------------- #
# independent references
# --------------------------------------------------------------------------- #

def _box_probability(mean, cov, box1, box2):
    """P(W1 in box1, W2 in box2), W ~ N(mean, cov) bivariate, by 1-d quadrature of the conditional."""
    s1 = math.sqrt(cov[0, 0])
    slope = cov[0, 1] / cov[0, 0]
    s21 = math.sqrt(cov[1, 1] - cov[0, 1] ** 2 / cov[0, 0])

    def integrand(w1):
        mu = mean[1] + slope * (w1 - mean[0])
        return stats.norm.pdf(w1, mean[0], s1) * (special.ndtr((box2[1] - mu) / s21) - special.ndtr((box2[0] - mu) / s21))

    val, err = integrate.quad(integrand, *box1, epsabs=1e-12, epsrel=1e-12, limit=200)
    assert err < 1e-9
    return val


def _exact_sparse_probability_orthants(beta, sigma, gram, lam):
    """MATH.md: P(sparse) = 1 - sum_s P(D_s beta_hat > lam D_s G^{-1} s), p = 2."""
    ginv = np.linalg.inv(gram)
    full = 0.0
    for s in itertools.product((1.0, -1.0), repeat=2):
        d = np.diag(s)
        mean = d @ beta
        cov = sigma ** 2 * d @ ginv @ d
        lower = lam * d @ ginv @ np.array(s)
        full += _box_probability(mean, cov, (lower[0], np.inf), (lower[1], np.inf))
    return 1.0 - full


def _brute_force_lasso(z, gram, lam):
    """The support and solution satisfying the KKT conditions, by enumerating all 3^p sign patterns."""
    p = z.size
    found = []
    for pattern in itertools.product((-1, 0, 1), repeat=p):
        s = np.array(pattern, dtype=float)
        S = s != 0
        b = np.zeros(p)
        if S.any():
            b[S] = np.linalg.solve(gram[np.ix_(S, S)], z[S] - lam * s[S])
            if np.any(np.sign(b[S]) != s[S]):
                continue
        if np.all(np.abs(z[~S] - gram[~S] @ b) <= lam + 1e-12):
            found.append(b)
    return found


# --------------------------------------------------------------------------- #
# G = I: ISTA with step 1 is the soft threshold after one iteration
# --------------------------------------------------------------------------- #

def test_ista_step_one_identity_is_the_soft_threshold_on_the_same_draws():
    beta, sigma, lam = np.array([1.0, 0.3]), 1.0, 0.5
    reps = BLOCK_SIZE + 5000  # two blocks, the second partial
    seed = np.random.SeedSequence(2024)
    eps = (1e-3, 0.05)
    kernel = solver_kernel(beta, sigma, None, None, lam, "ista", [1, 3], eps=eps)
    counts, sums = run_solver_kernel(kernel, reps, seed)
    rec = solver_counts_to_records(kernel, counts, sums)
    # The engine's penalized kernel on the same streams.
    hist, _ = run_solver_kernel(penalized_kernel(beta, sigma, [lam], [], -1), reps, seed)
    bh_blocks = []
    for block in range(2):
        n = min(BLOCK_SIZE, reps - block * BLOCK_SIZE)
        bh_blocks.append(beta + sigma * block_generator(seed, block).standard_normal((n, 2)))
    bh = np.concatenate(bh_blocks)
    assert rec[0]["reps"] == reps
    assert rec[0]["zero_any"] == hist[0, 1] + hist[0, 2]
    assert_array_equal(solver_summary(kernel, counts)["exact_zeros"], hist[0, :3])
    assert rec[0]["pattern_match"] == reps and rec[0]["spurious_zeros"] == rec[0]["missed_zeros"] == 0
    # numpy's soft threshold on the regenerated draws: near-zero counts and the iterates, bit for bit.
    st = soft_threshold(bh, lam)
    for e in eps:
        assert rec[0]["near_zero"][e] == int(np.any(np.abs(st) <= e, axis=1).sum())
    it, ident = solver_iterates(bh, None, lam, "ista", [1, 3])
    assert_array_equal((it[:, 0] + 0.0).view(np.uint64), (st + 0.0).view(np.uint64))  # +0.0: -0.0 -> 0.0
    assert_array_equal(it[:, 1], it[:, 0])  # a fixed point from then on
    assert np.all(ident <= 1)
    assert sums[0] == 0.0  # identical to the exact solution, not just close


# --------------------------------------------------------------------------- #
# the exact solution
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("gram, n_rows, seed", [(G2, 2000, 1), (G5, 200, 2), (np.eye(3), 300, 3)])
def test_exact_solution_against_brute_force_kkt_enumeration(gram, n_rows, seed):
    rng = np.random.default_rng(seed)
    p = gram.shape[0]
    lam = 0.5
    z = (rng.standard_normal((n_rows, p)) * 1.2) @ np.linalg.cholesky(gram).T + 0.3
    b, zero, ok = exact_lasso_solution(z, gram, lam)
    assert ok.all()
    for i in range(n_rows):
        found = _brute_force_lasso(z[i], gram, lam)
        assert len(found) == 1, (z[i], found)
        assert_array_equal(zero[i], found[0] == 0.0)
        np.testing.assert_allclose(b[i], found[0], rtol=1e-12, atol=1e-12)
    assert zero.any(axis=1).mean() > 0.1 and (~zero).all(axis=1).mean() > 0.05  # both kinds occur


def test_exact_solution_boundaries_are_uncertified_not_wrong():
    # |z_2 - G_21 b_1| = lam exactly: a KKT boundary (probability 0); the certificate must fail.
    lam = 0.5
    z = np.array([1.5, 0.6 * 1.0 + 0.5])  # b_1 = 1.0, then |z_2 - 0.6| = 0.5 = lam
    _, zero, ok = exact_lasso_solution(z, G2, lam)
    assert not ok
    _, _, ok = exact_lasso_solution(np.array([0.5, 0.1]), G2, lam)  # |z_1| = lam
    assert not ok
    b, zero, ok = exact_lasso_solution(np.array([0.2, -0.1]), G2, lam)
    assert ok and zero.all() and not b.any()


def test_exact_sparse_probability_against_the_orthant_formula():
    beta, sigma, lam = BETA2, 1.0, 0.5
    reps = 200_000
    p_exact = _exact_sparse_probability_orthants(beta, sigma, G2, lam)
    kernel = solver_kernel(beta, sigma, G2, None, lam, "ista", [1])
    counts, _ = run_solver_kernel(kernel, reps, np.random.SeedSequence(7))
    rec = solver_counts_to_records(kernel, counts)[0]
    assert rec["uncertified"] == 0
    assert stats.binomtest(rec["exact_sparse"], reps, p_exact).pvalue > ALPHA
    # ISTA's first iterate from 0 is S_{lam/L}(z/L): zero_j iff |z_j| <= lam, z ~ N(G beta, sigma^2 G).
    mz, cz = G2 @ beta, sigma ** 2 * G2
    out = [(-np.inf, -lam), (lam, np.inf)]
    p_none = sum(_box_probability(mz, cz, a, b) for a in out for b in out)
    assert stats.binomtest(rec["zero_any"], reps, 1.0 - p_none).pvalue > ALPHA
    # The claims differ enough for the tests to mean something: 0.613 against 0.378.
    assert abs(p_exact - (1.0 - p_none)) > 0.1


# --------------------------------------------------------------------------- #
# convergence of the zero pattern
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("beta, gram, iterations, reps", [(BETA2, G2, 3000, 20_000), (BETA5, G5, 3000, 4_000)])
@pytest.mark.parametrize("solver", ["ista", "fista", "cd"])
@pytest.mark.parametrize("start", ["zero", "least_squares"])
def test_proximal_solvers_end_on_the_exact_pattern(beta, gram, iterations, reps, solver, start):
    kernel = solver_kernel(beta, 1.0, gram, None, 0.5, solver, [1, iterations], start=start)
    counts, sums = run_solver_kernel(kernel, reps, np.random.SeedSequence(31))
    last = solver_counts_to_records(kernel, counts, sums)[-1]
    summary = solver_summary(kernel, counts)
    assert last["uncertified"] == 0
    # Finite identification (Liang, Fadili and Peyre): every replication, no exceptions at these seeds.
    assert last["pattern_match"] == reps
    assert last["zero_any"] == last["exact_sparse"] > 0
    assert summary["not_identified"] == 0
    assert last["mean_max_error"] < 1e-12


def test_identification_histogram_against_a_per_iteration_replay():
    rng = np.random.default_rng(8)
    n, K = 300, 40
    bh = BETA5 + rng.standard_normal((n, 5)) @ np.linalg.cholesky(np.linalg.inv(G5)).T
    checkpoints = [0, 2, 5, 10, 40]
    it_all, _ = solver_iterates(bh, G5, 0.5, "ista", list(range(K + 1)))
    _, zero, _ = exact_lasso_solution(bh @ G5.T, G5, 0.5)
    mismatch = np.any((it_all == 0.0) != zero[:, None, :], axis=2)  # (n, K + 1)
    T = np.array([(np.flatnonzero(row).max() + 1) if row.any() else 0 for row in mismatch])
    _, ident = solver_iterates(bh, G5, 0.5, "ista", checkpoints)
    assert_array_equal(ident, T)
    assert len(set(T.tolist())) > 3  # a real distribution, not one value


def test_identification_layout_in_the_kernel():
    kernel = solver_kernel(BETA5, 1.0, G5, None, 0.5, "ista", [0, 2, 5, 10, 40])
    counts, _ = run_solver_kernel(kernel, 3000, np.random.SeedSequence(9))
    s = solver_summary(kernel, counts)
    assert sum(s["identified"].values()) + s["not_identified"] == s["reps"] == 3000
    assert s["identified"][0] == s["exact_zeros"][5]  # T = 0: b* = 0, the start
    assert s["not_identified"] > 0 and s["identified"][5] > 0
    recs = solver_counts_to_records(kernel, counts)
    # pattern identified for good by checkpoint c  =>  pattern matches at c
    for rec, cum in zip(recs, np.cumsum(list(s["identified"].values()))):
        assert rec["pattern_match"] >= cum


# --------------------------------------------------------------------------- #
# subgradient descent: no exact zeros
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("solver", ["subgradient", "subgradient_diminishing"])
def test_subgradient_descent_has_no_exact_zeros(solver):
    # Derivation: b_k is a.s. nonzero in exact arithmetic (on each region of constant sign
    # history b_k = A_k z + c_k with A_k = G^{-1}(I - (I - eta G)^k) nonsingular).  In floating
    # point fl(a - eta g) = 0 iff a == fl(eta g), chance ~ ulp/spread <= 2^-52 per update: with
    # N K p = 2e4 * 300 * 2 = 1.2e7 updates the expected count is < 3e-9, so one exact zero would
    # reject the rounding model at a level far below ALPHA.
    reps, K = 20_000, 300
    kernel = solver_kernel(BETA2, 1.0, G2, None, 0.5, solver, [1, 10, K], eps=(1e-3,))
    counts, _ = run_solver_kernel(kernel, reps, np.random.SeedSequence(13))
    for rec in solver_counts_to_records(kernel, counts):
        assert rec["zero_any"] == 0
        assert rec["pattern_match"] == reps - rec["exact_sparse"]  # right exactly where b* has no zero
        assert rec["missed_zeros"] == rec["exact_sparse"] and rec["spurious_zeros"] == 0
    assert rec["near_zero"][1e-3] > 0  # it comes near 0, not onto it
    ista = solver_kernel(BETA2, 1.0, G2, None, 0.5, "ista", [K])
    ista_counts, _ = run_solver_kernel(ista, reps, np.random.SeedSequence(13))
    assert solver_counts_to_records(ista, ista_counts)[0]["zero_any"] == rec["exact_sparse"] > 0.5 * reps


# --------------------------------------------------------------------------- #
# the thread's toy example
# --------------------------------------------------------------------------- #

def _exact_toy(w0, eta, steps):
    w, out = Fraction(w0), [Fraction(w0)]
    for _ in range(steps):
        w -= eta * ((w > 0) - (w < 0))
        out.append(w)
    return out


def test_toy_five_reaches_zero_in_ten_steps_and_stays():
    w = subgradient_toy(5.0, 0.5, 30)
    assert [Fraction(v) for v in w] == _exact_toy(5, Fraction(1, 2), 30)
    assert w[9] == 0.5 and w[10] == 0.0 and np.all(w[10:] == 0.0) and np.all(w[:10] > 0)


def test_toy_five_point_one_oscillates_and_never_reaches_zero():
    w = subgradient_toy(5.1, 0.5, 40)
    # Every float subtraction is exact: the sequence is that of the stored value fl(5.1).
    assert [Fraction(v) for v in w] == _exact_toy(5.1, Fraction(1, 2), 40)
    assert Fraction(w[10]) == Fraction(5.1) - 5 != Fraction(1, 10)  # 0.09999999999999964
    assert w[10] != 0.1 and abs(w[10] - 0.1) < 1e-15
    assert np.all(w[10::2] == w[10]) and np.all(w[11::2] == w[11]) and w[11] == w[10] - 0.5
    assert not np.any(w == 0.0)
    # In exact real arithmetic from 51/10: 1/10, -2/5, 1/10, ...
    real = _exact_toy(Fraction(51, 10), Fraction(1, 2), 13)
    assert real[10:] == [Fraction(1, 10), Fraction(-2, 5), Fraction(1, 10), Fraction(-2, 5)]


# --------------------------------------------------------------------------- #
# scikit-learn's tolerance
# --------------------------------------------------------------------------- #

def test_sklearn_tolerance_study_reports_rates_with_intervals():
    pytest.importorskip("sklearn")
    X = design_with_gram(G2, 50, np.random.default_rng(4))
    np.testing.assert_allclose(X.T @ X, G2, atol=1e-13)
    reps = 400
    out = sklearn_tolerance_study(BETA2, 1.0, X, 0.5, [1e-12, 1e-4, 0.5], reps, np.random.default_rng(5))
    assert [r["tol"] for r in out] == [1e-12, 1e-4, 0.5]
    for r in out:
        assert r["reps"] == reps and r["uncertified"] == 0
        for key in ("mismatch", "spurious", "missed"):
            lo, hi = r[key + "_ci"]
            assert 0.0 <= lo <= r[key] / reps <= hi <= 1.0
            ci = stats.binomtest(r[key], reps).proportion_ci(method="exact")
            assert (lo, hi) == pytest.approx((ci.low, ci.high), rel=1e-8, abs=1e-15)  # the same interval
        assert r["spurious"] + r["missed"] >= r["mismatch"] >= max(r["spurious"], r["missed"])
        assert r["sparse_bias"] * reps == r["fit_sparse"] - r["exact_sparse"]
    # A converged scikit-learn fit (tol = 1e-12) agrees with the exact pattern on every replication:
    # an independent check of the exact solver with a real design and real data.
    assert out[0]["mismatch"] == 0 and out[0]["sparse_bias"] == 0.0
    # Same replications for every tol (paired): the exact count is shared.
    assert len({r["exact_sparse"] for r in out}) == 1
    assert 0.3 < out[0]["exact_sparse"] / reps < 0.9


def test_sklearn_missing_raises_an_import_error_naming_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)
    X = design_with_gram(G2, 10, 0)
    with pytest.raises(ImportError, match=r"pip install 'mc_sparsity\[solvers\]'"):
        sklearn_tolerance_study(BETA2, 1.0, X, 0.5, [1e-4], 2, 0)


# --------------------------------------------------------------------------- #
# determinism and input checks
# --------------------------------------------------------------------------- #

@pytest.mark.parametrize("solver", SOLVERS)
def test_same_seed_same_counts(solver):
    kernel = solver_kernel(BETA5, 0.7, G5, None, 0.4, solver, [1, 7, 50])
    a = run_solver_kernel(kernel, 3000, np.random.SeedSequence(77))
    b = run_solver_kernel(kernel, 3000, np.random.SeedSequence(77))
    c = run_solver_kernel(kernel, 3000, np.random.SeedSequence(78))
    assert_array_equal(a[0], b[0])
    assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_the_engine_runs_the_kernel_with_the_same_counts():
    from mc_sparsity._mc import engine as _engine

    if not hasattr(_engine, "run_kernel"):
        pytest.skip("engine without run_kernel")
    kernel = solver_kernel(BETA5, 1.0, G5, None, 0.5, "cd", [1, 20])
    seed = np.random.SeedSequence(21)
    reps = BLOCK_SIZE // 8
    tally = _engine.run_kernel(kernel, reps, seed, n_jobs=2, backend="threading", chunk_size=1)
    counts, sums = run_solver_kernel(kernel, reps, seed)
    assert_array_equal(tally.counts, counts)
    assert_array_equal(tally.sums, sums)


def test_kernel_accepts_keyword_counts_and_sums():
    kernel = solver_kernel(BETA2, 1.0, G2, None, 0.5, "fista", [1, 5])
    c1, s1 = np.zeros(kernel.counts_shape, np.int64), np.zeros(kernel.sums_shape)
    c2, s2 = np.zeros(kernel.counts_shape, np.int64), np.zeros(kernel.sums_shape)
    kernel.function(np.random.default_rng(3), 500, *kernel.args, counts=c1, sums=s1)
    kernel.function(np.random.default_rng(3), 500, *kernel.args, c2, s2)
    assert_array_equal(c1, c2)
    assert_array_equal(s1, s2)


@pytest.mark.parametrize("kwargs, name", [
    (dict(sigma=0.0), "sigma"),
    (dict(lam=-1.0), "lam"),
    (dict(solver="newton"), "solver"),
    (dict(iterations=[5, 3]), "iterations"),
    (dict(iterations=[-1]), "iterations"),
    (dict(gram=[[1.0, 2.0], [2.0, 1.0]]), "gram"),
    (dict(gram=[[1.0, 0.5], [0.4, 1.0]]), "gram"),
    (dict(chol=np.eye(2)), "chol"),
    (dict(step=1.0), "step"),  # above 1/L = 0.625 for ISTA
    (dict(start="ones"), "start"),
    (dict(eps=[-1.0]), "eps"),
    (dict(beta=[np.nan, 1.0]), "beta"),
])
def test_bad_input_names_the_parameter(kwargs, name):
    args = dict(beta=BETA2, sigma=1.0, gram=G2, chol=None, lam=0.5, solver="ista", iterations=[1, 2])
    args.update(kwargs)
    with pytest.raises(ParameterError) as info:
        solver_kernel(**args)
    assert info.value.parameter == name
    assert str(info.value).startswith(name)


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        solver_kernel(BETA2, "1", G2, None, 0.5, "ista", [1])
    with pytest.raises(TypeError):
        solver_kernel(BETA2, 1.0, G2, None, 0.5, "ista", [1.5])
    with pytest.raises(ParameterError, match="step must be None"):
        solver_kernel(BETA2, 1.0, G2, None, 0.5, "cd", [1], step=0.1)
    with pytest.raises(TypeError):
        subgradient_toy(5.0, 0.5, 2.0)


def _fista_numpy(beta_hat, gram, lam, step, iterations):
    """Beck and Teboulle's FISTA written out in numpy: x_k = prox(y_k), t_{k+1} = (1 + sqrt(1 + 4 t_k^2))/2,
    y_{k+1} = x_k + (t_k - 1)/t_{k+1} (x_k - x_{k-1}), from x_0 = y_1 = 0, t_1 = 1."""
    z = beta_hat @ gram
    x_prev = np.zeros_like(beta_hat)
    y = x_prev.copy()
    t = 1.0
    out = []
    for _ in range(iterations):
        x = np.sign(y - step * (y @ gram - z)) * np.maximum(np.abs(y - step * (y @ gram - z)) - step * lam, 0.0)
        t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
        y = x + (t - 1.0) / t_next * (x - x_prev)
        x_prev, t = x, t_next
        out.append(x)
    return np.stack(out, axis=1)


def test_fista_iterates_against_an_independent_implementation():
    """The momentum weight matters from iteration 3 on (at k = 2 it is 0): iterates 1..6 on random draws."""
    rng = np.random.default_rng(11)
    beta_hat = np.array([1.0, -0.5, 0.3, 0.0, 2.0]) + rng.standard_normal((50, 5))
    step = 1.0 / float(np.linalg.eigvalsh(G5)[-1])
    it, _ = solver_iterates(beta_hat, G5, 0.4, "fista", [1, 2, 3, 4, 5, 6], step=step)
    ref = _fista_numpy(beta_hat, G5, 0.4, step, 6)
    np.testing.assert_allclose(it, ref, rtol=1e-10, atol=1e-12)
    assert np.abs(ref[:, 3] - ref[:, 2]).max() > 1e-3  # the iterates still move: the check has power
