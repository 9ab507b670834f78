"""Grading in this process: what `pytest exercises/` does on the student's machine.

The submission's code and the reference's run side by side (each in its own
`SubmissionModules`); their evidence goes through the same encode/decode as
in batch grading, so a verdict never sees a student's object, only data.

In a released student repository there is no `reference/`: the reference's
evidence on the public inputs comes precomputed from
`grader/expected_public.json` (see `grader.expected`).
"""
from __future__ import annotations

from pathlib import Path
import threading
from typing import Any

from grader.check import Check
from grader.diagnosis import KnownMistake, mutant
from grader.evidence import decode
from grader.importer import SubmissionModules
from grader.judge import judge
from grader.loader import load_submission
from grader.probe import run_probe
from grader.results import CheckResult

__all__ = ["InProcessGrader"]

# Mistaken evidence depends only on the reference's content, the device and the check: shared by every
# grader of this process (a test suite grades many submissions against one reference).
_MISTAKEN: dict[tuple[str, str, str, str], list[Any]] = {}
_MUTANTS: dict[tuple[str, str], SubmissionModules] = {}
_LOCK = threading.RLock()


class InProcessGrader:
    """Runs each check's probe on the submission and the reference, then judges.

    `reference` is a folder of reference solutions; when it is None (or does
    not exist) the expected evidence is read from `expected` (a path, default
    `grader/expected_public.json`). Raises `grader.expected.ExpectedError`
    when neither is usable, and ValueError when the precomputed evidence was
    made for another device than `device`.
    """

    def __init__(self, submission: str | Path, reference: str | Path | None = None, device: str | None = "cpu",
                 expected: str | Path | None = None) -> None:
        """device=None: the shipped expected values' device (with a reference folder: the CPU)."""
        self.submission = load_submission(submission)
        self.device = device or "cpu"
        self._student = SubmissionModules(self.submission)
        self._expected: dict[str, list[Any]] = {}
        self._precomputed = None
        self.reference = None
        self._reference = None
        if reference is not None and Path(reference).exists():
            self.reference = load_submission(reference)
            self._reference = SubmissionModules(self.reference)
        else:
            from grader.expected import EXPECTED_FILE, ExpectedEvidence

            self._precomputed = ExpectedEvidence.load(expected or EXPECTED_FILE)
            self.device = device = device or self._precomputed.device
            if self._precomputed.device != device:
                raise ValueError(f"device={device!r}: the expected values shipped in {self._precomputed.origin} "
                                 f"were computed on {self._precomputed.device!r}; run with "
                                 f"--device {self._precomputed.device}")

    def grade(self, check: Check) -> CheckResult:
        """One check, public inputs only."""
        inputs = [dict(i) for i in check.inputs]
        got = [decode(run_probe(check, self._student, i, self.device)) for i in inputs]
        return judge(check, got, self.expected(check), inputs, mistaken=lambda m: self.mistaken(check, m))

    def expected(self, check: Check) -> list[Any]:
        """The reference's evidence for the check's public inputs, computed (or read) once."""
        if check.id not in self._expected:
            if self._precomputed is not None:
                self._expected[check.id] = self._precomputed.for_check(check)
            else:
                self._expected[check.id] = [
                    decode(run_probe(check, self._reference, dict(i), self.device)) for i in check.inputs
                ]
        return self._expected[check.id]

    def mistaken(self, check: Check, mistake: KnownMistake) -> list[Any]:
        """The evidence of the reference made to make `mistake`, for the check's public inputs (cached).

        Without a reference folder, precomputed mistaken evidence is used when the shipped file has it
        (`mistaken_for`); otherwise KeyError, and the failure is simply not diagnosed.
        """
        if self.reference is None:
            lookup = getattr(self._precomputed, "mistaken_for", None)
            if lookup is None:
                raise KeyError(mistake.id)
            return lookup(check, mistake)
        key = (self.reference.digest, self.device, check.id, mistake.id)
        with _LOCK:
            if key not in _MISTAKEN:
                mod_key = (self.reference.digest, mistake.id)
                if mod_key not in _MUTANTS:
                    _MUTANTS[mod_key] = SubmissionModules(mutant(self.reference, mistake))
                modules = _MUTANTS[mod_key]
                _MISTAKEN[key] = [decode(run_probe(check, modules, dict(i), self.device)) for i in check.inputs]
            return _MISTAKEN[key]

    def notes(self) -> list[str]:
        """Loader notes worth telling the student (a .py beside an .ipynb, dropped magics)."""
        return [n for src in self.submission.sources.values() for n in src.notes]
