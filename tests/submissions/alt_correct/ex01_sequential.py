"""Alternative correct solution for ex01 (built with add_module)."""
from __future__ import annotations

import torch.nn as nn


def build_seq_model(n_hidden: int = 13) -> nn.Sequential:
    """Linear(1, n_hidden), Tanh, Linear(n_hidden, 1) at positions 0, 1, 2."""
    seq = nn.Sequential()
    seq.add_module("0", nn.Linear(1, n_hidden))
    seq.add_module("1", nn.Tanh())
    seq.add_module("2", nn.Linear(n_hidden, 1))
    return seq


def parameter_shapes(model: nn.Module) -> list[tuple[int, ...]]:
    """Shapes of the parameters in parameters() order."""
    shapes: list[tuple[int, ...]] = []
    for p in model.parameters():
        shapes.append(tuple(int(d) for d in p.size()))
    return shapes
