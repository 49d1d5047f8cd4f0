"""The solver study: the iterative solvers on the engine's streams, and scikit-learn's tolerance.

:func:`run_solvers` runs every solver of :mod:`~mc_sparsity._solvers.iterative` on the same draws and
compares their zeros with the exact, certified solution; :func:`sklearn_tolerance_study` fits scikit-learn's
``Lasso`` at several tolerances on data drawn from streams of their own.
"""

from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import check_beta
from .._stats.inference import proportion_interval
from .iterative import (SOLVERS, _real, design_with_gram, exact_lasso_solution, solver_counts_to_records,
                        solver_kernel, solver_summary)

__all__ = ["DEFAULT_SOLVERS", "run_solvers", "sklearn_tolerance_study"]

# --------------------------------------------------------------------------- #
# scikit-learn's tolerance
# --------------------------------------------------------------------------- #

def sklearn_tolerance_study(beta, sigma, X, lam, tols, reps, rng, *, confidence_level=0.95):
    """Zero patterns of scikit-learn's ``Lasso`` at several ``tol`` against the exact ones.

    For each replication, ``y = X beta + e`` with ``e ~ N(0, sigma^2 I_n)``
    (drawn from ``rng``, one ``standard_normal(n)`` per replication) is fitted
    with ``Lasso(alpha=lam/n, fit_intercept=False, tol=tol)`` for every
    ``tol`` (scikit-learn's ``1/(2n)||y - Xw||^2 + alpha ||w||_1`` is ``1/n``
    times ``1/2 ||y - Xw||^2 + lam ||w||_1``: the same minimiser), and its
    zero pattern is compared with the exact one of
    ``z = X^T y``, ``G = X^T X`` (:func:`exact_lasso_solution`).

    Parameters
    ----------
    beta : array_like of shape (p,)
    sigma : float
    X : array_like of shape (n, p)
        The design ``X`` (full column rank); e.g. :func:`design_with_gram`.
    lam : float
    tols : sequence of float
        scikit-learn tolerances, > 0.
    reps : int
    rng : numpy.random.Generator or int
    confidence_level : float, default 0.95
        Of the Clopper-Pearson intervals.

    Returns
    -------
    list of dict
        One per ``tol``: ``"tol", "reps", "uncertified"``, ``"mismatch"``,
        ``"spurious"``, ``"missed"`` (replications with any), each rate with a
        ``"*_ci"`` Clopper-Pearson interval; ``"exact_sparse"`` and
        ``"fit_sparse"`` (counts, same replications), ``"sparse_bias"``
        (``(fit_sparse - exact_sparse)/reps``, the bias of P(sparse) estimated
        from the fits) with ``"sparse_bias_se"`` (paired standard error) and
        ``"convergence_warnings"``.

    Raises
    ------
    ImportError
        If scikit-learn is not installed.

    Examples
    --------
    >>> X = design_with_gram([[1.0, 0.6], [0.6, 1.0]], 50, 0)
    >>> out = sklearn_tolerance_study([1.0, 0.3], 1.0, X, 0.5, [1e-10], 20, 1)
    >>> out[0]["reps"], out[0]["mismatch"]
    (20, 0)
    """
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import Lasso
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("sklearn_tolerance_study needs scikit-learn: pip install 'mc_sparsity[solvers]'") from exc
    beta = check_beta(beta, "beta")
    sigma = _real(sigma, "sigma", low=0.0, low_open=True)
    try:
        X = np.array(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("X must be an (n, p) array of real numbers") from None
    if X.ndim != 2 or X.shape[1] != beta.size or not np.all(np.isfinite(X)):
        raise ParameterError("X", f"X must be a finite (n, {beta.size}) array, got shape {X.shape}")
    n, p = X.shape
    if np.linalg.matrix_rank(X) < p:
        raise ParameterError("X", "X must have full column rank")
    lam = _real(lam, "lam", low=0.0, low_open=True)
    tols = check_beta(tols, "tols")
    if np.any(tols <= 0):
        raise ParameterError("tols", f"tols must be > 0, got {tols.tolist()}")
    if isinstance(reps, bool) or not isinstance(reps, numbers.Integral):
        raise TypeError(f"reps must be an integer, got {reps!r}")
    if reps < 1:
        raise ParameterError("reps", f"reps must be >= 1, got {reps}")
    rng = np.random.default_rng(rng)
    G = X.T @ X
    G = 0.5 * (G + G.T)
    mean = X @ beta
    stats_ = [dict(mismatch=0, spurious=0, missed=0, fit_sparse=0, warnings=0) for _ in tols]
    exact_sparse = 0
    uncertified = 0
    paired = [[0, 0] for _ in tols]  # (fit sparse & exact not, exact sparse & fit not)
    for _ in range(int(reps)):
        y = mean + sigma * rng.standard_normal(n)
        _, zero, ok = exact_lasso_solution(X.T @ y, G, lam)
        uncertified += not ok
        exact_sparse += bool(zero.any())
        for t, tol in enumerate(tols):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", ConvergenceWarning)
                w = Lasso(alpha=lam / n, fit_intercept=False, tol=float(tol)).fit(X, y).coef_
            st = stats_[t]
            st["warnings"] += sum(issubclass(c.category, ConvergenceWarning) for c in caught)
            fz = w == 0.0
            st["mismatch"] += bool(np.any(fz != zero))
            st["spurious"] += bool(np.any(fz & ~zero))
            st["missed"] += bool(np.any(~fz & zero))
            st["fit_sparse"] += bool(fz.any())
            paired[t][0] += bool(fz.any() and not zero.any())
            paired[t][1] += bool(zero.any() and not fz.any())
    out = []
    for t, tol in enumerate(tols):
        st = stats_[t]
        a, b = paired[t]
        d = (a - b) / reps
        # Paired difference of two indicators: var = (a + b)/N - d^2, per replication.
        se = math.sqrt(max((a + b) / reps - d * d, 0.0) / reps)
        rec = {"tol": float(tol), "reps": int(reps), "uncertified": uncertified}
        for key in ("mismatch", "spurious", "missed"):
            rec[key] = st[key]
            rec[key + "_ci"] = list(proportion_interval(st[key], reps, confidence_level, "exact"))
        rec.update(exact_sparse=exact_sparse, fit_sparse=st["fit_sparse"], sparse_bias=d, sparse_bias_se=se,
                   convergence_warnings=st["warnings"])
        out.append(rec)
    return out


#: Solvers run by :func:`run_solvers` and the report when none are named.
DEFAULT_SOLVERS = ("ista", "fista", "cd", "subgradient")


def run_solvers(beta, sigma, lam, *, design=None, solvers=DEFAULT_SOLVERS, iterations=(1, 2, 5, 10, 100, 1000),
                step=None, start="zero", tols=(1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12), reps=100_000, rng=0,
                n_jobs=None, sklearn_reps=2_000, sklearn_n=50, skip_sklearn_if_missing=False):
    """Run the solvers on the engine (per-block streams) and scikit-learn at ``tols``.

    Parameters
    ----------
    beta : array_like of shape (p,)
    sigma, lam : float
    design : Design, optional
        Orthonormal when ``None``.
    solvers : sequence of str
        Names from :data:`SOLVERS`, and ``"sklearn"``.
    iterations : sequence of int
        Checkpoints at which the iterates are examined.
    step : float, optional
        Step size; ``1/L`` by default.
    start : {"zero", "least_squares"}
    tols : sequence of float
        scikit-learn tolerances (with ``"sklearn"`` in ``solvers``).
    reps : int
        Replications of every compiled solver (same draws for each).
    rng : int or SeedSequence
        Seed of the run.
    n_jobs : int, optional
        joblib workers.
    sklearn_reps, sklearn_n : int
        Replications and rows of the design for the scikit-learn fits (slow).
    skip_sklearn_if_missing : bool, default False
        Without scikit-learn (an optional extra), leave its part out instead
        of raising ``ImportError``.

    Returns
    -------
    dict
        ``{"beta", "sigma", "lam", "design", "reps", "seed", "exact", "exact_sparse", "results"}`` with
        one record per solver and iteration (and per tolerance for scikit-learn).

    Examples
    --------
    >>> out = run_solvers([1.0, 0.3], 1.0, 0.5, solvers=["ista"], iterations=[1], reps=1000)
    >>> row = out["results"][0]
    >>> row["solver"], row["iteration"], row["zero_any"] == out["exact_sparse"]  # G = I: exact in one step
    ('ista', 1, True)
    """
    from .._designs.design import orthonormal
    from .._mc.engine import run_kernel
    from .._mc.simulate import references
    from .._base.validation import check_count, check_rng

    beta = check_beta(beta, "beta")
    design = orthonormal(beta.size) if design is None else design
    reps = check_count(reps, "reps")
    names = list(dict.fromkeys(solvers))
    unknown = [s for s in names if s not in (*SOLVERS, "sklearn")]
    if unknown:
        raise ParameterError("solver", f"solver must be among {', '.join((*SOLVERS, 'sklearn'))}, got {unknown[0]!r}")
    root = check_rng(rng)
    exact, _ = references("lasso", beta, float(sigma), lam=float(lam),
                          design=None if design.is_orthonormal else design, integrate=False,
                          threshold=float(lam))
    records, exact_sparse = [], None
    for name in names:
        if name == "sklearn":
            continue
        kernel = solver_kernel(beta, sigma, design.gram, design.covariance_cholesky, lam, name, iterations,
                               start=start, step=step)
        tally = run_kernel(kernel, reps, root, n_jobs=n_jobs)
        summary = solver_summary(kernel, tally.counts)
        exact_sparse = summary["exact_sparse"]
        for record in solver_counts_to_records(kernel, tally.counts, tally.sums):
            record["near_zero"] = {repr(float(k)): v for k, v in record["near_zero"].items()}
            records.append(record)
    if "sklearn" in names and skip_sklearn_if_missing:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            names.remove("sklearn")
    if "sklearn" in names:
        # The named streams "sklearn", 0 (design) and 1 (data), apart from every block's, without spawning
        # from root (which would change the caller's SeedSequence).
        from .._mc.streams import named_stream

        def stream(k):
            return np.random.default_rng(named_stream(root, "sklearn", k))

        X = design_with_gram(design.gram, sklearn_n, stream(0))
        for row in sklearn_tolerance_study(beta, sigma, X, lam, tols, min(reps, sklearn_reps), stream(1)):
            records.append({"solver": "sklearn", "tol": row["tol"], "reps": row["reps"],
                            "zero_any": row["fit_sparse"], "pattern_match": row["reps"] - row["mismatch"],
                            "spurious_zeros": row["spurious"], "missed_zeros": row["missed"],
                            "spurious_ci": row["spurious_ci"], "missed_ci": row["missed_ci"],
                            "exact_sparse": row["exact_sparse"], "sparse_bias": row["sparse_bias"],
                            "sparse_bias_se": row["sparse_bias_se"], "uncertified": row["uncertified"]})
    return {"beta": beta.tolist(), "sigma": float(sigma), "lam": float(lam), "design": design.to_dict(),
            "reps": reps, "seed": rng if isinstance(rng, numbers.Integral) else None,
            "exact": None if exact is None else exact.probability, "exact_sparse": exact_sparse,
            "results": records}
