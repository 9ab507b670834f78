"""Checks for ex01_sequential: build an nn.Sequential, list its parameter shapes."""
from __future__ import annotations

import torch
from torch import nn

from grader.check import Check
from grader.diagnosis import KnownMistake
from grader.observe import expect, expect_module, layers, thermometer_model, type_name

EX = "ex01_sequential"
WEIGHT_HINT = "nn.Linear(in_features, out_features) stores weight as (out_features, in_features)."


def _architecture(api, **kwargs):
    model = expect_module(api.build_seq_model(**kwargs), "build_seq_model()")
    return {"type": type(model).__name__, "layers": layers(model)}


def _forward_shape(api, batch):
    model = expect_module(api.build_seq_model(), "build_seq_model()")
    return tuple(model(torch.zeros(batch, 1)).shape)


def _shapes_of(api, model):
    shapes = api.parameter_shapes(model)
    expect(shapes, list, "parameter_shapes(model)")
    return [s if type(s) is tuple else _as_opaque(s) for s in shapes]


def _as_opaque(value):
    from grader.evidence import Opaque

    return Opaque(type_name(value).split(" ", 1)[1], repr(value)[:80])


def _shapes_default(api):
    return _shapes_of(api, thermometer_model())


def _shapes_other(api, sizes):
    torch.manual_seed(0)
    mods: list[nn.Module] = [nn.Conv2d(3, sizes[0], 3), nn.BatchNorm2d(sizes[0]), nn.Flatten()]
    mods += [nn.Linear(sizes[0], sizes[1], bias=False), nn.Linear(sizes[1], 1)]
    return _shapes_of(api, nn.Sequential(*mods))


CHECKS = (
    Check(EX, "architecture", "build_seq_model() layers", 3, _architecture,
          subject="model", hint="nn.Sequential(nn.Linear(1, n_hidden), nn.Tanh(), nn.Linear(n_hidden, 1)), in that order.",
          hints={"weight": WEIGHT_HINT, "length": "three modules: Linear, Tanh, Linear."}),
    Check(EX, "n_hidden", "build_seq_model(n_hidden) uses its argument", 2, _architecture,
          inputs=({"n_hidden": 5}, {"n_hidden": 21}), subject="model",
          hint="use the n_hidden argument for both Linear layers instead of a fixed 13.", hints={"weight": WEIGHT_HINT}),
    Check(EX, "forward_shape", "build_seq_model() maps a B x 1 batch to B x 1", 1, _forward_shape,
          inputs=({"batch": 11},), subject="output shape", hint="the model takes B x 1 inputs and returns B x 1 outputs."),
    Check(EX, "shapes_default", "parameter_shapes(model) of the thermometer model", 2, _shapes_default,
          subject="parameter_shapes(model)",
          hint="return [tuple(p.shape) for p in model.parameters()]: plain tuples, in parameters() order.",
          hints={"type": "a torch.Size is not a plain tuple: convert with tuple(p.shape)."}),
    Check(EX, "shapes_any_model", "parameter_shapes(model) of another model (conv, batch norm, no bias)", 2,
          _shapes_other, inputs=({"sizes": (4, 6)},), subject="parameter_shapes(model)",
          hint="work from model.parameters() of the model you are given; buffers such as running_mean are not parameters.",
          hints={"type": "a torch.Size is not a plain tuple: convert with tuple(p.shape)."}),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _transposed(ref):
    return lambda n_hidden=13: nn.Sequential(nn.Linear(n_hidden, 1), nn.Tanh(), nn.Linear(1, n_hidden))


def _no_activation(ref):
    return lambda n_hidden=13: nn.Sequential(nn.Linear(1, n_hidden), nn.Linear(n_hidden, 1))


def _activation_last(ref):
    return lambda n_hidden=13: nn.Sequential(nn.Linear(1, n_hidden), nn.Linear(n_hidden, 1), nn.Tanh())


def _n_hidden_ignored(ref):
    return lambda n_hidden=13: ref.build_seq_model(13)


def _default_8(ref):
    return lambda n_hidden=8: ref.build_seq_model(n_hidden)


def _torch_size(ref):
    return lambda model: [p.shape for p in model.parameters()]


def _state_dict_shapes(ref):
    return lambda model: [tuple(t.shape) for t in model.state_dict().values()]


MISTAKES = (
    KnownMistake(EX, "transposed_weight",
                 "the Linear sizes are swapped (Linear(n_hidden, 1) first, Linear(1, n_hidden) last): the weight "
                 "shapes come out transposed",
                 "nn.Linear(in_features, out_features) maps in_features to out_features and stores weight as "
                 "(out_features, in_features): the first layer takes the 1 input feature, so nn.Linear(1, n_hidden).",
                 {"build_seq_model": _transposed}, ("architecture", "n_hidden", "forward_shape")),
    KnownMistake(EX, "activation_missing", "the nn.Tanh() between the two Linear layers is missing",
                 "without an activation two Linear layers collapse into one linear map; put nn.Tanh() at position 1.",
                 {"build_seq_model": _no_activation}, ("architecture", "n_hidden")),
    KnownMistake(EX, "activation_last", "the layers are in the wrong order: nn.Tanh() comes after the last Linear",
                 "nn.Sequential runs its modules in the order given: Linear(1, n_hidden), Tanh(), Linear(n_hidden, 1); "
                 "a Tanh at the end squashes the output into (-1, 1).",
                 {"build_seq_model": _activation_last}, ("architecture", "n_hidden")),
    KnownMistake(EX, "n_hidden_ignored", "n_hidden is ignored: the hidden layer always has 13 units",
                 "pass n_hidden to both Linear layers: nn.Linear(1, n_hidden) and nn.Linear(n_hidden, 1).",
                 {"build_seq_model": _n_hidden_ignored}, ("n_hidden",)),
    KnownMistake(EX, "default_8", "the default n_hidden is 8 (ex02's), not 13",
                 "def build_seq_model(n_hidden: int = 13).", {"build_seq_model": _default_8}, ("architecture",)),
    KnownMistake(EX, "torch_size", "parameter_shapes returns torch.Size objects, not plain tuples",
                 "p.shape is a torch.Size (a tuple subclass); the contract asks for plain tuples: tuple(p.shape).",
                 {"parameter_shapes": _torch_size}, ("shapes_default", "shapes_any_model")),
    KnownMistake(EX, "state_dict_shapes",
                 "parameter_shapes walks model.state_dict(), which also holds buffers (BatchNorm's running_mean, "
                 "running_var, num_batches_tracked)",
                 "buffers are state but not parameters: walk model.parameters().",
                 {"parameter_shapes": _state_dict_shapes}, ("shapes_default", "shapes_any_model")),
)
