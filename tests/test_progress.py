"""`medai progress`: a self-learner's scorecard across chapters, on a course folder where chapters
are partly done (built from the released notebooks with some solution cells filled in)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medai.autograder.progress import course_progress, format_html, format_table
from tests.helpers import ROOT, load
from tests.mutants import catalogue_modules


def _fill(chapter: str, notebook: str, answers: dict[str, str], course: Path) -> Path:
    """Copy the released notebook into ``course`` with the exercise cells ``answers`` filled in
    (solution text or a catalogued mistake); the other exercises stay stubs."""
    released = load(ROOT / "course" / chapter / notebook)
    for cell in released["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in answers and cell["metadata"]["nbgrader"].get("solution"):
            cell["source"] = answers[grade_id]
    path = course / chapter / notebook
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(released), encoding="utf-8")
    return path


def _solution(chapter: str, notebook: str, name: str) -> str:
    cell = next(c for c in load(ROOT / "solutions" / chapter / notebook)["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == name)
    return "".join(cell["source"])


def _mistake(chapter: str, mistake: str) -> tuple[str, str]:
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    mutant = next(m for m in catalogue.MUTANTS if m.mistake == mistake)
    return mutant.exercise, mutant.source


@pytest.fixture(scope="module")
def partly_done(tmp_path_factory) -> Path:
    """00_welcome: one exercise solved, one with a catalogued mistake, one still the stub;
    02_cnn_math: released and untouched (not started)."""
    course = tmp_path_factory.mktemp("learner") / "course"
    wrong, source = _mistake("00_welcome", "rows swapped")
    _fill("00_welcome", "welcome.ipynb", {
        "malignancy_prevalence": _solution("00_welcome", "welcome.ipynb", "malignancy_prevalence"),
        wrong: source,
    }, course)
    shutil.copytree(ROOT / "course" / "02_cnn_math", course / "02_cnn_math")
    return course


@pytest.fixture(scope="module")
def graded(partly_done, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return course_progress(partly_done, cache=cache), cache


@pytest.mark.slow
def test_partly_done_course_shows_what_is_done_and_what_is_next(graded):
    progress, _ = graded
    assert [c.chapter for c in progress.chapters] == ["00_welcome", "02_cnn_math"]
    welcome, cnn = progress.chapters
    status = {e.name: e.status for e in welcome.exercises}
    assert status == {"malignancy_prevalence": "passed", "mean_by_diagnosis": "failed",
                      "standardize_with_training_stats": "not started"}
    assert welcome.started and 0 < welcome.points < welcome.max_points
    assert not cnn.started and cnn.points == 0
    assert {e.status for e in cnn.exercises} == {"not started"} and len(cnn.exercises) >= 5
    step = progress.next_step()
    assert (step.exercise, step.reason) == ("mean_by_diagnosis", "failed: 0 points yet")
    swapped = next(e for e in welcome.exercises if e.name == "mean_by_diagnosis")
    assert any("swapped" in m or "benign" in m for m in swapped.messages), swapped.messages


@pytest.mark.slow
def test_terminal_table_fits_100_columns_and_names_the_next_exercise(graded):
    table = format_table(graded[0])
    assert max(len(line) for line in table.splitlines()) <= 100
    assert "Next: mean_by_diagnosis in 00_welcome/welcome.ipynb (failed" in table
    row = next(line for line in table.splitlines() if line.startswith("02_cnn_math"))
    assert "not started" in row and f"0 / {graded[0].chapters[1].max_points:g}" in row


@pytest.mark.slow
def test_html_page_has_a_chart_per_chapter(graded):
    page = format_html(graded[0])
    assert page.count("<section>") == 2
    # one bar per exercise, its width the share of points earned, and the points written out
    assert page.count('class="track"') == len(graded[0].chapters[0].exercises) + len(
        graded[0].chapters[1].exercises)
    assert 'malignancy_prevalence: 1 of 1 points' in page and "width: 100.0%" in page
    assert "not started" in page and "<script" not in page


@pytest.mark.slow
def test_rerun_is_instant_and_an_edit_is_graded_again(graded, partly_done):
    progress, cache = graded

    def must_not_run(path):
        raise AssertionError(f"{path} was graded again although it did not change")

    start = time.monotonic()
    again = course_progress(partly_done, checker=must_not_run, cache=cache)
    assert time.monotonic() - start < 5
    assert again.to_json() == progress.to_json()

    edited = partly_done / "00_welcome" / "welcome.ipynb"
    notebook = load(edited)
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "outputs": [],
                              "execution_count": None, "source": "x = 1"})
    edited.write_text(json.dumps(notebook), encoding="utf-8")
    seen = []

    def record(path):
        seen.append(path.name)
        raise AssertionError("stop here")

    with pytest.raises(AssertionError, match="stop here"):
        course_progress(partly_done, checker=record, cache=cache)
    assert seen == ["welcome.ipynb"]  # only the notebook that changed


@pytest.mark.slow
def test_cli_without_solutions_uses_the_release_bundle(partly_done, graded, tmp_path):
    """A self-learner has course/ and the package only: the public checks come from the bundle,
    with the same points as where the solutions are."""
    env = dict(os.environ, MEDAI_SOLUTIONS=str(tmp_path / "nonexistent"),
               MEDAI_CACHE=str(tmp_path / "cache"))
    proc = subprocess.run([sys.executable, "-m", "medai.autograder.cli", "progress",
                           str(partly_done / "00_welcome"), "--json", "--html",
                           str(tmp_path / "progress.html")],
                          env=env, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    report = json.loads(proc.stdout)
    here = next(c for c in graded[0].to_json()["chapters"] if c["chapter"] == "00_welcome")
    chapter = report["chapters"][0]
    assert [(e["name"], e["points"], e["status"]) for e in chapter["notebooks"][0]["exercises"]] == [
        (e["name"], e["points"], e["status"]) for e in here["notebooks"][0]["exercises"]]
    assert report["next"]["exercise"] == "mean_by_diagnosis"
    assert (tmp_path / "progress.html").read_text(encoding="utf-8").count("<section>") == 1


def test_unknown_folder_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "medai.autograder.cli", "progress",
                           str(tmp_path / "nope")], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "no such folder" in proc.stderr
