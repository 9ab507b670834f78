"""`pytest exercises/` end to end, in a subprocess, as a student or a script runs it.

The hanging submission waits out one check's timeout (20 s): every run is
started in the background when this module begins, so they overlap.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest

from conftest import REFERENCE, ROOT, STUBS, assemble
from grader.checks import CHECKS, check_by_id
from grader.results import fmt_points

MAX_POINTS = {ex: sum(c.points for c in checks) for ex, checks in CHECKS.items()}
HANG_CHECK = check_by_id("ex01_sequential: architecture")


@dataclass
class Run:
    returncode: int
    output: str
    seconds: float


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider"]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


class Background:
    """`pytest ...` started now in a subprocess; `result()` waits for it."""

    def __init__(self, *args: str, timeout: float = 150) -> None:
        self.timeout = timeout
        self.start = time.monotonic()
        self.proc = subprocess.Popen(_command(*args), cwd=ROOT, env=_env(), text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self._run: Run | None = None

    def result(self) -> Run:
        if self._run is None:
            output, _ = self.proc.communicate(timeout=self.timeout)
            self._run = Run(self.proc.returncode, output, time.monotonic() - self.start)
        return self._run

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()


def score_rows(output: str) -> dict[str, str]:
    """{'ex01_sequential': '0/10', ..., 'total': '0/100'} from the score table."""
    return dict(re.findall(r"^(ex\d\d_\w+|total)\s+(\d+(?:\.\d+)?/\d+(?:\.\d+)?)$", output, re.MULTILINE))


def assert_no_grader_traceback(output: str) -> None:
    assert "Traceback (most recent call last)" not in output
    assert "grader/" not in output, [line for line in output.splitlines() if "grader/" in line][:5]


SOLVED = "ex04_tied_weights"  # the one exercise solved in the otherwise unsolved submission


@pytest.fixture(scope="module", autouse=True)
def runs(tmp_path_factory):
    """Every run this module inspects, all started at module start so that they overlap."""
    tmp = tmp_path_factory.mktemp("plugin")
    stub = (STUBS / "ex01_sequential.py").read_text()
    line = next(l for l in stub.splitlines() if "raise NotImplementedError" in l and "nn.Sequential" in l)
    hangs = assemble(tmp / "hangs", {"ex01_sequential.py": stub.replace(line, "    while True:\n        pass", 1)},
                     base=STUBS)
    one_solved = assemble(tmp / "one_solved", {f"{SOLVED}.py": REFERENCE / f"{SOLVED}.py"}, base=STUBS)
    started = {
        "hang": Background("exercises/test_ex01_sequential.py", "-k", HANG_CHECK.name, "--submission", str(hangs),
                           timeout=HANG_CHECK.timeout + 120),
        "stubs": Background("exercises/"),
        "reference": Background("exercises/", "--submission", "reference"),
        "one_solved": Background("exercises/", "--submission", str(one_solved)),
        "missing": Background("exercises/", "--submission", "does/not/exist"),
        "missing_ex01": Background("exercises/test_ex01_sequential.py", "--submission", "does/not/exist"),
    }
    yield {name: bg.result for name, bg in started.items()}
    for bg in started.values():
        bg.stop()


@pytest.fixture(scope="module")
def stub_run(runs) -> Run:
    return runs["stubs"]()


def test_stubs_fail_with_exit_code_1(stub_run):
    assert stub_run.returncode == 1, stub_run.output[-3000:]
    assert re.search(r"^=+ 42 failed in ", stub_run.output, re.MULTILINE), stub_run.output[-2000:]


@pytest.mark.parametrize("exercise", list(CHECKS))
def test_stubs_score_table_row(stub_run, exercise):
    assert re.search(rf"^{exercise}\s+0/{fmt_points(MAX_POINTS[exercise])}$", stub_run.output, re.MULTILINE), \
        stub_run.output[-1500:]


def test_stubs_score_table_total(stub_run):
    assert re.search(r"^total\s+0/100$", stub_run.output, re.MULTILINE)
    assert list(score_rows(stub_run.output)) == [*CHECKS, "total"]


def test_stubs_feedback_has_the_house_shape(stub_run):
    assert re.search(r"^ex01_sequential: build_seq_model\(\) layers: not implemented yet \(NotImplementedError: .+\)\.$",
                     stub_run.output, re.MULTILINE)
    assert re.search(r"^  at:\s+ex01_sequential\.py, line \d+, in build_seq_model$", stub_run.output, re.MULTILINE)
    hints = re.findall(r"^  Hint: .+$", stub_run.output, re.MULTILINE)
    assert len(hints) >= 42


def test_stubs_show_no_grader_traceback(stub_run):
    assert_no_grader_traceback(stub_run.output)


def test_reference_scores_100(runs):
    run = runs["reference"]()
    assert run.returncode == 0, run.output[-3000:]
    assert re.search(r"^total\s+100/100$", run.output, re.MULTILINE)
    assert score_rows(run.output) == {**{ex: f"{fmt_points(p)}/{fmt_points(p)}" for ex, p in MAX_POINTS.items()},
                                      "total": "100/100"}
    assert_no_grader_traceback(run.output)


def test_one_solved_exercise_gets_its_points_and_the_rest_zero(runs):
    run = runs["one_solved"]()
    assert run.returncode == 1
    expected = {ex: f"{fmt_points(p if ex == SOLVED else 0)}/{fmt_points(p)}" for ex, p in MAX_POINTS.items()}
    expected["total"] = f"{fmt_points(MAX_POINTS[SOLVED])}/100"
    assert score_rows(run.output) == expected, run.output[-1500:]
    assert re.search(rf"^=+ {42 - len(CHECKS[SOLVED])} failed, {len(CHECKS[SOLVED])} passed in ", run.output,
                     re.MULTILINE)
    assert f"FAILED exercises/test_{SOLVED}.py" not in run.output


def test_missing_submission_is_a_usage_error(runs):
    run = runs["missing"]()
    assert "does/not/exist" in run.output
    assert run.returncode == pytest.ExitCode.USAGE_ERROR, run.output[-2000:]
    assert "passed" not in run.output and "failed" not in run.output
    assert_no_grader_traceback(run.output)


def test_missing_submission_earns_nothing(runs):
    """Holds today already: a missing submission is not silently replaced by the stubs or the reference."""
    run = runs["missing_ex01"]()
    assert run.returncode != 0
    assert not re.search(r"\d+ passed", run.output)
    assert all(row.startswith("0/") for row in score_rows(run.output).values())


def test_hanging_check_is_failed_after_its_timeout(runs):
    run = runs["hang"]()
    assert run.returncode == 1, run.output[-3000:]
    assert f"ex01_sequential: build_seq_model() layers: did not finish within the time limit " \
           f"({HANG_CHECK.timeout:g} s)." in run.output
    assert re.search(r"^  Hint: look for a loop that never ends", run.output, re.MULTILINE)
    assert score_rows(run.output) == {"ex01_sequential": f"0/{fmt_points(HANG_CHECK.points)}",
                                      "total": f"0/{fmt_points(HANG_CHECK.points)}"}
    assert re.search(r"^=+ 1 failed, 4 deselected in ", run.output, re.MULTILINE), run.output[-1500:]
    assert HANG_CHECK.timeout <= run.seconds < HANG_CHECK.timeout + 60
    assert_no_grader_traceback(run.output)
