"""What the public checks need when solutions/ is absent: the release bundle.

``make release`` writes, per chapter, plain data (JSON + ``.npz``, no pickles, no code) into
``autograder/bundle/``: for every exercise, a digest of its public case inputs, the reference's outputs
on them, and every catalogued mistake's outputs on them (for diagnoses); the argument names of each
exercise; which notebook holds which exercises. A class's installed package carries the case
generators and this bundle; it carries neither the reference code nor any hidden case's expected output.

Written by ``medai bundle [CHAPTER...]`` (all chapters by default), which ``make release`` runs.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np

from . import plain

BUNDLE_DIR = Path(__file__).resolve().parent / "bundle"
FORMAT = 1


class BundleError(LookupError):
    """The bundle is missing, or was made for other cases than the ones this package generates."""


def cases_digest(cases: list) -> str:
    """A digest of the case inputs, so that a bundle is never used with cases it was not made for."""
    encoder = plain._Encoder()
    structure = encoder.encode([[list(c.args), dict(c.kwargs)] for c in cases])
    digest = hashlib.sha256(json.dumps(structure, sort_keys=True).encode())
    for key in sorted(encoder.arrays, key=lambda k: int(k[1:])):
        array = np.ascontiguousarray(encoder.arrays[key])
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()[:24]


def build_chapter(chapter: str, hidden: bool = False) -> dict[str, Any]:
    """The bundle of ``chapter``, computed from its solutions (the reference) and registry.

    With ``hidden`` it covers the hidden cases too: that is the grading truth ``medai grade``
    computes once per batch on the instructor's machine and hands to its grading processes; it is
    never shipped."""
    from .reference import chapter_notebooks, read_solution_notebook
    from .registry import chapter_exercises
    from .truth import TRUTH, SolutionsTruth

    truth = TRUTH.solutions  # shares the memo of reference and mistake outputs
    exercises = {}
    for name, exercise in chapter_exercises(chapter).items():
        cases = exercise.cases(hidden=hidden)
        # The grading truth takes a model exercise's public outputs from the shipped bundle, as a
        # learner's check does (one training of the reference fewer); the bundle itself never does.
        expected = (TRUTH.expected if hidden else truth.expected)(chapter, exercise, cases)
        mistakes = {}
        for mistake in exercise.mistakes:
            outputs = [truth.mistake_output(chapter, exercise, mistake, i, case)
                       for i, case in enumerate(cases)]
            mistakes[mistake.name] = {"applies": [o is not SolutionsTruth.NOT_APPLICABLE
                                                  for o in outputs],
                                      "outputs": [None if o is SolutionsTruth.NOT_APPLICABLE else o
                                                  for o in outputs]}
        exercises[name] = {
            "cases_digest": cases_digest(cases),
            "arg_names": truth.argument_names(chapter, name),
            "expected": expected,
            "mistakes": mistakes,
        }
        if hidden:  # the grading truth carries the cases too (see build_plan)
            exercises[name] |= _plan_cases(exercise, cases)
    notebooks = {p.name: list(read_solution_notebook(p).solutions)
                 for p in chapter_notebooks(chapter)}
    return {"format": FORMAT, "chapter": chapter, "hidden": hidden, "notebooks": notebooks,
            "exercises": exercises}


def _plan_cases(exercise, cases: list) -> dict[str, Any]:
    return {"public_count": exercise.public_count(),
            "cases": [[tuple(c.args), dict(c.kwargs), c.label] for c in cases]}


def build_plan(chapter: str) -> dict[str, Any]:
    """What a grading process needs to plan and run a submission, before the grading truth is
    complete: which notebook holds which exercises, each exercise's argument names and its cases,
    public and hidden (so that grading processes never generate them again); no expected outputs.
    Quick to compute; a batch writes it first."""
    from .reference import chapter_notebooks, read_solution_notebook
    from .registry import chapter_exercises
    from .truth import TRUTH

    exercises = {}
    for name, exercise in chapter_exercises(chapter).items():
        exercises[name] = {"arg_names": TRUTH.solutions.argument_names(chapter, name),
                           **_plan_cases(exercise, exercise.cases(hidden=True))}
    return {"format": FORMAT, "chapter": chapter, "hidden": True, "plan_only": True,
            "notebooks": {p.name: list(read_solution_notebook(p).solutions)
                          for p in chapter_notebooks(chapter)},
            "exercises": exercises}


def write_plan(chapter: str, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    plain.dump(build_plan(chapter), out / chapter)
    return out / chapter


def write_chapter(chapter: str, out: Path = BUNDLE_DIR, hidden: bool = False) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / chapter
    try:
        plain.dump(build_chapter(chapter, hidden), stem, compress=not hidden)
    except plain.NotPlainDataError as exc:
        raise BundleError(f"chapter {chapter}: a reference or mistake output is not plain data: "
                          f"{exc}") from None
    return stem


_loaded: dict[str, dict] = {}
_folder = BUNDLE_DIR


def use_folder(folder: Path) -> None:
    """Read bundles from ``folder`` from now on (a grading process reads the batch's grading
    truth, hidden cases included, instead of the shipped public bundle)."""
    global _folder
    _folder = Path(folder)
    _loaded.clear()


def load_chapter(chapter: str) -> dict[str, Any]:
    """The bundle of ``chapter`` shipped with this package."""
    if chapter not in _loaded:
        stem = _folder / chapter
        if not stem.with_suffix(".json").is_file():
            raise BundleError(
                f"this installation has neither the course's solutions/ nor the release data of "
                f"chapter {chapter} (autograder/bundle/{chapter}.json): reinstall the course package, "
                "or run from inside the medai-course checkout")
        _loaded[chapter] = plain.load(stem)
    return _loaded[chapter]


def covers_hidden(chapter: str) -> bool:
    return bool(load_chapter(chapter).get("hidden"))


def exercise_entry(chapter: str, name: str, cases: list) -> dict[str, Any]:
    loaded = load_chapter(chapter)
    if loaded.get("plan_only"):
        raise BundleError(f"the grading truth of chapter {chapter} was not ready (internal error)")
    entry = loaded["exercises"].get(name)
    if entry is None:
        raise BundleError(f"the release data of chapter {chapter} has no exercise {name!r}: the "
                          "package is older than the notebook; reinstall the course package")
    if entry["cases_digest"] != cases_digest(cases):
        raise BundleError(
            f"the release data of {chapter}/{name} was made for other public cases than this "
            "package generates (different library versions?): reinstall the course package, or "
            "ask your instructor")
    return entry
