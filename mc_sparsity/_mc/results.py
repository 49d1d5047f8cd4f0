"""Result objects and the one schema of a result row.

:meth:`SimulationResult.to_frame` and the study's CSV have the same columns
(:data:`COLUMNS`), names and meaning.  In Python ``beta``, ``zeros`` and
``exact_zeros`` are lists and ``params`` a dict; a CSV file holds them as text
in one documented form, written by :func:`to_csv_text` and parsed back by
:func:`read_results`, the only place that parses them:

* ``beta``, ``zeros``, ``exact_zeros``: numbers separated by single spaces,
  written with ``repr`` (``"1.0 0.3"``), so they read back exactly;
* ``params``: ``name=value`` pairs separated by spaces (``"a=3.7 q=0.5"``);
* ``gram``: rows separated by ``";"``, entries by spaces.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields

from .._estimators.registry import FORMS

__all__ = ["COLUMNS", "SCENARIO_COLUMNS", "EstimatorResult", "SimulationResult", "to_csv_text", "read_results",
           "format_numbers", "parse_numbers", "format_params", "parse_params", "hashable"]

#: The scenario's columns of a result table, in order; the row's own follow (:data:`COLUMNS`).
SCENARIO_COLUMNS = (
    "scenario", "form", "p", "beta", "sigma", "lam", "radius", "design", "rho", "gram",
    "beta_norm_over_sigma", "level_over_sigma",
)
#: Columns computed from a row, after its fields.
DERIVED_COLUMNS = ("z", "binom_pvalue")
_LIST_COLUMNS = {"beta": float, "zeros": int, "exact_zeros": float}


def format_numbers(values) -> str | None:
    """``[1.0, 0.3]`` as ``"1.0 0.3"`` (``None`` stays ``None``)."""
    return None if values is None else " ".join(repr(v) for v in values)


def parse_numbers(text, kind=float):
    """The inverse of :func:`format_numbers`; a missing cell gives ``None``."""
    if not isinstance(text, str):
        return None
    return [kind(v) for v in text.split()]


def format_params(params: dict) -> str | None:
    """The ``params`` cell: ``"a=3.7 q=0.5"`` (``None`` when there are none)."""
    return " ".join(f"{k}={v!r}" for k, v in params.items()) or None


def parse_params(text) -> dict:
    """The inverse of :func:`format_params` (an empty dict for a missing cell)."""
    if not isinstance(text, str):
        return {}
    out = {}
    for item in text.split():
        key, value = item.split("=")
        number = float(value)
        out[key] = int(number) if key == "subset_size" else number
    return out


def _format_gram(gram) -> str | None:
    return None if gram is None else "; ".join(format_numbers(row) for row in gram)


@dataclass(frozen=True)
class EstimatorResult:
    """One estimator's row: the Monte Carlo estimate, its error, and the references.

    Attributes
    ----------
    estimator : str
    estimand : str
        What is estimated (:data:`~mc_sparsity._mc.estimands.ESTIMANDS`): ``"sparse"``
        is P(the solution has a zero coordinate).
    successes : int or None
        For a probability, the replications in which the event happened (for
        ``"sparse"``: whose solution has at least one exactly-zero coordinate);
        ``None`` for a mean.
    reps : int
        Replications classified (``uncertified`` ones excluded).
    estimate, std_error : float
        ``successes / reps`` and ``sqrt(p_hat (1 - p_hat) / reps)``; for a mean,
        the sample mean and ``s / sqrt(reps)``.
    ci_low, ci_high : float
        The ``confidence_level`` interval by ``ci_method`` (see ``_inference``).
    exact, log_exact, exact_error : float or None
        The exact probability, its log (finite where ``exact`` underflows) and
        a bound on its absolute error (0 for a closed form); ``None`` where no
        exact value is known.
    integral, integral_error : float or None
        The density integrated over the sparse region (p = 2) and its error
        bound; ``None`` where not computed (p > 2, or ridge, whose region is a
        null set).
    zeros : tuple of int
        ``zeros[k]``: replications whose solution has exactly ``k`` zeros
        (on the ``"sparse"`` row; empty on the others).
    exact_zeros : tuple of float or None
        The exact law of that number, where known.
    uncertified : int
        Replications whose zero pattern could not be certified (correlated
        solvers); not counted in ``reps``.  :attr:`bounds` says how far they
        could move a probability.
    method : str
        ``"mc"`` (plain Monte Carlo) or ``"is"`` (importance sampling).
    """

    estimator: str
    estimand: str
    successes: int | None
    reps: int
    estimate: float
    std_error: float
    ci_low: float
    ci_high: float
    ci_method: str
    confidence_level: float
    exact: float | None
    log_exact: float | None
    exact_error: float | None
    integral: float | None
    integral_error: float | None
    zeros: tuple
    exact_zeros: tuple | None = None
    uncertified: int = 0
    method: str = "mc"
    log_estimate: float | None = None
    relative_error: float | None = None

    @property
    def sparse(self) -> int | None:
        """The count of the ``"sparse"`` row (older name of :attr:`successes`)."""
        return self.successes

    @property
    def bounds(self) -> tuple | None:
        """``[successes, successes + uncertified] / (reps + uncertified)``: the proportion whatever the
        uncertified replications were (``None`` for a mean)."""
        if self.successes is None or self.method != "mc":
            return None
        total = self.reps + self.uncertified
        if total == 0:
            return (0.0, 1.0)
        return (self.successes / total, (self.successes + self.uncertified) / total)

    @property
    def z_score(self) -> float | None:
        """``(estimate - exact) / SE`` with the SE under the exact probability (see ``_inference.z_score``).

        For importance sampling, on the log scale: ``(log estimate - log exact) / relative error``.
        """
        if self.exact is None:
            return None
        if self.successes is None:  # a mean: (estimate - exact) / its standard error
            return (self.estimate - self.exact) / self.std_error if self.std_error else None
        if self.method != "mc":
            if not self.relative_error or self.log_exact is None or not math.isfinite(self.log_exact):
                return None
            return (self.log_estimate - self.log_exact) / self.relative_error
        from .._stats.inference import z_score

        return z_score(self.successes, self.reps, self.exact)

    def binomtest(self):
        """Two-sided exact binomial test of the count against ``exact`` (``scipy.stats.binomtest``)."""
        from scipy.stats import binomtest

        if self.exact is None or self.successes is None:
            raise ValueError(f"no exact probability is known for {self.estimator}, {self.estimand} here")
        return binomtest(self.successes, self.reps, self.exact)

    @property
    def binom_pvalue(self) -> float | None:
        """The p-value of :meth:`binomtest`, ``None`` without an exact value or for importance sampling."""
        if self.exact is None or self.method != "mc" or self.successes is None:
            return None
        from .._stats.inference import binomial_pvalue

        return binomial_pvalue(self.successes, self.reps, self.exact)

    def to_dict(self) -> dict:
        """The row as in the command line's JSON."""
        out = asdict(self)
        out["zeros"] = list(self.zeros)
        out["exact_zeros"] = None if self.exact_zeros is None else list(self.exact_zeros)
        out["z"] = self.z_score
        if self.method == "mc":
            del out["log_estimate"], out["relative_error"]
        # JSON has no infinities: log 0 (ridge's exact) and an infinite z are null there.
        return {key: None if isinstance(value, float) and not math.isfinite(value) else value
                for key, value in out.items()}


@dataclass(frozen=True)
class SimulationResult:
    """The result of :func:`~mc_sparsity.simulate`: the scenario and one row per estimator.

    ``entropy`` and ``spawn_key`` are those of the run's root
    ``numpy.random.SeedSequence``: ``simulate(..., rng=SeedSequence(entropy,
    spawn_key=spawn_key))`` reproduces the run, whatever ``rng`` was given.
    """

    beta: list
    sigma: float
    form: str
    level: float
    reps: int
    seed: int | None
    entropy: object
    spawn_key: tuple
    results: tuple
    params: dict = field(default_factory=dict)
    design: dict | None = None
    method: str = "mc"

    def __getitem__(self, key) -> EstimatorResult:
        """``res["lasso"]``: the lasso's first row (P(sparse) by default); ``res["lasso", "support"]``: that estimand's."""
        estimator, estimand = (key, None) if isinstance(key, str) else key
        for row in self.results:
            if row.estimator == estimator and estimand in (None, row.estimand):
                return row
        raise KeyError(key)

    @property
    def level_name(self) -> str:
        return FORMS[self.form]

    def to_dict(self) -> dict:
        """The command line's ``--json`` object."""
        return {
            "beta": list(self.beta),
            "sigma": self.sigma,
            "form": self.form,
            self.level_name: self.level,
            "design": self.design or {"kind": "orthonormal", "rho": None, "gram": None},
            "method": self.method,
            "reps": self.reps,
            "seed": self.seed,
            "entropy": self.entropy,
            "spawn_key": list(self.spawn_key),
            **({"params": self.params} if self.params else {}),
            "results": [row.to_dict() for row in self.results],
        }

    def records(self, scenario: str | None = None) -> list[dict]:
        """One dict per estimator with the :data:`COLUMNS` (Python types: lists, dicts)."""
        design = self.design or {}
        out = []
        for row in self.results:
            record = {
                "scenario": scenario,
                "form": self.form,
                "p": len(self.beta),
                "beta": list(self.beta),
                "sigma": self.sigma,
                "lam": self.level if self.form == "penalized" else None,
                "radius": self.level if self.form == "constrained" else None,
                "design": design.get("kind", "orthonormal"),
                "rho": design.get("rho"),
                "gram": design.get("gram") if design.get("kind") == "gram" else None,
                "beta_norm_over_sigma": math.sqrt(math.fsum(b * b for b in self.beta)) / self.sigma,
                "level_over_sigma": self.level / self.sigma,
                **{name: getattr(row, name) for name in _ROW_FIELDS},
                "params": dict(self.params),
                "zeros": list(row.zeros),
                "exact_zeros": None if row.exact_zeros is None else list(row.exact_zeros),
                "z": row.z_score,
                "binom_pvalue": row.binom_pvalue,
            }
            out.append(record)
        return out

    def to_frame(self):
        """A tidy ``pandas.DataFrame``: one row per estimator, with the :data:`COLUMNS`.

        The same columns as the study's CSV; ``beta``, ``zeros`` and
        ``exact_zeros`` are lists and ``params`` a dict here.
        """
        import pandas as pd

        return pd.DataFrame(self.records(), columns=list(COLUMNS))


#: A row's own fields, in the order of the dataclass (``params`` is the scenario's, kept beside them).
_ROW_FIELDS = tuple(f.name for f in fields(EstimatorResult))
#: The columns of a result table, in order: the scenario's, the row's fields, ``params``, derived ones.
COLUMNS = SCENARIO_COLUMNS + _ROW_FIELDS[:1] + ("params",) + _ROW_FIELDS[1:] + DERIVED_COLUMNS


def to_csv_text(records) -> str:
    """The CSV text of result records (dicts with the :data:`COLUMNS`), lists written as text."""
    import pandas as pd

    rows = []
    for record in records:
        row = dict(record)
        for column in _LIST_COLUMNS:
            row[column] = format_numbers(row[column])
        row["params"] = format_params(row["params"])
        row["gram"] = _format_gram(row["gram"])
        rows.append(row)
    return pd.DataFrame(rows, columns=list(COLUMNS)).to_csv(index=False, lineterminator="\n")


def hashable(table):
    """A copy of a result table with ``beta``, ``zeros`` and ``exact_zeros`` as tuples.

    Tuples can be grouped, sorted and compared, which the report and the
    figures do.
    """
    table = table.copy()
    for column in _LIST_COLUMNS:
        table[column] = [None if v is None or (isinstance(v, float) and v != v) else tuple(v)
                         for v in table[column]]
    return table


def read_results(source):
    """Read a result CSV (a path or a file object) into a DataFrame with Python types.

    ``beta``, ``zeros`` and ``exact_zeros`` become lists, ``params`` a dict
    and ``gram`` a list of rows: the inverse of :func:`to_csv_text`.
    """
    import pandas as pd

    # numbers stay numeric (missing: NaN); the list columns are text even when every beta has one coordinate
    table = pd.read_csv(source, dtype={**dict.fromkeys(_LIST_COLUMNS, str), "gram": str})
    for column, kind in _LIST_COLUMNS.items():
        table[column] = [parse_numbers(v, kind) for v in table[column]]
    table["params"] = [parse_params(v) for v in table["params"]]
    table["gram"] = [None if not isinstance(v, str) else [parse_numbers(r) for r in v.split(";")]
                     for v in table["gram"]]
    return table
