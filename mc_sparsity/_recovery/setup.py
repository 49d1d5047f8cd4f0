"""Sizes of Wainwright's random-design experiment: sparsity k, sample size n, level lam_n, designs.

Setting (Wainwright 2009, "Sharp thresholds for high-dimensional and noisy
sparsity recovery"): each trial draws a design ``X`` (``n x p``, rows iid
``N(0, Sigma)``), a support of size ``k`` uniformly at random, signs uniformly
at random, ``beta_j = +-beta_min`` on the support, and ``y = X beta + sigma e``;
the lasso minimises ``(1/(2n)) ||y - X b||^2 + lam ||b||_1``.

* sparsity ``k``: ``linear`` ``ceil(0.4 p)``, ``sublinear``
  ``ceil(0.4 p / log(0.4 p))``, ``fractional`` ``ceil(0.4 p^0.75)``, or a
  number.  The linear and fractional ceilings are computed in integers
  (``5k >= 2p``; ``625 k^4 >= 16 p^3``), so that a product that is a whole
  number mathematically is not pushed up by rounding;
* control parameter ``theta = n / (2 k log(p - k))``; ``n = ceil(2 theta k log(p - k))``;
* level ``lam_n = sqrt(2 sigma^2 log(k) log(p - k) / n)`` (``"wainwright"``);
* designs: ``gaussian`` (``Sigma = I``) and ``toeplitz`` (``Sigma_ij =
  rho^|i-j|``, drawn as the AR(1) recursion ``x_1 = z_1``, ``x_j = rho x_{j-1}
  + sqrt(1 - rho^2) z_j``, whose covariance is exactly that Toeplitz matrix,
  at ``O(p)`` cost per row instead of ``O(p^2)``).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

from .._base.errors import ParameterError

__all__ = ["ESTIMANDS", "PROPORTIONS", "MEANS", "SPARSITIES", "DESIGNS", "MAX_P", "MAX_CELLS", "MAX_TRIALS",
           "RecoverySetup", "sparsity_size", "sample_size", "theta_of", "wainwright_lam", "recovery_setup"]

#: What a recovery run estimates: proportions of trials, and means per trial.  Here, not in
#: ``simulate`` (numba), because the command line's parser lists them.
PROPORTIONS = ("signed_support", "support", "superset")
MEANS = ("fdp", "tpr", "hamming")
ESTIMANDS = PROPORTIONS + MEANS

SPARSITIES = ("linear", "sublinear", "fractional")
DESIGNS = ("gaussian", "toeplitz")
#: Largest number of variables accepted (the design is drawn whole, per trial).
MAX_P = 4096
#: Largest design accepted, n * p doubles (2**25: 256 MiB per worker).
MAX_CELLS = 2**25
#: Largest number of trials per scenario.
MAX_TRIALS = 10**8


def sparsity_size(p: int, sparsity) -> int:
    """The support size ``k`` for ``p`` variables under a sparsity regime.

    Examples
    --------
    >>> [sparsity_size(p, "fractional") for p in (128, 256, 512)]
    [16, 26, 44]
    >>> sparsity_size(128, "linear"), sparsity_size(128, "sublinear"), sparsity_size(128, 7)
    (52, 14, 7)
    """
    if isinstance(sparsity, str):
        if sparsity == "linear":
            return -(-2 * p // 5)  # ceil(2p / 5) in integers
        if sparsity == "sublinear":
            return math.ceil(0.4 * p / math.log(0.4 * p))
        if sparsity == "fractional":
            k = max(1, math.ceil(0.4 * p ** 0.75) - 1)
            while 625 * k**4 < 16 * p**3:  # the least k with k >= 0.4 p^(3/4), exactly
                k += 1
            return k
        try:
            sparsity = float(sparsity)
        except ValueError:
            raise ParameterError("sparsity", f"sparsity must be one of {', '.join(SPARSITIES)} or a whole "
                                 f"number, got {sparsity!r}") from None
    if isinstance(sparsity, bool) or not isinstance(sparsity, numbers.Real) or not float(sparsity).is_integer() \
            or sparsity < 1:
        raise ParameterError("sparsity", f"sparsity must be a whole number >= 1, got {sparsity!r}")
    return int(sparsity)


def sample_size(theta: float, k: int, p: int) -> int:
    """``n = ceil(2 theta k log(p - k))``.

    Examples
    --------
    >>> sample_size(1.0, 16, 128)  # 2 * 16 * log(112) = 150.99...
    151
    """
    return math.ceil(2.0 * theta * k * math.log(p - k))


def theta_of(n: int, k: int, p: int) -> float:
    """``theta = n / (2 k log(p - k))``."""
    return n / (2.0 * k * math.log(p - k))


def wainwright_lam(sigma: float, k: int, p: int, n: int) -> float:
    """``lam_n = sqrt(2 sigma^2 log(k) log(p - k) / n)``.

    Examples
    --------
    >>> round(wainwright_lam(0.5, 16, 128, 151), 6)
    0.208133
    """
    return math.sqrt(2.0 * sigma * sigma * math.log(k) * math.log(p - k) / n)


@dataclass(frozen=True)
class RecoverySetup:
    """One scenario: sizes, level, design and signal."""

    p: int
    k: int
    n: int
    theta: float
    lam: float
    design: str
    rho: float
    sigma: float
    beta_min: float


def _check_positive(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ParameterError(name, f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


def check_p(p) -> int:
    """``p`` a whole number in ``[2, MAX_P]``."""
    if isinstance(p, bool) or not isinstance(p, numbers.Integral) or not 2 <= p <= MAX_P:
        raise ParameterError("p", f"p must be a whole number in [2, {MAX_P}], got {p!r}")
    return int(p)


def check_design(design, rho):
    """The design's name and its correlation: ``rho`` (default 0.1) in (-1, 1) for ``toeplitz``; 0 for ``gaussian``.

    A ``rho`` given with a gaussian design is checked but not used (so that one
    ``rho`` can serve a grid of both designs).
    """
    if design not in DESIGNS:
        raise ParameterError("design", f"design must be one of {', '.join(DESIGNS)}, got {design!r}")
    if rho is not None and (isinstance(rho, bool) or not isinstance(rho, numbers.Real) or not -1.0 < rho < 1.0):
        raise ParameterError("rho", f"rho must be in (-1, 1), got {rho!r}")
    if design == "gaussian":
        return design, 0.0
    return design, 0.1 if rho is None else float(rho)


def recovery_setup(p, sparsity="fractional", *, theta=None, n=None, lam="wainwright", design="gaussian", rho=None,
                   sigma=0.5, beta_min=0.5) -> RecoverySetup:
    """Validate one scenario and compute its sizes; exactly one of ``theta`` and ``n``.

    Raises :class:`ParameterError` naming the parameter (``p``, ``sparsity``,
    ``theta``, ``n``, ``lam``, ``design``, ``rho``, ``sigma``, ``beta_min``).

    Examples
    --------
    >>> s = recovery_setup(128, "fractional", theta=1.0)
    >>> s.k, s.n, round(s.lam, 6)
    (16, 151, 0.208133)
    """
    p = check_p(p)
    k = sparsity_size(p, sparsity)
    if k >= p:
        raise ParameterError("sparsity", f"the support size k = {k} must be < p = {p}")
    if (theta is None) == (n is None):
        raise ParameterError("theta", "give exactly one of theta and n")
    given_n = n is not None
    if given_n:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ParameterError("n", f"n must be a whole number >= 1, got {n!r}")
        n = int(n)
        theta = theta_of(n, k, p)
    else:
        theta = _check_positive(theta, "theta")
        n = sample_size(theta, k, p)
        if n < 1:
            raise ParameterError("theta", f"theta = {theta!r} gives n = {n} < 1")
    if n * p > MAX_CELLS:
        raise ParameterError("n" if given_n else "theta",
                             f"the design would have n * p = {n} * {p} = {n * p:,} entries, more than {MAX_CELLS:,}")
    sigma = _check_positive(sigma, "sigma")
    beta_min = _check_positive(beta_min, "beta_min")
    design, rho = check_design(design, rho)
    if lam == "wainwright":
        if k < 2:
            raise ParameterError("lam", "lam = wainwright is 0 when k = 1 (log k = 0): give a value")
        lam = wainwright_lam(sigma, k, p, n)
    else:
        lam = _check_positive(lam, "lam")
    return RecoverySetup(p=p, k=k, n=n, theta=float(theta), lam=float(lam), design=design, rho=rho, sigma=sigma,
                         beta_min=beta_min)
