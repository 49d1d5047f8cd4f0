"""``REPORT.md``: the study's design, results, figures and a verdict on each claim.

Each claim's verdict is computed by a rule, a function of the study table
written next to the claim (``rule_c1`` ...), tested on tables built to make it
hold and to make it fail.  A rule says "not settled here" when the table has
no scenarios that bear on the claim, or when its evidence disagrees with
itself (a failed test of the simulation against the exact value).  The
sentences around the numbers are ours; every number in them comes from the
table.  Everything that comes from a study file (its name) is escaped for
Markdown and HTML.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._stats.goodness_of_fit import pooled_chisquare
from .._estimators.registry import ESTIMATORS
from .._mc.results import hashable
from .claims import (ALPHA, DOES_NOT_HOLD, HOLDS, NOT_SETTLED, Claim, _importance_rows, _level_positive, _of,
                     _tests_text, agreement, assess_claims, rule_c7, rule_c8)
from .text import beta_text as _beta_text
from .text import escape_text
from .text import fmt as _fmt

__all__ = ["Claim", "assess_claims", "render_report", "write_report", "build_report", "ALPHA", "escape_text",
           "HOLDS", "DOES_NOT_HOLD", "NOT_SETTLED"]


# ---------------------------------------------------------------- rendering
def _results_table(rows, level):
    if rows.empty:
        return "(No such scenarios in this study.)\n"
    head = (f"| beta | sigma | {level} | N | estimate | SE | 95% CI | exact | integral | z |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.iterrows():
        exact = _fmt(r["exact"])
        if exact != "-" and r["exact_error"] and r["exact_error"] > 0:
            exact += f" ± {r['exact_error']:.0e}"
        lines.append(f"| {_beta_text(r['beta'])} | {r['sigma']:g} | {r[level]:g} | {int(r['reps']):,} | "
                     f"{_fmt(r['estimate'])} | {_fmt(r['std_error'], 5)} | [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{exact} | {_fmt(r['integral'])} | {_fmt(r['z'], 2)} |")
    return head + "\n".join(lines) + "\n"


def _penalty_table(table):
    pen = table[(table["p"] == 1) & (table["form"] == "penalized")]
    if pen.empty:
        return "(The study has no penalty grid.)\n"
    pen = pen.assign(column=[name + (f" q={params['q']:g}" if name == "bridge" else "")
                             for name, params in zip(pen["estimator"], pen["params"])])
    columns = list(dict.fromkeys(pen["column"]))
    head = ("| beta/sigma | lambda/sigma | " + " | ".join(columns) + " |\n"
            + "|---|---|" + "---|" * len(columns) + "\n")
    lines = []
    for (beta, lam), rows in pen.groupby(["beta", "lam"], sort=True):
        cell = {r["column"]: f"{_fmt(r['estimate'], 3)} ({_fmt(r['exact'], 3)})" for _, r in rows.iterrows()}
        lines.append(f"| {beta[0]:g} | {lam:g} | " + " | ".join(cell.get(c, "-") for c in columns) + " |")
    return ("Monte Carlo P(estimate = 0) with the exact value in brackets, "
            f"N = {int(pen['reps'].iloc[0]):,} per setting.\n\n" + head + "\n".join(lines) + "\n")


def conventions_table() -> str:
    """The estimators' conventions, generated from the registry."""
    lines = ["| estimator | penalty or constraint | forms | correlated designs | exact law | integral |",
             "|---|---|---|---|---|---|"]
    for e in ESTIMATORS.values():
        cells = [e.name, e.problem, ", ".join(e.forms), "yes" if e.correlated else "no", e.exact, e.integral]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


FIGURE_CAPTIONS = {
    "sparse_regions": "The sparse region A_L (grey) for the penalized form (two strips) and the constrained form "
                      "(four wedges beyond the vertices of the L1 diamond), with draws of beta_hat coloured by "
                      "whether the lasso solution has a zero. Ridge is zero only on the axes.",
    "probability_curves": "P(sparse) against the level: exact curves, Monte Carlo points with 95% intervals "
                          "(smaller than the dots), and ridge at 0 throughout.",
    "coordinate_distribution": "The law of one coordinate's estimate: the lasso's atom at 0 beside ridge's "
                               "continuous density.",
    "error_against_reps": "The Monte Carlo error against the number of replications, with the 1/sqrt(N) law.",
    "calibration": "The z-scores of every scenario with an exact value against N(0, 1): the reported standard "
                   "errors are the right size.",
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
}


def _captions() -> dict:
    from .plots import CAPTIONS

    return {**FIGURE_CAPTIONS, **CAPTIONS}


def _correlated_table(rows):
    if rows.empty:
        return "(The study has no correlated scenarios.)\n"
    head = ("| beta | design | rho | form | level | N | estimate | 95% CI | exact ± error | integral | z | "
            "uncertified |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.sort_values(["form", "p", "level_over_sigma", "rho"]).iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        exact = _fmt(r["exact"]) + (f" ± {r['exact_error']:.0e}" if r["exact_error"] and r["exact_error"] > 0 else "")
        lines.append(f"| {_beta_text(r['beta'])} | {r['design']} | {_fmt(r['rho'], 2)} | {r['form']} | {level:g} | "
                     f"{int(r['reps']):,} | {_fmt(r['estimate'])} | [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{exact} | {_fmt(r['integral'])} | {_fmt(r['z'], 2)} | {int(r['uncertified'])} |")
    return head + "\n".join(lines) + "\n"


def _importance_table(rows):
    if rows.empty:
        return "(No cell of the study is rare enough for importance sampling: P and 1 - P above 1e-5.)\n"
    head = ("Where the exact P(sparse) or P(not sparse) is below 1e-5, plain Monte Carlo sees almost nothing; an "
            "importance sampler (a union sampler for the penalized slabs, a zero-variance conditional sampler for "
            "their complement, shifted normals at the wedges' dominating points for the constrained form) "
            "estimates the rare probability, without bias, with its relative error. z is on the log scale: "
            "(log estimate - log exact) / relative error; a relative error of 0 means a zero-variance sampler.\n\n"
            "| beta | form | level | estimand | N | estimate | relative error | exact | log exact | z |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        estimand = "P(not sparse)" if "not sparse" in r["estimator"] else "P(sparse)"
        estimate = f"{r['estimate']:.4e}" if r["estimate"] > 0 else f"exp({r['log_estimate']:.2f})"
        exact = f"{r['exact']:.4e}" if r["exact"] > 0 else f"exp({r['log_exact']:.2f})"
        lines.append(f"| {_beta_text(r['beta'])} | {r['form']} | {level:g} | {estimand} | {int(r['reps']):,} | "
                     f"{estimate} | {r['relative_error']:.2e} | {exact} | {_fmt(r['log_exact'], 2)} | "
                     f"{_fmt(r['z'], 2)} |")
    return head + "\n".join(lines) + "\n"


def _solver_tables(solver_runs):
    if not solver_runs:
        return "(The study runs no solver study.)\n"
    out = []
    for run in solver_runs:
        compiled = [x for x in run["results"] if "iteration" in x]
        iterations = sorted({x["iteration"] for x in compiled})
        solvers = list(dict.fromkeys(x["solver"] for x in compiled))
        rho = run["design"].get("rho")
        out.append(f"beta = {_beta_text(run['beta'])}, sigma = {run['sigma']:g}, lambda = {run['lam']:g}, design "
                   f"{run['design']['kind']}" + (f" (rho = {rho:g})" if rho is not None else "")
                   + f", {run['reps']:,} replications on the same draws; exact P(sparse) = {_fmt(run['exact'])}, "
                   f"exact solution sparse in {run['exact_sparse']:,}. Share of iterates with an exact zero "
                   "(in brackets: share whose zero pattern is the exact solution's):\n")
        out.append("| solver | " + " | ".join(f"k = {k:,}" for k in iterations) + " |")
        out.append("|---|" + "---|" * len(iterations))
        for solver in solvers:
            cells = {x["iteration"]: f"{_fmt(x['zero_any'] / x['reps'])} ({_fmt(x['pattern_match'] / x['reps'])})"
                     for x in compiled if x["solver"] == solver}
            out.append(f"| {solver} | " + " | ".join(cells.get(k, "-") for k in iterations) + " |")
        fits = [x for x in run["results"] if x["solver"] == "sklearn"]
        if not fits:
            out.append("")
            out.append("(scikit-learn's tolerance study was not run: scikit-learn is not installed; "
                       "`pip install 'mc_sparsity[solvers]'`.)")
        if fits:
            out.append("")
            out.append(f"scikit-learn's `Lasso(alpha = lambda/n, fit_intercept=False, tol)` on a design X with "
                       f"X^T X = G (n = 50), {fits[0]['reps']:,} replications: replications whose zero pattern "
                       "differs from the exact solution's, with 95% Clopper-Pearson intervals.\n")
            out.append("| tol | spurious zeros | missed zeros | bias of P(sparse) from the fits |")
            out.append("|---|---|---|---|")
            for x in fits:
                out.append(f"| {x['tol']:g} | {x['spurious_zeros']} [{_fmt(x['spurious_ci'][0])}, "
                           f"{_fmt(x['spurious_ci'][1])}] | {x['missed_zeros']} [{_fmt(x['missed_ci'][0])}, "
                           f"{_fmt(x['missed_ci'][1])}] | {x['sparse_bias']:+.4f} ± {x['sparse_bias_se']:.4f} |")
        out.append("")
    return "\n".join(out) + "\n"


def render_report(table, study, figures, atom=None, solver_claims=(), solver_runs=()) -> str:
    """The text of REPORT.md."""
    table = hashable(table)
    lasso = _of(table, "lasso")
    p2 = lasso[(lasso["p"] == 2) & (lasso["design"] == "orthonormal")]
    main_reps = int(p2["reps"].mode().iloc[0]) if len(p2) else 0
    pen = p2[(p2["form"] == "penalized") & (p2["reps"] == main_reps)]
    con = p2[(p2["form"] == "constrained") & (p2["reps"] == main_reps)]
    wide = lasso[(lasso["p"] > 2) & (lasso["design"] == "orthonormal")]
    correlated = lasso[lasso["design"] != "orthonormal"]
    agree = agreement(_level_positive(lasso))
    kfit = [(f'{int(r["p"])}, {r["form"]}', pooled_chisquare(r["zeros"], np.array(r["exact_zeros"], dtype=float)))
            for _, r in lasso[lasso["exact_zeros"].notna() & (lasso["p"] > 2)].iterrows()]
    claims = assess_claims(table, atom, solver_claims)
    ridge = _of(table, "ridge")
    out = [
        "# Why the lasso is sparse and ridge is not: a Monte Carlo probability study",
        "",
        f"Generated by `mc-sparsity report` from the study \"{escape_text(study.name)}\" (seed {study.seed}, "
        f"{len(study.scenarios)} scenarios, {int(table.drop_duplicates('scenario')['reps'].sum()):,} draws of "
        "beta_hat). Rerun it with `mc-sparsity report`; the same study gives the same `results.csv`, byte for byte.",
        "",
        "![The sparse region](figures/sparse_regions.png)",
        "",
        "Explore the same numbers interactively in [the explorer page](explorer.html) (one offline HTML file: move "
        "beta, sigma, the level and rho, and watch the region, the cloud of beta_hat and the probabilities).",
        "",
        "## Design",
        "",
        "Following Morris, White and Crowther (2019), *Using simulation studies to evaluate statistical methods*:",
        "",
        "- **Aims.** Settle, with numbers anyone can rerun, the claim that the lasso solution is sparse with positive "
        "probability while ridge's is sparse with probability 0, and check each Monte Carlo estimate against two "
        "independent exact computations.",
        "- **Data-generating mechanism.** Linear model y = X b + e, e ~ N(0, sigma^2 I), with an orthonormal design "
        "(X^T X = I) or a correlated one (Gram matrix G = X^T X equicorrelated or AR(1)). Every estimator depends "
        "on the data only through beta_hat = G^{-1} X^T y ~ N(beta, sigma^2 G^{-1}), so beta_hat is drawn "
        "directly (beta + sigma L eps, L L^T = G^{-1}) and each estimator is solved exactly per draw (closed "
        "forms; under correlation the KKT cases or a certified active-set solve). Scenarios: beta (p = "
        + ", ".join(str(p) for p in sorted(set(table["p"]))) + "), sigma, and the penalty level lambda "
        "(penalized form) or the radius t (constrained form), listed in `results.csv`.",
        "- **Estimands.** P(sparse) = P(at least one coordinate of the solution is exactly 0), and the law of K, "
        "the number of zero coordinates.",
        "- **Methods.** Lasso: soft threshold at lambda (penalized), projection on the L1 ball of radius t "
        "(constrained); under a correlated design the exact solution of each draw (KKT cases at p = 2, a certified "
        "active-set solve beyond). Ridge: (G + lambda I)^{-1} X^T y (penalized), projection on the L2 ball "
        "(constrained), computed in floating point. The other penalties by their thresholding rules (see Estimators). "
        "Computations of P(sparse): the exact value (closed forms; Gaussian orthant sums; quadrature or "
        "quasi-Monte Carlo with an error bound); the numerical integral of the N(beta, sigma^2 G^{-1}) density over "
        "the sparse region described geometrically (strips, wedges, polygons; p = 2); Monte Carlo with N draws; "
        "importance sampling in the rare cells.",
        f"- **Performance measures.** Monte Carlo estimate with its standard error sqrt(p(1-p)/N) and a two-sided "
        f"95% Clopper-Pearson interval (coverage at least 95% for every p and N; at 0 successes [0, 1 - "
        f"0.025^(1/N)]); z = (estimate - exact)/SE with the SE under the exact value; a two-sided exact binomial "
        f"test and, for K, a pooled chi-square test, each at level {ALPHA:g}; |integral - exact|.",
        "",
        "## Results",
        "",
        f"Across the {agree['n']} lasso scenarios with a positive level and an exact value: "
        f"{_tests_text(agree) or 'nothing to compare'}. "
        + " ".join(f"At p = {p} the chi-square test of K gives p = {res.pvalue:.2f} ({res.cells} cells)."
                   for p, res in kfit),
        "",
        f"### Lasso, penalized form, p = 2 (N = {main_reps:,} each)",
        "",
        _results_table(pen, "lam"),
        f"### Lasso, constrained form, p = 2 (N = {main_reps:,} each)",
        "",
        _results_table(con, "radius"),
        "### Lasso, p > 2",
        "",
        _results_table(wide[wide["form"] == "penalized"], "lam"),
        _results_table(wide[wide["form"] == "constrained"], "radius"),
        "### Beyond L1 and L2: one coordinate, every penalty on the same draws",
        "",
        _penalty_table(table),
        "### Correlated designs",
        "",
        _correlated_table(correlated),
        "### Rare cells: importance sampling",
        "",
        _importance_table(_importance_rows(table)),
        "### Solvers",
        "",
        _solver_tables(solver_runs),
        "### Ridge",
        "",
        f"The ridge rows of `results.csv` ({len(ridge)} scenarios, {int(ridge['reps'].sum()):,} draws) count the "
        f"exact zeros of the ridge solutions computed in floating point: {int(ridge['sparse'].sum())} sparse draws "
        f"in all. At 0 successes each row's 95% Clopper-Pearson interval is [0, 1 - 0.025^(1/N)]. Ridge's exact "
        f"value 0 is a derivation (the axes are a null set) and its integral is not computed.",
        "",
        "## Estimators",
        "",
        conventions_table(),
        "",
        "## Claims from the Cross Validated discussion \"Why L1 norm for sparse models\"",
        "",
        "| # | claim | verdict | evidence |",
        "|---|---|---|---|",
    ]
    out += [f"| {c.number} | {c.claim} | **{c.verdict}** | {c.evidence.replace('|', chr(92) + '|')} |" for c in claims]
    out += ["", "## Figures", ""]
    for path in figures:
        name = Path(path).stem
        out += [f"### {name.replace('_', ' ').capitalize()}", "", _captions().get(name, ""), "",
                f"![{name}](figures/{Path(path).name})", ""]
    return "\n".join(out) + "\n"


def write_report(table, study, outdir, figures, atom=None, solver_claims=(), solver_runs=()) -> Path:
    from .._pipeline.output import write_atomic

    path = Path(outdir) / "REPORT.md"
    write_atomic(path, render_report(table, study, figures, atom, solver_claims, solver_runs))
    return path


def build_report(study, outdir="reports", *, n_jobs=-1, backend=None, progress=False) -> Path:
    """Run ``study`` and regenerate the report in ``outdir``.

    Writes ``results.csv`` (the study table), ``solvers.json`` (the solver
    runs of the study's ``[[solvers]]`` tables), ``figures/*.png``,
    ``explorer.html`` (the interactive page) and ``REPORT.md``, each
    atomically.  The output folder is checked before any work.

    Parameters
    ----------
    study : Study
        From :func:`~mc_sparsity.load_study`.
    outdir : str or path, default "reports"
    n_jobs : int, default -1
        joblib workers (-1: all cores).
    backend : str, optional
        joblib backend.
    progress : bool, default False
        Progress bars on stderr.

    Returns
    -------
    pathlib.Path
        The path of ``REPORT.md``.

    Examples
    --------
    >>> from mc_sparsity import load_study  # doctest: +SKIP
    >>> build_report(load_study(), "reports")  # doctest: +SKIP
    PosixPath('reports/REPORT.md')
    """
    import json

    from .explorer import write_explorer
    from .._pipeline.output import check_output_dir, write_atomic
    from .plots import COORDINATE, coordinate_draws, make_figures
    from .._solvers.iterative import run_solvers
    from .._pipeline.study import run_study

    outdir = check_output_dir(outdir)
    table = run_study(study, outdir / "results.csv", n_jobs=n_jobs, backend=backend, progress=progress)
    solver_runs = [run_solvers(**run.kwargs(), rng=np.random.SeedSequence(study.seed, spawn_key=(2**40 + i,)),
                               n_jobs=n_jobs, skip_sklearn_if_missing=True)
                   for i, run in enumerate(study.solver_runs)]
    for run in solver_runs:
        run["seed"] = study.seed
    write_atomic(outdir / "solvers.json", json.dumps(solver_runs, indent=1, allow_nan=False) + "\n")
    figures = make_figures(table, outdir / "figures", solver_runs=solver_runs)
    write_explorer(outdir / "explorer.html")
    lasso, ridge, exact = coordinate_draws(**COORDINATE)
    atom = (exact, int(np.sum(lasso == 0)), int(np.sum(ridge == 0)), COORDINATE["n"])
    return write_report(table, study, outdir, figures, atom, [rule_c7(solver_runs), rule_c8(solver_runs)],
                        solver_runs)
