"""`grader export OUT --format canvas|csv|json`: the gradebook in the form an LMS imports.

Reads `OUT/gradebook.sqlite` (what `grader grade --out OUT` wrote); only
submissions graded to the end are exported.

- canvas: Canvas's gradebook import CSV. Header
  `Student,ID,SIS User ID,SIS Login ID,Section,<Assignment Name (id)>`, then a
  `Points Possible` row, then one row per submission. Needs a roster CSV with
  the columns `submission,Student,ID,SIS User ID,SIS Login ID,Section`
  mapping submission names to Canvas students. A submission with no roster
  entry is reported and kept (its row carries the submission name and no
  IDs, so Canvas lists it as unmatched instead of it vanishing); a roster
  student with no submission is reported.
- csv: `submission`, points per exercise, `total`, `max_total` (grades.csv's
  columns), plus the roster's columns when a roster is given.
- json: every submission with its total, exercises and checks.
"""
from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from grader.results import exercise_scores, fmt_points, total_score
from grader.unit import EXERCISE_IDS

__all__ = ["ExportError", "ExportReport", "CANVAS_COLUMNS", "ROSTER_COLUMNS", "export", "read_roster"]

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
ROSTER_COLUMNS = ("submission", *CANVAS_COLUMNS)
FORMATS = ("canvas", "csv", "json")
_DEFAULT_FILES = {"canvas": "canvas.csv", "csv": "gradebook.csv", "json": "gradebook.json"}


class ExportError(Exception):
    """The export cannot be written as asked (no gradebook, a bad roster, ...)."""


@dataclass
class ExportReport:
    path: Path
    rows: int
    unmatched: list[str] = field(default_factory=list)  # submissions without a roster entry
    missing: list[str] = field(default_factory=list)  # roster entries without a graded submission
    warnings: list[str] = field(default_factory=list)


def read_roster(path: Path) -> dict[str, dict[str, str]]:
    """{submission name: {column: value}}; ExportError naming the file, line and problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from Excel is fine
    except OSError as exc:
        raise ExportError(f"--roster {path}: cannot be read ({exc.strerror or exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        raise ExportError(f"--roster {path}: header {','.join(header) or '(empty)'} lacks {', '.join(missing)}; "
                          f"expected {','.join(ROSTER_COLUMNS)}")
    roster: dict[str, dict[str, str]] = {}
    for number, row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        name = row.get("submission", "")
        if not name and not any(row.values()):
            continue
        if not name:
            raise ExportError(f"--roster {path}, line {number}: empty submission name")
        if name in roster:
            raise ExportError(f"--roster {path}, line {number}: submission {name!r} is listed twice")
        roster[name] = {c: row.get(c, "") for c in CANVAS_COLUMNS}
    return roster


def export(out: Path, fmt: str, *, roster: Path | None = None, assignment: str = "nn.Module parameters",
           assignment_id: str | None = None, output: Path | None = None) -> ExportReport:
    """Write OUT's gradebook as `fmt`; see the module docstring."""
    from grader.gradebook import Gradebook

    if fmt not in FORMATS:
        raise ExportError(f"--format {fmt!r}: expected one of {', '.join(FORMATS)}")
    out = Path(out)
    db = out / "gradebook.sqlite"
    if not db.is_file():
        raise ExportError(f"{out}: no gradebook.sqlite (run `grader grade CLASS --out {out}` first)")
    if fmt == "canvas" and roster is None:
        raise ExportError("--format canvas needs --roster ROSTER.csv (columns: " + ",".join(ROSTER_COLUMNS) + ")")
    people = read_roster(roster) if roster is not None else None
    book = Gradebook(db)
    try:
        names = book.names("complete")
        graded = {name: book.results(name) for name in names}
        incomplete = book.names("running")
    finally:
        book.close()
    report = ExportReport(Path(output) if output else out / _DEFAULT_FILES[fmt], len(names))
    if incomplete:
        report.warnings.append(f"{len(incomplete)} submission(s) not graded to the end, left out: "
                               f"{', '.join(incomplete)} (run `grader grade` again to finish them)")
    if people is not None:
        report.unmatched = [n for n in names if n not in people]
        report.missing = sorted(n for n in people if n not in graded)
        if report.unmatched:
            report.warnings.append(f"{len(report.unmatched)} submission(s) with no roster entry, exported without a "
                                   f"student ID: {', '.join(report.unmatched)}")
        if report.missing:
            report.warnings.append(f"{len(report.missing)} roster entries with no graded submission: "
                                   f"{', '.join(report.missing)}")
    if fmt == "canvas":
        text = _canvas(graded, people or {}, assignment, assignment_id)
    elif fmt == "csv":
        text = _csv(graded, people)
    else:
        text = json.dumps(_json(graded, people, assignment, assignment_id), indent=2) + "\n"
    report.path.parent.mkdir(parents=True, exist_ok=True)
    tmp = report.path.with_name(f".{report.path.name}.tmp")
    tmp.write_text(text, encoding="utf-8", newline="")
    os.replace(tmp, report.path)
    return report


# --- helpers -----------------------------------------------------------------


def _max_total(graded: dict) -> float:
    totals = {total_score(results)[1] for results in graded.values()}
    if totals:
        return max(totals)
    from grader.checks import CHECKS

    return float(sum(c.points for checks in CHECKS.values() for c in checks))


def _canvas(graded: dict, people: dict, assignment: str, assignment_id: str | None) -> str:
    column = f"{assignment} ({assignment_id})" if assignment_id else assignment
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([*CANVAS_COLUMNS, column])
    writer.writerow(["Points Possible", "", "", "", "", fmt_points(_max_total(graded))])
    for name, results in graded.items():
        person = people.get(name)
        cells = [person[c] for c in CANVAS_COLUMNS] if person else [name, "", "", "", ""]
        writer.writerow([*cells, fmt_points(total_score(results)[0])])
    return buffer.getvalue()


def _csv(graded: dict, people: dict | None) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    extra = list(CANVAS_COLUMNS) if people is not None else []
    writer.writerow(["submission", *extra, *EXERCISE_IDS, "total", "max_total"])
    for name, results in graded.items():
        scores = exercise_scores(results)
        earned, possible = total_score(results)
        person = (people or {}).get(name, {})
        writer.writerow([name, *(person.get(c, "") for c in extra),
                         *(fmt_points(scores.get(ex, (0.0, 0.0))[0]) for ex in EXERCISE_IDS),
                         fmt_points(earned), fmt_points(possible)])
    return buffer.getvalue()


def _json(graded: dict, people: dict | None, assignment: str, assignment_id: str | None) -> dict:
    submissions = []
    for name, results in graded.items():
        earned, possible = total_score(results)
        entry = {
            "submission": name,
            "score": earned,
            "max_score": possible,
            "exercises": {ex: {"score": e, "max_score": p} for ex, (e, p) in exercise_scores(results).items()},
            "checks": [{"id": r.id, "score": r.points, "max_score": r.max_points, "status": r.status}
                       for r in results],
        }
        if people is not None:
            entry["student"] = people.get(name)
        submissions.append(entry)
    return {"assignment": assignment, "assignment_id": assignment_id, "max_score": _max_total(graded),
            "submissions": submissions}
