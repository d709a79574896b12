"""Chapter 05_clinical_nlp: reading clinical text, from tokens and NegEx to de-identification and
report classifiers. The exercises, in notebook order."""

from .deid import DEIDENTIFY, SPAN_SCORES
from .learning import BUILD_REPORT_CLASSIFIER, MICRO_MACRO_F1, TFIDF
from .reports import LABEL_REPORT, SPLIT_SECTIONS
from .rules import FIND_MENTIONS, NEGEX_STATUS, TOKENIZE

CHAPTER = "05_clinical_nlp"

EXERCISES = [TOKENIZE, FIND_MENTIONS, NEGEX_STATUS, SPLIT_SECTIONS, LABEL_REPORT,
             DEIDENTIFY, SPAN_SCORES, TFIDF, MICRO_MACRO_F1, BUILD_REPORT_CLASSIFIER]
