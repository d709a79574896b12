"""The check report as a learner reads it under a check cell: HTML in JupyterLab (points as "2 / 3",
a line per case, the diagnosis, words never cut), while nbgrader still reads the points from the
plain-text form; a check earning nothing fails with the report and no grader frames; cells are
named by their position as JupyterLab counts them."""

from __future__ import annotations

import re

import pytest
from IPython.core.formatters import DisplayFormatter

from medai.autograder import CheckFailed, Grader, grade_function
from medai.autograder import grader as grader_module
from medai.autograder.cells import describe_cell
from medai.autograder.html import exercise_report_html
from tests.helpers import ROOT, define, load
from tests.mutants import catalogue_modules

CHAPTER, EXERCISE = "00_welcome", "malignancy_prevalence"


def _mutant(points: str):
    """A catalogued mistake of the exercise earning some (``"partial"``) or no (``"zero"``)
    public points, as ``(function, diagnosis)``."""
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == CHAPTER)
    for mutant in catalogue.MUTANTS:
        if mutant.exercise != EXERCISE or mutant.hidden_only:
            continue
        fn = define(CHAPTER, mutant.source, EXERCISE)
        earned = grade_function(CHAPTER, EXERCISE, fn).points
        if (earned > 0) == (points == "partial"):
            return fn, mutant.diagnosis
    pytest.skip(f"the catalogue of {EXERCISE} has no mistake earning {points} points")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _solution_lines() -> list[str]:
    cell = next(c for c in load(ROOT / "solutions" / CHAPTER / "welcome.ipynb")["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == EXERCISE)
    body = "".join(cell["source"]).split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
    return [line.strip() for line in body.splitlines() if len(line.strip()) > 8]


def test_partial_credit_shows_html_while_nbgrader_reads_the_points(capfd):
    fn, diagnosis = _mutant("partial")
    result = Grader(CHAPTER).check(fn)
    assert capfd.readouterr().err == ""
    data, _ = DisplayFormatter().format(result)  # what the kernel sends to JupyterLab
    assert data["text/plain"] == repr(float(result))
    from nbgrader.utils import get_partial_grade

    assert get_partial_grade({"data": {"text/plain": data["text/plain"]}}, 1.0) == float(result)
    shown = _text(data["text/html"])
    assert f"{float(result):g} / 1 points" in shown and "partly right" in shown
    assert diagnosis in shown
    graded = grade_function(CHAPTER, EXERCISE, fn)
    # a line per case, each saying pass or FAIL in words (not by colour alone)
    assert data["text/html"].count("<li style=\"list-style: none") == graded.total_cases
    assert shown.count("pass ") == graded.passed_cases
    assert shown.count("FAIL ") == graded.total_cases - graded.passed_cases
    assert not [line for line in _solution_lines() if line in shown]


def test_full_marks_say_well_done_with_the_points():
    fn = define(CHAPTER, "def malignancy_prevalence(labels):\n    return float(np.mean(labels))\n",
                EXERCISE)
    html = exercise_report_html(grade_function(CHAPTER, EXERCISE, fn))
    assert "1 / 1 points" in _text(html) and "Well done." in html and "FAIL" not in html


def test_report_html_escapes_what_the_learners_code_produced():
    fn = define(CHAPTER, "def malignancy_prevalence(labels):\n"
                         "    raise ValueError('<script>alert(1)</script>')\n", EXERCISE)
    html = exercise_report_html(grade_function(CHAPTER, EXERCISE, fn))
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_failed_check_in_jupyterlab_shows_the_html_report_then_a_one_line_error(monkeypatch):
    fn, diagnosis = _mutant("zero")
    shown = []
    monkeypatch.setattr(grader_module, "_in_jupyter_kernel", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    with pytest.raises(CheckFailed) as caught:
        Grader(CHAPTER).check(fn)
    assert isinstance(caught.value, AssertionError)  # nbgrader records the error: 0 points
    assert len(shown) == 1 and diagnosis in _text(shown[0].data)
    rendered = caught.value._render_traceback_()
    assert len(rendered) == 1 and "0 / 1 points" in rendered[0] and "report is above" in rendered[0]


def test_failed_check_elsewhere_carries_the_report_wrapped_between_words():
    fn, diagnosis = _mutant("zero")
    with pytest.raises(CheckFailed) as caught:
        Grader(CHAPTER).check(fn)
    lines = caught.value._render_traceback_()
    assert all(len(line) <= grader_module.REPORT_WIDTH for line in lines[1:])
    words = caught.value.report.split()
    assert " ".join(lines[2:]).split() == words  # no word cut in two, none lost
    assert diagnosis in caught.value.report
    assert not any("grader.py" in line or "Traceback" in line for line in lines)


def test_wrap_keeps_long_words_whole():
    long = "x" * 120
    wrapped = grader_module.wrap_report(f"  FAIL case: your output {long} is wrong")
    assert [w.strip() for w in wrapped] == ["FAIL case: your output", long, "is wrong"]


def test_cells_are_named_by_their_position_among_all_cells():
    """JupyterLab's status bar counts every cell, Markdown included ("Cell 3/3")."""
    from medai.autograder.runner import execute_notebook

    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "code", "metadata": {}, "source": "x = 1"},
        {"cell_type": "markdown", "metadata": {}, "source": "Some text"},
        {"cell_type": "code", "metadata": {}, "source": "y = 1 / 0"},
    ]}
    _, records, _ = execute_notebook(notebook, cell_timeout=30)
    failed = next(r for r in records if r["status"] == "error")
    assert failed["where"] == "cell 4" and "cell 4" in failed["error"]
    exercise = {"cell_type": "code", "metadata": {"nbgrader": {
        "solution": True, "grade": False, "grade_id": "sigmoid"}}, "source": ""}
    assert describe_cell(exercise, 9) == "the cell of exercise `sigmoid`"
