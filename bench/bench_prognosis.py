"""Chapter 07_prognosis figures: the reference survival model's held-out C-index on GBSG2 (the
graded splits and 100 seeded splits), and how long a check of it takes.

Run: MEDAI_OFFLINE=1 .venv/bin/python bench/bench_prognosis.py
"""

from __future__ import annotations

import time
import warnings

import numpy as np

from medai.autograder.exercises.prognosis.models import PASS_MARK, train_and_score
from medai.autograder.reference import reference_function


def main() -> None:
    warnings.simplefilter("ignore")
    model = reference_function("07_prognosis", "build_survival_model")
    started = time.perf_counter()
    graded = [train_and_score(model, "gbsg2", seed)["c_index"] for seed in (0, 1, 2)]
    seconds = (time.perf_counter() - started) / 3
    print(f"graded splits (seeds 0-2): {', '.join(f'{c:.3f}' for c in graded)}; "
          f"{seconds:.2f} s per check (training included)")
    spread = np.array([train_and_score(model, "gbsg2", seed)["c_index"] for seed in range(100)])
    print(f"100 seeded splits: min {spread.min():.3f}, mean {spread.mean():.3f}, "
          f"max {spread.max():.3f}, sd {spread.std():.3f}; below the pass mark {PASS_MARK}: "
          f"{int(np.sum(spread < PASS_MARK))}")


if __name__ == "__main__":
    main()
