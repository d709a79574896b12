"""What a notebook cell is to the course: nbgrader's metadata read in one place (exercise cells,
test cells, the import cell, cells skipped when grading) and how a learner would name a cell."""

from __future__ import annotations

import re

_DEFINITION = re.compile(r"^def\s+([A-Za-z_]\w*)\s*\(", re.MULTILINE)


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def cell_source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def is_code(cell: dict) -> bool:
    return cell.get("cell_type") == "code"


def first_code_cell(cells: list[dict]) -> dict | None:
    """The import cell: imports and ``grader = Grader(...)``."""
    return next((c for c in cells if is_code(c)), None)


def is_test_cell(cell: dict) -> bool:
    meta = nbgrader_meta(cell)
    return bool(meta.get("grade")) and not meta.get("solution")


def exercise_id(cell: dict) -> str | None:
    """The exercise a code cell holds (its nbgrader solution ``grade_id``), else None."""
    meta = nbgrader_meta(cell)
    if is_code(cell) and meta.get("solution") and not meta.get("grade") and meta.get("grade_id"):
        return meta["grade_id"]
    return None


def exercise_ids(notebook: dict) -> list[str]:
    return [i for i in map(exercise_id, notebook.get("cells", [])) if i]


def defined_functions(cell: dict) -> list[str]:
    """Top-level functions a code cell defines (found by text, so it works on broken code too)."""
    return _DEFINITION.findall(cell_source(cell)) if is_code(cell) else []


def is_skipped(cell: dict) -> bool:
    """Cells tagged ``skip-grading`` only demonstrate slow work that no exercise needs."""
    return "skip-grading" in (cell.get("metadata", {}).get("tags") or [])


def describe_cell(cell: dict, position: int) -> str:
    """How a learner finds the cell: by its exercise, else by its position as JupyterLab counts it.

    Parameters
    ----------
    cell : dict
        The notebook cell.
    position : int
        Its 1-based position among *all* the notebook's cells, Markdown included: JupyterLab's
        status bar ("Cell 11 of 40") and the cell order a learner scrolls through count them all.

    Returns
    -------
    str
        ``"the cell of exercise `name`"`` or ``"cell 11"``.
    """
    name = exercise_id(cell)
    return f"the cell of exercise `{name}`" if name else f"cell {position}"
