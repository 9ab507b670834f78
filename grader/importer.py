"""Importing a submission's sources as modules named `ex01_sequential` ... `ex08_checkpoints`.

Several submissions (the student's and the reference) can live in one process:
each `SubmissionModules` keeps its own module objects and puts them into
`sys.modules` only inside `active()`, with a finder that resolves the bare
sibling imports a submission makes (`from ex01_sequential import ...`) to the
same submission's files, never to a stub elsewhere on `sys.path`.
"""
from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys
import types
from contextlib import contextmanager
from typing import Iterator

from grader.loader import Source, Submission
from grader.unit import EXERCISE_IDS

__all__ = ["SubmissionModules", "ImportFailure"]


class ImportFailure(Exception):
    """An exercise module that cannot be imported: missing, unreadable, or raising."""

    def __init__(self, exercise: str, message: str, where: str = "", exc_type: str = "") -> None:
        super().__init__(message)
        self.exercise, self.message, self.where, self.exc_type = exercise, message, where, exc_type


class SubmissionModules:
    """The modules of one submission, imported lazily and kept out of sys.modules."""

    def __init__(self, submission: Submission) -> None:
        self.submission = submission
        self._modules: dict[str, types.ModuleType] = {}
        self._failures: dict[str, ImportFailure] = {}
        self.filenames: dict[str, tuple[Source, str]] = {}
        for ex, src in submission.sources.items():
            for unit, _ in src.units():
                self.filenames[self._filename(ex, unit)] = (src, unit)

    def module(self, exercise: str) -> types.ModuleType:
        """The exercise's module, importing it on first use (call inside `active()`)."""
        if exercise in self._failures:
            raise self._failures[exercise]
        if exercise not in self._modules:
            source = self.submission.sources.get(exercise) or Source(exercise, error=f"{exercise}.py is missing")
            if source.code is None:
                self._failures[exercise] = ImportFailure(exercise, source.error)
                raise self._failures[exercise]
            importlib.import_module(exercise)  # through _Finder; failures recorded there
        return self._modules[exercise]

    def source_of(self, filename: str) -> tuple[Source, str] | None:
        """(Source, cell label) whose code was compiled under `filename`, if any."""
        return self.filenames.get(filename)

    @contextmanager
    def active(self) -> Iterator[None]:
        """Make this submission's modules the ones `import exNN_...` finds."""
        saved = {name: sys.modules.pop(name) for name in EXERCISE_IDS if name in sys.modules}
        sys.modules.update(self._modules)
        finder = _Finder(self)
        sys.meta_path.insert(0, finder)
        try:
            yield
        finally:
            if finder in sys.meta_path:
                sys.meta_path.remove(finder)
            for name in EXERCISE_IDS:
                sys.modules.pop(name, None)
            sys.modules.update(saved)

    # --- helpers -------------------------------------------------------------

    def _filename(self, exercise: str, unit: str = "") -> str:
        source = self.submission.sources.get(exercise)
        name = source.path if source and source.path else exercise + ".py"
        return f"<submission {self.submission.name}>/{name}" + (f" [{unit}]" if unit else "")

    def _exec(self, exercise: str, module: types.ModuleType) -> None:
        source = self.submission.sources[exercise]
        module.__file__ = self._filename(exercise)
        for unit, text in source.units():  # a notebook runs cell by cell, like a kernel
            try:
                code = compile(text, self._filename(exercise, unit), "exec", dont_inherit=True)
            except SyntaxError as exc:
                detail = (exc.text or "").strip()
                failure = ImportFailure(
                    exercise,
                    f"{source.path} has a syntax error: {exc.msg}" + (f": {detail}" if detail else ""),
                    source.location(exc.lineno or 0, unit),
                    "SyntaxError",
                )
                self._failures[exercise] = failure
                raise failure from None
            try:
                exec(code, module.__dict__)  # noqa: S102 - the submission's own code, by design
            except BaseException as exc:
                if _is_runner_signal(exc):
                    raise
                self._failures[exercise] = ImportFailure(
                    exercise, f"importing {source.path} raised {type(exc).__name__}: {_text(exc)}", self.where(exc),
                    type(exc).__name__,
                )
                raise self._failures[exercise] from None
        self._modules[exercise] = module

    def where(self, exc: BaseException) -> str:
        """The deepest traceback frame inside the submission, as 'file, line N, in f'."""
        found = ""
        tb = exc.__traceback__
        while tb is not None:
            hit = self.source_of(tb.tb_frame.f_code.co_filename)
            if hit is not None:
                found = f"{hit[0].location(tb.tb_lineno, hit[1])}, in {tb.tb_frame.f_code.co_name}"
            tb = tb.tb_next
        return found


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, modules: SubmissionModules) -> None:
        self._owner = modules

    def find_spec(self, fullname, path=None, target=None):  # noqa: ANN001 - importlib protocol
        if fullname not in EXERCISE_IDS:
            return None
        failure = self._owner._failures.get(fullname)
        source = self._owner.submission.sources.get(fullname)
        if failure is not None or source is None or source.code is None:
            reason = failure.message if failure else (source.error if source else f"{fullname}.py is missing")
            raise ImportError(f"cannot import {fullname}: {reason}", name=fullname)
        return importlib.util.spec_from_loader(fullname, self, origin=self._owner._filename(fullname))

    def create_module(self, spec):  # noqa: ANN001
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        self._owner._exec(module.__name__, module)


def _is_runner_signal(exc: BaseException) -> bool:
    """KeyboardInterrupt and pytest's own outcomes (timeouts) must pass through."""
    if isinstance(exc, KeyboardInterrupt):
        return True
    return any(cls.__name__ == "OutcomeException" for cls in type(exc).__mro__)


def _text(exc: BaseException) -> str:
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a hostile __str__
        text = "<unprintable>"
    return text[:500]
