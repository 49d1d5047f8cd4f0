"""The explorer page (mc_sparsity/data/explorer.html), tested in a real headless Chromium.

One browser per module.  The page is written with ``write_explorer`` and opened
from ``file://``.  References are independent of the page's JavaScript:

* rho = 0: the package's closed form (``exact_sparse_probability``; the elastic
  net through its threshold ``lam * l1_ratio``);
* rho != 0: ``exact_sparse_probability_correlated`` (scipy, Owen's T and
  log-scale pieces) and a 40-digit mpmath evaluation of ``1 - sum_s`` of the
  four bivariate orthant probabilities (penalized), or of the integral of the
  density over the four wedges (constrained).  The page itself uses a third
  route (1-d Gauss-Kronrod over slabs of the sparse set; a product form for the
  constrained lasso);
* scipy.special for Phi, log Phi, erfcx and log Gamma; scipy.stats.binomtest for
  Clopper-Pearson; scikit-learn for the page's per-draw solver.

Without selenium, Chromium or chromedriver the module is skipped, unless the
environment variable CI is set: in CI a missing browser fails.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
import time

import numpy as np
import pytest
from scipy import special, stats

from mc_sparsity import constrained_sparse_probability, exact_sparse_probability
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._report.explorer import explorer_fragment, explorer_html, write_explorer

CHROMIUM = os.environ.get("MC_SPARSITY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("MC_SPARSITY_CHROMEDRIVER") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
REGION_RGB = (0xFD, 0xD0, 0xA2)  # the page's --region colour
RTOL, ATOL = 1e-9, 1e-12


def _missing_browser_reason():
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install selenium)"
    for path, what in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromedriver")):
        if not (path and os.path.isfile(path) and os.access(path, os.X_OK)):
            return f"{what} not found (apt-get install chromium chromium-driver)"
    return None


@pytest.fixture(scope="module")
def page_url(tmp_path_factory):
    path = write_explorer(tmp_path_factory.mktemp("explorer") / "explorer.html")
    return path.resolve().as_uri()


@pytest.fixture(scope="module")
def driver():
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs a headless browser for the explorer tests: {reason}")
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="mc-sparsity-chromium-")
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--disable-extensions", "--window-size=1500,1000",
                 "--force-device-scale-factor=1", f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.execute_cdp_cmd("Network.enable", {})
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


# ----------------------------------------------------------------------------- helpers
def _wait(predicate, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.01)
    raise AssertionError("timed out waiting for the page")


def _render_count(drv):
    return drv.execute_script("return Number(document.body.dataset.renderCount || 0)")


def open_state(drv, url, fragment):
    """Show ``fragment``: load the page if it is not open, else change the hash (hashchange)."""
    if not drv.current_url.startswith(url):
        drv.get(url + fragment)
        _wait(lambda: drv.execute_script("return document.body.dataset.ready === '1'"))
        return
    if fragment == "#":  # any state will do
        return
    before = _render_count(drv)
    if drv.execute_script("return location.hash") == fragment:
        drv.execute_script("location.hash = '#'")  # force a change
        _wait(lambda: _render_count(drv) > before)
        before = _render_count(drv)
    drv.execute_script("location.hash = arguments[0]", fragment)
    _wait(lambda: _render_count(drv) > before)


def read_exact(drv):
    d = drv.execute_script(
        "const e = document.querySelector('[data-quantity=exact]');"
        "return {value: e.dataset.value, log: e.dataset.logValue, error: e.dataset.error, available: e.dataset.available};"
    )
    assert d["available"] == "true"
    return float(d["value"]), float(d["log"]), float(d["error"])


def read_estimate(drv):
    d = drv.execute_script(
        "const e = document.querySelector('[data-quantity=estimate]');"
        "return [e.dataset.n, e.dataset.sparse, e.dataset.ciLow, e.dataset.ciHigh];"
    )
    return int(d[0]), int(d[1]), float(d[2]), float(d[3])


# ----------------------------------------------------------------------------- references
def _mp():
    import mpmath

    ctx = mpmath.mp.clone() if hasattr(mpmath.mp, "clone") else mpmath.mp
    ctx.dps = 40
    return ctx


def _mp_orthant(mp, h1, h2, r):
    """P(Z1 > h1, Z2 > h2), corr r: the 1-d integral of phi(u) P(Z2 > h2 | u) over u > h1."""
    s = mp.sqrt(1 - r * r)
    f = lambda u: mp.npdf(u) * mp.ncdf((r * u - h2) / s)  # noqa: E731
    cuts = sorted({mp.mpf(0), h2 / r if r != 0 else mp.mpf(0)})
    return mp.quad(f, [h1] + [c for c in cuts if c > h1] + [mp.inf])


def mp_penalized(beta, sigma, rho, lam1, lam2):
    """1 - sum_s P(D_s A^{-1}(G beta_hat - lam1 s) > 0) at 40 digits (the KKT derivation, MATH.md)."""
    mp = _mp()
    g = mp.matrix([[1, rho], [rho, 1]])
    a_inv = (g + lam2 * mp.eye(2)) ** -1
    m = a_inv * g
    cov = sigma**2 * a_inv * g * a_inv
    b = mp.matrix([mp.mpf(beta[0]), mp.mpf(beta[1])])
    total = mp.mpf(0)
    for s1 in (-1, 1):
        for s2 in (-1, 1):
            mean = m * b - lam1 * a_inv * mp.matrix([s1, s2])
            sd1, sd2 = mp.sqrt(cov[0, 0]), mp.sqrt(cov[1, 1])
            total += _mp_orthant(mp, -s1 * mean[0] / sd1, -s2 * mean[1] / sd2, s1 * s2 * cov[0, 1] / (sd1 * sd2))
    return float(1 - total)


def mp_constrained(beta, sigma, rho, t):
    """The density of N(beta, sigma^2 G^{-1}) integrated over the four wedges {x_i >= t + |x_k|}, reflected:
    x_k ~ N(beta_k, sigma^2/(1 - rho^2)), x_i | x_k ~ N(beta_i - rho (x_k - beta_k), sigma^2)."""
    mp = _mp()
    sk = sigma / mp.sqrt(1 - rho * rho)
    total = mp.mpf(0)
    for i, k in ((0, 1), (1, 0)):
        for sign in (1, -1):
            def f(xk, i=i, k=k, sign=sign):
                mean = beta[i] - rho * (xk - beta[k])
                z = (t + abs(xk) - sign * mean) / sigma  # P(sign * x_i >= t + |x_k|)
                return mp.npdf(xk, beta[k], sk) * mp.ncdf(-z)
            total += mp.quad(f, [-mp.inf, min(0, beta[k]), max(0, beta[k]), mp.inf])
    return float(total)


def package_value(state):
    """The package's exact value (and its log) for a state dict."""
    beta, sigma, rho, est = state["beta"], state["sigma"], state.get("rho", 0.0), state["estimator"]
    lam, radius = state.get("lam"), state.get("radius")
    lam1, lam2 = lam, 0.0
    if est == "elastic_net":
        lam1, lam2 = lam * state["l1_ratio"], lam * (1 - state["l1_ratio"])
    base = "ridge" if est == "ridge" else "lasso"
    if rho == 0.0:
        res = exact_sparse_probability(beta, sigma, lam=lam1, radius=radius, estimator=base)
    else:
        from mc_sparsity._designs.design import equicorrelated
        from mc_sparsity._exact.correlated import exact_sparse_probability_correlated

        kw = dict(lam=lam1, lam2=lam2) if lam is not None else dict(radius=radius)
        res = exact_sparse_probability_correlated(beta, sigma, equicorrelated(2, rho), estimator=base, **kw)
    return res.probability, res.log_probability


def fragment(state, **extra):
    keys = ("lam", "radius", "estimator", "l1_ratio", "rho")
    return explorer_fragment(state["beta"], state["sigma"], **{k: state[k] for k in keys if k in state}, **extra)


def S(beta, *args, **kw):
    """A state: S(beta[, sigma][, estimator], lam=... or radius=..., rho=..., l1_ratio=...)."""
    sigma = next((a for a in args if not isinstance(a, str)), 1.0)
    estimator = next((a for a in args if isinstance(a, str)), "lasso")
    return dict(beta=list(beta), sigma=sigma, estimator=estimator, **kw)


# 28 states: both forms, three estimators, rho in {0, +-0.3 .. +-0.95}, moderate values and tails.
STATES = [
    S([1, 0.3], lam=0.5), S([1, 0.3], lam=1.0), S([1, 0.3], lam=0.0), S([1, 0.3], radius=1.0),
    S([1, 0.3], radius=2.0), S([1, 0.3], "ridge", lam=0.5), S([1, 0.3], "ridge", radius=1.0),
    S([-2.5, 0.7], 0.4, lam=0.3), S([0.2, 0.05], 0.01, lam=0.1), S([6, -6], lam=0.5),
    S([9, 8.5], lam=1.0), S([30, -30], lam=1.0), S([5, 5], radius=8.0), S([-3, 1e-3], 0.5, radius=0.7),
    S([1, 0.3], "elastic_net", lam=1.0, l1_ratio=0.5), S([2, -1], 0.7, "elastic_net", lam=2.0, l1_ratio=0.3),
    # correlated designs
    S([1, 0.3], lam=0.5, rho=0.6), S([1, 0.3], lam=0.5, rho=-0.6), S([1, -1], 0.8, lam=1.0, rho=0.9),
    S([2, 1.5], lam=0.3, rho=-0.95), S([6, 5], lam=0.5, rho=0.3), S([8, 8], lam=0.5, rho=0.5),
    S([1, 0.3], "elastic_net", lam=0.5, l1_ratio=0.5, rho=-0.5),
    S([-1.5, 2], "elastic_net", lam=1.5, l1_ratio=0.7, rho=0.8),
    S([1, 0.3], radius=1.0, rho=0.6), S([2, -0.5], radius=1.5, rho=-0.9), S([5, 5], radius=8.0, rho=0.5),
    S([1, 0.3], "ridge", lam=0.5, rho=0.7),
]
IDS = [fragment(s)[1:] for s in STATES]


# ----------------------------------------------------------------------------- static checks
def test_page_is_small_offline_and_has_the_contract():
    html = explorer_html()
    size = len(html.encode("utf-8"))
    assert size < 200_000, size  # well under 1 MB
    lowered = html.lower()
    for forbidden in ("://", "fetch(", "xmlhttprequest", "websocket", "eventsource", "sendbeacon", "import(",
                      "<link", "<iframe", "<img", "@import", "url("):
        assert forbidden not in lowered, forbidden
    assert "<script src" not in lowered
    assert "default-src 'none'" in html  # the Content-Security-Policy forbids every request
    assert 'data-quantity="exact"' in html and 'data-quantity="estimate"' in html


def test_write_explorer_and_fragment(tmp_path):
    out = write_explorer(tmp_path / "sub" / "page.html")
    assert out == tmp_path / "sub" / "page.html"
    assert out.read_bytes() == explorer_html().encode("utf-8")
    with pytest.raises(TypeError):
        write_explorer(3)
    assert explorer_fragment([1, 0.3], radius=1, rho=-0.5, n=5, seed=7) == (
        "#beta=1.0,0.3&sigma=1.0&radius=1.0&estimator=lasso&rho=-0.5&n=5&seed=7")
    bad = [
        (dict(beta=[1, 2, 3], lam=1), "beta"), (dict(beta=[1, 2], sigma=0.0, lam=1), "sigma"),
        (dict(beta=[1, 2]), "lam"), (dict(beta=[1, 2], lam=1, radius=1), "lam"), (dict(beta=[1, 2], lam=-1), "lam"),
        (dict(beta=[1, 2], radius=0.0), "radius"), (dict(beta=[1, 2], lam=1, rho=1.0), "rho"),
        (dict(beta=[1, 2], lam=1, estimator="elastic_net"), "l1_ratio"),
        (dict(beta=[1, 2], lam=1, estimator="elastic_net", l1_ratio=1.5), "l1_ratio"),
        (dict(beta=[1, 2], radius=1, estimator="elastic_net", l1_ratio=0.5), "radius"),
        (dict(beta=[1, 2], lam=1, estimator="scad"), "estimator"), (dict(beta=[1, 2], lam=1, n=0), "n"),
        (dict(beta=[1, 2], lam=1, seed=2**32), "seed"), (dict(beta=[1, math.inf], lam=1), "beta"),
    ]
    for kwargs, name in bad:
        with pytest.raises(ParameterError) as info:
            explorer_fragment(**kwargs)
        assert info.value.parameter == name and str(info.value).startswith(name), (kwargs, str(info.value))
    with pytest.raises(TypeError):
        explorer_fragment([1, 2], lam="1")


# ----------------------------------------------------------------------------- numbers in the page
def test_special_functions_against_scipy(driver, page_url):
    open_state(driver, page_url, "#")
    x = np.concatenate([np.linspace(-37.5, 9.0, 400), [-1e3, -1e5, -1e150, -0.5, 0.0, 1e-300, 0.7071, 40.0]])
    got = driver.execute_script(
        "const m = window.mcExplorer; return arguments[0].map(x => [m.ndtr(x), m.logNdtr(x)]);", x.tolist())
    got = np.array(got, dtype=float)
    finite = x >= -37.5  # Phi(-37.5) = 4.6e-308: below, subnormal results lose digits
    # scipy's ndtr uses cephes erfc, whose documented peak relative error is 5.7e-14: 40-digit mpmath instead
    mp = _mp()
    ref = np.array([float(mp.ncdf(mp.mpf(float(v)))) for v in x[finite]])
    np.testing.assert_allclose(got[finite, 0], ref, rtol=2e-15, atol=0)
    np.testing.assert_allclose(got[finite, 0], special.ndtr(x[finite]), rtol=3e-13, atol=0)
    np.testing.assert_allclose(got[:, 1], special.log_ndtr(x), rtol=1e-14, atol=1e-300)
    y = np.concatenate([np.linspace(-26, 30, 300), [1e3]])
    got = np.array(driver.execute_script(
        "const m = window.mcExplorer; return arguments[0].map(y => [m.erfcx(y), m.erfc(y), m.erf(y)]);", y.tolist()))
    # mpmath again: scipy's erfcx computes exp(y*y) for y < 0 without splitting y*y (7e-14 off at y = -26)
    ref = np.array([[float(mp.erfc(mp.mpf(float(v))) * mp.exp(mp.mpf(float(v)) ** 2)), float(mp.erfc(mp.mpf(float(v))))]
                    for v in y])
    np.testing.assert_allclose(got[:, 0], ref[:, 0], rtol=2e-15)
    np.testing.assert_allclose(got[:, 1], ref[:, 1], rtol=3e-15, atol=1e-300)
    big = np.array([1e8, 1e200])
    got_big = driver.execute_script("return arguments[0].map(y => window.mcExplorer.erfcx(y))", big.tolist())
    np.testing.assert_allclose(got_big, 1 / (np.sqrt(np.pi) * big), rtol=1e-15)  # erfcx(y) ~ 1/(y sqrt(pi))
    np.testing.assert_allclose(got[:, 2], special.erf(y), rtol=3e-16, atol=1e-300)
    z = np.array([0.1, 0.5, 1.0, 2.5, 7.3, 14.9, 15.0, 100.5, 2e3, 1e6 + 0.5])
    got = np.array(driver.execute_script("return arguments[0].map(z => window.mcExplorer.lgamma(z))", z.tolist()))
    np.testing.assert_allclose(got, special.gammaln(z), rtol=2e-14, atol=2e-15)


def test_clopper_pearson_solves_its_defining_equations(driver, page_url):
    """low and high solve I_low(k, n - k + 1) = 0.025 and 1 - I_high(k + 1, n - k) = 0.025 (scipy's
    betainc/betaincc, Boost's accurate forward functions).  scipy's own beta.ppf is not used as the
    reference: at k = 7, n = 1e5 it is off by 8e-9 relative (40-digit mpmath agrees with the page)."""
    open_state(driver, page_url, "#")
    cases = [(0, 10), (1, 10), (5, 10), (10, 10), (0, 2000), (1027, 2000), (7, 100_000), (61_084, 100_000),
             (99_999, 100_000), (500_321, 1_000_000), (3, 1_000_000)]
    got = driver.execute_script("return arguments[0].map(c => window.mcExplorer.clopperPearson(c[0], c[1]))", cases)
    for (k, n), (low, high) in zip(cases, got):
        if k == 0:
            assert low == 0.0
        else:
            assert math.isclose(special.betainc(k, n - k + 1, low), 0.025, rel_tol=1e-9), (k, n, low)
        if k == n:
            assert high == 1.0
        else:
            assert math.isclose(special.betaincc(k + 1, n - k, high), 0.025, rel_tol=1e-9), (k, n, high)
        ci = stats.binomtest(k, n).proportion_ci(0.95, method="exact")  # and close to scipy's interval
        assert math.isclose(low, ci.low, rel_tol=1e-7) and math.isclose(high, ci.high, rel_tol=1e-7)
    # two-sided: at 0 successes the upper end is 1 - 0.025^(1/n)
    assert math.isclose(got[4][1], 1 - 0.025 ** (1 / 2000), rel_tol=1e-12)


@pytest.mark.parametrize("state", STATES, ids=IDS)
def test_exact_value_matches_the_package(driver, page_url, state):
    open_state(driver, page_url, fragment(state))
    value, log_value, error = read_exact(driver)
    ref, ref_log = package_value(state)
    assert math.isclose(value, ref, rel_tol=RTOL, abs_tol=ATOL), (value, ref)
    # on the log scale the tails keep their relative accuracy too (no silent 0.0)
    if ref_log == -math.inf:
        assert value == 0.0 and log_value == -math.inf
    else:
        assert math.isfinite(log_value)
        assert abs(log_value - ref_log) <= 1e-9 * max(1.0, abs(ref_log)), (log_value, ref_log)
    assert 0.0 <= error <= 1e-10 * value + 1e-300  # quadrature error estimate, where there is one
    if state.get("rho", 0.0) != 0.0 and state["estimator"] != "ridge":
        mp_ref = (mp_constrained(state["beta"], state["sigma"], state["rho"], state["radius"]) if "radius" in state
                  else mp_penalized(state["beta"], state["sigma"], state["rho"],
                                    state["lam"] * state.get("l1_ratio", 1.0), state["lam"] * (1 - state.get("l1_ratio", 1.0))))
        assert math.isclose(value, mp_ref, rel_tol=RTOL, abs_tol=ATOL), (value, mp_ref)


def test_underflow_is_reported_on_the_log_scale(driver, page_url):
    state = S([40, 40], lam=1.0)
    open_state(driver, page_url, fragment(state))
    value, log_value, _ = read_exact(driver)
    ref = exact_sparse_probability([40, 40], lam=1.0)
    assert value == 0.0 and ref.probability == 0.0
    assert math.isclose(log_value, ref.log_probability, rel_tol=1e-12)  # -764.39, not -inf
    text = driver.find_element("id", "exact-text").text
    assert "10^-331.97" in text  # log10 P shown instead of a bare 0


# ----------------------------------------------------------------------------- the cloud
CLOUD_STATES = [
    S([1, 0.3], lam=0.5), S([1, 0.3], radius=1.0), S([1, 0.3], lam=0.5, rho=0.6), S([1, -0.4], lam=0.6, rho=-0.8),
    S([1, 0.3], "elastic_net", lam=0.8, l1_ratio=0.4, rho=0.7), S([0.5, 1.2], radius=1.2, rho=-0.7),
    S([0.5, 1.2], radius=0.8, rho=0.85),
]


@pytest.mark.parametrize("state", CLOUD_STATES, ids=[fragment(s)[1:] for s in CLOUD_STATES])
def test_cloud_share_agrees_with_the_exact_value(driver, page_url, state):
    # The seed is fixed.  The binomial test at level 1e-4 is what guards against bugs; the check
    # that the exact value lies in the page's 95% interval is the reader's check, and holds at this
    # seed for every state here (at another seed it may fail by chance, 5% per state).
    n = 100_000
    open_state(driver, page_url, fragment(state, n=n, seed=5))
    exact = read_exact(driver)[0]
    n_read, sparse, low, high = read_estimate(driver)
    assert n_read == n
    # a two-sided exact binomial test at level 1e-4 (an error of 0.5% of P fails it: about 5 standard errors here)
    assert stats.binomtest(sparse, n, exact).pvalue > 1e-4, (sparse / n, exact)
    assert low <= exact <= high, (low, exact, high)  # the page's 95% interval, at this fixed seed
    assert math.isclose(special.betainc(sparse, n - sparse + 1, low), 0.025, rel_tol=1e-9)
    assert math.isclose(special.betaincc(sparse + 1, n - sparse, high), 0.025, rel_tol=1e-9)


def test_ridge_cloud_has_no_sparse_draw(driver, page_url):
    for state in (S([1, 0.3], "ridge", lam=0.5, rho=0.5), S([1, 0.3], "ridge", radius=1.0, rho=-0.3)):
        n = 50_000
        open_state(driver, page_url, fragment(state, n=n, seed=1))
        assert read_exact(driver)[0] == 0.0
        n_read, sparse, low, high = read_estimate(driver)
        assert (n_read, sparse, low) == (n, 0, 0.0)
        assert math.isclose(high, 1 - 0.025 ** (1 / n), rel_tol=1e-12)


def test_cloud_is_reproducible_and_draw_more_extends_it(driver, page_url):
    state = S([1, 0.3], lam=0.5, rho=0.4)
    open_state(driver, page_url, fragment(state, n=3000, seed=99))
    first = read_estimate(driver)
    open_state(driver, page_url, fragment(state, n=3000, seed=100))
    assert read_estimate(driver) != first  # another seed, other draws
    open_state(driver, page_url, fragment(state, n=3000, seed=99))
    assert read_estimate(driver) == first  # the link reproduces the view
    before = _render_count(driver)
    driver.find_element("id", "draw-more").click()
    _wait(lambda: _render_count(driver) > before)
    n, sparse, _, _ = read_estimate(driver)
    assert n == 6000 and "n=6000" in driver.execute_script("return location.hash")
    # the first 3000 draws are the same stream: the count can only grow
    assert sparse >= first[1]


def test_page_solver_agrees_with_scikit_learn(driver, page_url):
    """The page classifies each draw by solving the problem; compare with sklearn on a real design."""
    from sklearn.linear_model import ElasticNet, Lasso

    open_state(driver, page_url, "#")
    rng = np.random.default_rng(7)
    n_obs = 50
    checked = 0
    for rho, lam, l1_ratio in ((0.7, 0.6, 1.0), (-0.8, 0.5, 1.0), (0.5, 1.0, 0.6)):
        # X with X^T X = G exactly
        q, _ = np.linalg.qr(rng.standard_normal((n_obs, 2)))
        x_mat = q @ np.linalg.cholesky(np.array([[1, rho], [rho, 1]])).T
        draws = rng.normal(0.6, 1.0, size=(40, 2))
        est = "lasso" if l1_ratio == 1.0 else "elastic_net"
        st = dict(beta=[0, 0], sigma=1, form="penalized", level=lam, estimator=est, l1_ratio=l1_ratio, rho=rho, n=1, seed=0)
        sols = driver.execute_script(
            "return arguments[1].map(x => window.mcExplorer.solve(arguments[0], x[0], x[1]))", st, draws.tolist())
        for xh, b in zip(draws, sols):
            y = x_mat @ xh  # X^T y = G beta_hat
            alpha = lam / n_obs
            model = (Lasso(alpha=alpha, fit_intercept=False, tol=1e-14, max_iter=100_000) if l1_ratio == 1.0 else
                     ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=False, tol=1e-14, max_iter=100_000))
            coef = model.fit(x_mat, y).coef_
            np.testing.assert_allclose(b, coef, atol=1e-7)
            assert [v == 0.0 for v in b] == [v == 0.0 for v in coef]
            checked += 1
    assert checked == 120


def test_constrained_solver_against_brute_force(driver, page_url):
    """G-metric projection on the L1 ball: compare with a dense search over the diamond's boundary."""
    open_state(driver, page_url, "#")
    rng = np.random.default_rng(11)
    theta = np.linspace(0, 1, 40_001)
    for rho, t in ((0.6, 1.0), (-0.85, 1.5)):
        g = np.array([[1, rho], [rho, 1]])
        draws = rng.normal(0.5, 1.5, size=(30, 2))
        st = dict(beta=[0, 0], sigma=1, form="constrained", level=t, estimator="lasso", l1_ratio=0.5, rho=rho, n=1, seed=0)
        sols = np.array(driver.execute_script(
            "return arguments[1].map(x => window.mcExplorer.solve(arguments[0], x[0], x[1]))", st, draws.tolist()))
        corners = np.array([[t, 0], [0, t], [-t, 0], [0, -t], [t, 0]])
        boundary = np.concatenate([a + theta[:, None] * (b - a) for a, b in zip(corners[:-1], corners[1:])])
        for xh, b in zip(draws, sols):
            if np.abs(xh).sum() <= t:
                np.testing.assert_array_equal(b, xh)
                continue
            d = boundary - xh
            loss = np.einsum("ij,jk,ik->i", d, g, d)
            best = boundary[np.argmin(loss)]
            np.testing.assert_allclose(b, best, atol=1e-4)  # the grid's step is 2.5e-5 t
            assert abs(np.abs(b).sum() - t) < 1e-12


# ----------------------------------------------------------------------------- interaction
def _type(drv, element_id, text):
    el = drv.find_element("id", element_id)
    before = _render_count(drv)
    el.clear()
    el.send_keys(text)
    drv.execute_script("arguments[0].dispatchEvent(new Event('change', {bubbles: true}))", el)
    _wait(lambda: _render_count(drv) > before)


def test_typing_into_fields_updates_hash_and_value(driver, page_url):
    open_state(driver, page_url, fragment(S([1, 0.3], lam=0.5), n=500, seed=0))
    _type(driver, "beta1", "2")
    _wait(lambda: "beta=2,0.3" in driver.execute_script("return location.hash"))
    ref = exact_sparse_probability([2, 0.3], lam=0.5).probability
    assert math.isclose(read_exact(driver)[0], ref, rel_tol=RTOL)
    _type(driver, "rho", "-0.4")
    assert "rho=-0.4" in driver.execute_script("return location.hash")
    assert math.isclose(read_exact(driver)[0], package_value(S([2, 0.3], lam=0.5, rho=-0.4))[0], rel_tol=RTOL)
    # a slider moves the value too
    before = _render_count(driver)
    driver.execute_script(
        "const r = document.getElementById('sigma-range'); r.value = '0.5';"
        "r.dispatchEvent(new Event('input', {bubbles: true}));")
    _wait(lambda: _render_count(driver) > before)
    assert "sigma=0.5" in driver.execute_script("return location.hash")
    assert math.isclose(read_exact(driver)[0], package_value(S([2, 0.3], 0.5, lam=0.5, rho=-0.4))[0], rel_tol=RTOL)
    # the constrained form: the hash says radius, the value follows
    before = _render_count(driver)
    driver.find_element("id", "form-constrained").click()
    _wait(lambda: _render_count(driver) > before)
    _type(driver, "level", "1.25")
    h = driver.execute_script("return location.hash")
    assert "radius=1.25" in h and "lam=" not in h
    assert math.isclose(read_exact(driver)[0], package_value(S([2, 0.3], 0.5, radius=1.25, rho=-0.4))[0], rel_tol=RTOL)
    # ridge: exactly 0
    before = _render_count(driver)
    driver.execute_script(
        "const s = document.getElementById('estimator'); s.value = 'ridge';"
        "s.dispatchEvent(new Event('change', {bubbles: true}));")
    _wait(lambda: _render_count(driver) > before)
    assert "estimator=ridge" in driver.execute_script("return location.hash")
    assert read_exact(driver)[0] == 0.0
    # a bad value is refused with a message naming it; the state (and hash) keep the last good value
    _type(driver, "sigma", "-1")
    assert "sigma must be" in driver.find_element("id", "errors").text
    assert "sigma=0.5" in driver.execute_script("return location.hash")
    # reloading the written hash gives back the same view
    h = driver.execute_script("return location.hash")
    shown = driver.execute_script("return window.mcExplorer.getState()")
    driver.get("about:blank")
    driver.get(page_url + h)
    _wait(lambda: driver.execute_script("return document.body.dataset.ready === '1'"))
    assert driver.execute_script("return window.mcExplorer.getState()") == shown


def test_bad_hash_is_reported_and_gives_no_nan(driver, page_url):
    open_state(driver, page_url, "#beta=1,abc&sigma=-2&lam=0.5&estimator=scad&rho=1.5&n=0")
    errors = driver.find_element("id", "errors").text
    for word in ("beta2 must be", "sigma must be", "estimator must be", "rho must be", "n must be"):
        assert word in errors, errors
    value = read_exact(driver)[0]
    assert math.isfinite(value)
    # the defaults are used for the bad entries: beta2 = 0.3, sigma = 1, lasso, rho = 0, n = 2000
    assert math.isclose(value, exact_sparse_probability([1, 0.3], lam=0.5).probability, rel_tol=RTOL)
    assert read_estimate(driver)[0] == 2000


@pytest.mark.parametrize("fragment", ["#beta=1e155,1e155&radius=1", "#beta=1,0.3&sigma=1e160&lam=0.5",
                                      "#beta=1e200,0&lam=0.5", "#beta=1,0.3&sigma=1e-160&lam=0.5"])
def test_what_double_precision_cannot_draw_is_refused(driver, page_url, fragment):
    """No "2000 of 2000 sparse" against an exact 0, no crash: the scales are refused and the defaults drawn."""
    open_state(driver, page_url, fragment)
    errors = driver.find_element("id", "errors").text
    assert "beyond what double precision can draw" in errors, errors
    state = driver.execute_script("return window.mcExplorer.getState()")
    assert state["beta"] == [1, 0.3] and state["sigma"] == 1
    value = read_exact(driver)[0]
    reference = (exact_sparse_probability([1, 0.3], lam=0.5).probability if "lam" in fragment
                 else constrained_sparse_probability([1, 0.3], radius=1.0).probability)
    assert math.isclose(value, reference, rel_tol=1e-6) and 0 < value < 1
    n, sparse, low, high = read_estimate(driver)
    assert low <= value <= high  # the cloud and the exact value agree again
    with pytest.raises(ParameterError):  # the package refuses what the page refuses
        beta, sigma, level = _fragment_arguments(fragment)
        explorer_fragment(beta, sigma, **level)


def _fragment_arguments(fragment):
    params = dict(part.split("=") for part in fragment[1:].split("&"))
    beta = [float(v) for v in params["beta"].split(",")]
    kwargs = {"lam": float(params["lam"])} if "lam" in params else {"radius": float(params["radius"])}
    return beta, float(params.get("sigma", 1.0)), kwargs


@pytest.mark.parametrize("fragment", ["#beta=%", "#%=1", "#lam=%zz&beta=1,0.3", "#beta=%E0%A4%A"])
def test_malformed_percent_encoding_is_reported_and_the_page_stays_live(driver, page_url, fragment):
    driver.get("about:blank")
    driver.get(page_url + fragment)
    _wait(lambda: driver.execute_script("return document.body.dataset.ready === '1'"))
    assert "malformed percent-encoding" in driver.find_element("id", "errors").text
    assert math.isfinite(read_exact(driver)[0])
    before = _render_count(driver)
    driver.execute_script("location.hash = '#beta=2,0.5&lam=1'")  # later hash changes are still followed
    _wait(lambda: _render_count(driver) > before)
    assert driver.execute_script("return window.mcExplorer.getState()")["beta"] == [2, 0.5]
    assert driver.find_element("id", "errors").text == ""
    assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


# ----------------------------------------------------------------------------- network and picture
def test_no_request_leaves_file_url(driver, page_url):
    driver.get_log("performance")  # drop what earlier tests logged
    driver.get("about:blank")
    driver.get(page_url + fragment(S([1, 0.3], lam=0.5, rho=0.3)))
    _wait(lambda: driver.execute_script("return document.body.dataset.ready === '1'"))
    driver.find_element("id", "draw-more").click()
    time.sleep(0.3)
    assert driver.execute_script("return performance.getEntriesByType('resource').length") == 0
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg["method"] == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    assert any(u.startswith(page_url) for u in urls), urls  # the log works: it saw the page itself
    assert all(u.startswith("file://") or u == "about:blank" for u in urls), urls
    assert not driver.get_log("browser") or all(
        "Content Security Policy" not in e["message"] for e in driver.get_log("browser"))


def _region_fraction(png_path, rect):
    """Share of the region's fill among the pixels that are either that fill or white (the
    background), inside ``rect``; grid lines, contours and points cover both about equally."""
    from PIL import Image

    img = np.asarray(Image.open(png_path).convert("RGB"))
    x, y, w, h = (int(round(v)) for v in rect)
    crop = img[y:y + h, x:x + w]
    region = np.all(crop == np.array(REGION_RGB, dtype=np.uint8), axis=-1).sum()
    white = np.all(crop == 255, axis=-1).sum()
    return region / max(region + white, 1), len(np.unique(crop.reshape(-1, 3), axis=0))


def _plot_rect(drv):
    # the plotting area inside the canvas (the page's margins: left 52, right 14, top 14, bottom 44)
    r = drv.execute_script("const r = document.getElementById('plot').getBoundingClientRect(); return [r.x, r.y, r.width, r.height]")
    return (r[0] + 52 + 3, r[1] + 14 + 3, r[2] - 66 - 6, r[3] - 58 - 6)


def test_screenshot_shows_the_region(driver, page_url, tmp_path):
    pytest.importorskip("PIL")
    # penalized lasso at rho = 0, one draw only: the cross |x_j| <= lam in the view [-R, R]^2
    open_state(driver, page_url, fragment(S([1, 0.3], lam=0.5), n=1, seed=0))
    png = tmp_path / "lasso.png"
    driver.save_screenshot(str(png))
    frac, colours = _region_fraction(png, _plot_rect(driver))
    assert colours > 20  # not blank
    # R for this state is 5 (|beta| + 3.2 sigma = 4.2, rounded up): the cross covers 1 - (1 - 0.5/5)^2 = 0.19
    # (the axes run inside the strips and hide a little of them: hence the lower margin)
    assert 0.17 < frac < 0.195, frac
    # the constrained lasso: four wedges beyond the diamond
    open_state(driver, page_url, fragment(S([1, 0.3], radius=1.0), n=1, seed=0))
    driver.save_screenshot(str(png))
    frac, _ = _region_fraction(png, _plot_rect(driver))
    # view R = 5: the wedges {| |x1| - |x2| | >= 1} cover 1 - (area with | |x1| - |x2| | < 1)/100 of the square
    expected = _wedge_fraction(5.0, 1.0)
    assert expected - 0.02 < frac < expected + 0.005, (frac, expected)
    # ridge: no shaded region at all (its sparse set has area zero)
    open_state(driver, page_url, fragment(S([1, 0.3], "ridge", lam=0.5), n=1, seed=0))
    driver.save_screenshot(str(png))
    frac, colours = _region_fraction(png, _plot_rect(driver))
    assert frac == 0.0 and colours > 5


def _wedge_fraction(R, t, m=801):
    g = np.linspace(-R, R, m)
    x1, x2 = np.meshgrid(g, g)
    return float(np.mean(np.abs(np.abs(x1) - np.abs(x2)) >= t))
