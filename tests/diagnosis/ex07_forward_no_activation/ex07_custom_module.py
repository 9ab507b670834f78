"""Known-wrong ex07: SubclassModel.forward skips the activation."""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


class SubclassModel(nn.Module):
    """The thermometer network written as an nn.Module subclass."""

    def __init__(self, n_hidden: int = 13) -> None:
        """Create hidden_linear, hidden_activation and output_linear."""
        super().__init__()
        self.hidden_linear = nn.Linear(1, n_hidden)
        self.hidden_activation = nn.Tanh()
        self.output_linear = nn.Linear(n_hidden, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Apply hidden_linear, hidden_activation, output_linear in turn."""
        return self.output_linear(self.hidden_linear(x))


class MLP(nn.Module):
    """A multilayer perceptron with tanh between its Linear layers."""

    def __init__(self, sizes: Sequence[int]) -> None:
        """Create one Linear(sizes[i], sizes[i + 1]) per consecutive pair, in an nn.ModuleList ``layers``."""
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])
        )

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layers in order with tanh between them and none after the last."""
        last = len(self.layers) - 1
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < last:
                x = torch.tanh(x)
        return x
