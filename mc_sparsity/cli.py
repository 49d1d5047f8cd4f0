"""The ``mc-sparsity`` command: a thin layer over the Python API.

Exit status: 0 on success; 2 on bad input, with one line on stderr naming the
option (or the study file's key), before any work is done; 1 on a runtime
failure, with one line (the traceback with ``--debug`` or
``MC_SPARSITY_DEBUG=1``); 130 on Ctrl-C.  Heavy modules are imported inside
the commands that need them, so that the command starts fast.  The options of
the estimators' parameters are generated from the registry.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys

from ._engine import BACKENDS
from ._inference import CI_METHODS, DEFAULT_CI_METHOD
from ._registry import ESTIMATORS, GROUPS, PARAMETERS, estimator_names
from ._simulate import DEFAULT_REPS

EXIT_FAILURE = 1
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
_count = _checked(_whole_number, lambda v: v >= 1, ">= 1")
_nonnegative_int = _checked(_integer("a non-negative integer"), lambda v: v >= 0, "a non-negative integer")
_jobs = _checked(_integer("a non-zero integer"), lambda v: v != 0,
                 "a positive integer, or negative as in joblib (-1 all cores, -2 all but one)")


# ---------------------------------------------------------------- parser
# argparse takes "-1e5" or "-1." for an option; beta values are written that way too.
_NEGATIVE_NUMBER = re.compile(r"^-((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)


def _accept_negative_numbers(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._negative_number_matcher = _NEGATIVE_NUMBER  # no public hook; stable since Python 3.2
    return parser

def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="J",
                        help="workers: -1 all cores, -2 all but one, ... (default: 1). Never changes the numbers.")
    parser.add_argument("--backend", choices=BACKENDS, default="threading",
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
    parser.add_argument("--debug", action="store_true", help="show the traceback of a runtime failure")
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
    sim.add_argument("--estimator", nargs="+", default=["all"], metavar="NAME", choices=(*ESTIMATORS, *GROUPS),
                     help=f"one or more of {', '.join(ESTIMATORS)}, or a group: all (lasso and ridge, the "
                          "default), penalties (every penalized estimator); all run on the same draws")
    extra = sim.add_argument_group("parameters of the other penalized estimators")
    for estimator, parameter in PARAMETERS.values():
        extra.add_argument(parameter.option, dest=parameter.name,
                           type=_whole_number if parameter.integer else _finite_float,
                           default=parameter.default, metavar=parameter.name.upper(),
                           help=f"{parameter.help} (default {parameter.default:g})")
    sim.add_argument("--reps", type=_count, default=DEFAULT_REPS, metavar="N",
                     help=f"replications, e.g. 10000000 or 1e7 (default: {DEFAULT_REPS:.0e})")
    sim.add_argument("--ci-method", choices=CI_METHODS, default=DEFAULT_CI_METHOD,
                     help="confidence interval: exact (Clopper-Pearson, the default) or wilson")
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
    study.add_argument("--jobs", type=_jobs, default=-1, metavar="J",
                       help="workers: -1 all cores (the default), -2 all but one, ...")
    study.add_argument("--quiet", action="store_true", help="no progress bar")
    study.set_defaults(run=_run_study)

    report = commands.add_parser(
        "report", help="run the study and regenerate the report: results.csv, figures and REPORT.md",
        description="Run a study (default: the shipped one) and regenerate DIR/results.csv, DIR/figures/*.png "
                    "and DIR/REPORT.md.")
    report.add_argument("file", nargs="?", help="study file (TOML); default: the shipped default study")
    report.add_argument("--out", default="reports", metavar="DIR", help="output folder (default: reports)")
    report.add_argument("--jobs", type=_jobs, default=-1, metavar="J",
                        help="workers: -1 all cores (the default), -2 all but one, ...")
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


def _estimator_params(args) -> dict:
    """The parameters of the requested estimators (the others are not validated or passed)."""
    if args.radius is not None:
        return {}
    names = set(estimator_names(args.estimator))
    return {name: getattr(args, name) for name, (estimator, _) in PARAMETERS.items() if estimator in names}


def _run_simulate(args) -> int:
    from ._engine import SimulationInterrupted
    from ._simulate import simulate

    backend = "dask" if args.scheduler else args.backend
    try:
        result = simulate(
            args.beta, args.sigma, lam=args.lam, radius=args.radius, estimator=args.estimator,
            reps=args.reps, rng=args.seed, n_jobs=args.jobs, backend=backend,
            chunk_size=args.chunk_size, scheduler=args.scheduler, ci_method=args.ci_method,
            progress=not (args.quiet or args.json), **_estimator_params(args))
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
    table = run_study(study, args.out, n_jobs=args.jobs, progress=not args.quiet)
    print(f"{len(study.scenarios)} scenarios, {len(table)} rows written to {args.out}")
    return 0


def _run_report(args) -> int:
    import time

    from ._report import build_report
    from ._study import load_study

    start = time.perf_counter()
    study = load_study(args.file)
    path = build_report(study, args.out, n_jobs=args.jobs, progress=not args.quiet)
    print(f"report written to {path} ({time.perf_counter() - start:.0f} s)")
    return 0


# A parameter of the Python API -> the option that sets it, for error messages.
_OPTION_OF = {"beta": "--beta", "sigma": "--sigma", "lam": "--lam", "radius": "--radius", "reps": "--reps",
              "rng": "--seed", "n_jobs": "--jobs", "chunk_size": "--chunk-size", "estimator": "--estimator",
              "scheduler": "--scheduler", "backend": "--backend", "ci_method": "--ci-method", "out": "--out",
              **{name: parameter.option for name, (_, parameter) in PARAMETERS.items()}}


def _usage_error(exc) -> str:
    """One line naming the option (or the study file's key) for a bad input."""
    from ._errors import ParameterError

    if isinstance(exc, ParameterError) and exc.parameter in _OPTION_OF:
        return f"argument {_OPTION_OF[exc.parameter]}: {exc}"
    return str(exc)


def main(argv=None) -> int:
    """Run the ``mc-sparsity`` command; return its exit status."""
    import os

    from ._errors import ParameterError
    from ._study import StudyError

    parser = build_parser()
    args = parser.parse_args(argv)
    debug = args.debug or os.environ.get("MC_SPARSITY_DEBUG", "") not in ("", "0")
    try:
        return args.run(args)
    except (ParameterError, StudyError, UsageError) as exc:
        # Bad input, found before any work: argparse's one-line format and status.
        parser.exit(EXIT_USAGE, f"{parser.prog} {args.command}: error: {_usage_error(exc)}\n")
    except KeyboardInterrupt:
        hint = " (finished scenarios are saved: rerun the same command to resume)" \
            if args.command in ("study", "report") else ""
        print(f"\nmc-sparsity: interrupted{hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a runtime failure, not the user's input
        if debug:
            raise
        print(f"{parser.prog} {args.command}: failed: {type(exc).__name__}: {exc} "
              "(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_FAILURE


class UsageError(Exception):
    """Bad input found by a command itself (an output path that cannot be written, ...)."""
