"""Pushed repositories: a text file of git URLs or local repository paths, checked out to grade.

One repository a line, optionally followed by a commit, tag or branch:

    https://github.com/course-org/params-ada.git
    https://github.com/course-org/params-ben.git  v1.0
    /srv/classroom/params-chloe  3f2a9c1
    # comments and blank lines are ignored

`prepare(list, before=DATE)` clones each one (in parallel) into the folder
`<list stem>-clones/` beside the list, checks out the commit asked for (or,
with `before`, the last commit whose committer date is not after DATE), and
returns that folder: a class folder `grader grade` grades like any other. A
repository that cannot be cloned, or has no such commit, becomes a folder
whose exercise files say so, so it is a row of the class with that message
rather than a crash. `checkouts.json` in the folder records URL, ref, commit
and error per repository.

Git runs here, in the judging process, and executes nothing of the
repository's: no submodules (not cloned, not initialised), no LFS or other
filters, no hooks (a clone brings none), symbolic links checked out as plain
files, no credential prompts. The submissions' code runs later only in the
sandboxed children, which have no network.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from grader.unit import EXERCISE_IDS

__all__ = ["RepoError", "RepoSpec", "Checkout", "parse_list", "parse_deadline", "prepare", "clones_folder",
           "CLONE_TIMEOUT"]

CLONE_TIMEOUT = 300  # seconds per git command
_NAME = re.compile(r"[^A-Za-z0-9._-]+")
_GIT_CONFIG = (
    "-c", "core.symlinks=false",
    "-c", "core.hooksPath=/dev/null",
    "-c", "submodule.recurse=false",
    "-c", "protocol.ext.allow=never",
    "-c", "filter.lfs.smudge=",
    "-c", "filter.lfs.process=",
    "-c", "filter.lfs.required=false",
    "-c", "advice.detachedHead=false",
    "-c", "core.fsmonitor=false",
)


class RepoError(Exception):
    """The list itself is unusable (missing, a duplicate name, a bad --before): a usage error."""


@dataclass(frozen=True)
class RepoSpec:
    """One line of the list: where the repository is, which commit, and the name it is graded under."""

    source: str
    ref: str
    name: str
    line: int


@dataclass
class Checkout:
    name: str
    source: str
    ref: str
    commit: str = ""
    committed: str = ""
    error: str = ""


def clones_folder(list_path: Path) -> Path:
    """Where the checkouts of a list go: `<stem>-clones/` beside the list."""
    list_path = Path(list_path)
    return list_path.with_name(f"{list_path.stem}-clones")


def parse_list(list_path: Path) -> list[RepoSpec]:
    """The repositories of a list file; RepoError on a duplicate name or a malformed line."""
    list_path = Path(list_path)
    try:
        text = list_path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RepoError(f"{list_path}: cannot be read ({exc.strerror or exc})") from None
    specs: list[RepoSpec] = []
    names: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"(?:^|\s)#", raw, maxsplit=1)[0].strip()  # whole-line and trailing comments
        if not line:
            continue
        parts = line.split()
        if len(parts) > 2:
            raise RepoError(f"{list_path}, line {number}: expected 'URL-or-path [commit-or-tag]', got {raw.strip()!r}")
        source, ref = parts[0], (parts[1] if len(parts) == 2 else "")
        if ref.startswith("-") or source.startswith("-"):
            raise RepoError(f"{list_path}, line {number}: {raw.strip()!r}: a URL, path or ref cannot start with '-'")
        if not _is_url(source):
            path = Path(os.path.expanduser(source))
            source = str(path if path.is_absolute() else (list_path.parent / path).resolve())
        name = _name_of(source)
        if name in names:
            raise RepoError(f"{list_path}, line {number}: {source} would be graded as {name!r}, "
                            f"like line {names[name]}; give the repositories distinct names")
        names[name] = number
        specs.append(RepoSpec(source, ref, name, number))
    if not specs:
        raise RepoError(f"{list_path}: no repositories listed")
    return specs


def parse_deadline(text: str) -> datetime:
    """ISO 8601 (`2024-10-01T23:59:00+02:00`, `2024-10-01 23:59`, `...Z`); a naive time is local time."""
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise RepoError(f"--before {text!r}: not an ISO 8601 date (e.g. 2024-10-01T23:59:00+02:00)") from None
    return value if value.tzinfo else value.astimezone()


def prepare(list_path: Path, before: str | None = None, jobs: int = 8,
            log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> Path:
    """Check out every listed repository into `clones_folder(list_path)`; return that folder."""
    specs = parse_list(list_path)
    deadline = parse_deadline(before) if before is not None else None
    dest = clones_folder(list_path)
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RepoError(f"{dest}: cannot create the folder for the checkouts ({exc.strerror or exc})") from None
    if shutil.which("git") is None:
        raise RepoError("git is not installed (needed to grade a list of repositories)")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        checkouts = list(pool.map(lambda spec: _checkout(spec, dest, deadline), specs))
    wanted = {c.name for c in checkouts}
    for entry in dest.iterdir():  # forget checkouts of repositories no longer listed
        if entry.is_dir() and entry.name not in wanted and not entry.name.startswith("."):
            shutil.rmtree(entry, ignore_errors=True)
    manifest = {"list": str(Path(list_path).resolve()), "before": deadline.isoformat() if deadline else None,
                "repositories": [asdict(c) for c in checkouts]}
    (dest / "checkouts.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for c in checkouts:
        log(f"repos: {c.name}: {c.commit[:12]} ({c.committed})" if not c.error else f"repos: {c.name}: {c.error}")
    return dest


# --- helpers -----------------------------------------------------------------


def _is_url(source: str) -> bool:
    return "://" in source or re.match(r"^[\w.-]+@[\w.-]+:", source) is not None


def _name_of(source: str) -> str:
    tail = source.rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    if tail.endswith(".git"):
        tail = tail[:-4]
    name = _NAME.sub("_", tail).strip("._") or "repository"
    return name


def _git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update({"GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1", "GIT_CONFIG_NOSYSTEM": "1",
                "GIT_ASKPASS": "/bin/true", "SSH_ASKPASS": "/bin/true", "LC_ALL": "C",
                "GIT_SSH_COMMAND": "ssh -o BatchMode=yes"})
    return subprocess.run(["git", *_GIT_CONFIG, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=CLONE_TIMEOUT, stdin=subprocess.DEVNULL)


def _checkout(spec: RepoSpec, dest: Path, deadline: datetime | None) -> Checkout:
    result = Checkout(spec.name, spec.source, spec.ref)
    target = dest / spec.name
    work = Path(tempfile.mkdtemp(prefix=f".{spec.name}.", dir=dest))
    try:
        clone = work / "repo"
        _run(["clone", "--quiet", "--no-checkout", "--no-recurse-submodules", "--", spec.source, str(clone)],
             f"could not clone {spec.source}")
        commit = _resolve(clone, spec.ref or "HEAD", deadline)
        _run(["checkout", "--quiet", "--detach", commit, "--"], f"could not check out {commit}", cwd=clone)
        shown = _run(["show", "-s", "--format=%H %cI", commit], "could not read the commit", cwd=clone).split()
        result.commit, result.committed = shown[0], shown[1]
        _replace(target, clone)
    except _GitFailed as exc:
        result.error = str(exc)
        _write_failure(target, work / "failed", result)
    except subprocess.TimeoutExpired:
        result.error = f"could not clone {spec.source}: git took longer than {CLONE_TIMEOUT} s"
        _write_failure(target, work / "failed", result)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return result


class _GitFailed(Exception):
    pass


def _run(args: list[str], what: str, cwd: Path | None = None) -> str:
    proc = _git(*args, cwd=cwd)
    if proc.returncode != 0:
        lines = [line.strip() for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
        detail = "; ".join(lines[-3:])[:400] or f"git exited with status {proc.returncode}"
        raise _GitFailed(f"{what} ({detail})")
    return proc.stdout.strip()


def _resolve(clone: Path, ref: str, deadline: datetime | None) -> str:
    try:
        tip = _run(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], f"no commit or tag {ref!r}", cwd=clone)
    except _GitFailed:
        # a branch name that exists only on the remote
        tip = _run(["rev-parse", "--verify", "--quiet", f"origin/{ref}^{{commit}}"],
                   f"no commit, tag or branch {ref!r} in the repository", cwd=clone)
    if deadline is None:
        return tip
    cutoff = int(deadline.timestamp())
    best, best_time = "", -1
    for line in _run(["log", "--format=%H %ct", tip], "could not read the history", cwd=clone).splitlines():
        sha, _, stamp = line.partition(" ")
        when = int(stamp)
        if when <= cutoff and when > best_time:
            best, best_time = sha, when
    if not best:
        raise _GitFailed(f"no commit before {deadline.isoformat()} (the first is later)")
    return best


def _replace(target: Path, new: Path) -> None:
    if target.exists() or target.is_symlink():
        shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    os.replace(new, target)


def _write_failure(target: Path, folder: Path, result: Checkout) -> None:
    """A folder whose every exercise file raises the reason: graded as a clear row of zeros."""
    folder.mkdir(parents=True, exist_ok=True)
    message = f"{result.error}; nothing was graded"
    code = ("# Written by the grader: this repository could not be checked out.\n"
            "class RepositoryUnavailable(Exception):\n"
            "    pass\n\n\n"
            f"raise RepositoryUnavailable({message!r})\n")
    for ex in EXERCISE_IDS:
        (folder / f"{ex}.py").write_text(code, encoding="utf-8")
    (folder / "CHECKOUT_FAILED.txt").write_text(f"{result.source} {result.ref}\n{result.error}\n", encoding="utf-8")
    _replace(target, folder)
