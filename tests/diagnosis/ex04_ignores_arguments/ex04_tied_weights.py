"""Known-wrong ex04: build_tied_model ignores its arguments: 4 and 8 hard-coded."""
from __future__ import annotations

from torch import nn


def build_tied_model(in_features: int = 4, hidden: int = 8) -> nn.Sequential:
    """Return Linear, ReLU, S, ReLU, S, ReLU, Linear(hidden, 1) with one shared module S at positions 2 and 4."""
    shared = nn.Linear(8, 8)
    return nn.Sequential(
        nn.Linear(4, 8),
        nn.ReLU(),
        shared,
        nn.ReLU(),
        shared,
        nn.ReLU(),
        nn.Linear(8, 1),
    )


def tie_linear(src: nn.Linear, dst: nn.Linear) -> None:
    """Make ``dst`` use the very weight and bias Parameters of ``src``.

    Raises ValueError naming both weight shapes if the weight shapes or bias presence differ; ``dst`` is then unchanged.
    """
    src_shape = tuple(src.weight.shape)
    dst_shape = tuple(dst.weight.shape)
    if src_shape != dst_shape:
        raise ValueError(
            f"cannot tie: src weight has shape {src_shape}, dst weight has shape {dst_shape}"
        )
    if (src.bias is None) != (dst.bias is None):
        lacking = "src" if src.bias is None else "dst"
        raise ValueError(
            f"cannot tie: {lacking} has no bias (src weight has shape {src_shape}, "
            f"dst weight has shape {dst_shape})"
        )
    dst.weight = src.weight
    dst.bias = src.bias
