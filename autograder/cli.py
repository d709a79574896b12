"""The ``medai`` command: a thin layer over the autograder and datasets packages."""

from __future__ import annotations

import argparse
import json
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

    doctor = sub.add_parser("doctor", help="check this machine is ready for the course")
    doctor.set_defaults(func=_doctor)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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
