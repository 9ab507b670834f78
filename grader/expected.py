"""The reference's evidence on the public inputs, precomputed for a released repository.

A student's repository has no `reference/`: `grader release` runs every
check's probe on the reference (public inputs only) and ships the encoded
evidence as `grader/expected_public.json`. `InProcessGrader` judges against
that file when there is no reference folder. Public expected values are no
secret (EXERCISES.md states many of them); hidden inputs are never computed
here, so their answers cannot leak.

Each entry records the inputs it was computed for: a check whose public
inputs changed since the release is reported as an internal error (stale
file), never judged against the wrong values.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

from grader.check import Check
from grader.evidence import EvidenceError, Failure, decode, encode

__all__ = ["EXPECTED_FILE", "FORMAT", "ExpectedError", "ExpectedEvidence", "compute"]

EXPECTED_FILE = Path(__file__).resolve().parent / "expected_public.json"
FORMAT = 1


class ExpectedError(Exception):
    """The expected-evidence file is missing or unreadable: the instructor's mistake, not the student's."""


def compute(reference: str | Path, device: str = "cpu") -> dict:
    """Run every check's probe on the reference, public inputs only; JSON-ready data.

    Raises ExpectedError when the reference fails a check (a release must not
    ship expectations that no solution can meet).
    """
    import torch

    from grader.checks import CHECKS
    from grader.importer import SubmissionModules
    from grader.loader import load_submission
    from grader.probe import run_probe
    from grader.unit import EXERCISE_IDS

    sub = load_submission(reference)
    if sub.error:
        raise ExpectedError(f"reference={reference}: {sub.error}")
    modules = SubmissionModules(sub)
    checks: dict[str, dict] = {}
    for ex in EXERCISE_IDS:
        for check in CHECKS[ex]:
            inputs = [dict(i) for i in check.inputs]
            evidence = [run_probe(check, modules, i, device) for i in inputs]
            for inp, data in zip(inputs, evidence):
                value = decode(data)
                if isinstance(value, Failure):
                    raise ExpectedError(f"the reference fails {check.id} on {inp!r}: "
                                        f"{value.exc_type or value.kind}: {value.message}")
            checks[check.id] = {"inputs": encode(inputs), "evidence": evidence}
    return {"format": FORMAT, "device": device, "torch": torch.__version__, "checks": checks}


class ExpectedEvidence:
    """Decoded expected evidence per check id, from `compute()`'s data."""

    def __init__(self, data: Mapping[str, Any], origin: str = "<data>") -> None:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT or not isinstance(data.get("checks"), Mapping):
            found = data.get("format") if isinstance(data, Mapping) else type(data).__name__
            raise ExpectedError(f"{origin}: not an expected-evidence file of format {FORMAT} (format: {found!r})")
        self.origin = origin
        self.device = str(data.get("device", "cpu"))
        self.torch_version = str(data.get("torch", ""))
        self._checks = data["checks"]
        self._decoded: dict[str, list[Any]] = {}

    @classmethod
    def load(cls, path: str | Path = EXPECTED_FILE) -> "ExpectedEvidence":
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ExpectedError(f"{path}: missing. Without a reference/ folder the checks need this file; "
                                "it is written by `grader release`") from None
        except OSError as exc:
            raise ExpectedError(f"{path}: cannot be read ({exc.strerror or exc})") from None
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ExpectedError(f"{path}: not valid JSON ({exc})") from None
        return cls(data, str(path))

    def for_check(self, check: Check) -> list[Any]:
        """The decoded evidence per public input; a Failure('internal') per input when stale or missing."""
        if check.id not in self._decoded:
            self._decoded[check.id] = self._decode(check)
        return self._decoded[check.id]

    def _decode(self, check: Check) -> list[Any]:
        n = len(check.inputs)
        entry = self._checks.get(check.id)
        if not isinstance(entry, Mapping):
            return [Failure("internal", f"{self.origin} has no expected values for this check; "
                                        "the release is older than the checks")] * n
        if entry.get("inputs") != encode([dict(i) for i in check.inputs]):
            return [Failure("internal", f"{self.origin} was computed for other inputs of this check; "
                                        "the release is out of date")] * n
        evidence = entry.get("evidence")
        if not isinstance(evidence, list) or len(evidence) != n:
            return [Failure("internal", f"{self.origin}: malformed entry for this check")] * n
        try:
            return [decode(e) for e in evidence]
        except (EvidenceError, RecursionError, TypeError, ValueError) as exc:
            return [Failure("internal", f"{self.origin}: expected values do not decode ({exc})")] * n
