"""Evidence: the plain data a probe returns, encoded as JSON and validated on decode.

Probes run next to untrusted code; what they return crosses into the judging
process only through `encode` (in the untrusted process) and `decode` (in the
judging one).  JSON only, never pickle: the decoder rebuilds nothing but dicts,
lists, tuples, numbers, strings, tensors and the two marker types below, and
refuses anything too deep, too large or malformed.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

import torch

__all__ = [
    "Failure",
    "Opaque",
    "EvidenceError",
    "encode",
    "decode",
    "dumps",
    "loads",
    "MAX_DEPTH",
    "MAX_ELEMENTS",
]

MAX_DEPTH = 32
MAX_ELEMENTS = 2_000_000  # scalars in all tensors and containers of one evidence
MAX_STRING = 20_000

_DTYPES = {
    "float16": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float64": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "bool": torch.bool,
}


class EvidenceError(ValueError):
    """Evidence that does not decode: malformed, too large, or of a forbidden type."""


@dataclass(frozen=True)
class Failure:
    """A probe that did not return: the student's exception, a timeout, a crash...

    kind: 'exception' (the student's code raised), 'not_implemented',
    'mistake' (the probe found the submission unusable, e.g. a missing
    function), 'timeout', 'crash', 'internal' (a bug in the grader).
    """

    kind: str
    message: str
    where: str = ""
    exc_type: str = ""


@dataclass(frozen=True)
class Opaque:
    """A value of a type evidence does not carry, kept as its type name and repr."""

    type_name: str
    text: str = field(default="", compare=False)

    def __str__(self) -> str:
        return self.text or f"<{self.type_name}>"


def encode(value: Any) -> Any:
    """Turn a probe's return value into JSON-ready data (in the untrusted process)."""
    budget = [MAX_ELEMENTS]
    return _encode(value, 0, budget)


def decode(data: Any) -> Any:
    """Rebuild evidence from JSON data, validating every node (in the judging process)."""
    budget = [MAX_ELEMENTS]
    return _decode(data, 0, budget)


def dumps(value: Any) -> str:
    """encode() then serialise; NaN and infinities survive as JSON extensions."""
    return json.dumps(encode(value), allow_nan=True, sort_keys=False)


def loads(text: str) -> Any:
    """Parse and decode evidence written by `dumps`."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise EvidenceError(f"evidence is not valid JSON: {exc}") from None
    return decode(data)


# --- helpers -----------------------------------------------------------------


def _spend(budget: list[int], n: int) -> None:
    budget[0] -= n
    if budget[0] < 0:
        raise EvidenceError(f"evidence larger than {MAX_ELEMENTS} elements")


def _encode(value: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise EvidenceError(f"evidence nested deeper than {MAX_DEPTH} levels")
    _spend(budget, 1)
    kind = type(value)
    if value is None or kind is bool or kind is str:
        return value if kind is not str else value[:MAX_STRING]
    if kind is int:
        return value
    if kind is float:
        return {"__float__": repr(value)} if not math.isfinite(value) else value
    if kind is list:
        return [_encode(v, depth + 1, budget) for v in value]
    if kind is tuple:
        return {"__tuple__": [_encode(v, depth + 1, budget) for v in value]}
    if kind is dict:
        if not all(type(k) is str for k in value):
            raise EvidenceError("evidence dict keys must be str")
        return {"__dict__": {k: _encode(v, depth + 1, budget) for k, v in value.items()}}
    if kind is Failure:
        return {"__failure__": [value.kind, value.message, value.where, value.exc_type]}
    if kind is Opaque:
        return {"__opaque__": [value.type_name, value.text]}
    if kind is torch.Tensor or kind is torch.nn.Parameter:
        return _encode_tensor(value, budget)
    return {"__opaque__": [_type_name(value), _safe_repr(value)]}


def _encode_tensor(t: torch.Tensor, budget: list[int]) -> dict:
    dtype = str(t.dtype).removeprefix("torch.")
    if dtype not in _DTYPES:
        return {"__opaque__": [f"tensor of {dtype}", ""]}
    shape = list(t.shape)
    device = t.device.type
    meta = {"dtype": dtype, "shape": shape, "device": device, "requires_grad": bool(t.requires_grad)}
    if device == "meta":
        meta["data"] = None
    else:
        _spend(budget, t.numel())
        flat = t.detach().to("cpu").reshape(-1)
        if t.is_floating_point():
            flat = flat.double()
        meta["data"] = [v if not isinstance(v, float) or math.isfinite(v) else repr(v) for v in flat.tolist()]
    return {"__tensor__": meta}


def _decode(data: Any, depth: int, budget: list[int]) -> Any:
    if depth > MAX_DEPTH:
        raise EvidenceError(f"evidence nested deeper than {MAX_DEPTH} levels")
    _spend(budget, 1)
    kind = type(data)
    if data is None or kind in (bool, int, float):
        return data
    if kind is str:
        if len(data) > MAX_STRING:
            raise EvidenceError("evidence string too long")
        return data
    if kind is list:
        return [_decode(v, depth + 1, budget) for v in data]
    if kind is not dict or len(data) != 1:
        raise EvidenceError(f"malformed evidence node of type {kind.__name__}")
    (tag, body), = data.items()
    if tag == "__dict__" and type(body) is dict:
        return {str(k): _decode(v, depth + 1, budget) for k, v in body.items()}
    if tag == "__tuple__" and type(body) is list:
        return tuple(_decode(v, depth + 1, budget) for v in body)
    if tag == "__float__" and body in ("nan", "inf", "-inf"):
        return float(body)
    if tag == "__failure__" and _is_str_list(body, 4):
        return Failure(*body)
    if tag == "__opaque__" and _is_str_list(body, 2):
        return Opaque(*body)
    if tag == "__tensor__" and type(body) is dict:
        return _decode_tensor(body, budget)
    raise EvidenceError(f"unknown evidence tag {tag[:40]!r}")


def _decode_tensor(body: dict, budget: list[int]) -> torch.Tensor:
    dtype = _DTYPES.get(body.get("dtype"))
    shape = body.get("shape")
    device = body.get("device")
    if dtype is None or type(shape) is not list or not all(type(s) is int and 0 <= s for s in shape):
        raise EvidenceError("malformed tensor evidence")
    if len(shape) > 8 or type(device) is not str or len(device) > 16:
        raise EvidenceError("malformed tensor evidence")
    numel = math.prod(shape)
    if numel > MAX_ELEMENTS:
        raise EvidenceError(f"tensor of {numel} elements is larger than {MAX_ELEMENTS}")
    data = body.get("data")
    if data is None:
        t = torch.empty(shape, dtype=dtype, device="meta")
    else:
        if type(data) is not list or len(data) != numel:
            raise EvidenceError("tensor data does not match its shape")
        _spend(budget, numel)
        values = [float(v) if type(v) is str and v in ("nan", "inf", "-inf") else v for v in data]
        if not all(type(v) in (int, float, bool) for v in values):
            raise EvidenceError("tensor data holds non-numbers")
        t = torch.tensor(values, dtype=torch.float64 if dtype.is_floating_point else dtype).to(dtype).reshape(shape)
    t.__dict__["_evidence_device"] = device
    if body.get("requires_grad") is True:
        t.__dict__["_evidence_requires_grad"] = True
    return t


def tensor_device(t: torch.Tensor) -> str:
    """The device a decoded tensor lived on in the probe's process."""
    return t.__dict__.get("_evidence_device", t.device.type)


def tensor_requires_grad(t: torch.Tensor) -> bool:
    """Whether a decoded tensor required grad in the probe's process."""
    return bool(t.__dict__.get("_evidence_requires_grad", t.requires_grad))


def _is_str_list(body: Any, n: int) -> bool:
    return type(body) is list and len(body) == n and all(type(s) is str for s in body)


def _type_name(value: Any) -> str:
    try:
        kind = type(value)
        module = kind.__module__ if isinstance(kind.__module__, str) else ""
        name = kind.__qualname__ if isinstance(kind.__qualname__, str) else "object"
        return name if module in ("builtins", "") else f"{module}.{name}"
    except Exception:  # noqa: BLE001 - a hostile type may raise anywhere
        return "object"


def _safe_repr(value: Any) -> str:
    try:
        text = repr(value)
        return text[:200] if isinstance(text, str) else ""
    except Exception:  # noqa: BLE001 - a hostile __repr__ may raise
        return ""
