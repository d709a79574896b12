"""Exercises 1-5: Kaplan-Meier, Nelson-Aalen, the median, the log-rank test and Harrell's C."""

from __future__ import annotations

import numpy as np

from ...compare import Verdict, allclose
from ...registry import Case, Exercise, Mistake, reference
from ._cases import CHAPTER, HAND_DURATIONS, HAND_EVENTS, as_arrays, gbsg2, kidney, lung, random_cohort

# --- shared models of the estimators' mistakes -------------------------------------------------


def _step_table(durations, events, risk_set="at or after", times_from="events", cumulate="product"):
    """A Kaplan-Meier (product) or Nelson-Aalen (sum) table with one convention changed."""
    d, e = as_arrays(durations, events)
    times = np.unique(d[e]) if times_from == "events" else np.unique(d)
    if risk_set == "at or after":
        at_risk = np.array([np.sum(d >= t) for t in times], dtype=float)
    else:  # strictly after: a subject with the event at t is no longer counted at t
        at_risk = np.array([np.sum(d > t) for t in times], dtype=float)
    deaths = np.array([np.sum((d == t) & e) for t in times], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = deaths / at_risk
    if cumulate == "product":
        return times, (np.cumprod(1.0 - ratio) if times.size else np.zeros(0))
    return times, (np.cumsum(ratio) if times.size else np.zeros(0))


def _estimator_mistakes(name, cumulate, what):
    return [
        Mistake("censored patients dropped",
                lambda durations, events: reference(CHAPTER, name)(
                    np.asarray(durations, float)[np.asarray(events, bool)],
                    np.asarray(events)[np.asarray(events, bool)]),
                f"your {what} matches the one computed after dropping the censored patients. A "
                "patient censored at day 400 was event-free for 400 days: they belong in the risk "
                "set n_m of every event time up to their censoring; dropping them makes the "
                "curve fall too fast."),
        Mistake("censored counted as events",
                lambda durations, events: reference(CHAPTER, name)(
                    durations, np.ones(len(durations), dtype=int)),
                f"your {what} treats every patient as having had the event: censored patients (events "
                "= 0) leave the risk set without adding to d_m."),
        Mistake("risk set taken after t",
                lambda durations, events: _step_table(durations, events, "after", "events", cumulate),
                "your risk set n_m counts the subjects with duration > t_m; it is those with "
                "duration >= t_m: a subject whose event (or censoring) happens at t_m was still "
                "at risk at t_m."),
        Mistake("censoring-only times included",
                lambda durations, events: _step_table(durations, events, "at or after", "all",
                                                      cumulate),
                "your `times` include durations at which only censoring happened; the curve has a "
                "step only where at least one event occurred (np.unique of the durations with "
                "events = 1)."),
        Mistake("lifelines' timeline",
                lambda durations, events: _lifelines_timeline(name, durations, events),
                f"your `times` start at 0 and include censoring-only times: that is lifelines' "
                f"full timeline (its survival_function_ table); the {what} here has one row per "
                "event time only (ask lifelines for its values at those times)."),
    ]


def _lifelines_timeline(name, durations, events):
    d, e = as_arrays(durations, events)
    times = np.unique(np.r_[0.0, d])
    table_times, values = reference(CHAPTER, name)(d, e)
    start = 1.0 if name == "kaplan_meier" else 0.0
    # the reference's step function, read at every time of lifelines' timeline
    index = np.searchsorted(table_times, times, side="right") - 1
    padded = np.r_[start, values]
    return times, padded[index + 1]


def _estimator_public(rng):
    yield Case((list(HAND_DURATIONS), list(HAND_EVENTS)),
               label="7 patients as Python lists, one censored at an event time")
    yield Case(([4.0, 7.0, 9.0], [0, 0, 0]), label="3 patients, all censored (no event)")
    yield Case(([5.0], [1]), label="a single patient with the event")
    d, e, _ = lung()
    yield Case((d, e), label="NCCTG lung cancer, 228 patients (days)")


def _estimator_hidden(rng):
    d, e, _ = kidney()
    yield Case((d, e), label="kidney transplant, 863 patients (days)")
    _, d, e = gbsg2()
    yield Case((d, e), label="GBSG2 breast cancer, 686 women (days)")
    for n in (15, 40):
        d, e = random_cohort(rng, n)
        yield Case((d, e), label=f"{n} patients with many tied days")
    yield Case(([3.0], [0]), label="a single censored patient")
    yield Case(([1.0, 2.0, 2.0, 4.0], [1, 1, 1, 1]), label="no censoring, a tie")


_ESTIMATOR_ADVICE = ("check the risk set first: at each event time t_m, n_m counts every subject "
                     "with duration >= t_m, censored or not, and d_m the events exactly at t_m")

KAPLAN_MEIER = Exercise(
    name="kaplan_meier",
    points=2,
    public_cases=_estimator_public,
    hidden_cases=_estimator_hidden,
    compare=allclose(rtol=1e-10, atol=1e-12),
    output_names=("times", "survival"),
    time_limit=10.0,
    advice=_ESTIMATOR_ADVICE,
    mistakes=_estimator_mistakes("kaplan_meier", "product", "survival curve") + [
        Mistake("Nelson-Aalen instead",
                lambda durations, events: (lambda t, h: (t, np.exp(-h)))(
                    *_step_table(durations, events, cumulate="sum")),
                "your curve is exp(-H) with H the Nelson-Aalen cumulative hazard (the Breslow/"
                "Fleming-Harrington estimate); Kaplan-Meier multiplies the conditional survival "
                "fractions (1 - d_m / n_m)."),
    ],
)

NELSON_AALEN = Exercise(
    name="nelson_aalen",
    points=2,
    public_cases=_estimator_public,
    hidden_cases=_estimator_hidden,
    compare=allclose(rtol=1e-10, atol=1e-12),
    output_names=("times", "cumulative_hazard"),
    time_limit=10.0,
    advice=_ESTIMATOR_ADVICE,
    mistakes=_estimator_mistakes("nelson_aalen", "sum", "cumulative hazard") + [
        Mistake("minus log Kaplan-Meier",
                lambda durations, events: (lambda t, s: (t, -np.log(s)))(
                    *_step_table(durations, events, cumulate="product")),
                "your H is -log of the Kaplan-Meier curve; Nelson-Aalen adds the hazard "
                "increments, H = sum of d_m / n_m (the two agree only when d_m / n_m is small)."),
    ],
)


# --- median_survival ---------------------------------------------------------------------------


def _median_strict(times, survival):
    t, s = np.asarray(times, float), np.asarray(survival, float)
    below = np.flatnonzero(s < 0.5)
    return float(t[below[0]]) if below.size else float("inf")


def _median_interpolated(times, survival):
    t, s = np.asarray(times, float), np.asarray(survival, float)
    reached = np.flatnonzero(s <= 0.5)
    if not reached.size:
        return float("inf")
    k = reached[0]
    if k == 0 or s[k] == 0.5:
        raise ValueError("no interpolation to model here")
    return float(t[k - 1] + (s[k - 1] - 0.5) / (s[k - 1] - s[k]) * (t[k] - t[k - 1]))


def _median_position(times, survival):
    s = np.asarray(survival, float)
    reached = np.flatnonzero(s <= 0.5)
    if not reached.size:
        raise ValueError("not reached")
    return float(reached[0])


def _median_compare(got, expected):
    verdict = allclose(rtol=0.0, atol=0.0)(got, expected)
    if verdict or not np.isinf(expected):
        return verdict
    try:
        is_nan = np.isnan(float(got))
    except (TypeError, ValueError):
        return verdict
    if is_nan:
        return Verdict(False, "your median is NaN where the curve never falls to 0.5: the median "
                              "is then 'not reached', return inf (more than half the cohort "
                              "outlived the follow-up), not NaN")
    return verdict


def _median_last_above(times, survival):
    t, s = np.asarray(times, float), np.asarray(survival, float)
    reached = np.flatnonzero(s <= 0.5)
    if not reached.size or reached[0] == 0:
        raise ValueError("no earlier step")
    return float(t[reached[0] - 1])


def _median_public(rng):
    yield Case(([1.0, 2.0, 3.0, 4.0], [0.9, 0.7, 0.5, 0.2]),
               label="a curve that is exactly 0.5 at t = 3 (Python lists)")
    yield Case((np.array([2.0, 5.0, 9.0]), np.array([0.8, 0.6, 0.4])),
               label="a curve that jumps from 0.6 to 0.4")
    yield Case((np.array([10.0, 20.0]), np.array([0.9, 0.75])),
               label="more than half the cohort survives the follow-up")
    yield Case(([], []), label="an empty curve (no events)")
    yield Case(([12.0], [0.0]), label="a single step, to 0")
    d, e, _ = lung()
    t, s = reference(CHAPTER, "kaplan_meier")(d, e)
    yield Case((t, s), label="the Kaplan-Meier curve of the lung cancer cohort")


def _median_hidden(rng):
    _, d, e = gbsg2()
    t, s = reference(CHAPTER, "kaplan_meier")(d, e)
    yield Case((t, s), label="the Kaplan-Meier curve of GBSG2")
    d, e, _ = kidney()
    t, s = reference(CHAPTER, "kaplan_meier")(d, e)
    yield Case((t, s), label="the kidney transplant curve (stays above 0.5)")
    yield Case(([7.0], [0.5]), label="a single step exactly at 0.5")
    yield Case(([7.0], [0.0]), label="a single step to 0")
    yield Case(([1.0, 3.0, 6.0, 8.0], [0.75, 0.5, 0.5, 0.25]), label="a flat stretch at 0.5")
    yield Case(([3.0, 4.0], [0.6, 0.55]), label="a short curve that stays above 0.5")


MEDIAN_SURVIVAL = Exercise(
    name="median_survival",
    points=1,
    public_cases=_median_public,
    hidden_cases=_median_hidden,
    compare=_median_compare,
    time_limit=5.0,
    advice="the median is read off the steps as given: the first time whose survival is <= 0.5",
    mistakes=[
        Mistake("strictly below 0.5", _median_strict,
                "your median is the first time the curve is strictly below 0.5; the definition "
                "is the smallest t with S(t) <= 0.5, so a curve that is exactly 0.5 at t gives t."),
        Mistake("interpolated", _median_interpolated,
                "you interpolated between the steps; the Kaplan-Meier curve is a step function, "
                "so the median is one of the event times: the first whose survival is <= 0.5."),
        Mistake("position instead of time", _median_position,
                "your median is the position k of the step in the arrays; return the time at "
                "that position, times[k] (in the unit of the durations)."),
        Mistake("the step before", _median_last_above,
                "your median is the last time with survival still above 0.5; it is the first "
                "time at which survival has fallen to 0.5 or below."),
    ],
)


# --- logrank_test ------------------------------------------------------------------------------


def _logrank_parts(durations_a, events_a, durations_b, events_b, risk_set="at or after"):
    d = np.concatenate([np.asarray(durations_a, float), np.asarray(durations_b, float)])
    e = np.concatenate([np.asarray(events_a, bool), np.asarray(events_b, bool)])
    in_a = np.arange(d.size) < len(durations_a)
    rows = []
    for t in np.unique(d[e]):
        at_risk = d >= t if risk_set == "at or after" else d > t
        n, n_a = at_risk.sum(), (at_risk & in_a).sum()
        deaths = np.sum((d == t) & e)
        rows.append((n, n_a, deaths, np.sum((d == t) & e & in_a)))
    return np.array(rows, dtype=float).reshape(-1, 4)


def _chi2_p(statistic, df=1):
    from scipy.stats import chi2

    return float(chi2.sf(statistic, df=df))


def _logrank_no_variance(durations_a, events_a, durations_b, events_b):
    rows = _logrank_parts(durations_a, events_a, durations_b, events_b)
    n, n_a, d, d_a = rows.T
    expected_a = np.sum(d * n_a / n)
    expected_b = np.sum(d) - expected_a
    o_a, o_b = d_a.sum(), d.sum() - d_a.sum()
    statistic = (o_a - expected_a) ** 2 / expected_a + (o_b - expected_b) ** 2 / expected_b
    if not np.isfinite(statistic):
        raise ValueError("undefined")
    return float(statistic), _chi2_p(statistic)


def _logrank_with(rows):
    n, n_a, d, d_a = rows.T
    with np.errstate(divide="ignore", invalid="ignore"):
        correction = np.where(n > 1, (n - d) / (n - 1), 0.0)
    variance = np.sum(d * (n_a / n) * (1 - n_a / n) * correction)
    if variance <= 0 or not np.isfinite(variance):
        raise ValueError("undefined")
    statistic = np.sum(d_a - d * n_a / n) ** 2 / variance
    return float(statistic), _chi2_p(statistic)


def _logrank_no_tie_correction(durations_a, events_a, durations_b, events_b):
    rows = _logrank_parts(durations_a, events_a, durations_b, events_b)
    n, n_a, d, d_a = rows.T
    variance = np.sum(d * (n_a / n) * (1 - n_a / n))
    statistic = np.sum(d_a - d * n_a / n) ** 2 / variance
    return float(statistic), _chi2_p(statistic)


def _logrank_lifelines_order(durations_a, events_a, durations_b, events_b):
    from lifelines.statistics import logrank_test as lifelines_logrank

    result = lifelines_logrank(durations_a, events_a, durations_b, events_b)
    return float(result.test_statistic), float(result.p_value)


def _logrank_two_df(durations_a, events_a, durations_b, events_b):
    statistic, _ = reference(CHAPTER, "logrank_test")(durations_a, events_a, durations_b, events_b)
    return statistic, _chi2_p(statistic, df=2)


def _logrank_public(rng):
    d, e, frame = lung()
    male = frame["sex"].to_numpy() == 1
    yield Case((d[male], e[male], d[~male], e[~male]),
               label="lung cancer: 138 men against 90 women")
    yield Case(([2.0, 3.0, 3.0, 5.0, 8.0], [1, 1, 0, 1, 0], [1.0, 3.0, 4.0, 6.0, 9.0], [1, 0, 1, 1, 1]),
               label="two groups of 5 as Python lists, tied event times")
    yield Case((np.array([2.0, 6.0]), np.array([0, 0]), np.array([3.0]), np.array([0])),
               label="no event in either group")
    yield Case((np.array([1.0, 2.0, 4.0, 4.0, 7.0]), np.array([1, 0, 1, 1, 0]), np.array([3.0]),
                np.array([1])), label="a single patient in group B")


def _logrank_hidden(rng):
    X, d, e = gbsg2()
    hormone = X[:, 0] == 1
    yield Case((d[hormone], e[hormone], d[~hormone], e[~hormone]),
               label="GBSG2: hormone therapy or not")
    d, e, frame = kidney()
    black = (frame["black_male"] + frame["black_female"]).to_numpy() == 1
    yield Case((d[black], e[black], d[~black], e[~black]), label="kidney transplant: by race")
    for n in (12, 30):
        da, ea = random_cohort(rng, n)
        db, eb = random_cohort(rng, n, max_day=25)
        yield Case((da, ea, db, eb), label=f"two groups of {n}, many ties")
    da, ea = random_cohort(rng, 8)
    yield Case((da, ea, np.array([30.0]), np.array([1])), label="one patient in group B")


LOGRANK_TEST = Exercise(
    name="logrank_test",
    points=2,
    public_cases=_logrank_public,
    hidden_cases=_logrank_hidden,
    compare=allclose(rtol=1e-8, atol=1e-12),
    output_names=("statistic", "p_value"),
    time_limit=10.0,
    advice=("check O_A - E_A first: at each event time, E_A adds d * n_A / n with n and n_A the "
            "subjects at risk (duration >= t) in both groups and in A"),
    mistakes=[
        Mistake("no variance term", _logrank_no_variance,
                "your statistic is sum over groups of (O - E)^2 / E, the Pearson-style "
                "approximation; the log-rank statistic divides (O_A - E_A)^2 by its variance V = "
                "sum of d (n_A / n)(1 - n_A / n)(n - d) / (n - 1)."),
        Mistake("variance without the tie factor", _logrank_no_tie_correction,
                "your variance lacks the factor (n - d) / (n - 1): with several events at the same "
                "time the hypergeometric variance is d (n_A / n)(1 - n_A / n)(n - d) / (n - 1)."),
        Mistake("wrong groups (lifelines' argument order)", _logrank_lifelines_order,
                "your result matches lifelines' logrank_test called with the arguments in this "
                "exercise's order; lifelines takes (durations_A, durations_B, event_observed_A=..., "
                "event_observed_B=...), so the event indicators were read as a group's durations."),
        Mistake("risk set taken after t",
                lambda da, ea, db, eb: _logrank_with(_logrank_parts(da, ea, db, eb, "after")),
                "your risk sets count durations > t; the subjects at risk at t are those with "
                "duration >= t (including those who have the event at t)."),
        Mistake("censored counted as events",
                lambda da, ea, db, eb: reference(CHAPTER, "logrank_test")(
                    da, np.ones(len(da), int), db, np.ones(len(db), int)),
                "your test counts every patient as an event; censored patients (events = 0) are "
                "only in the risk sets, not in the observed counts."),
        Mistake("two degrees of freedom", _logrank_two_df,
                "your p-value uses a chi-square with 2 degrees of freedom; comparing two groups "
                "gives 1 degree of freedom (groups - 1)."),
    ],
)


# --- concordance_index -------------------------------------------------------------------------


def _harrell(durations, risk, events, tie_score=0.5, censored_first=False, equal_times=True):
    d = np.asarray(durations, float)
    r = np.asarray(risk, float)
    e = np.asarray(events, bool)
    score, comparable = 0.0, 0
    for i in range(d.size):
        if not e[i] and not censored_first:
            continue
        later = d > d[i]
        if equal_times and e[i]:
            later = later | ((d == d[i]) & ~e)
        comparable += int(later.sum())
        score += np.sum(r[i] > r[later]) + tie_score * np.sum(r[i] == r[later])
    if not comparable:
        raise ValueError("no comparable pair")
    return float(score / comparable)


def _concordance_public(rng):
    yield Case(([2.0, 3.0, 3.0, 5.0, 6.0, 6.0, 8.0], [0.9, 0.4, 0.4, 0.7, 0.2, 0.5, 0.1],
                [1, 1, 0, 1, 0, 1, 0]),
               label="7 patients as Python lists: tied risks, an event and a censoring on day 3")
    d, e, frame = lung()
    ecog = frame["ph.ecog"].fillna(1.0).to_numpy()
    yield Case((d, ecog, e), label="lung cancer, ECOG score as the risk (many ties)")
    yield Case((np.array([4.0, 9.0, 12.0]), np.array([0.3, 0.2, 0.9]), np.array([1, 1, 0])),
               label="3 patients, the highest risk censored last")
    yield Case(([1.0, 2.0], [0.5, 0.1], [0, 0]), label="everyone censored: no comparable pair")


def _concordance_hidden(rng):
    X, d, e = gbsg2()
    score = 0.03 * X[:, 5] + 0.4 * X[:, 4] - 0.002 * X[:, 6]
    yield Case((d, score, e), label="GBSG2, a linear score of nodes, grade and receptors")
    d, e, frame = kidney()
    yield Case((d, frame["age"].to_numpy(float), e), label="kidney transplant, age as the risk")
    for n in (10, 25):
        dd, ee = random_cohort(rng, n, max_day=8)
        yield Case((dd, rng.integers(0, 4, n).astype(float), ee),
                   label=f"{n} patients, tied days and tied risks")
    yield Case(([3.0, 3.0], [0.2, 0.8], [1, 1]), label="two events on the same day only")
    yield Case(([5.0, 2.0], [0.1, 0.9], [1, 1]), label="two patients, perfectly ordered")


CONCORDANCE_INDEX = Exercise(
    name="concordance_index",
    points=2,
    public_cases=_concordance_public,
    hidden_cases=_concordance_hidden,
    compare=allclose(rtol=1e-10, atol=1e-12),
    time_limit=10.0,
    advice=("list the comparable pairs of a small case by hand: (i, j) with i's event observed "
            "and t_i < t_j, or t_i == t_j with only i's event observed"),
    mistakes=[
        Mistake("risk sign reversed",
                lambda durations, risk, events: _harrell(durations, -np.asarray(risk, float), events),
                "your C is computed as if a lower score meant earlier events; here higher risk = "
                "earlier event, so a pair is concordant when the subject who had the event first "
                "has the higher risk (lifelines' concordance_index expects a predicted survival "
                "time: pass -risk to it)."),
        Mistake("tied risks count 0",
                lambda durations, risk, events: _harrell(durations, risk, events, tie_score=0.0),
                "pairs with equal risk scores count as discordant in your C; they count 1/2 "
                "(a tie is a coin flip)."),
        Mistake("tied risks count 1",
                lambda durations, risk, events: _harrell(durations, risk, events, tie_score=1.0),
                "pairs with equal risk scores count as concordant in your C; they count 1/2."),
        Mistake("censored earlier member compared",
                lambda durations, risk, events: _harrell(durations, risk, events,
                                                         censored_first=True),
                "you compared pairs whose earlier member is censored: we do not know that they "
                "had the event before the other, so such a pair is not comparable."),
        Mistake("equal durations never comparable",
                lambda durations, risk, events: _harrell(durations, risk, events,
                                                         equal_times=False),
                "you skipped pairs with equal durations where exactly one had the event; that "
                "one counts as earlier (the other was still event-free at that time)."),
    ],
)
