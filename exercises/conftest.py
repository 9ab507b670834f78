"""Runs the course's checks on your code: `pytest exercises/`.

Options: `--submission PATH` grades another folder, zip or notebook instead
of the files beside this one (`--submission reference` for the solutions,
where present); `--device cpu|cuda|auto`.
"""
from grader.pytest_plugin import *  # noqa: F401,F403 - the hooks pytest looks for
