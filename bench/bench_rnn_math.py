"""How long grading chapter 03_rnn_math takes: the latency of ``grade_function`` per exercise
(public and public + hidden cases) against a baseline of calling the reference on the same cases
directly, and the training time of the rhythm-classifier exercise.

Run: ``.venv/bin/python bench/bench_rnn_math.py [--repeats 3] [--skip-model]``. Prints figures;
it is not a timed test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MEDAI_OFFLINE", "1")

CHAPTER = "03_rnn_math"
MODEL_EXERCISE = "build_rhythm_classifier"


def _median_seconds(repeats, fn, *args, **kwargs):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn(*args, **kwargs)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _call_all(exercise, fn, cases):
    return [exercise.call(fn, case) for case in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--skip-model", action="store_true",
                        help="leave out the classifier, whose grading trains Keras models")
    args = parser.parse_args()

    from medai.autograder import grade_function
    from medai.autograder.reference import reference_function
    from medai.autograder.registry import chapter_exercises

    start = time.perf_counter()
    exercises = chapter_exercises(CHAPTER)
    for name in exercises:
        reference_function(CHAPTER, name)
    print(f"loading the references (import cells + solution cells): "
          f"{time.perf_counter() - start:.2f} s (once per process)")
    print(f"median of {args.repeats} runs; baseline = calling the reference on the same cases")
    print(f"{'exercise':26s} {'cases':>5s} {'baseline':>10s} {'public':>9s} {'hidden':>9s} "
          f"{'hidden/baseline':>16s}")
    for name, exercise in exercises.items():
        if name == MODEL_EXERCISE:
            continue
        reference = reference_function(CHAPTER, name)
        cases = exercise.cases(hidden=True)
        learner = reference  # stands in for a correct learner's function
        baseline = _median_seconds(args.repeats, _call_all, exercise, reference, cases)
        public = _median_seconds(args.repeats, grade_function, CHAPTER, name, learner)
        hidden = _median_seconds(args.repeats, grade_function, CHAPTER, name, learner, hidden=True)
        print(f"{name:26s} {len(cases):5d} {baseline * 1e3:8.2f}ms {public * 1e3:7.1f}ms "
              f"{hidden * 1e3:7.1f}ms {hidden / baseline:15.0f}x")

    if args.skip_model:
        return
    from medai.autograder.exercises.rnn_math import PASS_MARK, train_and_score

    reference = reference_function(CHAPTER, MODEL_EXERCISE)
    exercise = exercises[MODEL_EXERCISE]
    print(f"\n{MODEL_EXERCISE}: pass mark {PASS_MARK:.2f}; each case trains the model once")
    for case in exercise.cases(hidden=True):
        seconds, accuracies = [], []
        for _ in range(args.repeats):
            # a new function object each time, so that no remembered score is reused
            def fresh(*a, _ref=reference):
                return _ref(*a)

            start = time.perf_counter()
            result = train_and_score(fresh, *case.args, **case.kwargs)
            seconds.append(time.perf_counter() - start)
            accuracies.append(result["accuracy"])
        print(f"  {case.label}: reference accuracy {statistics.median(accuracies):.3f} "
              f"(runs: {', '.join(f'{a:.3f}' for a in accuracies)}), build + train + evaluate "
              f"{statistics.median(seconds):.1f} s median (runs: "
              f"{', '.join(f'{s:.1f}' for s in seconds)})")


if __name__ == "__main__":
    main()
