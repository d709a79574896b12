"""Where the expected outputs come from when grading: the course's solutions (the reference, run
here and memoised per chapter, exercise and case), or, where a class has no solutions/, the release
bundle (public cases only). Both give identical public points and messages; a test proves it."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np

from . import bundle
from .execution import quiet_stdio
from .reference import (
    ReferenceNotFoundError,
    chapter_notebooks,
    read_solution_notebook,
    reference_function,
    solutions_dir,
)
from .registry import Case, Exercise, Mistake

HIDDEN_NEEDS_SOLUTIONS = (
    "grading with the hidden cases needs the course's solutions/ (the instructor's copy): run it "
    "inside the medai-course checkout or set MEDAI_SOLUTIONS; without them only the public checks run"
)


class SolutionsTruth:
    """The reference outputs computed from solutions/, memoised for the life of the process.

    The memo is keyed by (chapter, exercise, case index), and forgotten when the reference function
    changes (its notebook was edited and reloaded). Case indices are stable: public cases first,
    then hidden ones, each generated from a fixed seed.
    """

    NOT_APPLICABLE = object()  # a mistake model that does not apply to a case (it raised)

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], tuple[Any, dict]] = {}

    def _slot(self, chapter: str, name: str) -> dict:
        ref = reference_function(chapter, name)
        held = self._memo.get((chapter, name))
        if held is None or held[0] is not ref:
            held = (ref, {})
            self._memo[(chapter, name)] = held
        return held[1]

    def expected(self, chapter: str, exercise: Exercise, cases: list[Case], start: int = 0
                 ) -> list[Any]:
        """The reference's outputs on ``cases``, whose first has index ``start``."""
        slot = self._slot(chapter, exercise.name)
        ref = reference_function(chapter, exercise.name)
        outputs = []
        for index, case in enumerate(cases, start):
            key = ("reference", index)
            if key not in slot:
                with _quiet():
                    slot[key] = exercise.call(ref, copy.deepcopy(case))
            outputs.append(slot[key])
        return outputs

    def mistake_output(self, chapter: str, exercise: Exercise, mistake: Mistake, index: int,
                       case: Case) -> Any:
        slot = self._slot(chapter, exercise.name)
        key = (mistake.name, index)
        if key not in slot:
            with _quiet():
                try:
                    slot[key] = exercise.call(mistake.implementation, copy.deepcopy(case))
                except Exception:  # a mistake model need not apply to every case
                    slot[key] = self.NOT_APPLICABLE
        return slot[key]

    def argument_names(self, chapter: str, name: str) -> list[str]:
        from .grading import argument_names

        return argument_names(reference_function(chapter, name))

    def notebook_exercises(self, chapter: str) -> dict[str, list[str]]:
        return {p.name: list(read_solution_notebook(p).solutions) for p in chapter_notebooks(chapter)}


class BundleTruth:
    """The public checks' truth from the release bundle (no solutions/ needed)."""

    def expected(self, chapter: str, exercise: Exercise, cases: list[Case]) -> list[Any]:
        if len(cases) > exercise.public_count() and not bundle.covers_hidden(chapter):
            raise ReferenceNotFoundError(HIDDEN_NEEDS_SOLUTIONS)
        return list(bundle.exercise_entry(chapter, exercise.name, cases)["expected"])

    def mistake_output(self, chapter: str, exercise: Exercise, mistake: Mistake, index: int,
                       case: Case) -> Any:
        entry = bundle.load_chapter(chapter)["exercises"][exercise.name]["mistakes"].get(mistake.name)
        if entry is None or index >= len(entry["applies"]) or not entry["applies"][index]:
            return SolutionsTruth.NOT_APPLICABLE
        return entry["outputs"][index]

    def argument_names(self, chapter: str, name: str) -> list[str]:
        return list(bundle.load_chapter(chapter)["exercises"][name]["arg_names"])

    def notebook_exercises(self, chapter: str) -> dict[str, list[str]]:
        return {k: list(v) for k, v in bundle.load_chapter(chapter)["notebooks"].items()}


class Truth:
    """The solutions where they are, the bundle otherwise; model exercises that declare
    ``bundled_reference`` take their public expected outputs from the bundle even then, so that a
    check never retrains the reference."""

    def __init__(self) -> None:
        self.solutions = SolutionsTruth()
        self.bundle = BundleTruth()
        self.bundle_only = False

    def use_grading_truth(self, folder) -> None:
        """In a grading process of ``medai grade``: every expected output, hidden cases included,
        comes from the grading truth the batch wrote into ``folder``; the reference never runs here.
        So do the cases, when the batch wrote them (its plan): they are not generated again."""
        bundle.use_folder(folder)
        self.bundle_only = True

    def cases(self, chapter: str, exercise: Exercise, hidden: bool) -> list[Case]:
        """``exercise.cases(hidden)``, or the same cases as a batch's plan holds them."""
        if self.bundle_only and hidden:
            try:
                entry = bundle.load_chapter(chapter)["exercises"].get(exercise.name, {})
            except bundle.BundleError:
                entry = {}
            if "cases" in entry:
                exercise.preset_public_count(entry["public_count"])
                return [Case(tuple(args), dict(kwargs), label)
                        for args, kwargs, label in entry["cases"]]
        return exercise.cases(hidden=hidden)

    def has_solutions(self) -> bool:
        if self.bundle_only:
            return False
        try:
            solutions_dir()
            return True
        except ReferenceNotFoundError:
            return False

    def _source(self) -> SolutionsTruth | BundleTruth:
        return self.solutions if self.has_solutions() else self.bundle

    def expected(self, chapter: str, exercise: Exercise, cases: list[Case]) -> list[Any]:
        source = self._source()
        n_public = exercise.public_count()
        if source is self.solutions and exercise.judged_by_pass_mark and len(cases) > n_public:
            # Judged by a pass mark: the reference's figure on a hidden case would only decorate
            # a message, and costs a training. (A grading truth on disk holds these Nones.)
            return (self.expected(chapter, exercise, cases[:n_public])
                    + [None] * (len(cases) - n_public))
        if source is self.solutions and exercise.bundled_reference:
            try:
                public = self.bundle.expected(chapter, exercise, cases[:n_public])
            except (bundle.BundleError, ReferenceNotFoundError):
                public = None  # no (matching) bundle yet: an author's checkout; compute it
            if public is not None:
                return public + self.solutions.expected(chapter, exercise, cases[n_public:],
                                                        start=n_public)
        return source.expected(chapter, exercise, cases)

    def mistake_output(self, chapter: str, exercise: Exercise, mistake: Mistake, index: int,
                       case: Case) -> Any:
        return self._source().mistake_output(chapter, exercise, mistake, index, case)

    def argument_names(self, chapter: str, name: str) -> list[str]:
        return self._source().argument_names(chapter, name)

    def notebook_exercises(self, chapter: str) -> dict[str, list[str]]:
        return self._source().notebook_exercises(chapter)


def _quiet():
    import contextlib

    stack = contextlib.ExitStack()
    stack.enter_context(warnings.catch_warnings())
    warnings.simplefilter("ignore")
    stack.enter_context(np.errstate(all="ignore"))
    stack.enter_context(quiet_stdio())
    return stack


TRUTH = Truth()
