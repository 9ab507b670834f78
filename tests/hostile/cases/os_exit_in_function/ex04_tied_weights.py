"""Hostile: every function calls os._exit(0): the process ends without a word."""
import os


def build_tied_model(in_features=4, hidden=8):
    os._exit(0)


def tie_linear(src, dst):
    os._exit(0)
