"""The report's figures: each one's drawing function and caption, in one place.

The drawing functions live by subject in ``figures_study``, ``figures_penalties``,
``figures_geometry`` and ``figures_solvers``; they only draw.  Draws of
``beta_hat`` come from the pipeline (``mc_sparsity._pipeline.report_data``),
never from a random generator here.  :func:`render_figures` returns the PNG
bytes of every figure the data supports; :func:`make_figures` writes them.
"""

from __future__ import annotations

import io
from pathlib import Path

from .._mc.results import hashable
from .figures_geometry import (CORRELATED_REGIONS, plot_coordinate_distribution, plot_correlated_regions,
                               plot_probability_against_rho, plot_sparse_regions, sparse_mask)
from .figures_penalties import PENALTY_STYLE, plot_penalty_zero_probability, plot_thresholding_functions
from .figures_solvers import SOLVER_STYLE, plot_solver_zeros, plot_subgradient_toy
from .figures_study import (calibration_z, plot_calibration, plot_error_against_reps, plot_probability_curves,
                            plot_zero_counts)

__all__ = ["CAPTIONS", "FIGURES", "render_figures", "make_figures", "calibration_z", "sparse_mask",
           "CORRELATED_REGIONS", "PENALTY_STYLE", "SOLVER_STYLE", "plot_sparse_regions", "plot_probability_curves",
           "plot_coordinate_distribution", "plot_error_against_reps", "plot_calibration", "plot_zero_counts",
           "plot_penalty_zero_probability", "plot_thresholding_functions", "plot_correlated_regions",
           "plot_probability_against_rho", "plot_solver_zeros", "plot_subgradient_toy"]

#: One caption per figure, in the report's order.
CAPTIONS = {
    "sparse_regions": "The sparse region A_L (grey) for the penalized form (two strips) and the constrained form "
                      "(four wedges beyond the vertices of the L1 diamond), with draws of beta_hat coloured by "
                      "whether the lasso solution has a zero. Ridge is zero only on the axes.",
    "probability_curves": "P(sparse) against the level: exact curves, Monte Carlo points with 95% intervals "
                          "(smaller than the dots), and ridge at 0 throughout.",
    "coordinate_distribution": "The law of one coordinate's estimate: the lasso's atom at 0 beside ridge's "
                               "continuous density.",
    "error_against_reps": "The Monte Carlo error against the number of replications, with the 1/sqrt(N) law.",
    "calibration": "One z-score per scenario (the lasso's, since a scenario's estimators count zeros on the same "
                   "draws) against N(0, 1): plain Monte Carlo rows with an exact value and N p(1 - p) >= 10 (the "
                   "rows left out are counted in the left panel's title); the reported standard errors are the "
                   "right size.",
    "zero_counts": "The number of zero coordinates K at p = 5 and 10, simulated against the exact "
                   "Poisson-binomial law.",
    "penalty_zero_probability": "P(estimate = 0) of one coordinate for every penalty. Top: against each penalty's "
                                "own level lambda, which is how a user tunes it; the curves differ only because the "
                                "same lambda means different thresholds. Bottom: against the threshold tau "
                                "(zero iff |z| <= tau); every rule falls on one curve, because whether a coordinate "
                                "is zero depends on the threshold alone. We match thresholds rather than prediction "
                                "risk because the question here is sparsity, which the threshold alone decides; "
                                "the rules differ in how they shrink what survives (next figure).",
    "thresholding_functions": "Each estimator's rule z -> theta_hat at lambda = 1: a flat stretch at 0 (grey) for "
                              "every penalty with a corner (L1, elastic net, SCAD, MCP) or a jump (L0, L_q with "
                              "q < 1) at 0; none for ridge.",
    "correlated_regions": "ESL Figure 3.11 with correlated predictors: for rho = -0.6, 0.3 and 0.9 the exact sparse "
                          "region (grey, every grid point solved) tilts and stretches with the ellipses of the loss, "
                          "yet keeps positive area, so draws of beta_hat ~ N(beta, sigma^2 (X^T X)^-1) land in it "
                          "with the positive probability in each title, in the penalized (top) and constrained "
                          "(bottom) form.",
    "probability_against_rho": "P(lasso sparse) against the correlation rho of the two predictors: exact lines, "
                                "Monte Carlo dots with 95% intervals (rho = 0 from the orthonormal grid), positive "
                                "at every rho, while ridge is sparse in none of its draws.",
    "solver_zeros": "Exact zeros of iterative solvers on the same draws: ISTA, FISTA and coordinate descent reach the "
                    "exact solution's zero pattern after finitely many iterations, subgradient descent essentially "
                    "never produces an exact zero, and scikit-learn's Lasso at a loose tol can report spurious zeros.",
    "subgradient_toy": "The thread's toy example: subgradient steps of 1/2 on |w| reach 0.0 exactly from w = 5 "
                       "(at step 10) only because 5 is a multiple of the step, while from w = 5.1 they oscillate "
                       "between about 0.1 and -0.4 for ever.",
}

#: name -> function of (table, solver_runs, draws) returning a Figure or None (no data for it).
FIGURES = {
    "sparse_regions": lambda table, runs, draws: plot_sparse_regions(draws.region_eps),
    "probability_curves": lambda table, runs, draws: plot_probability_curves(table),
    "coordinate_distribution": lambda table, runs, draws: plot_coordinate_distribution(draws.coordinate_z),
    "error_against_reps": lambda table, runs, draws: plot_error_against_reps(table),
    "calibration": lambda table, runs, draws: plot_calibration(table),
    "zero_counts": lambda table, runs, draws: plot_zero_counts(table),
    "penalty_zero_probability": lambda table, runs, draws: plot_penalty_zero_probability(table),
    "thresholding_functions": lambda table, runs, draws: plot_thresholding_functions(table),
    "correlated_regions": lambda table, runs, draws: plot_correlated_regions(table, draws.correlated_eps),
    "probability_against_rho": lambda table, runs, draws: plot_probability_against_rho(table),
    "solver_zeros": lambda table, runs, draws: plot_solver_zeros(runs),
    "subgradient_toy": lambda table, runs, draws: plot_subgradient_toy(),
}

#: Figures drawn from the solver study instead of the table.
SOLVER_FIGURES = frozenset({"solver_zeros"})


def render_figures(table, solver_runs=(), draws=None) -> dict:
    """``{name: PNG bytes}`` of every figure the data supports, in :data:`FIGURES` order.

    Parameters
    ----------
    table : pandas.DataFrame
        The study table.
    solver_runs : list of dict
        The solver study's runs (for :data:`SOLVER_FIGURES`).
    draws : FigureDraws, optional
        The figures' draws (``mc_sparsity._pipeline.report_data.figure_draws``); default: those of the
        root ``SeedSequence(0)``.
    """
    import matplotlib.pyplot as plt
    import numpy as np

    if draws is None:
        from .._pipeline.report_data import figure_draws

        draws = figure_draws(np.random.SeedSequence(0))
    table = hashable(table)
    solver_runs = list(solver_runs or ())
    out = {}
    for name, draw in FIGURES.items():
        fig = draw(table, solver_runs, draws)
        if fig is None:
            continue
        buffer = io.BytesIO()
        # No timestamps in the PNG: the same data gives the same file.
        fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        plt.close(fig)
        out[name] = buffer.getvalue()
    return out


def make_figures(table, outdir, solver_runs=(), draws=None) -> list[Path]:
    """Draw every figure into ``outdir/NAME.png`` (atomic writes); the paths written, in order."""
    from .._pipeline.output import write_atomic

    outdir = Path(outdir)
    written = []
    for name, png in render_figures(table, solver_runs, draws).items():
        write_atomic(outdir / f"{name}.png", png)
        written.append(outdir / f"{name}.png")
    return written
