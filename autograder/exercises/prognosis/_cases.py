"""Inputs shared by the chapter's cases: small hand-made cohorts and the real lifelines tables."""

from __future__ import annotations

import numpy as np

CHAPTER = "07_prognosis"

# Seven patients: one censored at an event time (day 3), one at another (day 6), and the longest
# follow-up censored (day 8), so censoring-only times exist.
HAND_DURATIONS = [2.0, 3.0, 3.0, 5.0, 6.0, 6.0, 8.0]
HAND_EVENTS = [1, 1, 0, 1, 0, 1, 0]


def lung():
    """(durations, events, frame) of the NCCTG lung cancer table (228 patients)."""
    from ....datasets.survival import load_lung

    frame = load_lung()
    return frame["time"].to_numpy(float), frame["status"].to_numpy(int), frame


def gbsg2():
    """(X, durations, events) of GBSG2 as numbers (686 women)."""
    from ....datasets.survival import gbsg2_design

    X, durations, events = gbsg2_design()
    return X.to_numpy(), durations, events


def kidney():
    """(durations, events, frame) of the kidney transplant table (863 patients)."""
    from ....datasets.survival import load_kidney_transplant

    frame = load_kidney_transplant()
    return frame["time"].to_numpy(float), frame["death"].to_numpy(int), frame


def random_cohort(rng, n, max_day=20, censor_rate=0.35):
    """Integer durations (many ties) with about ``censor_rate`` censored."""
    durations = rng.integers(1, max_day + 1, n).astype(float)
    events = (rng.random(n) > censor_rate).astype(int)
    return durations, events


def as_arrays(durations, events):
    return np.asarray(durations, dtype=float), np.asarray(events, dtype=bool)
