"""Running probes on untrusted code in contained child processes.

A warm fork server (multiprocessing's `forkserver`, preloading
`grader.warm`) has imported torch and the probes once and holds nothing
secret: no reference answers, no hidden inputs. Each job (one exercise of one
submission) is a fresh child of it that reads its own job, contains itself
(new session, resource limits, no network where the platform allows, a
scrubbed environment, a fresh working folder, output to a capped file) and
appends one JSON line of evidence per probe call. The judging process reads
that file only after the child's whole process group is dead; a child that
hangs, exits or crashes costs the probe call it was in, and the rest of the
exercise is run again in a new child.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.evidence import EvidenceError, Failure, decode

__all__ = ["Item", "Limits", "Sandbox", "MAX_TIMEOUTS_PER_JOB"]

MAX_TIMEOUTS_PER_JOB = 2
_EVIDENCE_LIMIT = 64_000_000  # bytes of evidence read back per job
_POLL = 0.01


@dataclass(frozen=True)
class Item:
    """One probe call: a check, which of its input sets, and the inputs."""

    check_id: str
    index: int
    inputs: dict

    @property
    def key(self) -> str:
        return f"{self.check_id}#{self.index}"


@dataclass(frozen=True)
class Limits:
    """Per-child containment; every number is stated in `grader grade --help`."""

    timeout: float = 10.0  # wall-clock seconds per probe call
    memory_mb: int = 1536  # address space a child may add to the warm parent's
    cpu_seconds: int = 120  # CPU time of one child
    output_bytes: int = 16_000_000  # largest file a child may write (its output and evidence included)
    open_files: int = 256


@dataclass
class Sandbox:
    """Starts the warm fork server and runs jobs in contained children."""

    limits: Limits = field(default_factory=Limits)
    device: str = "cpu"
    workdir: Path | None = None

    def __post_init__(self) -> None:
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["grader.warm"])
        self._tmp = tempfile.TemporaryDirectory(prefix="grader-jobs-")
        self._root = Path(self.workdir or self._tmp.name)
        self._counter = 0
        self.layers: dict[str, str] = {}

    def start(self) -> dict[str, str]:
        """Start the fork server (before any secret is loaded) and probe which layers work."""
        from grader import jail

        self.layers = self.run_probe_layers(jail)
        return self.layers

    def run(self, submission: Any, exercise: str, items: list[Item]) -> dict[str, Any]:
        """Run the items of one exercise; {item key: decoded evidence or Failure}."""
        results: dict[str, Any] = {}
        remaining = list(items)
        timeouts = 0
        while remaining:
            done, failed_at, failure = self._one_child(submission, exercise, remaining)
            results.update(done)
            if failed_at is None:
                break
            results[remaining[failed_at].key] = failure
            if failure.kind == "timeout":
                timeouts += 1
            remaining = remaining[failed_at + 1:]
            if timeouts >= MAX_TIMEOUTS_PER_JOB:
                for item in remaining:
                    results[item.key] = Failure(
                        "not_run", f"{timeouts} earlier checks of this exercise timed out")
                break
        return results

    def close(self) -> None:
        self._tmp.cleanup()

    # --- helpers -------------------------------------------------------------

    def run_probe_layers(self, jail: Any) -> dict[str, str]:
        job = self._new_jobdir()
        proc = self._ctx.Process(target=jail.report_layers, args=(str(job), self.limits), daemon=True)
        proc.start()
        proc.join(60)
        if proc.is_alive():
            proc.kill()
        try:
            return json.loads((job / "layers.json").read_text())
        except (OSError, ValueError):
            return {"sandbox": "the layer probe did not report"}
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _new_jobdir(self) -> Path:
        self._counter += 1
        job = self._root / f"job{os.getpid()}_{self._counter}_{time.monotonic_ns()}"
        (job / "work").mkdir(parents=True)
        return job

    def _one_child(self, submission: Any, exercise: str, items: list[Item]) -> tuple[dict, int | None, Failure | None]:
        from grader import jail

        job = self._new_jobdir()
        spec = {"exercise": exercise, "items": [(i.check_id, i.index, i.inputs) for i in items], "device": self.device}
        (job / "job.json").write_text(json.dumps(spec))
        proc = self._ctx.Process(target=jail.child_main, args=(str(job), submission, self.limits), daemon=True)
        proc.start()
        try:
            status = self._supervise(proc, job, items)
        finally:
            _kill_group(proc)
        done, began = _read_evidence(job / "evidence.jsonl", items)
        shutil.rmtree(job, ignore_errors=True)
        pending = [k for k, item in enumerate(items) if item.key not in done]
        if not pending:
            return done, None, None
        at = pending[0]
        if status == "timeout":
            failure = Failure("timeout", f"{self.limits.timeout:g} s per check")
        else:
            failure = Failure("crash", _describe_exit(proc.exitcode, began.get(items[at].key, False)))
        return {k: v for k, v in done.items()}, at, failure

    def _supervise(self, proc: mp.process.BaseProcess, job: Path, items: list[Item]) -> str:
        """Wait for the child; 'exited' or 'timeout' (it was then killed)."""
        evidence = job / "evidence.jsonl"
        started = time.monotonic()
        seen_lines = 0
        while True:
            proc.join(_POLL)
            if not proc.is_alive():
                return "exited"
            lines = _count_lines(evidence)
            if lines != seen_lines:  # progress: every probe call writes two lines
                seen_lines, started = lines, time.monotonic()
            if time.monotonic() - started > self.limits.timeout:
                return "timeout"


def _count_lines(path: Path) -> int:
    try:
        with open(path, "rb") as fh:
            return fh.read(_EVIDENCE_LIMIT).count(b"\n")
    except OSError:
        return 0


def _kill_group(proc: mp.process.BaseProcess) -> None:
    """Kill the child's whole session (it called setsid), then the child itself."""
    if proc.pid is not None:
        for sig_target in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
            try:
                sig_target()
            except (ProcessLookupError, PermissionError, OSError):
                pass
    proc.join(5)


def _read_evidence(path: Path, items: list[Item]) -> tuple[dict[str, Any], dict[str, bool]]:
    """Parse the child's evidence file after the child is dead: never trust it, validate it."""
    wanted = {i.key for i in items}
    done: dict[str, Any] = {}
    began: dict[str, bool] = {}
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return done, began
    with os.fdopen(fd, "rb") as fh:
        if not os.path.stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return done, began
        data = fh.read(_EVIDENCE_LIMIT)
    for raw in data.splitlines():
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if type(record) is not dict or type(record.get("key")) is not str or record["key"] not in wanted:
            continue
        key = record["key"]
        if "begin" in record:
            began[key] = True
            continue
        if key in done:
            continue  # first answer wins; later lines for the same call are ignored
        try:
            done[key] = decode(record.get("evidence"))
        except (EvidenceError, RecursionError, TypeError, ValueError) as exc:
            done[key] = Failure("mistake", f"the returned value cannot be checked: {exc}")
    return done, began


def _describe_exit(code: int | None, during: bool) -> str:
    when = "during this check" if during else "before this check started"
    if code is None:
        return f"it did not stop ({when})"
    if code < 0:
        sig = -code
        name = {signal.SIGSEGV: "a segmentation fault (SIGSEGV)", signal.SIGKILL: "killed (SIGKILL; memory limit?)",
                signal.SIGXCPU: "the CPU-time limit (SIGXCPU)", signal.SIGXFSZ: "the file-size limit (SIGXFSZ)",
                signal.SIGABRT: "an abort (SIGABRT)", signal.SIGBUS: "a bus error (SIGBUS)"}.get(sig)
        return f"{name or f'signal {sig}'} {when}"
    return f"the process exited with status {code} {when} (os._exit or sys.exit in the submission?)"
