"""Checks for ex05_training_loop.py: write the training loop.

Each check is declared once in grader/checks/ex05_training_loop.py; this test runs them all.
"""
EXERCISE = "ex05_training_loop"


def test_check(check, grade):
    grade(check)
