"""What grading one submission gives, typed: the record written to results/KEY.json, read back by
resumption and by ``medai grade merge``."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..grading import ExerciseResult, Status
from ..report import exercise_report


@dataclass
class ExerciseRecord:
    name: str
    points: float
    max_points: float
    status: Status
    messages: list[str]
    hints: list[str]
    report: str
    passed_cases: int
    total_cases: int

    @classmethod
    def of(cls, result: ExerciseResult) -> ExerciseRecord:
        return cls(result.name, result.points, result.max_points, result.status,
                   list(result.messages), list(result.hints), exercise_report(result, hidden=True),
                   result.passed_cases, result.total_cases)

    @classmethod
    def missing(cls, name: str, max_points: float, message: str) -> ExerciseRecord:
        return cls(name, 0.0, max_points, "missing", [message], [],
                   f"{name}: 0 of {max_points:g} points. {message}", 0, 0)


@dataclass
class SubmissionResult:
    """One submission graded. ``ran`` is False when no run of its notebook reached grading;
    ``seconds`` is the wall time of the sandboxed run(s), ``judge_seconds`` the trusted grading
    process's own time (planning, judging, diagnosing, feedback)."""

    student: str
    notebook: str
    chapter: str
    fingerprint: str
    ran: bool
    total: float
    max_total: float
    notes: list[str] = field(default_factory=list)
    exercises: list[ExerciseRecord] = field(default_factory=list)
    seconds: float = 0.0
    judge_seconds: float = 0.0
    feedback_md: str = ""
    feedback_html: str = ""

    def points(self) -> dict[str, float]:
        return {e.name: e.points for e in self.exercises}

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SubmissionResult:
        data = dict(data)
        data["exercises"] = [ExerciseRecord(**e) for e in data.get("exercises", [])]
        return cls(**data)
