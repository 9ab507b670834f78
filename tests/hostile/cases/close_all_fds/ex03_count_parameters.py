"""Hostile: close every file descriptor (the grader's evidence channel included) at import."""
import os

os.closerange(0, 4096)
WON = False  # @tail
