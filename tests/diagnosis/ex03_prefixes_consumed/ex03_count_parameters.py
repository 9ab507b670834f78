"""Known-wrong ex03: freeze reads the prefixes iterable again for every parameter."""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from torch import nn

# VGG configuration "D": output channels of each 3x3 convolution, "M" for a 2x2 max-pool.
_VGG16_CFG: list[int | str] = [
    64, 64, "M",
    128, 128, "M",
    256, 256, 256, "M",
    512, 512, 512, "M",
    512, 512, 512, "M",
]


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Return the number of scalar parameters; tied parameters count once, buffers never.

    With ``trainable_only=True`` only parameters with ``requires_grad=True`` count.
    """
    # model.parameters() already yields each Parameter object once.
    return sum(
        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only
    )


def freeze(model: nn.Module, prefixes: Iterable[str]) -> None:
    """Set ``requires_grad=False`` on every parameter whose dotted name starts with one of ``prefixes``."""
    for name, p in model.named_parameters():
        if any(name.startswith(pre) for pre in prefixes):
            p.requires_grad_(False)


def _vgg_features() -> nn.Sequential:
    layers: list[nn.Module] = []
    in_channels = 3
    for v in _VGG16_CFG:
        if v == "M":
            layers.append(nn.MaxPool2d(kernel_size=2, stride=2))
        else:
            layers.append(nn.Conv2d(in_channels, int(v), kernel_size=3, padding=1))
            layers.append(nn.ReLU(inplace=True))
            in_channels = int(v)
    return nn.Sequential(*layers)


def build_vgg16(num_classes: int = 1000) -> nn.Module:
    """Return VGG16 (configuration D) with submodules ``features``, ``avgpool`` and ``classifier``."""
    classifier = nn.Sequential(
        nn.Linear(512 * 7 * 7, 4096),
        nn.ReLU(inplace=True),
        nn.Dropout(),
        nn.Linear(4096, 4096),
        nn.ReLU(inplace=True),
        nn.Dropout(),
        nn.Linear(4096, num_classes),
    )
    return nn.Sequential(
        OrderedDict(
            [
                ("features", _vgg_features()),
                ("avgpool", nn.AdaptiveAvgPool2d((7, 7))),
                ("flatten", nn.Flatten()),
                ("classifier", classifier),
            ]
        )
    )
