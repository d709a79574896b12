"""Chapter 00_welcome: three warm-ups on the real Breast Cancer Wisconsin table."""

from __future__ import annotations

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake
from ..common import breast_cancer, labels, standardisation_exercise

# --- malignancy_prevalence ---------------------------------------------------------------------

def _prevalence_public(rng):
    yield Case((np.array([1, 0, 0, 1, 0]),), label="5 patients, 2 malignant")
    yield Case(([0, 1, 1, 0, 0, 0],), label="labels given as a Python list")
    yield Case((np.array([1]),), label="a single patient")
    yield Case((np.zeros(6, dtype=int),), label="no patient malignant")
    yield Case((np.ones(4, dtype=int),), label="every patient malignant")
    yield Case((labels(rng, 40, 0.3),), label="40 patients")
    yield Case((breast_cancer()[1],), label="the Breast Cancer Wisconsin labels")


def _prevalence_hidden(rng):
    yield Case((np.ones(7, dtype=int),), label="every patient malignant")
    yield Case((np.zeros(9, dtype=int),), label="no patient malignant")
    yield Case((np.array([1]),), label="a single patient")
    yield Case((labels(rng, 10_000, 0.02),), label="a screening-like cohort of 10,000, rare disease")
    yield Case(([1, 0, 0, 1, 1, 0, 1],), label="labels given as a Python list")
    yield Case((labels(rng, 333, 0.5),), label="333 patients")


PREVALENCE = Exercise(
    name="malignancy_prevalence",
    points=1,
    public_cases=_prevalence_public,
    hidden_cases=_prevalence_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=5.0,
    mistakes=[
        Mistake("benign share", lambda y: float(np.mean(np.asarray(y) == 0)),
                "your value is the share of *benign* cases. In this course 1 = malignant; "
                "scikit-learn's own target codes malignant as 0, which is a common trap."),
        Mistake("count", lambda y: int(np.sum(y)),
                "you returned the number of malignant cases; prevalence is a proportion: divide "
                "by the number of patients."),
        Mistake("percentage", lambda y: 100.0 * float(np.mean(y)),
                "you returned a percentage; return a proportion between 0 and 1."),
        Mistake("floor division", lambda y: int(np.sum(y)) // len(y),
                "integer division (`//`) rounds the proportion down to 0 or 1; use `/`."),
        Mistake("odds", lambda y: float(np.sum(y)) / (len(y) - float(np.sum(y))),
                "your value is the odds (malignant : benign), not the prevalence "
                "(malignant : all patients)."),
    ],
)


# --- mean_by_diagnosis -------------------------------------------------------------------------

def _by_diagnosis(X, y, stat=np.mean):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    return np.vstack([stat(X[y == 0], axis=0), stat(X[y == 1], axis=0)])


def _mean_public(rng):
    X = np.array([[1.0, 10.0], [2.0, 20.0], [3.0, 30.0], [6.0, 60.0]])
    yield Case((X, np.array([0, 0, 1, 1])), label="4 patients, 2 features")
    yield Case((rng.normal(size=(30, 5)), labels(rng, 30, 0.4) | np.eye(30, dtype=int)[0]),
               label="30 patients, 5 features")
    yield Case((rng.normal(size=(2, 3)), np.array([0, 1])), label="one patient per class")
    yield Case((rng.normal(size=(8, 1)), np.array([0, 1, 0, 0, 1, 0, 0, 0])),
               label="a single feature")
    X, y = breast_cancer()
    yield Case((X, y), label="the Breast Cancer Wisconsin table (569 x 30)")


def _mean_hidden(rng):
    yield Case((rng.normal(size=(12, 1)), np.array([0] * 9 + [1] * 3)), label="a single feature")
    yield Case((rng.normal(size=(2, 4)), np.array([1, 0])), label="one patient per class")
    y = np.array([0] * 95 + [1] * 5)
    rng.shuffle(y)
    yield Case((rng.normal(1000.0, 300.0, size=(100, 3)), y),
               label="rare malignancy (5 %), areas in the thousands")
    X, y = breast_cancer()
    idx = rng.choice(len(y), size=200, replace=False)
    yield Case((X[idx], y[idx]), label="200 random rows of the real table")


MEAN_BY_DIAGNOSIS = Exercise(
    name="mean_by_diagnosis",
    points=2,
    public_cases=_mean_public,
    hidden_cases=_mean_hidden,
    compare=allclose(rtol=1e-7, atol=1e-9),
    time_limit=5.0,
    mistakes=[
        Mistake("rows swapped", lambda X, y: _by_diagnosis(X, y)[::-1],
                "your rows are swapped: row 0 must be the benign mean (y == 0), row 1 the "
                "malignant mean (y == 1)."),
        Mistake("overall mean", lambda X, y: np.vstack([np.mean(X, axis=0)] * 2),
                "both rows hold the mean over all patients: select each group's rows first with "
                "a boolean mask such as `X[y == 1]`."),
        Mistake("median", lambda X, y: _by_diagnosis(X, y, np.median),
                "your values are medians; the exercise asks for means."),
        Mistake("transposed", lambda X, y: _by_diagnosis(X, y).T,
                "you stacked the two means as columns, shape (n_features, 2); the layout is one "
                "row per diagnosis, shape (2, n_features)."),
    ],
)


# --- standardize_with_training_stats -----------------------------------------------------------

STANDARDIZE = standardisation_exercise("standardize_with_training_stats", 2, train="X_train",
                                       test="X_test", outputs=("Z_train", "Z_test"))

EXERCISES = [PREVALENCE, MEAN_BY_DIAGNOSIS, STANDARDIZE]
