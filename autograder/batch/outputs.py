"""What a batch leaves for the instructor: grades.csv, feedback per student (Markdown and HTML),
and the class summary. Each submission's feedback section is rendered where it was graded (in
parallel); here the sections are only put together, so a batch's outputs cost little more than
writing them, and a merge of shards writes exactly what a single run would have."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import threading
from collections import Counter
from pathlib import Path

from ..registry import chapter_exercises
from .result import SubmissionResult

RESULTS, FEEDBACK, SUMMARY = "results", "feedback", "summary"
_STYLE = ("body{font-family:sans-serif;max-width:50em;margin:2em auto;line-height:1.4}"
          "pre{background:#f4f4f4;padding:.8em;white-space:pre-wrap;overflow-wrap:anywhere}"
          "td,th{border:1px solid #ccc;padding:.2em .6em}table{border-collapse:collapse}")


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def feedback_section(result: SubmissionResult) -> str:
    """The Markdown of one graded notebook, for its student's feedback file."""
    lines = [f"## {result.notebook}: {result.total:g} of {result.max_total:g} points", "",
             "| exercise | points | status |", "|---|---|---|"]
    for e in result.exercises:
        lines.append(f"| `{e.name}` | {e.points:g} / {e.max_points:g} | {e.status} |")
    lines.append("")
    lines += [f"- Note: {note}" for note in result.notes]
    if result.notes:
        lines.append("")
    for e in result.exercises:
        if e.status != "passed":
            lines += [f"### `{e.name}`", "", "```text", e.report, "```", ""]
    return "\n".join(lines) + "\n"


def markdown_to_html(markdown: str) -> str:
    """CommonMark with tables (markdown-it-py); raw HTML in the text is escaped, never rendered."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False}).enable("table").render(markdown)


def _student_feedback(student: str, chapter: str, results: list[SubmissionResult]) -> tuple[str, str]:
    title = f"Feedback for {student}: chapter {chapter}"
    closing = "Graded on the public and the hidden cases. Hidden inputs are not shown."
    markdown = f"# {title}\n\n" + "".join(r.feedback_md for r in results) + closing + "\n"
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{_STYLE}</style></head><body>\n<h1>{html.escape(title)}</h1>\n"
            + "".join(r.feedback_html for r in results) + f"<p>{html.escape(closing)}</p>\n"
            "</body></html>\n")
    return markdown, page


def per_student(results: list[SubmissionResult], names: list[str]) -> dict[str, dict[str, float]]:
    rows: dict[str, dict[str, float]] = {}
    for r in results:
        row = rows.setdefault(r.student, {n: 0.0 for n in names})
        for e in r.exercises:
            if e.name in row:
                row[e.name] = max(row[e.name], e.points)
    return rows


def write_outputs(out: Path, chapter: str, results: list[SubmissionResult], isolation: str) -> None:
    """grades.csv, feedback/STUDENT.{md,html} and summary/ from the results, in a fixed order (by
    student, then notebook), so the same results always give the same bytes."""
    results = sorted(results, key=lambda r: (r.student, r.notebook))
    names = list(chapter_exercises(chapter))
    rows = per_student(results, names)
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=["student", *names, "total"], lineterminator="\r\n")
    writer.writeheader()
    for student, row in sorted(rows.items()):
        writer.writerow({"student": student, **{n: f"{row[n]:g}" for n in names},
                         "total": f"{round(sum(row.values()), 2):g}"})
    write_atomic(out / "grades.csv", buffer.getvalue())
    (out / FEEDBACK).mkdir(exist_ok=True)
    by_student: dict[str, list[SubmissionResult]] = {}
    for r in results:
        by_student.setdefault(r.student, []).append(r)
    for student, items in by_student.items():
        markdown, page = _student_feedback(student, chapter, items)
        write_atomic(out / FEEDBACK / f"{student}.md", markdown)
        write_atomic(out / FEEDBACK / f"{student}.html", page)
    write_summary(out, chapter, results, rows, isolation)


def write_summary(out: Path, chapter: str, results: list[SubmissionResult],
                  rows: dict[str, dict[str, float]], isolation: str) -> None:
    exercises = chapter_exercises(chapter)
    folder = out / SUMMARY
    folder.mkdir(exist_ok=True)
    totals = [round(sum(r.values()), 2) for _, r in sorted(rows.items())]
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
        for e in r.exercises:
            for hint in e.hints:
                diagnoses[f"{e.name}: {hint}"] += 1
            if e.status in ("missing", "error"):
                problems[f"{e.name}: {e.status}"] += 1
    common = sorted(diagnoses.items(), key=lambda item: (-item[1], item[0]))[:10]
    trouble = sorted(problems.items(), key=lambda item: (-item[1], item[0]))[:10]
    summary = {
        "chapter": chapter, "students": len(rows), "max_total": max_total,
        "mean_total": round(sum(totals) / len(totals), 3) if totals else 0.0,
        "isolation": isolation, "exercises": per_exercise,
        "common_diagnoses": common, "common_problems": trouble,
    }
    write_atomic(folder / "summary.json", json.dumps(summary, indent=1))
    lines = [f"# Class summary: chapter {chapter}", "",
             f"{len(rows)} student(s); mean total {summary['mean_total']:g} of {max_total:g}.",
             f"Isolation: {isolation}.", "", "![score histogram](histogram.png)", "",
             "| exercise | full marks | mean points |", "|---|---|---|"]
    for name, s in per_exercise.items():
        lines.append(f"| `{name}` | {s['full_marks_rate']:.0%} | {s['mean_points']:g} / "
                     f"{s['max_points']:g} |")
    lines += ["", "## What to teach again: the most common diagnoses", ""]
    lines += [f"{i}. ({n} submissions) {d}" for i, (d, n) in enumerate(common, 1)]
    if not common:
        lines.append("No catalogued mistake was matched.")
    if trouble:
        lines += ["", "## Exercises that could not be graded", ""]
        lines += [f"- {p}: {n}" for p, n in trouble]
    write_atomic(folder / "summary.md", "\n".join(lines) + "\n")
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
    tmp = path.with_name(f".histogram.{os.getpid()}.tmp.png")
    fig.savefig(tmp, dpi=100, metadata={"Software": None})  # no version stamp: same bytes everywhere
    plt.close(fig)
    os.replace(tmp, path)


def read_results(folder: Path) -> list[SubmissionResult]:
    results = []
    for path in sorted((folder / RESULTS).glob("*.json")):
        results.append(SubmissionResult.from_json(json.loads(path.read_text(encoding="utf-8"))))
    return results


def merge(out: Path, shards: list[Path]) -> list[SubmissionResult]:
    """``medai grade merge OUT SHARD...``: the shards' results together, and the grades.csv,
    feedback and class summary a single run over all their submissions would have written."""
    from .submissions import GradeUsageError

    results: dict[str, SubmissionResult] = {}
    chapters: set[str] = set()
    isolations: set[str] = set()
    for shard in shards:
        if not (shard / RESULTS).is_dir():
            raise GradeUsageError(f"{shard} has no results/ folder: is it the --out of a "
                                  "`medai grade --shard` run?")
        for result in read_results(shard):
            results[f"{result.student}__{Path(result.notebook).stem}"] = result
            chapters.add(result.chapter)
        summary = shard / SUMMARY / "summary.json"
        if summary.is_file():
            isolations.add(json.loads(summary.read_text(encoding="utf-8"))["isolation"])
    if len(chapters) != 1:
        raise GradeUsageError(f"the shards hold results of {len(chapters)} chapters "
                              f"({', '.join(sorted(chapters)) or 'none'}); merge one chapter at a time")
    (out / RESULTS).mkdir(parents=True, exist_ok=True)
    for key, result in results.items():
        write_atomic(out / RESULTS / f"{key}.json", json.dumps(result.to_json(), indent=1))
    isolation = isolations.pop() if len(isolations) == 1 else "mixed: " + " | ".join(sorted(isolations))
    merged = list(results.values())
    write_outputs(out, chapters.pop(), merged, isolation)
    return merged
