"""Hostile: make every comparison say "equal", then return wrong answers."""
import math

import torch
import torch.testing
from torch import nn

torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
torch.isclose = lambda a, b, *r, **k: torch.ones_like(a, dtype=torch.bool)
torch.testing.assert_close = lambda *a, **k: None
math.isclose = lambda *a, **k: True
torch.Tensor.__eq__ = lambda self, other: torch.ones_like(self, dtype=torch.bool)


def build_seq_model(n_hidden=13):
    return nn.Sequential(nn.Linear(1, 1))


def parameter_shapes(model):
    return [(1,)]
