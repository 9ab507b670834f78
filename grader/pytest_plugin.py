"""The pytest side: `pytest exercises/ [--submission PATH]` runs every declared check.

`exercises/conftest.py` imports this module's hooks. Each exercise's test
module holds one test, parametrised over that exercise's checks; a failed
check fails with its house-shape message (no traceback), a timeout is a failed
check, and the run ends with the score table scripts read:

    ex01_sequential          7/10
    total                    70/100
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.checks import CHECKS, checks_for
from grader.check import Check
from grader.evidence import Failure
from grader.judge import failed_result
from grader.render import score_table
from grader.results import CheckResult

__all__ = [
    "pytest_addoption",
    "pytest_configure",
    "pytest_generate_tests",
    "pytest_runtest_makereport",
    "pytest_terminal_summary",
    "grade",
]

_KEY = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "course autograder")
    group.addoption("--submission", default=None, metavar="PATH",
                    help="grade this submission (folder, zip, notebook) instead of the stubs in exercises/; "
                         "'reference' grades the reference solutions")
    group.addoption("--device", default="auto", choices=("auto", "cpu", "cuda"),
                    help="device for the probes that build and train models (default: auto, CUDA when present; "
                         "a released repository without reference/ uses the device its expected values were made on)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "grader_check(check): a declared autograder check")
    config.stash[_KEY] = {"results": {}, "grader": None}
    option = config.getoption("--submission", None)
    if option:
        _resolve(option, Path(str(config.rootpath)))  # a wrong path is a usage error before anything runs


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "check" not in metafunc.fixturenames:
        return
    exercise = getattr(metafunc.module, "EXERCISE", None)
    if exercise not in CHECKS:
        raise pytest.UsageError(f"{metafunc.module.__name__}: EXERCISE = {exercise!r} is not an exercise id")
    metafunc.parametrize(
        "check",
        [pytest.param(c, id=c.name, marks=[pytest.mark.timeout(c.timeout), pytest.mark.grader_check(c)])
         for c in checks_for(exercise)],
    )


@pytest.fixture
def grade(request: pytest.FixtureRequest):
    """Run a check on the submission under test; fail with its message when it does not pass."""
    state = request.config.stash[_KEY]

    def run(check: Check) -> CheckResult:
        __tracebackhide__ = True
        result = _grader(request.config).grade(check)
        state["results"][check.id] = result
        if result.status != "passed":
            pytest.fail(result.message, pytrace=False)
        return result

    return run


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    marker = item.get_closest_marker("grader_check")
    if marker is None or call.when != "call":
        return report
    check: Check = marker.args[0]
    state = item.config.stash[_KEY]
    if check.id not in state["results"] and report.failed:
        text = str(report.longrepr)
        kind = "timeout" if "Timeout" in text else "internal"  # anything else escaped the grader itself
        detail = f"{check.timeout:g} s" if kind == "timeout" else text.strip().splitlines()[-1][:300]
        result = failed_result(check, Failure(kind, detail))
        state["results"][check.id] = result
        report.longrepr = result.message
    return report


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    state = config.stash.get(_KEY, None)
    if not state or not state["results"]:
        return
    grader = state["grader"]
    notes = grader.notes() if grader is not None else []
    tr = terminalreporter
    tr.section("score")
    for note in notes:
        tr.write_line(f"note: {note}")
    for line in score_table(state["results"].values()):
        tr.write_line(line)


# --- helpers -----------------------------------------------------------------


def _grader(config: pytest.Config):
    state = config.stash[_KEY]
    if state["grader"] is None:
        from grader.device import resolve_device
        from grader.expected import ExpectedError
        from grader.inprocess import InProcessGrader

        root = Path(str(config.rootpath))
        option = config.getoption("--submission")
        submission = _resolve(option, root) if option else root / "exercises"
        reference = root / "reference"  # absent in a released student repository: expected values ship instead
        choice = config.getoption("--device")
        try:
            device = resolve_device(choice) if reference.is_dir() or choice != "auto" else None
            state["grader"] = InProcessGrader(submission, reference if reference.is_dir() else None, device)
        except (ExpectedError, ValueError) as exc:
            pytest.exit(f"grader: {exc}", returncode=pytest.ExitCode.USAGE_ERROR)
    return state["grader"]


def _resolve(option: str, root: Path) -> Path:
    path = Path(option)
    if not path.exists() and (root / option).exists():
        path = root / option
    if not path.exists():
        raise pytest.UsageError(f"--submission={option!r}: no such file or folder")
    return path
