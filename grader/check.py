"""What a check is: a probe (runs beside the submission) and a verdict (judges its data).

Exercises declare `Check` objects in `grader/checks/exNN_*.py`; nothing else
in the grader knows what a particular exercise expects.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

from grader.compare import Mismatch, compare

__all__ = ["Check", "Verdict", "Match", "Within"]


class Verdict(Protocol):
    """Compares the student's decoded evidence with the reference's for one input."""

    def __call__(self, got: Any, expected: Any) -> Mismatch | None: ...

    def describe(self) -> str: ...


@dataclass(frozen=True)
class Match:
    """Same structure and values; floats within rtol/atol (exact by default)."""

    rtol: float = 0.0
    atol: float = 0.0

    def __call__(self, got: Any, expected: Any) -> Mismatch | None:
        return compare(got, expected, rtol=self.rtol, atol=self.atol)

    def describe(self) -> str:
        return "exact" if not (self.rtol or self.atol) else f"rtol={self.rtol:g}, atol={self.atol:g}"


@dataclass(frozen=True)
class Within:
    """A scalar bound relative to the reference: got <= expected * factor + slack.

    Used for convergence: the student's final loss must be no worse than the
    reference's by more than the stated margin. Other keys must `Match`.
    """

    key: str
    factor: float
    slack: float
    rest: Match = Match()
    ignore: tuple[str, ...] = ()  # keys not judged (e.g. a whole history kept for the class report)

    def __call__(self, got: Any, expected: Any) -> Mismatch | None:
        if type(got) is not dict or type(expected) is not dict:
            return compare(got, expected)
        g, e = got.get(self.key), expected.get(self.key)
        if type(g) is not float:
            return compare(g, e)
        bound = e * self.factor + self.slack
        if not g <= bound:  # also false for NaN
            return Mismatch(f"[{self.key!r}]", "value", f"{g:.6g}", f"at most {bound:.6g}",
                            f"reference reaches {e:.6g}; bound is reference x {self.factor:g} + {self.slack:g}")
        others = {k: v for k, v in got.items() if k != self.key and k not in self.ignore}
        wanted = {k: v for k, v in expected.items() if k != self.key and k not in self.ignore}
        return self.rest(others, wanted)

    def describe(self) -> str:
        return f"{self.key} <= reference x {self.factor:g} + {self.slack:g}"


Probe = Callable[..., Any]


@dataclass(frozen=True)
class Check:
    """One graded behaviour of one exercise.

    probe(api, **inputs) runs next to the submission and returns plain data;
    the verdict compares it with what the same probe returns on the reference,
    once per input set. All input sets must pass for the points. The mistakes
    that can explain a failure are declared beside the checks (`MISTAKES`,
    see grader/diagnosis.py).
    """

    exercise: str
    name: str
    title: str
    points: float
    probe: Probe
    inputs: tuple[Mapping[str, Any], ...] = ({},)
    verdict: Verdict = Match()
    subject: str = "the result"
    hint: str = ""
    hints: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 20.0
    uses: tuple[str, ...] = ()
    trace: str = ""  # an evidence key (of the first input set) kept per submission for the class report

    @property
    def id(self) -> str:
        return f"{self.exercise}: {self.name}"

    def hint_for(self, mismatch: Mismatch | None) -> str:
        """The most specific hint: the first `hints` key found in the mismatch path/kind."""
        if mismatch is not None:
            for key, text in self.hints.items():
                if key in mismatch.path or key == mismatch.what:
                    return text
        return self.hint
