"""Figures of the study table: P(sparse) against the level, the Monte Carlo error, calibration, K."""

from __future__ import annotations

import numpy as np

from .._exact.orthonormal import exact_sparse_probability
from .._stats.goodness_of_fit import pooled_chisquare
from .figures_common import LASSO_COLOUR, RIDGE_COLOUR, _setup

__all__ = ["plot_probability_curves", "plot_error_against_reps", "plot_calibration", "plot_zero_counts",
           "calibration_z", "CALIBRATION_MIN_VARIANCE"]


# ---------------------------------------------------------------- 2. P(sparse) against the level
def plot_probability_curves(table):
    """Exact curves and Monte Carlo points with 95% intervals, p = 2, both forms."""
    grid = table[(table["p"] == 2) & (table["sigma"] == 1.0) & (table["design"] == "orthonormal")
                 & (table["method"] == "mc")]
    if grid.empty:
        return None
    grid = grid[grid["reps"] == grid["reps"].mode().iloc[0]]  # the study's main orthonormal grid
    plt, sns = _setup()
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.4), sharey=True)
    betas = list(dict.fromkeys(grid["beta"]))
    palette = sns.color_palette("viridis", len(betas))
    for ax, form, level in zip(axes, ("penalized", "constrained"), ("lam", "radius")):
        sub = grid[grid["form"] == form]
        if sub.empty:
            ax.text(0.5, 0.5, f"no {form} scenarios in this study", ha="center", transform=ax.transAxes)
            continue
        xs = np.linspace(0, max(sub[level].max(), 0.01) * 1.05, 200)
        for colour, beta in zip(palette, betas):
            pts = sub[(sub["beta"] == beta) & (sub["estimator"] == "lasso")]
            if pts.empty:
                continue
            label = rf"$\beta$ = {beta}, $\|\beta\|/\sigma$ = {np.hypot(*beta):.2f}"
            curve = [exact_sparse_probability(beta, **{level: x}).probability if (x > 0 or level == "lam") else np.nan
                     for x in xs]
            ax.plot(xs, curve, color=colour, lw=1.8, label=label)
            ax.errorbar(pts[level], pts["estimate"], yerr=[pts["estimate"] - pts["ci_low"], pts["ci_high"] - pts["estimate"]],
                        fmt="o", color=colour, ms=5, capsize=3)
        ridge = sub[sub["estimator"] == "ridge"]
        ax.plot(ridge[level], ridge["estimate"], "s", mfc="none", color=RIDGE_COLOUR, ms=7,
                label=f"ridge, every $\\beta$ (Monte Carlo: {ridge['successes'].sum()} sparse "
                      f"in {ridge['reps'].sum():,} draws)")
        ax.axhline(0, color=RIDGE_COLOUR, lw=1, ls="--")
        ax.set(xlabel=r"penalty level $\lambda/\sigma$" if form == "penalized" else r"L1 radius $t/\sigma$",
               title=f"{form.capitalize()} form: lines exact, dots Monte Carlo (95% CI)")
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2, frameon=False)
    axes[0].set_ylabel("P(solution has a zero coordinate)")
    fig.suptitle("P(sparse) rises with the level for the lasso and stays 0 for ridge", fontsize=13)
    fig.tight_layout()
    return fig



# ---------------------------------------------------------------- 4. Monte Carlo error against N
def plot_error_against_reps(table):
    """|estimate - exact| and the standard error against N for the setting run at the most values of N."""
    plt, sns = _setup()
    series = table[(table["estimator"] == "lasso") & (table["method"] == "mc") & table["exact"].notna()
                   & (table["design"] == "orthonormal")]
    if series.empty:
        return None
    by_setting = series.groupby(["form", "beta", "sigma", "level_over_sigma"])["reps"].nunique()
    if by_setting.empty or by_setting.max() < 2:  # no setting run at two sizes: no line to draw
        return None
    form, beta, sigma, level = by_setting.idxmax()
    sub = series[(series["form"] == form) & (series["beta"] == beta) & (series["sigma"] == sigma)
                 & (series["level_over_sigma"] == level)].sort_values("reps")
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    err = (sub["estimate"] - sub["exact"]).abs()
    ax.loglog(sub["reps"], err, "o", color=LASSO_COLOUR, ms=8, label="|estimate - exact|")
    ax.loglog(sub["reps"], sub["std_error"], "s", mfc="none", color="black", ms=8, label="reported standard error")
    p = float(sub["exact"].iloc[0])
    n = np.logspace(np.log10(sub["reps"].min()) - 0.2, np.log10(sub["reps"].max()) + 0.2, 50)
    ax.loglog(n, np.sqrt(p * (1 - p) / n), color="black", lw=1.5, label=r"$\sqrt{p(1-p)/N}$ (slope -1/2)")
    ax.set(xlabel="replications N", ylabel="error in P(lasso sparse)",
           title=f"Monte Carlo error falls as $1/\\sqrt{{N}}$\n{form} form, β = {beta}, "
                 f"level/σ = {level:g}, exact P = {p:.4f}")
    ax.legend()
    fig.tight_layout()
    return fig


#: A row enters the calibration only if N p0 (1 - p0) is at least this: below it the binomial count is too
#: discrete (and skewed) for its z to be nearly normal.
CALIBRATION_MIN_VARIANCE = 10.0


def calibration_z(table):
    """The z-scores the calibration figure compares with N(0, 1), and what was left out.

    One z per scenario (the lasso's row where there is one, else the scenario's first estimator): the
    estimators of one scenario count zeros on the same draws, and nested thresholds make their z-scores
    strongly correlated (0.36 to 0.90 in the default study), which a normality test must not see as
    independent points.  Plain Monte Carlo rows only (the importance-sampling z is on the log scale), with an
    exact value strictly between 0 and 1 and ``N p0 (1 - p0) >= CALIBRATION_MIN_VARIANCE``.

    Returns
    -------
    z : ndarray
    left_out : dict
        ``{"degenerate": rows with N p0 (1 - p0) below the bound, "same_draws": rows dropped as a second
        estimator of a scenario}``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"scenario": ["a", "a", "b", "c"], "estimator": ["ridge", "lasso", "lasso", "lasso"],
    ...                   "method": "mc", "reps": [1000, 1000, 1000, 20], "exact": [0.5, 0.4, 0.3, 0.2],
    ...                   "z": [0.1, 1.0, -0.5, 2.0]})
    >>> z, left_out = calibration_z(t)
    >>> z.tolist(), left_out
    ([1.0, -0.5], {'degenerate': 1, 'same_draws': 1})
    """
    rows = table[(table["method"] == "mc") & table["exact"].between(0, 1, inclusive="neither") & table["z"].notna()]
    spread = rows["reps"] * rows["exact"] * (1 - rows["exact"])
    degenerate = int((spread < CALIBRATION_MIN_VARIANCE).sum())
    rows = rows[spread >= CALIBRATION_MIN_VARIANCE]
    ordered = rows.assign(_first=(rows["estimator"] != "lasso").astype(int)).sort_values("_first", kind="stable")
    one = ordered.drop_duplicates("scenario")
    one = rows.loc[[i for i in rows.index if i in set(one.index)]]  # back in table order
    return one["z"].to_numpy(dtype=float), {"degenerate": degenerate, "same_draws": len(rows) - len(one)}


def plot_calibration(table):
    """QQ plot and histogram of one z per scenario against N(0, 1), with a Shapiro-Wilk test."""
    plt, sns = _setup()
    from scipy import stats

    z, left_out = calibration_z(table)
    if z.size < 3:
        return None
    z = np.sort(z)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    q = stats.norm.ppf((np.arange(1, z.size + 1) - 0.5) / z.size)
    axes[0].plot(q, z, "o", color=LASSO_COLOUR, ms=5)
    lim = max(3.0, np.abs(z).max() + 0.3, np.abs(q).max() + 0.3)
    axes[0].plot([-lim, lim], [-lim, lim], color="black", lw=1)
    axes[0].set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="N(0, 1) quantile",
                ylabel="z = (estimate - exact) / SE",
                title=f"QQ plot of {z.size} z-scores, one per scenario\n(left out: {left_out['same_draws']} other "
                      f"estimators on the same draws, {left_out['degenerate']} with N p(1-p) < "
                      f"{CALIBRATION_MIN_VARIANCE:g})", )
    sns.histplot(z, stat="density", bins=np.arange(-4, 4.01, 0.5), ax=axes[1], color=LASSO_COLOUR, alpha=0.45)
    xs = np.linspace(-4, 4, 200)
    axes[1].plot(xs, stats.norm.pdf(xs), color="black", lw=1.5, label="N(0, 1)")
    sw = stats.shapiro(z).pvalue
    axes[1].set(xlabel="z", title=f"z-scores against N(0, 1) (Shapiro-Wilk p = {sw:.2f})")
    axes[1].legend()
    fig.suptitle("Calibration: the Monte Carlo errors are as large as the standard errors say", fontsize=13)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 6. K at p > 2
def plot_zero_counts(table):
    plt, sns = _setup()
    sub = table[(table["p"] > 2) & (table["estimator"] == "lasso") & (table["form"] == "penalized")
                & (table["design"] == "orthonormal") & table["exact_zeros"].notna()]
    if sub.empty:
        return None
    fig, axes = plt.subplots(1, max(len(sub), 1), figsize=(6.2 * max(len(sub), 1), 4.8), squeeze=False)
    for ax, (_, row) in zip(axes[0], sub.iterrows()):
        observed = np.array(row["zeros"], dtype=float) / row["reps"]
        expected = np.array(row["exact_zeros"], dtype=float)
        k = np.arange(observed.size)
        ax.bar(k - 0.2, observed, width=0.4, color=LASSO_COLOUR, alpha=0.7, label=f"simulated ({row['reps']:,} draws)")
        ax.bar(k + 0.2, expected, width=0.4, color="#555555", alpha=0.7, label="exact Poisson-binomial")
        gof = pooled_chisquare(row["zeros"], expected)
        ax.set(xlabel="K = number of zero coordinates of the lasso solution", ylabel="probability",
               title=f"p = {row['p']}, β = ({row['beta'][0]}, ...), λ = {row['lam']:g}; "
                     f"chi-square p = {gof.pvalue:.2f}", xticks=k)
        ax.legend(fontsize=9)
    fig.suptitle("How many coordinates the lasso sets to zero: simulation against the exact law", fontsize=13)
    fig.tight_layout()
    return fig


