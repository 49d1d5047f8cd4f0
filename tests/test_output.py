"""A folder of outputs: checked and locked before any work, written as a set, nothing followed inside (issue 20)."""

import os
import stat
import textwrap

import pytest

from mc_sparsity._base.errors import ParameterError
from mc_sparsity._pipeline.output import OutputFolder, OutputLocked, check_output_file

NAMES = ["REPORT.md", "results.csv", "figures/a.png", "figures/b.png"]

STUDY = textwrap.dedent("""
    [study]
    name = "output"
    seed = 1
    reps = 1000

    [[grid]]
    form = "penalized"
    beta = [[1.0, 0.3]]
    lam = [0.5]
""")


@pytest.fixture
def study_file(tmp_path):
    path = tmp_path / "one.toml"
    path.write_text(STUDY)
    return path


def _refused(run_cli, *argv, words=()):
    status, out, err = run_cli(*argv)
    assert status == 2 and out == "", err
    assert len(err.strip().splitlines()) == 1, err
    for word in words:
        assert word in err, err
    return err


# ---------------------------------------------------------------- nothing written where it was not named
@pytest.mark.parametrize("planted", ["REPORT.md", "results.csv", "explorer.html", "figures/sparse_regions.png",
                                     "figures"])
def test_a_symlink_planted_in_a_report_folder_is_refused_before_any_work(capsys, run_cli, tmp_path, study_file, no_work,
                                                                          planted):
    victim = tmp_path / "v.txt"
    victim.write_text("precious\n")
    out = tmp_path / "d"
    (out / planted).parent.mkdir(parents=True, exist_ok=True)
    (out / planted).symlink_to(victim if planted != "figures" else tmp_path)
    _refused(run_cli, "report", str(study_file), "--out", str(out), words=("--out", "symlink", planted))
    assert victim.read_text() == "precious\n"
    assert not (out / ".mc-sparsity.lock").exists()


@pytest.mark.parametrize("where, make, kind", [
    ("REPORT.md", os.mkfifo, "a FIFO"),
    ("REPORT.md", os.mkdir, "a directory"),
    ("figures", lambda p: open(p, "w").close(), "not a directory"),
])
def test_what_cannot_hold_an_output_is_refused_before_any_work(capsys, run_cli, tmp_path, study_file, no_work, where, make,
                                                               kind):
    out = tmp_path / "d"
    out.mkdir()
    make(out / where)
    _refused(run_cli, "report", str(study_file), "--out", str(out), words=("--out", kind))


def test_the_folder_named_by_the_user_may_be_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "link").symlink_to(real)
    with OutputFolder(tmp_path / "link", NAMES) as folder:
        folder.write({"REPORT.md": b"r\n"})
    assert (real / "REPORT.md").read_bytes() == b"r\n" and not (real / "REPORT.md").is_symlink()


def test_a_link_put_in_place_during_the_run_is_replaced_not_followed(tmp_path):
    victim = tmp_path / "v.txt"
    victim.write_text("precious\n")
    out = tmp_path / "d"
    with OutputFolder(out, NAMES) as folder:
        (out / "REPORT.md").symlink_to(victim)
        folder.write({"REPORT.md": b"new\n"})
    assert victim.read_text() == "precious\n"
    assert not (out / "REPORT.md").is_symlink() and (out / "REPORT.md").read_bytes() == b"new\n"


# ---------------------------------------------------------------- a set of outputs, and the lock
def test_files_of_the_previous_set_go_and_foreign_files_stay(tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    (out / "notes.txt").write_text("mine\n")
    (out / "figures").mkdir()
    (out / "figures" / "b.png").write_bytes(b"not written by the package")  # before any manifest: kept
    with OutputFolder(out, NAMES) as folder:
        folder.write({"REPORT.md": b"1", "figures/a.png": b"a"}, also=["results.csv"])
    with OutputFolder(out, NAMES) as folder:
        folder.write({"REPORT.md": b"2"}, also=["results.csv"])
    assert not (out / "figures" / "a.png").exists()
    assert (out / "figures" / "b.png").exists() and (out / "notes.txt").read_text() == "mine\n"
    assert (out / "REPORT.md").read_bytes() == b"2"
    assert sorted(p.name for p in out.iterdir()) == [".mc-sparsity-manifest.json", "REPORT.md", "figures",
                                                     "notes.txt"]


def test_a_file_kept_in_the_mode_the_user_gave_it(tmp_path):
    out = tmp_path / "d"
    out.mkdir()
    (out / "REPORT.md").write_text("old")
    os.chmod(out / "REPORT.md", 0o604)
    with OutputFolder(out, NAMES) as folder:
        folder.write({"REPORT.md": b"new"})
    assert stat.S_IMODE(os.stat(out / "REPORT.md").st_mode) == 0o604


def test_a_second_report_into_the_same_folder_stops_at_once(capsys, run_cli, tmp_path, study_file, no_work):
    out = tmp_path / "d"
    with OutputFolder(out, NAMES):
        err = _refused(run_cli, "report", str(study_file), "--out", str(out), words=("another mc-sparsity run",))
    assert f"process {os.getpid()}" in err
    with OutputFolder(out, NAMES):
        with pytest.raises(OutputLocked):
            OutputFolder(out, NAMES).__enter__()
    assert not (out / ".mc-sparsity.lock").exists()


@pytest.mark.parametrize("kind", ["symlink", "directory"])
def test_a_lock_file_that_is_not_a_file_is_refused(run_cli, tmp_path, study_file, no_work, kind):
    out = tmp_path / "r.csv"
    lock = tmp_path / ".r.csv.lock"
    if kind == "symlink":
        lock.symlink_to(tmp_path / "elsewhere")
    else:
        lock.mkdir()
    _refused(run_cli, "study", str(study_file), "--out", str(out), words=("--out", "lock file", kind))
    assert not (tmp_path / "elsewhere").exists()


def test_a_name_too_long_is_refused(run_cli, tmp_path, study_file, no_work):
    _refused(run_cli, "study", str(study_file), "--out", str(tmp_path / ("x" * 300 + ".csv")),
             words=("--out", "too long"))
    _refused(run_cli, "report", str(study_file), "--out", str(tmp_path / ("x" * 300)), words=("--out", "too long"))


def test_standard_output_is_not_a_file_to_replace(capsys, run_cli, tmp_path, study_file, no_work):
    read, write = os.pipe()
    try:
        fifo_like = f"/proc/self/fd/{write}"  # what /dev/stdout is when the output is piped
        _refused(run_cli, "study", str(study_file), "--out", fifo_like, words=("--out", "FIFO"))
        _refused(run_cli, "explore", "--out", fifo_like, words=("--out", "FIFO"))
    finally:
        os.close(read)
        os.close(write)
    with pytest.raises(ParameterError, match="a device"):
        check_output_file("/dev/null")


def test_the_study_file_is_never_its_own_output(capsys, run_cli, study_file, no_work):
    _refused(run_cli, "study", str(study_file), "--out", str(study_file), words=("--out", "is the study file"))
    assert study_file.read_text() == STUDY


# ---------------------------------------------------------------- the command line's other refusals
def test_argparse_refusals_are_one_line(capsys, run_cli):
    err = _refused(run_cli, "simulate", "--beta", "1", "--lam", "x")
    assert err.startswith("mc-sparsity simulate: error: argument --lam") and "usage" not in err
    _refused(run_cli, "simulate", "--beta", "1", "--lam", "1", "--scheduler", "", words=("--scheduler", "empty"))
    _refused(run_cli, "nonsense", words=("mc-sparsity: error:",))


def test_a_study_file_with_a_byte_order_mark_is_read(capsys, run_cli, tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + STUDY.encode())
    status, out, err = run_cli("study", str(path), "--out", str(tmp_path / "r.csv"), "--quiet", "--jobs", "1")
    assert status == 0, err
    assert (tmp_path / "r.csv").read_text().count("\n") == 3


def test_the_lock_removes_the_temporaries_a_killed_run_left(tmp_path):
    """kill -9 between writing a temporary and renaming it leaves ``.OUT.XXXX.tmp``; the next holder removes it."""
    from mc_sparsity._pipeline.output import OutputLock

    out = tmp_path / "r.csv"
    stale = tmp_path / ".r.csv.k3j2x9qa.tmp"
    stale.write_text("half")
    other = tmp_path / ".other.csv.k3j2x9qa.tmp"
    other.write_text("not ours")
    with OutputLock(out):
        assert not stale.exists() and other.exists()


@pytest.mark.skipif(not hasattr(os, "kill") or os.name != "posix", reason="POSIX signals")
def test_a_signal_while_the_lock_is_taken_leaves_no_lock_file(tmp_path, monkeypatch):
    """SIGTERM in the middle of taking the lock (here: just after the lock file was created and locked, as
    the fault test's SIGTERM once landed) ends the command without leaving the lock file behind."""
    import signal

    from mc_sparsity._pipeline import output

    class Stopped(Exception):
        pass

    def stop(signum, frame):
        raise Stopped

    real_ftruncate = output.os.ftruncate

    def ftruncate_then_signal(fd, length):
        real_ftruncate(fd, length)
        os.kill(os.getpid(), signal.SIGTERM)  # its handler raises at the next bytecode, unless the signal is held

    out = tmp_path / "r.csv"
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(output.os, "ftruncate", ftruncate_then_signal)
        with pytest.raises(Stopped):
            with output.OutputLock(out):
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert not (tmp_path / ".r.csv.lock").exists()
