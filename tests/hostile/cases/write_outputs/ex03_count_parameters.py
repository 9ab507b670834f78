"""Hostile: write results.json, grades.csv, gradebook.sqlite, conftest.py and feedback everywhere it can reach."""
import os

WON = False
_NAMES = ("results.json", "grades.csv", "gradebook.sqlite", "conftest.py", "feedback.md")
_FOLDERS = {
    "cwd": os.getcwd(),
    "own folder": __SELF__,
    "class folder": __CLASS__,
    "another student's folder": os.path.join(__CLASS__, "ref_clean"),
    "grader package": os.path.join(__REPO__, "grader"),
    "repository root": __REPO__,
    "OUT": __OUT__,
    "OUT/results": os.path.join(__OUT__, "results"),
    "OUT/feedback": os.path.join(__OUT__, "feedback"),
    "tmp": "/tmp",
}
for _where, _folder in _FOLDERS.items():
    for _name in _NAMES:
        try:
            with open(os.path.join(_folder, _name), "w") as _fh:
                _fh.write('{"score": 100, "tests": []}\n')
            if _where != "cwd":
                WON = True
        except OSError:
            pass
for _target in (os.path.join(__OUT__, "results", "ref_clean.json"), os.path.join(__OUT__, "grades.csv"),
                os.path.join(__OUT__, "feedback", "ref_clean.md"), os.path.join(__REPO__, "reference", "ex03_count_parameters.py")):
    try:
        with open(_target, "a") as _fh:
            _fh.write("\n# hostile was here\n")
        WON = True
    except OSError:
        pass
# @tail
