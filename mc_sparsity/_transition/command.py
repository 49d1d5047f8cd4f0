"""The ``mc-sparsity transition`` subcommand: its options and its handler.

``cli.py`` only calls :func:`add_parser`; everything else is here.  Bad input
exits with status 2 and one line naming the option, before any trial runs.
"""

from __future__ import annotations

import argparse
import json

__all__ = ["add_parser", "run", "format_table"]

#: A parameter of the Python API -> the option that sets it.
OPTION_OF = {"d": "--d", "s": "--s", "m": "--m", "trials": "--trials", "rng": "--seed", "n_jobs": "--jobs",
             "backend": "--backend", "chunk_size": "--chunk-size", "method": "--method", "grid": "--grid"}


def add_parser(commands, *, count, nonnegative_int, jobs) -> argparse.ArgumentParser:
    """Register ``transition`` on the subparsers ``commands`` (argument types from ``cli.py``)."""
    from .simulate import MAX_D, MAX_TRIALS, METHODS

    parser = commands.add_parser(
        "transition", help="L1 against L2 from random measurements: basis pursuit's phase transition",
        description="Draw y = A x (A m x d Gaussian, x s-sparse), solve basis pursuit (min ||b||_1 s.t. A b = y, "
                    "each outcome proved by a dual certificate or a failure witness) and the minimum-norm solution "
                    "A^+ y, and count exact recoveries; compare with the statistical dimension of the L1 descent "
                    "cone (Amelunxen et al. 2014).")
    parser.add_argument("--d", type=count, default=100, metavar="D", help=f"dimension, <= {MAX_D} (default: 100)")
    parser.add_argument("--s", type=count, default=10, metavar="S", help="non-zero coordinates, <= d (default: 10)")
    parser.add_argument("--m", type=count, nargs="+", metavar="M",
                        help="measurements, each in [1, d] (default: 10 values up to d)")
    parser.add_argument("--trials", type=count, default=1000, metavar="N",
                        help=f"trials per (s, m), <= {MAX_TRIALS:,} (default: 1000)")
    parser.add_argument("--grid", type=count, nargs="?", const=25, metavar="G",
                        help="sweep a G x G grid of s/d and m/d (default G: 25; --s and --m are then not used)")
    parser.add_argument("--method", choices=METHODS, default="fast",
                        help="fast: certificates before any LP (default); highs: always the LP first")
    parser.add_argument("--seed", type=nonnegative_int, default=0, metavar="K", help="non-negative seed (default: 0)")
    parser.add_argument("--jobs", type=jobs, default=1, metavar="J",
                        help="workers: -1 all cores, ... (default: 1). Never changes the numbers.")
    parser.add_argument("--backend", choices=("threading", "loky"), default="loky",
                        help="joblib backend (default: loky; a trial is Python around HiGHS and LAPACK)")
    parser.add_argument("--chunk-size", type=count, metavar="N", help="trials per task, rounded up to blocks of 8")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.set_defaults(run=run)
    return parser


def _check(args):
    """Validate everything before any trial; a ParameterError names the option."""
    from .._base.validation import check_rng
    from .simulate import MAX_D, check_transition, grid_values

    if args.grid is not None:
        if args.d > MAX_D:
            check_transition(args.d, 1, 1, args.trials)
        if args.grid > args.d:
            from .._base.errors import ParameterError

            raise ParameterError("grid", f"grid must be <= d = {args.d}, got {args.grid}")
        values = grid_values(args.d, args.grid)
        check_transition(args.d, 1, values, args.trials)
        return values, values
    ms = args.m if args.m is not None else grid_values(args.d, min(10, args.d))
    check_transition(args.d, args.s, ms, args.trials)
    check_rng(args.seed)
    return [args.s], ms


def run(args) -> int:
    """Run the subcommand; return the exit status."""
    from .._base.errors import ParameterError
    from .._base.errors import UsageError
    from .simulate import simulate_grid, simulate_transition

    try:
        s_values, m_values = _check(args)
    except ParameterError as exc:
        raise UsageError(f"argument {OPTION_OF.get(exc.parameter, exc.parameter)}: {exc}") from None
    progress = not (args.quiet or args.json)
    if args.grid is not None:
        result = simulate_grid(args.d, s_values, m_values, args.trials, rng=args.seed, n_jobs=args.jobs,
                               backend=args.backend, method=args.method, progress=progress)
    else:
        result = simulate_transition(args.d, args.s, m_values, args.trials, rng=args.seed, n_jobs=args.jobs,
                                     backend=args.backend, chunk_size=args.chunk_size, method=args.method,
                                     progress=progress)
    if args.json:
        print(json.dumps(result.to_dict(), allow_nan=False))
    else:
        print(format_table(result))
    return 0


def format_table(result) -> str:
    """A readable table of a :class:`~mc_sparsity._transition.simulate.TransitionResult`."""
    lines = [f"basis pursuit (L1) against the minimum-norm solution (L2), method = {result.method}, "
             f"seed = {result.seed['entropy']}", "",
             f"{'d':>5}{'s':>5}{'m':>5}{'trials':>8}{'L1 recovers':>13}{'95% CI':>20}{'uncert.':>9}"
             f"{'L2 recovers':>13}{'L2 zeros':>10}{'stat. dim. in':>20}"]
    for row in result.rows:
        ci = f"[{row.l1_ci_low:.3f}, {row.l1_ci_high:.3f}]"
        dim = f"[{row.statistical_dimension_lower:.2f}, {row.statistical_dimension:.2f}]"
        lines.append(f"{row.d:>5}{row.s:>5}{row.m:>5}{row.trials:>8,}{row.l1_estimate:>13.3f}{ci:>20}"
                     f"{row.uncertified:>9}{row.l2_estimate:>13.3f}{row.l2_zeros:>10}{dim:>20}")
    return "\n".join(lines)
