"""Exercise 1: build a Sequential model.

You will build the small network that fits the thermometer data with
``nn.Sequential`` and look at the parameters PyTorch creates for it.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from torch import nn


def build_seq_model(n_hidden: int = 13) -> nn.Sequential:
    """Return an ``nn.Sequential`` of ``Linear(1, n_hidden)``, ``Tanh()``, ``Linear(n_hidden, 1)``.

    Keep that order and do not name the layers: they sit at the default
    positions 0, 1 and 2.
    """
    raise NotImplementedError("build nn.Sequential(nn.Linear(1, n_hidden), nn.Tanh(), nn.Linear(n_hidden, 1))")


def parameter_shapes(model: nn.Module) -> list[tuple[int, ...]]:
    """Return the shape of every parameter of ``model`` as a plain tuple of ints.

    Use the order of ``model.parameters()``. For the default model the answer
    is ``[(13, 1), (13,), (1, 13), (1,)]``.
    """
    raise NotImplementedError("return [tuple(p.shape) for p in model.parameters()]")
