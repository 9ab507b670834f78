"""Exercise 3: count parameters.

You will count the scalar parameters of a model (taking care of shared
parameters and buffers), freeze parts of a model by name, and build VGG16 to
see how large a classic image network is.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable

from torch import nn


def count_parameters(model: nn.Module, trainable_only: bool = False) -> int:
    """Return the number of scalar parameters (numbers) in ``model``.

    A parameter shared by several modules (tied) counts only once. Buffers,
    such as BatchNorm's running statistics, are not parameters and do not
    count. With ``trainable_only=True`` count only parameters whose
    ``requires_grad`` is True.
    """
    raise NotImplementedError("sum p.numel() over model.parameters(), skipping frozen ones when trainable_only")


def freeze(model: nn.Module, prefixes: Iterable[str]) -> None:
    """Set ``requires_grad=False`` on every parameter whose name starts with one of ``prefixes``.

    Compare with plain ``str.startswith`` on the names from
    ``model.named_parameters()``: ``"features.1"`` also matches
    ``"features.10.weight"`` (end a prefix with ``"."`` to match whole parts
    of the name). Leave all other parameters as they were. ``prefixes`` may be
    any iterable, even a generator, so only loop over it once (or turn it into
    a tuple first).
    """
    raise NotImplementedError("for each (name, p) in model.named_parameters() whose name starts with a prefix, call p.requires_grad_(False)")


def build_vgg16(num_classes: int = 1000) -> nn.Module:
    """Return the VGG16 network (configuration "D").

    ``features``: 13 convolutions 3x3 with padding 1, each followed by ReLU,
    with channels 64, 64 | 128, 128 | 256, 256, 256 | 512, 512, 512 |
    512, 512, 512 and a 2x2 max-pool after each of the five groups.
    ``avgpool``: an adaptive average pool to 7x7. ``classifier``:
    Linear 25088 -> 4096 -> 4096 -> ``num_classes`` with ReLU and Dropout
    between the Linear layers. The returned module must have the attributes
    ``features``, ``avgpool`` and ``classifier`` (a subclass, or a Sequential
    built from an OrderedDict with those names; an extra ``Flatten`` before the
    classifier is fine). It has 138,357,544 parameters at 1000 classes, and a
    1 x 3 x 224 x 224 input gives a 1 x ``num_classes`` output.
    """
    raise NotImplementedError("build features, avgpool=nn.AdaptiveAvgPool2d((7, 7)), flatten and classifier, named in an OrderedDict")
