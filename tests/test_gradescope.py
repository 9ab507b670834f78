"""`grader gradescope`: the autograder zip, and its run_autograder in a folder laid out like Gradescope's.

The archive is built with the real command, unpacked into `ROOT/source`,
`run_autograder` copied to `ROOT/` (as Gradescope does), the upload put in
`ROOT/submission`, and `run_autograder` run with `AUTOGRADER_ROOT=ROOT`.
Every results.json is validated against a JSON Schema of Gradescope's
specification.
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import jsonschema
import nbformat
import pytest

from conftest import GRADESCOPE_SCHEMA
from grader.checks import CHECKS
from grader.unit import EXERCISE_IDS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
PYTHON = sys.executable

ALL_CHECK_IDS = [c.id for ex in EXERCISE_IDS for c in CHECKS[ex]]


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    proc = subprocess.run([PYTHON, "-m", "grader", "gradescope", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return out


def _gradescope_root(autograder_zip: Path, root: Path) -> Path:
    """ROOT/source (the unpacked zip), ROOT/run_autograder, ROOT/submission, ROOT/results, as Gradescope has them."""
    (root / "source").mkdir(parents=True)
    with zipfile.ZipFile(autograder_zip) as archive:
        for info in archive.infolist():
            archive.extract(info, root / "source")
            mode = info.external_attr >> 16
            if mode:
                os.chmod(root / "source" / info.filename, stat.S_IMODE(mode))
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    return root


def _run_autograder(root: Path) -> tuple[subprocess.CompletedProcess, dict]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": PYTHON})
    proc = subprocess.run([str(root / "run_autograder")], cwd=root, env=env, capture_output=True, text=True,
                          timeout=300)
    results = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(results, GRADESCOPE_SCHEMA)
    return proc, results


def _tests(results: dict) -> dict[str, dict]:
    return {t["name"]: t for t in results["tests"]}


def test_zip_layout(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        infos = {i.filename: i for i in archive.infolist()}
        setup = archive.read("setup.sh").decode()
        requirements = archive.read("requirements.txt").decode()
    for script in ("setup.sh", "run_autograder"):
        assert script in infos, "setup.sh and run_autograder sit at the root of the archive"
        assert stat.S_IMODE(infos[script].external_attr >> 16) & 0o111, f"{script} is executable"
    assert "torch==2.13.0" in requirements.splitlines()
    assert "https://download.pytorch.org/whl/cpu" in setup and "-r requirements.txt" in setup
    assert "grader/hidden.py" in infos  # Gradescope grades with the hidden inputs
    assert {f"reference/{ex}.py" for ex in EXERCISE_IDS} <= set(infos)
    assert not any("__pycache__" in name for name in infos)


def test_reference_upload_scores_full_marks(autograder_zip, tmp_path):
    root = _gradescope_root(autograder_zip, tmp_path / "autograder")
    for ex in EXERCISE_IDS:
        shutil.copyfile(REFERENCE / f"{ex}.py", root / "submission" / f"{ex}.py")
    proc, results = _run_autograder(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results["score"] == 100 and results["max_score"] == 100
    assert [t["name"] for t in results["tests"]] == ALL_CHECK_IDS
    assert all(t["status"] == "passed" and t["score"] == t["max_score"] for t in results["tests"])
    assert "total                   100/100" in results["output"]


def test_stubs_uploaded_as_zip_score_zero(autograder_zip, tmp_path):
    root = _gradescope_root(autograder_zip, tmp_path / "autograder")
    with zipfile.ZipFile(root / "submission" / "homework.zip", "w") as archive:
        for ex in EXERCISE_IDS:
            archive.write(STUBS / f"{ex}.py", f"my-homework/exercises/{ex}.py")
    proc, results = _run_autograder(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results["score"] == 0 and results["max_score"] == 100
    tests = _tests(results)
    assert all(t["status"] == "failed" for t in tests.values())
    assert "not implemented yet (NotImplementedError" in tests["ex01_sequential: architecture"]["output"]


def test_broken_upload_notebook_and_syntax_error(autograder_zip, tmp_path):
    """ex01 as a notebook (full marks), ex02 with a syntax error, the rest missing, a stray file beside them."""
    root = _gradescope_root(autograder_zip, tmp_path / "autograder")
    folder = root / "submission" / "upload"  # a folder inside the upload is found
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# ex01"),
                nbformat.v4.new_code_cell("%matplotlib inline\n" + (REFERENCE / "ex01_sequential.py").read_text())]
    nbformat.write(nb, str(folder / "ex01_sequential.ipynb"))
    (folder / "ex02_named_layers.py").write_text("def build_named_model(:\n    pass\n")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.4 not really")
    proc, results = _run_autograder(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    tests = _tests(results)
    assert results["score"] == sum(c.points for c in CHECKS["ex01_sequential"])
    assert all(tests[c.id]["status"] == "passed" for c in CHECKS["ex01_sequential"])
    assert "syntax error" in tests["ex02_named_layers: architecture"]["output"]
    assert "missing" in tests["ex08_checkpoints: roundtrip"]["output"]
    assert "dropped" in results["output"]  # the notebook's magic line, noted


def test_empty_upload_is_a_clear_zero(autograder_zip, tmp_path):
    root = _gradescope_root(autograder_zip, tmp_path / "autograder")
    (root / "submission" / "readme.txt").write_text("oops, wrong file")
    proc, results = _run_autograder(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results["score"] == 0 and results["max_score"] == 100
    assert len(results["tests"]) == len(ALL_CHECK_IDS)
    first = results["tests"][0]["output"]
    assert "no exercise files in your upload" in first and "readme.txt" in first


HOSTILE = '''
import glob, json, os

FAKE = {"score": 1000, "max_score": 100, "output": "pwned", "tests": []}


def _roots():
    roots = {"/autograder"}
    for env in glob.glob("/proc/*/environ"):
        try:
            data = open(env, "rb").read().split(b"\\0")
        except OSError:
            continue
        for item in data:
            if item.startswith(b"AUTOGRADER_ROOT="):
                roots.add(item.split(b"=", 1)[1].decode())
    return roots


for root in _roots():
    try:
        os.makedirs(os.path.join(root, "results"), exist_ok=True)
        with open(os.path.join(root, "results", "results.json"), "w") as fh:
            json.dump(FAKE, fh)
    except OSError:
        pass

import torch
torch.allclose = lambda *a, **k: True
torch.equal = lambda *a, **k: True
print("x" * 100000)


class _Liar:
    def __eq__(self, other):
        return True


def build_seq_model(n_hidden=13):
    return _Liar()


def parameter_shapes(model):
    raise SystemExit(0)
'''


def test_hostile_upload_cannot_write_its_score(autograder_zip, tmp_path):
    root = _gradescope_root(autograder_zip, tmp_path / "autograder")
    for ex in EXERCISE_IDS:
        shutil.copyfile(STUBS / f"{ex}.py", root / "submission" / f"{ex}.py")
    (root / "submission" / "ex01_sequential.py").write_text(HOSTILE)
    proc, results = _run_autograder(root)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert results["score"] == 0, results["output"]
    assert results["max_score"] == 100 and len(results["tests"]) == len(ALL_CHECK_IDS)
    assert "pwned" not in json.dumps(results)
    assert all(t["status"] == "failed" for t in results["tests"])
