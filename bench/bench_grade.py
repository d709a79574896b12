"""Benchmark: ``medai grade --jobs 2`` against ``nbgrader autograde`` on the same submissions.

Builds N submissions of chapter 00_welcome (the reference, the stub, and the catalogued mistakes
and alternative implementations of tests/mutants, cycled), in nbgrader's submitted/ tree of a
throwaway course, grades them both ways in this one script, checks the scores are identical
exercise by exercise, and prints wall times, per-submission medians and the ratio.

    .venv/bin/python bench/bench_grade.py [--n 50] [--jobs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CHAPTER, NOTEBOOK = "00_welcome", "welcome.ipynb"


def build_course(tmp: Path, n: int) -> Path:
    from tests.mutants import ch00_welcome as catalogue

    root = tmp / "course-root"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / CHAPTER, root / "solutions" / CHAPTER)
    nbgrader(root, "generate_assignment", CHAPTER, "--force")
    release = json.loads((root / "course" / CHAPTER / NOTEBOOK).read_text())
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"])
                 for c in json.loads((ROOT / "solutions" / CHAPTER / NOTEBOOK).read_text())["cells"]
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    variants = [solutions, {}]
    variants += [{**solutions, m.exercise: m.source} for m in catalogue.MUTANTS]
    variants += [{**solutions, a.exercise: a.source} for a in catalogue.ALTERNATIVES]
    for i in range(n):
        edits = variants[i % len(variants)]
        nb = json.loads(json.dumps(release))
        for cell in nb["cells"]:
            grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
            if grade_id in edits:
                cell["source"] = edits[grade_id]
        target = root / "submitted" / f"student{i:03d}" / CHAPTER / NOTEBOOK
        target.parent.mkdir(parents=True)
        target.write_text(json.dumps(nb))
    return root


def nbgrader(root: Path, *args: str) -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=root, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    from nbgrader.api import Gradebook

    from medai.autograder import sandbox
    from medai.autograder.batch import BatchGrader, discover

    with tempfile.TemporaryDirectory(prefix="medai-bench-") as tmp:
        root = build_course(Path(tmp), args.n)
        out = Path(tmp) / "medai-out"
        start = time.perf_counter()
        grader = BatchGrader(CHAPTER, out, jobs=args.jobs, stream=open(os.devnull, "w"))
        ours = grader.grade_all(discover(root / "submitted", CHAPTER))
        ours_wall = time.perf_counter() - start
        nb_wall = nbgrader(root, "autograde", CHAPTER, "--force")

        mismatches = 0
        with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
            for result in ours:
                sub = gb.find_submission_notebook(Path(NOTEBOOK).stem, CHAPTER, result["student"])
                theirs = {g.name.removeprefix("test_"): float(g.score) for g in sub.grades
                          if g.name.startswith("test_")}
                mine = {e["name"]: e["points"] for e in result["exercises"]}
                if mine != theirs:
                    mismatches += 1
                    print(f"  MISMATCH {result['student']}: medai {mine} nbgrader {theirs}")
        per_sub = [r["seconds"] for r in ours]
        print(f"submissions: {args.n} of {CHAPTER}; machine: {os.cpu_count()} cores; "
              f"{sandbox.detect().describe()}")
        print(f"medai grade --jobs {args.jobs}: {ours_wall:7.1f} s wall, "
              f"median {statistics.median(per_sub):.2f} s per submission (in its worker)")
        print(f"nbgrader autograde:      {nb_wall:7.1f} s wall, "
              f"mean {nb_wall / args.n:.2f} s per submission (serial)")
        print(f"ratio (nbgrader / medai): {nb_wall / ours_wall:.1f}x")
        print(f"scores identical exercise by exercise: {'yes' if not mismatches else f'NO ({mismatches})'}")


if __name__ == "__main__":
    main()
