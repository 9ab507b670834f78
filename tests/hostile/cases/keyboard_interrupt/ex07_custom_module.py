"""Hostile: KeyboardInterrupt (which graders let through) from every call."""


def SubclassModel(*args, **kwargs):
    raise KeyboardInterrupt


def MLP(*args, **kwargs):
    raise KeyboardInterrupt
