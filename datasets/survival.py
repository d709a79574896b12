"""Real survival tables that ship inside lifelines (MIT licence), read from the installed package.

Each loader returns the table as lifelines ships it (never copied into this repository), with the
column conventions of this course stated: a duration column and a 0/1 event column (1 = the event
was observed, 0 = censored).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: GBSG2 columns turned into numbers for models, in this order (see gbsg2_design).
GBSG2_FEATURES = ("hormone_therapy", "age", "postmenopausal", "tumour_size_mm", "tumour_grade",
                  "positive_nodes", "progesterone_receptor", "oestrogen_receptor")


def _read(filename: str) -> pd.DataFrame:
    from importlib import resources

    path = resources.files("lifelines") / "datasets" / filename
    with resources.as_file(path) as file:
        return pd.read_csv(file)


def load_lung() -> pd.DataFrame:
    """The NCCTG advanced lung cancer cohort (Loprinzi et al., J Clin Oncol 1994), 228 patients.

    Returns
    -------
    DataFrame of shape (228, 10)
        ``time`` (days to death or censoring), ``status`` (1 = died, 0 = censored: lifelines'
        copy is already recoded from R's 1/2), ``age`` (years), ``sex`` (1 = male, 2 = female),
        ``ph.ecog`` (ECOG performance score 0-4, physician-rated), ``ph.karno``, ``pat.karno``
        (Karnofsky scores), ``meal.cal`` (calories per meal), ``wt.loss`` (pounds lost in the last
        six months), ``inst`` (institution). Some covariates are NaN.
    """
    return _read("lung.csv")


def load_gbsg2() -> pd.DataFrame:
    """The German Breast Cancer Study Group 2 trial (Schumacher et al., J Clin Oncol 1994).

    Returns
    -------
    DataFrame of shape (686, 10)
        686 women with node-positive breast cancer: ``horTh`` ("yes"/"no" hormone therapy),
        ``age`` (years), ``menostat`` ("Pre"/"Post"), ``tsize`` (tumour size, mm), ``tgrade``
        ("I", "II", "III"), ``pnodes`` (positive lymph nodes), ``progrec`` and ``estrec``
        (progesterone and oestrogen receptors, fmol/mg), ``time`` (days to recurrence or
        censoring), ``cens`` (1 = recurrence observed, 0 = censored).
    """
    return _read("gbsg2.csv")


def load_kidney_transplant() -> pd.DataFrame:
    """Kidney transplant recipients (Klein and Moeschberger 1997, data set D.3), 863 patients.

    Returns
    -------
    DataFrame of shape (863, 6)
        ``time`` (days from transplant to death or censoring), ``death`` (1 = died, 0 =
        censored), ``age`` (years), and indicator columns ``black_male``, ``white_male``,
        ``black_female`` (all 0 = white female).
    """
    return _read("kidney_transplant.csv")


def gbsg2_design() -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """GBSG2 as numbers a model can take: covariates, durations (days) and events.

    Returns
    -------
    X : DataFrame of shape (686, 8)
        The columns of ``GBSG2_FEATURES``: hormone therapy 0/1, age (years), postmenopausal 0/1,
        tumour size (mm), tumour grade 1-3, positive nodes, progesterone and oestrogen receptors
        (fmol/mg). No missing values.
    durations : ndarray of shape (686,)
        Days to recurrence or censoring (float).
    events : ndarray of shape (686,)
        1 = recurrence observed, 0 = censored (int).
    """
    frame = load_gbsg2()
    X = pd.DataFrame({
        "hormone_therapy": (frame["horTh"] == "yes").astype(float),
        "age": frame["age"].astype(float),
        "postmenopausal": (frame["menostat"] == "Post").astype(float),
        "tumour_size_mm": frame["tsize"].astype(float),
        "tumour_grade": frame["tgrade"].map({"I": 1.0, "II": 2.0, "III": 3.0}),
        "positive_nodes": frame["pnodes"].astype(float),
        "progesterone_receptor": frame["progrec"].astype(float),
        "oestrogen_receptor": frame["estrec"].astype(float),
    })
    return X, frame["time"].to_numpy(dtype=float), frame["cens"].to_numpy(dtype=int)
