"""Unit behaviour of the autograder core: comparisons, learner-code execution, the notebook
Grader's contract with nbgrader (partial credit, nothing on stderr), the plain-data boundary."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pandas as pd
import pytest

from medai.autograder import CheckFailed, Grader, grade_function
from medai.autograder.compare import allclose
from medai.autograder.execution import (
    describe_exception,
    run_case,
    run_cases,
    shared_between_cases,
)
from medai.autograder.plain import NotPlainDataError, to_plain
from medai.autograder.registry import UnknownChapterError, UnknownExerciseError, get_exercise
from tests.helpers import define

close = allclose(rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("got,expected,fragment", [
    (np.zeros((3, 4)), np.zeros((4, 3)), "wrong shape: got (3, 4), expected (4, 3)"),
    ([1.0, 2.0], np.array([1.0, 2.0]), "should be a NumPy array of shape (2,); got list"),
    (np.array([1, 2]), np.array([1.0, 2.0]), "integer values (dtype int64); expected floating-point"),
    (np.array([1.0, 2.5, 3.0]), np.array([1.0, 2.0, 3.0]),
     "wrong values at 1 of 3 positions, first at index 1"),
    (np.array([np.nan, 1.0]), np.array([0.0, 1.0]), "(some of yours are NaN)"),
    (np.array([np.inf, 1.0]), np.array([0.0, 1.0]), "infinite"),
    (0.5, 0.25, "is not the expected value"),
    (np.array([0.5]), 0.5, "should be a single number; got an array of shape (1,)"),
    ("0.5", 0.5, "should be a number; got str"),
    (True, 1.0, "should be a number; got bool"),
    ((np.zeros(2),), (np.zeros(2), np.zeros(2)), "should have 2 items; got 1"),
    ({"tp": 1}, {"tp": 1, "fp": 0}, "missing the key(s) 'fp'"),
    (np.zeros(2), (np.zeros(2), 1.0), "should be a tuple of 2 items"),
])
def test_comparison_says_what_differs(got, expected, fragment):
    verdict = close(got, expected)
    assert not verdict
    assert fragment in verdict.message


@pytest.mark.parametrize("got,expected", [
    (np.array([np.nan, 1.0]), np.array([np.nan, 1.0])),
    (np.float32(0.5), 0.5),
    (1, 1.0),
    (np.array(2.0), 2.0),
    ([np.ones(2), 3.0], (np.ones(2), 3.0)),
    (np.array([1, 2], dtype=np.int32), np.array([1, 2], dtype=np.int64)),
    (pd.DataFrame({"a": [1.0]}), pd.DataFrame({"a": [1.0]})),
])
def test_comparison_accepts_equivalent_outputs(got, expected):
    assert close(got, expected), close(got, expected).message


def test_values_are_only_in_the_detail():
    verdict = close(0.5, 0.25)
    assert "0.5" not in verdict.message and "off by 0.25" in verdict.detail
    verdict = close(np.array([1.0, 3.0]), np.array([1.0, 2.0]))
    assert "largest difference" not in verdict.message and "largest difference 1" in verdict.detail


def test_hidden_case_feedback_reveals_no_values():
    fn = define("00_welcome", "def malignancy_prevalence(labels):\n    return 0.5\n",
                "malignancy_prevalence")
    result = grade_function("00_welcome", "malignancy_prevalence", fn, hidden=True)
    n_public = get_exercise("00_welcome", "malignancy_prevalence").public_count()
    public, hidden = result.cases[:n_public], result.cases[n_public:]
    assert all("which is off by" in c.message for c in public if not c.passed)
    assert all("off by" not in c.message and "0." not in c.message for c in hidden if not c.passed)


def test_tolerance_is_relative_and_absolute():
    assert close(np.array([1e6 + 0.5]), np.array([1e6]))
    assert not close(np.array([1e-3]), np.array([0.0]))


def _call(fn, *args, **kwargs):
    return fn(*args, **kwargs)


def test_mutated_input_is_reported_and_the_callers_data_is_untouched():
    x = np.arange(4.0)

    def scale(v):
        v *= 2
        return v

    outcome = run_case(_call, scale, (x,), {}, ["values"], 5)
    assert outcome.mutated == ["values"]
    np.testing.assert_array_equal(x, np.arange(4.0))


def test_endless_loop_is_stopped_and_even_a_broad_except_cannot_swallow_it():
    def stubborn(v):
        while True:
            try:
                while True:
                    pass
            except Exception:
                pass

    outcome = run_case(_call, stubborn, (1,), {}, ["v"], 0.5)
    assert outcome.status == "timeout" and "0.5 s" in outcome.error


def test_the_cases_of_one_run_share_a_dict_and_two_runs_share_nothing():
    """An exercise's ``invoke`` may keep what its cases share (chapter 04's trained model) in
    ``shared_between_cases()``: one dict for the cases of one ``run_cases`` call, a new one for
    the next call (a learner who edits a global and checks again is never told a stale result),
    and none outside."""
    seen = []

    def invoke(fn, x):
        shared = shared_between_cases()
        seen.append(id(shared))
        shared.setdefault("calls", []).append(x)
        return fn(len(shared["calls"]))

    first = run_cases(invoke, lambda n: n, [((1,), {}), ((2,), {}), ((3,), {})], ["x"], 5.0)
    assert [o.value for o in first] == [1, 2, 3] and len(set(seen)) == 1
    second = run_cases(invoke, lambda n: n, [((1,), {})], ["x"], 5.0)
    assert second[0].value == 1 and seen[-1] != seen[0]
    assert shared_between_cases() is not shared_between_cases()  # outside a run: nothing kept


def test_sys_exit_in_learner_code_is_an_error_not_an_exit():
    import sys

    outcome = run_case(_call, lambda: sys.exit(3), (), {}, [], 5)
    assert outcome.status == "error" and "sys.exit" in outcome.error


def test_error_message_names_the_learners_line_and_the_library():
    import linecache

    src = "def f(x):\n    y = x + 1\n    return np.dot(y, np.ones(5))\n"
    name = "<ipython-input-7-0123456789ab>"
    linecache.cache[name] = (len(src), None, src.splitlines(True), name)  # as IPython does
    namespace = {"np": np}
    exec(compile(src, name, "exec"), namespace)
    try:
        namespace["f"](np.ones(3))
    except ValueError as exc:
        message = describe_exception(exc)
    assert message.startswith("ValueError: shapes (3,) and (5,) not aligned")
    assert "line 3 of your code: `return np.dot(y, np.ones(5))`" in message
    assert "grading" not in message


def test_check_returns_points_as_plain_text_and_writes_nothing_to_stderr(capfd):
    source = '''
def standardize_with_training_stats(X_train, X_test):
    import warnings, sys
    warnings.warn("a learner's own warning")
    print("debug output", file=sys.stderr)
    m, s = X_train.mean(0), X_train.std(0)
    return (X_train - m) / s, (X_test - m) / s
'''
    fn = define("00_welcome", source, "standardize_with_training_stats")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning escaping the check would raise here
        result = Grader("00_welcome").check(fn, hidden=True)
    out, err = capfd.readouterr()
    assert err == ""
    assert repr(result) == "1.6" and float(result) == 1.6  # 8 of 10 cases: not the constant column
    assert "standard deviation 0" in out


def test_in_place_modification_gets_no_unrelated_hints():
    source = '''
def standardize_with_training_stats(X_train, X_test):
    m, s = X_train.mean(0), X_train.std(0)
    s[s == 0] = 1
    X_train -= m
    X_train /= s
    return X_train, (X_test - m) / s
'''
    fn = define("00_welcome", source, "standardize_with_training_stats")
    result = grade_function("00_welcome", "standardize_with_training_stats", fn, hidden=True)
    assert result.points == 0 and result.hints == []
    assert all(c.kind == "mutated" for c in result.cases)


def test_check_raises_with_the_report_when_nothing_passes():
    fn = define("00_welcome",
                "def malignancy_prevalence(labels):\n    return float(np.mean(np.asarray(labels) == 0))\n",
                "malignancy_prevalence")
    with pytest.raises(AssertionError, match="benign"):
        Grader("00_welcome").check(fn)


def test_a_failed_check_renders_the_report_not_the_graders_frames():
    fn = define("00_welcome",
                "def malignancy_prevalence(labels):\n    return float(np.mean(np.asarray(labels) == 0))\n",
                "malignancy_prevalence")
    with pytest.raises(CheckFailed) as caught:
        Grader("00_welcome").check(fn)
    shown = "\n".join(caught.value._render_traceback_())  # what IPython displays
    assert "share of *benign* cases" in shown and "0 of 1 points" in shown
    assert "grader.py" not in shown and "raise" not in shown
    assert isinstance(caught.value, AssertionError)  # nbgrader records an error: 0 points


def test_check_refuses_what_is_not_an_exercise():
    with pytest.raises(AssertionError, match="not a graded exercise of chapter 00_welcome"):
        Grader("00_welcome").check(print)
    with pytest.raises(AssertionError, match="expects one of your exercise functions"):
        Grader("00_welcome").check(42)


def test_unknown_names_are_clear():
    with pytest.raises(UnknownChapterError, match="the chapters with graded exercises are: 00_welcome"):
        Grader("0_welcome")
    with pytest.raises(UnknownExerciseError, match="its exercises are: malignancy_prevalence"):
        get_exercise("00_welcome", "prevalence")


def test_grade_function_is_pure_and_deterministic(capsys):
    fn = define("00_welcome", "def mean_by_diagnosis(X, y):\n    return X.mean(0)\n",
                "mean_by_diagnosis")
    first = grade_function("00_welcome", "mean_by_diagnosis", fn, hidden=True)
    second = grade_function("00_welcome", "mean_by_diagnosis", fn, hidden=True)
    assert capsys.readouterr() == ("", "")
    n_cases = len(get_exercise("00_welcome", "mean_by_diagnosis").cases(hidden=True))
    assert first.messages == second.messages and first.total_cases == second.total_cases == n_cases


def test_non_callable_is_reported_as_missing():
    result = grade_function("00_welcome", "mean_by_diagnosis", None)
    assert result.status == "missing" and result.points == 0


@pytest.mark.parametrize("value", [
    np.arange(6.0).reshape(2, 3), (1, 2.5, "x"), {"tp": np.int64(3)}, [np.nan, np.inf],
    pd.DataFrame({"patient": ["a", "b"], "age": [40, 50]}), pd.Series([1.0, 2.0], name="x"),
    np.bool_(True), None,
])
def test_plain_data_round_trips(value):
    back = to_plain(value)
    assert close(back, value) or (value is None and back is None)


class Sneaky(np.ndarray):
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value,fragment", [
    (object(), "builtins.object, which cannot be graded"),
    (np.array([object()]), "dtype object"),
    (lambda x: x, "cannot be graded"),
])
def test_only_plain_data_crosses(value, fragment):
    with pytest.raises(NotPlainDataError, match=fragment):
        to_plain(value)


def test_ndarray_subclass_becomes_a_plain_array():
    sneaky = np.zeros(3).view(Sneaky)
    back = to_plain(sneaky)
    assert type(back) is np.ndarray
    assert not close(back, np.ones(3))


def _pass_mark_exercises():
    from medai.autograder.registry import CHAPTERS, chapter_exercises

    return [(chapter, exercise) for chapter in CHAPTERS
            for exercise in chapter_exercises(chapter).values() if exercise.judged_by_pass_mark]


def test_pass_mark_exercises_judge_hidden_cases_without_the_reference(monkeypatch):
    """A model exercise judged by a pass mark needs the reference's figure only to decorate a
    failing message: the truth never trains the reference on a hidden case (a training of seconds
    per case in every batch), and the comparison says nothing about the reference there."""
    from medai.autograder import truth as truth_module
    from medai.autograder.truth import TRUTH

    found = _pass_mark_exercises()
    assert {e.name for _, e in found} >= {"build_xray_classifier", "build_rhythm_classifier",
                                          "build_report_classifier", "build_qsar_model",
                                          "build_survival_model"}
    trained = []
    monkeypatch.setattr(truth_module.SolutionsTruth, "expected",
                        lambda self, chapter, exercise, cases, start=0: trained.append(
                            (exercise.name, start, len(cases))) or [{"stand-in": 1}] * len(cases))
    monkeypatch.setattr(TRUTH.bundle, "expected", lambda chapter, exercise, cases: [
        {"stand-in": 0}] * len(cases))
    for chapter, exercise in found:
        cases = exercise.cases(hidden=True)
        n_public = exercise.public_count()
        assert len(cases) > n_public
        expected = TRUTH.expected(chapter, exercise, cases)
        assert expected[:n_public] == [{"stand-in": 0}] * n_public
        assert expected[n_public:] == [None] * (len(cases) - n_public)
    assert [t for t in trained if t[2]] == []  # no case ran: public outputs are the bundle's


@pytest.mark.parametrize("key,got", [("auc", {"auc": 0.3, "spread": 0.5, "distinct": 50}),
                                     ("accuracy", {"accuracy": 0.1, "recall": [0.1] * 5}),
                                     ("spearman", {"spearman": 0.05, "n_test": 40}),
                                     ("c_index", {"c_index": 0.45, "distinct_risks": 30})])
def test_a_failing_pass_mark_message_names_the_reference_only_where_it_is_known(key, got):
    for _, exercise in _pass_mark_exercises():
        probe = exercise.compare(dict(got), {key: 0.91})
        if probe.message.startswith("the ") and "returned" in probe.message:
            continue  # this exercise reports another figure
        assert not probe and "0.91" in probe.message, (exercise.name, probe.message)
        hidden = exercise.compare(dict(got), None)
        assert not hidden and "pass mark" in hidden.message
        assert "reference" not in hidden.message, (exercise.name, hidden.message)
        break
    else:
        pytest.fail(f"no pass-mark exercise reports {key}")


def test_the_reference_namespace_imports_a_heavy_module_only_when_a_reference_uses_it(
        tmp_path, monkeypatch):
    """``import keras`` in a solutions notebook's import cell binds a stand-in: chapter 04's grading
    truth needs Keras for none of the exercises it computes, and importing it costs about 2 s of
    CPU. The module is imported on first attribute access; ``from ... import`` runs as written."""
    import sys

    from medai.autograder import reference

    (tmp_path / "medai_heavy_probe.py").write_text("VALUE = 42\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(reference, "LAZY_MODULES", frozenset({"medai_heavy_probe"}))
    monkeypatch.delitem(sys.modules, "medai_heavy_probe", raising=False)
    namespace = {"__medai_lazy__": reference.LazyModule}
    exec(reference._lazy_import_cell("import os\nimport medai_heavy_probe as probe\n", "<cell>"),
         namespace)
    assert "medai_heavy_probe" not in sys.modules and namespace["os"] is os
    assert isinstance(namespace["probe"], reference.LazyModule)
    assert namespace["probe"].VALUE == 42  # first use: imported now
    assert sys.modules["medai_heavy_probe"].VALUE == 42 and "VALUE" in dir(namespace["probe"])
    monkeypatch.delitem(sys.modules, "medai_heavy_probe")
    exec(reference._lazy_import_cell("from medai_heavy_probe import VALUE\n", "<cell>"), namespace)
    assert "medai_heavy_probe" in sys.modules and namespace["VALUE"] == 42


@pytest.mark.slow
def test_chapter_04s_grading_truth_does_not_import_tensorflow():
    """In a fresh interpreter, the grading truth a batch computes for chapter 04 (every expected
    and mistake output, hidden cases included; the classifier's hidden cases are judged by a pass
    mark, so the reference is not trained) leaves Keras and TensorFlow unimported."""
    import subprocess
    import sys

    code = ("import sys, tempfile\n"
            "from pathlib import Path\n"
            "from medai.autograder import bundle\n"
            "bundle.write_chapter('04_imaging', Path(tempfile.mkdtemp()), hidden=True)\n"
            "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, MEDAI_OFFLINE="1"))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split() == ["[]"]
