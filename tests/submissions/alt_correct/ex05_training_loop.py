"""Alternative correct solution for ex05 (builds the network itself)."""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.optim as optim

t_c = [0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0]
t_u = [35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4]


def split_train_val(t_u, t_c, val_fraction: float = 0.2, seed: int = 0):
    """Seeded train/validation split: (t_u_train, t_u_val, t_c_train, t_c_val)."""
    n = len(t_u)
    n_val = int(val_fraction * n)
    gen = torch.Generator()
    gen.manual_seed(seed)
    perm = torch.randperm(n, generator=gen)
    x = t_u if isinstance(t_u, torch.Tensor) else torch.tensor(t_u)
    y = t_c if isinstance(t_c, torch.Tensor) else torch.tensor(t_c)
    train, val = perm[n_val:], perm[:n_val]
    return (
        x.index_select(0, train),
        x.index_select(0, val),
        y.index_select(0, train),
        y.index_select(0, val),
    )


def training_loop(n_epochs, optimizer, model, loss_fn, t_u_train, t_u_val, t_c_train, t_c_val):
    """Train and return per-epoch (train_loss, val_loss) floats."""
    params = [p for group in optimizer.param_groups for p in group["params"]]
    out = []
    epoch = 0
    while epoch < n_epochs:
        t_p_train = model(t_u_train)
        loss_train = loss_fn(t_p_train, t_c_train)
        with torch.no_grad():
            loss_val = float(loss_fn(model(t_u_val), t_c_val))
        for p in params:
            p.grad = None
        loss_train.backward()
        optimizer.step()
        out.append((loss_train.item(), loss_val))
        epoch += 1
    return out


def fit_thermometer(n_epochs: int = 5000, lr: float = 1e-3, device: str = "cpu", seed: int = 0):
    """Fit the 1-13-1 tanh network on the thermometer data."""
    u = torch.tensor(t_u).unsqueeze(1)
    c = torch.tensor(t_c).unsqueeze(1)
    u_tr, u_va, c_tr, c_va = split_train_val(u, c, seed=seed)
    u_tr = u_tr * 0.1
    u_va = u_va * 0.1
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(1, 13), nn.Tanh(), nn.Linear(13, 1))
    net = net.to(device=device)
    dev = torch.device(device)
    hist = training_loop(
        n_epochs,
        optim.SGD(net.parameters(), lr=lr),
        net,
        nn.MSELoss(),
        u_tr.to(dev),
        u_va.to(dev),
        c_tr.to(dev),
        c_va.to(dev),
    )
    return net, hist
