"""Chapter 02_cnn_math: every mistake detector can fire, and the cases expose what they must."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from medai.autograder.grading import expected_outputs
from medai.autograder.registry import chapter_exercises

CHAPTER = "02_cnn_math"
EXERCISES = chapter_exercises(CHAPTER)
DETECTORS = [(ex, m) for ex in EXERCISES.values() for m in ex.mistakes]


@pytest.mark.parametrize("exercise,mistake", DETECTORS,
                         ids=[f"{e.name}-{m.name}" for e, m in DETECTORS])
def test_every_mistake_differs_from_the_reference_on_some_case(exercise, mistake):
    # A detector whose mistake agrees with the reference on every case can never be shown.
    cases = exercise.cases(hidden=True)
    expected = expected_outputs(CHAPTER, exercise, cases)
    differs = 0
    for case, want in zip(cases, expected):
        try:
            with np.errstate(all="ignore"):
                got = exercise.call(mistake.implementation, copy.deepcopy(case))
        except Exception:  # some mistakes only apply to some shapes
            continue
        differs += not exercise.compare(got, want)
    assert differs, f"{exercise.name}: the mistake '{mistake.name}' matches the reference everywhere"


def test_numerical_gradient_cases_report_an_unrestored_x():
    exercise = EXERCISES["numerical_gradient"]
    case = exercise.cases()[0]
    expected = expected_outputs(CHAPTER, exercise, [case])[0]

    def shifts_x(f, x, h=1e-5):
        grad = np.zeros(x.shape)
        for i in range(x.size):
            x.flat[i] += h
            grad.flat[i] = f(x)
        return grad

    verdict = exercise.compare(exercise.call(shifts_x, copy.deepcopy(case)), expected)
    assert not verdict and "left x changed" in verdict.message
