"""Known-wrong ex05: the history holds loss tensors instead of Python floats."""
from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn, optim

from ex01_sequential import build_seq_model

t_c = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]  # Celsius
t_u = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]  # unknown unit


def split_train_val(
    t_u: Tensor | Sequence[float],
    t_c: Tensor | Sequence[float],
    val_fraction: float = 0.2,
    seed: int = 0,
) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Split the samples into training and validation sets with a seeded permutation.

    Returns ``(t_u_train, t_u_val, t_c_train, t_c_val)``; the first ``n_val`` permuted indices are validation.
    """
    t_u = torch.as_tensor(t_u)
    t_c = torch.as_tensor(t_c)
    n = len(t_u)
    n_val = int(val_fraction * n)
    shuffled = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
    val_idx = shuffled[:n_val]
    train_idx = shuffled[n_val:]
    return t_u[train_idx], t_u[val_idx], t_c[train_idx], t_c[val_idx]


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
    """Train for ``n_epochs`` and return one ``(train_loss, val_loss)`` pair of floats per epoch.

    Each pair holds the losses computed in that epoch before the optimizer step.
    """
    history: list[tuple[float, float]] = []
    for _ in range(n_epochs):
        train_loss = loss_fn(model(t_u_train), t_c_train)
        with torch.no_grad():
            val_loss = loss_fn(model(t_u_val), t_c_val)
        optimizer.zero_grad()
        train_loss.backward()
        optimizer.step()
        history.append((train_loss, val_loss))
    return history


def fit_thermometer(
    n_epochs: int = 5000,
    lr: float = 1e-3,
    device: str = "cpu",
    seed: int = 0,
) -> tuple[nn.Module, list[tuple[float, float]]]:
    """Fit ``build_seq_model(13)`` to the thermometer data on ``device``.

    Returns the trained model (on ``device``) and the loss history.
    """
    t_u_train, t_u_val, t_c_train, t_c_val = split_train_val(
        torch.tensor(t_u).unsqueeze(1), torch.tensor(t_c).unsqueeze(1), seed=seed
    )
    t_un_train = 0.1 * t_u_train
    t_un_val = 0.1 * t_u_val

    torch.manual_seed(seed)
    model = build_seq_model(13).to(device)
    optimizer = optim.SGD(model.parameters(), lr=lr)
    history = training_loop(
        n_epochs=n_epochs,
        optimizer=optimizer,
        model=model,
        loss_fn=nn.MSELoss(),
        t_u_train=t_un_train.to(device),
        t_u_val=t_un_val.to(device),
        t_c_train=t_c_train.to(device),
        t_c_val=t_c_val.to(device),
    )
    return model, history
