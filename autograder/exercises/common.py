"""Case builders, data extraction and exercises shared by several chapters.

A chapter module imports what it needs from here instead of copying it: the Breast Cancer
Wisconsin table as (X, y), label generators, and the standardisation exercise, which chapter 00
(``standardize_with_training_stats``) and chapter 01 (``standardize``) both grade, defined once
(its cases, its mistake models and their hints) and instantiated per chapter with that chapter's
names.
"""

from __future__ import annotations

import numpy as np

from ..compare import allclose
from ..registry import Case, Exercise, Mistake

# --- data ---------------------------------------------------------------------------------------


def breast_cancer() -> tuple[np.ndarray, np.ndarray]:
    """The Breast Cancer Wisconsin table as X (569 x 30 floats) and y (1 = malignant)."""
    from ...datasets import load_breast_cancer

    frame = load_breast_cancer()
    X = frame.drop(columns="malignant").to_numpy(dtype=float)
    y = frame["malignant"].to_numpy()
    return X, y


def labels(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """``n`` binary labels (0/1 ints), each 1 with probability ``p``."""
    return (rng.random(n) < p).astype(int)


# --- the standardisation exercise ---------------------------------------------------------------
#
# z = (x - mean) / std per feature, with the mean and (population) std of the training rows, and
# a std of 0 (a constant column) replaced by 1 as scikit-learn's StandardScaler does.


def _scale(X, ddof=0):
    std = np.std(X, axis=0, ddof=ddof)
    return np.where(std == 0, 1.0, std)


def _own_stats(train, test):
    return (train - train.mean(0)) / _scale(train), (test - test.mean(0)) / _scale(test)


def _pooled_stats(train, test):
    both = np.vstack([train, test])
    m, s = both.mean(0), _scale(both)
    return (train - m) / s, (test - m) / s


def _test_stats(train, test):
    m, s = test.mean(0), _scale(test)
    return (train - m) / s, (test - m) / s


def _sample_std(train, test):
    m, s = train.mean(0), _scale(train, ddof=1)
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


def _real_split(rng, n_train):
    X, _ = breast_cancer()
    order = rng.permutation(len(X))
    return X[order[:n_train]], X[order[n_train:]]


def _standardize_public(rng):
    train = np.array([[1.0, 100.0], [2.0, 200.0], [3.0, 600.0]])
    test = np.array([[4.0, 300.0], [0.0, 0.0]])
    yield Case((train, test), label="3 training and 2 test patients, 2 features")
    yield Case((rng.normal(5.0, 2.0, size=(20, 4)), rng.normal(6.0, 3.0, size=(8, 4))),
               label="20 training and 8 test patients from different distributions")
    train = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, 5.0]])
    yield Case((train, np.array([[3.0, 6.0]])),
               label="a constant training column, a single test patient")
    yield Case((rng.normal(size=(2, 3)), rng.normal(2.0, 1.0, size=(6, 3))),
               label="two training patients, more test than training patients")
    yield Case(_real_split(rng, 400), label="the real table split 400 / 169")


def _standardize_hidden(rng):
    train = rng.normal(size=(10, 3))
    train[:, 1] = 7.0
    yield Case((train, rng.normal(size=(4, 3))), label="a constant training column")
    yield Case((rng.normal(size=(15, 6)), rng.normal(size=(1, 6))), label="a single test patient")
    yield Case((rng.normal(1e6, 5.0, size=(50, 2)), rng.normal(1e6, 5.0, size=(10, 2))),
               label="large values with small spread")
    yield Case((rng.normal(size=(2, 5)), rng.normal(size=(30, 5))),
               label="two training patients, more test than training patients")
    yield Case(_real_split(rng, 100), label="the real table split 100 / 469")


def standardisation_exercise(name: str, points: float, train: str, test: str,
                             outputs: tuple[str, str]) -> Exercise:
    """The standardisation exercise under a chapter's names: ``name(train, test) -> outputs``."""
    return Exercise(
        name=name,
        points=points,
        public_cases=_standardize_public,
        hidden_cases=_standardize_hidden,
        compare=allclose(rtol=1e-6, atol=1e-9),
        output_names=outputs,
        time_limit=5.0,
        mistakes=[
            Mistake("test on its own statistics", _own_stats,
                    f"your `{outputs[1]}` uses the test set's own mean and std (standard "
                    "deviation). The test patients stand for the future, whose statistics you "
                    "cannot know when the model is deployed: use the training mean and std for "
                    "both sets."),
            Mistake("pooled statistics", _pooled_stats,
                    "you computed the mean and std on training and test data together: the test "
                    f"patients leak into the preprocessing. Use the rows of `{train}` only."),
            Mistake("statistics of the test set", _test_stats,
                    "you scaled both sets with the test set's mean and std; the statistics must "
                    f"come from {train}."),
            Mistake("sample std", _sample_std,
                    "your scale matches the sample standard deviation (ddof=1); use the "
                    "population std, np.std's default (ddof=0), as scikit-learn's StandardScaler "
                    "does."),
            Mistake("no centering", _no_centering,
                    "you divided by the standard deviation but did not subtract the mean."),
            Mistake("one global mean", _global_stats,
                    "you used one mean and one std for the whole array; z-scores are per "
                    "feature: use axis=0 so that each column gets its own statistics."),
            Mistake("zero std", _zero_std_unhandled,
                    "a constant training column has standard deviation 0, and dividing by that "
                    "std 0 gives NaN or inf; divide by 1 where the std is 0 (as scikit-learn "
                    "does)."),
        ],
    )
