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


def _run_recipe(command: str, env: dict[str, str], timeout: float = 900) -> None:
    proc = subprocess.run(["/bin/sh", "-c", command], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, f"{command}\n{proc.stdout}\n{proc.stderr}"


@pytest.mark.slow
def test_the_slurm_and_kubernetes_recipes_grade_and_merge_like_a_single_run(tmp_path):
    """The shipped recipes, run as their engines would run them but on this machine: the Slurm
    array's script with the variables Slurm sets (three tasks, then the merge script), and the
    Kubernetes Indexed Job's shell command with JOB_COMPLETION_INDEX 0..2 (then the merge Job's),
    its /data volume being a folder here. Both merges equal a single run, byte for byte."""
    import yaml

    chapter = "00_welcome"
    data = tmp_path / "data"
    subs = data / "submitted"
    write_submissions(chapter, subs, n=9)
    single = tmp_path / "single"
    BatchGrader(chapter, single, jobs=2, limits=LIMITS, stream=open(os.devnull, "w")).grade_all(
        discover(subs, chapter))
    want = files(single)
    bin_dir = Path(sys.executable).parent
    base = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")

    # Slurm: grade.sbatch per array task, then merge.sbatch (#SBATCH lines are comments to sh)
    if not (ROOT / ".venv" / "bin" / "activate").is_file():
        pytest.skip("the Slurm recipe activates the checkout's .venv (made by `make test`)")
    slurm = tmp_path / "slurm"
    procs = [subprocess.Popen(["bash", str(ROOT / "deploy/slurm/grade.sbatch"), chapter, str(subs),
                               str(slurm)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True,
                              env=dict(base, MEDAI_COURSE=str(ROOT), SLURM_ARRAY_TASK_ID=str(k),
                                       SLURM_ARRAY_TASK_COUNT="3", SLURM_CPUS_PER_TASK="1"))
             for k in (1, 2, 3)]
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, out + err
    _run_recipe(f"bash deploy/slurm/merge.sbatch {slurm}", dict(base, MEDAI_COURSE=str(ROOT)))
    assert files(slurm / "merged") == want

    # Kubernetes: the Indexed Job's command for each completion index, then the merge Job's
    grade_job = yaml.safe_load((ROOT / "deploy/kubernetes/grade-job.yaml").read_text())
    merge_job = yaml.safe_load((ROOT / "deploy/kubernetes/merge-job.yaml").read_text())
    spec = grade_job["spec"]
    assert spec["completionMode"] == "Indexed"
    container = spec["template"]["spec"]["containers"][0]
    job_env = {e["name"]: e["value"] for e in container["env"]}
    assert job_env["SHARDS"] == str(spec["completions"]), "SHARDS must equal completions"
    command = " ".join(container["command"][2:] + container["args"]).replace("/data", str(data))
    command = command.replace("--jobs 4", "--jobs 1")  # a pod has 4 CPUs; this machine may not
    for index in range(3):
        _run_recipe(command, dict(base, CHAPTER=chapter, SHARDS="3",
                                  JOB_COMPLETION_INDEX=str(index)))
    merge = merge_job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert merge[:2] == ["/bin/sh", "-c"]
    _run_recipe(merge[2].replace("/data", str(data)), base)
    assert files(data / "grading" / "merged") == want


def test_split_parts_deal_the_long_cases_out_and_merge_puts_them_back():
    """A notebook whose model exercise trains on every case is run in parts at the same time; the
    merge gives each case its own outcome back, and a part that could not run costs its cases only,
    with the reason."""
    from types import SimpleNamespace

    from medai.autograder.check import NotebookPlan, merge_parts, split_parts

    assert split_parts({"model": 3}, {"model"}, ways=1) is None
    assert split_parts({}, {"model"}, ways=4) is None
    assert split_parts({"model": 1}, {"model"}, ways=4) is None  # only its first case: one run
    parts = split_parts({"model": 3}, {"model"}, ways=2)
    assert parts == [{"except": {"model": [1, 2]}}, {"only": {"model": [1, 2]}}]
    parts = split_parts({"model": 3}, {"model"}, ways=8)
    assert parts == [{"except": {"model": [1, 2]}}, {"only": {"model": [1]}},
                     {"only": {"model": [2]}}]

    def exercise(name, n):
        return SimpleNamespace(exercise=SimpleNamespace(name=name), cases=[None] * n, problem="")

    plan = NotebookPlan("ch", [exercise("quick", 2), exercise("model", 3)])
    assert plan.part_cases(parts[0]) == {"quick": [0, 1], "model": [0]}
    assert plan.part_cases(parts[2]) == {"quick": [], "model": [2]}

    def ok(value):
        return {"status": "ok", "value": value, "mutated": [], "seconds": 1.0, "error": ""}

    first = {"cells": [{"where": "cell 1"}], "unfinished": [], "exercises": {
        "quick": {"defined": True, "outcomes": [ok("q0"), ok("q1")]},
        "model": {"defined": True, "outcomes": [ok("m0")]}}}
    second = {"cells": [], "unfinished": [], "exercises": {
        "model": {"defined": True, "outcomes": [ok("m1")]}}}
    merged, notes = merge_parts(plan, [(parts[0], first, ["a note"]), (parts[1], second, []),
                                       (parts[2], None, ["it ran out of memory"])])
    model = merged["exercises"]["model"]["outcomes"]
    assert [o["value"] for o in model] == ["m0", "m1", None]
    assert model[2]["status"] == "error" and "it ran out of memory" in model[2]["error"]
    assert [o["value"] for o in merged["exercises"]["quick"]["outcomes"]] == ["q0", "q1"]
    assert merged["cells"] == first["cells"] and notes == ["a note", "it ran out of memory"]
    assert first["exercises"]["model"]["outcomes"] == [ok("m0")]  # the parts are not modified
    missing = {"cells": [], "unfinished": [], "exercises": {"quick": first["exercises"]["quick"],
                                                             "model": {"defined": False,
                                                                       "outcomes": []}}}
    merged, _ = merge_parts(plan, [(parts[0], missing, []), (parts[1], second, []),
                                   (parts[2], second, [])])
    assert merged["exercises"]["model"] == {"defined": False, "outcomes": []}  # not written: missing


@pytest.mark.slow
def test_a_notebook_split_across_processes_is_graded_as_one_run(tmp_path, monkeypatch):
    """With two grading processes, the notebook whose classifier trains a Keras model on each case
    is run as two parts at the same time (one training each); the grades and every message equal
    those of one run per notebook."""
    chapter = "03_rnn_math"
    subs = tmp_path / "submitted"
    write_submissions(chapter, subs, n=3)
    for path in subs.rglob("part1_*.ipynb"):
        path.unlink()
    splits = []
    original = BatchGrader._splits
    monkeypatch.setattr(BatchGrader, "_splits",
                        lambda self, ways: splits.append(original(self, ways)) or splits[-1])
    graded = {}
    for jobs in (1, 2):
        grader = BatchGrader(chapter, tmp_path / f"out-{jobs}", jobs=jobs, limits=LIMITS,
                             stream=open(os.devnull, "w"))
        graded[jobs] = {(r.student, r.notebook): [(e.name, e.points, e.status, e.messages)
                                                  for e in r.exercises]
                        for r in grader.grade_all(discover(subs, chapter))}
    assert splits[0] == {} and "part2_ecg_rhythm.ipynb" in splits[1]
    assert graded[2] == graded[1]
    classifier = [dict((e[0], e[1]) for e in g)["build_rhythm_classifier"]
                  for g in graded[2].values()]
    from medai.autograder.exercises.rnn_math import CLASSIFIER

    assert max(classifier) == CLASSIFIER.points  # the reference passed both of its cases


def test_a_warm_worker_computes_the_graders_own_data_once_before_it_forks():
    """A chapter's ``warm_worker`` runs in the zygote after its imports: chapter 08's featurised
    QSAR series is then computed once per worker, not once per submission."""
    code = ("from medai.autograder import zygote\n"
            "zygote.preload(['numpy', 'medai.autograder.exercises.drug_discovery'])\n"
            "from medai.autograder.exercises.drug_discovery import design\n"
            "print(design._chembl_features.cache_info().currsize)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, MEDAI_OFFLINE="1"))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["1"]
    from medai.autograder.exercises.drug_discovery import design

    X, y, scaffolds, smiles = design._chembl_features()
    split = design.qsar_split(1)
    assert not X.flags.writeable and split[0].flags.writeable  # splits are copies
    assert len(smiles) == len(scaffolds) == len(y) == len(split[1]) + len(split[3])


def test_a_warm_worker_waits_for_its_child_without_polling_and_stops_it_at_the_deadline():
    """The zygote's wait returns as soon as the child exits (with its status) or at the wall
    deadline, and uses next to no CPU meanwhile (it blocks on a pidfd)."""
    import signal
    import time

    from medai.autograder import zygote

    quick = os.fork()
    if quick == 0:
        os._exit(3)
    exited, status = zygote._wait(quick, time.monotonic() + 30)
    assert exited and os.waitstatus_to_exitcode(status) == 3

    slow = os.fork()
    if slow == 0:
        time.sleep(30)
        os._exit(0)
    wall, cpu = time.monotonic(), time.process_time()
    exited, _ = zygote._wait(slow, time.monotonic() + 2.0)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    os.kill(slow, signal.SIGKILL)
    os.waitpid(slow, 0)
    assert not exited and 1.9 < wall < 6
    assert cpu < 0.005, f"{cpu:.4f} s of CPU to wait 2 s (polling every 10 ms costs about 0.02)"
