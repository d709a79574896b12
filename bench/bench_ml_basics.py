"""Figures behind chapter 01_ml_basics: the build_classifier pass mark against the reference and
simple baselines, the leakage optimism of a row-level split, and the check latency of a learner's
model exercise. Prints figures; not a timed test. Run: .venv/bin/python bench/bench_ml_basics.py"""

from __future__ import annotations

import statistics
import time
import warnings

import numpy as np

from medai.autograder.exercises.ml_basics import models as clf
from medai.autograder.exercises.ml_basics import splitting
from medai.autograder.grading import grade_function
from medai.datasets import make_repeated_visits


def pass_mark_table() -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    models = {
        "reference: scaler + logistic regression": lambda: make_pipeline(StandardScaler(),
                                                                         LogisticRegression()),
        "random forest (unscaled is fine)": lambda: RandomForestClassifier(random_state=0),
        "logistic regression, unscaled": clf._clf_unscaled,
        "k-NN, unscaled": clf._clf_knn_unscaled,
        "majority class": clf._clf_majority,
    }
    print(f"stratified 10-fold CV accuracy on Breast Cancer Wisconsin (pass mark "
          f"{clf.PASS_MARK}), shuffles 0, 1, 2:")
    for name, make in models.items():
        accs = [clf._cross_validate(make, seed)["accuracy"] for seed in range(3)]
        verdict = "passes" if min(accs) >= clf.PASS_MARK else "fails"
        print(f"  {name:42s} {' '.join(f'{a:.4f}' for a in accs)}  {verdict}")


def leakage(seeds=range(5), n_trees=150) -> None:
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    frame = make_repeated_visits(400, seed=0)
    features = ["age", "sex", "height_cm", "bmi", "systolic_bp", "hba1c", "egfr"]

    def auc(train, test):
        model = RandomForestClassifier(n_trees, random_state=0, n_jobs=1)
        model.fit(train[features], train["complication"])
        return roc_auc_score(test["complication"], model.predict_proba(test[features])[:, 1])

    rows = [auc(*splitting._split_rows(frame, "patient_id", 0.25, s)) for s in seeds]
    patients = [auc(*splitting._split_patients(frame, "patient_id", 0.25, s)) for s in seeds]
    print(f"leakage, repeated_visits (400 patients), random forest, {len(rows)} seeds:")
    print(f"  median test AUC row-level {statistics.median(rows):.3f}, patient-level "
          f"{statistics.median(patients):.3f}, optimism "
          f"{statistics.median(np.subtract(rows, patients)):+.3f}")


def check_latency(repeats=3) -> None:
    def learner():
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        return make_pipeline(StandardScaler(), LogisticRegression())

    learner.__name__ = "build_classifier"
    grade_function("01_ml_basics", "build_classifier", learner)
    for hidden in (False, True):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            grade_function("01_ml_basics", "build_classifier", learner, hidden=hidden)
            times.append(time.perf_counter() - start)
        print(f"  build_classifier check ({'public + hidden' if hidden else 'public'}): median "
              f"{statistics.median(times):.2f} s of {repeats}")


if __name__ == "__main__":
    warnings.simplefilter("ignore")
    pass_mark_table()
    leakage()
    print("check latency of a learner's correct build_classifier:")
    check_latency()
