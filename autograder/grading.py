"""Grading one function: run the cases, judge each output against the reference, diagnose known
mistakes, and score. Used in-process by notebooks and, across a process boundary, by the CLI."""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from .bundle import BundleError
from .execution import Outcome, quiet_stdio, run_cases
from .reference import ReferenceNotFoundError
from .registry import Case, Exercise, get_exercise
from .truth import TRUTH

Status = Literal["passed", "partial", "failed", "error", "missing"]
CaseKind = Literal["passed", "wrong", "mutated", "error", "timeout", "skipped", "not_implemented"]


@dataclass
class CaseResult:
    label: str
    passed: bool
    message: str = ""
    kind: CaseKind = "passed"
    about_values: bool = False  # wrong in its values only (right type and shape)


@dataclass
class ExerciseResult:
    """The grade of one exercise.

    ``messages`` holds the diagnoses of known mistakes first, then what went wrong case by case;
    none of it reveals hidden inputs or reference code.
    """

    name: str
    points: float
    max_points: float
    passed_cases: int
    total_cases: int
    messages: list[str] = field(default_factory=list)
    status: Status = "passed"
    cases: list[CaseResult] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    advice: str = ""  # the exercise's "check this first" line, for wrong values with no diagnosis

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "points": self.points,
            "max_points": self.max_points,
            "status": self.status,
            "messages": list(self.messages),
        }


def argument_names(fn: Callable[..., Any]) -> list[str]:
    try:
        return [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
    except (TypeError, ValueError):
        return []


def expected_outputs(chapter: str, exercise: Exercise, cases: list[Case]) -> list[Any]:
    """The reference's outputs on ``cases``: from the solutions, memoised, or the release bundle."""
    return TRUTH.expected(chapter, exercise, cases)


def judge(
    exercise: Exercise,
    cases: list[Case],
    outcomes: list[Outcome],
    expected: list[Any],
    arg_names: list[str],
    public_count: int | None = None,
    chapter: str | None = None,
) -> ExerciseResult:
    """Score ``outcomes`` (one per case) against ``expected`` and diagnose the failures.

    The first ``public_count`` cases are the public ones. A function that passes none of them
    earns nothing even if some hidden cases pass: in a test cell the public check runs first and
    stops the cell, so this keeps ``medai check --hidden`` equal to what nbgrader records.
    Diagnoses need ``chapter`` (the catalogued mistakes' outputs are looked up per case).
    """
    case_results: list[CaseResult] = []
    hints: list[str] = []
    n_public = len(cases) if public_count is None else public_count
    for index, (case, outcome, want) in enumerate(zip(cases, outcomes, expected)):
        if outcome.status != "ok":
            case_results.append(CaseResult(case.label, False, outcome.error, outcome.status))
            continue
        verdict = exercise.compare(outcome.value, want)
        # Values are shown for public cases only: hidden inputs and outputs stay hidden.
        told = verdict.detail if (index < n_public and verdict.detail) else verdict.message
        verdict_message = _name_outputs(told, exercise.output_names)
        if outcome.mutated:
            case_results.append(CaseResult(case.label, False,
                                           _mutation_message(outcome.mutated, case, arg_names),
                                           "mutated"))
        elif verdict:
            case_results.append(CaseResult(case.label, True))
            continue
        else:
            case_results.append(CaseResult(case.label, False, verdict_message, "wrong",
                                           about_values=verdict.values))
        if verdict or chapter is None:  # right output, but the input was modified: no mistake applies
            continue
        for hint in diagnose(chapter, exercise, index, case, outcome.value, want):
            if hint not in hints:
                hints.append(hint)

    passed = sum(r.passed for r in case_results)
    total = len(case_results)
    points = round(exercise.points * passed / total, 2) if total else 0.0
    if passed and not points:
        points = 0.01
    if public_count is not None and not any(r.passed for r in case_results[:public_count]):
        points = 0.0
    status: Status
    if passed == total:
        status = "passed"
    elif points:
        status = "partial"
    elif any(o.status in ("error", "timeout", "skipped") for o in outcomes):
        status = "error"
    else:
        status = "failed"
    failures = [f"{r.label}: {r.message}" for r in case_results if not r.passed]
    if all(o.status == "not_implemented" for o in outcomes) and outcomes:
        failures = [outcomes[0].error]
    return ExerciseResult(
        name=exercise.name,
        points=points,
        max_points=float(exercise.points),
        passed_cases=passed,
        total_cases=total,
        messages=[f"Hint: {h}" for h in hints] + failures,
        status=status,
        cases=case_results,
        hints=hints,
        advice=exercise.advice,
    )


def _mutation_message(mutated: list[str], case: Case, arg_names: list[str]) -> str:
    """What was modified in place, and how to avoid it for that kind of argument."""
    names = ", ".join(f"`{n}`" for n in mutated)
    given = dict(zip(arg_names, case.args)) | dict(case.kwargs)
    kinds = {type(given.get(n)).__name__ for n in mutated}
    if kinds & {"list", "tuple"}:
        how = ("copy what you change: for a list of arrays, `[a.copy() for a in xs]` (a list's own "
               "`.copy()` copies the list, not the arrays inside it)")
    elif kinds & {"dict"}:
        how = "copy what you change (`copy.deepcopy(d)` copies the values inside a dict too)"
    elif kinds & {"DataFrame", "Series"}:
        how = "work on a copy (`df = df.copy()`) or build a new table"
    else:
        how = "work on a copy (`x = x.copy()`) or build a new array"
    return (f"your function modified its input {names} in place; the caller's data must be "
            f"left untouched: {how}")


def _name_outputs(message: str, names: tuple[str, ...]) -> str:
    """"item 1 of your output" -> "`Z_test` (item 1 of your output)" when the outputs have names."""
    for i, name in enumerate(names):
        message = message.replace(f"item {i} of your output", f"`{name}` (item {i} of your output)")
    return message


def has_finite_value(value: Any) -> bool:
    """Whether ``value`` holds anything but NaN/inf: a mistake whose output is all NaN or inf
    cannot be told apart from any other computation that fails, so it never explains one."""
    if isinstance(value, (bool, np.bool_, str)) or value is None:
        return True
    if isinstance(value, (int, float, np.number)):
        return bool(np.isfinite(value))
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "fc":
            return True
        return value.size == 0 or bool(np.isfinite(value).any())
    if isinstance(value, (list, tuple)):
        return not value or any(has_finite_value(v) for v in value)
    if isinstance(value, dict):
        return not value or any(has_finite_value(v) for v in value.values())
    if hasattr(value, "to_numpy"):  # pandas
        try:
            return has_finite_value(np.asarray(value.to_numpy(), dtype=float))
        except (TypeError, ValueError):
            return True
    return True


def diagnose(chapter: str, exercise: Exercise, index: int, case: Case, got: Any,
             expected: Any = None) -> list[str]:
    """The hints of every catalogued mistake whose output on case ``index`` equals ``got``.

    A mistake is skipped where its output has no finite value (a NaN coincidence), or equals the
    expected output (it cannot explain a wrong one)."""
    hints = []
    with warnings.catch_warnings(), np.errstate(all="ignore"), quiet_stdio():
        warnings.simplefilter("ignore")
        for mistake in exercise.mistakes:
            mistaken = TRUTH.mistake_output(chapter, exercise, mistake, index, case)
            if mistaken is TRUTH.solutions.NOT_APPLICABLE or not has_finite_value(mistaken):
                continue
            try:
                if expected is not None and exercise.compare(mistaken, expected):
                    continue
                if exercise.compare(got, mistaken):
                    hints.append(mistake.hint)
            except Exception:  # a comparison that cannot take a mistake's output
                continue
    return hints


def missing_result(exercise: Exercise, message: str, status: Status = "missing") -> ExerciseResult:
    return ExerciseResult(
        name=exercise.name,
        points=0.0,
        max_points=float(exercise.points),
        passed_cases=0,
        total_cases=0,
        messages=[message],
        status=status,
    )


def grade_function(
    chapter: str, name: str, fn: Callable[..., Any], hidden: bool = False
) -> ExerciseResult:
    """Grade the learner's ``fn`` as exercise ``name`` of ``chapter``. Pure: prints nothing."""
    exercise = get_exercise(chapter, name)
    if not callable(fn):
        return missing_result(
            exercise,
            f"`{name}` should be a function; got {type(fn).__name__}. Run the cell that defines it.",
        )
    cases = exercise.cases(hidden=hidden)
    try:
        expected = expected_outputs(chapter, exercise, cases)
        names = TRUTH.argument_names(chapter, name)
    except (ReferenceNotFoundError, BundleError) as exc:
        return missing_result(exercise, str(exc), status="error")
    with warnings.catch_warnings(), np.errstate(all="ignore"), quiet_stdio():
        warnings.simplefilter("ignore")
        outcomes = run_cases(exercise.apply, fn, [(c.args, c.kwargs) for c in cases], names,
                             exercise.time_limit)
    return judge(exercise, cases, outcomes, expected, names, exercise.public_count(), chapter)
