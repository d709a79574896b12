"""Helpers shared by the tests: the chapters, their notebooks, and learner code run as a cell."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

from medai.autograder.cells import cell_source, first_code_cell
from medai.autograder.registry import chapter_exercises, chapter_ids

ROOT = Path(__file__).resolve().parent.parent


def chapters() -> list[str]:
    return chapter_ids()


def notebooks(tree: str) -> list[Path]:
    return sorted(
        p for p in (ROOT / tree).rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts
    )


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def import_namespace(chapter: str) -> dict:
    """The names a learner has after running the chapter's import cell (np, pd, ...)."""
    names: dict = {}
    for path in sorted((ROOT / "solutions" / chapter).glob("*.ipynb")):
        first = first_code_cell(load(path)["cells"])
        with contextlib.redirect_stdout(io.StringIO()):
            exec(cell_source(first), names)
    return names


def define(chapter: str, source: str, name: str):
    """Run ``source`` as a learner's exercise cell and return the function ``name`` it defines."""
    namespace = import_namespace(chapter)
    exec(compile(source, f"<learner cell {name}>", "exec"), namespace)
    return namespace[name]


def exercises(chapter: str):
    return chapter_exercises(chapter)
