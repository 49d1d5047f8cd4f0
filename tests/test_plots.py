"""The report's correlated-design and solver figures: drawn from suitable data, skipped without it."""

import io
import itertools

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("seaborn")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mc_sparsity._report import plots as _plots  # noqa: E402
from mc_sparsity._designs.design import equicorrelated  # noqa: E402
from mc_sparsity._mc.results import hashable, read_results  # noqa: E402
from mc_sparsity._pipeline.study import parse_study, run_study  # noqa: E402

STUDY = """
[study]
name = "plots"
seed = 3
reps = 2000
[[grid]]
form = "penalized"
beta = [[1.0, 0.3]]
lam = [0.5]
[[grid]]
form = "constrained"
beta = [[1.0, 0.3]]
radius = [1.0]
[[grid]]
form = "penalized"
beta = [[1.0, 0.3]]
lam = [0.5]
rho = [-0.6, 0.9]
[[grid]]
form = "constrained"
beta = [[1.0, 0.3]]
radius = [1.0]
rho = [-0.6, 0.9]
"""

NEW = ("correlated_regions", "probability_against_rho", "solver_zeros", "subgradient_toy")


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    out = tmp_path_factory.mktemp("plots") / "t.csv"
    run_study(parse_study(STUDY), out, n_jobs=1)
    return hashable(read_results(out))


@pytest.fixture(scope="module")
def solver_run():
    pytest.importorskip("sklearn")
    from mc_sparsity._solvers.study import run_solvers

    return run_solvers([1.0, 0.3], 1.0, 0.5, design=equicorrelated(2, 0.6), solvers=["ista", "cd", "subgradient",
                       "sklearn"], iterations=[1, 10, 100], reps=500, tols=[1e-2, 1e-8], sklearn_reps=10, n_jobs=1)


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40, metadata={"Software": None})
    plt.close(fig)
    return buffer.getvalue()


EPS = np.random.default_rng(0).standard_normal((300, 2))  # the cloud the pipeline would give


def test_every_figure_is_registered_with_its_caption():
    assert set(NEW) <= set(_plots.FIGURES)
    assert list(_plots.CAPTIONS) == list(_plots.FIGURES)
    assert all(isinstance(c, str) and c.strip() for c in _plots.CAPTIONS.values())
    assert _plots.SOLVER_FIGURES == {"solver_zeros"}


def test_correlated_figures_draw_and_are_deterministic(table):
    first = _plots.plot_correlated_regions(table, EPS, grid=81)
    assert isinstance(first, Figure)
    assert len(first.axes) == 4  # 2 forms x the table's 2 rhos (-0.6, 0.9)
    second = _plots.plot_correlated_regions(table, EPS, grid=81)
    assert _png(first) == _png(second)
    fig = _plots.plot_probability_against_rho(table)
    assert isinstance(fig, Figure)
    plt.close(fig)


def test_correlated_figures_skip_a_table_without_correlated_rows(table):
    orthonormal = table[table["design"] == "orthonormal"]
    assert not orthonormal.empty
    assert _plots.plot_correlated_regions(orthonormal, EPS) is None
    assert _plots.plot_probability_against_rho(orthonormal) is None
    assert _plots.plot_correlated_regions(table.iloc[0:0], EPS) is None


def test_solver_figure(solver_run):
    fig = _plots.plot_solver_zeros([solver_run])
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 3
    plt.close(fig)
    no_sklearn = dict(solver_run, results=[r for r in solver_run["results"] if r["solver"] != "sklearn"])
    fig = _plots.plot_solver_zeros([no_sklearn])
    assert len(fig.axes) == 2
    plt.close(fig)
    assert _plots.plot_solver_zeros([]) is None
    assert _plots.plot_solver_zeros(()) is None


def test_subgradient_toy_figure():
    fig = _plots.plot_subgradient_toy()
    assert isinstance(fig, Figure)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "step 10" in texts and "0.1" in texts and "-0.4" in texts
    plt.close(fig)


def test_make_figures_passes_the_solver_runs(table, solver_run, tmp_path, monkeypatch):
    # Only the new figures, to keep the test short.
    monkeypatch.setattr(_plots, "FIGURES", {name: _plots.FIGURES[name] for name in NEW})
    monkeypatch.setitem(_plots.CORRELATED_REGIONS, "grid", 61)
    written = _plots.make_figures(table, tmp_path / "a", solver_runs=[solver_run])
    assert sorted(p.stem for p in written) == sorted(NEW)
    written = _plots.make_figures(table, tmp_path / "b")
    assert "solver_zeros" not in {p.stem for p in written}


# ---------------------------------------------------------------- the region of figure 1
def _full_support(gram, beta_hat, *, lam=None, radius=None):
    """Independent test (MATH.md): the lasso solution has no zero iff some sign pattern s gives a
    full-support candidate with signs s.  Penalized: D_s (beta_hat - lam G^{-1} s) > 0.  Constrained:
    ||beta_hat||_1 < t, or b = beta_hat - mu G^{-1} s, mu = (s^T beta_hat - t)/(s^T G^{-1} s) > 0, sign(b) = s."""
    inv = np.linalg.inv(gram)
    if radius is not None and np.abs(beta_hat).sum() < radius:
        return True
    for s in itertools.product((-1.0, 1.0), repeat=2):
        s = np.array(s)
        if lam is not None:
            b = beta_hat - lam * inv @ s
        else:
            mu = (s @ beta_hat - radius) / (s @ inv @ s)
            if mu <= 0:
                continue
            b = beta_hat - mu * inv @ s
        if np.all(s * b > 0):
            return True
    return False


@pytest.mark.parametrize("rho", [-0.6, 0.3, 0.9])
@pytest.mark.parametrize("level", [{"lam": 0.5}, {"radius": 1.0}])
def test_region_agrees_with_the_sign_pattern_rule(rho, level):
    gram = np.array(equicorrelated(2, rho).gram)
    points = np.random.default_rng(7).uniform(-4, 4, (400, 2))
    mask, _ = _plots.sparse_mask(gram, points, **level)
    expected = np.array([not _full_support(gram, x, **level) for x in points])
    assert mask.mean() not in (0.0, 1.0)
    np.testing.assert_array_equal(mask, expected)


def test_region_by_hand():
    # rho = 0: the strips |beta_hat_j| <= lam and the wedges ||x1| - |x2|| >= t.
    eye = np.eye(2)
    pts = np.array([[0.4, 3.0], [0.6, 3.0], [2.0, 0.0], [1.0, 1.0]])
    np.testing.assert_array_equal(_plots.sparse_mask(eye, pts, lam=0.5)[0], [True, False, True, False])
    np.testing.assert_array_equal(_plots.sparse_mask(eye, pts, radius=1.0)[0], [True, True, True, False])
    g = np.array(equicorrelated(2, 0.9).gram)
    # beta_hat = (1, -1): z = G beta_hat = (0.1, -0.1), both |z_j| <= 0.5, so b = 0 although |beta_hat_j| = 1.
    # beta_hat = (1, 1): b = beta_hat - 0.5 G^{-1} 1 = (1 - 0.5/1.9) (1, 1) > 0, full support.
    mask, b = _plots.sparse_mask(g, [[1.0, -1.0], [1.0, 1.0]], lam=0.5)
    np.testing.assert_array_equal(mask, [True, False])
    np.testing.assert_array_equal(b[0], [0.0, 0.0])
    np.testing.assert_allclose(b[1], (1 - 0.5 / 1.9) * np.ones(2))
    # Constrained, rho = -0.6, t = 1: beta_hat = (3, 0) projects onto the vertex (1, 0) (neither sign pattern
    # with full support is consistent: s = (1, 1) gives b = (2, -1), s = (1, -1) gives b = (2, 1)).
    g = np.array(equicorrelated(2, -0.6).gram)
    mask, b = _plots.sparse_mask(g, [[3.0, 0.0]], radius=1.0)
    assert mask[0]
    np.testing.assert_allclose(b[0], [1.0, 0.0], atol=1e-12)


def test_calibration_takes_one_z_per_scenario_and_counts_what_it_leaves_out():
    import pandas as pd

    rows = [  # scenario, estimator, method, reps, exact, z
        ("a", "lasso", "mc", 10_000, 0.3, 0.5), ("a", "scad", "mc", 10_000, 0.3, 0.5),  # same draws
        ("a", "hard", "mc", 10_000, 0.4, 1.5),  # nested threshold, same draws: correlated with a's lasso
        ("b", "bridge", "mc", 10_000, 0.2, -1.0),  # a scenario without a lasso row keeps its first
        ("c", "lasso", "mc", 20, 0.3, 2.0),  # N p (1 - p) = 4.2 < 10: degenerate
        ("d", "lasso", "is", 10_000, 1e-9, 0.3),  # log-scale importance-sampling z: not a binomial z
        ("e", "lasso", "mc", 10_000, 0.0, None),  # exact 0: no z
    ]
    table = pd.DataFrame(rows, columns=["scenario", "estimator", "method", "reps", "exact", "z"])
    z, left_out = _plots.calibration_z(table)
    assert z.tolist() == [0.5, -1.0]
    assert left_out == {"degenerate": 1, "same_draws": 2}
