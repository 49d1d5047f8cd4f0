"""mc_sparsity: why the lasso is sparse with positive probability and ridge never is.

Under an orthonormal design ``beta_hat ~ N(beta, sigma^2 I)``.  The package
computes ``P(solution sparse)`` three independent ways: closed form
(:func:`exact_sparse_probability`), numerical integration of the density over
the sparse region (:func:`integrate_sparse_region`) and Monte Carlo
(:func:`simulate`).

Public names are imported lazily (PEP 562) so that ``mc-sparsity`` starts fast.
"""

from importlib import import_module

__version__ = "0.1.0"

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
    "proportion_interval": "._simulate",
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
