"""Hostile: read the reference solution, the hidden inputs and the grader's data; use them if it can.

(The grader's own modules but hidden.py are readable by design: `grader release` ships them to students.)
"""
import os

WON = False
STOLEN = None
_wanted = ("reference", "solution", "hidden", "golden")
_paths = [os.path.join(__REPO__, "reference", "ex04_tied_weights.py"),
          os.path.join(__REPO__, "grader", "hidden.py"),
          os.path.join(__REPO__, "tests", "conftest.py"),
          os.path.join(__OUT__, "gradebook.sqlite"),
          os.path.join(__CLASS__, "ref_clean", "ex04_tied_weights.py")]
for _pid in os.listdir("/proc"):  # through another process's cwd, root or open files
    if _pid.isdigit():
        _paths += [f"/proc/{_pid}/cwd/reference/ex04_tied_weights.py", f"/proc/{_pid}/environ"]
for _top in (__REPO__, os.path.dirname(__REPO__), __CLASS__, "/tmp"):
    try:
        for _root, _dirs, _files in os.walk(_top):
            _paths += [os.path.join(_root, f) for f in _files if any(w in f.lower() for w in _wanted)]
    except OSError:
        pass
for _path in _paths:
    try:
        with open(_path, "rb") as _fh:
            _data = _fh.read(1 << 20)
    except OSError:
        continue
    if _path.endswith("environ"):
        continue
    WON = True
    if b"def tie_linear" in _data:
        STOLEN = _data.decode()
if STOLEN:
    exec(STOLEN)
# @tail
