"""Shared fixtures for the grader's own tests: paths, assembling submissions, one grading per submission.

A test never grades a folder in place: `assemble` copies a base (the
reference solutions by default, or the stubs) into a temporary folder and lays
the files under test on top, so a known-wrong submission only needs to hold
the one exercise file that differs.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Mapping, Union

import pytest

from grader.check import Check
from grader.checks import CHECKS
from grader.inprocess import InProcessGrader
from grader.results import CheckResult

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
SUBMISSIONS = ROOT / "tests" / "submissions"
WRONG = SUBMISSIONS / "wrong"
ALT_CORRECT = SUBMISSIONS / "alt_correct"
GOLDEN = ROOT / "tests" / "golden"

ALL_CHECKS: tuple[Check, ...] = tuple(c for checks in CHECKS.values() for c in checks)
ALL_IDS: tuple[str, ...] = tuple(c.id for c in ALL_CHECKS)

# Gradescope's results.json ("Autograder specifications: output format"), the parts this grader writes.
GRADESCOPE_SCHEMA = {
    "type": "object",
    "required": ["score", "max_score", "execution_time", "output", "output_format", "visibility",
                 "stdout_visibility", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "max_score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "stdout_visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "status", "output", "visibility"],
                "properties": {
                    "name": {"type": "string", "minLength": 1},
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "status": {"enum": ["passed", "failed"]},
                    "output": {"type": "string"},
                    "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                    "visibility": {"enum": ["hidden", "after_due_date", "after_published", "visible"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "number": {"type": "string"},
                },
            },
        },
    },
}

Overrides = Union[Path, Mapping[str, Union[str, Path]]]
Grading = dict[str, CheckResult]


def exercise_files(folder: Path) -> list[Path]:
    """The `exNN_*.py` files of a folder (not the stubs' test modules or conftest)."""
    return sorted(folder.glob("ex[0-9][0-9]_*.py"))


def assemble(dest: Path, overrides: Overrides | None = None, base: Path = REFERENCE) -> Path:
    """A complete submission in `dest`: every exercise file of `base`, then `overrides` on top.

    `overrides` is a folder (its `exNN_*.py` files replace base's) or a mapping
    `{"ex01_sequential.py": Path or source text}`.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for path in exercise_files(base):
        shutil.copyfile(path, dest / path.name)
    if isinstance(overrides, Path):
        files = exercise_files(overrides)
        if not files:
            raise ValueError(f"{overrides} holds no exNN_*.py file")
        for path in files:
            shutil.copyfile(path, dest / path.name)
    elif overrides:
        for name, content in overrides.items():
            if isinstance(content, Path):
                shutil.copyfile(content, dest / name)
            else:
                (dest / name).write_text(content)
    return dest


def grade_all(grader: InProcessGrader) -> Grading:
    """Every declared check, in unit order, by check id."""
    return {check.id: grader.grade(check) for check in ALL_CHECKS}


class SharedReferenceGrader(InProcessGrader):
    """Grades its submission afresh; the reference's evidence comes from one grader shared by all.

    Only to keep the suite fast: the reference's probes give the same evidence
    whichever submission they are compared with.
    """

    def __init__(self, submission: Path, shared: InProcessGrader) -> None:
        super().__init__(submission, REFERENCE)
        self._shared = shared

    def expected(self, check: Check):
        return self._shared.expected(check)


@pytest.fixture(scope="session")
def reference_grader() -> InProcessGrader:
    return InProcessGrader(REFERENCE, REFERENCE)


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory,
           reference_grader: InProcessGrader) -> Callable[..., Grading]:
    """`graded(name, overrides, base=REFERENCE)`: all checks on the assembled submission, graded once per name."""
    cache: dict[str, Grading] = {}
    root = tmp_path_factory.mktemp("submissions")

    def grade(name: str, overrides: Overrides | None = None, base: Path = REFERENCE) -> Grading:
        if name not in cache:
            submission = assemble(root / name, overrides, base)
            cache[name] = grade_all(SharedReferenceGrader(submission, reference_grader))
        return cache[name]

    return grade
