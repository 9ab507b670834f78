"""`grader` command line: grade a class (more commands as the course needs them)."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from grader.sandbox import Limits

__all__ = ["main", "build_parser"]

_DEFAULTS = Limits()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grader",
        description="Autograder for the nn.Module parameters unit: batch-grade a class, build what students get.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    grade = commands.add_parser(
        "grade",
        help="grade a class folder (or one submission) into OUT",
        description=(
            "Grade every submission in CLASS_DIR: each folder (eight exNN_*.py at its top or under exercises/, "
            "notebooks allowed) and each .zip. A single submission path works too. Student code runs only in "
            "sandboxed child processes; results go to OUT/gradebook.sqlite as they are known, and a second run "
            "resumes where the first stopped. Writes OUT/grades.csv, OUT/results/<name>.json (Gradescope format) "
            "and OUT/feedback/<name>.md. Fixed caps, where the platform allows them: 64 tasks per child "
            "(cgroup pids), the child's cgroup memory at --memory-mb + 512 MiB, its work folder a tmpfs of "
            "max(64 MiB, 4 x --output-bytes); `sandbox: ...` lines in the log say which layers are active."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    grade.add_argument("class_dir", metavar="CLASS_DIR", type=Path,
                       help="class folder, submission folder, .zip, or a .txt list of git repositories "
                            "(one URL or local path per line, optionally followed by a commit or tag)")
    grade.add_argument("--before", metavar="DATE", default=None,
                       help="with a .txt list: grade each repository's last commit before DATE "
                            "(ISO 8601, e.g. 2024-10-01T23:59:00+02:00; committer date)")
    grade.add_argument("--out", required=True, type=Path, help="output folder (created if missing)")
    grade.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    grade.add_argument("--regrade", action="store_true", help="grade again even what the gradebook already has")
    grade.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                       help="device for probes that build and train models (auto: CUDA when present)")
    grade.add_argument("--timeout", type=float, default=_DEFAULTS.timeout,
                       help="wall-clock seconds one check may take before it fails as a hang")
    grade.add_argument("--memory-mb", type=int, default=_DEFAULTS.memory_mb,
                       help="memory (address space, MiB) a child may add on top of the warm parent's")
    grade.add_argument("--cpu-seconds", type=int, default=_DEFAULTS.cpu_seconds,
                       help="CPU seconds one exercise's child may use")
    grade.add_argument("--output-bytes", type=int, default=_DEFAULTS.output_bytes,
                       help="largest file (printed output included) a child may write")
    grade.add_argument("--no-hidden", action="store_true", help="public inputs only (as students see them)")
    grade.add_argument("--progress", choices=("auto", "bar", "lines"), default="auto",
                       help="progress display: a bar on a terminal, plain lines otherwise")
    grade.set_defaults(func=_cmd_grade)
    _add_report_command(commands)
    _add_distribution_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("grader: interrupted; results so far are in the gradebook, run the same command to resume",
              file=sys.stderr)
        return 130


def _cmd_grade(args: argparse.Namespace) -> int:
    from grader.batch import BatchOptions, UsageError, grade_class
    from grader.device import resolve_device
    from grader.gradebook import Gradebook
    from grader.render import score_table

    for name, value in (("--workers", args.workers), ("--timeout", args.timeout), ("--memory-mb", args.memory_mb),
                        ("--cpu-seconds", args.cpu_seconds), ("--output-bytes", args.output_bytes)):
        if value <= 0:
            print(f"grader: {name}={value}: must be positive", file=sys.stderr)
            return 2
    try:
        device = resolve_device(args.device)
    except ValueError as exc:
        print(f"grader: --device {args.device}: {exc}", file=sys.stderr)
        return 2
    limits = Limits(timeout=args.timeout, memory_mb=args.memory_mb, cpu_seconds=args.cpu_seconds,
                    output_bytes=args.output_bytes)
    options = BatchOptions(out=args.out, workers=args.workers, regrade=args.regrade, device=device,
                           hidden=not args.no_hidden, limits=limits,
                           progress={"auto": None, "bar": True, "lines": False}[args.progress])
    try:
        summary = grade_class(_class_path(args), options, log=lambda line: print(line, file=sys.stderr, flush=True))
    except UsageError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2
    book = Gradebook(args.out / "gradebook.sqlite")
    try:
        names = sorted(summary.graded + summary.skipped)
        width = max([len(n) for n in names] + [10])
        print(f"\n{'submission':<{width}}  score")
        for name in names:
            total = score_table(book.results(name))[-1].split()[-1]
            print(f"{name:<{width}}  {total}")
    finally:
        book.close()
    print(f"\ngraded {len(summary.graded)}, resumed {len(summary.skipped)} in {summary.seconds:.1f} s; "
          f"outputs in {args.out}/ (grades.csv, results/, feedback/, gradebook.sqlite)")
    if summary.internal_errors:
        print(f"grader: WARNING: {summary.internal_errors} internal error(s): a check or the reference is broken; "
              "see the messages marked 'internal error' (students were not charged silently)", file=sys.stderr)
    return 0


# --- release, gradescope, export, repository lists (issue 8) -------------------


def _class_path(args: argparse.Namespace) -> Path:
    """CLASS_DIR, or for a .txt list of repositories the folder of their checkouts (cloned now)."""
    from grader.batch import UsageError

    path = Path(args.class_dir)
    is_list = path.suffix.lower() == ".txt"
    if args.before is not None and not is_list:
        raise UsageError(f"--before {args.before}: applies to a .txt list of repositories, not to {path}")
    if not is_list:
        return path
    from grader.repos import RepoError, prepare

    try:
        return prepare(path, before=args.before, log=lambda line: print(line, file=sys.stderr, flush=True))
    except RepoError as exc:
        raise UsageError(str(exc)) from None


def _add_distribution_commands(commands) -> None:
    release = commands.add_parser(
        "release", help="build the student repository (stubs, checks, Classroom workflow; no solutions)",
        description=("Write the student repository to OUT: exercises/ (stubs and tests), the part of grader/ that "
                     "`pytest exercises/` needs, the reference's evidence on the public inputs, README.md, "
                     "requirements.txt (torch==2.13.0) and .github/workflows/classroom.yml. reference/ and the "
                     "hidden inputs are never copied."),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    release.add_argument("--out", required=True, type=Path, help="folder to create (empty, new, or an earlier release)")
    release.add_argument("--force", action="store_true", help="replace an earlier release in OUT")
    release.set_defaults(func=_cmd_release)

    gradescope = commands.add_parser(
        "gradescope", help="build the Gradescope autograder zip (setup.sh, run_autograder)",
        description=("Write the archive Gradescope's 'Configure Autograder' page takes: setup.sh and run_autograder "
                     "at its root, the grader with the hidden inputs, and reference/. run_autograder grades "
                     "$AUTOGRADER_ROOT/submission (default /autograder) and writes results/results.json."),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    gradescope.add_argument("--out", required=True, type=Path, help="the .zip to write")
    gradescope.set_defaults(func=_cmd_gradescope)

    export = commands.add_parser(
        "export", help="write the gradebook of a graded OUT folder for an LMS (canvas, csv, json)",
        description=("Read OUT/gradebook.sqlite (written by `grader grade`) and write the grades in the form an LMS "
                     "imports. canvas needs --roster, a CSV with columns submission,Student,ID,SIS User ID,"
                     "SIS Login ID,Section; submissions missing from the roster are reported, and kept."),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    export.add_argument("out", metavar="OUT", type=Path, help="the folder `grader grade --out` wrote")
    export.add_argument("--format", required=True, choices=("canvas", "csv", "json"), dest="fmt")
    export.add_argument("--roster", type=Path, default=None, help="CSV mapping submission names to students")
    export.add_argument("--assignment", default="nn.Module parameters", help="assignment name (Canvas column)")
    export.add_argument("--assignment-id", default=None,
                        help="Canvas assignment id, written as 'Name (id)' so Canvas updates that assignment")
    export.add_argument("--output", "-o", type=Path, default=None,
                        help="file to write (default: OUT/canvas.csv, OUT/gradebook.csv or OUT/gradebook.json)")
    export.set_defaults(func=_cmd_export)


def _cmd_release(args: argparse.Namespace) -> int:
    from grader.release import ReleaseError, build_release

    try:
        release = build_release(args.out, force=args.force, log=lambda line: print(line, file=sys.stderr))
    except ReleaseError as exc:
        print(f"grader: release: {exc}", file=sys.stderr)
        return 2
    print(f"released {len(release.files)} files to {release.out}")
    print(f"check it: cd {release.out} && python -m pip install -r requirements.txt && pytest exercises/")
    return 0


def _cmd_gradescope(args: argparse.Namespace) -> int:
    from grader.gradescope import GradescopeError, build_autograder_zip

    try:
        path = build_autograder_zip(args.out)
    except GradescopeError as exc:
        print(f"grader: gradescope: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: upload it on Gradescope's 'Configure Autograder' page")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from grader.export import ExportError, export

    try:
        report = export(args.out, args.fmt, roster=args.roster, assignment=args.assignment,
                        assignment_id=args.assignment_id, output=args.output)
    except ExportError as exc:
        print(f"grader: export: {exc}", file=sys.stderr)
        return 2
    for line in report.warnings:
        print(f"grader: export: {line}", file=sys.stderr)
    print(f"wrote {report.path} ({report.rows} submission(s), format {args.fmt})")
    return 0


def _add_report_command(commands) -> None:
    report = commands.add_parser(
        "report",
        help="write OUT/report.html (the class at a glance) and OUT/feedback/<name>.html",
        description=(
            "Read OUT/gradebook.sqlite (written by `grader grade ... --out OUT`; no student code runs) and write "
            "OUT/report.html: score histogram, mean and pass rate per exercise, the most frequent diagnoses and "
            "who they affect, the slowest submissions and those whose code did not run, and every submission's "
            "fit_thermometer training curve against the reference. Also writes each student's "
            "OUT/feedback/<name>.html (their feedback and their curve against the reference's). Self-contained "
            "pages: the plots are embedded."
        ),
    )
    report.add_argument("out", metavar="OUT", type=Path, help="the --out folder of a `grader grade` run")
    report.set_defaults(func=_cmd_report)


def _cmd_report(args: argparse.Namespace) -> int:
    from grader.report import ReportError, write_report

    try:
        path, pages = write_report(args.out)
    except ReportError as exc:
        print(f"grader: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"grader: report needs matplotlib ({exc}); pip install matplotlib", file=sys.stderr)
        return 2
    print(f"wrote {path} and {len(pages)} feedback page(s) in {args.out / 'feedback'}/")
    return 0
