"""Rendering results for people and tools: the score table, Markdown feedback, Gradescope JSON."""
from __future__ import annotations

from typing import Iterable

from grader.results import CheckResult, exercise_scores, fmt_points, total_score

__all__ = ["score_table", "SCORE_WIDTH"]

SCORE_WIDTH = 24


def score_table(results: Iterable[CheckResult]) -> list[str]:
    """`ex01_sequential          7/10` per exercise in unit order, then `total ...`."""
    results = list(results)
    lines = [f"{ex:<{SCORE_WIDTH}}{fmt_points(e)}/{fmt_points(p)}" for ex, (e, p) in exercise_scores(results).items()]
    earned, possible = total_score(results)
    lines.append(f"{'total':<{SCORE_WIDTH}}{fmt_points(earned)}/{fmt_points(possible)}")
    return lines
