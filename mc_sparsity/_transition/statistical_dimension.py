"""The statistical dimension of the L1 descent cone, and the phase-transition curves it gives.

For ``x`` in ``R^d`` with ``s`` non-zero coordinates, Amelunxen, Lotz, McCoy
and Tropp (2014, "Living on the edge", Prop. 4.5) bound the statistical
dimension ``delta`` of the descent cone of the L1 norm at ``x`` by

    D - 2 sqrt(d / s) <= delta <= D,
    D(s, d) = inf_{tau >= 0} s (1 + tau^2) + (d - s) J(tau),
    J(tau) = sqrt(2/pi) int_tau^inf (u - tau)^2 exp(-u^2/2) du
           = (1 + tau^2) erfc(tau / sqrt 2) - tau sqrt(2/pi) exp(-tau^2/2)

(their normalised form: ``psi(s/d) - 2/sqrt(s d) <= delta/d <= psi(s/d)``,
``psi(rho) = D(rho, 1)``, so ``D(s, d) = d psi(s/d)``).  Basis pursuit from
``m`` Gaussian measurements succeeds with probability near 0 for ``m`` well
below ``delta`` and near 1 well above it.

The objective is strictly convex in ``tau``; its minimiser solves
``s tau = (d - s) G(tau)``, ``G(tau) = sqrt(2/pi) exp(-tau^2/2) - tau
erfc(tau/sqrt 2) = 2 E[(g - tau)_+]``, found by Brent's method to a relative
1e-15.  ``J`` and ``G`` are evaluated with the scaled ``erfcx`` (no underflow
for large ``tau``); the cancellation left inside them is a factor
``tau^4 / 2`` at most, below 1e3 for every ``s >= 1e-6 d``, so ``D`` is
accurate to about 1e-12 relative (tested against mpmath quadrature to 1e-10).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .._base.errors import ParameterError

__all__ = ["StatisticalDimension", "statistical_dimension", "l1_transition_curve", "weak_threshold",
           "l2_recovery_probability"]

_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_SQRT_2 = math.sqrt(2.0)


@dataclass(frozen=True)
class StatisticalDimension:
    """The upper bound ``D`` of the statistical dimension and its error bound.

    Attributes
    ----------
    s, d : float
        Non-zero coordinates and dimension.
    value : float
        ``D(s, d)``, the formula's infimum (an upper bound of ``delta``).
    tau : float
        The minimising ``tau``.
    lower : float
        ``max(0, D - 2 sqrt(d/s))``, the lower bound of ``delta`` (Prop. 4.5).
    """

    s: float
    d: float
    value: float
    tau: float
    lower: float

    @property
    def error_bound(self) -> float:
        """``value - lower``: how far the exact statistical dimension may lie below ``value``."""
        return self.value - self.lower


def _erfc_half(tau: float) -> float:
    return math.erfc(tau / _SQRT_2)


def _tail_integral(tau: float) -> float:
    """``J(tau) = sqrt(2/pi) int_tau^inf (u - tau)^2 exp(-u^2/2) du = 2 E[(g - tau)_+^2]``."""
    from scipy.special import erfcx

    if tau < 1.0:
        return (1.0 + tau * tau) * _erfc_half(tau) - tau * _SQRT_2_OVER_PI * math.exp(-tau * tau / 2)
    return math.exp(-tau * tau / 2) * ((1.0 + tau * tau) * float(erfcx(tau / _SQRT_2)) - tau * _SQRT_2_OVER_PI)


def _tail_mean(tau: float) -> float:
    """``G(tau) = 2 E[(g - tau)_+] = sqrt(2/pi) exp(-tau^2/2) - tau erfc(tau/sqrt 2)``."""
    from scipy.special import erfcx

    if tau < 1.0:
        return _SQRT_2_OVER_PI * math.exp(-tau * tau / 2) - tau * _erfc_half(tau)
    return math.exp(-tau * tau / 2) * (_SQRT_2_OVER_PI - tau * float(erfcx(tau / _SQRT_2)))


def _minimise(s: float, d: float) -> tuple[float, float]:
    """(tau*, D) for real ``0 < s <= d``."""
    from scipy.optimize import brentq

    if s >= d:
        return 0.0, float(d)
    slope = lambda tau: s * tau - (d - s) * _tail_mean(tau)  # half the objective's derivative
    high = 1.0
    while slope(high) <= 0.0:
        high *= 2.0
    tau = brentq(slope, 0.0, high, xtol=1e-15, rtol=1e-15, maxiter=500)
    return tau, s * (1.0 + tau * tau) + (d - s) * _tail_integral(tau)


def _check_sd(s, d):
    import numbers

    for name, value in (("s", s), ("d", d)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ParameterError(name, f"{name} must be a finite positive number, got {value!r}")
    if not d > 0:
        raise ParameterError("d", f"d must be > 0, got {d!r}")
    if not 0 < s <= d:
        raise ParameterError("s", f"s must be in (0, d = {d:g}], got {s!r}")
    if s < 1e-6 * d:
        raise ParameterError("s", f"s/d must be >= 1e-6 (the formula's accuracy is stated there), got {s / d:g}")
    return float(s), float(d)


def statistical_dimension(s, d) -> StatisticalDimension:
    """The formula ``D(s, d)`` for the L1 descent cone at an ``s``-sparse point of ``R^d``, with its bounds.

    Parameters
    ----------
    s : float
        Non-zero coordinates, ``0 < s <= d`` (real values give the continuous curve).
    d : float
        The ambient dimension.

    Returns
    -------
    StatisticalDimension
        ``value`` = ``D`` (the exact statistical dimension lies in
        ``[lower, value]``, ``value - lower <= 2 sqrt(d/s)``).

    Examples
    --------
    >>> sd = statistical_dimension(10, 100)
    >>> round(sd.value, 6), round(sd.lower, 6)
    (32.879..., 26.555...)
    >>> statistical_dimension(5, 5).value
    5.0
    """
    s, d = _check_sd(s, d)
    tau, value = _minimise(s, d)
    return StatisticalDimension(s, d, value, tau, max(0.0, value - 2.0 * math.sqrt(d / s)))


def l1_transition_curve(rho) -> float:
    """``psi(rho) = D(rho, 1)``: the location ``m/d`` of the L1 transition at sparsity ``s/d = rho``.

    ``psi(0) = 0`` and ``psi(1) = 1``; ``psi`` is increasing.

    Parameters
    ----------
    rho : float
        ``s/d`` in ``[0, 1]``.

    Examples
    --------
    >>> round(l1_transition_curve(0.1), 8) == round(statistical_dimension(10, 100).value / 100, 8)
    True
    """
    rho = float(rho)
    if not 0.0 <= rho <= 1.0:
        raise ParameterError("rho", f"rho must be in [0, 1], got {rho!r}")
    if rho == 0.0:
        return 0.0
    return _minimise(rho, 1.0)[1]


def weak_threshold(delta) -> float:
    """Donoho and Tanner's weak threshold ``rho_W(delta)`` from the statistical dimension.

    In Donoho and Tanner's coordinates (``delta = m/d``, ``rho = s/m``) the
    L1 transition is ``rho_W(delta) = psi^{-1}(delta) / delta``, the curve
    along which ``m = d psi(s/d)`` (the two descriptions agree asymptotically,
    Amelunxen et al. 2014, Sec. 10).

    Parameters
    ----------
    delta : float
        ``m/d`` in ``(psi(1e-6), 1)`` (``psi(1e-6)`` is about 2.1e-5).

    Returns
    -------
    float
        ``rho_W = s/m`` on the curve.

    Examples
    --------
    >>> round(weak_threshold(0.5), 4)
    0.3857
    >>> weak_threshold(0.01) < weak_threshold(0.5) < weak_threshold(0.99) < 1
    True
    """
    from scipy.optimize import brentq

    delta = float(delta)
    if not 0.0 < delta < 1.0:
        raise ParameterError("delta", f"delta must be in (0, 1), got {delta!r}")
    low = 1e-6
    if l1_transition_curve(low) >= delta:
        # psi(rho) ~ 2 rho log(1/rho) near 0: below the stated accuracy range.
        raise ParameterError("delta", f"delta must be > psi(1e-6) = {l1_transition_curve(low):.3g}, got {delta!r}")
    rho = brentq(lambda r: l1_transition_curve(r) - delta, low, 1.0, xtol=1e-15, rtol=1e-15)
    return rho / delta


def l2_recovery_probability(m, d) -> float:
    """P(the minimum-norm solution ``A^+ y`` equals ``x``) for Gaussian ``A`` (m x d): a step at ``m = d``.

    For ``m < d`` the solution is the projection of ``x`` on the row space of
    ``A``, a random ``m``-dimensional subspace, which contains ``x`` with
    probability 0; for ``m >= d`` ``A`` is injective with probability 1.

    Parameters
    ----------
    m, d : int
        Measurements and dimension.

    Examples
    --------
    >>> l2_recovery_probability(99, 100), l2_recovery_probability(100, 100)
    (0.0, 1.0)
    """
    return 1.0 if m >= d else 0.0
