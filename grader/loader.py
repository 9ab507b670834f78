"""Finding a submission's exercise sources: folder, pushed repository, zip, notebooks.

Reads files only; executes nothing.  The rules are the "Submissions" and
"Fine print" sections of EXERCISES.md: `exNN_*.py` at the top or under
`exercises/`, a `.zip` of such a folder, notebooks in place of any `.py`
(the `.py` wins when both exist), hidden files, `__MACOSX/` and
`__pycache__/` ignored, magics and shell escapes in notebooks dropped.
"""
from __future__ import annotations

import hashlib
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from grader.unit import EXERCISE_IDS

__all__ = ["Source", "Submission", "load_submission", "submission_name", "LoadError", "MAX_SOURCE_BYTES"]

MAX_SOURCE_BYTES = 2_000_000
MAX_ZIP_MEMBERS = 2_000
MAX_ZIP_BYTES = 50_000_000
_IGNORED_DIRS = {"__MACOSX", "__pycache__"}


class LoadError(Exception):
    """The submission as a whole cannot be read (not a zip, not found, ...)."""


@dataclass(frozen=True)
class Source:
    """One exercise's code as submitted, or why it could not be read.

    A notebook keeps its code cells apart (`cells`: (cell number, code)) and
    runs them one by one like a kernel would; `code` is then their join.
    """

    exercise: str
    path: str = ""  # shown to the student, relative to the submission
    code: str | None = None
    error: str = ""
    notes: tuple[str, ...] = ()
    cells: tuple[tuple[int, str], ...] = ()

    def units(self) -> list[tuple[str, str]]:
        """(label, code) to compile and run in order: the file, or each code cell."""
        if self.cells:
            return [(f"cell {number}", code) for number, code in self.cells]
        return [("", self.code or "")]

    def location(self, lineno: int, unit: str = "") -> str:
        """'ex01_sequential.py, line 4' or 'ex01_sequential.ipynb, cell 3, line 2'."""
        return f"{self.path}, {unit + ', ' if unit else ''}line {lineno}"


@dataclass
class Submission:
    """A submission's sources by exercise id, and its identity."""

    name: str
    origin: str
    sources: dict[str, Source] = field(default_factory=dict)
    error: str = ""
    digest: str = ""
    _tmp: tempfile.TemporaryDirectory | None = field(default=None, repr=False)


def submission_name(path: Path) -> str:
    """The name a submission is reported under: folder or file name without .zip."""
    name = path.name
    return name[:-4] if name.lower().endswith(".zip") else name


def load_submission(path: str | Path) -> Submission:
    """Read every exercise source of the submission at `path` (folder, zip or notebook)."""
    path = Path(path)
    sub = Submission(name=submission_name(path), origin=str(path))
    try:
        if path.is_symlink():
            raise LoadError(f"{path.name} is a symbolic link; submit the folder or zip itself")
        if not path.exists():
            raise LoadError(f"{path} does not exist")
        refused: dict[PurePosixPath, str] = {}
        if path.is_file() and path.suffix.lower() == ".zip":
            sub._tmp = tempfile.TemporaryDirectory(prefix="grader-zip-")
            root = _extract_zip(path, Path(sub._tmp.name), refused)
        elif path.is_file() and path.suffix in (".py", ".ipynb") and _exercise_of(path.name):
            root = path.parent
            _read_sources(sub, root, only={path.name})
            sub.digest = _digest(sub)
            return sub
        elif path.is_dir():
            root = path
        else:
            raise LoadError(f"{path.name} is neither a folder, a .zip nor an exercise file")
        base = root
        root = _submission_root(root)
        _read_sources(sub, root)
        for name, reason in refused.items():  # a zip member refused on its own costs its exercise only
            ex = _exercise_of(name.name)
            if ex and (base / Path(*name.parts)).parent == root and sub.sources[ex].code is None:
                sub.sources[ex] = Source(ex, name.name, error=reason)
    except LoadError as exc:
        sub.error = str(exc)
        sub.sources = {ex: Source(ex, error=sub.error) for ex in EXERCISE_IDS}
    sub.digest = _digest(sub)
    return sub


# --- helpers -----------------------------------------------------------------


def _exercise_of(filename: str) -> str | None:
    stem = filename.rsplit(".", 1)[0]
    return stem if stem in EXERCISE_IDS else None


def _submission_root(root: Path) -> Path:
    """The folder holding the exNN files: `exercises/` when it has them, else a sole subfolder."""
    if _has_exercise_files(root / "exercises"):
        return root / "exercises"
    if _has_exercise_files(root):
        return root
    entries = [p for p in root.iterdir() if not _ignored(p.name)]
    dirs = [p for p in entries if p.is_dir() and not p.is_symlink()]
    if len(dirs) == 1 and len(entries) == 1:  # a zip of the folder, not of its contents
        return _submission_root(dirs[0])
    return root


def _has_exercise_files(folder: Path) -> bool:
    try:
        return folder.is_dir() and not folder.is_symlink() and any(_exercise_of(p.name) for p in folder.iterdir())
    except OSError:
        return False


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _IGNORED_DIRS


def _read_sources(sub: Submission, root: Path, only: set[str] | None = None) -> None:
    for ex in EXERCISE_IDS:
        py, nb = root / f"{ex}.py", root / f"{ex}.ipynb"
        if only is not None:
            py, nb = (py if py.name in only else None), (nb if nb.name in only else None)
        has_py = py is not None and (py.exists() or py.is_symlink())
        has_nb = nb is not None and (nb.exists() or nb.is_symlink())
        if has_py:
            notes = (f"{ex}.py graded; {ex}.ipynb ignored (a .py takes precedence)",) if has_nb else ()
            sub.sources[ex] = _read_py(ex, py, notes)
        elif has_nb:
            sub.sources[ex] = _read_notebook(ex, nb)
        else:
            sub.sources[ex] = Source(ex, error=f"{ex}.py is missing from the submission")


def _read_bytes(path: Path) -> bytes:
    info = path.lstat()
    if stat.S_ISLNK(info.st_mode):
        raise LoadError(f"{path.name} is a symbolic link; submit the file itself")
    if not stat.S_ISREG(info.st_mode):
        raise LoadError(f"{path.name} is not a regular file")
    if info.st_size > MAX_SOURCE_BYTES:
        raise LoadError(f"{path.name} is {info.st_size} bytes, more than the {MAX_SOURCE_BYTES} allowed")
    return path.read_bytes()


def _read_py(ex: str, path: Path, notes: tuple[str, ...]) -> Source:
    try:
        raw = _read_bytes(path)
        code = raw.decode("utf-8")
    except LoadError as exc:
        return Source(ex, path.name, error=str(exc))
    except UnicodeDecodeError:
        return Source(ex, path.name, error=f"{path.name} is not UTF-8 text")
    except OSError as exc:
        return Source(ex, path.name, error=f"{path.name} cannot be read: {exc.strerror}")
    return Source(ex, path.name, code=code, notes=notes)


def _read_notebook(ex: str, path: Path) -> Source:
    import nbformat  # deferred: only notebook submissions pay for it

    name = path.name
    try:
        text = _read_bytes(path).decode("utf-8")
        data = json.loads(text)
    except LoadError as exc:
        return Source(ex, name, error=str(exc))
    except (UnicodeDecodeError, ValueError) as exc:
        return Source(ex, name, error=f"{name} is not a notebook: not valid JSON ({exc})")
    if not isinstance(data, dict) or data.get("nbformat") != 4:
        found = data.get("nbformat") if isinstance(data, dict) else type(data).__name__
        return Source(ex, name, error=f"{name} is not an nbformat 4 notebook (nbformat: {found!r})")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several unrelated types
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return Source(ex, name, error=f"{name} is not a valid notebook: {first}")
    cells: list[tuple[int, str]] = []
    dropped = 0
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        lines = []
        for line in cell.source.splitlines():
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                indent = line[: len(line) - len(stripped)]
                # blank keeps line numbers; `pass` keeps an indented block valid
                lines.append(f"{indent}pass" if indent else "")
                dropped += 1
            else:
                lines.append(line)
        cells.append((number, "\n".join(lines) + "\n"))
    notes = (f"{name}: {dropped} IPython magic or shell line(s) dropped",) if dropped else ()
    return Source(ex, name, code="".join(code for _, code in cells), notes=notes, cells=tuple(cells))


def _extract_zip(path: Path, dest: Path, refused: dict[PurePosixPath, str] | None = None) -> Path:
    """Extract a zip safely: no absolute or `..` names, no links, bounded size.

    An exercise file too large on its own is left out and recorded in
    `refused` (it costs that exercise); a zip too large as a whole, or with
    too many members, is refused whole.
    """
    refused = {} if refused is None else refused
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise LoadError(f"{path.name} is not a valid zip file ({exc})") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise LoadError(f"{path.name} holds {len(members)} files, more than {MAX_ZIP_MEMBERS}")
        total = 0
        for info in members:
            name = PurePosixPath(info.filename.replace("\\", "/"))
            if not name.parts:
                continue
            if any(_ignored(part) for part in name.parts):
                continue
            clean = PurePosixPath(*[p for p in name.parts if p not in ("..", "/")] or ["_"])
            if name.is_absolute() or ".." in name.parts:
                refused.setdefault(clean, f"{info.filename[:80]} in {path.name} has an unsafe name and was not "
                                          "extracted; zip the folder itself")
                continue  # path traversal: never written
            if stat.S_ISLNK(info.external_attr >> 16):
                refused.setdefault(clean, f"{info.filename[:80]} in {path.name} is a symbolic link and was not "
                                          "extracted; zip the file itself")
                continue  # symbolic links are not extracted
            target = dest.joinpath(*name.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            if not _exercise_of(name.name) and name.name != "exercises":
                continue  # only exercise files matter; skip the rest unread
            too_big = f"{name.name} in {path.name} expands to more than {MAX_SOURCE_BYTES} bytes (zip bomb?)"
            if info.file_size > MAX_SOURCE_BYTES:
                refused[name] = too_big
                continue
            try:
                with archive.open(info) as src:
                    data = src.read(MAX_SOURCE_BYTES + 1)  # the header's size may lie: read no more than allowed
            except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError) as exc:
                refused[name] = f"{name.name} in {path.name} cannot be extracted ({exc})"
                continue
            if len(data) > MAX_SOURCE_BYTES:
                refused[name] = too_big
                continue
            total += len(data)
            if total > MAX_ZIP_BYTES:
                raise LoadError(f"{path.name} expands to more than {MAX_ZIP_BYTES} bytes (zip bomb?)")
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink() or (target.exists() and not target.is_file()):
                continue
            with open(target, "wb") as out:
                out.write(data)
    return dest


def _digest(sub: Submission) -> str:
    h = hashlib.sha256()
    for ex in EXERCISE_IDS:
        src = sub.sources.get(ex)
        h.update(f"{ex}\0{src.path if src else ''}\0{src.error if src else ''}\0".encode())
        if src is not None and src.code is not None:
            h.update(src.code.encode("utf-8", "surrogatepass"))
        h.update(b"\1")
    return h.hexdigest()
