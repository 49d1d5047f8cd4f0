"""Writing outputs safely: atomic files, a lock per output, and resume journals.

Rules, the same for the study's CSV, the report and the explorer page:

* An output path that exists and is not a regular file (a directory, FIFO,
  device or socket) is refused before any work (:func:`check_output_file`).
* A symlink the user named as the output (``study --out FILE``,
  ``explore --out FILE``, or the folder ``report --out DIR`` itself) is
  followed: its target is replaced (atomically) and the link kept.  Nothing
  else is followed through a symlink: journals and lock files are opened with
  ``O_NOFOLLOW``, and inside an output folder (:class:`OutputFolder`) a
  symlink in place of an output or of a sub-folder is refused before any work
  and never written through.
* Files are created with the user's umask (``0o666 & ~umask``); a replaced
  file keeps its mode.
* While a run writes an output it holds an exclusive lock on a lock file
  beside it (inside it, for a folder); a second run exits at once naming the
  holder's process id.
* A folder of outputs keeps a manifest of the files the package wrote there;
  a new set of outputs removes the files of the previous set that it does not
  write again, and nothing else.
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
import warnings
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path

from .._base.errors import ParameterError
from .._base.signals import signals_blocked

__all__ = ["write_atomic", "check_output_file", "check_output_dir", "unwritable", "OutputLock", "OutputLocked",
           "OutputFolder", "read_tree", "Journal", "JournalWarning"]


class OutputLocked(ParameterError):
    """Another run holds the lock on this output."""


class JournalWarning(UserWarning):
    """Lines of a resume journal were damaged and skipped."""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target(path: Path) -> Path:
    """The file actually written: a symlink named as the output is followed to its target."""
    return Path(os.path.realpath(path)) if os.path.islink(path) else path  # islink: False on any OSError


def check_output_file(path, parameter: str = "out") -> Path:
    """``path`` if it can be an output file: absent, or a regular file (through a symlink named as it).

    The folder that will hold it (or, if that folder does not exist yet, its
    nearest existing ancestor) must be writable: the file is written through a
    temporary file and a rename in that folder, beside a lock file.  Raises
    :class:`ParameterError` naming ``parameter`` otherwise.
    """
    path = Path(path)
    target = _target(path)
    try:
        mode = os.stat(path).st_mode  # followed as the kernel does (/dev/stdout -> a pipe has no real path)
    except FileNotFoundError:
        parent = target.parent
        if parent.exists() and not parent.is_dir():
            raise ParameterError(parameter, f"{parameter}: {parent} is not a directory") from None
        if not parent.exists() and os.path.lexists(path):
            raise ParameterError(parameter, f"{parameter}: {path} is a symlink to {target}, whose folder does "
                                 "not exist") from None
        _check_writable(parameter, path, target.parent)
        return path
    except OSError as exc:
        raise _os_refusal(parameter, str(path), exc) from None
    if not stat.S_ISREG(mode):
        kind = ("a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode)
                else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "not a regular file")
        raise ParameterError(parameter, f"{parameter}: {path} exists and is {kind}, not a regular file")
    _check_writable(parameter, path, target.parent)
    return path


def unwritable(folder) -> str | None:
    """Why files cannot be created in ``folder`` (or in its nearest existing ancestor), or None if they can.

    Decided by ``os.access`` (which also answers for a read-only file system,
    even to root) and ``os.statvfs`` for the reason.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> unwritable(pathlib.Path(tempfile.mkdtemp()) / "not" / "yet")  # its nearest existing folder is writable
    >>> unwritable("/proc/1")  # doctest: +SKIP
    '/proc/1 is not writable'
    """
    folder = Path(os.path.abspath(folder))
    while not os.path.lexists(folder) and folder != folder.parent:
        folder = folder.parent
    if os.access(folder, os.W_OK | os.X_OK):
        return None
    try:
        read_only = bool(os.statvfs(folder).f_flag & getattr(os, "ST_RDONLY", 1))
    except OSError:
        read_only = False
    return f"{folder} is on a read-only file system" if read_only else f"{folder} is not writable"


def _check_writable(parameter: str, path, folder) -> None:
    reason = unwritable(folder)
    if reason is not None:
        raise ParameterError(parameter, f"{parameter}: {path} cannot be written: {reason}")


def check_output_dir(path, parameter: str = "out") -> Path:
    """``path`` if it can be an output folder: absent or a directory."""
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return path
    except OSError as exc:
        raise _os_refusal(parameter, str(path), exc) from None
    if not stat.S_ISDIR(mode):
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


def _kind(mode: int) -> str:
    return ("a directory" if stat.S_ISDIR(mode) else "a symlink" if stat.S_ISLNK(mode)
            else "a FIFO" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a regular file" if stat.S_ISREG(mode)
            else "not a regular file")


def _os_refusal(parameter: str, what: str, exc: OSError) -> ParameterError:
    """A one-line refusal for an OSError met while checking or locking an output."""
    reason = {errno.ELOOP: "is a symlink (never followed); remove it",
              errno.EISDIR: "is a directory; remove it",
              errno.ENAMETOOLONG: "has a name too long for the file system",
              errno.EACCES: "is not writable (permission denied)",
              errno.EPERM: "is not writable (operation not permitted)",
              errno.EROFS: "is on a read-only file system",
              errno.ENOTDIR: "has a parent that is not a directory",
              errno.ENOENT: "has a parent folder that cannot be created"}.get(exc.errno, exc.strerror or str(exc))
    return ParameterError(parameter, f"{parameter}: {what} {reason}")


class OutputLock:
    """An exclusive, non-blocking lock on ``.NAME.lock`` beside the output ``NAME``.

    Used as a context manager.  The lock file holds the owner's process id
    and is removed on release.  ``lock_path`` puts the lock file elsewhere
    (:class:`OutputFolder` keeps it inside the folder).  A lock file that
    cannot be created (a symlink or a directory in its place, a read-only
    folder, a name too long) is refused with a :class:`ParameterError`.
    """

    def __init__(self, path, parameter: str = "out", lock_path=None):
        target = _target(Path(path))
        self.path = Path(lock_path) if lock_path is not None else target.with_name(f".{target.name}.lock")
        self.parameter = parameter
        self.output = Path(path)
        self._fd = None

    def __enter__(self):
        try:
            # a signal between creating the lock file and holding it would leave the file behind: held meanwhile,
            # it acts as the block ends, and the lock just taken is released
            with signals_blocked():
                self._acquire()
        except BaseException:
            self.__exit__()
            raise
        return self

    def _acquire(self) -> None:
        import fcntl

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_refusal(self.parameter, f"the folder of {self.output}", exc) from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0),
                             0o666 & ~_umask())
            except OSError as exc:
                raise _os_refusal(self.parameter, f"the lock file {self.path}", exc) from None
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise ParameterError(self.parameter, f"{self.parameter}: the lock file {self.path} is not a "
                                     "regular file; remove it")
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
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """Remove the output's temporary files that a killed run left (``kill -9`` between write and rename).

        Only regular files named as :func:`write_atomic` names them (``.OUT.XXXXXXXX.tmp``), and only now that
        the lock is held: no live run of this output can be writing one.
        """
        target = self.output
        for path in target.parent.glob(f".{target.name}.*.tmp"):
            try:
                if stat.S_ISREG(os.lstat(path).st_mode):
                    path.unlink()
            except OSError:  # gone already, or not ours to remove: leave it
                pass

    def __exit__(self, *exc):
        if self._fd is None:
            return False
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self._fd)
            self._fd = None
        return False


class OutputFolder:
    """A folder of named outputs, checked and locked for a whole run, written as one set.

    Rules: the folder the user names is followed if it is a symlink; nothing
    inside it is.  Every named output (``"REPORT.md"``, ``"figures/a.png"``)
    and each of its parent folders must be absent, or a real (not symlinked)
    directory where a folder goes and a regular file where a file goes, and the
    folder must be writable: all checked on entry, before any work.  The lock
    (``.mc-sparsity.lock`` inside the folder) is held until exit, so two runs
    into one folder never mix their outputs.  :meth:`write` writes each file
    atomically by a rename onto its name (a link put there meanwhile is
    replaced, never written through) and removes the files of the previous set
    (listed in ``.mc-sparsity-manifest.json``) that this set does not write;
    a file the package did not write is never deleted.

    Parameters
    ----------
    path : str or path
        The folder; created on entry if absent.
    names : iterable of str
        Relative paths (``/``-separated) of the outputs that may be written.
    option : str, default "--out"
        The option that named the folder, for messages.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "rep"
    >>> with OutputFolder(out, ["a.txt", "figures/b.png"]) as folder:
    ...     _ = folder.write({"a.txt": b"1\\n", "figures/b.png": b"x"})
    >>> with OutputFolder(out, ["a.txt", "figures/b.png"]) as folder:
    ...     _ = folder.write({"a.txt": b"2\\n"})   # b.png, of the previous set, is removed
    >>> sorted(p.name for p in out.rglob("*") if not p.name.startswith("."))
    ['a.txt', 'figures']
    """

    LOCK = ".mc-sparsity.lock"
    MANIFEST = ".mc-sparsity-manifest.json"
    STAGE = ".mc-sparsity-stage-"

    def __init__(self, path, names, option: str = "--out"):
        self.path = Path(path)
        self.names = tuple(self._relative(name) for name in names)
        self.parameter = option.lstrip("-").replace("-", "_") or "out"
        self._lock = None

    # ------------------------------------------------------------ checks
    def _refuse(self, message: str):
        raise ParameterError(self.parameter, f"{self.parameter}: {message}")

    def _relative(self, name) -> str:
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or any(part in ("..", ".") for part in parts):
            raise ValueError(f"an output name must be a plain relative path, got {name!r}")
        return "/".join(parts)

    def _lstat(self, path: Path):
        try:
            return os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _os_refusal(self.parameter, str(path), exc) from None

    def check(self) -> None:
        """Refuse (``ParameterError``) what the run could not write, or would write through a link."""
        try:
            info = os.stat(self.path)  # the folder named by the user: followed
        except FileNotFoundError:
            info = None
        except OSError as exc:
            raise _os_refusal(self.parameter, str(self.path), exc) from None
        if info is None:
            ancestor = Path(os.path.abspath(self.path)).parent
            while not os.path.lexists(ancestor):
                ancestor = ancestor.parent
            if not ancestor.is_dir():
                self._refuse(f"{ancestor} is not a directory")
            reason = unwritable(ancestor)
            if reason is not None:
                self._refuse(f"{self.path} cannot be created: {reason}")
            return
        if not stat.S_ISDIR(info.st_mode):
            self._refuse(f"{self.path} exists and is not a directory")
        for name in (self.LOCK, self.MANIFEST, *self.names):
            self._check_name(name)

    def _check_name(self, name: str) -> None:
        parts = name.split("/")
        here = self.path
        for depth, part in enumerate(parts):
            here = here / part
            info = self._lstat(here)
            last = depth == len(parts) - 1
            if info is None:
                folder = here.parent
                break
            if stat.S_ISLNK(info.st_mode):
                self._refuse(f"{here} is a symlink; nothing inside an output folder is followed: remove it")
            if last and not stat.S_ISREG(info.st_mode):
                self._refuse(f"{here} exists and is {_kind(info.st_mode)}, not a regular file")
            if not last and not stat.S_ISDIR(info.st_mode):
                self._refuse(f"{here} exists and is {_kind(info.st_mode)}, not a directory")
        else:
            folder = here.parent
        reason = unwritable(folder)
        if reason is not None:
            self._refuse(reason)

    # ------------------------------------------------------------ lock
    def __enter__(self):
        self.check()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _os_refusal(self.parameter, str(self.path), exc) from None
        self._lock = OutputLock(self.path, self.parameter, lock_path=self.path / self.LOCK)
        self._lock.__enter__()
        try:
            self.check()  # again under the lock: another run may have changed the folder meanwhile
            for stale in self.path.glob(self.STAGE + "*"):  # left by a killed run
                if stale.is_dir() and not stale.is_symlink():
                    import shutil

                    shutil.rmtree(stale, ignore_errors=True)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        if self._lock is not None:
            self._lock.__exit__(*exc)
            self._lock = None
        return False

    # ------------------------------------------------------------ writing
    @contextmanager
    def staging(self):
        """A fresh temporary folder inside this one (for code that writes files), removed on exit.

        Read it back with :func:`read_tree` and pass the result to :meth:`write`.
        """
        import shutil

        stage = Path(tempfile.mkdtemp(prefix=self.STAGE, dir=self.path))
        try:
            yield stage
        finally:
            shutil.rmtree(stage, ignore_errors=True)

    def _manifest(self) -> set:
        try:
            fd = os.open(self.path / self.MANIFEST, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                names = json.loads(fh.read(2**20).decode("utf-8"))
        except FileNotFoundError:
            return set()
        except (OSError, ValueError):
            return set()  # unreadable: forget the previous set rather than delete on a guess
        if not isinstance(names, list):
            return set()
        valid = set()
        for name in names:
            try:
                valid.add(self._relative(name))
            except (TypeError, ValueError):
                continue
        return valid

    def _write_manifest(self, names) -> None:
        self._write_one(self.MANIFEST, (json.dumps(sorted(names), indent=0) + "\n").encode())

    def _write_one(self, name: str, data: bytes) -> None:
        parts = name.split("/")
        folder = self.path
        for part in parts[:-1]:
            folder = folder / part
            try:
                os.mkdir(folder)
            except FileExistsError:
                info = os.lstat(folder)
                if not stat.S_ISDIR(info.st_mode):  # a symlink or a file put there during the run
                    self._refuse(f"{folder} became {_kind(info.st_mode)} during the run; nothing written there")
        path = folder / parts[-1]
        info = self._lstat(path)
        mode = stat.S_IMODE(info.st_mode) if info is not None and stat.S_ISREG(info.st_mode) \
            else 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{parts[-1]}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fchmod(fh.fileno(), mode)
                os.fsync(fh.fileno())
            os.replace(tmp, path)  # replaces the directory entry itself: a link there is not followed
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def write(self, files: Mapping[str, bytes], also=()) -> list[Path]:
        """Write ``files`` ({relative name: bytes}) as the folder's new set of outputs.

        ``also`` names outputs the run wrote itself (e.g. a CSV written with
        its own journal); they belong to the set.  Files of the previous set
        that are not in this one are removed (regular files only).  Returns
        the paths written.
        """
        if self._lock is None:
            raise RuntimeError("OutputFolder.write outside its with-block")
        files = {self._relative(name): data for name, data in files.items()}
        for name in files:
            if name not in self.names:
                raise ValueError(f"{name!r} is not one of the folder's named outputs")
        new = set(files) | {self._relative(name) for name in also}
        old = self._manifest()
        self._write_manifest(old | new)  # a run killed below leaves every file it may have written listed
        written = []
        for name, data in files.items():
            self._write_one(name, data if isinstance(data, bytes) else data.encode("utf-8"))
            written.append(self.path / name)
        for name in sorted(old - new):
            path = self.path / name
            info = self._lstat(path)
            if info is not None and stat.S_ISREG(info.st_mode) and self._real_parents(name):
                path.unlink()
        self._write_manifest(new)
        return written

    def _real_parents(self, name: str) -> bool:
        here = self.path
        for part in name.split("/")[:-1]:
            here = here / part
            info = self._lstat(here)
            if info is None or not stat.S_ISDIR(info.st_mode):
                return False
        return True


def read_tree(folder) -> dict:
    """``{relative name: bytes}`` of the regular files under ``folder`` (symlinks are not followed)."""
    folder = Path(folder)
    files = {}
    for root, dirs, names in os.walk(folder):
        for name in names:
            path = Path(root) / name
            if stat.S_ISREG(os.lstat(path).st_mode):
                files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


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

    def read(self, check=None) -> dict:
        """``{scenario key: rows}`` of this study.

        Torn lines (an interrupted write) and other studies' lines are ignored;
        lines of this study that cannot be used (not UTF-8, malformed rows,
        rows that ``check(key, rows)`` rejects by raising) are skipped, counted,
        and reported in one :class:`JournalWarning` naming the journal: their
        scenarios simply run again.
        """
        done = {}
        try:
            fd = os.open(self.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except FileNotFoundError:
            return done
        except OSError as exc:
            raise _os_refusal("out", f"the journal {self.path}", exc) from None
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            os.close(fd)
            raise ParameterError("out", f"out: the journal {self.path} is {_kind(mode)}, not a regular file; "
                                 "remove it")
        with os.fdopen(fd, "rb") as fh:
            bad = 0
            for raw in fh:
                try:
                    entry = json.loads(raw.decode("utf-8"))
                except UnicodeDecodeError:
                    bad += 1
                    continue
                except json.JSONDecodeError:
                    continue  # a line torn by an interruption: that scenario is simply run again
                if not (isinstance(entry, dict) and entry.get("study") == self.identity):
                    continue  # another study's line (or not one of ours at all)
                key, rows = entry.get("key"), entry.get("rows")
                ok = isinstance(key, str) and isinstance(rows, list) and rows and all(
                    isinstance(row, dict) for row in rows)
                if ok and check is not None:
                    try:
                        check(key, rows)
                    except Exception:
                        ok = False
                if ok:
                    done[key] = rows
                else:
                    bad += 1
        if bad:
            warnings.warn(f"the journal {self.path} has {bad} damaged line{'s' * (bad != 1)}, skipped "
                          "(their scenarios run again)", JournalWarning, stacklevel=2)
        return done

    def append(self, key: str, rows: list) -> None:
        if self._fh is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW, 0o666 & ~_umask())
            except OSError as exc:
                raise _os_refusal("out", f"the journal {self.path}", exc) from None
            self._fh = os.fdopen(fd, "a", encoding="utf-8")
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                self._fh.write("\n")  # end a line torn by an interruption, so the next entry stands alone
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
