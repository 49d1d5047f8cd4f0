"""Figures of the solver study: exact zeros of iterative solvers, and the thread's subgradient toy."""

from __future__ import annotations

import numpy as np

from .figures_common import LASSO_COLOUR, RIDGE_COLOUR, _setup

__all__ = ["plot_solver_zeros", "plot_subgradient_toy", "SOLVER_STYLE"]


# ---------------------------------------------------------------- 11. solvers' zeros
SOLVER_STYLE = {  # name: (label, colour, marker, line style)
    "ista": ("ISTA", "#1b9e77", "o", "-"),
    "fista": ("FISTA", "#d95f02", "s", "-"),
    "cd": ("coordinate descent", "#7570b3", "^", "-"),
    "subgradient": ("subgradient, fixed step", "#444444", "v", "--"),
    "subgradient_diminishing": ("subgradient, step 1/sqrt(k)", "#999999", "D", ":"),
}


def plot_solver_zeros(solver_runs):
    """Exact zeros of the iterates of each solver against the iteration, and scikit-learn's against tol."""
    runs = list(solver_runs or ())
    if not runs or not runs[0].get("results"):
        return None
    run = runs[0]
    compiled = [r for r in run["results"] if "iteration" in r]
    sk = sorted((r for r in run["results"] if r.get("solver") == "sklearn"), key=lambda r: r["tol"])
    if not compiled and not sk:
        return None
    plt, sns = _setup()
    ncol = 2 + bool(sk) if compiled else 1
    fig, axes = plt.subplots(1, ncol, figsize=(5.6 * ncol, 5.6), squeeze=False)
    axes = axes[0]
    if compiled:
        names = list(dict.fromkeys(r["solver"] for r in compiled))
        for name in names:
            label, colour, marker, style = SOLVER_STYLE.get(name, (name, None, "o", "-"))
            recs = sorted((r for r in compiled if r["solver"] == name), key=lambda r: r["iteration"])
            k = [r["iteration"] for r in recs]
            for ax, key in zip(axes[:2], ("zero_any", "pattern_match")):
                ax.plot(k, [r[key] / r["reps"] for r in recs], marker=marker, ls=style, color=colour, ms=6,
                        lw=1.6, label=label, alpha=0.9)
        ax = axes[0]
        if run.get("exact") is not None:
            ax.axhline(run["exact"], color=LASSO_COLOUR, lw=2, label=f"exact P(sparse) = {run['exact']:.3f}")
        if run.get("exact_sparse") is not None:
            share = run["exact_sparse"] / run["reps"]
            ax.axhline(share, color="black", lw=1, ls="--",
                       label=f"exact solutions of these draws: {share:.3f}")
        ax.set(xscale="log", ylim=(-0.03, 1.03), xlabel="iteration k",
               ylabel="share of replications", title="Iterate at k has an exact zero coordinate")
        ax.legend(fontsize=8.5, loc="center right", bbox_to_anchor=(1.0, 0.3))
        ax = axes[1]
        ax.axhline(1, color="black", lw=1, ls="--")
        ax.set(xscale="log", ylim=(-0.03, 1.03), xlabel="iteration k", ylabel="share of replications",
               title="Zero pattern equals the exact solution's")
        ax.legend(fontsize=8.5, loc="lower right", bbox_to_anchor=(1.0, 0.04))
    if sk:
        ax = axes[-1]
        tol = np.array([r["tol"] for r in sk])
        for key, ci, colour, marker, shift, text in (
                ("spurious_zeros", "spurious_ci", LASSO_COLOUR, "o", 1 / 1.15, "spurious zero (fit 0, exact not)"),
                ("missed_zeros", "missed_ci", RIDGE_COLOUR, "s", 1.15, "missed zero (exact 0, fit not)")):
            rate = np.array([r[key] / r["reps"] for r in sk])
            low = np.array([r[ci][0] for r in sk])
            high = np.array([r[ci][1] for r in sk])
            ax.errorbar(tol * shift, rate, yerr=[rate - low, high - rate], fmt=marker + "-", color=colour, ms=6,
                        capsize=3, label=text)
        ax.set(xscale="log", xlabel="scikit-learn Lasso tol (tighter to the right)",
               ylabel="share of replications (95% Clopper-Pearson)",
               title=f"scikit-learn's zero pattern ({sk[0]['reps']:,} fits per tol)")
        ax.set_xlim(tol.max() * 4, tol.min() / 4)
        ax.set_ylim(bottom=-0.005)
        ax.legend(fontsize=8.5, loc="upper right")
    design = run.get("design") or {}
    kind = design.get("kind", "orthonormal")
    shown = kind + (f", $\\rho$ = {design['rho']:g}" if design.get("rho") is not None else "")
    beta = tuple(float(b) for b in run["beta"])
    fig.suptitle(f"Which solvers produce exact zeros: $\\beta$ = {beta}, $\\sigma$ = {run['sigma']:g}, "
                 f"$\\lambda$ = {run['lam']:g}, {shown} design, {run['reps']:,} replications (same draws for every "
                 "solver)", fontsize=12)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 12. the thread's toy example
def plot_subgradient_toy(eta=0.5, steps=20):
    """Subgradient steps on |w| from 5 (exact 0 at step 10) and from 5.1 (never 0)."""
    from .._solvers.iterative import subgradient_toy

    plt, sns = _setup()
    exact, near = subgradient_toy(5.0, eta, steps), subgradient_toy(5.1, eta, steps)
    k = np.arange(steps + 1)
    fig, ax = plt.subplots(figsize=(9, 5.4))
    ax.axhline(0, color="black", lw=1.2)
    ax.plot(k, near, "s-", color=RIDGE_COLOUR, ms=6, lw=1.6, label=r"$w_0$ = 5.1")
    ax.plot(k, exact, "o-", color=LASSO_COLOUR, ms=6, lw=1.6, label=r"$w_0$ = 5")
    hit = int(np.flatnonzero(exact == 0)[0]) if np.any(exact == 0) else None
    if hit is not None:
        ax.annotate(f"5 - {hit} \u00d7 {eta:g} = 0.0 exactly at step {hit},\nand it stays there (sign(0) = 0)",
                    xy=(hit, 0), xytext=(hit - 7.5, -1.9), fontsize=10,
                    arrowprops=dict(arrowstyle="->", color=LASSO_COLOUR), color=LASSO_COLOUR)
    start = hit if hit is not None else steps // 2
    tail = near[start:]
    hi, lo = float(tail.max()), float(tail.min())
    top = start + int(np.flatnonzero(tail == hi)[-2:][0])  # the last peak but one, away from the edge
    ax.annotate(f"5.1 never reaches 0: it oscillates\nbetween {hi:.1f} and {lo:.1f} for ever",
                xy=(top, hi), xytext=(steps - 8.5, 2.2), fontsize=10, color=RIDGE_COLOUR,
                arrowprops=dict(arrowstyle="->", color=RIDGE_COLOUR))
    ax.set(xlabel="step k", ylabel=r"$w_k$", xticks=k[::2], ylim=(min(-2.6, lo - 0.4), max(near.max(), 5) + 0.5),
           title=rf"Subgradient descent on $|w|$: $w_{{k+1}} = w_k - \eta\,\mathrm{{sign}}(w_k)$, $\eta$ = {eta:g}")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig


