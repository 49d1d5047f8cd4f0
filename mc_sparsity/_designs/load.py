"""Reading a Gram matrix from a file, with bounds checked before anything is read.

A Gram file is named by the user (``--gram FILE``, a study's ``gram =``), so it
may be anything: a FIFO or device that never ends, a huge file, an ``.npy``
whose header promises a matrix that does not fit in memory, a file of another
format.  :func:`load_gram` therefore

* opens the path without blocking and accepts only a regular file (a symlink
  to one is followed: the user named it);
* refuses a file above :data:`MAX_GRAM_BYTES` before reading it;
* for ``.npy``, reads the magic string and the header first
  (:func:`numpy.lib.format.read_magic`, ``read_array_header_1_0/2_0``) and
  checks the dtype (numbers, no objects), the shape (square, ``p <=``
  :data:`MAX_GRAM_P`) and that the file holds that many bytes, before
  allocating the array;
* for text, decodes UTF-8 (a byte-order mark is accepted) and never echoes the
  file's content in a message (a line and column number instead).

Every problem raises ``ParameterError("gram", ...)`` with one line naming the file.
"""

from __future__ import annotations

import os
import stat

import numpy as np

from .._base.errors import ParameterError

__all__ = ["load_gram", "read_gram_file", "MAX_GRAM_BYTES", "MAX_GRAM_P"]

#: Largest Gram file read, in bytes (a text file of a 2000 x 2000 matrix is ~50 MB).
MAX_GRAM_BYTES = 128 * 2**20

#: Largest dimension p of a Gram matrix read from a file.
MAX_GRAM_P = 2000


def _fail(path, message):
    raise ParameterError("gram", f"gram file {path}: {message}")


def _open_regular(path):
    """A binary file object on ``path`` and its size, if it is a regular file of bounded size."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        _fail(path, f"cannot read it: {exc.strerror or type(exc).__name__}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = ("a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO" if stat.S_ISFIFO(info.st_mode)
                    else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                    else "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
            _fail(path, f"is {kind}, not a regular file")
        if info.st_size > MAX_GRAM_BYTES:
            _fail(path, f"is {info.st_size:,} bytes, above the limit of {MAX_GRAM_BYTES:,}")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb"), info.st_size
    except BaseException:
        os.close(fd)
        raise


def _read_npy(path, fh, size):
    from numpy.lib import format as npy

    try:
        version = npy.read_magic(fh)
    except ValueError:
        _fail(path, "cannot read it: not a .npy file (no NUMPY magic string; an .npz archive or another format?)")
    try:
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(fh)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(fh)
        else:
            _fail(path, f"unsupported .npy format version {version[0]}.{version[1]}")
    except ValueError as exc:
        _fail(path, f"bad .npy header: {' '.join(str(exc).split())[:200]}")
    if dtype.hasobject or dtype.kind not in "iuf":
        _fail(path, f"not a numeric array (dtype {dtype})")
    if len(shape) != 2 or shape[0] != shape[1] or shape[0] == 0:
        _fail(path, f"must hold a non-empty square 2-d matrix, got shape {shape}")
    p = shape[0]
    if p > MAX_GRAM_P:
        _fail(path, f"p = {p:,} is above the limit of {MAX_GRAM_P:,}")
    need = p * p * dtype.itemsize
    if size - fh.tell() < need:
        _fail(path, f"truncated: the header promises {need:,} bytes of data, the file has {size - fh.tell():,}")
    data = fh.read(need)
    if len(data) != need:
        _fail(path, "truncated while reading")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").astype(float)


def _is_float(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def _parse_text(path, text):
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.replace(",", " ").split()
        if not all(_is_float(f) for f in fields):
            column = next(i for i, f in enumerate(fields, start=1) if not _is_float(f))
            # The entry itself is not echoed: the file may be anything (a password file ...).
            _fail(path, f"line {number}, entry {column}: not a number")
        if len(rows) >= MAX_GRAM_P or len(fields) > MAX_GRAM_P:
            _fail(path, f"more than {MAX_GRAM_P:,} rows or columns")
        rows.append([float(f) for f in fields])
        if len(rows[-1]) != len(rows[0]):
            _fail(path, f"line {number} has {len(rows[-1])} entries, the first row {len(rows[0])} (ragged rows)")
    if not rows:
        _fail(path, "no numbers in it")
    return np.array(rows)


def read_gram_file(path) -> np.ndarray:
    """The matrix in a ``.npy`` or text file, read within bounds (not yet checked as a Gram matrix).

    Parameters
    ----------
    path : str or os.PathLike
        A regular file: ``.npy`` (by its name), else text (one row a line,
        entries separated by whitespace or commas, ``#`` comments).

    Returns
    -------
    numpy.ndarray of float

    Raises
    ------
    ParameterError
        ``parameter == "gram"``, one line naming the file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "g.csv"
    ...     _ = f.write_bytes(b"\\xef\\xbb\\xbf1, 0\\n0, 2\\n")   # a byte-order mark is accepted
    ...     read_gram_file(f)
    array([[1., 0.],
           [0., 2.]])
    """
    try:
        path = os.fspath(path)
    except TypeError:
        raise TypeError(f"gram file path must be a str or os.PathLike, got {path!r}") from None
    fh, size = _open_regular(path)
    with fh:
        if str(path).endswith(".npy"):
            return _read_npy(path, fh, size)
        data = fh.read(MAX_GRAM_BYTES + 1)
    if b"\x00" in data:
        _fail(path, "not a text file (NUL bytes); a .npy file must be named *.npy")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        _fail(path, f"not UTF-8 text (byte {exc.start:,})")
    return _parse_text(path, text)


def load_gram(path):
    """Read a Gram matrix from a ``.npy`` file or a text file and check it.

    A text file has one row a line, entries separated by whitespace or commas;
    blank lines and ``#`` comments are skipped; UTF-8, with or without a
    byte-order mark.  Only a regular file of at most :data:`MAX_GRAM_BYTES`
    and ``p <=`` :data:`MAX_GRAM_P` is read.  Every problem (unreadable file,
    not a regular file, too large, a bad ``.npy`` header, ragged rows, a
    non-number, a matrix that is not a valid Gram matrix) raises
    ``ParameterError("gram", ...)`` with a one-line message naming the file.

    Parameters
    ----------
    path : str or os.PathLike
        A ``.npy`` file or a text file.

    Returns
    -------
    Design

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     f = pathlib.Path(tmp) / "g.txt"
    ...     _ = f.write_text("1, 0.3\\n0.3, 1\\n")
    ...     load_gram(f).gram
    array([[1. , 0.3],
           [0.3, 1. ]])
    """
    from .design import from_gram

    g = read_gram_file(path)
    try:
        return from_gram(g)
    except ParameterError as exc:
        raise ParameterError("gram", f"gram file {os.fspath(path)}: {exc}") from None

