"""Hostile: ignore SIGTERM, SIGINT, SIGHUP (and try SIGKILL), block them, then hang."""
import signal

for _sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
    signal.signal(_sig, signal.SIG_IGN)
try:
    signal.signal(signal.SIGKILL, signal.SIG_IGN)
except (OSError, ValueError, RuntimeError):
    pass
signal.pthread_sigmask(signal.SIG_BLOCK, set(signal.Signals) - {signal.SIGKILL, signal.SIGSTOP})


def build_tied_model(in_features=4, hidden=8):
    while True:
        pass


def tie_linear(src, dst):
    while True:
        pass
