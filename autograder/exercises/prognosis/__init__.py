"""Chapter 07_prognosis: time-to-event data, risk models, personal risk and chronic-care metrics.

The exercises live in submodules by topic; ``EXERCISES`` lists them in notebook order (part 1:
survival analysis; part 2: absolute risk, chronic care, treatment effects, a survival model).
"""

from .care import GLUCOSE_METRICS, PROPORTION_OF_DAYS_COVERED
from .cox import ABSOLUTE_RISK, COX_PARTIAL_LOG_LIKELIHOOD, FIT_COX
from .models import BUILD_SURVIVAL_MODEL, T_LEARNER_ATE
from .survival import CONCORDANCE_INDEX, KAPLAN_MEIER, LOGRANK_TEST, MEDIAN_SURVIVAL, NELSON_AALEN

EXERCISES = [
    KAPLAN_MEIER,
    NELSON_AALEN,
    MEDIAN_SURVIVAL,
    LOGRANK_TEST,
    CONCORDANCE_INDEX,
    COX_PARTIAL_LOG_LIKELIHOOD,
    FIT_COX,
    ABSOLUTE_RISK,
    PROPORTION_OF_DAYS_COVERED,
    GLUCOSE_METRICS,
    T_LEARNER_ATE,
    BUILD_SURVIVAL_MODEL,
]
