"""How fast does a check answer for chapter 06_ethics, and what does each mutant score?

Prints, per exercise, the median latency of ``grade_function`` on the reference (public cases,
then public + hidden) and on the first catalogued mutant (a failing answer also runs the mistake
models), then the mutant table: points on the public cases and with the hidden ones.

    .venv/bin/python bench/bench_ethics.py [--repeat 3] [--no-mutants]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHAPTER = "06_ethics"


def median_seconds(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-mutants", action="store_true")
    options = parser.parse_args()
    warnings.simplefilter("ignore")

    from medai.autograder import grade_function
    from medai.autograder.reference import reference_function
    from medai.autograder.registry import chapter_exercises
    from tests.helpers import define
    from tests.mutants.ch06_ethics import MUTANTS

    print(f"{'exercise':32s} {'public':>8s} {'hidden':>8s} {'mutant':>8s}  (seconds, median)")
    for name in chapter_exercises(CHAPTER):
        ref = reference_function(CHAPTER, name)
        grade_function(CHAPTER, name, ref)  # warm the reference outputs
        first = define(CHAPTER, next(m for m in MUTANTS if m.exercise == name).source, name)
        public, hidden, mutant = (
            median_seconds(lambda n=name, f=fn, h=h: grade_function(CHAPTER, n, f, hidden=h),
                           options.repeat)
            for fn, h in ((ref, False), (ref, True), (first, False)))
        print(f"{name:32s} {public:8.2f} {hidden:8.2f} {mutant:8.2f}")
    if options.no_mutants:
        return
    print(f"\n{'exercise':32s} {'mistake':44s} {'public':>8s} {'hidden':>8s} {'max':>5s}")
    for m in MUTANTS:
        fn = define(CHAPTER, m.source, m.exercise)
        pub = grade_function(CHAPTER, m.exercise, fn)
        hid = grade_function(CHAPTER, m.exercise, fn, hidden=True)
        print(f"{m.exercise:32s} {m.mistake[:44]:44s} {pub.points:8.2f} {hid.points:8.2f} "
              f"{pub.max_points:5.0f}")


if __name__ == "__main__":
    main()
