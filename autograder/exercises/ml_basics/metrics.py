"""Chapter 01_ml_basics, part 1: the confusion matrix, the metrics a clinician reads from it, and
the ROC AUC."""

from __future__ import annotations

import numpy as np

from ...compare import Verdict, allclose
from ...registry import Case, Exercise, Mistake
from ..common import labels as _labels


def _noisy_predictions(rng: np.random.Generator, y: np.ndarray, flip: float) -> np.ndarray:
    """Predictions that agree with ``y`` except for a share ``flip`` of entries."""
    y = np.asarray(y)
    return np.where(rng.random(y.size) < flip, 1 - y, y)


def _counts(y_true, y_pred) -> tuple[int, int, int, int]:
    t, p = np.asarray(y_true), np.asarray(y_pred)
    return (int(np.sum((t == 1) & (p == 1))), int(np.sum((t == 0) & (p == 1))),
            int(np.sum((t == 0) & (p == 0))), int(np.sum((t == 1) & (p == 0))))


def _ratio(num: float, den: float) -> float:
    return float(num / den) if den else 0.0


# --- confusion_counts --------------------------------------------------------------------------

def _pair_cases_public(rng):
    yield Case((np.array([1, 1, 0, 0, 1, 0, 0, 0]), np.array([1, 0, 1, 0, 1, 0, 0, 0])),
               label="8 patients, one of each kind of error")
    y = _labels(rng, 60, 0.3)
    yield Case((y, _noisy_predictions(rng, y, 0.25)), label="60 patients, a noisy test")
    y = _labels(rng, 200, 0.1)
    pred = _noisy_predictions(rng, y, 0.05)
    yield Case((y, pred), label="200 patients, a rare condition")
    yield Case(([1, 0, 1, 1, 0, 0], [1, 0, 0, 1, 1, 0]), label="labels given as Python lists")
    yield Case((np.array([1, 0, 1, 0, 0]), np.zeros(5, dtype=int)),
               label="a test that is never positive")
    yield Case((np.array([0, 0, 0, 0]), np.array([0, 1, 0, 0])), label="no diseased patient")
    yield Case((np.array([1, 1, 1]), np.array([1, 0, 1])), label="every patient diseased")
    yield Case((np.array([True, False, True, False]), np.array([True, True, False, False])),
               label="labels given as booleans")
    yield Case((np.array([0, 1, 0]), np.ones(3, dtype=int)), label="a test that is always positive")
    yield Case((np.array([1]), np.array([0])), label="a single patient")


def _pair_cases_hidden(rng):
    y = _labels(rng, 40, 0.4)
    y[:2] = [0, 1]
    yield Case((y, np.zeros(40, dtype=int)), label="a test that is never positive")
    yield Case((y, np.ones(40, dtype=int)), label="a test that is always positive")
    yield Case((np.zeros(15, dtype=int), _labels(rng, 15, 0.3)), label="no diseased patient")
    yield Case((np.ones(12, dtype=int), _labels(rng, 12, 0.6)), label="every patient diseased")
    yield Case((np.array([1]), np.array([1])), label="a single patient")
    y = _labels(rng, 25, 0.5)
    yield Case((y.tolist(), _noisy_predictions(rng, y, 0.3).tolist()),
               label="labels given as Python lists")
    y = _labels(rng, 30, 0.5)
    yield Case((y.astype(bool), _noisy_predictions(rng, y, 0.3).astype(bool)),
               label="labels given as booleans")
    y = _labels(rng, 5000, 0.02)
    yield Case((y, _noisy_predictions(rng, y, 0.08)), label="a screening cohort of 5,000")
    y = _labels(rng, 80, 0.5)
    yield Case((y, _noisy_predictions(rng, y, 0.4)), label="80 patients, a poor test")


def _dict_counts(y_true, y_pred):
    tp, fp, tn, fn = _counts(y_true, y_pred)
    return {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def _counts_fp_fn_swapped(y_true, y_pred):
    d = _dict_counts(y_true, y_pred)
    d["fp"], d["fn"] = d["fn"], d["fp"]
    return d


def _counts_positive_zero(y_true, y_pred):
    tp, fp, tn, fn = _counts(y_true, y_pred)
    return {"tp": tn, "fp": fn, "tn": tp, "fn": fp}


def _counts_python_equality(y_true, y_pred):
    # `y_true == 1` on a Python list is a single False, so every count collapses to 0.
    t, p = y_true, y_pred
    if isinstance(t, np.ndarray):
        return _dict_counts(t, p)
    return {"tp": int(np.sum((t == 1) & (p == 1))), "fp": int(np.sum((t == 0) & (p == 1))),
            "tn": int(np.sum((t == 0) & (p == 0))), "fn": int(np.sum((t == 1) & (p == 0)))}


CONFUSION_COUNTS = Exercise(
    name="confusion_counts",
    points=1,
    public_cases=_pair_cases_public,
    hidden_cases=_pair_cases_hidden,
    compare=allclose(rtol=0, atol=0),
    time_limit=5.0,
    mistakes=[
        Mistake("fp and fn swapped", _counts_fp_fn_swapped,
                "your false positives and false negatives are swapped. A false positive is a "
                "healthy patient (y_true = 0) whom the test calls positive (y_pred = 1); a false "
                "negative is a diseased patient (y_true = 1) whom the test misses (y_pred = 0)."),
        Mistake("0 as the positive class", _counts_positive_zero,
                "your counts treat 0 as the positive class: tp and tn, fp and fn are exchanged. "
                "In this course 1 = positive (diseased)."),
        Mistake("lists not converted", _counts_python_equality,
                "your counts are wrong when the labels come as Python lists: `[1, 0] == 1` is a "
                "single False, not an element-wise comparison. Convert first with np.asarray."),
    ],
)


# --- sensitivity, specificity, precision, f1_score ---------------------------------------------

def _sens(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(tp, tp + fn)


def _spec(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(tn, tn + fp)


def _prec(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(tp, tp + fp)


def _npv(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(tn, tn + fn)


def _acc(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(tp + tn, tp + fp + tn + fn)


def _f1(t, p):
    tp, fp, tn, fn = _counts(t, p)
    return _ratio(2 * tp, 2 * tp + fp + fn)


_ZERO_DIVISION_HINT = (
    "a zero denominator must give 0.0 (scikit-learn's zero_division=0), not NaN or an error: "
    "test the denominator before dividing."
)
_METRIC_VALUES = allclose(rtol=1e-9, atol=1e-12)


def _nan_is_zero_division(zero_hint: str):
    """The metrics' comparison. A NaN where the answer is 0.0 is the signature of an unguarded 0/0
    (the inputs are clean labels, so nothing else makes a NaN): the message says so. A mistake
    model cannot say it, since a NaN never counts as a match."""

    def compare(got, expected) -> Verdict:
        verdict = _METRIC_VALUES(got, expected)
        if (not verdict and _is_nan(got) and isinstance(expected, (int, float, np.number))
                and expected == 0):
            return Verdict(False, f"your output is NaN where the answer is 0.0: {zero_hint}")
        return verdict

    return compare


def _is_nan(value) -> bool:
    return (isinstance(value, (float, np.floating)) or (isinstance(value, np.ndarray)
                                                         and value.shape == ())) and bool(
        np.isnan(value))


_METRIC_COMPARE = _nan_is_zero_division(_ZERO_DIVISION_HINT)


def _metric_cases_public(rng):
    yield from _pair_cases_public(rng)


def _metric_cases_hidden(rng):
    yield from _pair_cases_hidden(rng)


SENSITIVITY = Exercise(
    name="sensitivity",
    points=1,
    public_cases=_metric_cases_public,
    hidden_cases=_metric_cases_hidden,
    compare=_METRIC_COMPARE,
    time_limit=5.0,
    mistakes=[
        Mistake("precision instead", _prec,
                "your value is the precision, TP / (TP + FP): sensitivity and precision are "
                "swapped. Sensitivity (recall) divides by the diseased patients, TP + FN."),
        Mistake("specificity instead", _spec,
                "your value is the specificity (of the healthy, how many test negative); "
                "sensitivity is about the diseased: TP / (TP + FN)."),
        Mistake("accuracy instead", _acc,
                "your value is the accuracy; sensitivity only looks at the diseased patients."),
    ],
)

SPECIFICITY = Exercise(
    name="specificity",
    points=1,
    public_cases=_metric_cases_public,
    hidden_cases=_metric_cases_hidden,
    compare=_METRIC_COMPARE,
    time_limit=5.0,
    mistakes=[
        Mistake("tn / (tn + fn)", _npv,
                "you computed TN / (TN + FN), the negative predictive value. Specificity "
                "divides by the healthy patients: TN / (TN + FP)."),
        Mistake("sensitivity instead", _sens,
                "your value is the sensitivity; specificity is about the healthy patients: "
                "TN / (TN + FP)."),
        Mistake("false positive rate", lambda t, p: _ratio(_counts(t, p)[1],
                                                           _counts(t, p)[1] + _counts(t, p)[2]),
                "your value is the false positive rate FP / (TN + FP), which is 1 - specificity."),
    ],
)

PRECISION = Exercise(
    name="precision",
    points=1,
    public_cases=_metric_cases_public,
    hidden_cases=_metric_cases_hidden,
    compare=_METRIC_COMPARE,
    time_limit=5.0,
    mistakes=[
        Mistake("sensitivity instead", _sens,
                "your value is the sensitivity, TP / (TP + FN): precision and sensitivity are "
                "swapped. Precision (PPV) divides by the patients the test calls positive, "
                "TP + FP."),
        Mistake("negative predictive value", _npv,
                "your value is the negative predictive value TN / (TN + FN); precision is about "
                "the positive calls: TP / (TP + FP)."),
    ],
)


_F1_ZERO_HINT = ("when precision and recall are both 0 (no true positive), 2PR / (P + R) is 0/0; "
                 "F1 is 0.0 there. " + _ZERO_DIVISION_HINT)


def _f1_arithmetic(t, p):
    return (_prec(t, p) + _sens(t, p)) / 2


def _f1_geometric(t, p):
    return float(np.sqrt(_prec(t, p) * _sens(t, p)))


F1_SCORE = Exercise(
    name="f1_score",
    points=1,
    public_cases=_metric_cases_public,
    hidden_cases=_metric_cases_hidden,
    compare=_nan_is_zero_division(_F1_ZERO_HINT),
    time_limit=5.0,
    mistakes=[
        Mistake("arithmetic mean", _f1_arithmetic,
                "your value is the arithmetic mean (precision + recall) / 2. F1 is their "
                "harmonic mean, 2PR / (P + R), which stays low when either one is low: a test "
                "with recall 1 and precision 0.01 should not score 0.5."),
        Mistake("geometric mean", _f1_geometric,
                "your value is the geometric mean sqrt(P * R); F1 is the harmonic mean "
                "2PR / (P + R)."),
        Mistake("accuracy instead", _acc, "your value is the accuracy, not F1."),
    ],
)


# --- roc_auc -----------------------------------------------------------------------------------

def _auc_parts(y_true, scores):
    y = np.asarray(y_true)
    s = np.asarray(scores, dtype=float)
    pos, neg = s[y == 1], s[y == 0]
    greater = np.sum(pos[:, None] > neg[None, :])
    ties = np.sum(pos[:, None] == neg[None, :])
    return greater, ties, pos.size * neg.size


def _auc(y_true, scores):
    greater, ties, pairs = _auc_parts(y_true, scores)
    return float((greater + 0.5 * ties) / pairs)


def _auc_ignore_ties(y_true, scores):
    greater, ties, pairs = _auc_parts(y_true, scores)
    return float(greater / pairs)


def _auc_full_ties(y_true, scores):
    greater, ties, pairs = _auc_parts(y_true, scores)
    return float((greater + ties) / pairs)


def _auc_hard_labels(y_true, scores):
    return _auc(y_true, (np.asarray(scores, dtype=float) >= 0.5).astype(int))


def _auc_inverted(y_true, scores):
    return 1.0 - _auc(y_true, scores)


def _scores_for(rng, y, separation):
    """Probabilities in (0, 1), higher on average for positives."""
    z = rng.normal(0.0, 1.0, len(y)) + separation * (np.asarray(y) - 0.5)
    return np.round(1.0 / (1.0 + np.exp(-z)), 6)


def _auc_public(rng):
    yield Case((np.array([0, 0, 1, 1, 0, 1]), np.array([0.1, 0.4, 0.35, 0.8, 0.2, 0.9])),
               label="6 patients, distinct scores")
    y = np.array([0, 0, 0, 1, 0, 1, 1, 0, 1, 1, 0, 0])
    yield Case((y, np.array([1, 2, 2, 4, 3, 3, 5, 1, 2, 5, 3, 4])),
               label="12 patients rated on a 1-5 scale (many ties)")
    y = _labels(rng, 100, 0.3)
    y[:2] = [0, 1]
    yield Case((y, _scores_for(rng, y, 1.5)), label="100 patients, model probabilities")
    yield Case(([1, 0, 0, 1, 0], [2.5, -1.0, 0.3, 0.3, 4.0]),
               label="logits (not probabilities) given as Python lists")
    yield Case((np.array([0, 1, 0, 1]), np.full(4, 0.4)), label="every score equal")


def _auc_hidden(rng):
    y = _labels(rng, 60, 0.4)
    y[:2] = [0, 1]
    yield Case((y, np.round(_scores_for(rng, y, 1.0), 1)),
               label="probabilities rounded to one decimal (ties)")
    yield Case((y, np.full(60, 0.7)), label="every score equal")
    yield Case((np.array([0, 0, 1, 1]), np.array([0.2, 0.3, 0.6, 0.9])), label="perfect ranking")
    yield Case((np.array([1, 1, 0, 0, 0]), np.array([0.1, 0.2, 0.6, 0.7, 0.9])),
               label="a ranking that is exactly backwards")
    yield Case((np.array([1, 0]), np.array([0.5, 0.5])), label="one patient per class, tied")
    y = _labels(rng, 40, 0.5)
    y[:2] = [0, 1]
    yield Case((y.tolist(), (rng.normal(size=40) * 3 + 2 * y).tolist()),
               label="logits (not probabilities) given as Python lists")
    y = _labels(rng, 3000, 0.05)
    y[:2] = [0, 1]
    yield Case((y, np.round(_scores_for(rng, y, 2.0), 3)),
               label="3,000 patients, rare disease, scores with ties")


ROC_AUC = Exercise(
    name="roc_auc",
    points=2,
    public_cases=_auc_public,
    hidden_cases=_auc_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    mistakes=[
        Mistake("ties ignored", _auc_ignore_ties,
                "tied pairs (a diseased and a healthy patient with the same score) count 0 in "
                "yours; the AUC counts them one half, because the test cannot tell the two apart "
                "(a coin flip orders them)."),
        Mistake("ties counted fully", _auc_full_ties,
                "tied pairs count 1 in yours (you used >=); the AUC counts them one half."),
        Mistake("hard labels", _auc_hard_labels,
                "your value matches the AUC of the hard labels (score >= 0.5): thresholding first "
                "throws away the ranking. The AUC uses the scores themselves; it averages over "
                "every threshold."),
        Mistake("inverted", _auc_inverted,
                "your value is 1 - AUC: you counted the pairs in which the *healthy* patient "
                "scores higher. Count pairs where the diseased patient's score is higher."),
    ],
)


