"""Simulation studies: a grid of scenarios read from TOML, run, and written as a tidy table.

A study file has a ``[study]`` table and one or more ``[[grid]]`` tables; each
grid is the Cartesian product of its lists::

    [study]
    name = "example"
    seed = 2026          # the study seed
    reps = 1_000_000     # default replications per scenario

    [[grid]]
    form = "penalized"   # or "constrained"
    beta = [[1.0, 0.3], [0.0, 0.0]]   # vectors; or numbers together with p = [...]
    sigma = [1.0]
    lam = [0.0, 0.5, 1.0]             # "radius" for the constrained form
    reps = [1_000_000]   # optional: overrides the study default

A scalar ``beta`` entry ``b`` with ``p = [2, 5]`` stands for the vector
``(b, ..., b)`` of each length.  Each scenario's random numbers come from the
study seed and a hash of the scenario itself (form, beta, sigma, level, reps),
never from its position in the grid, so adding a scenario leaves every other
scenario's counts unchanged.

The run is resumable: each finished scenario is appended to a journal beside
the output (``.OUT.IDENTITY.partial.jsonl``, see ``_output``); rerunning the
same study into the same path skips the scenarios already there, and the
final table, written atomically, is the same as that of an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import sys
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from .._base.errors import ParameterError
from .._estimators.registry import FORMS, PARAMETERS
from .._mc.results import to_csv_text

__all__ = ["Scenario", "Study", "StudyError", "load_study", "parse_study", "run_study"]

_STUDY_KEYS = {"name": str, "seed": int, "reps": (int, float), "description": str, "max_scenarios": int,
               "max_p": int, "sections": list}
#: The report's sections beyond the study's own table, each run by the pipeline when the study names it.
SECTIONS = ("recovery", "zhao_yu", "transition")
_PARAM_KEYS = tuple(PARAMETERS)
_GRID_KEYS = {"form", "beta", "p", "sigma", *FORMS.values(), "reps", "estimator", *_PARAM_KEYS,
              "rho", "design", "gram", "estimand"}
_SOLVER_KEYS = {"beta", "sigma", "lam", "rho", "design", "gram", "solver", "iterations", "reps", "tol", "start",
                "step"}
#: At most this many scenarios in a study (the grid's size is computed before it is built);
#: ``study.max_scenarios`` overrides it.
MAX_SCENARIOS = 1_000_000
#: The largest p a study scenario may have: the kernels hold O(p) per replication, the exact
#: K law O(p^2) (``study.max_p`` overrides it).
MAX_P = 10_000
#: The deepest TOML nesting a study file may have.
MAX_DEPTH = 8
#: Where the exact P or 1 - P is below this, the report confirms it by importance sampling too:
#: 1e7 plain Monte Carlo draws see fewer than about 100 such events.
RARE = 1e-5
_FORM_LEVEL = FORMS
#: The default replications per scenario of a study file without ``study.reps``.
DEFAULT_STUDY_REPS = 1_000_000


class StudyError(ValueError):
    """A study file that cannot be run; the message names the key (``key`` attribute)."""

    def __init__(self, message: str, key: str | None = None):
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class Scenario:
    """One cell of the grid: a validated scenario and its replications.

    ``design`` is the :class:`~mc_sparsity.Design` object itself (orthonormal
    included), so that a study draws exactly what ``simulate()`` draws for the
    same scenario and stream.
    """

    form: str
    beta: tuple[float, ...]
    sigma: float
    level: float
    reps: int
    estimators: tuple[str, ...] = ("all",)
    params: tuple[tuple[str, float], ...] = ()  # parameters of the estimators beyond lasso and ridge
    design: object = None                       # a Design; None: orthonormal
    estimands: tuple[str, ...] = ("sparse",)

    @property
    def level_name(self) -> str:
        return _FORM_LEVEL[self.form]

    @property
    def correlated(self) -> bool:
        return self.design is not None and not self.design.is_orthonormal

    @property
    def key(self) -> str:
        """A stable identifier: a hash of what the scenario is, not where it stands."""
        parts = [self.form, list(self.beta), self.sigma, self.level, self.reps,
                 list(self.estimators), [list(kv) for kv in self.params]]
        if self.correlated:  # orthonormal scenarios keep the keys (and so the streams) they always had
            d = self.design
            parts.append([d.kind, d.rho, [[float(v) for v in row] for row in d.gram]])
        if self.estimands != ("sparse",):
            parts.append(list(self.estimands))
        text = json.dumps(parts)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seed(self, study_seed: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(study_seed, spawn_key=(int(self.key, 16),))

    def validated(self):
        """The :class:`mc_sparsity._mc.scenario.Scenario` this cell is (raises ParameterError if it is not one)."""
        from .._mc.scenario import make_scenario

        return make_scenario(self.beta, self.sigma, **{self.level_name: self.level}, estimator=list(self.estimators),
                             design=self.design, estimand=list(self.estimands), params=dict(self.params))


@dataclass(frozen=True)
class SolverRun:
    """One ``[[solvers]]`` table: the arguments of :func:`mc_sparsity._solvers.study.run_solvers`."""

    beta: tuple
    sigma: float
    lam: float
    design: object   # a Design, or None (orthonormal)
    solvers: tuple
    iterations: tuple
    reps: int
    tols: tuple
    start: str
    step: float | None

    def kwargs(self) -> dict:
        return {"beta": list(self.beta), "sigma": self.sigma, "lam": self.lam, "design": self.design,
                "solvers": list(self.solvers), "iterations": list(self.iterations), "reps": self.reps,
                "tols": list(self.tols), "start": self.start, "step": self.step}


@dataclass(frozen=True)
class Study:
    name: str
    seed: int
    scenarios: tuple[Scenario, ...]
    source: str  # the file's text
    solver_runs: tuple = ()
    base: Path | None = None  # the study file's folder (paths in it are relative to it)
    sections: tuple = ()      # report sections beyond the table (SECTIONS)

    @property
    def identity(self) -> str:
        """What decides the numbers: the seed, the scenarios and the package version (not the file's text)."""
        from .. import __version__

        text = json.dumps([__version__, self.seed, [s.key for s in self.scenarios]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------- reading
def _fail(where: str, message: str):
    raise StudyError(f"{where}: {message}", key=where)


def _number(value, where, *, positive=False, nonnegative=False, integer=False):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(where, f"must be a number, got {value!r}")
    if integer and not (isinstance(value, int) or float(value).is_integer()):
        _fail(where, f"must be a whole number, got {value!r}")
    if not math.isfinite(value):
        _fail(where, f"must be finite, got {value!r}")
    if positive and value <= 0:
        _fail(where, f"must be > 0, got {value!r}")
    if nonnegative and value < 0:
        _fail(where, f"must be >= 0, got {value!r}")
    return int(value) if integer else float(value)


def _nonempty_list(grid, key, where):
    value = grid[key]
    if not isinstance(value, list) or not value:
        _fail(f"{where}.{key}", f"must be a non-empty list, got {value!r}")
    return value


def _grams(value, where, base) -> list:
    """``gram``: a file name (relative to the study file), one matrix inline (a list of rows) or a list of them."""
    def is_matrix(v):
        return (isinstance(v, list) and len(v) > 0 and all(isinstance(r, list) and r for r in v)
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) for r in v for x in r))

    if isinstance(value, str):
        return [Path(value) if base is None else base / value]
    if is_matrix(value):
        return [[[float(x) for x in row] for row in value]]
    if isinstance(value, list) and value and all(is_matrix(m) for m in value):
        return [[[float(x) for x in row] for row in m] for m in value]
    _fail(where, f"must be a file name (relative to the study file), a matrix (a list of rows) or a list of "
                 f"matrices, got {value!r}")


def _parse_designs(table, where, sizes, base) -> list[dict]:
    """The designs of a grid, as ``[{p: Design}]``: one dict per rho (or one for a gram)."""
    if not ({"rho", "design", "gram"} & set(table)):
        return [{}]
    from .._designs.design import design_for
    from .._mc.scenario import MAX_CORRELATED_P

    if max(sizes) > MAX_CORRELATED_P:  # before an O(p^3) design is built
        _fail(f"{where}.{'gram' if 'gram' in table else 'rho'}",
              f"a correlated design is simulated up to p = {MAX_CORRELATED_P}, got p = {max(sizes):,}")
    kind = table.get("design")
    if kind is not None and kind not in ("equicorrelated", "ar1"):
        _fail(f"{where}.design", f"must be 'equicorrelated' or 'ar1', got {kind!r}")
    if "gram" in table:
        if "rho" in table or kind is not None:
            _fail(f"{where}.gram", "goes without rho and design")
        choices = [("gram", None, g) for g in _grams(table["gram"], f"{where}.gram", base)]
    else:
        if "rho" not in table:
            _fail(f"{where}.design", "needs rho")
        choices = [(kind or "equicorrelated", _number(r, f"{where}.rho"), None)
                   for r in _nonempty_list(table, "rho", where)]
    out = []
    for kind, rho, path in choices:
        per_p = {}
        for p in sorted(sizes):
            try:
                design = design_for(p, rho=rho, kind=kind if path is None else None, gram=path)
            except ParameterError as exc:
                _fail(f"{where}.{'gram' if path is not None else 'rho'}", str(exc))
            per_p[p] = design
        out.append(per_p)
    return out


def _parse_grid(grid, index, default_reps, limits, base=None) -> list[Scenario]:
    where = f"grid[{index}]"
    if not isinstance(grid, dict):
        _fail(where, "must be a table")
    unknown = set(grid) - _GRID_KEYS
    if unknown:
        _fail(f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(_GRID_KEYS))})")
    form = grid.get("form")
    if form not in _FORM_LEVEL:
        _fail(f"{where}.form", f"must be 'penalized' or 'constrained', got {form!r}")
    level_key = _FORM_LEVEL[form]
    other = _FORM_LEVEL["constrained" if form == "penalized" else "penalized"]
    if other in grid:
        _fail(f"{where}.{other}", f"does not belong to the {form} form (use {level_key})")
    for key in ("beta", level_key):
        if key not in grid:
            _fail(f"{where}.{key}", "is missing")
    sizes = [_number(p, f"{where}.p", positive=True, integer=True) for p in _nonempty_list(grid, "p", where)] \
        if "p" in grid else None
    for p in sizes or ():
        if p > limits["max_p"]:  # before a vector of that length is built
            _fail(f"{where}.p", f"p = {p:,} is above the limit of {limits['max_p']:,} (raise it with study.max_p)")
    entries = _nonempty_list(grid, "beta", where)
    for i, b in enumerate(entries):
        if isinstance(b, list):
            if sizes is not None:
                _fail(f"{where}.p", "goes with scalar beta entries only")
            if not b:
                _fail(f"{where}.beta[{i}]", "must be a non-empty vector")
            if len(b) > limits["max_p"]:
                _fail(f"{where}.beta[{i}]", f"p = {len(b):,} is above the limit of {limits['max_p']:,} "
                                            "(raise it with study.max_p)")
        elif sizes is None:
            _fail(f"{where}.beta[{i}]", "is a number: give p = [...] too, or a vector")
    sigmas = [_number(s, f"{where}.sigma", positive=True) for s in _nonempty_list(grid, "sigma", where)] \
        if "sigma" in grid else [1.0]
    levels = [_number(v, f"{where}.{level_key}", positive=form == "constrained", nonnegative=True)
              for v in _nonempty_list(grid, level_key, where)]
    reps = [_reps(r, f"{where}.reps") for r in _nonempty_list(grid, "reps", where)] \
        if "reps" in grid else [default_reps]
    n_designs = len(_nonempty_list(grid, "rho", where)) if "rho" in grid else 1
    n_betas = sum(1 if isinstance(b, list) else len(sizes) for b in entries)
    size = n_betas * len(sigmas) * len(levels) * len(reps) * n_designs  # counted before anything is built
    if size > limits["max_scenarios"]:
        _fail(where, f"describes {size:,} scenarios, more than the limit of {limits['max_scenarios']:,} "
                     "(raise it with study.max_scenarios)")
    limits["max_scenarios"] -= size
    betas = []
    for i, b in enumerate(entries):
        if isinstance(b, list):
            betas.append(tuple(_number(v, f"{where}.beta[{i}]") for v in b))
        else:
            betas.extend(tuple([_number(b, f"{where}.beta[{i}]")] * p) for p in sizes)
    estimators = ("all",)
    if "estimator" in grid:
        estimators = tuple(_nonempty_list(grid, "estimator", where))
        if not all(isinstance(e, str) for e in estimators):
            _fail(f"{where}.estimator", f"must be a list of names, got {grid['estimator']!r}")
    estimands = ("sparse",)
    if "estimand" in grid:
        estimands = tuple(_nonempty_list(grid, "estimand", where))
        if not all(isinstance(e, str) for e in estimands):
            _fail(f"{where}.estimand", f"must be a list of names, got {grid['estimand']!r}")
    params = tuple((key, _number(grid[key], f"{where}.{key}")) for key in _PARAM_KEYS if key in grid)
    designs = _parse_designs(grid, where, {len(b) for b in betas}, base)
    scenarios = [Scenario(form, beta, sigma, level, n, estimators, params, design.get(len(beta)), estimands)
                 for beta, sigma, level, n, design in itertools.product(betas, sigmas, levels, reps, designs)]
    for scenario in scenarios:  # a long run must not fail at its last scenario: every one is checked now
        _check_scenario(scenario, where, grid)
    return scenarios


def _reps(value, where) -> int:
    from .._mc.simulate import MAX_REPS

    reps = _number(value, where, positive=True, integer=True)
    if reps > MAX_REPS:
        _fail(where, f"must be <= 2**62, what the 64-bit counters hold with room to add; got {reps:.3g}")
    return reps


def _check_scenario(scenario: Scenario, where: str, grid) -> None:
    """Validate the whole scenario as ``simulate()`` would, naming the study key of a bad value."""
    try:
        scenario.validated()
    except (ParameterError, TypeError) as exc:
        parameter = getattr(exc, "parameter", None) or "estimator"
        key = {"lam": "lam", "radius": "radius", "sigma": "sigma", "beta": "beta",
               "design": "gram" if "gram" in grid else "rho"}.get(parameter, parameter)
        _fail(f"{where}.{key}", str(exc))


def _depth(value, level=0) -> int:
    """The nesting depth of a parsed TOML value, stopping early past :data:`MAX_DEPTH`."""
    if level > MAX_DEPTH:
        return level
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def parse_study(text: str, name: str = "<study>", base=None) -> Study:
    """Parse and validate the TOML text of a study.

    ``base`` is the folder that relative paths in the study (``gram``) are
    relative to.  Sizes are bounded before anything is built: nesting depth
    :data:`MAX_DEPTH`, :data:`MAX_SCENARIOS` scenarios, p up to :data:`MAX_P`.
    """
    if len(text) > 1_000_000:
        raise StudyError(f"{name}: the study file is {len(text):,} characters long, more than 1,000,000")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{name}: not valid TOML: {exc}") from None
    except RecursionError:
        raise StudyError(f"{name}: nested too deeply (at most {MAX_DEPTH} levels)") from None
    if _depth(data) > MAX_DEPTH:
        raise StudyError(f"{name}: nested too deeply (at most {MAX_DEPTH} levels)")
    unknown = set(data) - {"study", "grid", "solvers"}
    if unknown:
        _fail(sorted(unknown)[0], "unknown key (known: study, grid, solvers)")
    head = data.get("study", {})
    if not isinstance(head, dict):
        _fail("study", "must be a table")
    for key, value in head.items():
        if key not in _STUDY_KEYS:
            _fail(f"study.{key}", f"unknown key (known: {', '.join(_STUDY_KEYS)})")
        kinds = _STUDY_KEYS[key] if isinstance(_STUDY_KEYS[key], tuple) else (_STUDY_KEYS[key],)
        if not isinstance(value, kinds) or isinstance(value, bool):
            _fail(f"study.{key}", f"must be of type {' or '.join(k.__name__ for k in kinds)}, got {value!r}")
    seed = head.get("seed", 0)
    if seed < 0:
        _fail("study.seed", f"must be >= 0, got {seed}")
    reps = _number(head.get("reps", DEFAULT_STUDY_REPS), "study.reps", positive=True, integer=True)
    grids = data.get("grid")
    if not isinstance(grids, list) or not grids:
        _fail("grid", "the study has no [[grid]] table: nothing to run")
    limits = {"max_scenarios": head.get("max_scenarios", MAX_SCENARIOS), "max_p": head.get("max_p", MAX_P)}
    scenarios = []
    for i, grid in enumerate(grids):
        scenarios.extend(_parse_grid(grid, i, reps, limits, base))
    unique = list(dict.fromkeys(scenarios))  # a scenario listed twice runs once
    solver_tables = data.get("solvers", [])
    if not isinstance(solver_tables, list):
        _fail("solvers", "must be an array of tables: [[solvers]]")
    runs = tuple(_parse_solvers(table, i, base) for i, table in enumerate(solver_tables))
    sections = tuple(head.get("sections", ()))
    for section in sections:
        if section not in SECTIONS:
            _fail("study.sections", f"unknown section {section!r} (known: {', '.join(SECTIONS)})")
    return Study(name=head.get("name", name), seed=seed, scenarios=tuple(unique), source=text,
                 solver_runs=runs, base=base, sections=sections)


def _parse_solvers(table, index, base) -> SolverRun:
    """One ``[[solvers]]`` table (see :func:`mc_sparsity._solvers.study.run_solvers`)."""
    from .._solvers.iterative import MAX_ITERATIONS, SOLVERS, STARTS
    from .._solvers.study import DEFAULT_SOLVERS

    where = f"solvers[{index}]"
    if not isinstance(table, dict):
        _fail(where, "must be a table")
    unknown = set(table) - _SOLVER_KEYS
    if unknown:
        _fail(f"{where}.{sorted(unknown)[0]}", f"unknown key (known: {', '.join(sorted(_SOLVER_KEYS))})")
    for key in ("beta", "lam"):
        if key not in table:
            _fail(f"{where}.{key}", "is missing")
    if not isinstance(table["beta"], list) or not table["beta"]:
        _fail(f"{where}.beta", "must be a non-empty vector")
    beta = tuple(_number(v, f"{where}.beta") for v in table["beta"])
    sigma = _number(table.get("sigma", 1.0), f"{where}.sigma", positive=True)
    lam = _number(table["lam"], f"{where}.lam", positive=True)
    if isinstance(table.get("rho"), list):
        if len(table["rho"]) != 1:
            _fail(f"{where}.rho", f"a [[solvers]] table takes one rho, got {table['rho']!r}")
    elif "rho" in table:
        table = {**table, "rho": [table["rho"]]}
    (design,) = _parse_designs(table, where, {len(beta)}, base)[:1] or [{}]
    names = tuple(_names_list(table, "solver", where, DEFAULT_SOLVERS))
    for solver in names:
        if solver not in (*SOLVERS, "sklearn"):
            _fail(f"{where}.solver", f"unknown solver {solver!r} (known: {', '.join((*SOLVERS, 'sklearn'))})")
    iterations = tuple(_number(k, f"{where}.iterations", positive=True, integer=True)
                       for k in _names_list(table, "iterations", where, [1, 2, 5, 10, 100, 1000], kind=(int, float)))
    if max(iterations) > MAX_ITERATIONS:
        _fail(f"{where}.iterations", f"at most {MAX_ITERATIONS:,} iterations, got {max(iterations):,}")
    if list(iterations) != sorted(set(iterations)):
        _fail(f"{where}.iterations", f"must be strictly increasing, got {list(iterations)}")
    tols = tuple(_number(t, f"{where}.tol", positive=True)
                 for t in _names_list(table, "tol", where, [1e-2, 1e-4, 1e-8, 1e-12], kind=(int, float)))
    start = table.get("start", "zero")
    if start not in STARTS:
        _fail(f"{where}.start", f"must be one of {', '.join(STARTS)}, got {start!r}")
    step = _number(table["step"], f"{where}.step", positive=True) if "step" in table else None
    reps = _number(table.get("reps", 100_000), f"{where}.reps", positive=True, integer=True)
    return SolverRun(beta, sigma, lam, design.get(len(beta)), names, iterations, reps, tols, start, step)


def _names_list(table, key, where, default, kind=str) -> list:
    """``table[key]``: a non-empty list of values of ``kind`` (the default when absent)."""
    value = table.get(key, list(default))
    if not isinstance(value, list) or not value:
        _fail(f"{where}.{key}", f"must be a non-empty list, got {value!r}")
    if not all(isinstance(v, kind) and not isinstance(v, bool) for v in value):
        _fail(f"{where}.{key}", f"must be a list of {'names' if kind is str else 'numbers'}, got {value!r}")
    return value


def default_study_text() -> str:
    return resources.files("mc_sparsity").joinpath("data/default_study.toml").read_text()


def load_study(path=None) -> Study:
    """Read and validate a study file.

    Parameters
    ----------
    path : str or path, optional
        A TOML study file; ``None`` gives the default study shipped with the
        package (``mc_sparsity/data/default_study.toml``).

    Returns
    -------
    Study
        Its scenarios (validated, bounded in number and size) and solver runs.

    Raises
    ------
    StudyError
        A file that cannot be read or run; the message names the key.

    Examples
    --------
    >>> study = load_study()
    >>> study.name, len(study.scenarios) > 100
    ('default', True)
    """
    if path is None:
        return parse_study(default_study_text(), "default")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a byte-order mark (Windows editors) is accepted
    except OSError as exc:
        raise StudyError(f"{path}: cannot read the study file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise StudyError(f"{path}: not a text file") from None
    return parse_study(text, path.stem, base=path.parent)


# ---------------------------------------------------------------- running
def _scenario_rows(study: Study, scenario: Scenario, n_jobs, backend) -> list[dict]:
    """The scenario's rows: Monte Carlo for every estimator, and importance sampling for a rare lasso cell.

    Where the lasso's exact P(sparse) or 1 - P(sparse) is below :data:`RARE`
    (orthonormal design; the constrained form at p = 2), an importance-sampling
    row estimates the rare one of the two, from the scenario's named stream "importance".
    """
    from .._mc.scenario import make_scenario
    from .._mc.simulate import run_scenario
    from .._mc.streams import named_stream

    seed = scenario.seed(study.seed)
    result = run_scenario(scenario.validated(), scenario.reps, seed, n_jobs=n_jobs, backend=backend)
    rows = result.records(scenario=scenario.key)
    lasso = [row for row in result.results
             if row.estimator == "lasso" and row.estimand == "sparse" and row.exact is not None]
    eligible = not scenario.correlated and ((scenario.form == "penalized" and scenario.level > 0)
                                            or (scenario.form == "constrained" and len(scenario.beta) == 2))
    if lasso and eligible and lasso[0].log_exact > -math.inf and min(lasso[0].exact, 1 - lasso[0].exact) < RARE:
        complement = lasso[0].exact > 0.5
        lasso_only = make_scenario(scenario.beta, scenario.sigma, **{scenario.level_name: scenario.level},
                                   estimator="lasso")
        rare = run_scenario(lasso_only, min(scenario.reps, 1_000_000), named_stream(seed, "importance"),
                            method="is", complement=complement, n_jobs=n_jobs, backend=backend)
        rows += rare.records(scenario=scenario.key)
    return rows


def _check_journal_rows(key: str, rows: list) -> None:
    """Raise unless ``rows`` are scenario ``key``'s rows of a result table (else the journal line is skipped)."""
    from .._mc.results import COLUMNS, read_results

    if any(set(row) != set(COLUMNS) or row["scenario"] != key for row in rows):
        raise ValueError("not this scenario's rows")
    read_results(io.StringIO(to_csv_text(rows)))


def run_study(study: Study, out, *, n_jobs=None, backend=None, progress: bool = False):
    """Run every scenario of ``study`` and write the tidy table to ``out`` (CSV).

    Rows are in the study's scenario order, one per scenario and estimator;
    timings are kept out so that the same study gives a byte-identical file.
    ``out`` is checked and locked before any work; finished scenarios are
    journaled so that an interrupted run resumes.

    Parameters
    ----------
    study : Study
        From :func:`load_study` or :func:`parse_study`.
    out : str or path
        The CSV to write (atomically); absent or a regular file.
    n_jobs : int, optional
        joblib workers (joblib's meaning); never changes the numbers.
    backend : str, optional
        joblib backend.
    progress : bool, default False
        A progress bar on stderr.

    Returns
    -------
    pandas.DataFrame
        The table, with Python types (:func:`~mc_sparsity._mc.results.read_results`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> study = parse_study('[study]\\nreps = 1000\\n[[grid]]\\nform = "penalized"\\nbeta = [[1.0, 0.3]]\\nlam = [0.5]\\n')
    >>> table = run_study(study, pathlib.Path(tempfile.mkdtemp()) / "r.csv")
    >>> list(table["estimator"]), int(table["reps"].iloc[0])
    (['lasso', 'ridge'], 1000)
    """
    from .output import Journal, OutputLock, check_output_file, write_atomic
    from .._mc.results import read_results

    out = check_output_file(out)
    with OutputLock(out):
        journal = Journal(out, study.identity)
        done = journal.read(check=_check_journal_rows)
        todo = [s for s in study.scenarios if s.key not in done]
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(study.scenarios), initial=len(study.scenarios) - len(todo), unit="scenario",
                       desc=study.name[:40], file=sys.stderr, leave=False, delay=1.0)
        try:
            for scenario in todo:
                rows = _scenario_rows(study, scenario, n_jobs, backend)
                journal.append(scenario.key, rows)
                done[scenario.key] = rows
                if bar is not None:
                    bar.update(1)
        finally:
            journal.close()
            if bar is not None:
                bar.close()
        text = to_csv_text(row for s in study.scenarios for row in done[s.key])
        write_atomic(out, text)
        journal.remove()
    return read_results(io.StringIO(text))
