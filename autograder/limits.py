"""The resource limits of a graded submission, defined and applied in one place (the sandbox's
plain child and the warm worker's forked children both call :func:`apply`)."""

from __future__ import annotations

import resource
from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    wall_seconds: float = 300.0
    cpu_seconds: int = 600
    memory_mb: int = 3072
    file_mb: int = 64
    processes: int = 256

    @classmethod
    def for_timeout(cls, wall_seconds: float, memory_mb: int = 3072) -> Limits:
        """``medai grade --timeout S --memory MB``: CPU time may be twice the wall time (two
        threads busy all along), no more."""
        return cls(wall_seconds=wall_seconds, cpu_seconds=int(wall_seconds * 2), memory_mb=memory_mb)


def apply(cpu_seconds: int, memory_mb: int, file_mb: int) -> None:
    """In the child about to run learner code: CPU time, memory, file size; no core dumps."""
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    # RLIMIT_DATA rather than RLIMIT_AS: TensorFlow reserves large address ranges it never uses.
    resource.setrlimit(resource.RLIMIT_DATA, (memory_mb * MB, memory_mb * MB))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_mb * MB, file_mb * MB))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
