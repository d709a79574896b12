"""Chapter 06_ethics: the library equalities the notebooks show, the synthetic cohorts, the
statistical checks' reliability, and the plain-data and hint rules of the authoring kit."""

from __future__ import annotations

import re

import numpy as np
import pytest

from medai.autograder.exercises.ethics import dp, interpretability
from medai.autograder.plain import to_plain
from medai.autograder.reference import reference_function
from medai.autograder.registry import chapter_exercises
from medai.datasets.cohorts import make_label_bias_cohort, make_linkage_population
from tests.helpers import ROOT, load

CHAPTER = "06_ethics"
EXERCISES = chapter_exercises(CHAPTER)


def ref(name):
    return reference_function(CHAPTER, name)


@pytest.fixture(scope="module")
def audit():
    rng = np.random.default_rng(0)
    n = 2139
    groups = rng.choice(np.array(["female non-white", "female white", "male non-white",
                                  "male white"]), n, p=[0.08, 0.09, 0.21, 0.62])
    y_true = (rng.random(n) < 0.25).astype(int)
    y_pred = ((rng.random(n) < 0.3) | (y_true & (rng.random(n) < 0.5))).astype(int)
    return y_true, y_pred, groups


def test_group_rates_and_difference_metrics_equal_fairlearn(audit):
    from fairlearn import metrics as flm

    y_true, y_pred, groups = audit
    frame = flm.MetricFrame(metrics={"selection_rate": flm.selection_rate,
                                     "tpr": flm.true_positive_rate,
                                     "fpr": flm.false_positive_rate},
                            y_true=y_true, y_pred=y_pred, sensitive_features=groups).by_group
    ours = ref("group_rates")(y_true, y_pred, groups)
    assert list(ours.index) == list(frame.index)
    assert np.abs(ours[["selection_rate", "tpr", "fpr"]].to_numpy() - frame.to_numpy()).max() < 1e-12
    dpd = flm.demographic_parity_difference(y_pred, y_pred, sensitive_features=groups)
    eod = flm.equalized_odds_difference(y_true, y_pred, sensitive_features=groups)
    assert abs(ref("demographic_parity_difference")(y_pred, groups) - dpd) < 1e-12
    assert abs(ref("equalized_odds_difference")(y_true, y_pred, groups) - eod) < 1e-12


def test_equalized_odds_leaves_out_a_missing_rate_where_fairlearn_counts_zero():
    from fairlearn.metrics import equalized_odds_difference

    # group a: TPR 0.5, FPR 1; group b has no negative patient, so its FPR is undefined
    y_true, y_pred, groups = [1, 1, 0, 0, 1, 1], [1, 0, 1, 1, 1, 1], ["a", "a", "a", "a", "b", "b"]
    assert ref("equalized_odds_difference")(y_true, y_pred, groups) == pytest.approx(0.5)
    assert equalized_odds_difference(y_true, y_pred, sensitive_features=groups) == pytest.approx(1.0)


def test_calibration_table_equals_calibration_curve_on_edges_and_at_random():
    from sklearn.calibration import calibration_curve

    rng = np.random.default_rng(1)
    edges = np.linspace(0, 1, 11)
    cases = [(np.array([0, 1, 0, 1, 1, 0, 1]), np.array([0.0, edges[1], edges[3], edges[7], 1.0,
                                                         0.5, edges[9]]))]
    cases += [(rng.integers(0, 2, 569), rng.random(569)) for _ in range(5)]
    for y, p in cases:
        for n_bins in (5, 10, 20):
            mean_pred, frac_pos, count = ref("calibration_table")(y, p, n_bins)
            prob_true, prob_pred = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
            assert np.abs(mean_pred - prob_pred).max() < 1e-12
            assert np.abs(frac_pos - prob_true).max() < 1e-12
            assert count.dtype.kind in "iu" and count.sum() == len(y)


def test_linear_shap_equals_shap_linear_explainer_and_adds_up():
    import shap
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(2)
    X = rng.normal(size=(600, 6))
    y = (X @ rng.normal(size=6) + rng.normal(size=600) > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    background, explained = X[:400], X[400:]
    phi = ref("linear_shap")(model.coef_.ravel(), float(model.intercept_[0]), explained, background)
    explainer = shap.LinearExplainer(model, shap.maskers.Independent(background,
                                                                     max_samples=len(background)))
    assert np.abs(phi - explainer.shap_values(explained)).max() < 1e-10
    margin = model.decision_function
    assert np.abs(phi.sum(axis=1) - (margin(explained) - margin(background).mean())).max() < 1e-10


def test_permutation_importance_agrees_with_scikit_learn_within_the_tolerance():
    from sklearn.inspection import permutation_importance
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(3)
    X = rng.normal(size=(2000, 4))
    y = (rng.random(2000) < 1 / (1 + np.exp(-(X @ [1.0, -0.6, 0.3, 0.0])))).astype(int)
    model = LogisticRegression().fit(X, y)
    ours = ref("permutation_importance")(lambda Z: model.predict_proba(Z)[:, 1], X, y, 20, 0)
    theirs = permutation_importance(model, X, y, scoring="roc_auc", n_repeats=20,
                                    random_state=0).importances_mean
    assert np.abs(ours - theirs).max() < interpretability.PERMUTATION_ATOL


def test_permutation_tolerance_holds_over_seeds():
    """The reference with 15 other seeds stays within PERMUTATION_ATOL of the graded output (the
    figure in the registry's comment was measured with 40)."""
    exercise = EXERCISES["permutation_importance"]
    worst = 0.0
    for case in exercise.cases():
        model, X, y = case.args
        expected = exercise.call(ref("permutation_importance"), case)
        n_repeats = case.kwargs.get("n_repeats", 5)
        spreads = [exercise.apply(ref("permutation_importance"), model, X, y, n_repeats, seed)
                   for seed in range(100, 115)]
        worst = max(worst, np.abs(np.array(spreads) - expected).max())
        assert exercise.compare(spreads[0], expected)
    assert worst < interpretability.PERMUTATION_ATOL


def _laplace_summary(rng, true_value, noise, scale):
    return dp.noise_summary(noise, scale, True)


@pytest.mark.parametrize("name", ["laplace_mechanism", "dp_mean"])
def test_statistical_checks_pass_the_reference_100_of_100_and_fail_every_wrong_scale(name):
    exercise = EXERCISES[name]
    cases = exercise.cases()
    expected = [exercise.call(ref(name), c) for c in cases]
    n = dp.DRAWS

    def laplace_draws(case, rng):
        value, sensitivity, epsilon = case.args
        b = sensitivity / epsilon
        return {"reference": (value, rng.laplace(0, b, n), b),
                "scale ε/Δ": (value, rng.laplace(0, epsilon / sensitivity, n), b),
                "Gaussian": (value, rng.normal(0, b, n), b),
                "Gaussian, Laplace's variance": (value, rng.normal(0, np.sqrt(2) * b, n), b),
                "sensitivity ignored": (value, rng.laplace(0, 1 / epsilon, n), b)}

    def mean_draws(case, rng):
        values, lower, upper, epsilon = case.args
        v = np.asarray(values, float)
        c = np.clip(v, lower, upper)
        b = (upper - lower) / (v.size * epsilon)
        shift = v.mean() - c.mean()
        return {"reference": (0.0, rng.laplace(0, b, n), b),
                "no clipping": (0.0, shift + rng.laplace(0, b, n), b),
                "sensitivity not divided by n": (0.0, rng.laplace(0, b * v.size, n), b),
                "Gaussian": (0.0, rng.normal(0, b, n), b),
                # the mean of n Laplace(0, n b) draws, by its normal approximation (n >= 50 here)
                "noise per value": (0.0, rng.normal(0, b * np.sqrt(2 * v.size), n), b)}

    draws = laplace_draws if name == "laplace_mechanism" else mean_draws
    failures = {}
    for seed in range(100):
        rng = np.random.default_rng([7, seed])
        per_case = [draws(case, rng) for case in cases]
        for kind in per_case[0]:
            verdicts = [bool(exercise.compare(dp.noise_summary(noise, b, True), want))
                        for (_, noise, b), want in zip((d[kind] for d in per_case), expected)]
            if kind == "reference":
                assert all(verdicts), f"seed {seed}: a correct {name} failed"
            elif all(verdicts):
                failures[kind] = failures.get(kind, 0) + 1
    assert failures == {}, f"wrong scales that passed every public case: {failures}"


def test_linkage_population_is_seeded_and_mostly_unique():
    patients, voters = make_linkage_population(seed=0)
    again, _ = make_linkage_population(seed=0)
    assert patients.equals(again)
    assert list(patients.columns) == ["name", "mrn", "phone", "email", "birth_date",
                                      "admission_date", "age", "zip", "sex", "diagnosis"]
    assert patients["zip"].str.len().eq(5).all() and (patients["age"] > 89).any()
    unique = voters.groupby(["zip", "birth_date", "sex"]).size().eq(1).mean()
    assert unique > 0.9


def test_label_bias_cohort_spends_less_on_black_patients_at_equal_need():
    cohort = make_label_bias_cohort(n=20_000, seed=0)
    assert 0.10 < (cohort["race"] == "Black").mean() < 0.14
    same_need = cohort[cohort["conditions"].between(2, 3)]
    cost = same_need.groupby("race")["cost"].mean()
    assert cost["Black"] < 0.8 * cost["White"]


def test_every_case_argument_is_plain_data():
    for exercise in EXERCISES.values():
        for case in exercise.cases(hidden=True):
            to_plain(case.args)
            to_plain(case.kwargs)


def _solution_lines():
    lines = set()
    for path in sorted((ROOT / "solutions" / CHAPTER).glob("*.ipynb")):
        for cell in load(path)["cells"]:
            if cell.get("metadata", {}).get("nbgrader", {}).get("solution") and cell["cell_type"] == "code":
                for line in "".join(cell["source"]).splitlines():
                    norm = re.sub(r"\s+", "", line)
                    if len(norm) >= 12 and not norm.startswith(("#", '"""')):
                        lines.add(norm)
    return lines


def test_no_hint_contains_a_line_of_the_solution():
    lines = _solution_lines()
    for exercise in EXERCISES.values():
        for text in [m.hint for m in exercise.mistakes] + [exercise.advice]:
            norm = re.sub(r"\s+", "", text)
            leaked = [line for line in lines if line in norm]
            assert not leaked, f"{exercise.name}: a hint shows solution lines {leaked}"


def test_deidentify_dicom_summary_sees_a_changed_input_and_nested_private_tags():
    from medai.autograder.exercises.ethics.dicom import load_case_dataset

    exercise = EXERCISES["deidentify_dicom"]
    case = exercise.cases()[1]
    ds = load_case_dataset(*case.args)
    nested = [e for e in ds.iterall() if e.tag.is_private]
    assert len(nested) == 4  # two private blocks (creator + value), two sequences deep
    expected = exercise.call(ref("deidentify_dicom"), case)
    assert expected["input_unchanged"] and expected["private_tags"] == 0
    assert expected["patient_id"] == "ANON" and expected["pixel_data_sha256"] is None
