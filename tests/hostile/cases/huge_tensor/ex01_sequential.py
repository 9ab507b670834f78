"""Hostile: tensors of 10**10 elements (one expanded, so it costs no memory; one real)."""
import torch
from torch import nn


class Huge(nn.Module):
    def forward(self, x):
        return torch.zeros(1).expand(10**10)


def build_seq_model(n_hidden=13):
    return nn.Sequential(Huge())


def parameter_shapes(model):
    try:
        return [torch.empty(10**10)]
    except RuntimeError:
        return [torch.zeros(1).expand(10**10)]
