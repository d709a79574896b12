"""Chapter 00_welcome: three warm-ups on the real Breast Cancer Wisconsin table."""

from __future__ import annotations

import numpy as np

from ..compare import allclose
from ..registry import Case, Exercise, Mistake


def _breast_cancer():
    from ...datasets import load_breast_cancer

    frame = load_breast_cancer()
    X = frame.drop(columns="malignant").to_numpy(dtype=float)
    y = frame["malignant"].to_numpy()
    return X, y


def _labels(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    return (rng.random(n) < p).astype(int)


# --- malignancy_prevalence ---------------------------------------------------------------------

def _prevalence_public(rng):
    yield Case((np.array([1, 0, 0, 1, 0]),), label="5 patients, 2 malignant")
    yield Case((_labels(rng, 40, 0.3),), label="40 patients")
    yield Case((_breast_cancer()[1],), label="the Breast Cancer Wisconsin labels")


def _prevalence_hidden(rng):
    yield Case((np.ones(7, dtype=int),), label="every patient malignant")
    yield Case((np.zeros(9, dtype=int),), label="no patient malignant")
    yield Case((np.array([1]),), label="a single patient")
    yield Case((_labels(rng, 10_000, 0.02),), label="a screening-like cohort of 10,000, rare disease")
    yield Case(([0, 1, 1, 0, 0, 0],), label="labels given as a Python list")
    yield Case((_labels(rng, 333, 0.5),), label="333 patients")


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
    yield Case((rng.normal(size=(30, 5)), _labels(rng, 30, 0.4) | np.eye(30, dtype=int)[0]),
               label="30 patients, 5 features")
    X, y = _breast_cancer()
    yield Case((X, y), label="the Breast Cancer Wisconsin table (569 x 30)")


def _mean_hidden(rng):
    yield Case((rng.normal(size=(12, 1)), np.array([0] * 9 + [1] * 3)), label="a single feature")
    yield Case((rng.normal(size=(2, 4)), np.array([1, 0])), label="one patient per class")
    y = np.array([0] * 95 + [1] * 5)
    rng.shuffle(y)
    yield Case((rng.normal(1000.0, 300.0, size=(100, 3)), y),
               label="rare malignancy (5 %), areas in the thousands")
    X, labels = _breast_cancer()
    idx = rng.choice(len(labels), size=200, replace=False)
    yield Case((X[idx], labels[idx]), label="200 random rows of the real table")


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

def _scale(X):
    std = np.std(X, axis=0)
    return np.where(std == 0, 1.0, std)


def _own_stats(train, test):
    return (train - train.mean(0)) / _scale(train), (test - test.mean(0)) / _scale(test)


def _pooled_stats(train, test):
    both = np.vstack([train, test])
    m, s = both.mean(0), _scale(both)
    return (train - m) / s, (test - m) / s


def _sample_std(train, test):
    s = np.std(train, axis=0, ddof=1)
    s = np.where(s == 0, 1.0, s)
    m = train.mean(0)
    return (train - m) / s, (test - m) / s


def _no_centering(train, test):
    s = _scale(train)
    return train / s, test / s


def _global_stats(train, test):
    m, s = train.mean(), train.std()
    return (train - m) / s, (test - m) / s


def _zero_std_unhandled(train, test):
    m, s = train.mean(0), train.std(0)
    return (train - m) / s, (test - m) / s


def _split_real(rng, n_train):
    X, _ = _breast_cancer()
    order = rng.permutation(len(X))
    return X[order[:n_train]], X[order[n_train:]]


def _standardize_public(rng):
    train = np.array([[1.0, 100.0], [2.0, 200.0], [3.0, 600.0]])
    test = np.array([[4.0, 300.0], [0.0, 0.0]])
    yield Case((train, test), label="3 training and 2 test patients, 2 features")
    yield Case((rng.normal(5.0, 2.0, size=(20, 4)), rng.normal(6.0, 3.0, size=(8, 4))),
               label="20 training and 8 test patients from different distributions")
    yield Case(_split_real(rng, 400), label="the real table split 400 / 169")


def _standardize_hidden(rng):
    train = rng.normal(size=(10, 3))
    train[:, 1] = 7.0
    yield Case((train, rng.normal(size=(4, 3))), label="a constant training column")
    yield Case((rng.normal(size=(15, 6)), rng.normal(size=(1, 6))), label="a single test patient")
    yield Case((rng.normal(1e6, 5.0, size=(50, 2)), rng.normal(1e6, 5.0, size=(10, 2))),
               label="large values with small spread")
    yield Case((rng.normal(size=(2, 5)), rng.normal(size=(30, 5))),
               label="two training patients, more test than training patients")
    yield Case(_split_real(rng, 100), label="the real table split 100 / 469")


STANDARDIZE = Exercise(
    name="standardize_with_training_stats",
    points=2,
    public_cases=_standardize_public,
    hidden_cases=_standardize_hidden,
    compare=allclose(rtol=1e-6, atol=1e-9),
    output_names=("Z_train", "Z_test"),
    time_limit=5.0,
    mistakes=[
        Mistake("test on its own statistics", _own_stats,
                "your test z-scores use the test set's own mean and standard deviation. The test "
                "patients stand for the future, whose statistics you cannot know: use the "
                "training mean and std for both sets."),
        Mistake("pooled statistics", _pooled_stats,
                "you computed the mean and std on training and test data together: the test "
                "patients leak into the preprocessing. Use the training rows only."),
        Mistake("sample std", _sample_std,
                "your scale matches the sample standard deviation (ddof=1); use the population "
                "std, np.std's default (ddof=0), as scikit-learn's StandardScaler does."),
        Mistake("no centering", _no_centering,
                "you divided by the standard deviation but did not subtract the mean."),
        Mistake("one global mean", _global_stats,
                "you used one mean and one std for the whole array; z-scores are per feature: "
                "use axis=0 so each column gets its own statistics."),
        Mistake("zero std", _zero_std_unhandled,
                "a constant training column has standard deviation 0 and your division gives "
                "NaN or inf there; divide by 1 where the std is 0 (as scikit-learn does)."),
    ],
)

EXERCISES = [PREVALENCE, MEAN_BY_DIAGNOSIS, STANDARDIZE]
