"""The notebooks follow the conventions of DESIGN.md section 3, solutions earn full marks, stubs
earn nothing while every other cell runs."""

from __future__ import annotations

import ast
import re

import pytest

from medai.autograder.cells import cell_source, first_code_cell, nbgrader_meta
from medai.autograder.check import check_notebook
from tests.helpers import ROOT, chapters, exercises, load, notebooks

SOLUTIONS = notebooks("solutions")
COURSE = notebooks("course")
ALL = SOLUTIONS + COURSE


def rel(path):
    return str(path.relative_to(ROOT))


def test_every_chapter_has_notebooks_in_both_trees():
    for chapter in chapters():
        assert list((ROOT / "solutions" / chapter).glob("*.ipynb")), chapter
        assert list((ROOT / "course" / chapter).glob("*.ipynb")), chapter


@pytest.mark.parametrize("path", ALL, ids=rel)
def test_committed_without_outputs(path):
    for cell in load(path)["cells"]:
        if cell["cell_type"] == "code":
            assert not cell.get("outputs"), f"{rel(path)} has outputs"
            assert cell.get("execution_count") is None, f"{rel(path)} has execution counts"


@pytest.mark.parametrize("path", SOLUTIONS, ids=rel)
def test_first_code_cell_creates_the_grader(path):
    chapter = path.parent.name
    source = cell_source(first_code_cell(load(path)["cells"]))
    assert "from medai.autograder import Grader" in source
    assert f'grader = Grader("{chapter}")' in source


def _solution_cells(path):
    return [c for c in load(path)["cells"]
            if c["cell_type"] == "code" and nbgrader_meta(c).get("solution")]


@pytest.mark.parametrize("path", SOLUTIONS, ids=rel)
def test_solution_cells_hold_only_definitions(path):
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef, ast.Assign,
               ast.AnnAssign)
    for cell in _solution_cells(path):
        name = nbgrader_meta(cell)["grade_id"]
        tree = ast.parse(cell_source(cell))
        for node in tree.body:
            assert isinstance(node, allowed), (
                f"{rel(path)}: the cell of {name} holds a {type(node).__name__} statement at "
                f"line {node.lineno}; solution cells hold only definitions"
            )
            if isinstance(node, (ast.Assign, ast.AnnAssign)):
                value = node.value
                assert value is None or not any(isinstance(n, ast.Call) for n in ast.walk(value)), (
                    f"{rel(path)}: the cell of {name} computes something at line {node.lineno}; "
                    "constants only"
                )
        defined = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
        assert defined == [name], f"{rel(path)}: the cell {name} defines {defined}"
        assert "### BEGIN SOLUTION" in cell_source(cell)


@pytest.mark.parametrize("chapter", chapters())
def test_registry_and_notebook_cells_agree(chapter):
    cells = [c for p in sorted((ROOT / "solutions" / chapter).glob("*.ipynb"))
             for c in load(p)["cells"]]
    solution_ids = [nbgrader_meta(c)["grade_id"] for c in cells
                    if c["cell_type"] == "code" and nbgrader_meta(c).get("solution")]
    tests = {nbgrader_meta(c)["grade_id"]: c for c in cells
             if nbgrader_meta(c).get("grade") and not nbgrader_meta(c).get("solution")}
    registry = exercises(chapter)
    assert solution_ids == list(registry), "exercise cells and registry differ (names or order)"
    for name, exercise in registry.items():
        test = tests.get(f"test_{name}")
        assert test is not None, f"no test cell test_{name}"
        meta = nbgrader_meta(test)
        assert meta["locked"] is True
        assert float(meta["points"]) == float(exercise.points), (
            f"test_{name} is worth {meta['points']} in the notebook, {exercise.points} in the registry"
        )
        assert cell_source(test) == (
            f"grader.check({name})\n### BEGIN HIDDEN TESTS\n"
            f"grader.check({name}, hidden=True)\n### END HIDDEN TESTS"
        )


# The solutions notebooks earn full marks on the hidden cases: `make test` runs each once under
# nbval with MEDAI_REQUIRE_FULL_MARKS=1, where a check short of full marks is an error.


@pytest.mark.slow
@pytest.mark.parametrize("path", COURSE, ids=rel)
def test_course_stubs_earn_nothing_and_nothing_else_fails(path):
    report = check_notebook(path)
    assert report.results
    for result in report.results:
        assert result.points == 0, result.name
        assert result.status == "failed", (result.name, result.messages)
    # Cells that use a learner's function may stop on its stub; nothing else may fail.
    for note in report.notes:
        assert re.search(r"NotImplementedError\b", note), note
