"""Benchmark: ``medai grade`` against ``nbgrader autograde`` on the same submissions, and how
``medai grade`` scales with ``--jobs``.

Builds N submissions of a chapter from its own catalogue (the reference, the stub, rounds of the
catalogued mistakes and of the alternative implementations, cycled: tests/corpus.py) in nbgrader's
submitted/ tree of a throwaway course; grades them with ``medai grade --jobs J`` for every J given
and with ``nbgrader autograde``, in this one script; checks that the scores are identical exercise
by exercise; prints wall times (the whole batch: grading truth, start-up and outputs included),
submissions per second, the grading processes' own (trusted, non-sandboxed) time per submission,
and the ratio.

    .venv/bin/python bench/bench_grade.py --chapter 00_welcome [--n 50] [--jobs 1 2] [--repeat 3]
        [--no-nbgrader]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build_course(tmp: Path, chapter: str, n: int) -> Path:
    from tests.corpus import write_submissions

    root = tmp / "course-root"
    (root / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / chapter, root / "solutions" / chapter)
    nbgrader(root, "generate_assignment", chapter, "--force")
    write_submissions(chapter, root / "submitted", n=n)
    return root


def nbgrader(root: Path, *args: str) -> float:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
               MEDAI_SOLUTIONS=str(ROOT / "solutions"))
    start = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=root, env=env,
                   check=True, capture_output=True)
    return time.perf_counter() - start


def nbgrader_scores(root: Path, chapter: str, results, earlier: list) -> int:
    """The submissions whose points differ between medai (``results``, its last run) and nbgrader.
    A submission whose points differ between medai's own runs (``earlier``: every run's results)
    is not deterministic (an unseeded shuffle, say): reported as such, and not counted."""
    from nbgrader.api import Gradebook

    mismatches = 0
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for result in results:
            sub = gb.find_submission_notebook(Path(result.notebook).stem, chapter, result.student)
            theirs = {g.name.removeprefix("test_"): float(g.score) for g in sub.grades
                      if g.name.startswith("test_")}
            if result.points() != theirs:
                own = [r.points() for run in earlier for r in run
                       if (r.student, r.notebook) == (result.student, result.notebook)]
                varies = {n: sorted({o[n] for o in own}) for n in result.points()
                          if len({o[n] for o in own}) > 1}
                if varies and all(varies.get(n) for n, v in theirs.items()
                                  if v != result.points().get(n)):
                    print(f"  NOT DETERMINISTIC {result.student}/{result.notebook}: medai's own "
                          f"runs gave {varies}; nbgrader {theirs}")
                    continue
                mismatches += 1
                print(f"  MISMATCH {result.student}/{result.notebook}: medai {result.points()} "
                      f"nbgrader {theirs}")
    return mismatches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chapter", default="00_welcome")
    parser.add_argument("--n", type=int, default=50, help="students (each submits every notebook)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2])
    parser.add_argument("--no-nbgrader", action="store_true", help="skip nbgrader (scaling only)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="runs of medai grade per --jobs value, the values interleaved; the "
                             "median is reported")
    args = parser.parse_args()

    from medai.autograder import sandbox
    from medai.autograder.batch import BatchGrader, discover
    from medai.autograder.batch.outputs import read_results

    with tempfile.TemporaryDirectory(prefix="medai-bench-") as tmp:
        root = build_course(Path(tmp), args.chapter, args.n)
        subs = discover(root / "submitted", args.chapter)
        print(f"{len(subs)} notebooks of {args.n} students, chapter {args.chapter}; "
              f"{os.cpu_count()} cores; {sandbox.detect().describe()}")
        rows, last, every_run = [], None, []
        runs: dict[int, list] = {jobs: [] for jobs in args.jobs}
        # Interleaved (--jobs 1, 2, 1, 2, ...): this machine's speed drifts by tens of percent
        # over minutes, and a speed-up is only meaningful between runs that share those minutes.
        for k in range(args.repeat):
            for jobs in args.jobs:
                out = Path(tmp) / f"medai-out-{jobs}-{k}"
                # The command an instructor runs, in a fresh process each time (nothing memoised
                # from an earlier run): everything a batch does is timed, the grading truth (the
                # reference on every case) and the outputs included.
                start = time.perf_counter()
                proc = subprocess.run([str(Path(sys.executable).parent / "medai"), "grade",
                                       str(root / "submitted"), "--chapter", args.chapter, "--out",
                                       str(out), "--jobs", str(jobs)], cwd=ROOT, check=True,
                                      capture_output=True, text=True,
                                      env=dict(os.environ, MEDAI_SOLUTIONS=str(ROOT / "solutions")))
                wall = time.perf_counter() - start
                last = read_results(out)
                every_run.append(last)
                main = re.search(r"([0-9.]+) ms per submission", proc.stdout)
                runs[jobs].append((wall, statistics.median(r.seconds for r in last),
                                   statistics.median(r.judge_seconds for r in last),
                                   float(main.group(1)) / 1000 if main else float("nan")))
                shutil.rmtree(out, ignore_errors=True)
        for jobs in args.jobs:
            walls = sorted(runs[jobs])
            wall, run, judge, main = walls[len(walls) // 2]  # the median run
            print(f"  --jobs {jobs}: runs of {', '.join(f'{w:.1f}' for w, *_ in runs[jobs])} s")
            rows.append((jobs, wall, run, judge, main))
        base = rows[0][1]
        print("\n| --jobs | wall (s) | submissions/s | speed-up vs first | sandboxed run per "
              "submission (median, s) | grading process's own time per submission (median, s) | "
              "main process's CPU per submission, grading truth apart (s) |")
        print("|---|---|---|---|---|---|---|")
        for jobs, wall, run, judge, main in rows:
            print(f"| {jobs} | {wall:.1f} | {len(subs) / wall:.2f} | {base / wall:.2f}x | {run:.2f} | "
                  f"{judge:.3f} | {main:.4f} |")
        start = time.perf_counter()
        BatchGrader(args.chapter, Path(tmp) / "truth-only").grading_truth()
        print(f"\n(the grading truth, the reference on every case, computed alone in this process: "
              f"{time.perf_counter() - start:.1f} s; a batch overlaps it with its workers' start)")
        if args.no_nbgrader:
            return
        nb_wall = nbgrader(root, "autograde", args.chapter, "--force")
        mismatches = nbgrader_scores(root, args.chapter, last, every_run)
        wall = rows[-1][1]
        print(f"nbgrader autograde: {nb_wall:.1f} s wall, {nb_wall / len(subs):.2f} s per notebook")
        print(f"medai grade --jobs {rows[-1][0]} (median run, everything included): {wall:.1f} s")
        print(f"ratio (nbgrader / medai): {nb_wall / wall:.1f}x")
        print("scores identical exercise by exercise: "
              + ("yes" if not mismatches else f"NO ({mismatches})"))


if __name__ == "__main__":
    main()
