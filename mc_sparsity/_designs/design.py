"""Designs: the Gram matrix ``G = X^T X`` of a regression and what follows from it.

With ``y = X b + e``, ``e ~ N(0, sigma^2 I_n)`` and ``X`` of full column rank,
the least-squares estimate is ``beta_hat = G^{-1} X^T y ~ N(beta, sigma^2 G^{-1})``
and every estimator of the package depends on ``y`` only through
``z = X^T y = G beta_hat ~ N(G beta, sigma^2 G)``.  A :class:`Design` holds ``G``
(read-only) and caches ``G^{-1}`` and its Cholesky factor ``L`` (lower
triangular, ``L L^T = G^{-1}``), with which a simulation draws
``beta_hat = beta + sigma * L @ eps``, ``eps ~ N(0, I_p)``.

Kinds
-----
* ``orthonormal``: ``G = I`` (the package's original setting; then ``L = I``
  exactly, so a simulation draws the same numbers as with no design at all);
* ``equicorrelated``: ``G = (1 - rho) I + rho 1 1^T``, positive definite iff
  ``-1/(p - 1) < rho < 1`` (eigenvalues ``1 - rho`` and ``1 + (p - 1) rho``);
* ``ar1``: ``G_ij = rho^|i - j|``, ``|rho| < 1``;
* ``gram``: any symmetric positive definite ``G`` (given, from ``X``, or from a file).

Every design must have a condition number below ``1e12``: beyond that ``G``
is singular in double precision and nothing computed from it is reliable.
Bad values raise :class:`~mc_sparsity._base.errors.ParameterError` naming the parameter.
"""

from __future__ import annotations

import math
import numbers
import os
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from .._base.errors import ParameterError

__all__ = [
    "Design",
    "KINDS",
    "MAX_CONDITION",
    "orthonormal",
    "equicorrelated",
    "ar1",
    "from_gram",
    "from_matrix",
    "design_for",
]

#: The kinds of design, as ``Design.kind`` spells them.
KINDS = ("orthonormal", "equicorrelated", "ar1", "gram")

#: Largest accepted condition number of ``G`` (2-norm).
MAX_CONDITION = 1e12

#: Smallest accepted eigenvalue of ``G`` (and 1 / the largest): ``G^-1`` stays finite with headroom.
MIN_EIGENVALUE = 1e-100

#: Relative tolerance of the symmetry check of a given Gram matrix.
SYMMETRY_RTOL = 1e-12


def _readonly(a):
    a = np.array(a, dtype=float)  # a private copy
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class Design:
    """A regression design, through its Gram matrix ``G = X^T X``.

    Build one with :func:`orthonormal`, :func:`equicorrelated`, :func:`ar1`,
    :func:`from_gram`, :func:`from_matrix`, :func:`~mc_sparsity._designs.load.load_gram` or :func:`design_for`;
    they validate ``G``.  Two designs are equal when their kinds, ``rho`` and
    Gram matrices are.

    Attributes
    ----------
    kind : str
        One of ``"orthonormal"``, ``"equicorrelated"``, ``"ar1"``, ``"gram"``.
    rho : float or None
        The correlation parameter of ``equicorrelated`` and ``ar1``, else ``None``.
    gram : numpy.ndarray of shape (p, p)
        ``G``, symmetric positive definite, read-only.

    Examples
    --------
    >>> d = equicorrelated(2, 0.6)
    >>> d.gram
    array([[1. , 0.6],
           [0.6, 1. ]])
    >>> d.covariance  # G^{-1} = [[1, -rho], [-rho, 1]] / (1 - rho^2)
    array([[ 1.5625, -0.9375],
           [-0.9375,  1.5625]])
    >>> bool(np.allclose(d.covariance_cholesky @ d.covariance_cholesky.T, d.covariance))
    True
    >>> orthonormal(3).is_orthonormal, d.is_orthonormal
    (True, False)
    """

    kind: str
    rho: float | None
    gram: np.ndarray = field(repr=False)
    _covariance: np.ndarray | None = field(default=None, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "gram", _readonly(self.gram))
        if self._covariance is not None:
            object.__setattr__(self, "_covariance", _readonly(self._covariance))

    def __repr__(self) -> str:
        rho = "" if self.rho is None else f", rho={self.rho!r}"
        return f"Design(kind={self.kind!r}, p={self.p}{rho})"

    def __eq__(self, other):
        if not isinstance(other, Design):
            return NotImplemented
        return (self.kind == other.kind and self.rho == other.rho
                and self.gram.shape == other.gram.shape and bool(np.array_equal(self.gram, other.gram)))

    def __hash__(self):
        return hash((self.kind, self.rho, self.gram.shape, self.gram.tobytes()))

    @cached_property
    def p(self) -> int:
        """The number of coefficients."""
        return int(self.gram.shape[0])

    @cached_property
    def is_orthonormal(self) -> bool:
        """``True`` iff ``G`` is exactly the identity."""
        return bool(np.array_equal(self.gram, np.eye(self.p)))

    @cached_property
    def covariance(self) -> np.ndarray:
        """``G^{-1}``, the covariance of ``beta_hat`` in units of ``sigma^2`` (read-only).

        In closed form for the orthonormal, equicorrelated and AR(1) kinds,
        else by Cholesky inversion, symmetrised.
        """
        if self._covariance is not None:
            return self._covariance
        factor = np.linalg.cholesky(self.gram)
        inv_factor = np.linalg.solve(factor, np.eye(self.p))  # R^{-1}, G = R R^T
        cov = inv_factor.T @ inv_factor
        return _readonly(0.5 * (cov + cov.T))

    @cached_property
    def covariance_cholesky(self) -> np.ndarray:
        """Lower-triangular ``L`` with ``L L^T = G^{-1}`` (read-only); ``I`` exactly when ``G = I``."""
        if self.is_orthonormal:
            return _readonly(np.eye(self.p))
        return _readonly(np.linalg.cholesky(self.covariance))

    @cached_property
    def condition_number(self) -> float:
        """The 2-norm condition number of ``G``."""
        eig = np.linalg.eigvalsh(self.gram)
        return float(eig[-1] / eig[0])

    def to_dict(self) -> dict:
        """A JSON-ready description: ``{"kind", "rho", "gram"}`` (``gram`` as nested lists).

        Examples
        --------
        >>> ar1(2, 0.5).to_dict()
        {'kind': 'ar1', 'rho': 0.5, 'gram': [[1.0, 0.5], [0.5, 1.0]]}
        """
        return {"kind": self.kind, "rho": self.rho, "gram": self.gram.tolist()}


# ---------------------------------------------------------------- validation


def _check_p(p) -> int:
    if isinstance(p, bool) or not isinstance(p, numbers.Integral):
        raise TypeError(f"p must be an integer, got {p!r}")
    if p < 1:
        raise ParameterError("p", f"p must be >= 1, got {p}")
    return int(p)


def _check_rho(rho) -> float:
    if isinstance(rho, bool) or not isinstance(rho, numbers.Real):
        raise TypeError(f"rho must be a real number, got {rho!r}")
    rho = float(rho) + 0.0
    if not math.isfinite(rho):
        raise ParameterError("rho", f"rho must be finite, got {rho!r}")
    return rho


def _check_condition(gram, name, what):
    eig = np.linalg.eigvalsh(gram)
    if not eig[0] > 0:
        raise ParameterError(name, f"{name} must give a positive definite Gram matrix, {what}")
    cond = eig[-1] / eig[0]
    if not cond < MAX_CONDITION:
        raise ParameterError(name, f"{name} gives a Gram matrix with condition number {cond:.3g} >= {MAX_CONDITION:g}"
                             f" (numerically singular), {what}")


# ---------------------------------------------------------------- constructors


def orthonormal(p) -> Design:
    """The orthonormal design, ``G = I_p``.

    Parameters
    ----------
    p : int
        The number of coefficients, >= 1.

    Returns
    -------
    Design

    Examples
    --------
    >>> orthonormal(2).gram
    array([[1., 0.],
           [0., 1.]])
    """
    p = _check_p(p)
    return Design("orthonormal", None, np.eye(p), np.eye(p))


def equicorrelated(p, rho) -> Design:
    """``G = (1 - rho) I + rho 1 1^T``: unit diagonal, every off-diagonal entry ``rho``.

    Parameters
    ----------
    p : int
        Number of coefficients.
    rho : float
        ``-1/(p - 1) < rho < 1`` (any ``-1 < rho < 1`` at ``p = 1``, where ``G = [1]``).

    Returns
    -------
    Design
        With ``G^{-1} = (I - rho/(1 + (p - 1) rho) 1 1^T) / (1 - rho)`` in closed form.

    Examples
    --------
    >>> equicorrelated(3, -0.2).gram[0]
    array([ 1. , -0.2, -0.2])
    >>> equicorrelated(3, -0.5)
    Traceback (most recent call last):
    ...
    mc_sparsity._base.errors.ParameterError: rho must be in (-1/(p-1), 1) = (-0.5, 1) for p = 3, got -0.5
    """
    p = _check_p(p)
    rho = _check_rho(rho)
    low = -1.0 if p == 1 else -1.0 / (p - 1)
    if not low < rho < 1.0:
        shown = "(-1, 1)" if p == 1 else f"(-1/(p-1), 1) = ({low:g}, 1)"
        raise ParameterError("rho", f"rho must be in {shown} for p = {p}, got {rho!r}")
    gram = np.full((p, p), rho) if p > 1 else np.ones((1, 1))
    np.fill_diagonal(gram, 1.0)
    if p > 1:
        _check_condition(gram, "rho", f"got rho = {rho!r} at p = {p}")
    inv = np.full((p, p), -rho / ((1.0 - rho) * (1.0 + (p - 1) * rho)))
    np.fill_diagonal(inv, (1.0 + (p - 2) * rho) / ((1.0 - rho) * (1.0 + (p - 1) * rho)))
    if p == 1:
        inv = np.ones((1, 1))
    return Design("equicorrelated", rho, gram, inv)


def ar1(p, rho) -> Design:
    """``G_ij = rho^|i - j|``, the correlation matrix of a stationary AR(1) sequence; ``|rho| < 1``.

    ``G^{-1}`` is tridiagonal: ``(1, 1 + rho^2, ..., 1 + rho^2, 1)`` on the
    diagonal and ``-rho`` beside it, over ``1 - rho^2``.

    Parameters
    ----------
    p : int
        The number of coefficients, >= 1.
    rho : float
        The lag-one correlation, ``|rho| < 1``.

    Returns
    -------
    Design

    Examples
    --------
    >>> ar1(3, 0.5).gram
    array([[1.  , 0.5 , 0.25],
           [0.5 , 1.  , 0.5 ],
           [0.25, 0.5 , 1.  ]])
    """
    p = _check_p(p)
    rho = _check_rho(rho)
    if not -1.0 < rho < 1.0:
        raise ParameterError("rho", f"rho must be in (-1, 1), got {rho!r}")
    idx = np.arange(p)
    gram = rho ** np.abs(idx[:, None] - idx[None, :]).astype(float)
    if p > 1:
        _check_condition(gram, "rho", f"got rho = {rho!r} at p = {p}")
    one_m = (1.0 - rho) * (1.0 + rho)
    inv = np.zeros((p, p))
    if p == 1:
        inv[0, 0] = 1.0
    else:
        np.fill_diagonal(inv, (1.0 + rho * rho) / one_m)
        inv[0, 0] = inv[-1, -1] = 1.0 / one_m
        inv[idx[:-1], idx[1:]] = inv[idx[1:], idx[:-1]] = -rho / one_m
    return Design("ar1", rho, gram, inv)


def from_gram(gram, *, kind="gram", rho=None) -> Design:
    """A design from its Gram matrix, after checking it.

    ``gram`` must be a square 2-d array of finite numbers, symmetric to a
    relative tolerance of ``1e-12`` (then symmetrised exactly), positive
    definite with condition number below ``1e12``.

    Parameters
    ----------
    gram : array_like of shape (p, p)
        ``X^T X``.
    kind : str, default "gram"
        The kind recorded in the design.
    rho : float, optional
        The correlation recorded in the design (equicorrelated, ar1).

    Returns
    -------
    Design

    Examples
    --------
    >>> from_gram([[2.0, 0.5], [0.5, 1.0]]).p
    2
    >>> from_gram([[1.0, 2.0], [2.0, 1.0]])
    Traceback (most recent call last):
    ...
    mc_sparsity._base.errors.ParameterError: gram must be positive definite, got eigenvalues down to -1
    """
    try:
        g = np.array(gram, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"gram must be a square matrix of real numbers, got {gram!r}") from None
    if g.ndim != 2 or g.shape[0] != g.shape[1] or g.shape[0] == 0:
        raise ParameterError("gram", f"gram must be a non-empty square 2-d matrix, got shape {g.shape}")
    if not np.all(np.isfinite(g)):
        raise ParameterError("gram", "gram must contain only finite numbers")
    scale = float(np.max(np.abs(g)))
    asym = float(np.max(np.abs(g - g.T)))
    if asym > SYMMETRY_RTOL * scale:
        raise ParameterError("gram", f"gram must be symmetric, got |G - G^T| up to {asym:.3g}"
                             f" (tolerance {SYMMETRY_RTOL:g} relative)")
    g = 0.5 * (g + g.T)
    try:
        np.linalg.cholesky(g)
    except np.linalg.LinAlgError:
        low = float(np.linalg.eigvalsh(g)[0])
        raise ParameterError("gram", f"gram must be positive definite, got eigenvalues down to {low:.3g}") from None
    eig = np.linalg.eigvalsh(g)
    if not (MIN_EIGENVALUE <= eig[0] and eig[-1] <= 1 / MIN_EIGENVALUE):
        # G^-1 and its Cholesky factor (squared in the covariance) must stay finite and normal.
        raise ParameterError("gram", f"gram must have eigenvalues between {MIN_EIGENVALUE:g} and "
                             f"{1 / MIN_EIGENVALUE:g} (its inverse is computed), got {eig[0]:.3g} to {eig[-1]:.3g}")
    cond = eig[-1] / eig[0] if eig[0] > 0 else np.inf
    if not cond < MAX_CONDITION:
        raise ParameterError("gram", f"gram must have condition number < {MAX_CONDITION:g}, got {cond:.3g}"
                             " (numerically singular)")
    return Design(kind, rho, g)


def from_matrix(X) -> Design:
    """The design of a data matrix ``X`` (n x p, full column rank): ``G = X^T X``.

    Parameters
    ----------
    X : array_like of shape (n, p)
        The design matrix, of full column rank.

    Returns
    -------
    Design

    Examples
    --------
    >>> from_matrix([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]]).gram
    array([[1., 0.],
           [0., 4.]])
    """
    try:
        x = np.array(X, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"X must be a matrix of real numbers, got {X!r}") from None
    if x.ndim != 2 or x.size == 0:
        raise ParameterError("X", f"X must be a non-empty 2-d matrix, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ParameterError("X", "X must contain only finite numbers")
    n, p = x.shape
    if n < p:
        raise ParameterError("X", f"X must have at least as many rows as columns (full column rank), got {n} x {p}")
    sv = np.linalg.svd(x, compute_uv=False)
    if not (sv[-1] > 0 and (sv[0] / sv[-1]) ** 2 < MAX_CONDITION):
        raise ParameterError("X", f"X must have full column rank with cond(X^T X) < {MAX_CONDITION:g}")
    return from_gram(x.T @ x)


def design_for(p, *, rho=None, kind=None, gram=None) -> Design:
    """Turn the user's design options into a :class:`Design`: the one place that does.

    Parameters
    ----------
    p : int
        The number of coefficients (the length of ``beta``).
    rho : float, optional
        Correlation of an ``equicorrelated`` (the default kind with ``rho``) or ``ar1`` design.
    kind : {"orthonormal", "equicorrelated", "ar1", "gram"}, optional
        Default: ``"gram"`` with ``gram``, ``"equicorrelated"`` with ``rho``, else ``"orthonormal"``.
    gram : array_like, str, os.PathLike or Design, optional
        A Gram matrix, a file holding one (see :func:`~mc_sparsity._designs.load.load_gram`) or a design;
        exclusive with ``rho``; must be ``p x p``.

    Examples
    --------
    >>> design_for(2)
    Design(kind='orthonormal', p=2)
    >>> design_for(3, rho=0.4)
    Design(kind='equicorrelated', p=3, rho=0.4)
    >>> design_for(3, rho=0.4, kind="ar1").gram[0]
    array([1.  , 0.4 , 0.16])
    >>> design_for(2, gram=[[1.0, 0.2], [0.2, 1.0]]).kind
    'gram'
    """
    p = _check_p(p)
    if kind is not None and (not isinstance(kind, str) or kind not in KINDS):
        raise ParameterError("kind", f"kind must be one of {', '.join(map(repr, KINDS))}, got {kind!r}")
    if gram is not None:
        if rho is not None:
            raise ParameterError("gram", "give either gram or rho, not both")
        if kind not in (None, "gram"):
            raise ParameterError("kind", f"kind must be 'gram' (or omitted) with gram, got {kind!r}")
        if isinstance(gram, Design):
            design = gram
        elif isinstance(gram, (str, os.PathLike)):
            from .load import load_gram

            design = load_gram(gram)
        else:
            design = from_gram(gram)
        if design.p != p:
            shape = "x".join(map(str, design.gram.shape))
            raise ParameterError("gram", f"gram must be p x p = {p} x {p} to match beta, got {shape}")
        return design
    if kind == "gram":
        raise ParameterError("gram", "kind 'gram' needs gram (a matrix or a file)")
    if rho is None:
        if kind in ("equicorrelated", "ar1"):
            raise ParameterError("rho", f"kind {kind!r} needs rho")
        return orthonormal(p)
    if kind == "orthonormal":
        raise ParameterError("rho", "rho must not be given with kind 'orthonormal'")
    if kind == "ar1":
        return ar1(p, rho)
    return equicorrelated(p, rho)
