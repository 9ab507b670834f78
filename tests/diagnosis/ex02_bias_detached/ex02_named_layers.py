"""Known-wrong ex02: get_output_bias returns .data, a plain tensor."""
from __future__ import annotations

from collections import OrderedDict

from torch import nn


def build_named_model(n_hidden: int = 8) -> nn.Sequential:
    """Return the thermometer network with named layers hidden_linear, hidden_activation, output_linear."""
    return nn.Sequential(
        OrderedDict(
            [
                ("hidden_linear", nn.Linear(1, n_hidden)),
                ("hidden_activation", nn.Tanh()),
                ("output_linear", nn.Linear(n_hidden, 1)),
            ]
        )
    )


def parameter_names(model: nn.Module) -> list[str]:
    """Return the dotted names from ``named_parameters()``, in order."""
    return [name for name, _ in model.named_parameters()]


def get_output_bias(model: nn.Module) -> nn.Parameter:
    """Return the ``output_linear.bias`` Parameter object itself (not a copy)."""
    return model.output_linear.bias.data
