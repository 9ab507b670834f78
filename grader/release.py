"""`grader release --out DIR`: build the student repository from this one.

What goes in: the stubs and the student-facing tests of `exercises/`, the
part of `grader/` that `pytest exercises/` and the GitHub Classroom steps
import (found by following imports from `grader.pytest_plugin`,
`grader.classroom` and the checks, so a new helper module travels without
a list to update), the reference's evidence on the *public* inputs
(`grader/expected_public.json`, see `grader.expected`), a student README,
dependency files pinned to torch 2.13.0, and the Classroom workflow.

What never goes in: `reference/`, `grader/hidden.py`, and the batch and
instructor side (`batch`, `sandbox`, `jail`, `warm`, `gradebook`, `cli`,
`release`, `gradescope`, `export`, `repos`). A released module that imports
one of them stops the release with the import named.

The tree is built in a temporary folder beside DIR and moved into place, so
DIR is either the previous release or the new one, never half of one.
"""
from __future__ import annotations

import ast
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from grader.unit import EXERCISE_IDS

__all__ = ["ReleaseError", "Release", "build_release", "released_modules", "strip_mistakes", "workflow_yaml",
           "REQUIREMENTS", "TORCH_VERSION", "MARKER", "FORBIDDEN_MODULES"]

ROOT = Path(__file__).resolve().parent.parent
GRADER = ROOT / "grader"
MARKER = ".grader-release.json"
TORCH_VERSION = "2.13.0"
PYTHON_VERSION = "3.11"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"

# Pins known to install beside torch==2.13.0 (the versions this grader is tested with).
REQUIREMENTS: tuple[str, ...] = (
    f"torch=={TORCH_VERSION}",
    "pytest==9.2.0",
    "pytest-timeout==2.4.0",
    "nbformat==5.11.1",
)

ENTRY_MODULES = ("grader.pytest_plugin", "grader.classroom", "grader.expected", "grader.checks")
FORBIDDEN_MODULES = frozenset({
    "grader.hidden", "grader.batch", "grader.sandbox", "grader.jail", "grader.warm", "grader.gradebook",
    "grader.cli", "grader.__main__", "grader.release", "grader.gradescope", "grader.export", "grader.repos",
    "grader.cgroups", "grader.landlock", "grader.seccomp", "grader.report",
})


class ReleaseError(Exception):
    """The release cannot be built as asked (bad --out, a released module importing a secret, ...)."""


@dataclass(frozen=True)
class Release:
    out: Path
    files: tuple[str, ...]
    modules: tuple[str, ...]
    seconds: float


def released_modules(grader_dir: Path = GRADER) -> list[str]:
    """Every `grader.*` module the student's tree needs: the import closure of the entry modules."""
    wanted = list(ENTRY_MODULES) + [f"grader.checks.{ex}" for ex in EXERCISE_IDS] + ["grader"]
    seen: set[str] = set()
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        path = _module_path(name, grader_dir)
        if path is None:
            raise ReleaseError(f"{name}: imported by a released module but not found under {grader_dir}")
        seen.add(name)
        for imported in _grader_imports(path, grader_dir):
            if imported in FORBIDDEN_MODULES:
                raise ReleaseError(f"{path.relative_to(grader_dir.parent)} imports {imported}, which must not be "
                                   "released (secret or instructor-only); move what students need elsewhere")
            if imported not in seen:
                wanted.append(imported)
    return sorted(seen)


def build_release(out: Path, *, force: bool = False, reference: Path | None = None,
                  log=lambda line: None) -> Release:
    """Write the student repository to `out`; see the module docstring."""
    import time

    from grader.expected import ExpectedError, compute

    started = time.monotonic()
    out = Path(out).resolve()
    reference = Path(reference or ROOT / "reference").resolve()
    _check_out(out, force)
    modules = released_modules()
    log(f"release: {len(modules)} grader modules: {', '.join(m.removeprefix('grader.') for m in modules)}")
    try:
        expected = compute(reference, "cpu")
    except ExpectedError as exc:
        raise ReleaseError(str(exc)) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        files = _write_tree(staging, modules, expected)
        _audit(staging)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    seconds = time.monotonic() - started
    log(f"release: {len(files)} files in {out} ({seconds:.1f} s)")
    return Release(out, tuple(files), tuple(modules), seconds)


def workflow_yaml() -> str:
    """The GitHub Classroom workflow: one grading step per exercise, then the autograding reporter."""
    from grader.checks import CHECKS

    lines = [
        "# GitHub Classroom autograding: one step per exercise, points per check (partial credit).",
        "# Each step runs `python -m grader.classroom EXERCISE`, which writes `result=<base64 JSON>` to",
        "# $GITHUB_OUTPUT; the reporter adds the tests' scores and sends the total to GitHub Classroom.",
        "name: Autograding Tests",
        "'on':",
        "  - push",
        "  - repository_dispatch",
        "permissions:",
        "  checks: write",
        "  actions: read",
        "  contents: read",
        "jobs:",
        "  run-autograding-tests:",
        "    runs-on: ubuntu-latest",
        "    if: github.actor != 'github-classroom[bot]'",
        "    steps:",
        "      - name: Checkout code",
        "        uses: actions/checkout@v4",
        "      - name: Set up Python",
        "        uses: actions/setup-python@v5",
        "        with:",
        f"          python-version: '{PYTHON_VERSION}'",
        "      - name: Install dependencies (CPU torch)",
        f"        run: python -m pip install -r requirements.txt --extra-index-url {CPU_INDEX}",
    ]
    for ex in EXERCISE_IDS:
        limit = int(sum(c.timeout for c in CHECKS[ex])) + 60
        lines += [
            f"      - name: {ex}",
            f"        id: {ex}",
            f"        run: timeout {limit} python -m grader.classroom {ex} || python -m grader.classroom --crashed {ex}",
        ]
    lines += [
        "      - name: Autograding Reporter",
        "        uses: classroom-resources/autograding-grading-reporter@v1",
        "        env:",
        *(f'          {ex.upper()}_RESULTS: "${{{{ steps.{ex}.outputs.result }}}}"' for ex in EXERCISE_IDS),
        "        with:",
        f"          runners: {','.join(EXERCISE_IDS)}",
    ]
    return "\n".join(lines) + "\n"


# --- helpers -----------------------------------------------------------------


def _module_path(name: str, grader_dir: Path) -> Path | None:
    parts = name.split(".")[1:]
    base = grader_dir.joinpath(*parts)
    for candidate in (base.with_suffix(".py") if parts else None, base / "__init__.py"):
        if candidate is not None and candidate.is_file():
            return candidate
    return None


def _grader_imports(path: Path, grader_dir: Path) -> set[str]:
    """The `grader.*` modules a file imports anywhere (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            if name == "grader" or name.startswith("grader."):
                # `from grader.x import y`: y is a module only if a file says so
                if _module_path(name, grader_dir) is not None:
                    found.add(name)
                    if name.count(".") > 1:
                        found.add(name.rsplit(".", 1)[0])
    return found


def _check_out(out: Path, force: bool) -> None:
    for forbidden in (ROOT, GRADER, ROOT / "reference", ROOT / "exercises"):
        if out == forbidden or forbidden.is_relative_to(out):
            raise ReleaseError(f"--out {out}: would overwrite this repository's {forbidden.name or forbidden}/")
    if out.exists():
        if not out.is_dir():
            raise ReleaseError(f"--out {out}: exists and is not a folder")
        entries = [p for p in out.iterdir()]
        if entries and not (out / MARKER).is_file():
            raise ReleaseError(f"--out {out}: not empty and not an earlier release (no {MARKER}); "
                               "choose an empty or new folder")
        if entries and not force:
            raise ReleaseError(f"--out {out}: holds an earlier release; pass --force to replace it")


def _write_tree(dest: Path, modules: list[str], expected: dict) -> list[str]:
    import grader
    from grader.checks import CHECKS

    written: list[str] = []

    def put(rel: str, text: str, mode: int = 0o644) -> None:
        path = dest / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(mode)
        written.append(rel)

    for name in modules:
        src = _module_path(name, GRADER)
        rel = src.relative_to(ROOT).as_posix()
        text = _RELEASED_INIT.format(version=grader.__version__) if name == "grader" else src.read_text("utf-8")
        if name.startswith("grader.checks."):
            text = strip_mistakes(text, rel)
        put(rel, text)
    put("grader/expected_public.json", json.dumps(expected, indent=1, sort_keys=False) + "\n")
    exercises = ROOT / "exercises"
    for ex in EXERCISE_IDS:
        for rel in (f"exercises/{ex}.py", f"exercises/test_{ex}.py"):
            if not (ROOT / rel).is_file():
                raise ReleaseError(f"{rel}: missing from this repository")
            put(rel, (ROOT / rel).read_text("utf-8"))
    put("exercises/conftest.py", (exercises / "conftest.py").read_text("utf-8"))
    put("requirements.txt", _requirements())
    put("pyproject.toml", _PYPROJECT)
    put(".gitignore", _GITIGNORE)
    put(".github/workflows/classroom.yml", workflow_yaml())
    points = {ex: sum(c.points for c in CHECKS[ex]) for ex in EXERCISE_IDS}
    put("README.md", _student_readme(points))
    manifest = {"grader_version": grader.__version__, "torch": TORCH_VERSION, "modules": modules,
                "files": sorted(written)}
    put(MARKER, json.dumps(manifest, indent=1) + "\n")
    return sorted(written)


def strip_mistakes(source: str, filename: str = "<checks>") -> str:
    """A check module without its `MISTAKES` and the private helpers only they use.

    Known-mistake patches rebuild the reference with one thing changed (a
    training loop with every switch at its default *is* the reference loop),
    so they stay on the instructor's side; the checks themselves are kept
    line for line. Released runs then diagnose nothing by name: the checks'
    messages and hints are unchanged.
    """
    tree = ast.parse(source, filename)
    body = tree.body
    remove = {i for i, node in enumerate(body) if "MISTAKES" in _defined(node)}
    if not remove:
        return source
    changed = True
    while changed:
        changed = False
        used = {n.id for i, node in enumerate(body) if i not in remove for n in ast.walk(node)
                if isinstance(n, ast.Name)}
        for i, node in enumerate(body):
            names = _defined(node)
            if i in remove or not names:
                continue
            if all(n.startswith("_") and not n.startswith("__") and n not in used for n in names):
                remove.add(i)
                changed = True
    drop: set[int] = set()
    for i in remove:
        node = body[i]
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        drop.update(range(start, node.end_lineno + 1))
    lines = source.splitlines(keepends=True)
    text = "".join(line for k, line in enumerate(lines, 1) if k not in drop)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    text = text.rstrip("\n") + "\n"
    ast.parse(text, filename)  # still a module
    return text


def _defined(node: ast.stmt) -> set[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {node.name}
    targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
        node, (ast.AnnAssign, ast.AugAssign)) else []
    return {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}


def _audit(tree: Path) -> None:
    """Last guard before the tree is moved into place: nothing secret by name."""
    bad = [p.relative_to(tree).as_posix() for p in tree.rglob("*")
           if p.name in ("hidden.py", "reference") or p.name.startswith(("batch.", "sandbox.", "jail."))]
    if bad:
        raise ReleaseError(f"release would contain {', '.join(bad)}; refusing")
    for path in tree.rglob("*"):
        if path.is_file() and b"HIDDEN_INPUTS" in path.read_bytes():
            raise ReleaseError(f"{path.relative_to(tree)} mentions HIDDEN_INPUTS; refusing")


def _requirements() -> str:
    return ("# Install with:  python -m pip install -r requirements.txt\n"
            "# torch is pinned to 2.13.0. On Linux without a GPU, add\n"
            f"#   --extra-index-url {CPU_INDEX}\n"
            "# to get the small CPU-only wheel instead of the CUDA one.\n"
            + "\n".join(REQUIREMENTS) + "\n")


_RELEASED_INIT = '''"""The course's checks and what `pytest exercises/` needs to run them (student copy).

`exercises/conftest.py` loads `grader.pytest_plugin`; `python -m grader.classroom`
grades one exercise for GitHub Classroom. The expected values on the public
inputs are in `grader/expected_public.json`.
"""
__version__ = "{version}"
'''

_PYPROJECT = '''# Test configuration for `pytest exercises/` (dependencies: requirements.txt).
[tool.pytest.ini_options]
pythonpath = ["."]
testpaths = ["exercises"]
addopts = ["--strict-markers", "--strict-config", "-p", "no:cacheprovider"]
xfail_strict = true
'''

_GITIGNORE = """__pycache__/
*.pyc
.venv/
venv/
.ipynb_checkpoints/
.pytest_cache/
"""


def _student_readme(points: dict[str, float]) -> str:
    from grader.results import fmt_points

    table = "\n".join(f"| `{ex}.py` | {fmt_points(p)} |" for ex, p in points.items())
    total = fmt_points(sum(points.values()))
    return f"""# nn.Module parameters: exercises

Eight short exercises on what PyTorch does with the parameters of an
`nn.Module` tree, all on the thermometer data (Fahrenheit-like readings
`t_u` to Celsius `t_c`). Each file in `exercises/` holds functions that raise
`NotImplementedError`; replace those lines with your code.

| file | points |
|------|--------|
{table}
| **total** | **{total}** |

## Set up (once)

You need Python 3.10 or newer.

```bash
python -m venv .venv
source .venv/bin/activate          # Windows: .venv\\Scripts\\activate
python -m pip install -r requirements.txt
```

On Linux without a GPU, `python -m pip install -r requirements.txt --extra-index-url {CPU_INDEX}`
downloads the small CPU-only torch instead of the CUDA one.

## Check your work

```bash
pytest exercises/                                  # every exercise
pytest exercises/test_ex03_count_parameters.py    # one exercise
pytest exercises/ -k freeze                       # checks whose name contains "freeze"
```

Each check that fails says what was checked, what your code returned, what
was expected, and a hint, for example:

```
ex02_named_layers: get_output_bias(model) returns the Parameter itself: ...
  input:    ...
  Hint: return model.output_linear.bias itself, not .data, .detach() or .clone() ...
```

The run ends with the score table:

```
ex01_sequential         10/10
ex02_named_layers       7/12
...
total                   67/100
```

One line per exercise: the points of the checks that pass over the points
the exercise is worth; `total` is out of {total}. The checks here use the
same inputs every time; your instructor's grading adds inputs you have not
seen (other sizes and seeds), so write code that uses its arguments rather
than code that returns the answers shown here.

Options: `--submission PATH` checks another folder, `.zip` or notebook
(`exNN_name.ipynb`) instead of `exercises/`.

## Handing in

Commit and push. On GitHub Classroom every push runs the checks
(`.github/workflows/classroom.yml`, the "Actions" tab shows the messages) and
records the points. Do not edit `grader/`, `exercises/test_*.py`,
`exercises/conftest.py` or `.github/`: your instructor grades with their own copy.
"""
