"""Send SIGINT (or another signal) to the command's process group at a sweep of moments; tabulate the outcomes.

A terminal's Ctrl-C reaches the whole foreground process group: the command and every worker it started.
This script starts ``python -m mc_sparsity ...`` (or the ``mc-sparsity`` console script, ``--entry script``)
in a session of its own, sends the signal to the group ``t`` seconds later, and records for each moment:
the exit status, the lines on stderr and whether any is a traceback, processes of the group still alive
5 s after the command ended, and what it left behind: ``/dev/shm`` entries named after one of its processes
(loky's ``sem.loky-PID-*`` semaphores, joblib's ``joblib_memmapping_folder_PID_*``), anything in its private
``TMPDIR`` (dask's scratch space, joblib's temporary folders), and the output's lock file (``study``).  dask's shared lock files in its scratch space, which every dask run leaves, finished or not,
are not counted.

    python scripts/ctrlc_sweep.py --backend loky dask --moments 0.05 0.2 0.5 1 1.5 2 3
    python scripts/ctrlc_sweep.py --what study --moments 0.5 1 2
    python scripts/ctrlc_sweep.py --signal SIGHUP --backend loky

Wanted for SIGINT: status 130, one line ("... interrupted ..."), no traceback, nothing alive, nothing left.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

STUDY = textwrap.dedent("""
    [study]
    name = "sweep"
    seed = 3
    reps = 3_000_000

    [[grid]]
    form = "penalized"
    beta = [[1.0, 0.3], [0.0, 0.5]]
    lam = [0.25, 0.5, 1.0]
""")


DASK_OWN = {"dask-scratch-space", "dask-scratch-space/global.lock", "dask-scratch-space/purge.lock"}


def _group(pgid: int) -> list[int]:
    """Live (not zombie) processes of process group ``pgid``."""
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


def _owned_shm(pids: set[int], before: set[str]) -> list[str]:
    """New /dev/shm entries whose name carries one of ``pids`` (loky semaphores, joblib memmapping folders)."""
    left = []
    for name in set(os.listdir("/dev/shm")) - before:
        for prefix in ("sem.loky-", "joblib_memmapping_folder_", "loky-", "sem.mp-"):
            if name.startswith(prefix):
                digits = name[len(prefix):].split("-")[0].split("_")[0]
                if digits.isdigit() and int(digits) in pids:
                    left.append(name)
    return sorted(left)


def command(what: str, backend: str, entry: str, work: Path) -> list[str]:
    if what == "simulate":
        args = ["simulate", "--beta", "1", "0.3", "--lam", "0.5", "--reps", "1e10", "--jobs", "2",
                "--backend", backend]
    else:
        study = work / "study.toml"
        study.write_text(STUDY)
        args = ["study", str(study), "--out", str(work / "out" / "r.csv"), "--jobs", "2"]
    if entry == "script":  # the console script pip writes, run from this checkout
        script = work / "mc-sparsity"
        script.write_text(f"#!{sys.executable}\nimport sys\nfrom mc_sparsity.cli import main\n"
                          "if __name__ == '__main__':\n    sys.exit(main())\n")
        script.chmod(0o755)
        return [str(script), *args]
    return [sys.executable, "-m", "mc_sparsity", *args]


def one(what: str, backend: str, moment: float, sig: int, entry: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="ctrlc-sweep-"))
    tmp = work / "tmp"
    tmp.mkdir()
    (work / "out").mkdir()
    env = dict(os.environ, TMPDIR=str(tmp), PYTHONPATH=str(ROOT), COLUMNS="100")
    shm_before = set(os.listdir("/dev/shm"))
    argv = command(what, backend, entry, work)
    seen: set[int] = set()
    proc = subprocess.Popen(argv, cwd=work, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen.add(proc.pid)
    stop = threading.Event()

    def watch():
        while not stop.is_set():
            seen.update(_group(proc.pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    start = time.monotonic()
    time.sleep(max(0.0, moment - (time.monotonic() - start)))
    status = proc.poll()
    if status is None:
        os.killpg(proc.pid, sig)
    try:
        out, err = proc.communicate(timeout=60)
        hung = False
    except subprocess.TimeoutExpired:
        hung = True
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    ended = time.monotonic() - start
    deadline = time.monotonic() + 5
    while _group(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _group(proc.pid)
    stop.set()
    watcher.join()
    for pid in alive:  # clean up after a failed case
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    time.sleep(0.5)  # the resource trackers' last unlinks
    err_text = err.decode(errors="replace")
    lines = [line for line in err_text.replace("\r", "\n").splitlines()
             if line.strip() and "%|" not in line and "rep/s" not in line]
    # dask's shared lock files (dask-scratch-space/global.lock, purge.lock) are left by every dask run,
    # finished or not, by design: they are not the interruption's leftovers.
    left_tmp = sorted(str(p.relative_to(tmp)) for p in tmp.rglob("*") if str(p.relative_to(tmp)) not in DASK_OWN)
    left_shm = _owned_shm(seen, shm_before)
    lock = [p.name for p in (work / "out").glob(".*lock")]
    record = {"what": what, "backend": backend, "moment": moment, "status": proc.returncode, "hung": hung,
              "seconds": round(ended, 2), "lines": len(lines), "traceback": "Traceback" in err_text,
              "first": lines[0][:90] if lines else "", "alive": len(alive), "shm": left_shm,
              "tmp": left_tmp[:4], "lock": lock, "stdout": len(out), "stderr": err_text}
    for name in left_shm:  # leave the machine as it was
        path = Path("/dev/shm") / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    shutil.rmtree(work, ignore_errors=True)
    return record


def verdict(r: dict, sig: int) -> str:
    wanted = 128 + sig if sig != signal.SIGINT else 130
    if r["status"] == 0 and not r["hung"]:
        return "finished"
    ok = (r["status"] == wanted and not r["traceback"] and r["lines"] <= 2 and not r["alive"] and not r["shm"]
          and not r["tmp"] and not r["lock"] and not r["hung"])
    return "ok" if ok else "BAD"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--what", choices=("simulate", "study"), default="simulate")
    parser.add_argument("--backend", nargs="+", default=["loky", "dask"])
    parser.add_argument("--moments", type=float, nargs="+", default=[0.05, 0.1, 0.2, 0.5, 1.0, 1.5, 2.0, 3.0])
    parser.add_argument("--signal", default="SIGINT")
    parser.add_argument("--entry", choices=("module", "script"), default="module")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--show", action="store_true", help="print the stderr of every bad case")
    args = parser.parse_args(argv)
    sig = signal.Signals[args.signal]
    backends = args.backend if args.what == "simulate" else ["threading"]
    bad = 0
    print(f"{'what':<9}{'backend':<10}{'t/s':>6}{'exit':>6}{'lines':>6}{'tb':>4}{'alive':>6}  verdict  left / first line")
    for backend in backends:
        for moment in args.moments:
            for _ in range(args.repeat):
                r = one(args.what, backend, moment, sig, args.entry)
                v = verdict(r, sig)
                bad += v == "BAD"
                left = " ".join(r["shm"][:2] + r["tmp"][:2] + r["lock"])
                if len(r["shm"]) > 2:
                    left += f" (+{len(r['shm']) - 2} in /dev/shm)"
                print(f"{r['what']:<9}{r['backend']:<10}{r['moment']:>6.2f}{r['status']:>6}{r['lines']:>6}"
                      f"{'y' if r['traceback'] else '-':>4}{r['alive']:>6}  {v:<8} {left or r['first']}", flush=True)
                if args.show and v == "BAD":
                    print(textwrap.indent(r["stderr"].rstrip(), "    | "), flush=True)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
