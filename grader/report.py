"""The class report: one self-contained HTML page for the instructor, and an HTML feedback page per student.

`grader report OUT` reads OUT/gradebook.sqlite only (no student code runs):
the results with their diagnoses, the timings, and the traces that batch
grading kept (the fit_thermometer loss histories of every submission and of
the reference). Plots are drawn with matplotlib's Agg canvas (no display
needed) and embedded as base64 PNG, so each page is one file that opens
anywhere.
"""
from __future__ import annotations

import base64
import html
import io
import math
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from grader.gradebook import Gradebook
from grader.results import CheckResult, exercise_scores, fmt_points, total_score
from grader.unit import EXERCISE_IDS

__all__ = ["write_report", "ReportError", "CURVE_TRACE", "NOT_RUN_KINDS"]

CURVE_TRACE = "ex05_training_loop: fit_converges"  # the fit_thermometer history kept per submission
NOT_RUN_KINDS = ("import", "timeout", "crash", "not_run")  # the submission's code did not run to an answer
TOP = 10


class ReportError(Exception):
    """OUT holds nothing to report on: exit non-zero with one line."""


@dataclass
class _Student:
    name: str
    results: list[CheckResult]
    seconds: float | None
    error: str = ""
    notes: list[str] = field(default_factory=list)
    curve: list | None = None

    @property
    def total(self) -> tuple[float, float]:
        return total_score(self.results)


def write_report(out: Path) -> tuple[Path, list[Path]]:
    """Write OUT/report.html and OUT/feedback/<name>.html; return their paths."""
    out = Path(out)
    db = out / "gradebook.sqlite"
    if not db.is_file():
        raise ReportError(f"{out}: no gradebook.sqlite here; run `grader grade CLASS_DIR --out {out}` first")
    book = Gradebook(db)
    try:
        students = _load(book)
        unfinished = book.names("running")
        reference_curve = book.traces(None).get(CURVE_TRACE)
    finally:
        book.close()
    if not students and not unfinished:
        raise ReportError(f"{out}: the gradebook holds no graded submission yet")
    page = _class_page(students, unfinished, reference_curve)
    report = out / "report.html"
    _atomic_write(report, page)
    (out / "feedback").mkdir(exist_ok=True)
    pages = []
    for s in students:
        path = out / "feedback" / f"{s.name}.html"
        _atomic_write(path, _student_page(s, reference_curve))
        pages.append(path)
    return report, pages


# --- data --------------------------------------------------------------------------


def _load(book: Gradebook) -> list[_Student]:
    students = []
    for name in book.names("complete"):
        row = book.submission(name) or {}
        students.append(_Student(name, book.results(name), row.get("seconds"), row.get("error") or "",
                                 list(row.get("notes") or []), book.traces(name).get(CURVE_TRACE)))
    return students


def _what(exercise: str, name: str) -> str:
    try:
        from grader.checks import mistake_by_id

        return mistake_by_id(f"{exercise}: {name}").what
    except (KeyError, ImportError):
        return "(no longer in the catalogue)"


# --- pages -------------------------------------------------------------------------

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 72em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.5em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
img { max-width: 100%; height: auto; }
pre { background: #f6f6f6; padding: 0.6em; overflow-x: auto; white-space: pre-wrap; }
.passed { color: #176c2a; } .failed { color: #a4161a; } .error { color: #8a5a00; }
.muted { color: #666; }
"""


def _page(title: str, body: Iterable[str]) -> str:
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])


def _class_page(students: list[_Student], unfinished: list[str], reference_curve: list | None) -> str:
    n = len(students)
    body = [f"<h1>Class report: {n} submission{'s' if n != 1 else ''}</h1>"]
    totals = [s.total for s in students]
    if totals:
        possible = max(p for _, p in totals)
        mean = sum(e for e, _ in totals) / n
        body.append(f"<p>Mean total {_num(mean)}/{fmt_points(possible)}; median "
                    f"{_num(_median([e for e, _ in totals]))}.</p>")

    body.append('<h2 id="scores">Scores</h2>')
    if totals:
        body.append(_img(_histogram([e for e, _ in totals], max(p for _, p in totals)),
                         "Histogram of the total scores of the class"))

    body.append('<h2 id="exercises">Per exercise</h2>')
    body.append(_exercise_table(students))

    body.append('<h2 id="diagnoses">Most frequent diagnoses</h2>')
    body.append(_diagnosis_table(students))

    body.append('<h2 id="slowest">Slowest submissions</h2>')
    body.append(_slowest_table(students))

    body.append('<h2 id="not-run">Submissions whose code did not run</h2>')
    body.append(_not_run_table(students, unfinished))

    body.append('<h2 id="curves">Training curves: fit_thermometer</h2>')
    curves = {s.name: s.curve for s in students if s.curve}
    if curves or reference_curve:
        body.append("<p>fit_thermometer(n_epochs=800, lr=1e-2) as run by the fit_converges check: every "
                    "submission's losses (thin lines) against the reference's (black).</p>")
        body.append(_img(_curves(curves, reference_curve), "Training and validation loss of every submission "
                         "against the reference"))
        missing = sorted(s.name for s in students if not s.curve)
        if missing:
            body.append(f"<p class=\"muted\">No curve (fit_thermometer did not return a history): "
                        f"{_e(', '.join(missing))}.</p>")
    else:
        body.append("<p>No training curves were recorded.</p>")
    return _page("Class report", body)


def _student_page(s: _Student, reference_curve: list | None) -> str:
    earned, possible = s.total
    body = [f"<h1>Feedback for {_e(s.name)}</h1>",
            f"<p><strong>Total: {fmt_points(earned)}/{fmt_points(possible)}</strong></p>"]
    for note in s.notes:
        body.append(f"<p class=\"muted\">note: {_e(note)}</p>")
    for ex, (e, p) in exercise_scores(s.results).items():
        body.append(f"<h2 id=\"{_e(ex)}\">{_e(ex)}: {fmt_points(e)}/{fmt_points(p)}</h2>")
        body.append("<ul>")
        for r in (r for r in s.results if r.exercise == ex):
            mark = {"passed": "passed", "error": "INTERNAL ERROR"}.get(r.status, "failed")
            item = (f"<li><span class=\"{_e(r.status)}\">{mark}</span>: {_e(r.title)} "
                    f"({fmt_points(r.points)}/{fmt_points(r.max_points)})")
            if r.message:
                item += f"<pre>{_e(r.message)}</pre>"
            body.append(item + "</li>")
        body.append("</ul>")
    body.append('<h2 id="curve">Your training curve</h2>')
    if s.curve or reference_curve:
        body.append("<p>fit_thermometer(n_epochs=800, lr=1e-2): your losses against the reference's.</p>")
        body.append(_img(_curves({s.name: s.curve} if s.curve else {}, reference_curve, highlight=True),
                         f"Training and validation loss of {s.name} against the reference"))
        if not s.curve:
            body.append("<p class=\"muted\">Your fit_thermometer did not return a loss history.</p>")
    else:
        body.append("<p>No training curve was recorded.</p>")
    return _page(f"Feedback for {s.name}", body)


def _exercise_table(students: list[_Student]) -> str:
    rows = []
    for ex in EXERCISE_IDS:
        scores = [exercise_scores(s.results).get(ex) for s in students]
        scores = [sc for sc in scores if sc is not None]
        if not scores:
            continue
        possible = max(p for _, p in scores)
        mean = sum(e for e, _ in scores) / len(scores)
        full = sum(1 for e, p in scores if p and abs(e - p) < 1e-9)
        rows.append(f"<tr><td>{_e(ex)}</td><td class=\"num\">{_num(mean)}/{fmt_points(possible)}</td>"
                    f"<td class=\"num\">{100 * full / len(scores):.0f}% ({full}/{len(scores)})</td></tr>")
    return _table(["exercise", "mean", "pass rate (full marks)"], rows)


def _diagnosis_table(students: list[_Student]) -> str:
    who: dict[tuple[str, str], set[str]] = defaultdict(set)
    for s in students:
        for r in s.results:
            for d in r.diagnoses:
                who[(r.exercise, d)].add(s.name)
    if not who:
        return "<p>No failure matched a known mistake.</p>"
    order = sorted(who, key=lambda k: (-len(who[k]), k))
    rows = [f"<tr><td>{_e(ex)}</td><td><code>{_e(name)}</code><br>{_e(_what(ex, name))}</td>"
            f"<td class=\"num\">{len(who[(ex, name)])}</td><td>{_e(', '.join(sorted(who[(ex, name)])))}</td></tr>"
            for ex, name in order]
    return _table(["exercise", "diagnosis", "students", "who"], rows)


def _slowest_table(students: list[_Student]) -> str:
    timed = sorted((s for s in students if s.seconds is not None), key=lambda s: (-s.seconds, s.name))[:TOP]
    if not timed:
        return "<p>No timings recorded.</p>"
    rows = [f"<tr><td>{_e(s.name)}</td><td class=\"num\">{s.seconds:.2f} s</td>"
            f"<td>{_e(_timeouts(s))}</td></tr>" for s in timed]
    return _table(["submission", "grading time", "timeouts"], rows)


def _timeouts(s: _Student) -> str:
    hit = [r.id for r in s.results if r.kind == "timeout"]
    return ", ".join(hit) if hit else "none"


def _not_run_table(students: list[_Student], unfinished: Sequence[str]) -> str:
    rows = []
    for s in students:
        by_ex: dict[str, Counter] = defaultdict(Counter)
        for r in s.results:
            if r.kind in NOT_RUN_KINDS:
                by_ex[r.exercise][r.kind] += 1
        if not by_ex and not s.error:
            continue
        what = "; ".join(f"{ex}: " + ", ".join(f"{k} x{n}" if n > 1 else k for k, n in sorted(kinds.items()))
                         for ex, kinds in by_ex.items())
        rows.append(f"<tr><td>{_e(s.name)}</td><td>{_e(s.error or what)}</td></tr>")
    for name in unfinished:
        rows.append(f"<tr><td>{_e(name)}</td><td>grading did not finish (run the same `grader grade` again "
                    "to resume)</td></tr>")
    if not rows:
        return "<p>Every submission's code ran (no import errors, crashes or timeouts).</p>"
    return _table(["submission", "what did not run"], rows)


def _table(head: Sequence[str], rows: Sequence[str]) -> str:
    cells = "".join(f"<th>{_e(h)}</th>" for h in head)
    return "\n".join(["<table>", f"<thead><tr>{cells}</tr></thead>", "<tbody>", *rows, "</tbody>", "</table>"])


# --- plots -------------------------------------------------------------------------


def _figure(width: float = 8.0, height: float = 3.6):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    return fig


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _histogram(totals: list[float], possible: float) -> bytes:
    fig = _figure()
    ax = fig.add_subplot()
    top = max(possible, max(totals, default=0.0), 1.0)
    bins = [top * i / 20 for i in range(21)]
    ax.hist(totals, bins=bins, color="#3b6ea8", edgecolor="white")
    ax.set_xlabel(f"total score (of {fmt_points(possible)})")
    ax.set_ylabel("submissions")
    ax.set_xlim(0, top)
    ax.yaxis.get_major_locator().set_params(integer=True)
    return _png(fig)


def _curves(curves: dict[str, list], reference: list | None, highlight: bool = False) -> bytes:
    fig = _figure(10.0, 3.8)
    axes = fig.subplots(1, 2, sharey=True)
    for column, (ax, label) in enumerate(zip(axes, ("training loss", "validation loss"))):
        for name, curve in sorted(curves.items()):
            xs, ys = _series(curve, column)
            if highlight:
                ax.plot(xs, ys, color="#d1495b", linewidth=1.8, label=name)
            else:
                ax.plot(xs, ys, color="#3b6ea8", alpha=0.35, linewidth=0.8)
        if reference:
            xs, ys = _series(reference, column)
            ax.plot(xs, ys, color="black", linewidth=1.6, label="reference")
        ax.set_yscale("log")
        ax.set_xlabel("epoch")
        ax.set_title(label)
        ax.grid(True, which="major", alpha=0.3)
        if column == 0 and (highlight or reference):
            ax.legend(loc="upper right", fontsize="small")
    axes[0].set_ylabel("MSE loss (log scale)")
    return _png(fig)


def _series(curve: list, column: int) -> tuple[list[int], list[float]]:
    ys = []
    for entry in curve:
        v = entry[column] if isinstance(entry, (list, tuple)) and len(entry) > column else math.nan
        ys.append(v if isinstance(v, (int, float)) and math.isfinite(v) and v > 0 else math.nan)
    return list(range(len(ys))), ys


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<p><img src="data:image/png;base64,{data}" alt="{_e(alt)}"></p>'


# --- helpers -----------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if not float(value).is_integer() else str(int(value))


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
