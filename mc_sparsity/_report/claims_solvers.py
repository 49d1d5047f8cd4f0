"""Verdicts on the solver claims C7 and C8, from the solver study's runs (see ``claims``)."""

from __future__ import annotations

import numpy as np

from .text import beta_text, fmt
from .verdict import ALPHA, DOES_NOT_HOLD, HOLDS, NOT_SETTLED, Claim

__all__ = ["rule_c7", "rule_c8"]

def _final_records(run, solver):
    records = [x for x in run["results"] if x["solver"] == solver and "iteration" in x]
    return sorted(records, key=lambda x: x["iteration"])


def rule_c7(solver_runs) -> Claim:
    """C7: proximal gradient (ISTA) with soft thresholding produces exact zeros.

    Holds: at its last iteration ISTA's zero pattern equals the exact solution's
    on every certified replication, and its share of iterates with an exact
    zero passes the binomial test against the exact P(sparse).  Does not hold:
    ISTA never produces an exact zero although the exact solution does.
    """
    from .._stats.inference import binomial_pvalue

    claim = "proximal gradient (ISTA) with soft thresholding produces exact zeros"
    runs = [run for run in solver_runs if _final_records(run, "ista") and run["exact"] is not None]
    if not runs:
        return Claim("C7", claim, NOT_SETTLED, "The study runs no solver study with ISTA.")
    run = runs[0]
    records = _final_records(run, "ista")
    last = records[-1]
    certified = last["reps"] - last["uncertified"]
    pvalue = binomial_pvalue(last["zero_any"], certified, run["exact"])
    first_exact = next((x["iteration"] for x in records if x["pattern_match"] == certified), None)
    text = (f"beta = {beta_text(run['beta'])}, lambda = {run['lam']:g}, design {run['design']['kind']}"
            + (f" (rho = {run['design']['rho']:g})" if run["design"].get("rho") is not None else "")
            + f", {last['reps']:,} replications: after {last['iteration']:,} iterations ISTA's iterate has an exact "
            f"zero in {last['zero_any']:,} ({fmt(last['zero_any'] / last['reps'])}) against the exact "
            f"P(sparse) = {fmt(run['exact'])} (binomial p-value {fmt(pvalue, 3)}); its zero pattern equals the "
            f"exact solution's in {last['pattern_match']:,} of {certified:,} certified replications"
            + (f", in all of them from iteration {first_exact} on" if first_exact is not None else "")
            + f". After one iteration: {records[0]['zero_any']:,} with a zero.")
    if all(x["zero_any"] == 0 for x in records) and run["exact_sparse"]:
        return Claim("C7", claim, DOES_NOT_HOLD, text)
    if last["zero_any"] > 0 and last["pattern_match"] == certified and pvalue > ALPHA:
        return Claim("C7", claim, HOLDS, text)
    return Claim("C7", claim, NOT_SETTLED, text)


def rule_c8(solver_runs, toy=None) -> Claim:
    """C8: a plain subgradient step with a fixed step size oscillates around 0 instead of reaching it.

    Holds: subgradient descent with a fixed step has no exact zero at any
    checkpoint while the exact solution is sparse with positive probability,
    and the thread's w = 5.1, eta = 1/2 sequence never reaches 0.  Does not
    hold: subgradient descent's exact-zero share agrees with the exact
    P(sparse) at its last iteration.
    """
    from .._stats.inference import binomial_pvalue

    claim = "a plain subgradient step with a fixed step size oscillates around 0 instead of reaching it"
    runs = [run for run in solver_runs if _final_records(run, "subgradient") and run["exact"] is not None]
    if not runs:
        return Claim("C8", claim, NOT_SETTLED, "The study runs no solver study with subgradient descent.")
    if toy is None:
        from .._solvers.iterative import subgradient_toy

        toy = (subgradient_toy(5.0, 0.5, 100), subgradient_toy(5.1, 0.5, 100))
    exact_path, oscillating = (np.asarray(t, dtype=float) for t in toy)
    run = runs[0]
    records = _final_records(run, "subgradient")
    last = records[-1]
    never = all(x["zero_any"] == 0 for x in records)
    reached = np.flatnonzero(exact_path == 0.0)
    text = (f"The thread's toy example, w <- w - (1/2) sign(w): from 5 the iterates reach 0.0 exactly at step "
            f"{int(reached[0]) if reached.size else '-'}; from 5.1 they never do in {oscillating.size - 1} steps "
            f"(they alternate between {oscillating[-2]:.17g} and {oscillating[-1]:.17g}: 5.1 is not a binary "
            f"fraction). With the least-squares loss ({last['reps']:,} replications, {run['design']['kind']} design), "
            f"the fixed-step subgradient iterate has an exact zero in {last['zero_any']} replications at every "
            f"checkpoint up to iteration {last['iteration']:,}, while the exact solution has one in "
            f"{run['exact_sparse']:,}; it comes within 1e-4 of 0 in {last['near_zero'].get('0.0001', '-')} "
            "replications but lands on 0.0 only by exact cancellation in floating point.")
    if never and run["exact_sparse"] and not bool(np.any(oscillating[1:] == 0.0)):
        return Claim("C8", claim, HOLDS, text)
    certified = last["reps"] - last["uncertified"]
    if last["zero_any"] and binomial_pvalue(last["zero_any"], certified, run["exact"]) > ALPHA:
        return Claim("C8", claim, DOES_NOT_HOLD, text)
    return Claim("C8", claim, NOT_SETTLED, text)


