"""Exercises 9-10: medication adherence (PDC) and continuous glucose monitoring metrics."""

from __future__ import annotations

import numpy as np

from ...compare import allclose
from ...registry import Case, Exercise, Mistake, reference
from ._cases import CHAPTER

# --- proportion_of_days_covered -----------------------------------------------------------------


def _intervals(fill_days, days_supply, carry=True, sort=True):
    """(first, last) covered day of each fill, with or without carrying supply forward."""
    fills = np.asarray(fill_days, dtype=int)
    supplies = np.asarray(days_supply, dtype=int)
    order = np.argsort(fills, kind="stable") if sort else np.arange(fills.size)
    spans, next_free = [], None
    for day, supply in zip(fills[order], supplies[order]):
        first = day if (next_free is None or not carry) else max(day, next_free)
        spans.append((first, first + supply - 1))
        next_free = first + supply
    return spans


def _covered(spans, start, end):
    days = set()
    for first, last in spans:
        days.update(range(max(first, start), min(last, end) + 1))
    return days


def _pdc_double_counted(fill_days, days_supply, start, end):
    spans = _intervals(fill_days, days_supply, carry=False)
    total = sum(max(0, min(last, end) - max(first, start) + 1) for first, last in spans)
    return total / (end - start + 1)


def _pdc_union(fill_days, days_supply, start, end):
    return len(_covered(_intervals(fill_days, days_supply, carry=False), start, end)) / (end - start + 1)


def _pdc_past_end(fill_days, days_supply, start, end):
    spans = _intervals(fill_days, days_supply)
    days = set()
    for first, last in spans:
        days.update(range(max(first, start), last + 1))
    return len(days) / (end - start + 1)


def _pdc_off_by_one(fill_days, days_supply, start, end):
    value = reference(CHAPTER, "proportion_of_days_covered")(fill_days, days_supply, start, end)
    return value * (end - start + 1) / (end - start)


def _pdc_unsorted(fill_days, days_supply, start, end):
    return len(_covered(_intervals(fill_days, days_supply, sort=False), start, end)) / (end - start + 1)


def _pdc_fills_before_start_dropped(fill_days, days_supply, start, end):
    fills, supplies = np.asarray(fill_days, int), np.asarray(days_supply, int)
    keep = fills >= start
    return reference(CHAPTER, "proportion_of_days_covered")(fills[keep], supplies[keep], start, end)


def _patient_fills(patient, seed=0):
    from ....datasets.chronic import make_refill_histories

    fills = make_refill_histories(n_patients=patient + 1, seed=seed)
    mine = fills[fills["patient"] == patient]
    return mine["fill_day"].to_numpy(), mine["days_supply"].to_numpy()


def _pdc_public(rng):
    yield Case(([0, 25, 50], [30, 30, 30], 0, 69),
               label="early refills as Python lists: supply carried past the window's end")
    yield Case((np.array([0, 20]), np.array([30, 30]), 0, 89),
               label="an early refill then a gap (window of 90 days)")
    yield Case((np.array([60, 0, 30]), np.array([30, 30, 30]), 0, 119),
               label="fills listed out of order")
    yield Case((np.array([-20, 40, 200]), np.array([30, 30, 30]), 0, 99),
               label="a fill before the window and one after it")
    yield Case((np.array([], dtype=int), np.array([], dtype=int), 0, 29), label="no fills at all")
    yield Case((np.array([15, 15]), np.array([30, 30]), 0, 89),
               label="two fills on the same day (the second is carried forward)")
    yield Case((np.array([40]), np.array([90]), 0, 99), label="a single 90-day fill")
    fills, supplies = _patient_fills(0)
    yield Case((fills, supplies, 0, 364), label="a year of one synthetic patient's refills")


def _pdc_hidden(rng):
    for patient in (3, 7, 11):
        fills, supplies = _patient_fills(patient, seed=1)
        yield Case((fills, supplies, 0, 364), label=f"a year of synthetic patient {patient}'s refills")
    yield Case((np.array([10]), np.array([90]), 0, 179), label="a single 90-day fill")
    yield Case((np.array([5, 5, 40]), np.array([30, 30, 30]), 0, 119), label="two fills on the same day")
    yield Case((np.array([100]), np.array([30]), 0, 99), label="a single fill after the window")
    yield Case((np.array([-50, -10, 15]), np.array([30, 30, 30]), 0, 59),
               label="supply carried in from before the window")


PROPORTION_OF_DAYS_COVERED = Exercise(
    name="proportion_of_days_covered",
    points=2,
    public_cases=_pdc_public,
    hidden_cases=_pdc_hidden,
    compare=allclose(rtol=1e-12, atol=1e-12),
    time_limit=5.0,
    advice=("draw the fills on a calendar: sort them by day, start each one on its fill day or "
            "on the day after the supply so far runs out, whichever is later"),
    mistakes=[
        Mistake("overlaps double-counted", _pdc_double_counted,
                "you added up each fill's days as if they never overlapped (like a medication "
                "possession ratio, it can exceed 1); an early refill's supply is carried "
                "forward: it starts the day after the current supply runs out."),
        Mistake("overlaps lost (no carry-forward)", _pdc_union,
                "you counted the union of the fills' own days, so the overlap of an early refill "
                "is lost; the PQA definition carries the extra supply forward to the days after "
                "the current supply runs out."),
        Mistake("days after end counted", _pdc_past_end,
                "you counted covered days after `end`; only days in [start, end] count."),
        Mistake("denominator off by one", _pdc_off_by_one,
                "your denominator is end - start; the window [start, end] includes both ends, "
                "so it has end - start + 1 days."),
        Mistake("fills not sorted", _pdc_unsorted,
                "you processed the fills in the order given; claims can arrive out of order, so "
                "sort them by fill day before carrying supply forward."),
        Mistake("fills before start dropped", _pdc_fills_before_start_dropped,
                "you ignored fills made before `start`; a fill on day start - 20 with 30 days' "
                "supply still covers the first 10 days of the window."),
    ],
)


# --- glucose_metrics ----------------------------------------------------------------------------


def _metrics(g, denominator, lo_in, hi_in, scale=1.0):
    g = np.asarray(g, dtype=float)
    valid = g[~np.isnan(g)]
    n = valid.size if denominator == "valid" else g.size
    if valid.size == 0 or n == 0:
        raise ValueError("all NaN")
    mean = float(valid.mean())
    in_range = (valid > 70) & (valid < 180) if (lo_in, hi_in) == (False, False) else \
        (valid >= 70) & (valid <= 180)
    return {
        "time_in_range": scale * float(np.sum(in_range) / n),
        "time_below": scale * float(np.sum(valid < 70) / n),
        "time_above": scale * float(np.sum(valid > 180) / n),
        "mean": mean,
        "gmi": 3.31 + 0.02392 * mean,
    }


def _glucose_boundaries_out(g):
    g = np.asarray(g, dtype=float)
    valid = g[~np.isnan(g)]
    if valid.size == 0:
        raise ValueError("all NaN")
    mean = float(valid.mean())
    return {"time_in_range": float(np.mean((valid > 70) & (valid < 180))),
            "time_below": float(np.mean(valid <= 70)), "time_above": float(np.mean(valid >= 180)),
            "mean": mean, "gmi": 3.31 + 0.02392 * mean}


def _glucose_mean_with_nan(g):
    out = reference(CHAPTER, "glucose_metrics")(g)
    if not np.isnan(np.asarray(g, dtype=float)).any() or np.isnan(out["mean"]):
        raise ValueError("only differs when some, not all, readings are NaN")
    return {**out, "mean": float("nan"), "gmi": float("nan")}


def _glucose_gmi_mmol(g):
    out = reference(CHAPTER, "glucose_metrics")(g)
    if np.isnan(out["mean"]):
        raise ValueError("all NaN")
    return {**out, "gmi": 12.71 + 4.70587 * out["mean"] / 18.0}


def _stream(seed, control, days=14):
    from ....datasets.chronic import make_glucose_stream

    return make_glucose_stream(days=days, seed=seed, control=control)["glucose_mg_dl"].to_numpy()


def _glucose_public(rng):
    yield Case(([65.0, 70.0, 120.0, float("nan"), 180.0, 181.0, 250.0],),
               label="7 readings as a Python list: 70 and 180 exactly, one NaN")
    yield Case((np.full(5, np.nan),), label="a sensor that gave no valid reading")
    yield Case((_stream(0, "moderate"),), label="14 days of a synthetic CGM (4,032 readings)")
    yield Case((np.array([95.0]),), label="a single reading")


def _glucose_hidden(rng):
    yield Case((_stream(1, "good"),), label="14 days, good control")
    yield Case((_stream(2, "poor"),), label="14 days, poor control")
    yield Case((np.array([70.0, 180.0, 70.0, 180.0]),), label="only boundary values")
    yield Case((np.array([50.0, np.nan, np.nan, 300.0]),), label="half the readings missing")
    yield Case((np.array([np.nan]),), label="one missing reading")


GLUCOSE_METRICS = Exercise(
    name="glucose_metrics",
    points=2,
    public_cases=_glucose_public,
    hidden_cases=_glucose_hidden,
    compare=allclose(rtol=1e-10, atol=1e-12),
    time_limit=5.0,
    advice=("check the denominators and the boundaries first: fractions of the non-NaN readings, "
            "with 70 and 180 mg/dL inside the target range"),
    mistakes=[
        Mistake("range bounds exclusive", lambda g: _metrics(g, "valid", False, False),
                "your time in range leaves out readings of exactly 70 or 180 mg/dL; the "
                "consensus target range is 70-180 mg/dL inclusive (below means < 70, above > 180)."),
        Mistake("boundaries given to below and above", _glucose_boundaries_out,
                "you counted 70 mg/dL as below range and 180 as above; both are in range "
                "(below is < 70, above is > 180)."),
        Mistake("NaN readings counted", lambda g: _metrics(g, "all", True, True),
                "your fractions divide by every reading, NaN included; a dropout is not time "
                "spent in any range: divide by the number of valid readings."),
        Mistake("mean with NaN", _glucose_mean_with_nan,
                "your mean (and so your GMI) is NaN because a NaN reading was averaged; ignore "
                "NaN readings (np.nanmean, or drop them first)."),
        Mistake("percent instead of fraction", lambda g: _metrics(g, "valid", True, True, 100.0),
                "your times are percentages; return fractions in [0, 1] (0.70, not 70)."),
        Mistake("GMI in mmol/mol", _glucose_gmi_mmol,
                "your GMI is in mmol/mol (12.71 + 4.70587 x mean in mmol/L); the exercise asks "
                "for the percentage form, 3.31 + 0.02392 x mean in mg/dL."),
    ],
)
