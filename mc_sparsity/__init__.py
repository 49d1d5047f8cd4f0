"""mc_sparsity: why the lasso is sparse with positive probability and ridge never is.

With a design of Gram matrix ``G = X^T X`` (orthonormal by default),
``beta_hat ~ N(beta, sigma^2 G^{-1})``.  The package computes
``P(solution sparse)`` independent ways: exact values
(:func:`exact_sparse_probability`, :func:`exact_sparse_probability_correlated`,
:func:`constrained_sparse_probability`), numerical integration of the density
over the sparse region (:func:`integrate_sparse_region`,
:func:`integrate_sparse_region_correlated`), Monte Carlo (:func:`simulate`) and
importance sampling for the tails (``simulate(..., method="is")``).

Public names are imported lazily (PEP 562) so that ``mc-sparsity`` starts fast.
"""

import sys as _sys

if (_sys.argv[0].rpartition("/")[2] == "mc-sparsity"  # the console script
        or (_sys.argv[0] == "-m" and "mc_sparsity" in _sys.orig_argv
            and _sys.orig_argv[_sys.orig_argv.index("mc_sparsity") - 1] == "-m")):  # python -m mc_sparsity
    # Run as the command: Ctrl-C, SIGTERM and a hang-up are held from the package's first line until the
    # command's handlers are in place (cli.HELD_AT_START; _main releases them): a signal meanwhile ends
    # the command cleanly, not in a traceback from an import.  _signal: no enum to build first.
    import _signal

    if hasattr(_signal, "pthread_sigmask"):
        _signal.pthread_sigmask(_signal.SIG_BLOCK, {_signal.SIGINT, _signal.SIGTERM, _signal.SIGHUP})

from importlib import import_module  # noqa: E402

__version__ = "0.2.0"

_PUBLIC = {
    # estimators
    "soft_threshold": "._estimators.lasso_ridge",
    "ridge_shrink": "._estimators.lasso_ridge",
    "project_l1_ball": "._estimators.lasso_ridge",
    "project_l2_ball": "._estimators.lasso_ridge",
    # exact probabilities
    "ExactProbability": "._exact.orthonormal",
    "exact_sparse_probability": "._exact.orthonormal",
    # numerical integration
    "IntegralResult": "._exact.integrate",
    "integrate_sparse_region": "._exact.integrate",
    # Monte Carlo
    "simulate": "._mc.simulate",
    "SimulationResult": "._mc.simulate",
    "EstimatorResult": "._mc.simulate",
    "SimulationInterrupted": "._mc.engine",
    "BLOCK_SIZE": "._mc.engine",
    # beyond L1 and L2: thresholding rules and their exact laws
    "PENALTIES": "._estimators.penalties",
    "threshold": "._estimators.penalties",
    "elastic_net": "._estimators.rules",
    "hard_threshold": "._estimators.rules",
    "scad": "._estimators.rules",
    "mcp": "._estimators.rules",
    "bridge": "._estimators.rules",
    "adaptive_lasso": "._estimators.rules",
    "best_subset": "._estimators.rules",
    "zero_probability": "._estimators.laws",
    "estimate_cdf": "._estimators.laws",
    "estimate_sf": "._estimators.laws",
    "estimate_density": "._estimators.laws",
    "zeros_distribution": "._estimators.laws",
    # errors, the registry and the engine
    "ParameterError": "._base.errors",
    "ESTIMATORS": "._estimators.registry",
    "run_kernel": "._mc.engine",
    "Kernel": "._mc.engine",
    "proportion_interval": "._stats.inference",
    # correlated designs
    "Design": "._designs.design",
    "design_for": "._designs.design",
    "orthonormal": "._designs.design",
    "equicorrelated": "._designs.design",
    "ar1": "._designs.design",
    "from_gram": "._designs.design",
    "from_matrix": "._designs.design",
    "load_gram": "._designs.load",
    "exact_sparse_probability_correlated": "._exact.correlated",
    "integrate_sparse_region_correlated": "._exact.integrate_correlated",
    # support recovery: are they the right zeros?
    "support_probability": "._exact.support",
    "support_mean": "._exact.support",
    "integrate_support_region": "._exact.integrate_support",
    "zhao_yu_example": "._exact.zhao_yu",
    # rare events and the constrained form beyond p = 2
    "constrained_sparse_probability": "._exact.constrained",
    "importance_sample": "._mc.importance",
    # solvers and their zeros
    "run_solvers": "._solvers.study",
    "subgradient_toy": "._solvers.iterative",
    "sklearn_tolerance_study": "._solvers.study",
    # random designs, p > n: support recovery (Wainwright 2009)
    "simulate_recovery": "._recovery.simulate",
    "RecoveryResult": "._recovery.simulate",
    # the explorer page
    "write_explorer": "._report.explorer",
    "explorer_fragment": "._report.explorer",
    # L1 against L2 from random measurements (issue 19)
    "statistical_dimension": "._transition.statistical_dimension",
    "weak_threshold": "._transition.statistical_dimension",
    "simulate_transition": "._transition.simulate",
    "TransitionResult": "._transition.simulate",
    # studies and the report
    "load_study": "._pipeline.study",
    "run_study": "._pipeline.study",
    "StudyError": "._pipeline.study",
    "build_report": "._report.report",
}

__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(import_module(_PUBLIC[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mc_sparsity' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
