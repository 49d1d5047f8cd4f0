"""Shared test helpers: every statistical check here is an exact binomial test at a stated level."""

import pytest
from scipy.stats import binomtest

#: The level of every statistical test of the suite (two-sided).  With fixed seeds the
#: suite is deterministic; a bias of a few standard errors fails it.
ALPHA = 1e-4


def _assert_binomial(successes, trials, p, alpha=ALPHA):
    pvalue = binomtest(int(successes), int(trials), float(p)).pvalue
    assert pvalue > alpha, f"{successes} of {trials} against p = {p}: binomial p-value {pvalue:.3g} <= {alpha}"


@pytest.fixture
def assert_binomial():
    """``assert_binomial(successes, trials, p)``: the two-sided exact binomial test passes at ``ALPHA``."""
    return _assert_binomial
