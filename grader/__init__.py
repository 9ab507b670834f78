"""Autograder for a PyTorch unit on nn.Module parameters.

Public surface: `grader.checks` (what is checked), `grader.inprocess.InProcessGrader`
(grading in one process, as `pytest exercises/` does), `grader.batch.grade_class`
(sandboxed batch grading) and the `grader` command (`grader.cli`).
"""
__version__ = "0.1.0"
