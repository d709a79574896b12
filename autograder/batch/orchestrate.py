"""Grading a batch: ``--jobs`` grading processes, each driving its own warm sandboxed worker and
judging what comes back, all at once; results are written as they come, atomically and resumably.

The pipeline keeps every core busy from the start. The main process writes the plan (which notebook
holds which exercises, argument names, every case: seconds) and then the grading truth (the
reference's and the catalogued mistakes' outputs on every case: the longest part), while the
grading processes start and warm their workers (importing TensorFlow takes seconds too). Grading
processes run submissions as soon as the plan exists; a run that ends before the truth is complete
is kept on disk and judged once it is.

Trust boundary (DESIGN section 4): the reference runs only in the main process, which writes the
grading truth (expected and mistake outputs of every case, as plain data) for the grading processes;
these judge; a submission's code runs only inside its sandbox, receiving case inputs and returning
outputs as plain data.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path

from .. import plain, sandbox
from ..check import (
    DEFAULT_CELL_TIMEOUT,
    STOPPED_EARLY,
    NotebookError,
    NotebookPlan,
    NotebookReport,
    crash_reason,
    detect_chapter,
    grade_response,
    merge_parts,
    plan_notebook,
    read_notebook,
    read_response,
    run_exercises_first,
    run_with_fallback,
    split_parts,
)
from ..reference import ReferenceNotFoundError, solutions_dir
from ..registry import CHAPTERS, UnknownChapterError, chapter_exercises
from ..runner import REQUEST, WATCHDOG_EXIT
from .outputs import RESULTS, feedback_section, markdown_to_html, write_atomic, write_outputs
from .result import ExerciseRecord, SubmissionResult
from .submissions import GradeUsageError, Submission, select_shard


def grader_version(chapter: str, limits: sandbox.Limits) -> str:
    """Changes when anything that could change a grade changes: the grader's code, the chapter's
    registry and solutions, the data loaders, the limits."""
    digest = hashlib.sha256(repr(limits).encode())
    package = Path(__file__).resolve().parent.parent
    slug = CHAPTERS[chapter]
    sources = sorted(package.glob("*.py")) + sorted((package / "batch").glob("*.py"))
    sources += sorted((package / "exercises").glob("*.py"))
    sources += sorted((package / "exercises" / slug).rglob("*.py"))
    sources += sorted((package.parent / "datasets").glob("*.py"))
    for path in sources + sorted((solutions_dir() / chapter).glob("*.ipynb")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def preload_modules(chapter: str) -> list[str]:
    """What the chapter's notebooks import (from their code cells), for the warm worker, which
    imports them once so that no submission pays for them again (TensorFlow and Keras included)."""
    import ast

    from ..cells import cell_source

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


class Progress:
    def __init__(self, total: int, stream=None) -> None:
        self.total, self.done, self.errors, self.reused = total, 0, 0, 0
        self.stream = stream or sys.stderr
        self.start = time.perf_counter()
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.last_line = -1

    def update(self, error: bool, reused: bool) -> None:
        self.done += 1
        self.errors += error
        self.reused += reused
        elapsed = time.perf_counter() - self.start
        graded = self.done - self.reused
        eta = elapsed / graded * (self.total - self.done) if graded else 0.0
        width = 30
        filled = int(width * self.done / self.total)
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} graded"
                f", {self.reused} unchanged, {self.errors} could not run, ETA {eta:.0f} s")
        if self.tty:
            print("\r" + line, end="" if self.done < self.total else "\n", file=self.stream,
                  flush=True)
        elif self.done * 10 // self.total > self.last_line or self.done == self.total:
            self.last_line = self.done * 10 // self.total
            print(line, file=self.stream, flush=True)


@dataclass(frozen=True)
class GradingContext:
    """What a grading process needs, all of it plain: sent once to each process."""

    chapter: str
    out: Path
    limits: sandbox.Limits
    cell_timeout: float
    version: str
    plan_dir: Path  # what planning a submission needs, written first (``bundle.build_plan``)
    truth_dir: Path  # the grading truth, complete once its folder exists
    data_dir: Path | None
    preload: tuple[str, ...]
    reuse_workers: bool
    definitions_only: bool = False
    run_all_cells: bool = False


def _failure(sub: Submission, chapter: str, message: str, fingerprint: str = "") -> SubmissionResult:
    exercises = chapter_exercises(chapter)
    records = [ExerciseRecord.missing(n, float(e.points), message) for n, e in exercises.items()]
    result = SubmissionResult(sub.student, sub.path.name, chapter, fingerprint, False, 0.0,
                              float(sum(e.points for e in exercises.values())), [message], records)
    return _with_feedback(result)


def _with_feedback(result: SubmissionResult) -> SubmissionResult:
    result.feedback_md = feedback_section(result)
    result.feedback_html = markdown_to_html(result.feedback_md)
    return result


class _Process:
    """The state of one grading process: its context, its plans, its warm sandboxed worker."""

    def __init__(self, ctx: GradingContext) -> None:
        from ..truth import TRUTH

        self.ctx = ctx
        TRUTH.use_grading_truth(ctx.plan_dir)
        self.truth_ready = False
        self.plans: dict[str, NotebookPlan] = {}
        self.worker: sandbox.Worker | None = None
        self.exchange = ctx.out / ".work" / f"process-{os.getpid()}"
        atexit.register(self.close)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None
        shutil.rmtree(self.exchange, ignore_errors=True)

    def _warm_worker(self) -> sandbox.Worker | None:
        if not self.ctx.reuse_workers:
            return None
        if self.worker is None or self.worker.proc.poll() is not None:
            self.worker = sandbox.Worker(self.exchange, self.ctx.limits, list(self.ctx.preload),
                                         sandbox.scrubbed_env(self.exchange))
        return self.worker

    def _plan(self, sub: Submission) -> NotebookPlan:
        """Raises OSError, NotebookError or UnknownChapterError when the file cannot be graded."""
        notebook = read_notebook(sub.path)
        found = detect_chapter(sub.path, notebook)
        if found != self.ctx.chapter:
            raise NotebookError(f"this is a notebook of chapter {found}, not {self.ctx.chapter}")
        if sub.path.name not in self.plans:
            self.plans[sub.path.name] = plan_notebook(sub.path, notebook, hidden=True,
                                                      expected=self.truth_ready)
        return self.plans[sub.path.name]

    def grade(self, sub: Submission, fingerprint: str, part: dict | None = None,
              index: int = 0, of: int = 1) -> SubmissionResult | None:
        """Runs the submission in its sandbox and judges it; returns None when the grading truth
        is not complete yet: the run is then kept (``stash``) for ``judge_stashed``, and this
        process goes on running the next submissions instead of waiting. With ``part`` (part
        ``index`` of ``of``, see ``check.split_parts``), only that part's cases are run, and
        kept for ``judge_stashed`` to judge with the others."""
        start = time.perf_counter()
        ctx = self.ctx
        try:
            content = sub.path.read_bytes()
            plan = self._plan(sub)
        except OSError as exc:
            return _failure(sub, ctx.chapter, f"cannot read the file: {exc.strerror}", fingerprint)
        except (NotebookError, UnknownChapterError) as exc:
            message = str(exc).replace(str(sub.path), sub.path.name)
            return _failure(sub, ctx.chapter, message, fingerprint)
        ran = [0.0]

        def run_once(definitions_only: bool, names: list[str], skip_cells: list[int]
                     ) -> tuple[dict | None, str | None]:
            workdir = self.exchange / sub.key
            shutil.rmtree(workdir, ignore_errors=True)
            workdir.mkdir(parents=True)
            began = time.perf_counter()
            try:
                request = plan.request(workdir / sub.path.name, ctx.cell_timeout, definitions_only,
                                       names, skip_cells, part)
                return self._run_in(workdir, sub, plan, content, request)
            finally:
                ran[0] += time.perf_counter() - began
                shutil.rmtree(workdir, ignore_errors=True)

        chosen = plan.part_cases(part)
        names = [p.exercise.name for p in plan.exercises if not p.problem and chosen[p.exercise.name]]
        if not names:  # nothing of this part is in this notebook
            response, notes = {"cells": [], "exercises": {}, "unfinished": []}, []
        elif ctx.run_all_cells or ctx.definitions_only:
            response, notes = run_with_fallback(run_once, names, ctx.definitions_only)
        else:
            response, notes = run_exercises_first(run_once, names)
        if of > 1 or not self._truth_complete():
            plain.dump({"part": part, "response": response, "notes": notes, "seconds": ran[0]},
                       self._stash(sub, index, of))
            return None
        return self._judge(sub, fingerprint, plan, response, notes, ran[0], start)

    def _stash(self, sub: Submission, index: int = 0, of: int = 1) -> Path:
        folder = self.ctx.out / ".work" / "stash"
        folder.mkdir(parents=True, exist_ok=True)
        return folder / (sub.key if of == 1 else f"{sub.key}-part{index}")

    def judge_stashed(self, sub: Submission, fingerprint: str, of: int = 1) -> SubmissionResult:
        """Judges the run(s) that ``grade`` kept: one, or the ``of`` parts of a split notebook."""
        start = time.perf_counter()
        self._await_truth()
        stashed = [plain.load(self._stash(sub, k, of)) for k in range(of)]
        try:
            plan = self._plan(sub)
        except (OSError, NotebookError, UnknownChapterError) as exc:  # changed since it ran
            return _failure(sub, self.ctx.chapter, f"the file changed while it was graded: {exc}",
                            fingerprint)
        if of == 1:
            response, notes = stashed[0]["response"], stashed[0]["notes"]
        else:
            response, notes = merge_parts(plan, [(s["part"], s["response"], s["notes"])
                                                 for s in stashed])
        return self._judge(sub, fingerprint, plan, response, notes,
                           sum(s["seconds"] for s in stashed), start, counted=0.0)

    def _judge(self, sub: Submission, fingerprint: str, plan: NotebookPlan,
               response: dict | None, notes: list[str], ran: float, start: float,
               counted: float | None = None) -> SubmissionResult:
        report = grade_response(sub.path.name, plan, response, notes)
        result = _with_feedback(_result_of(report, sub, fingerprint))
        result.seconds = round(ran, 3)
        result.judge_seconds = round(time.perf_counter() - start - (ran if counted is None
                                                                     else counted), 4)
        return result

    def _truth_complete(self) -> bool:
        if not self.truth_ready and (self.ctx.truth_dir / f"{self.ctx.chapter}.json").is_file():
            self._await_truth()
        return self.truth_ready

    def _await_truth(self) -> None:
        """The first submissions run while the main process still computes the grading truth;
        judging them waits for it (the main process stops this process if it fails)."""
        if self.truth_ready:
            return
        done = self.ctx.truth_dir / f"{self.ctx.chapter}.json"
        while not done.is_file():
            time.sleep(0.05)
        from ..truth import TRUTH

        TRUTH.use_grading_truth(self.ctx.truth_dir)
        self.truth_ready = True

    def _run_in(self, workdir: Path, sub: Submission, plan: NotebookPlan, content: bytes,
                request: dict) -> tuple[dict | None, str | None]:
        ctx = self.ctx
        if ctx.data_dir:
            for item in ctx.data_dir.iterdir():
                if item.suffix != ".ipynb" and item.is_file():
                    shutil.copy(item, workdir / item.name)
        (workdir / sub.path.name).write_bytes(content)
        plain.dump(request, workdir / REQUEST)
        limits = sandbox.Limits(**{**ctx.limits.__dict__,
                                   "wall_seconds": min(ctx.limits.wall_seconds,
                                                       plan.budget(ctx.cell_timeout))})
        worker = self._warm_worker()
        if worker is not None:
            try:
                run = worker.run(workdir, limits)
            except sandbox.WorkerCrashed as exc:
                worker.close()
                self.worker = None
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


def _result_of(report: NotebookReport, sub: Submission, fingerprint: str) -> SubmissionResult:
    return SubmissionResult(
        student=sub.student, notebook=Path(report.notebook).name, chapter=report.chapter,
        fingerprint=fingerprint, ran=report.ran, total=report.total, max_total=report.max_total,
        notes=list(report.notes), exercises=[ExerciseRecord.of(r) for r in report.results])


_PROCESS: _Process | None = None


def _start_process(ctx: GradingContext) -> None:
    """A grading process's start, while the main process still computes the grading truth: the
    chapter's registry imported and the warm worker started (its preload, TensorFlow included, is
    the longest part), so that both cores are busy from the first second."""
    global _PROCESS
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    _PROCESS = _Process(ctx)
    chapter_exercises(ctx.chapter)
    try:
        _PROCESS._warm_worker()
    except sandbox.WorkerCrashed:  # tried again, and reported, with the first submission
        _PROCESS.worker = None


def _import_pyplot() -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot


def _ready() -> int:
    return os.getpid()


def _grade_in_process(sub: Submission, fingerprint: str, stashed: bool = False,
                      part: dict | None = None, index: int = 0, of: int = 1) -> dict | None:
    """One submission graded in this grading process; None when its run was stashed to be judged
    once the grading truth is complete, or once the other parts of its notebook have run (the main
    process then sends it again with ``stashed``)."""
    if stashed:
        result = _PROCESS.judge_stashed(sub, fingerprint, of)
    else:
        result = _PROCESS.grade(sub, fingerprint, part, index, of)
        if result is None:
            return None
    path = _PROCESS.ctx.out / RESULTS / f"{sub.key}.json"
    write_atomic(path, json.dumps(result.to_json(), indent=1))
    return result.to_json()


@dataclass
class Timings:
    """Where a batch's time went, in the main process (``medai grade`` prints it)."""

    wall: float = 0.0
    main_cpu: float = 0.0  # the main process's CPU time, grading truth included
    truth_cpu: float = 0.0  # of which the plan and the grading truth (once per batch)
    submissions: int = 0

    def describe(self) -> str:
        own = max(0.0, self.main_cpu - self.truth_cpu) / max(1, self.submissions)
        return (f"{self.wall:.1f} s wall; the main process used {self.truth_cpu:.1f} s of CPU for "
                f"the grading truth and {own * 1000:.1f} ms per submission for everything else "
                "(judging, feedback and results are the grading processes' work)")


class BatchGrader:
    """``medai grade``: many submissions of one chapter, each in its own sandbox, ``jobs`` at once."""

    def __init__(self, chapter: str, out: Path, jobs: int = 2, limits: sandbox.Limits | None = None,
                 cell_timeout: float = DEFAULT_CELL_TIMEOUT, stream=None,
                 reuse_workers: bool = True, shard: tuple[int, int] | None = None,
                 definitions_only: bool = False, run_all_cells: bool = False) -> None:
        """By default each notebook's import cell and exercise cells are run first, and the whole
        notebook only for the exercises that need it (see ``check.run_exercises_first``).
        ``run_all_cells`` always runs every cell first, as ``medai check`` does;
        ``definitions_only`` never runs the rest (a function relying on another cell then fails)."""
        try:
            chapter_exercises(chapter)
        except UnknownChapterError as exc:
            raise GradeUsageError(str(exc)) from None
        self.chapter = chapter
        self.out = Path(out)
        self.jobs = max(1, jobs)
        self.limits = limits or sandbox.Limits()
        # Half the wall time at most for one cell: a cell that loops forever then leaves time for
        # the exercise cells to be run and graded (graceful degradation) within the same run.
        self.cell_timeout = min(cell_timeout, self.limits.wall_seconds / 2)
        self.stream = stream or sys.stderr
        self.version = grader_version(chapter, self.limits)
        self.reuse_workers = reuse_workers
        self.shard = shard
        self.definitions_only = definitions_only
        self.run_all_cells = run_all_cells
        self.timings = Timings()

    def _chapter_data(self) -> Path | None:
        """Files released beside the chapter's notebooks (data a notebook reads)."""
        from ..reference import repository_root

        root = repository_root()
        folder = root / "course" / self.chapter if root else None
        if folder and folder.is_dir() and any(p.suffix != ".ipynb" for p in folder.iterdir()
                                              if p.is_file()):
            return folder
        return None

    def truth_folder(self) -> Path:
        return self.out / ".work" / f"truth-{self.version}"

    def _longest_first(self, pending: list[tuple[Submission, str]]
                       ) -> list[tuple[Submission, str]]:
        """The submissions in the order they are handed out: notebooks whose exercises may take
        longest (by their time limits: the ones that train a model) first, so that the cheap ones
        fill the gaps at the end instead of one process training alone while the others idle.
        Results and outputs keep the submissions' own order."""
        from ..truth import TRUTH

        registry = chapter_exercises(self.chapter)
        try:
            held = TRUTH.solutions.notebook_exercises(self.chapter)
        except ReferenceNotFoundError:
            return pending
        weight = {name: sum(registry[e].time_limit for e in names if e in registry)
                  for name, names in held.items()}
        return sorted(pending, key=lambda item: -weight.get(item[0].path.name, 0.0))

    def _splits(self, ways: int) -> dict[str, list[dict]]:
        """How each notebook is split into runs that can run at the same time (by name; see
        ``check.split_parts``): one whose exercise trains a model on each of its cases for seconds
        would otherwise keep one process busy while the others have run out of work."""
        from ..truth import TRUTH

        registry = chapter_exercises(self.chapter)
        parallel = {name for name, e in registry.items() if e.parallel_cases}
        if ways < 2 or not parallel:
            return {}
        try:
            held = TRUTH.solutions.notebook_exercises(self.chapter)
        except ReferenceNotFoundError:
            return {}
        splits = {}
        for notebook, names in held.items():
            counts = {n: len(registry[n].cases(hidden=True)) for n in names if n in parallel}
            parts = split_parts(counts, parallel, ways)
            if parts:
                splits[notebook] = parts
        return splits

    def _write_once(self, folder: Path, write) -> Path:
        """``write(tmp)`` into a temporary folder renamed to ``folder``, unless ``folder`` already
        holds the chapter: a reader sees the whole folder or none of it."""
        if not (folder / f"{self.chapter}.json").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            tmp = folder.with_name(f"{folder.name}.{os.getpid()}.tmp")
            shutil.rmtree(tmp, ignore_errors=True)
            write(tmp)
            os.replace(tmp, folder)
        return folder

    def _write_plan(self, folder: Path) -> None:
        from .. import bundle

        self._write_once(folder, lambda tmp: bundle.write_plan(self.chapter, tmp))

    def grading_truth(self) -> Path:
        """The expected and mistake outputs of every case, computed once per grader version (the
        reference runs here, in the main process, and nowhere else)."""
        from .. import bundle

        return self._write_once(self.truth_folder(),
                                lambda tmp: bundle.write_chapter(self.chapter, tmp, hidden=True))

    def fingerprint(self, sub: Submission) -> str | None:
        try:
            content = sub.path.read_bytes()
        except OSError:
            return None
        return hashlib.sha256(content + self.version.encode()).hexdigest()

    def _stored(self, sub: Submission, fingerprint: str | None) -> SubmissionResult | None:
        path = self.out / RESULTS / f"{sub.key}.json"
        if fingerprint is None or not path.exists():
            return None
        try:
            stored = SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            return None
        return stored if stored.fingerprint == fingerprint else None

    def grade_all(self, submissions: list[Submission]) -> list[SubmissionResult]:
        wall, cpu = time.perf_counter(), time.process_time()
        self.timings = Timings()
        submissions = select_shard(submissions, self.shard)
        (self.out / RESULTS).mkdir(parents=True, exist_ok=True)
        isolation = sandbox.detect()
        share = f" (shard {self.shard[0]}/{self.shard[1]})" if self.shard else ""
        print(f"Grading {len(submissions)} submission(s) of {self.chapter}{share} with {self.jobs} "
              f"grading process(es); {isolation.describe()}", file=self.stream)
        if not (isolation.filesystem and isolation.network):
            from ..doctor import ISOLATION_FIX

            print(f"Isolation is OFF: submissions can read what you can read and use the network. "
                  f"To turn it on, {ISOLATION_FIX}.", file=self.stream)
        progress = Progress(len(submissions), self.stream)
        results: dict[str, SubmissionResult] = {}
        pending = []
        for sub in submissions:
            fingerprint = self.fingerprint(sub)
            stored = self._stored(sub, fingerprint)
            if stored is not None:
                results[sub.key] = stored
                progress.update(not stored.ran, True)
            elif fingerprint is None:
                results[sub.key] = _failure(sub, self.chapter, "cannot read the file")
                progress.update(True, False)
            else:
                pending.append((sub, fingerprint))
        pool = self._grade_pending(pending, results, progress) if pending else None
        ordered = [results[s.key] for s in submissions]
        with ThreadPoolExecutor(1) as writer:  # the outputs are written while the processes stop
            written = writer.submit(write_outputs, self.out, self.chapter, ordered,
                                    isolation.describe())
            if pool is not None:
                pool.shutdown(wait=True)
            written.result()
        shutil.rmtree(self.out / ".work", ignore_errors=True)
        self.timings.wall = time.perf_counter() - wall
        self.timings.main_cpu = time.process_time() - cpu
        self.timings.submissions = len(submissions)
        return ordered

    def _grade_pending(self, pending: list[tuple[Submission, str]],
                       results: dict[str, SubmissionResult], progress: Progress
                       ) -> ProcessPoolExecutor:
        """Grades ``pending`` into ``results``; returns the pool for the caller to shut down."""
        ctx = GradingContext(self.chapter, self.out, self.limits, self.cell_timeout, self.version,
                             self.out / ".work" / f"plan-{self.version}", self.truth_folder(),
                             self._chapter_data(),
                             tuple(preload_modules(self.chapter)), self.reuse_workers,
                             self.definitions_only, self.run_all_cells)
        spawn = multiprocessing.get_context("spawn")  # never fork a process that may hold threads
        splits = self._splits(self.jobs)
        jobs = min(self.jobs, sum(len(splits.get(sub.path.name) or [None]) for sub, _ in pending))
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=spawn,
                                   initializer=_start_process, initargs=(ctx,))
        try:
            # The grading processes start and warm their workers while this process writes the
            # plan (quick), then the grading truth (the reference on every case); they run the
            # first submissions meanwhile and judge them once the truth is complete.
            for _ in range(jobs):
                pool.submit(_ready)
            cpu = time.process_time()
            self._write_plan(ctx.plan_dir)
            parts_left, futures = {}, {}
            for sub, fp in self._longest_first(pending):
                parts = splits.get(sub.path.name)
                if parts is None:
                    futures[pool.submit(_grade_in_process, sub, fp)] = (sub, fp)
                    continue
                parts_left[sub.key] = len(parts)
                for k, part in enumerate(parts):  # parts of one notebook, run at the same time
                    futures[pool.submit(_grade_in_process, sub, fp, False, part, k,
                                        len(parts))] = (sub, fp)
            self.grading_truth()
            self.timings.truth_cpu = time.process_time() - cpu
            # This process only waits from now on: it imports what the class summary's chart
            # needs meanwhile, rather than after the last submission.
            threading.Thread(target=_import_pyplot, daemon=True).start()
            while futures:
                done, _ = wait(futures, return_when=FIRST_COMPLETED)
                for future in done:
                    sub, fp = futures.pop(future)
                    if sub.key in results:  # another part of its notebook failed already
                        continue
                    try:
                        answer = future.result()
                        if answer is None:  # ran before the truth was complete, or a part
                            of = len(splits.get(sub.path.name) or [None])
                            parts_left[sub.key] = parts_left.get(sub.key, 1) - 1
                            if parts_left[sub.key] == 0:  # judge it now
                                futures[pool.submit(_grade_in_process, sub, fp, True, None, 0,
                                                    of)] = (sub, fp)
                            continue
                        result = SubmissionResult.from_json(answer)
                    except Exception as exc:  # one broken submission never stops the batch
                        result = _failure(sub, self.chapter, f"internal grading error: {exc}")
                    results[sub.key] = result
                    progress.update(not result.ran, False)
        except BaseException:  # Ctrl-C, or the grading truth could not be computed
            # What is graded is already on disk (written atomically); stop the rest now.
            pool.shutdown(wait=False, cancel_futures=True)
            for process in list((getattr(pool, "_processes", None) or {}).values()):
                process.terminate()
            raise
        return pool

