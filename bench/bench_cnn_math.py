"""How fast does ``grader.check`` answer for chapter 02_cnn_math, once TensorFlow is imported?

Prints, per exercise, the median latency (of ``--repeat`` runs) of ``Grader.check`` on the reference
solution (public, then public + hidden cases) and on the first catalogued mistake (a failing answer
also runs every mistake detector), against a baseline measured in the same run: calling the
reference on the same hidden cases with no grading at all. The issue asks for < 1 s per exercise.

    .venv/bin/python bench/bench_cnn_math.py [--repeat 5] [--no-tensorflow]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CHAPTER = "02_cnn_math"
TARGET_SECONDS = 1.0


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                action()
            except AssertionError:  # a check that earns 0 points raises; that is its answer
                pass
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(grader, exercise, reference, wrong, repeat: int) -> tuple[float, ...]:
    """Baseline (the reference on the hidden cases, no grading), then check latencies."""
    cases = exercise.cases(hidden=True)
    return (
        median_seconds(lambda: [exercise.call(reference, c) for c in cases], repeat),
        median_seconds(lambda: grader.check(reference), repeat),
        median_seconds(lambda: grader.check(reference, hidden=True), repeat),
        median_seconds(lambda: grader.check(wrong, hidden=True), repeat),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-tensorflow", action="store_true",
                        help="do not import TensorFlow first (the notebook does)")
    args = parser.parse_args()

    start = time.perf_counter()
    if not args.no_tensorflow:
        import tensorflow  # noqa: F401 - imported for its effect on the process, as in the notebook
    tf_seconds = time.perf_counter() - start

    from medai.autograder import Grader
    from medai.autograder.reference import reference_function
    from medai.autograder.registry import chapter_exercises
    from tests.helpers import define
    from tests.mutants import catalogue_modules

    grader = Grader(CHAPTER)
    catalogue = next(m for m in catalogue_modules() if m.CHAPTER == CHAPTER)
    exercises = chapter_exercises(CHAPTER)
    for name in exercises:  # warm the reference cache, as the first check in a notebook does
        reference_function(CHAPTER, name)

    print(f"chapter {CHAPTER}: median of {args.repeat} runs, seconds "
          f"(TensorFlow import {'skipped' if args.no_tensorflow else f'{tf_seconds:.1f} s'})")
    header = (f"{'exercise':<20}{'baseline':>10}{'public':>9}{'hidden':>9}{'mistake':>9}"
              f"{'hidden/baseline':>17}  within {TARGET_SECONDS:g} s")
    print(header)
    worst = 0.0
    for name, exercise in exercises.items():
        mutant = next(m for m in catalogue.MUTANTS if m.exercise == name)
        wrong = define(CHAPTER, mutant.source, name)
        baseline, public, hidden, mistake = measure(
            grader, exercise, reference_function(CHAPTER, name), wrong, args.repeat)
        slowest = max(public, hidden, mistake)
        worst = max(worst, slowest)
        ratio = hidden / baseline if baseline > 0 else float("inf")
        print(f"{name:<20}{baseline:>10.4f}{public:>9.3f}{hidden:>9.3f}{mistake:>9.3f}"
              f"{ratio:>17.1f}  {'yes' if slowest < TARGET_SECONDS else 'NO'}")
    print(f"slowest check: {worst:.3f} s ({'within' if worst < TARGET_SECONDS else 'over'} the "
          f"{TARGET_SECONDS:g} s target)")


if __name__ == "__main__":
    main()
