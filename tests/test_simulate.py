"""Monte Carlo against the closed form: statistical tests with fixed seeds.

Level: every test rejects at ALPHA = 1e-4 (|z| > 3.9).  With REPS = 2e6 per
scenario the standard error is at most 3.5e-4, so a bug that moves P(sparse)
by 5 standard errors (about 0.002) fails with probability 0.86 per scenario;
the seeds are fixed, so the suite is deterministic.
"""

import numpy as np
import pytest
from mc_sparsity import simulate
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._stats.goodness_of_fit import pooled_chisquare
from mc_sparsity._mc.results import COLUMNS

ALPHA = 1e-4
REPS = 2_000_000

PENALIZED = [
    ([1.0, 0.3], 1.0, 0.5),
    ([0.0, 0.0], 1.0, 0.1),
    ([3.0, -2.0], 1.0, 1.5),
    ([2.0, 2.0], 0.5, 0.4),
    ([0.5, -1.0, 1.5, 0.0, 2.5], 1.0, 0.8),
]
CONSTRAINED = [
    ([1.0, 0.3], 1.0, 1.0),
    ([2.0, 2.0], 1.0, 1.0),  # beta on the diagonal
    ([3.0, 0.0], 1.0, 2.0),  # beta on an axis
    ([-1.5, 0.5], 0.7, 0.6),
]


def _check_against_exact(row):
    assert row.exact is not None
    test = row.binomtest()
    assert test.pvalue > ALPHA, (row, test)


@pytest.mark.parametrize("i, scenario", list(enumerate(PENALIZED)))
def test_penalized_lasso_agrees_with_the_closed_form(i, scenario):
    beta, sigma, lam = scenario
    res = simulate(beta, sigma, lam=lam, reps=REPS, seed=100 + i)
    _check_against_exact(res["lasso"])
    assert res["ridge"].sparse == 0


@pytest.mark.parametrize("i, scenario", list(enumerate(CONSTRAINED)))
def test_constrained_lasso_agrees_with_the_closed_form(i, scenario):
    beta, sigma, radius = scenario
    res = simulate(beta, sigma, radius=radius, reps=REPS, seed=200 + i)
    _check_against_exact(res["lasso"])
    assert abs(res["lasso"].integral - res["lasso"].exact) < 1e-8
    assert res["ridge"].sparse == 0


@pytest.mark.parametrize("beta, sigma, lam", [([0.5, -1.0, 1.5, 0.0, 2.5], 1.0, 0.8), ([0.2] * 8, 1.0, 0.5)])
def test_zero_count_histogram_follows_the_poisson_binomial(beta, sigma, lam):
    """Chi-square goodness of fit of K, cells pooled so that every expected count is >= 5."""
    row = simulate(beta, sigma, lam=lam, reps=REPS, seed=7, estimator="lasso")["lasso"]
    assert pooled_chisquare(row.zeros, row.exact_zeros).pvalue > ALPHA


def test_ridge_interval_is_the_two_sided_clopper_pearson_at_zero():
    res = simulate([1.0, 0.3], lam=0.5, reps=100_000, seed=1, estimator="ridge")
    row = res["ridge"]
    assert (row.sparse, row.estimate, row.std_error, row.ci_low, row.ci_method) == (0, 0.0, 0.0, 0.0, "exact")
    assert row.ci_high == pytest.approx(1 - 0.025 ** (1 / 100_000), rel=1e-9)
    assert row.integral is None and row.exact == 0.0


def test_unpenalized_least_squares_is_never_sparse():
    res = simulate([1.0, 0.0, -0.3], lam=0.0, reps=500_000, seed=2)
    assert res["lasso"].sparse == 0 and res["ridge"].sparse == 0


def test_same_seed_same_counts_different_seed_different_counts():
    a = simulate([1.0, 0.3], lam=0.5, reps=300_000, seed=5)
    b = simulate([1.0, 0.3], lam=0.5, reps=300_000, rng=5, n_jobs=2, chunk_size=1)
    c = simulate([1.0, 0.3], lam=0.5, reps=300_000, seed=6)
    assert a["lasso"].zeros == b["lasso"].zeros
    assert a["lasso"].zeros != c["lasso"].zeros


def test_estimator_selection_uses_the_same_draws():
    both = simulate([1.0, 0.3], lam=0.5, reps=300_000, seed=5)
    lasso = simulate([1.0, 0.3], lam=0.5, reps=300_000, seed=5, estimator="lasso")
    assert [r.estimator for r in lasso.results] == ["lasso"]
    assert lasso["lasso"].zeros == both["lasso"].zeros


def test_result_objects():
    res = simulate([1.0, 0.3], radius=1.0, reps=50_000, seed=3)
    d = res.to_dict()
    assert list(d) == ["beta", "sigma", "form", "radius", "design", "method", "reps", "seed", "entropy", "spawn_key",
                       "results"]
    frame = res.to_frame()
    assert list(frame["estimator"]) == ["lasso", "ridge"]
    assert tuple(frame.columns) == COLUMNS
    assert frame["beta"].iloc[0] == [1.0, 0.3] and frame["z"].iloc[0] == res["lasso"].z_score
    lasso = res["lasso"]
    assert lasso.ci_low < lasso.estimate < lasso.ci_high
    assert sum(lasso.zeros) == lasso.reps and lasso.sparse == lasso.reps - lasso.zeros[0]
    with pytest.raises(KeyError):
        res["elastic"]


def test_no_integral_beyond_p2():
    res = simulate([1.0, 0.3, 2.0], lam=1.0, reps=10_000, seed=3)
    assert res["lasso"].integral is None and res["lasso"].exact is not None


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": [1.0], "lam": 1.0, "reps": 0}, "reps"),
    ({"beta": [1.0], "lam": 1.0, "reps": 2.5}, "reps"),
    ({"beta": [1.0], "lam": 1.0, "n_jobs": 0}, "n_jobs"),
    ({"beta": [1.0], "lam": 1.0, "confidence_level": 2}, "confidence_level"),
    ({"beta": [1.0], "lam": 1.0, "ci_method": "wald"}, "ci_method"),
    ({"beta": [1.0], "lam": 1.0, "reps": 2**63}, "reps"),
    ({"beta": [1.0], "lam": 1.0, "seed": -1}, "rng"),
    ({"beta": [1.0], "lam": 1.0, "rng": -1}, "rng"),
    ({"beta": [1.0], "lam": 1.0, "estimator": "elastic"}, "estimator"),
    ({"beta": [1.0], "lam": 1.0, "backend": "mpi"}, "backend"),
])
def test_bad_input_names_the_parameter(kwargs, message, monkeypatch):
    from mc_sparsity._mc import simulate as _simulate

    monkeypatch.setattr(_simulate, "run_kernel", None)  # validation must come before any work
    with pytest.raises(ParameterError, match=message) as exc:
        simulate(**kwargs)
    assert exc.value.parameter == message


@pytest.mark.parametrize("kwargs, message", [
    ({"beta": [1.0], "lam": 1.0, "lamda": 1.0}, "lamda"),
    ({"beta": [1.0], "lam": 1.0, "rng": 1.5}, "rng"),
    ({"beta": [1.0], "lam": 1.0, "rng": 1, "seed": 2}, "seed"),
    ({"beta": ["a"], "lam": 1.0}, "beta"),
])
def test_a_typo_or_a_wrong_type_is_a_type_error_naming_it(kwargs, message):
    with pytest.raises(TypeError, match=message):
        simulate(**kwargs)


def test_the_run_is_reproducible_from_its_result():
    """rng given as a Generator: the result records the root SeedSequence, which reruns it exactly."""
    first = simulate([1.0, 0.3], lam=0.5, reps=100_000, rng=np.random.default_rng(42))
    again = simulate([1.0, 0.3], lam=0.5, reps=100_000,
                     rng=np.random.SeedSequence(first.entropy, spawn_key=first.spawn_key))
    assert first.seed is None and first["lasso"].zeros == again["lasso"].zeros
    assert simulate([1.0, 0.3], lam=0.5, reps=100_000, seed=7)["lasso"].zeros == \
        simulate([1.0, 0.3], lam=0.5, reps=100_000, rng=7)["lasso"].zeros  # seed is an alias of rng


def test_constrained_lasso_is_sparse_for_sure_when_beta_dwarfs_the_radius():
    """Scale invariance at the edge of floating point: beta = (1e17, 0), t = 1 is beta = (1, 0), sigma = 1e-17."""
    res = simulate([1e17, 0.0], radius=1.0, reps=2_000, seed=1, estimator="lasso")
    assert res["lasso"].sparse == 2_000 and res["lasso"].exact == 1.0


def test_constrained_lasso_at_p1_is_never_sparse():
    res = simulate([0.2], radius=0.5, reps=100_000, seed=2)
    assert res["lasso"].exact == 0.0 and res["lasso"].sparse == 0
