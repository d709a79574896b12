"""What a learner sees in JupyterLab, in a real browser (Debian's Chromium through Playwright): the
check report under a check cell, rendered as HTML with the diagnosis and no traceback, and a Lab
without nbgrader's instructor menus in student mode. Screenshots go to the test's tmp folder."""

from __future__ import annotations

import json
import shutil

import pytest

from medai.autograder import grade_function
from tests.browser import chromium, jupyter_lab
from tests.helpers import ROOT, define, load
from tests.mutants import catalogue_modules

pytestmark = pytest.mark.slow

CHAPTER, NOTEBOOK, EXERCISE = "00_welcome", "welcome.ipynb", "malignancy_prevalence"
INSTRUCTOR_ITEMS = ("Formgrader", "Course List", "Create assignment")


def _cell_positions(notebook: dict) -> tuple[int, int]:
    """0-based positions of the exercise cell and of its check cell."""
    ids = [c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook["cells"]]
    return ids.index(EXERCISE), ids.index(f"test_{EXERCISE}")


def _mistakes() -> list[tuple[str, str, float]]:
    """Catalogued mistakes of the exercise as ``(source, diagnosis, points)``: the first earning
    nothing (the check cell fails) and, when the catalogue has one, one earning partial credit."""
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == CHAPTER)
    graded = []
    for mutant in (m for m in catalogue.MUTANTS if m.exercise == EXERCISE and not m.hidden_only):
        fn = define(CHAPTER, mutant.source, EXERCISE)
        graded.append((mutant.source, mutant.diagnosis, grade_function(CHAPTER, EXERCISE, fn).points))
    zero = [g for g in graded if g[2] == 0]
    partial = [g for g in graded if g[2] > 0]
    assert zero, "the catalogue should hold a mistake that earns no public points"
    return zero[:1] + partial[:1]


def _menu_items(page, menu: str) -> list[str]:
    page.locator(".lm-MenuBar-itemLabel", has_text=menu).click()
    items = [t for t in page.locator(".lm-Menu-itemLabel").all_inner_texts() if t.strip()]
    page.keyboard.press("Escape")
    return items


def _open(page, url: str, token: str) -> None:
    page.goto(f"{url}/lab/tree/{NOTEBOOK}?token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)


def _type_into(page, cell, source: str) -> None:
    """Replace a cell's code as a learner would: click into it, select all, type."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)  # no auto-indent or bracket closing on the way
    page.keyboard.press("Escape")  # command mode: Shift+Enter now runs the cell


def test_check_report_in_jupyterlab(tmp_path):
    root = tmp_path / "lab"
    root.mkdir()
    shutil.copy(ROOT / "course" / CHAPTER / NOTEBOOK, root / NOTEBOOK)
    notebook = load(root / NOTEBOOK)
    exercise_at, check_at = _cell_positions(notebook)
    mistakes = _mistakes()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    with jupyter_lab(root, tmp_path / "home") as (url, token), \
            chromium(tmp_path / "chromium") as browser:
        page = browser.new_page()
        _open(page, url, token)

        # Student mode: nbgrader's instructor parts are gone, the learner's remain.
        items = _menu_items(page, "Nbgrader")
        assert "Assignment List" in items
        assert not set(INSTRUCTOR_ITEMS) & set(items), items
        sidebar = page.locator(".jp-SideBar .lm-TabBar-tab").evaluate_all(
            "tabs => tabs.map(t => t.title)")
        assert not any("Create Assignment" in t for t in sidebar), sidebar

        cells = page.locator(".jp-Notebook .jp-Cell")
        exercise, check = cells.nth(exercise_at), cells.nth(check_at)
        # The position medai check names ("cell 8") is the one JupyterLab's status bar shows.
        exercise.locator(".cm-content").click()
        status_bar = page.locator(".jp-StatusBar-Widget").inner_text()
        assert f"Cell {exercise_at + 1}/{len(notebook['cells'])}" in status_bar, status_bar

        # Run the first cells, up to the check cell, with a wrong answer typed into the exercise.
        for n, (source, diagnosis, points) in enumerate(mistakes):
            _type_into(page, exercise, source)
            if n == 0:
                check.locator(".jp-InputPrompt").click()
                page.locator(".lm-MenuBar-itemLabel", has_text="Run").click()
                page.locator(".lm-Menu-itemLabel", has_text="Run All Above Selected Cell").click()
            else:
                exercise.locator(".jp-InputPrompt").click()
                page.keyboard.press("Shift+Enter")  # the exercise, then the check cell
            check.locator(".jp-InputPrompt").click()
            page.keyboard.press("Shift+Enter")
            report = check.locator(".medai-report")
            report.wait_for(timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']",
                                   timeout=60_000)
            shown = check.locator(".jp-OutputArea").inner_text()
            assert diagnosis in report.inner_text(), shown
            assert f"{points:g} / 1 points" in shown
            assert "Traceback" not in shown and "grader.py" not in shown and 'File "' not in shown
            if points == 0:  # the error nbgrader needs, told in one line after the report
                assert "Check failed (0 / 1 points)" in shown and "report is above" in shown
            else:  # the report replaces the bare number nbgrader reads
                assert shown.strip().splitlines()[-1] != f"{points}"
            check.scroll_into_view_if_needed()
            name = "wrong_answer" if points == 0 else "partial_credit"
            check.screenshot(path=str(shots / f"check_report_{name}.png"))
            page.screenshot(path=str(shots / f"lab_{name}.png"))
        # The report wraps between words: no line of it is wider than the output area.
        widths = report.evaluate("el => [el.scrollWidth, el.clientWidth]")
        assert widths[0] <= widths[1] + 1, widths
    assert (shots / "check_report_wrong_answer.png").stat().st_size > 5000


def test_instructor_lab_keeps_nbgrader_menus(tmp_path):
    """Without the student config (``make instructor-lab``) every nbgrader menu is there: the
    student test above would notice a config that hides nothing only if this one passes."""
    root = tmp_path / "lab"
    root.mkdir()
    (root / NOTEBOOK).write_text(json.dumps(load(ROOT / "course" / CHAPTER / NOTEBOOK)))
    with jupyter_lab(root, tmp_path / "home", student=False) as (url, token), \
            chromium(tmp_path / "chromium") as browser:
        page = browser.new_page()
        page.goto(f"{url}/lab?token={token}")
        page.wait_for_selector(".lm-MenuBar-itemLabel >> text=Nbgrader", timeout=60_000)
        items = _menu_items(page, "Nbgrader")
        assert set(INSTRUCTOR_ITEMS) <= set(items), items
        page.screenshot(path=str(tmp_path / "instructor_lab.png"))

