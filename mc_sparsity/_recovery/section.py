"""The report's "Are they the right zeros?" section, random-design half: data, figure, markdown, verdict.

Wainwright's experiment (2009, Fig. 2-3): P(the lasso's signed support is the
truth's) against ``theta = n / (2 k log(p - k))`` for ``p = 128, 256, 512``,
fractional sparsity ``k = ceil(0.4 p^0.75)``, ``beta = +-0.5`` on the support,
``sigma = 0.5``, ``lam_n = sqrt(2 sigma^2 log k log(p - k) / n)``, designs
``Sigma = I`` and Toeplitz ``0.1^|i-j|``.

* :func:`recovery_section_data` runs it and returns a :class:`RecoverySection`;
* :func:`draw_recovery_figure` draws the curves with Clopper-Pearson bands;
* :func:`render_recovery_markdown` renders the section (it computes nothing);
* :func:`recovery_verdict` is the rule for the random-design part of claim C11.

Budget: :data:`SECTION_TRIALS` trials per point, 36 points (3 ``p`` x 2
designs x 6 ``theta``); about 40 s on 2 cores measured (the kernels compiled).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .simulate import simulate_recovery
from .._stats.verdicts import DOES_NOT_HOLD, HOLDS, NOT_SETTLED

__all__ = ["SECTION_TRIALS", "THETAS", "BAND", "RecoverySection", "RecoveryVerdict", "recovery_section_data",
           "draw_recovery_figure", "render_recovery_markdown", "recovery_verdict"]

#: Trials per (p, design, theta): keeps the section within ~60 s on 2 cores.
SECTION_TRIALS = 400
THETAS = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
SIZES = (128, 256, 512)
TOEPLITZ_RHO = 0.1
#: "Near theta = 1": the crossing of 1/2 within a factor 1.5 of the asymptotic threshold.
BAND = (2.0 / 3.0, 1.5)


@dataclass(frozen=True)
class RecoverySection:
    """What the section shows: one row per (design, p, theta) and one crossing per (design, p)."""

    rows: list
    transitions: list
    trials: int
    seed: int
    sparsity: str = "fractional"
    sigma: float = 0.5
    beta_min: float = 0.5
    seconds: float = 0.0
    n_jobs: int | None = None
    undecided: int = 0
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RecoveryVerdict:
    verdict: str
    evidence: str


def recovery_section_data(trials=SECTION_TRIALS, rng=0, n_jobs=-1, p=SIZES, theta=THETAS,
                          sparsity="fractional", progress=False) -> RecoverySection:
    """Run Wainwright's experiment for the report (signed support only: the witness decides it).

    Examples
    --------
    >>> data = recovery_section_data(trials=8, p=(64,), theta=(1.0, 2.0), sparsity=4, n_jobs=1)
    >>> len(data.rows), [t["design"] for t in data.transitions]
    (4, ['gaussian', 'toeplitz'])
    """
    start = time.perf_counter()
    result = simulate_recovery(p, sparsity, theta=theta, design=("gaussian", "toeplitz"), rho=TOEPLITZ_RHO,
                               estimand="signed_support", trials=trials, rng=rng, n_jobs=n_jobs, progress=progress)
    seconds = time.perf_counter() - start
    rows = [{key: getattr(row, key) for key in ("p", "k", "n", "theta", "lam", "design", "rho", "trials",
                                                 "successes", "estimate", "ci_low", "ci_high", "uncertified")}
            for row in result.results]
    transitions = [{key: (float(v) if hasattr(v, "item") else v) for key, v in t.items()}
                   for t in result.transitions]
    return RecoverySection(rows=rows, transitions=transitions, trials=trials, seed=result.seed,
                           sparsity=str(sparsity), sigma=result.sigma, beta_min=result.beta_min, seconds=seconds,
                           n_jobs=n_jobs, undecided=sum(r["uncertified"] for r in rows))


def _design_label(design, rho):
    return "Sigma = I" if design == "gaussian" else f"Toeplitz, rho = {rho:g}"


def _designs(data):
    seen = []
    for row in data.rows:
        if (row["design"], row["rho"]) not in seen:
            seen.append((row["design"], row["rho"]))
    return seen


def draw_recovery_figure(data: RecoverySection, path):
    """Draw P(signed support) against theta, one panel per design, one curve per p, with 95% bands.

    The crossing of 1/2 and its interval are marked on each curve; the dashed
    line is Wainwright's threshold theta = 1.  Returns the path.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import seaborn as sns

    from .._pipeline.output import write_atomic

    sns.set_theme(style="whitegrid", context="notebook")
    designs = _designs(data)
    sizes = sorted({row["p"] for row in data.rows})
    colours = sns.color_palette("viridis", len(sizes))
    fig, axes = plt.subplots(1, len(designs), figsize=(5.2 * len(designs), 4.2), sharey=True, squeeze=False)
    for ax, (design, rho) in zip(axes[0], designs):
        for colour, p in zip(colours, sizes):
            rows = sorted((r for r in data.rows if r["design"] == design and r["p"] == p), key=lambda r: r["theta"])
            thetas = [r["theta"] for r in rows]
            ax.fill_between(thetas, [r["ci_low"] for r in rows], [r["ci_high"] for r in rows], color=colour,
                            alpha=0.2, linewidth=0)
            ax.plot(thetas, [r["estimate"] for r in rows], "o-", color=colour, ms=4,
                    label=f"p = {p}, k = {rows[0]['k']}")
            for t in data.transitions:
                if t["design"] == design and t["p"] == p and t["theta_half"] is not None:
                    low = t["ci_low"] if t["ci_low"] is not None else t["theta_half"]
                    high = t["ci_high"] if t["ci_high"] is not None else t["theta_half"]
                    ax.errorbar([t["theta_half"]], [0.5], xerr=[[t["theta_half"] - low], [high - t["theta_half"]]],
                                fmt="|", color=colour, capsize=3, ms=10)
        ax.axvline(1.0, color="0.3", ls="--", lw=1)
        ax.axhline(0.5, color="0.6", ls=":", lw=1)
        ax.set_title(_design_label(design, rho))
        ax.set_xlabel("theta = n / (2 k log(p - k))")
        ax.set_ylim(-0.02, 1.02)
    axes[0][0].set_ylabel("P(signed support recovered)")
    axes[0][0].legend(loc="upper left", fontsize="small")
    fig.tight_layout()
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
    write_atomic(path, buffer.getvalue())
    return path


def _inside(t, band):
    """The bracket is closed and lies within ``band``: the crossing is near theta = 1 whatever the curve's shape."""
    return (t["bracket_low"] is not None and t["bracket_high"] is not None and band[0] <= t["bracket_low"]
            and t["bracket_high"] <= band[1])


def _outside(t, band):
    """The bracket shows the crossing beyond ``band`` (P significantly below 1/2 at band[1], or above at band[0])."""
    if t["bracket_low"] is not None and t["bracket_low"] >= band[1]:
        return True
    return t["bracket_high"] is not None and t["bracket_high"] <= band[0]


def _bracket_text(t):
    return f"[{_num(t['bracket_low'])}, {_num(t['bracket_high'])}]"


def recovery_verdict(data: RecoverySection, band=BAND) -> RecoveryVerdict:
    """The rule for the random-design part of C11, from the section's data.

    Where the curves cross 1/2 is judged by the model-free bracket (valid for
    any increasing curve; see :mod:`~mc_sparsity._recovery.transition`), not by
    the logistic interval, whose model the curves do not follow exactly.

    * **does not hold** if, for the Gaussian design (Sigma = I) at the largest
      ``p``: P(signed support) is significantly below 1/2 at some theta >= 1.5
      (the Clopper-Pearson interval's upper end < 1/2: no recovery well above the
      threshold), or significantly above 1/2 at some theta <= 0.75 (recovery
      well below it), or the bracket puts the crossing of 1/2 beyond ``band``
      (the transition is not near theta = 1);
    * **holds** if not, and for every design and ``p`` the bracket is closed and
      lies inside ``band``, and for the Gaussian design the transition sharpens
      with ``p`` (the fitted logistic slope at the largest ``p`` exceeds that at
      the smallest);
    * **not settled here** otherwise (too few trials, a curve that does not
      cross 1/2 inside the grid, no sharpening seen).

    Examples
    --------
    >>> rows = [dict(p=p, design="gaussian", rho=0.0, theta=t, estimate=e, ci_low=e - .05, ci_high=e + .05,
    ...              k=4, n=10, trials=400, successes=0, uncertified=0)
    ...         for p in (128, 512) for t, e in ((0.5, 0.0), (2.0, 1.0))]
    >>> ts = [dict(p=p, design="gaussian", rho=0.0, theta_half=1.1, ci_low=1.0, ci_high=1.2, slope=s,
    ...            method="logistic-profile", bracket_low=1.0, bracket_high=1.25) for p, s in ((128, 5), (512, 7))]
    >>> recovery_verdict(RecoverySection(rows, ts, 400, 0)).verdict
    'holds'
    """
    gaussian = [t for t in data.transitions if t["design"] == "gaussian"]
    if not gaussian:
        return RecoveryVerdict(NOT_SETTLED, "No Sigma = I curves in the data.")
    largest = max(t["p"] for t in gaussian)
    smallest = min(t["p"] for t in gaussian)
    rows = [r for r in data.rows if r["design"] == "gaussian" and r["p"] == largest]
    t_large = next(t for t in gaussian if t["p"] == largest)
    t_small = next(t for t in gaussian if t["p"] == smallest)
    fails = [f"P = {r['estimate']:.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}] at theta = {r['theta']:g}"
             for r in rows if (r["theta"] >= 1.5 and r["ci_high"] < 0.5) or (r["theta"] <= 0.75 and r["ci_low"] > 0.5)]
    if _outside(t_large, band):
        fails.append(f"the crossing of 1/2 is bracketed in {_bracket_text(t_large)}, beyond "
                     f"[{band[0]:.3g}, {band[1]:.3g}]")
    if fails:
        return RecoveryVerdict(DOES_NOT_HOLD, f"Sigma = I, p = {largest}: " + "; ".join(fails) + ".")
    crossings = "; ".join(f"{_design_label(t['design'], t['rho'])}, p = {t['p']}: {_bracket_text(t)}"
                          for t in data.transitions)
    near = all(_inside(t, band) for t in data.transitions)
    sharper = (t_large["slope"] is not None and t_small["slope"] is not None and largest > smallest
               and t_large["slope"] > t_small["slope"])
    slopes = (f"logistic slope {_num(t_small['slope'])} at p = {smallest} and {_num(t_large['slope'])} at "
              f"p = {largest}")
    if near and sharper:
        return RecoveryVerdict(HOLDS, f"P(signed support) crosses 1/2 near theta = 1 for every p and design (its "
                               f"brackets lie within [{band[0]:.3g}, {band[1]:.3g}]: {crossings}) and the "
                               f"transition sharpens with p ({slopes}).")
    why = [] if near else [f"not every bracket of the crossing is closed and within [{band[0]:.3g}, {band[1]:.3g}] "
                           f"({crossings})"]
    if not sharper:
        why.append(f"no sharpening with p is seen ({slopes})")
    text = "; ".join(why)
    return RecoveryVerdict(NOT_SETTLED, text[0].upper() + text[1:] + ".")


def _num(value, digits=3):
    return "-" if value is None else f"{value:.{digits}g}"


def render_recovery_markdown(data: RecoverySection, figure="figures/recovery_wainwright.png", verdict=None) -> str:
    """The section's markdown from its data (and the verdict, computed by :func:`recovery_verdict` if not given)."""
    verdict = recovery_verdict(data) if verdict is None else verdict
    designs = _designs(data)
    thetas = sorted({r["theta"] for r in data.rows})
    lines = [
        "### Random designs, p > n: Wainwright's phase transition",
        "",
        f"Each trial draws a design X (n x p, rows N(0, Sigma)), a support of size k = ceil(0.4 p^0.75) at random, "
        f"random signs (beta = +-{data.beta_min:g} on the support) and noise (sigma = {data.sigma:g}), and asks "
        "whether the lasso at lam_n = sqrt(2 sigma^2 log k log(p - k) / n) has exactly the true signed support. "
        "The answer is certified: a primal-dual witness on the true signed support (strict dual feasibility with "
        "rounding margins) proves it yes or no, and LARS with a KKT certificate solves the rare trial it leaves "
        f"open. {data.trials:,} trials per point, seed {data.seed}; {data.undecided} undecided trials.",
        "",
        f"![P(signed support) against theta]({figure})",
        "",
        "| design | p | k | " + " | ".join(f"theta = {t:g}" for t in thetas) + " |",
        "|---|---|---|" + "---|" * len(thetas),
    ]
    for design, rho in designs:
        for p in sorted({r["p"] for r in data.rows}):
            rows = {r["theta"]: r for r in data.rows if r["design"] == design and r["p"] == p}
            if not rows:
                continue
            k = next(iter(rows.values()))["k"]
            cells = [f"{rows[t]['estimate']:.3f} [{rows[t]['ci_low']:.3f}, {rows[t]['ci_high']:.3f}]"
                     if t in rows else "-" for t in thetas]
            lines.append(f"| {_design_label(design, rho)} | {p} | {k} | " + " | ".join(cells) + " |")
    lines += ["", "Where P(signed support) crosses 1/2: a logistic fit in log theta with a profile-likelihood 95% "
              "interval, widened by the fit's dispersion (deviance / (points - 2), when above 1: the curves are not "
              "exactly logistic); the bracket needs only that P increases with theta (Bonferroni Clopper-Pearson "
              "intervals):", "",
              "| design | p | theta at 1/2 | 95% interval | method | bracket | slope | dispersion |",
              "|---|---|---|---|---|---|---|---|"]
    for t in data.transitions:
        lines.append(f"| {_design_label(t['design'], t['rho'])} | {t['p']} | {_num(t['theta_half'])} | "
                     f"[{_num(t['ci_low'])}, {_num(t['ci_high'])}] | {t['method']} | "
                     f"[{_num(t['bracket_low'])}, {_num(t['bracket_high'])}] | {_num(t['slope'])} | "
                     f"{_num(t.get('dispersion'))} |")
    lines += ["", f"**C11 (random designs): {verdict.verdict}.** {verdict.evidence}", ""]
    return "\n".join(lines)
