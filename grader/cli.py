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
            "and OUT/feedback/<name>.md."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    grade.add_argument("class_dir", metavar="CLASS_DIR", type=Path, help="class folder, submission folder or .zip")
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
        summary = grade_class(args.class_dir, options, log=lambda line: print(line, file=sys.stderr, flush=True))
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
