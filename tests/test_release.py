"""`grader release`: the student repository, what it leaves out, and that it works.

The released tree is built once (real `grader release` command) and then:
searched for every reference function body and every hidden input value
(none found), graded with its own `pytest exercises/` (stubs fail with the
house-shape messages, the reference copied in passes 100/100), and its
Classroom workflow's grading steps are run as GitHub would run them, their
`result` outputs decoded the way the autograding reporter decodes them.
The slow test installs the release in a fresh virtual environment.
"""
from __future__ import annotations

import ast
import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tokenize
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from grader.checks import CHECKS
from grader.evidence import encode
from grader.hidden import HIDDEN_INPUTS
from grader.unit import EXERCISE_IDS

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference"
STUBS = ROOT / "exercises"
PYTHON = sys.executable
SCORE_LINE = re.compile(r"^total\s+(\S+)/(\S+)$", re.M)


def _run(args, cwd, env=None, timeout=600):
    full_env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    full_env.pop("PYTHONPATH", None)
    full_env.update(env or {})
    return subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release") / "params-unit"
    proc = _run([PYTHON, "-m", "grader", "release", "--out", str(out)], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return out


def _copy_release(released: Path, dest: Path, exercises_from: Path | None = None) -> Path:
    shutil.copytree(released, dest, ignore=shutil.ignore_patterns("__pycache__"))
    if exercises_from is not None:
        for ex in EXERCISE_IDS:
            shutil.copyfile(exercises_from / f"{ex}.py", dest / "exercises" / f"{ex}.py")
    return dest


def _files(tree: Path) -> dict[str, str]:
    return {p.relative_to(tree).as_posix(): p.read_text("utf-8") for p in sorted(tree.rglob("*")) if p.is_file()}


# --- what is in the tree --------------------------------------------------------------


def test_release_layout(released):
    files = set(_files(released))
    for ex in EXERCISE_IDS:
        assert f"exercises/{ex}.py" in files and f"exercises/test_{ex}.py" in files
    for needed in ("exercises/conftest.py", "grader/pytest_plugin.py", "grader/classroom.py",
                   "grader/expected_public.json", "README.md", "requirements.txt", "pyproject.toml",
                   ".github/workflows/classroom.yml"):
        assert needed in files, needed
    assert not any(f.startswith("reference/") for f in files)
    for secret in ("hidden", "batch", "sandbox", "jail", "warm", "gradebook", "cli", "__main__", "release",
                   "gradescope", "export", "repos"):
        assert f"grader/{secret}.py" not in files, secret
    for ex in EXERCISE_IDS:  # the stubs are this repository's stubs, byte for byte
        assert (released / "exercises" / f"{ex}.py").read_bytes() == (STUBS / f"{ex}.py").read_bytes()


def test_requirements_pin_torch(released):
    lines = [line for line in (released / "requirements.txt").read_text().splitlines()
             if line and not line.startswith("#")]
    assert "torch==2.13.0" in lines
    assert all("==" in line for line in lines), lines


def _normalise(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _without_comments(source: str) -> str:
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(source).readline) if t.type != tokenize.COMMENT]
        return tokenize.untokenize(tokens)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return source


def _reference_bodies() -> list[tuple[str, str, list[ast.stmt], str]]:
    """(file, qualified name, body statements, normalised body text) for every reference function."""
    bodies = []
    for path in sorted(REFERENCE.glob("*.py")):
        source = path.read_text("utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                body = body[1:]  # the docstring is not the solution
            if not body:
                continue
            text = "\n".join(ast.get_source_segment(source, s) or "" for s in body)
            bodies.append((path.name, node.name, body, _normalise(_without_comments(text))))
    return bodies


def _student_facing_text() -> str:
    """What the course shows students on purpose: the stubs and every check's hints."""
    parts = [p.read_text("utf-8") for p in sorted(STUBS.glob("ex*.py"))]
    for checks in CHECKS.values():
        for c in checks:
            parts += [c.hint, *c.hints.values()]
    return _normalise("\n".join(parts))


def test_no_reference_function_body_in_release(released):
    """Every reference function body, as written and as ast.unparse writes it, searched in every released file.

    The stubs and the check hints spell out a few one-line answers on purpose
    (`return [tuple(p.shape) for p in model.parameters()]`); a body found in the
    release must be one such single statement, already shown to every student.
    Anything longer, or not published on purpose, is a leak.
    """
    bodies = _reference_bodies()
    assert len(bodies) >= 20, "expected the reference's functions"
    texts = {name: (_normalise(text), _normalise(_without_comments(text))) for name, text in _files(released).items()}
    unparsed = {}
    for name, text in _files(released).items():
        if name.endswith(".py"):
            unparsed[name] = _normalise(ast.unparse(ast.parse(text)))
    public = _student_facing_text()
    leaks, published = [], []
    for file, func, body, norm in bodies:
        forms = {norm, _normalise("\n".join(ast.unparse(s) for s in body))}
        where = [name for name, (raw, bare) in texts.items() if any(f in raw or f in bare for f in forms)]
        where += [name for name, text in unparsed.items() if any(f in text for f in forms) and name not in where]
        if not where:
            continue
        one_liner = len(body) == 1
        shown = any(f.removeprefix("return") in public for f in forms)
        (published if one_liner and shown else leaks).append(f"{file}:{func} in {where}")
    assert not leaks, "reference code in the release:\n" + "\n".join(leaks)
    assert len(published) <= 6, published  # the handful of one-liners the stubs and hints give away


def _hidden_forms(key: str, value) -> set[str]:
    forms = {f"{key}={value!r}", f"'{key}':{value!r}", f'"{key}":{json.dumps(encode(value))}'}
    if isinstance(value, tuple):
        forms.add(f'"{key}":{json.dumps(list(value))}')
    return {_normalise(f) for f in forms}


def _occurs(form: str, text: str) -> bool:
    """`form` in `text` as a whole token: `"n_hidden":2` is not found in `"n_hidden":21`."""
    return re.search(rf"(?<![\w.]){re.escape(form)}(?![\w.])", text) is not None


def test_no_hidden_value_in_release(released):
    """Every hidden input set, whole and value by value, searched in the released tree (JSON included).

    A whole input set is searched in every file. A single key=value pair is
    searched in every data file and in the Python files of its own exercise
    (its checks module, stub and test), where it would be the hidden input;
    a pair that is also a public input of some check is shown to students
    anyway and is only searched as part of its whole set.
    """
    public_pairs = {(k, repr(v)) for checks in CHECKS.values() for c in checks for i in c.inputs
                    for k, v in dict(i).items()}
    files = {name: _normalise(text) for name, text in _files(released).items()}
    assert "HIDDEN_INPUTS" not in "".join(files.values())
    found, searched = [], 0
    for check_id, sets in HIDDEN_INPUTS.items():
        exercise = check_id.split(":")[0]
        own = {name: text for name, text in files.items() if not name.endswith(".py") or exercise in name}
        for inputs in sets:
            inputs = dict(inputs)
            whole = {_normalise(repr(inputs)), _normalise(json.dumps(encode(inputs)))}
            if len(inputs) > 1:  # a one-key set written as a call is just its pair, searched below
                whole.add(_normalise(", ".join(f"{k}={v!r}" for k, v in inputs.items())))
            pairs = set()
            for k, v in inputs.items():
                if (k, repr(v)) not in public_pairs:
                    pairs |= _hidden_forms(k, v)
            for forms, where in ((whole, files), (pairs, own)):
                for form in forms:
                    searched += 1
                    hits = [name for name, text in where.items() if _occurs(form, text)]
                    if hits:
                        found.append(f"{check_id}: {form} in {hits}")
    assert searched > 50
    assert not found, "hidden inputs in the release:\n" + "\n".join(found)


def test_expected_values_cover_public_inputs_only(released):
    data = json.loads((released / "grader" / "expected_public.json").read_text())
    ids = {c.id for checks in CHECKS.values() for c in checks}
    assert set(data["checks"]) == ids
    for checks in CHECKS.values():
        for c in checks:
            entry = data["checks"][c.id]
            assert entry["inputs"] == encode([dict(i) for i in c.inputs])  # the public inputs, nothing more
            assert len(entry["evidence"]) == len(c.inputs)


def test_release_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    proc = _run([PYTHON, "-m", "grader", "release", "--out", str(tmp_path)], cwd=ROOT)
    assert proc.returncode == 2
    assert "not empty and not an earlier release" in proc.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine"


def test_release_replaces_an_earlier_release_only_with_force(released, tmp_path):
    again = _copy_release(released, tmp_path / "again")
    proc = _run([PYTHON, "-m", "grader", "release", "--out", str(again)], cwd=ROOT)
    assert proc.returncode == 2 and "--force" in proc.stderr
    proc = _run([PYTHON, "-m", "grader", "release", "--out", str(again), "--force"], cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert _files(again) == _files(released)  # deterministic


# --- the released tree works ----------------------------------------------------------


def _pytest_in(tree: Path, python: str = PYTHON) -> tuple[subprocess.CompletedProcess, tuple[str, str]]:
    proc = _run([python, "-m", "pytest", "exercises/", "-q"], cwd=tree)
    match = SCORE_LINE.search(proc.stdout)
    assert match, proc.stdout[-3000:] + proc.stderr[-2000:]
    return proc, match.groups()


def _check_stub_run(proc, score):
    assert score == ("0", "100")
    assert proc.returncode == 1
    out = proc.stdout
    assert "42 failed" in out
    # the house shape: exercise: what was checked: what happened, then indented at/Hint lines; no traceback
    assert re.search(r"^ex01_sequential: build_seq_model\(\) layers: not implemented yet \(NotImplementedError: ",
                     out, re.M)
    assert re.search(r"^  Hint: replace the `raise NotImplementedError\(\.\.\.\)` line with your code\.$", out, re.M)
    assert "Traceback" not in out and "grader/inprocess.py" not in out
    for ex in EXERCISE_IDS:
        assert re.search(rf"^{ex}\s+0/\d+$", out, re.M), ex


def test_released_stubs_fail_with_house_messages(released, tmp_path):
    tree = _copy_release(released, tmp_path / "student")
    proc, score = _pytest_in(tree)
    _check_stub_run(proc, score)


def test_released_with_reference_copied_in_scores_100(released, tmp_path):
    tree = _copy_release(released, tmp_path / "student", exercises_from=REFERENCE)
    proc, score = _pytest_in(tree)
    assert score == ("100", "100"), proc.stdout[-3000:]
    assert proc.returncode == 0


def test_released_without_expected_file_is_a_usage_error(released, tmp_path):
    tree = _copy_release(released, tmp_path / "student")
    (tree / "grader" / "expected_public.json").unlink()
    proc = _run([PYTHON, "-m", "pytest", "exercises/", "-q"], cwd=tree)
    assert proc.returncode == 4, proc.stdout[-2000:]
    assert "expected_public.json: missing" in proc.stdout + proc.stderr


# --- the GitHub Classroom workflow ------------------------------------------------------


def _workflow_steps(text: str) -> tuple[dict, list[dict]]:
    """A reader for the workflow's own shape: top-level keys and the job's steps (name, id, run, env, with)."""
    top: dict = {}
    steps: list[dict] = []
    section = None
    for raw in text.splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip())
        line = raw.strip()
        if indent == 0:
            key, _, value = line.partition(":")
            top[key.strip("'\"")] = value.strip()
            top.setdefault("_lines", []).append(line)
            continue
        top.setdefault("_body", []).append(raw)
        if line.startswith("- name:") and indent == 6:
            steps.append({"name": line.split(":", 1)[1].strip()})
            section = None
            continue
        if steps and indent == 8:
            key, _, value = line.partition(":")
            if value.strip():
                steps[-1][key] = value.strip()
                section = None
            else:
                section = key
                steps[-1][section] = {}
        elif steps and indent == 10 and section:
            key, _, value = line.partition(":")
            steps[-1][section][key.strip()] = value.strip().strip('"')
    return top, steps


def test_workflow_shape(released):
    text = (released / ".github" / "workflows" / "classroom.yml").read_text()
    top, steps = _workflow_steps(text)
    body = "\n".join(top["_body"])
    assert "  - push" in body and "  - repository_dispatch" in body
    assert re.search(r"^permissions:\n  checks: write\n  actions: read\n  contents: read$", text, re.M)
    assert "if: github.actor != 'github-classroom[bot]'" in text
    grading = [s for s in steps if s.get("id") in EXERCISE_IDS]
    assert [s["id"] for s in grading] == list(EXERCISE_IDS)  # one runner step per exercise
    reporter = steps[-1]
    assert reporter["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert reporter["with"]["runners"] == ",".join(EXERCISE_IDS)
    for ex in EXERCISE_IDS:
        assert reporter["env"][f"{ex.upper()}_RESULTS"] == f"${{{{ steps.{ex}.outputs.result }}}}"


def _run_workflow_grading(tree: Path) -> dict[str, dict]:
    """Run the workflow's grading steps as Actions does (bash, GITHUB_OUTPUT), then decode like the reporter."""
    _, steps = _workflow_steps((tree / ".github" / "workflows" / "classroom.yml").read_text())
    grading = [s for s in steps if s.get("id") in EXERCISE_IDS]
    reporter = steps[-1]
    bin_dir = tree / ".bin"  # `python` on PATH is this interpreter, as setup-python makes it on the runner
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "python").write_text(f'#!/bin/sh\nexec "{PYTHON}" "$@"\n')
    (bin_dir / "python").chmod(0o755)

    def run_step(step: dict) -> dict[str, str]:
        output = tree / f".github_output_{step['id']}"
        output.write_text("")
        proc = _run(["bash", "-e", "-c", step["run"]], cwd=tree,
                    env={"GITHUB_OUTPUT": str(output), "PATH": f"{bin_dir}:{os.environ['PATH']}"})
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
        return outputs

    with ThreadPoolExecutor(max_workers=2) as pool:
        outputs = dict(zip([s["id"] for s in grading], pool.map(run_step, grading)))
    # the reporter step's env: ${{ steps.<id>.outputs.result }} resolved from the step outputs
    env = {}
    for key, expr in reporter["env"].items():
        step_id = re.fullmatch(r"\$\{\{ steps\.(\w+)\.outputs\.result \}\}", expr).group(1)
        env[key] = outputs[step_id]["result"]
    # the reporter: process.env[`${runner.trim().toUpperCase()}_RESULTS`], base64, JSON
    runners = {}
    for runner in reporter["with"]["runners"].split(","):
        encoded = env[f"{runner.strip().upper()}_RESULTS"]
        runners[runner] = json.loads(base64.b64decode(encoded).decode("utf-8"))
    return runners


def _reporter_total(runners: dict[str, dict]) -> tuple[float, float]:
    """NotifyClassroom: sum of max_score over runners that have one, sum of every test's score."""
    total = maximum = 0
    for results in runners.values():
        if not results.get("max_score"):
            continue
        maximum += results["max_score"]
        total += sum(t["score"] for t in results["tests"])
    return total, maximum


def _check_runner_shape(runners: dict[str, dict]) -> None:
    for ex, results in runners.items():
        assert results["version"] == 1
        assert results["status"] in ("pass", "fail", "error")
        assert results["max_score"] == sum(c.points for c in CHECKS[ex])
        assert [t["name"] for t in results["tests"]] == [c.id for c in CHECKS[ex]]
        for test in results["tests"]:
            assert set(test) >= {"name", "status", "score", "message"}
            assert test["status"] in ("pass", "fail", "error")


def test_workflow_grading_steps_reference_100(released, tmp_path):
    tree = _copy_release(released, tmp_path / "student", exercises_from=REFERENCE)
    runners = _run_workflow_grading(tree)
    _check_runner_shape(runners)
    assert all(r["status"] == "pass" for r in runners.values())
    assert _reporter_total(runners) == (100, 100)


def test_workflow_grading_steps_partial_credit(released, tmp_path):
    """Stubs everywhere but ex01 (reference) and a crashing ex02: points per check, the crash a clear result."""
    tree = _copy_release(released, tmp_path / "student")
    shutil.copyfile(REFERENCE / "ex01_sequential.py", tree / "exercises" / "ex01_sequential.py")
    (tree / "exercises" / "ex02_named_layers.py").write_text("import os\nos._exit(3)\n")
    # ex03: the reference with a count that ignores trainable_only: some checks pass, some fail
    ref3 = (REFERENCE / "ex03_count_parameters.py").read_text()
    (tree / "exercises" / "ex03_count_parameters.py").write_text(
        ref3 + "\n\ndef count_parameters(model, trainable_only=False):\n"
               "    return sum(p.numel() for p in model.parameters())\n")
    runners = _run_workflow_grading(tree)
    _check_runner_shape(runners)
    assert runners["ex01_sequential"]["status"] == "pass"
    crashed = runners["ex02_named_layers"]
    assert crashed["status"] == "fail" and all(t["score"] == 0 for t in crashed["tests"])
    assert "stopped without a result" in crashed["tests"][0]["message"]
    ex03 = runners["ex03_count_parameters"]
    scores = [t["score"] for t in ex03["tests"]]
    assert 0 < sum(scores) < ex03["max_score"]  # partial credit within one exercise
    assert {t["status"] for t in ex03["tests"]} == {"pass", "fail"}
    for ex in EXERCISE_IDS[3:]:
        assert runners[ex]["status"] == "fail"
        assert sum(t["score"] for t in runners[ex]["tests"]) == 0
    # the total the reporter sends equals the grader's own sum: `pytest exercises/` on the same tree, with
    # the stub for ex02 (pytest grades in one process, which os._exit would end; both score 0 there)
    shutil.copyfile(STUBS / "ex02_named_layers.py", tree / "exercises" / "ex02_named_layers.py")
    proc, score = _pytest_in(tree)
    total, maximum = _reporter_total(runners)
    assert (f"{total:g}", f"{maximum:g}") == score


# --- a fresh virtual environment ---------------------------------------------------------


def test_release_installs_in_fresh_venv_slow(released, tmp_path):
    """One command installs the release in a new venv; its pytest fails on the stubs and passes the reference."""
    venv = tmp_path / "venv"
    proc = _run([PYTHON, "-m", "venv", str(venv)], cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    python = str(venv / "bin" / "python")
    tree = _copy_release(released, tmp_path / "student")
    proc = _run([python, "-m", "pip", "install", "-q", "-r", "requirements.txt"], cwd=tree, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    version = _run([python, "-c", "import torch; print(torch.__version__)"], cwd=tmp_path)
    assert version.stdout.startswith("2.13.0"), version
    proc, score = _pytest_in(tree, python)
    _check_stub_run(proc, score)
    for ex in EXERCISE_IDS:
        shutil.copyfile(REFERENCE / f"{ex}.py", tree / "exercises" / f"{ex}.py")
    proc, score = _pytest_in(tree, python)
    assert score == ("100", "100"), proc.stdout[-3000:]
    assert proc.returncode == 0
