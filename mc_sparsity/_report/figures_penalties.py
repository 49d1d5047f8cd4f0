"""Figures of the penalties beyond L1 and L2: P(zero) of one coordinate and the thresholding rules."""

from __future__ import annotations

import numpy as np

from .._exact.orthonormal import log_zero_probability
from .._estimators.registry import ESTIMATORS, PARAMETERS
from .._estimators.penalties import zero_threshold
from .figures_common import REGION_COLOUR, _setup

__all__ = ["plot_penalty_zero_probability", "plot_thresholding_functions", "PENALTY_STYLE"]


# ---------------------------------------------------------------- 7-8. beyond L1 and L2
#: name: (label, colour, line style), from the registry; best subset is not a per-coordinate rule.
PENALTY_STYLE = {name: (e.label, e.colour, e.linestyle) for name, e in ESTIMATORS.items()
                 if e.evaluation != "subset"}


def _penalty_parameters(rows):
    """The penalty grid's parameters (the table's ``params`` column), defaults filled in."""
    params = {name: parameter.default for name, (_, parameter) in PARAMETERS.items()}
    if rows is not None and "params" in rows:
        for given in rows["params"]:
            if given:
                params.update(given)
                break
    return params


def plot_penalty_zero_probability(table):
    """P(zero) of one coordinate for every penalty: against its level, and against its threshold."""
    plt, sns = _setup()
    sub = table[(table["p"] == 1) & (table["form"] == "penalized") & table["estimator"].isin(list(PENALTY_STYLE))]
    if sub.empty:
        return None
    betas = sorted(set(sub["beta"]))
    params = _penalty_parameters(sub)
    fig, axes = plt.subplots(2, len(betas), figsize=(5.2 * len(betas), 9), squeeze=False, sharey=True)
    lams = np.linspace(1e-3, sub["lam"].max() * 1.05, 160)
    for col, beta_text in enumerate(betas):
        beta = beta_text[0]
        for name, (label, colour, style) in PENALTY_STYLE.items():
            taus = np.array([zero_threshold(name, lam, params) for lam in lams])
            curve = np.exp(log_zero_probability(np.full(lams.size, beta), 1.0, taus)) if name != "ridge" \
                else np.zeros(lams.size)
            pts = sub[(sub["beta"] == beta_text) & (sub["estimator"] == name)]
            pts_tau = np.array([zero_threshold(name, lam, params) for lam in pts["lam"]])
            err = [pts["estimate"] - pts["ci_low"], pts["ci_high"] - pts["estimate"]]
            for row, x, xp in ((0, lams, pts["lam"]), (1, taus, pts_tau)):
                ax = axes[row, col]
                ax.plot(x, curve, color=colour, ls=style, lw=1.8, label=label)
                ax.errorbar(xp, pts["estimate"], yerr=err, fmt="o", color=colour, ms=4, capsize=2)
        axes[0, col].set(title=rf"$\beta/\sigma$ = {beta:g}", xlabel=r"the penalty's own level $\lambda/\sigma$")
        axes[1, col].set(xlabel=r"its zero threshold $\tau/\sigma$ (zero iff $|\hat\beta_j| \leq \tau$)",
                         xlim=(0, lams.max() * 1.05))
    for row, text in enumerate(("at equal levels", "at equal thresholds")):
        axes[row, 0].set_ylabel(f"P(estimate = 0), {text}")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles[:len(PENALTY_STYLE)], labels[:len(PENALTY_STYLE)], loc="lower center",
               ncol=len(PENALTY_STYLE), fontsize=9.5, frameon=False,
               title="lasso, SCAD and MCP coincide: all three are zero iff |z| <= lambda", title_fontsize=9)
    fig.suptitle(f"Every penalty with a corner or a jump at 0 gives exact zeros; ridge never does\n"
                 f"lines exact, dots Monte Carlo (95% CI); elastic net l1_ratio = {params['l1_ratio']:g}, "
                 f"SCAD a = {params['a']:g}, MCP gamma = {params['gamma']:g}, bridge q = {params['q']:g}",
                 fontsize=12.5)
    fig.tight_layout(rect=(0, 0.07, 1, 1))
    return fig


def plot_thresholding_functions(table=None, lam=1.0):
    """Each estimator's thresholding rule z -> theta_hat at level ``lam`` (needs no simulation)."""
    plt, sns = _setup()
    from .._estimators.penalties import PENALTIES, rule_arguments

    params = _penalty_parameters(table)
    z = np.linspace(-4, 4, 2001)
    fig, axes = plt.subplots(2, 4, figsize=(15, 7.4), sharex=True, sharey=True)
    for ax, (name, (label, colour, _)) in zip(axes.flat, PENALTY_STYLE.items()):
        level, kwargs = rule_arguments(name, lam, params)
        theta = PENALTIES[name](z, level, **kwargs)
        tau = zero_threshold(name, lam, params)
        jumps = np.flatnonzero(np.abs(np.diff(theta)) > 0.5)  # break the line where the rule jumps
        theta_plot = theta.copy()
        theta_plot[jumps] = np.nan
        ax.plot(z, z, color="#aaaaaa", lw=1, ls="--", label="identity (least squares)")
        ax.plot(z, theta_plot, color=colour, lw=2.2, label=label)
        if tau > 0:
            ax.axvspan(-tau, tau, color=REGION_COLOUR, alpha=0.45, lw=0, label=f"zero for |z| <= {tau:.3g}")
        ax.set(title=label, xlabel=r"$z = \hat\beta_j$", aspect="equal")
        ax.legend(fontsize=7.5, loc="upper left")
    axes.flat[-1].axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel(r"estimate $\hat\theta$")
    fig.suptitle(rf"Thresholding rules at $\lambda$ = {lam:g} (orthonormal design, one coordinate)", fontsize=13)
    fig.tight_layout()
    return fig


