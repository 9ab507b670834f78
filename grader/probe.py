"""Running a probe next to a submission and turning what happens into evidence.

Whatever the submission does (returns, raises, exits) becomes plain data:
the probe's value through `evidence.encode`, or a `Failure` saying whose fault
it was: the student's (their exception with their file and line, a missing
function, a value of the wrong kind) or the grader's ('internal').
"""
from __future__ import annotations

import os
import random
import traceback
from typing import Any, Mapping

import torch

from grader.check import Check
from grader.evidence import EvidenceError, Failure, encode
from grader.importer import ImportFailure, SubmissionModules, _is_runner_signal, _text

__all__ = ["Api", "Mistake", "run_probe", "PROBE_SEED"]

PROBE_SEED = 0
_GRADER_DIR = os.path.dirname(os.path.abspath(__file__))


class Mistake(Exception):
    """Raised by a probe when the submission is unusable (a wrong return type, a missing name)."""


class Api:
    """What a probe sees of a submission: one exercise's names, the device, other exercises."""

    def __init__(self, modules: SubmissionModules, exercise: str, device: str = "cpu") -> None:
        self._modules, self._exercise, self.device = modules, exercise, device

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        module = self._modules.module(self._exercise)
        namespace = vars(module)  # not getattr: a module-level __getattr__ must not answer
        if name not in namespace:
            path = self._modules.submission.sources[self._exercise].path or f"{self._exercise}.py"
            raise Mistake(f"`{name}` is not defined in {path}")
        return namespace[name]

    def of(self, exercise: str) -> "Api":
        """The same view of another exercise of the same submission."""
        return Api(self._modules, exercise, self.device)


def run_probe(check: Check, modules: SubmissionModules, inputs: Mapping[str, Any], device: str = "cpu") -> Any:
    """Run `check.probe` on one input set; return JSON-ready evidence (value or Failure)."""
    with modules.active():
        _seed(PROBE_SEED)
        try:
            value = check.probe(Api(modules, check.exercise, device), **inputs)
            return encode(value)
        except BaseException as exc:  # noqa: BLE001 - every outcome becomes evidence
            if _is_runner_signal(exc):
                raise
            return encode(_failure(exc, modules))


# --- helpers -----------------------------------------------------------------


def _seed(seed: int) -> None:
    torch.manual_seed(seed)
    random.seed(seed)


def _failure(exc: BaseException, modules: SubmissionModules) -> Failure:
    if isinstance(exc, ImportFailure):
        return Failure("import", exc.message, exc.where, exc.exc_type)
    if isinstance(exc, Mistake):
        return Failure("mistake", _text(exc))
    if isinstance(exc, EvidenceError):
        return Failure("mistake", f"the returned value cannot be checked: {exc}")
    where = modules.where(exc)
    kind = "not_implemented" if isinstance(exc, NotImplementedError) else "exception"
    if isinstance(exc, SystemExit):
        return Failure("exception", f"called sys.exit({exc.code!r}) instead of returning", where, "SystemExit")
    if not where and _raised_in_grader(exc):
        frames = traceback.extract_tb(exc.__traceback__)
        last = frames[-1] if frames else None
        at = f"{os.path.basename(last.filename)}:{last.lineno}" if last else "?"
        return Failure("internal", f"{type(exc).__name__}: {_text(exc)} (grader {at})", "", type(exc).__name__)
    return Failure(kind, _text(exc), where, type(exc).__name__)


def _raised_in_grader(exc: BaseException) -> bool:
    """True when the deepest frame is grader code: a bug in a probe, not the student's doing."""
    frames = traceback.extract_tb(exc.__traceback__)
    return bool(frames) and os.path.abspath(frames[-1].filename).startswith(_GRADER_DIR)
