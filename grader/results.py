"""Results as data: one `CheckResult` per check, and scores per exercise.

Rendering (terminal table, Markdown, Gradescope JSON) lives in `grader.render`;
nothing here formats for a particular audience.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Iterable

from grader.unit import EXERCISE_IDS

__all__ = ["CheckResult", "exercise_scores", "total_score", "fmt_points"]

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission.

    status: 'passed', 'failed' (the student's mistake, costs the points) or
    'error' (the grader's or the instructor's fault: reported loudly as an
    internal error, never passed off as the student's mistake).
    kind: what happened: 'ok', 'mismatch', 'exception', 'not_implemented',
    'import', 'mistake', 'timeout', 'crash', 'internal'.
    diagnoses: names of the catalogued mistakes (grader/diagnosis.py) of this
    exercise that give exactly the submission's result; () when none fits.
    """

    exercise: str
    check: str
    title: str
    points: float
    max_points: float
    status: str
    kind: str
    message: str = ""
    diagnoses: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.exercise}: {self.check}"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["diagnoses"] = list(self.diagnoses)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "CheckResult":
        """Also reads dicts written before `diagnoses` existed."""
        values = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        values["diagnoses"] = tuple(values.get("diagnoses") or ())
        return cls(**values)


def exercise_scores(results: Iterable[CheckResult]) -> dict[str, tuple[float, float]]:
    """{exercise: (earned, possible)} in unit order, for the exercises present."""
    scores: dict[str, list[float]] = {}
    for r in results:
        earned, possible = scores.setdefault(r.exercise, [0.0, 0.0])
        scores[r.exercise] = [earned + r.points, possible + r.max_points]
    order = {ex: i for i, ex in enumerate(EXERCISE_IDS)}
    return {ex: (round(e, 6), round(p, 6)) for ex, (e, p) in sorted(scores.items(), key=lambda kv: order.get(kv[0], 99))}


def total_score(results: Iterable[CheckResult]) -> tuple[float, float]:
    scores = exercise_scores(results).values()
    return round(sum(e for e, _ in scores), 6), round(sum(p for _, p in scores), 6)


def fmt_points(value: float) -> str:
    """7 -> '7', 7.5 -> '7.5': integral points without a decimal point."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
