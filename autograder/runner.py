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

REQUEST, RESPONSE = "request", "response"
WATCHDOG_EXIT = 3  # the watchdog stopped the process after saving a (partial) response
_INPUT_NAME = re.compile(r"^<ipython-input-(\d+)-[0-9a-f]+>$")


def is_test_cell(cell: dict) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return bool(meta.get("grade")) and not meta.get("solution")


def is_skipped(cell: dict) -> bool:
    return "skip-grading" in (cell.get("metadata", {}).get("tags") or [])


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def describe_cell(cell: dict, code_index: int) -> str:
    meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
    if meta.get("solution") and meta.get("grade_id"):
        return f"the cell of exercise `{meta['grade_id']}`"
    return f"code cell {code_index}"


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
                     before_each=None) -> tuple[Any, list[dict], dict]:
    """Run the code cells; return the shell, a record per executed cell, and the map from
    IPython's code names to readable cell descriptions. ``records`` (filled as cells run) and
    ``before_each(record)`` let a watchdog see how far it got."""
    from .execution import TimeLimitExceeded, _time_limit, describe_exception

    shell = _make_shell()
    records = [] if records is None else records
    labels: dict[int, str] = {}
    code_index = 0
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        code_index += 1
        where = describe_cell(cell, code_index)
        meta = cell.get("metadata", {}).get("nbgrader", {}) or {}
        record = {
            "index": index,
            "code_index": code_index,
            "where": where,
            "grade_id": meta.get("grade_id") if meta.get("solution") else None,
            "status": "ok",
            "error": "",
        }
        if is_test_cell(cell) or is_skipped(cell):
            record["status"] = "skipped"
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
            record["status"], record["error"] = "error", f"stopped after {cell_timeout:g} s"
            records.append(record)
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
            else:
                record["error"] = describe_exception(error, lambda f: _label(f, labels))
            record["exception"] = type(error).__name__
        records.append(record)
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
        if "cell" in current:  # a cell ignored the time limit: the notebook cannot go on
            cell = current["cell"]
            cell.update(status="error", error=f"{cell['where']} ignored the time limit of "
                        f"{request['cell_timeout']:g} s and the notebook had to be stopped "
                        "(did it change signal handlers?)")
            records.append(cell)
            for item in request["exercises"]:
                exercises[item["name"]] = {"defined": True, "outcomes": stopped(
                    f"not run: the notebook was stopped at {cell['where']}", len(item["cases"]), 0)}
        else:
            name, n_cases, limit = current["name"], current["n_cases"], current["limit"]
            exercises[name] = {"defined": True, "outcomes": stopped(
                f"stopped after {limit:g} s: your function ignored the time limit "
                "(did it change signal handlers?)", n_cases, limit)}
            for item in request["exercises"]:
                exercises.setdefault(item["name"], {"defined": True, "outcomes": stopped(
                    "not run: an earlier exercise could not be stopped", len(item["cases"]), 0)})
        plain.dump({"cells": records, "exercises": exercises}, workdir / RESPONSE)

    watchdog = Watchdog(give_up)

    def watch_cell(record: dict) -> None:
        current["cell"] = record
        watchdog.arm(request["cell_timeout"])

    shell, records, labels = execute_notebook(notebook, request["cell_timeout"], records,
                                              before_each=watch_cell)
    watchdog.arm(None)
    current.clear()
    for item in request["exercises"]:
        name = item["name"]
        fn = shell.user_ns.get(name)
        if not callable(fn):
            exercises[name] = {"defined": False, "outcomes": []}
            continue
        exercise = get_exercise(request["chapter"], name)
        current.update(name=name, n_cases=len(item["cases"]), limit=item["time_limit"])
        with warnings.catch_warnings(), contextlib.redirect_stdout(BoundedSink()), \
                contextlib.redirect_stderr(BoundedSink()):
            warnings.simplefilter("ignore")
            ran = run_cases(
                exercise.apply, fn, [(tuple(a), dict(k)) for a, k in item["cases"]],
                item["arg_names"], item["time_limit"], lambda f: _label(f, labels),
                before_each=lambda limit=item["time_limit"]: watchdog.arm(limit),
            )
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
    watchdog.arm(None)
    plain.dump({"cells": records, "exercises": exercises}, workdir / RESPONSE)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    os.environ.setdefault("MPLBACKEND", "Agg")
    if hasattr(signal, "SIGXFSZ"):  # past the file-size limit a write fails instead of killing us
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    grade_in_child(Path(argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
