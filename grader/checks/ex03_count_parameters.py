"""Checks for ex03_count_parameters: counting, freezing, and VGG16 on the meta device."""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from grader.check import Check
from grader.observe import expect, expect_module, thermometer_model

EX = "ex03_count_parameters"


def _count(api, model, **kwargs):
    n = api.count_parameters(model, **kwargs)
    return n if type(n) is int else expect(n, int, "count_parameters(model)")


def _tied_model():
    torch.manual_seed(0)
    shared = nn.Linear(6, 6)
    return nn.Sequential(nn.Linear(3, 6), nn.ReLU(), shared, nn.ReLU(), shared, nn.Linear(6, 1))


def _count_plain(api, n_hidden):
    return _count(api, thermometer_model(n_hidden))


def _count_tied(api):
    return _count(api, _tied_model())


def _count_buffers(api):
    torch.manual_seed(0)
    return _count(api, nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU()))


def _count_trainable(api):
    model = thermometer_model(10)
    model[0].weight.requires_grad_(False)
    return {"all": _count(api, model), "trainable_only": _count(api, model, trainable_only=True)}


def _freeze(api, prefixes):
    torch.manual_seed(0)
    features = nn.Sequential(*[nn.Linear(2, 2) for _ in range(12)])
    model = nn.Sequential(OrderedDict(features=features, classifier=nn.Linear(2, 1)))
    model.classifier.bias.requires_grad_(False)  # already frozen: must stay so
    result = api.freeze(model, iter(prefixes))  # an iterator: materialise it once
    return {"returned": result is None, "requires_grad": {n: p.requires_grad for n, p in model.named_parameters()}}


def _vgg_count(api, num_classes):
    with torch.device("meta"):
        model = expect_module(api.build_vgg16(num_classes=num_classes), "build_vgg16()")
    return sum(p.numel() for p in model.parameters())


def _vgg_default_count(api):
    with torch.device("meta"):
        model = expect_module(api.build_vgg16(), "build_vgg16()")
    return sum(p.numel() for p in model.parameters())


def _vgg_structure(api, num_classes):
    with torch.device("meta"):
        model = expect_module(api.build_vgg16(num_classes=num_classes), "build_vgg16()")
        out = model(torch.empty(1, 3, 224, 224))
    features = getattr(model, "features", None)
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    return {
        "has features, avgpool, classifier": all(isinstance(getattr(model, a, None), nn.Module)
                                                 for a in ("features", "avgpool", "classifier")),
        "conv kernels": [tuple(c.kernel_size) for c in convs],
        "conv padding": [tuple(c.padding) for c in convs],
        "max-pools": sum(isinstance(m, nn.MaxPool2d) for m in model.modules()),
        "features holds the convolutions": isinstance(features, nn.Module)
        and sum(isinstance(m, nn.Conv2d) for m in features.modules()) == len(convs),
        "output shape": tuple(out.shape),
    }


CHECKS = (
    Check(EX, "count_plain", "count_parameters(model) of the thermometer model", 2, _count_plain,
          inputs=({"n_hidden": 13}, {"n_hidden": 4}), subject="count_parameters(model)",
          hint="sum p.numel() over model.parameters(), returned as an int."),
    Check(EX, "count_tied", "count_parameters(model) counts a shared layer once", 2, _count_tied,
          subject="count_parameters(model)",
          hint="model.parameters() yields a shared Parameter once; do not add up each layer's count separately."),
    Check(EX, "count_buffers", "count_parameters(model) ignores buffers", 2, _count_buffers,
          subject="count_parameters(model)",
          hint="buffers such as BatchNorm's running_mean are not parameters: count model.parameters(), not state_dict()."),
    Check(EX, "count_trainable", "count_parameters(model, trainable_only=...)", 2, _count_trainable,
          subject="count_parameters(model)",
          hint="with trainable_only=True count only parameters with p.requires_grad; with False count all."),
    Check(EX, "freeze", "freeze(model, prefixes)", 2, _freeze,
          inputs=({"prefixes": ("features.1",)}, {"prefixes": ("features.0.", "classifier.weight")}),
          subject="after freeze,",
          hint="for name, p in model.named_parameters(): if name.startswith(prefix) for any prefix, "
               "p.requires_grad_(False); leave the others unchanged and return None. Read `prefixes` only once "
               "(it may be an iterator)."),
    Check(EX, "vgg16_count", "build_vgg16() has 138,357,544 parameters", 1, _vgg_default_count,
          subject="parameter count",
          hint="configuration D: 64,64,M,128,128,M,256x3,M,512x3,M,512x3,M; classifier 25088->4096->4096->num_classes."),
    Check(EX, "vgg16_num_classes", "build_vgg16(num_classes) parameter count", 1, _vgg_count,
          inputs=({"num_classes": 10},), subject="parameter count",
          hint="the last Linear of the classifier has num_classes outputs."),
    Check(EX, "vgg16_structure", "build_vgg16() structure and output shape", 2, _vgg_structure,
          inputs=({"num_classes": 1000},), subject="vgg16",
          hint="13 Conv2d 3x3 with padding 1 inside `features`, 5 MaxPool2d(2), AdaptiveAvgPool2d((7, 7)) as "
               "`avgpool`, the Linear layers in `classifier`; the output is 1 x num_classes."),
)
