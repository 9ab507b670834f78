"""Gradescope: the autograder archive, and the grading its `run_autograder` does.

`grader gradescope --out autograder.zip` writes the archive Gradescope's
"Configure Autograder" page takes. At its root: `setup.sh` (run once when
Gradescope builds the image: installs the pinned dependencies with the CPU
wheel of torch 2.13.0), `run_autograder` (run per submission), and the files
they use: `grader/` with the hidden inputs, `reference/`, `requirements.txt`.
Gradescope unpacks the archive into `/autograder/source`.

`run_autograder` runs `python -m grader.gradescope`, which grades
`ROOT/submission` with the batch machinery (sandboxed children, hidden inputs
on) and writes `ROOT/results/results.json`. ROOT is `$AUTOGRADER_ROOT`,
default `/autograder`, so a test can lay a temporary folder out like
Gradescope's. The upload may be the exercise files, a folder of them (or a
repository with `exercises/`), a `.zip`, or notebooks. results.json is
written last, atomically, from the judging process: whatever a submission
writes there while it runs is replaced.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
import zipfile
from pathlib import Path

from grader.unit import EXERCISE_IDS

__all__ = ["GradescopeError", "build_autograder_zip", "locate_submission", "grade_upload", "main",
           "ROOT_ENV", "DEFAULT_ROOT", "SETUP_SH", "RUN_AUTOGRADER"]

ROOT_ENV = "AUTOGRADER_ROOT"
DEFAULT_ROOT = "/autograder"
SOURCE = Path(__file__).resolve().parent.parent
_ZIP_DATE = (2024, 1, 1, 0, 0, 0)
_IGNORED = {"__MACOSX", "__pycache__"}

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
# Installs the pinned dependencies, with the CPU-only wheel of torch 2.13.0.
set -euo pipefail
cd "${AUTOGRADER_ROOT:-/autograder}/source"
if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt-get update -qq
    apt-get install -y -qq python3 python3-pip python3-venv
fi
python3 -m pip install --no-cache-dir --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt
python3 -c "import torch; print('torch', torch.__version__)"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grade ROOT/submission, write ROOT/results/results.json.
# ROOT is $AUTOGRADER_ROOT (default /autograder); $AUTOGRADER_PYTHON picks the interpreter (default python3).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
cd "$ROOT/source" || exit 1
exec "${AUTOGRADER_PYTHON:-python3}" -m grader.gradescope --root "$ROOT"
"""

REQUIREMENTS = ("torch==2.13.0", "nbformat==5.11.1", "tqdm==4.70.1")


class GradescopeError(Exception):
    """The archive cannot be built, or the layout under ROOT is not Gradescope's."""


def build_autograder_zip(out: Path, source: Path = SOURCE) -> Path:
    """Write the autograder archive; deterministic (fixed timestamps, sorted names)."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise GradescopeError(f"--out {out}: expected a path ending in .zip")
    grader_files = sorted(p for p in (source / "grader").rglob("*.py") if "__pycache__" not in p.parts)
    reference = sorted((source / "reference").glob("*.py"))
    missing = [ex for ex in EXERCISE_IDS if source / "reference" / f"{ex}.py" not in reference]
    if missing:
        raise GradescopeError(f"reference/ lacks {', '.join(missing)}: the autograder needs every reference solution")
    if not (source / "grader" / "hidden.py").is_file():
        raise GradescopeError("grader/hidden.py is missing: Gradescope grading uses the hidden inputs")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP_SH, 0o755)
        _add(archive, "run_autograder", RUN_AUTOGRADER, 0o755)
        _add(archive, "requirements.txt", "\n".join(REQUIREMENTS) + "\n", 0o644)
        for path in grader_files + reference:
            _add(archive, path.relative_to(source).as_posix(), path.read_text("utf-8"), 0o644)
    os.replace(tmp, out)
    return out


def locate_submission(folder: Path) -> Path | None:
    """What in Gradescope's submission folder to grade: the folder, a subfolder, or a .zip; None if nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        return None
    found = _folder_with_exercises(folder, depth=3)
    if found is not None:
        return found
    zips = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".zip" and p.is_file() and not _ignored(p.name))
    return zips[0] if zips else None


def grade_upload(root: Path, log=lambda line: print(line, file=sys.stderr, flush=True)) -> dict:
    """Grade ROOT/submission; the results.json data (written by `main`)."""
    from grader.batch import BatchOptions, grade_class
    from grader.device import resolve_device

    started = time.monotonic()
    upload = Path(root) / "submission"
    target = locate_submission(upload)
    if target is None:
        return _nothing_found(upload, time.monotonic() - started)
    log(f"gradescope: grading {target.relative_to(root) if target.is_relative_to(root) else target}")
    with tempfile.TemporaryDirectory(prefix="grader-gradescope-") as tmp:
        out = Path(tmp) / "out"
        options = BatchOptions(out=out, workers=os.cpu_count() or 1, device=resolve_device("auto"), hidden=True,
                               progress=False)
        summary = grade_class(target, options, log=log)
        if summary.internal_errors:
            log(f"gradescope: WARNING: {summary.internal_errors} internal error(s) (the grader's fault)")
        files = sorted((out / "results").glob("*.json"))
        if len(files) != 1:
            raise GradescopeError(f"expected one result, found {len(files)} in {out / 'results'}")
        data = json.loads(files[0].read_text("utf-8"))
    data["execution_time"] = round(time.monotonic() - started, 3)
    return _complete(data)


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.gradescope",
                                     description="Grade ROOT/submission, write ROOT/results/results.json.")
    parser.add_argument("--root", type=Path, default=Path(os.environ.get(ROOT_ENV, DEFAULT_ROOT)),
                        help=f"Gradescope's folder (default: ${ROOT_ENV} or {DEFAULT_ROOT})")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    started = time.monotonic()
    try:
        data = grade_upload(root)
        status = 0
    except Exception as exc:  # noqa: BLE001 - Gradescope must get a results.json that says what happened
        traceback.print_exc()
        data = _complete({
            "score": 0.0, "max_score": _max_points(), "execution_time": round(time.monotonic() - started, 3),
            "output": (f"Internal error in the autograder ({type(exc).__name__}: {exc}). This is not your fault: "
                       "your instructor has to look at it; your score will be set by hand or after a regrade."),
            "tests": [],
        })
        status = 1
    _write_results(root / "results" / "results.json", data)
    print(f"score {data['score']:g}/{data['max_score']:g}")
    return status


# --- helpers -----------------------------------------------------------------


def _add(archive: zipfile.ZipFile, name: str, text: str, mode: int) -> None:
    info = zipfile.ZipInfo(name, _ZIP_DATE)
    info.external_attr = (0o100000 | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, text.encode("utf-8"))


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED


def _has_exercises(folder: Path) -> bool:
    try:
        return any(p.stem in EXERCISE_IDS and p.suffix in (".py", ".ipynb") for p in folder.iterdir())
    except OSError:
        return False


def _folder_with_exercises(folder: Path, depth: int) -> Path | None:
    if _has_exercises(folder) or _has_exercises(folder / "exercises"):
        return folder
    if depth <= 0:
        return None
    try:
        subdirs = sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink() and not _ignored(p.name))
    except OSError:
        return None
    for sub in subdirs:
        found = _folder_with_exercises(sub, depth - 1)
        if found is not None:
            return found
    return None


def _max_points() -> float:
    from grader.checks import CHECKS

    return float(sum(c.points for checks in CHECKS.values() for c in checks))


def _nothing_found(upload: Path, seconds: float) -> dict:
    from grader.checks import CHECKS
    from grader.evidence import Failure
    from grader.judge import failed_result
    from grader.render import gradescope_json

    try:
        names = sorted(p.name for p in upload.iterdir())[:20]
    except OSError:
        names = []
    listing = ", ".join(names) if names else "nothing"
    expected = ", ".join(f"{ex}.py" for ex in EXERCISE_IDS[:2]) + ", ..."
    failure = Failure("import", f"no exercise files in your upload (expected {expected} or notebooks, at the top, "
                                f"under exercises/, or in a .zip; found: {listing})")
    results = [failed_result(c, failure) for ex in EXERCISE_IDS for c in CHECKS[ex]]
    return _complete(gradescope_json(results, seconds))


def _complete(data: dict) -> dict:
    """Every field Gradescope's spec lists, with the defaults this grader uses."""
    data.setdefault("output_format", "text")
    data.setdefault("visibility", "visible")
    data.setdefault("stdout_visibility", "hidden")
    data.setdefault("output", "")
    for test in data.get("tests", []):
        test.setdefault("visibility", "visible")
        test.setdefault("output", "")
        test["status"] = "passed" if test.get("status") == "passed" else "failed"
    return data


def _write_results(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
