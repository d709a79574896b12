"""Chapter 08_drug_discovery: molecules as data, drug-likeness, fingerprints and similarity,
chemical space, target prediction, QSAR and greedy optimisation, on molecules RDKit ships."""

from . import basics, design, similarity, space
from ._shared import CHAPTER

EXERCISES = basics.EXERCISES + similarity.EXERCISES + space.EXERCISES + design.EXERCISES
warm_worker = design.warm_worker

__all__ = ["CHAPTER", "EXERCISES", "warm_worker"]
