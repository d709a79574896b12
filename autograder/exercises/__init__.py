"""The chapters' exercises, one subpackage per chapter."""

from __future__ import annotations

import numpy as np


def read_only(frame: dict) -> dict:
    """``frame`` with its NumPy arrays made read-only: grader-side data computed once per process
    (a warm worker's, before it forks a child per submission) that no learner may change."""
    for array in frame.values():
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return frame
