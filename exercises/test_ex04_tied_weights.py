"""Checks for ex04_tied_weights.py: tie weights.

Each check is declared once in grader/checks/ex04_tied_weights.py; this test runs them all.
"""
EXERCISE = "ex04_tied_weights"


def test_check(check, grade):
    grade(check)
