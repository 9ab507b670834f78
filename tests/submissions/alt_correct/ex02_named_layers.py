"""Alternative correct solution for ex02 (named Sequential via a dict of pairs)."""
from __future__ import annotations

import collections

import torch.nn as nn


def build_named_model(n_hidden: int = 8) -> nn.Sequential:
    """Thermometer network with named layers."""
    layers = collections.OrderedDict()
    layers["hidden_linear"] = nn.Linear(1, n_hidden)
    layers["hidden_activation"] = nn.Tanh()
    layers["output_linear"] = nn.Linear(n_hidden, 1)
    return nn.Sequential(layers)


def parameter_names(model: nn.Module) -> list[str]:
    """Dotted parameter names in order."""
    return list(dict(model.named_parameters()).keys())


def get_output_bias(model: nn.Module) -> nn.Parameter:
    """The output_linear.bias Parameter object."""
    return model.get_parameter("output_linear.bias")
