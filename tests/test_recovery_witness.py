"""The certified lasso solutions (witness, LARS, KKT margins) against scikit-learn and exact rational arithmetic."""

import warnings
from fractions import Fraction

import numpy as np
import pytest

from mc_sparsity._recovery.witness import (COUNT_FIELDS, NO, _certify, certify_signed_support, lasso_lars_certified,
                                           recovery_trials)

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
    by_witness = by_lars = 0
    for _ in range(120):
        X, y, lam, support, signs = _problem(rng)
        b = certify_signed_support(X, y, lam, support, signs)
        if b is not None:
            by_witness += 1
        else:
            b, ok = lasso_lars_certified(X, y, lam)
            assert ok
            by_lars += 1
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
    assert by_witness >= 20 and by_lars >= 20, (by_witness, by_lars)


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


def _exact_dual(X, y, S, s):
    """c_j(lam) = alpha_j + n lam beta_j off S, in exact rational arithmetic (Gauss-Jordan on X_S^T X_S)."""
    Xf = [[Fraction(v) for v in row] for row in X]
    yf = [Fraction(v) for v in y]
    n, p = X.shape
    m = len(S)
    G = [[sum(Xf[i][S[a]] * Xf[i][S[b]] for i in range(n)) for b in range(m)] for a in range(m)]
    r = [sum(Xf[i][S[a]] * yf[i] for i in range(n)) for a in range(m)]
    aug = [G[a] + [r[a], Fraction(int(s[a]))] for a in range(m)]
    for col in range(m):
        piv = next(i for i in range(col, m) if aug[i][col] != 0)
        aug[col], aug[piv] = aug[piv], aug[col]
        aug[col] = [v / aug[col][col] for v in aug[col]]
        for i in range(m):
            if i != col and aug[i][col] != 0:
                aug[i] = [vi - aug[i][col] * vc for vi, vc in zip(aug[i], aug[col])]
    u = [aug[a][m] for a in range(m)]  # G^-1 X_S^T y
    v = [aug[a][m + 1] for a in range(m)]  # G^-1 s   (b_S = u - n lam v)
    out = {}
    for j in range(p):
        if j in S:
            continue
        alpha = sum(Xf[i][j] * (yf[i] - sum(Xf[i][S[a]] * u[a] for a in range(m))) for i in range(n))
        beta = sum(Xf[i][j] * sum(Xf[i][S[a]] * v[a] for a in range(m)) for i in range(n))
        out[j] = (alpha, beta)
    return out, u, v


def test_the_margin_refuses_a_support_a_hair_past_the_boundary():
    """Place lam within 1e-12 (relative) of where a variable joins: exact arithmetic says which side is which."""
    rng = np.random.default_rng(3)
    checked = refuted = 0
    for _ in range(12):
        n, p = 12, 6
        X = rng.standard_normal((n, p))
        y = X[:, 0] * 1.5 - X[:, 1] + 0.3 * rng.standard_normal(n)
        b, ok = lasso_lars_certified(X, y, 0.3)
        S = [int(j) for j in np.flatnonzero(b)]
        s = [float(v) for v in np.sign(b[S])]
        if not S:
            continue
        dual, u, v = _exact_dual(X, y, S, s)
        # the largest lam below 0.3 at which some j reaches |c_j| = n lam:  alpha + n lam beta = +-n lam
        joins = []
        for j, (alpha, beta) in dual.items():
            for sign in (1, -1):
                if sign - beta != 0:
                    nlam = alpha / (sign - beta)
                    if 0 < nlam < Fraction(n) * Fraction(0.3):
                        joins.append((nlam / n, j))
        if not joins:
            continue
        lam_star, j = max(joins)
        for rel, inside in ((-1e-12, False), (1e-12, True), (-1e-6, False)):
            lam = float(lam_star) * (1 + rel)
            nlam = Fraction(n) * Fraction(lam)
            alpha, beta = dual[j]
            violated = abs(alpha + nlam * beta) > nlam  # exact: is (S, s) infeasible at this float lam?
            signs_ok = all(si * (ua - nlam * va) > 0 for si, ua, va in zip(s, u, v))
            if violated or not signs_ok:
                assert certify_signed_support(X, y, lam, S, s) is None
                checked += 1
            if rel == -1e-6 and violated and signs_ok:  # a clear violation is refuted, not left undecided
                mask = np.zeros(p, dtype=bool)
                mask[S] = True
                status = _certify(X, y, n * lam, np.array(S), np.array(s), len(S), mask, np.empty(p),
                                  np.empty(p), np.empty(p), np.empty(n))
                assert status == NO
                refuted += 1
    assert checked >= 10 and refuted >= 3, (checked, refuted)


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


def _exact_least_eigenvalue(X):
    """lambda_min of the exact X^T X: products and sums in 80-digit arithmetic (exact for these floats), mpmath."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(80):
        M = mpmath.matrix(X.tolist())
        return mpmath.eigsy(M.T * M, eigvals_only=True)[0]


def test_least_eigenvalue_bound_lies_below_the_exact_one_and_near_it():
    """The proved bound of the witness's margins: never above lambda_min (exact), near half of it when well posed."""
    from mc_sparsity._recovery.witness import _EPS, _cholesky, _lambda_min_lower

    rng = np.random.default_rng(11)
    cases = []
    for _ in range(25):
        n, ns = int(rng.integers(8, 40)), int(rng.integers(1, 7))
        cases.append(rng.standard_normal((n, ns)))
    for _ in range(60):  # nearly collinear: lambda_min near rounding level, where only the margin keeps it below
        n, ns = int(rng.integers(8, 40)), int(rng.integers(2, 7))
        X = rng.standard_normal((n, ns))
        X[:, 1] = X[:, 0] + 10.0 ** -rng.uniform(6.5, 8.5) * rng.standard_normal(n)
        cases.append(X)
    # x0 = ones is the eigenvector of the largest eigenvalue: inverse iteration stays there, the shifted
    # factorization fails and LAPACK's eigenvalue (the fallback) is used
    cases.append(np.array([[50.0 ** 0.5, 50.0 ** 0.5], [0.5 ** 0.5, -(0.5 ** 0.5)]]))
    near = 0
    for X in cases:
        n, ns = X.shape
        G = X.T @ X
        L = np.zeros((ns, ns))
        if not _cholesky(G, L, ns):
            continue
        lo = _lambda_min_lower(G, L, ns, float(np.trace(G)), (n + ns + 4) * _EPS)
        exact = _exact_least_eigenvalue(X)
        assert lo <= exact, (lo, exact)
        if exact > 1e-6 * np.trace(G):
            assert lo >= 0.45 * float(exact), (lo, exact)
            near += 1
    assert near >= 25


def test_active_set_guesses_certify_the_solution_lars_finds():
    """From a refuted truth (on a sign or on dual feasibility) the guesses reach LARS's and scikit-learn's answer."""
    from mc_sparsity._recovery.witness import _active_set_guesses

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
