"""Faults and hostile input: outputs, locks, journals, bounds, workers and interruptions (issue 10)."""

import http.server
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

from mc_sparsity._mc import engine as _engine
from mc_sparsity._pipeline.output import Journal, JournalWarning, OutputLock, write_atomic
from mc_sparsity._pipeline.study import StudyError, load_study, parse_study, run_study
from mc_sparsity.cli import main

TINY = textwrap.dedent("""
    [study]
    name = "faults"
    seed = 3
    reps = 300_000

    [[grid]]
    form = "penalized"
    beta = [[1.0, 0.3], [0.0, 0.5]]
    lam = [0.25, 0.5, 1.0]

    [[grid]]
    form = "constrained"
    beta = [[1.0, 0.3]]
    radius = [0.5, 1.0]
""")


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


# ---------------------------------------------------------------- outputs
@pytest.mark.parametrize("kind", ["directory", "fifo"])
def test_an_output_that_is_not_a_regular_file_is_refused_before_any_work(capsys, run_cli, tmp_path, tiny, no_work, kind):
    out = tmp_path / "out"
    if kind == "directory":
        out.mkdir()
    else:
        os.mkfifo(out)
    status, stdout, err = run_cli("study", str(tiny), "--out", str(out))
    assert status == 2 and stdout == ""
    assert len(err.strip().splitlines()) == 1 and "--out" in err and "not a regular file" in err
    assert (out.is_dir() if kind == "directory" else stat.S_ISFIFO(os.stat(out).st_mode))


def test_a_report_folder_that_is_a_file_is_refused(capsys, run_cli, tmp_path, tiny, no_work):
    out = tmp_path / "rep"
    out.write_text("mine")
    status, _, err = run_cli("report", str(tiny), "--out", str(out))
    assert status == 2 and "not a directory" in err and out.read_text() == "mine"


def test_a_symlinked_journal_is_never_followed(capsys, run_cli, tmp_path, tiny, no_work):
    out = tmp_path / "results.csv"
    target = tmp_path / "precious.txt"
    target.write_text("do not touch\n")
    journal = Journal(out, load_study(tiny).identity).path
    journal.symlink_to(target)
    status, _, err = run_cli("study", str(tiny), "--out", str(out))
    assert status == 2 and "symlink" in err
    assert target.read_text() == "do not touch\n" and not out.exists()


def test_an_output_named_as_a_symlink_replaces_its_target(tmp_path, tiny):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    link = tmp_path / "link.csv"
    link.symlink_to(real)
    run_study(load_study(tiny), link)
    assert link.is_symlink() and real.read_text().startswith("scenario,")


def test_files_get_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "new.txt", "x")
        assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o640
        kept = tmp_path / "kept.txt"
        kept.write_text("y")
        os.chmod(kept, 0o604)
        write_atomic(kept, "z")
        assert stat.S_IMODE(os.stat(kept).st_mode) == 0o604 and kept.read_text() == "z"
    finally:
        os.umask(old)


def test_a_second_run_on_a_locked_output_stops_at_once(capsys, run_cli, tmp_path, tiny, no_work):
    out = tmp_path / "results.csv"
    with OutputLock(out):
        status, _, err = run_cli("study", str(tiny), "--out", str(out))
    assert status == 2 and f"process {os.getpid()}" in err and "another mc-sparsity run" in err
    assert not list(tmp_path.glob(".results.csv.*.partial.jsonl"))


def test_another_studys_journal_survives(tmp_path, tiny):
    out = tmp_path / "results.csv"
    other = parse_study(TINY.replace("seed = 3", "seed = 4"))
    foreign = Journal(out, other.identity)
    foreign.append("abc", [{"x": 1}])
    foreign.close()
    run_study(load_study(tiny), out)
    assert foreign.path.exists() and Journal(out, other.identity).read() == {"abc": [{"x": 1}]}


def test_a_comment_edit_keeps_the_progress(tmp_path):
    assert parse_study(TINY).identity == parse_study("# a comment\n" + TINY).identity
    assert parse_study(TINY).identity != parse_study(TINY.replace("300_000", "300_001")).identity


def test_journal_lines_that_are_not_entries_are_ignored_and_damaged_ones_counted(tmp_path):
    out = tmp_path / "r.csv"
    journal = Journal(out, "id")
    good = '{"study": "id", "key": "k", "rows": [{"a": 1}]}\n'
    journal.path.write_bytes(b'[]\nnull\n{"study": "other"}\n"text"\n' + good.encode() + b'{"study": "id"}\n'
                             + b'{"study": "id", "key": "j", "rows": []}\n\xff\xfe\n{torn')
    with pytest.warns(JournalWarning, match=r"has 3 damaged lines") as record:
        assert journal.read() == {"k": [{"a": 1}]}
    assert str(journal.path) in str(record[0].message)
    journal.append("m", [{"a": 2}])  # after a torn line: the new entry stands on a line of its own
    journal.close()
    with pytest.warns(JournalWarning):
        assert journal.read() == {"k": [{"a": 1}], "m": [{"a": 2}]}


def test_a_damaged_journal_never_blocks_the_study(capsys, run_cli, tmp_path, tiny):
    """Malformed rows under the right identity, non-UTF-8 lines: skipped with one warning, the study completes."""
    reference = tmp_path / "reference.csv"
    run_study(load_study(tiny), reference)
    out = tmp_path / "r.csv"
    study = load_study(tiny)
    journal = Journal(out, study.identity)
    key = study.scenarios[0].key
    lines = [{"study": study.identity, "key": key, "rows": [{"scenario": key}]},
             {"study": study.identity, "key": key, "rows": [{"x": None}]}, {"study": study.identity, "key": 3}]
    journal.path.write_bytes(b"".join(json.dumps(line).encode() + b"\n" for line in lines) + b"\x80\x81 bad\n")
    status, stdout, err = run_cli("study", str(tiny), "--out", str(out), "--quiet")
    assert status == 0 and out.read_bytes() == reference.read_bytes()
    assert "4 damaged lines" in err and str(journal.path) in err and "Traceback" not in err


def test_a_journal_that_is_a_directory_is_named(capsys, run_cli, tmp_path, tiny, no_work):
    out = tmp_path / "r.csv"
    Journal(out, load_study(tiny).identity).path.mkdir()
    status, _, err = run_cli("study", str(tiny), "--out", str(out))
    assert status == 2 and len(err.strip().splitlines()) == 1 and "journal" in err and "directory" in err


# ---------------------------------------------------------------- bounds
@pytest.mark.parametrize("text, key", [
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [0.5]\np = [1e12]\nlam = [1.0]\n", "grid[0].p"),
    ("[study]\nseed = 1\n[[grid]]\nform = 'penalized'\nbeta = [[1.0]]\nsigma = [" + ", ".join(["1.0"] * 1000)
     + "]\nlam = [" + ", ".join(f"{i}.0" for i in range(1, 1001)) + "]\nreps = [" + ", ".join(map(str, range(1, 3)))
     + "]\n", "grid[0]: describes 2,000,000 scenarios"),
    ("[study]\nseed = 1\nx = " + "[" * 1000 + "]" * 1000 + "\n", "nested too deeply"),
    ("[study]\nseed = 1\nmax_p = 3\n[[grid]]\nform = 'penalized'\nbeta = [0.5]\np = [4]\nlam = [1.0]\n", "grid[0].p"),
])
def test_study_sizes_are_bounded_before_anything_is_built(text, key):
    start = time.perf_counter()
    with pytest.raises(StudyError, match=key.replace("[", r"\[").replace("]", r"\]")):
        parse_study(text)
    assert time.perf_counter() - start < 5


def test_reps_beyond_the_counters_are_refused(capsys, run_cli):
    status, _, err = run_cli("simulate", "--beta", "1", "--lam", "1", "--reps", str(2**63))
    assert status == 2 and "--reps" in err


def test_n_jobs_on_a_process_backend_is_capped_at_the_cores(capsys):
    from mc_sparsity._mc.orthonormal import penalized_kernel

    tally = _engine.run_kernel(penalized_kernel([1.0], 1.0, [0.5], [], -1), 1000, np.random.SeedSequence(0),
                               n_jobs=1000, backend="loky")
    assert tally.completed == 1000
    assert "capped" in capsys.readouterr().err


def test_extreme_scales_are_refused_not_simulated_wrongly(capsys, run_cli):
    status, out, err = run_cli("simulate", "--beta", "1e300", "1", "--sigma", "1e-10", "--lam", "1")
    assert status == 2 and out == "" and "rescale" in err


def test_a_scheduler_that_is_not_dask_is_a_clean_error(capsys, run_cli, monkeypatch):
    pytest.importorskip("dask.distributed")
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(_engine, "SCHEDULER_TIMEOUT", 2)
    try:
        status, out, err = run_cli("simulate", "--beta", "1", "--lam", "1", "--reps", "1000", "--quiet",
                                "--scheduler", f"tcp://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert status == 2 and out == "" and "--scheduler" in err and "Traceback" not in err


# ---------------------------------------------------------------- processes
def _group(pgid):
    """Live (not zombie) processes of process group ``pgid``, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                members.append(int(entry))
    return members


def _command(*args):
    return [sys.executable, "-m", "mc_sparsity", *args]


def test_no_worker_outlives_a_killed_command():
    proc = subprocess.Popen(_command("simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e10", "--jobs",
                                     "2", "--backend", "loky", "--quiet"), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # the command, loky's and multiprocessing's resource trackers, and the two workers
    while len(_group(proc.pid)) < 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(_group(proc.pid)) >= 5, "the workers did not start"
    time.sleep(3.0)  # the workers have their first task (compiling or running the kernel)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 15
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _group(proc.pid) == []


def _wait_for_stderr(proc, pattern, timeout=180.0):
    """Read the child's stderr until ``pattern`` appears (bounded in time); return what was read."""
    import selectors

    chunks = []
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stderr, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while pattern not in "".join(chunks):
            left = deadline - time.monotonic()
            assert left > 0 and proc.poll() is None, f"no {pattern!r} from the child: {''.join(chunks)[-500:]}"
            if selector.select(timeout=min(left, 1.0)):
                data = os.read(proc.stderr.fileno(), 65536).decode(errors="replace")
                assert data, f"the child closed stderr: {''.join(chunks)[-500:]}"
                chunks.append(data)
    return "".join(chunks)


@pytest.mark.parametrize("backend", ["threading", "loky", "dask"])
def test_ctrl_c_exits_130_with_one_clean_message(backend):
    """Ctrl-C once the replications run: the progress bar (shown after the engine's PROGRESS_DELAY of
    running) is the child's signal, so a slow start (kernels compiling, a loaded machine) cannot race it."""
    if backend == "dask":
        pytest.importorskip("dask.distributed")
    # One block per task: the bar's first update (its signal) comes as soon as one block is done.
    proc = subprocess.Popen(_command("simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e10", "--jobs",
                                     "2", "--backend", backend, "--chunk-size", "262144"), start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        before = _wait_for_stderr(proc, "%|")
        os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C: the whole group
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = before + err.decode(errors="replace")
    assert proc.returncode == 130 and out == b""
    assert "Traceback" not in err and "not a result" in err


def test_sigterm_releases_the_lock_and_keeps_the_progress(tmp_path, tiny):
    out = tmp_path / "r.csv"
    proc = subprocess.Popen(_command("study", str(tiny), "--out", str(out), "--jobs", "1", "--quiet"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lock = tmp_path / ".r.csv.lock"
    deadline = time.monotonic() + 120
    while not lock.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert lock.exists(), "the study did not start"
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode in (128 + signal.SIGTERM, 0), err  # 0: it had finished already
    assert not lock.exists() and "Traceback" not in err
    if proc.returncode:
        assert err.strip().splitlines() == ["mc-sparsity: SIGTERM: stopped"]


def test_kill_9_at_random_moments_then_resume_gives_the_same_bytes(tmp_path, tiny):
    reference = tmp_path / "reference.csv"
    run_study(load_study(tiny), reference)
    out = tmp_path / "killed.csv"
    rng = np.random.default_rng(2026)
    for _ in range(3):
        proc = subprocess.Popen(_command("study", str(tiny), "--out", str(out), "--jobs", "1", "--quiet"),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(float(rng.uniform(1.0, 4.0)))
        proc.kill()
        proc.wait()
    assert main(["study", str(tiny), "--out", str(out), "--quiet"]) == 0
    assert out.read_bytes() == reference.read_bytes()
    assert not list(tmp_path.glob(".killed.csv.*"))


def test_the_journal_identity_changes_with_the_package_version(monkeypatch):
    """Another version may compute other numbers: its progress must not be resumed."""
    import mc_sparsity

    before = parse_study(TINY).identity
    monkeypatch.setattr(mc_sparsity, "__version__", mc_sparsity.__version__ + ".post1")
    assert parse_study(TINY).identity != before


def test_a_journal_ignores_lines_of_another_study(tmp_path):
    journal = Journal(tmp_path / "r.csv", "mine")
    journal.path.write_text('{"study": "other", "key": "k1", "rows": [{"x": 1}]}\n'
                            '{"study": "mine", "key": "k2", "rows": [{"x": 2}]}\n')
    assert journal.read() == {"k2": [{"x": 2}]}


# ---------------------------------------------------------------- signals while workers start (issue 20, item 10)
def _members_with(pgid, text):
    """Processes of group ``pgid`` whose command line contains ``text`` and whose Python catches SIGINT.

    From the moment Python has installed its SIGINT handler (its imports then take a good part of a second),
    a worker that gets the terminal's Ctrl-C prints a traceback; earlier it would die silently.
    """
    found = []
    for pid in _group(pgid):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                if text not in fh.read().replace(b"\0", b" ").decode(errors="replace"):
                    continue
            with open(f"/proc/{pid}/status") as fh:
                caught = int(fh.read().split("SigCgt:")[1].split()[0], 16)
        except (OSError, IndexError):
            continue
        if caught >> (signal.SIGINT - 1) & 1:
            found.append(pid)
    return found


def _blocked(sig):
    """Whether ``sig`` is blocked in the calling thread (Linux: /proc/thread-self/status)."""
    with open("/proc/thread-self/status") as fh:
        mask = int(fh.read().split("SigBlk:")[1].split()[0], 16)
    return bool(mask >> (sig - 1) & 1)


pytestmark_linux = pytest.mark.skipif(not os.path.exists("/proc/thread-self/status"), reason="Linux /proc needed")


@pytestmark_linux
def test_a_ctrl_c_while_held_acts_on_release_even_through_another_thread():
    """The old hold ignored SIGINT: one delivered to another thread of the command was lost (dask's start)."""
    ready, stop = threading.Event(), threading.Event()
    other = threading.Thread(target=lambda: (ready.set(), stop.wait(30)), daemon=True)
    other.start()  # started before the hold: SIGINT is not blocked there
    ready.wait()
    try:
        with pytest.raises(KeyboardInterrupt):
            with _engine._signals_held() as release:
                assert _blocked(signal.SIGINT) and _blocked(signal.SIGHUP)
                signal.pthread_kill(other.ident, signal.SIGINT)
                time.sleep(0.2)  # handled meanwhile (recorded), not raised
                arrived = True
                release()
        assert arrived and not _blocked(signal.SIGINT) and not _blocked(signal.SIGHUP)
        with pytest.raises(KeyboardInterrupt):  # and pending in this very thread: raised on release too
            with _engine._signals_held():
                os.kill(os.getpid(), signal.SIGINT)
                time.sleep(0.1)
    finally:
        stop.set()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


@pytestmark_linux
def test_workers_started_while_held_inherit_the_mask_even_after_the_resource_tracker_starts(monkeypatch):
    """multiprocessing's tracker, when it starts, unblocks SIGINT and SIGTERM in the caller (SIG_UNBLOCK)."""
    from multiprocessing import resource_tracker

    def starts_one():  # what Python 3.11's ensure_running does to the mask when it starts a tracker
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})

    monkeypatch.setattr(resource_tracker, "ensure_running", starts_one)
    probe = "print(open('/proc/self/status').read().split('SigBlk:')[1].split()[0])"
    with _engine._signals_held(processes=True):
        assert _blocked(signal.SIGINT)
        child = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert int(child.stdout, 16) >> (signal.SIGINT - 1) & 1 and int(child.stdout, 16) >> (signal.SIGHUP - 1) & 1
    assert not _blocked(signal.SIGINT)


def _shm_of(pids):
    return sorted(name for name in os.listdir("/dev/shm") for pid in pids
                  if name.startswith((f"sem.loky-{pid}-", f"joblib_memmapping_folder_{pid}_")))


@pytestmark_linux
@pytest.mark.parametrize("backend, worker", [("loky", "popen_loky_posix")])  # dask's local workers are threads
def test_ctrl_c_as_the_first_worker_starts(tmp_path, backend, worker):
    """SIGINT to the whole group the moment a worker's Python can take it (its handler installed, its imports
    running): before, loky's workers printed tracebacks (and dask's start, when its local workers were processes,
    lost the Ctrl-C: the run went on)."""
    env = dict(os.environ, TMPDIR=str(tmp_path), COLUMNS="80")
    proc = subprocess.Popen(_command("simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e10", "--jobs",
                                     "2", "--backend", backend), start_new_session=True, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = set()
    try:
        deadline = time.monotonic() + 120
        while not _members_with(proc.pid, worker) and time.monotonic() < deadline and proc.poll() is None:
            seen.update(_group(proc.pid))
            time.sleep(0.01)
        assert _members_with(proc.pid, worker), "no worker started"
        seen.update(_group(proc.pid))
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = err.decode(errors="replace")
    assert proc.returncode == 130 and out == b"", err[-2000:]
    assert "Traceback" not in err and "Exception ignored" not in err, err[-2000:]
    assert [line for line in err.splitlines() if line.strip()][-1].startswith("mc-sparsity: interrupted")
    deadline = time.monotonic() + 10
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.3)
    assert _group(proc.pid) == [] and _shm_of(seen) == []
    own = {"dask-scratch-space", "dask-scratch-space/global.lock", "dask-scratch-space/purge.lock"}  # any dask run's
    assert {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")} - own == set()


# ---------------------------------------------------------------- read-only outputs (issue 20, item 10)
@pytest.fixture
def read_only(monkeypatch):
    """Make folders unwritable as os.access sees them (CI runs as root, where chmod does not stop writes)."""
    denied = []
    real = os.access

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and any(os.path.abspath(path) == os.path.abspath(d) for d in denied):
            return False
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    return denied.append


@pytest.mark.parametrize("command", ["study", "explore", "report", "report-inside"])
def test_a_read_only_output_folder_is_refused_in_one_line_before_any_work(run_cli, monkeypatch, tmp_path, tiny,
                                                                         no_work, read_only, command):
    from mc_sparsity._pipeline import report_data

    monkeypatch.setattr(report_data, "collect_report_data", lambda *a, **k: pytest.fail("work was done"))
    folder = tmp_path / "ro"
    folder.mkdir()
    read_only(folder)
    argv = {"study": ["study", str(tiny), "--out", str(folder / "r.csv")],
            "explore": ["explore", "--out", str(folder / "sub" / "e.html")],
            "report": ["report", str(tiny), "--out", str(folder / "rep")],
            "report-inside": ["report", str(tiny), "--out", str(folder)]}[command]
    status, out, err = run_cli(*argv)
    assert status == 2 and out == "" and len(err.strip().splitlines()) == 1, err
    assert "--out" in err and f"{folder} is not writable" in err
    assert list(folder.iterdir()) == []


def test_a_read_only_file_system_is_named(monkeypatch, tmp_path, read_only):
    from mc_sparsity._pipeline import output

    class ReadOnly:
        f_flag = os.ST_RDONLY

    read_only(tmp_path)
    monkeypatch.setattr(os, "statvfs", lambda path: ReadOnly())
    with pytest.raises(output.ParameterError, match="is on a read-only file system") as info:
        output.check_output_file(tmp_path / "a" / "b.csv")
    assert info.value.parameter == "out" and f"{tmp_path} is on" in str(info.value)
    assert output.unwritable(tmp_path / "x" / "y") == f"{tmp_path} is on a read-only file system"
    assert output.unwritable(tmp_path.parent) is None
