"""The notebook face of the autograder: ``grader = Grader("00_welcome")`` then
``grader.check(fn)`` under each exercise."""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from typing import Any

from .grading import grade_function
from .html import exercise_report_html, points_fraction
from .registry import chapter_exercises
from .report import exercise_report

REPORT_WIDTH = 88  # columns of the text report in a traceback: JupyterLab's output width at 100%


class CheckResult(float):
    """The points a check earned.

    Its plain-text form is just the number, which is what nbgrader reads as the test cell's partial
    credit (nbgrader 0.9 takes a float ``execute_result`` as the cell's points). JupyterLab shows
    the HTML form instead: the report, with the points as "2 / 3".
    """

    def __new__(cls, points: float, report: str = "", report_html: str = "") -> CheckResult:
        obj = super().__new__(cls, points)
        obj.report = report
        obj.report_html = report_html
        return obj

    def __repr__(self) -> str:
        return repr(float(self))

    def _repr_html_(self) -> str | None:
        # None lets a front end that cannot show HTML fall back to the plain number.
        return self.report_html or None


class CheckFailed(AssertionError):
    """A check that earned no points. IPython shows ``_render_traceback_`` instead of a traceback,
    so a learner sees the report, not the grader's frames; nbgrader still sees an error.

    In JupyterLab the report has already been shown as HTML above the error, so the error itself
    only says what to do next; elsewhere (a terminal, IPython) it carries the whole report.
    """

    def __init__(self, report: str, shown_as_html: bool = False, headline: str = "") -> None:
        super().__init__("\n" + report)
        self.report = report
        self.shown_as_html = shown_as_html
        self.headline = headline or "0 points"

    def _render_traceback_(self) -> list[str]:
        first = (f"\x1b[1;31mCheck failed\x1b[0m ({self.headline}): fix the function above and run "
                 "its cell, then this one.")
        if self.shown_as_html:
            return [first + " The report is above."]
        return [first, "", *wrap_report(self.report)]


def wrap_report(report: str, width: int = REPORT_WIDTH) -> list[str]:
    """The text report's lines wrapped between words (never inside one), continuation lines
    indented under their first word, so a narrow output area does not cut words in half."""
    lines = []
    for line in report.splitlines():
        indent = len(line) - len(line.lstrip())
        lead = line.lstrip()
        hang = indent + (len(lead.split(" ", 1)[0]) + 1 if lead.startswith(("FAIL", "Hint:")) else 2)
        lines += textwrap.wrap(line, width, subsequent_indent=" " * min(hang, 12),
                               break_long_words=False, break_on_hyphens=False,
                               drop_whitespace=True) or [""]
    return lines


def _in_jupyter_kernel() -> bool:
    """Whether the check runs in a Jupyter kernel, whose front end shows HTML outputs."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


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
        report_html = exercise_report_html(result, hidden=hidden)
        # In a Jupyter kernel the report is HTML (JupyterLab shows it instead of the bare points);
        # elsewhere (a terminal, a script) it is printed as text.
        kernel = _in_jupyter_kernel()
        # The test suite runs the solutions notebooks with MEDAI_REQUIRE_FULL_MARKS=1: there a
        # check that is not full marks is an error, so one run proves they earn every point.
        strict = os.environ.get("MEDAI_REQUIRE_FULL_MARKS") == "1"
        if result.points <= 0 or (strict and result.points < result.max_points):
            if kernel:
                # A display_data output: nbgrader ignores it (it reads the error, then 0 points).
                from IPython.display import HTML, display

                display(HTML(report_html))
            raise CheckFailed(report, shown_as_html=kernel,
                              headline=f"{points_fraction(result.points, result.max_points)} "
                                       "points") from None
        if not kernel:
            print(report)
        return CheckResult(result.points, report, report_html)

    def __repr__(self) -> str:
        return f"Grader({self.chapter!r})"
