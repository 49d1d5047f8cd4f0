"""The benchmark's own logic: verdicts, medians, the command line (no timing is asserted: speed is the benchmark's)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.harness import Case, at_most_row, ratio_row, summarize  # noqa: E402
from benchmarks.run import parse_args  # noqa: E402


def test_verdicts_compare_with_the_target():
    assert ratio_row("r", 0.85, 0.85).verdict == "PASS"
    assert ratio_row("r", 0.8499, 0.85).verdict == "FAIL"
    assert ratio_row("r", 3.0, None).verdict == "-"
    assert at_most_row("t", 0.6, 0.6).verdict == "PASS" and at_most_row("t", 0.61, 0.6).verdict == "FAIL"


def test_summary_is_the_median_of_rounds():
    case = Case("c", None, reps=10, normals=20)
    runs = {"c": [{"seconds": 1.0, "rss_mb": 5.0}, {"seconds": 4.0, "rss_mb": 9.0}, {"seconds": 2.0, "rss_mb": 1.0}]}
    row = summarize([case], runs)["c"]
    assert row["seconds"] == 2.0 and row["reps_per_s"] == 5.0 and row["normals_per_s"] == 10.0
    assert row["rss_mb"] == 5.0


def test_parts_are_checked():
    assert parse_args(["--quick"]).repeats == 1
    with pytest.raises(SystemExit):
        parse_args(["--only", "orthonormal,nonsense"])


def test_the_script_starts():
    out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0 and "--quick" in out.stdout
