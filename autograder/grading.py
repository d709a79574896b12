"""Grading one function: run the cases, judge each output against the reference, diagnose known
mistakes, and score. Used in-process by notebooks and, across a process boundary, by the CLI."""

from __future__ import annotations

import copy
import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .execution import Outcome, quiet_stdio, run_cases
from .reference import reference_function
from .registry import Case, Exercise, get_exercise


@dataclass
class CaseResult:
    label: str
    passed: bool
    message: str = ""
    kind: str = "passed"  # passed | wrong | mutated | error | timeout | skipped | not_implemented


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
    status: str = "passed"  # passed | partial | failed | error | missing
    cases: list[CaseResult] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)

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
    reference = reference_function(chapter, exercise.name)
    outputs = []
    with warnings.catch_warnings(), np.errstate(all="ignore"), quiet_stdio():
        warnings.simplefilter("ignore")
        for case in cases:
            outputs.append(exercise.call(reference, copy.deepcopy(case)))
    return outputs


def judge(
    exercise: Exercise,
    cases: list[Case],
    outcomes: list[Outcome],
    expected: list[Any],
    arg_names: list[str],
    public_count: int | None = None,
) -> ExerciseResult:
    """Score ``outcomes`` (one per case) against ``expected`` and diagnose the failures.

    The first ``public_count`` cases are the public ones. A function that passes none of them
    earns nothing even if some hidden cases pass: in a test cell the public check runs first and
    stops the cell, so this keeps ``medai check --hidden`` equal to what nbgrader records.
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
            names = ", ".join(f"`{n}`" for n in outcome.mutated)
            case_results.append(CaseResult(
                case.label,
                False,
                f"your function modified its input {names} in place; the caller's data must be "
                "left untouched: work on a copy (`x = x.copy()`) or build a new array",
                "mutated",
            ))
        elif verdict:
            case_results.append(CaseResult(case.label, True))
            continue
        else:
            case_results.append(CaseResult(case.label, False, verdict_message, "wrong"))
        if verdict:  # right output, but the input was modified: no mistake model applies
            continue
        for hint in diagnose(exercise, case, outcome.value):
            if hint not in hints:
                hints.append(hint)

    passed = sum(r.passed for r in case_results)
    total = len(case_results)
    points = round(exercise.points * passed / total, 2) if total else 0.0
    if passed and not points:
        points = 0.01
    if public_count is not None and not any(r.passed for r in case_results[:public_count]):
        points = 0.0
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
    )


def _name_outputs(message: str, names: tuple[str, ...]) -> str:
    """"item 1 of your output" -> "`Z_test` (item 1 of your output)" when the outputs have names."""
    for i, name in enumerate(names):
        message = message.replace(f"item {i} of your output", f"`{name}` (item {i} of your output)")
    return message


def diagnose(exercise: Exercise, case: Case, got: Any) -> list[str]:
    """The hints of every catalogued mistake whose output on ``case`` equals ``got``."""
    hints = []
    with warnings.catch_warnings(), np.errstate(all="ignore"), quiet_stdio():
        warnings.simplefilter("ignore")
        for mistake in exercise.mistakes:
            c = copy.deepcopy(case)
            try:
                mistaken = exercise.call(mistake.implementation, c)
            except Exception:  # a mistake model may not apply to every case
                continue
            if exercise.compare(got, mistaken):
                hints.append(mistake.hint)
    return hints


def missing_result(exercise: Exercise, message: str) -> ExerciseResult:
    return ExerciseResult(
        name=exercise.name,
        points=0.0,
        max_points=float(exercise.points),
        passed_cases=0,
        total_cases=0,
        messages=[message],
        status="missing",
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
    expected = expected_outputs(chapter, exercise, cases)
    names = argument_names(reference_function(chapter, name))
    with warnings.catch_warnings(), np.errstate(all="ignore"), quiet_stdio():
        warnings.simplefilter("ignore")
        outcomes = run_cases(exercise.apply, fn, [(c.args, c.kwargs) for c in cases], names,
                             exercise.time_limit)
    return judge(exercise, cases, outcomes, expected, names, exercise.public_count())
