"""Running probes on untrusted code in contained child processes.

A warm fork server (multiprocessing's `forkserver`, preloading
`grader.warm`) has imported torch and the probes once and holds nothing
secret: no reference answers, no hidden inputs. Each job (one exercise of one
submission) is a fresh child of it that receives its job through the fork
server's pipe, contains itself (see `grader.jail`: session, cgroup, resource
limits, no network, tmpfs work folder, scrubbed environment, Landlock, no
capabilities, seccomp; each where the platform allows) and appends one JSON
line of evidence per probe call, tagged with the job's random token, to a
file this process created and holds open. This process reads that file
through its own descriptor (so a child that swaps the path for a FIFO or a
symlink changes nothing) and only after the child's whole cgroup or session
is dead; a child that hangs, exits or crashes costs the probe call it was
in, and the rest of the exercise is run again in a new child. A child is
killed when one check makes no progress for `timeout` seconds, and in any
case after `timeout` x (checks + 1) seconds.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import secrets
import shutil
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.cgroups import CgroupRoot
from grader.evidence import EvidenceError, Failure, decode

__all__ = ["Item", "Limits", "Sandbox", "MAX_TIMEOUTS_PER_JOB"]

MAX_TIMEOUTS_PER_JOB = 2
_EVIDENCE_LIMIT = 64_000_000  # bytes of evidence read back per job
_POLL = 0.01
_CGROUP_SLACK_MB = 512  # page cache and tmpfs on top of the address-space limit
PROTECTED = Path(__file__).resolve().parent.parent  # the grader's project: package, reference, tests


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
        self._cgroups = CgroupRoot()

    def start(self) -> dict[str, str]:
        """Start the fork server (before any secret is loaded) and probe which layers work."""
        from grader import jail

        parent_state = self._cgroups.create()
        self.layers = self.run_probe_layers(jail)
        joined = self.layers.get("cgroups", "")
        self.layers["cgroups"] = parent_state if joined.startswith("joined") or not self._cgroups.bases else joined
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
        self._cgroups.close()
        self._tmp.cleanup()

    # --- helpers -------------------------------------------------------------

    def run_probe_layers(self, jail: Any) -> dict[str, str]:
        job, fd = self._new_jobdir()
        token = secrets.token_hex(16)
        cgroup = self._cgroups.new_job(self._cgroup_bytes())
        proc = self._ctx.Process(target=jail.report_layers,
                                 args=(str(job), self.limits, token, cgroup.procs if cgroup else [], str(PROTECTED),
                                       self.device),
                                 daemon=True)
        proc.start()
        proc.join(60)
        _kill_group(proc, cgroup)
        try:
            for raw in _read_all(fd).splitlines():
                record = json.loads(raw)
                if type(record) is dict and record.get("t") == token and type(record.get("layers")) is dict:
                    return {str(k): str(v) for k, v in record["layers"].items()}
            return {"sandbox": "the layer probe did not report"}
        except (OSError, ValueError):
            return {"sandbox": "the layer probe did not report"}
        finally:
            os.close(fd)
            shutil.rmtree(job, ignore_errors=True)

    def _cgroup_bytes(self) -> int:
        return (self.limits.memory_mb + _CGROUP_SLACK_MB) * 1024 * 1024

    def _new_jobdir(self) -> tuple[Path, int]:
        """A fresh job folder with its work folder and an empty evidence file; a read descriptor on it."""
        self._counter += 1
        job = self._root / f"job{os.getpid()}_{self._counter}_{time.monotonic_ns()}"
        (job / "work").mkdir(parents=True, mode=0o700)
        fd = os.open(job / "evidence.jsonl", os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        return job, fd

    def _one_child(self, submission: Any, exercise: str, items: list[Item]) -> tuple[dict, int | None, Failure | None]:
        from grader import jail

        job, fd = self._new_jobdir()
        token = secrets.token_hex(16)
        spec = {"exercise": exercise, "items": [(i.check_id, i.index, i.inputs) for i in items], "device": self.device}
        cgroup = self._cgroups.new_job(self._cgroup_bytes())
        proc = self._ctx.Process(target=jail.child_main,
                                 args=(str(job), submission, self.limits, spec, token,
                                       cgroup.procs if cgroup else [], str(PROTECTED)), daemon=True)
        try:
            proc.start()
            try:
                status = self._supervise(proc, fd, items)
            finally:
                _kill_group(proc, cgroup)
            done, began = _read_evidence(fd, items, token)
        finally:
            os.close(fd)
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

    def _supervise(self, proc: mp.process.BaseProcess, fd: int, items: list[Item]) -> str:
        """Wait for the child; 'exited' or 'timeout' (it was then killed).

        Progress is the evidence file growing; a child that grows it without
        finishing checks is still stopped at `timeout` x (checks + 1).
        """
        started = time.monotonic()
        hard_deadline = started + self.limits.timeout * (len(items) + 1)
        seen = 0
        while True:
            proc.join(_POLL)
            if not proc.is_alive():
                return "exited"
            now = time.monotonic()
            try:
                size = os.fstat(fd).st_size
            except OSError:
                size = seen
            if size != seen:
                seen, started = size, now
            if now - started > self.limits.timeout or now > hard_deadline:
                return "timeout"


def _kill_group(proc: mp.process.BaseProcess, cgroup: Any = None) -> None:
    """Kill the child's whole cgroup (every process it started), its session, then the child itself."""
    if cgroup is not None:
        cgroup.kill()
    if proc.pid is not None:
        for sig_target in (lambda: os.killpg(proc.pid, signal.SIGKILL), proc.kill):
            try:
                sig_target()
            except (ProcessLookupError, PermissionError, OSError, ValueError):
                pass
    proc.join(5)
    if cgroup is not None:
        cgroup.kill()
        cgroup.remove()


def _read_all(fd: int) -> bytes:
    """Up to _EVIDENCE_LIMIT bytes of the evidence file, from the start, through our own descriptor."""
    if not os.path.stat.S_ISREG(os.fstat(fd).st_mode):
        return b""
    chunks, total = [], 0
    while total < _EVIDENCE_LIMIT:
        chunk = os.pread(fd, min(1 << 20, _EVIDENCE_LIMIT - total), total)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _read_evidence(fd: int, items: list[Item], token: str) -> tuple[dict[str, Any], dict[str, bool]]:
    """Parse the child's evidence after the child is dead: never trust it, validate it.

    Only records carrying the job's token count, and for each probe call the
    first such record wins; anything malformed is skipped.
    """
    wanted = {i.key for i in items}
    done: dict[str, Any] = {}
    began: dict[str, bool] = {}
    try:
        data = _read_all(fd)
    except OSError:
        return done, began
    for raw in data.splitlines():
        try:
            record = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if type(record) is not dict or record.get("t") != token:
            continue
        if type(record.get("key")) is not str or record["key"] not in wanted:
            continue
        key = record["key"]
        if "begin" in record:
            began[key] = True
            continue
        if key in done:
            continue  # first answer wins; later lines for the same call are ignored
        try:
            done[key] = decode(record.get("evidence"))
        except (EvidenceError, RecursionError, TypeError, ValueError, OverflowError, RuntimeError) as exc:
            done[key] = Failure("mistake", f"the returned value cannot be checked: {str(exc)[:300]}")
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
