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


def _tally_of(solutions, beta, uncertified=0):
    """The tally row of ``solutions`` (n x p), computed here with numpy alone, independently of the package.

    Cells ``a * (p - k + 1) + b`` (``a`` zeros in supp(beta), ``b`` outside), then the signed-support hits,
    then ``uncertified``.
    """
    import numpy as np

    b = np.atleast_2d(np.asarray(solutions, dtype=float))
    beta = np.asarray(beta, dtype=float)
    inside = beta != 0
    p, k = beta.size, int(inside.sum())
    zero = b == 0.0
    a, off = zero[:, inside].sum(axis=1), zero[:, ~inside].sum(axis=1)
    cells = np.bincount(a * (p - k + 1) + off, minlength=(k + 1) * (p - k + 1))
    signed = np.sum((a == 0) & (off == p - k) & np.all(np.sign(b[:, inside]) == np.sign(beta[inside]), axis=1))
    return np.concatenate([cells, [signed, uncertified]]).astype(np.int64)


@pytest.fixture
def tally_of():
    """``tally_of(solutions, beta, uncertified=0)``: the expected tally row (numpy only)."""
    return _tally_of


@pytest.fixture
def run_cli(capsys):
    """``run_cli(*argv)``: the command line in this process; ``(exit status, stdout, stderr)``, usage errors too."""
    from mc_sparsity.cli import main

    def run(*argv):
        try:
            status = main(list(argv))
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def no_work(monkeypatch):
    """Fail the test if any scenario of a study is run (for refusals that must come before any work)."""
    from mc_sparsity._pipeline import study

    def refuse(*args, **kwargs):
        raise AssertionError("a scenario was run before the input was refused")

    monkeypatch.setattr(study, "_scenario_rows", refuse)
