"""A seccomp filter for the sandboxed child, built by hand (classic BPF through ctypes).

No dependency: the filter is a few dozen BPF instructions installed with the
`seccomp(2)` system call (or `prctl` where that is missing). It denies, with
an error the submission sees as an ordinary `PermissionError`:

- every new process (`fork`, `vfork`, `clone` without `CLONE_THREAD`;
  `clone3` answers ENOSYS so the C library falls back to `clone`): threads
  still work, fork bombs and processes left running after the job do not;
- every socket (`socket`, `socketpair`): no network, no talking to local
  daemons through Unix sockets;
- signals to any process but itself (`kill`, `tgkill`, `rt_sigqueueinfo`,
  ...): a submission cannot stop the grader or another submission;
- ptrace and reading or writing other processes' memory;
- mount, namespaces, chroot, modules, kexec, bpf, perf, keyrings, swap,
  reboot, clock changes, file handles;
- every system call of another ABI (x32, i386 through int 0x80).

Only x86_64 has a syscall table here; elsewhere `install` reports the layer
as unavailable and the other layers still apply.
"""
from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct

__all__ = ["install", "available"]

_AUDIT_ARCH_X86_64 = 0xC000003E
_X32_BIT = 0x40000000
_CLONE_THREAD = 0x00010000

_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_RET_KILL_PROCESS = 0x80000000

_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_RET_K = 0x06

_OFF_NR, _OFF_ARCH, _OFF_ARG0 = 0, 4, 16  # struct seccomp_data; arg0's low 32 bits (little endian)

# x86_64 syscall numbers
_X86_64 = {
    "socket": 41, "socketpair": 53, "clone": 56, "fork": 57, "vfork": 58, "kill": 62, "ptrace": 101,
    "rt_sigqueueinfo": 129, "pivot_root": 155, "chroot": 161, "acct": 163, "settimeofday": 164, "mount": 165,
    "umount2": 166, "swapon": 167, "swapoff": 168, "reboot": 169, "sethostname": 170, "setdomainname": 171,
    "iopl": 172, "ioperm": 173, "init_module": 175, "delete_module": 176, "tkill": 200, "clock_settime": 227,
    "tgkill": 234, "kexec_load": 246, "add_key": 248, "request_key": 249, "keyctl": 250, "unshare": 272,
    "rt_tgsigqueueinfo": 297, "perf_event_open": 298, "fanotify_init": 300, "name_to_handle_at": 303,
    "open_by_handle_at": 304, "setns": 308, "process_vm_readv": 310, "process_vm_writev": 311,
    "finit_module": 313, "kexec_file_load": 320, "bpf": 321, "userfaultfd": 323, "pidfd_send_signal": 424,
    "open_tree": 428, "move_mount": 429, "fsopen": 430, "fsconfig": 431, "fsmount": 432, "fspick": 433,
    "clone3": 435, "mount_setattr": 442, "pidfd_getfd": 438,
}

_DENIED = (
    "socket", "socketpair", "fork", "vfork", "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "pidfd_send_signal", "tkill", "pivot_root", "chroot", "acct", "settimeofday", "clock_settime", "mount",
    "umount2", "swapon", "swapoff", "reboot", "sethostname", "setdomainname", "iopl", "ioperm", "init_module",
    "finit_module", "delete_module", "kexec_load", "kexec_file_load", "add_key", "request_key", "keyctl",
    "unshare", "setns", "perf_event_open", "fanotify_init", "name_to_handle_at", "open_by_handle_at", "bpf",
    "userfaultfd", "open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
)
_OWN_PID_ONLY = ("kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo")  # first argument: a pid


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def available() -> str | None:
    """None when the filter can be built here, else why not."""
    if os.name != "posix" or platform.system() != "Linux":
        return "not Linux"
    if platform.machine() not in ("x86_64", "AMD64") or struct.calcsize("P") != 8:
        return f"no syscall table for {platform.machine()}"
    return None


def _program(pid: int) -> list[tuple[int, int, int, int]]:
    table = _X86_64
    deny = _RET_ERRNO | errno.EPERM
    prog: list[tuple[int, int, int, int]] = [
        (_LD_W_ABS, 0, 0, _OFF_ARCH),
        (_JEQ_K, 1, 0, _AUDIT_ARCH_X86_64),
        (_RET_K, 0, 0, _RET_KILL_PROCESS),
        (_LD_W_ABS, 0, 0, _OFF_NR),
        (_JGE_K, 0, 1, _X32_BIT),
        (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS),
    ]

    def rule(nr: int, block: list[tuple[int, int, int, int]]) -> None:
        prog.append((_LD_W_ABS, 0, 0, _OFF_NR))
        prog.append((_JEQ_K, 0, len(block), nr))
        prog.extend(block)

    for name in _DENIED:
        rule(table[name], [(_RET_K, 0, 0, deny)])
    rule(table["clone3"], [(_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS)])
    rule(table["clone"], [(_LD_W_ABS, 0, 0, _OFF_ARG0), (_JSET_K, 0, 1, _CLONE_THREAD),
                          (_RET_K, 0, 0, _RET_ALLOW), (_RET_K, 0, 0, deny)])
    for name in _OWN_PID_ONLY:
        rule(table[name], [(_LD_W_ABS, 0, 0, _OFF_ARG0), (_JEQ_K, 1, 0, pid & 0xFFFFFFFF),
                           (_RET_K, 0, 0, deny), (_RET_K, 0, 0, _RET_ALLOW)])
    prog.append((_RET_K, 0, 0, _RET_ALLOW))
    return prog


def install() -> str:
    """Install the filter on this process (all its threads); a line for the layer report."""
    why = available()
    if why:
        return f"NOT active: {why}"
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    prog = _program(os.getpid())
    filters = (_SockFilter * len(prog))(*[_SockFilter(*ins) for ins in prog])
    fprog = _SockFprog(len(prog), filters)
    if libc.prctl(38, 1, 0, 0, 0) != 0:  # PR_SET_NO_NEW_PRIVS
        return f"NOT active: PR_SET_NO_NEW_PRIVS failed ({os.strerror(ctypes.get_errno())})"
    # seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, &prog): every thread at once
    if libc.syscall(317, 1, 1, ctypes.byref(fprog)) != 0:
        if libc.prctl(22, 2, ctypes.byref(fprog), 0, 0) != 0:  # PR_SET_SECCOMP, SECCOMP_MODE_FILTER
            return f"NOT active: seccomp refused the filter ({os.strerror(ctypes.get_errno())})"
    return ("active: no new processes, no sockets, signals to itself only, no ptrace, mount, namespaces, "
            "modules or bpf")
