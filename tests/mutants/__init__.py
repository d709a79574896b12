"""The catalogue of student mistakes and of alternative correct implementations.

One module per chapter (``ch00_welcome.py`` ...), each defining ``CHAPTER``, ``MUTANTS`` and
``ALTERNATIVES``. Every entry is source code as a learner would type it in the exercise cell, so
the same entries can be graded in-process, written into notebooks for ``medai check`` and
``nbgrader autograde``, and used as a corpus by ``medai grade``. The names of the chapter's import
cell (``np``, ``pd``...) are available to the source.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    """A mistake students make. It must earn less than full marks, and the feedback must contain
    ``diagnosis`` (a substring of the hint that mistake deserves), on the public cases already
    (what a learner sees in the notebook) and with the hidden cases (what grading gives).

    ``hidden_only`` is for the rare mistake that no public case can reveal: the reason why. Such a
    mutant is held to losing points with the hidden cases only."""

    exercise: str
    mistake: str
    source: str
    diagnosis: str
    hidden_only: str = ""


@dataclass(frozen=True)
class Alternative:
    """A different correct implementation (loops, other libraries). It must earn full marks."""

    exercise: str
    approach: str
    source: str


def catalogue_modules():
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("ch"):
            yield importlib.import_module(f"{__name__}.{info.name}")
