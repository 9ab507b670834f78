"""The hostile corpus, graded in one batch: every attack is contained, and costs only its own exercise.

`tests/hostile/build.py` lays out one class folder: a clean copy of the
reference (`ref_clean`) and one full submission per case in which a single
exercise attacks the grader while the others are the reference's. The batch
is graded once (`python -m grader grade CLASS --out OUT --workers 2
--timeout 3`, in a subprocess), then again to check that it resumes, and
`ref_clean` is graded alone to check that nothing leaked between
submissions. Each case then asserts what `CASES` says: the attacked
exercise's points and a piece of its message; every other exercise full
marks (ex05's `fit_thermometer` uses the submission's own ex01, so an ex01
case also costs the ex05 checks that use it, as EXERCISES.md says). Where a
case's file gains its solution only if its attack works, full marks there
would be the sign of a breach.

A case whose defence needs a layer this platform lacks (Landlock, seccomp,
cgroups, a network namespace, dropped capabilities) is left out of the batch
when it is dangerous (a fork bomb, killing the grader) and expected to fail
otherwise, and the grader's log says which layers were active.
"""
from __future__ import annotations

import csv
import hashlib
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.checks import CHECKS

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("hostile_build", ROOT / "tests" / "hostile" / "build.py")
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the hostile corpus targets Linux (as CI)")

FULL = {ex: sum(c.points for c in checks) for ex, checks in CHECKS.items()}
EX01_USERS = sum(c.points for c in CHECKS["ex05_training_loop"] if "ex01_sequential" in c.uses)

NOT_IMPL = "not implemented yet"
DIED = "the process running your code died"
TIMEOUT = "did not finish within the time limit"

# case -> (attacked exercise, points it honestly earns, pieces of which its messages must hold one,
#          layers of which one must be active for the case to be contained, {other exercise: points})
# Layers: landlock, seccomp, cgroups, network, capabilities ("" = contained by design, whatever the platform).
CASES: dict[str, tuple[str, float, tuple[str, ...], tuple[str, ...], dict[str, float]]] = {
    # --- the process
    "exit_at_import": ("ex02_named_layers", 0, ("exited with status 0",), (), {}),
    "sysexit_in_function": ("ex01_sequential", 0, ("called sys.exit(0)",), (), {}),
    "os_exit_in_function": ("ex04_tied_weights", 0, ("exited with status 0",), (), {}),
    "systemexit_swallowed": ("ex06_gradients", 0, ("called sys.exit(0)",), (), {}),
    "keyboard_interrupt": ("ex07_custom_module", 0, ("KeyboardInterrupt",), (), {}),
    "infinite_loop": ("ex03_count_parameters", 0, (TIMEOUT,), (), {}),
    "sleep_days": ("ex07_custom_module", 0, (TIMEOUT,), (), {}),
    "ignore_sigterm": ("ex04_tied_weights", 0, (TIMEOUT,), (), {}),
    "fork_bomb": ("ex05_training_loop", 0, (NOT_IMPL,), ("seccomp", "cgroups"), {}),
    "leftover_process": ("ex06_gradients", 0, (NOT_IMPL,), ("seccomp", "cgroups"), {}),
    "close_stdio": ("ex02_named_layers", FULL["ex02_named_layers"], (), (), {}),
    "close_all_fds": ("ex03_count_parameters", 0, (DIED,), (), {}),
    "stdout_flood": ("ex07_custom_module", 0, ("File too large",), (), {}),
    "segfault": ("ex04_tied_weights", 0, ("segmentation fault",), (), {}),
    "memory_bomb": ("ex05_training_loop", 0, ("MemoryError",), (), {}),
    "kill_grader": ("ex08_checkpoints", 0, (NOT_IMPL,), ("seccomp", "landlock"), {}),
    "disk_fill": ("ex05_training_loop", 0, (NOT_IMPL,), (), {}),
    "cgroup_escape": ("ex01_sequential", 0, (NOT_IMPL,), ("landlock",), {}),
    "namespace_escape": ("ex06_gradients", 0, (NOT_IMPL,), ("seccomp", "capabilities"), {}),
    # --- the verdict
    "patch_comparisons": ("ex01_sequential", 1, ("has length 1, expected 3",), (),
                          {"ex05_training_loop": FULL["ex05_training_loop"] - EX01_USERS + 2}),
    "patch_builtins": ("ex02_named_layers", 0, ("replaced builtins", NOT_IMPL), (), {}),
    "tensor_subclass": ("ex06_gradients", 0, ("touched by the grader", "LyingTensor"), (), {}),
    "lying_object": ("ex05_training_loop", 0, ("Liar",), (), {}),
    "nan_inf": ("ex07_custom_module", 6, ("got nan", "nan", "inf"), (), {}),
    "huge_tensor": ("ex01_sequential", 0, ("has length 1, expected 3", "larger than"), (), {}),
    "deep_nesting": ("ex02_named_layers", 0, ("nested", "refers to itself", "returned a dict"), (), {}),
    # --- the files
    "write_outputs": ("ex03_count_parameters", 0, (NOT_IMPL,), ("landlock",), {}),
    "read_secrets": ("ex04_tied_weights", 0, (NOT_IMPL,), ("landlock",), {}),
    "read_parent_memory": ("ex05_training_loop", 0, (NOT_IMPL,), ("capabilities", "landlock"), {}),
    "malicious_pickle": ("ex08_checkpoints", 5, ("weights_only=True",), (), {}),
    "symlink_to_reference": ("ex05_training_loop", 0, ("is a symbolic link",), (), {}),
    "symlink_dir": ("ex06_gradients", 0, ("missing from the submission",), (), {}),
    "zip_symlinks": ("ex04_tied_weights", 0, ("is a symbolic link",), (), {}),
    "zip_bomb": ("ex03_count_parameters", 0, ("zip bomb",), (), {}),
    "zip_traversal": ("ex02_named_layers", 0, ("missing from the submission", "unsafe name"), (), {}),
    # --- the output channel
    "fake_protocol": ("ex07_custom_module", 0, (NOT_IMPL,), (), {}),
    "forge_evidence": ("ex03_count_parameters", 0, (NOT_IMPL,), (), {}),
    "evidence_swap": ("ex01_sequential", 0, (NOT_IMPL,), (), {}),
    # --- the network
    "network_exfil": ("ex02_named_layers", 0, (NOT_IMPL,), ("network", "seccomp", "landlock"), {}),
    # --- the loader
    "shadow_modules": ("ex01_sequential", FULL["ex01_sequential"], (), (), {}),
    "forged_pyc": ("ex01_sequential", 0, (NOT_IMPL,), (), {}),
    "fifo_exercise": ("ex06_gradients", 0, ("not a regular file",), (), {}),
    "notebook_tricks": ("ex07_custom_module", 0, (NOT_IMPL,), (), {}),
}
# Left out of the batch where their layers are missing: they would take the machine, the batch or the
# checkout down with them (write_outputs appends to the reference when nothing stops it).
DANGEROUS = {"fork_bomb", "kill_grader", "write_outputs", "cgroup_escape"}
TIMEOUT_S = "3"
HOSTILE_MARKERS = (b'{"score": 100, "tests": []}', b"hostile was here", b"hostile_escape", b"hostile_tar")


def _active(layers: dict[str, str], name: str) -> bool:
    state = layers.get(name, "")
    if name == "network":
        return state.startswith("cut")
    if name == "cgroups":
        return state.startswith(("active", "joined"))
    if name == "capabilities":
        return state.startswith("all dropped")
    return state.startswith("active")


def _contained_here(case: str, layers: dict[str, str]) -> bool:
    needs = CASES[case][3]
    return not needs or any(_active(layers, n) for n in needs)


def _snapshot(*roots: Path) -> dict[str, str]:
    """path -> content digest (or link target, or file type) for every entry under `roots`."""
    found: dict[str, str] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if d not in ("__pycache__", ".git", ".venv", ".tox")]
            for name in [*filenames, *(d for d in dirnames if (here / d).is_symlink())]:
                path = here / name
                if path.is_symlink():
                    found[str(path)] = "link:" + os.readlink(path)
                elif path.is_file():
                    found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
                else:
                    found[str(path)] = "special"
    return found


class _Listener:
    """A TCP and UDP listener on the loopback that records whatever reaches it (it never should)."""

    def __init__(self) -> None:
        self.received: list[bytes] = []
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.bind(("127.0.0.1", 0))
        self.tcp.listen(8)
        self.tcp.settimeout(0.2)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.tcp.accept()
                with conn:
                    conn.settimeout(1)
                    self.received.append(b"tcp:" + conn.recv(65536))
            except OSError:
                pass
            try:
                self.received.append(b"udp:" + self.udp.recvfrom(65536)[0])
            except OSError:
                pass

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.tcp.close()
        self.udp.close()


def _grade(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "grader", "grade", *args, "--workers", "2", "--timeout", TIMEOUT_S,
                           "--device", "cpu", "--progress", "lines"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1500, stdin=subprocess.DEVNULL)


def _layers_here() -> dict[str, str]:
    from grader.sandbox import Sandbox

    sandbox = Sandbox()
    try:
        return sandbox.start()
    finally:
        sandbox.close()


def _hostile_processes() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            if pid.isdigit() and Path(f"/proc/{pid}/comm").read_text().startswith("hostile-"):
                found.append(pid)
        except OSError:
            pass
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict:
    layers = _layers_here()
    base = tmp_path_factory.mktemp("hostile")
    class_dir, out, canary, alone = base / "class", base / "out", base / "canary", base / "alone"
    listener = _Listener()
    try:
        built = build.build_class(class_dir, out, canary, listener.port)
        left_out = [c for c in DANGEROUS if not _contained_here(c, layers)]
        for case in left_out:
            shutil.rmtree(built.pop(case))
        watched = (ROOT / "grader", ROOT / "reference", ROOT / "exercises", ROOT / "tests")
        before = _snapshot(*watched)
        before_class = _snapshot(class_dir)
        root_files = sorted(p.name for p in ROOT.iterdir())
        started = time.monotonic()
        first = _grade(str(class_dir), "--out", str(out))
        seconds = time.monotonic() - started
        after = _snapshot(*watched)
        after_class = _snapshot(class_dir)
        grades_first = (out / "grades.csv").read_text() if (out / "grades.csv").exists() else ""
        second = _grade(str(class_dir), "--out", str(out))
        clean = _grade(str(class_dir / build.CLEAN), "--out", str(alone))
    finally:
        listener.close()
    return {"layers": layers, "class": class_dir, "out": out, "canary": canary, "alone": alone, "built": built,
            "left_out": left_out, "first": first, "second": second, "clean": clean, "seconds": seconds,
            "before": before, "after": after, "before_class": before_class, "after_class": after_class,
            "root_files": root_files, "grades_first": grades_first, "received": list(listener.received)}


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="") as fh:
        return {row["submission"]: row for row in csv.DictReader(fh)}


def _messages(out: Path, name: str, exercise: str) -> list[str]:
    data = json.loads((out / "results" / f"{name}.json").read_text())
    return [t["output"] for t in data["tests"] if t["name"].startswith(exercise + ":") and t["score"] < t["max_score"]]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 35
    assert set(CASES) == set(build.overlay_cases()) | {"zip_symlinks", "zip_bomb", "zip_traversal",
                                                       "symlink_to_reference", "symlink_dir", "fifo_exercise",
                                                       "forged_pyc", "notebook_tricks"}


def test_batch_completes(corpus: dict) -> None:
    first = corpus["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    rows = _rows(corpus["out"])
    assert set(rows) == set(corpus["built"]), "every submission graded, the tar ignored"
    assert build.TAR_NAME.removesuffix(".tar") not in rows
    assert "sandbox: network: " in first.stderr  # the log says whether the network was cut
    for layer in ("landlock", "seccomp", "cgroups", "capabilities", "limits", "mounts"):
        assert f"sandbox: {layer}: " in first.stderr


def test_batch_resumes(corpus: dict) -> None:
    second = corpus["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    assert f"graded 0, resumed {len(corpus['built'])}" in second.stdout
    assert (corpus["out"] / "grades.csv").read_text() == corpus["grades_first"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_case_contained(corpus: dict, case: str) -> None:
    exercise, points, pieces, needs, others = CASES[case]
    if case in corpus["left_out"]:
        pytest.skip(f"left out: none of {needs} is active here, and the case is dangerous without them")
    if not _contained_here(case, corpus["layers"]):
        pytest.xfail(f"not defended on this platform: none of the layers {needs} is active")
    row = _rows(corpus["out"])[case]
    assert float(row[exercise]) == points, (case, _messages(corpus["out"], case, exercise))
    messages = _messages(corpus["out"], case, exercise)
    if pieces:
        assert any(p in m for p in pieces for m in messages), messages
    expected = dict(FULL)
    if exercise == "ex01_sequential" and points < FULL[exercise]:  # fit_thermometer uses the submission's ex01
        expected["ex05_training_loop"] = FULL["ex05_training_loop"] - EX01_USERS
    expected.update(others)
    for ex, full in expected.items():
        if ex != exercise:
            assert float(row[ex]) == full, (case, ex, _messages(corpus["out"], case, ex))


def test_clean_submission_unaffected(corpus: dict) -> None:
    assert corpus["clean"].returncode == 0, corpus["clean"].stderr[-3000:]
    name = build.CLEAN
    in_batch, alone = _rows(corpus["out"])[name], _rows(corpus["alone"])[name]
    assert in_batch == alone
    assert float(in_batch["total"]) == float(in_batch["max_total"]) == 100

    def result(out: Path) -> dict:
        data = json.loads((out / "results" / f"{name}.json").read_text())
        data.pop("execution_time")
        return data

    assert result(corpus["out"]) == result(corpus["alone"])
    assert (corpus["out"] / "feedback" / f"{name}.md").read_text() == \
           (corpus["alone"] / "feedback" / f"{name}.md").read_text()


def test_nothing_written_outside_out(corpus: dict) -> None:
    if not _active(corpus["layers"], "landlock"):
        pytest.xfail("without Landlock, a root child can write anywhere the grader can")
    # Content comparison would also catch edits made by people working in this checkout meanwhile:
    # look for what the hostile cases write instead (a new file or an appended line with their markers).
    changed = [p for p, digest in corpus["after"].items() if corpus["before"].get(p) != digest]
    touched = [p for p in changed if Path(p).is_file() and any(m in Path(p).read_bytes() for m in HOSTILE_MARKERS)]
    assert touched == [], "the grader package, reference, exercises or tests were written to"
    assert corpus["before_class"] == corpus["after_class"], "the class folder changed"
    assert sorted(p.name for p in ROOT.iterdir()) == corpus["root_files"]
    assert list(corpus["canary"].iterdir()) == [], "a payload (pickle, shadow module, notebook) ran"
    for stray in (corpus["class"].parent / "hostile_escape_x.py", corpus["class"].parent.parent / "hostile_escape_y.py",
                  Path("/tmp/hostile_escape_abs.py"), Path("/tmp/hostile_tar_abs.py"),
                  corpus["class"].parent / "hostile_tar_escape.py"):
        assert not stray.exists(), stray
    out = corpus["out"]
    names = set(corpus["built"])
    assert {p.name for p in (out / "results").iterdir()} == {f"{n}.json" for n in names}
    assert {p.name for p in (out / "feedback").iterdir()} == {f"{n}.md" for n in names}
    assert {p.name for p in out.iterdir()} <= {"grades.csv", "gradebook.sqlite", "gradebook.sqlite-wal",
                                              "gradebook.sqlite-shm", "results", "feedback"}


def test_no_process_left_running(corpus: dict) -> None:
    assert _hostile_processes() == []


def test_nothing_reached_the_network(corpus: dict) -> None:
    if not any(_active(corpus["layers"], n) for n in ("network", "seccomp", "landlock")):
        pytest.xfail("no network namespace, seccomp or Landlock here: the network is not cut")
    assert corpus["received"] == []


def test_layers_recorded_with_each_result(corpus: dict) -> None:
    import sqlite3

    db = sqlite3.connect(corpus["out"] / "gradebook.sqlite")
    try:
        rows = db.execute("SELECT name, layers FROM submissions").fetchall()
    finally:
        db.close()
    assert {name for name, _ in rows} == set(corpus["built"])
    for _, layers in rows:
        recorded = json.loads(layers)
        assert {"network", "landlock", "seccomp", "cgroups", "limits"} <= set(recorded)
