"""Pushed repositories: `grader grade LIST.txt`, with real git repositories made here.

`ada` is a local repository (stubs first, the reference a week later, a tag
on the first commit, a submodule that must not be followed), `ben` is
reached by a file:// URL, `carl` does not exist: his row says why.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader.repos import RepoError, parse_list, prepare
from grader.unit import EXERCISE_IDS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
PYTHON = sys.executable

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def git(repo: Path, *args: str, date: str = "2024-09-01T12:00:00+00:00") -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="Student", GIT_AUTHOR_EMAIL="s@example.org",
               GIT_COMMITTER_NAME="Student", GIT_COMMITTER_EMAIL="s@example.org",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_CONFIG_NOSYSTEM="1")
    proc = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "protocol.file.allow=always", *args],
                          cwd=repo, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def commit_files(repo: Path, source: Path, folder: str, date: str, message: str) -> str:
    target = repo / folder if folder else repo
    target.mkdir(parents=True, exist_ok=True)
    for ex in EXERCISE_IDS:
        shutil.copyfile(source / f"{ex}.py", target / f"{ex}.py")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def repos(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("repos")
    secret = base / "secret"
    secret.mkdir()
    git(secret, "init", "-q")
    (secret / "ex01_sequential.py").write_text("raise SystemExit('a submodule was followed')\n")
    git(secret, "add", "-A")
    git(secret, "commit", "-q", "-m", "secret")

    ada = base / "ada"
    ada.mkdir()
    git(ada, "init", "-q")
    first = commit_files(ada, STUBS, "exercises", "2024-09-01T12:00:00+00:00", "start")
    git(ada, "tag", "v-start")
    git(ada, "submodule", "add", "-q", str(secret), "vendor/secret", date="2024-09-02T12:00:00+00:00")
    git(ada, "commit", "-q", "-m", "submodule", date="2024-09-02T12:00:00+00:00")
    second = commit_files(ada, REFERENCE, "exercises", "2024-09-10T12:00:00+00:00", "done")

    ben = base / "ben.git"
    work = base / "ben-work"
    work.mkdir()
    git(work, "init", "-q")
    commit_files(work, REFERENCE, "", "2024-09-03T12:00:00+00:00", "all at once")
    git(base, "clone", "-q", "--bare", str(work), str(ben))

    listing = base / "class.txt"
    listing.write_text(f"# the class\n{ada}\nfile://{ben}   # by URL\n\n{base / 'carl'}\n")
    return {"base": base, "ada": ada, "ben": ben, "list": listing, "first": first, "second": second}


def test_parse_list(repos):
    specs = parse_list(repos["list"])
    assert [s.name for s in specs] == ["ada", "ben", "carl"]
    assert specs[1].source == f"file://{repos['ben']}" and specs[1].ref == ""
    dup = repos["base"] / "dup.txt"
    dup.write_text(f"{repos['ada']}\n{repos['ada']} v-start\n")
    with pytest.raises(RepoError, match="graded as 'ada', like line 1"):
        parse_list(dup)


def test_prepare_tag_and_deadline(repos, tmp_path):
    listing = tmp_path / "tagged.txt"
    listing.write_text(f"{repos['ada']} v-start\n")
    folder = prepare(listing, log=lambda line: None)
    manifest = json.loads((folder / "checkouts.json").read_text())
    assert manifest["repositories"][0]["commit"] == repos["first"]
    assert (folder / "ada" / "exercises" / "ex01_sequential.py").read_text() == \
        (STUBS / "ex01_sequential.py").read_text()

    listing.write_text(f"{repos['ada']}\n")
    folder = prepare(listing, before="2024-09-05T00:00:00+00:00", log=lambda line: None)
    ada = json.loads((folder / "checkouts.json").read_text())["repositories"][0]
    assert ada["commit"] != repos["second"] and ada["committed"].startswith("2024-09-02")
    assert not any((folder / "ada" / "vendor" / "secret").iterdir())  # the submodule is not followed

    folder = prepare(listing, before="2024-08-01T00:00:00+00:00", log=lambda line: None)
    ada = json.loads((folder / "checkouts.json").read_text())["repositories"][0]
    assert "no commit before 2024-08-01" in ada["error"]


def _grade(listing: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "grader", "grade", str(listing), "--out", str(out), "--workers", "2",
                           "--progress", "lines", *extra], cwd=ROOT, capture_output=True, text=True, timeout=600)


def _grades(out: Path) -> dict[str, dict]:
    with open(out / "grades.csv", newline="") as fh:
        return {row["submission"]: row for row in csv.DictReader(fh)}


def test_grade_a_list_of_repositories(repos, tmp_path):
    proc = _grade(repos["list"], tmp_path / "out")
    assert proc.returncode == 0, proc.stderr[-3000:]
    grades = _grades(tmp_path / "out")
    assert set(grades) == {"ada", "ben", "carl"}
    assert grades["ada"]["total"] == "100" and grades["ben"]["total"] == "100"
    assert grades["carl"]["total"] == "0"  # a row, not a crash
    feedback = (tmp_path / "out" / "feedback" / "carl.md").read_text()
    assert "could not clone" in feedback and "nothing was graded" in feedback
    assert "repos: carl: could not clone" in proc.stderr


def test_grade_with_deadline(repos, tmp_path):
    proc = _grade(repos["list"], tmp_path / "out", "--before", "2024-09-05T00:00:00+00:00")
    assert proc.returncode == 0, proc.stderr[-3000:]
    grades = _grades(tmp_path / "out")
    assert grades["ada"]["total"] == "0"  # the stubs: the reference came after the deadline
    assert grades["ben"]["total"] == "100"
    assert grades["carl"]["total"] == "0"


@pytest.mark.parametrize("args, message", [
    (("--before", "last friday"), "not an ISO 8601 date"),
])
def test_usage_errors(repos, tmp_path, args, message):
    proc = _grade(repos["list"], tmp_path / "out", *args)
    assert proc.returncode == 2 and message in proc.stderr


def test_before_needs_a_list(tmp_path):
    proc = _grade(ROOT / "examples" / "class", tmp_path / "out", "--before", "2024-09-05")
    assert proc.returncode == 2 and "applies to a .txt list of repositories" in proc.stderr
