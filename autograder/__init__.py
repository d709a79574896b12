"""medai.autograder: checks a learner's functions against the course's reference solutions."""

from .grader import CheckFailed, CheckResult, Grader
from .grading import ExerciseResult, grade_function

__all__ = ["CheckFailed", "CheckResult", "ExerciseResult", "Grader", "grade_function"]
