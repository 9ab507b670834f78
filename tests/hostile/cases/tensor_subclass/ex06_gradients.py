"""Hostile: return a torch.Tensor subclass whose __torch_function__, __eq__, __len__, __iter__, __float__ lie or raise."""
import torch


class LyingTensor(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if func.__name__ in ("__eq__", "equal", "allclose", "isclose"):
            return True
        raise RuntimeError("touched by the grader")

    def __eq__(self, other):
        return True

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        while True:
            yield 1.0

    def __float__(self):
        return 0.0

    def __getattr__(self, name):
        raise RuntimeError(f"getattr {name}")


def _liar():
    return torch.zeros(3).as_subclass(LyingTensor)


def parameter_gradients(model, loss_fn, x, y):
    return {name: _liar() for name, _ in model.named_parameters()}


def gradient_norms(model):
    return {name: _liar() for name, _ in model.named_parameters()}
