"""Batch grading end to end: `python -m grader grade` in a subprocess, as an instructor runs it.

One class, built in a temporary folder, holds every input form (folder,
`exercises/` layout, zip, notebooks) and every containment case (hang, exit,
segfault, memory, syntax error, empty); it is graded once per module and
the tests read its outputs. Resume, determinism and usage errors run the
command again.
"""
from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from conftest import GRADESCOPE_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "reference"
HEADER = ("submission,ex01_sequential,ex02_named_layers,ex03_count_parameters,ex04_tied_weights,"
          "ex05_training_loop,ex06_gradients,ex07_custom_module,ex08_checkpoints,total,max_total")
FULL = {"ex01_sequential": 10, "ex02_named_layers": 12, "ex03_count_parameters": 14, "ex04_tied_weights": 12,
        "ex05_training_loop": 20, "ex06_gradients": 12, "ex07_custom_module": 12, "ex08_checkpoints": 8}

def _patched(exercise: str, old: str, new: str) -> dict[str, str]:
    text = (REFERENCE / f"{exercise}.py").read_text()
    assert old in text, f"reference/{exercise}.py no longer contains {old!r}"
    return {f"{exercise}.py": text.replace(old, new, 1)}


def _write_submission(folder: Path, overrides: dict[str, str] | None = None, skip: tuple[str, ...] = ()) -> Path:
    folder.mkdir(parents=True)
    for path in REFERENCE.glob("ex0*.py"):
        if path.stem not in skip:
            shutil.copy(path, folder / path.name)
    for name, text in (overrides or {}).items():
        (folder / name).write_text(text)
    return folder


def _notebook(source: str) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("My work"), nbformat.v4.new_code_cell("%matplotlib inline"),
                nbformat.v4.new_code_cell(source)]
    return nbformat.writes(nb)


def build_class(root: Path) -> Path:
    """The test class: one submission per input form and per containment case."""
    cls = root / "class"
    _write_submission(cls / "folder_full")
    repo = cls / "pushed_repo"
    _write_submission(repo / "exercises")
    (repo / "README.md").write_text("my repo\n")
    (repo / ".git").mkdir()
    (repo / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    notebooks = _write_submission(cls / "notebooks", skip=("ex01_sequential", "ex06_gradients"))
    for ex in ("ex01_sequential", "ex06_gradients"):
        (notebooks / f"{ex}.ipynb").write_text(_notebook((REFERENCE / f"{ex}.py").read_text()))
    zipped = _write_submission(root / "zipped")
    with zipfile.ZipFile(cls / "zipped.zip", "w") as zf:
        for path in sorted(zipped.iterdir()):
            zf.write(path, f"zipped/{path.name}")
    (cls / "not_a_zip.zip").write_bytes(b"this is not a zip archive")
    _write_submission(cls / "hangs", _patched("ex04_tied_weights", "    dst.weight = src.weight",
                                               "    while True:\n        pass\n    dst.weight = src.weight"))
    _write_submission(cls / "exits", _patched("ex07_custom_module", "import torch\n", "import torch\nimport os\nos._exit(0)\n"))
    _write_submission(cls / "segfault", _patched("ex06_gradients", '    """', '    import ctypes; ctypes.string_at(0)\n    """'))
    _write_submission(cls / "memory", _patched("ex02_named_layers", '    """', '    import torch; torch.ones(2_000_000_000)\n    """'))
    _write_submission(cls / "syntax", _patched("ex03_count_parameters", "def count_parameters(", "def count_parameters(("))
    (cls / "empty").mkdir()
    (cls / "empty" / ".gitkeep").write_text("")
    _write_submission(cls / "defaults_only", _patched(
        "ex01_sequential", "def build_seq_model(n_hidden: int = 13) -> nn.Sequential:",
        "def build_seq_model(n_hidden: int = 13) -> nn.Sequential:\n    n_hidden = n_hidden if n_hidden in (5, 21) else 13"))
    return cls


def run_grader(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "grader", "grade", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout)


def read_grades(out: Path) -> dict[str, dict[str, float]]:
    with open(out / "grades.csv", newline="") as fh:
        return {row["submission"]: {k: float(v) for k, v in row.items() if k != "submission"}
                for row in csv.DictReader(fh)}


def messages(out: Path, name: str, exercise: str) -> str:
    data = json.loads((out / "results" / f"{name}.json").read_text())
    return "\n".join(t["output"] for t in data["tests"] if t["name"].startswith(exercise) and t["score"] == 0)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("batch")
    cls = build_class(root)
    out = root / "out"
    proc = run_grader(str(cls), "--out", str(out), "--workers", "2", "--timeout", "3", "--device", "cpu")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return cls, out, proc


FORMS = ["folder_full", "pushed_repo", "notebooks", "zipped"]


@pytest.mark.parametrize("name", FORMS)
def test_every_input_form_scores_full_marks(graded, name):
    _, out, _ = graded
    assert read_grades(out)[name]["total"] == 100


def test_notebook_magics_are_dropped_with_a_note(graded):
    _, out, _ = graded
    data = json.loads((out / "results" / "notebooks.json").read_text())
    assert "ex01_sequential.ipynb: 1 IPython magic or shell line(s) dropped" in data["output"]


CONTAINED = [
    # (submission, attacked exercise, substring of every lost check's message)
    ("hangs", "ex04_tied_weights", "time limit"),
    ("exits", "ex07_custom_module", "exited with status 0"),
    ("segfault", "ex06_gradients", "segmentation fault (SIGSEGV)"),
    ("memory", "ex02_named_layers", "allocate"),
    ("syntax", "ex03_count_parameters", "syntax error"),
]


@pytest.mark.parametrize("name, exercise, reason", CONTAINED)
def test_a_failure_costs_its_exercise_only(graded, name, exercise, reason):
    _, out, _ = graded
    row = read_grades(out)[name]
    for ex, full in FULL.items():
        if ex == exercise:
            assert row[ex] < full, f"{name}: {ex} should lose points"
        else:
            assert row[ex] == full, f"{name}: {ex} got {row[ex]}, expected {full}"
    assert reason in messages(out, name, exercise)


def test_hang_costs_at_most_two_timeouts(graded):
    _, out, _ = graded
    text = messages(out, "hangs", "ex04_tied_weights")
    assert text.count("did not finish within the time limit") <= 2
    assert "not run: 2 earlier checks of this exercise timed out" in text


@pytest.mark.parametrize("name, reason", [("empty", "ex01_sequential.py is missing from the submission"),
                                          ("not_a_zip", "is not a valid zip file")])
def test_unreadable_submissions_are_a_clear_row(graded, name, reason):
    _, out, _ = graded
    assert read_grades(out)[name]["total"] == 0
    assert reason in messages(out, name, "ex01_sequential")


def test_hidden_inputs_catch_a_default_only_submission(graded):
    _, out, _ = graded
    row = read_grades(out)["defaults_only"]
    assert row["ex01_sequential"] == 8, "the public n_hidden inputs pass, the hidden ones must not"
    text = messages(out, "defaults_only", "ex01_sequential")
    assert "wrong on a hidden input" in text
    assert "n_hidden=7" not in text, "a hidden input's value must not reach the student"


def test_csv_header_rows_sorted_and_numeric(graded):
    cls, out, _ = graded
    lines = (out / "grades.csv").read_text().splitlines()
    assert lines[0] == HEADER
    names = [line.split(",")[0] for line in lines[1:]]
    assert names == sorted(names)
    assert set(names) == {p.name.removesuffix(".zip") for p in cls.iterdir()}
    for line in lines[1:]:
        values = line.split(",")[1:]
        assert len(values) == 10 and all(float(v) >= 0 for v in values)
        assert float(values[-1]) == 100
        assert abs(sum(float(v) for v in values[:8]) - float(values[8])) < 1e-9


def test_every_results_file_is_gradescope_json(graded):
    cls, out, _ = graded
    files = sorted((out / "results").glob("*.json"))
    assert len(files) == len(list(cls.iterdir()))
    for path in files:
        data = json.loads(path.read_text())
        jsonschema.validate(data, GRADESCOPE_SCHEMA)
        assert all(re.match(r"ex0[1-8]_[a-z_]+: ", t["name"]) for t in data["tests"])
        assert data["score"] == sum(t["score"] for t in data["tests"])
        assert len(data["tests"]) == 42


def test_feedback_written_per_submission(graded):
    _, out, _ = graded
    text = (out / "feedback" / "folder_full.md").read_text()
    assert text.startswith("# Feedback for folder_full") and "**Total: 100/100**" in text
    assert "## ex08_checkpoints: 8/8" in text


def test_log_says_whether_the_network_was_cut(graded):
    _, _, proc = graded
    assert "sandbox: network: " in proc.stderr


def test_second_run_resumes_and_is_deterministic(graded, tmp_path):
    cls, out, _ = graded
    first_csv = (out / "grades.csv").read_bytes()
    proc = run_grader(str(cls), "--out", str(out), "--workers", "2", "--timeout", "3", "--device", "cpu")
    assert proc.returncode == 0
    assert f"resuming: {len(list(cls.iterdir()))} submission(s) already graded" in proc.stderr
    assert (out / "grades.csv").read_bytes() == first_csv

    again = tmp_path / "again"
    proc = run_grader(str(cls), "--out", str(again), "--workers", "1", "--timeout", "3", "--device", "cpu")
    assert proc.returncode == 0
    assert (again / "grades.csv").read_bytes() == first_csv
    for path in (out / "results").glob("*.json"):
        a, b = json.loads(path.read_text()), json.loads((again / "results" / path.name).read_text())
        a.pop("execution_time"), b.pop("execution_time")
        assert a == b, path.name


def test_changed_submission_is_regraded(tmp_path):
    cls = tmp_path / "class"
    _write_submission(cls / "one")
    out = tmp_path / "out"
    assert run_grader(str(cls), "--out", str(out), "--device", "cpu").returncode == 0
    (cls / "one" / "ex01_sequential.py").write_text(_patched("ex01_sequential", "nn.Tanh()", "nn.ReLU()")["ex01_sequential.py"])
    proc = run_grader(str(cls), "--out", str(out), "--device", "cpu")
    assert "resuming" not in proc.stderr
    assert read_grades(out)["one"]["ex01_sequential"] < 10


def test_kill_mid_batch_then_resume(tmp_path):
    cls = tmp_path / "class"
    for i in range(6):
        _write_submission(cls / f"s{i}")
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "grader", "grade", str(cls), "--out", str(out), "--workers", "1",
                             "--device", "cpu", "--progress", "lines"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 120
    first_done = False
    for line in proc.stderr:
        if line.startswith("[2/6]"):
            first_done = True
            break
        assert time.monotonic() < deadline
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert first_done
    again = run_grader(str(cls), "--out", str(out), "--workers", "1", "--device", "cpu")
    assert again.returncode == 0, again.stderr[-2000:]
    resumed = [line for line in again.stderr.splitlines() if line.startswith("resuming: ")]
    assert resumed and int(resumed[0].split()[1]) >= 2
    grades = read_grades(out)
    assert sorted(grades) == [f"s{i}" for i in range(6)]
    assert all(row["total"] == 100 for row in grades.values())


@pytest.mark.parametrize("case", ["missing", "empty", "unwritable"])
def test_usage_errors_exit_non_zero_with_one_line(tmp_path, case):
    if case == "missing":
        args, expect = [str(tmp_path / "nope"), "--out", str(tmp_path / "out")], "no such file or folder"
    elif case == "empty":
        (tmp_path / "cls").mkdir()
        args, expect = [str(tmp_path / "cls"), "--out", str(tmp_path / "out")], "empty class"
    else:
        _write_submission(tmp_path / "cls" / "a")
        blocker = tmp_path / "file"
        blocker.write_text("not a folder")
        args, expect = [str(tmp_path / "cls"), "--out", str(blocker / "out")], "cannot write there"
    proc = run_grader(*args, timeout=120)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0], proc.stderr


def test_help_states_the_limits():
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", "--help"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0
    for option in ("--timeout", "--memory-mb", "--cpu-seconds", "--output-bytes", "--workers", "--regrade"):
        assert option in proc.stdout
    assert "default: 10.0" in proc.stdout
