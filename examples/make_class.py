"""Regenerate the sample class in examples/class/ from reference/ and exercises/.

    python examples/make_class.py

Every submission is derived from the current reference solutions (and, for
`maya_partial`, the exercise stubs): each mistake is a textual replacement on
the reference source, and each replacement must match exactly once, so a
change to the reference that breaks a mutation fails loudly here instead of
silently producing a correct file. The output is deterministic: running the
script twice gives byte-identical files (the notebooks have fixed cell ids,
the zip has fixed timestamps and permissions).

Some submissions misbehave on purpose (hugo_hangs loops forever, iris_crashes
segfaults, noah_exits calls sys.exit at import): grade them only with a
grader that isolates submissions in subprocesses with a timeout.
"""
from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
from nbformat import v4

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
CLASS = HERE / "class"

sys.path.insert(0, str(ROOT))  # the unit's exercise ids, from the one place that states them
from grader.unit import EXERCISE_IDS as EXERCISES  # noqa: E402

ZIP_DATE = (2024, 9, 2, 10, 0, 0)


class ReferenceChanged(RuntimeError):
    """A mutation no longer applies to the reference source."""


# --- sources --------------------------------------------------------------------


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def reference(ex: str) -> str:
    return _read(REFERENCE / f"{ex}.py")


def stub(ex: str) -> str:
    return _read(STUBS / f"{ex}.py")


def replace(source: str, ex: str, old: str, new: str, why: str) -> str:
    """Replace `old` by `new` in `source`; `old` must occur exactly once."""
    count = source.count(old)
    if count != 1:
        raise ReferenceChanged(
            f"{ex}: mutation '{why}' expected the text below exactly once in reference/{ex}.py, "
            f"found it {count} time(s); the reference changed, update examples/make_class.py:\n{old}"
        )
    return source.replace(old, new)


def mutated(ex: str, *edits: tuple[str, str, str]) -> str:
    """The reference source of `ex` with each (old, new, why) replacement applied."""
    source = reference(ex)
    for old, new, why in edits:
        source = replace(source, ex, old, new, why)
    return source


def all_reference() -> dict[str, str]:
    return {ex: reference(ex) for ex in EXERCISES}


# --- writers --------------------------------------------------------------------


def write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_folder(folder: Path, files: dict[str, str]) -> None:
    for ex, text in files.items():
        write_text(folder / f"{ex}.py", text)


_TOP_LEVEL_DEF = re.compile(r"^(def|class|async def) ", re.MULTILINE)


def notebook_cells(ex: str, source: str) -> list:
    """Reference code as a student's notebook: a markdown cell, the imports,
    a cell with an IPython magic and a shell escape, and the definitions in two cells.

    The magic cell comes after the imports: the grader turns dropped lines into
    `pass`, and `from __future__ import annotations` must stay the first statement.
    """
    starts = [m.start() for m in _TOP_LEVEL_DEF.finditer(source)]
    if len(starts) < 2:
        raise ReferenceChanged(f"{ex}: expected at least two top-level definitions to split into cells")
    half = starts[len(starts) // 2]
    prelude, first, second = source[: starts[0]], source[starts[0]: half], source[half:]
    title = ex.split("_", 1)[1].replace("_", " ")
    cells = [
        v4.new_markdown_cell(f"# {ex[:4].upper()}: {title}\n\nMy solution. Run all cells, then `pytest exercises/`."),
        v4.new_code_cell(prelude.strip("\n")),
        v4.new_code_cell("%matplotlib inline\n!pip list"),
        v4.new_code_cell(first.strip("\n")),
        v4.new_code_cell(second.strip("\n")),
    ]
    for number, cell in enumerate(cells):
        cell["id"] = f"{ex[:4]}-cell-{number}"
    return cells


def write_notebook(path: Path, ex: str, source: str) -> None:
    nb = v4.new_notebook()
    nb.cells = notebook_cells(ex, source)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(nb)
    buffer = io.StringIO()
    nbformat.write(nb, buffer)
    write_text(path, buffer.getvalue())


def write_zip(path: Path, folder_name: str, files: dict[str, str]) -> None:
    """A zip of the folder `folder_name/` (not of its contents), with fixed dates."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        folder = zipfile.ZipInfo(f"{folder_name}/", date_time=ZIP_DATE)
        folder.external_attr = (0o40755 << 16) | 0x10
        folder.create_system = 3
        archive.writestr(folder, b"")
        for ex, text in files.items():
            info = zipfile.ZipInfo(f"{folder_name}/{ex}.py", date_time=ZIP_DATE)
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    path.write_bytes(buffer.getvalue())


# --- the submissions ------------------------------------------------------------


def ada_full_marks(dest: Path) -> None:
    write_folder(dest / "ada_full_marks", all_reference())


def ben_transposed_and_no_zero_grad(dest: Path) -> None:
    files = all_reference()
    files["ex01_sequential"] = mutated(
        "ex01_sequential",
        (
            "        nn.Linear(1, n_hidden),\n        nn.Tanh(),\n        nn.Linear(n_hidden, 1),\n",
            "        nn.Linear(n_hidden, 1),\n        nn.Tanh(),\n        nn.Linear(1, n_hidden),\n",
            "Linear sizes swapped",
        ),
    )
    files["ex05_training_loop"] = mutated(
        "ex05_training_loop",
        ("        optimizer.zero_grad()\n", "", "no optimizer.zero_grad()"),
    )
    write_folder(dest / "ben_transposed_and_no_zero_grad", files)


def chloe_counts_buffers(dest: Path) -> None:
    files = all_reference()
    files["ex02_named_layers"] = mutated(
        "ex02_named_layers",
        (
            "    return [name for name, _ in model.named_parameters()]\n",
            "    return list(model.state_dict().keys())\n",
            "parameter_names from state_dict()",
        ),
    )
    files["ex03_count_parameters"] = mutated(
        "ex03_count_parameters",
        (
            "    # model.parameters() already yields each Parameter object once.\n"
            "    return sum(\n"
            "        p.numel() for p in model.parameters() if p.requires_grad or not trainable_only\n"
            "    )\n",
            "    # state_dict() holds every tensor of the model.\n"
            "    state = model.state_dict(keep_vars=True)\n"
            "    return sum(\n"
            "        t.numel() for t in state.values() if t.requires_grad or not trainable_only\n"
            "    )\n",
            "count_parameters over state_dict() values",
        ),
    )
    write_folder(dest / "chloe_counts_buffers", files)


def dev_copies_not_ties(dest: Path) -> None:
    files = all_reference()
    files["ex04_tied_weights"] = mutated(
        "ex04_tied_weights",
        ("    shared = nn.Linear(hidden, hidden)\n", "", "no shared module"),
        (
            "        shared,\n        nn.ReLU(),\n        shared,\n",
            "        nn.Linear(hidden, hidden),\n        nn.ReLU(),\n        nn.Linear(hidden, hidden),\n",
            "two separate Linear layers",
        ),
        (
            "    dst.weight = src.weight\n    dst.bias = src.bias\n",
            "    dst.weight.data.copy_(src.weight.data)\n"
            "    if src.bias is not None:\n"
            "        dst.bias.data.copy_(src.bias.data)\n",
            "tie_linear copies values",
        ),
    )
    write_folder(dest / "dev_copies_not_ties", files)


def emma_notebooks(dest: Path) -> None:
    folder = dest / "emma_notebooks"
    for ex in EXERCISES:
        write_notebook(folder / f"{ex}.ipynb", ex, reference(ex))


def farid_zip(dest: Path) -> None:
    files = all_reference()
    files["ex08_checkpoints"] = mutated(
        "ex08_checkpoints",
        (
            '            "model": model.state_dict(),\n',
            '            "model": model,  # the whole model, easier to reload\n',
            "save the model object",
        ),
        (
            'torch.load(path, weights_only=True, map_location="cpu")',
            'torch.load(path, weights_only=False, map_location="cpu")',
            "load with weights_only=False",
        ),
        (
            '    model.load_state_dict(checkpoint["model"])\n',
            '    model.load_state_dict(checkpoint["model"].state_dict())\n',
            "load from the model object",
        ),
    )
    write_zip(dest / "farid_zip.zip", "farid_zip", files)


def grace_pushed_repo(dest: Path) -> None:
    repo = dest / "grace_pushed_repo"
    files = all_reference()
    files["ex07_custom_module"] = mutated(
        "ex07_custom_module",
        (
            "        self.layers = nn.ModuleList(\n"
            "            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])\n"
            "        )\n",
            "        self.layers = [\n"
            "            nn.Linear(n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])\n"
            "        ]\n",
            "plain list instead of nn.ModuleList",
        ),
    )
    write_folder(repo / "exercises", files)
    write_text(
        repo / "README.md",
        "# nn.Module parameters\n\n"
        "My solutions for the unit on `nn.Module` parameters are in `exercises/`.\n"
        "Run the checks with `pytest exercises/`.\n",
    )
    write_text(repo / "requirements.txt", "torch>=2.4\npytest>=8\n")
    write_text(
        repo / ".github" / "workflows" / "classroom.yml",
        "# Placeholder for the GitHub Classroom autograding workflow.\n"
        "name: Autograding\n"
        "on: [push]\n"
        "jobs: {}\n",
    )


def hugo_hangs(dest: Path) -> None:
    files = all_reference()
    files["ex05_training_loop"] = mutated(
        "ex05_training_loop",
        (
            "        history.append((train_loss.item(), val_loss.item()))\n",
            "        history.append((train_loss.item(), val_loss.item()))\n"
            "        while True:  # waits forever after the first epoch\n"
            "            pass\n",
            "infinite loop",
        ),
    )
    write_folder(dest / "hugo_hangs", files)


def iris_crashes(dest: Path) -> None:
    files = all_reference()
    files["ex06_gradients"] = mutated(
        "ex06_gradients",
        (
            "    model.zero_grad(set_to_none=True)\n",
            "    import ctypes\n\n"
            "    ctypes.string_at(0)  # reads address 0: segmentation fault\n"
            "    model.zero_grad(set_to_none=True)\n",
            "segfault",
        ),
    )
    write_folder(dest / "iris_crashes", files)


def jonas_syntax_error(dest: Path) -> None:
    files = all_reference()
    files["ex02_named_layers"] = mutated(
        "ex02_named_layers",
        (
            "def parameter_names(model: nn.Module) -> list[str]:\n",
            "def parameter_names(model: nn.Module) -> list[str]\n",
            "missing colon",
        ),
    )
    write_folder(dest / "jonas_syntax_error", files)


def kim_empty(dest: Path) -> None:
    write_text(dest / "kim_empty" / ".gitkeep", "")


def liam_defaults_only(dest: Path) -> None:
    files = all_reference()
    files["ex01_sequential"] = mutated(
        "ex01_sequential",
        (
            "    return nn.Sequential(\n"
            "        nn.Linear(1, n_hidden),\n"
            "        nn.Tanh(),\n"
            "        nn.Linear(n_hidden, 1),\n"
            "    )\n",
            "    hidden = n_hidden if n_hidden in (5, 21) else 13  # TODO\n"
            "    return nn.Sequential(\n"
            "        nn.Linear(1, hidden),\n"
            "        nn.Tanh(),\n"
            "        nn.Linear(hidden, 1),\n"
            "    )\n",
            "hard-coded to the public inputs",
        ),
    )
    write_folder(dest / "liam_defaults_only", files)


def maya_partial(dest: Path) -> None:
    files = {ex: (reference(ex) if ex < "ex05" else stub(ex)) for ex in EXERCISES}
    write_folder(dest / "maya_partial", files)


def noah_exits(dest: Path) -> None:
    files = all_reference()
    files["ex07_custom_module"] = mutated(
        "ex07_custom_module",
        (
            "import torch\nfrom torch import Tensor, nn\n",
            "import sys\n\nimport torch\nfrom torch import Tensor, nn\n\nsys.exit(0)  # left over from debugging\n",
            "sys.exit at import",
        ),
    )
    write_folder(dest / "noah_exits", files)


SUBMISSIONS = (
    ada_full_marks,
    ben_transposed_and_no_zero_grad,
    chloe_counts_buffers,
    dev_copies_not_ties,
    emma_notebooks,
    farid_zip,
    grace_pushed_repo,
    hugo_hangs,
    iris_crashes,
    jonas_syntax_error,
    kim_empty,
    liam_defaults_only,
    maya_partial,
    noah_exits,
)


def main() -> int:
    # Build everything in a staging folder first, so a ReferenceChanged error leaves the old class intact.
    staging = HERE / ".class.tmp"
    if staging.exists():
        shutil.rmtree(staging)
    try:
        for make in SUBMISSIONS:
            make(staging)
    except ReferenceChanged as exc:
        shutil.rmtree(staging, ignore_errors=True)
        print(f"make_class.py: {exc}", file=sys.stderr)
        return 1
    if CLASS.exists():
        shutil.rmtree(CLASS)
    staging.rename(CLASS)
    print(f"wrote {len(SUBMISSIONS)} submissions to {CLASS.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
