"""Landlock for the sandboxed child: read only the runtime, write only the job's work folder.

Landlock (Linux 5.13+) binds root too. Through ctypes, no dependency. The
child may read and execute the Python runtime (the interpreter's prefixes
and the import path, never the grader's own project folder: not the
reference, not the hidden inputs, not the class folder nor any other
submission) and the system folders (`/usr`, `/lib*`, `/etc`, `/proc`,
`/sys` read-only; of `/dev` only `null`, `zero`, `urandom` and the like and
GPU device files, never a raw disk); it may write only in its fresh work
folder. Where the kernel's
Landlock ABI allows: no TCP bind or connect (ABI 4), no ioctl on other
devices (ABI 5), no signals to and no abstract Unix sockets of processes
outside the sandbox (ABI 6).
"""
from __future__ import annotations

import ctypes
import glob
import os
import sys
from pathlib import Path

__all__ = ["restrict", "abi_version"]

_SYS_CREATE, _SYS_ADD_RULE, _SYS_RESTRICT = 444, 445, 446  # the same on every architecture
_RULE_PATH_BENEATH, _CREATE_RULESET_VERSION = 1, 1

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
REMOVE_DIR, REMOVE_FILE, MAKE_CHAR, MAKE_DIR, MAKE_REG = 1 << 4, 1 << 5, 1 << 6, 1 << 7, 1 << 8
MAKE_SOCK, MAKE_FIFO, MAKE_BLOCK, MAKE_SYM = 1 << 9, 1 << 10, 1 << 11, 1 << 12
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FS_BY_ABI = {1: (1 << 13) - 1, 2: (1 << 14) - 1, 3: (1 << 15) - 1, 5: (1 << 16) - 1}
_NET_BIND_TCP, _NET_CONNECT_TCP = 1 << 0, 1 << 1
_SCOPE_ABSTRACT_UNIX, _SCOPE_SIGNAL = 1 << 0, 1 << 1

_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV
_READ = EXECUTE | READ_FILE | READ_DIR
_SYSTEM = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/proc", "/sys", "/opt")  # not /dev: raw disks
_DEV_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc


def abi_version() -> int:
    """The kernel's Landlock ABI version; 0 where there is none."""
    if sys.platform != "linux":
        return 0
    try:
        version = _libc().syscall(_SYS_CREATE, None, 0, _CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0
    return max(int(version), 0)


def readable_roots(protected: Path) -> list[str]:
    """Folders the child may read: the runtime and the system, never anything holding `protected`.

    `protected` is the grader's project folder (its package, reference and
    tests). A folder on the import path that holds it is not granted; when
    that folder is a site-packages, its other entries are granted one by one.
    """
    protected = protected.resolve()
    candidates = [*_SYSTEM, sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                  os.path.dirname(os.path.realpath(sys.executable))]
    candidates += [p for p in sys.path if p and os.path.isabs(p)]
    roots: list[str] = []
    for raw in candidates:
        for path in {raw, os.path.realpath(raw)}:
            p = Path(path)
            if not p.is_dir():
                continue
            if p == protected or p in protected.parents:
                if p.name in ("site-packages", "dist-packages"):
                    roots += [str(c) for c in p.iterdir() if c.resolve() != protected and c.name != "grader"]
                continue
            roots.append(str(p))
    return sorted(set(roots))


def grader_sources() -> list[str]:
    """The grader's own modules a child may still import: every .py of the package but the hidden inputs."""
    package = Path(__file__).resolve().parent
    return sorted(str(p) for p in package.rglob("*.py") if p.name not in SECRET_MODULES)


SECRET_MODULES = ("hidden.py",)


def restrict(work: Path, protected: Path) -> str:
    """Apply the ruleset to this process (and its future children); a line for the layer report."""
    abi = abi_version()
    if abi < 1:
        return "NOT active: no Landlock in this kernel (Linux 5.13+ with landlock in the LSM list)"
    libc = _libc()
    fs = _FS_BY_ABI[max(k for k in _FS_BY_ABI if k <= abi)]
    attr = _RulesetAttr(fs, (_NET_BIND_TCP | _NET_CONNECT_TCP) if abi >= 4 else 0,
                        (_SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL) if abi >= 6 else 0)
    size = 24 if abi >= 6 else (16 if abi >= 4 else 8)
    ruleset = libc.syscall(_SYS_CREATE, ctypes.byref(attr), size, 0)
    if ruleset < 0:
        return f"NOT active: landlock_create_ruleset failed ({os.strerror(ctypes.get_errno())})"
    try:
        def allow(path: str, access: int) -> None:
            try:
                fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                return
            try:
                if not os.path.isdir(path):
                    access &= _FILE_RIGHTS
                rule = _PathBeneath(access & fs, fd)
                libc.syscall(_SYS_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule), 0)
            finally:
                os.close(fd)

        for root in readable_roots(protected):
            allow(root, _READ)
        for source in grader_sources():
            allow(source, READ_FILE)
        package = Path(__file__).resolve().parent
        allow(str(package), READ_DIR)  # lists its folders (for imports), reads nothing but the files above
        for dev in (*_DEV_FILES, *glob.glob("/dev/nvidia*"), *glob.glob("/dev/dri/*")):
            allow(dev, READ_FILE | WRITE_FILE | IOCTL_DEV)
        allow(str(work), fs)
        if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
            return f"NOT active: PR_SET_NO_NEW_PRIVS failed ({os.strerror(ctypes.get_errno())})"
        if libc.syscall(_SYS_RESTRICT, ruleset, 0) != 0:
            return f"NOT active: landlock_restrict_self failed ({os.strerror(ctypes.get_errno())})"
    finally:
        os.close(ruleset)
    parts = ["active (ABI %d): reads only the Python runtime and system folders, writes only its work folder" % abi]
    parts.append("no TCP" if abi >= 4 else "TCP not covered (ABI < 4)")
    parts.append("no signals outside the sandbox" if abi >= 6 else "signals not scoped (ABI < 6)")
    return "; ".join(parts)
