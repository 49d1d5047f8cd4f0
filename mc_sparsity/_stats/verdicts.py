"""The words of a verdict and the level of the tests behind every verdict, written once for every section.

A section's rule decides among three verdicts: the claim *holds* (the evidence its rule asks for is there), *does
not hold* (a test rejects it at :data:`ALPHA`), or is *not settled here* (neither: too few draws, a crossing outside
the grid, uncertified solutions above the share the rule allows).
"""

from __future__ import annotations

__all__ = ["ALPHA", "HOLDS", "DOES_NOT_HOLD", "NOT_SETTLED", "VERDICTS"]

#: Level of every binomial and chi-square test behind a verdict (two-sided).
ALPHA = 1e-4
HOLDS, DOES_NOT_HOLD, NOT_SETTLED = "holds", "does not hold", "not settled here"
VERDICTS = (HOLDS, DOES_NOT_HOLD, NOT_SETTLED)
