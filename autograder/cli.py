"""The ``medai`` command: a thin layer over the autograder and datasets packages."""

from __future__ import annotations

import argparse
import json
import os
import sys

EXIT_OK, EXIT_USAGE = 0, 2


def _check(args: argparse.Namespace) -> int:
    from .check import NotebookError, check_notebook
    from .report import scorecard

    try:
        report = check_notebook(args.notebook, hidden=args.hidden, cell_timeout=args.cell_timeout)
    except NotebookError as exc:
        print(f"medai check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        for note in report.notes:
            print(f"note: {note}", file=sys.stderr)
        print(json.dumps(report.to_json(), indent=2))
    else:
        print(scorecard(report.notebook, report.chapter, report.results, report.notes,
                        hidden=args.hidden))
    return EXIT_OK


def _data(args: argparse.Namespace) -> int:
    from ..datasets import catalogue

    if args.data_command == "list":
        rows = catalogue.list_datasets()
        width = max(len(r.name) for r in rows)
        for r in rows:
            print(f"{r.name:<{width}}  {r.kind:<9}  {r.summary}")
        return EXIT_OK
    try:
        print(catalogue.card(args.name))
    except KeyError as exc:
        print(f"medai data info: {exc.args[0]}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from . import sandbox
    from .batch import BatchGrader, GradeUsageError, discover, parse_shard

    limits = sandbox.Limits.for_timeout(args.timeout, args.memory)
    out = Path(args.out)
    try:
        shard = parse_shard(args.shard) if args.shard else None
        grader = BatchGrader(args.chapter, out, jobs=args.jobs, limits=limits, shard=shard,
                             run_all_cells=args.run_all_cells)
        submissions = discover(Path(args.submissions), args.chapter)
    except GradeUsageError as exc:
        print(f"medai grade: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        results = grader.grade_all(submissions)
    except KeyboardInterrupt:
        print(f"\nmedai grade: interrupted; the submissions graded so far are kept in "
              f"{out / 'results'} and will not be graded again", file=sys.stderr)
        return 130
    if args.gradebook:
        from .batch import write_gradebook

        try:
            written = write_gradebook(args.gradebook, args.chapter, results)
        except GradeUsageError as exc:
            print(f"medai grade: {exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"  gradebook: {written} automatic scores written to {args.gradebook}")
    _print_outputs(out, results)
    print(f"  time:     {grader.timings.describe()}")
    if args.shard:
        print(f"  this is shard {args.shard}: put the shards together with "
              f"`medai grade merge OUT {out} OTHER_SHARD_OUTS...`")
    return EXIT_OK


def _merge(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .batch import GradeUsageError, merge

    try:
        results = merge(Path(args.out), [Path(s) for s in args.shards])
    except GradeUsageError as exc:
        print(f"medai grade merge: {exc}", file=sys.stderr)
        return EXIT_USAGE
    _print_outputs(Path(args.out), results)
    return EXIT_OK


def _print_outputs(out, results) -> None:
    students = {r.student for r in results}
    print(f"{len(results)} notebook(s) of {len(students)} student(s) graded.")
    print(f"  grades:   {out / 'grades.csv'}")
    print(f"  feedback: {out / 'feedback'}/STUDENT.html and .md")
    print(f"  summary:  {out / 'summary' / 'summary.md'} (and histogram.png, summary.json)")


def _bundle(args: argparse.Namespace) -> int:
    from .bundle import BundleError, write_chapter
    from .reference import ReferenceNotFoundError
    from .registry import UnknownChapterError, chapter_ids

    try:
        for chapter in args.chapters or chapter_ids():
            stem = write_chapter(chapter)
            size = sum(stem.with_suffix(s).stat().st_size for s in (".json", ".npz"))
            print(f"{chapter}: {stem}.json/.npz ({size / 1024:.0f} KiB)")
    except (BundleError, ReferenceNotFoundError, UnknownChapterError) as exc:
        print(f"medai bundle: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _progress(args: argparse.Namespace) -> int:
    from .check import NotebookError
    from .progress import course_progress, format_html, format_table

    # Grading loads reference notebooks that may import TensorFlow, whose C++ logs go to stderr.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        progress = course_progress(args.course_dir)
    except NotebookError as exc:
        print(f"medai progress: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.html:
        with open(args.html, "w", encoding="utf-8") as page:
            page.write(format_html(progress))
    if args.json:
        print(json.dumps(progress.to_json(), indent=2))
    else:
        print(format_table(progress), end="")
        if args.html:
            print(f"\nHTML page with a chart per chapter: {args.html}")
    return EXIT_OK


def _doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor

    return run_doctor()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medai", description="Medical AI from the ground up: check, grade and explore the course."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser("check", help="run a notebook and grade its exercises")
    check.add_argument("notebook", help="path to a chapter notebook (.ipynb)")
    check.add_argument("--json", action="store_true", help="print one JSON object")
    check.add_argument("--hidden", action="store_true", help="grade on the hidden cases too")
    check.add_argument("--cell-timeout", type=float, default=600.0, metavar="S",
                       help="seconds one notebook cell may run (default 600)")
    check.set_defaults(func=_check)

    data = sub.add_parser("data", help="list the data sets or show one's data card")
    data_sub = data.add_subparsers(dest="data_command", metavar="list|info", required=True)
    data_sub.add_parser("list", help="every data set, real or synthetic")
    info = data_sub.add_parser("info", help="print a data set's card")
    info.add_argument("name")
    data.set_defaults(func=_data)

    grade = sub.add_parser("grade", help="grade many submissions in sandboxes (instructors)")
    grade.add_argument("submissions", help="nbgrader's submitted/ folder, or a folder of notebooks")
    grade.add_argument("--chapter", required=True, help="chapter id, e.g. 00_welcome")
    grade.add_argument("--out", default="grading", help="output folder (default: grading)")
    grade.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                       help="submissions graded at once (default: the number of cores)")
    grade.add_argument("--timeout", type=float, default=300.0, metavar="S",
                       help="wall-clock seconds per submission (default 300)")
    grade.add_argument("--memory", type=int, default=3072, metavar="MB",
                       help="memory limit per submission in MB (default 3072)")
    grade.add_argument("--shard", metavar="K/N",
                       help="grade only shard K of N (1-based; stable by student and notebook), to "
                            "spread a class over N machines; then `medai grade merge`")
    grade.add_argument("--run-all-cells", action="store_true",
                       help="run every cell of each notebook first, as medai check does (default: "
                            "the import and exercise cells first, the whole notebook only for the "
                            "exercises that need another cell)")
    grade.add_argument("--gradebook", metavar="DB_URL",
                       help="also write the scores into an nbgrader gradebook, "
                            "e.g. sqlite:///gradebook.db")
    grade.set_defaults(func=_grade)

    bundle = sub.add_parser("bundle", help="write what the public checks need without solutions/ "
                                           "(course authors; `make release` runs it)")
    bundle.add_argument("chapters", nargs="*", help="chapter ids (default: every chapter)")
    bundle.set_defaults(func=_bundle)

    progress = sub.add_parser("progress", help="your scorecard across the chapters (public checks)")
    progress.add_argument("course_dir", nargs="?", metavar="COURSE_DIR",
                          help="your course folder (default: the checkout's course/, else here)")
    progress.add_argument("--json", action="store_true", help="print one JSON object")
    progress.add_argument("--html", metavar="FILE", help="also write an HTML page with a chart "
                                                         "per chapter")
    progress.set_defaults(func=_progress)

    doctor = sub.add_parser("doctor", help="check this machine is ready for the course")
    doctor.set_defaults(func=_doctor)
    return parser


def build_merge_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="medai grade merge",
        description="put together the outputs of `medai grade --shard K/N` runs: the grades.csv, "
                    "feedback and class summary a single run would have written")
    parser.add_argument("out", help="output folder of the merged grading")
    parser.add_argument("shards", nargs="+", help="the --out folders of the shard runs")
    parser.set_defaults(func=_merge)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    # `medai grade merge OUT SHARD...` shares its first word with `medai grade SUBMISSIONS`.
    parser = build_merge_parser() if argv[:2] == ["grade", "merge"] else build_parser()
    if argv[:2] == ["grade", "merge"]:
        argv = argv[2:]
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
