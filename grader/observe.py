"""Probe-side helpers: turn the submission's objects into plain data, or raise `Mistake`.

These run next to the submission (in its process); they never judge, they
describe: a module's layers, a model's parameters, a value's type.
"""
from __future__ import annotations

from typing import Any, Callable

import torch
from torch import nn

from grader.probe import Mistake
from grader.unit import T_C, T_U

__all__ = [
    "expect",
    "expect_module",
    "layers",
    "param_shapes",
    "param_tensors",
    "type_name",
    "thermometer_model",
    "thermometer_data",
    "raises",
    "seeded_linear",
]


def expect(value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    """`value` if it is a `kind`, else a Mistake naming what was returned."""
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise Mistake(f"{what} returned {type_name(value)}, expected {_article(names)} {names}")
    return value


def expect_module(value: Any, what: str) -> nn.Module:
    return expect(value, nn.Module, what)


def layers(model: nn.Module) -> list[dict]:
    """The direct children in order, one per position (a shared module at each of its places)."""
    out = []
    for name, child in model._modules.items():  # named_children() would list a shared module once
        if child is None:
            continue
        entry: dict[str, Any] = {"name": name, "type": type(child).__name__}
        if isinstance(child, nn.Linear):
            entry["weight"] = tuple(child.weight.shape)
            entry["bias"] = None if child.bias is None else tuple(child.bias.shape)
        out.append(entry)
    return out


def param_shapes(model: nn.Module) -> dict[str, tuple[int, ...]]:
    return {name: tuple(p.shape) for name, p in model.named_parameters()}


def param_tensors(model: nn.Module) -> dict[str, torch.Tensor]:
    return {name: p.detach().clone() for name, p in model.named_parameters()}


def type_name(value: Any) -> str:
    """'None', 'a list', 'an nn.Sequential', 'a torch.Size' ... for messages."""
    if value is None:
        return "None"
    kind = type(value)
    module = getattr(kind, "__module__", "") or ""
    name = kind.__qualname__
    if module.startswith("torch.nn"):
        name = f"nn.{name}"
    elif module.startswith("torch") and name != "Tensor":
        name = f"torch.{name}"
    elif name == "Tensor":
        name = "tensor"
    return f"{_article(name)} {name}"


def thermometer_model(n_hidden: int = 13, seed: int = 0, device: str = "cpu") -> nn.Sequential:
    """The unit's network, built by the grader with a fixed seed (on the CPU, then moved)."""
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, n_hidden), nn.Tanh(), nn.Linear(n_hidden, 1)).to(device)


def thermometer_data(seed: int = 1, n_val: int = 2, device: str = "cpu") -> tuple[torch.Tensor, ...]:
    """(t_u_train, t_u_val, t_c_train, t_c_val), inputs scaled by 0.1, split by the grader."""
    t_u = torch.tensor(T_U).unsqueeze(1) * 0.1
    t_c = torch.tensor(T_C).unsqueeze(1)
    perm = torch.randperm(len(T_U), generator=torch.Generator().manual_seed(seed))
    val, train = perm[:n_val], perm[n_val:]
    return tuple(t.to(device) for t in (t_u[train], t_u[val], t_c[train], t_c[val]))


def seeded_linear(in_features: int, out_features: int, seed: int, bias: bool = True) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(in_features, out_features, bias=bias)


def raises(call: Callable[[], Any]) -> dict:
    """Call and report what it raised: {'raised': 'ValueError', 'message': '...'} or {'raised': None}."""
    try:
        call()
    except NotImplementedError:
        raise  # an unfinished stub is "not implemented yet", not a wrong exception
    except Exception as exc:  # noqa: BLE001 - recording the student's exception is the point
        try:
            text = str(exc)[:500]
        except Exception:  # noqa: BLE001
            text = ""
        return {"raised": type(exc).__name__, "message": text}
    return {"raised": None, "message": ""}


def _article(name: str) -> str:
    return "an" if name.startswith("nn.") or name[:1].lower() in "aeiou" else "a"
