"""The standard nbgrader lifecycle works on this course: course/ is exactly nbgrader's release of
solutions/, and nbgrader's autograde records the same points, partial credit included, as
``medai check --hidden``."""

from __future__ import annotations

import os
import shutil

import pytest

from medai.autograder.batch import BatchGrader, GradeUsageError, discover, write_gradebook
from medai.autograder.check import check_notebook
from tests.helpers import ROOT, chapters, load
from tests.mutants import catalogue_modules
from tests.nbgrader_course import autograde, gradebook_scores, make_course, nbgrader, submit


@pytest.mark.slow
def test_course_is_what_nbgrader_generates_from_solutions(tmp_path):
    root = tmp_path / "course-root"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions", root / "solutions",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for chapter in sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir()):
        nbgrader(root, "generate_assignment", chapter, "--force")
    generated = {p.relative_to(root / "course"): p for p in (root / "course").rglob("*")
                 if p.is_file()}
    committed = {p.relative_to(ROOT / "course"): p for p in (ROOT / "course").rglob("*")
                 if p.is_file() and ".ipynb_checkpoints" not in p.parts}
    assert sorted(map(str, generated)) == sorted(map(str, committed)), (
        "course/ holds different files from nbgrader's release: run `make release`")
    for rel, path in generated.items():
        if path.suffix == ".ipynb":
            assert load(path) == load(committed[rel]), f"course/{rel} drifted: run `make release`"
        else:
            assert path.read_bytes() == committed[rel].read_bytes(), f"course/{rel} drifted"


@pytest.mark.slow
def test_nbgrader_autograde_records_the_same_points_as_medai_check(tmp_path):
    chapter, notebook = "00_welcome", "welcome.ipynb"
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
                 for c in load(ROOT / "solutions" / chapter / notebook)["cells"]
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    partial = next(m for m in catalogue.MUTANTS if m.mistake == "constant column divides by zero")
    submissions = {
        "reference": solutions,
        "stub": {},
        "partial": {**solutions, partial.exercise: partial.source},
        "mixed": {"malignancy_prevalence": catalogue.ALTERNATIVES[0].source,
                  "mean_by_diagnosis": catalogue.MUTANTS[6].source},
    }
    root = make_course(tmp_path, chapter)
    paths = {s: submit(root, chapter, s, notebook, edits) for s, edits in submissions.items()}
    autograde(root, chapter)

    batch = BatchGrader(chapter, tmp_path / "medai-grade", jobs=2, stream=open(os.devnull, "w"))
    graded = {r.student: r.points()
              for r in batch.grade_all(discover(root / "submitted", chapter))}
    for student, path in paths.items():
        recorded = gradebook_scores(root, chapter, notebook, student)
        ours = {r.name: r.points for r in check_notebook(path, hidden=True).results}
        assert recorded == pytest.approx(ours, abs=1e-9), (student, recorded, ours)
        assert graded[student] == pytest.approx(recorded, abs=1e-9), ("medai grade", student)
    assert gradebook_scores(root, chapter, notebook, "reference") == {
        "malignancy_prevalence": 1.0, "mean_by_diagnosis": 2.0,
        "standardize_with_training_stats": 2.0}
    assert set(gradebook_scores(root, chapter, notebook, "stub").values()) == {0.0}
    partial_score = gradebook_scores(root, chapter, notebook, "partial")
    assert 0 < partial_score["standardize_with_training_stats"] < 2


@pytest.mark.slow
def test_medai_grade_writes_its_scores_into_nbgrader_s_gradebook(tmp_path):
    chapter, notebook = "00_welcome", "welcome.ipynb"
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == chapter)
    root = make_course(tmp_path, chapter)
    mutant = catalogue.MUTANTS[0]
    submit(root, chapter, "ada", notebook, {mutant.exercise: mutant.source})
    submit(root, chapter, "grace", notebook, {})
    batch = BatchGrader(chapter, tmp_path / "out", jobs=1, stream=open(os.devnull, "w"))
    results = batch.grade_all(discover(root / "submitted", chapter))
    db = f"sqlite:///{root / 'gradebook.db'}"
    assert write_gradebook(db, chapter, results) == 6
    for result in results:
        expected = result.points()
        assert gradebook_scores(root, chapter, notebook, result.student) == expected
    with pytest.raises(GradeUsageError, match="has no assignment 01_nope"):
        write_gradebook(db, "01_nope", results)


def test_every_solutions_chapter_is_a_registered_chapter():
    folders = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    assert folders == chapters()


def test_nbgrader_config_points_at_solutions_and_course():
    text = (ROOT / "nbgrader_config.py").read_text()
    assert 'source_directory = "solutions"' in text and 'release_directory = "course"' in text
