"""A throwaway nbgrader course built from this repository's solutions/: release, submit,
autograde, read the gradebook. Used by the lifecycle tests (and by medai grade's equivalence test)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

BIN = Path(sys.executable).parent


def nbgrader(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               MEDAI_SOLUTIONS=str(ROOT / "solutions"))
    proc = subprocess.run([str(BIN / "nbgrader"), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def make_course(tmp: Path, chapter: str) -> Path:
    """A course folder whose source is a copy of solutions/<chapter>, released into course/."""
    root = tmp / "nbgrader-course"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / chapter, root / "solutions" / chapter,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbgrader(root, "generate_assignment", chapter, "--force")
    return root


def submit(root: Path, chapter: str, student: str, notebook: str, edits: dict[str, str]) -> Path:
    """Copy the released notebook into submitted/<student>/<chapter>/ with the exercise cells
    whose grade_id is in ``edits`` replaced by the given source (as a learner would type it)."""
    released = json.loads((root / "course" / chapter / notebook).read_text(encoding="utf-8"))
    for cell in released["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in edits:
            cell["source"] = edits[grade_id]
    target = root / "submitted" / student / chapter / notebook
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(released, indent=1), encoding="utf-8")
    return target


def autograde(root: Path, chapter: str) -> None:
    nbgrader(root, "autograde", chapter, "--force")


def gradebook_scores(root: Path, chapter: str, notebook: str, student: str) -> dict[str, float]:
    """Points nbgrader recorded for each test cell, keyed by exercise name."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        sub = gb.find_submission_notebook(Path(notebook).stem, chapter, student)
        return {g.name.removeprefix("test_"): float(g.score) for g in sub.grades
                if g.name.startswith("test_")}
