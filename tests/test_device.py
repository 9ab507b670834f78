"""Devices: `--device auto|cpu|cuda` on CPU-only machines, and grading on CUDA when a GPU is present.

The `cuda`-marked tests skip cleanly without a GPU (CI has none); on a GPU
machine they show the reference scoring 100 on CUDA, probes really running
there, and the same points and messages on CPU and CUDA for every known-wrong
submission and for the sample class.
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from conftest import REFERENCE, ROOT, WRONG, assemble, grade_all
from grader.device import resolve_device
from grader.inprocess import InProcessGrader

HAS_CUDA = torch.cuda.device_count() > 0
cuda = pytest.mark.skipif(not HAS_CUDA, reason="no CUDA GPU visible (torch.cuda.device_count() == 0)")


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _grade_all(submission: Path, device: str) -> dict[str, tuple]:
    """{check id: (points, status, message)} on `device`: what parity compares."""
    graded = grade_all(InProcessGrader(submission, REFERENCE, device))
    return {cid: (r.points, r.status, r.message) for cid, r in graded.items()}


def test_cpu_and_auto_resolve_without_asking_cuda_to_initialise():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device("auto") == ("cuda" if HAS_CUDA else "cpu")
    with pytest.raises(ValueError, match="expected one of auto, cpu, cuda"):
        resolve_device("tpu")


@pytest.mark.skipif(HAS_CUDA, reason="a GPU is present")
def test_cuda_without_a_gpu_is_a_clear_usage_error(tmp_path):
    with pytest.raises(ValueError, match="no CUDA GPU is visible"):
        resolve_device("cuda")
    proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(REFERENCE), "--out", str(tmp_path / "o"),
                           "--device", "cuda"], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "grader: --device cuda: device='cuda' but no CUDA GPU is visible (torch.cuda.device_count() == 0)"]


def test_ignoring_the_device_argument_fails_on_cpu_machines_too(tmp_path):
    """fit_thermometer(device=...) is checked with the meta device, which every machine has."""
    results = _grade_all(assemble(tmp_path / "s", WRONG / "ex05_model_not_on_device"), "cpu")
    points, status, message = results["ex05_training_loop: fit_device"]
    assert (points, status) == (0, "failed")
    assert "'meta'" in message and "Hint:" in message


@cuda
@pytest.mark.cuda
def test_reference_scores_100_on_cuda():
    proc = subprocess.run([sys.executable, "-m", "pytest", "exercises/", "--submission", "reference", "--device",
                           "cuda", "-q", "-p", "no:cacheprovider"], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert any(line.split() == ["total", "100/100"] for line in proc.stdout.splitlines())


@cuda
@pytest.mark.cuda
def test_probes_run_on_the_chosen_device(tmp_path):
    """A training loop that refuses CPU tensors passes only if the probes hand it CUDA tensors."""
    text = (REFERENCE / "ex05_training_loop.py").read_text()
    marker = "    history: list[tuple[float, float]] = []"
    assert marker in text
    guarded = text.replace(marker, "    assert t_u_train.device.type == 'cuda', t_u_train.device\n" + marker, 1)
    sub = assemble(tmp_path / "s")
    (sub / "ex05_training_loop.py").write_text(guarded)
    results = _grade_all(sub, "cuda")
    assert results["ex05_training_loop: loop_history"][1] == "passed"


@cuda
@pytest.mark.cuda
@pytest.mark.parametrize("mutant", sorted(p.name for p in WRONG.iterdir() if p.is_dir()) + ["<reference>"])
def test_same_points_and_messages_on_cpu_and_cuda(tmp_path, mutant):
    sub = REFERENCE if mutant == "<reference>" else assemble(tmp_path / "s", WRONG / mutant)
    assert _grade_all(sub, "cpu") == _grade_all(sub, "cuda")


@cuda
@pytest.mark.cuda
def test_sample_class_grades_the_same_on_cpu_and_cuda(tmp_path):
    grades = {}
    for device in ("cpu", "cuda"):
        out = tmp_path / device
        proc = subprocess.run([sys.executable, "-m", "grader", "grade", str(ROOT / "examples" / "class"), "--out",
                               str(out), "--device", device, "--timeout", "5"], cwd=ROOT, env=_env(),
                              capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stderr[-3000:]
        with open(out / "grades.csv", newline="") as fh:
            grades[device] = list(csv.reader(fh))
    assert grades["cpu"] == grades["cuda"]


def test_cuda_jobs_are_not_capped_by_address_space():
    """CUDA reserves tens of GiB of virtual memory at start: a CUDA child gets no RLIMIT_AS (its cgroup caps it)."""
    import json
    import resource

    code = ("import resource, json, sys; from grader.jail import _set_rlimits; from grader.sandbox import Limits;"
            "text = _set_rlimits(Limits(), address_space=sys.argv[1] == 'cpu');"
            "print(json.dumps([text, resource.getrlimit(resource.RLIMIT_AS)[0]]))")
    for device, capped in (("cpu", True), ("cuda", False)):
        proc = subprocess.run([sys.executable, "-c", code, device], cwd=ROOT, env=_env(), capture_output=True,
                              text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        text, soft = json.loads(proc.stdout)
        assert ("RLIMIT_AS" in text.split(" (")[0]) is capped
        assert (soft != resource.RLIM_INFINITY) is capped
