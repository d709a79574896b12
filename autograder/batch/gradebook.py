"""``medai grade --gradebook``: the points into nbgrader's gradebook, as automatic scores."""

from __future__ import annotations

import warnings
from pathlib import Path

from .result import SubmissionResult
from .submissions import GradeUsageError


def write_gradebook(db_url: str, chapter: str, results: list[SubmissionResult]) -> int:
    """Record each test cell's points as nbgrader's automatic score, so formgrader's tables show
    them. The assignment must already be in the gradebook (``nbgrader generate_assignment``).
    Returns the number of grades written."""
    from nbgrader.api import Gradebook, MissingEntry

    written = 0
    with warnings.catch_warnings(), Gradebook(db_url) as gb:
        warnings.simplefilter("ignore")  # SQLAlchemy's autoflush notes inside nbgrader
        try:
            gb.find_assignment(chapter)
        except MissingEntry:
            raise GradeUsageError(
                f"the gradebook {db_url} has no assignment {chapter}: run "
                f"`nbgrader generate_assignment {chapter}` with it first") from None
        for result in results:
            gb.update_or_create_student(result.student)
            try:
                gb.find_submission(chapter, result.student)
            except MissingEntry:
                gb.add_submission(chapter, result.student)
            try:
                notebook = gb.find_submission_notebook(Path(result.notebook).stem, chapter,
                                                       result.student)
            except MissingEntry:
                continue  # a notebook the assignment does not have
            points = {f"test_{e.name}": e.points for e in result.exercises}
            for grade in notebook.grades:
                if grade.name in points:
                    grade.auto_score = points[grade.name]
                    written += 1
        gb.db.commit()
    return written
