"""The primal-dual witness's certificate: its margins against exact rational arithmetic, its eigenvalue bound."""

from fractions import Fraction

import numpy as np
import pytest

from mc_sparsity._recovery.certificate import _EPS, NO, _certify, _cholesky, _lambda_min_lower, certify_signed_support
from mc_sparsity._recovery.witness import lasso_lars_certified


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


def _exact_least_eigenvalue(X):
    """lambda_min of the exact X^T X: products and sums in 80-digit arithmetic (exact for these floats), mpmath."""
    mpmath = pytest.importorskip("mpmath")
    with mpmath.workdps(80):
        M = mpmath.matrix(X.tolist())
        return mpmath.eigsy(M.T * M, eigvals_only=True)[0]


def test_least_eigenvalue_bound_lies_below_the_exact_one_and_near_it():
    """The proved bound of the witness's margins: never above lambda_min (exact), near half of it when well posed."""
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
