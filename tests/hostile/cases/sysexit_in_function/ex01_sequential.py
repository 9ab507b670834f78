"""Hostile: every function calls sys.exit(0) instead of returning."""
import sys


def build_seq_model(n_hidden=13):
    sys.exit(0)


def parameter_shapes(model):
    sys.exit(0)
