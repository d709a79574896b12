"""Where truth comes from: the reference implementation is the solution cell of the solutions
notebook, executed (with the notebook's import cell) in a fresh namespace. Nothing is copied."""

from __future__ import annotations

import ast
import importlib
import json
import os
import sys
import threading
import types
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

# Imported by an import cell, but needed by few reference functions (the ones that train a model,
# whose hidden outputs the grading truth never computes): the truth imports them on first use.
LAZY_MODULES = frozenset({"keras", "tensorflow", "torch"})


class LazyModule(types.ModuleType):
    """Stands for a heavy module in a reference namespace until an attribute is read: then the
    module is imported (once, under a lock) and every attribute comes from it. ``import keras``
    costs about 2 s of CPU; chapter 04's truth needs none of it for most of its exercises."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.__dict__["_lazy_lock"] = threading.Lock()

    def _module(self) -> types.ModuleType:
        with self.__dict__["_lazy_lock"]:
            if "_lazy_real" not in self.__dict__:
                self.__dict__["_lazy_real"] = importlib.import_module(self.__name__)
        return self.__dict__["_lazy_real"]

    def __getattr__(self, attribute: str) -> Any:  # only called for what the proxy lacks
        return getattr(self._module(), attribute)

    def __dir__(self) -> list[str]:
        return dir(self._module())

    def __repr__(self) -> str:
        return f"<lazy module {self.__name__!r}>"


def _lazy_import_cell(source: str, filename: str):
    """The import cell compiled with its plain top-level ``import keras`` / ``import tensorflow as
    tf`` statements binding a :class:`LazyModule` instead (unless the module is already imported).
    Any other statement, ``from keras import layers`` included, runs as written."""
    tree = ast.parse(source, filename)
    body = []
    for node in tree.body:
        aliases = node.names if isinstance(node, ast.Import) else []
        if aliases and all(a.name in LAZY_MODULES and a.name not in sys.modules for a in aliases):
            for alias in aliases:
                call = ast.Call(ast.Name("__medai_lazy__", ast.Load()), [ast.Constant(alias.name)], [])
                body.append(ast.copy_location(
                    ast.Assign([ast.Name(alias.asname or alias.name, ast.Store())], call), node))
        else:
            body.append(node)
    tree.body = body
    return compile(ast.fix_missing_locations(tree), filename, "exec")


def _namespace(path: Path) -> dict[str, Any]:
    key = (str(path), path.stat().st_mtime)
    with _lock:
        if key not in _cache:
            notebook = read_solution_notebook(path)
            namespace: dict[str, Any] = {"__name__": f"medai_reference_{path.stem}",
                                         "__medai_lazy__": LazyModule}
            # The import cell may construct a Grader and print; neither may leak into a check.
            with quiet_stdio():
                exec(_lazy_import_cell(notebook.import_source, f"<reference {path.name}: imports>"),
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
