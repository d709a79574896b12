"""Every catalogued mistake earns less than full marks with the diagnosis it deserves; every
alternative correct implementation earns full marks; every stub earns nothing."""

from __future__ import annotations

import pytest

from medai.autograder import grade_function
from tests.helpers import chapters, define, exercises
from tests.mutants import catalogue_modules

MODULES = {m.CHAPTER: m for m in catalogue_modules()}


def _trains(chapter: str, exercise: str) -> bool:
    """Model exercises train on every check: their catalogue is slow (not in `make test-fast`)."""
    registry = exercises(chapter)
    return exercise in registry and registry[exercise].bundled_reference


def _params(entries, kind):
    return [pytest.param(c, x, id=f"{c}-{x.exercise}-{getattr(x, kind)}",
                         marks=[pytest.mark.slow] if _trains(c, x.exercise) else [])
            for c, x in entries]


MUTANTS = _params([(m.CHAPTER, x) for m in MODULES.values() for x in m.MUTANTS], "mistake")
ALTERNATIVES = _params([(m.CHAPTER, x) for m in MODULES.values() for x in m.ALTERNATIVES],
                       "approach")


@pytest.mark.parametrize("chapter,mutant", MUTANTS)
def test_mutant_loses_points_with_its_diagnosis(chapter, mutant):
    """On the public cases already (what the learner sees in the notebook), then with the hidden
    ones (what grading gives): a mistake never meets "Well done." and loses points later."""
    fn = define(chapter, mutant.source, mutant.exercise)
    scopes = (True,) if mutant.hidden_only else (False, True)
    for hidden in scopes:
        result = grade_function(chapter, mutant.exercise, fn, hidden=hidden)
        scope = "with the hidden cases" if hidden else "on the public cases"
        assert result.points < result.max_points, f"{mutant.mistake} earned full marks {scope}"
        feedback = "\n".join(result.messages)
        assert mutant.diagnosis in feedback, (
            f"{scope}, the feedback for '{mutant.mistake}' lacks {mutant.diagnosis!r}:\n{feedback}"
        )


@pytest.mark.parametrize("chapter,alternative", ALTERNATIVES)
def test_alternative_earns_full_marks(chapter, alternative):
    fn = define(chapter, alternative.source, alternative.exercise)
    result = grade_function(chapter, alternative.exercise, fn, hidden=True)
    assert result.points == result.max_points, "\n".join(result.messages)


@pytest.mark.parametrize("chapter", chapters())
def test_catalogue_covers_every_exercise(chapter):
    assert chapter in MODULES, f"tests/mutants has no catalogue for {chapter}"
    module = MODULES[chapter]
    for name in exercises(chapter):
        mutants = [m for m in module.MUTANTS if m.exercise == name]
        alternatives = [a for a in module.ALTERNATIVES if a.exercise == name]
        assert len(mutants) >= 4, f"{name}: {len(mutants)} catalogued mistakes, need at least 4"
        assert alternatives, f"{name}: no alternative correct implementation"


@pytest.mark.parametrize("chapter", chapters())
def test_stub_earns_nothing_and_says_so(chapter):
    for name in exercises(chapter):
        stub = define(chapter, f"def {name}(*args, **kwargs):\n    raise NotImplementedError()\n",
                      name)
        # A model exercise's hidden cases would train the reference first: public ones suffice.
        result = grade_function(chapter, name, stub, hidden=not _trains(chapter, name))
        assert result.points == 0
        assert result.messages == [
            "not implemented yet: replace `raise NotImplementedError()` with your code"
        ]
