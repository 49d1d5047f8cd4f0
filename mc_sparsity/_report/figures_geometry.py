"""Figures of the geometry: the sparse regions with a cloud of beta_hat, one coordinate's law, correlated designs."""

from __future__ import annotations

import numpy as np

from .._estimators.lasso_ridge import ridge_shrink, soft_threshold
from .._exact.orthonormal import exact_sparse_probability, log_zero_probability
from .figures_common import LASSO_COLOUR, REGION_COLOUR, RIDGE_COLOUR, _legend_dot, _setup

__all__ = ["plot_sparse_regions", "plot_coordinate_distribution", "plot_correlated_regions",
           "plot_probability_against_rho", "sparse_mask", "CORRELATED_REGIONS"]


# ---------------------------------------------------------------- 1. the seed's picture
def plot_sparse_regions(eps, beta=(1.0, 0.3), sigma=1.0, lam=0.5, radius=1.0):
    """A_L for both forms at p = 2 with a cloud of beta_hat = beta + sigma eps coloured by lasso sparsity.

    ``eps`` (n, 2) are standard normal draws from the pipeline (``FigureDraws.region_eps``).
    """
    plt, sns = _setup()
    from matplotlib.patches import Circle, Polygon

    from .._estimators.lasso_ridge import project_l1_ball

    eps = np.asarray(eps, dtype=float)
    n_points = eps.shape[0]
    draws = np.asarray(beta) + sigma * eps
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



# ---------------------------------------------------------------- 3. distribution of one coordinate
def plot_coordinate_distribution(z, beta=1.0, sigma=1.0, lam=0.5):
    """The lasso estimate's atom at 0 against ridge's continuous density, one coordinate.

    ``z`` are draws of ``beta_hat_j ~ N(beta, sigma^2)`` from the pipeline (``FigureDraws.coordinate_z``).
    """
    plt, sns = _setup()
    from scipy import stats

    z = np.asarray(z, dtype=float)
    n = z.size
    lasso, ridge = soft_threshold(z, lam), ridge_shrink(z, lam)
    atom_exact = float(np.exp(log_zero_probability([beta], sigma, lam)[0]))
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



# ---------------------------------------------------------------- 9. ESL Figure 3.11 at several rho
#: The defaults of the correlated-regions figure, used when the table has them (else its own values).
CORRELATED_REGIONS = {"rhos": (-0.6, 0.3, 0.9), "beta": (1.0, 0.3), "sigma": 1.0, "lam": 0.5, "radius": 1.0,
                      "grid": 401}


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
    from .._exact.lasso_enumeration import constrained_lasso_gram_solve, lasso_gram_solve

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


def plot_correlated_regions(table, eps, **options):
    """ESL Figure 3.11 at several rho: the sparse region, the ellipses and a cloud of beta_hat, both forms.

    ``eps`` (n, 2) are standard normal draws from the pipeline (``FigureDraws.correlated_eps``); each design's
    cloud is ``beta + sigma eps L^T``, ``L L^T = G^-1``.
    """
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
    eps = np.asarray(eps, dtype=float)
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


