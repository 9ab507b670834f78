"""Smoke test of the benchmark (bench/grade_class.py): it runs end to end on a tiny class and writes its JSON.

No timing is asserted here: the numbers are the benchmark's business, run by a person
(`python bench/grade_class.py --n 200`). This only checks that the benchmark works and reports
every field the README's "Performance" section is written from.
"""
from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

sys.path.insert(0, str(BENCH))
import classgen  # noqa: E402


def test_classgen_is_deterministic_and_mixed(tmp_path: Path) -> None:
    first = classgen.generate(tmp_path / "one", 40, seed=3)
    again = classgen.generate(tmp_path / "two", 40, seed=3)
    assert [vars(p) for p in first] == [vars(p) for p in again]
    for a in sorted((tmp_path / "one").rglob("*")):
        b = tmp_path / "two" / a.relative_to(tmp_path / "one")
        assert b.exists() and (a.is_dir() or a.read_bytes() == b.read_bytes()), a
    summary = classgen.summary(first)
    assert set(summary["forms"]) == {"folder", "repo", "notebook", "zip"}
    assert set(summary["kinds"]) == {"correct", "wrong", "partial"}
    assert summary["mutations_skipped"] == [], "a mutation no longer applies to reference/: update bench/classgen.py"
    zips = sorted((tmp_path / "one").glob("*.zip"))
    assert zips and all(zipfile.ZipFile(z).testzip() is None for z in zips)


def test_every_mutation_applies_and_changes_the_source() -> None:
    reference = classgen.reference_sources()
    for ex, mutations in classgen.MUTATIONS.items():
        for name, edits in mutations.items():
            changed = classgen.apply_mutation(reference[ex], edits)
            assert changed is not None and changed != reference[ex], f"{ex}: {name}"
            compile(changed, f"{ex}.py", "exec")  # wrong, never broken


def test_generate_refuses_to_replace_a_foreign_folder(tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("not a class")
    with pytest.raises(FileExistsError):
        classgen.generate(tmp_path, 1)
    assert (tmp_path / "mine.txt").exists()


@pytest.mark.timeout(180)
def test_benchmark_runs_and_reports(tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    run = subprocess.run(
        [sys.executable, str(BENCH / "grade_class.py"), "--n", "3", "--skip-naive", "--skip-startup",
         "--workdir", str(tmp_path / "work"), "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=170,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(out.read_text())
    for key in ("schema", "command", "when", "machine", "n", "workers", "class", "a_naive", "b_grader", "c_floor",
                "startup", "ratios", "cpu_ratios", "checks"):
        assert key in result, key
    assert result["n"] == 3 and result["workers"] == 2 and result["a_naive"] is None
    for key in ("cpu_model", "cpus_usable", "memory_gb", "python", "torch", "load_before", "load_after"):
        assert key in result["machine"], key
    b = result["b_grader"]
    assert b["graded"] == 3 and b["wall_s"] > 0
    for key in ("job_peak_rss_mb", "job_peak_private_mb", "forkserver_peak_rss_mb", "main_peak_rss_mb",
                "tree_peak_pss_mb", "job_children_seen"):
        assert key in b["memory"], key
    assert b["memory"]["job_children_seen"] > 0
    assert result["c_floor"]["floor_s"] > 0 and result["c_floor"]["probe_calls"] > 0
    assert result["startup"] is None  # skipped here: it alone takes a pytest run and a torch import
    for key in ("a_over_b", "b_over_c", "pytest_reference_over_import_torch", "peak_memory_per_worker_mb"):
        assert set(result["ratios"][key]) == {"value", "target", "met"}, key
    assert result["ratios"]["a_over_b"]["value"] is None  # naive skipped
    assert result["ratios"]["b_over_c"]["value"] > 0 and result["cpu_ratios"]["b_over_c"] > 0
    assert "b/c" in run.stdout and "peak memory per worker" in run.stdout
