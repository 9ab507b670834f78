"""Hostile: a segmentation fault through ctypes in every function."""
import ctypes


def build_tied_model(in_features=4, hidden=8):
    ctypes.string_at(0)


def tie_linear(src, dst):
    ctypes.string_at(0)
