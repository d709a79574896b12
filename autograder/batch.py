"""``medai grade``: many submissions of one chapter, each in its own sandbox, in parallel,
resumable, with a CSV, per-student feedback and a class summary.

The reference outputs are computed once per notebook in this (trusted) process; a submission's
child process receives case inputs and returns outputs as plain data (DESIGN section 4).
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from . import plain, sandbox
from .check import (
    DEFAULT_CELL_TIMEOUT,
    STOPPED_EARLY,
    NotebookError,
    NotebookPlan,
    NotebookReport,
    crash_reason,
    detect_chapter,
    grade_response,
    plan_notebook,
    read_notebook,
    read_response,
    run_with_fallback,
)
from .reference import solutions_dir
from .registry import UnknownChapterError, chapter_exercises
from .report import exercise_report
from .runner import REQUEST, WATCHDOG_EXIT

RESULTS, FEEDBACK, SUMMARY = "results", "feedback", "summary"


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path

    @property
    def key(self) -> str:
        return f"{self.student}__{self.path.stem}"


class GradeUsageError(Exception):
    pass


def discover(root: Path, chapter: str) -> list[Submission]:
    """nbgrader's ``submitted/`` tree (student/chapter/notebook.ipynb) or a flat folder of
    notebooks (student id = file stem)."""
    if not root.is_dir():
        raise GradeUsageError(f"{root} is not a folder; expected nbgrader's submitted/ folder "
                              "or a folder of notebooks")
    flat = sorted(p for p in root.glob("*.ipynb") if p.is_file())
    tree = sorted(p for p in root.glob(f"*/{chapter}/*.ipynb") if p.is_file()
                  and ".ipynb_checkpoints" not in p.parts)
    subs = [Submission(p.parent.parent.name, p) for p in tree]
    subs += [Submission(p.stem, p) for p in flat]
    if not subs:
        raise GradeUsageError(
            f"no submissions found in {root}: expected {root}/STUDENT/{chapter}/NOTEBOOK.ipynb "
            f"(nbgrader's submitted/ tree) or {root}/STUDENT.ipynb")
    return subs


def grader_version(chapter: str, limits: sandbox.Limits) -> str:
    """Changes when anything that could change a grade changes: the grader's code, the chapter's
    solutions, the limits."""
    from .registry import CHAPTERS

    digest = hashlib.sha256(repr(limits).encode())
    package = Path(__file__).resolve().parent
    slug = CHAPTERS[chapter]
    sources = sorted(package.glob("*.py")) + sorted((package / "exercises").glob(f"{slug}.py"))
    sources += sorted((package / "exercises" / slug).rglob("*.py"))
    sources += sorted((package.parent / "datasets").glob("*.py"))
    for path in sources + sorted((solutions_dir() / chapter).glob("*.ipynb")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class Progress:
    def __init__(self, total: int, stream=None) -> None:
        self.total, self.done, self.errors, self.reused = total, 0, 0, 0
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.lock = threading.Lock()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_line = -1

    def update(self, error: bool, reused: bool) -> None:
        with self.lock:
            self.done += 1
            self.errors += error
            self.reused += reused
            elapsed = time.perf_counter() - self.start
            rate = elapsed / max(1, self.done - self.reused) if self.done > self.reused else 0
            eta = rate * (self.total - self.done)
            width = 30
            filled = int(width * self.done / self.total)
            line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} graded"
                    f", {self.reused} unchanged, {self.errors} could not run, ETA {eta:.0f} s")
            if self.tty:
                print("\r" + line, end="" if self.done < self.total else "\n",
                      file=self.stream, flush=True)
            elif self.done * 10 // self.total > self.last_line or self.done == self.total:
                self.last_line = self.done * 10 // self.total
                print(line, file=self.stream, flush=True)


def _report_to_json(report: NotebookReport, fingerprint: str, seconds: float,
                    student: str) -> dict:
    return {
        "student": student,
        "notebook": Path(report.notebook).name,
        "chapter": report.chapter,
        "fingerprint": fingerprint,
        "seconds": round(seconds, 3),
        "notes": report.notes,
        "total": report.total,
        "max_total": report.max_total,
        "ran": report.ran,
        "exercises": [dict(r.to_json(), hints=r.hints, report=exercise_report(r, hidden=True),
                           passed_cases=r.passed_cases, total_cases=r.total_cases)
                      for r in report.results],
    }


def _failure_report(sub: Submission, chapter: str, message: str) -> dict:
    exercises = chapter_exercises(chapter)
    return {
        "student": sub.student, "notebook": sub.path.name, "chapter": chapter, "fingerprint": "",
        "seconds": 0.0, "notes": [message], "total": 0.0, "ran": False,
        "max_total": float(sum(e.points for e in exercises.values())),
        "exercises": [{"name": n, "points": 0.0, "max_points": float(e.points),
                       "status": "missing", "messages": [message], "hints": [],
                       "report": f"{n}: 0 of {e.points:g} points. {message}",
                       "passed_cases": 0, "total_cases": 0}
                      for n, e in exercises.items()],
    }


class BatchGrader:
    def __init__(self, chapter: str, out: Path, jobs: int = 2, limits: sandbox.Limits | None = None,
                 cell_timeout: float = DEFAULT_CELL_TIMEOUT, stream=None,
                 reuse_workers: bool = True) -> None:
        try:
            chapter_exercises(chapter)
        except UnknownChapterError as exc:
            raise GradeUsageError(str(exc)) from None
        self.chapter = chapter
        self.out = out
        self.jobs = max(1, jobs)
        self.limits = limits or sandbox.Limits()
        # Half the wall time at most for one cell: a cell that loops forever then leaves time for
        # the exercise cells to be run and graded (graceful degradation) within the same run.
        self.cell_timeout = min(cell_timeout, self.limits.wall_seconds / 2)
        self.stream = stream or sys.stderr
        self.version = grader_version(chapter, self.limits)
        self.plans: dict[str, NotebookPlan] = {}
        self.plan_lock = threading.Lock()
        self.data_dir = self._chapter_data()
        self.reuse_workers = reuse_workers
        self.workers: dict[int, sandbox.Worker] = {}
        self.worker_ids = threading.local()
        self.worker_count = 0

    def _chapter_data(self) -> Path | None:
        """Files released beside the chapter's notebooks (data a notebook reads)."""
        from .reference import repository_root

        root = repository_root()
        folder = root / "course" / self.chapter if root else None
        return folder if folder and folder.is_dir() else None

    def _plan(self, path: Path, notebook: dict) -> NotebookPlan:
        key = path.name
        with self.plan_lock:
            if key not in self.plans:
                self.plans[key] = plan_notebook(path, notebook, hidden=True)
            return self.plans[key]

    def grade_one(self, sub: Submission) -> tuple[dict, bool]:
        """Grade one submission; returns its result and whether a stored result was reused."""
        result_path = self.out / RESULTS / f"{sub.key}.json"
        try:
            content = sub.path.read_bytes()
        except OSError as exc:
            return _failure_report(sub, self.chapter, f"cannot read the file: {exc.strerror}"), False
        fingerprint = hashlib.sha256(content + self.version.encode()).hexdigest()
        if result_path.exists():
            try:
                stored = json.loads(result_path.read_text(encoding="utf-8"))
                if stored.get("fingerprint") == fingerprint:
                    return stored, True
            except (OSError, ValueError):
                pass
        start = time.perf_counter()
        try:
            notebook = read_notebook(sub.path)
            found = detect_chapter(sub.path, notebook)
            if found != self.chapter:
                raise NotebookError(f"this is a notebook of chapter {found}, not {self.chapter}")
            plan = self._plan(sub.path, notebook)
        except (NotebookError, UnknownChapterError) as exc:
            message = str(exc).replace(str(sub.path), sub.path.name)
            result = _failure_report(sub, self.chapter, message)
            result["fingerprint"] = fingerprint
            _write_atomic(result_path, json.dumps(result, indent=1))
            return result, False
        report = self._run(sub, plan, content)
        result = _report_to_json(report, fingerprint, time.perf_counter() - start, sub.student)
        _write_atomic(result_path, json.dumps(result, indent=1))
        return result, False

    def _worker(self) -> tuple[sandbox.Worker | None, Path]:
        """This thread's warm worker and its exchange folder (None when workers are not reused)."""
        if not hasattr(self.worker_ids, "index"):
            with self.plan_lock:
                self.worker_ids.index = self.worker_count
                self.worker_count += 1
        index = self.worker_ids.index
        exchange = self.out / ".work" / f"worker-{index}"
        if not self.reuse_workers:
            return None, exchange
        worker = self.workers.get(index)
        if worker is None or worker.proc.poll() is not None:
            worker = sandbox.Worker(exchange, self.limits, preload_modules(self.chapter),
                                    sandbox.scrubbed_env(exchange))
            self.workers[index] = worker
        return worker, exchange

    def _run(self, sub: Submission, plan: NotebookPlan, content: bytes) -> NotebookReport:
        def run_once(definitions_only: bool, names: list[str], skip_cells: list[int]
                     ) -> tuple[dict | None, str | None]:
            worker, exchange = self._worker()
            workdir = exchange / sub.key
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            try:
                request = plan.request(workdir / sub.path.name, self.cell_timeout,
                                       definitions_only, names, skip_cells)
                return self._run_in(worker, workdir, sub, plan, content, request)
            finally:
                shutil.rmtree(workdir, ignore_errors=True)

        response, notes = run_with_fallback(run_once, [p.exercise.name for p in plan.exercises
                                                       if not p.problem])
        return grade_response(sub.path.name, plan, response, notes)

    def _run_in(self, worker: sandbox.Worker | None, workdir: Path, sub: Submission,
                plan: NotebookPlan, content: bytes, request: dict
                ) -> tuple[dict | None, str | None]:
        if self.data_dir:
            for item in self.data_dir.iterdir():
                if item.suffix != ".ipynb" and item.is_file():
                    shutil.copy(item, workdir / item.name)
        notebook_copy = workdir / sub.path.name
        notebook_copy.write_bytes(content)
        plain.dump(request, workdir / REQUEST)
        limits = sandbox.Limits(**{**self.limits.__dict__,
                                   "wall_seconds": min(self.limits.wall_seconds,
                                                       plan.budget(self.cell_timeout))})
        if worker is not None:
            try:
                run = worker.run(workdir, limits)
            except sandbox.WorkerCrashed as exc:
                worker.close()
                self.workers.pop(self.worker_ids.index, None)
                return None, str(exc)
        else:
            run = sandbox.run([sys.executable, "-m", "medai.autograder.runner", str(workdir)],
                              workdir, limits, sandbox.scrubbed_env(workdir))
        if run.timed_out:
            return None, f"it did not finish within the {limits.wall_seconds:g} s time limit"
        if run.returncode not in (0, WATCHDOG_EXIT):
            return None, crash_reason(run.returncode, run.stderr_tail)
        response = read_response(workdir)
        if response is None:
            return None, STOPPED_EARLY + " (or its result files were tampered with)"
        return response, None

    def _close_workers(self) -> None:
        for worker in list(self.workers.values()):
            worker.close()
        self.workers.clear()

    def grade_all(self, submissions: list[Submission]) -> list[dict]:
        (self.out / RESULTS).mkdir(parents=True, exist_ok=True)
        isolation = sandbox.detect()
        print(f"Grading {len(submissions)} submission(s) of {self.chapter} with {self.jobs} "
              f"worker(s); {isolation.describe()}", file=self.stream)
        if not (isolation.filesystem and isolation.network):
            from .doctor import ISOLATION_FIX

            print(f"Isolation is OFF: submissions can read what you can read and use the network. "
                  f"To turn it on, {ISOLATION_FIX}.", file=self.stream)
        progress = Progress(len(submissions), self.stream)
        results: dict[str, dict] = {}
        pool = ThreadPoolExecutor(max_workers=self.jobs)
        try:
            futures = {pool.submit(self.grade_one, sub): sub for sub in submissions}
            for future in as_completed(futures):
                sub = futures[future]
                try:
                    result, reused = future.result()
                except Exception as exc:  # one broken submission never stops the batch
                    result, reused = _failure_report(sub, self.chapter,
                                                     f"internal grading error: {exc}"), False
                results[sub.key] = result
                progress.update(not result.get("ran", False), reused)
        except KeyboardInterrupt:
            # What is graded is already on disk (written atomically); stop the rest now.
            pool.shutdown(wait=False, cancel_futures=True)
            self._close_workers()
            raise
        pool.shutdown(wait=True)
        self._close_workers()
        shutil.rmtree(self.out / ".work", ignore_errors=True)
        ordered = [results[s.key] for s in submissions]
        write_outputs(self.out, self.chapter, ordered, isolation)
        return ordered


def preload_modules(chapter: str) -> list[str]:
    """What the chapter's notebooks import (from their code cells), for the warm worker."""
    import ast

    from .cells import cell_source
    from .registry import CHAPTERS

    modules = ["numpy", "pandas", "matplotlib.pyplot", "IPython.core.interactiveshell",
               "traitlets.config", "medai.autograder.runner",
               f"medai.autograder.exercises.{CHAPTERS[chapter]}"]
    for path in sorted((solutions_dir() / chapter).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            if cell.get("cell_type") != "code":
                continue
            try:
                tree = ast.parse(cell_source(cell))
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules += [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.append(node.module)
    return list(dict.fromkeys(modules))


def write_gradebook(db_url: str, chapter: str, results: list[dict]) -> int:
    """Record each test cell's points as nbgrader's automatic score, so formgrader's tables show
    them. The assignment must already be in the gradebook (``nbgrader generate_assignment``).
    Returns the number of grades written."""
    import warnings

    from nbgrader.api import Gradebook, MissingEntry

    written = 0
    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
        try:
            gb.find_assignment(chapter)
        except MissingEntry:
            raise GradeUsageError(
                f"the gradebook {db_url} has no assignment {chapter}: run "
                f"`nbgrader generate_assignment {chapter}` with it first") from None
        for result in results:
            student = result["student"]
            gb.update_or_create_student(student)
            try:
                gb.find_submission(chapter, student)
            except MissingEntry:
                gb.add_submission(chapter, student)
            try:
                notebook = gb.find_submission_notebook(Path(result["notebook"]).stem, chapter, student)
            except MissingEntry:
                continue  # a notebook the assignment does not have
            points = {f"test_{e['name']}": e["points"] for e in result["exercises"]}
            for grade in notebook.grades:
                if grade.name in points:
                    grade.auto_score = points[grade.name]
                    written += 1
        gb.db.commit()
    return written


# --- outputs ----------------------------------------------------------------------------------

def _per_student(results: list[dict], names: list[str]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for r in results:
        row = rows.setdefault(r["student"], {n: 0.0 for n in names})
        for e in r["exercises"]:
            if e["name"] in row:
                row[e["name"]] = max(row[e["name"]], e["points"])
    return rows


def write_outputs(out: Path, chapter: str, results: list[dict], isolation: sandbox.Isolation) -> None:
    exercises = chapter_exercises(chapter)
    names = list(exercises)
    rows = _per_student(results, names)
    lines = []
    for student, row in sorted(rows.items()):
        lines.append({"student": student, **{n: f"{row[n]:g}" for n in names},
                      "total": f"{round(sum(row.values()), 2):g}"})
    tmp = out / ".grades.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["student", *names, "total"])
        writer.writeheader()
        writer.writerows(lines)
    os.replace(tmp, out / "grades.csv")
    (out / FEEDBACK).mkdir(exist_ok=True)
    by_student: dict[str, list[dict]] = {}
    for r in results:
        by_student.setdefault(r["student"], []).append(r)
    for student, items in by_student.items():
        markdown = feedback_markdown(student, chapter, items)
        _write_atomic(out / FEEDBACK / f"{student}.md", markdown)
        _write_atomic(out / FEEDBACK / f"{student}.html", markdown_to_html(markdown, student))
    write_summary(out, chapter, results, rows, isolation)


def feedback_markdown(student: str, chapter: str, results: list[dict]) -> str:
    lines = [f"# Feedback for {student}: chapter {chapter}", ""]
    for r in results:
        lines += [f"## {r['notebook']}: {r['total']:g} of {r['max_total']:g} points", ""]
        lines += ["| exercise | points | status |", "|---|---|---|"]
        for e in r["exercises"]:
            lines.append(f"| `{e['name']}` | {e['points']:g} / {e['max_points']:g} | {e['status']} |")
        lines.append("")
        for note in r["notes"]:
            lines.append(f"- Note: {note}")
        if r["notes"]:
            lines.append("")
        for e in r["exercises"]:
            if e["status"] != "passed":
                lines += [f"### `{e['name']}`", "", "```text", e["report"], "```", ""]
    lines.append("Graded on the public and the hidden cases. Hidden inputs are not shown.")
    return "\n".join(lines) + "\n"


def markdown_to_html(markdown: str, title: str) -> str:
    """A small, dependency-free rendering of the feedback Markdown (headings, tables, code)."""
    import html

    body, in_code, in_table = [], False, False
    for line in markdown.splitlines():
        if line.startswith("```"):
            body.append("</pre>" if in_code else "<pre>")
            in_code = not in_code
            continue
        if in_code:
            body.append(html.escape(line))
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if set("".join(cells)) <= set("-"):
                continue
            if not in_table:
                body.append("<table>")
                in_table = True
                body.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
                continue
            body.append("<tr>" + "".join(f"<td>{html.escape(c.strip('`'))}</td>" for c in cells)
                        + "</tr>")
            continue
        if in_table:
            body.append("</table>")
            in_table = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            body.append(f"<h{level}>{html.escape(line[level:].strip().replace('`', ''))}</h{level}>")
        elif line.startswith("- "):
            body.append(f"<p>&bull; {html.escape(line[2:])}</p>")
        elif line.strip():
            body.append(f"<p>{html.escape(line)}</p>")
    if in_table:
        body.append("</table>")
    style = ("body{font-family:sans-serif;max-width:50em;margin:2em auto}"
             "pre{background:#f4f4f4;padding:.8em;white-space:pre-wrap}"
             "td,th{border:1px solid #ccc;padding:.2em .6em}table{border-collapse:collapse}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{style}</style></head><body>\n" + "\n".join(body) + "\n</body></html>\n")


def write_summary(out: Path, chapter: str, results: list[dict], rows: dict[str, dict[str, float]],
                  isolation: sandbox.Isolation) -> None:
    exercises = chapter_exercises(chapter)
    folder = out / SUMMARY
    folder.mkdir(exist_ok=True)
    totals = [round(sum(r.values()), 2) for r in rows.values()]
    max_total = float(sum(e.points for e in exercises.values()))
    per_exercise = {}
    diagnoses: Counter[str] = Counter()
    problems: Counter[str] = Counter()
    for name, exercise in exercises.items():
        scores = [row[name] for row in rows.values()]
        per_exercise[name] = {
            "max_points": float(exercise.points),
            "mean_points": round(sum(scores) / len(scores), 3) if scores else 0.0,
            "full_marks_rate": round(sum(s == exercise.points for s in scores) / len(scores), 3)
            if scores else 0.0,
        }
    for r in results:
        for e in r["exercises"]:
            for hint in e.get("hints", []):
                diagnoses[f"{e['name']}: {hint}"] += 1
            if e["status"] in ("missing", "error"):
                problems[f"{e['name']}: {e['status']}"] += 1
    summary = {
        "chapter": chapter, "students": len(rows), "max_total": max_total,
        "mean_total": round(sum(totals) / len(totals), 3) if totals else 0.0,
        "isolation": isolation.describe(), "exercises": per_exercise,
        "common_diagnoses": diagnoses.most_common(10), "common_problems": problems.most_common(10),
    }
    _write_atomic(folder / "summary.json", json.dumps(summary, indent=1))
    lines = [f"# Class summary: chapter {chapter}", "",
             f"{len(rows)} student(s); mean total {summary['mean_total']:g} of {max_total:g}.",
             f"Isolation: {isolation.describe()}.", "", "![score histogram](histogram.png)", "",
             "| exercise | full marks | mean points |", "|---|---|---|"]
    for name, s in per_exercise.items():
        lines.append(f"| `{name}` | {s['full_marks_rate']:.0%} | {s['mean_points']:g} / "
                     f"{s['max_points']:g} |")
    lines += ["", "## What to teach again: the most common diagnoses", ""]
    lines += [f"{i}. ({n} submissions) {d}" for i, (d, n) in enumerate(diagnoses.most_common(10), 1)]
    if not diagnoses:
        lines.append("No catalogued mistake was matched.")
    if problems:
        lines += ["", "## Exercises that could not be graded", ""]
        lines += [f"- {p}: {n}" for p, n in problems.most_common(10)]
    _write_atomic(folder / "summary.md", "\n".join(lines) + "\n")
    _histogram(folder / "histogram.png", totals, max_total, chapter)


def _histogram(path: Path, totals: list[float], max_total: float, chapter: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    bins = max(5, min(20, int(max_total * 2) or 5))
    ax.hist(totals, bins=bins, range=(0, max_total or 1), color="tab:blue", edgecolor="white")
    ax.set_title(f"Total scores, chapter {chapter} ({len(totals)} students)")
    ax.set_xlabel(f"total points (of {max_total:g})")
    ax.set_ylabel("number of students")
    fig.tight_layout()
    tmp = path.with_name(".histogram.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)
