"""The ``mc-sparsity recovery`` subcommand: argparse options and the handler.

Registered by :func:`add_recovery_command` from ``mc_sparsity.cli``; every
bad value raises :class:`~mc_sparsity._base.errors.ParameterError` before
any trial runs, and the command line maps it to exit status 2 naming the
option (:data:`OPTION_OF`).
"""

from __future__ import annotations

import json
import math

from .._base.errors import ParameterError
from .setup import DESIGNS, ESTIMANDS, MAX_P, MAX_TRIALS, SPARSITIES

__all__ = ["add_recovery_command", "run_recovery", "OPTION_OF", "format_recovery"]

#: Python parameter -> command-line option, for error messages.
OPTION_OF = {"p": "--p", "sparsity": "--sparsity", "theta": "--theta", "n": "--n", "design": "--design",
             "rho": "--rho", "sigma": "--sigma", "beta_min": "--beta-min", "lam": "--lam", "estimand": "--estimand",
             "trials": "--trials", "rng": "--seed", "n_jobs": "--jobs", "backend": "--backend",
             "chunk_size": "--chunk-size"}


def _number(text):
    try:
        value = float(text)
    except ValueError:
        import argparse

        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    return value


def _whole(text):
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not math.isfinite(value) or not value.is_integer():
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}")
    return int(value)


def _lam(text):
    return text if text == "wainwright" else _number(text)


def _sparsity(text):
    return text if text in SPARSITIES else _whole(text)


def add_recovery_command(commands, add_engine_options) -> None:
    """Add the ``recovery`` subcommand to the ``commands`` subparsers."""
    rec = commands.add_parser(
        "recovery", help="random designs, p > n: does the lasso recover the signed support? (Wainwright 2009)",
        description="Each trial draws a design X (n x p, rows N(0, Sigma)), a support of size k, random signs and "
                    "noise, solves the lasso exactly (certified by a primal-dual witness or KKT after LARS) and "
                    "compares its support with the truth; P(signed support) against theta = n / (2 k log(p - k)).")
    rec.add_argument("--p", type=_whole, nargs="+", default=[128, 256, 512], metavar="P",
                     help=f"numbers of variables (default: 128 256 512; at most {MAX_P})")
    rec.add_argument("--sparsity", type=_sparsity, default="fractional", metavar="S",
                     help="linear (k = ceil(0.4 p)), sublinear (ceil(0.4 p / log(0.4 p))), fractional "
                          "(ceil(0.4 p^0.75), the default) or a number k")
    size = rec.add_mutually_exclusive_group()
    size.add_argument("--theta", type=_number, nargs="+", default=None, metavar="T",
                      help="control parameters, n = ceil(2 theta k log(p - k)) (default: 0.5 0.75 1 1.25 1.5 2)")
    size.add_argument("--n", type=_whole, nargs="+", default=None, metavar="N", help="sample sizes instead of theta")
    rec.add_argument("--design", nargs="+", default=["gaussian"], choices=DESIGNS,
                     help="rows N(0, I) (gaussian, the default) or N(0, Sigma), Sigma_ij = rho^|i-j| (toeplitz)")
    rec.add_argument("--rho", type=_number, default=None, metavar="R", help="the Toeplitz correlation (default 0.1)")
    rec.add_argument("--sigma", type=_number, default=0.5, help="noise level (default: 0.5)")
    rec.add_argument("--beta-min", type=_number, default=0.5, dest="beta_min",
                     help="size of the non-zero coefficients, +-beta_min (default: 0.5)")
    rec.add_argument("--lam", type=_lam, default="wainwright", metavar="L",
                     help="wainwright (lam_n = sqrt(2 sigma^2 log k log(p - k) / n), the default) or a value")
    rec.add_argument("--estimand", nargs="+", default=["signed_support"], choices=(*ESTIMANDS, "all"),
                     help="proportions signed_support (default), support, superset; means fdp, tpr, hamming; or all")
    rec.add_argument("--trials", type=_whole, default=1000, metavar="N",
                     help=f"trials per scenario (default: 1000; at most {MAX_TRIALS:,})")
    rec.add_argument("--seed", type=_whole, default=0, metavar="K", help="non-negative seed (default: 0)")
    add_engine_options(rec)
    for action in rec._actions:  # the shared option's help speaks of the engine's default block size
        if action.dest == "chunk_size":
            action.help = "trials per task, rounded up to whole blocks of 8 trials"
    rec.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    rec.set_defaults(run=run_recovery)


def _validate(args):
    """Every check of the Python API, run on the whole grid before any trial (exit 2 naming the option)."""
    from .setup import recovery_setup

    if args.seed < 0:
        raise ParameterError("rng", f"seed must be a non-negative integer, got {args.seed}")
    if not 1 <= args.trials <= MAX_TRIALS:
        raise ParameterError("trials", f"trials must be in [1, {MAX_TRIALS:,}], got {args.trials}")
    if args.chunk_size is not None and args.chunk_size < 1:
        raise ParameterError("chunk_size", f"chunk size must be >= 1, got {args.chunk_size}")
    for theta in args.theta or []:
        if not (math.isfinite(theta) and theta > 0):
            raise ParameterError("theta", f"theta must be a finite number > 0, got {theta!r}")
    for p in args.p:
        for design in args.design:
            for level in (args.n if args.n is not None else args.theta or [1.0]):
                kw = {"n": level} if args.n is not None else {"theta": level}
                recovery_setup(p, args.sparsity, lam=args.lam, design=design, rho=args.rho, sigma=args.sigma,
                               beta_min=args.beta_min, **kw)


def format_recovery(result) -> str:
    """A readable table of a :class:`~mc_sparsity._recovery.simulate.RecoveryResult`."""
    lines = [f"sparsity = {result.sparsity}, sigma = {result.sigma:g}, beta_min = {result.beta_min:g}, "
             f"trials = {result.trials:,} per scenario, seed = {result.seed}", "",
             f"{'p':>5}{'k':>5}{'n':>6}{'theta':>7}{'lam':>9}  {'design':<14}{'estimand':<16}{'estimate':>10}"
             f"{'95% CI':>20}{'uncert.':>9}"]
    for row in result.results:
        design = row.design if row.design == "gaussian" else f"{row.design} {row.rho:g}"
        lines.append(f"{row.p:>5}{row.k:>5}{row.n:>6}{row.theta:>7.3g}{row.lam:>9.4g}  {design:<14}"
                     f"{row.estimand:<16}{row.estimate:>10.4g}{f'[{row.ci_low:.3g}, {row.ci_high:.3g}]':>20}"
                     f"{row.uncertified:>9}")
    if result.transitions:
        lines += ["", "theta where P(signed support) crosses 1/2:"]
        for t in result.transitions:
            design = t["design"] if t["design"] == "gaussian" else f"{t['design']} {t['rho']:g}"
            point = "-" if t["theta_half"] is None else f"{t['theta_half']:.3g}"
            ci = f"[{_fmt(t['ci_low'])}, {_fmt(t['ci_high'])}]"
            lines.append(f"  p = {t['p']}, {design}: {point} {ci} ({t['method']}; bracket "
                         f"[{_fmt(t['bracket_low'])}, {_fmt(t['bracket_high'])}])")
    return "\n".join(lines)


def _fmt(value):
    return "-" if value is None else f"{value:.3g}"


def _plain(value):
    """JSON-ready: numpy scalars to Python numbers, NaN to None."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def run_recovery(args) -> int:
    """The handler: validate everything, run, print a table or JSON."""
    from .simulate import simulate_recovery

    _validate(args)
    backend = "dask" if args.scheduler else args.backend
    theta = args.theta if args.theta is not None else (0.5, 0.75, 1.0, 1.25, 1.5, 2.0)
    result = simulate_recovery(args.p, args.sparsity, theta=theta, n=args.n, design=args.design, rho=args.rho,
                               sigma=args.sigma, beta_min=args.beta_min, lam=args.lam, estimand=args.estimand,
                               trials=args.trials, rng=args.seed, n_jobs=args.jobs, backend=backend,
                               chunk_size=args.chunk_size, scheduler=args.scheduler,
                               progress=not (args.quiet or args.json))
    if args.json:
        print(json.dumps(_plain(result.to_dict()), allow_nan=False))
    else:
        print(format_recovery(result))
    return 0
