"""The catalogue of known mistakes: every mistake is recognised, alone, and correct code never is.

Each mistake has a known-wrong submission: one exercise file that makes exactly that mistake (the
other files come from reference/), taken from the known-wrong corpus (tests/submissions/wrong/) where
one is there, else from tests/diagnosis/<exercise prefix>_<mistake name>/.
"""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import SharedReferenceGrader, assemble  # reference_grader: a session fixture there
from grader.check import Check
from grader.checks import CHECKS, MISTAKES, mistake_by_id, mistakes_for
from grader.diagnosis import KnownMistake, diagnose, diagnosis_lines, mutant
from grader.evidence import decode
from grader.gradebook import Gradebook
from grader.inprocess import InProcessGrader
from grader.judge import judge
from grader.loader import load_submission
from grader.probe import run_probe
from grader.results import CheckResult

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference"
OVERLAYS = ROOT / "tests" / "diagnosis"
WRONG = ROOT / "tests" / "submissions" / "wrong"
ALT_CORRECT = ROOT / "tests" / "submissions" / "alt_correct"
ALL_CHECKS: tuple[Check, ...] = tuple(c for checks in CHECKS.values() for c in checks)
ALL_MISTAKES: tuple[KnownMistake, ...] = tuple(m for ms in MISTAKES.values() for m in ms)


# Mistakes whose known-wrong submission is already in the known-wrong corpus (tests/submissions/wrong):
# <exercise prefix>_<mistake name> -> mutant folder. The others live in tests/diagnosis/.
IN_WRONG_CORPUS: dict[str, str] = {
    'ex01_activation_missing': 'ex01_no_activation',
    'ex01_default_8': 'ex01_default_hidden_8',
    'ex01_n_hidden_ignored': 'ex01_hardcoded_hidden',
    'ex01_state_dict_shapes': 'ex01_shapes_from_state_dict',
    'ex01_torch_size': 'ex01_torch_size',
    'ex01_transposed_weight': 'ex01_transposed_linear',
    'ex02_bias_cloned': 'ex02_bias_clone',
    'ex02_bias_detached': 'ex02_bias_data',
    'ex02_children_names': 'ex02_module_names',
    'ex02_default_13': 'ex02_default_hidden_13',
    'ex02_n_hidden_ignored': 'ex02_hardcoded_hidden',
    'ex02_state_dict_names': 'ex02_state_dict_keys',
    'ex03_counts_buffers': 'ex03_counts_buffers',
    'ex03_counts_tensors': 'ex03_counts_tensors',
    'ex03_freeze_substring': 'ex03_freeze_substring',
    'ex03_freeze_unfreezes_others': 'ex03_freeze_unfreezes_others',
    'ex03_prefixes_consumed': 'ex03_freeze_iterator_twice',
    'ex03_tied_counted_twice': 'ex03_tied_counted_twice',
    'ex03_trainable_only_ignored': 'ex03_ignores_trainable_only',
    'ex03_vgg_config_a': 'ex03_vgg_config_a',
    'ex03_vgg_no_padding': 'ex03_vgg_no_padding',
    'ex03_vgg_num_classes_ignored': 'ex03_vgg_ignores_num_classes',
    'ex03_vgg_short_classifier': 'ex03_vgg_short_classifier',
    'ex04_copies_values': 'ex04_copies_data',
    'ex04_ignores_arguments': 'ex04_ignores_arguments',
    'ex04_message_without_shapes': 'ex04_message_without_shapes',
    'ex04_mutates_before_raising': 'ex04_mutates_before_raising',
    'ex04_no_bias_check': 'ex04_no_bias_check',
    'ex04_two_linears': 'ex04_two_linears',
    'ex05_book_loop_returns_none': 'ex05_book_loop_prints',
    'ex05_default_lr': 'ex05_default_lr',
    'ex05_loss_after_step': 'ex05_loss_after_step',
    'ex05_losses_as_tensors': 'ex05_losses_as_tensors',
    'ex05_model_not_on_device': 'ex05_model_not_on_device',
    'ex05_no_input_scaling': 'ex05_no_input_scaling',
    'ex05_no_zero_grad': 'ex05_no_zero_grad',
    'ex05_seed_after_model': 'ex05_seed_after_model',
    'ex05_split_arguments_ignored': 'ex05_split_hardcoded',
    'ex05_split_val_last': 'ex05_split_val_last',
    'ex05_step_before_backward': 'ex05_step_before_backward',
    'ex05_val_with_graph': 'ex05_val_with_graph',
    'ex06_includes_frozen': 'ex06_includes_frozen',
    'ex06_no_zero_grad': 'ex06_no_zero_grad',
    'ex06_norms_of_parameters': 'ex06_norms_of_parameters',
    'ex06_norms_tensors': 'ex06_norms_tensors',
    'ex06_returns_grad_itself': 'ex06_returns_grad_itself',
    'ex06_skips_no_grad': 'ex06_skips_no_grad',
    'ex06_zero_grad_after': 'ex06_zero_grad_after',
    'ex07_forward_no_activation': 'ex07_forward_no_activation',
    'ex07_plain_list': 'ex07_plain_list',
    'ex07_sequential_layers': 'ex07_sequential_layers',
    'ex07_tanh_after_last': 'ex07_tanh_after_last',
    'ex08_epoch_tensor': 'ex08_epoch_tensor',
    'ex08_no_optimizer_state': 'ex08_no_optimizer_state',
    'ex08_parameters_replaced': 'ex08_replaces_parameters',
    'ex08_pickled_model': 'ex08_pickles_model',
}


def _overlay_id(mistake: KnownMistake) -> str:
    return f"{mistake.exercise[:4]}_{mistake.name}"


def _overlay(mistake: KnownMistake) -> Path:
    name = _overlay_id(mistake)
    return WRONG / IN_WRONG_CORPUS[name] if name in IN_WRONG_CORPUS else OVERLAYS / name


def test_catalogue_is_large_and_declared_next_to_the_checks():
    assert len(ALL_MISTAKES) >= 30
    assert all(MISTAKES[ex] for ex in CHECKS), "every exercise declares known mistakes"
    for m in ALL_MISTAKES:
        assert m.what and m.hint and m.patch
        assert mistakes_for(next(c for c in CHECKS[m.exercise] if m.explains(c))), m.id


def test_every_mistake_has_a_known_wrong_submission():
    folders = {p.name for p in OVERLAYS.iterdir() if p.is_dir()}
    assert {_overlay_id(m) for m in ALL_MISTAKES} == folders | set(IN_WRONG_CORPUS)
    assert not folders & set(IN_WRONG_CORPUS), "a mistake's submission lives in one place"
    assert all(_overlay(m).is_dir() for m in ALL_MISTAKES)


@pytest.mark.parametrize("mistake", ALL_MISTAKES, ids=_overlay_id)
def test_known_wrong_is_diagnosed_as_that_mistake_only(mistake, reference_grader, tmp_path):
    submission = assemble(tmp_path / _overlay_id(mistake), _overlay(mistake))
    grader = SharedReferenceGrader(submission, reference_grader)
    results = [grader.grade(c) for c in ALL_CHECKS]
    failed = [r for r in results if r.status != "passed"]
    assert failed, "the known-wrong submission must fail a check"
    found = {(r.exercise, d) for r in results for d in r.diagnoses}
    assert found == {(mistake.exercise, mistake.name)}, "\n\n".join(r.message for r in failed)
    diagnosed = [r for r in failed if r.diagnoses]
    for r in diagnosed:
        assert f"  Diagnosis: {mistake.what}" in r.message
        assert f"  Hint: {mistake.hint}" in r.message
        assert r.message.index("Diagnosis:") < r.message.index("Hint:")


def test_every_mistake_changes_what_the_reference_does(reference_grader):
    """A mistake whose mutant passes all its checks could never be diagnosed: an instructor's mistake."""
    for m in ALL_MISTAKES:
        checks = [c for c in CHECKS[m.exercise] if m.explains(c)]
        differs = [c.name for c in checks
                   if judge(c, reference_grader.mistaken(c, m), reference_grader.expected(c),
                            [dict(i) for i in c.inputs]).status != "passed"]
        assert differs, f"{m.id}: the patched reference passes every check it is declared to explain"


@pytest.mark.parametrize("folder", [REFERENCE, ALT_CORRECT], ids=["reference", "alt_correct"])
def test_correct_variants_are_never_diagnosed(folder, reference_grader, tmp_path):
    submission = assemble(tmp_path / folder.name, folder if folder != REFERENCE else None)
    grader = SharedReferenceGrader(submission, reference_grader)
    student = grader._student
    for check in ALL_CHECKS:
        got = [decode(run_probe(check, student, dict(i))) for i in check.inputs]
        expected = reference_grader.expected(check)
        found = diagnose(check, got, expected, lambda m, c=check: reference_grader.mistaken(c, m))
        assert found == (), f"{check.id}: correct code diagnosed as {[m.name for m in found]}"
        assert grader.grade(check).diagnoses == ()


def test_mistaken_evidence_is_computed_only_for_failed_checks():
    calls = []

    class Counting(InProcessGrader):
        def mistaken(self, check, mistake):
            calls.append((check.id, mistake.id))
            return super().mistaken(check, mistake)

    grader = Counting(REFERENCE, REFERENCE)
    assert all(grader.grade(c).status == "passed" for c in ALL_CHECKS)
    assert calls == []


def test_two_fitting_mistakes_are_both_named():
    check = next(c for c in CHECKS["ex01_sequential"] if c.name == "architecture")
    wrong = {"type": "Sequential", "layers": []}
    right = {"type": "Sequential", "layers": [{"name": "0"}]}
    two = [mistake_by_id("ex01_sequential: activation_missing"), mistake_by_id("ex01_sequential: activation_last")]
    result = judge(check, [wrong], [right], [{}],
                   mistaken=lambda m: [wrong] if m in two else [right])
    assert result.diagnoses == ("activation_missing", "activation_last")
    assert "  Diagnosis: 2 known mistakes give exactly this result:" in result.message
    for m in two:
        assert f"    - {m.what}" in result.message
        assert m.hint.rstrip(".") in result.message
    lines, hint = diagnosis_lines(two)
    assert len(lines) == 3 and " Or, if it is the other: " in hint


def test_a_failing_mistaken_evidence_diagnoses_nothing():
    check = next(c for c in CHECKS["ex01_sequential"] if c.name == "architecture")

    def broken(mistake):
        raise RuntimeError("the sandbox is gone")

    result = judge(check, [{"a": 1}], [{"a": 2}], [{}], mistaken=broken)
    assert result.status == "failed" and result.diagnoses == () and "Diagnosis" not in result.message


def test_mutant_is_the_reference_with_one_line_appended():
    reference = load_submission(REFERENCE)
    m = mistake_by_id("ex05_training_loop: no_zero_grad")
    made = mutant(reference, m)
    assert made.sources["ex05_training_loop"].code.startswith(reference.sources["ex05_training_loop"].code)
    assert "apply_mistake" in made.sources["ex05_training_loop"].code
    assert made.sources["ex01_sequential"] == reference.sources["ex01_sequential"]
    assert made.digest != reference.digest


def test_check_result_reads_dicts_without_diagnoses():
    old = {"exercise": "ex01_sequential", "check": "architecture", "title": "t", "points": 0.0, "max_points": 3,
           "status": "failed", "kind": "mismatch", "message": "m"}
    assert CheckResult.from_dict(old).diagnoses == ()
    new = CheckResult.from_dict({**old, "diagnoses": ["transposed_weight"]})
    assert new.diagnoses == ("transposed_weight",)
    assert CheckResult.from_dict(json.loads(json.dumps(new.to_dict()))) == new


def test_gradebook_upgrades_an_old_results_table(tmp_path):
    path = tmp_path / "gradebook.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE submissions (name TEXT PRIMARY KEY, digest TEXT NOT NULL, config TEXT NOT NULL,
            status TEXT NOT NULL, seconds REAL, error TEXT, notes TEXT, layers TEXT);
        CREATE TABLE results (submission TEXT NOT NULL, ord INTEGER NOT NULL, exercise TEXT NOT NULL,
            check_name TEXT NOT NULL, title TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL,
            status TEXT NOT NULL, kind TEXT NOT NULL, message TEXT NOT NULL,
            PRIMARY KEY (submission, exercise, check_name));
        INSERT INTO results VALUES ('old', 0, 'ex01_sequential', 'architecture', 't', 0, 3, 'failed', 'mismatch', 'm');
    """)
    db.commit()
    db.close()
    book = Gradebook(path)
    try:
        assert book.results("old")[0].diagnoses == ()
        r = CheckResult("ex01_sequential", "n_hidden", "t", 0.0, 2, "failed", "mismatch", "m", ("n_hidden_ignored",))
        book.record("new", [r], 0)
        assert book.results("new") == [r]
        book.record_trace("new", "x", [[1.0, 2.0]])
        book.record_trace(None, "x", [[3.0, 4.0]])
        assert book.traces("new") == {"x": [[1.0, 2.0]]} and book.traces(None) == {"x": [[3.0, 4.0]]}
    finally:
        book.close()
