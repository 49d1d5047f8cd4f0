"""A claim's verdict and the level of the tests behind it (shared by ``claims`` and ``claims_solvers``)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Claim", "ALPHA", "HOLDS", "DOES_NOT_HOLD", "NOT_SETTLED"]

from .._stats.verdicts import ALPHA, DOES_NOT_HOLD, HOLDS, NOT_SETTLED


@dataclass(frozen=True)
class Claim:
    """One claim: its number, its wording, the verdict (HOLDS, DOES_NOT_HOLD or NOT_SETTLED), the evidence."""

    number: str
    claim: str
    verdict: str
    evidence: str
