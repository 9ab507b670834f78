"""Alternative correct solution for ex03 (VGG16 as a Module subclass)."""
from __future__ import annotations

from typing import Iterable

import torch
import torch.nn as nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters, each Parameter object counted once."""
    seen: set[int] = set()
    total = 0
    for _, p in model.named_parameters(remove_duplicate=False):
        if id(p) in seen:
            continue
        seen.add(id(p))
        if trainable_only and not p.requires_grad:
            continue
        total += p.numel()
    return total


def freeze(model: nn.Module, prefixes: Iterable[str]) -> None:
    """Turn off requires_grad for parameters whose name starts with a prefix."""
    prefix_list = list(prefixes)
    to_freeze = [
        p for name, p in model.named_parameters() if name.startswith(tuple(prefix_list))
    ]
    for p in to_freeze:
        p.requires_grad = False


class VGG16(nn.Module):
    """VGG configuration D."""

    CONFIG = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]

    def __init__(self, num_classes: int = 1000) -> None:
        super().__init__()
        modules: list[nn.Module] = []
        channels = 3
        for block in self.CONFIG:
            for out in block:
                modules += [nn.Conv2d(channels, out, 3, padding=1), nn.ReLU(True)]
                channels = out
            modules.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*modules)
        self.avgpool = nn.AdaptiveAvgPool2d(7)
        self.classifier = nn.Sequential(
            nn.Linear(channels * 49, 4096),
            nn.ReLU(True),
            nn.Dropout(0.5),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(0.5),
            nn.Linear(4096, num_classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.avgpool(self.features(x))
        return self.classifier(torch.flatten(x, 1))


def build_vgg16(num_classes: int = 1000) -> nn.Module:
    """Build VGG16."""
    return VGG16(num_classes)
