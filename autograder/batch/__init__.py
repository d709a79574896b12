"""``medai grade``: many submissions of one chapter, each in its own sandbox, graded by parallel
processes, resumable, shardable across machines, with a CSV, per-student feedback and a class
summary. One module per question: which submissions (``submissions``), how a batch runs
(``orchestrate``), what one result is (``result``), what the instructor gets (``outputs``), and
nbgrader's gradebook (``gradebook``)."""

from .gradebook import write_gradebook
from .orchestrate import BatchGrader, grader_version, preload_modules
from .outputs import merge, write_outputs
from .result import ExerciseRecord, SubmissionResult
from .submissions import GradeUsageError, Submission, discover, parse_shard, shard_of

__all__ = [
    "BatchGrader",
    "ExerciseRecord",
    "GradeUsageError",
    "Submission",
    "SubmissionResult",
    "discover",
    "grader_version",
    "merge",
    "parse_shard",
    "preload_modules",
    "shard_of",
    "write_gradebook",
    "write_outputs",
]
