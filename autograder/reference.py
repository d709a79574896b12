"""Where truth comes from: the reference implementation is the solution cell of the solutions
notebook, executed (with the notebook's import cell) in a fresh namespace. Nothing is copied."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .cells import cell_source, exercise_id, first_code_cell
from .execution import quiet_stdio


class ReferenceNotFoundError(LookupError):
    pass


def repository_root() -> Path | None:
    """The checkout this package was installed from (editable install), else the first folder
    upwards from the working directory that holds ``solutions/`` and ``nbgrader_config.py``."""
    candidates = [Path(__file__).resolve().parent.parent, *Path.cwd().resolve().parents]
    candidates.insert(1, Path.cwd().resolve())
    for folder in candidates:
        if (folder / "solutions").is_dir() and (folder / "nbgrader_config.py").is_file():
            return folder
    return None


def solutions_dir() -> Path:
    env = os.environ.get("MEDAI_SOLUTIONS")
    if env:
        path = Path(env).expanduser()
        if not path.is_dir():
            raise ReferenceNotFoundError(
                f"MEDAI_SOLUTIONS points to {str(path)!r}, which is not a folder; "
                "it should be the course's solutions/ folder"
            )
        return path
    root = repository_root()
    if root is None:
        raise ReferenceNotFoundError(
            "cannot find the course's solutions/ folder: run from inside the medai-course "
            "checkout, or set MEDAI_SOLUTIONS to its path"
        )
    return root / "solutions"


@dataclass
class SolutionNotebook:
    path: Path
    import_source: str
    solutions: dict[str, str]  # grade_id -> source


def read_solution_notebook(path: Path) -> SolutionNotebook:
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb.get("cells", [])
    first = first_code_cell(cells)
    solutions = {exercise_id(c): cell_source(c) for c in cells if exercise_id(c)}
    return SolutionNotebook(path, cell_source(first) if first else "", solutions)


def chapter_notebooks(chapter: str, root: Path | None = None) -> list[Path]:
    folder = (root or solutions_dir()) / chapter
    if not folder.is_dir():
        raise ReferenceNotFoundError(f"the solutions folder has no chapter {chapter!r}: {folder}")
    return sorted(p for p in folder.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def notebook_of(chapter: str, name: str) -> Path:
    """The solutions notebook that holds the solution cell of exercise ``name``."""
    for path in chapter_notebooks(chapter):
        if name in read_solution_notebook(path).solutions:
            return path
    raise ReferenceNotFoundError(
        f"no solution cell with grade_id {name!r} in the notebooks of solutions/{chapter}"
    )


_cache: dict[tuple[str, float], dict[str, Any]] = {}
_lock = threading.Lock()


def _namespace(path: Path) -> dict[str, Any]:
    key = (str(path), path.stat().st_mtime)
    with _lock:
        if key not in _cache:
            notebook = read_solution_notebook(path)
            namespace: dict[str, Any] = {"__name__": f"medai_reference_{path.stem}"}
            # The import cell may construct a Grader and print; neither may leak into a check.
            with quiet_stdio():
                exec(compile(notebook.import_source, f"<reference {path.name}: imports>", "exec"),
                     namespace)
                for grade_id, source in notebook.solutions.items():
                    exec(compile(source, f"<reference {grade_id}>", "exec"), namespace)
            _cache[key] = namespace
        return _cache[key]


def reference_function(chapter: str, name: str) -> Callable[..., Any]:
    """The reference implementation of exercise ``name`` of ``chapter``."""
    path = notebook_of(chapter, name)
    namespace = _namespace(path)
    if name not in namespace:
        raise ReferenceNotFoundError(
            f"the solution cell {name!r} in {path} does not define a function named {name!r}"
        )
    return namespace[name]
