"""Known-wrong ex01: n_hidden ignored: 13 hard-coded."""
from __future__ import annotations

from torch import nn


def build_seq_model(n_hidden: int = 13) -> nn.Sequential:
    """Return Linear(1, n_hidden) -> Tanh -> Linear(n_hidden, 1) as an unnamed Sequential."""
    return nn.Sequential(
        nn.Linear(1, 13),
        nn.Tanh(),
        nn.Linear(13, 1),
    )


def parameter_shapes(model: nn.Module) -> list[tuple[int, ...]]:
    """Return the shape of every parameter, in ``model.parameters()`` order, as plain tuples."""
    return [tuple(p.shape) for p in model.parameters()]
