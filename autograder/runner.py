"""The child process that runs a learner's notebook: executes its code cells in order with IPython
(no kernel), then calls each exercise function on the cases it was sent and writes back plain data.

It never sees the reference solutions or the expected outputs; it receives case inputs and returns
outputs. Usage (by the parent only): ``python -m medai.autograder.runner WORKDIR``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import sys
import warnings
from pathlib import Path
from typing import Any

from .cells import (
    cell_source,
    defined_functions,
    describe_cell,
    exercise_id,
    first_code_cell,
    is_skipped,
    is_test_cell,
)

REQUEST, RESPONSE = "request", "response"
WATCHDOG_EXIT = 3  # the watchdog stopped the process after saving a (partial) response
_INPUT_NAME = re.compile(r"^<ipython-input-(\d+)-[0-9a-f]+>$")


class BoundedSink(io.TextIOBase):
    """Swallows what the notebook prints, keeping only the first ``limit`` characters, so that a
    cell printing gigabytes costs no memory."""

    def __init__(self, limit: int = 65536) -> None:
        self.limit, self.kept, self.dropped = limit, [], 0
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self.limit - self.size
        if room > 0:
            self.kept.append(text[:room])
            self.size += min(room, len(text))
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)


def _make_shell():
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    config = Config()
    config.HistoryManager.enabled = False
    config.InteractiveShell.colors = "nocolor"
    config.InteractiveShell.xmode = "Plain"
    shell = InteractiveShell.instance(config=config)
    return shell


def execute_notebook(notebook: dict, cell_timeout: float, records: list[dict] | None = None,
                     before_each=None, definitions_only: bool = False,
                     exercise_names: tuple[str, ...] = (), skip_cells: tuple[int, ...] = (),
                     after_each=None) -> tuple[Any, list[dict], dict]:
    """Run the code cells; return the shell, a record per cell, and the map from IPython's code
    names to readable cell descriptions. ``records`` (filled as cells run) and
    ``before_each(record)`` let a watchdog see how far it got; ``after_each(record, shell,
    labels)`` runs after each executed cell (the grader grades an exercise there, right after its
    own cell, where nbgrader's test cell would run).

    Graceful degradation: with ``definitions_only``, or from the moment a cell runs out of time,
    only the definitions are run: the import cell and the exercise cells (and, where a notebook
    lost its metadata, the cells defining an exercise's function). Exercise cells hold only
    definitions, so every exercise that can be defined still is; other cells are recorded as
    ``not_run``."""
    from .execution import TimeLimitExceeded, _time_limit, describe_exception

    shell = _make_shell()
    records = [] if records is None else records
    labels: dict[int, str] = {}
    first = first_code_cell(notebook.get("cells", []))
    degraded = definitions_only
    code_index = 0
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        where = describe_cell(cell, index + 1)  # JupyterLab counts every cell, from 1
        record = {
            "index": index,
            "code_index": code_index,
            "where": where,
            "grade_id": exercise_id(cell),
            "status": "ok",
            "error": "",
        }
        if is_test_cell(cell) or is_skipped(cell):
            record["status"] = "skipped"
            records.append(record)
            continue
        defines = cell is first or exercise_id(cell) or set(defined_functions(cell)) & set(
            exercise_names)
        if (degraded and not defines) or index in skip_cells:
            record["status"] = "not_run"
            records.append(record)
            continue
        labels[shell.execution_count] = where
        if before_each is not None:
            before_each(record)
        sink = BoundedSink()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), \
                    _time_limit(cell_timeout):
                result = shell.run_cell(cell_source(cell), store_history=True)
        except TimeLimitExceeded:  # raised after the cell, if the alarm could not interrupt it
            record["status"], record["error"] = "error", f"{where} was stopped after {cell_timeout:g} s"
            record["exception"] = "TimeLimitExceeded"
            records.append(record)
            degraded = True
            continue
        error = result.error_before_exec or result.error_in_exec
        if error is not None:
            record["status"] = "error"
            if isinstance(error, SyntaxError):
                record["error"] = (
                    f"SyntaxError at line {error.lineno} of {where}: {error.msg}"
                    + (f": `{error.text.strip()}`" if error.text else "")
                )
            elif isinstance(error, TimeLimitExceeded):
                record["error"] = f"{where} was stopped after {cell_timeout:g} s"
                degraded = True
            else:
                record["error"] = describe_exception(error, lambda f: _label(f, labels))
            record["exception"] = type(error).__name__
        records.append(record)
        if after_each is not None:
            after_each(record, shell, labels)
    return shell, records, labels


def _label(filename: str, labels: dict[int, str]) -> str | None:
    match = _INPUT_NAME.match(filename)
    if match and int(match.group(1)) in labels:
        return labels[int(match.group(1))]
    return None


class Watchdog:
    """The last line of defence against code that ignores the time-limit signal (it may set
    SIGALRM to SIG_IGN): a thread that, past a deadline plus a grace period, saves what was graded
    so far and ends the process."""

    GRACE = 3.0

    def __init__(self, on_expiry) -> None:
        import threading

        self.deadline: float | None = None
        self.on_expiry = on_expiry
        self.lock = threading.Lock()
        threading.Thread(target=self._watch, daemon=True).start()

    def arm(self, seconds: float | None) -> None:
        import time

        with self.lock:
            self.deadline = None if seconds is None else time.monotonic() + seconds + self.GRACE

    def _watch(self) -> None:
        import time

        while True:
            time.sleep(0.25)
            with self.lock:
                expired = self.deadline is not None and time.monotonic() > self.deadline
            if expired:
                try:
                    self.on_expiry()
                finally:
                    os._exit(WATCHDOG_EXIT)


def grade_in_child(workdir: Path) -> None:
    from . import plain
    from .execution import Outcome, run_cases
    from .registry import get_exercise

    request = plain.load(workdir / REQUEST)
    notebook = json.loads(Path(request["notebook"]).read_text(encoding="utf-8"))
    exercises: dict = {}
    current: dict = {}
    records: list[dict] = []

    def stopped(error: str, n: int, seconds: float) -> list[dict]:
        return [{"status": "skipped", "value": None, "mutated": [], "seconds": seconds,
                 "error": error}] * n

    def give_up() -> None:
        # What is not graded yet is listed as unfinished: the parent grades it again in a fresh
        # child that skips what could not be stopped (graceful degradation).
        unfinished = [i["name"] for i in request["exercises"] if i["name"] not in exercises]
        response = {"cells": records, "exercises": exercises, "unfinished": unfinished}
        if "cell" in current:  # a cell ignored the time limit: the notebook cannot go on
            cell = current["cell"]
            cell.update(status="error", error=f"{cell['where']} ignored the time limit of "
                        f"{request['cell_timeout']:g} s and the notebook had to be stopped "
                        "(did it change signal handlers?)")
            records.append(cell)
            response["stuck_cell"] = cell["index"]
            reason = f"not run: the notebook was stopped at {cell['where']}"
        else:
            name, n_cases, limit = current["name"], current["n_cases"], current["limit"]
            exercises[name] = {"defined": True, "outcomes": stopped(
                f"stopped after {limit:g} s: your function ignored the time limit "
                "(did it change signal handlers?)", n_cases, limit)}
            unfinished.remove(name)
            reason = "not run: an earlier exercise could not be stopped"
        for item in request["exercises"]:
            exercises.setdefault(item["name"], {"defined": True, "outcomes": stopped(
                reason, len(item["cases"]), 0)})
        plain.dump(response, workdir / RESPONSE)

    watchdog = Watchdog(give_up)

    def watch_cell(record: dict) -> None:
        current["cell"] = record
        watchdog.arm(request["cell_timeout"])

    items = {item["name"]: item for item in request["exercises"]}

    def grade(item: dict, fn, labels: dict) -> None:
        name = item["name"]
        exercise = get_exercise(request["chapter"], name)
        current.clear()
        current.update(name=name, n_cases=len(item["cases"]), limit=item["time_limit"])
        with warnings.catch_warnings(), contextlib.redirect_stdout(BoundedSink()), \
                contextlib.redirect_stderr(BoundedSink()):
            warnings.simplefilter("ignore")
            ran = run_cases(
                exercise.apply, fn, [(tuple(a), dict(k)) for a, k in item["cases"]],
                item["arg_names"], item["time_limit"], lambda f: _label(f, labels),
                before_each=lambda limit=item["time_limit"]: watchdog.arm(limit),
            )
        watchdog.arm(None)
        current.clear()
        outcomes = []
        for outcome in ran:
            try:
                value = plain.to_plain(outcome.value)
            except plain.NotPlainDataError as exc:
                outcome = Outcome(status="error", error=f"your function returned {exc}")
                value = None
            outcomes.append({
                "status": outcome.status,
                "value": value,
                "error": outcome.error,
                "mutated": outcome.mutated,
                "seconds": outcome.seconds,
            })
        exercises[name] = {"defined": True, "outcomes": outcomes}

    def grade_after_its_cell(record: dict, shell, labels: dict) -> None:
        # As nbgrader does: an exercise is checked right after its own cell, with the notebook as
        # it is at that point, so a later cell that redefines a name cannot change its grade.
        name = record.get("grade_id")
        fn = shell.user_ns.get(name) if name in items and name not in exercises else None
        if record["status"] == "ok" and callable(fn):
            grade(items[name], fn, labels)

    shell, records, labels = execute_notebook(
        notebook, request["cell_timeout"], records, before_each=watch_cell,
        definitions_only=request.get("definitions_only", False),
        exercise_names=tuple(items), skip_cells=tuple(request.get("skip_cells", ())),
        after_each=grade_after_its_cell)
    watchdog.arm(None)
    current.clear()
    for name, item in items.items():  # cells without metadata: graded as the notebook ends
        if name in exercises:
            continue
        fn = shell.user_ns.get(name)
        if callable(fn):
            grade(item, fn, labels)
        else:
            exercises[name] = {"defined": False, "outcomes": []}
    watchdog.arm(None)
    plain.dump({"cells": records, "exercises": exercises, "unfinished": []}, workdir / RESPONSE)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("MPLBACKEND", "Agg")
    if hasattr(signal, "SIGXFSZ"):  # past the file-size limit a write fails instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    grade_in_child(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
