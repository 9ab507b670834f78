"""Batch grading a class: discover submissions, probe them in the sandbox, judge, record.

The judging process (this one) never runs a submission's code: probes run in
sandboxed children of a warm fork server started before the hidden inputs
and the reference's evidence are loaded here. Results go to the gradebook as
each exercise is judged; outputs are written from the gradebook.
"""
from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from grader.checks import CHECKS, MISTAKES
from grader.diagnosis import MistakenEvidence
from grader.evidence import Failure
from grader.gradebook import Gradebook
from grader.judge import failed_result, judge
from grader.loader import Submission, load_submission, submission_name
from grader.render import GRADES_HEADER, feedback_markdown, grades_row, gradescope_json
from grader.results import CheckResult
from grader.sandbox import Item, Limits, Sandbox
from grader.unit import EXERCISE_IDS

__all__ = ["BatchOptions", "UsageError", "discover", "grade_class", "REFERENCE_DIR", "write_outputs"]

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference"


class UsageError(Exception):
    """A problem with the command line or the folders given: exit non-zero with one line."""


@dataclass
class BatchOptions:
    out: Path
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    regrade: bool = False
    device: str = "cpu"
    hidden: bool = True
    limits: Limits = field(default_factory=Limits)
    reference: Path = REFERENCE_DIR
    progress: bool | None = None  # None: a bar on a terminal, plain lines otherwise


@dataclass
class BatchSummary:
    graded: list[str]
    skipped: list[str]
    layers: dict[str, str]
    seconds: float
    internal_errors: int


def discover(path: Path) -> list[Path]:
    """The submissions at `path`: itself when it is one, else each folder and .zip inside it.

    A `.txt` file lists git repositories (URL or local path, optional commit or tag, one a line):
    they are cloned into `<stem>-clones/` beside it (see `grader.repos`) and that folder is the class.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(f"{path}: no such file or folder")
    if path.is_file() and path.suffix.lower() == ".txt":
        from grader.repos import RepoError, parse_list, prepare

        try:
            clones = prepare(path)
            return [clones / spec.name for spec in sorted(parse_list(path), key=lambda s: s.name)]
        except RepoError as exc:
            raise UsageError(str(exc)) from None
    if path.is_file():
        if path.suffix.lower() == ".zip":
            return [path]
        raise UsageError(f"{path}: expected a class folder, a submission folder, a .zip or a .txt list of repositories")
    if _looks_like_submission(path):
        return [path]
    entries = [p for p in path.iterdir() if not p.name.startswith(".") and p.name not in ("__MACOSX", "__pycache__")
               and (p.is_dir() or p.suffix.lower() == ".zip")]
    if not entries:
        raise UsageError(f"{path}: empty class: no submission folders or .zip files inside")
    names: dict[str, Path] = {}
    for entry in sorted(entries, key=lambda p: p.name):
        name = submission_name(entry)
        if name in names:
            raise UsageError(f"{path}: two submissions are both named {name!r} ({names[name].name}, {entry.name})")
        names[name] = entry
    return [names[n] for n in sorted(names)]


def grade_class(class_path: Path, options: BatchOptions, log: Callable[[str], None] = print) -> BatchSummary:
    """Grade every submission at `class_path` into `options.out`; resumable."""
    started = time.monotonic()
    entries = discover(class_path)
    out = _prepare_out(options.out)
    book = Gradebook(out / "gradebook.sqlite")
    sandbox = Sandbox(limits=options.limits, device=options.device)
    try:
        layers = sandbox.start()  # the fork server exists before anything secret is loaded here
        for layer, state in sorted(layers.items()):
            log(f"sandbox: {layer}: {state}")
        plan = _plan(options.hidden)
        reference = load_submission(options.reference)
        config = _config_digest(plan, reference.digest, options)
        todo, skipped = [], []
        for entry in entries:
            sub = load_submission(entry)
            if not options.regrade and book.is_complete(sub.name, sub.digest, config):
                skipped.append(sub.name)
            else:
                todo.append(sub)
        if skipped:
            log(f"resuming: {len(skipped)} submission(s) already graded with the same content and configuration")
        expected = _reference_evidence(sandbox, reference, plan, options.workers) if todo else {}
        if todo:
            _record_traces(book, None, expected)
        mistaken = MistakenEvidence(sandbox.run, _portable(reference), plan)  # mutants run only when needed
        internal = 0
        progress = _Progress(len(todo), options.progress, log)
        with ThreadPoolExecutor(max_workers=max(1, options.workers)) as pool:
            futures = {pool.submit(_grade_one, sub, sandbox, plan, expected, book, config, layers, out, mistaken): sub
                       for sub in todo}
            for future in as_completed(futures):
                sub = futures[future]
                results = future.result()
                internal += sum(r.status == "error" for r in results)
                progress.update(sub.name, results)
        progress.close()
        write_outputs(book, [submission_name(e) for e in entries], out)
        return BatchSummary([s.name for s in todo], skipped, layers, time.monotonic() - started, internal)
    finally:
        sandbox.close()
        book.close()


def write_outputs(book: Gradebook, names: list[str], out: Path) -> None:
    """grades.csv (sorted by submission), and results/ and feedback/ for every graded name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GRADES_HEADER)
    for name in sorted(names):
        row = book.submission(name)
        if row is None or row["status"] != "complete":
            continue
        writer.writerow(grades_row(name, book.results(name)))
    _atomic_write(out / "grades.csv", buffer.getvalue())


# --- helpers -----------------------------------------------------------------


def _looks_like_submission(path: Path) -> bool:
    for folder in (path, path / "exercises"):
        if folder.is_dir() and (any(folder.glob("ex0[1-8]_*.py")) or any(folder.glob("ex0[1-8]_*.ipynb"))):
            return True
    return False


def _prepare_out(out: Path) -> Path:
    out = Path(out)
    try:
        for sub in ("", "results", "feedback"):
            (out / sub).mkdir(parents=True, exist_ok=True)
        probe = out / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write there ({exc.strerror or exc})") from None
    return out


def _plan(hidden: bool) -> dict[str, list[Item]]:
    """Every probe call per exercise: public inputs first, then hidden ones."""
    hidden_of: Callable[[str], tuple] = lambda _cid: ()  # noqa: E731
    if hidden:
        from grader.hidden import hidden_inputs  # loaded only now, never in the fork server

        hidden_of = hidden_inputs
    return {
        ex: [Item(c.id, k, dict(inp)) for c in CHECKS[ex] for k, inp in enumerate((*c.inputs, *hidden_of(c.id)))]
        for ex in EXERCISE_IDS
    }


def _config_digest(plan: dict[str, list[Item]], reference_digest: str, options: BatchOptions) -> str:
    data = {
        "checks": [(c.id, c.points, c.timeout) for ex in EXERCISE_IDS for c in CHECKS[ex]],
        "items": {ex: [(i.key, i.inputs) for i in items] for ex, items in plan.items()},
        "reference": reference_digest,
        "mistakes": [m.id for ex in EXERCISE_IDS for m in MISTAKES.get(ex, ())],
        "device": options.device,
        "limits": dataclasses.asdict(options.limits),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]


def _reference_evidence(sandbox: Sandbox, reference: Submission, plan: dict[str, list[Item]], workers: int) -> dict:
    ref = _portable(reference)
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        runs = {ex: pool.submit(sandbox.run, ref, ex, items) for ex, items in plan.items()}
        return {ex: run.result() for ex, run in runs.items()}


def _grade_one(sub: Submission, sandbox: Sandbox, plan: dict[str, list[Item]], expected: dict, book: Gradebook,
               config: str, layers: dict, out: Path, mistaken: MistakenEvidence | None = None) -> list[CheckResult]:
    began = time.monotonic()
    book.start(sub.name, sub.digest, config)
    portable = _portable(sub)
    all_results: list[CheckResult] = []
    for ex in EXERCISE_IDS:
        source = sub.sources.get(ex)
        if source is None or source.code is None:
            reason = Failure("import", source.error if source else f"{ex}.py is missing from the submission")
            results = [failed_result(c, reason) for c in CHECKS[ex]]
        else:
            got = sandbox.run(portable, ex, plan[ex])
            results = [_judge(check, plan[ex], got, expected[ex], mistaken) for check in CHECKS[ex]]
            _record_traces(book, sub.name, {ex: got})
        book.record(sub.name, results, len(all_results))
        all_results += results
    seconds = time.monotonic() - began
    notes = [n for s in sub.sources.values() for n in s.notes]
    book.finish(sub.name, seconds, sub.error, notes, layers)
    _atomic_write(out / "results" / f"{sub.name}.json",
                  json.dumps(gradescope_json(all_results, seconds, notes), indent=2, sort_keys=True) + "\n")
    _atomic_write(out / "feedback" / f"{sub.name}.md", feedback_markdown(sub.name, all_results, notes))
    return all_results


def _judge(check: Any, items: list[Item], got: dict, expected: dict,
           mistaken: MistakenEvidence | None = None) -> CheckResult:
    mine = [i for i in items if i.check_id == check.id]
    public = len(check.inputs)
    return judge(check, [got[i.key] for i in mine], [expected[i.key] for i in mine], [i.inputs for i in mine],
                 [i.index >= public for i in mine],
                 mistaken.for_items([i.key for i in mine]) if mistaken is not None else None)


MAX_TRACE = 100_000  # entries of one trace kept for the report


def _record_traces(book: Gradebook, name: str | None, evidence: dict) -> None:
    """Keep the traces checks declare (`Check.trace`) for the class report: the reference's when name is None.

    The evidence was decoded and validated already; a trace is kept only when it is a list of
    [train, validation] number pairs, so the report plots data, never a submission's objects.
    """
    for ex, got in evidence.items():
        for check in CHECKS.get(ex, ()):
            if not check.trace:
                continue
            value = got.get(f"{check.id}#0")
            trace = _as_trace(value.get(check.trace) if type(value) is dict else None)
            if trace is not None:
                book.record_trace(name, check.id, trace)


def _as_trace(value: Any) -> list[list[float]] | None:
    if type(value) is not list or len(value) > MAX_TRACE:
        return None
    out = []
    for entry in value:
        if type(entry) not in (list, tuple) or len(entry) != 2 or not all(type(v) in (int, float) for v in entry):
            return None
        out.append([float(v) for v in entry])
    return out


def _portable(sub: Submission) -> Submission:
    """The submission without its temporary folder handle: what a child receives."""
    return dataclasses.replace(sub, _tmp=None)


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class _Progress:
    """A tqdm bar (done, rate, ETA) on a terminal; plain lines otherwise."""

    def __init__(self, total: int, bar: bool | None, log: Callable[[str], None]) -> None:
        self.total, self.done, self.log = total, 0, log
        self.started = time.monotonic()
        self._lock = threading.Lock()
        use_bar = sys.stderr.isatty() if bar is None else bar
        self.bar = None
        if use_bar and total:
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="submission", dynamic_ncols=True)

    def update(self, name: str, results: list[CheckResult]) -> None:
        from grader.results import fmt_points, total_score

        with self._lock:
            self.done += 1
            earned, possible = total_score(results)
            if self.bar is not None:
                self.bar.set_postfix_str(f"{name} {fmt_points(earned)}/{fmt_points(possible)}")
                self.bar.update(1)
            else:
                rate = self.done / max(time.monotonic() - self.started, 1e-9)
                eta = (self.total - self.done) / rate if rate else 0
                self.log(f"[{self.done}/{self.total}] {name}: {fmt_points(earned)}/{fmt_points(possible)} "
                         f"({rate:.2f}/s, ETA {eta:.0f} s)")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
