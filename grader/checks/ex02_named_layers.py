"""Checks for ex02_named_layers: OrderedDict names, parameter names, the Parameter itself."""
from __future__ import annotations

from collections import OrderedDict

import torch
from torch import nn

from grader.check import Check
from grader.diagnosis import KnownMistake
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
    return list(names)  # a non-str comes back as an opaque value, repr'd safely by the evidence encoder


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
    bias = model.output_linear.bias
    tensor = isinstance(got, torch.Tensor)
    return {
        "is_parameter": isinstance(got, nn.Parameter),
        "same_object": got is bias,
        "shares memory with the bias": tensor and got.data_ptr() == bias.data_ptr(),
        "requires_grad": tensor and bool(got.requires_grad),
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


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _n_hidden_ignored(ref):
    return lambda n_hidden=8: ref.build_named_model(8)


def _default_13(ref):
    return lambda n_hidden=13: ref.build_named_model(n_hidden)


def _unnamed(ref):
    return lambda n_hidden=8: nn.Sequential(*ref.build_named_model(n_hidden))


def _state_dict_names(ref):
    return lambda model: list(model.state_dict().keys())


def _children_names(ref):
    return lambda model: [name for name, _ in model.named_children()]


def _bias_detached(ref):
    return lambda model: model.output_linear.bias.data


def _bias_cloned(ref):
    return lambda model: model.output_linear.bias.clone()


MISTAKES = (
    KnownMistake(EX, "n_hidden_ignored", "n_hidden is ignored: the hidden layer always has 8 units",
                 "pass n_hidden to both Linear layers: nn.Linear(1, n_hidden) and nn.Linear(n_hidden, 1).",
                 {"build_named_model": _n_hidden_ignored}, ("n_hidden",)),
    KnownMistake(EX, "default_13", "the default n_hidden is 13 (ex01's), not 8",
                 "def build_named_model(n_hidden: int = 8).", {"build_named_model": _default_13}, ("architecture",)),
    KnownMistake(EX, "unnamed_layers",
                 "the layers are passed to nn.Sequential one by one, so they get the positional names '0', '1', '2'",
                 "names come from an OrderedDict: nn.Sequential(OrderedDict([('hidden_linear', ...), "
                 "('hidden_activation', ...), ('output_linear', ...)])).",
                 {"build_named_model": _unnamed}, ("architecture", "n_hidden")),
    KnownMistake(EX, "state_dict_names",
                 "parameter_names lists model.state_dict() keys, which include buffers (running_mean, running_var, "
                 "num_batches_tracked)",
                 "state_dict() holds parameters and buffers; named_parameters() holds only parameters.",
                 {"parameter_names": _state_dict_names}, ("names_named", "names_nested")),
    KnownMistake(EX, "children_names", "parameter_names lists the submodules' names (named_children()), not the "
                 "parameters' dotted names",
                 "named_parameters() walks the whole tree and yields 'hidden_linear.weight', 'hidden_linear.bias', ...",
                 {"parameter_names": _children_names}, ("names_named", "names_nested")),
    KnownMistake(EX, "bias_detached",
                 "get_output_bias returns .data (or .detach()): a tensor sharing the bias's memory but cut off from "
                 "autograd, not the Parameter",
                 "return model.output_linear.bias itself; .data and .detach() make a new tensor object that is not a "
                 "Parameter and does not require grad.",
                 {"get_output_bias": _bias_detached}, ("output_bias_identity",)),
    KnownMistake(EX, "bias_cloned", "get_output_bias returns .clone(): a copy of the values in new memory, not the "
                 "Parameter",
                 "return model.output_linear.bias itself; a clone is another tensor, and changing it leaves the "
                 "model untouched.",
                 {"get_output_bias": _bias_cloned}, ("output_bias_identity",)),
)
