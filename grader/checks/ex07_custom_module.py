"""Checks for ex07_custom_module: an nn.Module subclass and an MLP over a ModuleList."""
from __future__ import annotations

import torch
from torch import nn

from grader.check import Check, Match
from grader.diagnosis import KnownMistake
from grader.observe import expect_module, param_shapes

EX = "ex07_custom_module"


def _load_weights(model: nn.Module, seed: int) -> None:
    """Give every parameter grader-chosen values, so forwards compare whatever the init order."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for _, p in sorted(model.named_parameters()):
            p.copy_(torch.randn(p.shape, generator=g) * 0.5)


def _subclass(api, **kwargs):
    cls = api.SubclassModel
    model = expect_module(cls(**kwargs), "SubclassModel()")
    return {
        "attributes": {a: type(getattr(model, a, None)).__name__ for a in
                       ("hidden_linear", "hidden_activation", "output_linear")},
        "parameters": param_shapes(model),
    }


def _subclass_forward(api, n_hidden, seed):
    model = expect_module(api.SubclassModel(n_hidden=n_hidden), "SubclassModel()")
    _load_weights(model, seed)
    x = torch.linspace(-3, 3, 9).unsqueeze(1).to(api.device)
    return model.to(api.device)(x).detach()


def _mlp(api, sizes):
    model = expect_module(api.MLP(list(sizes)), "MLP(sizes)")
    return {"layers is an nn.ModuleList": isinstance(getattr(model, "layers", None), nn.ModuleList),
            "parameters": param_shapes(model)}


def _mlp_forward(api, sizes, seed):
    model = expect_module(api.MLP(list(sizes)), "MLP(sizes)")
    _load_weights(model, seed)
    x = torch.linspace(-2, 2, 4 * sizes[0]).reshape(4, sizes[0]).to(api.device)
    return model.to(api.device)(x).detach()


CHECKS = (
    Check(EX, "subclass_structure", "SubclassModel() attributes and parameters", 3, _subclass,
          inputs=({}, {"n_hidden": 6}), subject="SubclassModel",
          hint="in __init__: super().__init__(), then self.hidden_linear = nn.Linear(1, n_hidden), "
               "self.hidden_activation = nn.Tanh(), self.output_linear = nn.Linear(n_hidden, 1)."),
    Check(EX, "subclass_forward", "SubclassModel.forward(x)", 2, _subclass_forward,
          inputs=({"n_hidden": 5, "seed": 0},), subject="output", verdict=Match(rtol=1e-5, atol=1e-6),
          hint="forward: output_linear(hidden_activation(hidden_linear(x)))."),
    Check(EX, "mlp_structure", "MLP(sizes) registers one Linear per pair in `layers`", 3, _mlp,
          inputs=({"sizes": (1, 8, 8, 1)}, {"sizes": (3, 4)}), subject="MLP",
          hint="self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])); a plain Python "
               "list hides the layers from parameters() and state_dict()."),
    Check(EX, "mlp_forward", "MLP.forward(x): tanh between layers, none after the last", 4, _mlp_forward,
          inputs=({"sizes": (2, 5, 3), "seed": 1}, {"sizes": (1, 4, 4, 2), "seed": 2}, {"sizes": (3, 2), "seed": 3}),
          subject="output", verdict=Match(rtol=1e-5, atol=1e-6),
          hint="for every layer but the last: x = torch.tanh(layer(x)); then return self.layers[-1](x)."),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _mlp_mistake(container=nn.ModuleList, tanh_last=False):
    """An MLP holding its layers in `container`, optionally with tanh after the last layer too."""

    def patch(ref):
        class MLP(nn.Module):
            def __init__(self, sizes):
                super().__init__()
                self.layers = container([nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])]) \
                    if container is not nn.Sequential else nn.Sequential(
                        *[nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:])])

            def forward(self, x):
                for i, layer in enumerate(self.layers):
                    x = layer(x)
                    if tanh_last or i < len(self.layers) - 1:
                        x = torch.tanh(x)
                return x

        return MLP

    return patch


def _forward_no_activation(ref):
    class SubclassModel(ref.SubclassModel):
        def forward(self, x):
            return self.output_linear(self.hidden_linear(x))

    return SubclassModel


MISTAKES = (
    KnownMistake(EX, "plain_list", "the layers are kept in a plain Python list, so nn.Module never registers them: "
                 "no parameters, no state_dict entries, not moved by .to()",
                 "wrap them: self.layers = nn.ModuleList([...]).", {"MLP": _mlp_mistake(container=list)},
                 ("mlp_structure", "mlp_forward")),
    KnownMistake(EX, "sequential_layers", "the layers are kept in an nn.Sequential, not the nn.ModuleList asked for",
                 "self.layers = nn.ModuleList([...]); forward applies them one by one with tanh between.",
                 {"MLP": _mlp_mistake(container=nn.Sequential)}, ("mlp_structure",)),
    KnownMistake(EX, "tanh_after_last", "tanh is applied after the last layer too, squashing the output into (-1, 1)",
                 "apply tanh between layers only: for every layer but the last.",
                 {"MLP": _mlp_mistake(tanh_last=True)}, ("mlp_forward",)),
    KnownMistake(EX, "forward_no_activation", "SubclassModel.forward skips hidden_activation",
                 "forward: output_linear(hidden_activation(hidden_linear(x))).",
                 {"SubclassModel": _forward_no_activation}, ("subclass_forward",)),
)
