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
import os
import re
import signal
import sys

#: Held while the command's modules load (from the first line of mc_sparsity/__init__.py when run as
#: ``mc-sparsity`` or ``python -m mc_sparsity``), released by ``_main`` once its handlers are in place: a
#: Ctrl-C, SIGTERM or hang-up meanwhile then ends the command cleanly (130, 143, 129 and one line).
HELD_AT_START = ("SIGINT", "SIGTERM", "SIGHUP")

from ._base.errors import UsageError
from ._mc.engine import BACKENDS
from ._stats.inference import CI_METHODS, DEFAULT_CI_METHOD
from ._estimators.registry import ESTIMATORS, GROUPS, PARAMETERS, SOLVERS, STARTS, estimator_names
from ._mc.estimands import DEFAULT_ESTIMAND, ESTIMANDS
from ._mc.simulate import DEFAULT_REPS, METHODS
from ._recovery.command import OPTION_OF as RECOVERY_OPTIONS

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


class _Parser(argparse.ArgumentParser):
    """argparse with the package's refusal format: one line naming the option, exit 2 (no usage block)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _address(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError(f"must be the address of a dask scheduler, got an empty address {text!r}")
    return text


def _accept_negative_numbers(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser._negative_number_matcher = _NEGATIVE_NUMBER  # no public hook; stable since Python 3.2
    return parser

def _add_engine_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--jobs", type=_jobs, default=1, metavar="J",
                        help="workers: -1 all cores, -2 all but one, ... (default: 1). Never changes the numbers.")
    parser.add_argument("--backend", choices=BACKENDS, default="threading",
                        help="joblib backend (default: threading; the compiled loop releases the GIL)")
    parser.add_argument("--scheduler", type=_address, metavar="ADDRESS",
                        help="address of a running dask.distributed scheduler (implies --backend dask)")
    parser.add_argument("--chunk-size", type=_count, metavar="N",
                        help="replications per task, rounded up to whole blocks of 262,144")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _add_design_options(parser: argparse.ArgumentParser) -> None:
    design = parser.add_argument_group("design (default: orthonormal, X^T X = I)")
    design.add_argument("--rho", type=_finite_float, metavar="R",
                        help="correlation of an equicorrelated (default) or ar1 design")
    design.add_argument("--design", choices=("equicorrelated", "ar1"), dest="design_kind",
                        help="the kind of design --rho describes (default: equicorrelated)")
    design.add_argument("--gram", metavar="FILE",
                        help="a p x p Gram matrix X^T X (.npy, or whitespace/comma-separated text)")


def _design(args, p):
    """The design the options describe, or None for the orthonormal default."""
    if args.rho is None and args.gram is None and args.design_kind is None:
        return None
    if args.design_kind is not None and args.rho is None:
        raise UsageError("argument --design: needs --rho")
    from ._designs.design import design_for

    return design_for(p, rho=args.rho, kind=args.design_kind, gram=args.gram)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
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
    sim.add_argument("--method", choices=METHODS, default="mc",
                     help="mc: plain Monte Carlo (default); is: importance sampling (lasso, orthonormal design), "
                          "for probabilities far in the tails")
    sim.add_argument("--complement", action="store_true",
                     help="with --method is: estimate P(not sparse), rare when the lasso is almost surely sparse")
    sim.add_argument("--estimand", nargs="+", default=[DEFAULT_ESTIMAND], metavar="NAME", choices=tuple(ESTIMANDS),
                     help="what to estimate, all on the same draws: " + "; ".join(
                         f"{e.name}: {e.description}" for e in ESTIMANDS.values()) + f" (default: {DEFAULT_ESTIMAND})")
    _add_design_options(sim)
    sim.add_argument("--seed", type=_nonnegative_int, default=0, metavar="K", help="non-negative seed (default: 0)")
    _add_engine_options(sim)
    sim.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    sim.set_defaults(run=_run_simulate)

    sol = commands.add_parser(
        "solvers", help="how often iterative solvers' iterates have exact zeros, against the exact law",
        description="Run iterative lasso solvers (ISTA, FISTA, coordinate descent, subgradient descent) on the same "
                    "draws of beta_hat and count, at each listed iteration, exact zeros, pattern matches with the "
                    "exact solution, near zeros, spurious and missed zeros; scikit-learn's Lasso at tolerances.")
    _accept_negative_numbers(sol)
    sol.add_argument("--beta", type=_finite_float, nargs="+", required=True, metavar="B")
    sol.add_argument("--sigma", type=_positive_float, default=1.0, help="noise level (default: 1)")
    sol.add_argument("--lam", type=_nonnegative_float, required=True, metavar="L", help="penalty level")
    _add_design_options(sol)
    sol.add_argument("--solver", nargs="+", default=["ista", "fista", "cd", "subgradient"], metavar="NAME",
                     choices=(*SOLVERS, "sklearn"), help=f"any of {', '.join(SOLVERS)}, sklearn "
                                                         "(default: ista fista cd subgradient)")
    sol.add_argument("--iterations", type=_count, nargs="+", default=[1, 2, 5, 10, 100, 1000], metavar="K",
                     help="iterations at which to count (default: 1 2 5 10 100 1000)")
    sol.add_argument("--step", type=_positive_float, metavar="ETA",
                     help="step size (default: 1/L, L the largest eigenvalue of X^T X)")
    sol.add_argument("--start", choices=STARTS, default="zero", help="starting point (default: zero)")
    sol.add_argument("--tol", type=_positive_float, nargs="+", default=[1e-2, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12],
                     metavar="T", help="scikit-learn tolerances (with --solver sklearn)")
    sol.add_argument("--reps", type=_count, default=100_000, metavar="N", help="replications (default: 1e5)")
    sol.add_argument("--seed", type=_nonnegative_int, default=0, metavar="K", help="non-negative seed (default: 0)")
    sol.add_argument("--jobs", type=_jobs, default=1, metavar="J", help="workers (default: 1)")
    sol.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    sol.set_defaults(run=_run_solvers)

    explore = commands.add_parser(
        "explore", help="write the explorer page: the sparse region, the cloud of beta_hat and the probabilities",
        description="Write one self-contained, offline HTML page (inline JavaScript and SVG) to explore P(sparse) "
                    "in a browser.")
    explore.add_argument("--out", default="reports/explorer.html", metavar="FILE",
                         help="output file (default: reports/explorer.html)")
    explore.add_argument("--open", action="store_true", help="open the page in a web browser")
    explore.set_defaults(run=_run_explore)

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

    from ._recovery.command import add_recovery_command
    from ._transition.command import add_parser as add_transition_parser

    add_recovery_command(commands, _add_engine_options)  # random designs, p > n (its own module)
    add_transition_parser(commands, count=_count, nonnegative_int=_nonnegative_int, jobs=_jobs)  # random measurements
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
        f"{'estimator':<16}{'estimand':<16}{'count':>14}{'estimate':>13}{'std err':>11}{'95% CI':>26}"
        f"{'exact':>14}{'integral':>14}{'z':>8}",
    ]
    for row in result.results:
        ci = f"[{row.ci_low:.5g}, {row.ci_high:.5g}]"
        z = "-" if row.z_score is None else f"{row.z_score:.2f}"
        count = "-" if row.successes is None else f"{row.successes:,}"
        # at 0 or N successes the plug-in SE is 0 beside an interval of positive width: print none
        se = "-" if row.successes in (0, row.reps) and row.method == "mc" else f"{row.std_error:.3g}"
        lines.append(
            f"{row.estimator:<16}{row.estimand:<16}{count:>14}{row.estimate:>13.6g}{se:>11}{ci:>26}"
            f"{_format_probability(row.exact, row.log_exact):>14}{_format_probability(row.integral):>14}{z:>8}")
    uncertified = [row for row in result.results if row.uncertified]
    for row in uncertified:
        low, high = row.bounds if row.bounds else (None, None)
        bounds = "" if low is None else f"; whatever they were, the estimate lies in [{low:.6g}, {high:.6g}]"
        lines.append(f"  {row.estimator}, {row.estimand}: {row.uncertified:,} replications not certified, "
                     f"left out{bounds}")
    counted = [row for row in result.results if row.method == "mc" and row.estimand == "sparse"]
    if counted:
        lines.append("")
        lines.append("number of zero coordinates K (counts for K = 0, 1, ..., p):")
        for row in counted:
            lines.append(f"  {row.estimator:<16} {list(row.zeros)}")
    if result.method == "is":
        lines.append("")
        lines.append("importance sampling: " + ", ".join(
            f"{row.estimator}: log estimate {row.log_estimate:.6g}, relative error {row.relative_error:.2g}"
            for row in result.results))
    return "\n".join(lines)


def _estimator_params(args) -> dict:
    """The parameters of the requested estimators (the others are not validated or passed)."""
    if args.radius is not None:
        return {}
    names = set(estimator_names(args.estimator))
    return {name: getattr(args, name) for name, (estimator, _) in PARAMETERS.items() if estimator in names}


def _run_simulate(args) -> int:
    from ._mc.engine import SimulationInterrupted
    from ._mc.simulate import simulate

    backend = "dask" if args.scheduler is not None else args.backend
    try:
        result = simulate(
            args.beta, args.sigma, lam=args.lam, radius=args.radius, estimator=args.estimator,
            design=_design(args, len(args.beta)), reps=args.reps, rng=args.seed, n_jobs=args.jobs,
            backend=backend, chunk_size=args.chunk_size, scheduler=args.scheduler, ci_method=args.ci_method,
            method=args.method, complement=args.complement, progress=not (args.quiet or args.json),
            estimand=args.estimand, **_estimator_params(args))
    except SimulationInterrupted as stop:
        print(f"\nmc-sparsity: {stop}. Partial counts of the completed replications "
              f"(not a result): {stop.zeros.tolist()}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if args.json:
        print(json.dumps(result.to_dict(), allow_nan=False))
    else:
        print(format_table(result))
    return 0


def _run_solvers(args) -> int:
    from ._solvers.study import run_solvers

    if "sklearn" in args.solver:
        try:
            import sklearn  # noqa: F401
        except ImportError:
            raise UsageError("argument --solver: sklearn needs scikit-learn: pip install 'mc_sparsity[solvers]'")
    result = run_solvers(args.beta, args.sigma, args.lam, design=_design(args, len(args.beta)),
                         solvers=args.solver, iterations=args.iterations, step=args.step, start=args.start,
                         tols=args.tol, reps=args.reps, rng=args.seed, n_jobs=args.jobs)
    if args.json:
        print(json.dumps(result, allow_nan=False))
        return 0
    print(f"beta = {result['beta']}, sigma = {result['sigma']:g}, lam = {result['lam']:g}, "
          f"design = {result['design']['kind']}, reps = {result['reps']:,}, exact P(sparse) = "
          f"{_format_probability(result['exact'])}")
    print(f"{'solver':<24}{'iteration/tol':>14}{'zero_any':>12}{'pattern_match':>15}{'spurious':>10}{'missed':>10}")
    for row in result["results"]:
        step = row.get("iteration", row.get("tol"))
        print(f"{row['solver']:<24}{step:>14g}{row['zero_any']:>12,}{row['pattern_match']:>15,}"
              f"{row['spurious_zeros']:>10,}{row['missed_zeros']:>10,}")
    return 0


def _run_explore(args) -> int:
    from ._report.explorer import write_explorer
    from ._pipeline.output import check_output_file

    path = write_explorer(check_output_file(args.out))
    print(f"explorer written to {path}")
    if args.open:
        import webbrowser

        webbrowser.open(path.resolve().as_uri())
    return 0


def _run_study(args) -> int:
    from ._pipeline.study import load_study, run_study

    _refuse_the_study_file_as_output(args.file, [args.out])
    study = load_study(args.file)
    table = run_study(study, args.out, n_jobs=args.jobs, progress=not args.quiet)
    print(f"{len(study.scenarios)} scenarios, {len(table)} rows written to {args.out}")
    return 0


def _refuse_the_study_file_as_output(study_file, outputs) -> None:
    """An output that is the study file itself would overwrite it: refused before any work."""
    if study_file is None or not os.path.exists(study_file):
        return
    for out in outputs:
        try:
            same = os.path.samefile(study_file, out)
        except OSError:
            continue
        if same:
            raise UsageError(f"argument --out: {out} is the study file {study_file}; choose another output")


def _run_report(args) -> int:
    import time

    from ._report.report import build_report
    from ._pipeline.study import load_study

    start = time.perf_counter()
    study = load_study(args.file)
    path = build_report(study, args.out, n_jobs=args.jobs, progress=not args.quiet)
    print(f"report written to {path} ({time.perf_counter() - start:.0f} s)")
    return 0


# A parameter of the Python API -> the option that sets it, for error messages.
_OPTION_OF = {"rho": "--rho", "gram": "--gram", "kind": "--design", "beta": "--beta", "sigma": "--sigma", "lam": "--lam", "radius": "--radius", "reps": "--reps",
              "rng": "--seed", "n_jobs": "--jobs", "chunk_size": "--chunk-size", "estimator": "--estimator",
              "scheduler": "--scheduler", "backend": "--backend", "ci_method": "--ci-method", "out": "--out", "method": "--method", "estimand": "--estimand",
              **{name: parameter.option for name, (_, parameter) in PARAMETERS.items()}}
_OPTION_OF.update({name: option for name, option in RECOVERY_OPTIONS.items() if name not in _OPTION_OF})


def _usage_error(exc) -> str:
    """One line naming the option (or the study file's key) for a bad input."""
    from ._base.errors import ParameterError

    if isinstance(exc, ParameterError) and exc.parameter in _OPTION_OF:
        return f"argument {_OPTION_OF[exc.parameter]}: {exc}"
    return str(exc)


def main(argv=None) -> int:
    """Run the ``mc-sparsity`` command; return its exit status."""
    code = _main(argv)
    if argv is None:
        # The process ends here (the console script, python -m): the objects numba's
        # compiler left behind would be traversed by the interpreter's last garbage
        # collections, 0.2-0.3 s of the command's wall time (measured).  Frozen, they
        # are not: the process's memory is returned to the system as a whole.
        import gc

        gc.freeze()
    return code


def _study_error():
    """``StudyError``, imported only when an exception is being handled (the study module is not light)."""
    from ._pipeline.study import StudyError

    return StudyError


def _main(argv) -> int:
    from ._base.errors import ParameterError

    import threading
    import warnings

    parser = build_parser()
    args = parser.parse_args(argv)
    debug = args.debug or os.environ.get("MC_SPARSITY_DEBUG", "") not in ("", "0")
    main_thread = threading.current_thread() is threading.main_thread()
    # SIGTERM and SIGHUP unwind like an error, so that locks are released and temporary files removed.
    previous = {sig: signal.signal(sig, _terminate) for sig in (signal.SIGTERM, signal.SIGHUP)} if main_thread else {}
    try:
        if main_thread and hasattr(signal, "pthread_sigmask"):
            # Release the signals held while the modules loaded (HELD_AT_START): one sent meanwhile acts here.
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {getattr(signal, name) for name in HELD_AT_START})
        with warnings.catch_warnings():
            warnings.showwarning = lambda message, *_, **__: print(
                f"{parser.prog} {args.command}: warning: {' '.join(str(message).split())}", file=sys.stderr)
            # joblib's note on the tasks a Ctrl-C cancelled: the interruption message says it already.
            warnings.filterwarnings("ignore", message=".*tasks which were still being processed")
            return args.run(args)
    except (ParameterError, _study_error(), UsageError) as exc:
        # Bad input, found before any work: argparse's one-line format and status.
        parser.exit(EXIT_USAGE, f"{parser.prog} {args.command}: error: {_usage_error(exc)}\n")
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        sys.stderr.close()
        return 0
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
    finally:
        _stop_workers()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_workers() -> None:
    """Shut joblib's reusable loky executor down, if a run started one: no worker left behind (nor a zombie)."""
    module = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(module, "_executor", None)
    if executor is not None:
        try:
            executor.shutdown(wait=True, kill_workers=True)
        except Exception:  # already broken or shut down: nothing left to stop
            pass


def _terminate(signum, frame):
    signal.signal(signum, signal.SIG_DFL)  # a second one ends the process at once
    print(f"\nmc-sparsity: {signal.Signals(signum).name}: stopped", file=sys.stderr)
    raise SystemExit(128 + signum)


