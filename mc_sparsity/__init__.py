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

from importlib import import_module

__version__ = "0.2.0"

_PUBLIC = {
    # estimators
    "soft_threshold": "._estimators",
    "ridge_shrink": "._estimators",
    "project_l1_ball": "._estimators",
    "project_l2_ball": "._estimators",
    # exact probabilities
    "ExactProbability": "._exact",
    "exact_sparse_probability": "._exact",
    # numerical integration
    "IntegralResult": "._integrate",
    "integrate_sparse_region": "._integrate",
    # Monte Carlo
    "simulate": "._simulate",
    "SimulationResult": "._simulate",
    "EstimatorResult": "._simulate",
    "SimulationInterrupted": "._engine",
    "BLOCK_SIZE": "._engine",
    # beyond L1 and L2: thresholding rules and their exact laws
    "PENALTIES": "._penalties",
    "threshold": "._penalties",
    "elastic_net": "._penalties",
    "hard_threshold": "._penalties",
    "scad": "._penalties",
    "mcp": "._penalties",
    "bridge": "._penalties",
    "best_subset": "._penalties",
    "zero_probability": "._penalties",
    "estimate_cdf": "._penalties",
    "estimate_sf": "._penalties",
    "estimate_density": "._penalties",
    "zeros_distribution": "._penalties",
    # errors, the registry and the engine
    "ParameterError": "._errors",
    "ESTIMATORS": "._registry",
    "run_kernel": "._engine",
    "Kernel": "._engine",
    "proportion_interval": "._inference",
    # correlated designs
    "Design": "._designs",
    "design_for": "._designs",
    "orthonormal": "._designs",
    "equicorrelated": "._designs",
    "ar1": "._designs",
    "from_gram": "._designs",
    "from_matrix": "._designs",
    "load_gram": "._designs",
    "exact_sparse_probability_correlated": "._exact_correlated",
    "integrate_sparse_region_correlated": "._integrate_correlated",
    # rare events and the constrained form beyond p = 2
    "constrained_sparse_probability": "._constrained_exact",
    "importance_sample": "._importance",
    # solvers and their zeros
    "run_solvers": "._solvers",
    "subgradient_toy": "._solvers",
    "sklearn_tolerance_study": "._solvers",
    # the explorer page
    "write_explorer": "._explorer",
    "explorer_fragment": "._explorer",
    # studies and the report
    "load_study": "._study",
    "run_study": "._study",
    "StudyError": "._study",
    "build_report": "._report",
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
