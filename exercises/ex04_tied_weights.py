"""Exercise 4: tie weights.

You will share one set of parameters between several places in a network,
first by reusing a module instance and then by making two Linear layers use
the same Parameter objects.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from torch import nn


def build_tied_model(in_features: int = 4, hidden: int = 8) -> nn.Sequential:
    """Return ``Linear(in_features, hidden), ReLU, S, ReLU, S, ReLU, Linear(hidden, 1)``.

    ``S = Linear(hidden, hidden)`` is ONE module instance used at positions 2
    and 4, so that ``model[2] is model[4]``.
    """
    raise NotImplementedError("create S = nn.Linear(hidden, hidden) once and put the same S at positions 2 and 4")


def tie_linear(src: nn.Linear, dst: nn.Linear) -> None:
    """Make ``dst`` use the very ``weight`` and ``bias`` Parameters of ``src``.

    Afterwards an update to one layer is an update to both, and gradients
    from both uses add up in one ``.grad``. If the weight shapes differ, or
    only one of the two layers has a bias, raise ``ValueError`` with a message
    that contains both weight shapes (e.g. ``(3, 4)``). Check before you
    change anything: after the error, ``dst`` must be unchanged.
    """
    raise NotImplementedError("check shapes and bias first (raise ValueError), then assign dst.weight = src.weight and dst.bias = src.bias")
