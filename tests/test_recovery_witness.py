"""The trials' solvers (witness on the truth, the guesses it points to, LARS) against scikit-learn."""

import warnings

import numpy as np
import pytest

from mc_sparsity._recovery.certificate import NO, _certify, certify_signed_support
from mc_sparsity._recovery.witness import COUNT_FIELDS, _active_set_guesses, lasso_lars_certified, recovery_trials

sklearn = pytest.importorskip("sklearn.linear_model")


def _problem(rng):
    n = int(rng.integers(15, 60))
    p = int(rng.integers(4, 90))
    k = int(min(rng.integers(1, 6), p, n - 1))
    X = rng.standard_normal((n, p))
    if rng.random() < 0.5:  # correlated columns make the witness fail more often
        X[:, 1:] += 0.6 * X[:, :-1]
    beta = np.zeros(p)
    support = np.sort(rng.choice(p, k, replace=False))
    beta[support] = rng.choice([-1.0, 1.0], k) * rng.uniform(0.5, 2.0, k)
    y = X @ beta + 0.5 * rng.standard_normal(n)
    lam = float(rng.uniform(0.02, 0.4))
    return X, y, lam, support, np.sign(beta[support])


def _lasso_lars(X, y, lam):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sklearn.LassoLars(alpha=lam, fit_intercept=False, max_iter=10_000).fit(X, y).coef_


def test_witness_and_lars_against_scikit_learn_on_random_problems():
    rng = np.random.default_rng(20261130)
    by_witness = by_solver = 0
    for _ in range(120):
        X, y, lam, support, signs = _problem(rng)
        b = certify_signed_support(X, y, lam, support, signs)
        if b is not None:
            by_witness += 1
        else:
            b, ok = lasso_lars_certified(X, y, lam)
            assert ok
            by_solver += 1
        ref = _lasso_lars(X, y, lam)
        assert np.array_equal(np.sign(b), np.sign(ref))
        assert np.max(np.abs(b - ref)) <= 1e-8 * max(1.0, np.max(np.abs(ref)))
        cd = sklearn.Lasso(alpha=lam, fit_intercept=False, tol=1e-15, max_iter=1_000_000).fit(X, y).coef_
        assert np.max(np.abs(b - cd)) <= 1e-6  # coordinate descent stops at its tolerance, not exactly
        # KKT of the returned solution, recomputed here in numpy
        n = X.shape[0]
        c = X.T @ (y - X @ b) / n
        on = b != 0
        assert np.allclose(c[on], lam * np.sign(b[on]), rtol=0, atol=1e-9)
        assert np.all(np.abs(c[~on]) < lam)
    assert by_witness >= 20 and by_solver >= 20, (by_witness, by_solver)


def test_wrong_guesses_are_never_accepted():
    rng = np.random.default_rng(7)
    tried = 0
    for _ in range(40):
        X, y, lam, _, _ = _problem(rng)
        b, ok = lasso_lars_certified(X, y, lam)
        assert ok
        S = np.flatnonzero(b)
        s = np.sign(b[S])
        assert certify_signed_support(X, y, lam, S, s) is not None
        guesses = []
        for t in range(len(S)):  # flip one sign; drop one variable
            flipped = s.copy()
            flipped[t] = -flipped[t]
            guesses.append((S, flipped))
            guesses.append((np.delete(S, t), np.delete(s, t)))
        outside = np.setdiff1d(np.arange(X.shape[1]), S)
        for j in rng.choice(outside, min(3, outside.size), replace=False):  # add one, either sign
            for sign in (-1.0, 1.0):
                order = np.argsort(np.append(S, j))
                guesses.append((np.append(S, j)[order], np.append(s, sign)[order]))
        for guess in guesses:
            tried += 1
            assert certify_signed_support(X, y, lam, *guess) is None
    assert tried > 200


def _numpy_trial(rng, n, p, k, rho, sigma, beta_min):
    """The kernel's trial drawn with numpy, written here independently of the compiled code."""
    perm = np.arange(p)
    for j in range(k):
        m = rng.integers(j, p)
        perm[j], perm[m] = perm[m], perm[j]
    support = np.sort(perm[:k])
    signs = np.array([1.0 if rng.random() < 0.5 else -1.0 for _ in range(k)])
    X = np.empty((n, p))
    for i in range(n):
        z = np.array([rng.standard_normal() for _ in range(p)])
        if rho == 0.0:
            X[i] = z
        else:
            X[i, 0] = z[0]
            for j in range(1, p):
                X[i, j] = rho * X[i, j - 1] + np.sqrt(1 - rho * rho) * z[j]
    noise = np.array([rng.standard_normal() for _ in range(n)])
    beta = np.zeros(p)
    beta[support] = beta_min * signs
    return X, X @ beta + sigma * noise, support, signs


@pytest.mark.parametrize("rho", [0.0, 0.3])
def test_kernel_trials_agree_with_scikit_learn_on_the_same_draws(rho):
    """numba draws numpy's own stream: replay each trial in numpy and solve it with LassoLars."""
    n, p, k, lam, sigma, beta_min = 50, 60, 4, 0.2, 0.5, 0.5
    seen = set()
    for seed in range(40):
        counts = np.zeros(len(COUNT_FIELDS), dtype=np.int64)
        sums = np.zeros(6)
        recovery_trials(np.random.default_rng(seed), 1, p, k, n, lam, sigma, beta_min, rho, True, counts, sums)
        X, y, support, signs = _numpy_trial(np.random.default_rng(seed), n, p, k, rho, sigma, beta_min)
        ref = _lasso_lars(X, y, lam)
        chosen = np.flatnonzero(ref)
        signed = np.array_equal(chosen, support) and np.array_equal(np.sign(ref[chosen]), signs)
        assert counts[COUNT_FIELDS.index("unsolved")] == 0
        assert counts[0] == signed and counts[1] == np.array_equal(chosen, support)
        assert counts[2] == (set(support) <= set(chosen))
        hits = len(set(chosen) & set(support))
        assert sums[2] == pytest.approx(hits / k, abs=1e-15)
        assert sums[4] == len(set(chosen) ^ set(support))
        assert sums[0] == pytest.approx((len(chosen) - hits) / max(len(chosen), 1), abs=1e-15)
        seen.add(bool(signed))
    assert seen == {True, False}


def test_active_set_guesses_certify_the_solution_lars_finds():
    """From a refuted truth (on a sign or on dual feasibility) the guesses reach LARS's and scikit-learn's answer."""
    rng = np.random.default_rng(5)
    kinds = {"sign": 0, "dual": 0}
    solved = 0
    for trial in range(150):
        X, y, lam, support, signs = _problem(rng)
        n, p = X.shape
        if trial % 2:  # small coefficients: the truth's least-squares signs flip, a refutation on a sign
            y = X[:, support] @ (signs * rng.uniform(0.0, 0.3, len(support))) + 0.5 * rng.standard_normal(n)
        mask = np.zeros(p, dtype=bool)
        mask[support] = True
        b, c = np.empty(max(len(support), min(n, p))), np.empty(p)
        if _certify(X, y, n * lam, support, signs, len(support), mask, b, c, np.empty(p), np.empty(n)) != NO:
            continue
        kinds["sign" if np.any(signs * b[:len(support)] < 0) else "dual"] += 1
        act, sgn, inS = np.empty(min(n, p), dtype=np.int64), np.empty(min(n, p)), np.zeros(p, dtype=bool)
        m = _active_set_guesses(X, y, n * lam, support, signs, len(support), b, c, np.empty(p), np.empty(n), act,
                                sgn, inS, 8)
        if m < 0:
            continue
        solved += 1
        assert np.array_equal(np.flatnonzero(inS), np.sort(act[:m]))
        ours = np.zeros(p)
        ours[act[:m]] = b[:m]
        ref, ok = lasso_lars_certified(X, y, lam)
        assert ok and np.array_equal(np.sign(ours), np.sign(ref)), (act[:m], np.flatnonzero(ref))
        assert np.max(np.abs(ours - ref)) <= 1e-9 * max(1.0, np.max(np.abs(ref)))
        assert np.array_equal(np.sign(ours), np.sign(_lasso_lars(X, y, lam)))
    assert kinds["sign"] >= 5 and kinds["dual"] >= 5 and solved >= 0.8 * sum(kinds.values()), (kinds, solved)
