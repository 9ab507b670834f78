"""Known-wrong ex08: load_checkpoint assigns new Parameters instead of loading into the existing ones."""
from __future__ import annotations

import os

import torch
from torch import nn, optim


def save_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: optim.Optimizer,
    epoch: int,
) -> None:
    """Write the model and optimizer state_dicts and the epoch to ``path`` with torch.save."""
    torch.save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": int(epoch),
        },
        path,
    )


def load_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: optim.Optimizer,
) -> int:
    """Restore the model and optimizer states from ``path`` in place and return the saved epoch.

    Tensors are loaded onto the CPU first and then copied to the devices of ``model`` and ``optimizer``.
    """
    checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    for name, value in checkpoint["model"].items():
        owner, _, attr = name.rpartition(".")
        setattr(model.get_submodule(owner), attr, nn.Parameter(value))
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
