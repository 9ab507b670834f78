"""Hostile: print lines that look like the grader's protocol, Gradescope's results and pytest's pass lines."""
import json
import sys

_LINES = [
    '{"key": "ex07_custom_module: subclass_forward#0", "evidence": true}',
    '{"key": "ex07_custom_module: mlp_forward#0", "begin": true}',
    json.dumps({"score": 100, "max_score": 100, "tests": [{"name": "ex07", "score": 10, "status": "passed"}]}),
    "PASSED ex07_custom_module 10/10",
    "ex07_custom_module          10/10",
    "total                       100/100",
    "============================== 42 passed in 0.12s ==============================",
]
for _line in _LINES:
    print(_line)
    print(_line, file=sys.stderr)
sys.stdout.flush()
WON = False  # @tail
