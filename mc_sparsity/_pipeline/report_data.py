"""Everything the report shows, computed apart from how it is shown.

:func:`collect_report_data` runs the study (``results.csv``, resumable), the
solver study of its ``[[solvers]]`` tables and the draws the figures and the
claim C6 need, and returns a :class:`ReportData`: plain tables and arrays.
The rendering (``mc_sparsity._report``) only renders it: it draws no random
number and solves nothing that decides a number of the report.

Every random number comes from a named stream of the study's root
``SeedSequence(study.seed)`` (``mc_sparsity._mc.streams``): the solver study's
run ``i`` from ``"solvers", i`` (scikit-learn's design and data inside it from
``"sklearn"``), the figures' draws from ``"figures", k`` with ``k`` in
:data:`FIGURE_STREAMS`.

Examples
--------
>>> import numpy as np
>>> draws = figure_draws(np.random.SeedSequence(1), coordinate_n=1000)
>>> draws.region_eps.shape, draws.coordinate_z.shape, draws.correlated_eps.shape
((3000, 2), (1000,), (2000, 2))
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .._mc.streams import named_stream

__all__ = ["COORDINATE", "FIGURE_STREAMS", "FigureDraws", "ReportData", "figure_draws", "coordinate_atom",
           "collect_report_data"]

#: The one-coordinate setting of the coordinate figure and of claim C6 (its draws: ``figures``, 1).
COORDINATE = {"beta": 1.0, "sigma": 1.0, "lam": 0.5, "n": 1_000_000}
#: The key, inside the named stream ``"figures"``, of each figure's draws.
FIGURE_STREAMS = {"sparse_regions": 0, "coordinate_distribution": 1, "correlated_regions": 2}
REGION_POINTS = 3000
CORRELATED_POINTS = 2000


@dataclass(frozen=True)
class FigureDraws:
    """Standard normal draws for the figures that show a cloud or a distribution.

    Attributes
    ----------
    region_eps : ndarray (REGION_POINTS, 2)
        The cloud of the sparse-regions figure: ``beta_hat = beta + sigma eps``.
    coordinate_z : ndarray (n,)
        ``z = beta + sigma eps`` of one coordinate (:data:`COORDINATE`).
    correlated_eps : ndarray (CORRELATED_POINTS, 2)
        The cloud of the correlated-regions figure, before its design's Cholesky factor.
    """

    region_eps: np.ndarray
    coordinate_z: np.ndarray
    correlated_eps: np.ndarray


def figure_draws(root, *, coordinate_n=COORDINATE["n"]) -> FigureDraws:
    """The figures' draws from the named streams ``"figures", k`` of ``root`` (a SeedSequence)."""
    def gen(name):
        return np.random.default_rng(named_stream(root, "figures", FIGURE_STREAMS[name]))

    z = COORDINATE["beta"] + COORDINATE["sigma"] * gen("coordinate_distribution").standard_normal(coordinate_n)
    return FigureDraws(region_eps=gen("sparse_regions").standard_normal((REGION_POINTS, 2)), coordinate_z=z,
                       correlated_eps=gen("correlated_regions").standard_normal((CORRELATED_POINTS, 2)))


def coordinate_atom(z, *, beta=COORDINATE["beta"], sigma=COORDINATE["sigma"], lam=COORDINATE["lam"]):
    """``(exact, lasso_zeros, ridge_zeros, n)`` for claim C6: the lasso's atom at 0 and ridge's zeros on ``z``."""
    from .._estimators.lasso_ridge import ridge_shrink, soft_threshold
    from .._exact.orthonormal import log_zero_probability

    exact = float(np.exp(log_zero_probability([beta], sigma, lam)[0]))
    return exact, int(np.sum(soft_threshold(z, lam) == 0)), int(np.sum(ridge_shrink(z, lam) == 0)), int(z.size)


@dataclass(frozen=True)
class ReportData:
    """What the report renders.

    Attributes
    ----------
    study : Study
    table : pandas.DataFrame
        The study table (``results.csv``).
    solver_runs : list of dict
        :func:`~mc_sparsity._solvers.study.run_solvers` results, one per ``[[solvers]]`` table.
    draws : FigureDraws
    atom : tuple
        :func:`coordinate_atom` of ``draws.coordinate_z`` (claim C6).
    """

    study: object
    table: object
    solver_runs: list = field(default_factory=list)
    draws: FigureDraws | None = None
    atom: tuple | None = None
    sections: dict = field(default_factory=dict)   # name -> the section's data (study.sections)


def collect_report_data(study, results_path, *, n_jobs=-1, backend=None, progress=False) -> ReportData:
    """Run ``study`` (writing ``results_path``, resumable), its solver study and the figures' draws."""
    from .._solvers.study import run_solvers
    from .study import run_study

    table = run_study(study, results_path, n_jobs=n_jobs, backend=backend, progress=progress)
    table = table[table["estimand"] == "sparse"].reset_index(drop=True)  # the table's sections: P(sparse)
    root = np.random.SeedSequence(study.seed)
    solver_runs = []
    for i, run in enumerate(study.solver_runs):
        result = run_solvers(**run.kwargs(), rng=named_stream(root, "solvers", i), n_jobs=n_jobs,
                             skip_sklearn_if_missing=True)
        result["seed"] = study.seed
        solver_runs.append(result)
    draws = figure_draws(root)
    return ReportData(study=study, table=table, solver_runs=solver_runs, draws=draws,
                      atom=coordinate_atom(draws.coordinate_z),
                      sections=collect_sections(study.sections, n_jobs=n_jobs, progress=progress))


def collect_sections(names, *, n_jobs=-1, progress=False) -> dict:
    """The data of the report's sections beyond the table.

    ``recovery``: Wainwright's transition (random designs, p > n); ``zhao_yu``: Zhao and Yu's example 1
    (fixed design); ``transition``: basis pursuit against the minimum-norm solution (random measurements).
    Each is a fixed reproduction with its own seed (stated in its section), independent of the study's.
    """
    out = {}
    if "recovery" in names:
        from .._recovery.section import recovery_section_data

        out["recovery"] = recovery_section_data(n_jobs=n_jobs, progress=progress)
    if "zhao_yu" in names:
        from .._recovery.zhao_yu_section import zhao_yu_section

        out["zhao_yu"] = zhao_yu_section(n_jobs=n_jobs)
    if "transition" in names:
        from .._transition.section import transition_section

        out["transition"] = transition_section(n_jobs=n_jobs, progress=progress)
    return out
