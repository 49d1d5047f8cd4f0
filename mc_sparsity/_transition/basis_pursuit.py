"""Basis pursuit solved by HiGHS, and the certificates that decide a trial.

Basis pursuit, ``min ||b||_1 s.t. A b = y``, is the linear program
``min 1^T (u + v) s.t. [A, -A] [u; v] = y, u, v >= 0`` (``b = u - v``).  Its
dual is ``max y^T w s.t. ||A^T w||_inf <= 1``.

``x`` (support ``S``, signs ``sigma = sign(x_S)``) is the *unique* solution
if and only if ``A_S`` is injective and some ``w`` has ``A_S^T w = sigma`` and
``||A_Sc^T w||_inf < 1`` (a dual certificate; Fuchs 2004, Zhang, Yin and Cheng
2015).  A trial is decided as follows (:func:`decide`):

1. ``success``: a candidate ``w`` passes :func:`verify_certificate`.  With
   ``method="fast"`` (the default) the candidates are, before any LP: the
   least-norm ``w`` (``A_S (A_S^T A_S)^-1 sigma``, one QR) and Lawson's
   iteratively reweighted least squares for ``min ||A_Sc^T w||_inf``; a
   certificate proves ``x`` the LP's unique solution, so the LP is not
   needed.  Otherwise (and always with ``method="highs"``) basis pursuit is
   solved by HiGHS; if its solution equals ``x`` (relative error <= 1e-6) the
   candidates are the least-norm ``w``, the LP's dual, and the ``w``
   minimising ``||A_Sc^T w||_inf`` s.t. ``A_S^T w = sigma`` (a second LP: it
   finds a certificate whenever one exists).
2. ``failure``, proved one of two ways: Lawson's lower bound on
   ``min ||A_Sc^T w||_inf`` exceeds ``1 + 1e-6`` (no ``w`` satisfies even the
   non-strict optimality condition: ``x`` is not a minimiser;
   ``"lawson_bound"``), or the LP returns a point ``b != x`` (relative distance
   > 1e-6) with ``||A b - y|| <= 1e-9 ||y||`` and ``||b||_1 <= ||x||_1 (1 +
   1e-9)``: a feasible point no worse than ``x`` (``"lp_witness"``).  With
   ``s > m`` no LP is needed: ``A_S`` has a null vector ``h`` on ``S`` and
   ``||x + t h||_1`` is linear in ``t`` near 0, so ``x`` is not the unique
   minimiser (``"rank"``).
3. ``uncertified``: anything else (the LP's solution equals ``x`` but no
   certificate passes; the LP fails; its answer is neither): counted apart.

Rounding.  A candidate is first moved onto the affine set: ``w' = w0 +
(I - Q Q^T) w`` (``A_S = Q R``, ``w0`` the least-norm solution), so
``A_S^T w' = sigma`` up to rounding, with residual ``r``.  Moving ``w'`` by
the least-norm correction of ``r`` changes ``A_j^T w'`` by at most
``||A_j|| ||r||_2 / sigma_min(A_S)``; the certificate passes if
``||A_Sc^T w'||_inf <= 1 - MARGIN - max_j ||A_j|| ||r||_2 / sigma_min(A_S)``,
``MARGIN = 1e-9`` (rounding in the products is below 1e-12 at these sizes).
"""

from __future__ import annotations

import numpy as np

__all__ = ["MARGIN", "RELATIVE_TOLERANCE", "OUTCOMES", "CERTIFICATES", "FAILURE_PROOFS", "solve_basis_pursuit",
           "verify_certificate", "decide"]

#: Slack demanded of ``||A_Sc^T w||_inf < 1`` beyond the rounding bound.
MARGIN = 1e-9
#: ``||b - x||_2 <= RELATIVE_TOLERANCE ||x||_2`` counts as "the solution equals x".
RELATIVE_TOLERANCE = 1e-6
#: Feasibility and objective tolerance of a failure witness.
WITNESS_TOLERANCE = 1e-9
#: Smallest ``sigma_min(A_S) / sigma_max(A_S)`` accepted as injective.
INJECTIVE_TOLERANCE = 1e-10

OUTCOMES = ("success", "failure", "uncertified")
#: Which candidate certified a success.
CERTIFICATES = ("least_norm", "lawson", "lp_dual", "minimax")
#: ``min ||A_Sc^T w||_inf >= 1 + LOWER_BOUND_MARGIN`` proves that ``x`` is not a minimiser.
LOWER_BOUND_MARGIN = 1e-6
FAILURE_PROOFS = ("rank", "lawson_bound", "lp_witness")
#: Lawson iterations tried before an LP (each is one small weighted least-squares solve).
LAWSON_ITERATIONS = 40


def solve_basis_pursuit(A, y):
    """Solve ``min ||b||_1 s.t. A b = y`` with HiGHS (``scipy.optimize.linprog``).

    Returns
    -------
    (b, w) : (ndarray or None, ndarray or None)
        The solution and the LP's dual (``max y^T w s.t. ||A^T w||_inf <= 1``),
        or ``(None, None)`` if HiGHS does not report an optimum.

    Examples
    --------
    >>> A = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]])
    >>> b, w = solve_basis_pursuit(A, A @ np.array([0.0, 2.0, 0.0]))
    >>> np.round(b, 12).tolist()
    [0.0, 2.0, 0.0]
    """
    from scipy.optimize import linprog

    A = np.asarray(A, dtype=float)
    d = A.shape[1]
    result = linprog(np.ones(2 * d), A_eq=np.hstack([A, -A]), b_eq=y, bounds=(0, None), method="highs")
    if result.status != 0:
        return None, None
    return result.x[:d] - result.x[d:], np.asarray(result.eqlin.marginals, dtype=float)


class _Support:
    """``A_S``'s QR, least-norm certificate and rounding constants, computed once per trial."""

    def __init__(self, A, support, signs):
        self.A = A
        self.support = np.asarray(support)
        self.signs = np.asarray(signs, dtype=float)
        mask = np.ones(A.shape[1], dtype=bool)
        mask[self.support] = False
        self.off = np.flatnonzero(mask)
        A_S = A[:, self.support]
        self.A_S = A_S
        singular = np.linalg.svd(A_S, compute_uv=False) if A_S.shape[1] <= A.shape[0] else np.zeros(1)
        self.sigma_min = float(singular[-1])
        self.injective = bool(A_S.shape[1] <= A.shape[0] and singular[-1] > INJECTIVE_TOLERANCE * singular[0])
        if self.injective:
            self.Q, self.R = np.linalg.qr(A_S)
            self.w0 = self.Q @ np.linalg.solve(self.R.T, self.signs)
        self.max_column = float(np.sqrt((A[:, self.off] ** 2).sum(axis=0)).max()) if self.off.size else 0.0

    def slack(self, w) -> float:
        """``1 - ||A_Sc^T w'||_inf`` minus the rounding bound, for ``w`` moved onto ``A_S^T w = sigma``."""
        if not self.injective:
            return -np.inf
        w = np.asarray(w, dtype=float)
        w = self.w0 + (w - self.Q @ (self.Q.T @ w))
        residual = float(np.linalg.norm(self.A_S.T @ w - self.signs))
        if self.off.size == 0:
            return 1.0
        worst = float(np.abs(self.A[:, self.off].T @ w).max())
        return 1.0 - worst - self.max_column * residual / self.sigma_min

    def minimax(self):
        """The ``w`` minimising ``||A_Sc^T w||_inf`` s.t. ``A_S^T w = sigma`` (an LP in ``(w, t)``), or None."""
        from scipy.optimize import linprog

        m = self.A.shape[0]
        B = self.A[:, self.off].T
        ones = np.ones((B.shape[0], 1))
        A_ub = np.vstack([np.hstack([B, -ones]), np.hstack([-B, -ones])])
        A_eq = np.hstack([self.A_S.T, np.zeros((self.A_S.shape[1], 1))])
        cost = np.zeros(m + 1)
        cost[-1] = 1.0
        result = linprog(cost, A_ub=A_ub, b_ub=np.zeros(2 * B.shape[0]), A_eq=A_eq, b_eq=self.signs,
                         bounds=[(None, None)] * m + [(0, None)], method="highs")
        return result.x[:m] if result.status == 0 else None

    def lawson(self, iterations=LAWSON_ITERATIONS):
        """Search a certificate by Lawson's algorithm: ``(w, lower_bound)``.

        Lawson's iteratively reweighted least squares converges to the ``w``
        minimising ``t(w) = ||A_Sc^T w||_inf`` on ``w = w0 + N z`` (``N`` a
        basis of the null space of ``A_S^T``).  For weights ``omega >= 0``
        summing to 1, the weighted least-squares value is at most ``t*^2``
        (``sum omega r(z)^2 <= sum omega r(z*)^2 <= t*^2``), so each iteration
        also gives a lower bound of ``t* = min t(w)``.  It stops when an
        iterate is below ``1 - 1e-6`` (returned as ``w``, to be verified by
        :meth:`slack`) or the bound exceeds ``1 + 1e-6`` (then no certificate
        exists and ``x`` is not a minimiser: ``w`` is None).  No LP.
        """
        if not self.injective or self.off.size == 0:
            return None, 0.0
        full, _ = np.linalg.qr(self.A_S, mode="complete")
        null = full[:, self.A_S.shape[1]:]
        c = self.A[:, self.off].T @ self.w0
        if null.shape[1] == 0:
            bound = float(np.abs(c).max())
            return (self.w0 if bound <= 1.0 - 1e-6 else None), bound
        B = self.A[:, self.off].T @ null
        weights = np.full(c.size, 1.0 / c.size)
        bound = 0.0
        for _ in range(iterations):
            # The normal equations are fast; a bound that would prove a failure is recomputed
            # below with the backward-stable lstsq (an inexact z could only overstate it).
            gram = B.T @ (weights[:, None] * B)
            try:
                z = np.linalg.solve(gram, -(B.T @ (weights * c)))
            except np.linalg.LinAlgError:
                break
            signed = c + B @ z
            residual = np.abs(signed)
            if residual.max() <= 1.0 - 1e-6:
                return self.w0 + null @ z, bound
            value = float(weights @ (signed * signed))
            if value >= (1.0 + 1e-6) ** 2:
                root = np.sqrt(weights)
                z = np.linalg.lstsq(root[:, None] * B, -root * c, rcond=None)[0]
                signed = c + B @ z
                bound = max(bound, float(np.sqrt(weights @ (signed * signed))))
                if bound >= 1.0 + 1e-6:
                    return None, bound
            weights = weights * residual
            total = weights.sum()
            if not total > 0:
                break
            weights /= total
        return None, bound


def verify_certificate(A, support, signs, w) -> bool:
    """Whether ``w`` proves ``x`` (support ``support``, signs ``signs``) the unique basis-pursuit solution.

    ``A_S`` must be injective, and ``w`` moved onto ``A_S^T w = signs`` must
    have ``||A_Sc^T w||_inf <= 1 - MARGIN - (rounding bound)`` (module docstring).

    Examples
    --------
    >>> A = np.eye(3)
    >>> verify_certificate(A, [1], [1.0], [0.0, 1.0, 0.0])
    True
    >>> verify_certificate(A, [1], [1.0], [1.0, 1.0, 0.0])  # |A_0^T w| = 1: not strict
    False
    """
    A = np.asarray(A, dtype=float)
    return _Support(A, support, signs).slack(w) >= MARGIN


def decide(A, x, method="fast"):
    """Decide one basis-pursuit trial: ``(outcome, certificate)``.

    Parameters
    ----------
    A : ndarray, shape (m, d)
    x : ndarray, shape (d,)
        The sparse vector measured, ``y = A x``.
    method : {"fast", "highs"}
        ``"fast"`` tries the least-norm certificate before any LP (a
        certificate proves the LP's solution is ``x``); ``"highs"`` always
        solves the LP first and requires its solution to equal ``x``.

    Returns
    -------
    (str, str or None)
        The outcome (one of :data:`OUTCOMES`) and what proved it (one of
        :data:`CERTIFICATES` for a success, :data:`FAILURE_PROOFS` for a
        failure; None when uncertified).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> A = rng.standard_normal((40, 50)); x = np.zeros(50); x[:3] = [1.0, -2.0, 0.5]
    >>> decide(A, x)
    ('success', 'least_norm')
    >>> decide(A[:2], x)  # m < s: A_S is not injective
    ('failure', 'rank')
    """
    A = np.asarray(A, dtype=float)
    x = np.asarray(x, dtype=float)
    support = np.flatnonzero(x)
    cert = _Support(A, support, np.sign(x[support]))
    if method == "fast" and cert.injective:
        if cert.slack(cert.w0) >= MARGIN:
            return "success", "least_norm"
        w, bound = cert.lawson()
        if w is not None and cert.slack(w) >= MARGIN:
            return "success", "lawson"
        if bound >= 1.0 + LOWER_BOUND_MARGIN:
            return "failure", "lawson_bound"
    if support.size > A.shape[0]:
        # s > m: A_S has a null vector h on S, and ||x + t h||_1 is linear in t near 0.
        return "failure", "rank"
    y = A @ x
    b, dual = solve_basis_pursuit(A, y)
    if b is None:
        return "uncertified", None
    scale = float(np.linalg.norm(x))
    if np.linalg.norm(b - x) <= RELATIVE_TOLERANCE * scale:
        if not cert.injective:
            return "uncertified", None
        if method == "highs" and cert.slack(cert.w0) >= MARGIN:
            return "success", "least_norm"
        if cert.slack(dual) >= MARGIN:
            return "success", "lp_dual"
        w = cert.minimax()
        if w is not None and cert.slack(w) >= MARGIN:
            return "success", "minimax"
        return "uncertified", None
    feasible = np.linalg.norm(A @ b - y) <= WITNESS_TOLERANCE * max(float(np.linalg.norm(y)), 1e-300)
    no_worse = np.abs(b).sum() <= np.abs(x).sum() * (1.0 + WITNESS_TOLERANCE)
    return ("failure", "lp_witness") if feasible and no_worse else ("uncertified", None)
