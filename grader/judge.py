"""Verdicts: the student's evidence against the reference's, into a `CheckResult`.

Runs only in the trusted process. Every message has the house shape:
`exercise: what was checked: what came, expected what.` then indented
`input:`, `Diagnosis:` (when a catalogued mistake gives exactly this result)
and `Hint:` lines.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from grader.check import Check
from grader.compare import Mismatch
from grader.diagnosis import KnownMistake, Mistaken, diagnose, diagnosis_lines
from grader.evidence import Failure
from grader.results import ERROR, FAILED, PASSED, CheckResult

__all__ = ["judge", "failed_result", "format_inputs"]


def judge(
    check: Check,
    got: Sequence[Any],
    expected: Sequence[Any],
    inputs: Sequence[Mapping[str, Any]],
    hidden: Sequence[bool] | None = None,
    mistaken: Mistaken | None = None,
) -> CheckResult:
    """Compare per input set; the first failing input decides the message.

    mistaken(mistake): the evidence the reference gives when it makes a
    catalogued mistake, per input set (computed only when the check fails);
    a failure whose evidence equals it is diagnosed as that mistake.
    """
    hidden = hidden or [False] * len(inputs)
    for g, e, inp, secret in zip(got, expected, inputs, hidden):
        if isinstance(e, Failure):
            text = (f"{check.exercise}: {check.title}: internal error: the reference solution fails this check "
                    f"({e.exc_type or e.kind}: {e.message}). This is the grader's or the instructor's fault, not yours.")
            return _result(check, ERROR, "internal", text)
        if isinstance(g, Failure):
            return failed_result(check, g, inp, secret, _diagnose(check, got, expected, mistaken))
        try:
            mismatch = check.verdict(g, e)
        except Exception as exc:  # noqa: BLE001 - a verdict bug must not be charged to the student
            text = (f"{check.exercise}: {check.title}: internal error in the verdict "
                    f"({type(exc).__name__}: {exc}). This is the grader's fault, not yours.")
            return _result(check, ERROR, "internal", text)
        if mismatch is not None:
            found = _diagnose(check, got, expected, mistaken)
            return _result(check, FAILED, "mismatch", _mismatch_message(check, mismatch, inp, secret, found),
                           diagnoses=found)
    return _result(check, PASSED, "ok", "", points=check.points)


def failed_result(check: Check, failure: Failure, inputs: Mapping[str, Any] | None = None, hidden: bool = False,
                  diagnoses: Sequence[KnownMistake] = ()) -> CheckResult:
    """The result for a probe that did not return (exception, timeout, crash, ...)."""
    head = f"{check.exercise}: {check.title}: "
    kind = failure.kind
    if kind == "not_implemented":
        body = f"not implemented yet (NotImplementedError: {failure.message})."
        hint = "replace the `raise NotImplementedError(...)` line with your code."
    elif kind == "exception":
        body = f"your code raised {failure.exc_type}: {failure.message}"
        hint = check.hint
    elif kind == "import":
        body = failure.message
        hint = "fix this first: no check of this exercise can run until the file imports."
    elif kind == "not_run":
        body = f"not run: {failure.message}."
        hint = "an earlier check of this exercise hung; fix that first (look for a loop that never ends)."
    elif kind == "timeout":
        body = f"did not finish within the time limit ({failure.message})."
        hint = "look for a loop that never ends, or far more work than the task needs (e.g. a huge n_epochs)."
    elif kind == "crash":
        body = f"the process running your code died: {failure.message}."
        hint = "this happens on os._exit, a segmentation fault, or using more memory than allowed."
    elif kind == "internal":
        text = (head + f"internal error while checking ({failure.message}). "
                "This is the grader's fault, not yours: tell your instructor.")
        return _result(check, ERROR, "internal", text)
    else:
        body = failure.message.rstrip(".") + "."
        hint = check.hint
    lines = [head + body]
    if failure.where:
        lines.append(f"  at:       {failure.where}")
    lines += _context_lines(inputs or {}, hidden, hint, diagnoses)
    return _result(check, FAILED, kind, "\n".join(lines), diagnoses=diagnoses)


def format_inputs(inputs: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in inputs.items())


# --- helpers -----------------------------------------------------------------


def _diagnose(check: Check, got: Sequence[Any], expected: Sequence[Any],
              mistaken: Mistaken | None) -> tuple[KnownMistake, ...]:
    if mistaken is None or any(isinstance(e, Failure) for e in expected):
        return ()
    try:
        return diagnose(check, got, expected, mistaken)
    except Exception:  # noqa: BLE001 - a diagnosis bug must not cost the student the plain message
        return ()


def _mismatch_message(check: Check, mismatch: Mismatch, inputs: Mapping[str, Any], hidden: bool,
                      diagnoses: Sequence[KnownMistake] = ()) -> str:
    head = f"{check.exercise}: {check.title}: "
    if hidden:
        first = head + f"wrong on a hidden input: {check.subject}{mismatch.path} differs ({mismatch.what})."
    else:
        first = head + mismatch.sentence(check.subject) + "."
    return "\n".join([first, *_context_lines(inputs, hidden, check.hint_for(mismatch), diagnoses)])


def _context_lines(inputs: Mapping[str, Any], hidden: bool, hint: str,
                   diagnoses: Sequence[KnownMistake] = ()) -> list[str]:
    lines = []
    if hidden:
        lines.append("  input:    hidden (the public checks pass but this one does not: are defaults or sizes hard-coded?)")
    elif inputs:
        lines.append(f"  input:    {format_inputs(inputs)}")
    found, specific = diagnosis_lines(diagnoses)
    lines += found
    hint = specific or hint
    if hint:
        lines.append(f"  Hint: {hint}")
    return lines


def _result(check: Check, status: str, kind: str, message: str, points: float = 0.0,
            diagnoses: Sequence[KnownMistake] = ()) -> CheckResult:
    return CheckResult(check.exercise, check.name, check.title, points, check.points, status, kind, message,
                       tuple(m.name for m in diagnoses))
