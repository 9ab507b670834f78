"""Hostile: fill the disk from the working folder (bounded: 64 files of 16 MB if nothing stops it)."""
import os

_chunk = b"\0" * (1 << 20)
for _i in range(64):
    try:
        with open(f"fill{_i}.bin", "wb") as _fh:
            for _ in range(16):
                _fh.write(_chunk)
    except OSError:
        break
WON = False  # @tail
