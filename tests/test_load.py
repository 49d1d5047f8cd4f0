"""Gram files read within bounds: regular files only, sizes and .npy headers checked before reading (issue 20.2)."""

import os
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from mc_sparsity import load_gram
from mc_sparsity._base.errors import ParameterError
from mc_sparsity._designs import load as _load
from mc_sparsity._designs.load import MAX_GRAM_P, read_gram_file
from mc_sparsity.cli import main

G = np.array([[2.0, -0.4], [-0.4, 1.0]])


def _refused(path, pattern):
    with pytest.raises(ParameterError, match=pattern) as info:
        load_gram(path)
    assert info.value.parameter == "gram"
    assert str(path) in str(info.value) and "\n" not in str(info.value)
    return str(info.value)


def test_a_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "g.txt"
    path.write_bytes(b"\xef\xbb\xbf2 -0.4\n-0.4 1\n")
    assert_array_equal(load_gram(path).gram, G)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_devices_are_refused_without_reading(device):
    _refused(device, "a device, not a regular file")


def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "g.txt"
    os.mkfifo(fifo)
    done = threading.Event()

    def load():
        try:
            load_gram(fifo)
        except ParameterError as exc:
            assert "FIFO" in str(exc)
            done.set()
    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    assert done.is_set(), "load_gram blocked on a FIFO"


def test_a_directory_is_refused(tmp_path):
    _refused(tmp_path, "a directory")


def test_a_huge_npy_header_is_refused_before_allocating(tmp_path, monkeypatch):
    path = tmp_path / "big.npy"
    from numpy.lib import format as npy
    with open(path, "wb") as fh:  # a header promising 1e5 x 1e5 doubles (74.5 GiB), and no data
        npy.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (100_000, 100_000)})
    monkeypatch.setattr(np, "frombuffer", lambda *a, **k: pytest.fail("allocated"))
    _refused(path, "above the limit")
    with open(path, "wb") as fh:  # within the limit, but the data are missing
        npy.write_array_header_1_0(fh, {"descr": "<f8", "fortran_order": False, "shape": (MAX_GRAM_P, MAX_GRAM_P)})
    _refused(path, "truncated")


def test_npy_headers_and_dtypes(tmp_path):
    np.save(tmp_path / "f.npy", np.asfortranarray(G))
    assert_array_equal(load_gram(tmp_path / "f.npy").gram, G)
    np.save(tmp_path / "i.npy", np.array([[2, 1], [1, 3]], dtype=np.int32))
    assert_array_equal(read_gram_file(tmp_path / "i.npy"), [[2.0, 1.0], [1.0, 3.0]])
    np.save(tmp_path / "s.npy", np.array([["a", "b"], ["c", "d"]]))
    _refused(tmp_path / "s.npy", "not a numeric array")
    np.save(tmp_path / "v.npy", np.ones(3))
    _refused(tmp_path / "v.npy", "square")
    np.savez(tmp_path / "z.npz", g=G)
    os.rename(tmp_path / "z.npz", tmp_path / "z.npy")
    _refused(tmp_path / "z.npy", "not a .npy file")


def test_a_file_above_the_size_cap_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(_load, "MAX_GRAM_BYTES", 100)
    path = tmp_path / "g.txt"
    path.write_text("1 0\n0 1\n" * 20)
    _refused(path, "above the limit of 100")


def test_foreign_text_is_not_echoed(tmp_path):
    path = tmp_path / "passwd"
    path.write_text("root:x:0:0:root:/root:/bin/bash\n")
    message = _refused(path, "line 1, entry 1: not a number")
    assert "root" not in message.replace(str(path), "")
    path.write_bytes(b"\xff\xfe1 0\n")
    _refused(path, "not UTF-8")
    path.write_bytes(b"1 0\x00\n")
    _refused(path, "NUL")


def test_a_subnormal_gram_names_gram(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("1e-320 0\n0 1e-320\n")
    _refused(path, "eigenvalues between")


def _cli(capsys, *argv):
    try:
        status = main(list(argv))
    except SystemExit as exc:
        status = exc.code
    return status, *capsys.readouterr()


def test_the_command_names_the_option_and_the_study_key(capsys, tmp_path):
    status, out, err = _cli(capsys, "simulate", "--beta", "1", "0.3", "--lam", "0.5", "--gram", "/dev/zero")
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1 and "argument --gram:" in err
    study = tmp_path / "s.toml"
    study.write_text('[[grid]]\nform = "penalized"\nbeta = [[1.0, 0.3]]\nlam = [0.5]\ngram = "/dev/urandom"\n')
    status, out, err = _cli(capsys, "study", str(study), "--out", str(tmp_path / "r.csv"))
    assert status == 2 and len(err.strip().splitlines()) == 1 and "grid[0].gram" in err and "device" in err
