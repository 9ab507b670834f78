"""Checks for ex08_checkpoints: saving and resuming model and optimizer state."""
from __future__ import annotations

import os
import tempfile

import torch
from torch import nn, optim

from grader.check import Check, Match
from grader.diagnosis import KnownMistake
from grader.observe import raises, thermometer_data, thermometer_model

EX = "ex08_checkpoints"


def _train(model, opt, epochs):
    device = next(model.parameters()).device
    t_u, _, t_c, _ = thermometer_data(device=device)
    for _ in range(epochs):
        loss = nn.functional.mse_loss(model(t_u), t_c)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _fresh(momentum, lr=1e-2, device="cpu"):
    model = thermometer_model(seed=5, device=device)
    return model, optim.SGD(model.parameters(), lr=lr, momentum=momentum)


def _roundtrip(api, epoch):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        model, opt = _fresh(0.9, device=api.device)
        _train(model, opt, 2)
        api.save_checkpoint(path, model, opt, epoch)
        safe = raises(lambda: torch.load(path, weights_only=True))
        model2, opt2 = _fresh(0.9, device=api.device)
        before = list(model2.parameters())
        returned = api.load_checkpoint(path, model2, opt2)
        return {
            "torch.load(path, weights_only=True)": "ok" if safe["raised"] is None else f"raises {safe['raised']}",
            "returned epoch": returned,
            "parameters restored in place": len(list(model2.parameters())) == len(before)
            and all(a is b for a, b in zip(model2.parameters(), before)),
            "parameters": {n: p.detach() for n, p in model2.named_parameters()},
        }


def _resume(api, momentum, first, second):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "checkpoint.pt")
        model, opt = _fresh(momentum, device=api.device)
        _train(model, opt, first)
        api.save_checkpoint(path, model, opt, first)
        model, opt = _fresh(momentum, lr=0.5, device=api.device)  # fresh objects: the checkpoint must restore everything
        thermometer_model(seed=9)  # move the global RNG: nothing may depend on it
        api.load_checkpoint(path, model, opt)
        _train(model, opt, second)
        return {"parameters after resume": {n: p.detach() for n, p in model.named_parameters()},
                "optimizer lr": [g["lr"] for g in opt.param_groups]}


CHECKS = (
    Check(EX, "roundtrip", "save_checkpoint / load_checkpoint round trip", 3, _roundtrip, inputs=({"epoch": 7},),
          subject="checkpoint", verdict=Match(),
          hint="torch.save({'model': model.state_dict(), 'optimizer': optimizer.state_dict(), 'epoch': epoch}, path); "
               "load with torch.load(path, weights_only=True) and model.load_state_dict(...), which copies into the "
               "existing Parameters; return the epoch as an int. Saving the model object itself is not weights_only-safe.",
          hints={"returned epoch": "return the saved epoch as a Python int."}),
    Check(EX, "resume_momentum", "5 epochs + save + load + 5 epochs equals 10 epochs (SGD with momentum)", 5, _resume,
          inputs=({"momentum": 0.9, "first": 5, "second": 5}, {"momentum": 0.0, "first": 3, "second": 2}),
          subject="resume", verdict=Match(rtol=1e-6, atol=1e-7),
          hint="save optimizer.state_dict() too and restore it with optimizer.load_state_dict(): without it the "
               "momentum buffers (and lr) are lost and training resumes differently."),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _save_model_only(ref):
    return lambda path, model, optimizer, epoch: torch.save({"model": model.state_dict(), "epoch": int(epoch)}, path)


def _load_model_only(ref):
    def load_checkpoint(path, model, optimizer):
        checkpoint = torch.load(path, weights_only=True, map_location="cpu")
        model.load_state_dict(checkpoint["model"])
        return int(checkpoint["epoch"])

    return load_checkpoint


def _save_pickled(ref):
    return lambda path, model, optimizer, epoch: torch.save(
        {"model": model, "optimizer": optimizer.state_dict(), "epoch": int(epoch)}, path)


def _load_pickled(ref):
    def load_checkpoint(path, model, optimizer):
        checkpoint = torch.load(path, weights_only=False, map_location="cpu")
        model.load_state_dict(checkpoint["model"].state_dict())
        optimizer.load_state_dict(checkpoint["optimizer"])
        return int(checkpoint["epoch"])

    return load_checkpoint


def _load_epoch_tensor(ref):
    return lambda path, model, optimizer: torch.tensor(ref.load_checkpoint(path, model, optimizer))


def _load_replacing(ref):
    def load_checkpoint(path, model, optimizer):
        checkpoint = torch.load(path, weights_only=True, map_location="cpu")
        for name, value in checkpoint["model"].items():
            owner, _, attr = name.rpartition(".")
            setattr(model.get_submodule(owner), attr, nn.Parameter(value))
        optimizer.load_state_dict(checkpoint["optimizer"])
        return int(checkpoint["epoch"])

    return load_checkpoint


MISTAKES = (
    KnownMistake(EX, "no_optimizer_state", "the optimizer's state_dict() is not saved and restored: momentum buffers "
                 "(and lr) are lost on resume",
                 "save optimizer.state_dict() beside the model's and restore it with optimizer.load_state_dict().",
                 {"save_checkpoint": _save_model_only, "load_checkpoint": _load_model_only}, ("resume_momentum",)),
    KnownMistake(EX, "pickled_model", "the checkpoint holds the pickled model object instead of its state_dict(), "
                 "so torch.load(path, weights_only=True) refuses it",
                 "save model.state_dict() (tensors only); weights_only=True loads it without running pickled code.",
                 {"save_checkpoint": _save_pickled, "load_checkpoint": _load_pickled}, ("roundtrip",)),
    KnownMistake(EX, "epoch_tensor", "load_checkpoint returns the epoch as a tensor, not an int",
                 "store and return a Python int: int(epoch).", {"load_checkpoint": _load_epoch_tensor}, ("roundtrip",)),
    KnownMistake(EX, "parameters_replaced", "load_checkpoint puts new Parameters into the model instead of loading "
                 "into the existing ones, so an optimizer built earlier still holds the old ones",
                 "model.load_state_dict(...) copies the values into the existing Parameters in place.",
                 {"load_checkpoint": _load_replacing}, ("roundtrip", "resume_momentum")),
)
