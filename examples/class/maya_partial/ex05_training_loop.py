"""Exercise 5: write the training loop.

You will split the thermometer data into training and validation sets, write
the training loop that tracks both losses, and fit the exercise 1 network.

Run `pytest exercises/` to check your work.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn, optim

from ex01_sequential import build_seq_model

# The unit's data set (given, not part of the task): 11 readings.
t_c = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]  # Celsius
t_u = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]  # unknown unit


def split_train_val(
    t_u: Tensor | Sequence[float],
    t_c: Tensor | Sequence[float],
    val_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Split the samples and return ``(t_u_train, t_u_val, t_c_train, t_c_val)``.

    With ``n = len(t_u)`` and ``n_val = int(val_fraction * n)``, shuffle with
    ``torch.randperm(n, generator=torch.Generator().manual_seed(seed))``. The
    first ``n_val`` shuffled indices are the validation samples, the rest are
    the training samples.
    """
    raise NotImplementedError("shuffle with torch.randperm and a seeded torch.Generator, first n_val indices are validation")


def training_loop(
    n_epochs: int,
    optimizer: optim.Optimizer,
    model: nn.Module,
    loss_fn: Callable[[Tensor, Tensor], Tensor],
    t_u_train: Tensor,
    t_u_val: Tensor,
    t_c_train: Tensor,
    t_c_val: Tensor,
) -> list[tuple[float, float]]:
    """Train ``model`` for ``n_epochs`` and return the loss history.

    In each epoch: compute the training loss on the training data; compute
    the validation loss on the validation data inside ``torch.no_grad()`` (no
    graph for it); then zero the gradients, call ``backward()`` on the training
    loss and step the optimizer. Return one ``(train_loss, val_loss)`` tuple of
    two Python floats (use ``.item()``) per epoch, both computed in that epoch
    before the step.
    """
    raise NotImplementedError("loop n_epochs times: train loss, val loss under torch.no_grad(), zero_grad, backward, step; record (float, float)")


def fit_thermometer(
    n_epochs: int = 5000,
    lr: float = 1e-3,
    device: str = "cpu",
    seed: int = 0,
) -> tuple[nn.Module, list[tuple[float, float]]]:
    """Fit the thermometer network and return ``(model, history)``.

    Steps, in this order: make B x 1 tensors with
    ``torch.tensor(t_u).unsqueeze(1)`` (and the same for ``t_c``); split them
    with ``split_train_val(..., seed=seed)``; multiply the training and
    validation inputs by 0.1; call ``torch.manual_seed(seed)`` and only then
    build ``build_seq_model(13)``; move the model and all the data to
    ``device``; train with ``optim.SGD(model.parameters(), lr=lr)`` and
    ``nn.MSELoss()`` through ``training_loop``. The returned model must be on
    ``device``.
    """
    raise NotImplementedError("split the data, scale inputs by 0.1, torch.manual_seed(seed), build_seq_model(13).to(device), SGD + MSELoss, training_loop")
