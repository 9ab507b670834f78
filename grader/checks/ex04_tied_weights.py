"""Checks for ex04_tied_weights: a module used twice, and two Linears sharing Parameters."""
from __future__ import annotations

import torch
from torch import nn

from grader.check import Check, Match
from grader.diagnosis import KnownMistake
from grader.observe import expect, expect_module, layers, raises, seeded_linear

EX = "ex04_tied_weights"


def _structure(api, **kwargs):
    model = expect(expect_module(api.build_tied_model(**kwargs), "build_tied_model()"), nn.Sequential,
                   "build_tied_model()")
    mods = list(model)
    return {
        "layers": layers(model),
        "model[2] is model[4]": len(mods) > 4 and mods[2] is mods[4],
        "distinct Parameters": len(list(model.parameters())),
    }


def _tie(api, in_features, out_features):
    src = seeded_linear(in_features, out_features, seed=1)
    dst = seeded_linear(in_features, out_features, seed=2)
    api.tie_linear(src, dst)
    x = torch.linspace(-1, 1, 3 * in_features).reshape(3, in_features)
    (dst(x).sum() + 2 * src(x).sum()).backward()
    grad = None if src.weight.grad is None else src.weight.grad.clone()
    return {
        "dst.weight is src.weight": dst.weight is src.weight,
        "dst.bias is src.bias": dst.bias is src.bias,
        "dst.weight is a Parameter": isinstance(dst.weight, nn.Parameter),
        "parameters of dst": [n for n, _ in dst.named_parameters()],
        "src.weight.grad from both uses": grad,
    }


def _mismatch(api, src_shape, dst_shape, dst_bias=True):
    src = seeded_linear(*src_shape, seed=1)
    dst = seeded_linear(*dst_shape, seed=2, bias=dst_bias)
    before = {n: (p, p.detach().clone()) for n, p in dst.named_parameters()}
    outcome = raises(lambda: api.tie_linear(src, dst))
    message = outcome.pop("message")
    w_src, w_dst = tuple(src.weight.shape), tuple(dst.weight.shape)
    outcome["message names both weight shapes"] = all(
        str(s) in message or f"torch.Size({list(s)})" in message for s in (w_src, w_dst))
    outcome["dst unchanged"] = all(
        dict(dst.named_parameters()).get(n) is p and torch.equal(p.detach(), v) for n, (p, v) in before.items()
    ) and len(dict(dst.named_parameters())) == len(before)
    return outcome


CHECKS = (
    Check(EX, "structure", "build_tied_model() reuses one Linear at positions 2 and 4", 3, _structure,
          subject="model",
          hint="create S = nn.Linear(hidden, hidden) once and put the same S at positions 2 and 4; "
               "two nn.Linear(hidden, hidden) calls make two separate layers.",
          hints={"weight": "nn.Linear(in_features, out_features) stores weight as (out_features, in_features)."}),
    Check(EX, "arguments", "build_tied_model(in_features, hidden) uses its arguments", 2, _structure,
          inputs=({"in_features": 3, "hidden": 5},), subject="model",
          hint="use in_features and hidden instead of the defaults 4 and 8."),
    Check(EX, "tie_shares", "tie_linear(src, dst) makes dst use src's Parameters", 3, _tie,
          inputs=({"in_features": 4, "out_features": 3},), subject="after tie_linear,", 
          verdict=Match(rtol=1e-6, atol=1e-6),
          hint="assign the Parameter objects: dst.weight = src.weight and dst.bias = src.bias. Copying values "
               "(.data.copy_, load_state_dict) leaves two Parameters that drift apart and gradients that do not add up."),
    Check(EX, "tie_shape_error", "tie_linear raises ValueError naming both shapes when weights differ", 2, _mismatch,
          inputs=({"src_shape": (4, 3), "dst_shape": (3, 4)},), subject="tie_linear(src, dst)",
          hint="compare src.weight.shape with dst.weight.shape before changing anything and "
               "raise ValueError(f'... {tuple(src.weight.shape)} ... {tuple(dst.weight.shape)}').",),
    Check(EX, "tie_bias_error", "tie_linear raises ValueError when only one side has a bias", 2, _mismatch,
          inputs=({"src_shape": (4, 3), "dst_shape": (4, 3), "dst_bias": False},), subject="tie_linear(src, dst)",
          hint="a bias on one side only is a shape difference too: check (src.bias is None) == (dst.bias is None) "
               "before tying, and leave dst unchanged when you raise."),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _two_linears(ref):
    def build_tied_model(in_features=4, hidden=8):
        model = ref.build_tied_model(in_features, hidden)
        model[4] = nn.Linear(hidden, hidden)
        return model

    return build_tied_model


def _ignores_arguments(ref):
    return lambda in_features=4, hidden=8: ref.build_tied_model(4, 8)


def _differ(src, dst) -> bool:
    return tuple(src.weight.shape) != tuple(dst.weight.shape) or (src.bias is None) != (dst.bias is None)


def _copies_values(ref):
    def tie_linear(src, dst):
        if _differ(src, dst):
            return ref.tie_linear(src, dst)  # raises as the reference does
        with torch.no_grad():
            dst.weight.copy_(src.weight)
            if src.bias is not None:
                dst.bias.copy_(src.bias)

    return tie_linear


def _no_shape_check(ref):
    def tie_linear(src, dst):
        if (src.bias is None) != (dst.bias is None):
            return ref.tie_linear(src, dst)
        dst.weight = src.weight
        dst.bias = src.bias

    return tie_linear


def _no_bias_check(ref):
    def tie_linear(src, dst):
        if tuple(src.weight.shape) != tuple(dst.weight.shape):
            return ref.tie_linear(src, dst)
        dst.weight = src.weight
        dst.bias = src.bias

    return tie_linear


def _message_without_shapes(ref):
    def tie_linear(src, dst):
        if tuple(src.weight.shape) != tuple(dst.weight.shape):
            raise ValueError("cannot tie: the weight shapes differ")
        return ref.tie_linear(src, dst)

    return tie_linear


def _mutates_before_raising(ref):
    def tie_linear(src, dst):
        if tuple(src.weight.shape) == tuple(dst.weight.shape):
            dst.weight = src.weight
        return ref.tie_linear(src, dst)

    return tie_linear


MISTAKES = (
    KnownMistake(EX, "two_linears",
                 "positions 2 and 4 hold two separate nn.Linear(hidden, hidden) instances, not one shared module",
                 "create S = nn.Linear(hidden, hidden) once and put the same object at both positions: "
                 "model[2] is model[4], and parameters() then yields its weight and bias once.",
                 {"build_tied_model": _two_linears}, ("structure", "arguments")),
    KnownMistake(EX, "ignores_arguments", "build_tied_model ignores in_features and hidden (4 and 8 hard-coded)",
                 "use the arguments in all three Linear layers.",
                 {"build_tied_model": _ignores_arguments}, ("arguments",)),
    KnownMistake(EX, "copies_values",
                 "tie_linear copies src's values into dst's own Parameters instead of sharing src's Parameters",
                 "copied values drift apart at the first optimizer step and each keeps its own .grad; assign the "
                 "Parameter objects: dst.weight = src.weight and dst.bias = src.bias.",
                 {"tie_linear": _copies_values}, ("tie_shares",)),
    KnownMistake(EX, "no_shape_check", "tie_linear never compares the weight shapes, so it ties layers of different "
                 "shapes without an error",
                 "check src.weight.shape == dst.weight.shape first and raise ValueError naming both shapes.",
                 {"tie_linear": _no_shape_check}, ("tie_shape_error",)),
    KnownMistake(EX, "no_bias_check", "tie_linear does not check that both layers have a bias (or neither), and "
                 "gives dst a bias it did not have",
                 "a bias on one side only is a shape difference: compare (src.bias is None) with (dst.bias is None) "
                 "and raise ValueError before changing dst.",
                 {"tie_linear": _no_bias_check}, ("tie_bias_error",)),
    KnownMistake(EX, "message_without_shapes", "the ValueError is raised, but its message does not name the two shapes",
                 "put both shapes in the message: f'... {tuple(src.weight.shape)} ... {tuple(dst.weight.shape)}'.",
                 {"tie_linear": _message_without_shapes}, ("tie_shape_error",)),
    KnownMistake(EX, "mutates_before_raising",
                 "tie_linear ties the weight before checking the bias, so dst has changed when the ValueError comes",
                 "do every check first and change dst only when all of them pass.",
                 {"tie_linear": _mutates_before_raising}, ("tie_bias_error",)),
)
