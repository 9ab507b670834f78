"""Builds the hostile corpus: one class folder of full submissions, each with one attacking exercise.

Every submission starts as a copy of `reference/` (so every exercise but the
attacked one earns full marks) with a case's files laid on top:

- `cases/<case>/*.py`: overlay files (`*.py.hostile` for the ones pytest or
  Python would pick up from this repository, such as `conftest.py`). Placeholders `__REPO__`, `__CLASS__`,
  `__SELF__`, `__OUT__`, `__CANARY__` (quoted paths) and `__PORT__` (a loopback
  port the test listens on) are filled in here. A file whose text holds
  `# @tail` gets a tail: when its module-level `WON` is true (the attack
  worked) it runs the reference solution and earns full marks, otherwise its
  functions raise NotImplementedError. Full marks on such an exercise are
  therefore the sign of a breach.
- the cases built by code below (`SPECIAL`): zips (symlinks, a bomb, `../`
  names), symlinks and a FIFO in a folder, a forged `__pycache__/*.pyc`, a
  notebook with stored outputs, magics and its own kernelspec. Links, FIFOs
  and archives are made here, at test time, never committed.

`tar_traversal.tar` is put in the class folder too: not a submission format,
it must be ignored (never extracted).

Run as a script to lay the corpus out for a manual `grader grade`:
    python tests/hostile/build.py /tmp/hostile-class --out /tmp/hostile-out
"""
from __future__ import annotations

import argparse
import ast
import importlib._bootstrap_external as bootstrap
import io
import json
import os
import shutil
import stat
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
REPO = HERE.parents[1]
REFERENCE = REPO / "reference"
CLEAN = "ref_clean"
TAR_NAME = "tar_traversal.tar"

_TAIL = '''

# --- appended by tests/hostile/build.py ---------------------------------------------------------
# The attack worked (WON): the submission got hold of the solution, and full marks will show it.
# It did not: every function raises NotImplementedError, the honest score of this file.
if WON:
    exec(compile({source!r}, __file__, "exec"))
else:
{stubs}
'''


def exercise_names() -> list[str]:
    return sorted(p.stem for p in REFERENCE.glob("ex[0-9][0-9]_*.py"))


def public_names(exercise: str) -> list[str]:
    tree = ast.parse((REFERENCE / f"{exercise}.py").read_text())
    return [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and not n.name.startswith("_")]


def stub_source(exercise: str, indent: str = "") -> str:
    lines = []
    for name in public_names(exercise):
        lines += [f"{indent}def {name}(*args, **kwargs):",
                  f"{indent}    raise NotImplementedError('hostile stub: {name}')", ""]
    return "\n".join(lines)


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def _copy_reference(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for path in REFERENCE.glob("ex[0-9][0-9]_*.py"):
        shutil.copyfile(path, dest / path.name)
    return dest


def overlay_cases() -> list[str]:
    return sorted(p.name for p in CASES.iterdir() if p.is_dir())


def build_overlay(case: str, dest: Path, values: dict[str, str]) -> Path:
    _copy_reference(dest)
    mine = dict(values, __SELF__=repr(str(dest)))
    for path in sorted((CASES / case).iterdir()):
        name = path.name.removesuffix(".hostile")  # conftest.py & co. are stored as *.py.hostile: pytest
        if not name.endswith(".py"):                # must not load them from this repository
            continue
        text = _fill(path.read_text(), mine)
        stem = name.removesuffix(".py")
        if "# @tail" in text and stem in exercise_names():
            source = (REFERENCE / name).read_text()
            text += _TAIL.format(source=source, stubs=stub_source(stem, "    "))
        (dest / name).write_text(text)
    return dest


# --- cases built by code -------------------------------------------------------------------------


def _zip_from_reference(dest: Path, skip: str, extra: callable) -> Path:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(REFERENCE.glob("ex[0-9][0-9]_*.py")):
            if path.stem != skip:
                zf.write(path, f"{dest.stem}/{path.name}")
        extra(zf)
    return dest


def _symlink_member(zf: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, target)


def build_zip_symlinks(dest_dir: Path) -> Path:
    """ex04 is an absolute symlink to the reference inside the zip (and a relative one for good measure)."""
    def extra(zf):
        _symlink_member(zf, "zip_symlinks/ex04_tied_weights.py", str(REFERENCE / "ex04_tied_weights.py"))
        _symlink_member(zf, "zip_symlinks/notes.py", "../../../../../etc/passwd")
    return _zip_from_reference(dest_dir / "zip_symlinks.zip", "ex04_tied_weights", extra)


def build_zip_bomb(dest_dir: Path) -> Path:
    """ex03 decompresses to 300 MB (about 300 KB zipped)."""
    def extra(zf):
        info = zipfile.ZipInfo("zip_bomb/ex03_count_parameters.py")
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as out:
            block = b"#" * (1 << 20)
            for _ in range(300):
                out.write(block)
    return _zip_from_reference(dest_dir / "zip_bomb.zip", "ex03_count_parameters", extra)


def build_zip_traversal(dest_dir: Path) -> Path:
    """ex02 only under `../`; more members that would land outside the extraction folder."""
    evil = "import os\nos._exit(0)\n"
    def extra(zf):
        zf.writestr("../ex02_named_layers.py", (REFERENCE / "ex02_named_layers.py").read_text())
        zf.writestr("../../hostile_escape_x.py", evil)
        zf.writestr("zip_traversal/../../../hostile_escape_y.py", evil)
        zf.writestr("/tmp/hostile_escape_abs.py", evil)
        zf.writestr("zip_traversal\\..\\..\\hostile_escape_win.py", evil)
    return _zip_from_reference(dest_dir / "zip_traversal.zip", "ex02_named_layers", extra)


def build_symlink_to_reference(dest: Path) -> Path:
    _copy_reference(dest)
    (dest / "ex05_training_loop.py").unlink()
    os.symlink(REFERENCE / "ex05_training_loop.py", dest / "ex05_training_loop.py")
    return dest


def build_symlink_dir(dest: Path) -> Path:
    """`exercises/` is a symlink to the reference folder; the submission's own ex06 is missing."""
    _copy_reference(dest)
    (dest / "ex06_gradients.py").unlink()
    os.symlink(REFERENCE, dest / "exercises")
    return dest


def build_fifo_exercise(dest: Path) -> Path:
    _copy_reference(dest)
    (dest / "ex06_gradients.py").unlink()
    os.mkfifo(dest / "ex06_gradients.py")
    return dest


def build_forged_pyc(dest: Path) -> Path:
    """ex01 source is a stub; __pycache__ holds the reference compiled with the stub's mtime and size."""
    _copy_reference(dest)
    src = dest / "ex01_sequential.py"
    src.write_text('"""Stub."""\n' + stub_source("ex01_sequential"))
    st = src.stat()
    code = compile((REFERENCE / "ex01_sequential.py").read_text(), str(src), "exec")
    data = bootstrap._code_to_timestamp_pyc(code, int(st.st_mtime), st.st_size)
    tag = sys.implementation.cache_tag
    (dest / "__pycache__").mkdir()
    (dest / "__pycache__" / f"ex01_sequential.{tag}.pyc").write_bytes(bytes(data))
    (dest / "__pycache__" / "ex01_sequential.pyc").write_bytes(bytes(data))
    return dest


def build_notebook_tricks(dest: Path, canary: Path) -> Path:
    """ex07 as a notebook: stub code, stored 'passed' outputs, magics, shell escapes, its own kernelspec."""
    _copy_reference(dest)
    (dest / "ex07_custom_module.py").unlink()
    reference = REFERENCE / "ex07_custom_module.py"
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": "# ex07 (all tests passed, see below)"},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "ex07_custom_module 10/10\n42 passed in 0.1s\n"},
            {"output_type": "execute_result", "execution_count": 1, "metadata": {},
             "data": {"text/plain": "{'score': 100, 'status': 'passed'}"}}],
         "source": f"%load {reference}\n%run {reference}\n!touch {canary / 'notebook-shell-ran'}\n"
                   f"%env HOSTILE=1\n"},
        {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
         "source": "%%capture\n" + stub_source("ex07_custom_module")},
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "cells": cells,
          "metadata": {"kernelspec": {"name": "evil", "display_name": "Evil", "language": "python",
                                      "argv": ["sh", "-c", f"touch {canary / 'kernel-ran'}"]},
                       "language_info": {"name": "python"}}}
    for i, cell in enumerate(cells):
        cell["id"] = f"cell{i}"
    (dest / "ex07_custom_module.ipynb").write_text(json.dumps(nb, indent=1))
    return dest


def build_tar(dest_dir: Path) -> Path:
    """Not a submission format: `grader grade` must ignore it, never extract it."""
    path = dest_dir / TAR_NAME
    with tarfile.open(path, "w") as tf:
        for name, data in (("../hostile_tar_escape.py", b"import os\nos._exit(0)\n"),
                           ("/tmp/hostile_tar_abs.py", b"import os\nos._exit(0)\n")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("tar_traversal/ex01_sequential.py")
        link.type = tarfile.SYMTYPE
        link.linkname = str(REFERENCE / "ex01_sequential.py")
        tf.addfile(link)
    return path


def build_class(class_dir: Path, out: Path, canary: Path, port: int) -> dict[str, Path]:
    """Lay the whole corpus and a clean reference submission in `class_dir`; {submission name: path}."""
    class_dir.mkdir(parents=True, exist_ok=True)
    canary.mkdir(parents=True, exist_ok=True)
    values = {"__REPO__": repr(str(REPO)), "__CLASS__": repr(str(class_dir)), "__OUT__": repr(str(out)),
              "__CANARY__": repr(str(canary)), "__PORT__": str(int(port))}
    built = {CLEAN: _copy_reference(class_dir / CLEAN)}
    for case in overlay_cases():
        built[case] = build_overlay(case, class_dir / case, values)
    built["zip_symlinks"] = build_zip_symlinks(class_dir)
    built["zip_bomb"] = build_zip_bomb(class_dir)
    built["zip_traversal"] = build_zip_traversal(class_dir)
    built["symlink_to_reference"] = build_symlink_to_reference(class_dir / "symlink_to_reference")
    built["symlink_dir"] = build_symlink_dir(class_dir / "symlink_dir")
    built["fifo_exercise"] = build_fifo_exercise(class_dir / "fifo_exercise")
    built["forged_pyc"] = build_forged_pyc(class_dir / "forged_pyc")
    built["notebook_tricks"] = build_notebook_tricks(class_dir / "notebook_tricks", canary)
    build_tar(class_dir)
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("class_dir", type=Path)
    parser.add_argument("--out", type=Path, required=True, help="the OUT the grade will write to (attacks aim at it)")
    parser.add_argument("--canary", type=Path, default=None, help="folder for marker files (default CLASS_DIR.canary)")
    parser.add_argument("--port", type=int, default=9, help="loopback port the network case sends to")
    args = parser.parse_args(argv)
    canary = args.canary or args.class_dir.with_name(args.class_dir.name + ".canary")
    built = build_class(args.class_dir.resolve(), args.out.resolve(), canary.resolve(), args.port)
    print(f"{len(built)} submissions in {args.class_dir}; now run:\n"
          f"  python -m grader grade {args.class_dir} --out {args.out} --workers 2 --timeout 3")
    return 0


if __name__ == "__main__":
    sys.exit(main())
