"""Synthetic populations for the ethics chapter: a linkage-attack population and a label-bias cohort.

Both are seeded and documented in their data cards (``linkage_population.md``,
``label_bias_cohort.md``); every name, date and diagnosis in them is invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# A few real-looking 5-digit ZIP codes in 6 three-digit areas; "036" and "059" are two of the
# restricted three-digit prefixes of HIPAA Safe Harbor (fewer than 20,000 inhabitants).
_ZIP_CODES = ("02138", "02139", "02141", "02142", "02143", "02144", "03601", "03602", "05901",
              "10001", "10002", "10003", "10011", "10012", "94110", "94111", "94112", "94114")
_FIRST_NAMES = ("Ana", "Ben", "Chen", "Dana", "Eli", "Fatima", "Grace", "Hiro", "Ines", "Jamal",
                "Kofi", "Lena", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Wei")
_LAST_NAMES = ("Garcia", "Smith", "Li", "Nguyen", "Okafor", "Johnson", "Kim", "Patel", "Rossi",
               "Cohen", "Silva", "Wang", "Brown", "Haddad", "Muller", "Tanaka", "Diallo", "Khan")
_DIAGNOSES = ("asthma", "diabetes", "heart failure", "HIV", "depression", "hip fracture",
              "pneumonia", "breast cancer", "COPD", "stroke")


def make_linkage_population(n_residents: int = 20_000, n_patients: int = 2_000,
                            voter_fraction: float = 0.7, seed: int = 0
                            ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A synthetic town for Sweeney's linkage attack: hospital records and a public voter roll.

    Parameters
    ----------
    n_residents : int
        People living in the 18 ZIP codes.
    n_patients : int
        Residents admitted to hospital (a random subset, at most ``n_residents``).
    voter_fraction : float in [0, 1]
        Share of residents on the public voter roll (drawn independently of admission).
    seed : int
        Seed of the NumPy Generator; the same seed gives the same town.

    Returns
    -------
    patients : DataFrame, (n_patients, 10)
        ``name``, ``mrn``, ``phone``, ``email``, ``birth_date`` and ``admission_date``
        (datetime64), ``age`` (whole years at admission), ``zip`` (5-character string), ``sex``
        ("F"/"M") and ``diagnosis`` (the sensitive attribute).
    voters : DataFrame, (about voter_fraction * n_residents, 4)
        ``name``, ``zip``, ``birth_date``, ``sex``: what a voter roll publishes.
    """
    if not 0 < n_patients <= n_residents:
        raise ValueError(f"n_patients must be in 1..n_residents={n_residents}; got {n_patients}")
    if not 0.0 <= voter_fraction <= 1.0:
        raise ValueError(f"voter_fraction must lie in [0, 1]; got {voter_fraction}")
    rng = np.random.default_rng(seed)
    # Residents are born 1930-2005, roughly uniformly; ZIP codes differ in size.
    zip_weights = rng.uniform(0.3, 1.0, len(_ZIP_CODES))
    zips = rng.choice(_ZIP_CODES, size=n_residents, p=zip_weights / zip_weights.sum())
    start = np.datetime64("1930-01-01")
    birth = start + rng.integers(0, 75 * 365, n_residents).astype("timedelta64[D]")
    sex = rng.choice(np.array(["F", "M"]), size=n_residents)
    names = np.char.add(np.char.add(rng.choice(_FIRST_NAMES, n_residents), " "),
                        rng.choice(_LAST_NAMES, n_residents))
    residents = pd.DataFrame({"name": names, "zip": zips,
                              "birth_date": pd.to_datetime(birth), "sex": sex})

    admitted = np.sort(rng.choice(n_residents, size=n_patients, replace=False))
    patients = residents.iloc[admitted].reset_index(drop=True)
    admission = np.datetime64("2024-01-01") + rng.integers(0, 730, n_patients).astype("timedelta64[D]")
    admission = pd.to_datetime(admission)
    had_birthday = ((admission.month > patients["birth_date"].dt.month)
                    | ((admission.month == patients["birth_date"].dt.month)
                       & (admission.day >= patients["birth_date"].dt.day)))
    age = admission.year - patients["birth_date"].dt.year - (~had_birthday).astype(int)
    mrn = np.char.add("MRN", np.char.zfill((rng.permutation(900_000)[:n_patients] + 100_000)
                                           .astype(str), 7))
    phone = [f"555-{a:03d}-{b:04d}" for a, b in zip(rng.integers(100, 999, n_patients),
                                                    rng.integers(0, 9999, n_patients))]
    email = [f"{n.lower().replace(' ', '.')}{k}@example.org"
             for k, n in zip(rng.integers(1, 99, n_patients), patients["name"])]
    patients = pd.DataFrame({
        "name": patients["name"], "mrn": mrn, "phone": phone, "email": email,
        "birth_date": patients["birth_date"], "admission_date": admission,
        "age": age.to_numpy().astype(int), "zip": patients["zip"], "sex": patients["sex"],
        "diagnosis": rng.choice(_DIAGNOSES, size=n_patients,
                                p=np.array([8, 10, 4, 1, 6, 3, 5, 2, 4, 3]) / 46),
    })
    on_roll = rng.random(n_residents) < voter_fraction
    voters = residents[on_roll].sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return patients, voters


def make_label_bias_cohort(n: int = 10_000, seed: int = 0) -> pd.DataFrame:
    """A synthetic cohort in which health-care cost is a biased proxy for health need.

    Modelled on Obermeyer et al. (Science 2019): at the same number of chronic conditions, Black
    patients generate less cost than White patients (unequal access to care), so a model trained
    to predict cost ranks them as lower risk than they are.

    Parameters
    ----------
    n : int
        Number of patients.
    seed : int
        Seed of the NumPy Generator.

    Returns
    -------
    DataFrame, (n, 8)
        ``race`` ("Black" about 12 %, "White"), ``age`` (years), ``female`` (0/1),
        ``prior_conditions`` and ``prior_cost`` (US dollars) and ``prior_visits`` in the year
        before, then next year's ``conditions`` (number of active chronic conditions: the health
        need) and ``cost`` (US dollars: the proxy label).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1; got {n}")
    rng = np.random.default_rng(seed)
    black = rng.random(n) < 0.12
    age = rng.integers(25, 90, n)
    female = (rng.random(n) < 0.6).astype(int)
    # Latent health need: a little higher for Black patients, as in the study's population.
    frailty = rng.gamma(2.0, 0.6 + 0.15 * black) * (1 + (age - 25) / 80)
    prior_conditions = rng.poisson(frailty)
    conditions = rng.poisson(frailty)
    # Access: the same need turns into about 30 % less spending for Black patients.
    access = np.where(black, 0.7, 1.0)
    prior_visits = rng.poisson(1 + 2 * frailty * access)
    prior_cost = np.round(access * (800 + 2500 * frailty) * rng.lognormal(0.0, 0.5, n), 2)
    cost = np.round(access * (800 + 2500 * conditions) * rng.lognormal(0.0, 0.5, n), 2)
    return pd.DataFrame({
        "race": np.where(black, "Black", "White"), "age": age, "female": female,
        "prior_conditions": prior_conditions, "prior_cost": prior_cost,
        "prior_visits": prior_visits, "conditions": conditions, "cost": cost,
    })
