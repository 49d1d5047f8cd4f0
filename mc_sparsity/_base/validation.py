"""Declared parameter constraints with uniform error messages.

In the spirit of scikit-learn's ``_param_validation``: each public function
states what its parameters must be, and a bad value raises a
:class:`~mc_sparsity._base.errors.ParameterError` (a ``ValueError``) carrying the
parameter's name, or a ``TypeError``, whose message names the parameter and
says what is wrong.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .errors import ParameterError

__all__ = ["Interval", "check_scalar", "check_beta", "check_count", "check_rng", "check_n_jobs", "check_scenario",
           "check_option", "check_gram", "check_cholesky"]


@dataclass(frozen=True)
class Interval:
    """A real interval ``(low, high)``; ``None`` is unbounded on that side.

    ``closed`` is one of ``"both"``, ``"left"``, ``"right"``, ``"neither"``.
    """

    low: float | None
    high: float | None
    closed: str = "both"

    def __contains__(self, value: float) -> bool:
        left_closed = self.closed in ("both", "left")
        right_closed = self.closed in ("both", "right")
        if self.low is not None and (value < self.low or (value == self.low and not left_closed)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not right_closed)):
            return False
        return True

    def __str__(self) -> str:
        left = "[" if self.closed in ("both", "left") else "("
        right = "]" if self.closed in ("both", "right") else ")"
        low = "-inf" if self.low is None else f"{self.low:g}"
        high = "inf" if self.high is None else f"{self.high:g}"
        return f"in the range {left}{low}, {high}{right}"


def check_scalar(value, name: str, interval: Interval) -> float:
    """Return ``value`` as a finite float, or raise naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value) + 0.0  # no -0.0 echoed back
    if not math.isfinite(value):
        raise ParameterError(name, f"{name} must be finite, got {value!r}")
    if value not in interval:
        raise ParameterError(name, f"{name} must be {interval}, got {value!r}")
    return value


def check_beta(beta, name: str = "beta") -> np.ndarray:
    """Return ``beta`` as a 1-d float array of finite values, or raise."""
    try:
        arr = np.asarray(beta, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a sequence of real numbers, got {beta!r}") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(name, f"{name} must be a non-empty 1-d sequence, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ParameterError(name, f"{name} must contain only finite numbers, got {arr.tolist()!r}")
    return arr


def check_count(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``; accepts integral floats such as 1e7."""
    if isinstance(value, bool):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, numbers.Integral):
        out = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and float(value).is_integer():
        out = int(value)
    else:
        raise ParameterError(name, f"{name} must be a whole number, got {value!r}")
    if out < minimum:
        raise ParameterError(name, f"{name} must be >= {minimum}, got {out}")
    return out


def check_rng(rng, name: str = "rng") -> np.random.SeedSequence:
    """Turn ``rng`` (SPEC 7: an int, a SeedSequence or a Generator) into the run's root SeedSequence.

    The engine needs a *seed* from which replication blocks spawn their own
    streams, so that counts do not depend on how the work is split.  A
    Generator is turned into one by drawing a 128-bit integer from it
    (reproducible given its state; the generator advances).  ``None`` draws
    fresh entropy from the operating system.  The returned SeedSequence's
    ``entropy`` and ``spawn_key`` reproduce the run; a SeedSequence given is
    copied, so spawning from the result leaves the caller's object untouched.

    Examples
    --------
    >>> check_rng(7).entropy
    7
    >>> check_rng(np.random.SeedSequence(7, spawn_key=(1,))).spawn_key
    (1,)
    """
    if rng is None:
        return np.random.SeedSequence()
    if isinstance(rng, np.random.SeedSequence):
        return np.random.SeedSequence(rng.entropy, spawn_key=rng.spawn_key, pool_size=rng.pool_size)
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int.from_bytes(rng.bytes(16), "little"))
    if isinstance(rng, bool) or not isinstance(rng, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative integer, a SeedSequence or a Generator, got {rng!r}")
    if rng < 0:
        raise ParameterError(name, f"{name} must be a non-negative integer, got {rng}")
    return np.random.SeedSequence(int(rng))


def check_n_jobs(n_jobs, name: str = "n_jobs"):
    """``None`` (joblib decides: 1, or a surrounding ``joblib.parallel_config``) or a
    non-zero integer with joblib's meaning (-1 all cores, -2 all but one, ...)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, numbers.Integral):
        raise TypeError(f"{name} must be an integer or None, got {n_jobs!r}")
    if n_jobs == 0:
        raise ParameterError(name, f"{name} must be a positive integer, or negative as in joblib "
                             "(-1 all cores, -2 all but one, ...), got 0")
    return int(n_jobs)


def check_scenario(beta, sigma, lam, radius):
    """Validate a scenario: beta, sigma > 0, and exactly one of lam >= 0 or radius > 0."""
    beta = check_beta(beta)
    sigma = check_scalar(sigma, "sigma", Interval(0, None, closed="neither"))
    if (lam is None) == (radius is None):
        raise ParameterError("lam", "give exactly one of lam (penalized form) or radius (constrained form)")
    if lam is not None:
        lam = check_scalar(lam, "lam", Interval(0, None, closed="left"))
    else:
        radius = check_scalar(radius, "radius", Interval(0, None, closed="neither"))
    return beta, sigma, lam, radius


def check_option(value, name: str, options) -> str:
    """Return ``value`` if it is one of ``options``, or raise naming ``name``."""
    if not isinstance(value, str) or value not in options:
        raise ParameterError(name, f"{name} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def check_gram(gram, p: int, name: str = "gram") -> np.ndarray:
    """A ``p x p`` symmetric positive definite Gram matrix (C-contiguous float), or raise naming ``name``."""
    try:
        g = np.array(gram, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"gram must be a square array of real numbers, got {gram!r}") from None
    if g.shape != (p, p):
        raise ParameterError(name, f"gram must have shape ({p}, {p}), got {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ParameterError(name, "gram must contain only finite numbers")
    if not np.array_equal(g, g.T):
        raise ParameterError(name, "gram must be symmetric, got an asymmetric matrix")
    try:
        np.linalg.cholesky(g)
    except np.linalg.LinAlgError:
        raise ParameterError(name, "gram must be positive definite") from None
    return np.ascontiguousarray(g)


def check_cholesky(chol, g, name: str = "chol") -> np.ndarray:
    """The lower Cholesky factor of ``G^{-1}``: ``chol`` checked against ``g``, or computed when ``None``."""
    p = g.shape[0]
    if chol is None:
        if np.array_equal(g, np.eye(p)):
            return np.eye(p)
        return np.ascontiguousarray(np.linalg.cholesky(np.linalg.inv(g)))
    try:
        c = np.array(chol, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"chol must be a square array of real numbers, got {chol!r}") from None
    if c.shape != (p, p) or not np.all(np.isfinite(c)):
        raise ParameterError(name, f"chol must be a finite ({p}, {p}) array, got shape {c.shape}")
    if np.any(np.triu(c, 1) != 0.0) or np.any(np.diag(c) <= 0.0):
        raise ParameterError(name, "chol must be lower triangular with a positive diagonal")
    # L L^T = G^{-1}  <=>  G L L^T = I, checked to a tolerance scaled by cond(G).
    resid = np.max(np.abs(g @ c @ c.T - np.eye(p)))
    if resid > 1e-8 * np.linalg.cond(g):
        raise ParameterError(name, f"chol must be the lower Cholesky factor of inv(gram); |G L L^T - I| = {resid:.3g}")
    return np.ascontiguousarray(c)
