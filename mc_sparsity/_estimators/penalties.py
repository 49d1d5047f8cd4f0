"""Penalized thresholding rules beyond the lasso, and their exact distributions.

Under an orthonormal design the penalized problem
``argmin_b 1/2 ||y - X b||^2 + sum_j pen(b_j)`` separates: with
``z = beta_hat_j ~ N(beta_j, sigma^2)`` each coordinate is

    ``theta_hat = argmin_theta 1/2 (z - theta)^2 + pen(theta)``,

a *thresholding rule* ``theta_hat = g(z)``.  Every separable rule here is odd,
nondecreasing and has a threshold ``tau``: ``g(z) = 0`` iff ``|z| <= tau``
(:func:`threshold`).  This holds exactly in floating point too, ties included
(see *Conventions*), so a compiled Monte Carlo kernel may count zeros by
comparing ``|z|`` with ``tau`` alone.

============  ===============================================  ===============
name          pen(theta)                                       tau
============  ===============================================  ===============
lasso         ``lam |theta|``                                  ``lam``
ridge         ``lam/2 theta^2``                                ``0``
elastic_net   ``lam1 |theta| + lam2/2 theta^2``                ``lam1``
hard          ``lam 1(theta != 0)``                            ``sqrt(2 lam)``
scad          Fan and Li (2001), ``a > 2``                     ``lam``
mcp           Zhang (2010), ``gamma > 1``                      ``lam``
bridge        ``lam |theta|^q``, ``0 < q < 1``                 ``tau_q``
best_subset   keep the ``size`` largest ``|z_j|`` (not separable)  --
============  ===============================================  ===============

Exact law of the estimate (Poetscher and Leeb 2009, J. Multivariate Anal.
100:2065-2082, for lasso, hard thresholding and SCAD; the same argument covers
all the rules here).  Because ``g`` is odd and nondecreasing, with the
generalised inverse ``g_inv(x) = sup{z : g(z) <= x}`` for ``x >= 0``,

* ``P(theta_hat <= x) = Phi((g_inv(x) - beta)/sigma)`` for ``x >= 0`` and
  ``Phi((-g_inv(-x) - beta)/sigma)`` for ``x < 0``;
* an atom at 0 of mass ``Phi((tau - beta)/sigma) - Phi((-tau - beta)/sigma)``
  (``g_inv(0) = tau``: the CDF jumps by it at 0);
* an absolutely continuous part with density
  ``phi((g_inv(x) - beta)/sigma)/sigma * g_inv'(x)`` for ``x > 0`` (mirror image
  for ``x < 0``), zero on the gap ``0 < |x| < jump`` where ``g`` jumps (hard
  thresholding, bridge).

The number of zero coordinates is ``K ~ PoissonBinomial(q_1, ..., q_p)`` with
``q_j = P(|z_j| <= tau)``.

Conventions
-----------
* Parameters are passed to the generic functions (:func:`threshold`,
  :func:`zero_probability`, :func:`estimate_cdf`, ...) as ``lam`` (the level of
  the penalty: ``lam1`` for the elastic net) plus keywords with the names of
  the estimator's other parameters (``lam2``, ``rescaled``, ``a``, ``gamma``,
  ``q``).  Missing or unknown names raise ``TypeError``, bad values a
  ``ValueError`` naming the parameter.
* Ties: at ``|z| = tau`` hard thresholding and bridge have two global
  minimisers, 0 and a nonzero value; we return 0.  Where the exact nonzero
  value underflows (subnormal ``z``), the result is rounded away from zero to
  the nearest subnormal, so that ``g(z) == 0`` iff ``|z| <= tau`` holds exactly.
* Zeros are returned as ``+0.0``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .registry import ESTIMATORS, default
from .rules import (_check, adaptive_lasso, bridge, bridge_jump, elastic_net, hard_threshold,  # noqa: F401
                    lasso, mcp, ridge, scad)
from .._base.validation import check_option

__all__ = ["Penalty", "PENALTIES", "threshold", "rule_arguments", "zero_threshold"]


# ------------------------------------------------------ generalised inverses g_inv
def _inv_lasso(x, lam):
    return x + lam


def _inv_ridge(x, lam):
    return x * (1.0 + lam)


def _inv_elastic_net(x, lam1, lam2, rescaled=False):
    return lam1 + (x if rescaled else x * (1.0 + lam2))


def _inv_hard(x, lam):
    return np.maximum(x, np.sqrt(2.0 * lam))  # flat at the threshold on the gap [0, sqrt(2 lam)]


def _inv_scad(x, lam, a):
    middle = ((a - 2.0) * x + a * lam) / (a - 1.0)
    return np.where(x <= lam, x + lam, np.where(x <= a * lam, middle, x))


def _inv_adaptive_lasso(x, lam, adaptive_gamma):
    """The root ``z >= tau`` of ``h(z) = z - lam z^-gamma = x``: ``h`` is increasing and concave, so Newton
    from ``max(x, tau)`` (left of the root: ``h(z) <= z``) climbs to it monotonically."""
    tau = _tau_adaptive(lam, adaptive_gamma)
    if tau == 0.0:
        return np.asarray(x, dtype=float)
    z = np.maximum(np.asarray(x, dtype=float), tau)
    for _ in range(200):
        step = (z - lam * z ** -adaptive_gamma - x) / (1.0 + adaptive_gamma * lam * z ** (-adaptive_gamma - 1.0))
        new = np.maximum(z - step, z)  # rounding may not move it back left
        if np.all(new == z):
            break
        z = new
    return z


def _inv_mcp(x, lam, gamma):
    return np.where(x <= gamma * lam, lam + x * ((gamma - 1.0) / gamma), x)


def _inv_bridge(x, lam, q):
    _, jump = bridge_jump(lam, q)
    if jump == 0.0:
        return x
    t = np.maximum(x, jump)  # flat at tau_q = h(theta_q) on the gap [0, theta_q]
    with np.errstate(over="ignore"):
        return t + lam * q * t ** (q - 1.0)


def _dinv_lasso(x, lam):
    return np.ones_like(x)


def _dinv_ridge(x, lam):
    return np.full_like(x, 1.0 + lam)


def _dinv_elastic_net(x, lam1, lam2, rescaled=False):
    return np.full_like(x, 1.0 if rescaled else 1.0 + lam2)


def _dinv_hard(x, lam):
    return np.where(x < np.sqrt(2.0 * lam), 0.0, 1.0)


def _dinv_scad(x, lam, a):
    return np.where((x > lam) & (x <= a * lam), (a - 2.0) / (a - 1.0), 1.0)


def _dinv_adaptive_lasso(x, lam, adaptive_gamma):
    z = _inv_adaptive_lasso(x, lam, adaptive_gamma)
    with np.errstate(divide="ignore", over="ignore"):
        return 1.0 / (1.0 + adaptive_gamma * lam * z ** (-adaptive_gamma - 1.0))


def _dinv_mcp(x, lam, gamma):
    return np.where(x <= gamma * lam, (gamma - 1.0) / gamma, 1.0)


def _dinv_bridge(x, lam, q):
    _, jump = bridge_jump(lam, q)
    if jump == 0.0:
        return np.ones_like(x)
    t = np.maximum(x, jump)
    return np.where(x < jump, 0.0, 1.0 - lam * q * (1.0 - q) * t ** (q - 2.0))


# ---------------------------------------------------------------- penalty values
def _pen_lasso(theta, lam):
    return lam * np.abs(theta)


def _pen_ridge(theta, lam):
    return 0.5 * lam * np.square(theta)


def _pen_elastic_net(theta, lam1, lam2, rescaled=False):
    return lam1 * np.abs(theta) + 0.5 * lam2 * np.square(theta)


def _pen_hard(theta, lam):
    return np.where(theta != 0.0, lam, 0.0)


def _pen_scad(theta, lam, a):
    t = np.abs(theta)
    middle = (2.0 * a * lam * t - t * t - lam * lam) / (2.0 * (a - 1.0))
    return np.where(t <= lam, lam * t, np.where(t <= a * lam, middle, lam * lam * (a + 1.0) / 2.0))


def _pen_mcp(theta, lam, gamma):
    t = np.abs(theta)
    return np.where(t <= gamma * lam, lam * t - t * t / (2.0 * gamma), gamma * lam * lam / 2.0)


def _pen_bridge(theta, lam, q):
    return lam * np.abs(theta) ** q


# ---------------------------------------------------------------------- registry
def _tau_hard(lam):
    return float(np.sqrt(2.0 * lam))


def _tau_adaptive(lam, adaptive_gamma):
    return float(lam ** (1.0 / (1.0 + adaptive_gamma)))


def _tau_bridge(lam, q):
    return bridge_jump(lam, q)[0]


@dataclass(frozen=True)
class Penalty:
    """A separable thresholding rule and what the exact distributions need of it.

    Attributes
    ----------
    name : str
        Registry key.
    estimator : callable
        ``estimator(z, *params)``, e.g. :func:`scad`.
    params : tuple of str
        The estimator's parameter names after ``z``; the first is the level,
        passed as ``lam`` to the generic functions.
    defaults : tuple of (str, object) pairs
        Defaults of the optional parameters.
    penalty : callable
        ``penalty(theta, **params)``, the value of ``pen(theta)``.
    inverse, inverse_derivative : callable
        The generalised inverse ``g_inv(x) = sup{z : g(z) <= x}`` for ``x >= 0``
        and its derivative, in closed form.

    Examples
    --------
    >>> PENALTIES["scad"].resolve(1.0)
    {'lam': 1.0, 'a': 3.7}
    >>> PENALTIES["elastic_net"].threshold(0.5, lam2=2.0)
    0.5
    """

    name: str
    estimator: Callable
    params: tuple
    defaults: tuple
    penalty: Callable
    inverse: Callable
    inverse_derivative: Callable
    _tau: Callable

    def resolve(self, lam, **params):
        """Validate ``lam`` and ``params``; return all parameters by name, defaults filled in."""
        primary, others = self.params[0], self.params[1:]
        unknown = sorted(set(params) - set(others))
        if unknown:
            raise TypeError(f"{self.name} got unexpected parameter(s) {', '.join(unknown)}; "
                            f"its parameters are lam (= {primary}) and {', '.join(others) or 'no others'}")
        values = {primary: _check(primary, lam)}
        defaults = dict(self.defaults)
        for key in others:
            if key in params:
                values[key] = _check(key, params[key])
            elif key in defaults:
                values[key] = defaults[key]
            else:
                raise TypeError(f"{self.name} requires the parameter {key}")
        return values

    def threshold(self, lam, **params):
        """``tau``: the coordinate is zero iff ``|z| <= tau``."""
        return float(self._tau(**self.resolve(lam, **params)))

    def __call__(self, z, lam, **params):
        """Apply the rule with the generic parameter convention."""
        return self.estimator(z, **self.resolve(lam, **params))


def _registry():
    entries = [
        ("lasso", lasso, ("lam",), (), _pen_lasso, _inv_lasso, _dinv_lasso, lambda lam: lam),
        ("ridge", ridge, ("lam",), (), _pen_ridge, _inv_ridge, _dinv_ridge, lambda lam: 0.0),
        ("elastic_net", elastic_net, ("lam1", "lam2", "rescaled"), (("rescaled", False),),
         _pen_elastic_net, _inv_elastic_net, _dinv_elastic_net, lambda lam1, lam2, rescaled=False: lam1),
        ("hard", hard_threshold, ("lam",), (), _pen_hard, _inv_hard, _dinv_hard, _tau_hard),
        ("scad", scad, ("lam", "a"), (("a", default("a")),), _pen_scad, _inv_scad, _dinv_scad, lambda lam, a: lam),
        ("mcp", mcp, ("lam", "gamma"), (("gamma", default("gamma")),), _pen_mcp, _inv_mcp, _dinv_mcp, lambda lam, gamma: lam),
        ("bridge", bridge, ("lam", "q"), (), _pen_bridge, _inv_bridge, _dinv_bridge, _tau_bridge),
        # the adaptive penalty's weight is a function of the data: no penalty value of theta alone
        ("adaptive_lasso", adaptive_lasso, ("lam", "adaptive_gamma"), (("adaptive_gamma", default("adaptive_gamma")),),
         None, _inv_adaptive_lasso, _dinv_adaptive_lasso, _tau_adaptive),
    ]
    return {e[0]: Penalty(*e) for e in entries}


PENALTIES = _registry()
"""Registry of the separable rules: name -> :class:`Penalty`.  ``best_subset`` is not separable and not in it."""


def _penalty(name):
    return PENALTIES[check_option(name, "name", tuple(PENALTIES))]


def threshold(name, lam, **params):
    """The threshold ``tau`` of a separable rule: ``theta_hat = 0`` iff ``|z| <= tau``.

    ``lam`` for lasso, scad, mcp; ``0`` for ridge; ``lam`` (= lam1) for the
    elastic net; ``sqrt(2 lam)`` for hard thresholding; ``tau_q`` for bridge.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    lam : float
        The level of the penalty, ``>= 0`` (``lam1`` for the elastic net), as
        the rule takes it (see *Conventions* in the module docstring).
    **params
        The rule's other parameters by name: ``lam2`` (required) and
        ``rescaled`` for the elastic net, ``a`` for scad and ``gamma`` for mcp
        (both defaulting to the registry's defaults), ``q`` (required) for
        bridge.  Missing or unknown names raise ``TypeError``.

    Returns
    -------
    float
        The threshold ``tau >= 0``, in the units of ``z``.

    Raises
    ------
    ValueError
        For an unknown ``name`` or a parameter out of range.
    TypeError
        For missing or unknown parameters.

    Examples
    --------
    >>> threshold("hard", 2.0)
    2.0
    >>> threshold("bridge", 1.0, q=0.5)
    1.5
    >>> threshold("elastic_net", 0.5, lam2=2.0), threshold("ridge", 3.0)
    (0.5, 0.0)
    """
    return _penalty(name).threshold(lam, **params)


def rule_arguments(name, lam, params):
    """``(level, keywords)`` for ``PENALTIES[name]`` at the common level ``lam``.

    One level ``lam`` for every estimator; the elastic net follows
    scikit-learn's ``ElasticNet(alpha, l1_ratio)``: ``lam1 = lam * l1_ratio``,
    ``lam2 = lam * (1 - l1_ratio)``.  ``params`` holds the estimators'
    parameters by their registry names (``l1_ratio``, ``a``, ``gamma``, ``q``).
    Nothing is validated here: the rule validates what it receives.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    lam : float
        The common level (the study's and the command line's ``lam``).
    params : dict
        Estimator parameters by registry name, e.g. from
        :func:`mc_sparsity._estimators.registry.resolve_parameters`.  The elastic net needs
        ``l1_ratio`` (``KeyError`` otherwise); for the other rules the keys they
        take are passed on and the rest ignored, so a missing key leaves the
        rule's own default (or its ``TypeError``).

    Returns
    -------
    level : float
        The rule's level: ``lam`` (``lam * l1_ratio`` for the elastic net).
    keywords : dict
        The rule's other parameters, for :func:`threshold` and the rule.

    Examples
    --------
    >>> rule_arguments("elastic_net", 2.0, {"l1_ratio": 0.25})
    (0.5, {'lam2': 1.5})
    >>> rule_arguments("scad", 1.0, {"a": 3.7})
    (1.0, {'a': 3.7})
    >>> rule_arguments("bridge", 2.0, {"a": 4.0, "q": 0.5})  # a is not bridge's
    (2.0, {'q': 0.5})
    """
    _penalty(name)
    return ESTIMATORS[name].rule_arguments(lam, params)


def zero_threshold(name, lam, params):
    """The zero threshold of ``name`` at the common level ``lam`` (see :func:`rule_arguments`).

    Clamped to the largest float: ``sqrt(2 lam)`` may overflow, and for finite
    ``z``, ``|z| <= inf`` is ``|z| <= max float``.

    Parameters
    ----------
    name : {"lasso", "ridge", "elastic_net", "hard", "scad", "mcp", "bridge"}
        The separable rule, a key of :data:`PENALTIES`.
    lam : float
        The common level, ``>= 0``.
    params : dict
        Estimator parameters by registry name, as for :func:`rule_arguments`.

    Returns
    -------
    float
        ``threshold(name, *rule_arguments(name, lam, params))``, at most the
        largest finite float; a coordinate is zero iff ``|z|`` is at most this.

    Examples
    --------
    >>> zero_threshold("hard", 2.0, {})
    2.0
    >>> zero_threshold("elastic_net", 2.0, {"l1_ratio": 0.25})
    0.5
    >>> zero_threshold("hard", 1e308, {}) == float(np.finfo(float).max)  # 2 lam overflows
    True
    """
    record = ESTIMATORS[name]
    if record.threshold is None:
        raise ValueError(f"{name!r} is not a separable thresholding rule")
    return min(float(record.threshold(lam, params)), float(np.finfo(float).max))
