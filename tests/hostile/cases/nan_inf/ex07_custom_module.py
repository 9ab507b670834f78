"""Hostile: models whose outputs are NaN and infinity."""
import torch
from torch import nn


class SubclassModel(nn.Module):
    def __init__(self, n_hidden=13):
        super().__init__()
        self.hidden_linear = nn.Linear(1, n_hidden)
        self.hidden_activation = nn.Tanh()
        self.output_linear = nn.Linear(n_hidden, 1)

    def forward(self, x):
        return torch.full((x.shape[0], 1), float("nan"))


class MLP(nn.Module):
    def __init__(self, sizes):
        super().__init__()
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        with torch.no_grad():
            for layer in self.layers:
                layer.weight.fill_(float("inf"))

    def forward(self, x):
        return torch.full((x.shape[0], self.layers[-1].out_features), float("-inf"))
