"""Hostile: leave a setsid child process, a subprocess and a daemon thread running after the job."""
import ctypes
import os
import subprocess
import threading
import time

try:
    if os.fork() == 0:
        os.setsid()
        ctypes.CDLL(None).prctl(15, b"hostile-left", 0, 0, 0)
        time.sleep(120)
        os._exit(0)
except OSError:
    pass
try:
    subprocess.Popen(["sleep", "300"], start_new_session=True)
except OSError:
    pass


def _spin():
    while True:
        time.sleep(0.01)


threading.Thread(target=_spin, daemon=True).start()
WON = False  # @tail
