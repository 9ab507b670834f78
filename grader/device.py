"""Choosing the device the probes build and train on: auto, cpu or cuda.

`auto` asks `torch.cuda.device_count()` rather than `is_available()`: the
latter initialises CUDA state that a forked child cannot re-initialise.
"""
from __future__ import annotations

__all__ = ["resolve_device", "DEVICES"]

DEVICES = ("auto", "cpu", "cuda")


def resolve_device(choice: str) -> str:
    """'cpu' or 'cuda'; 'cuda' without a GPU is a usage error with a clear reason."""
    import torch

    if choice not in DEVICES:
        raise ValueError(f"device={choice!r}: expected one of {', '.join(DEVICES)}")
    if choice == "cpu":
        return "cpu"
    has_cuda = torch.cuda.device_count() > 0
    if choice == "cuda" and not has_cuda:
        raise ValueError("device='cuda' but no CUDA GPU is visible (torch.cuda.device_count() == 0)")
    return "cuda" if has_cuda else "cpu"
