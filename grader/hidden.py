"""Hidden inputs: extra input sets that batch grading adds to the public ones.

Students never see these: `pytest exercises/` does not load this module and
`grader release` leaves it out. Keys are check ids; every key must name a
declared check, and every input set must be accepted by that check's probe.
"""
from __future__ import annotations

from typing import Any, Mapping

__all__ = ["HIDDEN_INPUTS", "hidden_inputs"]

HIDDEN_INPUTS: Mapping[str, tuple[Mapping[str, Any], ...]] = {
    "ex01_sequential: n_hidden": ({"n_hidden": 7}, {"n_hidden": 2}),
    "ex01_sequential: forward_shape": ({"batch": 3},),
    "ex01_sequential: shapes_any_model": ({"sizes": (2, 9)},),
    "ex02_named_layers: n_hidden": ({"n_hidden": 11},),
    "ex03_count_parameters: count_plain": ({"n_hidden": 9},),
    "ex03_count_parameters: freeze": ({"prefixes": ("features.11", "classifier.")},),
    "ex03_count_parameters: vgg16_num_classes": ({"num_classes": 37},),
    "ex04_tied_weights: arguments": ({"in_features": 6, "hidden": 2},),
    "ex04_tied_weights: tie_shares": ({"in_features": 2, "out_features": 5},),
    "ex04_tied_weights: tie_shape_error": ({"src_shape": (2, 5), "dst_shape": (2, 6)},),
    "ex05_training_loop: split_arguments": ({"n": 17, "val_fraction": 0.25, "seed": 11},),
    "ex05_training_loop: loop_history": ({"n_epochs": 7, "lr": 3e-3, "n_hidden": 6},),
    "ex05_training_loop: fit_early": ({"n_epochs": 8, "lr": 5e-3, "seed": 4},),
    "ex06_gradients: values": ({"seed": 5},),
    "ex06_gradients: norms": ({"seed": 6},),
    "ex07_custom_module: subclass_forward": ({"n_hidden": 9, "seed": 4},),
    "ex07_custom_module: mlp_forward": ({"sizes": (3, 7, 2), "seed": 5},),
    "ex08_checkpoints: roundtrip": ({"epoch": 12},),
    "ex08_checkpoints: resume_momentum": ({"momentum": 0.5, "first": 4, "second": 3},),
}


def hidden_inputs(check_id: str) -> tuple[Mapping[str, Any], ...]:
    return HIDDEN_INPUTS.get(check_id, ())
