"""The notebook face of the autograder: ``grader = Grader("00_welcome")`` then
``grader.check(fn)`` under each exercise."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from .grading import grade_function
from .registry import chapter_exercises
from .report import exercise_report


class CheckResult(float):
    """The points a check earned. Its plain-text form is just the number, which is what nbgrader
    reads as the test cell's partial credit."""

    def __new__(cls, points: float, report: str = "") -> CheckResult:
        obj = super().__new__(cls, points)
        obj.report = report
        return obj

    def __repr__(self) -> str:
        return repr(float(self))


class CheckFailed(AssertionError):
    """A check that earned no points. IPython shows ``_render_traceback_`` instead of a traceback,
    so a learner sees the report, not the grader's frames; nbgrader still sees an error."""

    def __init__(self, report: str) -> None:
        super().__init__("\n" + report)
        self.report = report

    def _render_traceback_(self) -> list[str]:
        return ["\x1b[31mCheck failed\x1b[0m (0 points): fix the function above and run its cell, "
                "then this one.", "", *self.report.splitlines()]


class Grader:
    """Checks a learner's functions for one chapter.

    >>> grader = Grader("00_welcome")
    >>> grader.check(malignancy_prevalence)      # doctest: +SKIP
    """

    def __init__(self, chapter: str) -> None:
        chapter_exercises(chapter)  # fails early, with the list of chapters, on a typo
        self.chapter = chapter
        # TensorFlow writes C++ log lines straight to stderr; nbgrader zeroes such cells.
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    def check(self, fn: Callable[..., Any], hidden: bool = False) -> CheckResult:
        """Grade ``fn``, print a short report, and return the points earned.

        Raises CheckFailed, an AssertionError carrying the report, when the function earns no
        points, so that the check cell shows as failed (and nbgrader records 0).
        """
        __tracebackhide__ = True
        name = getattr(fn, "__name__", None)
        if not callable(fn) or name is None:
            raise AssertionError(
                f"grader.check expects one of your exercise functions; got {type(fn).__name__}"
            ) from None
        if name not in chapter_exercises(self.chapter):
            known = ", ".join(chapter_exercises(self.chapter))
            raise AssertionError(
                f"{name!r} is not a graded exercise of chapter {self.chapter}; "
                f"the exercises are: {known}. Did you rename the function?"
            ) from None
        result = grade_function(self.chapter, name, fn, hidden=hidden)
        report = exercise_report(result, hidden=hidden)
        # The test suite runs the solutions notebooks with MEDAI_REQUIRE_FULL_MARKS=1: there a
        # check that is not full marks is an error, so one run proves they earn every point.
        strict = os.environ.get("MEDAI_REQUIRE_FULL_MARKS") == "1"
        if result.points <= 0 or (strict and result.points < result.max_points):
            raise CheckFailed(report) from None
        print(report)
        return CheckResult(result.points, report)

    def __repr__(self) -> str:
        return f"Grader({self.chapter!r})"
