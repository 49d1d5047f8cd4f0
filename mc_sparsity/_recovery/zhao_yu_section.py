"""Zhao and Yu (2006), example 1, in the report: is the lasso sign consistent, and is the adaptive lasso?

Fixed design ``G_n = n Sigma`` (Sigma of :mod:`mc_sparsity._exact.zhao_yu`), ``sigma = 1``, the lasso at
``lam_n = n^c``.  For ``beta = (2, 3, 0)`` the irrepresentable condition fails (constant 4/3) and P(signed
support) tends to 0; for ``(-2, 3, 0)`` it holds (constant 0) and the probability tends to 1.  The adaptive
lasso (weights ``1/|beta_hat_j|``, Zou 2006) is run on the same draws.

Two computations, apart: the Monte Carlo rows come from :func:`mc_sparsity.simulate` (the certified kernels;
the lasso's exact value is the Gaussian polytope of ``_exact.support``); the paired difference adaptive minus
lasso comes from a second sample drawn here with numpy from the named stream ``"paired"``, both estimators
solved on each draw by enumeration of the KKT cells (``lasso_gram_solve``), a draw counted only where both
solutions' KKT slack is clear of rounding.  The data are returned; rendering is in ``section`` functions below
that only render.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._stats.verdicts import DOES_NOT_HOLD, HOLDS, NOT_SETTLED

__all__ = ["ZhaoYuSection", "zhao_yu_section", "draw_zhao_yu_figure", "render_zhao_yu_markdown", "zhao_yu_verdict"]

N_VALUES = (10, 30, 100, 300, 1000, 3000)
BETAS = ((2.0, 3.0, 0.0), (-2.0, 3.0, 0.0))
C = 0.75
REPS = 20_000
PAIRED_REPS = 3_000
#: A draw is counted in the paired sample only where both KKT slacks exceed this (relative).
SLACK = 1e-9


@dataclass(frozen=True)
class ZhaoYuSection:
    """The section's data: Monte Carlo rows, paired differences and the irrepresentable constants."""

    rows: tuple        # dicts: beta, n, lam, estimator, successes, reps, estimate, ci_low, ci_high, exact, ...
    paired: tuple      # dicts: beta, n, difference, std_error, discordant, reps, uncertified
    irrepresentable: dict
    c: float


def _paired(beta, n, lam, reps, stream):
    from .._exact.zhao_yu import ZHAO_YU_SIGMA
    from .._exact.lasso_enumeration import lasso_gram_solve

    G = n * ZHAO_YU_SIGMA
    L = np.linalg.cholesky(np.linalg.inv(G))
    rng = np.random.Generator(np.random.PCG64(stream))
    bh = np.asarray(beta) + rng.standard_normal((reps, 3)) @ L.T
    z = bh @ G
    lasso, slack = lasso_gram_solve(G, z, lam, return_slack=True)
    target = np.sign(beta)
    hit_l = np.all(np.sign(lasso) == target, axis=1)
    hit_a = np.zeros(reps, dtype=bool)
    ok = slack > SLACK
    for i in range(reps):
        d = np.abs(bh[i])
        c, s = lasso_gram_solve(d[:, None] * G * d[None, :], d * z[i], lam, return_slack=True)
        hit_a[i] = np.all(np.sign(d * c) == target)
        ok[i] &= s > SLACK
    n_ok = int(ok.sum())
    diff = float(hit_a[ok].mean() - hit_l[ok].mean())
    discordant = int(np.sum(hit_a[ok] != hit_l[ok]))
    var = max(discordant / n_ok - diff * diff, 0.0) / n_ok  # Var of a difference of paired proportions
    return {"beta": list(beta), "n": n, "difference": diff, "std_error": math.sqrt(var),
            "discordant": discordant, "reps": n_ok, "uncertified": reps - n_ok}


def zhao_yu_section(*, n_values=N_VALUES, reps=REPS, paired_reps=PAIRED_REPS, c=C, rng=18, n_jobs=None,
                    progress=False) -> ZhaoYuSection:
    """Simulate the example (Monte Carlo and the paired sample) and return the data.

    Examples
    --------
    >>> s = zhao_yu_section(n_values=(100,), reps=2000, paired_reps=200)
    >>> [r["estimator"] for r in s.rows][:2], round(s.irrepresentable["(2, 3, 0)"], 4)
    (['lasso', 'adaptive_lasso'], 1.3333)
    """
    from .. import simulate
    from .._base.validation import check_rng
    from .._designs.design import from_gram
    from .._exact.zhao_yu import ZHAO_YU_SIGMA, irrepresentable_constant
    from .._mc.streams import named_stream

    root = check_rng(rng)
    rows, paired = [], []
    for b, beta in enumerate(BETAS):
        for i, n in enumerate(n_values):
            lam = float(n) ** c
            res = simulate(list(beta), 1.0, lam=lam, estimator=["lasso", "adaptive_lasso"],
                           design=from_gram(n * ZHAO_YU_SIGMA), estimand="signed_support", reps=reps,
                           rng=named_stream(root, "zhao_yu", b, i), n_jobs=n_jobs, progress=progress)
            for row in res.results:
                rows.append({"beta": list(beta), "n": n, "lam": lam, "estimator": row.estimator,
                             "successes": row.successes, "reps": row.reps, "estimate": row.estimate,
                             "ci_low": row.ci_low, "ci_high": row.ci_high, "exact": row.exact,
                             "exact_error": row.exact_error, "uncertified": row.uncertified})
            paired.append(_paired(beta, n, lam, paired_reps, named_stream(root, "paired", b, i)))
    constants = {f"({', '.join(f'{v:g}' for v in beta)})": irrepresentable_constant(ZHAO_YU_SIGMA, beta)
                 for beta in BETAS}
    return ZhaoYuSection(tuple(rows), tuple(paired), constants, c)


def zhao_yu_verdict(section: ZhaoYuSection) -> tuple:
    """``(verdict, evidence)`` for the fixed-design half of C11.

    Holds when, at the largest n, the lasso's 95% interval for the beta whose irrepresentable constant
    exceeds 1 lies below 1/2 and the one whose constant is below 1 lies above 1/2; does not hold when
    either lies on the wrong side; else not settled here.
    """
    largest = max(r["n"] for r in section.rows)
    last = {tuple(r["beta"]): r for r in section.rows if r["n"] == largest and r["estimator"] == "lasso"}
    sides = []
    for beta, row in last.items():
        constant = section.irrepresentable[f"({', '.join(f'{v:g}' for v in beta)})"]
        if constant > 1:
            sides.append("right" if row["ci_high"] < 0.5 else "wrong" if row["ci_low"] > 0.5 else "open")
        elif constant < 1:
            sides.append("right" if row["ci_low"] > 0.5 else "wrong" if row["ci_high"] < 0.5 else "open")
    evidence = "; ".join(f"beta = {list(beta)}: P(signed support) = {row['estimate']:.4f} "
                         f"[{row['ci_low']:.4f}, {row['ci_high']:.4f}] at n = {largest}" for beta, row in last.items())
    if "wrong" in sides:
        return DOES_NOT_HOLD, evidence
    if sides and all(s == "right" for s in sides):
        return HOLDS, evidence
    return NOT_SETTLED, evidence


def draw_zhao_yu_figure(section: ZhaoYuSection, path) -> None:
    """P(signed support) against n, both betas: exact (lines), lasso and adaptive lasso (points, 95% intervals)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._pipeline.output import write_atomic
    import io

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, beta in zip(axes, BETAS):
        mine = [r for r in section.rows if tuple(r["beta"]) == beta]
        for estimator, colour, shift in (("lasso", "#c0392b", 0.97), ("adaptive_lasso", "#d35400", 1.03)):
            pts = [r for r in mine if r["estimator"] == estimator]
            n = np.array([r["n"] for r in pts], dtype=float)
            est = np.array([r["estimate"] for r in pts])
            err = np.array([[r["estimate"] - r["ci_low"] for r in pts], [r["ci_high"] - r["estimate"] for r in pts]])
            ax.errorbar(n * shift, est, yerr=err, fmt="o", ms=4, color=colour, capsize=2,
                        label=f"{estimator.replace('_', ' ')} (Monte Carlo, 95% CI)")
            exact = [r["exact"] for r in pts]
            if estimator == "lasso" and all(v is not None for v in exact):
                ax.plot(n, exact, "-", color=colour, lw=1.2, label="lasso, exact (Gaussian polytope)")
        key = f"({', '.join(f'{v:g}' for v in beta)})"
        ax.set_xscale("log")
        ax.set_title(f"beta = {key}: irrepresentable constant {section.irrepresentable[key]:.3g}")
        ax.set_xlabel("n (G = n Sigma, lam = n^%g)" % section.c)
        ax.axhline(0.5, color="0.7", lw=0.8, ls=":")
    axes[0].set_ylabel("P(sign(b_hat) = sign(beta))")
    axes[1].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buffer.getvalue())


def _paired_text(pr) -> str:
    """The paired difference with its SE; at 0 or N discordant pairs the SE is 0 and the count is said instead."""
    if pr["std_error"] > 0:
        return f"{pr['difference']:+.4f} ± {pr['std_error']:.4f} (N = {pr['reps']:,})"
    return f"{pr['difference']:+.4f} ({pr['discordant']:,} of {pr['reps']:,} pairs discordant)"


def render_zhao_yu_markdown(section: ZhaoYuSection, figure: str) -> str:
    """The subsection's markdown (renders the data, computes nothing)."""
    verdict, evidence = zhao_yu_verdict(section)
    lines = [
        "### A fixed design: Zhao and Yu's example 1",
        "",
        f"x3 = 2/3 x1 + 2/3 x2 + noise, G = n Sigma, sigma = 1, lam = n^{section.c:g}. "
        "The irrepresentable constant ||G_ScS G_SS^-1 sign(beta_S)||_inf is "
        + ", ".join(f"{v:.4g} for beta = {k}" for k, v in section.irrepresentable.items())
        + ". Monte Carlo from `simulate()` (certified solutions; the lasso's exact value is its Gaussian polytope); "
        "the paired difference adaptive minus lasso from a second sample on which both are solved, with the "
        "standard error of a paired difference.",
        "",
        f"![Zhao and Yu's example 1]({figure})",
        "",
        "| beta | n | lasso (MC) | 95% CI | exact | adaptive lasso (MC) | 95% CI | adaptive - lasso (paired) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    paired = {(tuple(r["beta"]), r["n"]): r for r in section.paired}
    for beta in BETAS:
        for n in sorted({r["n"] for r in section.rows}):
            lasso, adaptive = (next(r for r in section.rows if tuple(r["beta"]) == beta and r["n"] == n
                                    and r["estimator"] == e) for e in ("lasso", "adaptive_lasso"))
            pr = paired[(beta, n)]
            exact = "-" if lasso["exact"] is None else f"{lasso['exact']:.4f}"
            lines.append(f"| {list(beta)} | {n:,} | {lasso['estimate']:.4f} | [{lasso['ci_low']:.4f}, "
                         f"{lasso['ci_high']:.4f}] | {exact} | {adaptive['estimate']:.4f} | "
                         f"[{adaptive['ci_low']:.4f}, {adaptive['ci_high']:.4f}] | "
                         f"{_paired_text(pr)} |")
    lines += ["", f"Verdict on the fixed-design half of C11: **{verdict}** ({evidence})."]
    return "\n".join(lines) + "\n"
