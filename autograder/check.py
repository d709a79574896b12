"""Checking a whole notebook: which chapter and exercises it holds, running it in a child process,
and grading what comes back against the reference in this (trusted) process."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import plain
from .bundle import BundleError
from .cells import cell_source, defined_functions, exercise_ids, first_code_cell
from .execution import Outcome
from .grading import ExerciseResult, expected_outputs, judge, missing_result
from .reference import ReferenceNotFoundError
from .registry import CHAPTER_PATTERN, Case, Exercise, UnknownChapterError, chapter_exercises
from .runner import REQUEST, RESPONSE, WATCHDOG_EXIT
from .truth import HIDDEN_NEEDS_SOLUTIONS, TRUTH

_GRADER_CALL = re.compile(r"""Grader\(\s*["']([^"']+)["']\s*\)""")
DEFAULT_CELL_TIMEOUT = 600.0


class NotebookError(Exception):
    """The file cannot be checked at all (missing, not a notebook, unknown chapter)."""


@dataclass
class NotebookReport:
    notebook: str
    chapter: str
    results: list[ExerciseResult]
    notes: list[str] = field(default_factory=list)
    ran: bool = True  # False when no run of the notebook reached grading

    @property
    def total(self) -> float:
        return round(sum(r.points for r in self.results), 2)

    @property
    def max_total(self) -> float:
        return sum(r.max_points for r in self.results)

    def to_json(self) -> dict:
        return {
            "notebook": self.notebook,
            "chapter": self.chapter,
            "total": self.total,
            "max_total": self.max_total,
            "exercises": [r.to_json() for r in self.results],
        }


def read_notebook(path: Path) -> dict:
    if not path.exists():
        raise NotebookError(f"{path}: no such file")
    if path.is_dir():
        raise NotebookError(f"{path} is a folder; expected a notebook file (.ipynb)")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise NotebookError(f"{path} is not a notebook: it is not UTF-8 text") from None
    except OSError as exc:
        raise NotebookError(f"{path} cannot be read: {exc.strerror}") from None
    try:
        notebook = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(
            f"{path} is not valid notebook JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}). "
            "If you edited it outside Jupyter, restore it from a checkpoint or from git."
        ) from None
    if not isinstance(notebook, dict) or not isinstance(notebook.get("cells"), list):
        raise NotebookError(
            f"{path} is JSON but not a Jupyter notebook: expected an object with a 'cells' list"
        )
    return notebook


def detect_chapter(path: Path, notebook: dict) -> str:
    """The chapter named in ``Grader("...")`` in the first code cell, else the folder's name."""
    first = first_code_cell(notebook["cells"])
    named = _GRADER_CALL.search(cell_source(first)) if first else None
    candidates = [named.group(1)] if named else []
    candidates += [p.name for p in path.resolve().parents if CHAPTER_PATTERN.match(p.name)][:1]
    for chapter in candidates:
        try:
            chapter_exercises(chapter)
            return chapter
        except UnknownChapterError:
            continue
    if candidates:
        chapter_exercises(candidates[0])  # raises with the list of known chapters
    raise NotebookError(
        f"cannot tell which chapter {path.name} belongs to: its first code cell should create "
        'the grader, e.g. grader = Grader("00_welcome")'
    )


def exercises_of(chapter: str, path: Path, notebook: dict) -> list[str]:
    """The exercises this notebook should hold: those of the solutions notebook with its name,
    else of the solutions notebook sharing the most exercises with it (by nbgrader ids, or by the
    functions it defines when its metadata was lost)."""
    registry = chapter_exercises(chapter)
    held = TRUTH.notebook_exercises(chapter)  # notebook file name -> its exercises, in order
    mine = set(exercise_ids(notebook)) | {f for c in notebook["cells"] for f in defined_functions(c)}
    match = held.get(path.name)
    if match is None and held:
        match = max(held.values(), key=lambda names: len(mine & set(names)))
        if not mine & set(match):
            match = None
    names = list(match) if match else []
    names += [n for n in exercise_ids(notebook) if n not in names]
    return [n for n in names if n in registry]


@dataclass
class ExercisePlan:
    exercise: Exercise
    cases: list[Case]
    expected: list | None  # None until the expected outputs are known (``NotebookPlan.fill_expected``)
    arg_names: list[str]
    problem: str = ""  # why this exercise cannot be graded here (the others still are)


@dataclass
class NotebookPlan:
    """What to grade in one notebook, computed once in the trusted process: the chapter, the
    exercises, their cases and the reference outputs."""

    chapter: str
    exercises: list[ExercisePlan]

    def request(self, notebook: Path, cell_timeout: float, definitions_only: bool = False,
                names: list[str] | None = None, skip_cells: list[int] | None = None,
                part: dict | None = None) -> dict:
        """What the child is told: the notebook and the case inputs, never expected outputs; with
        ``names``, only those exercises; ``skip_cells`` (indices) are not run; with ``part`` (see
        ``split_parts``), only that part's cases."""
        chosen = self.part_cases(part)
        return {
            "notebook": str(notebook),
            "chapter": self.chapter,
            "cell_timeout": cell_timeout,
            "definitions_only": definitions_only,
            "skip_cells": list(skip_cells or []),
            "exercises": [
                {"name": p.exercise.name, "time_limit": p.exercise.time_limit,
                 "arg_names": p.arg_names,
                 "cases": [[list(p.cases[i].args), dict(p.cases[i].kwargs)]
                           for i in chosen[p.exercise.name]]}
                for p in self.exercises
                if not p.problem and (names is None or p.exercise.name in names)
                and chosen[p.exercise.name]
            ],
        }

    def part_cases(self, part: dict | None) -> dict[str, list[int]]:
        """The indices of the cases of each exercise that ``part`` runs (all of them without one)."""
        chosen = {}
        for p in self.exercises:
            every = list(range(len(p.cases)))
            if part is None:
                chosen[p.exercise.name] = every
            elif "only" in part:
                chosen[p.exercise.name] = [i for i in part["only"].get(p.exercise.name, [])
                                           if i < len(every)]
            else:
                left_out = set(part["except"].get(p.exercise.name, []))
                chosen[p.exercise.name] = [i for i in every if i not in left_out]
        return chosen

    def fill_expected(self) -> None:
        """The reference outputs of every exercise not yet given them (a batch plans and runs a
        submission while its grading truth is still being computed, and judges it after)."""
        for p in self.exercises:
            if p.problem or p.expected is not None:
                continue
            try:
                p.expected = expected_outputs(self.chapter, p.exercise, p.cases)
            except (ReferenceNotFoundError, BundleError) as exc:  # costs this exercise only
                p.problem = str(exc)

    def budget(self, cell_timeout: float) -> float:
        return cell_timeout * 4 + sum(p.exercise.time_limit * len(p.cases)
                                      for p in self.exercises) + 120


def split_parts(held: dict[str, int], parallel: set[str], ways: int) -> list[dict] | None:
    """How a batch with ``ways`` processes splits one notebook holding the exercises ``held``
    (name: number of cases) into sandboxed runs that can run at the same time: the first part runs
    every exercise, but only the first case of those in ``parallel`` (each of whose cases trains a
    model for seconds); their other cases are dealt out to the other parts. None: one run."""
    spread = [(name, i) for name, n in held.items() if name in parallel for i in range(1, n)]
    if ways < 2 or not spread:
        return None
    others: list[dict[str, list[int]]] = [{} for _ in range(min(ways - 1, len(spread)))]
    for k, (name, i) in enumerate(spread):
        others[k % len(others)].setdefault(name, []).append(i)
    moved: dict[str, list[int]] = {}
    for name, i in spread:
        moved.setdefault(name, []).append(i)
    return [{"except": moved}] + [{"only": only} for only in others]


def merge_parts(plan: NotebookPlan, runs: list[tuple[dict | None, dict | None, list[str]]]
                ) -> tuple[dict | None, list[str]]:
    """One response and its notes from the runs ``(part, response, notes)`` of a notebook split by
    ``split_parts``, as if one run had graded every case: the first part's cells and exercises,
    with the other parts' outcomes put in their cases' places."""
    _, response, notes = runs[0]
    notes = list(notes)
    for _, _, more in runs[1:]:
        notes += [n for n in more if n not in notes]
    if response is None:
        return None, notes
    response = dict(response, exercises=dict(response["exercises"]))
    placed: dict[str, dict[int, dict]] = {}
    for part, ran, more in runs:
        chosen = plan.part_cases(part)
        why = more[-1] if more else STOPPED_EARLY
        for name, indices in chosen.items():
            got = (ran or {}).get("exercises", {}).get(name)
            for slot, i in enumerate(indices):
                ok = got and got.get("defined") and slot < len(got["outcomes"])
                placed.setdefault(name, {})[i] = got["outcomes"][slot] if ok else _not_run(why)
    for p in plan.exercises:
        name = p.exercise.name
        entry = response["exercises"].get(name)
        if entry is None or not entry.get("defined") or name not in placed:
            continue
        slots = placed[name]
        response["exercises"][name] = dict(entry, outcomes=[
            slots.get(i) or _not_run(STOPPED_EARLY) for i in range(len(p.cases))])
    return response, notes


def _not_run(why: str) -> dict:
    """The outcome of a case whose part of a split notebook could not run."""
    return {"status": "error", "value": None, "mutated": [], "seconds": 0.0,
            "error": f"this case could not be run: {why}"}


def plan_notebook(path: Path, notebook: dict, hidden: bool, expected: bool = True) -> NotebookPlan:
    """What to grade in ``notebook``; without ``expected``, the reference outputs are left for
    ``NotebookPlan.fill_expected`` (the request to the child needs only the cases)."""
    try:
        chapter = detect_chapter(path, notebook)
    except UnknownChapterError as exc:
        raise NotebookError(f"{path.name}: {exc}") from None
    if hidden and not TRUTH.has_solutions() and not TRUTH.bundle_only:
        raise NotebookError(HIDDEN_NEEDS_SOLUTIONS)
    try:
        names = exercises_of(chapter, path, notebook)
    except (ReferenceNotFoundError, BundleError) as exc:
        raise NotebookError(str(exc)) from None
    registry = chapter_exercises(chapter)
    plans = []
    for name in names:
        exercise = registry[name]
        cases = TRUTH.cases(chapter, exercise, hidden)
        try:
            plans.append(ExercisePlan(exercise, cases, None, TRUTH.argument_names(chapter, name)))
        except (ReferenceNotFoundError, BundleError) as exc:  # costs this exercise only
            plans.append(ExercisePlan(exercise, cases, [], [], problem=str(exc)))
    plan = NotebookPlan(chapter, plans)
    if expected:
        plan.fill_expected()
    return plan


def run_child(workdir: Path, cwd: Path, timeout: float) -> str | None:
    """Run the runner as a plain child process (``medai check``: the learner's own code on the
    learner's own machine). Returns why it failed, or None."""
    env = dict(os.environ, MPLBACKEND="Agg", IPYTHONDIR=str(workdir / "ipython"),
               TF_CPP_MIN_LOG_LEVEL="3", PYTHONWARNINGS="ignore")
    with open(workdir / "stdout.txt", "wb") as out, open(workdir / "stderr.txt", "wb") as err:
        try:
            proc = subprocess.run([sys.executable, "-m", "medai.autograder.runner", str(workdir)],
                                  cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=err, timeout=timeout)
        except subprocess.TimeoutExpired:
            return f"the notebook did not finish within {timeout:g} s"
    if proc.returncode not in (0, WATCHDOG_EXIT) or not (workdir / f"{RESPONSE}.json").exists():
        return crash_reason(proc.returncode, (workdir / "stderr.txt").read_text(errors="replace"))
    return None


def crash_reason(returncode: int | None, stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    if returncode is not None and returncode < 0:
        name = {9: "SIGKILL (a limit was hit: memory, CPU time or processes)",
                24: "SIGXCPU (the CPU-time limit)", 25: "SIGXFSZ (the file-size limit)",
                11: "SIGSEGV (a crash in native code)"}.get(-returncode, f"signal {-returncode}")
        return f"the process running it was killed by {name}"
    if lines and "MemoryError" in lines[-1]:
        return "it ran out of memory (the memory limit)"
    if lines:
        return lines[-1][:300]
    return f"the process running it exited with code {returncode} before reporting"


STOPPED_EARLY = "it stopped before grading finished (os._exit() in a cell, or a crash)"


def run_with_fallback(run_once, names: list[str], definitions_only: bool = False
                      ) -> tuple[dict | None, list[str]]:
    """Graceful degradation. ``run_once(definitions_only, names, skip_cells)`` runs the notebook in
    a fresh child, grading the exercises ``names``, and returns ``(response, failure)``.

    When a whole run fails (out of time, a crash, ``os._exit``), a second child runs only the
    import cell and the exercise cells (they hold definitions only). When a child had to be
    stopped because code ignored the time limit, the exercises it had not graded yet are graded
    in another child that skips the cell that could not be stopped. One bad function costs one
    exercise, not the notebook."""
    notes: list[str] = []
    response, failure = run_once(definitions_only, names, [])
    if response is None and not definitions_only:
        notes.append(f"the notebook could not be run to the end: {failure}")
        response, failure = run_once(True, names, [])
        if response is None:
            return None, notes + [
                f"running only its import cell and exercise cells failed too: {failure}"]
        notes[-1] += ("; it was run again with only its import cell and exercise cells, and its "
                      "exercises were graded from those")
    elif response is None:
        return None, [f"the notebook's import cell and exercise cells could not be run: {failure}"]
    skip = [response["stuck_cell"]] if "stuck_cell" in response else []
    for _ in range(len(names)):
        left = list(response.get("unfinished") or [])
        if not left:
            break
        again, _failure = run_once(True, left, skip)
        if again is None:
            break
        response["exercises"].update({n: again["exercises"][n] for n in left
                                      if n in again["exercises"]})
        response["unfinished"] = again.get("unfinished") or []
        skip += [again["stuck_cell"]] if "stuck_cell" in again else []
    return response, notes


def _needs_whole_notebook(response: dict, names: list[str]) -> list[str]:
    """The exercises that the import and exercise cells alone could not grade faithfully: not
    defined, or a NameError (a name that another cell of the notebook defines)."""
    cells = {c.get("grade_id"): c for c in response["cells"] if c.get("grade_id")}
    needs = []
    for name in names:
        ran = response["exercises"].get(name, {"defined": False})
        cell_error = cells.get(name, {}).get("exception") == "NameError"
        name_error = any(o.get("error", "").startswith("NameError") for o in ran.get("outcomes", []))
        if not ran.get("defined") or cell_error or name_error:
            needs.append(name)
    return needs


def run_exercises_first(run_once, names: list[str]) -> tuple[dict | None, list[str]]:
    """``medai grade``'s fast path: run the import cell and the exercise cells only (they hold
    definitions, and the hidden cases are what grading runs), skipping demonstrations and training
    that grade nothing; the exercises that need the rest of the notebook (a name only another cell
    defines) are graded again from a run of the whole notebook, as nbgrader would run it."""
    response, notes = run_with_fallback(run_once, names, definitions_only=True)
    needs = list(names) if response is None else _needs_whole_notebook(response, names)
    if response is not None:
        for cell in response["cells"]:  # skipped by design here: nothing to tell the student
            if cell["status"] == "not_run":
                cell["status"] = "skipped"
    if not needs:
        return response, notes
    whole, whole_notes = run_with_fallback(run_once, needs)
    if whole is None:
        return (response, notes + whole_notes) if response is not None else (None, whole_notes)
    if response is None:
        return whole, whole_notes
    response["exercises"].update({n: whole["exercises"][n] for n in needs if n in whole["exercises"]})
    response["cells"] = whole["cells"]
    return response, whole_notes


def _cell_notes(cells: list[dict]) -> list[str]:
    notes = [f"{c['error']}" if c["where"] in c["error"] else f"{c['where']}: {c['error']}"
             for c in cells if c["status"] == "error"]
    not_run = [c["where"] for c in cells if c["status"] == "not_run"]
    if not_run:
        shown = ", ".join(not_run[:6]) + (f" and {len(not_run) - 6} more" if len(not_run) > 6 else "")
        notes.append(f"not run, so that the exercises could still be graded: {shown}")
    return notes


def grade_response(path: str, plan: NotebookPlan, response: dict | None,
                   notes: list[str]) -> NotebookReport:
    """Judge the child's outputs against the reference outputs of ``plan``."""
    plan.fill_expected()
    if response is None:
        why = notes[-1] if notes else "the notebook could not be run: it stopped unexpectedly"
        return NotebookReport(path, plan.chapter, [
            missing_result(p.exercise, p.problem, "error") if p.problem else
            missing_result(p.exercise, why) for p in plan.exercises], list(notes), ran=False)
    cells = response["cells"]
    notes = list(notes) + _cell_notes(cells)
    results = []
    for p in plan.exercises:
        if p.problem:
            results.append(missing_result(p.exercise, p.problem, status="error"))
            continue
        ran = response["exercises"].get(p.exercise.name, {"defined": False})
        if not ran["defined"]:
            results.append(missing_result(p.exercise, _why_missing(p.exercise.name, cells)))
            continue
        outcomes = [Outcome(**o) for o in ran["outcomes"]]
        results.append(judge(p.exercise, p.cases, outcomes, p.expected, p.arg_names,
                             p.exercise.public_count(), plan.chapter))
    return NotebookReport(path, plan.chapter, results, notes)


def read_response(workdir: Path) -> dict | None:
    try:
        return plain.load(workdir / RESPONSE)
    except (OSError, ValueError, KeyError, plain.NotPlainDataError):
        return None


def check_notebook(
    path: str | Path, hidden: bool = False, cell_timeout: float = DEFAULT_CELL_TIMEOUT
) -> NotebookReport:
    """Run the notebook at ``path`` in a child process and grade every exercise it should hold.

    Raises NotebookError when the file cannot be checked at all. Never writes to the notebook.
    """
    path = Path(path)
    notebook = read_notebook(path)
    plan = plan_notebook(path, notebook, hidden)

    def run_once(definitions_only: bool, names: list[str], skip_cells: list[int]
                 ) -> tuple[dict | None, str | None]:
        with tempfile.TemporaryDirectory(prefix="medai-check-") as tmp:
            workdir = Path(tmp)
            request = plan.request(path.resolve(), cell_timeout, definitions_only, names, skip_cells)
            plain.dump(request, workdir / REQUEST)
            failure = run_child(workdir, path.resolve().parent, plan.budget(cell_timeout))
            response = None if failure else read_response(workdir)
            return response, (failure or STOPPED_EARLY) if response is None else None

    response, notes = run_with_fallback(run_once, [p.exercise.name for p in plan.exercises
                                                   if not p.problem])
    return grade_response(str(path), plan, response, notes)


def _why_missing(name: str, cells: list[dict]) -> str:
    own = [c for c in cells if c.get("grade_id") == name]
    if own and own[0]["status"] == "error":
        return f"`{name}` is not defined because its cell failed: {own[0]['error']}"
    if not own:
        return (
            f"`{name}` is not defined: its exercise cell is missing from the notebook (deleted, "
            "or its metadata lost). Restore the cell from the course release."
        )
    return (
        f"`{name}` is not defined after running the notebook: did you rename the function? "
        f"Its cell must define a function called `{name}`."
    )
