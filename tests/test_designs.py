"""Designs: Gram matrices, their inverses and Cholesky factors, validation, files."""

import dataclasses
import json

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from mc_sparsity._designs.design import (
    MAX_CONDITION,
    ar1,
    design_for,
    equicorrelated,
    from_gram,
    from_matrix,
    orthonormal,
)
from mc_sparsity._designs.load import load_gram
from mc_sparsity._base.errors import ParameterError


def _brute_equicorrelated(p, rho):
    return np.array([[1.0 if i == j else rho for j in range(p)] for i in range(p)])


def _brute_ar1(p, rho):
    return np.array([[rho ** abs(i - j) for j in range(p)] for i in range(p)])


@pytest.mark.parametrize("p", [1, 2, 3, 7])
@pytest.mark.parametrize("rho", [-0.15, 0.0, 0.3, 0.9])
def test_gram_inverse_and_cholesky(p, rho):
    for design, brute in ((equicorrelated(p, rho), _brute_equicorrelated(p, rho)), (ar1(p, rho), _brute_ar1(p, rho))):
        assert_allclose(design.gram, brute, rtol=0, atol=1e-15)
        assert design.p == p
        # the closed-form inverse against numpy's inverse of the brute-force Gram matrix
        assert_allclose(design.covariance, np.linalg.inv(brute), rtol=1e-12, atol=1e-12)
        chol = design.covariance_cholesky
        assert_array_equal(np.triu(chol, 1), 0.0)
        assert np.all(np.diag(chol) > 0)
        assert_allclose(chol @ chol.T, np.linalg.inv(brute), rtol=1e-12, atol=1e-12)


def test_orthonormal_is_exactly_the_identity():
    d = orthonormal(4)
    assert d.is_orthonormal and d.kind == "orthonormal" and d.rho is None
    assert_array_equal(d.gram, np.eye(4))
    assert_array_equal(d.covariance_cholesky, np.eye(4))  # a simulation draws the same numbers
    assert equicorrelated(3, 0.0).is_orthonormal and ar1(3, 0.0).is_orthonormal
    assert not equicorrelated(3, 1e-9).is_orthonormal
    assert from_gram(np.eye(2)).is_orthonormal


def test_general_gram_inverse():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(9, 4))
    d = from_matrix(x)
    assert_allclose(d.gram, x.T @ x, rtol=1e-14)
    assert_allclose(d.covariance @ (x.T @ x), np.eye(4), atol=1e-12)
    assert_allclose(d.covariance_cholesky @ d.covariance_cholesky.T, np.linalg.inv(x.T @ x), rtol=1e-11)
    assert d.kind == "gram" and d.rho is None


def test_immutability():
    d = equicorrelated(3, 0.4)
    for arr in (d.gram, d.covariance, d.covariance_cholesky):
        with pytest.raises(ValueError):
            arr[0, 0] = 5.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.rho = 0.1
    g = np.eye(2)
    d2 = from_gram(g)
    g[0, 0] = 7.0  # the design kept its own copy
    assert d2.gram[0, 0] == 1.0


def test_equality_hash_and_to_dict():
    d = ar1(3, 0.5)
    assert d == ar1(3, 0.5) and hash(d) == hash(ar1(3, 0.5))
    assert d != ar1(3, 0.4) and d != equicorrelated(3, 0.5) and d != ar1(2, 0.5)
    out = d.to_dict()
    assert set(out) == {"kind", "rho", "gram"}
    assert json.loads(json.dumps(out)) == out
    assert_array_equal(np.array(out["gram"]), _brute_ar1(3, 0.5))
    assert from_gram(out["gram"]).gram.tolist() == out["gram"]


@pytest.mark.parametrize("p, rho", [(3, -0.5), (3, -0.6), (2, -1.0), (4, 1.0), (4, 1.5), (1, 1.0), (1, -1.0)])
def test_equicorrelated_outside_validity(p, rho):
    with pytest.raises(ParameterError) as info:
        equicorrelated(p, rho)
    assert info.value.parameter == "rho" and "rho" in str(info.value)


@pytest.mark.parametrize("p, rho", [(3, -0.4999), (4, 0.999), (1, -0.99), (1, 0.99), (2, -0.999)])
def test_equicorrelated_inside_validity(p, rho):
    d = equicorrelated(p, rho)
    assert np.all(np.linalg.eigvalsh(d.gram) > 0)


def test_condition_number_guard():
    with pytest.raises(ParameterError, match="condition number") as info:
        equicorrelated(3, 1.0 - 1e-13)
    assert info.value.parameter == "rho"
    with pytest.raises(ParameterError, match="condition number"):
        from_gram(np.diag([1.0, 1e-13]))
    assert from_gram(np.diag([1.0, 1e-11])).condition_number < MAX_CONDITION


@pytest.mark.parametrize("rho", [1.0, -1.0, 2.0])
def test_ar1_outside_validity(rho):
    with pytest.raises(ParameterError) as info:
        ar1(3, rho)
    assert info.value.parameter == "rho"


@pytest.mark.parametrize("bad", ["0.5", True, None, [0.5]])
def test_rho_of_the_wrong_type(bad):
    with pytest.raises(TypeError):
        equicorrelated(2, bad)


def test_non_finite_rho_and_bad_p():
    with pytest.raises(ParameterError) as info:
        ar1(2, float("nan"))
    assert info.value.parameter == "rho"
    with pytest.raises(ParameterError) as info:
        orthonormal(0)
    assert info.value.parameter == "p"
    with pytest.raises(TypeError):
        orthonormal(2.0)


@pytest.mark.parametrize("gram, pattern", [
    ([[1.0, 0.2, 0.0], [0.2, 1.0, 0.0]], "square"),
    ([[1.0, np.nan], [np.nan, 1.0]], "finite"),
    ([[1.0, 0.2], [0.2 + 1e-9, 1.0]], "symmetric"),
    ([[1.0, 2.0], [2.0, 1.0]], "positive definite"),
    ([[0.0, 0.0], [0.0, 0.0]], "positive definite"),
    (np.zeros((0, 0)), "square"),
])
def test_from_gram_rejects(gram, pattern):
    with pytest.raises(ParameterError, match=pattern) as info:
        from_gram(gram)
    assert info.value.parameter == "gram"


def test_from_gram_symmetrises_within_tolerance():
    g = np.array([[2.0, 0.3], [0.3 + 1e-13, 1.0]])
    d = from_gram(g)
    assert_array_equal(d.gram, d.gram.T)
    assert d.gram[0, 1] == pytest.approx(0.3 + 5e-14, abs=1e-16)


def test_from_gram_type_error():
    with pytest.raises(TypeError):
        from_gram([["a", "b"], ["c", "d"]])


def test_from_matrix_rejects():
    with pytest.raises(ParameterError, match="rank") as info:
        from_matrix(np.ones((5, 2)))
    assert info.value.parameter == "X"
    with pytest.raises(ParameterError, match="rows") as info:
        from_matrix(np.ones((1, 2)))
    assert info.value.parameter == "X"


def test_load_gram_files(tmp_path):
    g = np.array([[2.0, -0.4, 0.1], [-0.4, 1.0, 0.3], [0.1, 0.3, 1.5]])
    np.save(tmp_path / "g.npy", g)
    (tmp_path / "ws.txt").write_text("# a Gram matrix\n2 -0.4 0.1\n-0.4   1 0.3\n\n0.1 0.3 1.5  # last row\n")
    (tmp_path / "comma.csv").write_text("2,-0.4,0.1\n-0.4,1,0.3\n0.1, 0.3, 1.5\n")
    for name in ("g.npy", "ws.txt", "comma.csv"):
        d = load_gram(tmp_path / name)
        assert_array_equal(d.gram, g)
        assert d.kind == "gram"
    assert load_gram(str(tmp_path / "ws.txt")) == load_gram(tmp_path / "g.npy")


@pytest.mark.parametrize("name, content, pattern", [
    ("missing.txt", None, "cannot read"),
    ("ragged.txt", "1 0.2\n0.2 1 3\n", "ragged"),
    ("word.txt", "1 0.2\n0.2 one\n", "not a number"),
    ("empty.txt", "# nothing\n", "no numbers"),
    ("notpd.txt", "1 2\n2 1\n", "positive definite"),
    ("asym.csv", "1, 0.2\n0.3, 1\n", "symmetric"),
    ("binary.npy", b"\x00\x01garbage", "cannot read"),
])
def test_load_gram_errors_name_the_file(tmp_path, name, content, pattern):
    path = tmp_path / name
    if isinstance(content, str):
        path.write_text(content)
    elif content is not None:
        path.write_bytes(content)
    with pytest.raises(ParameterError, match=pattern) as info:
        load_gram(path)
    assert info.value.parameter == "gram"
    message = str(info.value)
    assert str(path) in message and "\n" not in message


def test_design_for_options(tmp_path):
    assert design_for(3) == orthonormal(3)
    assert design_for(3, rho=0.2) == equicorrelated(3, 0.2)
    assert design_for(3, rho=0.2, kind="equicorrelated") == equicorrelated(3, 0.2)
    assert design_for(3, rho=0.2, kind="ar1") == ar1(3, 0.2)
    assert design_for(2, kind="orthonormal") == orthonormal(2)
    g = [[1.0, 0.1], [0.1, 2.0]]
    assert_array_equal(design_for(2, gram=g).gram, g)
    assert design_for(2, gram=g, kind="gram").kind == "gram"
    np.save(tmp_path / "g.npy", np.array(g))
    assert_array_equal(design_for(2, gram=tmp_path / "g.npy").gram, g)
    assert design_for(2, gram=ar1(2, 0.3)) == ar1(2, 0.3)


@pytest.mark.parametrize("kwargs, parameter", [
    ({"rho": 0.2, "gram": np.eye(2)}, "gram"),
    ({"gram": np.eye(3)}, "gram"),
    ({"kind": "gram"}, "gram"),
    ({"kind": "ar1"}, "rho"),
    ({"kind": "equicorrelated"}, "rho"),
    ({"kind": "orthonormal", "rho": 0.3}, "rho"),
    ({"kind": "ar1", "gram": np.eye(2)}, "kind"),
    ({"kind": "banded", "rho": 0.3}, "kind"),
    ({"rho": 1.2}, "rho"),
])
def test_design_for_rejects(kwargs, parameter):
    with pytest.raises(ParameterError) as info:
        design_for(2, **kwargs)
    assert info.value.parameter == parameter
