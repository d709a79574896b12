"""Chapter 07_prognosis: the solutions equal lifelines on real cohorts, the data loaders keep their
conventions, the survival model's pass mark is reliable, and every mistake detector can fire."""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd
import pytest

from medai.autograder.grading import expected_outputs
from medai.autograder.reference import reference_function
from medai.autograder.registry import chapter_exercises

CHAPTER = "07_prognosis"
EXERCISES = chapter_exercises(CHAPTER)


def solution(name):
    return reference_function(CHAPTER, name)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _tables():
    from medai.datasets.survival import load_gbsg2, load_kidney_transplant, load_lung

    lung, gbsg2, kidney = load_lung(), load_gbsg2(), load_kidney_transplant()
    return {"lung": (lung["time"], lung["status"]), "gbsg2": (gbsg2["time"], gbsg2["cens"]),
            "kidney": (kidney["time"], kidney["death"])}


# --- equalities with lifelines ------------------------------------------------------------------

@pytest.mark.parametrize("table", ["lung", "gbsg2", "kidney"])
def test_kaplan_meier_nelson_aalen_and_median_equal_lifelines(table):
    from lifelines import KaplanMeierFitter, NelsonAalenFitter
    from lifelines.utils import qth_survival_time

    d, e = _tables()[table]
    times, survival = solution("kaplan_meier")(d, e)
    theirs = KaplanMeierFitter().fit(d, e).survival_function_at_times(times).to_numpy()
    assert np.max(np.abs(survival - theirs)) < 1e-12
    times_h, hazard = solution("nelson_aalen")(d, e)
    fitted = NelsonAalenFitter(nelson_aalen_smoothing=False).fit(d, e)
    np.testing.assert_array_equal(times_h, times)
    assert np.max(np.abs(hazard - fitted.cumulative_hazard_at_times(times).to_numpy())) < 1e-12
    median = solution("median_survival")(times, survival)
    assert median == qth_survival_time(0.5, pd.Series(survival, index=times))


def test_logrank_equals_lifelines_on_three_comparisons():
    from lifelines.statistics import logrank_test

    from medai.datasets.survival import gbsg2_design, load_kidney_transplant, load_lung

    lung = load_lung()
    X, dg, eg = gbsg2_design()
    kidney = load_kidney_transplant()
    groups = [
        (lung["time"], lung["status"], lung["sex"] == 1),
        (dg, eg, X["hormone_therapy"].to_numpy() == 1),
        (kidney["time"], kidney["death"], (kidney["black_male"] + kidney["black_female"]) == 1),
    ]
    for d, e, a in groups:
        d, e, a = np.asarray(d, float), np.asarray(e), np.asarray(a)
        ours = solution("logrank_test")(d[a], e[a], d[~a], e[~a])
        theirs = logrank_test(d[a], d[~a], event_observed_A=e[a], event_observed_B=e[~a])
        assert abs(ours[0] - theirs.test_statistic) < 1e-9
        assert abs(ours[1] - theirs.p_value) < 1e-12
    assert solution("logrank_test")([2.0], [0], [3.0, 4.0], [0, 0]) == (0.0, 1.0)


def test_concordance_equals_lifelines_with_ties_of_times_and_risks():
    from lifelines.utils import concordance_index

    rng = np.random.default_rng(3)
    for _ in range(30):
        n = int(rng.integers(2, 40))
        d = rng.integers(1, 8, n).astype(float)
        e = rng.integers(0, 2, n)
        risk = rng.integers(0, 4, n).astype(float)
        try:
            theirs = concordance_index(d, -risk, e)
        except ZeroDivisionError:
            assert np.isnan(solution("concordance_index")(d, risk, e))
            continue
        assert abs(solution("concordance_index")(d, risk, e) - theirs) < 1e-12


def test_cox_fit_and_partial_likelihood_equal_lifelines_without_ties():
    from lifelines import CoxPHFitter

    from medai.datasets.survival import load_lung

    lung = load_lung()
    rng = np.random.default_rng(0)
    X = np.column_stack([lung["age"], lung["sex"] == 2, lung["ph.ecog"].fillna(1.0)]).astype(float)
    d = lung["time"].to_numpy(float) + rng.uniform(0, 0.01, len(lung))
    e = lung["status"].to_numpy()
    beta = solution("fit_cox")(X, d, e)
    frame = pd.DataFrame(X, columns=["age", "female", "ecog"]).assign(T=d, E=e)
    cph = CoxPHFitter().fit(frame, "T", "E", fit_options={"precision": 1e-10, "r_precision": 1e-14})
    difference = np.max(np.abs(beta - cph.params_.to_numpy()))
    assert difference < 1e-5 * max(1.0, np.max(np.abs(beta))), difference
    ll = solution("cox_partial_log_likelihood")(cph.params_.to_numpy(), X, d, e)
    assert abs(ll - cph.log_likelihood_) < 1e-8


def test_partial_likelihood_is_finite_where_exp_overflows():
    X = np.array([[1000.0], [999.0], [998.0]])
    value = solution("cox_partial_log_likelihood")([1.0], X, [1.0, 2.0, 3.0], [1, 1, 0])
    assert np.isfinite(value)


def test_pooled_cohort_equations_reproduce_the_published_example():
    from medai.autograder.exercises.prognosis.cox import (
        PCE_WHITE_MEN,
        PCE_WHITE_MEN_MEAN,
        PCE_WHITE_MEN_S0,
        pce_terms,
    )

    x_mean = PCE_WHITE_MEN * PCE_WHITE_MEN_MEAN / float(PCE_WHITE_MEN @ PCE_WHITE_MEN)
    risk = solution("absolute_risk")(PCE_WHITE_MEN, pce_terms(55, 213, 50, 120, 0, 0, 0), x_mean,
                                     PCE_WHITE_MEN_S0)
    assert isinstance(risk, float)
    assert abs(risk - 0.053) < 0.001  # Goff et al. 2014: 5.3 % for this white man


def test_t_learner_recovers_the_randomised_effect_in_actg175():
    from medai.autograder.exercises.prognosis.models import ACTG_COVARIATES, make_fit
    from medai.datasets.trials import load_actg175

    actg = load_actg175()
    X, y, t = actg[list(ACTG_COVARIATES)].to_numpy(float), actg["cens"].to_numpy(), actg["treat"].to_numpy()
    randomised = y[t == 1].mean() - y[t == 0].mean()
    ate = solution("t_learner_ate")(X, y, t, make_fit({"model": "logistic_regression"}))
    assert abs(ate - randomised) < 0.01, (ate, randomised)


# --- data ---------------------------------------------------------------------------------------

def test_survival_tables_keep_their_conventions():
    from medai.datasets.survival import GBSG2_FEATURES, gbsg2_design, load_kidney_transplant, load_lung

    lung = load_lung()
    assert lung.shape == (228, 10) and set(lung["status"]) == {0, 1} and lung["status"].sum() == 165
    kidney = load_kidney_transplant()
    assert kidney.shape == (863, 6) and kidney["death"].sum() == 140
    X, d, e = gbsg2_design()
    assert list(X.columns) == list(GBSG2_FEATURES) and X.shape == (686, 8)
    assert not X.isna().any().any() and set(X["tumour_grade"]) == {1.0, 2.0, 3.0}
    assert e.sum() == 299 and np.all(d > 0)


def test_refill_histories_are_seeded_unsorted_and_reach_outside_the_window():
    from medai.datasets.chronic import make_refill_histories

    a, b = make_refill_histories(50, seed=4), make_refill_histories(50, seed=4)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(make_refill_histories(50, seed=5))
    assert (a["fill_day"] < 0).any() and (a["fill_day"] > 364).any()
    assert set(a["days_supply"]) <= {30, 90}
    unsorted = a.groupby("patient")["fill_day"].apply(lambda s: not s.is_monotonic_increasing)
    assert unsorted.any()
    with pytest.raises(ValueError, match="positive"):
        make_refill_histories(0)


def test_glucose_stream_has_dropouts_lows_and_alert_labels():
    from medai.datasets.chronic import make_glucose_stream

    stream = make_glucose_stream(days=14, seed=0, control="good")
    assert len(stream) == 14 * 288 and np.all(np.diff(stream["minute"]) == 5)
    g = stream["glucose_mg_dl"]
    assert 0 < g.isna().mean() < 0.05
    assert (g < 70).any() and stream["hypo_within_30min"].sum() > 0
    means = [np.nanmean(make_glucose_stream(14, seed=1, control=c)["glucose_mg_dl"])
             for c in ("good", "moderate", "poor")]
    assert means == sorted(means)
    with pytest.raises(ValueError, match="control must be one of"):
        make_glucose_stream(control="excellent")


# --- the model exercise's pass mark -------------------------------------------------------------

def test_survival_model_pass_mark_is_reliable_and_wrong_models_fail():
    from medai.autograder.exercises.prognosis.models import PASS_MARK, train_and_score

    reference = solution("build_survival_model")
    graded = [train_and_score(reference, "gbsg2", seed)["c_index"] for seed in (0, 1, 2)]
    assert min(graded) >= PASS_MARK + 0.04, graded
    spread = [train_and_score(reference, "gbsg2", seed)["c_index"] for seed in range(10, 30)]
    assert np.mean(spread) >= PASS_MARK + 0.02 and np.mean(np.array(spread) >= PASS_MARK) >= 0.8

    def reversed_model(X, durations, events):
        model = reference(X, durations, events)

        class Reversed:
            def predict_risk(self, X_new):
                return -model.predict_risk(X_new)

        return Reversed()

    for seed in (0, 1, 2):
        assert train_and_score(reversed_model, "gbsg2", seed)["c_index"] < 0.4


# --- the catalogue can fire ---------------------------------------------------------------------

DETECTORS = [(ex, m) for ex in EXERCISES.values() for m in ex.mistakes]


@pytest.mark.parametrize("exercise,mistake", DETECTORS, ids=[f"{e.name}-{m.name}" for e, m in DETECTORS])
def test_every_mistake_differs_from_the_reference_on_a_public_case(exercise, mistake):
    cases = exercise.cases()
    expected = expected_outputs(CHAPTER, exercise, cases)
    differs = 0
    for case, want in zip(cases, expected):
        try:
            with np.errstate(all="ignore"):
                got = exercise.call(mistake.implementation, copy.deepcopy(case))
        except Exception:  # a mistake model may apply to some cases only
            continue
        differs += not exercise.compare(got, want)
    assert differs, f"{exercise.name}: '{mistake.name}' matches the reference on every public case"
