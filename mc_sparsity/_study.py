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

from ._errors import ParameterError
from ._registry import FORMS, PARAMETERS, estimator_names, resolve_parameters
from ._results import to_csv_text

__all__ = ["Scenario", "Study", "StudyError", "load_study", "parse_study", "run_study"]

_STUDY_KEYS = {"name": str, "seed": int, "reps": (int, float), "description": str}
_PARAM_KEYS = tuple(PARAMETERS)
_GRID_KEYS = {"form", "beta", "p", "sigma", *FORMS.values(), "reps", "estimator", *_PARAM_KEYS}
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
    """One cell of the grid."""

    form: str
    beta: tuple[float, ...]
    sigma: float
    level: float
    reps: int
    estimators: tuple[str, ...] = ("all",)
    params: tuple[tuple[str, float], ...] = ()  # parameters of the estimators beyond lasso and ridge

    @property
    def level_name(self) -> str:
        return _FORM_LEVEL[self.form]

    @property
    def key(self) -> str:
        """A stable identifier: a hash of what the scenario is, not where it stands."""
        text = json.dumps([self.form, list(self.beta), self.sigma, self.level, self.reps,
                           list(self.estimators), [list(kv) for kv in self.params]])
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def seed(self, study_seed: int) -> np.random.SeedSequence:
        return np.random.SeedSequence(study_seed, spawn_key=(int(self.key, 16),))

    def simulate_kwargs(self) -> dict:
        return {"beta": self.beta, "sigma": self.sigma, self.level_name: self.level, "reps": self.reps,
                "estimator": list(self.estimators), **dict(self.params)}


@dataclass(frozen=True)
class Study:
    name: str
    seed: int
    scenarios: tuple[Scenario, ...]
    source: str  # the file's text: its hash keys the resume journal

    @property
    def identity(self) -> str:
        """What decides the numbers: the seed, the scenarios and the package version (not the file's text)."""
        from . import __version__

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


def _parse_grid(grid, index, default_reps) -> list[Scenario]:
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
    betas = []
    sizes = [_number(p, f"{where}.p", positive=True, integer=True) for p in _nonempty_list(grid, "p", where)] \
        if "p" in grid else None
    for i, b in enumerate(_nonempty_list(grid, "beta", where)):
        if isinstance(b, list):
            if sizes is not None:
                _fail(f"{where}.p", "goes with scalar beta entries only")
            if not b:
                _fail(f"{where}.beta[{i}]", "must be a non-empty vector")
            betas.append(tuple(_number(v, f"{where}.beta[{i}]") for v in b))
        else:
            if sizes is None:
                _fail(f"{where}.beta[{i}]", "is a number: give p = [...] too, or a vector")
            betas.extend(tuple([_number(b, f"{where}.beta[{i}]")] * p) for p in sizes)
    sigmas = [_number(s, f"{where}.sigma", positive=True) for s in _nonempty_list(grid, "sigma", where)] \
        if "sigma" in grid else [1.0]
    levels = [_number(v, f"{where}.{level_key}", positive=form == "constrained", nonnegative=True)
              for v in _nonempty_list(grid, level_key, where)]
    reps = [_number(r, f"{where}.reps", positive=True, integer=True) for r in _nonempty_list(grid, "reps", where)] \
        if "reps" in grid else [default_reps]
    estimators = ("all",)
    if "estimator" in grid:
        estimators = tuple(_nonempty_list(grid, "estimator", where))
        if not all(isinstance(e, str) for e in estimators):
            _fail(f"{where}.estimator", f"must be a list of names, got {grid['estimator']!r}")
    params = tuple((key, _number(grid[key], f"{where}.{key}")) for key in _PARAM_KEYS if key in grid)
    scenarios = [Scenario(form, beta, sigma, level, n, estimators, params)
                 for beta, sigma, level, n in itertools.product(betas, sigmas, levels, reps)]
    for scenario in scenarios:  # cheap, and a long run should not fail at its last scenario
        _check_estimators(scenario, where)
    return scenarios


def _check_estimators(scenario: Scenario, where: str) -> None:
    """Validate the grid's estimator names and parameters now, not after hours of running."""
    try:
        names = estimator_names(scenario.estimators, scenario.form)
        if scenario.form == "constrained" and scenario.params:
            raise ParameterError(scenario.params[0][0], f"{scenario.params[0][0]} does not belong to the "
                                 "constrained form")
        params = resolve_parameters(names, dict(scenario.params), scenario.form)
        if params.get("subset_size", 0) > len(scenario.beta):
            raise ParameterError("subset_size", f"subset_size must be <= p = {len(scenario.beta)}, "
                                 f"got {params['subset_size']}")
    except ParameterError as exc:
        _fail(f"{where}.{exc.parameter}", str(exc))


def parse_study(text: str, name: str = "<study>") -> Study:
    """Parse and validate the TOML text of a study."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StudyError(f"{name}: not valid TOML: {exc}") from None
    unknown = set(data) - {"study", "grid"}
    if unknown:
        _fail(sorted(unknown)[0], "unknown key (known: study, grid)")
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
    scenarios = []
    for i, grid in enumerate(grids):
        scenarios.extend(_parse_grid(grid, i, reps))
    unique = list(dict.fromkeys(scenarios))  # a scenario listed twice runs once
    return Study(name=head.get("name", name), seed=seed, scenarios=tuple(unique), source=text)


def default_study_text() -> str:
    return resources.files("mc_sparsity").joinpath("data/default_study.toml").read_text()


def load_study(path=None) -> Study:
    """Read a study file; ``None`` gives the default study shipped with the package."""
    if path is None:
        return parse_study(default_study_text(), "default")
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as exc:
        raise StudyError(f"{path}: cannot read the study file: {exc.strerror}") from None
    return parse_study(text, path.stem)


# ---------------------------------------------------------------- running
def _scenario_rows(study: Study, scenario: Scenario, n_jobs, backend) -> list[dict]:
    from ._simulate import simulate

    result = simulate(**scenario.simulate_kwargs(), rng=scenario.seed(study.seed), n_jobs=n_jobs, backend=backend)
    return result.records(scenario=scenario.key)


def run_study(study: Study, out, *, n_jobs=None, backend=None, progress: bool = False):
    """Run every scenario of ``study`` and write the tidy table to ``out`` (CSV).

    Returns the table as a ``pandas.DataFrame`` (:func:`~mc_sparsity._results.read_results`
    types).  Rows are in the study's scenario order, one per scenario and
    estimator; timings are kept out so that the same study gives a
    byte-identical file.  ``out`` is checked and locked before any work;
    finished scenarios are journaled so that an interrupted run resumes.
    """
    from ._output import Journal, OutputLock, check_output_file, write_atomic
    from ._results import read_results

    out = check_output_file(out)
    with OutputLock(out):
        journal = Journal(out, study.identity)
        done = journal.read()
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
