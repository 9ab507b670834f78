"""Grading in this process: what `pytest exercises/` does on the student's machine.

The submission's code and the reference's run side by side (each in its own
`SubmissionModules`); their evidence goes through the same encode/decode as
in batch grading, so a verdict never sees a student's object, only data.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from grader.check import Check
from grader.evidence import decode
from grader.importer import SubmissionModules
from grader.judge import judge
from grader.loader import load_submission
from grader.probe import run_probe
from grader.results import CheckResult

__all__ = ["InProcessGrader"]


class InProcessGrader:
    """Runs each check's probe on the submission and the reference, then judges."""

    def __init__(self, submission: str | Path, reference: str | Path, device: str = "cpu") -> None:
        self.submission = load_submission(submission)
        self.reference = load_submission(reference)
        self.device = device
        self._student = SubmissionModules(self.submission)
        self._reference = SubmissionModules(self.reference)
        self._expected: dict[str, list[Any]] = {}

    def grade(self, check: Check) -> CheckResult:
        """One check, public inputs only."""
        inputs = [dict(i) for i in check.inputs]
        got = [decode(run_probe(check, self._student, i, self.device)) for i in inputs]
        return judge(check, got, self.expected(check), inputs)

    def expected(self, check: Check) -> list[Any]:
        """The reference's evidence for the check's public inputs, computed once."""
        if check.id not in self._expected:
            self._expected[check.id] = [
                decode(run_probe(check, self._reference, dict(i), self.device)) for i in check.inputs
            ]
        return self._expected[check.id]

    def notes(self) -> list[str]:
        """Loader notes worth telling the student (a .py beside an .ipynb, dropped magics)."""
        return [n for src in self.submission.sources.values() for n in src.notes]
