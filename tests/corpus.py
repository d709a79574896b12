"""Submissions built from a chapter's own catalogue: the reference, the stub, and rounds of
catalogued mistakes and alternative implementations, written as released notebooks filled in the
way a learner types them. Shared by the batch-grading tests and bench/bench_grade.py."""

from __future__ import annotations

import json
from pathlib import Path

from medai.autograder.cells import cell_source, exercise_id
from tests.helpers import ROOT, load
from tests.mutants import catalogue_modules


def solutions_of(chapter: str) -> dict[str, dict[str, str]]:
    """notebook file name -> {exercise: reference source}."""
    return {p.name: {exercise_id(c): cell_source(c) for c in load(p)["cells"] if exercise_id(c)}
            for p in sorted((ROOT / "solutions" / chapter).glob("*.ipynb"))}


def variants(chapter: str, notebook: str) -> list[tuple[str, dict[str, str]]]:
    """(label, {exercise: source}) for one notebook: reference, stub, then round k of the catalogue
    (each exercise's k-th mistake), then round k of the alternatives."""
    reference = solutions_of(chapter)[notebook]
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    out = [("reference", dict(reference)), ("stub", {})]
    for kind, entries in (("mutants", catalogue.MUTANTS), ("alternatives", catalogue.ALTERNATIVES)):
        by_exercise: dict[str, list[str]] = {}
        for entry in entries:
            if entry.exercise in reference:
                by_exercise.setdefault(entry.exercise, []).append(entry.source)
        for k in range(max((len(v) for v in by_exercise.values()), default=0)):
            edits = {name: sources[k] for name, sources in by_exercise.items() if k < len(sources)}
            out.append((f"{kind}-{k}", {**reference, **edits}))
    return out


def fill(chapter: str, notebook: str, edits: dict[str, str]) -> dict:
    """The released notebook with the exercise cells in ``edits`` replaced."""
    released = load(ROOT / "course" / chapter / notebook)
    for cell in released["cells"]:
        if exercise_id(cell) in edits:
            cell["source"] = edits[exercise_id(cell)]
    return released


def write_submissions(chapter: str, folder: Path, n: int | None = None,
                      labels: tuple[str, ...] | None = None) -> list[Path]:
    """nbgrader's submitted/ tree under ``folder``: student i gets variant i (cycled) of every
    notebook of the chapter. ``labels`` keeps only those variants; ``n`` fixes the number of
    students (default: one per variant)."""
    notebooks = list(solutions_of(chapter))
    per_notebook = {nb: [v for v in variants(chapter, nb) if labels is None or v[0] in labels]
                    for nb in notebooks}
    count = n if n is not None else max(len(v) for v in per_notebook.values())
    paths = []
    for i in range(count):
        for nb in notebooks:
            _label, edits = per_notebook[nb][i % len(per_notebook[nb])]
            target = folder / f"student{i:03d}" / chapter / nb
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(fill(chapter, nb, edits)), encoding="utf-8")
            paths.append(target)
    return paths
