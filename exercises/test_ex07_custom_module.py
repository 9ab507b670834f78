"""Checks for ex07_custom_module.py: subclass nn.Module.

Each check is declared once in grader/checks/ex07_custom_module.py; this test runs them all.
"""
EXERCISE = "ex07_custom_module"


def test_check(check, grade):
    grade(check)
