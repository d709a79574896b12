"""Chapter 06_ethics, fairness: rates by group, demographic parity, equalised odds, and the
per-group thresholds of equal opportunity."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ...compare import PASS, Verdict, allclose, type_name
from ...registry import Case, Exercise, Mistake, reference
from .common import CHAPTER

RATE_COLUMNS = ["n", "selection_rate", "tpr", "fpr"]
# The four race x sex groups of ACTG 175 and their shares of its 2,139 patients (roughly).
_ACTG_GROUPS = ["female non-white", "female white", "male non-white", "male white"]
_ACTG_SHARES = [0.08, 0.09, 0.21, 0.62]


def _audit(rng, n, labels, shares=None, as_list=False):
    """Labels and predictions of a screening model whose error rates differ by group."""
    labels = list(labels)
    groups = rng.choice(np.array(labels), size=n, p=shares)
    k = len(labels)
    base = dict(zip(labels, rng.uniform(0.15, 0.6, k)))
    tpr = dict(zip(labels, rng.uniform(0.5, 0.95, k)))
    fpr = dict(zip(labels, rng.uniform(0.05, 0.4, k)))
    y_true = (rng.random(n) < np.array([base[g] for g in groups])).astype(int)
    hit = rng.random(n)
    y_pred = np.where(y_true == 1, hit < np.array([tpr[g] for g in groups]),
                      hit < np.array([fpr[g] for g in groups])).astype(int)
    if as_list:
        return y_true.tolist(), y_pred.tolist(), groups.tolist()
    return y_true, y_pred, groups


def _small_audit():
    """Ten patients; groups first met in unsorted order; no positive patient among the Asians."""
    y_true = np.array([1, 0, 1, 1, 0, 0, 0, 0, 1, 0])
    y_pred = np.array([1, 1, 0, 1, 0, 1, 1, 0, 1, 0])
    groups = np.array(["white", "white", "black", "black", "white", "black", "asian", "asian",
                       "white", "black"])
    return y_true, y_pred, groups


def _integer_groups_audit():
    """Python lists, integer groups 2, 0, 1; group 1 holds one patient, with a positive label
    (so it has no negatives and its FPR is 0/0); group 0 has no negative either."""
    y_true = [1, 0, 1, 1, 0, 1, 1, 1, 0, 0, 1]
    y_pred = [1, 0, 0, 1, 1, 1, 0, 1, 0, 1, 1]
    groups = [2, 2, 0, 2, 2, 0, 1, 2, 2, 2, 0]
    return y_true, y_pred, groups


# --- group_rates ----------------------------------------------------------------------------------

def _rates_public(rng):
    yield Case(_small_audit(), label="10 patients, groups met in unsorted order, one group "
                                     "without a positive patient (its TPR is 0/0)")
    yield Case(_integer_groups_audit(), label="Python lists, integer groups, a one-patient group "
                                              "with no negative patient (its FPR is 0/0)")
    yield Case(_audit(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES),
               label="2,139 patients in the four race x sex groups of ACTG 175")


def _rates_hidden(rng):
    yield Case(_audit(rng, 300, ["F", "M"]), label="two groups, 300 patients")
    yield Case(_audit(rng, 40, [3, 1, 2], as_list=True), label="Python lists, integer groups")
    y_true, y_pred, groups = _audit(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES)
    y_true[groups == "female white"] = 0
    yield Case((y_true, y_pred, groups), label="2,139 patients, one group without a positive")


def _rates_compare(got: Any, expected: Any) -> Verdict:
    if not isinstance(got, pd.DataFrame):
        return Verdict(False, f"your output should be a pandas DataFrame; got {type_name(got)}")
    if list(got.columns) != RATE_COLUMNS:
        return Verdict(False, f"your DataFrame has columns {list(got.columns)}; expected exactly "
                              f"{RATE_COLUMNS}")
    if len(got) != len(expected):
        return Verdict(False, f"your DataFrame has {len(got)} rows; expected {len(expected)}, "
                              "one per group")
    got_groups, want_groups = list(got.index), list(expected.index)
    if got_groups != want_groups:
        if sorted(map(str, got_groups)) == sorted(map(str, want_groups)):
            return Verdict(False, "your rows are not in the order of the sorted groups")
        return Verdict(False, "your index does not hold the groups (one row per unique group)",
                       f"your index is {got_groups}; expected {want_groups}")
    if got["n"].dtype.kind not in "iu":
        return Verdict(False, f"your column 'n' has dtype {got['n'].dtype}; a count is an "
                              "integer")
    for column in RATE_COLUMNS:
        g = got[column].to_numpy(dtype=float)
        e = expected[column].to_numpy(dtype=float)
        bad = ~(np.isclose(g, e, rtol=1e-9, atol=1e-12) | (np.isnan(g) & np.isnan(e)))
        if bad.any():
            where = [want_groups[i] for i in np.flatnonzero(bad)]
            return Verdict(False, f"your column {column!r} is wrong for {int(bad.sum())} of "
                                  f"{len(e)} groups",
                           f"your column {column!r} is wrong for the group(s) {where}: "
                           f"{g[bad].tolist()}")
    return PASS


def _rates_on_true_labels(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    frame["selection_rate"] = reference(CHAPTER, "group_rates")(y_true, y_true, groups)["selection_rate"]
    return frame


def _rates_unsorted(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    return frame.loc[pd.unique(np.asarray(groups))]


def _rates_zero(y_true, y_pred, groups):
    return reference(CHAPTER, "group_rates")(y_true, y_pred, groups).fillna(0.0)


def _rates_over_group_size(y_true, y_pred, groups):
    y_true, y_pred, groups = np.asarray(y_true), np.asarray(y_pred), np.asarray(groups)
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    for g in frame.index:
        inside = groups == g
        frame.loc[g, "tpr"] = np.sum(y_pred[inside] * y_true[inside]) / inside.sum()
        frame.loc[g, "fpr"] = np.sum(y_pred[inside] * (1 - y_true[inside])) / inside.sum()
    return frame


def _rates_swapped(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    frame[["tpr", "fpr"]] = frame[["fpr", "tpr"]].to_numpy()
    return frame


GROUP_RATES = Exercise(
    name="group_rates",
    points=2,
    public_cases=_rates_public,
    hidden_cases=_rates_hidden,
    compare=_rates_compare,
    time_limit=10.0,
    advice="check one group by hand: its selection rate is the mean of y_pred over its patients, "
           "its TPR the mean of y_pred over its patients with y_true = 1.",
    mistakes=[
        Mistake("rates on true labels", _rates_on_true_labels,
                "your selection rate is the mean of y_true (the base rate of the group): a "
                "selection rate describes the model, so it is the mean of the predictions y_pred."),
        Mistake("groups not sorted", _rates_unsorted,
                "your rows follow the order in which groups first appear; sort the groups "
                "(np.unique or groupby both sort) so that every audit lists them the same way."),
        Mistake("0/0 as 0", _rates_zero,
                "a group with no positive (or no negative) patient has an undefined TPR (or "
                "FPR): 0/0 is NaN, not 0. Reporting 0 invents a measurement that was never made."),
        Mistake("rates over the group size", _rates_over_group_size,
                "your TPR and FPR divide by the size of the group; TPR = TP / (patients with "
                "y_true = 1) and FPR = FP / (patients with y_true = 0), within the group."),
        Mistake("tpr and fpr swapped", _rates_swapped,
                "your TPR and FPR columns are swapped: TPR is measured on the patients who have "
                "the condition (y_true = 1), FPR on those who do not."),
    ],
)


# --- demographic_parity_difference ----------------------------------------------------------------

def _parity_public(rng):
    _, y_pred, groups = _small_audit()
    yield Case((y_pred, groups), label="10 patients in three groups")
    _, y_pred, groups = _integer_groups_audit()
    yield Case((y_pred, groups), label="Python lists, integer groups")
    _, y_pred, groups = _audit(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES)
    yield Case((y_pred, groups), label="2,139 patients in four groups")
    yield Case(([1, 0, 1], ["a", "a", "a"]), label="a single group (no gap)")


def _parity_hidden(rng):
    for n, labels in ((200, ["F", "M"]), (500, ["a", "b", "c", "d", "e"]), (1, ["x"])):
        _, y_pred, groups = _audit(rng, n, labels)
        yield Case((y_pred, groups), label=f"{n} patients, {len(labels)} groups")
    _, y_pred, groups = _audit(rng, 60, [0, 1, 2], as_list=True)
    yield Case((y_pred, groups), label="Python lists, integer groups")


def _selection_rates(y_pred, groups):
    rates = pd.Series(np.asarray(y_pred, dtype=float)).groupby(np.asarray(groups)).agg(["mean", "sum"])
    return rates


def _parity_mean_gap(y_pred, groups):
    rates = _selection_rates(y_pred, groups)["mean"].to_numpy()
    gaps = [abs(a - b) for i, a in enumerate(rates) for b in rates[i + 1:]]
    return float(np.mean(gaps)) if gaps else 0.0


def _parity_ratio(y_pred, groups):
    rates = _selection_rates(y_pred, groups)["mean"]
    return float(rates.min() / rates.max())


def _parity_first_last(y_pred, groups):
    rates = _selection_rates(y_pred, groups)["mean"]
    return float(rates.iloc[0] - rates.iloc[-1])


def _parity_counts(y_pred, groups):
    counts = _selection_rates(y_pred, groups)["sum"]
    return float(counts.max() - counts.min())


def _parity_overall(y_pred, groups):
    rates = _selection_rates(y_pred, groups)["mean"]
    return float(rates.max() - np.mean(np.asarray(y_pred, dtype=float)))


DEMOGRAPHIC_PARITY_DIFFERENCE = Exercise(
    name="demographic_parity_difference",
    points=1,
    public_cases=_parity_public,
    hidden_cases=_parity_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    mistakes=[
        Mistake("gaps averaged", _parity_mean_gap,
                "you averaged the gaps between groups; the demographic parity difference is the "
                "largest gap: max minus min of the selection rates over groups."),
        Mistake("ratio", _parity_ratio,
                "you computed the ratio min / max of the selection rates (fairlearn's "
                "demographic_parity_ratio); the difference is max minus min."),
        Mistake("first minus last", _parity_first_last,
                "you subtracted the rates of two particular groups (the first and the last); "
                "take the largest minus the smallest rate over all groups, never negative."),
        Mistake("counts", _parity_counts,
                "you compared numbers of positive predictions; groups differ in size, so compare "
                "rates: the mean of y_pred within each group."),
        Mistake("gap to overall", _parity_overall,
                "you measured the gap between the highest group and the whole population; the "
                "difference is between the highest and the lowest group."),
    ],
)


# --- equalized_odds_difference --------------------------------------------------------------------

def _odds_public(rng):
    yield Case(_small_audit(), label="10 patients, one group without a positive (its TPR is "
                                     "left out of the TPR gap)")
    yield Case(_integer_groups_audit(), label="Python lists, integer groups, two groups "
                                              "without a negative")
    yield Case(_audit(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES), label="2,139 patients, four groups")
    yield Case(([1, 1, 0, 0, 1, 1, 0, 0], [1, 1, 0, 0, 1, 1, 1, 0], ["a"] * 4 + ["b"] * 4),
               label="Python lists, equal TPRs, unequal FPRs")


def _odds_hidden(rng):
    yield Case(_audit(rng, 300, ["F", "M"]), label="two groups, 300 patients")
    yield Case(_audit(rng, 80, [5, 7, 9], as_list=True), label="Python lists, integer groups")
    y_true, y_pred, groups = _audit(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES)
    y_true[groups == "male non-white"] = 1
    yield Case((y_true, y_pred, groups), label="2,139 patients, one group without a negative")


def _gaps(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    return {c: float(np.nanmax(frame[c]) - np.nanmin(frame[c])) for c in RATE_COLUMNS[1:]}


def _odds_mean(y_true, y_pred, groups):
    gaps = _gaps(y_true, y_pred, groups)
    return (gaps["tpr"] + gaps["fpr"]) / 2


def _odds_nan_as_zero(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups).fillna(0.0)
    return float(max(np.ptp(frame["tpr"]), np.ptp(frame["fpr"])))


def _odds_mean_over_groups(y_true, y_pred, groups):
    frame = reference(CHAPTER, "group_rates")(y_true, y_pred, groups)
    gap = [np.nanmean(np.abs(frame[c] - np.nanmean(frame[c]))) for c in ("tpr", "fpr")]
    return float(max(gap))


EQUALIZED_ODDS_DIFFERENCE = Exercise(
    name="equalized_odds_difference",
    points=1,
    public_cases=_odds_public,
    hidden_cases=_odds_hidden,
    compare=allclose(rtol=1e-9, atol=1e-12),
    time_limit=10.0,
    mistakes=[
        Mistake("gaps averaged", _odds_mean,
                "you averaged the TPR gap and the FPR gap; equalised odds asks for both to be "
                "small, so the difference is the larger of the two gaps."),
        Mistake("gaps averaged over groups", _odds_mean_over_groups,
                "you averaged how far each group is from the mean rate; each gap is the largest "
                "minus the smallest rate over groups (max - min), then take the larger gap."),
        Mistake("TPR gap only", lambda y_true, y_pred, groups: _gaps(y_true, y_pred, groups)["tpr"],
                "you returned the TPR gap only (the equal opportunity difference); equalised "
                "odds also asks for equal false positive rates: take the larger of the two gaps."),
        Mistake("selection-rate gap",
                lambda y_true, y_pred, groups: _gaps(y_true, y_pred, groups)["selection_rate"],
                "you measured the gap in selection rates (demographic parity); equalised odds "
                "compares TPRs and FPRs, rates computed within the patients of each true class."),
        Mistake("missing rate as 0", _odds_nan_as_zero,
                "a group with no positive (or no negative) patient has no TPR (or FPR): leave "
                "that NaN out of the gap instead of counting it as 0 (np.nanmax / np.nanmin), "
                "which fairlearn does and which invents a gap."),
    ],
)


# --- equal_opportunity_thresholds -----------------------------------------------------------------

def _scores(rng, n, labels, shares=None, as_list=False, decimals=None):
    y_true, _, groups = _audit(rng, n, labels, shares)
    shift = dict(zip(labels, rng.uniform(-0.8, 0.8, len(labels))))
    scores = 1 / (1 + np.exp(-(2.0 * y_true - 1 + np.array([shift[g] for g in groups])
                               + rng.normal(0, 1.2, n))))
    if decimals is not None:
        scores = np.round(scores, decimals)
    for g in labels:  # every group needs at least one positive
        inside = np.flatnonzero(groups == g)
        if inside.size and not y_true[inside].any():
            y_true[inside[0]] = 1
    if as_list:
        return y_true.tolist(), scores.tolist(), groups.tolist()
    return y_true, scores, groups


def _small_scores():
    """Tied scores; group "b" holds 25 positives, so a TPR of 0.28 is reached at exactly 7 of them
    (7 / 25 >= 0.28 holds, although 0.28 * 25 is 7.000000000000001 in floating point)."""
    positives_b = np.round(np.linspace(0.98, 0.02, 25), 2)
    y_true = np.array([1, 0, 1, 1, 0, 1] + [1] * 25 + [0, 0])
    scores = np.concatenate([[0.9, 0.8, 0.4, 0.4, 0.3, 0.2], positives_b, [0.85, 0.1]])
    groups = np.array(["a"] * 6 + ["b"] * 27)
    return y_true, scores, groups


def _thresholds_public(rng):
    y_true, scores, groups = _small_scores()
    yield Case((y_true, scores, groups, 0.28), label="33 patients, tied scores, TPR 0.28 of 25 "
                                                     "positives exactly")
    yield Case((y_true, scores, groups, 1.0), label="the same patients, every positive found")
    y_true, scores, groups = _scores(rng, 60, [1, 0], as_list=True, decimals=1)
    yield Case((y_true, scores, groups, 0.8), label="Python lists, integer groups, scores "
                                                    "rounded to 0.1 (many ties)")
    y_true, scores, groups = _scores(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES)
    yield Case((y_true, scores, groups, 0.85), label="2,139 patients in four groups, TPR 0.85")


def _thresholds_hidden(rng):
    yield Case((*_scores(rng, 300, ["F", "M"]), 0.9), label="two groups, 300 patients")
    yield Case((*_scores(rng, 90, [4, 2, 3], as_list=True, decimals=1), 0.6),
               label="Python lists, integer groups, many ties")
    yield Case((*_scores(rng, 2139, _ACTG_GROUPS, _ACTG_SHARES, decimals=2), 0.8),
               label="2,139 patients, scores rounded to 0.01")
    yield Case((*_scores(rng, 500, ["x", "y", "z"]), 1.0), label="every positive found")


def _thresholds_pooled(y_true, scores, groups, target_tpr):
    pooled = reference(CHAPTER, "equal_opportunity_thresholds")(
        y_true, scores, np.zeros(len(scores), dtype=int), target_tpr)[0]
    return {g: pooled for g in reference(CHAPTER, "equal_opportunity_thresholds")(
        y_true, scores, groups, target_tpr)}


def _thresholds_by_count(y_true, scores, groups, target_tpr, rounding):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        positive = np.sort(scores[(groups == g) & (y_true == 1)])[::-1]
        k = max(int(rounding(target_tpr * positive.size)), 1)
        out[g.item()] = float(positive[min(k, positive.size) - 1])
    return out


def _thresholds_strict(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        s, positive = scores[groups == g], y_true[groups == g] == 1
        ok = [t for t in np.unique(s) if np.sum(s[positive] > t) / positive.sum() >= target_tpr]
        out[g.item()] = float(max(ok)) if ok else math.nan
    return out


def _thresholds_quantile(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(groups)
    return {g.item(): float(np.quantile(scores[(groups == g) & (y_true == 1)], 1 - target_tpr))
            for g in np.unique(groups)}


def _thresholds_all_patients(y_true, scores, groups, target_tpr):
    y_true, scores, groups = np.asarray(y_true), np.asarray(scores, dtype=float), np.asarray(groups)
    out = {}
    for g in np.unique(groups):
        s = scores[groups == g]
        ok = [t for t in np.unique(s) if np.mean(s >= t) >= target_tpr]
        out[g.item()] = float(max(ok))
    return out


_ROUNDED = ("you turned the target into a rounded count of positives (round, floor or ceil of "
            "target_tpr * n_pos); in floating point 0.28 * 25 is 7.000000000000001, so "
            "compare the rate itself: tp / n_pos >= target_tpr.")

EQUAL_OPPORTUNITY_THRESHOLDS = Exercise(
    name="equal_opportunity_thresholds",
    points=2,
    public_cases=_thresholds_public,
    hidden_cases=_thresholds_hidden,
    compare=allclose(rtol=0.0, atol=1e-12),
    time_limit=10.0,
    advice="for each group, list its candidate thresholds (its own scores) from the largest down, "
           "and stop at the first one whose rule scores >= t finds enough of its positives.",
    mistakes=[
        Mistake("pooled threshold", _thresholds_pooled,
                "you gave every group the threshold found on all patients at once; equal "
                "opportunity sets one threshold per group, each reaching the target TPR within "
                "its own group."),
        Mistake("ceil count", lambda y, s, g, t: _thresholds_by_count(y, s, g, t, math.ceil),
                _ROUNDED),
        Mistake("floor count", lambda y, s, g, t: _thresholds_by_count(y, s, g, t, math.floor),
                _ROUNDED),
        Mistake("round count", lambda y, s, g, t: _thresholds_by_count(y, s, g, t, round),
                _ROUNDED),
        Mistake("strict rule", _thresholds_strict,
                "your TPR counts positives with scores > t; the rule is scores >= t (a patient "
                "whose score equals the threshold is flagged)."),
        Mistake("quantile", _thresholds_quantile,
                "you took a quantile of the positives' scores; np.quantile interpolates between "
                "scores, and the threshold must be one of the group's own scores."),
        Mistake("rate over all patients", _thresholds_all_patients,
                "you measured the share of all the group's patients flagged; the TPR is measured "
                "on its positives only: tp / n_pos."),
    ],
)
