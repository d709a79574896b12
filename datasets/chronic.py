"""Synthetic chronic-care records: pharmacy refill histories and continuous glucose monitor streams.

No real refill claims or sensor traces ship in an installable package, so these generators make
seeded, documented stand-ins that reproduce the patterns the metrics must handle: early refills
whose supply is carried forward, gaps, fills before and after a measurement window; glucose with
meals, night-time lows, sensor dropouts (NaN) and a patient-level spread of control.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

READINGS_PER_DAY = 288  # one CGM reading every 5 minutes


def make_refill_histories(n_patients: int = 200, window_days: int = 365,
                          seed: int = 0) -> pd.DataFrame:
    """Pharmacy fills of one chronic medication (say a statin) for ``n_patients`` patients.

    Each patient has a habit drawn at random: "adherent" (refills a few days early or late),
    "gaps" (misses refills for weeks now and then) or "stopped" (stops refilling part-way). Fills
    start up to 60 days before the measurement window [0, window_days - 1] and may run past it.

    Parameters
    ----------
    n_patients : int
        Number of patients (positive).
    window_days : int
        Length of the measurement window in days; the window is days 0 to window_days - 1.
    seed : int
        Seed of the generator: the same seed gives the same histories.

    Returns
    -------
    DataFrame
        One row per fill: ``patient`` (int), ``habit`` (str), ``fill_day`` (int, day number,
        negative before the window), ``days_supply`` (int: 30 or 90). Rows are in patient order
        but not sorted by day within a patient (claims arrive out of order).
    """
    if n_patients < 1 or window_days < 1:
        raise ValueError(f"n_patients and window_days must be positive; got {n_patients} and "
                         f"{window_days}")
    rng = np.random.default_rng(seed)
    rows = []
    for patient in range(n_patients):
        habit = rng.choice(["adherent", "gaps", "stopped"], p=[0.55, 0.3, 0.15])
        supply = int(rng.choice([30, 90], p=[0.7, 0.3]))
        day = -int(rng.integers(0, 60))
        stop_day = int(rng.integers(window_days // 4, window_days)) if habit == "stopped" else None
        fills = []
        while day < window_days + 30:
            if stop_day is not None and day > stop_day:
                break
            fills.append(day)
            delay = int(rng.integers(-5, 6))  # early refills carry their supply forward
            if habit == "gaps" and rng.random() < 0.35:
                delay += int(rng.integers(10, 60))
            day += max(1, supply + delay)
        for fill in rng.permutation(fills):
            rows.append((patient, str(habit), int(fill), supply))
    return pd.DataFrame(rows, columns=["patient", "habit", "fill_day", "days_supply"])


def make_glucose_stream(days: int = 14, seed: int = 0, control: str = "moderate") -> pd.DataFrame:
    """A continuous glucose monitor trace of one person with insulin-treated diabetes.

    Glucose (mg/dL) is a baseline plus meal excursions (three meals a day, peak ~60-90 min after),
    slow drift, and night-time dips that sometimes fall below 70 mg/dL; sensor noise is added and
    about 1 % of readings are lost in dropouts of 15 minutes to 3 hours (NaN).

    Parameters
    ----------
    days : int
        Length of the trace (positive); 14 days is the consensus minimum for the metrics.
    seed : int
        Seed of the generator.
    control : {"good", "moderate", "poor"}
        Sets the baseline and the size of excursions (mean glucose roughly 130, 160, 200 mg/dL).

    Returns
    -------
    DataFrame of shape (days * 288, 3)
        ``minute`` (minutes since the start, every 5), ``glucose_mg_dl`` (float, NaN in dropouts)
        and ``hypo_within_30min`` (1 when a true, noise-free glucose below 70 mg/dL occurs in the
        next 30 minutes: the target of a low-glucose alert).
    """
    levels = {"good": (115.0, 45.0), "moderate": (140.0, 65.0), "poor": (175.0, 90.0)}
    if control not in levels:
        raise ValueError(f"control must be one of {sorted(levels)}; got {control!r}")
    if days < 1:
        raise ValueError(f"days must be positive; got {days}")
    rng = np.random.default_rng(seed)
    base, meal = levels[control]
    n = days * READINGS_PER_DAY
    minute = np.arange(n) * 5
    true = np.full(n, base) + 15 * np.sin(2 * np.pi * minute / (60 * 24 * 3.7) + rng.uniform(0, 6))
    for day in range(days):
        for meal_hour in (7.5, 12.5, 19.0):
            t0 = (day * 24 + meal_hour + rng.normal(0, 0.5)) * 60
            size = meal * rng.uniform(0.5, 1.5)
            lag = (minute - t0) / 60.0
            true += np.where(lag > 0, size * lag * np.exp(1 - lag / 1.2) / 1.2, 0.0)
        if rng.random() < 0.4:  # a night with a low: too much basal insulin
            t0 = (day * 24 + rng.uniform(1, 5)) * 60
            true -= rng.uniform(40, 90) * np.exp(-0.5 * ((minute - t0) / 50.0) ** 2)
    true = np.clip(true, 40.0, 400.0)
    ahead = 6  # 30 minutes = 6 readings
    low = (true < 70).astype(int)
    padded = np.concatenate([low, np.zeros(ahead, dtype=int)])
    hypo_soon = np.array([padded[i + 1:i + 1 + ahead].max() for i in range(n)])
    glucose = np.round(true + rng.normal(0, 8, n), 0)
    i = 0
    while i < n:  # dropouts: a sensor loses signal for a while
        if rng.random() < 0.0012:
            length = int(rng.integers(3, 37))
            glucose[i:i + length] = np.nan
            i += length
        i += 1
    return pd.DataFrame({"minute": minute, "glucose_mg_dl": glucose, "hypo_within_30min": hypo_soon})
