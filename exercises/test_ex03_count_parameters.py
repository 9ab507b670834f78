"""Checks for ex03_count_parameters.py: count parameters.

Each check is declared once in grader/checks/ex03_count_parameters.py; this test runs them all.
"""
EXERCISE = "ex03_count_parameters"


def test_check(check, grade):
    grade(check)
