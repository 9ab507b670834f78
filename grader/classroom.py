"""GitHub Classroom: one exercise's checks as a runner result for the autograding reporter.

    python -m grader.classroom ex01_sequential

grades `exercises/ex01_sequential.py` in this process (as `pytest exercises/`
does: public inputs, the reference's evidence from `reference/` or from the
shipped `grader/expected_public.json`) and appends

    result=<base64 of {"version": 1, "status": ..., "max_score": M, "tests": [...]}>

to the file named by $GITHUB_OUTPUT (stdout when unset), the format that
`classroom-resources/autograding-grading-reporter` reads from
`<STEP_ID>_RESULTS`. One test entry per check, with the check's points as its
`score`: partial credit per check, and the reporter's "Total points" is the
sum the grader computes. The exit status is 0 whenever a result was written,
so a failed exercise never stops the later steps.

`python -m grader.classroom --crashed ex01_sequential` writes the result for a
step whose grading process died before writing one (the workflow runs it
after `||`): every check failed, nothing of the student's code is run again.
"""
from __future__ import annotations

import base64
import json
import os
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

__all__ = ["RESULT_VERSION", "classroom_result", "encode_result", "main"]

RESULT_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent


class OutcomeException(BaseException):
    """Named like pytest's outcome exceptions: probes let it through instead of blaming the student."""


class CheckTimeout(OutcomeException):
    """A check ran past its time limit."""


def classroom_result(results: Iterable) -> dict:
    """The reporter's runner result for one exercise's `CheckResult`s."""
    from grader.results import fmt_points

    results = list(results)
    tests = []
    for r in results:
        status = {"passed": "pass", "failed": "fail"}.get(r.status, "error")
        tests.append({
            "name": r.id,
            "status": status,
            "score": _number(r.points),
            "max_score": _number(r.max_points),
            "message": r.message or f"{r.exercise}: {r.title}: passed ({fmt_points(r.points)} points).",
            "test_code": r.title,
            "filename": f"exercises/{r.exercise}.py",
            "line_no": 0,
        })
    if any(t["status"] == "error" for t in tests):
        status = "error"
    elif any(t["status"] == "fail" for t in tests):
        status = "fail"
    else:
        status = "pass"
    return {"version": RESULT_VERSION, "status": status,
            "max_score": _number(round(sum(r.max_points for r in results), 6)), "tests": tests}


def encode_result(result: dict) -> str:
    """base64 of the compact JSON, as the reporter decodes it."""
    return base64.b64encode(json.dumps(result, separators=(",", ":")).encode("utf-8")).decode("ascii")


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    crashed = "--crashed" in args
    args = [a for a in args if a != "--crashed"]
    from grader.unit import EXERCISE_IDS

    if len(args) != 1 or args[0] not in EXERCISE_IDS:
        print(f"usage: python -m grader.classroom [--crashed] EXERCISE  (EXERCISE: one of {', '.join(EXERCISE_IDS)}; "
              f"got {' '.join(args) or 'nothing'})", file=sys.stderr)
        return 2
    exercise = args[0]
    output = os.environ.pop("GITHUB_OUTPUT", None)  # the student's code does not learn where results go
    results = _crashed(exercise) if crashed else _grade(exercise)
    _print_summary(exercise, results)
    line = f"result={encode_result(classroom_result(results))}\n"
    if output:
        with open(output, "a", encoding="utf-8") as fh:
            fh.write(line)
    else:
        sys.stdout.write(line)
    return 0


# --- helpers -----------------------------------------------------------------


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


def _grade(exercise: str) -> list:
    from grader.checks import checks_for
    from grader.evidence import Failure
    from grader.expected import ExpectedError
    from grader.inprocess import InProcessGrader
    from grader.judge import failed_result
    from grader.results import CheckResult

    reference = ROOT / "reference"
    checks = checks_for(exercise)
    try:
        grader = InProcessGrader(ROOT / "exercises", reference if reference.is_dir() else None, "cpu")
    except (ExpectedError, ValueError) as exc:
        return [failed_result(check, Failure("internal", str(exc))) for check in checks]
    results = []
    for check in checks:
        try:
            with _deadline(check.timeout):
                result = grader.grade(check)
        except CheckTimeout:
            result = failed_result(check, Failure("timeout", f"{check.timeout:g} s"))
        except Exception as exc:  # noqa: BLE001 - a grader bug is reported as one, never charged silently
            result = CheckResult(check.exercise, check.name, check.title, 0.0, check.points, "error", "internal",
                                 f"{check.exercise}: {check.title}: internal error ({type(exc).__name__}: {exc}). "
                                 "This is the grader's fault, not yours: tell your instructor.")
        results.append(result)
    return results


def _crashed(exercise: str) -> list:
    from grader.checks import checks_for
    from grader.evidence import Failure
    from grader.judge import failed_result

    failure = Failure("crash", f"the grading step for {exercise} stopped without a result (os._exit or sys.exit at "
                               "import, a segmentation fault, too much memory, or the step's time limit)")
    return [failed_result(check, failure) for check in checks_for(exercise)]


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    if not hasattr(signal, "setitimer"):
        yield
        return

    def expire(signum, frame):  # noqa: ARG001
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _print_summary(exercise: str, results: list) -> None:
    from grader.render import score_table

    for r in results:
        if r.status != "passed":
            print(r.message, end="\n\n")
    print(score_table(results)[0])
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
