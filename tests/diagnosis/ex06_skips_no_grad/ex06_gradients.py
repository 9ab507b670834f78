"""Known-wrong ex06: parameter_gradients leaves out parameters that got no gradient."""
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
    """Clear old gradients, back-propagate ``loss_fn(model(x), y)`` and return ``{name: gradient copy}``.

    Only parameters with requires_grad=True are included; one that gets no gradient maps to zeros.
    """
    model.zero_grad(set_to_none=True)
    loss = loss_fn(model(x), y)
    loss.backward()
    return {
        name: p.grad.detach().clone()
        for name, p in model.named_parameters()
        if p.grad is not None
    }


def gradient_norms(model: nn.Module) -> dict[str, float]:
    """Return the L2 norm of ``.grad`` for every named parameter whose ``.grad`` is not None."""
    return {
        name: torch.linalg.vector_norm(p.grad).item()
        for name, p in model.named_parameters()
        if p.grad is not None
    }
