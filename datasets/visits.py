"""A seeded synthetic table of repeated clinic visits per patient, made to show patient leakage.

Each patient has stable traits (sex, height, baseline age) and personal mean levels of blood
pressure, HbA1c, BMI and kidney function; every visit measures those levels with visit-to-visit
noise. The outcome (a diabetic complication within five years) is a property of the *patient*,
driven weakly by the mean levels and mostly by things the table does not record. A model can
therefore recognise a patient from any one visit far better than it can predict the outcome, which
is exactly what a row-level train/test split rewards. The data card
(``medai data info repeated_visits``) says what the generator does not capture.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LABEL = "complication"
COLUMNS = ("patient_id", "visit", "age", "sex", "height_cm", "bmi", "systolic_bp", "hba1c",
           "egfr", LABEL)


def make_repeated_visits(
    n_patients: int = 400, seed: int = 0, min_visits: int = 2, max_visits: int = 8
) -> pd.DataFrame:
    """A table of clinic visits, several per patient, with a patient-level binary outcome.

    Parameters
    ----------
    n_patients : int
        Number of distinct patients (>= 1).
    seed : int
        Seed of the random generator; the same seed always gives the same table.
    min_visits, max_visits : int
        Each patient has a uniformly drawn number of visits in [min_visits, max_visits].

    Returns
    -------
    DataFrame with one row per visit, sorted by patient then visit, columns:
        patient_id (str, "P0001"...), visit (int, 1 = first), age (years at the visit),
        sex (int, 1 = female), height_cm (cm), bmi (kg/m^2), systolic_bp (mmHg), hba1c (%, NGSP),
        egfr (mL/min/1.73 m^2), complication (int, 1 = a diabetic complication within five years of
        the first visit; the same on every visit of a patient).
    """
    if n_patients < 1:
        raise ValueError(f"n_patients must be at least 1; got {n_patients}")
    if not 1 <= min_visits <= max_visits:
        raise ValueError(
            f"need 1 <= min_visits <= max_visits; got min_visits={min_visits}, "
            f"max_visits={max_visits}"
        )
    rng = np.random.default_rng(seed)
    n = n_patients
    female = rng.random(n) < 0.5
    height = np.where(female, rng.normal(162.0, 6.5, n), rng.normal(176.0, 7.0, n))
    age0 = np.clip(rng.normal(58.0, 11.0, n), 25.0, 90.0)
    # Personal mean levels: what a clinician would call the patient's "usual" values.
    bmi = np.clip(rng.normal(30.0, 5.0, n), 18.0, 55.0)
    sbp = 118.0 + 0.45 * (age0 - 58.0) + 0.8 * (bmi - 30.0) + rng.normal(0.0, 12.0, n)
    hba1c = np.clip(rng.normal(7.4, 1.2, n), 5.2, 13.0)
    egfr = np.clip(100.0 - 0.9 * (age0 - 40.0) + rng.normal(0.0, 14.0, n), 15.0, 130.0)
    # The outcome: a weak signal in the mean levels plus a large unrecorded patient effect.
    z = lambda v: (v - v.mean()) / v.std()  # noqa: E731
    logit = (-0.9 + 0.6 * z(hba1c) + 0.35 * z(sbp) + 0.3 * z(age0) - 0.35 * z(egfr)
             + rng.normal(0.0, 1.3, n))
    outcome = (rng.random(n) < 1.0 / (1.0 + np.exp(-logit))).astype(int)

    visits = rng.integers(min_visits, max_visits + 1, size=n)
    pid = np.repeat(np.arange(n), visits)
    number = np.concatenate([np.arange(1, v + 1) for v in visits])
    years = (number - 1) * 0.5 + rng.uniform(0.0, 0.2, pid.size)  # about two visits a year
    m = pid.size
    frame = pd.DataFrame({
        "patient_id": np.array([f"P{i + 1:04d}" for i in range(n)])[pid],
        "visit": number,
        "age": np.round(age0[pid] + years, 1),
        "sex": female[pid].astype(int),
        "height_cm": np.round(height[pid] + rng.normal(0.0, 0.4, m), 1),
        "bmi": np.round(bmi[pid] + rng.normal(0.0, 0.6, m), 1),
        "systolic_bp": np.round(sbp[pid] + rng.normal(0.0, 8.0, m)).astype(int),
        "hba1c": np.round(hba1c[pid] + rng.normal(0.0, 0.35, m), 1),
        "egfr": np.round(egfr[pid] + rng.normal(0.0, 5.0, m), 0),
        LABEL: outcome[pid],
    })
    return frame
