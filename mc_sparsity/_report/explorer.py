"""The explorer: one self-contained, offline HTML page (``data/explorer.html``).

A reader moves ``beta``, ``sigma``, the form (penalized ``lam`` or constrained
``radius``), the estimator (lasso, ridge, elastic net and its ``l1_ratio``)
and the correlation ``rho`` of the design ``G = [[1, rho], [rho, 1]]``, and
watches the sparse region, a cloud of draws of ``beta_hat ~ N(beta, sigma^2
G^{-1})`` and the exact and simulated ``P(sparse)`` move together.  The page
computes everything itself (JavaScript, double precision, no network access:
its Content-Security-Policy forbids every request), so it works from
``file://``.  Its state lives in the URL fragment, e.g.
``#beta=1,0.3&sigma=1&lam=0.5&estimator=lasso&rho=0.6&n=2000&seed=0``, so a
link reproduces a view; :func:`explorer_fragment` builds one.

Testable contract of the page: the element with ``data-quantity="exact"``
carries ``data-value`` (``String(x)`` of the double), ``data-log-value`` and
``data-error``; the one with ``data-quantity="estimate"`` carries ``data-n``,
``data-sparse``, ``data-ci-low`` and ``data-ci-high`` (two-sided 95%
Clopper-Pearson).  ``window.mcExplorer`` exposes the page's functions.
"""

from __future__ import annotations

import math
import numbers
import os
from importlib import resources
from pathlib import Path

from .._base.errors import ParameterError

__all__ = ["explorer_html", "explorer_fragment", "write_explorer"]

_ESTIMATORS = ("lasso", "ridge", "elastic_net")
#: Largest |rho| the page accepts (G's condition number (1 + rho)/(1 - rho) <= 199).
MAX_RHO = 0.99
#: Largest cloud the page draws.
MAX_N = 1_000_000

#: The page's drawable scales (``MAX_SCALE``/``MIN_SCALE`` in the page): every nonzero ``|beta|``,
#: ``sigma`` and level, and each over ``sigma``, must lie in ``[MIN_SCALE, MAX_SCALE]``; beyond,
#: the page's squares and exponentials overflow.  Probabilities depend on the ratios only: rescale.
MAX_SCALE, MIN_SCALE = 1e150, 1e-150


def _check_scale(beta, sigma, level, level_name):
    sizes = [abs(beta[0]), abs(beta[1]), sigma, level]
    ratios = [abs(beta[0]) / sigma, abs(beta[1]) / sigma, level / sigma]
    if any(x != 0 and not MIN_SCALE <= x <= MAX_SCALE for x in sizes + ratios):
        raise ParameterError("sigma", f"beta = {beta}, sigma = {sigma!r} and {level_name} = {level!r} are beyond "
                             f"what the page's double precision can draw (each, and each over sigma, must be 0 or "
                             f"within [{MIN_SCALE:g}, {MAX_SCALE:g}]); rescale them together")


def explorer_html() -> str:
    """The explorer page's HTML source, as shipped in the package.

    Returns
    -------
    str
        A complete HTML document (inline JavaScript and CSS, no external resource).

    Examples
    --------
    >>> html = explorer_html()
    >>> html.startswith("<!DOCTYPE html>"), 'data-quantity="exact"' in html
    (True, True)
    """
    return resources.files("mc_sparsity").joinpath("data", "explorer.html").read_text(encoding="utf-8")


def _real(value, name, *, low=None, high=None, low_open=False):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value) + 0.0
    bad = not math.isfinite(value)
    bad = bad or (low is not None and (value < low or (low_open and value == low)))
    bad = bad or (high is not None and value > high)
    if bad:
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        what = f"in {'(' if low_open else '['}{lo}, {hi}]" if low is not None or high is not None else "finite"
        raise ParameterError(name, f"{name} must be a finite number {what}, got {value!r}")
    return value


def _count(value, name, low, high):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if not low <= value <= high:
        raise ParameterError(name, f"{name} must be in [{low}, {high}], got {value!r}")
    return int(value)


def explorer_fragment(
    beta, sigma=1.0, *, lam=None, radius=None, estimator="lasso", l1_ratio=None, rho=0.0, n=None, seed=None
) -> str:
    """The URL fragment (``#...``) that opens the explorer at a given state.

    Parameters
    ----------
    beta : sequence of 2 real numbers
    sigma : float, default 1.0
        ``> 0``.
    lam, radius : float
        Exactly one: the penalty level (``>= 0``) or the L1 radius (``> 0``).
    estimator : {"lasso", "ridge", "elastic_net"}
        The elastic net is penalized only and needs ``l1_ratio`` in ``[0, 1]``:
        ``lam1 = lam * l1_ratio``, ``lam2 = lam * (1 - l1_ratio)``.
    rho : float, default 0.0
        The design's correlation, ``|rho| <= 0.99``.
    n : int, optional
        The cloud's size, ``1 <= n <= 1e6`` (the page's default: 2000).
    seed : int, optional
        The page's random seed, ``0 <= seed < 2**32`` (default 0).

    Returns
    -------
    str
        ``"#beta=...&sigma=...&lam=...&estimator=...&rho=..."``; numbers are
        written with ``repr`` (shortest round-trip form, which JavaScript parses to the same double).

    Examples
    --------
    >>> explorer_fragment([1, 0.3], lam=0.5, rho=0.6)
    '#beta=1.0,0.3&sigma=1.0&lam=0.5&estimator=lasso&rho=0.6'
    >>> explorer_fragment([1, 0.3], lam=1, estimator="elastic_net", l1_ratio=0.5, n=10000, seed=3)
    '#beta=1.0,0.3&sigma=1.0&lam=1.0&estimator=elastic_net&l1_ratio=0.5&rho=0.0&n=10000&seed=3'
    """
    try:
        b = [_real(v, "beta") for v in beta]
    except TypeError:
        raise TypeError(f"beta must be a sequence of 2 real numbers, got {beta!r}") from None
    if len(b) != 2:
        raise ParameterError("beta", f"beta must have 2 coordinates (the explorer is 2-d), got {len(b)}")
    sigma = _real(sigma, "sigma", low=0.0, low_open=True)
    if (lam is None) == (radius is None):
        raise ParameterError("lam", "lam and radius: give exactly one (penalized or constrained form)")
    if not isinstance(estimator, str) or estimator not in _ESTIMATORS:
        raise ParameterError("estimator", f"estimator must be one of {', '.join(map(repr, _ESTIMATORS))}, got {estimator!r}")
    if lam is not None:
        level = f"lam={_real(lam, 'lam', low=0.0)!r}"
    else:
        if estimator == "elastic_net":
            raise ParameterError("radius", "radius: the elastic net has only a penalized form here, give lam")
        level = f"radius={_real(radius, 'radius', low=0.0, low_open=True)!r}"
    _check_scale(b, sigma, lam if lam is not None else radius, "lam" if lam is not None else "radius")
    parts = [f"beta={b[0]!r},{b[1]!r}", f"sigma={sigma!r}", level, f"estimator={estimator}"]
    if estimator == "elastic_net":
        if l1_ratio is None:
            raise ParameterError("l1_ratio", "l1_ratio must be given for the elastic net")
        parts.append(f"l1_ratio={_real(l1_ratio, 'l1_ratio', low=0.0, high=1.0)!r}")
    elif l1_ratio is not None:
        raise ParameterError("l1_ratio", f"l1_ratio is only for the elastic net, got estimator={estimator!r}")
    parts.append(f"rho={_real(rho, 'rho', low=-MAX_RHO, high=MAX_RHO)!r}")
    if n is not None:
        parts.append(f"n={_count(n, 'n', 1, MAX_N)}")
    if seed is not None:
        parts.append(f"seed={_count(seed, 'seed', 0, 2**32 - 1)}")
    return "#" + "&".join(parts)


def write_explorer(path) -> Path:
    """Write the explorer page to ``path`` (atomically: a temporary file and a rename).

    Parameters
    ----------
    path : str or os.PathLike
        The HTML file to write; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        ``path``.  Open it in a browser (``file://`` is fine), optionally with a
        fragment from :func:`explorer_fragment`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_explorer(Path(tmp) / "explorer.html")
    ...     out.read_text(encoding="utf-8") == explorer_html()
    True
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {path!r}")
    from .._pipeline.output import write_atomic

    path = Path(path)
    write_atomic(path, explorer_html().encode("utf-8"))  # bytes: no locale-dependent encoding
    return path
