"""The estimator registry: what each estimator is, written once.

One :class:`Estimator` record per estimator says which forms and designs it
supports, its parameters (default, constraint, command-line option, study
key), how the Monte Carlo engine evaluates it, where its exact law and its
integral come from, and how plots draw it.  The command line's options, the
study file's keys, the report's convention table and the plot legends are all
generated from these records; adding an estimator is one record here plus its
mathematics.

This module imports nothing heavy: the command line reads it at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .._base.errors import ParameterError
from .._base.validation import Interval, check_count, check_scalar

__all__ = [
    "Parameter",
    "Estimator",
    "ESTIMATORS",
    "GROUPS",
    "PARAMETERS",
    "FORMS",
    "SOLVERS",
    "STARTS",
    "default",
    "estimator_names",
    "resolve_parameters",
]

#: The two forms of every problem and the name of their level.
FORMS = {"penalized": "lam", "constrained": "radius"}


@dataclass(frozen=True)
class Parameter:
    """A tuning parameter of one estimator beyond the common level.

    ``name`` is the Python keyword and the study file's key; ``option`` the
    command-line option.
    """

    name: str
    default: float
    interval: Interval
    option: str
    help: str
    integer: bool = False
    #: The keyword the estimator's rule takes it as (``_estimators.penalties``), when not ``name``.
    keyword: str | None = None

    def check(self, value):
        """Return ``value`` validated, or raise :class:`ParameterError` naming the parameter."""
        if self.integer:
            value = check_count(value, self.name, minimum=int(self.interval.low))
            if value not in self.interval:
                raise ParameterError(self.name, f"{self.name} must be {self.interval}, got {value}")
            return value
        return check_scalar(value, self.name, self.interval)


@dataclass(frozen=True)
class Estimator:
    """One estimator: its problem, how it is computed, and where its references come from.

    Attributes
    ----------
    name : str
        The key used everywhere (API, command line, study files, tables).
    label, colour, linestyle : str
        How plots draw it.
    problem : str
        The penalty or constraint, for the convention tables.
    forms : tuple of str
        Forms it supports (``"penalized"``, ``"constrained"``).
    parameters : tuple of Parameter
    evaluation : str
        How the orthonormal kernel evaluates it: ``"threshold"`` (coordinate
        zero iff ``|beta_hat_j| <= tau``, a separable rule), ``"shrink"``
        (ridge: the solution is computed and its exact zeros counted) or
        ``"subset"`` (best subset).
    exact, integral : str
        Where the exact law and the integral over the sparse region come from.
    threshold : callable or None
        ``threshold(lam, params) -> tau``: a separable rule's zero threshold
        under an orthonormal design (coordinate zero iff ``|beta_hat_j| <= tau``);
        its exact law and integral are the lasso's at ``tau``.
    gram_levels : callable or None
        ``gram_levels(lam, params) -> (lam1, lam2)``: the estimator as the
        certified Gram solver's ``argmin 1/2 b^T (G + lam2 I) b - z^T b + lam1 ||b||_1``
        under a correlated design (as scikit-learn's ``Lasso`` is an
        ``ElasticNet``); ``None`` where it has no exact solver there.
    level, rule_keywords : callable
        ``level(lam, params) -> lam'``: the level its rule in ``_estimators.penalties``
        takes at the common level ``lam`` (the elastic net's ``lam1``);
        ``rule_keywords(lam, params) -> dict`` its other keywords, where they are
        not simply its parameters (the elastic net's ``lam2``).
    weight_exponent : callable or None
        ``weight_exponent(params) -> gamma``: the L1 level of coordinate ``j`` is
        ``lam1 / |beta_hat_j|^gamma`` (the adaptive lasso); the correlated solver
        rescales each draw, and no exact law is known there (Monte Carlo only).
    """

    name: str
    label: str
    colour: str
    linestyle: str
    problem: str
    forms: tuple
    parameters: tuple
    evaluation: str
    exact: str
    integral: str
    threshold: Callable | None = None
    gram_levels: Callable | None = None
    level: Callable = staticmethod(lambda lam, params: lam)
    rule_keywords: Callable | None = None
    weight_exponent: Callable | None = None

    @property
    def correlated(self) -> bool:
        """Whether it has an exact, certified solver under a correlated design."""
        return self.gram_levels is not None

    def rule_arguments(self, lam, params) -> tuple:
        """``(level, keywords)`` of its rule in ``_estimators.penalties`` at the common level ``lam``."""
        if self.rule_keywords is not None:
            return self.level(lam, params), self.rule_keywords(lam, params)
        return self.level(lam, params), {q.keyword or q.name: params[q.name] for q in self.parameters
                                         if q.name in params}


_POSITIVE = Interval(0, None, closed="neither")


def _tau_bridge(lam, params):
    from .rules import bridge_jump  # kept out of the command line's start-up

    return bridge_jump(lam, params["q"])[0]


ESTIMATORS = {e.name: e for e in (
    Estimator("lasso", "lasso (L1)", "#c0392b", "-",
              "lam ||b||_1 (penalized); ||b||_1 <= t (constrained)",
              ("penalized", "constrained"), (), "threshold",
              "closed form (orthonormal); Gaussian orthant sum (correlated)",
              "density over the strips / wedges (p = 2)",
              threshold=lambda lam, params: lam, gram_levels=lambda lam, params: (lam, 0.0)),
    Estimator("ridge", "ridge (L2)", "#2471a3", "-",
              "lam/2 ||b||_2^2 (penalized); ||b||_2 <= t (constrained)",
              ("penalized", "constrained"), (), "shrink",
              "0: zero only on the axes, a null set", "not computed: the region is a null set",
              threshold=lambda lam, params: 0.0, gram_levels=lambda lam, params: (0.0, lam)),
    Estimator("elastic_net", "elastic net", "#8e44ad", "--",
              "lam1 ||b||_1 + lam2/2 ||b||_2^2, lam1 = lam l1_ratio, lam2 = lam (1 - l1_ratio)",
              ("penalized",),
              (Parameter("l1_ratio", 0.5, Interval(0, 1, closed="both"), "--l1-ratio",
                         "elastic net: lam1 = lam*R, lam2 = lam*(1-R), as scikit-learn's ElasticNet"),),
              "threshold", "the lasso's at lam1 (orthonormal); orthant sum with G + lam2 I (correlated)",
              "the lasso's region at lam1 (p = 2)",
              threshold=lambda lam, params: lam * params["l1_ratio"],
              gram_levels=lambda lam, params: (lam * params["l1_ratio"], lam * (1 - params["l1_ratio"])),
              level=lambda lam, params: lam * params["l1_ratio"],
              rule_keywords=lambda lam, params: {"lam2": lam * (1 - params["l1_ratio"])}),
    Estimator("adaptive_lasso", "adaptive lasso", "#d35400", "-.",
              "lam sum_j |b_j| / |beta_hat_j|^gamma (Zou 2006): zero iff |beta_hat_j| <= lam^(1/(1+gamma))",
              ("penalized",),
              (Parameter("adaptive_gamma", 1.0, _POSITIVE, "--adaptive-gamma",
                         "adaptive lasso: OLS weights 1/|beta_hat_j|^gamma, gamma > 0"),),
              "threshold", "the lasso's at lam^(1/(1+gamma)) (orthonormal); none (correlated: Monte Carlo only)",
              "the lasso's region at lam^(1/(1+gamma)) (p = 2, orthonormal)",
              threshold=lambda lam, params: lam ** (1.0 / (1.0 + params["adaptive_gamma"])),
              gram_levels=lambda lam, params: (lam, 0.0),
              weight_exponent=lambda params: params["adaptive_gamma"]),
    Estimator("hard", "hard / L0", "#222222", "-",
              "lam 1(b_j != 0): zero iff |beta_hat_j| <= sqrt(2 lam)",
              ("penalized",), (), "threshold", "the lasso's at sqrt(2 lam)",
              "the lasso's region at sqrt(2 lam) (p = 2)",
              threshold=lambda lam, params: (2.0 * lam) ** 0.5),
    Estimator("scad", "SCAD", "#27ae60", ":",
              "SCAD (Fan and Li 2001): zero iff |beta_hat_j| <= lam",
              ("penalized",),
              (Parameter("a", 3.7, Interval(2, None, closed="neither"), "--scad-a", "SCAD's a > 2"),),
              "threshold", "the lasso's at lam", "the lasso's region (p = 2)",
              threshold=lambda lam, params: lam),
    Estimator("mcp", "MCP", "#e67e22", "-.",
              "MCP (Zhang 2010): zero iff |beta_hat_j| <= lam",
              ("penalized",),
              (Parameter("gamma", 3.0, Interval(1, None, closed="neither"), "--mcp-gamma", "MCP's gamma > 1"),),
              "threshold", "the lasso's at lam", "the lasso's region (p = 2)",
              threshold=lambda lam, params: lam),
    Estimator("bridge", "bridge L_q", "#16a085", "--",
              "lam |b_j|^q, 0 < q < 1, global minimiser: zero iff |beta_hat_j| <= tau_q",
              ("penalized",),
              (Parameter("q", 0.5, Interval(0, 1, closed="neither"), "--q", "bridge exponent, 0 < q < 1"),),
              "threshold", "the lasso's at tau_q", "the lasso's region at tau_q (p = 2)",
              threshold=_tau_bridge),
    Estimator("best_subset", "best subset", "#34495e", "-",
              "keep the M largest |beta_hat_j| (not separable)",
              ("penalized",),
              (Parameter("subset_size", 1, Interval(0, None, closed="left"), "--subset-size",
                         "best subset: coordinates kept", integer=True),),
              "subset", "K = p - M with probability 1", "none"),
)}

#: The iterative solvers of the solver study (``_solvers``) and their starting points.
SOLVERS = ("ista", "fista", "cd", "subgradient", "subgradient_diminishing")
STARTS = ("zero", "least_squares")

#: Names that stand for several estimators.  "all" is the study's subject, lasso against ridge.
GROUPS = {
    "all": ("lasso", "ridge"),
    "penalties": tuple(name for name, e in ESTIMATORS.items() if "penalized" in e.forms),
}

def _parameters_by_name(records) -> dict:
    """Every estimator parameter by name: (the estimator it belongs to, the Parameter).

    A parameter is a keyword of ``simulate`` and a study key, so two estimators
    may not both declare one name: that is an error here, at import, not a
    silent overwrite.
    """
    out = {}
    for record in records:
        for parameter in record.parameters:
            if parameter.name in out:
                raise RuntimeError(f"estimator parameter {parameter.name!r} of {record.name!r} is already "
                                   f"{out[parameter.name][0]!r}'s: give it a name of its own")
            out[parameter.name] = (record.name, parameter)
    return out


#: Every estimator parameter by name: (the estimator it belongs to, the Parameter).
PARAMETERS = _parameters_by_name(ESTIMATORS.values())


def default(name: str):
    """The registered default of the estimator parameter ``name``.

    Examples
    --------
    >>> default("a"), default("gamma"), default("subset_size")
    (3.7, 3.0, 1)
    """
    return PARAMETERS[name][1].default


def estimator_names(estimator, form: str = "penalized", *, correlated: bool = False) -> tuple:
    """``estimator`` (a name, a group, or a sequence of them) as a tuple of distinct names.

    Raises :class:`ParameterError` (parameter ``estimator``) for an unknown
    name or one the form or design does not support.

    Examples
    --------
    >>> estimator_names("all")
    ('lasso', 'ridge')
    >>> estimator_names(["lasso", "penalties"])[:3]
    ('lasso', 'ridge', 'elastic_net')
    """
    items = (estimator,) if isinstance(estimator, str) else tuple(estimator)
    names = []
    for item in items:
        if not isinstance(item, str) or (item not in ESTIMATORS and item not in GROUPS):
            known = ", ".join(map(repr, (*ESTIMATORS, *GROUPS)))
            raise ParameterError("estimator", f"estimator must be one of {known}, got {item!r}")
        members = GROUPS.get(item, (item,))
        if item == "penalties" and correlated:
            members = tuple(n for n in members if ESTIMATORS[n].correlated)
        for name in members:
            record = ESTIMATORS[name]
            if form not in record.forms:
                supported = ", ".join(n for n, e in ESTIMATORS.items() if form in e.forms)
                raise ParameterError("estimator", f"estimator {name!r} has no {form} form (the {form} form "
                                     f"has {supported})")
            if correlated and not record.correlated:
                supported = ", ".join(n for n, e in ESTIMATORS.items() if e.correlated)
                raise ParameterError("estimator", f"estimator {name!r} has no exact solver under a correlated "
                                     f"design (there: {supported})")
        names.extend(members)
    if not names:
        raise ParameterError("estimator", "estimator must name at least one estimator")
    return tuple(dict.fromkeys(names))


def resolve_parameters(names, params: dict, form: str = "penalized") -> dict:
    """The parameters of the estimators ``names``: validated, defaults filled in.

    Keys that name no estimator parameter raise ``TypeError``; a parameter of
    an estimator that was not requested is validated and then ignored.

    Examples
    --------
    >>> resolve_parameters(("lasso", "scad"), {})
    {'a': 3.7}
    >>> resolve_parameters(("scad",), {"a": 1.5})
    Traceback (most recent call last):
    ...
    mc_sparsity._base.errors.ParameterError: a must be in the range (2, inf), got 1.5
    """
    unknown = sorted(set(params) - set(PARAMETERS))
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r} (estimator parameters: "
                        f"{', '.join(PARAMETERS)})")
    checked = {key: PARAMETERS[key][1].check(value) for key, value in params.items()}
    out = {}
    for name in names:
        for parameter in ESTIMATORS[name].parameters:
            out[parameter.name] = checked.get(parameter.name, parameter.default)
    return out
