"""Sizes of the random-design experiment against the formulas, computed independently (mpmath, integers)."""

import mpmath
import pytest

from mc_sparsity import ParameterError
from mc_sparsity._recovery.setup import MAX_CELLS, MAX_P, recovery_setup, sparsity_size

mpmath.mp.dps = 50


def _ceil(x):
    return int(mpmath.ceil(x))


@pytest.mark.parametrize("p", [16, 100, 128, 256, 512, 625, 1000, 2048, 4096])
def test_sparsity_sizes_follow_the_formulas(p):
    P = mpmath.mpf(p)
    assert sparsity_size(p, "linear") == _ceil(mpmath.mpf(2) / 5 * P)
    assert sparsity_size(p, "sublinear") == _ceil(mpmath.mpf(2) / 5 * P / mpmath.log(mpmath.mpf(2) / 5 * P))
    assert sparsity_size(p, "fractional") == _ceil(mpmath.mpf(2) / 5 * P ** mpmath.mpf(0.75))


def test_fractional_size_at_a_whole_number_is_not_pushed_up():
    # 0.4 * 625^0.75 = 0.4 * 125 = 50 exactly; 10000^0.75 = 1000 -> 400
    assert sparsity_size(625, "fractional") == 50 and sparsity_size(10000, "fractional") == 400
    assert sparsity_size(625, 50) == 50 and sparsity_size(625, "50") == 50


@pytest.mark.parametrize("p, theta", [(128, 0.5), (128, 1.0), (256, 1.25), (512, 2.0), (300, 0.37)])
def test_sample_size_and_wainwright_level(p, theta):
    s = recovery_setup(p, "fractional", theta=theta, sigma=0.7)
    k = _ceil(mpmath.mpf(2) / 5 * mpmath.mpf(p) ** mpmath.mpf(0.75))
    n = _ceil(2 * mpmath.mpf(theta) * k * mpmath.log(p - k))
    lam = mpmath.sqrt(2 * mpmath.mpf(0.7) ** 2 * mpmath.log(k) * mpmath.log(p - k) / n)
    assert (s.k, s.n) == (k, n)
    assert abs(s.lam - float(lam)) <= 1e-15 * float(lam)
    assert s.design == "gaussian" and s.rho == 0.0


def test_n_given_instead_of_theta_and_the_known_published_sizes():
    s = recovery_setup(128, "fractional", n=100)
    assert s.n == 100 and abs(s.theta - 100 / (2 * 16 * float(mpmath.log(112)))) < 1e-15
    # Wainwright's fractional sizes for p = 128, 256, 512
    assert [sparsity_size(p, "fractional") for p in (128, 256, 512)] == [16, 26, 44]
    assert recovery_setup(64, 4, theta=1.0, design="toeplitz").rho == 0.1


@pytest.mark.parametrize("kwargs, name", [
    (dict(p=10, sparsity=10, theta=1.0), "sparsity"),
    (dict(p=10, sparsity=12, theta=1.0), "sparsity"),
    (dict(p=10, sparsity=0, theta=1.0), "sparsity"),
    (dict(p=10, sparsity="dense", theta=1.0), "sparsity"),
    (dict(p=128, n=0), "n"),
    (dict(p=128, theta=0.0), "theta"),
    (dict(p=128, theta=-1.0), "theta"),
    (dict(p=128, theta=float("nan")), "theta"),
    (dict(p=128, theta=1.0, design="toeplitz", rho=1.0), "rho"),
    (dict(p=128, theta=1.0, design="toeplitz", rho=-1.5), "rho"),
    (dict(p=128, theta=1.0, design="ar2"), "design"),
    (dict(p=MAX_P + 1, theta=1.0), "p"),
    (dict(p=1, theta=1.0), "p"),
    (dict(p=128, theta=1.0, sigma=0.0), "sigma"),
    (dict(p=128, theta=1.0, beta_min=-1.0), "beta_min"),
    (dict(p=128, theta=1.0, lam=-0.1), "lam"),
    (dict(p=128, sparsity=1, theta=1.0), "lam"),  # log k = 0: lam_n = 0
    (dict(p=4096, sparsity="linear", theta=50.0), "theta"),  # n p beyond MAX_CELLS
    (dict(p=4096, sparsity=10, n=MAX_CELLS), "n"),
])
def test_bad_values_name_their_parameter(kwargs, name):
    with pytest.raises(ParameterError) as info:
        recovery_setup(**kwargs)
    assert info.value.parameter == name
