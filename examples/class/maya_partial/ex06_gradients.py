"""Exercise 6: inspect gradients.

You will run one backward pass by hand and read the gradient PyTorch stores
in ``.grad`` for each named parameter, and summarise them by their norms.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn


def parameter_gradients(
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    x: Tensor,
    y: Tensor,
) -> dict[str, Tensor]:
    """Return ``{name: gradient}`` of ``loss_fn(model(x), y)`` for the model's parameters.

    First clear any gradients already on the parameters (otherwise a second
    call would add to the first), then compute the loss and call
    ``backward()`` on it. Include every name from ``named_parameters()`` whose
    parameter has ``requires_grad=True``; each value is a detached copy of its
    ``.grad``, or a zero tensor of the parameter's shape if it got no gradient.
    Leave the ``.grad`` attributes populated afterwards. Calling it twice in a
    row returns the same values.
    """
    raise NotImplementedError("model.zero_grad(), loss.backward(), then copy p.grad (or zeros) for each named parameter that requires grad")


def gradient_norms(model: nn.Module) -> dict[str, float]:
    """Return ``{name: L2 norm of p.grad}`` for every named parameter whose ``.grad`` is not None.

    The norm is over all elements (``torch.linalg.vector_norm``, the same as
    ``grad.norm()``) and is returned as a Python float.
    """
    raise NotImplementedError("return {name: torch.linalg.vector_norm(p.grad).item()} for parameters with a .grad")
