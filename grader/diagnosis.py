"""Diagnosis: recognising known mistakes by what they do, not by how the code looks.

Each exercise declares `MISTAKES` next to its `CHECKS` (grader/checks/exNN_*.py):
a `KnownMistake` names a mistake, says what it is in PyTorch terms, gives the
hint that fixes it, and *patches the reference* so that it makes exactly that
mistake (a `build_seq_model` with the Linear sizes swapped, a `training_loop`
without `zero_grad()` ...). The patched reference is an ordinary submission:
the reference's sources with one line appended to one exercise file, which
calls `apply_mistake` to replace the named functions. Its evidence, the
*mistaken evidence*, is computed like the reference's: in this process for
`pytest exercises/`, in a sandboxed child in batch grading.

A failed check is diagnosed as a mistake when the student's evidence equals
the mistaken evidence on every input set (within the check's tolerance) while
the mistaken evidence differs from the reference's. Matching is done in the
trusted process on decoded evidence only, like every verdict. Mistaken
evidence is computed only for a check that failed, and cached.
"""
from __future__ import annotations

import dataclasses
import threading
import types
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from grader.check import Check, Match, Within
from grader.evidence import Failure

__all__ = ["KnownMistake", "apply_mistake", "mutant", "diagnose", "MistakenEvidence", "diagnosis_lines",
           "NOT_DIAGNOSED"]

# Failures that say nothing about the submission's logic: never diagnosed, never matched.
NOT_DIAGNOSED = frozenset({"import", "timeout", "crash", "not_run", "internal", "not_implemented"})

Patch = Callable[[Any], Any]


@dataclass(frozen=True)
class KnownMistake:
    """One catalogued mistake of one exercise.

    what: the mistake in PyTorch terms, as the student reads it after `Diagnosis:`.
    hint: the line of thought that fixes it (replaces the check's generic hint).
    patch: {name in the exercise module: factory}; `factory(reference)` gets the
      reference module's original names as attributes and returns the
      replacement (a function or a class) that makes the mistake.
    checks: names of the checks this mistake can explain; () for all checks of
      the exercise. Mistaken evidence is computed only for these.
    """

    exercise: str
    name: str
    what: str
    hint: str
    patch: Mapping[str, Patch] = field(default_factory=dict)
    checks: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.exercise}: {self.name}"

    def explains(self, check: Check) -> bool:
        return check.exercise == self.exercise and (not self.checks or check.name in self.checks)


# --- making the mistake -------------------------------------------------------------

_PATCH_LINE = ("\n\n# grader: the reference, made to make a known mistake on purpose\n"
               "__import__('grader.diagnosis', fromlist=['apply_mistake']).apply_mistake(globals(), {ex!r}, {name!r})\n")


def apply_mistake(namespace: dict, exercise: str, name: str) -> None:
    """Replace the patched names in an exercise module's namespace (called from the mutant's source)."""
    from grader.checks import mistake_by_id

    mistake = mistake_by_id(f"{exercise}: {name}")
    original = types.SimpleNamespace(**namespace)
    for attr, factory in mistake.patch.items():
        namespace[attr] = factory(original)


def mutant(reference: Any, mistake: KnownMistake) -> Any:
    """The reference submission with `mistake` made in its exercise file (a new Submission)."""
    source = reference.sources[mistake.exercise]
    sources = dict(reference.sources)
    sources[mistake.exercise] = dataclasses.replace(
        source, code=(source.code or "") + _PATCH_LINE.format(ex=mistake.exercise, name=mistake.name))
    return dataclasses.replace(reference, name=f"{reference.name}~{mistake.name}", sources=sources,
                               digest=f"{reference.digest}~{mistake.id}", _tmp=None)


# --- matching -----------------------------------------------------------------------

Mistaken = Callable[[KnownMistake], Sequence[Any]]


def diagnose(check: Check, got: Sequence[Any], expected: Sequence[Any], mistaken: Mistaken | None,
             mistakes: Sequence[KnownMistake] | None = None) -> tuple[KnownMistake, ...]:
    """The catalogued mistakes whose evidence the student's equals on every input set."""
    if mistaken is None:
        return ()
    if mistakes is None:
        from grader.checks import mistakes_for

        mistakes = mistakes_for(check)
    if any(isinstance(g, Failure) and g.kind in NOT_DIAGNOSED for g in got):
        return ()
    found = []
    for mistake in mistakes:
        try:
            wrong = list(mistaken(mistake))
        except Exception:  # noqa: BLE001 - a mistake that cannot be computed diagnoses nothing
            continue
        if len(wrong) != len(got) or any(isinstance(w, Failure) and w.kind in NOT_DIAGNOSED for w in wrong):
            continue
        if all(same(check, g, w) for g, w in zip(got, wrong)) and \
                any(not same(check, w, e) for w, e in zip(wrong, expected)):
            found.append(mistake)
    return tuple(found)


def same(check: Check, a: Any, b: Any) -> bool:
    """Whether two evidences are the same outcome, by the check's own tolerance."""
    if isinstance(a, Failure) or isinstance(b, Failure):
        return (isinstance(a, Failure) and isinstance(b, Failure)
                and (a.kind, a.exc_type, a.message) == (b.kind, b.exc_type, b.message))
    verdict = check.verdict
    try:
        if isinstance(verdict, Within):
            if type(a) is dict and type(b) is dict:
                a = {k: v for k, v in a.items() if k not in verdict.ignore}
                b = {k: v for k, v in b.items() if k not in verdict.ignore}
            tolerance = Match(rtol=max(verdict.rest.rtol, 1e-4), atol=max(verdict.rest.atol, 1e-6))
            return tolerance(a, b) is None
        if isinstance(verdict, Match):
            return verdict(a, b) is None
        return verdict(a, b) is None and verdict(b, a) is None
    except Exception:  # noqa: BLE001 - odd evidence is simply not this mistake
        return False


def diagnosis_lines(mistakes: Sequence[KnownMistake]) -> tuple[list[str], str]:
    """(the `Diagnosis:` lines, the hint) for the message; both mistakes when two fit."""
    if not mistakes:
        return [], ""
    if len(mistakes) == 1:
        m = mistakes[0]
        return [f"  Diagnosis: {_sentence(m.what)}"], m.hint
    lines = [f"  Diagnosis: {len(mistakes)} known mistakes give exactly this result:"]
    lines += [f"    - {_sentence(m.what)}" for m in mistakes]
    hint = " Or, if it is the other: ".join(m.hint.rstrip() for m in mistakes)
    return lines, hint


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


# --- batch: mistaken evidence from sandboxed children, once per batch ------------------


class MistakenEvidence:
    """Mistaken evidence for batch grading: one sandbox job per mistake, run when first needed.

    `run(submission, exercise, items)` is `Sandbox.run`; the mutant runs there
    exactly like the reference. Thread-safe: concurrent graders wait for the
    one job computing a mistake.
    """

    def __init__(self, run: Callable[[Any, str, list], dict], reference: Any, plan: Mapping[str, list]) -> None:
        self._run, self._reference, self._plan = run, reference, plan
        self._lock = threading.Lock()
        self._cache: dict[str, Future] = {}

    def evidence(self, mistake: KnownMistake) -> dict[str, Any]:
        """{item key: evidence} of the mutant, for the items of the checks the mistake explains."""
        with self._lock:
            future = self._cache.get(mistake.id)
            owner = future is None
            if owner:
                future = self._cache[mistake.id] = Future()
        if owner:
            try:
                from grader.checks import check_by_id

                items = [i for i in self._plan.get(mistake.exercise, [])
                         if mistake.explains(check_by_id(i.check_id))]
                future.set_result(self._run(mutant(self._reference, mistake), mistake.exercise, items)
                                  if items else {})
            except BaseException as exc:  # noqa: BLE001 - handed to every waiter
                future.set_exception(exc)
        return future.result()

    def for_items(self, keys: Sequence[str]) -> Mistaken:
        """A `mistaken` callable for `diagnose`: the evidence for `keys`, in order."""
        def mistaken(mistake: KnownMistake) -> list[Any]:
            found = self.evidence(mistake)
            return [found[k] for k in keys]  # KeyError: not computed, so not diagnosed

        return mistaken
