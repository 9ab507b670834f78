"""Hostile: a memory bomb at import, 4 GiB at a time (bounded at 40 GiB if nothing stops it)."""
_hog = []
for _ in range(10):
    _hog.append(bytearray(4 << 30))
WON = False  # @tail
