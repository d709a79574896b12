"""Chapter 01_ml_basics: evaluation metrics, patient-level splitting, logistic regression from
scratch, k-means, and a scikit-learn model graded by cross-validation on a real table.

The registry reads ``EXERCISES`` (notebook order); each part lives in its own module.
"""

from __future__ import annotations

from ..common import standardisation_exercise
from .logistic import FIT_LOGISTIC_REGRESSION, LOGISTIC_GRADIENT, LOGISTIC_LOSS, SIGMOID
from .metrics import CONFUSION_COUNTS, F1_SCORE, PRECISION, ROC_AUC, SENSITIVITY, SPECIFICITY
from .models import BUILD_CLASSIFIER, KMEANS
from .splitting import PATIENT_LEVEL_SPLIT

STANDARDIZE = standardisation_exercise("standardize", 1, train="train_X", test="test_X",
                                       outputs=("train_Z", "test_Z"))

EXERCISES = [
    CONFUSION_COUNTS,
    SENSITIVITY,
    SPECIFICITY,
    PRECISION,
    F1_SCORE,
    ROC_AUC,
    PATIENT_LEVEL_SPLIT,
    STANDARDIZE,
    SIGMOID,
    LOGISTIC_LOSS,
    LOGISTIC_GRADIENT,
    FIT_LOGISTIC_REGRESSION,
    BUILD_CLASSIFIER,
    KMEANS,
]
