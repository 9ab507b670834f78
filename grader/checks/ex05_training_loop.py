"""Checks for ex05_training_loop: the split, the loop, and fit_thermometer."""
from __future__ import annotations

import inspect

import torch
from torch import nn, optim

from grader.check import Check, Match, Within
from grader.diagnosis import KnownMistake
from grader.observe import expect, expect_module, thermometer_data, thermometer_model, type_name
from grader.unit import T_C, T_U

EX = "ex05_training_loop"
LOOP_ORDER_HINT = ("each epoch: train loss, val loss under torch.no_grad(), optimizer.zero_grad(), "
                   "train_loss.backward(), optimizer.step(); record the losses computed before the step.")


def _split(api, n, val_fraction=None, seed=None):
    t_u = torch.arange(n, dtype=torch.float32).unsqueeze(1) if n != 11 else torch.tensor(T_U).unsqueeze(1)
    t_c = t_u * 2 + 1 if n != 11 else torch.tensor(T_C).unsqueeze(1)
    kwargs = {k: v for k, v in (("val_fraction", val_fraction), ("seed", seed)) if v is not None}
    parts = expect(api.split_train_val(t_u, t_c, **kwargs), tuple, "split_train_val()")
    return [p.detach() if isinstance(p, torch.Tensor) else p for p in parts]


def _run_loop(api, n_epochs, lr, n_hidden=13, momentum=0.0):
    model = thermometer_model(n_hidden, device=api.device)
    opt = optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    data = thermometer_data(device=api.device)
    val_target = data[3]
    grad_in_val: list[bool] = []

    def loss_fn(pred, target):
        if target is val_target or (isinstance(target, torch.Tensor) and target.shape == val_target.shape
                                    and torch.equal(target, val_target)):
            grad_in_val.append(torch.is_grad_enabled())
        return nn.functional.mse_loss(pred, target)

    history = api.training_loop(n_epochs=n_epochs, optimizer=opt, model=model, loss_fn=loss_fn, t_u_train=data[0],
                                t_u_val=data[1], t_c_train=data[2], t_c_val=data[3])
    return history, model, grad_in_val


def _loop_types(api, n_epochs):
    history, _, _ = _run_loop(api, n_epochs, 1e-2)
    if history is None:
        return {"returned": "None", "length": 0, "entry kinds": []}
    expect(history, list, "training_loop()")
    kinds = sorted({_entry_kind(e) for e in history})
    return {"returned": "a list", "length": len(history), "entry kinds": kinds}


def _floats(history) -> list[list[float]]:
    """Each entry's losses as floats; tensors detached first (no autograd warning, no graph kept)."""
    return [[float(v.detach()) if isinstance(v, torch.Tensor) else float(v) for v in entry] for entry in history]


def _entry_kind(entry) -> str:
    if type(entry) is not tuple:
        return type_name(entry)
    return "tuple(" + ", ".join(type_name(v) for v in entry) + ")"


def _loop_values(api, n_epochs, lr, n_hidden=13):
    history, model, _ = _run_loop(api, n_epochs, lr, n_hidden)
    expect(history, (list, tuple), "training_loop()")
    values = _floats(history)  # tensors accepted here: values are what count
    return {"history": values, "parameters after": {n: p.detach() for n, p in model.named_parameters()}}


def _loop_no_graph(api, n_epochs):
    _, _, grad_in_val = _run_loop(api, n_epochs, 1e-2)
    return {"validation loss computed with autograd enabled": sorted(set(grad_in_val)),
            "validation losses computed": len(grad_in_val)}


def _fit_defaults(api):
    """The n_epochs default from the signature; lr, device and seed defaults by running 2 epochs."""
    try:
        params = inspect.signature(api.fit_thermometer).parameters
        n_epochs = repr(params["n_epochs"].default) if "n_epochs" in params else "missing"
    except (TypeError, ValueError):
        n_epochs = "unreadable"
    model, history = _fit(api, n_epochs=2)
    return {"n_epochs default": n_epochs,
            "history with the default lr, device and seed": _floats(history),
            "parameter devices": sorted({p.device.type for p in model.parameters()})}


def _fit(api, **kwargs):
    result = expect(api.fit_thermometer(**kwargs), tuple, "fit_thermometer()")
    if len(result) != 2:
        return {"returned": f"a tuple of {len(result)}"}
    model, history = result
    expect_module(model, "fit_thermometer()[0]")
    expect(history, list, "fit_thermometer()[1]")
    return model, history


def _on_device(api, kwargs: dict) -> dict:
    """Train on the grading device; on the CPU the call stays exactly as declared."""
    return kwargs if api.device == "cpu" else {**kwargs, "device": api.device}


def _fit_early(api, **kwargs):
    model, history = _fit(api, **_on_device(api, kwargs))
    return {"history": _floats(history)}


def _fit_converges(api, n_epochs, lr):
    _, history = _fit(api, **_on_device(api, {"n_epochs": n_epochs, "lr": lr}))
    values = _floats(history)
    first, last = values[0][0], values[-1][0]
    return {"final validation loss": values[-1][1], "epochs": len(values),
            "training loss went down": last < first,
            "history": values}  # not judged: kept per submission for the class report's training curves


def _fit_device(api, device, n_epochs):
    model, history = _fit(api, n_epochs=n_epochs, device=device)
    return {"parameter devices": sorted({p.device.type for p in model.parameters()}), "epochs": len(history)}


CHECKS = (
    Check(EX, "split_default", "split_train_val(t_u, t_c) with the default fraction and seed", 2, _split,
          inputs=({"n": 11},), subject="split", verdict=Match(),
          hint="n_val = int(val_fraction * n); perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed)); "
               "validation = perm[:n_val], training = perm[n_val:]; return (t_u_train, t_u_val, t_c_train, t_c_val)."),
    Check(EX, "split_arguments", "split_train_val(...) uses val_fraction and seed", 2, _split,
          inputs=({"n": 20, "val_fraction": 0.5, "seed": 3}, {"n": 10, "val_fraction": 0.3, "seed": 7}),
          subject="split", hint="use the val_fraction and seed arguments, not 0.2 and 0."),
    Check(EX, "loop_returns_floats", "training_loop(...) returns one (train, val) tuple of floats per epoch", 2,
          _loop_types, inputs=({"n_epochs": 3},), subject="history",
          hint="append (train_loss.item(), val_loss.item()) each epoch and return the list; "
               ".item() turns a one-element tensor into a Python float."),
    Check(EX, "loop_history", "training_loop(...) losses and parameters match the reference loop", 4, _loop_values,
          inputs=({"n_epochs": 12, "lr": 1e-2},), subject="training", verdict=Match(rtol=1e-5, atol=1e-6),
          hint=LOOP_ORDER_HINT),
    Check(EX, "loop_val_no_graph", "training_loop(...) computes the validation loss without a graph", 2,
          _loop_no_graph, inputs=({"n_epochs": 3},), subject="training_loop",
          hint="wrap the validation forward pass and loss in `with torch.no_grad():`."),
    Check(EX, "fit_defaults", "fit_thermometer defaults (n_epochs=5000, lr=1e-3, device='cpu', seed=0)", 1,
          _fit_defaults, subject="fit", verdict=Match(rtol=1e-5, atol=1e-5), uses=("ex01_sequential",),
          hint="def fit_thermometer(n_epochs: int = 5000, lr: float = 1e-3, device: str = 'cpu', seed: int = 0)."),
    Check(EX, "fit_early", "fit_thermometer(...) first epochs match the reference", 3, _fit_early,
          inputs=({"n_epochs": 15}, {"n_epochs": 10, "lr": 1e-2, "seed": 2}), subject="fit",
          verdict=Match(rtol=1e-5, atol=1e-5), uses=("ex01_sequential",),
          hint="split with split_train_val(..., seed=seed), multiply the inputs by 0.1, call torch.manual_seed(seed) "
               "and only then build build_seq_model(13); SGD(lr=lr), nn.MSELoss()."),
    Check(EX, "fit_converges", "fit_thermometer(...) converges", 2, _fit_converges,
          inputs=({"n_epochs": 800, "lr": 1e-2},), subject="fit", uses=("ex01_sequential",),
          verdict=Within("final validation loss", factor=1.5, slack=1.0, ignore=("history",)), trace="history",
          hint="training must lower the loss: check the order zero_grad, backward, step and that the inputs are "
               "scaled by 0.1."),
    Check(EX, "fit_device", "fit_thermometer(device=...) returns the model on that device", 2, _fit_device,
          inputs=({"device": "meta", "n_epochs": 0},), subject="fit", uses=("ex01_sequential",),
          hint="move the model and the data to `device` (model.to(device)) before training."),
)


# --- known mistakes: the reference, patched to make each one (see grader/diagnosis.py) ---------


def _loop_mistake(zero_grad=True, step_first=False, val_no_grad=True, floats=True, after_step=False, returns=True):
    """A training_loop that makes the mistakes switched on (the reference loop with every switch at default)."""

    def patch(ref):
        def training_loop(n_epochs, optimizer, model, loss_fn, t_u_train, t_u_val, t_c_train, t_c_val):
            history = []
            for _ in range(n_epochs):
                train_loss = loss_fn(model(t_u_train), t_c_train)
                with torch.set_grad_enabled(not val_no_grad):
                    val_loss = loss_fn(model(t_u_val), t_c_val)
                if zero_grad:
                    optimizer.zero_grad()
                if step_first:
                    optimizer.step()
                    train_loss.backward()
                else:
                    train_loss.backward()
                    optimizer.step()
                if after_step:
                    train_loss = loss_fn(model(t_u_train), t_c_train)
                history.append((train_loss.item(), val_loss.item()) if floats else (train_loss, val_loss))
            return history if returns else None

        return training_loop

    return patch


def _fit_mistake(scale=0.1, seed_first=True, to_device=True):
    """A fit_thermometer that makes the mistakes switched on, with the reference's split, model and loop."""

    def patch(ref):
        def fit_thermometer(n_epochs=5000, lr=1e-3, device="cpu", seed=0):
            t_u_train, t_u_val, t_c_train, t_c_val = ref.split_train_val(
                torch.tensor(T_U).unsqueeze(1), torch.tensor(T_C).unsqueeze(1), seed=seed)
            if seed_first:
                torch.manual_seed(seed)
            model = ref.build_seq_model(13)
            if not seed_first:
                torch.manual_seed(seed)
            move = (lambda t: t.to(device)) if to_device else (lambda t: t)
            model = move(model)
            optimizer = optim.SGD(model.parameters(), lr=lr)
            history = ref.training_loop(n_epochs, optimizer, model, nn.MSELoss(), move(scale * t_u_train),
                                        move(scale * t_u_val), move(t_c_train), move(t_c_val))
            return model, history

        return fit_thermometer

    return patch


def _default_lr(ref):
    return lambda n_epochs=5000, lr=1e-2, device="cpu", seed=0: ref.fit_thermometer(n_epochs, lr, device, seed)


def _split_mistake(val_last=False, fixed=False):
    def patch(ref):
        def split_train_val(t_u, t_c, val_fraction=0.2, seed=0):
            if fixed:
                val_fraction, seed = 0.2, 0
            t_u, t_c = torch.as_tensor(t_u), torch.as_tensor(t_c)
            n = len(t_u)
            n_val = int(val_fraction * n)
            perm = torch.randperm(n, generator=torch.Generator().manual_seed(seed))
            val, train = (perm[n - n_val:], perm[:n - n_val]) if val_last else (perm[:n_val], perm[n_val:])
            return t_u[train], t_u[val], t_c[train], t_c[val]

        return split_train_val

    return patch


_LOOP = ("loop_returns_floats", "loop_history", "fit_early", "fit_defaults")
MISTAKES = (
    KnownMistake(EX, "no_zero_grad", "optimizer.zero_grad() is never called, so gradients accumulate over the epochs",
                 "backward() adds to .grad; call optimizer.zero_grad() every epoch before train_loss.backward().",
                 {"training_loop": _loop_mistake(zero_grad=False)}, (*_LOOP, "fit_converges")),
    KnownMistake(EX, "step_before_backward",
                 "optimizer.step() comes before train_loss.backward(), so each step uses no (or last epoch's) gradients",
                 "the order is optimizer.zero_grad(), train_loss.backward(), optimizer.step().",
                 {"training_loop": _loop_mistake(step_first=True)}, (*_LOOP, "fit_converges")),
    KnownMistake(EX, "val_with_graph", "the validation loss is computed with autograd on, building a graph nobody uses",
                 "wrap the validation forward pass in `with torch.no_grad():`; it also keeps validation from ever "
                 "reaching the gradients.", {"training_loop": _loop_mistake(val_no_grad=False)}, ("loop_val_no_graph",)),
    KnownMistake(EX, "losses_as_tensors", "the history holds loss tensors, not Python floats",
                 "record train_loss.item() and val_loss.item(): a tensor in the history also keeps its graph alive.",
                 {"training_loop": _loop_mistake(floats=False)}, ("loop_returns_floats",)),
    KnownMistake(EX, "loss_after_step", "the training loss recorded is computed again after optimizer.step()",
                 "record the loss computed before the step, the one that was back-propagated.",
                 {"training_loop": _loop_mistake(after_step=True)}, (*_LOOP, "fit_converges")),
    KnownMistake(EX, "book_loop_returns_none",
                 "training_loop is the book's loop: it prints the losses and returns None",
                 "collect (train_loss.item(), val_loss.item()) in a list each epoch and return the list.",
                 {"training_loop": _loop_mistake(returns=False)}, _LOOP),
    KnownMistake(EX, "no_input_scaling", "fit_thermometer trains on the raw inputs, not on the inputs scaled by 0.1",
                 "multiply t_u_train and t_u_val by 0.1 before training: raw inputs around 50 make SGD at this lr "
                 "blow up or crawl.", {"fit_thermometer": _fit_mistake(scale=1.0)}, ("fit_early", "fit_defaults",
                                                                             "fit_converges")),
    KnownMistake(EX, "seed_after_model", "torch.manual_seed(seed) is called after the model is built, so the initial "
                 "weights do not depend on the seed",
                 "call torch.manual_seed(seed) just before build_seq_model(13): the seed fixes the initial weights.",
                 {"fit_thermometer": _fit_mistake(seed_first=False)}, ("fit_early", "fit_defaults")),
    KnownMistake(EX, "model_not_on_device", "the model stays on the CPU when a device is given",
                 "model = build_seq_model(13).to(device), and move the data with .to(device) too.",
                 {"fit_thermometer": _fit_mistake(to_device=False)}, ("fit_device",)),
    KnownMistake(EX, "default_lr", "the default lr is 1e-2, not 1e-3",
                 "def fit_thermometer(n_epochs: int = 5000, lr: float = 1e-3, device: str = 'cpu', seed: int = 0).",
                 {"fit_thermometer": _default_lr}, ("fit_defaults",)),
    KnownMistake(EX, "split_val_last", "validation takes the last n_val permuted indices instead of the first",
                 "validation is perm[:n_val], training perm[n_val:].",
                 {"split_train_val": _split_mistake(val_last=True)}, ("split_default", "split_arguments", "fit_early",
                                                              "fit_defaults")),
    KnownMistake(EX, "split_arguments_ignored", "split_train_val ignores val_fraction and seed (0.2 and 0 hard-coded)",
                 "n_val = int(val_fraction * n) and torch.Generator().manual_seed(seed) with the arguments given.",
                 {"split_train_val": _split_mistake(fixed=True)}, ("split_arguments", "fit_early")),
)
