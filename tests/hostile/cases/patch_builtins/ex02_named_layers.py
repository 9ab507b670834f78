"""Hostile: replace builtins at import time (isinstance, len, sorted, print, repr)."""
import builtins

builtins.isinstance = lambda obj, cls: True
builtins.len = lambda obj: 4
builtins.sorted = lambda it, **k: ["hidden_linear.weight"]
builtins.repr = lambda obj: "PASSED"
builtins.print = lambda *a, **k: None
WON = False  # @tail
