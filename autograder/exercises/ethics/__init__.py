"""Chapter 06_ethics: fairness, calibration, privacy, differential privacy and interpretability,
each made measurable. The exercises, in notebook order (part 1 then part 2)."""

from .calibration import CALIBRATION_TABLE, EXPECTED_CALIBRATION_ERROR
from .common import CHAPTER
from .dicom import DEIDENTIFY_DICOM
from .dp import DP_MEAN, LAPLACE_MECHANISM
from .fairness import (
                       DEMOGRAPHIC_PARITY_DIFFERENCE,
                       EQUAL_OPPORTUNITY_THRESHOLDS,
                       EQUALIZED_ODDS_DIFFERENCE,
                       GROUP_RATES,
)
from .interpretability import LINEAR_SHAP, PERMUTATION_IMPORTANCE
from .privacy import K_ANONYMITY, L_DIVERSITY, SAFE_HARBOR

EXERCISES = [
    GROUP_RATES,
    DEMOGRAPHIC_PARITY_DIFFERENCE,
    EQUALIZED_ODDS_DIFFERENCE,
    EQUAL_OPPORTUNITY_THRESHOLDS,
    CALIBRATION_TABLE,
    EXPECTED_CALIBRATION_ERROR,
    K_ANONYMITY,
    L_DIVERSITY,
    SAFE_HARBOR,
    DEIDENTIFY_DICOM,
    LAPLACE_MECHANISM,
    DP_MEAN,
    LINEAR_SHAP,
    PERMUTATION_IMPORTANCE,
]

__all__ = ["CHAPTER", "EXERCISES"]
