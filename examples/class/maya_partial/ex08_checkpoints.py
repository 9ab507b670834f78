"""Exercise 8: save and resume.

You will save a model together with its optimizer and the epoch number, and
load them back so that training resumes exactly where it stopped.

Run `pytest exercises/` to check your work.
"""
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
    """Write the model's ``state_dict()``, the optimizer's ``state_dict()`` and the epoch to ``path``.

    Use ``torch.save`` on a dict (the key names are up to you) and store the
    epoch as an ``int``, so that ``torch.load(path, weights_only=True)`` can
    read the file.
    """
    raise NotImplementedError("torch.save a dict of model.state_dict(), optimizer.state_dict() and int(epoch) to path")


def load_checkpoint(
    path: str | os.PathLike[str],
    model: nn.Module,
    optimizer: optim.Optimizer,
) -> int:
    """Restore the model's and the optimizer's states from ``path`` in place and return the saved epoch.

    Load with ``weights_only=True``. The states must land on the devices of
    the ``model`` and ``optimizer`` you are given (a checkpoint written on a
    GPU must load on a CPU-only machine: ``map_location="cpu"`` helps).
    Training 5 epochs, saving, loading into fresh objects and training 5 more
    must give the same parameters as 10 epochs straight, also for SGD with
    momentum (so the optimizer's state matters).
    """
    raise NotImplementedError("torch.load(path, weights_only=True, map_location='cpu'), then model.load_state_dict and optimizer.load_state_dict; return the epoch")
