"""Hostile: flood stdout and stderr with gigabytes."""
import os
import sys

_MB = "x" * (1 << 20)


def _flood():
    for _ in range(4096):  # 4 GiB
        sys.stdout.write(_MB)
        os.write(2, _MB.encode())


def SubclassModel(*args, **kwargs):
    _flood()


def MLP(*args, **kwargs):
    _flood()
