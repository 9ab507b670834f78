"""Checks for ex01_sequential.py: build a Sequential model.

Each check is declared once in grader/checks/ex01_sequential.py; this test runs them all.
"""
EXERCISE = "ex01_sequential"


def test_check(check, grade):
    grade(check)
