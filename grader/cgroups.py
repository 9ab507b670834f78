"""Control groups for sandboxed children: a process cap, a memory cap, and a kill that reaches everyone.

The judging process makes one cgroup per job (under its own cgroup, in the
`pids` and `memory` controllers of cgroup v1, or in the unified cgroup v2
hierarchy); the child moves itself in before any submission code runs, so
every process it could start (a fork bomb, a `setsid` escapee, a daemon)
is in it too. `pids.max` caps the number of tasks, the memory limit makes
the kernel kill the job rather than the machine, and `kill()` empties the
group, however its members re-parented or re-grouped themselves, before the
judging process reads the job's evidence.

Where cgroups are not writable (no root, Docker without a delegated cgroup,
macOS), `CgroupRoot.create()` says why and the grader falls back to killing
the child's session.
"""
from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["CgroupRoot", "JobCgroup", "PIDS_MAX"]

PIDS_MAX = 64  # tasks (threads included) of one job


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(mount point, root inside the hierarchy, fstype, options) of every cgroup mount."""
    found = []
    try:
        with open("/proc/self/mountinfo") as fh:
            for line in fh:
                left, _, right = line.partition(" - ")
                parts, rparts = left.split(), right.split()
                if len(parts) < 5 or len(rparts) < 3 or rparts[0] not in ("cgroup", "cgroup2"):
                    continue
                found.append((parts[4], parts[3], rparts[0], set(rparts[2].split(",")) | set(parts[5].split(","))))
    except OSError:
        pass
    return found


def _own_paths() -> dict[str, str]:
    """{controller or '' for v2: this process's cgroup path}."""
    paths = {}
    try:
        with open("/proc/self/cgroup") as fh:
            for line in fh:
                _, controllers, path = line.rstrip("\n").split(":", 2)
                for c in controllers.split(",") if controllers else [""]:
                    paths[c] = path
    except (OSError, ValueError):
        pass
    return paths


def _join(mount: str, root: str, path: str) -> Path:
    rel = os.path.relpath(path, root) if path.startswith(root) else path.lstrip("/")
    return Path(mount) / ("" if rel == "." else rel)


def _remove_stale(parent: Path) -> None:
    """Empty and remove the cgroups of graders that died without cleaning up (`grader-<pid>-...`)."""
    try:
        stale = [d for d in parent.glob("grader-*-*") if d.is_dir()]
    except OSError:
        return
    for base in stale:
        try:
            pid = int(base.name.split("-")[1])
            os.kill(pid, 0)
            continue  # its grader is still running
        except (ValueError, IndexError):
            continue
        except ProcessLookupError:
            pass
        except OSError:
            continue
        for d in sorted(base.glob("job*")):
            JobCgroup([d]).kill(wait=2)
            JobCgroup([d]).remove()
        try:
            base.rmdir()
        except OSError:
            pass


@dataclass
class JobCgroup:
    """One job's cgroup folders; the child writes its pid into `procs` files."""

    dirs: list[Path]
    procs: list[str] = field(default_factory=list)

    def members(self) -> set[int]:
        pids: set[int] = set()
        for d in self.dirs:
            try:
                pids |= {int(x) for x in (d / "cgroup.procs").read_text().split()}
            except (OSError, ValueError):
                pass
        return pids

    def kill(self, wait: float = 10.0) -> bool:
        """SIGKILL every member until none is left; True when the group is empty."""
        deadline = time.monotonic() + wait
        for d in self.dirs:
            try:
                (d / "cgroup.kill").write_text("1")  # v2: atomic, reaches forks in flight
            except OSError:
                pass
        while True:
            members = self.members()
            if not members:
                return True
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            if time.monotonic() > deadline:
                return False
            time.sleep(0.002)

    def remove(self) -> None:
        for d in self.dirs:
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.01)


class CgroupRoot:
    """This grader's own cgroup folders, one job cgroup under them per child."""

    def __init__(self) -> None:
        self.bases: list[tuple[Path, str]] = []  # (folder, 'v1-pids' | 'v1-memory' | 'v2')
        self.state = "NOT active: not tried"
        self._n = 0

    def create(self) -> str:
        """Make the base folders; a line for the layer report."""
        if not os.path.isdir("/sys/fs/cgroup"):
            self.state = "NOT active: no /sys/fs/cgroup (not Linux?)"
            return self.state
        own = _own_paths()
        tag = f"grader-{os.getpid()}-{time.monotonic_ns()}"
        errors = []
        mounts = _mounts()
        v1 = {c: (m, r) for m, r, t, opts in mounts if t == "cgroup" for c in ("pids", "memory") if c in opts}
        if "pids" in v1 or "memory" in v1:
            for c in ("pids", "memory"):
                if c not in v1 or c not in own:
                    errors.append(f"no {c} controller")
                    continue
                base = _join(*v1[c], own[c]) / tag
                _remove_stale(base.parent)
                try:
                    base.mkdir()
                    self.bases.append((base, f"v1-{c}"))
                except OSError as exc:
                    errors.append(f"{c}: {exc.strerror}")
        else:
            v2 = [(m, r) for m, r, t, _ in mounts if t == "cgroup2"]
            if v2 and "" in own:
                base = _join(*v2[0], own[""]) / tag
                _remove_stale(base.parent)
                try:
                    base.mkdir()
                    (base / "cgroup.subtree_control").write_text("+pids +memory")
                    self.bases.append((base, "v2"))
                except OSError as exc:
                    errors.append(f"cgroup v2: {exc.strerror}")
                    try:
                        base.rmdir()
                    except OSError:
                        pass
            else:
                errors.append("no cgroup v1 pids/memory nor cgroup v2 mount")
        kinds = [k for _, k in self.bases]
        if not self.bases:
            self.state = "NOT active: " + "; ".join(errors) + " (a fork bomb is then stopped only by seccomp)"
        else:
            have = [what for what, ok in (("pids", any("pids" in k or k == "v2" for k in kinds)),
                                          ("memory", any("memory" in k or k == "v2" for k in kinds))) if ok]
            self.state = (f"active ({', '.join(kinds)}): {' and '.join(have)} capped per job (at most {PIDS_MAX} "
                          "tasks), the whole job killed through its cgroup")
            if errors:
                self.state += "; partly: " + "; ".join(errors)
        return self.state

    def new_job(self, memory_bytes: int) -> JobCgroup | None:
        if not self.bases:
            return None
        self._n += 1
        dirs = []
        for base, kind in self.bases:
            d = base / f"job{self._n}-{time.monotonic_ns()}"
            try:
                d.mkdir()
                if kind in ("v1-pids", "v2"):
                    (d / "pids.max").write_text(str(PIDS_MAX))
                if kind == "v1-memory":
                    (d / "memory.limit_in_bytes").write_text(str(memory_bytes))
                    try:
                        (d / "memory.memsw.limit_in_bytes").write_text(str(memory_bytes))
                    except OSError:
                        pass
                if kind == "v2":
                    (d / "memory.max").write_text(str(memory_bytes))
                    try:
                        (d / "memory.swap.max").write_text("0")
                    except OSError:
                        pass
                dirs.append(d)
            except OSError:
                try:
                    d.rmdir()
                except OSError:
                    pass
        if not dirs:
            return None
        return JobCgroup(dirs, [str(d / "cgroup.procs") for d in dirs])

    def close(self) -> None:
        for base, _ in self.bases:
            for d in sorted(base.glob("job*"), reverse=True):
                JobCgroup([d]).kill(wait=2)
                JobCgroup([d]).remove()
            try:
                base.rmdir()
            except OSError:
                pass
        self.bases = []
