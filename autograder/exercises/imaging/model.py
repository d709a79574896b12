"""Chapter 04_imaging, the classifier: the learner's Keras model is trained once per check on seeded
synthetic chest X-rays and judged by ROC AUC on images of patients it has never seen (grading
tests the same model on a second group of new patients, with another prevalence)."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from ...compare import PASS, Verdict, reference_figure, type_name
from ...registry import Case, Exercise, WrongOutput
from .. import read_only

CHAPTER = "04_imaging"

# Measured on the grading cases: the reference recipe reaches ROC AUC 0.955 (public case) and 0.940
# (hidden case: the same model, other new patients, 20% pneumonia) on these held-out patients; the
# outline's plain CNN (Conv2D-MaxPool-Flatten-Dense, 10 epochs: the two-unit softmax alternative of
# tests/mutants) 0.86 and 0.87; a model that has not learned sits near 0.5, one trained on flipped
# labels near 0.25. Training the reference takes 5-7 CPU-s on one TensorFlow thread (33-37 s once
# on 2 cores shared by six busy processes). The pass mark leaves room for other sound designs.
PASS_MARK_AUC = 0.80
TRAIN_PATIENTS, TEST_PATIENTS, VALIDATION_FRACTION = 200, 150, 0.25
PREVALENCE = 0.3  # of pneumonia, unless a case says otherwise


@functools.lru_cache(maxsize=4)
def _training(seed: int, prevalence: float):
    """One case's synthetic X-rays for training and validation (split by patient), computed once
    per process: a grading worker computes them for every case before it forks a child per
    submission (``warm_worker``). The learner's function gets copies."""
    from ....datasets.xray import make_chest_xrays, patient_split

    data = make_chest_xrays(TRAIN_PATIENTS, seed=seed, prevalence=prevalence)
    train, val = patient_split(data["patient_ids"], VALIDATION_FRACTION, seed=seed)
    read_only(data)
    return data, train, val


@functools.lru_cache(maxsize=4)
def _test(seed: int, prevalence: float):
    """New patients to test a model on (drawn with another seed than the training patients of
    the same case); the images only go through the model."""
    from ....datasets.xray import make_chest_xrays

    return read_only(make_chest_xrays(TEST_PATIENTS, seed=seed + 10_000, prevalence=prevalence))


def warm_worker() -> None:
    """The X-rays of every case of the classifier, computed once per grading worker."""
    for case in BUILD_XRAY_CLASSIFIER.cases(hidden=True):
        (seed,) = case.args
        prevalence = case.kwargs.get("prevalence", PREVALENCE)
        _training(seed, prevalence)
        _test(*case.kwargs.get("tested_on", (seed, prevalence)))


def train_and_score(fn, seed: int, prevalence: float = PREVALENCE,
                    tested_on: tuple[int, float] | None = None) -> dict[str, Any]:
    """Draw a patient-level split of synthetic chest X-rays, let ``fn`` build and train its
    model on the training and validation patients, and return the ROC AUC of its positive-class
    probability on the images of new patients: drawn with another seed, or with the seed and
    prevalence ``tested_on``.

    The cases of one check share the training (``execution.shared_between_cases``): the hidden
    case tests the model trained on the public case's patients on other new patients, with
    another prevalence, so that grading trains each learner's model once, not once per case. A
    training that raised raises again there, without a second attempt."""
    import keras
    from sklearn.metrics import roc_auc_score

    from ...execution import shared_between_cases

    data, train, val = _training(seed, prevalence)
    test = _test(*(tested_on if tested_on is not None else (seed, prevalence)))
    shared = shared_between_cases()
    key = ("build_xray_classifier", seed, prevalence)
    if key not in shared:
        x, y = data["images"], data["labels"]
        keras.utils.set_random_seed(seed)
        try:
            shared[key] = (fn(x[train].copy(), y[train].copy(), x[val].copy(), y[val].copy()),
                           None)
        except Exception as exc:
            shared[key] = (None, exc)
            raise
    model, failure = shared[key]
    if failure is not None:
        raise failure
    if not isinstance(model, keras.Model):
        hint = (" (model.fit returns the training History; return the model itself)"
                if type(model).__name__ == "History" else "")
        raise WrongOutput(f"build_xray_classifier should return a trained keras.Model; got "
                          f"{type_name(model)}{hint}")
    # Calling the model (not model.predict) avoids tf.function retracing warnings on stderr.
    try:
        probe = np.asarray(keras.ops.convert_to_numpy(model(test["images"][:4], training=False)))
    except Exception as exc:  # the model cannot take (N, 28, 28, 1) images at all
        raise WrongOutput(f"your model cannot take a batch of (N, 28, 28, 1) images: "
                          f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}") from None
    if probe.ndim != 2 or probe.shape[1] not in (1, 2):
        raise WrongOutput(f"your model's output has shape {probe.shape} for 4 images; expected "
                          "(4, 1) with a sigmoid, or (4, 2) with a softmax (column 1 = pneumonia)")
    probabilities = np.asarray(keras.ops.convert_to_numpy(model(test["images"], training=False)),
                               dtype=np.float64)
    if np.any(probabilities < -1e-6) or np.any(probabilities > 1 + 1e-6) or not np.all(
            np.isfinite(probabilities)):
        raise WrongOutput("your model's outputs are not probabilities (some are below 0 or above "
                          "1): end with Dense(1, activation='sigmoid') (or a 2-unit softmax)")
    if probabilities.shape[1] == 2 and not np.allclose(probabilities.sum(axis=1), 1.0, atol=1e-3):
        raise WrongOutput("your model's two outputs do not add up to 1: a 2-unit output needs "
                          "activation='softmax'")
    positive = probabilities[:, -1]
    return {"auc": float(roc_auc_score(test["labels"], positive)),
            "spread": float(positive.max() - positive.min())}


def _auc_at_least(pass_mark: float):
    def compare(got: Any, expected: Any) -> Verdict:
        if not isinstance(got, dict) or "auc" not in got:
            return Verdict(False, f"the training returned {type_name(got)}")
        auc = float(got["auc"])
        if auc >= pass_mark:
            return PASS
        reference = reference_figure(expected, "auc", "the reference recipe reaches")
        told = f"; {reference}" if reference else ""
        message = (f"ROC AUC {auc:.2f} on images of patients never seen in training is below the "
                   f"pass mark {pass_mark:.2f}{told}")
        if got.get("spread", 1.0) < 1e-4:
            message += ("; your model gives every image the same probability: it has not learned "
                        "(was it trained? is the learning rate sensible?)")
        elif auc < 0.4:
            message += ("; your scores rank normal images *above* pneumonia: are the labels "
                        "flipped, or is the positive class read from the wrong output column?")
        elif auc < 0.65:
            message += "; that is close to guessing (0.5): was the model trained, and for long enough?"
        return Verdict(False, message)

    compare.pass_mark = pass_mark  # type: ignore[attr-defined]
    return compare


def _classifier_public(rng):
    yield Case((1,), label=f"{TRAIN_PATIENTS} patients for training and validation (split by "
                           f"patient), {TEST_PATIENTS} new patients for the test, 30% pneumonia")


def _classifier_hidden(rng):
    yield Case((1,), {"tested_on": (2, 0.2)},
               label="the same training, tested on other new patients, 20% pneumonia")


BUILD_XRAY_CLASSIFIER = Exercise(
    name="build_xray_classifier",
    points=4,
    public_cases=_classifier_public,
    hidden_cases=_classifier_hidden,
    compare=_auc_at_least(PASS_MARK_AUC),
    invoke=train_and_score,
    time_limit=150.0,
    bundled_reference=True,
)
