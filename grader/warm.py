"""Imported once by the fork server: pay torch's lazy imports before any child is forked.

Runs single-threaded and computes nothing multi-threaded (a parent that has
run an OpenMP op leaves its forked children hanging). Holds no secrets: it
imports the probes, never `grader.hidden` nor any reference evidence.
"""
from __future__ import annotations

import torch

torch.set_num_threads(1)

from torch import nn, optim  # noqa: E402

import grader.checks  # noqa: E402,F401 - the probes, imported once for every child
import grader.probe  # noqa: E402,F401
import grader.importer  # noqa: E402,F401
import grader.jail  # noqa: E402,F401 - the child's entry point and its layers: no import per child
import grader.landlock  # noqa: E402,F401
import grader.seccomp  # noqa: E402,F401
import grader.sandbox  # noqa: E402,F401 - unpickling a job's Limits imports it otherwise

_model = nn.Linear(1, 1)
optim.SGD(_model.parameters(), lr=0.1)  # first optimizer imports torch._dynamo (~2 s)
with torch.device("meta"):
    nn.Sequential(nn.Conv2d(3, 2, 3), nn.AdaptiveAvgPool2d(1))(torch.empty(1, 3, 8, 8))  # loads sympy (~1 s)
del _model
