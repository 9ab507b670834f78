"""Known-wrong ex08: save_checkpoint pickles the model object (torch.save(model)) instead of its state_dict."""
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
            "model": model,
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
    checkpoint = torch.load(path, weights_only=False, map_location="cpu")
    model.load_state_dict(checkpoint["model"].state_dict())
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
