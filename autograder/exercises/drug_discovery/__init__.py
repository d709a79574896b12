"""Chapter 08_drug_discovery: molecules as data, drug-likeness, fingerprints and similarity,
chemical space, target prediction, QSAR and greedy optimisation, on molecules RDKit ships."""

from . import basics, design, similarity, space
from ._shared import CHAPTER

EXERCISES = basics.EXERCISES + similarity.EXERCISES + space.EXERCISES + design.EXERCISES

__all__ = ["CHAPTER", "EXERCISES"]
