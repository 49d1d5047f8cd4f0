"""The numerical integral over the geometric region against the closed form (1e-8)."""

import pytest

from mc_sparsity import exact_sparse_probability, integrate_sparse_region

# beta/sigma from the centre to the tails, levels from tiny to huge.
BETAS = [(0.0, 0.0), (1.0, 0.3), (-2.0, 0.5), (3.0, 3.0), (6.0, -1.0), (9.0, 8.5)]
LEVELS = [0.05, 0.5, 1.0, 2.5, 7.0]


@pytest.mark.parametrize("beta", BETAS)
@pytest.mark.parametrize("form", ["lam", "radius"])
def test_integral_matches_closed_form(beta, form):
    for level in LEVELS:
        for sigma in (1.0, 0.6):
            kw = {form: level}
            exact = exact_sparse_probability(beta, sigma, **kw).probability
            integral = integrate_sparse_region(beta, sigma, **kw)
            assert integral.error < 1e-8
            assert abs(integral.value - exact) < 1e-8, (beta, sigma, kw, integral, exact)


@pytest.mark.parametrize("form", ["lam", "radius"])
def test_ridge_region_is_a_null_set(form):
    res = integrate_sparse_region([1.0, 0.3], **{form: 1.0}, estimator="ridge")
    assert res.value == 0.0


def test_integral_needs_p2():
    with pytest.raises(ValueError, match="p = 2"):
        integrate_sparse_region([1.0, 2.0, 3.0], lam=1.0)
