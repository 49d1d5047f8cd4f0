"""The report's figures, drawn with seaborn from the study table.

Each ``plot_*`` function returns a matplotlib Figure; :func:`make_figures`
writes them all as PNG files.  Figures that need draws of ``beta_hat`` (the
cloud, the distribution of a coordinate) make them here with a fixed seed.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from .._estimators.lasso_ridge import ridge_shrink, soft_threshold
from .._exact.orthonormal import exact_sparse_probability, log_zero_probability
from .._stats.goodness_of_fit import pooled_chisquare
from .._estimators.registry import ESTIMATORS, PARAMETERS
from .._estimators.penalties import zero_threshold
from .._mc.results import hashable

__all__ = ["make_figures", "CAPTIONS"]

LASSO_COLOUR = "#c0392b"
RIDGE_COLOUR = "#2471a3"
REGION_COLOUR = "#bbbbbb"


def _setup():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    return plt, sns




def _legend_dot(handle):
    """A visible legend marker for a faint, tiny scatter."""
    from matplotlib.collections import PathCollection
    from matplotlib.lines import Line2D

    if isinstance(handle, PathCollection):
        return Line2D([], [], ls="none", marker="o", ms=6, color=handle.get_facecolor()[0], alpha=1.0)
    return handle


# ---------------------------------------------------------------- 1. the seed's picture
def plot_sparse_regions(beta=(1.0, 0.3), sigma=1.0, lam=0.5, radius=1.0, n_points=3000, seed=0):
    """A_L for both forms at p = 2 with a cloud of beta_hat coloured by lasso sparsity."""
    plt, sns = _setup()
    from matplotlib.patches import Circle, Polygon

    from .._estimators.lasso_ridge import project_l1_ball

    rng = np.random.default_rng(seed)
    draws = np.asarray(beta) + sigma * rng.standard_normal((n_points, 2))
    fig, axes = plt.subplots(1, 2, figsize=(12.5, 6.2), sharex=True, sharey=True)
    lim = 3.2
    for ax, form in zip(axes, ("penalized", "constrained")):
        if form == "penalized":
            sparse = (soft_threshold(draws, lam) == 0).any(axis=1)
            ax.axvspan(-lam, lam, color=REGION_COLOUR, alpha=0.55, lw=0)
            ax.axhspan(-lam, lam, color=REGION_COLOUR, alpha=0.55, lw=0)
            title = f"Penalized: lasso zero where $|\\hat\\beta_j| \\leq \\lambda$ = {lam:g}"
        else:
            sparse = (project_l1_ball(draws, radius) == 0).any(axis=1)
            far = 10.0
            for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                v = np.array([sx, sy]) * radius  # the vertex; the wedge opens away from the origin
                d = np.array([sx, sy])
                n = np.array([-sy, sx])
                ax.add_patch(Polygon([v, v + far * (d + n), v + far * (d - n)], closed=True,
                                     color=REGION_COLOUR, alpha=0.55, lw=0))
            ax.add_patch(Polygon([(radius, 0), (0, radius), (-radius, 0), (0, -radius)], closed=True,
                                 fill=False, ec=LASSO_COLOUR, lw=2, label=f"L1 ball, t = {radius:g}"))
            ax.add_patch(Circle((0, 0), radius, fill=False, ec=RIDGE_COLOUR, lw=2, ls="--",
                                label=f"L2 ball, t = {radius:g}"))
            title = f"Constrained: wedges beyond the diamond's vertices, t = {radius:g}"
        ax.axhline(0, color="black", lw=1.2)
        ax.axvline(0, color="black", lw=1.2, label="axes $A_R$ (ridge zero)")
        ax.scatter(*draws[~sparse].T, s=5, color="#555555", alpha=0.45, label="lasso solution not sparse")
        ax.scatter(*draws[sparse].T, s=5, color=LASSO_COLOUR, alpha=0.6, label="lasso solution sparse")
        ax.plot(*beta, marker="*", ms=16, color="gold", mec="black", ls="none", label=r"true $\beta$")
        exact = exact_sparse_probability(beta, sigma, **({"lam": lam} if form == "penalized" else {"radius": radius}))
        ax.text(0.02, 0.02, f"P(lasso sparse) = {exact.probability:.3f} (exact)\n"
                            f"share of these {n_points} draws: {sparse.mean():.3f}\nP(ridge sparse) = 0",
                transform=ax.transAxes, fontsize=9.5, va="bottom",
                bbox=dict(boxstyle="round", fc="white", ec="#999999", alpha=0.9))
        ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", title=title,
               xlabel=r"$\hat\beta_1$ (units of $\sigma$)", ylabel=r"$\hat\beta_2$ (units of $\sigma$)")
        handles, labels = ax.get_legend_handles_labels()
        handles = [_legend_dot(h) for h in handles]
        ax.legend(handles, labels, loc="upper left", fontsize=8, framealpha=0.9)
    fig.suptitle(r"The sparse region $A_L$ (grey) and draws of $\hat\beta \sim N(\beta, \sigma^2 I)$, "
                 rf"$\beta$ = {tuple(beta)}, $\sigma$ = {sigma:g}", fontsize=13)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 2. P(sparse) against the level
def plot_probability_curves(table):
    """Exact curves and Monte Carlo points with 95% intervals, p = 2, both forms."""
    plt, sns = _setup()
    fig, axes = plt.subplots(1, 2, figsize=(13, 6.4), sharey=True)
    grid = table[(table["p"] == 2) & (table["sigma"] == 1.0)]
    if grid.empty:
        return None
    grid = grid[grid["reps"] == grid["reps"].mode().iloc[0]]  # the study's main grid
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


# ---------------------------------------------------------------- 3. distribution of one coordinate
COORDINATE = {"beta": 1.0, "sigma": 1.0, "lam": 0.5, "n": 1_000_000, "seed": 1}


def coordinate_draws(beta, sigma, lam, n, seed):
    """``n`` draws of one coordinate's lasso and ridge estimates, and the exact lasso atom at 0."""
    z = beta + sigma * np.random.default_rng(seed).standard_normal(n)
    atom_exact = float(np.exp(log_zero_probability([beta], sigma, lam)[0]))
    return soft_threshold(z, lam), ridge_shrink(z, lam), atom_exact


def plot_coordinate_distribution(beta=1.0, sigma=1.0, lam=0.5, n=1_000_000, seed=1):  # see COORDINATE
    """The lasso estimate's atom at 0 against ridge's continuous density, one coordinate."""
    plt, sns = _setup()
    from scipy import stats

    lasso, ridge, atom_exact = coordinate_draws(beta, sigma, lam, n, seed)
    atom_mc = float(np.mean(lasso == 0))
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), sharey=False)
    bins = np.linspace(-3, 4, 141)
    width = bins[1] - bins[0]
    ax = axes[0]
    ax.hist(lasso[lasso != 0], bins=bins, density=False, weights=np.full((lasso != 0).sum(), 1 / (n * width)),
            color=LASSO_COLOUR, alpha=0.45, label="simulated, nonzero part")
    xs = np.linspace(-3, 4, 800)
    # The density jumps at 0 (from the branch z < -lam to z > lam): draw each side on its own.
    left, right = np.linspace(-3, 0, 300), np.linspace(0, 4, 400)
    ax.plot(left, stats.norm.pdf(left - lam, beta, sigma), color=LASSO_COLOUR, lw=2,
            label="exact density of the continuous part")
    ax.plot(right, stats.norm.pdf(right + lam, beta, sigma), color=LASSO_COLOUR, lw=2)
    ax.vlines(0, 0, atom_exact, color="black", lw=4, label="atom at 0")
    ax.plot([0], [atom_exact], "o", color="black", ms=8)
    ax.annotate(f"P(estimate = 0)\nexact {atom_exact:.4f}\nsimulated {atom_mc:.4f}", xy=(0, atom_exact),
                xytext=(2.2, 0.3), fontsize=10, arrowprops=dict(arrowstyle="->", color="black"))
    ax.set(title=rf"Lasso, $\lambda$ = {lam:g}: an atom at 0 plus a density",
           xlabel=r"estimate $\hat\theta$ (units of $\sigma$)", ylabel="density; atom height = probability")
    ax.legend(fontsize=8.5, loc="upper left")
    ax = axes[1]
    ax.hist(ridge, bins=bins, density=True, color=RIDGE_COLOUR, alpha=0.45, label="simulated")
    ax.plot(xs, stats.norm.pdf(xs, beta / (1 + lam), sigma / (1 + lam)), color=RIDGE_COLOUR, lw=2,
            label=r"exact: N($\beta/(1+\lambda)$, $\sigma^2/(1+\lambda)^2$)")
    ax.text(0.03, 0.75, f"P(estimate = 0) = 0\nsimulated: {int(np.sum(ridge == 0))} of {n:,}",
            transform=ax.transAxes, fontsize=10)
    ax.set(title=rf"Ridge, $\lambda$ = {lam:g}: continuous, no atom", xlabel=r"estimate $\hat\theta$ (units of $\sigma$)",
           ylabel="density")
    ax.legend(fontsize=8.5, loc="upper right")
    fig.suptitle(rf"Distribution of one coordinate's estimate, $\beta_j$ = {beta:g}, $\sigma$ = {sigma:g}",
                 fontsize=13)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- 4. Monte Carlo error against N
def plot_error_against_reps(table):
    plt, sns = _setup()
    series = table[(table["estimator"] == "lasso") & table["exact"].notna()]
    # The scenario run at the most different numbers of replications.
    if series.empty:
        return None
    by_setting = series.groupby(["form", "beta", "sigma", "level_over_sigma"])["reps"].nunique()
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


# ---------------------------------------------------------------- 5. calibration
def plot_calibration(table):
    plt, sns = _setup()
    from scipy import stats

    rows = table[table["exact"].between(0, 1, inclusive="neither")]
    # Estimators with one threshold (lasso, SCAD, MCP) give the same count on the same draws: count it once.
    z = rows.drop_duplicates(["scenario", "successes"])["z"].dropna().to_numpy()
    if z.size < 3:
        return None
    z = np.sort(z)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5))
    q = stats.norm.ppf((np.arange(1, z.size + 1) - 0.5) / z.size)
    axes[0].plot(q, z, "o", color=LASSO_COLOUR, ms=5)
    lim = max(3.0, np.abs(z).max() + 0.3, np.abs(q).max() + 0.3)
    axes[0].plot([-lim, lim], [-lim, lim], color="black", lw=1)
    axes[0].set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel="N(0, 1) quantile",
                ylabel="z = (estimate - exact) / SE", title=f"QQ plot of {z.size} z-scores (one per distinct estimate)")
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


# ---------------------------------------------------------------- 9. ESL Figure 3.11 at several rho
#: The defaults of the correlated-regions figure, used when the table has them (else its own values).
CORRELATED_REGIONS = {"rhos": (-0.6, 0.3, 0.9), "beta": (1.0, 0.3), "sigma": 1.0, "lam": 0.5, "radius": 1.0,
                      "n_points": 2000, "grid": 401, "seed": 0}


def _p2_correlated(table):
    """The table's p = 2 equicorrelated rows (all methods and estimators)."""
    if table is None or len(table) == 0 or not {"p", "design", "rho"} <= set(table.columns):
        return table.iloc[0:0] if table is not None else None
    return table[(table["p"] == 2) & (table["design"] == "equicorrelated") & table["rho"].notna()]


def _pick(values, preferred):
    """``preferred`` when it is among ``values`` (or ``values`` is empty), else the first of ``values``."""
    values = [v for v in values if v == v]  # drop NaN
    if not values or any(np.isclose(v, preferred) for v in values):
        return preferred
    return sorted(values)[0]


def sparse_mask(gram, beta_hat, *, lam=None, radius=None):
    """Exact test, row by row, of whether the lasso solution at ``beta_hat`` has a zero coordinate.

    Penalized (``lam``): the solution of ``1/2 b^T G b - z^T b + lam ||b||_1`` with
    ``z = G beta_hat``; constrained (``radius``): the ``G``-metric projection of
    ``beta_hat`` on the L1 ball of radius ``t``.  Returns ``(mask, b)``.
    """
    from .._mc.kernels_correlated import constrained_lasso_gram_solve, lasso_gram_solve

    gram = np.asarray(gram, dtype=float)
    beta_hat = np.atleast_2d(np.asarray(beta_hat, dtype=float))
    if lam is not None:
        b = lasso_gram_solve(gram, beta_hat @ gram, lam)  # z = G beta_hat, row by row (G symmetric)
    else:
        b = constrained_lasso_gram_solve(gram, beta_hat, radius)
    return (b == 0).any(axis=1), b


def _ellipse(centre, gram, c, n=240):
    """The points ``b`` with ``(b - centre)^T G (b - centre) = c``."""
    w, v = np.linalg.eigh(np.asarray(gram, dtype=float))
    angle = np.linspace(0, 2 * np.pi, n)
    unit = np.stack([np.cos(angle), np.sin(angle)])
    return np.asarray(centre)[:, None] + np.sqrt(c) * (v @ (unit / np.sqrt(w)[:, None]))


def _diamond(ax, radius, **kwargs):
    from matplotlib.patches import Polygon

    ax.add_patch(Polygon([(radius, 0), (0, radius), (-radius, 0), (0, -radius)], closed=True, fill=False, **kwargs))


def plot_correlated_regions(table, **options):
    """ESL Figure 3.11 at several rho: the sparse region, the ellipses and a cloud of beta_hat, both forms."""
    from .._designs.design import equicorrelated
    from .._exact.correlated import exact_sparse_probability_correlated

    rows = _p2_correlated(table)
    if rows is None or rows.empty:
        return None
    settings = {**CORRELATED_REGIONS, **options}
    present = sorted(set(float(r) for r in rows["rho"]))
    wanted = [r for r in settings["rhos"] if any(np.isclose(r, q) for q in present)]
    if len(wanted) < min(len(settings["rhos"]), len(present)):  # the table has other rhos: spread three of them
        wanted = [present[i] for i in sorted(set(np.linspace(0, len(present) - 1, min(3, len(present))).round()
                                                 .astype(int)))]
    rhos = wanted
    betas = list(dict.fromkeys(tuple(b) for b in rows["beta"]))
    beta = settings["beta"] if (settings["beta"] in betas or not betas) else betas[0]
    beta = np.asarray(beta, dtype=float)
    sigma = float(settings["sigma"])
    lam = _pick(list(rows.loc[rows["form"] == "penalized", "lam"]), settings["lam"])
    radius = _pick(list(rows.loc[rows["form"] == "constrained", "radius"]), settings["radius"])

    plt, sns = _setup()
    from matplotlib.colors import ListedColormap, to_rgba
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle, Patch

    region_cmap = ListedColormap([(0, 0, 0, 0), to_rgba(REGION_COLOUR, 0.6)])
    ncol = len(rhos)
    fig, axes = plt.subplots(2, ncol, figsize=(4.9 * ncol, 11.2), squeeze=False)
    eps = np.random.default_rng(settings["seed"]).standard_normal((settings["n_points"], 2))
    for col, rho in enumerate(rhos):
        design = equicorrelated(2, rho)
        gram = np.array(design.gram)
        draws = beta + sigma * eps @ np.asarray(design.covariance_cholesky).T
        # A symmetric window holding most of the cloud, so the diamond stays centred and visible.
        lim = float(np.clip(np.quantile(np.abs(draws), 0.97) + 0.3, 3.0, 6.5))
        xs = np.linspace(-lim, lim, settings["grid"])
        grid = np.column_stack([g.ravel() for g in np.meshgrid(xs, xs)])
        for row, (form, level) in enumerate((("penalized", {"lam": lam}), ("constrained", {"radius": radius}))):
            ax = axes[row, col]
            region, _ = sparse_mask(gram, grid, **level)
            ax.imshow(region.reshape(xs.size, xs.size), origin="lower", extent=(-lim, lim, -lim, lim),
                      cmap=region_cmap, vmin=0, vmax=1, interpolation="nearest", zorder=0)
            sparse, solutions = sparse_mask(gram, draws, **level)
            ax.axhline(0, color="black", lw=1, zorder=1)
            ax.axvline(0, color="black", lw=1, zorder=1)
            ax.scatter(*draws[~sparse].T, s=4, color="#555555", alpha=0.35, lw=0, zorder=2)
            ax.scatter(*draws[sparse].T, s=4, color=LASSO_COLOUR, alpha=0.5, lw=0, zorder=2)
            # One draw with a single zero, near beta: its loss contours and the solution they touch.
            one_zero = np.flatnonzero((solutions == 0).sum(axis=1) == 1)
            pick = one_zero[np.argmin(np.sum((draws[one_zero] - (beta + [0.6, 0.6])) ** 2, axis=1))] \
                if one_zero.size else None
            if form == "constrained":
                _diamond(ax, radius, ec=LASSO_COLOUR, lw=2.2, zorder=4)
                ax.add_patch(Circle((0, 0), radius, fill=False, ec=RIDGE_COLOUR, lw=2, ls="--", zorder=4))
            if pick is not None:
                bh, b = draws[pick], solutions[pick]
                c = float((b - bh) @ gram @ (b - bh))
                for scale, lw in ((0.5, 0.8), (1.0, 1.8), (1.6, 0.8)):
                    ax.plot(*_ellipse(bh, gram, c * scale ** 2), color="black", lw=lw, zorder=5)
                if form == "penalized":  # the L1 ball the contour touches at the solution
                    _diamond(ax, np.abs(b).sum(), ec=LASSO_COLOUR, lw=1.6, ls="--", zorder=4)
                ax.plot(*bh, "o", ms=7, mfc="white", mec="black", mew=1.5, zorder=6)
                ax.plot(*b, "D", ms=7, color=LASSO_COLOUR, mec="black", zorder=6)
            ax.plot(*beta, marker="*", ms=16, color="gold", mec="black", ls="none", zorder=7)
            exact = exact_sparse_probability_correlated(beta, sigma, design, **level).probability
            what = rf"$\lambda$ = {lam:g}" if form == "penalized" else rf"$t$ = {radius:g}"
            ax.set_title(f"{form.capitalize()}, $\\rho$ = {rho:g}, {what}\nP(lasso sparse) = {exact:.3f} (exact); "
                         f"cloud {sparse.mean():.3f}", fontsize=10.5)
            ax.set(xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal", xlabel=r"$\hat\beta_1$" if row else "")
            ax.set_ylabel(r"$\hat\beta_2$")
            ax.grid(False)
    handles = [Patch(color=REGION_COLOUR, alpha=0.6, label="sparse region (solution has an exact zero)"),
               Line2D([], [], ls="none", marker="o", ms=6, color=LASSO_COLOUR,
                      label=r"draw of $\hat\beta$, solution sparse"),
               Line2D([], [], ls="none", marker="o", ms=6, color="#555555", label=r"draw of $\hat\beta$, not sparse"),
               Line2D([], [], ls="none", marker="*", ms=14, color="gold", mec="black", label=r"true $\beta$"),
               Line2D([], [], ls="none", marker="o", ms=7, mfc="white", mec="black", mew=1.5,
                      label=r"one draw $\hat\beta$; black: its loss contours "
                            r"$(b-\hat\beta)^T G (b-\hat\beta)$ = const"),
               Line2D([], [], ls="none", marker="D", ms=7, color=LASSO_COLOUR, mec="black",
                      label="its lasso solution, where a contour touches the L1 ball"),
               Line2D([], [], color=LASSO_COLOUR, lw=2,
                      label=f"L1 ball $|b_1|+|b_2| \\leq$ {radius:g} (dashed: through the solution)"),
               Line2D([], [], color=RIDGE_COLOUR, lw=2, ls="--", label=f"L2 ball of radius {radius:g}")]
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=9, frameon=False)
    fig.suptitle("ESL Figure 3.11 with correlated predictors, $X^TX = (1-\\rho)I + \\rho\\,11^T$: "
                 f"$\\hat\\beta \\sim N(\\beta, \\sigma^2 (X^TX)^{{-1}})$, $\\beta$ = {tuple(float(v) for v in beta)}, "
                 f"$\\sigma$ = {sigma:g}\ntop: penalized form, bottom: constrained form; the region is exact "
                 "(every grid point solved), so is P(sparse)", fontsize=12)
    fig.tight_layout(rect=(0, 0.1, 1, 0.95))
    fig.subplots_adjust(hspace=0.32)  # room for the lower row's two-line titles
    return fig


# ---------------------------------------------------------------- 10. P(sparse) against rho
def plot_probability_against_rho(table):
    """P(lasso sparse) against rho for each p = 2 correlated setting: exact lines, Monte Carlo dots."""
    from .._designs.design import equicorrelated
    from .._exact.correlated import exact_sparse_probability_correlated

    rows = _p2_correlated(table)
    if rows is None or rows.empty:
        return None
    mc = table[table["method"] == "mc"] if "method" in table else table
    plt, sns = _setup()
    fig, axes = plt.subplots(1, 2, figsize=(13.5, 6.6), sharey=True)
    rho_low, rho_high = min(rows["rho"].min(), 0.0), max(rows["rho"].max(), 0.0)
    pad = 0.03 * (rho_high - rho_low)
    grid = np.unique(np.r_[np.linspace(max(rho_low - pad, -0.97), min(rho_high + pad, 0.97), 121), 0.0])
    for ax, form, level in zip(axes, ("penalized", "constrained"), ("lam", "radius")):
        sub = rows[(rows["form"] == form) & (rows["estimator"] == "lasso")]
        settings = list(dict.fromkeys(zip(sub["beta"], sub["sigma"], sub[level])))
        if not settings:
            ax.text(0.5, 0.5, f"no correlated {form} scenarios in this study", ha="center", transform=ax.transAxes)
            ax.set(xlabel=r"$\rho$")
            continue
        betas = list(dict.fromkeys(b for b, _, _ in settings))
        paired = sns.color_palette("Paired", 12)
        levels = sorted(set(v for _, _, v in settings))
        styles = ["-", "--", ":", "-."]
        ridge_n, ridge_sparse = 0, 0
        for beta, sigma, value in settings:
            i, j = betas.index(beta), levels.index(value)
            colour = paired[(2 * i + 1 - min(j, 1)) % 12] if len(levels) <= 2 else sns.color_palette("tab10")[
                (i * len(levels) + j) % 10]
            curve = [(exact_sparse_probability(beta, sigma, **{level: value}) if r == 0 else
                      exact_sparse_probability_correlated(beta, sigma, equicorrelated(2, r), **{level: value}))
                     .probability for r in grid]
            sym = r"$\lambda$" if level == "lam" else "$t$"
            label = rf"$\beta$ = {tuple(beta)}, {sym} = {value:g}" + (f", $\\sigma$ = {sigma:g}" if sigma != 1 else "")
            ax.plot(grid, curve, color=colour, ls=styles[j % 4], lw=1.8, label=label)
            same = ((mc["p"] == 2) & (mc["form"] == form) & (mc["beta"] == beta) & (mc["sigma"] == sigma)
                    & np.isclose(mc[level].astype(float), value))
            corr = mc[same & (mc["design"] == "equicorrelated")]
            ortho = mc[same & (mc["design"] == "orthonormal")]
            if not ortho.empty:  # rho = 0: the most precise orthonormal run
                ortho = ortho[ortho["reps"] == ortho.groupby("estimator")["reps"].transform("max")]
            pts = _concat([corr, ortho.assign(rho=0.0)])
            lasso = pts[pts["estimator"] == "lasso"]
            ax.errorbar(lasso["rho"], lasso["estimate"], yerr=[lasso["estimate"] - lasso["ci_low"],
                                                              lasso["ci_high"] - lasso["estimate"]],
                        fmt="o", color=colour, mec="black", mew=0.5, ms=5.5, capsize=3, zorder=4)
            ridge = pts[pts["estimator"] == "ridge"]
            ridge_n += int(ridge["reps"].sum())
            ridge_sparse += int(ridge["successes"].sum())
            ax.plot(ridge["rho"], ridge["estimate"], "s", mfc="none", color=RIDGE_COLOUR, ms=7, zorder=3)
        ax.axhline(0, color=RIDGE_COLOUR, lw=1.2, ls="--",
                   label=f"ridge, every setting (squares: Monte Carlo, {ridge_sparse:,} sparse in {ridge_n:,} draws)")
        ax.axvline(0, color="#888888", lw=0.8)
        ax.set(xlabel=r"correlation $\rho$ ($X^TX = (1-\rho)I + \rho\,11^T$; $\rho$ = 0: orthonormal)",
               title=f"{form.capitalize()} form: lines exact, dots Monte Carlo (95% CI)", ylim=(-0.03, 1.03))
        ax.legend(fontsize=8.5, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    axes[0].set_ylabel("P(lasso solution has a zero coordinate)")
    fig.suptitle(r"P(sparse) against the correlation of the two predictors: positive at every $\rho$ for the lasso, "
                 "0 for ridge", fontsize=13)
    fig.tight_layout()
    return fig


def _concat(frames):
    import pandas as pd

    frames = [f for f in frames if not f.empty]
    return pd.concat(frames) if frames else pd.DataFrame(columns=["rho", "estimator", "estimate", "ci_low",
                                                                  "ci_high", "reps", "successes"])


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


#: One sentence per figure added here; the report's FIGURE_CAPTIONS takes them over.
CAPTIONS = {
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


FIGURES = {
    "sparse_regions": lambda table: plot_sparse_regions(),
    "probability_curves": plot_probability_curves,
    "coordinate_distribution": lambda table: plot_coordinate_distribution(**COORDINATE),
    "error_against_reps": plot_error_against_reps,
    "calibration": plot_calibration,
    "zero_counts": plot_zero_counts,
    "penalty_zero_probability": plot_penalty_zero_probability,
    "thresholding_functions": plot_thresholding_functions,
    "correlated_regions": plot_correlated_regions,
    "probability_against_rho": plot_probability_against_rho,
    "solver_zeros": plot_solver_zeros,
    "subgradient_toy": lambda table: plot_subgradient_toy(),
}

#: Figures drawn from the solver study (``make_figures``'s ``solver_runs``) instead of the table.
SOLVER_FIGURES = frozenset({"solver_zeros"})


def make_figures(table, outdir, solver_runs=()) -> list[Path]:
    """Draw every figure from the study table into ``outdir/*.png`` (atomic writes).

    ``solver_runs`` (return values of :func:`mc_sparsity._solvers.iterative.run_solvers`)
    feed the figures in :data:`SOLVER_FIGURES`.  A figure whose scenarios the
    study does not have is skipped; the paths written are returned.
    """
    import matplotlib.pyplot as plt

    from .._pipeline.output import write_atomic

    outdir = Path(outdir)
    table = hashable(table)
    solver_runs = list(solver_runs or ())
    written = []
    for name, draw in FIGURES.items():
        fig = draw(solver_runs) if name in SOLVER_FIGURES else draw(table)
        if fig is None:
            continue
        buffer = io.BytesIO()
        # No timestamps in the PNG: the same table gives the same file.
        fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
        plt.close(fig)
        path = outdir / f"{name}.png"
        write_atomic(path, buffer.getvalue())
        written.append(path)
    return written
