"""Checks for ex02_named_layers: OrderedDict names, parameter names, the Parameter itself."""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from grader.check import Check
from grader.observe import expect, expect_module, layers

EX = "ex02_named_layers"


def named_model(n_hidden: int = 8) -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(OrderedDict(hidden_linear=nn.Linear(1, n_hidden), hidden_activation=nn.Tanh(),
                                     output_linear=nn.Linear(n_hidden, 1)))


def _architecture(api, **kwargs):
    model = expect_module(api.build_named_model(**kwargs), "build_named_model()")
    return {"type": type(model).__name__, "layers": layers(model)}


def _names(api, model):
    names = expect(api.parameter_names(model), list, "parameter_names(model)")
    return [n if type(n) is str else repr(n)[:60] for n in names]


def _names_named(api):
    return _names(api, named_model())


def _names_nested(api):
    torch.manual_seed(0)
    block = nn.Sequential(OrderedDict(conv=nn.Conv1d(2, 3, 1), norm=nn.BatchNorm1d(3)))
    model = nn.Sequential(OrderedDict(block=block, head=nn.Linear(3, 1, bias=False)))
    return _names(api, model)


def _output_bias(api):
    model = named_model()
    got = api.get_output_bias(model)
    return {
        "is_parameter": isinstance(got, nn.Parameter),
        "same_object": got is model.output_linear.bias,
    }


CHECKS = (
    Check(EX, "architecture", "build_named_model() names and layers", 4, _architecture, subject="model",
          hint="nn.Sequential(OrderedDict([('hidden_linear', nn.Linear(1, n_hidden)), ('hidden_activation', nn.Tanh()), "
               "('output_linear', nn.Linear(n_hidden, 1))])); the default n_hidden is 8.",
          hints={"weight": "nn.Linear(in_features, out_features) stores weight as (out_features, in_features)."}),
    Check(EX, "n_hidden", "build_named_model(n_hidden) uses its argument", 2, _architecture,
          inputs=({"n_hidden": 3}, {"n_hidden": 16}), subject="model",
          hint="use the n_hidden argument instead of a fixed 8."),
    Check(EX, "names_named", "parameter_names(model) of the named model", 2, _names_named,
          subject="parameter_names(model)", hint="return [name for name, _ in model.named_parameters()]."),
    Check(EX, "names_nested", "parameter_names(model) of a nested model with batch norm", 2, _names_nested,
          subject="parameter_names(model)",
          hint="use named_parameters(), not state_dict(): running_mean, running_var and num_batches_tracked are buffers."),
    Check(EX, "output_bias_identity", "get_output_bias(model) returns the Parameter itself", 2, _output_bias,
          subject="get_output_bias(model)",
          hint="return model.output_linear.bias itself, not .data, .detach() or .clone() (those are other objects)."),
)
