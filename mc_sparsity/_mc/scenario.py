"""The scenario: what one simulation is about, validated once at the door and trusted inside.

The three doors (the command line, :func:`~mc_sparsity.simulate` and the
study parser) build a :class:`Scenario` with :func:`make_scenario`; the
kernels, the exact values, the integrals and the result rows take it as it
is and check nothing again.  Every design is a :class:`~mc_sparsity.Design`,
the orthonormal one included, and a scenario keeps the object it was given
(a study does not flatten it into Gram rows and rebuild it), so the same
scenario draws the same ``beta_hat`` from the same stream whichever door it
came through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._base.errors import ParameterError
from .._base.validation import check_scenario
from .._estimators.registry import FORMS, estimator_names, resolve_parameters
from .estimands import DEFAULT_ESTIMAND, estimand_names
from .tally import MAX_CELLS, cells

__all__ = ["Scenario", "make_scenario", "check_representable", "MAX_CORRELATED_P", "TINY_LEVEL"]

#: The largest p simulated under a correlated design: its certified solver costs O(p^3) per replication.
MAX_CORRELATED_P = 100
#: Levels and sigma below this are refused: ``sigma * z`` and ``t / ||beta_hat||`` lose precision in the
#: subnormal range (every probability depends on the ratios only: rescale instead).
TINY_LEVEL = 1e-290


@dataclass(frozen=True, eq=False)
class Scenario:
    """One validated scenario (immutable).

    Attributes
    ----------
    beta : numpy.ndarray of shape (p,)
        True coefficients (read-only).
    sigma : float
    form : {"penalized", "constrained"}
    level : float
        ``lam`` (penalized) or ``radius`` (constrained).
    design : Design
        Orthonormal or correlated; the object itself, never rebuilt.
    estimators : tuple of str
        Registry names, all run on the same draws.
    params : dict
        The estimators' parameters, defaults filled in.
    estimands : tuple of str
    """

    beta: np.ndarray
    sigma: float
    form: str
    level: float
    design: object
    estimators: tuple
    params: dict
    estimands: tuple = (DEFAULT_ESTIMAND,)

    @property
    def p(self) -> int:
        return int(self.beta.size)

    @property
    def k(self) -> int:
        """The number of nonzero coefficients, ``|supp(beta)|``."""
        return int(np.count_nonzero(self.beta))

    @property
    def lam(self):
        return self.level if self.form == "penalized" else None

    @property
    def radius(self):
        return self.level if self.form == "constrained" else None

    @property
    def correlated(self) -> bool:
        return not self.design.is_orthonormal

    @property
    def level_name(self) -> str:
        return FORMS[self.form]


def check_representable(beta, sigma, level):
    """Refuse a scenario the engine's float arithmetic cannot draw faithfully.

    Every probability depends on ``beta/sigma`` and ``level/sigma`` only, so a
    refused scenario can always be rescaled.  Refused: ratios that overflow,
    ``sigma`` or a positive level so small that their arithmetic is subnormal
    (below :data:`TINY_LEVEL`), and ``|beta| + 40 sigma`` beyond the largest
    float.
    """
    largest = max(float(np.max(np.abs(beta))), level or 0.0)
    with np.errstate(over="ignore"):
        ratio = largest / sigma
        reach = float(np.max(np.abs(beta))) + 40.0 * sigma
    if not math.isfinite(ratio) or sigma < TINY_LEVEL or not reach < 1e300:
        raise ParameterError("sigma", f"sigma = {sigma:g} with max(|beta|, level) = {largest:g} is beyond what "
                             "double precision can simulate; every probability depends on beta/sigma and "
                             "level/sigma only: rescale beta, sigma and the level together")


def _check_level(level, name, sigma):
    if level and (level < TINY_LEVEL or level / sigma < TINY_LEVEL):
        raise ParameterError(name, f"{name} = {level:g} (with sigma = {sigma:g}) is in the subnormal range, where "
                             "the solutions' arithmetic loses precision; every probability depends on "
                             f"{name}/sigma only: rescale {name} and sigma together")


def make_scenario(beta, sigma=1.0, *, lam=None, radius=None, estimator="all", design=None,
                  estimand=DEFAULT_ESTIMAND, params=None) -> Scenario:
    """Validate everything a scenario is and return it; a bad value raises naming its parameter.

    Parameters are those of :func:`~mc_sparsity.simulate`; ``params`` the
    estimators' parameters by registry name.

    Examples
    --------
    >>> s = make_scenario([1.0, 0.0, -2.0], lam=0.5, estimator="penalties", estimand=["support"])
    >>> s.p, s.k, s.form, s.design.is_orthonormal, s.estimators[:3]
    (3, 2, 'penalized', True, ('lasso', 'ridge', 'elastic_net'))
    >>> make_scenario("12", lam=0.5)
    Traceback (most recent call last):
    ...
    TypeError: beta must be a sequence of real numbers, got '12'
    """
    if isinstance(beta, (str, bytes)):
        raise TypeError(f"beta must be a sequence of real numbers, got {beta!r}")
    if estimator is None:
        raise ParameterError("estimator", "estimator must name at least one estimator, got None")
    beta, sigma, lam, radius = check_scenario(beta, sigma, lam, radius)
    form = "penalized" if lam is not None else "constrained"
    level = lam if lam is not None else radius
    check_representable(beta, sigma, level)
    _check_level(level, FORMS[form], sigma)
    design = _design(design, beta.size)
    names = estimator_names(estimator, form, correlated=not design.is_orthonormal)
    params = dict(params or {})
    if form == "constrained" and params:
        raise TypeError(f"the constrained form takes no estimator parameters, got {', '.join(sorted(params))}")
    params = resolve_parameters(names, params, form)
    if "subset_size" in params and params["subset_size"] > beta.size:
        raise ParameterError("subset_size", f"subset_size must be <= p = {beta.size}, got {params['subset_size']}")
    estimands = estimand_names(estimand)
    k = int(np.count_nonzero(beta))
    if cells(beta.size, k) > MAX_CELLS:
        raise ParameterError("beta", f"beta has p = {beta.size} with {k} nonzero: the tally of zeros inside and "
                             f"outside the support would have {cells(beta.size, k):,} cells (at most "
                             f"{MAX_CELLS:,})")
    beta = beta.copy()
    beta.flags.writeable = False
    return Scenario(beta, sigma, form, level, design, names, params, estimands)


def _design(design, p):
    """The scenario's Design: ``None`` is the orthonormal design of size ``p``."""
    from .._designs.design import Design, orthonormal

    if design is None:
        return orthonormal(p)
    if not isinstance(design, Design):
        raise TypeError(f"design must be a mc_sparsity Design (orthonormal, equicorrelated, ar1, from_gram, ...), "
                        f"got {design!r}")
    if design.p != p:
        raise ParameterError("design", f"design is {design.p} x {design.p} but beta has p = {p}")
    if not design.is_orthonormal and p > MAX_CORRELATED_P:
        raise ParameterError("design", f"a correlated design is simulated up to p = {MAX_CORRELATED_P} (its "
                             f"certified solver costs O(p^3) per replication), got p = {p}")
    return design

