"""Comparison of decoded evidence: the one place that knows how two values differ.

`compare(got, expected)` walks nested dicts, lists, tuples and tensors and
returns the first `Mismatch`, cheap attributes first (type, length, keys,
shape, dtype, device, then values), with the path to the failing leaf.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import torch

from grader.evidence import Failure, Opaque, tensor_device, tensor_requires_grad

__all__ = ["Mismatch", "compare", "fmt", "type_label"]


@dataclass(frozen=True)
class Mismatch:
    """Where and how a value differs from the expected one."""

    path: str  # e.g. "[0]['weight']" ; "" for the whole value
    what: str  # type | length | keys | shape | dtype | device | requires_grad | value
    got: str
    expected: str
    detail: str = ""

    def sentence(self, subject: str) -> str:
        """One clause: '<subject><path> has shape (1, 13), expected (13, 1)'."""
        phrase = subject.endswith((",", ":"))  # "after freeze," reads "after freeze, requires_grad[...]"
        where = f"{subject} {self.path.lstrip('.')}".rstrip() if phrase else f"{subject}{self.path}"
        verb = {
            "type": "is",
            "length": "has length",
            "keys": "has keys",
            "shape": "has shape",
            "dtype": "has dtype",
            "device": "is on device",
            "requires_grad": "has requires_grad",
            "value": "is",
        }.get(self.what, "is")
        if self.what == "values":
            return f"{where} has the right shape but other values: {self.detail}"
        text = f"{where} {verb} {self.got}, expected {self.expected}"
        return f"{text} ({self.detail})" if self.detail else text


def compare(got: Any, expected: Any, *, rtol: float = 0.0, atol: float = 0.0, path: str = "") -> Mismatch | None:
    """First difference between `got` and `expected`, or None when they match.

    Floats and floating tensors match within `rtol`/`atol` (torch.isclose
    semantics, NaN never matches); everything else must be equal.
    """
    if type(got) is not type(expected) and not (_is_tensor(got) and _is_tensor(expected)):
        return Mismatch(path, "type", type_label(got, with_value=True), type_label(expected, with_value=True))
    if isinstance(expected, dict):
        if list(got) != list(expected):
            missing = [k for k in expected if k not in got]
            extra = [k for k in got if k not in expected]
            detail = _keys_detail(missing, extra)
            return Mismatch(path, "keys", _short(list(got)), _short(list(expected)), detail)
        for key in expected:
            found = compare(got[key], expected[key], rtol=rtol, atol=atol, path=f"{path}.{key}" if key.isidentifier() else f"{path}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, tuple) and all(_is_scalar(v) for v in (*expected, *got)):
        if got != expected:  # a shape or a record of scalars reads best whole: (1, 13) vs (13, 1)
            return Mismatch(path, "value", fmt(got), fmt(expected))
        return None
    if isinstance(expected, (list, tuple)):
        if len(got) != len(expected):
            return Mismatch(path, "length", str(len(got)), str(len(expected)))
        for i, (g, e) in enumerate(zip(got, expected)):
            found = compare(g, e, rtol=rtol, atol=atol, path=f"{path}[{i}]")
            if found:
                return found
        return None
    if _is_tensor(expected):
        return _compare_tensors(got, expected, rtol, atol, path)
    if isinstance(expected, float):
        if math.isnan(got) or not math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return Mismatch(path, "value", fmt(got), fmt(expected), _tolerance(rtol, atol))
        return None
    if got != expected:
        return Mismatch(path, "value", fmt(got), fmt(expected))
    return None


def fmt(value: Any, limit: int = 8) -> str:
    """A short, deterministic rendering of a value for feedback."""
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (int, str)):
        return repr(value)
    if isinstance(value, Failure):
        return f"{value.exc_type or value.kind}: {value.message}"
    if isinstance(value, Opaque):
        return str(value)
    if _is_tensor(value):
        shape = tuple(value.shape)
        if value.device.type == "meta" or value.numel() > limit:
            return f"a tensor of shape {shape}"
        if value.dim() == 0:
            return f"tensor({fmt(value.item())})"
        return f"tensor({_short(value.tolist(), limit)})"
    if isinstance(value, tuple):
        inner = ", ".join(fmt(v, limit) for v in value[:limit])
        more = ", ..." if len(value) > limit else ""
        return f"({inner}{',' if len(value) == 1 else ''}{more})"
    if isinstance(value, list):
        inner = ", ".join(fmt(v, limit) for v in value[:limit])
        return f"[{inner}{', ...' if len(value) > limit else ''}]"
    if isinstance(value, dict):
        items = list(value.items())
        inner = ", ".join(f"{k!r}: {fmt(v, limit)}" for k, v in items[:limit])
        return "{" + inner + (", ..." if len(items) > limit else "") + "}"
    return repr(value)


def type_label(value: Any, *, with_value: bool = False) -> str:
    """'a tuple', 'a float', 'a tensor', 'a torch.Size' ... optionally with the value."""
    return _label_with_value(value) if with_value else _type_label(value)


# --- helpers -----------------------------------------------------------------


def _label_with_value(value: Any) -> str:
    if value is None:
        return "None"
    label = _type_label(value)
    if isinstance(value, Opaque):
        return f"{label} {value.text}".rstrip() if value.text else label
    if isinstance(value, (dict, list, tuple)) or _is_tensor(value):
        return f"{label} {fmt(value, 4)}"
    return f"{label} {fmt(value)}"


def _type_label(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, Opaque):
        return f"a {value.type_name}"
    if _is_tensor(value):
        return "a tensor"
    name = type(value).__name__
    article = "an" if name[0] in "aeiou" else "a"
    return f"{article} {name}"


def _compare_tensors(got: torch.Tensor, expected: torch.Tensor, rtol: float, atol: float, path: str) -> Mismatch | None:
    if tuple(got.shape) != tuple(expected.shape):
        return Mismatch(path, "shape", str(tuple(got.shape)), str(tuple(expected.shape)))
    if got.dtype != expected.dtype:
        return Mismatch(path, "dtype", str(got.dtype), str(expected.dtype))
    if tensor_device(got) != tensor_device(expected):
        return Mismatch(path, "device", repr(tensor_device(got)), repr(tensor_device(expected)))
    if tensor_requires_grad(got) != tensor_requires_grad(expected):
        return Mismatch(path, "requires_grad", str(tensor_requires_grad(got)), str(tensor_requires_grad(expected)))
    if got.device.type == "meta" or expected.device.type == "meta":
        return None
    if expected.is_floating_point():
        close = torch.isclose(got, expected, rtol=rtol, atol=atol, equal_nan=False)
    else:
        close = got == expected
    if bool(close.all()):
        return None
    bad = (~close).nonzero()[0].tolist()
    index = "[" + ", ".join(str(i) for i in bad) + "]" if bad else ""
    g, e = got[tuple(bad)].item(), expected[tuple(bad)].item()
    count = int((~close).sum())
    detail = f"{count} of {close.numel()} elements differ; first at {index or 'the scalar'}: got {fmt(g)}, expected {fmt(e)}"
    if expected.is_floating_point():
        detail += f" ({_tolerance(rtol, atol)})"
    return Mismatch(path, "values", fmt(got), fmt(expected), detail)


def _tolerance(rtol: float, atol: float) -> str:
    return "exact match required" if rtol == 0 and atol == 0 else f"rtol={rtol:g}, atol={atol:g}"


def _keys_detail(missing: list, extra: list) -> str:
    parts = []
    if missing:
        parts.append(f"missing {_short(missing)}")
    if extra:
        parts.append(f"unexpected {_short(extra)}")
    return "; ".join(parts) or "same keys in another order"


def _short(items: list, limit: int = 8) -> str:
    shown = ", ".join(repr(i) for i in items[:limit])
    return f"[{shown}{', ...' if len(items) > limit else ''}]"


def _is_scalar(value: Any) -> bool:
    return value is None or type(value) in (int, bool, str)  # floats keep their tolerance


def _is_tensor(value: Any) -> bool:
    return isinstance(value, torch.Tensor)
