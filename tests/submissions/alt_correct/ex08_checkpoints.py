"""Alternative correct solution for ex08 (different key names)."""
from __future__ import annotations

import torch


def save_checkpoint(path, model, optimizer, epoch: int) -> None:
    """Save model, optimizer and epoch."""
    payload = {"state": model.state_dict(), "optim": optimizer.state_dict(), "step": int(epoch)}
    with open(path, "wb") as fh:
        torch.save(payload, fh)


def load_checkpoint(path, model, optimizer) -> int:
    """Restore model and optimizer, return the epoch."""
    with open(path, "rb") as fh:
        payload = torch.load(fh, weights_only=True, map_location=torch.device("cpu"))
    model.load_state_dict(payload["state"])
    optimizer.load_state_dict(payload["optim"])
    return int(payload["step"])
