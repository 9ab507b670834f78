"""Checks for ex08_checkpoints.py: save and resume.

Each check is declared once in grader/checks/ex08_checkpoints.py; this test runs them all.
"""
EXERCISE = "ex08_checkpoints"


def test_check(check, grade):
    grade(check)
