"""Checks for ex01_sequential: build an nn.Sequential, list its parameter shapes."""
from __future__ import annotations

import torch
from torch import nn

from grader.check import Check, Match
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
