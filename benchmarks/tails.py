"""Tails: importance sampling of P(sparse) ~ 6e-13 (beta = (7.5, 7.5), lam = 0.3), end to end.

Case ``is``: ``simulate --method is --reps 1e5`` (target: 1% relative error in
<= 10 s; the relative error is the command's own, from its JSON).
"""

from __future__ import annotations

from .harness import Case, Row, run_cli

__all__ = ["NAME", "FULL", "QUICK", "cases", "rows"]

NAME = "tails"
FULL = {"reps": 100_000}
QUICK = {"reps": 10_000}
TARGET_S, TARGET_RELATIVE_ERROR = 10.0, 0.01


def cases(counts: dict, context: dict) -> list[Case]:
    reps = counts["reps"]
    args = ["simulate", "--beta", "7.5", "7.5", "--lam", "0.3", "--method", "is", "--reps", str(reps), "--json",
            "--quiet"]
    return [Case("is 7.5,7.5 lam=0.3", lambda: run_cli(args, reps), reps)]


def rows(summary: dict, context: dict) -> list[Row]:
    row = summary["is 7.5,7.5 lam=0.3"]
    ok = row["seconds"] <= TARGET_S and row.get("relative_error", 1.0) <= TARGET_RELATIVE_ERROR
    return [Row(f"importance sampling beta = (7.5, 7.5), lam = 0.3, {row['reps']:.0e} reps: P, relative error, time",
                f"{row.get('estimate', float('nan')):.4g} (exact {row.get('exact', float('nan')):.4g}), "
                f"{row.get('relative_error', float('nan')):.2g}, {row['seconds']:.2f} s", "1% in <= 10 s",
                "PASS" if ok else "FAIL")]
