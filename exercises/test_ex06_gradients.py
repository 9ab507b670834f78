"""Checks for ex06_gradients.py: inspect gradients.

Each check is declared once in grader/checks/ex06_gradients.py; this test runs them all.
"""
EXERCISE = "ex06_gradients"


def test_check(check, grade):
    grade(check)
