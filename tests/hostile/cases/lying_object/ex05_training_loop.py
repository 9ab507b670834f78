"""Hostile: return objects whose __eq__, __len__, __iter__, __float__, __getattr__, __hash__ lie or raise."""


class Liar:
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __hash__(self):
        raise RuntimeError("hash")

    def __len__(self):
        raise RuntimeError("len")

    def __iter__(self):
        return iter([self, self])

    def __float__(self):
        return 0.0

    def __bool__(self):
        return True

    def __getattr__(self, name):
        raise RuntimeError(f"getattr {name}")

    def __repr__(self):
        return "tensor([1.0]) # PASSED"


def split_train_val(t_u, t_c, val_fraction=0.2, seed=0):
    return (Liar(), Liar(), Liar(), Liar())


def training_loop(n_epochs, optimizer, model, loss_fn, t_u_train, t_u_val, t_c_train, t_c_val):
    return [Liar() for _ in range(n_epochs)]


def fit_thermometer(n_epochs=5000, lr=1e-3, device="cpu", seed=0):
    return (Liar(), [Liar()] * n_epochs)
