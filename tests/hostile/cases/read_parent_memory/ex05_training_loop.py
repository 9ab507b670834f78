"""Hostile: read the judging process's memory (its reference evidence) through /proc/PID/mem and ptrace."""
import ctypes
import os

WON = False
_me = os.getpid()
for _pid in os.listdir("/proc"):
    if not _pid.isdigit() or int(_pid) == _me:
        continue
    try:
        with open(f"/proc/{_pid}/maps") as _maps, open(f"/proc/{_pid}/mem", "rb", 0) as _mem:
            for _line in _maps:
                _lo, _hi = (int(x, 16) for x in _line.split()[0].split("-"))
                try:
                    _mem.seek(_lo)
                    if _mem.read(min(_hi - _lo, 4096)):
                        WON = True
                        break
                except (OSError, ValueError, OverflowError):
                    continue
    except OSError:
        pass
    if WON:
        break
try:
    if ctypes.CDLL(None, use_errno=True).ptrace(16, os.getppid(), 0, 0) == 0:  # PTRACE_ATTACH
        WON = True
except OSError:
    pass
# @tail
