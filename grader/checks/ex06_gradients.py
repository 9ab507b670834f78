"""Checks for ex06_gradients: gradients by name, cleared, detached; their norms."""
from __future__ import annotations


import torch
from torch import nn

from grader.check import Check, Match
from grader.diagnosis import KnownMistake
from grader.observe import expect

EX = "ex06_gradients"


class _Net(nn.Module):
    """hidden -> act -> out; `unused` is registered but never called (an nn.Sequential would call it)."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden, self.act, self.out = nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 1)
        self.unused = nn.Linear(1, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.act(self.hidden(x)))


def _model(seed: int = 0, device: str = "cpu") -> nn.Module:
    """Named layers, one frozen parameter, one layer that gets no gradient."""
    torch.manual_seed(seed)
    model = _Net()  # unused: registered, never called: its gradient stays None (zeros in parameter_gradients)
    model.hidden.bias.requires_grad_(False)
    return model.to(device)


def _data(seed: int = 0, device: str = "cpu"):
    g = torch.Generator().manual_seed(seed + 100)
    return torch.randn(7, 2, generator=g).to(device), torch.randn(7, 1, generator=g).to(device)


def _grads(api, model, x, y):
    result = expect(api.parameter_gradients(model, nn.MSELoss(), x, y), dict, "parameter_gradients()")
    return result


def _values(api, seed):
    model = _model(seed, api.device)
    x, y = _data(seed, api.device)
    result = _grads(api, model, x, y)
    return {str(k): (v.detach().clone() if isinstance(v, torch.Tensor) else v) for k, v in result.items()}


def _repeatable(api):
    model = _model(device=api.device)
    x, y = _data(device=api.device)
    model.out.weight.grad = torch.full_like(model.out.weight, 100.0)  # stale gradient to clear
    first = {k: v.detach().clone() for k, v in _grads(api, model, x, y).items() if isinstance(v, torch.Tensor)}
    second = {k: v.detach().clone() for k, v in _grads(api, model, x, y).items() if isinstance(v, torch.Tensor)}
    return {"first call": first, "second call": second}


def _detached(api):
    model = _model(device=api.device)
    x, y = _data(device=api.device)
    result = _grads(api, model, x, y)
    params = dict(model.named_parameters())
    tensors = {k: v for k, v in result.items() if isinstance(v, torch.Tensor)}
    return {
        "all values are tensors": len(tensors) == len(result),
        "requires_grad": sorted({v.requires_grad for v in tensors.values()}),
        "shares memory with .grad": sorted({
            params[k].grad is not None and v.data_ptr() == params[k].grad.data_ptr()
            for k, v in tensors.items() if k in params}),
        ".grad still populated": sorted({p.grad is not None for n, p in params.items()
                                         if p.requires_grad and not n.startswith("unused")}),
    }


def _norms(api, seed):
    model = _model(seed, api.device)
    x, y = _data(seed, api.device)
    nn.MSELoss()(model(x), y).backward()
    norms = expect(api.gradient_norms(model), dict, "gradient_norms(model)")
    return {str(k): v for k, v in norms.items()}


CHECKS = (
    Check(EX, "values", "parameter_gradients(...) names and values", 4, _values, inputs=({"seed": 0}, {"seed": 1}),
          subject="gradients", verdict=Match(rtol=1e-5, atol=1e-7),
          hint="model.zero_grad(); loss_fn(model(x), y).backward(); then {name: p.grad.detach().clone()} for each "
               "named parameter with requires_grad (zeros_like(p) when p.grad is None).",
          hints={"keys": "keys are the named_parameters() names of parameters with requires_grad=True; a parameter "
                         "that gets no gradient maps to torch.zeros_like(p)."}),
    Check(EX, "repeatable", "parameter_gradients(...) twice gives the same values", 2, _repeatable,
          subject="gradients", verdict=Match(rtol=1e-5, atol=1e-7),
          hint="clear old gradients first (model.zero_grad() or p.grad = None): backward() adds to .grad."),
    Check(EX, "detached", "parameter_gradients(...) returns detached copies and keeps .grad", 2, _detached,
          subject="gradients",
          hint="return p.grad.detach().clone(): a copy that does not change when .grad does; leave p.grad set."),
    Check(EX, "norms", "gradient_norms(model) after backward()", 4, _norms, inputs=({"seed": 0}, {"seed": 1}),
          subject="norms", verdict=Match(rtol=1e-5, atol=1e-7),
          hint="{name: p.grad.norm().item() for name, p in model.named_parameters() if p.grad is not None}: "
               "Python floats, L2 over all elements, skipping parameters without a gradient."),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _grads_mistake(clear=True, copy=True, skip_none=False, frozen=False, clear_after=False):
    """A parameter_gradients that makes the mistakes switched on."""

    def patch(ref):
        def parameter_gradients(model, loss_fn, x, y):
            if clear:
                model.zero_grad(set_to_none=True)
            loss_fn(model(x), y).backward()
            out = {}
            for name, p in model.named_parameters():
                if (not p.requires_grad and not frozen) or (skip_none and p.grad is None):
                    continue
                grad = p.grad if p.grad is not None else torch.zeros_like(p)
                out[name] = grad.detach().clone() if copy and p.grad is not None else grad
            if clear_after:
                model.zero_grad(set_to_none=True)
            return out

        return parameter_gradients

    return patch


def _norms_tensors(ref):
    return lambda model: {n: torch.linalg.vector_norm(p.grad) for n, p in model.named_parameters() if p.grad is not None}


def _norms_of_parameters(ref):
    return lambda model: {n: torch.linalg.vector_norm(p.detach()).item() for n, p in model.named_parameters()
                          if p.grad is not None}


MISTAKES = (
    KnownMistake(EX, "no_zero_grad", "old gradients are not cleared first, so backward() adds to them and a second "
                 "call returns twice the gradients",
                 "call model.zero_grad() (or set p.grad = None) before loss.backward().",
                 {"parameter_gradients": _grads_mistake(clear=False)}, ("values", "repeatable")),
    KnownMistake(EX, "returns_grad_itself", "the dict holds p.grad itself, not a detached copy: it changes the next "
                 "time backward() or zero_grad() touches .grad",
                 "return p.grad.detach().clone().", {"parameter_gradients": _grads_mistake(copy=False)},
                 ("detached", "repeatable")),
    KnownMistake(EX, "skips_no_grad", "parameters that received no gradient (p.grad is None) are left out",
                 "a trainable parameter that gets no gradient maps to torch.zeros_like(p).",
                 {"parameter_gradients": _grads_mistake(skip_none=True)}, ("values", "detached", "repeatable")),
    KnownMistake(EX, "includes_frozen", "frozen parameters (requires_grad=False) are listed too",
                 "keep only the parameters with p.requires_grad: a frozen parameter has no gradient to report.",
                 {"parameter_gradients": _grads_mistake(frozen=True)}, ("values", "detached", "repeatable")),
    KnownMistake(EX, "zero_grad_after", "the gradients are cleared after copying them, so .grad is empty afterwards",
                 "clear before backward(), not after: the .grad attributes must stay populated.",
                 {"parameter_gradients": _grads_mistake(clear=False, clear_after=True)}, ("detached", "repeatable")),
    KnownMistake(EX, "norms_tensors", "gradient_norms returns 0-d tensors, not Python floats",
                 "turn each norm into a float with .item().", {"gradient_norms": _norms_tensors}, ("norms",)),
    KnownMistake(EX, "norms_of_parameters", "gradient_norms takes the norm of the parameters, not of their gradients",
                 "the norm of p.grad: torch.linalg.vector_norm(p.grad).item().",
                 {"gradient_norms": _norms_of_parameters}, ("norms",)),
)
