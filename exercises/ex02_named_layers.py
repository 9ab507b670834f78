"""Exercise 2: name layers with OrderedDict.

You will give the layers of the thermometer network readable names, see how
those names show up in ``named_parameters()``, and reach one parameter by name.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from collections import OrderedDict

from torch import nn


def build_named_model(n_hidden: int = 8) -> nn.Sequential:
    """Return the same architecture as in exercise 1, built from an ``OrderedDict``.

    The layers are ``Linear(1, n_hidden)``, ``Tanh()``, ``Linear(n_hidden, 1)``
    and must be named ``hidden_linear``, ``hidden_activation`` and
    ``output_linear``, in that order.
    """
    raise NotImplementedError("pass an OrderedDict of ('hidden_linear', ...), ('hidden_activation', ...), ('output_linear', ...) to nn.Sequential")


def parameter_names(model: nn.Module) -> list[str]:
    """Return the dotted parameter names that ``model.named_parameters()`` yields, in order.

    For the named model: ``['hidden_linear.weight', 'hidden_linear.bias',
    'output_linear.weight', 'output_linear.bias']``.
    """
    raise NotImplementedError("collect the names from model.named_parameters()")


def get_output_bias(model: nn.Module) -> nn.Parameter:
    """Return the model's ``output_linear.bias`` Parameter itself.

    It must be the very same object that lives in the model (so changing it
    changes the model), not a copy and not its ``.data``.
    """
    raise NotImplementedError("return the output_linear submodule's bias attribute")
