"""Which submissions a batch grades: nbgrader's submitted/ tree or a flat folder, and, with
``--shard K/N``, the deterministic share of them that one machine grades."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


class GradeUsageError(Exception):
    """The command cannot run as asked (wrong folder, unknown chapter, bad --shard)."""


@dataclass(frozen=True)
class Submission:
    student: str
    path: Path

    @property
    def key(self) -> str:
        """Names its result file; stable across runs, machines and shards."""
        return f"{self.student}__{self.path.stem}"


def discover(root: Path, chapter: str) -> list[Submission]:
    """nbgrader's ``submitted/`` tree (student/chapter/notebook.ipynb) or a flat folder of
    notebooks (student id = file stem)."""
    if not root.is_dir():
        raise GradeUsageError(f"{root} is not a folder; expected nbgrader's submitted/ folder "
                              "or a folder of notebooks")
    flat = sorted(p for p in root.glob("*.ipynb") if p.is_file())
    tree = sorted(p for p in root.glob(f"*/{chapter}/*.ipynb") if p.is_file()
                  and ".ipynb_checkpoints" not in p.parts)
    subs = [Submission(p.parent.parent.name, p) for p in tree]
    subs += [Submission(p.stem, p) for p in flat]
    if not subs:
        raise GradeUsageError(
            f"no submissions found in {root}: expected {root}/STUDENT/{chapter}/NOTEBOOK.ipynb "
            f"(nbgrader's submitted/ tree) or {root}/STUDENT.ipynb")
    return subs


def parse_shard(text: str) -> tuple[int, int]:
    """``"K/N"`` -> (K, N), 1 <= K <= N."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise GradeUsageError(f"--shard takes K/N with 1 <= K <= N (e.g. 2/8); got {text!r}")
    return int(match.group(1)), int(match.group(2))


def shard_of(submission: Submission, count: int) -> int:
    """The shard (1..count) a submission belongs to: a hash of the student and the notebook's
    name, so the same submission lands in the same shard on every machine and every rerun."""
    digest = hashlib.sha256(f"{submission.student}/{submission.path.name}".encode()).hexdigest()
    return int(digest[:12], 16) % count + 1


def select_shard(submissions: list[Submission], shard: tuple[int, int] | None) -> list[Submission]:
    if shard is None:
        return submissions
    k, n = shard
    return [s for s in submissions if shard_of(s, n) == k]
