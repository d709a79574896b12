"""What is checked: the exercise declarations, and where each chapter's registry lives."""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compare import Comparison, allclose

CHAPTER_PATTERN = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)$")

# Chapter id -> registry module (autograder/exercises/<slug>.py or a package
# autograder/exercises/<slug>/). This is the one list of chapters, in course order; a chapter whose
# registry module does not exist yet is not offered (see chapter_ids).
CHAPTERS: dict[str, str] = {
    "00_welcome": "welcome",
    "01_ml_basics": "ml_basics",
    "02_cnn_math": "cnn_math",
    "03_rnn_math": "rnn_math",
    "04_imaging": "imaging",
    "05_clinical_nlp": "clinical_nlp",
    "06_ethics": "ethics",
    "07_prognosis": "prognosis",
    "08_drug_discovery": "drug_discovery",
}


@dataclass
class Case:
    """One call of an exercise: positional and keyword arguments, plus a label a learner can read.

    Arguments are plain data (arrays, numbers, strings, lists, dicts, DataFrames), so that a case
    can cross a process boundary without pickling.
    """

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""


class WrongOutput(Exception):
    """Raised by an exercise's ``invoke`` (or a probe inside it) when the learner's function
    returned something that cannot be right, with the message the learner should read: "your
    model's predict() gives shape (N, 3); expected (N, 1) or (N, 2)". The case fails as a wrong
    output (not as an error in the learner's code), and the message is shown as it is."""


def reference(chapter: str, name: str) -> Callable[..., Any]:
    """The reference implementation of ``chapter``'s exercise ``name``, looked up when called.

    The one documented way for a mistake model to reuse the reference: a mistake is a function of
    the exercise's inputs, e.g. ``lambda x, w: reference(CHAPTER, "conv2d")(x, w[::-1, ::-1])``.
    Mistake outputs on public cases are computed at release time (where the solutions are), so the
    lookup never happens on a student's machine.
    """

    def call(*args: Any, **kwargs: Any) -> Any:
        from .reference import reference_function

        return reference_function(chapter, name)(*args, **kwargs)

    call.__name__ = f"reference_{name}"
    return call


@dataclass
class Mistake:
    """A known wrong implementation and the diagnosis it deserves.

    ``implementation`` takes the same arguments as the exercise (a function of its inputs; it may
    call :func:`reference`) and returns what the mistaken version returns. When a learner's wrong
    output matches it on a case, ``hint`` is shown. The hint names the mistake and the idea; it
    never contains a line of the reference solution.
    """

    name: str
    implementation: Callable[..., Any]
    hint: str


@dataclass
class Exercise:
    """One graded function of a chapter.

    Parameters
    ----------
    name : the function's name, equal to the nbgrader ``grade_id`` of its solution cell.
    points : maximum points; equal to the points of the ``test_<name>`` cell.
    public_cases, hidden_cases : ``rng -> iterable of Case``; seeded by the registry. Graded with
        ``hidden=True``, both sets are used.
    compare : judges one output against the reference output.
    mistakes : known-mistake detectors, tried in order on every failing case.
    invoke : how a case calls the function; the default is ``fn(*args, **kwargs)``. Exercises whose
        function returns something that is not plain data (an estimator, a model) declare an
        ``invoke`` that uses it and returns plain data (predictions, say).
    time_limit : seconds allowed for one case.
    output_names : names of the items of a returned tuple, used in messages.
    advice : the "check this first" line shown when an output is wrong in its values and no
        catalogued mistake matches it (a generic line is used when empty).
    bundled_reference : take the reference outputs of public cases from the release bundle even
        when solutions/ is present: for model exercises whose reference trains a model, so that a
        learner's check never retrains it.

    parallel_cases : each case trains a model for seconds (Keras): a batch with processes to spare
        runs the cases after the first in sandboxed runs of their own, at the same time.

    A ``compare`` with a ``pass_mark`` attribute judges the learner's figure (an AUC, say) against
    that mark alone: the reference's figure only decorates a failing message. The reference then
    runs on the public cases only; on hidden cases ``compare`` receives ``expected=None``
    (``judged_by_pass_mark``), which spares the grading truth a training per hidden case.
    """

    name: str
    points: float
    public_cases: Callable[[np.random.Generator], Iterable[Case]]
    hidden_cases: Callable[[np.random.Generator], Iterable[Case]]
    compare: Comparison = field(default_factory=allclose)
    mistakes: list[Mistake] = field(default_factory=list)
    invoke: Callable[..., Any] | None = None
    time_limit: float = 10.0
    seed: int = 0
    output_names: tuple[str, ...] = ()
    advice: str = ""
    bundled_reference: bool = False
    parallel_cases: bool = False
    _public_count: int | None = field(default=None, init=False, repr=False, compare=False)

    def cases(self, hidden: bool = False) -> list[Case]:
        """The cases graded: public ones, then (with ``hidden``) the hidden ones."""
        rng = np.random.default_rng([self.seed, _stable_hash(self.name)])
        cases = list(self.public_cases(rng))
        self._public_count = len(cases)
        if hidden:
            rng = np.random.default_rng([self.seed, _stable_hash(self.name), 1])
            cases += list(self.hidden_cases(rng))
        for i, case in enumerate(cases, 1):
            if not case.label:
                case.label = f"case {i}"
        return cases

    def preset_public_count(self, count: int) -> None:
        """Cases taken from a batch's plan instead of generated: how many of them are public."""
        self._public_count = int(count)

    @property
    def judged_by_pass_mark(self) -> bool:
        return getattr(self.compare, "pass_mark", None) is not None

    def public_count(self) -> int:
        if self._public_count is None:
            self.cases()
        return self._public_count

    def apply(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Call ``fn`` with one case's arguments, through ``invoke`` when the exercise has one."""
        if self.invoke is not None:
            return self.invoke(fn, *args, **kwargs)
        return fn(*args, **kwargs)

    def call(self, fn: Callable[..., Any], case: Case) -> Any:
        return self.apply(fn, *case.args, **case.kwargs)


def _stable_hash(text: str) -> int:
    # Python's hash() is salted per process; cases must be identical in parent and child.
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:15], 16)


class UnknownChapterError(LookupError):
    pass


class UnknownExerciseError(LookupError):
    pass


def chapter_ids() -> list[str]:
    """The chapters that have graded exercises, in course order."""
    import importlib.util

    return [c for c, slug in CHAPTERS.items()
            if importlib.util.find_spec(f"{__package__}.exercises.{slug}") is not None]


def chapter_exercises(chapter: str) -> dict[str, Exercise]:
    """The exercises of ``chapter`` by name, in notebook order."""
    if chapter not in chapter_ids():
        known = ", ".join(chapter_ids())
        raise UnknownChapterError(
            f"unknown chapter {chapter!r}; the chapters with graded exercises are: {known}"
        )
    module = importlib.import_module(f".exercises.{CHAPTERS[chapter]}", __package__)
    return {ex.name: ex for ex in module.EXERCISES}


def get_exercise(chapter: str, name: str) -> Exercise:
    exercises = chapter_exercises(chapter)
    if name not in exercises:
        raise UnknownExerciseError(
            f"chapter {chapter!r} has no graded exercise named {name!r}; "
            f"its exercises are: {', '.join(exercises)}"
        )
    return exercises[name]
