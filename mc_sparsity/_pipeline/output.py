"""Writing outputs safely: atomic files, a lock per output, and resume journals.

Rules, the same for the study's CSV, the report and the explorer page:

* An output path that exists and is not a regular file (a directory, FIFO,
  device or socket) is refused before any work (:func:`check_output_file`).
* A symlink the user named as the output is followed: its target is replaced
  (atomically) and the link kept.  Nothing else is followed through a symlink:
  journals and lock files are opened with ``O_NOFOLLOW``.
* Files are created with the user's umask (``0o666 & ~umask``); a replaced
  file keeps its mode.
* While a run writes an output it holds an exclusive lock on a lock file
  beside it; a second run exits at once naming the holder's process id.
* A journal records finished scenarios; its name carries the identity of what
  decides the numbers (seed, scenarios, package version), so no run deletes
  another study's progress, and editing a comment keeps it.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from pathlib import Path

from .._base.errors import ParameterError

__all__ = ["write_atomic", "check_output_file", "check_output_dir", "OutputLock", "OutputLocked",
           "Journal"]


class OutputLocked(ParameterError):
    """Another run holds the lock on this output."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target(path: Path) -> Path:
    """The file actually written: a symlink named as the output is followed to its target."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def check_output_file(path, parameter: str = "out") -> Path:
    """``path`` if it can be an output file: absent, or a regular file (through a symlink named as it).

    Raises :class:`ParameterError` naming ``parameter`` otherwise.
    """
    path = Path(path)
    target = _target(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        parent = target.parent
        if parent.exists() and not parent.is_dir():
            raise ParameterError(parameter, f"{parameter}: {parent} is not a directory") from None
        return path
    except OSError as exc:
        raise ParameterError(parameter, f"{parameter}: cannot use {path}: {exc.strerror}") from None
    if not stat.S_ISREG(mode):
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise ParameterError(parameter, f"{parameter}: {path} exists and is {kind}, not a regular file")
    return path


def check_output_dir(path, parameter: str = "out") -> Path:
    """``path`` if it can be an output folder: absent or a directory."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise ParameterError(parameter, f"{parameter}: {path} exists and is not a directory")
    return path


def write_atomic(path, data: bytes | str) -> None:
    """Write ``path`` through a temporary file in the same folder and a rename.

    The new file has the mode of the file it replaces, or ``0o666 & ~umask``.
    """
    path = _target(Path(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if isinstance(data, bytes) else "w") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class OutputLock:
    """An exclusive, non-blocking lock on ``.NAME.lock`` beside the output ``NAME``.

    Used as a context manager.  The lock file holds the owner's process id
    and is removed on release.
    """

    def __init__(self, path, parameter: str = "out"):
        target = _target(Path(path))
        self.path = target.with_name(f".{target.name}.lock")
        self.parameter = parameter
        self.output = Path(path)
        self._fd = None

    def __enter__(self):
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o666 & ~_umask())
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise OutputLocked(self.parameter, f"{self.parameter}: {self.output} is being written by "
                                       f"another mc-sparsity run (process {holder}); wait for it or choose "
                                       "another output") from None
                raise
            # The file may have been removed by its previous holder between open and lock: retry.
            try:
                same = os.path.samestat(os.fstat(fd), os.stat(self.path, follow_symlinks=False))
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def __exit__(self, *exc):
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
        return False


class Journal:
    """Finished scenarios of one study, appended as JSON lines beside the output.

    ``identity`` decides the file name (``.OUT.IDENTITY.partial.jsonl``): runs
    of other studies into the same output keep their own journals.
    """

    def __init__(self, out, identity: str):
        target = _target(Path(out))
        self.path = target.with_name(f".{target.name}.{identity}.partial.jsonl")
        self.identity = identity
        self._fh = None

    def read(self) -> dict:
        """``{scenario key: rows}`` of this study; torn or foreign lines are ignored."""
        done = {}
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW)
        except FileNotFoundError:
            return done
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise ParameterError("out", f"out: the journal {self.path} is a symlink; remove it") from None
            raise
        with os.fdopen(fd) as fh:
            for line in fh:
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue  # a line torn by an interruption: that scenario is simply run again
                if (isinstance(entry, dict) and entry.get("study") == self.identity
                        and isinstance(entry.get("key"), str) and isinstance(entry.get("rows"), list)):
                    done[entry["key"]] = entry["rows"]
        return done

    def append(self, key: str, rows: list) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666 & ~_umask())
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise ParameterError("out", f"out: the journal {self.path} is a symlink; remove it") from None
                raise
            self._fh = os.fdopen(fd, "a")
        self._fh.write(json.dumps({"study": self.identity, "key": key, "rows": rows}) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)
