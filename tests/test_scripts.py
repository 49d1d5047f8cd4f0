"""The plain scripts run and do what they say."""

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"


def test_run_study_and_make_figures(tmp_path):
    study = tmp_path / "s.toml"
    study.write_text(textwrap.dedent("""
        [study]
        seed = 1
        reps = 10_000
        [[grid]]
        form = "penalized"
        beta = [[1.0, 0.3]]
        lam = [0.5]
        reps = [1_000, 10_000]
    """))
    out = tmp_path / "r.csv"
    run = subprocess.run([sys.executable, SCRIPTS / "run_study.py", study, "--out", out, "--jobs", "1"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert out.exists() and "2 scenarios" in run.stdout
    figs = subprocess.run([sys.executable, SCRIPTS / "make_figures.py", out, "--out", tmp_path / "f"],
                          capture_output=True, text=True)
    assert figs.returncode == 0, figs.stderr
    assert (tmp_path / "f" / "error_against_reps.png").exists()
