"""Real clinical tables that ship inside installed packages, loaded at run time (never copied)."""

from __future__ import annotations

import pandas as pd

LABEL = "malignant"


def load_breast_cancer() -> pd.DataFrame:
    """The Breast Cancer Wisconsin (Diagnostic) table, one row per fine-needle aspirate.

    Returns
    -------
    DataFrame of shape (569, 31): the 30 real-valued features computed from a digitised image of
    the aspirate (mean, standard error and "worst" of ten nuclear measurements such as radius,
    texture and concavity), and the label column ``malignant`` (int: 1 = malignant, 0 = benign).

    Notes
    -----
    The course's convention is 1 = the condition we screen for (malignant). scikit-learn's own
    ``load_breast_cancer().target`` uses the opposite coding, 0 = malignant; this loader flips it.
    Loaded from the copy inside scikit-learn (``medai data info breast_cancer`` for the card).
    """
    from sklearn.datasets import load_breast_cancer as _sklearn_load

    bunch = _sklearn_load(as_frame=True)
    frame = bunch.frame.drop(columns="target").copy()
    frame[LABEL] = (bunch.target == 0).astype(int)
    return frame
