"""Checks for ex03_count_parameters: counting, freezing, and VGG16 on the meta device."""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from grader.check import Check
from grader.diagnosis import KnownMistake
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
          inputs=({"prefixes": ("features.1",)}, {"prefixes": ("features.0.", "classifier.weight")},
                  {"prefixes": ("features.1.weight", "bias")}),
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


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _counts_buffers(ref):
    return lambda model, trainable_only=False: sum(
        t.numel() for t in [*model.parameters(), *model.buffers()] if t.requires_grad or not trainable_only)


def _counts_tensors(ref):
    return lambda model, trainable_only=False: len(
        [p for p in model.parameters() if p.requires_grad or not trainable_only])


def _tied_twice(ref):
    def count_parameters(model, trainable_only=False):
        layers = list(model) if isinstance(model, nn.Sequential) else [model]  # a shared layer comes twice
        return sum(p.numel() for layer in layers for p in layer.parameters() if p.requires_grad or not trainable_only)

    return count_parameters


def _trainable_ignored(ref):
    return lambda model, trainable_only=False: ref.count_parameters(model)


def _freeze_substring(ref):
    def freeze(model, prefixes):
        prefixes = tuple(prefixes)
        for name, p in model.named_parameters():
            if any(pre in name for pre in prefixes):
                p.requires_grad_(False)

    return freeze


def _freeze_unfreezes(ref):
    def freeze(model, prefixes):
        prefixes = tuple(prefixes)
        for name, p in model.named_parameters():
            p.requires_grad_(not any(name.startswith(pre) for pre in prefixes))

    return freeze


def _prefixes_consumed(ref):
    def freeze(model, prefixes):
        for name, p in model.named_parameters():
            if any(name.startswith(pre) for pre in prefixes):  # an iterator is empty after the first parameter
                p.requires_grad_(False)

    return freeze


def _vgg_num_classes_ignored(ref):
    return lambda num_classes=1000: ref.build_vgg16(1000)


def _vgg_no_padding(ref):
    def build_vgg16(num_classes=1000):
        model = ref.build_vgg16(num_classes)
        for m in model.modules():
            if isinstance(m, nn.Conv2d):
                m.padding = (0, 0)
        return model

    return build_vgg16


def _vgg_short_classifier(ref):
    def build_vgg16(num_classes=1000):
        model = ref.build_vgg16(num_classes)
        model.classifier = nn.Sequential(nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True), nn.Dropout(),
                                         nn.Linear(4096, num_classes))
        return model

    return build_vgg16


def _vgg_config_a(ref):
    def build_vgg16(num_classes=1000):
        model = ref.build_vgg16(num_classes)
        layers, channels = [], 3
        for v in (64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"):
            if v == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU(inplace=True)]
                channels = v
        model.features = nn.Sequential(*layers)
        return model

    return build_vgg16


_COUNTS = ("count_plain", "count_tied", "count_buffers", "count_trainable")
MISTAKES = (
    KnownMistake(EX, "counts_buffers",
                 "count_parameters also counts buffers (BatchNorm's running_mean, running_var, num_batches_tracked)",
                 "buffers are saved in state_dict() but are not parameters: sum p.numel() over model.parameters() only.",
                 {"count_parameters": _counts_buffers}, ("count_buffers",)),
    KnownMistake(EX, "tied_counted_twice",
                 "count_parameters adds up each layer's count, so a layer used twice (shared Parameters) counts twice",
                 "model.parameters() yields every Parameter once, however many times its module is used.",
                 {"count_parameters": _tied_twice}, ("count_tied",)),
    KnownMistake(EX, "counts_tensors", "count_parameters counts Parameter tensors, not the scalars in them",
                 "each Parameter holds p.numel() numbers: sum(p.numel() for p in model.parameters()).",
                 {"count_parameters": _counts_tensors}, _COUNTS),
    KnownMistake(EX, "trainable_only_ignored", "count_parameters ignores trainable_only",
                 "with trainable_only=True keep only the parameters with p.requires_grad.",
                 {"count_parameters": _trainable_ignored}, ("count_trainable",)),
    KnownMistake(EX, "freeze_substring",
                 "freeze matches prefixes as substrings (`prefix in name`), not at the start of the name",
                 "a prefix matches the start: name.startswith(prefix); 'bias' is in 'features.0.bias' but does not "
                 "start it.", {"freeze": _freeze_substring}, ("freeze",)),
    KnownMistake(EX, "freeze_unfreezes_others",
                 "freeze sets requires_grad=True on the parameters it does not freeze",
                 "only touch the matching parameters: a parameter frozen before freeze() must stay frozen.",
                 {"freeze": _freeze_unfreezes}, ("freeze",)),
    KnownMistake(EX, "prefixes_consumed",
                 "freeze loops over `prefixes` once per parameter: an iterator is used up after the first parameter",
                 "read the prefixes once, e.g. prefixes = tuple(prefixes), before the loop over named_parameters().",
                 {"freeze": _prefixes_consumed}, ("freeze",)),
    KnownMistake(EX, "vgg_num_classes_ignored", "build_vgg16 ignores num_classes: the last Linear has 1000 outputs",
                 "the classifier ends with nn.Linear(4096, num_classes).",
                 {"build_vgg16": _vgg_num_classes_ignored}, ("vgg16_num_classes",)),
    KnownMistake(EX, "vgg_no_padding", "the 3x3 convolutions have no padding, so every convolution shrinks the image",
                 "VGG keeps the size within a block: nn.Conv2d(c_in, c_out, kernel_size=3, padding=1).",
                 {"build_vgg16": _vgg_no_padding}, ("vgg16_structure",)),
    KnownMistake(EX, "vgg_short_classifier", "the classifier leaves out the middle nn.Linear(4096, 4096)",
                 "classifier: Linear(25088, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, "
                 "Linear(4096, num_classes).",
                 {"build_vgg16": _vgg_short_classifier}, ("vgg16_count", "vgg16_num_classes")),
    KnownMistake(EX, "vgg_config_a", "the convolutions follow configuration A (VGG11: 8 convolutions), not D (VGG16)",
                 "configuration D has two convolutions in each of the first two blocks and three in the others: "
                 "64,64,M,128,128,M,256,256,256,M,512,512,512,M,512,512,512,M.",
                 {"build_vgg16": _vgg_config_a}, ("vgg16_count", "vgg16_num_classes", "vgg16_structure")),
)
