"""What the drug-discovery exercises share: the chapter id, how an expected ValueError is graded,
and the molecules the cases are made of (real ones from the files RDKit ships)."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ...compare import PASS, Comparison, Verdict, type_name

CHAPTER = "08_drug_discovery"

# Drugs and NCI compounds chosen because each separates a correct rule-of-five count from one
# mistake (the comment says which); SMILES as written by their sources.
ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"
ATORVASTATIN = ("CC(C)c1c(C(=O)Nc2ccccc2)c(-c2ccccc2)c(-c2ccc(F)cc2)n1CC[C@@H](O)C[C@@H](O)"
                "CC(=O)O")  # MolWt 558.6, logP 6.3: two violations
IMATINIB_MESYLATE = ("Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1"
                     ".CS(=O)(=O)O")  # 589.7 with its salt, 493.6 without: one violation
NCI_4715 = "COC1=C(C=C(Br)C=C1)C(C2=C(OC)C=CC(=C2)Br)C(Cl)(Cl)Cl"  # MolWt > 500 >= ExactMolWt
NCI_1891 = "NNC(NN)=NN"  # exactly 5 H-bond donors: > 5 is not violated
NCI_443 = "NCCNCCNCCN"  # 4 donors (NumHDonors) but 6 NH (NHOHCount)
NCI_3140 = "NNC(=O)C(CC(C(=O)NN)C(=O)NN)C(=O)NN"  # NOCount 12, NumHAcceptors fewer
NCI_381 = "CCCCCN(CCCCC)CCCNC1=C2C=C(OC)C=CC2=NC3=C1CCCC3.OP(O)(O)=O"  # phosphate: 2, base alone 1
ERYTHROMYCIN = ("CC[C@@H]1[C@@]([C@@H]([C@H](C(=O)[C@@H](C[C@@]([C@@H]([C@H]([C@@H]([C@H](C(=O)O1)C)"
                "O[C@H]2C[C@@]([C@H]([C@@H](O2)C)O)(C)OC)C)O[C@H]3[C@@H]([C@H](C[C@H](O3)C)N(C)C)O)"
                "(C)O)C)C)O)(C)O")
UNPARSABLE = ("C1CC", "c1cccc1", "CC(C)(C)(C)(C)C")


def raised_value_error(exc: ValueError, must_name: str | None = None) -> dict:
    """The plain record of an expected ValueError: whether the message names the bad input."""
    return {"raised": "ValueError", "names_input": must_name is None or must_name in str(exc)}


def _is_error_record(value: Any) -> bool:
    return isinstance(value, dict) and value.get("raised") == "ValueError"


def call_catching_value_error(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, or the record of the ValueError it raised (names the first
    argument when that is a string, such as a SMILES). RDKit's own log lines are blocked, since
    anything written to stderr in a notebook's check cell costs the cell its points in nbgrader."""
    from rdkit import rdBase

    try:
        with rdBase.BlockLogs():
            return fn(*args, **kwargs)
    except ValueError as exc:
        return raised_value_error(exc, args[0] if args and isinstance(args[0], str) else None)


def with_value_errors(inner: Comparison, why: str) -> Comparison:
    """``inner``, except where the reference raised ValueError (``why`` says when it must)."""

    def compare(got: Any, expected: Any) -> Verdict:
        if _is_error_record(expected):
            if not _is_error_record(got):
                return Verdict(False, f"your function should raise ValueError {why}; it returned "
                                      f"{type_name(got)}")
            if expected["names_input"] and not got["names_input"]:
                return Verdict(False, "your ValueError should name the input it rejects "
                                      "(put the SMILES in the message)")
            return PASS
        if _is_error_record(got):
            return Verdict(False, "your function raised ValueError on a valid input")
        return inner(got, expected)

    return compare


def parse(smiles: str):
    """An RDKit molecule, or ValueError naming the SMILES (for the mistake models)."""
    from rdkit import Chem, rdBase

    with rdBase.BlockLogs():  # RDKit's parse warnings would reach stderr
        mol = Chem.MolFromSmiles(smiles)
    if mol is None:
        raise ValueError(f"RDKit cannot parse the SMILES {smiles!r}")
    return mol


def random_bits(rng: np.random.Generator, shape, density: float = 0.1) -> np.ndarray:
    """0/1 fingerprints (uint8) with about ``density`` of the bits set."""
    return (rng.random(shape) < density).astype(np.uint8)


def morgan_bits(smiles: list[str], radius: int = 2, n_bits: int = 2048) -> np.ndarray:
    """(N, n_bits) uint8 Morgan fingerprints for the grader's own cases."""
    from ....datasets.molecules import morgan_matrix

    return morgan_matrix(smiles, radius=radius, n_bits=n_bits)


def _same_output(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and bool(np.allclose(a, b, rtol=1e-9, atol=1e-12))
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def exclusive(implementation: Callable[..., Any], *rivals: Callable[..., Any]) -> Callable[..., Any]:
    """``implementation``, except on cases where a rival mistake gives the same output: there a
    learner's output cannot tell the two mistakes apart, so neither hint should be shown (the model
    raises, which the grader reads as "this mistake does not apply to this case")."""

    def mistaken(*args: Any, **kwargs: Any) -> Any:
        output = implementation(*args, **kwargs)
        for rival in rivals:
            try:
                other = rival(*args, **kwargs)
            except Exception:  # a rival that does not apply cannot be confused with this one
                continue
            if _same_output(output, other):
                raise LookupError("indistinguishable from another catalogued mistake on this case")
        return output

    return mistaken
