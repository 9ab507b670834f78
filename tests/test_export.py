"""`grader export OUT --format canvas|csv|json`: the gradebook as an LMS imports it.

The gradebook is written with the real `Gradebook` (as `grader grade` writes
it): three graded submissions and one left half-way.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from grader.checks import CHECKS
from grader.cli import main
from grader.gradebook import Gradebook
from grader.results import CheckResult
from grader.unit import EXERCISE_IDS

CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def _results(passing: set[str]) -> list[CheckResult]:
    """Every declared check; those of the exercises in `passing` passed, the rest failed."""
    out = []
    for ex in EXERCISE_IDS:
        for c in CHECKS[ex]:
            ok = ex in passing
            out.append(CheckResult(ex, c.name, c.title, c.points if ok else 0.0, c.points,
                                   "passed" if ok else "failed", "ok" if ok else "mismatch",
                                   "" if ok else f"{ex}: {c.title}: wrong."))
    return out


@pytest.fixture
def graded(tmp_path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    book = Gradebook(out / "gradebook.sqlite")
    try:
        for name, passing in (("ada_full_marks", set(EXERCISE_IDS)), ("ben", {"ex01_sequential", "ex02_named_layers"}),
                              ("zoe_unlisted", set())):
            book.start(name, f"digest-{name}", "config")
            results = _results(passing)
            book.record(name, results, 0)
            book.finish(name, 1.0, "", [], {})
        book.start("half_done", "digest-h", "config")  # killed mid-way: not exported
    finally:
        book.close()
    return out


@pytest.fixture
def roster(tmp_path) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("\ufeffsubmission,Student,ID,SIS User ID,SIS Login ID,Section\n"
                    "ada_full_marks,\"Lovelace, Ada\",1001,S1001,ada,Section A\n"
                    "ben,\"Bitdiddle, Ben\",1002,S1002,ben,Section B\n"
                    "cy,\"Cy, D.\",1003,S1003,cy,Section B\n", encoding="utf-8")
    return path


def _csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_canvas(graded, roster, capsys):
    code = main(["export", str(graded), "--format", "canvas", "--roster", str(roster),
                 "--assignment", "Unit 3: parameters", "--assignment-id", "4711"])
    assert code == 0
    rows = _csv(graded / "canvas.csv")
    assert rows[0] == [*CANVAS_HEADER, "Unit 3: parameters (4711)"]
    assert rows[1] == ["Points Possible", "", "", "", "", "100"]
    body = {r[0]: r for r in rows[2:]}
    assert body["Lovelace, Ada"] == ["Lovelace, Ada", "1001", "S1001", "ada", "Section A", "100"]
    ben_points = sum(c.points for ex in ("ex01_sequential", "ex02_named_layers") for c in CHECKS[ex])
    assert body["Bitdiddle, Ben"][1:] == ["1002", "S1002", "ben", "Section B", f"{ben_points:g}"]
    # no roster entry: kept (by submission name, no IDs) and reported
    assert body["zoe_unlisted"] == ["zoe_unlisted", "", "", "", "", "0"]
    assert len(rows) == 2 + 3  # the half-graded submission is left out
    err = capsys.readouterr().err
    assert "no roster entry" in err and "zoe_unlisted" in err
    assert "no graded submission: cy" in err
    assert "half_done" in err
    assert (graded / "canvas.csv").read_bytes().count(b"\r\n") == len(rows)


def test_canvas_needs_a_roster(graded, capsys):
    assert main(["export", str(graded), "--format", "canvas"]) == 2
    assert "--format canvas needs --roster" in capsys.readouterr().err


def test_bad_roster_header(graded, tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,Student,ID\nada_full_marks,Ada,1\n")
    assert main(["export", str(graded), "--format", "canvas", "--roster", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "lacks submission, SIS User ID, SIS Login ID, Section" in err


def test_duplicate_roster_entry(graded, tmp_path, capsys):
    dup = tmp_path / "dup.csv"
    dup.write_text("submission,Student,ID,SIS User ID,SIS Login ID,Section\nben,B,1,,,\nben,B2,2,,,\n")
    assert main(["export", str(graded), "--format", "canvas", "--roster", str(dup)]) == 2
    assert "line 3: submission 'ben' is listed twice" in capsys.readouterr().err


def test_csv(graded, tmp_path):
    target = tmp_path / "grades-export.csv"
    assert main(["export", str(graded), "--format", "csv", "--output", str(target)]) == 0
    rows = _csv(target)
    assert rows[0] == ["submission", *EXERCISE_IDS, "total", "max_total"]
    assert [r[0] for r in rows[1:]] == ["ada_full_marks", "ben", "zoe_unlisted"]
    assert rows[1][-2:] == ["100", "100"]


def test_json(graded, roster):
    assert main(["export", str(graded), "--format", "json", "--roster", str(roster)]) == 0
    data = json.loads((graded / "gradebook.json").read_text())
    assert data["max_score"] == 100
    subs = {s["submission"]: s for s in data["submissions"]}
    assert subs["ada_full_marks"]["score"] == 100
    assert subs["ada_full_marks"]["student"]["ID"] == "1001"
    assert subs["zoe_unlisted"]["student"] is None
    assert len(subs["ben"]["checks"]) == sum(len(CHECKS[ex]) for ex in EXERCISE_IDS)
    assert subs["ben"]["exercises"]["ex01_sequential"]["score"] == sum(c.points for c in CHECKS["ex01_sequential"])


def test_no_gradebook(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--format", "csv"]) == 2
    assert "no gradebook.sqlite" in capsys.readouterr().err
