"""``medai grade`` at course scale: shards on several machines merge into exactly what one run
writes; a warm worker with the chapter's libraries preloaded (TensorFlow included) grades exactly
as a fresh interpreter does, on every chapter's catalogue of mistakes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medai.autograder import sandbox
from medai.autograder.batch import BatchGrader, discover, parse_shard, shard_of
from medai.autograder.batch.submissions import GradeUsageError
from tests.corpus import write_submissions
from tests.helpers import ROOT, chapters

LIMITS = sandbox.Limits(wall_seconds=600, cpu_seconds=1200, memory_mb=4096)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.parts[len(folder.parts)] in ("grades.csv", "feedback", "summary")}


def test_shard_spec_is_checked_and_assignment_is_stable(tmp_path):
    assert parse_shard("2/8") == (2, 8)
    for bad in ("0/3", "4/3", "1-3", "", "a/b"):
        with pytest.raises(GradeUsageError, match="K/N"):
            parse_shard(bad)
    from medai.autograder.batch import Submission

    # by student and notebook name only: the same on every machine, wherever the folder is
    here = Submission("ada", Path("/x/submitted/ada/00_welcome/welcome.ipynb"))
    there = Submission("ada", Path("/elsewhere/ada/00_welcome/welcome.ipynb"))
    assert shard_of(here, 5) == shard_of(there, 5)
    spread = {shard_of(Submission(f"s{i}", Path("welcome.ipynb")), 4) for i in range(200)}
    assert spread == {1, 2, 3, 4}


@pytest.mark.slow
def test_three_shards_merge_into_what_a_single_run_writes(tmp_path):
    chapter = "00_welcome"
    subs = tmp_path / "submitted"
    write_submissions(chapter, subs, n=15)
    single = tmp_path / "single"
    BatchGrader(chapter, single, jobs=2, limits=LIMITS, stream=open(os.devnull, "w")).grade_all(
        discover(subs, chapter))

    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    shards = [tmp_path / f"shard{k}" for k in (1, 2, 3)]
    procs = [subprocess.Popen([sys.executable, "-m", "medai.autograder.cli", "grade", str(subs),
                               "--chapter", chapter, "--out", str(out), "--shard", f"{k}/3",
                               "--jobs", "1", "--timeout", "600"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for k, out in enumerate(shards, 1)]
    for proc in procs:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err
    graded = [len(list((s / "results").glob("*.json"))) for s in shards]
    assert sum(graded) == 15 and all(graded), graded  # every submission in exactly one shard
    merged = tmp_path / "merged"
    proc = subprocess.run([sys.executable, "-m", "medai.autograder.cli", "grade", "merge",
                           str(merged), *map(str, shards)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr
    print(proc.stdout)
    want, got = files(single), files(merged)
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs between the merged shards and one run"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_preloaded_worker_grades_like_a_fresh_interpreter(chapter, tmp_path):
    """The first round of the chapter's catalogued mistakes, graded by warm workers that imported
    the chapter's libraries once and fork per submission, and by a fresh interpreter per
    submission: the same points and the same messages, exercise by exercise."""
    subs = tmp_path / "submitted"
    write_submissions(chapter, subs, labels=("mutants-0",))
    results = {}
    for warm in (True, False):
        grader = BatchGrader(chapter, tmp_path / f"out-{warm}", jobs=2, limits=LIMITS,
                             reuse_workers=warm, definitions_only=True,
                             stream=open(os.devnull, "w"))
        results[warm] = {(r.student, r.notebook): [(e.name, e.points, e.max_points, e.messages)
                                                    for e in r.exercises]
                         for r in grader.grade_all(discover(subs, chapter))}
    assert results[True] == results[False]
    rows = [row for graded in results[True].values() for row in graded]
    assert any(points < max_points for _, points, max_points, _ in rows), "no mistake was caught"


@pytest.mark.slow
def test_exercise_cells_first_grades_like_running_every_cell(tmp_path):
    """The fast path (import and exercise cells first) gives the points and messages of a run of
    every cell, on the chapter's catalogue; an exercise that uses a name only another cell defines
    is graded from a run of the whole notebook, not failed."""
    chapter = "00_welcome"
    subs = tmp_path / "submitted"
    write_submissions(chapter, subs)
    notebook = next(subs.glob(f"student000/{chapter}/*.ipynb"))
    borrowed = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in borrowed["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "malignancy_prevalence":
            cell["source"] = ("def malignancy_prevalence(labels):\n"
                              "    return float(np.mean(np.asarray(labels) == MALIGNANT))\n")
    first = next(i for i, c in enumerate(borrowed["cells"]) if c["cell_type"] == "code")
    borrowed["cells"].insert(first + 1, {"cell_type": "code", "metadata": {}, "outputs": [],
                                         "execution_count": None, "source": "MALIGNANT = 1\n"})
    (subs / "borrower" / chapter).mkdir(parents=True)
    (subs / "borrower" / chapter / notebook.name).write_text(json.dumps(borrowed), encoding="utf-8")
    graded = {}
    for every_cell in (False, True):
        grader = BatchGrader(chapter, tmp_path / f"out-{every_cell}", jobs=2, limits=LIMITS,
                             run_all_cells=every_cell, stream=open(os.devnull, "w"))
        graded[every_cell] = {r.student: [(e.name, e.points, e.messages) for e in r.exercises]
                              for r in grader.grade_all(discover(subs, chapter))}
    assert graded[False] == graded[True]
    borrower = {name: points for name, points, _ in graded[False]["borrower"]}
    assert borrower["malignancy_prevalence"] == 1.0


@pytest.mark.slow
def test_submissions_run_before_the_truth_is_complete_are_graded_as_after(tmp_path, monkeypatch):
    """A batch hands out submissions while it still computes the grading truth; those that ran
    before it was complete are kept and judged once it is. Here the truth is held back until such
    runs exist: the grades equal those of a batch whose truth was complete from the start."""
    import time

    chapter = "00_welcome"
    subs = tmp_path / "submitted"
    write_submissions(chapter, subs, n=8)
    expected_grades = {}
    held_back = tmp_path / "held"
    original = BatchGrader.grading_truth
    stashed: list[int] = []

    def slow_truth(self):
        if self.out == held_back:
            deadline = time.monotonic() + 300
            while time.monotonic() < deadline:
                count = len(list((self.out / ".work" / "stash").glob("*.json")))
                if count >= 3:
                    stashed.append(count)
                    break
                time.sleep(0.05)
        return original(self)

    monkeypatch.setattr(BatchGrader, "grading_truth", slow_truth)
    for out in (tmp_path / "ready", held_back):
        grader = BatchGrader(chapter, out, jobs=2, limits=LIMITS, stream=open(os.devnull, "w"))
        if out != held_back:
            original(grader)  # complete before any submission runs
        expected_grades[out.name] = {
            (r.student, r.notebook): [(e.name, e.points, e.status, e.messages) for e in r.exercises]
            for r in grader.grade_all(discover(subs, chapter))}
    assert stashed, "no submission ran before the grading truth was complete"
    assert expected_grades["held"] == expected_grades["ready"]
    assert not (held_back / ".work").exists()
