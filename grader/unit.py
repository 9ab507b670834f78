"""The course unit's fixed facts: exercise ids in order, and the thermometer data."""
from __future__ import annotations

__all__ = ["EXERCISE_IDS", "T_C", "T_U"]

EXERCISE_IDS: tuple[str, ...] = (
    "ex01_sequential",
    "ex02_named_layers",
    "ex03_count_parameters",
    "ex04_tied_weights",
    "ex05_training_loop",
    "ex06_gradients",
    "ex07_custom_module",
    "ex08_checkpoints",
)

T_C: tuple[float, ...] = (0.5, 14.0, 15.0, 28.0, 11.0, 8.0, 3.0, -4.0, 6.0, 13.0, 21.0)
T_U: tuple[float, ...] = (35.7, 55.9, 58.2, 81.9, 56.3, 48.9, 33.9, 21.8, 48.4, 60.4, 68.4)
