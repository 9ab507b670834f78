"""Inside the child: contain the process, then run the job's probe calls.

Layers, in the order they are applied, each where the platform allows it and
reported either way (`contain` returns {layer: what happened}):

1. a new session and process group (`child_main` calls setsid);
2. the job's cgroup (process and memory caps; the parent kills the whole
   group through it, setsid escapees included);
3. a new network namespace (no interface but a down loopback) and a new
   mount namespace whose work folder is a size-capped tmpfs;
4. resource limits: address space, CPU time, file size, open files, no core;
5. a fresh working folder, a scrubbed environment, stdin from /dev/null and
   stdout/stderr to a capped file (never parsed);
6. Landlock: read the Python runtime and the system folders only (not the
   grader's project: no reference, no hidden inputs, no other submission),
   write the work folder only, no TCP, no signals outside;
7. every capability dropped (root without CAP_SYS_PTRACE cannot read the
   grader's memory through /proc);
8. seccomp: no new processes, no sockets, no signals but to itself, no
   ptrace, mount or namespaces.

The evidence file is the only channel back. The parent created it and reads
it through its own descriptor only after the child's whole cgroup (or
session) is dead; every record carries the job's token, and the parent
validates every value it decodes.
"""
from __future__ import annotations

import builtins
import ctypes
import json
import math
import os
import resource
import signal
from pathlib import Path
from typing import Any

__all__ = ["child_main", "report_layers", "contain"]

_CLONE_NEWNS = 0x00020000
_CLONE_NEWNET = 0x40000000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 2, 4, 1 << 14, 1 << 18
_TMPFS_MIN = 64 * 1024 * 1024


def child_main(jobdir: str, submission: Any, limits: Any, spec: dict, token: str, cgroup_procs: list[str],
               protected: str) -> None:
    """Entry point of a job's child process (forked from the warm server)."""
    os.setsid()
    _die_with_parent()
    job = Path(jobdir)
    dumps, write = json.dumps, os.write  # bound before student code runs
    fd = os.open(job / "evidence.jsonl", os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)

    def emit(record: dict) -> None:
        record["t"] = token
        write(fd, (dumps(record, allow_nan=True) + "\n").encode())

    contain(job, limits, cgroup_procs, Path(protected), device=spec["device"])

    import torch

    torch.set_num_threads(1)
    from grader.checks import check_by_id
    from grader.importer import SubmissionModules
    from grader.probe import run_probe

    guarded = _guarded()
    modules = SubmissionModules(submission)
    for check_id, index, inputs in spec["items"]:
        key = f"{check_id}#{index}"
        emit({"key": key, "begin": True})
        escaped: BaseException | None = None
        try:
            data = run_probe(check_by_id(check_id), modules, inputs, spec["device"])
        except BaseException as exc:  # noqa: BLE001 - KeyboardInterrupt, or a probe broken by the submission
            escaped, data = exc, None
        changed = _restore(guarded)  # first: the builtins the rest of this loop uses may have been replaced
        if escaped is not None:
            data = _escaped(escaped)
        if type(data) is dict and "__failure__" in data and data["__failure__"][0] == "internal":
            if changed:
                data = {"__failure__": ["mistake", "the submission replaced " + ", ".join(changed[:4])
                                        + " (Python's or torch's own functions), so the checks cannot run", "", ""]}
            elif data["__failure__"][3] == "RecursionError":  # the grader recursed into the submission's value
                data = {"__failure__": ["mistake", "the returned value is nested too deeply or refers to itself "
                                        f"({data['__failure__'][1][:120]})", "", "RecursionError"]}
        try:
            emit({"key": key, "evidence": data})
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            emit({"key": key, "evidence": {"__failure__": ["mistake", f"evidence not serialisable: {exc}", "", ""]}})
    os._exit(0)


def report_layers(jobdir: str, limits: Any, token: str, cgroup_procs: list[str], protected: str,
                  device: str = "cpu") -> None:
    """Apply the layers in a throwaway child and report which of them took effect."""
    os.setsid()
    fd = os.open(Path(jobdir) / "evidence.jsonl", os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC)
    layers = contain(Path(jobdir), limits, cgroup_procs, Path(protected), device=device)
    os.write(fd, (json.dumps({"t": token, "layers": layers}, sort_keys=True) + "\n").encode())
    os._exit(0)


def contain(job: Path, limits: Any, cgroup_procs: list[str] = (), protected: Path | None = None,
            device: str = "cpu") -> dict[str, str]:
    """Apply every containment layer available here; {layer: what happened}."""
    from grader import landlock, seccomp

    layers: dict[str, str] = {"session": "own session and process group"}
    layers["cgroups"] = _join_cgroups(cgroup_procs)
    layers["network"] = _cut_network()
    work = job / "work"
    layers["mounts"] = _private_tmpfs(work, max(_TMPFS_MIN, 4 * limits.output_bytes))
    layers["limits"] = _set_rlimits(limits, address_space=device != "cuda")
    os.chdir(work)
    layers["workdir"] = "fresh working folder per job; the submission is passed as source text, never as files"
    keep = {"PATH": "/usr/bin:/bin", "HOME": str(work), "TMPDIR": str(work), "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    os.environ.clear()
    os.environ.update(keep)
    import tempfile

    tempfile.tempdir = str(work)  # the fork server cached its own /tmp
    layers["environment"] = "scrubbed (PATH, HOME, TMPDIR, LANG, thread counts only)"
    _redirect_stdio(work / ".output.txt", limits.output_bytes)
    layers["output"] = f"stdin /dev/null; stdout and stderr to a file capped at {limits.output_bytes} bytes, never read"
    protected = protected or Path(__file__).resolve().parent.parent
    layers["landlock"] = _guard(lambda: landlock.restrict(work, protected))
    layers["capabilities"] = _drop_capabilities()
    layers["seccomp"] = _guard(seccomp.install)
    return layers


# --- layers ------------------------------------------------------------------


def _die_with_parent() -> None:
    """SIGKILL this child when the fork server goes (it goes when the judging process dies)."""
    try:
        _libc().prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() == 1:
            os._exit(1)
    except (OSError, AttributeError):
        pass


def _guard(apply: Any) -> str:
    try:
        return apply()
    except Exception as exc:  # noqa: BLE001 - a layer that fails is reported, the others still apply
        return f"NOT active: {type(exc).__name__}: {exc}"


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _join_cgroups(procs: list[str]) -> str:
    if not procs:
        return "NOT active: no cgroup for this job (see the grader's log)"
    joined = []
    for path in procs:
        try:
            with open(path, "w") as fh:
                fh.write(str(os.getpid()))
            joined.append(path)
        except OSError as exc:
            return f"NOT active: cannot join {path} ({exc.strerror})"
    return f"joined the job's cgroup ({len(joined)} controller folder(s)): processes and memory capped"


def _cut_network() -> str:
    try:
        libc = _libc()
        if libc.unshare(_CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            return f"NOT cut: unshare(CLONE_NEWNET) failed ({os.strerror(err)}); run as root on Linux to cut it"
        return "cut (new network namespace: no interfaces but a down loopback)"
    except (OSError, AttributeError) as exc:
        return f"NOT cut: no unshare on this platform ({exc})"


def _private_tmpfs(work: Path, size: int) -> str:
    try:
        libc = _libc()
        if libc.unshare(_CLONE_NEWNS) != 0:
            return f"NOT active: unshare(CLONE_NEWNS) failed ({os.strerror(ctypes.get_errno())}); work folder on disk"
        if libc.mount(None, b"/", None, _MS_REC | _MS_PRIVATE, None) != 0:
            return f"NOT active: cannot make mounts private ({os.strerror(ctypes.get_errno())})"
        opts = f"size={size},mode=0700".encode()
        if libc.mount(b"tmpfs", str(work).encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV, opts) != 0:
            return f"NOT active: cannot mount a tmpfs ({os.strerror(ctypes.get_errno())}); work folder on disk"
        return f"private mount namespace; the work folder is a tmpfs of {size // 2**20} MiB (no disk filling)"
    except (OSError, AttributeError) as exc:
        return f"NOT active: {exc}"


def _set_rlimits(limits: Any, address_space: bool = True) -> str:
    """CPU time, file size, open files, no core; the address space too, except for CUDA jobs.

    CUDA's initialisation reserves tens of GiB of virtual address space, so a
    CUDA child is capped by its cgroup's memory limit instead (where cgroups exist).
    """
    vm_kb = 0
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmSize:"):
                    vm_kb = int(line.split()[1])
    except OSError:
        pass
    address = (vm_kb * 1024 + limits.memory_mb * 1024 * 1024) if vm_kb and address_space else None
    applied = []
    for name, soft in (("RLIMIT_AS", address), ("RLIMIT_CPU", limits.cpu_seconds),
                       ("RLIMIT_FSIZE", limits.output_bytes), ("RLIMIT_NOFILE", limits.open_files),
                       ("RLIMIT_CORE", 0)):
        which = getattr(resource, name, None)
        if which is None or soft is None:
            continue
        try:
            resource.setrlimit(which, (soft, soft))
            applied.append(name)
        except (ValueError, OSError):
            pass
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an oversized write fails with EFBIG instead of killing
    text = ", ".join(applied) or "none"
    return text if address_space else text + " (no RLIMIT_AS: a CUDA job; its cgroup caps memory)"


def _redirect_stdio(path: Path, cap: int) -> None:
    null = os.open(os.devnull, os.O_RDONLY)
    out = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(null)
    os.close(out)


def _drop_capabilities() -> str:
    """Empty the bounding, ambient, effective, permitted and inheritable sets (uid stays 0)."""
    try:
        libc = _libc()
        try:
            with open("/proc/sys/kernel/cap_last_cap") as fh:
                last = int(fh.read())
        except (OSError, ValueError):
            last = 40
        for cap in range(last + 1):
            libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP
        libc.prctl(47, 4, 0, 0, 0)  # PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL
        header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
        data = (ctypes.c_uint32 * 6)()
        if libc.capset(header, data) != 0:
            return f"NOT active: capset failed ({os.strerror(ctypes.get_errno())})"
        return "all dropped (root without capabilities: no ptrace, no raw I/O, no admin)"
    except (OSError, AttributeError) as exc:
        return f"NOT active: {exc}"


# --- tampering -----------------------------------------------------------------


def _escaped(exc: BaseException) -> dict:
    """Evidence for an exception that got out of `run_probe` (its handler itself failed, or a runner signal)."""
    try:
        name = type(exc).__name__
        text = str(exc)[:200]
    except Exception:  # noqa: BLE001 - a hostile exception
        name, text = "BaseException", ""
    if isinstance(exc, KeyboardInterrupt):
        return {"__failure__": ["exception", "raised KeyboardInterrupt instead of returning", "", "KeyboardInterrupt"]}
    return {"__failure__": ["internal", f"{name}: {text} (escaped the probe)", "", name]}


def _guarded() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, original) for builtins and the functions verdicts are made of."""
    import torch
    import torch.testing

    found = [(builtins, name, value) for name, value in vars(builtins).items()]
    for owner, names in ((math, ("isclose", "isfinite", "isnan")),
                         (torch, ("allclose", "equal", "isclose", "tensor", "is_tensor")),
                         (torch.testing, ("assert_close",)), (json, ("dumps",)),
                         (torch.Tensor, ("__eq__", "__bool__", "tolist", "item"))):
        found += [(owner, name, getattr(owner, name)) for name in names if hasattr(owner, name)]
    return found


def _restore(guarded: list[tuple[Any, str, Any]]) -> list[str]:
    """Put back whatever a submission replaced; the names it replaced."""
    changed = []
    for owner, name, original in guarded:
        try:
            if getattr(owner, name, None) is not original:
                changed.append(f"{getattr(owner, '__name__', 'builtins')}.{name}")
                setattr(owner, name, original)
        except Exception:  # noqa: BLE001 - a hostile descriptor
            changed.append(name)
    return changed
