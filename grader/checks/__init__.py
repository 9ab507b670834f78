"""The registry: every exercise's declared checks, validated when first imported.

An instructor's mistake here (a duplicate name, points that do not add up,
an input that is not plain data) fails loudly at import and costs no student.
"""
from __future__ import annotations

import importlib
import json
from types import MappingProxyType
from typing import Mapping

from grader.check import Check
from grader.diagnosis import KnownMistake
from grader.unit import EXERCISE_IDS

__all__ = ["CHECKS", "MISTAKES", "checks_for", "check_by_id", "mistakes_for", "mistake_by_id", "TOTAL_POINTS",
           "ConfigError"]

TOTAL_POINTS = 100


class ConfigError(Exception):
    """The checks as declared are inconsistent: the instructor's mistake, not a student's."""


def _load() -> tuple[Mapping[str, tuple[Check, ...]], Mapping[str, tuple[KnownMistake, ...]]]:
    found, mistakes = {}, {}
    for ex in EXERCISE_IDS:
        module = importlib.import_module(f"grader.checks.{ex}")
        found[ex] = tuple(module.CHECKS)
        mistakes[ex] = tuple(getattr(module, "MISTAKES", ()))
    _validate(found)
    _validate_mistakes(found, mistakes)
    return MappingProxyType(found), MappingProxyType(mistakes)


def _validate_mistakes(found: Mapping[str, tuple[Check, ...]], mistakes: Mapping[str, tuple[KnownMistake, ...]]) -> None:
    for ex, declared in mistakes.items():
        names = {c.name for c in found[ex]}
        seen = set()
        for m in declared:
            where = f"grader/checks/{ex}.py: mistake {getattr(m, 'name', m)!r}"
            if not isinstance(m, KnownMistake):
                raise ConfigError(f"{where}: MISTAKES holds {type(m).__name__}, expected KnownMistake")
            if m.exercise != ex:
                raise ConfigError(f"{where}: exercise={m.exercise!r}, expected {ex!r}")
            if m.name in seen or not m.name.isidentifier():
                raise ConfigError(f"{where}: duplicate name or not an identifier")
            seen.add(m.name)
            if not m.patch or not m.what or not m.hint:
                raise ConfigError(f"{where}: needs a patch, a `what` and a `hint`")
            unknown = [c for c in m.checks if c not in names]
            if unknown:
                raise ConfigError(f"{where}: checks={unknown!r} are not checks of {ex}")


def _validate(found: Mapping[str, tuple[Check, ...]]) -> None:
    seen = set()
    for ex, checks in found.items():
        if not checks:
            raise ConfigError(f"{ex}: declares no checks (grader/checks/{ex}.py)")
        for check in checks:
            where = f"grader/checks/{ex}.py: check {check.name!r}"
            if check.exercise != ex:
                raise ConfigError(f"{where}: exercise={check.exercise!r}, expected {ex!r}")
            if check.id in seen:
                raise ConfigError(f"{where}: duplicate check name")
            seen.add(check.id)
            if not check.points > 0:
                raise ConfigError(f"{where}: points={check.points!r} must be positive")
            if not check.inputs:
                raise ConfigError(f"{where}: inputs=() runs nothing; use ({{}},) for no arguments")
            try:
                json.dumps([dict(i) for i in check.inputs])
            except (TypeError, ValueError) as exc:
                raise ConfigError(f"{where}: inputs are not plain data ({exc})") from None
    total = sum(c.points for checks in found.values() for c in checks)
    if abs(total - TOTAL_POINTS) > 1e-9:
        raise ConfigError(f"checks add up to {total:g} points, expected {TOTAL_POINTS}")


CHECKS: Mapping[str, tuple[Check, ...]]
MISTAKES: Mapping[str, tuple[KnownMistake, ...]]
CHECKS, MISTAKES = _load()


def checks_for(exercise: str) -> tuple[Check, ...]:
    """The declared checks of one exercise, in declaration order."""
    return CHECKS[exercise]


def check_by_id(check_id: str) -> Check:
    ex, _, name = check_id.partition(": ")
    for check in CHECKS.get(ex, ()):
        if check.name == name:
            return check
    raise KeyError(check_id)


def mistakes_for(check: Check) -> tuple[KnownMistake, ...]:
    """The catalogued mistakes that can explain a failure of `check`, in declaration order."""
    return tuple(m for m in MISTAKES.get(check.exercise, ()) if m.explains(check))


def mistake_by_id(mistake_id: str) -> KnownMistake:
    ex, _, name = mistake_id.partition(": ")
    for mistake in MISTAKES.get(ex, ()):
        if mistake.name == name:
            return mistake
    raise KeyError(mistake_id)
