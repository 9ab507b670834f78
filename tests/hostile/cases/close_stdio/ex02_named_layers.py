"""Hostile: close stdin, stdout and stderr, try to redirect stdout into the class folder; the code is correct."""
import os
from collections import OrderedDict

from torch import nn

for _fd in (0, 1, 2):
    os.close(_fd)
try:
    os.open(os.path.join(__CLASS__, "stdout-of-close_stdio.txt"), os.O_WRONLY | os.O_CREAT, 0o644)  # becomes fd 0
except OSError:
    os.open(os.devnull, os.O_RDWR)  # the class folder is out of reach: stdout goes nowhere
os.dup2(0, 1)
os.dup2(0, 2)
print("where does this go?")


def build_named_model(n_hidden=8):
    return nn.Sequential(OrderedDict([
        ("hidden_linear", nn.Linear(1, n_hidden)),
        ("hidden_activation", nn.Tanh()),
        ("output_linear", nn.Linear(n_hidden, 1)),
    ]))


def parameter_names(model):
    return [name for name, _ in model.named_parameters()]


def get_output_bias(model):
    return model.output_linear.bias
