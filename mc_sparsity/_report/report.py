"""``REPORT.md`` and the report's other outputs, rendered from the pipeline's data.

The numbers come from :mod:`mc_sparsity._pipeline.report_data` (the study, the
solver study, the figures' draws); the verdicts from the rules of
:mod:`mc_sparsity._report.claims`; the prose from the template
``mc_sparsity/data/report_template.md``, whose ``${slots}`` this module fills
with tables; the figures and their captions from :mod:`mc_sparsity._report.plots`.
Nothing here draws a random number.  Everything that comes from a study file
(its name) is escaped for Markdown and HTML.
"""

from __future__ import annotations

import string
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

__all__ = ["Claim", "assess_claims", "render_report", "render_outputs", "build_report", "ALPHA",
           "escape_text",
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


def _correlated_table(rows):
    if rows.empty:
        return "(The study has no correlated scenarios.)\n"
    head = ("| beta | design | rho | form | level | N | estimate | 95% CI | exact ± error | integral | z | "
            "uncertified |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.sort_values(["form", "p", "level_over_sigma", "rho"]).iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        exact = _fmt(r["exact"]) + (f" ± {r['exact_error']:.0e}" if r["exact_error"] and r["exact_error"] > 0 else "")
        design = r["design"]
        if design == "gram" and isinstance(r.get("gram"), (list, tuple)):
            design = "G = " + "; ".join(" ".join(f"{v:g}" for v in row) for row in r["gram"])
        lines.append(f"| {_beta_text(r['beta'])} | {design} | {_fmt(r['rho'], 2)} | {r['form']} | {level:g} | "
                     f"{int(r['reps']):,} | {_fmt(r['estimate'])} | [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}] | "
                     f"{exact} | {_fmt(r['integral'])} | {_fmt(r['z'], 2)} | {int(r['uncertified'])} |")
    return head + "\n".join(lines) + "\n"


def _importance_table(rows):
    if rows.empty:
        return "(No cell of the study is rare enough for importance sampling: P and 1 - P above 1e-5.)\n"
    head = ("Where the exact P(sparse) or P(not sparse) is below 1e-5, plain Monte Carlo sees almost nothing; an "
            "importance sampler (a union sampler for the penalized slabs, a conditional sampler for their "
            "complement, shifted normals at the wedges' dominating points for the constrained form) estimates the "
            "rare probability without bias. Its 95% interval comes from the sampler's structure (interval column): "
            "*closed form* for the conditional sampler, whose constant weight is the product of the coordinates' "
            "tail probabilities, so that its estimate is the closed form (rounding only); *bernstein* for the "
            "union sampler, from Bernstein's inequality with the weight's range [S/p, S] and its variance bounded "
            "by the events' probabilities (coverage at least 95% for every N); *lognormal* for the dominating-point "
            "mixture, estimate * exp(+-1.96 relative error). A relative error of 0 means the sample showed no "
            "variance, not that the sampler has none: a union sampler whose draws never had two events at once "
            "returns S = q_1 + ... + q_p, a closed form (the slabs overlap with probability about q_1 q_2, so "
            "P = S - q_1 q_2 + ...); such rows (kind *closed form*) are no evidence beyond the exact value. z is "
            "on the log scale, (log estimate - log exact) / relative error, for the stochastic rows.\n\n"
            "| beta | form | level | estimand | N | estimate | 95% CI | interval | relative error | exact | "
            "log exact | z | kind |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    lines = []
    for _, r in rows.iterrows():
        level = r["lam"] if r["form"] == "penalized" else r["radius"]
        estimand = "P(not sparse)" if "not sparse" in r["estimator"] else "P(sparse)"
        estimate = f"{r['estimate']:.4e}" if r["estimate"] > 0 else f"exp({r['log_estimate']:.2f})"
        exact = f"{r['exact']:.4e}" if r["exact"] > 0 else f"exp({r['log_exact']:.2f})"
        interval = (f"[{r['ci_low']:.6e}, {r['ci_high']:.6e}]" if r["ci_high"] > 0 else "underflows")
        stochastic = r["relative_error"] > 0
        z = (r["log_estimate"] - r["log_exact"]) / r["relative_error"] if stochastic else None
        lines.append(f"| {_beta_text(r['beta'])} | {r['form']} | {level:g} | {estimand} | {int(r['reps']):,} | "
                     f"{estimate} | {interval} | {r['ci_method']} | {r['relative_error']:.2e} | {exact} | "
                     f"{_fmt(r['log_exact'], 2)} | {_fmt(z, 2)} | {'stochastic' if stochastic else 'closed form'} |")
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
                           f"{_fmt(x['missed_ci'][1])}] | {_difference(x['sparse_bias'], x['sparse_bias_se'])} |")
        out.append("")
    return "\n".join(out) + "\n"


def _template():
    from importlib import resources

    return string.Template(resources.files("mc_sparsity").joinpath("data/report_template.md").read_text())


def render_report(table, study, figures, atom=None, solver_claims=(), solver_runs=(), sections=None) -> str:
    """The text of REPORT.md: the template ``mc_sparsity/data/report_template.md`` with its slots filled.

    ``figures`` are the figures' names (or paths, whose stems are the names), in order.
    """
    from .plots import CAPTIONS

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
    more, extra_claims = render_sections(sections or {})
    claims = assess_claims(table, atom, solver_claims) + extra_claims
    ridge = _of(table, "ridge")
    summary = (f"Across the {agree['n']} lasso scenarios with a positive level and an exact value: "
               f"{_tests_text(agree) or 'nothing to compare'}. "
               + " ".join(f"At p = {p} the chi-square test of K gives p = {res.pvalue:.2f} ({res.cells} cells)."
                          for p, res in kfit))
    figure_lines = []
    for path in figures:
        name = Path(path).stem
        figure_lines += [f"### {name.replace('_', ' ').capitalize()}", "", CAPTIONS.get(name, ""), "",
                         f"![{name}](figures/{name}.png)", ""]
    slots = {
        "study_name": escape_text(study.name), "seed": study.seed, "n_scenarios": len(study.scenarios),
        "n_draws": f"{int(table.drop_duplicates('scenario')['reps'].sum()):,}",
        "p_values": ", ".join(str(p) for p in sorted(set(table["p"]))), "alpha": f"{ALPHA:g}",
        "results_summary": summary, "main_reps": f"{main_reps:,}",
        "table_penalized": _results_table(pen, "lam"), "table_constrained": _results_table(con, "radius"),
        "table_wide_penalized": _results_table(wide[wide["form"] == "penalized"], "lam"),
        "table_wide_constrained": _results_table(wide[wide["form"] == "constrained"], "radius"),
        "table_penalties": _penalty_table(table), "table_correlated": _correlated_table(correlated),
        "table_importance": _importance_table(_importance_rows(table)), "table_solvers": _solver_tables(solver_runs),
        "ridge_scenarios": len(ridge), "ridge_draws": f"{int(ridge['reps'].sum()):,}",
        "ridge_sparse": int(ridge["successes"].sum()), "table_estimators": conventions_table(),
        "claims_rows": "\n".join(f"| {c.number} | {c.claim} | **{c.verdict}** | "
                                 f"{c.evidence.replace('|', chr(92) + '|')} |" for c in claims),
        "figures_section": "\n".join(figure_lines),
        "more_sections": more,
    }
    return _template().substitute(slots)


def _difference(value, std_error) -> str:
    """A paired difference with its SE; where no pair differs the SE is 0 and says nothing: none is printed."""
    return f"{value:+.4f} ± {std_error:.4f}" if std_error > 0 else f"{value:+.4f} (no pair differs)"


#: The figure of each section beyond the table.
SECTION_FIGURES = {"recovery": "recovery_wainwright", "zhao_yu": "zhao_yu", "transition": "transition"}


def render_sections(sections: dict) -> tuple:
    """The markdown of the sections beyond the table and their claims (C11, C12): ``(text, [Claim])``."""
    from .verdict import DOES_NOT_HOLD, HOLDS, NOT_SETTLED, Claim

    parts, claims = [], []
    if "recovery" in sections or "zhao_yu" in sections:
        parts += ["## Are they the right zeros?", "",
                  "Support recovery: the probability that the lasso's zero pattern, with its signs, is the true one "
                  "(`signed_support`), first for a fixed design whose irrepresentable condition fails or holds, then "
                  "for random designs past n < p.", ""]
        verdicts = []
        if "zhao_yu" in sections:
            from .._recovery.zhao_yu_section import render_zhao_yu_markdown, zhao_yu_verdict

            parts.append(render_zhao_yu_markdown(sections["zhao_yu"], f"figures/{SECTION_FIGURES['zhao_yu']}.png"))
            verdicts.append(("fixed design", *zhao_yu_verdict(sections["zhao_yu"])))
        if "recovery" in sections:
            from .._recovery.section import recovery_verdict, render_recovery_markdown

            verdict = recovery_verdict(sections["recovery"])
            parts.append(render_recovery_markdown(sections["recovery"],
                                                  f"figures/{SECTION_FIGURES['recovery']}.png", verdict))
            verdicts.append(("random designs", verdict.verdict, verdict.evidence))
        words = [v for _, v, _ in verdicts]
        overall = (DOES_NOT_HOLD if DOES_NOT_HOLD in words else
                   HOLDS if len(words) == 2 and all(v == HOLDS for v in words) else NOT_SETTLED)
        claims.append(Claim("C11", "the lasso recovers the signed support with probability tending to 1 exactly when "
                                   "the irrepresentable condition holds and n passes 2 k log(p - k)", overall,
                            " ".join(f"{part}: {v} ({e})." for part, v, e in verdicts)
                            + ("" if len(words) == 2 else " Both halves are needed to settle it.")))
    if "transition" in sections:
        from .._transition.section import render_transition_section

        section = sections["transition"]
        parts.append(render_transition_section(section, f"figures/{SECTION_FIGURES['transition']}.png"))
        below = [row for row in section.rows if row.m < section.d]
        inside = sum(c.lower <= c.m_half <= c.statistical_dimension for c in section.crossings)
        claims.append(Claim("C12", "from m < d random measurements, L1 minimisation recovers a sparse vector once m "
                                   "passes the statistical dimension, L2 never does", section.verdict,
                            f"d = {section.d}, {section.trials} trials per (s, m) cell: where the simulated P(L1 "
                            f"recovers) crosses 1/2 lies within [D - 2 sqrt(d/s), D] (D the statistical dimension) "
                            f"for {inside} of {len(section.crossings)} sparsities; the minimum-norm solution "
                            f"recovered x in {sum(r.l2_successes for r in below):,} of "
                            f"{sum(r.trials for r in below):,} trials with m < d and had "
                            f"{sum(r.l2_zeros for r in below):,} exact zeros; "
                            f"{sum(r.uncertified for r in section.rows):,} basis-pursuit trials uncertified "
                            "(the section 'From random measurements')"))
    return "\n".join(parts), claims


def _section_figures(sections: dict) -> dict:
    """Each section's figure as PNG bytes (its drawing function writes a file: a temporary one here)."""
    import tempfile

    drawers = {}
    if "recovery" in sections:
        from .._recovery.section import draw_recovery_figure
        drawers["recovery"] = draw_recovery_figure
    if "zhao_yu" in sections:
        from .._recovery.zhao_yu_section import draw_zhao_yu_figure
        drawers["zhao_yu"] = draw_zhao_yu_figure
    if "transition" in sections:
        from .._transition.section import plot_transition
        drawers["transition"] = plot_transition
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, draw in drawers.items():
            path = Path(tmp) / f"{SECTION_FIGURES[name]}.png"
            draw(sections[name], path)
            out[f"figures/{SECTION_FIGURES[name]}.png"] = path.read_bytes()
    return out


def render_outputs(data) -> dict:
    """Every output of the report but ``results.csv``, rendered: ``{relative path: bytes}``.

    ``data`` is a :class:`~mc_sparsity._pipeline.report_data.ReportData`; nothing is simulated here.
    """
    import json

    from .explorer import explorer_html
    from .plots import render_figures

    figures = render_figures(data.table, data.solver_runs, data.draws)
    outputs = {"solvers.json": (json.dumps(data.solver_runs, indent=1, allow_nan=False) + "\n").encode()}
    outputs.update({f"figures/{name}.png": png for name, png in figures.items()})
    outputs.update(_section_figures(data.sections))
    outputs["explorer.html"] = explorer_html().encode()
    report = render_report(data.table, data.study, list(figures), data.atom,
                           [rule_c7(data.solver_runs), rule_c8(data.solver_runs)], data.solver_runs,
                           data.sections)
    outputs["REPORT.md"] = report.encode()
    return outputs


def build_report(study, outdir="reports", *, n_jobs=-1, backend=None, progress=False) -> Path:
    """Run ``study`` and regenerate the report in ``outdir``.

    The pipeline (:func:`~mc_sparsity._pipeline.report_data.collect_report_data`) runs the study, which
    writes ``results.csv`` under its lock and journal (resumable), the solver study and the figures' draws;
    then every other output (``solvers.json``, ``figures/*.png``, ``explorer.html``, ``REPORT.md``) is
    rendered in memory and written in one call at the end, each file atomically: a failure while rendering
    leaves no half-written report.  The output folder is checked before any work.

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
    from .._pipeline.output import OutputFolder, check_output_dir
    from .._pipeline.report_data import collect_report_data
    from .plots import FIGURES

    outdir = check_output_dir(outdir)
    # Every output checked and the folder locked before any work; written as one set at the end.
    names = ["results.csv", "solvers.json", "explorer.html", "REPORT.md",
             *(f"figures/{name}.png" for name in (*FIGURES, *SECTION_FIGURES.values()))]
    with OutputFolder(outdir, names) as folder:
        data = collect_report_data(study, outdir / "results.csv", n_jobs=n_jobs, backend=backend,
                                   progress=progress)
        folder.write(render_outputs(data), also=["results.csv"])
    return outdir / "REPORT.md"
