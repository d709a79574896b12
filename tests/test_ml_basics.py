"""Chapter 01_ml_basics: the repeated-visits generator behaves as its card says, the leakage it is
made to show is real, and the property-based split comparison judges properties, not equality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from medai.autograder.exercises.ml_basics import models, splitting
from medai.datasets import make_repeated_visits
from medai.datasets.visits import COLUMNS


def test_repeated_visits_is_seeded_and_patient_level():
    a = make_repeated_visits(50, seed=3)
    pd.testing.assert_frame_equal(a, make_repeated_visits(50, seed=3))
    assert not a.equals(make_repeated_visits(50, seed=4))
    assert tuple(a.columns) == COLUMNS
    assert a["patient_id"].nunique() == 50
    visits = a.groupby("patient_id").size()
    assert visits.between(2, 8).all()
    # The outcome is a property of the patient: the same on every visit.
    assert (a.groupby("patient_id")["complication"].nunique() == 1).all()
    with pytest.raises(ValueError, match="n_patients"):
        make_repeated_visits(0)


def test_row_level_split_is_optimistic_on_repeated_visits():
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.metrics import roc_auc_score

    frame = make_repeated_visits(300, seed=1)
    features = ["age", "sex", "height_cm", "bmi", "systolic_bp", "hba1c", "egfr"]

    def auc(train, test):
        model = RandomForestClassifier(60, random_state=0, n_jobs=1)
        model.fit(train[features], train["complication"])
        return roc_auc_score(test["complication"], model.predict_proba(test[features])[:, 1])

    rows = splitting._split_rows(frame, "patient_id", 0.25, 0)
    patients = splitting._split_patients(frame, "patient_id", 0.25, 0)
    assert auc(*rows) - auc(*patients) > 0.15


def _split_output(split, frame, test_size=0.3, seed=0):
    return splitting._invoke_split(split, frame, "patient_id", test_size, seed)


def test_split_comparison_accepts_any_correct_split_and_names_the_problem():
    frame = make_repeated_visits(30, seed=2)
    reference = _split_output(splitting._split_patients, frame)

    def other_correct(df, col, test_size, seed):  # a different split with the same properties
        return splitting._split_patients(df, col, test_size, seed + 100)

    assert splitting._compare_split(_split_output(other_correct, frame), reference)
    leaked = splitting._compare_split(_split_output(splitting._split_rows, frame), reference)
    assert not leaked and "both train and test" in leaked.message
    dropped = splitting._compare_split(
        _split_output(splitting._split_one_row_per_patient, frame), reference)
    assert not dropped and "neither train nor test" in dropped.message


def test_classifier_comparison_uses_the_pass_mark():
    expected = {"accuracy": 0.977, "predictions": np.zeros(3, dtype=int)}
    assert models._compare_classifier({"accuracy": 0.96, "predictions": np.ones(3)}, expected)
    verdict = models._compare_classifier(
        {"accuracy": models.MAJORITY_ACCURACY, "predictions": np.ones(3)}, expected)
    assert not verdict and "always answering 'benign'" in verdict.message
