"""Checks for ex02_named_layers.py: name layers with OrderedDict.

Each check is declared once in grader/checks/ex02_named_layers.py; this test runs them all.
"""
EXERCISE = "ex02_named_layers"


def test_check(check, grade):
    grade(check)
