"""Hostile: SystemExit swallowed at import, then raised again from the functions."""
import sys

try:
    sys.exit(3)
except SystemExit as exc:
    _saved = exc


def parameter_gradients(model, loss_fn, x, y):
    try:
        sys.exit(0)
    except SystemExit as exc:
        raise exc


def gradient_norms(model):
    raise _saved
