"""Hostile: deeply nested and self-referencing containers."""
from torch import nn


def _deep(n):
    value = []
    for _ in range(n):
        value = [value]
    return value


def build_named_model(n_hidden=8):
    loop = {}
    loop["self"] = loop
    return loop


def parameter_names(model):
    return _deep(100_000)


def get_output_bias(model):
    loop = []
    loop.append(loop)
    return loop
