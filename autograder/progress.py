"""Where a self-learner stands across the course: every chapter notebook graded on its public cases,
cached by notebook content and grader version, told as a terminal table, JSON or an HTML page."""

from __future__ import annotations

import hashlib
import html
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cells import cell_source, exercise_id, nbgrader_meta
from .registry import CHAPTER_PATTERN

NOT_STARTED = "not started"
TABLE_WIDTH = 100
# Bumped when what is cached changes shape; the grader's own source is hashed in as well.
CACHE_FORMAT = 1


@dataclass
class ExerciseProgress:
    name: str
    points: float
    max_points: float
    status: str  # passed | partial | failed | error | missing | not started
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "points": self.points, "max_points": self.max_points,
                "status": self.status, "messages": list(self.messages)}


@dataclass
class NotebookProgress:
    chapter: str
    notebook: str  # path relative to the course folder
    started: bool
    exercises: list[ExerciseProgress]
    notes: list[str] = field(default_factory=list)
    cached: bool = False

    @property
    def points(self) -> float:
        return round(sum(e.points for e in self.exercises), 2)

    @property
    def max_points(self) -> float:
        return sum(e.max_points for e in self.exercises)

    def to_json(self) -> dict[str, Any]:
        return {"notebook": self.notebook, "started": self.started, "points": self.points,
                "max_points": self.max_points, "notes": list(self.notes),
                "exercises": [e.to_json() for e in self.exercises]}


@dataclass
class ChapterProgress:
    chapter: str
    notebooks: list[NotebookProgress]

    @property
    def started(self) -> bool:
        return any(n.started for n in self.notebooks)

    @property
    def points(self) -> float:
        return round(sum(n.points for n in self.notebooks), 2)

    @property
    def max_points(self) -> float:
        return sum(n.max_points for n in self.notebooks)

    @property
    def exercises(self) -> list[ExerciseProgress]:
        return [e for n in self.notebooks for e in n.exercises]

    def to_json(self) -> dict[str, Any]:
        return {"chapter": self.chapter, "started": self.started, "points": self.points,
                "max_points": self.max_points, "notebooks": [n.to_json() for n in self.notebooks]}


@dataclass
class NextStep:
    chapter: str
    notebook: str
    exercise: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"chapter": self.chapter, "notebook": self.notebook, "exercise": self.exercise,
                "reason": self.reason}


@dataclass
class CourseProgress:
    course: str
    chapters: list[ChapterProgress]

    @property
    def points(self) -> float:
        return round(sum(c.points for c in self.chapters), 2)

    @property
    def max_points(self) -> float:
        return sum(c.max_points for c in self.chapters)

    def next_step(self) -> NextStep | None:
        """The first exercise, in course order, that has not earned full marks, and why."""
        for chapter in self.chapters:
            for notebook in chapter.notebooks:
                for e in notebook.exercises:
                    if e.status != "passed":
                        return NextStep(chapter.chapter, notebook.notebook, e.name, _reason(e))
        return None

    def to_json(self) -> dict[str, Any]:
        step = self.next_step()
        return {"course": self.course, "total": self.points, "max_total": self.max_points,
                "chapters": [c.to_json() for c in self.chapters],
                "next": step.to_json() if step else None}


def _points(value: float) -> str:
    return f"{round(value, 2):g}"


def _reason(e: ExerciseProgress) -> str:
    if e.status == NOT_STARTED:
        return "not started"
    if e.status == "partial":
        return f"partly right: {_points(e.points)} / {_points(e.max_points)} points"
    if e.status in ("error", "missing"):
        return "it raised an error" if e.status == "error" else "it is not defined"
    return "failed: 0 points yet"


# --------------------------------------------------------------------------------------------
# Finding the notebooks


def default_course_dir() -> Path:
    """The course folder of the checkout this package runs from, else the current folder."""
    from .reference import repository_root

    root = repository_root()
    if root is not None and (root / "course").is_dir():
        return root / "course"
    here = Path.cwd()
    return here / "course" if (here / "course").is_dir() else here


def chapter_notebooks(course_dir: Path) -> list[tuple[str, Path]]:
    """``(chapter, notebook)`` for every notebook in a chapter folder (``NN_slug``), in course
    order; ``course_dir`` may itself be one chapter's folder."""
    folders = [course_dir] if CHAPTER_PATTERN.match(course_dir.name) else sorted(
        p for p in course_dir.iterdir() if p.is_dir() and CHAPTER_PATTERN.match(p.name))
    return [(folder.name, nb) for folder in folders for nb in sorted(folder.glob("*.ipynb"))]


# --------------------------------------------------------------------------------------------
# Grading, with a cache


def _is_stub(cell: dict) -> bool:
    """Whether an exercise cell is still exactly as released: nbgrader's checksum of the stub.

    The checksum is nbgrader's ``compute_checksum`` for a solution cell, written out here because
    importing ``nbgrader.utils`` pulls in nbconvert and costs seconds, and ``medai progress`` on
    unchanged notebooks should answer at once.
    """
    meta = nbgrader_meta(cell)
    checksum = meta.get("checksum")
    if not checksum or not meta.get("solution") or meta.get("grade"):
        return False
    digest = hashlib.md5(usedforsecurity=False)
    for part in (cell_source(cell), cell.get("cell_type", ""), "False", "True", "False",
                 meta.get("grade_id", "")):  # is_grade, is_solution, is_locked
        digest.update(str(part).encode("utf-8"))
    return digest.hexdigest() == checksum


def grader_fingerprint(chapter: str) -> str:
    """A hash of what grades ``chapter``: the package version, the grader's core modules, the
    chapter's exercise registry and its release bundle. A cached grade is reused only by the
    grader that made it; editing another chapter's registry leaves it valid."""
    from importlib import metadata

    from .registry import CHAPTERS

    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(f"{CACHE_FORMAT}".encode())
    try:
        digest.update(metadata.version("medai-course").encode())
    except metadata.PackageNotFoundError:
        pass
    slug = CHAPTERS.get(chapter, chapter)
    exercises = here / "exercises"
    files = [*here.glob("*.py"), *exercises.glob("*.py"), exercises / f"{slug}.py",
             *(exercises / slug).rglob("*.py"), *(here / "bundle").glob(f"{chapter}.*")]
    for path in sorted(set(files)):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(here)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _solutions_fingerprint(chapter: str) -> str:
    """The reference notebooks' content, where solutions/ exists: editing a reference changes
    the grades."""
    from .reference import ReferenceNotFoundError, solutions_dir

    try:
        folder = solutions_dir() / chapter
    except ReferenceNotFoundError:
        return "bundle"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.ipynb")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def progress_cache_dir() -> Path:
    from ..datasets.download import cache_dir

    return cache_dir() / "progress"


Checker = Callable[[Path], Any]


def _check(path: Path) -> Any:
    from .check import check_notebook

    return check_notebook(path, hidden=False)


def notebook_progress(chapter: str, path: Path, course_dir: Path, checker: Checker = _check,
                      cache: Path | None = None) -> NotebookProgress:
    """Grade one notebook on its public cases, or read the grade cached for this very content
    and this very grader (see ``grader_fingerprint``)."""
    from .check import NotebookError, read_notebook

    relative = str(path.relative_to(course_dir)) if path.is_relative_to(course_dir) else str(path)
    try:
        notebook = read_notebook(path)
    except NotebookError as exc:
        return NotebookProgress(chapter, relative, True, [], [str(exc)])
    raw = path.read_bytes()
    key = hashlib.sha256(raw + grader_fingerprint(chapter).encode()
                         + _solutions_fingerprint(chapter).encode())
    cache_file = (cache or progress_cache_dir()) / f"{key.hexdigest()}.json"
    if cache_file.is_file():
        try:
            held = json.loads(cache_file.read_text(encoding="utf-8"))
            return NotebookProgress(chapter, relative, held["started"],
                                    [ExerciseProgress(**e) for e in held["exercises"]],
                                    held["notes"], cached=True)
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is graded again
    cells = {exercise_id(c): c for c in notebook["cells"] if exercise_id(c)}
    stubs = {name for name, cell in cells.items() if _is_stub(cell)}
    if cells and stubs == set(cells):
        # Nothing written yet: no need to run the notebook to know it earns 0.
        result = NotebookProgress(chapter, relative, False, _not_started(chapter, path, notebook))
    else:
        try:
            report = checker(path)
        except NotebookError as exc:
            return NotebookProgress(chapter, relative, True, [], [str(exc)])
        exercises = []
        for r in report.results:
            not_written = r.name in stubs or any(m.startswith("not implemented yet")
                                                 for m in r.messages)
            status = NOT_STARTED if not_written and r.points == 0 else r.status
            exercises.append(ExerciseProgress(r.name, r.points, r.max_points, status,
                                              list(r.messages)))
        # A stub raising NotImplementedError is "not started", not an error worth a note.
        notes = [n for n in report.notes if "NotImplementedError" not in n]
        result = NotebookProgress(chapter, relative, True, exercises, notes)
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(result.to_json()), encoding="utf-8")
        tmp.replace(cache_file)  # atomic: a concurrent run never reads half a file
    except OSError:
        pass  # a read-only cache only costs speed
    return result


def _not_started(chapter: str, path: Path, notebook: dict) -> list[ExerciseProgress]:
    from .check import exercises_of
    from .registry import chapter_exercises

    registry = chapter_exercises(chapter)
    try:
        names = exercises_of(chapter, path, notebook)
    except Exception:  # no solutions and no bundle here: the notebook's own exercise cells
        names = [n for n in map(exercise_id, notebook["cells"]) if n and n in registry]
    return [ExerciseProgress(n, 0.0, float(registry[n].points), NOT_STARTED) for n in names]


def course_progress(course_dir: str | Path | None = None, checker: Checker = _check,
                    cache: Path | None = None) -> CourseProgress:
    """Grade every chapter notebook under ``course_dir`` on its public cases.

    Parameters
    ----------
    course_dir : str or Path, optional
        The learner's course folder (chapter folders ``NN_slug`` inside), or one chapter's folder.
        Default: the checkout's ``course/``, else the current folder.
    checker : callable, optional
        Grades one notebook (default: ``check_notebook`` on the public cases).
    cache : Path, optional
        Where grades are cached (default: ``progress/`` in the medai cache folder).

    Returns
    -------
    CourseProgress
        Chapters in course order, each with its notebooks and exercises.
    """
    from .check import NotebookError
    from .registry import UnknownChapterError

    folder = Path(course_dir) if course_dir is not None else default_course_dir()
    if not folder.is_dir():
        raise NotebookError(f"{folder}: no such folder")
    chapters: dict[str, ChapterProgress] = {}
    for chapter, path in chapter_notebooks(folder):
        try:
            nb = notebook_progress(chapter, path, folder, checker, cache)
        except UnknownChapterError:
            continue  # a folder of the course with no graded exercises
        chapters.setdefault(chapter, ChapterProgress(chapter, [])).notebooks.append(nb)
    return CourseProgress(str(folder), list(chapters.values()))


# --------------------------------------------------------------------------------------------
# Telling it


_WORD = {"passed": "passed", "partial": "partly right", "failed": "failed", "error": "error",
         "missing": "not defined", NOT_STARTED: "not started"}


def _bar(points: float, max_points: float, width: int = 20) -> str:
    share = points / max_points if max_points else 0.0
    filled = round(share * width)
    return "[" + "#" * filled + "." * (width - filled) + f"] {share * 100:3.0f}%"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def format_table(progress: CourseProgress, width: int = TABLE_WIDTH) -> str:
    """The terminal scorecard: a line per chapter, notebook and exercise, at most ``width``
    columns wide, then the total and the next exercise to work on."""
    name_w = width - (2 + 13 + 2 + 13 + 2 + 27)  # name | points | status | bar
    lines = [_clip(f"Progress in {progress.course}", width), "",
             f"{'chapter / notebook / exercise':<{name_w}}  {'points':>13}  {'status':<13}  progress",
             "-" * width]
    for chapter in progress.chapters:
        pts = f"{_points(chapter.points)} / {_points(chapter.max_points)}"
        state = "" if chapter.started else NOT_STARTED
        lines.append(f"{_clip(chapter.chapter, name_w):<{name_w}}  {pts:>13}  {state:<13}  "
                     f"{_bar(chapter.points, chapter.max_points)}")
        for nb in chapter.notebooks:
            if len(chapter.notebooks) > 1 or nb.notes:
                pts = f"{_points(nb.points)} / {_points(nb.max_points)}"
                lines.append(f"  {_clip(Path(nb.notebook).name, name_w - 2):<{name_w - 2}}  "
                             f"{pts:>13}  {'' if nb.started else NOT_STARTED:<13}")
            for note in nb.notes[:2]:
                lines.append(_clip(f"    note: {note}", width))
            if not chapter.started:
                continue  # a chapter not started is one line: its exercises are all stubs
            for e in nb.exercises:
                pts = f"{_points(e.points)} / {_points(e.max_points)}"
                lines.append(f"    {_clip(e.name, name_w - 4):<{name_w - 4}}  {pts:>13}  "
                             f"{_WORD.get(e.status, e.status):<13}")
    lines.append("-" * width)
    total = f"{_points(progress.points)} / {_points(progress.max_points)}"
    lines.append(f"{'total':<{name_w}}  {total:>13}  {'':<13}  "
                 f"{_bar(progress.points, progress.max_points)}")
    step = progress.next_step()
    lines.append("")
    if step is None:
        lines.append("Every exercise earns full marks. Well done.")
    else:
        lines.append(_clip(f"Next: {step.exercise} in {step.notebook} ({step.reason})", width))
    return "\n".join(line.rstrip() for line in lines) + "\n"


# Colours with a contrast of at least 4.5:1 against white; every status is also a word.
_COLOUR = {"passed": "#1a7f37", "partial": "#9a6700", "failed": "#b42318", "error": "#b42318",
           "missing": "#b42318", NOT_STARTED: "#57606a"}


def format_html(progress: CourseProgress) -> str:
    """A self-contained HTML page: the total, the next exercise, and for every chapter a bar chart
    of its exercises (points earned against points available), in plain HTML and CSS."""
    esc = html.escape
    step = progress.next_step()
    cards = []
    for chapter in progress.chapters:
        rows = []
        for nb in chapter.notebooks:
            for e in nb.exercises:
                share = e.points / e.max_points if e.max_points else 0.0
                colour = _COLOUR.get(e.status, "#b42318")
                rows.append(
                    f'<tr><th scope="row"><code>{esc(e.name)}</code></th>'
                    f'<td class="chart"><div class="track" role="img" aria-label="{esc(e.name)}: '
                    f'{_points(e.points)} of {_points(e.max_points)} points">'
                    f'<div class="fill" style="width: {share * 100:.1f}%; background: {colour}">'
                    f"</div></div></td>"
                    f'<td class="pts">{_points(e.points)} / {_points(e.max_points)}</td>'
                    f'<td style="color: {colour}">{esc(_WORD.get(e.status, e.status))}</td></tr>')
            for note in nb.notes:
                rows.append(f'<tr><td colspan="4" class="note">{esc(Path(nb.notebook).name)}: '
                            f"{esc(note)}</td></tr>")
        share = chapter.points / chapter.max_points if chapter.max_points else 0.0
        state = "" if chapter.started else " &middot; not started"
        cards.append(
            f'<section><h2>{esc(chapter.chapter)} <span class="sum">{_points(chapter.points)} / '
            f"{_points(chapter.max_points)} points ({share * 100:.0f}%){state}</span></h2>"
            f'<table aria-label="exercises of {esc(chapter.chapter)}">{"".join(rows)}</table>'
            "</section>")
    total_share = progress.points / progress.max_points if progress.max_points else 0.0
    nxt = ("Every exercise earns full marks. Well done." if step is None else
           f"Next: <code>{esc(step.exercise)}</code> in {esc(step.notebook)} ({esc(step.reason)})")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Medical AI from the ground up: progress</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em;
       color: #1f2328; line-height: 1.4; }}
section {{ border: 1px solid #d0d7de; border-radius: 6px; padding: 0.5em 1em; margin: 1em 0; }}
h2 {{ font-size: 1.1em; }} .sum {{ font-weight: normal; color: #57606a; }}
table {{ border-collapse: collapse; width: 100%; }}
th {{ text-align: left; font-weight: normal; padding: 0.15em 0.5em 0.15em 0; width: 35%;
      overflow-wrap: anywhere; }}
td {{ padding: 0.15em 0.5em; }} td.chart {{ width: 40%; }} td.pts {{ white-space: nowrap; }}
.track {{ background: #eaeef2; border: 1px solid #8c959f; height: 0.9em; border-radius: 3px; }}
.fill {{ height: 100%; }} .note {{ color: #57606a; font-size: 0.9em; }}
</style></head><body>
<h1>Medical AI from the ground up: your progress</h1>
<p><strong>{_points(progress.points)} / {_points(progress.max_points)} points</strong>
({total_share * 100:.0f}%) on the public checks of {esc(progress.course)}.</p>
<p>{nxt}</p>
{"".join(cards)}
<p class="note">Graded by <code>medai progress</code> on the public cases; hidden cases are graded by
your instructor.</p>
</body></html>
"""
