"""The report: the escaping of what comes from a study file (the verdict rules are in test_claims.py)."""

import pytest

from mc_sparsity._report.text import escape_text


@pytest.mark.parametrize("text", ["<script>alert(1)</script>", "# a heading\n## another", "![x](http://evil/x.png)",
                                  "a | b", "[link](javascript:alert(1))"])
def test_study_names_are_escaped(text):
    escaped = escape_text(text)
    assert "\n" not in escaped and "<" not in escaped and "](" not in escaped
    for char in "#|[]()!":
        assert char not in escaped.replace("\\" + char, "")


# ---------------------------------------------------------------- any valid study reports
import numpy as np  # noqa: E402

from mc_sparsity._pipeline.report_data import FIGURE_STREAMS, figure_draws  # noqa: E402
from mc_sparsity._pipeline.study import parse_study  # noqa: E402
from mc_sparsity._report import plots as _plots  # noqa: E402
from mc_sparsity._report import report as _report  # noqa: E402

HEAD = "[study]\nname = 'tiny'\nseed = 4\nreps = 2000\n[[grid]]\n"
TINY = {
    # one coordinate: no p = 2 setting, no setting run at several N (the error figure used to fail on it)
    "one_coordinate": HEAD + "form = 'penalized'\nbeta = [[1.0]]\nlam = [0.5]\nestimator = ['lasso', 'ridge', 'hard']\n",
    "ridge_only": HEAD + "form = 'penalized'\nbeta = [[1.0, 0.3]]\nlam = [0.0, 0.5]\nestimator = ['ridge']\n",
    "constrained_only": HEAD + "form = 'constrained'\nbeta = [[1.0, 0.3], [0.0, 0.0]]\nradius = [1.0]\n",
    "single_scenario": HEAD + "form = 'penalized'\nbeta = [[1.0, 0.3]]\nlam = [0.5]\n",
}


@pytest.mark.parametrize("name", sorted(TINY))
def test_any_valid_study_reports(tmp_path, monkeypatch, name):
    study = parse_study(TINY[name], name)
    path = _report.build_report(study, tmp_path / "out", n_jobs=1)
    text = path.read_text()
    assert path.name == "REPORT.md" and "nan" not in text.lower().replace("nano", "")
    assert (tmp_path / "out" / "results.csv").exists() and (tmp_path / "out" / "solvers.json").exists()
    for figure in (tmp_path / "out" / "figures").glob("*.png"):
        assert f"figures/{figure.name}" in text
    assert text.count("| C") >= 12  # every claim has a row, settled or not


def test_a_failure_while_rendering_writes_nothing(tmp_path, monkeypatch):
    def broken(table, runs, draws):
        raise RuntimeError("a figure broke")

    monkeypatch.setattr(_plots, "FIGURES", {"broken": broken})
    with pytest.raises(RuntimeError):
        _report.build_report(parse_study(TINY["single_scenario"], "tiny"), tmp_path / "out", n_jobs=1)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["results.csv"]


def test_outputs_stay_inside_the_folder(tmp_path):
    from mc_sparsity._pipeline.output import OutputFolder

    with OutputFolder(tmp_path, ["a/b.txt"]) as folder:
        for bad in ("/etc/x", "../x", "a/../../x", "c.txt"):
            with pytest.raises(ValueError):
                folder.write({bad: b""})
        assert folder.write({"a/b.txt": b"1"}) == [tmp_path / "a" / "b.txt"]


def test_figure_draws_come_from_distinct_named_streams():
    root = np.random.SeedSequence(9)
    a, b = figure_draws(root, coordinate_n=100), figure_draws(root, coordinate_n=100)
    assert np.array_equal(a.region_eps, b.region_eps) and np.array_equal(a.coordinate_z, b.coordinate_z)
    assert len(set(FIGURE_STREAMS.values())) == len(FIGURE_STREAMS)
    assert not np.allclose(a.region_eps[:5], a.correlated_eps[:5])
    block0 = np.random.default_rng(root.spawn(1)[0]).standard_normal((5, 2))  # the engine's first block
    assert not np.allclose(a.region_eps[:5], block0)
