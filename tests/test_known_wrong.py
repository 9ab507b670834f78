"""Known-wrong submissions: every check fails on a realistic mistake, and a mistake fails only its checks.

Each mutant under tests/submissions/wrong/<mutant>/ holds ONE exercise file: a
copy of reference/<exercise>.py with one realistic student mistake (its
docstring names it). The test assembles a full submission (the reference
files with the mutant's file on top), grades all declared checks once per
mutant, and asserts that

* the checks that do not pass are exactly MUTANTS[mutant] (every other check
  passes with full points, so the mutant loses exactly those checks' points);
* they all belong to the mutant's exercise, or to a check that declares it
  `uses` that exercise (ex05's fit_thermometer builds the submission's own
  ex01 model);
* they are reported as the student's mistake (status 'failed', never an
  internal 'error');
* their messages are deterministic and equal tests/golden/<mutant>.txt.

Golden files: to (re)write them after an intended change of a message, run

    UPDATE_GOLDEN=1 python -m pytest tests/test_known_wrong.py

and review the diff of tests/golden/ before committing it.

GRADER_BUGS lists mutants whose mistake the grader reports as an internal
error (strict xfail: fixing the grader makes it XPASS; then drop the entry and
update the golden file). A realistic mistake that no check catches does not
belong in MUTANTS (its expected set would be empty): report it instead.
"""
from __future__ import annotations

import difflib
import os
import re
import warnings

import pytest
import torch

from conftest import ALL_IDS, GOLDEN, REFERENCE, WRONG, Grading, assemble, exercise_files
from grader.checks import CHECKS, TOTAL_POINTS, check_by_id
from grader.inprocess import InProcessGrader
from grader.results import total_score

UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"


def fails(exercise: str, *names: str) -> set[str]:
    for name in names:
        check_by_id(f"{exercise}: {name}")  # KeyError on a typo in the table
    return {f"{exercise}: {name}" for name in names}


E1, E2, E3, E4 = "ex01_sequential", "ex02_named_layers", "ex03_count_parameters", "ex04_tied_weights"
E5, E6, E7, E8 = "ex05_training_loop", "ex06_gradients", "ex07_custom_module", "ex08_checkpoints"
FIT_FROM_EX01 = fails(E5, "fit_defaults", "fit_early", "fit_converges")  # fit_thermometer uses the student's ex01

MUTANTS: dict[str, set[str]] = {
    # ex01_sequential
    "ex01_transposed_linear": fails(E1, "architecture", "n_hidden", "forward_shape") | FIT_FROM_EX01,
    "ex01_no_activation": fails(E1, "architecture", "n_hidden") | FIT_FROM_EX01,
    "ex01_hardcoded_hidden": fails(E1, "n_hidden"),
    "ex01_default_hidden_8": fails(E1, "architecture"),
    "ex01_torch_size": fails(E1, "shapes_default", "shapes_any_model"),
    "ex01_shapes_from_state_dict": fails(E1, "shapes_any_model"),
    # ex02_named_layers
    "ex02_default_hidden_13": fails(E2, "architecture"),
    "ex02_wrong_layer_name": fails(E2, "architecture", "n_hidden"),
    "ex02_hardcoded_hidden": fails(E2, "n_hidden"),
    "ex02_module_names": fails(E2, "names_named", "names_nested"),
    "ex02_state_dict_keys": fails(E2, "names_nested"),
    "ex02_bias_data": fails(E2, "output_bias_identity"),
    "ex02_bias_clone": fails(E2, "output_bias_identity"),
    # ex03_count_parameters
    "ex03_counts_tensors": fails(E3, "count_plain", "count_tied", "count_buffers", "count_trainable"),
    "ex03_tied_counted_twice": fails(E3, "count_tied"),
    "ex03_counts_buffers": fails(E3, "count_buffers"),
    "ex03_counts_state_dict": fails(E3, "count_tied", "count_buffers", "count_trainable"),
    "ex03_ignores_trainable_only": fails(E3, "count_trainable"),
    "ex03_freeze_substring": fails(E3, "freeze"),
    "ex03_freeze_iterator_twice": fails(E3, "freeze"),
    "ex03_freeze_unfreezes_others": fails(E3, "freeze"),
    "ex03_vgg_config_a": fails(E3, "vgg16_count", "vgg16_num_classes", "vgg16_structure"),
    "ex03_vgg_short_classifier": fails(E3, "vgg16_count", "vgg16_num_classes"),
    "ex03_vgg_default_classes_10": fails(E3, "vgg16_count"),
    "ex03_vgg_ignores_num_classes": fails(E3, "vgg16_num_classes"),
    "ex03_vgg_no_padding": fails(E3, "vgg16_structure"),
    "ex03_vgg_unnamed": fails(E3, "vgg16_structure"),
    # ex04_tied_weights
    "ex04_two_linears": fails(E4, "structure", "arguments"),
    "ex04_swapped_defaults": fails(E4, "structure"),
    "ex04_ignores_arguments": fails(E4, "arguments"),
    "ex04_copies_data": fails(E4, "tie_shares"),
    "ex04_no_checks": fails(E4, "tie_shape_error", "tie_bias_error"),
    "ex04_message_without_shapes": fails(E4, "tie_shape_error"),
    "ex04_no_bias_check": fails(E4, "tie_bias_error"),
    "ex04_mutates_before_raising": fails(E4, "tie_bias_error"),
    # ex05_training_loop
    "ex05_split_seed_42": fails(E5, "split_default"),
    "ex05_split_hardcoded": fails(E5, "split_arguments", "fit_early"),
    "ex05_split_ignores_fraction": fails(E5, "split_arguments"),
    "ex05_split_val_last": fails(E5, "split_default", "split_arguments", "fit_defaults", "fit_early", "fit_converges"),
    "ex05_no_zero_grad": fails(E5, "loop_history", "fit_early", "fit_converges"),
    "ex05_step_before_backward": fails(E5, "loop_history", "fit_defaults", "fit_early", "fit_converges"),
    "ex05_loss_after_step": fails(E5, "loop_history", "fit_defaults", "fit_early"),
    "ex05_val_with_graph": fails(E5, "loop_val_no_graph"),
    "ex05_losses_as_tensors": fails(E5, "loop_returns_floats"),
    "ex05_book_loop_prints": fails(E5, "loop_returns_floats", "loop_history", "fit_defaults", "fit_early",
                                   "fit_converges", "fit_device"),
    "ex05_no_input_scaling": fails(E5, "fit_defaults", "fit_early", "fit_converges"),
    "ex05_seed_after_model": fails(E5, "fit_early"),
    "ex05_model_not_on_device": fails(E5, "fit_device"),
    "ex05_default_lr": fails(E5, "fit_defaults", "fit_early"),
    "ex05_default_epochs": fails(E5, "fit_defaults"),
    # ex06_gradients
    "ex06_skips_no_grad": fails(E6, "values", "repeatable"),
    "ex06_includes_frozen": fails(E6, "values", "repeatable"),
    "ex06_no_zero_grad": fails(E6, "repeatable"),
    "ex06_returns_grad_itself": fails(E6, "detached"),
    "ex06_zero_grad_after": fails(E6, "repeatable", "detached"),
    "ex06_norms_tensors": fails(E6, "norms"),
    "ex06_norms_of_parameters": fails(E6, "norms"),
    # ex07_custom_module
    "ex07_wrong_attribute": fails(E7, "subclass_structure"),
    "ex07_forward_no_activation": fails(E7, "subclass_forward"),
    "ex07_plain_list": fails(E7, "mlp_structure", "mlp_forward"),
    "ex07_sequential_layers": fails(E7, "mlp_structure"),
    "ex07_tanh_after_last": fails(E7, "mlp_forward"),
    # ex08_checkpoints
    "ex08_no_optimizer_state": fails(E8, "resume_momentum"),
    "ex08_pickles_model": fails(E8, "roundtrip"),
    "ex08_epoch_tensor": fails(E8, "roundtrip"),
    "ex08_epoch_str": fails(E8, "roundtrip"),
    "ex08_replaces_parameters": fails(E8, "roundtrip", "resume_momentum"),
}

# The mistake is caught, but reported as the grader's internal error instead of the student's mistake.
GRADER_BUGS: dict[str, str] = {}  # mutant -> known grader bug (strict xfail); none open

def _mutant_exercise(mutant: str) -> str:
    (path,) = exercise_files(WRONG / mutant)
    return path.stem


def _not_passed(results: Grading):
    return [r for r in results.values() if r.status != "passed"]


def render_failures(results: Grading) -> str:
    """What the golden file holds: each failing check's id, status and kind, then its message."""
    return "\n".join(f"=== {r.id} [{r.status}/{r.kind}]\n{r.message}\n" for r in _not_passed(results))


# --- the corpus itself -------------------------------------------------------


def test_corpus_folders_match_the_tables():
    on_disk = {p.name for p in WRONG.iterdir() if p.is_dir() and not p.name.startswith((".", "__"))}
    assert on_disk == set(MUTANTS)
    assert set(GRADER_BUGS) <= set(MUTANTS)
    assert all(MUTANTS.values()), "a mutant no check fails is a gap in the checks: report it, do not list it"


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_holds_one_changed_exercise_file(mutant):
    files = list((WRONG / mutant).iterdir())
    assert len(files) == 1, f"{mutant}: holds {[f.name for f in files]}, expected one exercise file"
    (path,) = files
    assert path.stem in CHECKS, f"{mutant}: {path.name} is not an exercise file"
    assert mutant.startswith(path.stem[:4] + "_"), f"{mutant}: name does not start with {path.stem[:4]}_"
    reference = (REFERENCE / path.name).read_text()
    assert path.read_text() != reference
    changed = [line for line in difflib.unified_diff(reference.splitlines(), path.read_text().splitlines(), n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) <= 24, f"{mutant}: {len(changed)} changed lines; keep a mutant to one small mistake"


def test_every_check_fails_on_some_mutant():
    caught = set().union(*MUTANTS.values())
    assert set(ALL_IDS) - caught == set(), "checks no known-wrong submission fails"
    assert len(ALL_IDS) == len(set(ALL_IDS)) == 42


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_expected_failures_belong_to_the_mutants_exercise(mutant):
    exercise = _mutant_exercise(mutant)
    for check_id in MUTANTS[mutant]:
        check = check_by_id(check_id)
        assert check.exercise == exercise or exercise in check.uses, (
            f"{mutant} changes {exercise} only, but {check_id} neither belongs to it nor declares uses={exercise!r}")


# --- grading each mutant ------------------------------------------------------


@pytest.fixture
def mutant_results(graded, request) -> Grading:
    mutant = request.node.callspec.params["mutant"]
    return graded(mutant, WRONG / mutant)


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_fails_exactly_its_checks(mutant, mutant_results):
    assert list(mutant_results) == list(ALL_IDS)
    failing = {r.id for r in _not_passed(mutant_results)}
    assert failing == MUTANTS[mutant], (
        f"unexpectedly failing: {sorted(failing - MUTANTS[mutant])}; unexpectedly passing: "
        f"{sorted(MUTANTS[mutant] - failing)}")
    for r in mutant_results.values():
        assert r.points == (0 if r.id in failing else r.max_points), r.id
    lost = sum(check_by_id(i).points for i in MUTANTS[mutant])
    assert total_score(mutant_results.values()) == (TOTAL_POINTS - lost, TOTAL_POINTS)


def _bug_marked(mutants):
    """Strict xfail on the mutants in GRADER_BUGS: an internal error is neither the student's fault nor feedback."""
    return [pytest.param(m, marks=pytest.mark.xfail(reason=f"grader bug: {GRADER_BUGS[m]}", strict=True))
            if m in GRADER_BUGS else m for m in sorted(mutants)]


@pytest.mark.parametrize("mutant", _bug_marked(MUTANTS))
def test_mutant_failures_are_reported_as_the_students_mistake(mutant, mutant_results):
    for r in _not_passed(mutant_results):
        assert (r.status, r.kind) != ("error", "internal"), f"{r.id}: {r.message}"
        assert r.status == "failed" and r.kind in {"mismatch", "exception", "mistake"}, (r.id, r.status, r.kind)


@pytest.mark.parametrize("mutant", _bug_marked(MUTANTS))
def test_mutant_messages_have_the_house_shape(mutant, mutant_results):
    for r in _not_passed(mutant_results):
        check = check_by_id(r.id)
        first, *rest = r.message.splitlines()
        assert first.startswith(f"{check.exercise}: {check.title}: "), first
        assert any(line.startswith("  Hint: ") for line in rest), r.message
        assert not re.search(r"0x[0-9a-fA-F]{6,}", r.message), f"an address in the message: {r.message}"
        assert "Traceback" not in r.message and "/tmp" not in r.message and str(WRONG) not in r.message


@pytest.mark.parametrize("mutant", sorted(MUTANTS))
def test_mutant_messages_match_golden(mutant, mutant_results):
    text = render_failures(mutant_results)
    golden = GOLDEN / f"{mutant}.txt"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
        return
    assert golden.exists(), f"{golden} is missing: run with UPDATE_GOLDEN=1 to write it"
    expected = golden.read_text()
    if text != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), text.splitlines(), "golden", "now", lineterm=""))
        pytest.fail(f"messages of {mutant} differ from {golden.name} (UPDATE_GOLDEN=1 rewrites it):\n{diff}",
                    pytrace=False)


def test_no_stale_golden_files():
    assert {p.stem for p in GOLDEN.glob("*.txt")} == set(MUTANTS)


def test_grading_a_mistake_warns_from_no_grader_file(tmp_path):
    mutant = "ex05_losses_as_tensors"
    grader = InProcessGrader(assemble(tmp_path / mutant, WRONG / mutant), REFERENCE)
    was = torch.is_warn_always_enabled()
    torch.set_warn_always(True)  # torch warns once per process otherwise: an earlier test may have used it up
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results = [grader.grade(c) for c in CHECKS[E5]]
    finally:
        torch.set_warn_always(was)
    assert {r.id for r in results if r.status != "passed"} == MUTANTS[mutant]
    from_grader = [f"{w.filename}:{w.lineno}: {w.message}" for w in caught if "/grader/" in w.filename.replace("\\", "/")]
    assert from_grader == []
