"""The ``mc-sparsity`` command: a thin layer over the Python API.

Bad input exits with status 2 and a one-line error on stderr (argparse's
usage-then-error format), never a traceback, never a partial result.  Heavy
modules are imported inside the commands that need them, so that the command
starts fast.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


# ---------------------------------------------------------------- argument types
def _finite_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be finite, got {text!r}")
    return value


def _checked(parse, accept, requirement):
    """An argparse type: ``parse`` the text, then insist that ``accept(value)`` holds."""
    def convert(text: str):
        value = parse(text)
        if not accept(value):
            raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}")
        return value
    return convert


def _integer(requirement):
    def parse(text: str) -> int:
        try:
            return int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {requirement}, got {text!r}") from None
    return parse


def _whole_number(text: str) -> int:
    """``10000000`` or ``1e7``."""
    try:
        return int(text)
    except ValueError:
        try:
            number = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if not math.isfinite(number) or not number.is_integer():
            raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
        return int(number)


_positive_float = _checked(_finite_float, lambda v: v > 0, "> 0")
_nonnegative_float = _checked(_finite_float, lambda v: v >= 0, ">= 0")
_fraction = _checked(_finite_float, lambda v: 0.0 <= v <= 1.0, "in [0, 1]")
_count = _checked(_whole_number, lambda v: v >= 1, ">= 1")
_nonnegative_int = _checked(_integer("a non-negative integer"), lambda v: v >= 0, "a non-negative integer")
_jobs = _checked(_integer("a positive integer or -1"), lambda v: v >= 1 or v == -1,
                 "a positive integer or -1 (all cores)")


# ---------------------------------------------------------------- parser
# argparse takes "-1e5" or "-1." for an option; beta values are written that way too.
_NEGATIVE_NUMBER = re.compile(r"^-((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)


def _accept_negative_numbers(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._negative_number_matcher = _NEGATIVE_NUMBER  # no public hook; stable since Python 3.2
    return parser

def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="J",
                        help="workers; -1 for all cores (default: 1). Never changes the counts.")
    parser.add_argument("--backend", choices=("threading", "loky", "dask"), default="threading",
                        help="joblib backend (default: threading; the compiled loop releases the GIL)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="address of a running dask.distributed scheduler (implies --backend dask)")
    parser.add_argument("--chunk-size", type=_count, metavar="N",
                        help="replications per task, rounded up to whole blocks of 262,144")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mc-sparsity",
        description="Monte Carlo, exact and integrated probabilities that the lasso and ridge "
                    "solutions are sparse under an orthonormal design.")
    from . import __version__
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    sim = commands.add_parser(
        "simulate", help="estimate P(sparse) for one scenario",
        description="Draw beta_hat ~ N(beta, sigma^2 I), apply the lasso and ridge, count sparse solutions, "
                    "and compare with the closed form and the numerical integral (p = 2).")
    _accept_negative_numbers(sim)
    sim.add_argument("--beta", type=_finite_float, nargs="+", required=True, metavar="B",
                     help="true coefficients beta_1 ... beta_p")
    sim.add_argument("--sigma", type=_positive_float, default=1.0, help="noise level (default: 1)")
    level = sim.add_mutually_exclusive_group(required=True)
    level.add_argument("--lam", type=_nonnegative_float, metavar="L",
                       help="penalized form: penalty level of both lasso and ridge")
    level.add_argument("--radius", type=_positive_float, metavar="T",
                       help="constrained form: radius of the L1 ball (lasso) and L2 ball (ridge)")
    sim.add_argument("--estimator", nargs="+", default=["all"], metavar="NAME",
                     choices=("lasso", "ridge", "all", "elastic_net", "hard", "scad", "mcp", "bridge",
                              "best_subset", "penalties"),
                     help="one or more of lasso, ridge, elastic_net, hard (L0), scad, mcp, bridge (L_q), "
                          "best_subset, or a group: all (lasso and ridge, the default), penalties (every "
                          "penalized estimator); all run on the same draws")
    extra = sim.add_argument_group("parameters of the other penalized estimators")
    extra.add_argument("--l1-ratio", type=_fraction, default=0.5, metavar="R",
                       help="elastic net: lam1 = lam*R, lam2 = lam*(1-R), as scikit-learn's ElasticNet (default 0.5)")
    extra.add_argument("--scad-a", type=_finite_float, default=3.7, metavar="A", help="SCAD's a > 2 (default 3.7)")
    extra.add_argument("--mcp-gamma", type=_finite_float, default=3.0, metavar="G",
                       help="MCP's gamma > 1 (default 3)")
    extra.add_argument("--q", type=_finite_float, default=0.5, help="bridge exponent, 0 < q < 1 (default 0.5)")
    extra.add_argument("--subset-size", type=_nonnegative_int, default=1, metavar="M",
                       help="best subset: coordinates kept (default 1)")
    sim.add_argument("--reps", type=_count, default=10_000_000, metavar="N",
                     help="replications, e.g. 10000000 or 1e7 (default: 1e7)")
    sim.add_argument("--seed", type=_nonnegative_int, default=0, metavar="K", help="non-negative seed (default: 0)")
    _add_engine_options(sim)
    sim.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    sim.set_defaults(run=_run_simulate)

    study = commands.add_parser(
        "study", help="run a grid of scenarios from a TOML file into a CSV table",
        description="Run every scenario of a study file (default: the study shipped with the package) and write "
                    "one row per scenario and estimator. An interrupted study resumes when rerun with the same "
                    "file and --out.")
    study.add_argument("file", nargs="?", help="study file (TOML); default: the shipped default study")
    study.add_argument("--out", default="results.csv", help="output CSV (default: results.csv)")
    study.add_argument("--jobs", type=_jobs, default=-1, metavar="J", help="workers (default: -1, all cores)")
    study.add_argument("--quiet", action="store_true", help="no progress bar")
    study.set_defaults(run=_run_study)

    report = commands.add_parser(
        "report", help="run the study and regenerate the report: results.csv, figures and REPORT.md",
        description="Run a study (default: the shipped one) and regenerate DIR/results.csv, DIR/figures/*.png "
                    "and DIR/REPORT.md.")
    report.add_argument("file", nargs="?", help="study file (TOML); default: the shipped default study")
    report.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    report.add_argument("--jobs", type=_jobs, default=-1, metavar="J", help="workers (default: -1, all cores)")
    report.add_argument("--quiet", action="store_true", help="no progress bar")
    report.set_defaults(run=_run_report)
    return parser


# ---------------------------------------------------------------- commands
def _format_probability(value, log_value=None) -> str:
    if value is None:
        return "-"
    if value == 0.0 and log_value is not None and math.isfinite(log_value):
        return f"exp({log_value:.2f})"  # underflows as a float, but is not 0
    return f"{value:.6g}"


def format_table(result) -> str:
    """A readable table of a :class:`SimulationResult`."""
    level = f"{result.level_name} = {result.level:g}"
    lines = [
        f"beta = {list(result.beta)}, sigma = {result.sigma:g}, {result.form} form, {level}, "
        f"reps = {result.reps:,}, seed = {result.seed}",
        "",
        f"{'estimator':<12}{'sparse':>14}{'estimate':>13}{'std err':>11}{'95% CI':>26}"
        f"{'exact':>14}{'integral':>14}{'z':>8}",
    ]
    for row in result.results:
        ci = f"[{row.ci_low:.5g}, {row.ci_high:.5g}]"
        z = "-" if row.z_score is None else f"{row.z_score:.2f}"
        lines.append(
            f"{row.estimator:<12}{row.sparse:>14,}{row.estimate:>13.6g}{row.std_error:>11.3g}{ci:>26}"
            f"{_format_probability(row.exact, row.log_exact):>14}{_format_probability(row.integral):>14}{z:>8}")
    lines.append("")
    lines.append("number of zero coordinates K (counts for K = 0, 1, ..., p):")
    for row in result.results:
        lines.append(f"  {row.estimator:<12} {list(row.zeros)}")
    return "\n".join(lines)


# simulate()'s keyword -> (the estimator it belongs to, the argparse attribute of its option)
_PARAM_OPTIONS = {"l1_ratio": ("elastic_net", "l1_ratio"), "a": ("scad", "scad_a"), "gamma": ("mcp", "mcp_gamma"),
                  "q": ("bridge", "q"), "subset_size": ("best_subset", "subset_size")}


def _estimator_params(args) -> dict:
    """The parameters of the requested estimators (the others are not validated or passed)."""
    if args.radius is not None:
        return {}
    names = set(args.estimator)
    every = "penalties" in names
    return {key: getattr(args, attr) for key, (estimator, attr) in _PARAM_OPTIONS.items()
            if every or estimator in names}


def _run_simulate(args) -> int:
    from ._engine import SimulationInterrupted
    from ._simulate import simulate

    backend = "dask" if args.scheduler else args.backend
    try:
        result = simulate(
            args.beta, args.sigma, lam=args.lam, radius=args.radius, estimator=args.estimator,
            reps=args.reps, seed=args.seed, jobs=args.jobs, backend=backend,
            chunk_size=args.chunk_size, scheduler=args.scheduler,
            progress=not (args.quiet or args.json), **_estimator_params(args))
    except ValueError as exc:
        # Name the option, not simulate()'s keyword, for the estimators' parameters.
        for key, (_, attr) in _PARAM_OPTIONS.items():
            if str(exc).startswith(f"{key} "):
                raise ValueError(f"argument --{attr.replace('_', '-')}: {exc}") from None
        raise
    except SimulationInterrupted as stop:
        print(f"\nmc-sparsity: {stop}. Partial counts of the completed replications "
              f"(not a result): {stop.zeros.tolist()}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(result.to_dict(), allow_nan=False))
    else:
        print(format_table(result))
    return 0


def _run_study(args) -> int:
    from ._study import load_study, run_study

    study = load_study(args.file)
    table = run_study(study, args.out, jobs=args.jobs, progress=not args.quiet)
    print(f"{len(study.scenarios)} scenarios, {len(table)} rows written to {args.out}")
    return 0


def _run_report(args) -> int:
    import time

    from ._report import build_report
    from ._study import load_study

    start = time.perf_counter()
    study = load_study(args.file)
    path = build_report(study, args.out, jobs=args.jobs, progress=not args.quiet)
    print(f"report written to {path} ({time.perf_counter() - start:.0f} s)")
    return 0


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, TypeError, OSError) as exc:
        # Validation inside the API, an unwritable --out, an unreachable --scheduler:
        # the same one-line format and status as argparse's errors.
        parser.exit(EXIT_USAGE, f"{parser.prog} {args.command}: error: {exc}\n")
    except KeyboardInterrupt:
        hint = " (finished scenarios are saved: rerun the same command to resume)" \
            if args.command in ("study", "report") else ""
        print(f"\nmc-sparsity: interrupted{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
