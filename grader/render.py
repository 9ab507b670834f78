"""Rendering results for people and tools: the score table, Markdown feedback, Gradescope JSON."""
from __future__ import annotations

from typing import Iterable

from grader.results import CheckResult, exercise_scores, fmt_points, total_score
from grader.unit import EXERCISE_IDS

__all__ = ["score_table", "SCORE_WIDTH", "GRADES_HEADER", "grades_row", "gradescope_json", "feedback_markdown"]

SCORE_WIDTH = 24


def score_table(results: Iterable[CheckResult]) -> list[str]:
    """`ex01_sequential          7/10` per exercise in unit order, then `total ...`."""
    results = list(results)
    lines = [f"{ex:<{SCORE_WIDTH}}{fmt_points(e)}/{fmt_points(p)}" for ex, (e, p) in exercise_scores(results).items()]
    earned, possible = total_score(results)
    lines.append(f"{'total':<{SCORE_WIDTH}}{fmt_points(earned)}/{fmt_points(possible)}")
    return lines


GRADES_HEADER = ("submission", *EXERCISE_IDS, "total", "max_total")


def grades_row(name: str, results: Iterable[CheckResult]) -> list[str]:
    """One grades.csv row: points per exercise in unit order, total, max_total."""

    results = list(results)
    scores = exercise_scores(results)
    earned, possible = total_score(results)
    return [name, *(fmt_points(scores.get(ex, (0.0, 0.0))[0]) for ex in EXERCISE_IDS),
            fmt_points(earned), fmt_points(possible)]


def gradescope_json(results: Iterable[CheckResult], seconds: float, notes: Iterable[str] = ()) -> dict:
    """Gradescope's results.json: score, max_score, tests[], execution_time, output, output_format."""
    results = list(results)
    earned, possible = total_score(results)
    summary = "\n".join(score_table(results))
    notes = list(notes)
    output = summary if not notes else "\n".join([*(f"note: {n}" for n in notes), "", summary])
    return {
        "score": earned,
        "max_score": possible,
        "execution_time": round(seconds, 3),
        "output": output,
        "output_format": "text",
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": [
            {
                "name": r.id,
                "score": r.points,
                "max_score": r.max_points,
                "status": "passed" if r.status == "passed" else "failed",
                "output": r.message or f"{r.exercise}: {r.title}: passed.",
                "output_format": "text",
                "visibility": "visible",
            }
            for r in results
        ],
    }


def feedback_markdown(name: str, results: Iterable[CheckResult], notes: Iterable[str] = ()) -> str:
    """The student's feedback, exercise by exercise, every failed check with its message."""
    results = list(results)
    earned, possible = total_score(results)
    lines = [f"# Feedback for {name}", "", f"**Total: {fmt_points(earned)}/{fmt_points(possible)}**", ""]
    for note in notes:
        lines.append(f"> note: {note}")
    if notes:
        lines.append("")
    scores = exercise_scores(results)
    for ex, (e, p) in scores.items():
        lines += [f"## {ex}: {fmt_points(e)}/{fmt_points(p)}", ""]
        for r in (r for r in results if r.exercise == ex):
            mark = "passed" if r.status == "passed" else ("INTERNAL ERROR" if r.status == "error" else "failed")
            lines.append(f"- {mark}: {r.title} ({fmt_points(r.points)}/{fmt_points(r.max_points)})")
            if r.message:
                lines += ["", "  ```", *(f"  {m}" for m in r.message.splitlines()), "  ```", ""]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
