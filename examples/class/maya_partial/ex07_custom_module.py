"""Exercise 7: subclass nn.Module.

You will write the thermometer network as your own ``nn.Module`` subclass and
then a general multilayer perceptron whose layers live in an ``nn.ModuleList``.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn


class SubclassModel(nn.Module):
    """The thermometer network as an ``nn.Module`` subclass.

    It has the attributes ``hidden_linear`` (``Linear(1, n_hidden)``),
    ``hidden_activation`` (``Tanh()``) and ``output_linear``
    (``Linear(n_hidden, 1)``), applied in that order by ``forward``.
    """

    def __init__(self, n_hidden: int = 13) -> None:
        """Create the three layers as attributes (after calling ``super().__init__()``)."""
        super().__init__()
        raise NotImplementedError("assign self.hidden_linear, self.hidden_activation and self.output_linear")

    def forward(self, x: Tensor) -> Tensor:
        """Apply ``hidden_linear``, ``hidden_activation`` and ``output_linear`` to ``x`` in turn."""
        raise NotImplementedError("return self.output_linear(self.hidden_activation(self.hidden_linear(x)))")


class MLP(nn.Module):
    """A multilayer perceptron with ``tanh`` between its Linear layers.

    ``MLP([1, 8, 8, 1])`` has the parameters ``layers.0.weight``,
    ``layers.0.bias``, ..., ``layers.2.bias``.
    """

    def __init__(self, sizes: Sequence[int]) -> None:
        """Create one ``Linear(sizes[i], sizes[i + 1])`` per consecutive pair in an ``nn.ModuleList`` named ``layers``.

        A plain Python list would hide the layers (and their parameters) from PyTorch.
        """
        super().__init__()
        raise NotImplementedError("self.layers = nn.ModuleList of nn.Linear(sizes[i], sizes[i + 1]) for each consecutive pair")

    def forward(self, x: Tensor) -> Tensor:
        """Apply the layers in order, with ``torch.tanh`` between layers and none after the last."""
        raise NotImplementedError("apply each layer in self.layers, with torch.tanh after every layer except the last")
