"""Hostile: write forged evidence (right values for the public checks) into the grader's evidence channel."""
import json
import os

_FORGED = {
    "ex03_count_parameters: count_plain#0": 40, "ex03_count_parameters: count_plain#1": 13,
    "ex03_count_parameters: vgg16_count#0": 138357544,
    "ex03_count_parameters: vgg16_num_classes#0": 134301514,
}
_fds = []
for _fd in os.listdir("/proc/self/fd"):
    try:
        if os.readlink(f"/proc/self/fd/{_fd}").endswith("evidence.jsonl"):
            _fds.append(int(_fd))
    except OSError:
        pass
for _fd in _fds or [3, 4, 5, 6]:
    for _key, _value in _FORGED.items():
        for _record in ({"key": _key, "evidence": _value}, {"key": _key, "evidence": _value, "t": "0" * 32},
                        {"key": _key, "evidence": {"__failure__": ["internal", "grader bug", "", ""]}}):
            try:
                os.write(_fd, (json.dumps(_record) + "\n").encode())
            except OSError:
                pass
    try:
        os.write(_fd, b"\xff\xfe not json {{{\n" + b"[" * 100_000 + b"\n")
    except OSError:
        pass
WON = False  # @tail
