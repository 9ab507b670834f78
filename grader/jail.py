"""Inside the child: contain the process, then run the job's probe calls.

Layers, each applied where the platform allows and reported either way:
a new session (so the whole group can be killed), resource limits (address
space, CPU time, file size, open files), a new network namespace (no
network), a scrubbed environment, a fresh working folder, stdin from
/dev/null and output to a capped file. The evidence file is the only channel
back, and the judging process reads it only after the group is dead.
"""
from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
from pathlib import Path
from typing import Any

__all__ = ["child_main", "report_layers", "contain"]

_CLONE_NEWNET = 0x40000000


def child_main(jobdir: str, submission: Any, limits: Any) -> None:
    """Entry point of a job's child process (forked from the warm server)."""
    os.setsid()
    job = Path(jobdir)
    dumps, open_, write, close = json.dumps, os.open, os.write, os.close  # bound before student code runs
    evidence = str(job / "evidence.jsonl")

    def emit(record: dict) -> None:
        fd = open_(evidence, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
        try:
            write(fd, (dumps(record, allow_nan=True) + "\n").encode())
        finally:
            close(fd)

    spec = json.loads((job / "job.json").read_text())
    os.unlink(job / "job.json")
    contain(job, limits)

    import torch

    torch.set_num_threads(1)
    from grader.checks import check_by_id
    from grader.importer import SubmissionModules
    from grader.probe import run_probe

    modules = SubmissionModules(submission)
    for check_id, index, inputs in spec["items"]:
        key = f"{check_id}#{index}"
        emit({"key": key, "begin": True})
        data = run_probe(check_by_id(check_id), modules, inputs, spec["device"])
        try:
            emit({"key": key, "evidence": data})
        except (TypeError, ValueError, OverflowError) as exc:
            emit({"key": key, "evidence": {"__failure__": ["mistake", f"evidence not serialisable: {exc}", "", ""]}})
    os._exit(0)


def report_layers(jobdir: str, limits: Any) -> None:
    """Apply the layers in a throwaway child and write which of them took effect."""
    os.setsid()
    job = Path(jobdir)
    layers = contain(job, limits)
    (job / "layers.json").write_text(json.dumps(layers, sort_keys=True))
    os._exit(0)


def contain(job: Path, limits: Any) -> dict[str, str]:
    """Apply every containment layer available here; {layer: what happened}."""
    layers: dict[str, str] = {"session": "own session and process group (killed as a group)"}
    layers["network"] = _cut_network()
    layers["limits"] = _set_rlimits(limits)
    work = job / "work"
    os.chdir(work)
    layers["workdir"] = "fresh working folder per job"
    keep = {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    os.environ.clear()
    os.environ.update(keep)
    layers["environment"] = "scrubbed (PATH, HOME, TMPDIR, LANG, thread counts only)"
    _redirect_stdio(job / "output.txt")
    layers["output"] = f"stdin /dev/null; stdout and stderr to a file capped at {limits.output_bytes} bytes"
    return layers


def _cut_network() -> str:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.unshare(_CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            return f"NOT cut: unshare(CLONE_NEWNET) failed ({os.strerror(err)}); run as root on Linux to cut it"
        return "cut (new network namespace: no interfaces but a down loopback)"
    except (OSError, AttributeError) as exc:
        return f"NOT cut: no unshare on this platform ({exc})"


def _set_rlimits(limits: Any) -> str:
    vm_kb = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    vm_kb = int(line.split()[1])
    except OSError:
        pass
    address = (vm_kb * 1024 + limits.memory_mb * 1024 * 1024) if vm_kb else resource.RLIM_INFINITY
    applied = []
    for name, soft in (("RLIMIT_AS", address), ("RLIMIT_CPU", limits.cpu_seconds),
                       ("RLIMIT_FSIZE", limits.output_bytes), ("RLIMIT_NOFILE", limits.open_files),
                       ("RLIMIT_CORE", 0)):
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            resource.setrlimit(which, (soft, soft))
            applied.append(name)
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing
    return ", ".join(applied) or "none"


def _redirect_stdio(path: Path) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)
