"""The gradebook: every result in SQLite as soon as it is known, so a killed batch resumes.

A submission is complete only when its `finish` row is written; one killed
half-way is graded again on the next run. The content digest and the grading
configuration decide whether a complete submission is graded again.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterable

from grader.results import CheckResult

__all__ = ["Gradebook", "SubmissionRow"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    name TEXT PRIMARY KEY, digest TEXT NOT NULL, config TEXT NOT NULL, status TEXT NOT NULL,
    seconds REAL, error TEXT, notes TEXT, layers TEXT
);
CREATE TABLE IF NOT EXISTS results (
    submission TEXT NOT NULL, ord INTEGER NOT NULL, exercise TEXT NOT NULL, check_name TEXT NOT NULL,
    title TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL, status TEXT NOT NULL,
    kind TEXT NOT NULL, message TEXT NOT NULL, diagnoses TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (submission, exercise, check_name)
);
CREATE TABLE IF NOT EXISTS traces (
    submission TEXT NOT NULL, name TEXT NOT NULL, json TEXT NOT NULL,
    PRIMARY KEY (submission, name)
);
CREATE TABLE IF NOT EXISTS reference_traces (name TEXT PRIMARY KEY, json TEXT NOT NULL);
"""


class SubmissionRow(dict):
    """A submissions-table row as a dict: name, digest, config, status, seconds, error, notes, layers."""


class Gradebook:
    """A thread-safe handle on OUT/gradebook.sqlite (the judging process is its only writer)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(results)")}
        if "diagnoses" not in columns:  # a gradebook written before diagnoses existed
            self._db.execute("ALTER TABLE results ADD COLUMN diagnoses TEXT NOT NULL DEFAULT '[]'")

    def is_complete(self, name: str, digest: str, config: str) -> bool:
        row = self._one("SELECT digest, config, status FROM submissions WHERE name = ?", (name,))
        return row is not None and row == (digest, config, "complete")

    def start(self, name: str, digest: str, config: str) -> None:
        """Forget earlier results of `name` and mark it in progress."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute("DELETE FROM results WHERE submission = ?", (name,))
            self._db.execute("DELETE FROM traces WHERE submission = ?", (name,))
            self._db.execute("INSERT OR REPLACE INTO submissions (name, digest, config, status) VALUES (?, ?, ?, ?)",
                             (name, digest, config, "running"))
            self._db.execute("COMMIT")

    def record(self, name: str, results: Iterable[CheckResult], first_ord: int) -> None:
        """Write one exercise's results at once (one transaction)."""
        with self._lock:
            self._db.execute("BEGIN")
            self._db.executemany(
                "INSERT OR REPLACE INTO results (submission, ord, exercise, check_name, title, points, max_points, "
                "status, kind, message, diagnoses) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(name, first_ord + i, r.exercise, r.check, r.title, r.points, r.max_points, r.status, r.kind,
                  r.message, json.dumps(list(r.diagnoses))) for i, r in enumerate(results)],
            )
            self._db.execute("COMMIT")

    def finish(self, name: str, seconds: float, error: str, notes: list[str], layers: dict) -> None:
        with self._lock:
            self._db.execute("UPDATE submissions SET status = 'complete', seconds = ?, error = ?, notes = ?, "
                             "layers = ? WHERE name = ?",
                             (seconds, error, json.dumps(notes), json.dumps(layers, sort_keys=True), name))

    def results(self, name: str) -> list[CheckResult]:
        with self._lock:
            rows = self._db.execute(
                "SELECT exercise, check_name, title, points, max_points, status, kind, message, diagnoses "
                "FROM results WHERE submission = ? ORDER BY ord", (name,)).fetchall()
        return [CheckResult(*row[:8], diagnoses=tuple(json.loads(row[8] or "[]"))) for row in rows]

    def record_trace(self, name: str | None, trace: str, values: list) -> None:
        """Keep a trace (e.g. a loss history) of a submission, or of the reference when `name` is None."""
        text = json.dumps(values)
        with self._lock:
            if name is None:
                self._db.execute("INSERT OR REPLACE INTO reference_traces VALUES (?, ?)", (trace, text))
            else:
                self._db.execute("INSERT OR REPLACE INTO traces VALUES (?, ?, ?)", (name, trace, text))

    def traces(self, name: str | None) -> dict[str, list]:
        """{trace name: values} of a submission, or of the reference when `name` is None."""
        with self._lock:
            if name is None:
                rows = self._db.execute("SELECT name, json FROM reference_traces ORDER BY name").fetchall()
            else:
                rows = self._db.execute("SELECT name, json FROM traces WHERE submission = ? ORDER BY name",
                                        (name,)).fetchall()
        return {n: json.loads(text) for n, text in rows}

    def submission(self, name: str) -> SubmissionRow | None:
        with self._lock:
            cur = self._db.execute("SELECT * FROM submissions WHERE name = ?", (name,))
            row = cur.fetchone()
            cols = [c[0] for c in cur.description]
        if row is None:
            return None
        data = SubmissionRow(zip(cols, row))
        data["notes"] = json.loads(data["notes"] or "[]")
        data["layers"] = json.loads(data["layers"] or "{}")
        return data

    def names(self, status: str = "complete") -> list[str]:
        with self._lock:
            rows = self._db.execute("SELECT name FROM submissions WHERE status = ? ORDER BY name", (status,))
            return [r[0] for r in rows.fetchall()]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _one(self, sql: str, args: tuple) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()
